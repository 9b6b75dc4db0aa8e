"""The private nbgrader course that release and grading each build: its config, nbgrader's logs, and
the one patch this package makes to nbgrader (the other reliance on nbgrader's internals is
grade/_worker.py's Execute subclass; NBGRADER_PATCHED_FOR pins the version both were checked on).

Nothing is read from the instructor's nbgrader_config.py or ~/.jupyter: every nbgrader call gets
the Config :func:`nbgrader_config` builds.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from course.grading.releasing._lessons import NBGRADER_IGNORE

# nbclient's default wait for a kernel to start, in seconds (the least :func:`nbgrader_config` allows).
STARTUP_TIMEOUT = 60


def quiet_logger(name: str = "course.grading.nbgrader") -> logging.Logger:
    """A logger for nbgrader's converters that records INFO but prints nothing by itself."""
    log = logging.getLogger(name)
    log.setLevel(logging.INFO)
    log.propagate = False
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    return log


def nbgrader_config(root: Path, *, timeout_per_cell: int | None = None, delimiters=None):
    """A traitlets Config for a private, temporary nbgrader course rooted at ``root``.

    Nothing is read from the instructor's nbgrader_config.py or ~/.jupyter: the API is given this
    Config only. It carries the delimiters and stubs of ``_content`` (nbgrader's defaults unless
    ``delimiters`` is given), so nbgrader and our parser split a lesson the same way.
    """
    from traitlets.config import Config

    from course.grading.releasing._content import nbgrader_delimiters

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
        # How long the kernel may take to start (nbclient's NotebookClient.startup_timeout, which
        # nbgrader's Execute inherits; 60 s by default). On a loaded machine a kernel can take
        # longer than that, and a kernel that never started is not the student's fault: allow it
        # at least as long as one cell (the whole submission's wall-clock limit still bounds it).
        c.Execute.startup_timeout = max(STARTUP_TIMEOUT, int(timeout_per_cell))
    # Unix sockets (absolute paths inside this private course) instead of TCP ports: parallel
    # kernels cannot collide on a port. Socket paths must stay under ~107 characters.
    socket_prefix = root / "sock" / "k"
    if os.name == "posix" and len(str(socket_prefix)) < 80:
        socket_prefix.parent.mkdir(parents=True, exist_ok=True)
        c.KernelManager.transport = "ipc"
        c.KernelManager.ip = str(socket_prefix)
    return c


_ALEMBIC_HEAD: str | None = None
# The nbgrader versions this package's reliance on nbgrader's internals was checked against: the
# one patch below (``nbgrader.api.get_alembic_version`` is a module-level function there), and
# grade/_worker.py's LimitedExecute (a subclass of nbgrader's Execute, put in nbgrader's own list of
# autograde preprocessors). tests/test_grading_content.py pins it: a new nbgrader fails that test
# until both are checked again.
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
