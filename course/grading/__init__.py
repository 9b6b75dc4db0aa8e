"""The nbgrader pipeline: release lessons, prove the release leaks nothing, autograde a class.

Everything here wraps nbgrader's Python API. Each lesson is released, and each submission graded,
in its own temporary nbgrader course, so the repository's build state and gradebook are never
touched and no two submissions share a gradebook.

Public API
----------
release(lessons_dir, dest, lesson_ids=None) -> list[Path]
find_leaks(released_nb_path, source_nb_path=None) -> list[str]
student_view(lessons_dir, dest) -> list[Path]
lab(dest, port=None, open_browser=True) -> int
autograde(lesson_id, submitted_dir, *, lessons_dir, out_dir, ...) -> pandas.DataFrame
"""

from __future__ import annotations

from course.grading._autograde import STATUSES, autograde
from course.grading._common import (
    INSTRUCTOR_ONLY,
    NBGRADER_IGNORE,
    GradingError,
    ReleaseError,
    lesson_ids,
    lesson_title,
)
from course.grading._release import (
    DISABLED_LAB_EXTENSIONS,
    DISABLED_SERVER_EXTENSIONS,
    STUDENT_CONFIG_DIR,
    find_folder_leaks,
    find_leaks,
    lab,
    lab_command,
    release,
    student_view,
)

__all__ = [
    "DISABLED_LAB_EXTENSIONS",
    "DISABLED_SERVER_EXTENSIONS",
    "INSTRUCTOR_ONLY",
    "NBGRADER_IGNORE",
    "STATUSES",
    "STUDENT_CONFIG_DIR",
    "GradingError",
    "ReleaseError",
    "autograde",
    "find_folder_leaks",
    "find_leaks",
    "lab",
    "lab_command",
    "lesson_ids",
    "lesson_title",
    "release",
    "student_view",
]
