"""An instructor's term on the fixture lesson, through the `course` command: collect from an LMS
download, grade, review, feedback, written answers, export with late penalties, status, purge.
Plus the pieces on their own: rosters, file-name patterns, zip safety, nbgrader's exchange, late
policies, the static scan and the sandbox choice."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import CELL_LIMIT, PATIENCE, SUBMISSION_LIMIT

from course.cli import main
from course.grading import (
    GradingError,
    LatePolicy,
    Workspace,
    collect_exchange,
    collect_lms,
    read_roster,
    release,
)
from course.grading.grade._collect import CollectError, format_timestamp, read_timestamp
from course.grading.grade._sandbox import detect
from course.grading.grade._scan import scan_sources, scan_submission
from course.grading.kernel._codec import decode, encode

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LESSONS = HERE / "fixtures" / "lessons"
LESSON = "zz-fixture"
ROSTER = ("student_id,name,email,lms_id\n"
          "ab1,Ada Byron,ada@example.ac.uk,1001\n"
          "at2,Alan Turing,alan@example.ac.uk,1002\n"
          "gh3,Grace Hopper,grace@example.ac.uk,1003\n"
          "kj4,Katherine Johnson,katherine@example.ac.uk,1004\n")


@pytest.fixture(scope="module")
def student_nb(tmp_path_factory) -> dict:
    dest = tmp_path_factory.mktemp("release")
    release(LESSONS, dest)
    return json.loads((dest / LESSON / f"{LESSON}.ipynb").read_text(encoding="utf-8"))


def _answer(nb: dict, **sources: str) -> bytes:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "").replace("-", "_")
        if grade_id in sources:
            cell["source"] = sources[grade_id]
    return json.dumps(nb).encode()


GAP = "def gap(values, a, b):\n    return float(values[a]) / float(values[b])\n"


def _zip(path: Path, entries: dict[str, tuple[bytes, datetime]], links: dict[str, str] = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, (data, when) in entries.items():
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            archive.writestr(info, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


def _modes(folder: Path) -> set[tuple[str, int]]:
    """Paths under ``folder`` whose permissions let anyone but the owner in."""
    loose = set()
    for path in [folder, *folder.rglob("*")]:
        if path.name == ".gitignore":
            continue
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            loose.add((str(path.relative_to(folder)), oct(stat.S_IMODE(path.stat().st_mode))))
    return loose


# ----------------------------------------------------------------------------------------------
# A term through the course command
#
# Each test_term_* starts from its own copy of the term at the stage it needs (term_at), made by
# the stage fixtures below, so the tests pass in any order, alone or together.
# ----------------------------------------------------------------------------------------------


def _setup(argv: list[str]) -> None:
    """Run a course command that makes a later stage; what it prints is checked by that stage's test."""
    with redirect_stdout(io.StringIO()) as out, redirect_stderr(io.StringIO()) as err:
        code = main(argv)
    assert code == 0, f"course {argv[0]} failed:\n{out.getvalue()}\n{err.getvalue()}"


def _copy(term: dict, dest: Path) -> dict:
    """A private copy of a term: a test may change it without touching any other test's term."""
    shutil.copytree(term["root"], dest, symlinks=True)
    workspace = Workspace(dest / "coursework")
    return {**term, "root": dest, "zip": dest / "download.zip", "workspace": workspace,
            "common": ["--workspace", str(workspace.root), "--lessons", str(LESSONS)]}


@pytest.fixture
def term_at(request, tmp_path):
    """``term_at("new" | "collected" | "graded" | "marked")``: this test's own copy of the term."""
    return lambda stage: _copy(request.getfixturevalue(f"{stage}_term"), tmp_path / f"{stage}-term")


@pytest.fixture(scope="module")
def collected_term(new_term, tmp_path_factory):
    term = _copy(new_term, tmp_path_factory.mktemp("collected") / "term")
    _setup(["collect", LESSON, "--from", str(term["zip"]), "--roster", str(term["root"] / "roster.csv"),
            *term["common"]])
    return term


@pytest.fixture(scope="module")
def graded_term(collected_term, tmp_path_factory):
    term = _copy(collected_term, tmp_path_factory.mktemp("graded") / "term")
    _setup(["grade", LESSON, "--timeout-cell", str(CELL_LIMIT), "--timeout", str(SUBMISSION_LIMIT),
            *term["common"]])
    return term


@pytest.fixture(scope="module")
def marked_term(graded_term, tmp_path_factory):
    """Graded, gh3 rejected on review, the written answer marked (ab1: 1.5 of 2), feedback written."""
    term = _copy(graded_term, tmp_path_factory.mktemp("marked") / "term")
    common, workspace = term["common"], term["workspace"]
    _setup(["review", LESSON, "gh3", "--reject", "--note", "disabled error reports", *common])
    _setup(["written", LESSON, *common])
    sheet = workspace.written / LESSON / "ex3-written.csv"
    rows = list(csv.DictReader(io.StringIO(sheet.read_text())))
    for row in rows:
        row["mark"] = "1.5" if row["answer"] != "(no answer)" else "0"
        row["comment"] = "Name the limitation." if row["mark"] == "1.5" else ""
    marks = term["root"] / "marks.csv"
    with open(marks, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    _setup(["written", LESSON, "--import", str(marks), *common])
    _setup(["feedback", LESSON, *common])
    return term


@pytest.fixture(scope="module")
def new_term(tmp_path_factory, student_nb):
    root = tmp_path_factory.mktemp("term")
    (root / "roster.csv").write_text(ROSTER)
    due = datetime(2025, 11, 28, 17, 0, tzinfo=UTC)
    entries = {
        # Moodle's flat names; a browser's " (1)" suffix; one student nobody can match.
        "Byron Ada_1001_assignsubmission_file_zz-fixture.ipynb":
            (_answer(student_nb, ex1_solution=GAP, ex2_solution="largest = max(data, key=data.get)\n",
                     ex3_written="A ratio hides the size of each economy."), due - timedelta(hours=1)),
        "Turing Alan_1002_assignsubmission_file_zz-fixture (1).ipynb":
            (_answer(student_nb, ex1_solution=GAP, ex2_solution='largest = "Wales"\n'),
             due + timedelta(days=1, hours=2)),
        "Hopper Grace_1003_assignsubmission_file_zz-fixture.ipynb":
            (_answer(student_nb, ex1_solution=GAP,
                     ex2_solution="import sys\nsys.excepthook = print\nlargest = 'London'\n"),
             due - timedelta(minutes=5)),
        "Stranger Someone_9999_assignsubmission_file_zz-fixture.ipynb": (b"{}", due),
        "../escape.ipynb": (b"{}", due),
    }
    download = _zip(root / "download.zip", entries, links={"Byron Ada_1001_assignsubmission_file_link": "/etc"})
    workspace = Workspace(root / "coursework")
    common = ["--workspace", str(workspace.root), "--lessons", str(LESSONS)]
    return {"root": root, "workspace": workspace, "common": common, "zip": download, "due": due}


@pytest.mark.slow
def test_term_collect(term_at, capsys):
    term = term_at("new")
    common = term["common"]
    assert main(["collect", LESSON, "--from", str(term["zip"]), "--roster",
                 str(term["root"] / "roster.csv"), *common]) == 0
    out = capsys.readouterr().out
    assert "3 new, 0 updated, 0 unchanged, 1 unmatched" in out
    assert "Stranger Someone_9999" in out and "no student on the roster with id 9999" in out
    assert "No submission from 1 student(s) on the roster: kj4" in out
    workspace = term["workspace"]
    assert sorted(p.name for p in workspace.submitted.iterdir()) == ["ab1", "at2", "gh3"]
    assert (workspace.submitted / "at2" / LESSON / f"{LESSON}.ipynb").is_file()  # renamed
    assert (workspace.unmatched / LESSON / "Stranger Someone_9999_assignsubmission_file_zz-fixture.ipynb").is_file()
    assert not (term["root"] / "escape.ipynb").exists()
    assert not list(workspace.root.rglob("*link*"))
    stamp = read_timestamp(workspace.submitted / "at2" / LESSON)
    assert stamp is not None
    assert (workspace.root / ".gitignore").read_text().strip().endswith("*")
    assert workspace.roster.read_text() == ROSTER  # kept for the later commands
    # Collecting the same download again changes nothing.
    assert main(["collect", LESSON, "--from", str(term["zip"]), *common]) == 0
    assert "0 new, 0 updated, 3 unchanged" in capsys.readouterr().out


@pytest.mark.slow
def test_term_grade(term_at, capsys):
    term = term_at("collected")
    common = term["common"]
    assert main(["grade", LESSON, "--timeout-cell", str(CELL_LIMIT), "--timeout", str(SUBMISSION_LIMIT),
                 *common]) == 0
    captured = capsys.readouterr()
    assert "3/3" in captured.err and "Gradebook updated for 3 student(s)" in captured.err
    assert "course review zz-fixture" in captured.err
    workspace = term["workspace"]
    records = {p.stem: json.loads(p.read_text()) for p in (workspace.grades / LESSON).glob("*.json")}
    assert records["ab1"]["score"] == 3.0 and records["ab1"]["status"] == "ok"
    assert records["at2"]["score"] == 2.0
    assert records["gh3"]["status"] == "review" and "exception hook" in records["gh3"]["message"]
    # formgrader's view: nbgrader's layout and gradebook in the workspace.
    from nbgrader.api import Gradebook

    for student in ("ab1", "at2", "gh3"):
        nb = workspace.autograded / student / LESSON / f"{LESSON}.ipynb"
        assert "### BEGIN HIDDEN TESTS" in nb.read_text()  # instructors see the hidden tests
    with Gradebook(workspace.db_url) as gb:
        assert gb.find_submission(LESSON, "ab1").score == 3.0
        assert gb.find_submission(LESSON, "gh3").notebooks[0].flagged
        grade = gb.find_grade("ex3-written", LESSON, LESSON, "ab1")
        assert grade.needs_manual_grade and grade.auto_score is None


@pytest.mark.slow
def test_term_review_feedback_written_export_status(term_at, capsys, tmp_path):
    term = term_at("graded")
    common, workspace = term["common"], term["workspace"]
    assert main(["review", LESSON, *common]) == 0
    assert "gh3:" in capsys.readouterr().out
    assert main(["feedback", LESSON, *common]) == 0
    out = capsys.readouterr().out
    assert "2 file(s) written, 1 held back" in out and "gh3: awaiting review" in out
    assert main(["review", LESSON, "gh3", "--reject", "--note", "disabled error reports", *common]) == 0
    assert main(["review", LESSON, "gh3", *common]) == 1  # neither --accept nor --reject
    capsys.readouterr()

    assert main(["written", LESSON, "--anonymous", *common]) == 0
    sheet = workspace.written / LESSON / "ex3-written.csv"
    rows = list(csv.DictReader(io.StringIO(sheet.read_text())))
    assert {r["student"][:1] for r in rows} == {"C"}  # candidate codes, not ids
    assert "Rubric (instructor only)" in rows[0]["rubric"]
    assert "Rubric (instructor only)" in (workspace.written / LESSON / "ex3-written.html").read_text()
    answered = [r for r in rows if r["answer"] != "(no answer)"]
    assert len(answered) == 1
    for row in rows:
        row["mark"] = "1.5" if row["answer"] != "(no answer)" else "0"
        row["comment"] = "Name the limitation." if row["mark"] == "1.5" else ""
    bad = tmp_path / "bad.csv"
    writer_rows = [dict(rows[0], mark="9"), dict(rows[1], student="C000000")]
    with open(bad, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(writer_rows)
    assert main(["written", LESSON, "--import", str(bad), *common]) == 1
    err = capsys.readouterr().err
    assert "Nothing was imported" in err and "outside 0 to 2" in err and "C000000" in err
    good = tmp_path / "marks.csv"
    with open(good, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert main(["written", LESSON, "--import", str(good), *common]) == 0
    assert "Imported 3 mark(s)" in capsys.readouterr().out

    (workspace.root / "due.csv").write_text(f"lesson,due,student\n{LESSON},2025-11-28 17:00,\n")
    (workspace.root / "due.csv").chmod(0o600)
    assert main(["export", "--late-penalty", "10%/day", "--late-cap", "30%", "--grace", "15", *common]) == 0
    out = capsys.readouterr().out
    assert "Exported 4 student(s)" in out and "1 late submission(s) penalised" in out
    wide = {r["student_id"]: r for r in csv.DictReader(io.StringIO((workspace.exports / "grades.csv").read_text()))}
    assert wide["ab1"][LESSON] == "4.5" and wide["ab1"]["name"] == "Ada Byron"
    # Alan: 2 autograded + 0 written, 1 day 2 hours late: 2 started days x 10% of 5 = 1.
    assert wide["at2"][LESSON] == "1.0" and "late by 1 d 1 h 45 min: -1" in wide["at2"]["notes"]
    assert wide["gh3"][LESSON] == "0.0" and "rejected after review" in wide["gh3"]["notes"]
    assert wide["kj4"][LESSON] == "0.0" and "missing" in wide["kj4"]["notes"]
    long = list(csv.DictReader(io.StringIO((workspace.exports / "grades-long.csv").read_text())))
    alan = next(r for r in long if r["student_id"] == "at2")
    assert alan["late_minutes"] == str(26 * 60 - 15) and alan["late_penalty"] == "1.0"

    assert main(["status", *common]) == 0
    out = capsys.readouterr().out
    assert "3 submitted, 3 graded" in out and "kj4" in out

    assert main(["feedback", LESSON, *common]) == 0
    out = capsys.readouterr().out
    assert "3 file(s) written" in out
    page = (workspace.feedback / "ab1" / LESSON / f"{LESSON}.html").read_text()
    assert "Name the limitation." in page  # the marker's comment reaches the student
    assert _modes(workspace.root) == set()


@pytest.mark.slow
def test_term_formgrader_shows_the_same_workspace(term_at):
    """nbgrader's formgrader, run on the repository as nbgrader_config.py sets it up, sees the
    submissions, scores, manual marks and review flags that the course command wrote."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    term = term_at("marked")
    workspace = term["workspace"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, COURSE_WORKSPACE=str(workspace.root),
               JUPYTER_CONFIG_DIR=str(term["root"] / "jupyter-config"))
    cmd = [sys.executable, "-m", "jupyter_server", f"--ServerApp.root_dir={REPO}",
           f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=t",
           "--no-browser"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)

    def get(path: str) -> str:
        url = f"http://127.0.0.1:{port}{path}?token=t"
        with urllib.request.urlopen(url, timeout=PATIENCE) as response:
            return response.read().decode()

    try:
        deadline = time.monotonic() + PATIENCE
        while True:
            try:
                get("/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None and time.monotonic() < deadline, "jupyter_server did not start"
                time.sleep(0.3)
        submissions = {s["student"]: s for s in json.loads(get(f"/formgrader/api/submissions/{LESSON}"))}
        assert submissions["ab1"]["score"] == 4.5  # 3 autograded + 1.5 marked by hand
        notebooks = {n["student"]: n for n in
                     json.loads(get(f"/formgrader/api/submitted_notebooks/{LESSON}/{LESSON}"))}
        assert notebooks["gh3"]["flagged"] and not notebooks["ab1"]["flagged"]
        page = get(f"/formgrader/submissions/{notebooks['ab1']['id']}/")
        assert "A ratio hides the size of each economy." in page
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


@pytest.mark.slow
def test_term_purge(term_at, capsys):
    term = term_at("marked")
    common = ["--workspace", str(term["workspace"].root)]
    assert main(["purge", "--before", "2000-01-01", "--yes", *common]) == 0
    assert "Deleted 0 submission(s)" in capsys.readouterr().out
    assert main(["purge", "--before", "2999-01-01", *common]) == 0
    out = capsys.readouterr().out
    assert "Would delete 3 submission(s)" in out and "--yes" in out
    workspace = term["workspace"]
    assert (workspace.submitted / "ab1").is_dir() and workspace.feedback.is_dir()
    assert main(["purge", "--before", "2999-01-01", "--yes", *common]) == 0
    assert not workspace.submitted.exists() and not workspace.feedback.exists()
    assert not list((workspace.grades / LESSON).glob("*.json"))
    from nbgrader.api import Gradebook

    with Gradebook(workspace.db_url) as gb:
        assert gb.students == [] and gb.find_assignment(LESSON).submissions == []
    assert workspace.roster.is_file()  # deleted by hand when the marks are final


# ----------------------------------------------------------------------------------------------
# Collecting, piece by piece
# ----------------------------------------------------------------------------------------------


def test_moodle_folders_canvas_names_and_timestamps_file(tmp_path, student_nb):
    (tmp_path / "roster.csv").write_text(ROSTER)
    workspace = Workspace(tmp_path / "ws")
    folders = tmp_path / "moodle"
    one = folders / "Byron Ada_1001_assignsubmission_file_"
    one.mkdir(parents=True)
    (one / "zz-fixture.ipynb").write_bytes(_answer(student_nb))
    (one / "helper.csv").write_text("a,b\n")
    times = tmp_path / "times.csv"
    times.write_text("lms_id,submitted_at\n1001,2025-11-20 09:30\n")
    report = collect_lms(LESSON, folders, workspace=workspace, lessons_dir=LESSONS,
                         roster=tmp_path / "roster.csv", timestamps=times)
    assert report.collected == ["ab1"]
    folder = workspace.submitted / "ab1" / LESSON
    assert sorted(p.name for p in folder.iterdir()) == ["helper.csv", "timestamp.txt", "zz-fixture.ipynb"]
    assert read_timestamp(folder) == datetime(2025, 11, 20, 9, 30, tzinfo=UTC)

    canvas = tmp_path / "canvas"
    canvas.mkdir()
    (canvas / "turingalan_late_1002_55501_zz-fixture-1.ipynb").write_bytes(_answer(student_nb))
    (canvas / "hoppergrace_77777_55502_zz-fixture.ipynb").write_bytes(_answer(student_nb))
    report = collect_lms(LESSON, canvas, workspace=workspace, lessons_dir=LESSONS, pattern="canvas")
    # The id 77777 is unknown, but the squashed name still finds Grace.
    assert sorted(report.collected) == ["at2", "gh3"] and report.unmatched == []
    assert (workspace.submitted / "at2" / LESSON / "zz-fixture.ipynb").is_file()

    custom = tmp_path / "custom"
    custom.mkdir()
    (custom / "kj4--zz-fixture.ipynb").write_bytes(_answer(student_nb))
    report = collect_lms(LESSON, custom, workspace=workspace, lessons_dir=LESSONS,
                         pattern=r"^(?P<id>[a-z0-9]+)--(?P<file>.+)$")
    assert report.collected == ["kj4"]  # the id matched the roster's student_id
    with pytest.raises(CollectError, match=r"named groups \(\?P<file>"):
        collect_lms(LESSON, custom, workspace=workspace, lessons_dir=LESSONS, pattern=r"^(.+)$")
    with pytest.raises(CollectError, match="not a valid regular expression"):
        collect_lms(LESSON, custom, workspace=workspace, lessons_dir=LESSONS, pattern="(")
    with pytest.raises(CollectError, match="neither a folder nor a .zip"):
        collect_lms(LESSON, tmp_path / "nowhere", workspace=workspace, lessons_dir=LESSONS)


def test_roster_errors_are_friendly(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("username,name\nab1,Ada\n")
    with pytest.raises(CollectError, match="no student_id column. Its columns are: username, name"):
        read_roster(path)
    path.write_text("student_id\nab1\nab1\n")
    with pytest.raises(CollectError, match="listed twice"):
        read_roster(path)
    path.write_text("student_id\n../etc\n")
    with pytest.raises(CollectError, match="cannot be used as a student id"):
        read_roster(path)
    with pytest.raises(CollectError, match="does not exist"):
        read_roster(tmp_path / "missing.csv")


def test_collect_from_nbgrader_exchange(tmp_path, student_nb):
    exchange = tmp_path / "exchange"
    when = datetime(2025, 11, 28, 16, 0, tzinfo=UTC)
    for student in ("ab1", "zz9", ".."):
        inbound = exchange / "pp101" / "inbound" / f"{student}+{LESSON}+{format_timestamp(when)}+abc"
        inbound.mkdir(parents=True)
        (inbound / f"{LESSON}.ipynb").write_bytes(_answer(student_nb))
        (inbound / "timestamp.txt").write_text(format_timestamp(when))
    (tmp_path / "roster.csv").write_text(ROSTER)
    workspace = Workspace(tmp_path / "ws")
    report = collect_exchange(LESSON, exchange, "pp101", workspace=workspace, lessons_dir=LESSONS,
                              roster=tmp_path / "roster.csv")
    assert sorted(report.collected) == ["ab1", "zz9"]
    assert report.not_on_roster == ["zz9"] and "kj4" in report.missing
    assert report.unmatched == [(f"..+{LESSON}+...", "not a safe student id; left in the exchange")]
    assert not (workspace.root / LESSON).exists()
    assert read_timestamp(workspace.submitted / "ab1" / LESSON) == when
    assert _modes(workspace.submitted) == set()
    with pytest.raises(CollectError, match="no nbgrader exchange for course 'nope'"):
        collect_exchange(LESSON, exchange, "nope", workspace=workspace, lessons_dir=LESSONS)


# ----------------------------------------------------------------------------------------------
# Late penalties, the scan, the codec and the sandbox choice
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "cap", "late", "expected"), [
    ("10%/day", None, timedelta(minutes=1), 0.5),
    ("10%/day", None, timedelta(days=2, seconds=1), 1.5),
    ("10%/day", "20%", timedelta(days=9), 1.0),
    ("5%/hour", None, timedelta(hours=3), 0.75),
    ("1pt/day", "2pt", timedelta(days=5), 2.0),
    (None, None, timedelta(days=5), 0.0),
])
def test_late_penalties(rule, cap, late, expected):
    assert LatePolicy.parse(rule, cap=cap).penalty(5.0, late) == pytest.approx(expected)


def test_grace_and_bad_late_rules():
    policy = LatePolicy.parse("10%/day", grace_minutes=15)
    due = datetime(2025, 1, 1, 17, tzinfo=UTC)
    assert policy.late_by(due + timedelta(minutes=14), due) == timedelta(0)
    assert policy.late_by(due + timedelta(minutes=16), due) == timedelta(minutes=1)
    with pytest.raises(GradingError, match="Write it as 10%/day"):
        LatePolicy.parse("ten percent")
    with pytest.raises(GradingError, match="same units"):
        LatePolicy.parse("10%/day", cap="3pt")


def test_scan_leaves_every_lesson_alone_and_flags_interference():
    for lesson in sorted((REPO / "lessons").iterdir()):
        if lesson.is_dir() and (lesson / f"{lesson.name}.ipynb").exists():
            nb = json.loads((lesson / f"{lesson.name}.ipynb").read_text())
            locked = {c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"]
                      if c["metadata"].get("nbgrader", {}).get("locked")}
            assert scan_submission(lesson, [f"{lesson.name}.ipynb"], locked) == [], lesson.name
    assert scan_sources([("c", "%timeit x = 1\n%matplotlib inline\nimport numpy as np\nnp.mean([1])")]) == []
    found = scan_sources([("c", "!cat /etc/passwd")])
    assert found == ["c, line 1: runs a shell command (!command)"]
    assert "event callbacks" in " ".join(scan_sources([("c", "get_ipython().events.register('x', print)")]))


def test_codec_keeps_exact_types_and_refuses_impostors():
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"a": [1.5, None], "b": ["x", "y"]}, index=pd.Index(["r", "s"], name="k"))
    back = decode(json.loads(json.dumps(encode(frame))))
    pd.testing.assert_frame_equal(back, frame)
    assert type(decode(encode(np.float64(1.5)))) is np.float64
    assert decode(encode((1, "a", {2: [True, None]}))) == (1, "a", {2: [True, None]})

    class Sneaky(float):
        def __eq__(self, other):
            return True

    impostor = decode(encode(Sneaky(2.0)))
    assert impostor != 2.0 and "subclass of float" in repr(impostor)


def test_sandbox_choice_is_explicit(monkeypatch):
    from course.grading.grade import _sandbox

    monkeypatch.setattr(_sandbox, "_DETECTED", {})
    assert detect("none").kind == "none"
    with pytest.raises(GradingError, match="Valid options"):
        detect("firejail")
    monkeypatch.setattr(_sandbox.shutil, "which", lambda name: None)
    monkeypatch.setattr(_sandbox, "_DETECTED", {})
    fallback = detect("auto")
    assert fallback.kind == "none" and "apt-get install bubblewrap" in fallback.detail
    monkeypatch.setattr(_sandbox, "_DETECTED", {})
    with pytest.raises(GradingError, match="--sandbox auto"):
        detect("bubblewrap")
    monkeypatch.setattr(_sandbox, "_DETECTED", {})
    monkeypatch.setenv("COURSE_GRADING_SANDBOX", "none")
    assert detect().describe().startswith("no sandbox")


def test_no_personal_data_paths_are_committed():
    tracked = os.popen(f"git -C {REPO} ls-files").read().split()
    assert not [p for p in tracked if p.startswith("coursework/") or p.endswith("gradebook.db")]


def test_sandbox_shows_environment_folders_that_live_under_tmp(tmp_path):
    """A checkout (and its .venv) under /tmp stays visible inside the sandbox's private /tmp."""
    import shutil
    import subprocess
    import sys

    from conftest import require

    from course.grading.grade._sandbox import Isolation

    bwrap = shutil.which("bwrap")
    require(bwrap is not None, "bubblewrap (Debian package bubblewrap) is not installed")
    env_dir = tmp_path / "env"
    env_dir.mkdir()
    (env_dir / "marker.txt").write_text("visible")
    assert str(env_dir).startswith("/tmp/")
    box = Isolation("bubblewrap", "", bwrap=bwrap, readonly=[str(env_dir)])
    cmd = box.wrap(["/bin/cat", str(env_dir / "marker.txt")], cwd=tmp_path)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=PATIENCE)
    assert done.returncode == 0 and done.stdout == "visible", (done.stderr, sys.platform)
