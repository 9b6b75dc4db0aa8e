"""Lessons and what never reaches a student: lesson discovery, instructor-only files, the errors.

Release uses these, and so does grading (which reads the same lessons).
"""

from __future__ import annotations

import fnmatch
import json
import os
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


def is_instructor_only(name: str) -> bool:
    """True if a file or folder name matches an instructor-only pattern.

    Examples
    --------
    >>> is_instructor_only("instructor_notes.md"), is_instructor_only("regions.csv")
    (True, False)
    """
    lowered = name.lower()
    return any(fnmatch.fnmatch(lowered, pattern.lower()) for pattern in INSTRUCTOR_ONLY)


def is_debris(name: str) -> bool:
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
        and not is_debris(p.name)
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
        return [n for n in names if is_instructor_only(n) or is_debris(n)]

    shutil.copytree(src, dest, ignore=ignore)


