"""Collect submissions into ``submitted/<student>/<lesson>/``: from nbgrader's exchange, or from a
learning-management system's bulk download, matched to a roster.

Nothing is ever dropped: a file that cannot be matched to exactly one student on the roster is
copied to ``unmatched/<lesson>/`` and listed with the reason. Each submission folder gets a
``timestamp.txt`` (nbgrader's format) with when it was submitted, for late penalties.

LMS file names are matched with a regular expression that has the named groups ``file`` and
``id`` and/or ``name`` (and optionally ``late``). Two are built in:

- ``moodle``: ``Surname Firstname_12345_assignsubmission_file_01-regional-gap.ipynb``, flat or in
  one folder per student (``Surname Firstname_12345_assignsubmission_file_/…``); ``12345`` is the
  participant id, matched to the roster's ``lms_id``;
- ``canvas``: ``surnamefirstname_12345_67890_01-regional-gap.ipynb`` (``_late_`` allowed after
  the name); ``12345`` is the Canvas user id.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from course.errors import options_text
from course.grading.grade._workspace import Workspace, private_dir, write_private
from course.grading.releasing._lessons import GradingError, check_lesson_ids, lesson_notebooks

PATTERNS = {
    "moodle": r"^(?P<name>[^/]+?)_(?P<id>\d+)_assignsubmission_[a-z]+_/?(?P<file>.+)$",
    "canvas": r"^(?P<name>[^_/]+)(?:_(?P<late>late|LATE))?_(?P<id>\d+)_(?:\d+_)?(?P<file>[^/]+)$",
}
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
MAX_ZIP_MB = 2048
MAX_ZIP_FILES = 20000
STUDENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")
_DEBRIS = {".DS_Store", "Thumbs.db", "__MACOSX", ".ipynb_checkpoints"}


class CollectError(GradingError):
    """The collection could not be done as asked (bad roster, pattern, folder or zip file)."""


# --------------------------------------------------------------------------------------------
# Roster
# --------------------------------------------------------------------------------------------


@dataclass
class Student:
    student_id: str
    name: str = ""
    email: str = ""
    lms_id: str = ""
    # Given and family names when the roster has them in columns of their own (for the gradebook).
    first_name: str = field(default="", repr=False)
    last_name: str = field(default="", repr=False)


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.findall(r"[a-z]+", text.casefold())


def _norm_name(text: str) -> str:
    """A name's words, accents removed, in sorted order ('Byron, Ada' == 'Ada Byron')."""
    return " ".join(sorted(_words(text)))


def _squashed(text: str) -> set[str]:
    """A name written as one word, as Canvas does ('byronada' for Ada Byron), in likely orders."""
    words = _words(text)
    if not words:
        return set()
    orders = [words, words[::-1], words[-1:] + words[:-1]]
    return {"".join(order) for order in orders}


def read_roster(path: str | os.PathLike) -> list[Student]:
    """Read a roster CSV: ``student_id`` is required; ``name`` (or ``first_name`` and
    ``last_name``), ``email`` and ``lms_id`` are optional.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "roster.csv"
    >>> _ = p.write_text("student_id,name,lms_id\\nab123,Ada Byron,12345\\n")
    >>> read_roster(p)[0]
    Student(student_id='ab123', name='Ada Byron', email='', lms_id='12345')
    """
    path = Path(path)
    if not path.is_file():
        raise CollectError(
            f"The roster {str(path)!r} does not exist. Make a CSV with a student_id column (and "
            "name, email, lms_id if you have them), or pass --roster FILE."
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CollectError(f"The roster {str(path)!r} cannot be read as UTF-8 text: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower(): c for c in (reader.fieldnames or [])}
    if "student_id" not in columns:
        raise CollectError(
            f"The roster {str(path)!r} has no student_id column. Its columns are: "
            f"{', '.join(reader.fieldnames or []) or 'none'}. {options_text('student_id', columns or ['student_id'])} "
            "Add a student_id column: the id each student's folder gets (for example their "
            "university username)."
        )

    def get(row: dict, *names: str) -> str:
        for name in names:
            if name in columns:
                value = row.get(columns[name])
                if value and value.strip():
                    return value.strip()
        return ""

    students, seen = [], {}
    for number, row in enumerate(reader, start=2):
        student_id = get(row, "student_id")
        if not student_id:
            continue
        if not STUDENT_ID_RE.match(student_id):
            raise CollectError(
                f"Roster line {number}: {student_id!r} cannot be used as a student id (use letters, "
                "digits and . _ @ + - only, starting with a letter or digit)."
            )
        if student_id in seen:
            raise CollectError(f"Roster line {number}: {student_id!r} is listed twice (first on line "
                               f"{seen[student_id]}). Remove the duplicate.")
        seen[student_id] = number
        first = get(row, "first_name", "first name", "firstname")
        last = get(row, "last_name", "last name", "surname", "lastname")
        name = get(row, "name", "full_name", "full name") or " ".join(p for p in (first, last) if p)
        students.append(Student(student_id, name, get(row, "email", "email address"),
                                get(row, "lms_id", "id", "participant", "user_id", "sis_user_id"),
                                first_name=first, last_name=last))
    return students


def keep_roster(workspace: Workspace, roster: str | os.PathLike | None) -> None:
    """Keep a private copy of a roster given on the command line, for the later commands."""
    if roster is None:
        return
    path = Path(roster).resolve()
    if path != workspace.roster.resolve():
        write_private(workspace.roster, path.read_bytes())


def _match(students: list[Student], lms_id: str | None, name: str | None) -> tuple[Student | None, str]:
    if lms_id:
        hits = [s for s in students if s.lms_id and s.lms_id == lms_id]
        if len(hits) == 1:
            return hits[0], ""
        if len(hits) > 1:
            return None, f"the id {lms_id} belongs to {len(hits)} students on the roster"
        hits = [s for s in students if s.student_id == lms_id]
        if len(hits) == 1:
            return hits[0], ""
    if name:
        wanted = _norm_name(name)
        squashed = "".join(_words(name))
        hits = [s for s in students if s.name and (_norm_name(s.name) == wanted
                                                   or squashed in _squashed(s.name))]
        if len(hits) == 1:
            return hits[0], ""
        if len(hits) > 1:
            return None, f"the name {name!r} matches {len(hits)} students on the roster"
    what = " and ".join(x for x in (f"id {lms_id}" if lms_id else "", f"name {name!r}" if name else "") if x)
    return None, f"no student on the roster with {what or 'this file name'}"


# --------------------------------------------------------------------------------------------
# Reading a download (folder or zip file)
# --------------------------------------------------------------------------------------------


def _safe_extract(zip_path: Path, dest: Path) -> dict[str, datetime]:
    """Extract regular files only (no links, no absolute or '..' paths); return their zip times."""
    times: dict[str, datetime] = {}
    try:
        archive = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile:
        raise CollectError(f"{str(zip_path)!r} is not a valid zip file. Download it again.") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_FILES:
            raise CollectError(f"{zip_path.name} holds {len(infos)} files; more than {MAX_ZIP_FILES} "
                               "is not a class's submissions.")
        if sum(i.file_size for i in infos) > MAX_ZIP_MB * 1024 * 1024:
            raise CollectError(f"{zip_path.name} would unpack to more than {MAX_ZIP_MB} MB.")
        for info in infos:
            name = info.filename.replace("\\", "/")
            parts = [p for p in name.split("/") if p not in ("", ".")]
            mode = info.external_attr >> 16
            if (info.is_dir() or not parts or name.startswith("/") or ".." in parts
                    or stat.S_ISLNK(mode) or re.match(r"^[A-Za-z]:", name)):
                continue
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
            try:
                times["/".join(parts)] = datetime(*info.date_time).astimezone(UTC)
            except ValueError:
                pass
    return times


def _files(folder: Path) -> list[str]:
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if d not in _DEBRIS and not (Path(root) / d).is_symlink()]
        for name in files:
            path = Path(root) / name
            if name in _DEBRIS or name.startswith("._") or path.is_symlink() or not path.is_file():
                continue
            found.append(path.relative_to(folder).as_posix())
    return sorted(found)


def _read_timestamps(path: Path | None, students: list[Student]) -> dict[str, datetime]:
    """A CSV of submission times: a student column (student_id, lms_id/id or name) and a time."""
    if path is None:
        return {}
    text = Path(path).read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower(): c for c in (reader.fieldnames or [])}
    time_col = next((columns[c] for c in ("submitted_at", "timestamp", "submitted", "time",
                                          "last modified (submission)") if c in columns), None)
    if time_col is None:
        raise CollectError(
            f"{path.name} needs a column with the submission time (submitted_at, timestamp or "
            f"time); it has {', '.join(reader.fieldnames or [])}."
        )
    out: dict[str, datetime] = {}

    def cell(row: dict, *names: str) -> str | None:
        for name in names:
            if name in columns and (row.get(columns[name]) or "").strip():
                return row[columns[name]].strip()
        return None

    for row in reader:
        value = cell(row, time_col.strip().lower())
        student_id = cell(row, "student_id")
        if student_id and any(s.student_id == student_id for s in students):
            student = next(s for s in students if s.student_id == student_id)
        else:
            student, _ = _match(students, cell(row, "lms_id", "id", "participant"), cell(row, "name",
                                                                                         "full name"))
        if student is not None and value:
            out[student.student_id] = parse_time(value)
    return out


def parse_time(value: str, default_tz: str = "Europe/London") -> datetime:
    """Parse a date and time (ISO 8601 or '28 November 2025, 4:05 PM'); naive means UK time.

    Examples
    --------
    >>> parse_time("2025-11-28 17:00").isoformat()
    '2025-11-28T17:00:00+00:00'
    >>> parse_time("2025-06-02T09:30:00+01:00").isoformat()
    '2025-06-02T08:30:00+00:00'
    """
    from zoneinfo import ZoneInfo

    text = value.strip()
    if text.endswith(" UTC"):
        text = text[:-4] + "+00:00"
    parsed = None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in ("%d %B %Y, %I:%M %p", "%A, %d %B %Y, %I:%M %p", "%d/%m/%Y %H:%M", "%d/%m/%Y",
                    "%Y-%m-%d %H:%M:%S.%f", "%d %b %Y %H:%M"):
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise CollectError(
            f"Cannot read the date and time {value!r}. Write it as 2025-11-28 17:00 (UK time) or "
            "2025-11-28T17:00:00+00:00."
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(default_tz))
    return parsed.astimezone(UTC)


def format_timestamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def read_timestamp(folder: Path) -> datetime | None:
    """The time in ``folder/timestamp.txt`` (nbgrader's format), or None."""
    path = folder / "timestamp.txt"
    if not path.is_file():
        return None
    try:
        return parse_time(path.read_text(encoding="utf-8").strip(), default_tz="UTC")
    except (OSError, GradingError):
        return None


# --------------------------------------------------------------------------------------------
# Collect
# --------------------------------------------------------------------------------------------


@dataclass
class CollectReport:
    lesson: str
    collected: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # on the roster, nothing submitted
    not_on_roster: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"Collected {self.lesson}: {len(self.collected)} new, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.unmatched)} unmatched file(s)."
        ]
        if self.unmatched:
            lines.append("Unmatched files (copied to unmatched/, not graded):")
            lines += [f"  - {name}: {reason}" for name, reason in self.unmatched]
            lines.append("Fix the roster (lms_id or name) and collect again, or move a file into "
                         "submitted/<student>/<lesson>/ yourself.")
        if self.not_on_roster:
            lines.append("Collected, but not on the roster: " + ", ".join(self.not_on_roster))
        if self.missing:
            lines.append(f"No submission from {len(self.missing)} student(s) on the roster: "
                         + ", ".join(self.missing[:30]) + (" ..." if len(self.missing) > 30 else ""))
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for rel in _files(folder) if folder.is_dir() else []:
        if rel == "timestamp.txt":
            continue
        digest.update(rel.encode() + b"\0" + hashlib.sha256((folder / rel).read_bytes()).digest())
    return digest.hexdigest()


def _place(stage: Path, dest: Path, when: datetime, report: CollectReport, student: str) -> None:
    """Move a staged submission into place unless an identical one is already there."""
    if dest.is_dir() and _tree_hash(dest) == _tree_hash(stage):
        report.unchanged.append(student)
        return
    existed = dest.is_dir()
    write_private(stage / "timestamp.txt", format_timestamp(when) + "\n")
    private_dir(dest.parent)
    old = dest.with_name(f".{dest.name}.old")
    if existed:
        if old.exists():
            shutil.rmtree(old)
        dest.rename(old)
    private_dir(dest)
    shutil.copytree(stage, dest, dirs_exist_ok=True)
    _restrict(dest)
    if existed:
        shutil.rmtree(old, ignore_errors=True)
    (report.updated if existed else report.collected).append(student)


def _restrict(folder: Path) -> None:
    for root, _dirs, files in os.walk(folder):
        os.chmod(root, 0o700)
        for name in files:
            os.chmod(Path(root) / name, 0o600)


def collect_lms(
    lesson_id: str,
    source: str | os.PathLike,
    *,
    workspace: Workspace,
    lessons_dir: str | os.PathLike,
    roster: str | os.PathLike | None = None,
    pattern: str = "moodle",
    timestamps: str | os.PathLike | None = None,
) -> CollectReport:
    """Collect an LMS bulk download (a folder or a .zip) of one lesson into the workspace."""
    lessons_dir = Path(lessons_dir)
    (lesson_id,) = check_lesson_ids(lessons_dir, [lesson_id])
    expected = [p.name for p in lesson_notebooks(lessons_dir / lesson_id)]
    regex_text = PATTERNS.get(pattern, pattern)
    try:
        regex = re.compile(regex_text)
    except re.error as exc:
        raise CollectError(
            f"--pattern {pattern!r} is not a valid regular expression ({exc}). Use moodle, canvas, "
            "or a regular expression with the groups (?P<file>...) and (?P<id>...) or (?P<name>...)."
        ) from None
    if "file" not in regex.groupindex or not ({"id", "name"} & set(regex.groupindex)):
        raise CollectError(
            f"--pattern {pattern!r} must be moodle, canvas, or a regular expression with the named "
            "groups (?P<file>...) and (?P<id>...) or (?P<name>...); for example "
            r"'^(?P<name>.+?)_(?P<id>\d+)_(?P<file>.+)$'."
        )
    workspace.ensure()
    students = read_roster(roster or workspace.roster)
    keep_roster(workspace, roster)
    source = Path(source)
    report = CollectReport(lesson_id)
    with tempfile.TemporaryDirectory(prefix="pp-collect-") as tmp:
        tmp = Path(tmp)
        if source.is_file() and source.suffix.lower() == ".zip":
            unpacked = tmp / "download"
            zip_times = _safe_extract(source, unpacked)
        elif source.is_dir():
            unpacked, zip_times = source, {}
        else:
            raise CollectError(
                f"{str(source)!r} is neither a folder nor a .zip file. Pass the LMS's bulk download "
                "(the zip file, or the folder you unzipped it into)."
            )
        given_times = _read_timestamps(Path(timestamps) if timestamps else None, students)
        by_student: dict[str, list[tuple[str, str, datetime, str]]] = {}
        for rel in _files(unpacked):
            match = regex.match(rel)
            if not match:
                report.unmatched.append((rel, "the file name does not follow the pattern "
                                         f"{pattern!r}"))
                continue
            groups = match.groupdict()
            student, reason = _match(students, groups.get("id"), groups.get("name"))
            if student is None:
                report.unmatched.append((rel, reason))
                continue
            when = zip_times.get(rel) or datetime.fromtimestamp((unpacked / rel).stat().st_mtime, UTC)
            by_student.setdefault(student.student_id, []).append(
                (rel, groups["file"].split("/")[-1], when, "late" if groups.get("late") else ""))
        for rel, _reason in report.unmatched:
            target = workspace.unmatched / lesson_id / rel
            private_dir(target.parent)
            shutil.copyfile(unpacked / rel, target)
            os.chmod(target, 0o600)
        for student_id, files in sorted(by_student.items()):
            stage = tmp / "stage" / student_id
            stage.mkdir(parents=True)
            chosen: dict[str, tuple[str, datetime]] = {}
            for rel, name, when, _late in files:
                clean = re.sub(r"-\d+(\.[A-Za-z0-9]+)$", r"\1", name)  # Canvas resubmission suffix
                clean = re.sub(r" \(\d+\)(\.[A-Za-z0-9]+)$", r"\1", clean)  # browser duplicate
                clean = clean if clean in expected or clean == name else name
                if clean in chosen and chosen[clean][1] >= when:
                    report.notes.append(f"{student_id}: kept the later of two copies of {clean}")
                    continue
                chosen[clean] = (rel, when)
            notebooks = [n for n in chosen if n.lower().endswith(".ipynb")]
            if len(expected) == 1 and expected[0] not in chosen and len(notebooks) == 1:
                only = notebooks[0]
                chosen[expected[0]] = chosen.pop(only)
                report.notes.append(f"{student_id}: renamed {only} to {expected[0]}")
            for name, (rel, _when) in chosen.items():
                shutil.copyfile(unpacked / rel, stage / name)
            when = given_times.get(student_id) or max(w for _, w in chosen.values())
            _place(stage, workspace.submitted / student_id / lesson_id, when, report, student_id)
    roster_ids = {s.student_id for s in students}
    present = {p.name for p in workspace.submitted.iterdir() if (p / lesson_id).is_dir()} \
        if workspace.submitted.is_dir() else set()
    report.missing = sorted(roster_ids - present)
    return report


def collect_exchange(
    lesson_id: str,
    exchange: str | os.PathLike,
    course_id: str,
    *,
    workspace: Workspace,
    lessons_dir: str | os.PathLike,
    roster: str | os.PathLike | None = None,
) -> CollectReport:
    """Collect from nbgrader's exchange (``<exchange>/<course_id>/inbound``) with nbgrader itself."""
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default.collect import ExchangeCollect
    from nbgrader.utils import capture_log

    from course.grading.releasing._nbgrader import nbgrader_config, prepare_nbgrader, quiet_logger

    (lesson_id,) = check_lesson_ids(lessons_dir, [lesson_id])
    exchange = Path(exchange).resolve()
    if not (exchange / course_id / "inbound").is_dir():
        raise CollectError(
            f"There is no nbgrader exchange for course {course_id!r} in {str(exchange)!r} (expected "
            f"{exchange / course_id / 'inbound'}). Check --exchange and --course-id."
        )
    workspace.ensure()
    prepare_nbgrader()
    before = {p.name: _tree_hash(p / lesson_id) for p in workspace.submitted.iterdir()
              if (p / lesson_id).is_dir()} if workspace.submitted.is_dir() else {}
    config = nbgrader_config(workspace.root)
    config.CourseDirectory.submitted_directory = "submitted"
    config.CourseDirectory.db_url = workspace.db_url
    config.CourseDirectory.course_id = course_id
    config.Exchange.root = str(exchange)
    config.ExchangeCollect.update = True
    log = quiet_logger("course.grading.collect")
    report = CollectReport(lesson_id)
    # Collect student by student, and only ids that are safe folder names: on a shared exchange a
    # submission's name is chosen by whoever submitted it.
    usernames = set()
    for entry in (exchange / course_id / "inbound").iterdir():
        parts = entry.name.rsplit("+", 3)
        if len(parts) >= 3 and parts[1] == lesson_id:
            usernames.add(parts[0])
    log_text = ""
    for username in sorted(usernames):
        if not STUDENT_ID_RE.match(username) or "*" in username or "?" in username:
            report.unmatched.append((f"{username}+{lesson_id}+...", "not a safe student id; left in the exchange"))
            continue
        coursedir = CourseDirectory(config=config, log=log)
        coursedir.assignment_id = lesson_id
        coursedir.student_id = username
        app = ExchangeCollect(coursedir=coursedir, config=config, log=log)
        result = capture_log(app)
        log_text += result.get("log", "") + "\n"
        if not result["success"]:
            from course.grading.releasing._nbgrader import last_error

            report.unmatched.append((f"{username}+{lesson_id}+...", "nbgrader could not collect it: "
                                     + last_error(result.get("log", "") + result.get("error", ""))))
    result = {"log": log_text}
    for line in result.get("log", "").splitlines():
        if "cheating attempt" in line or "claims to be submitted by" in line or " but is owned by " in line:
            report.notes.append(line.removeprefix("[WARNING]").strip())
    students = read_roster(roster or workspace.roster) if (roster or workspace.roster.exists()) else []
    keep_roster(workspace, roster)
    roster_ids = {s.student_id for s in students}
    if workspace.submitted.is_dir():
        os.chmod(workspace.submitted, 0o700)
    for folder in sorted(workspace.submitted.iterdir()) if workspace.submitted.is_dir() else []:
        sub = folder / lesson_id
        if not sub.is_dir():
            continue
        os.chmod(folder, 0o700)
        _restrict(sub)
        digest = _tree_hash(sub)
        if folder.name not in before:
            report.collected.append(folder.name)
        elif before[folder.name] != digest:
            report.updated.append(folder.name)
        else:
            report.unchanged.append(folder.name)
        if roster_ids and folder.name not in roster_ids:
            report.not_on_roster.append(folder.name)
    if roster_ids:
        present = set(report.collected + report.updated + report.unchanged)
        report.missing = sorted(roster_ids - present)
    return report
