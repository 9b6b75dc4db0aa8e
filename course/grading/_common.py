"""Shared pieces of the grading pipeline: lesson discovery, instructor-only files, nbgrader config."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path

from course.errors import CourseError, options_text

# nbgrader's own default ignore list (CourseDirectory.ignore), kept so we extend rather than replace it.
NBGRADER_DEFAULT_IGNORE = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# Files that live with a lesson's source but must never reach a student. Matched against every
# file and folder name (fnmatch, case-insensitive). The repository's nbgrader_config.py mirrors
# this list; tests/test_grading.py checks that the two agree.
INSTRUCTOR_ONLY = [
    "instructor_notes*",
    "instructor-notes*",
    "*.instructor.*",
    "solutions",
    "solution",
    "gradebook.db",
    "*.roster.csv",
]
# Editor and interpreter debris: never copied, but not a leak when a student's folder has it.
DEBRIS = [".ipynb_checkpoints", "__pycache__", "*.pyc", ".DS_Store"]

NBGRADER_IGNORE = list(dict.fromkeys(NBGRADER_DEFAULT_IGNORE + INSTRUCTOR_ONLY + DEBRIS))


class GradingError(CourseError):
    """An instructor asked the grading pipeline for something it cannot do (unknown lesson, bad folder)."""


class ReleaseError(GradingError):
    """A lesson could not be released safely (nbgrader failed, or the leak check found instructor content)."""


def quiet_logger(name: str = "course.grading.nbgrader") -> logging.Logger:
    """A logger for nbgrader's converters that records INFO but prints nothing by itself."""
    log = logging.getLogger(name)
    log.setLevel(logging.INFO)
    log.propagate = False
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    return log


def is_instructor_only(name: str) -> bool:
    """True if a file or folder name matches an instructor-only pattern.

    Examples
    --------
    >>> is_instructor_only("instructor_notes.md"), is_instructor_only("regions.csv")
    (True, False)
    """
    lowered = name.lower()
    return any(fnmatch.fnmatch(lowered, pattern.lower()) for pattern in INSTRUCTOR_ONLY)


def grade_id_of(cell: object) -> str | None:
    """The nbgrader grade id of a cell, or None, whatever shape the cell's metadata has.

    Examples
    --------
    >>> grade_id_of({"metadata": {"nbgrader": {"grade_id": "ex1"}}}), grade_id_of({"metadata": "x"})
    ('ex1', None)
    """
    if not isinstance(cell, dict):
        return None
    meta = cell.get("metadata")
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def _is_debris(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in DEBRIS)


def lesson_ids(lessons_dir: str | os.PathLike) -> list[str]:
    """Every lesson in ``lessons_dir``: each folder whose name does not start with ``.`` or ``_``.

    A folder without its notebook is still listed, so that a half-made lesson fails loudly later
    instead of being skipped silently.
    """
    root = Path(lessons_dir)
    if not root.is_dir():
        raise GradingError(
            f"The lessons folder {str(root)!r} does not exist. "
            "Pass the folder that holds one sub-folder per lesson (for example --lessons lessons)."
        )
    return sorted(
        p.name
        for p in root.iterdir()
        if p.is_dir()
        and not p.name.startswith((".", "_"))
        and not is_instructor_only(p.name)
        and not _is_debris(p.name)
    )


def check_lesson_ids(lessons_dir: str | os.PathLike, wanted: Iterable[str] | None) -> list[str]:
    """Return the lesson ids to work on, raising a friendly error for an unknown id."""
    available = lesson_ids(lessons_dir)
    if wanted is None:
        return available
    chosen = []
    for lesson_id in wanted:
        lesson_id = str(lesson_id).strip().rstrip("/").split("/")[-1]
        if lesson_id not in available:
            if available:
                hint = options_text(lesson_id, available)
            else:
                hint = f"There are no lessons in {str(lessons_dir)!r}."
            raise GradingError(
                f"There is no lesson called {lesson_id!r} in {str(lessons_dir)!r}. {hint} "
                "Use `course lessons` to list them."
            )
        if lesson_id not in chosen:
            chosen.append(lesson_id)
    return chosen


def lesson_notebooks(lesson_dir: Path) -> list[Path]:
    """The notebooks of one lesson (top level of its folder, instructor-only names excluded)."""
    return sorted(
        p for p in lesson_dir.glob("*.ipynb") if p.is_file() and not is_instructor_only(p.name)
    )


def lesson_title(lesson_dir: Path) -> str:
    """The first level-one heading of a lesson's notebook, or its folder name."""
    nb_path = lesson_dir / f"{lesson_dir.name}.ipynb"
    if not nb_path.exists():
        found = lesson_notebooks(lesson_dir)
        if not found:
            return lesson_dir.name
        nb_path = found[0]
    try:
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            if cell.get("cell_type") != "markdown":
                continue
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else source
            for line in text.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    except (OSError, ValueError, AttributeError):
        pass
    return lesson_dir.name


def copy_lesson(src: Path, dest: Path) -> None:
    """Copy a lesson folder without instructor-only files or editor debris."""
    import shutil

    def ignore(_dir: str, names: list[str]) -> list[str]:
        return [n for n in names if is_instructor_only(n) or _is_debris(n)]

    shutil.copytree(src, dest, ignore=ignore)


def sha256_of_tree(folder: Path, *, skip_instructor: bool = True) -> str:
    """A stable hash of every file's relative path and bytes under ``folder``."""
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if skip_instructor and any(is_instructor_only(part) for part in rel.parts):
                continue
            if path.is_symlink():
                digest.update(b"link:" + str(rel).encode() + b"\0")
                continue
            if path.is_file():
                digest.update(str(rel).encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def nbgrader_config(root: Path, *, timeout_per_cell: int | None = None, delimiters=None):
    """A traitlets Config for a private, temporary nbgrader course rooted at ``root``.

    Nothing is read from the instructor's nbgrader_config.py or ~/.jupyter: the API is given this
    Config only. It carries the delimiters and stubs of ``_content`` (nbgrader's defaults unless
    ``delimiters`` is given), so nbgrader and our parser split a lesson the same way.
    """
    from traitlets.config import Config

    from course.grading._content import nbgrader_delimiters

    c = Config()
    (delimiters or nbgrader_delimiters()).apply(c)
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.source_directory = "source"
    c.CourseDirectory.release_directory = "release"
    c.CourseDirectory.submitted_directory = "submitted"
    c.CourseDirectory.autograded_directory = "autograded"
    c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    c.CourseDirectory.ignore = list(NBGRADER_IGNORE)
    if timeout_per_cell is not None:
        c.Execute.timeout = int(timeout_per_cell)
        c.Execute.interrupt_on_timeout = True
    # Unix sockets (absolute paths inside this private course) instead of TCP ports: parallel
    # kernels cannot collide on a port. Socket paths must stay under ~107 characters.
    socket_prefix = root / "sock" / "k"
    if os.name == "posix" and len(str(socket_prefix)) < 80:
        socket_prefix.parent.mkdir(parents=True, exist_ok=True)
        c.KernelManager.transport = "ipc"
        c.KernelManager.ip = str(socket_prefix)
    return c


_ALEMBIC_HEAD: str | None = None
# The nbgrader versions the one patch below was checked against (``nbgrader.api.get_alembic_version``
# is a module-level function there). tests/test_grading_content.py pins it: a new nbgrader fails
# that test until the patch is checked again.
NBGRADER_PATCHED_FOR = "0.9."


def prepare_nbgrader() -> None:
    """Make nbgrader's gradebook creation independent of PATH and cheaper.

    The only change this package makes to nbgrader's internals, and why: nbgrader 0.9 finds the
    gradebook schema version by running the ``alembic`` command, which is missing from PATH when
    the virtualenv's python is run directly, and costs a process start per new gradebook. We read
    the same value (the head revision of nbgrader's own migration scripts) in-process with
    alembic's API; if that fails, nbgrader's original function is kept. The original stays
    reachable as ``nbgrader.api.get_alembic_version.original`` (the test compares the two).
    """
    global _ALEMBIC_HEAD
    import nbgrader
    import nbgrader.api

    if getattr(nbgrader.api.get_alembic_version, "_course_patched", False):
        return
    try:
        from alembic.config import Config as AlembicConfig
        from alembic.script import ScriptDirectory

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(Path(nbgrader.__file__).parent / "alembic"))
        _ALEMBIC_HEAD = ScriptDirectory.from_config(cfg).get_current_head()
    except Exception:  # noqa: BLE001 - keep nbgrader's own behaviour
        bin_dir = str(Path(os.sys.executable).parent)
        if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
        return

    def get_alembic_version() -> str:
        return _ALEMBIC_HEAD

    get_alembic_version._course_patched = True
    get_alembic_version.original = nbgrader.api.get_alembic_version
    nbgrader.api.get_alembic_version = get_alembic_version


def last_error(text: str) -> str:
    """The line of an nbgrader log that says what went wrong (for an error message)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for line in reversed(lines):
        if line.startswith("[ERROR]") and "traceback" not in line.lower() and "see the" not in line:
            return line.removeprefix("[ERROR]").strip()
    for line in reversed(lines):
        if re.match(r"^[A-Za-z_.]*(Error|Exception)\b", line):
            return line
    return lines[-1] if lines else "no details"


def generate_assignment(config, lesson_id: str) -> str | None:
    """Run nbgrader's GenerateAssignment on ``source/<lesson_id>`` of the course ``config`` names
    (making the release and the gradebook entries); None, or what went wrong."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    prepare_nbgrader()
    log = quiet_logger()
    coursedir = CourseDirectory(config=config, log=log)
    coursedir.assignment_id = lesson_id
    app = GenerateAssignment(coursedir=coursedir, config=config, log=log)
    app.force, app.create_assignment = True, True
    result = capture_log(app)
    if result["success"]:
        return None
    return last_error(result.get("log", "") + "\n" + result.get("error", ""))
