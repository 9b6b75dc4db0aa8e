"""The instructor's workspace: every file of a term that holds personal data, in one private folder.

Layout (nbgrader's own names, so that nbgrader's formgrader works on the same files; the
repository's ``nbgrader_config.py`` points nbgrader here)::

    coursework/                 0700; never committed (it carries its own .gitignore)
      roster.csv                students: student_id, name, email, lms_id (you provide it)
      due.csv                   due dates: lesson, due[, student] (optional, for late penalties)
      gradebook.db              nbgrader's gradebook (autograde scores, manual marks, comments)
      submitted/<student>/<lesson>/<notebook>.ipynb + timestamp.txt    (course collect)
      unmatched/<lesson>/...    files collect could not match to the roster (never dropped)
      grades/<lesson>/<student>.json, scores.csv, notebooks/, reviews.json   (course grade)
      autograded/<student>/<lesson>/<notebook>.ipynb   (for formgrader; course grade)
      feedback/<student>/<lesson>/<notebook>.html      (course feedback)
      written/<lesson>/<question>.csv|.html            (course written)
      exports/grades.csv, grades-long.csv              (course export)

The folder is ``./coursework`` by default, or ``$COURSE_WORKSPACE``, or ``--workspace DIR``. Put it on
an encrypted disk if you can; ``course purge`` deletes a term's data when it is no longer needed.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "COURSE_WORKSPACE"
DEFAULT = "coursework"
GITIGNORE = "# Personal data (UK GDPR): never commit anything in this folder.\n*\n"


def private_dir(path: Path) -> Path:
    """Create ``path`` readable by its owner only (and any missing parents likewise)."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        try:
            os.chmod(folder, 0o700)
        except PermissionError:
            pass
    try:
        os.chmod(path, 0o700)
    except PermissionError:
        pass
    return path


def write_private(path: Path, data: str | bytes) -> None:
    """Write a file atomically with mode 0600."""
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(tmp, path)


class Workspace:
    """Paths of one term's workspace (see the module docstring)."""

    def __init__(self, root: str | os.PathLike | None = None) -> None:
        chosen = root or os.environ.get(ENV) or DEFAULT
        self.root = Path(chosen).expanduser().resolve()

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    @property
    def unmatched(self) -> Path:
        return self.root / "unmatched"

    @property
    def grades(self) -> Path:
        return self.root / "grades"

    @property
    def autograded(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    @property
    def written(self) -> Path:
        return self.root / "written"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def gradebook(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook}"

    @property
    def roster(self) -> Path:
        return self.root / "roster.csv"

    @property
    def due(self) -> Path:
        return self.root / "due.csv"

    def ensure(self) -> Workspace:
        """Create the workspace with private permissions and a .gitignore that ignores everything."""
        private_dir(self.root)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text(GITIGNORE, encoding="utf-8")
        return self

    def exists(self) -> bool:
        return self.root.is_dir()


def load_records(workspace: Workspace, lesson_id: str):
    """``course grade``'s records for a lesson, by student (:class:`GradedSubmission`; unreadable
    files skipped)."""
    from course.grading.grade._records import load_submissions

    return load_submissions(workspace.grades / lesson_id)


def load_reviews(workspace: Workspace, lesson_id: str):
    """The review decisions for a lesson, by student (:class:`Review`)."""
    from course.grading.grade._records import load_review_file

    return load_review_file(workspace.grades / lesson_id)
