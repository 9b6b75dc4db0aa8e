"""Release and the student view: what leaves the instructor's lessons, and the checks that nothing
instructor-only leaves with it.

- ``_lessons``: lesson discovery, instructor-only files, the errors;
- ``_content``: the one parser of instructor content (solutions, hidden tests, rubrics), on
  nbgrader's configurable delimiters; grading and feedback use it too;
- ``_nbgrader``: the Config of the private nbgrader course that release and grading each build,
  and the one patch this package makes to nbgrader;
- ``_release``: release, the leak checks, the student view and ``course lab``.

Nothing here imports from ``course.grading.grade`` or ``course.grading.kernel``.
"""

from __future__ import annotations

from course.grading.releasing._lessons import (
    INSTRUCTOR_ONLY,
    NBGRADER_IGNORE,
    GradingError,
    ReleaseError,
    check_lesson_ids,
    lesson_ids,
    lesson_title,
)
from course.grading.releasing._release import (
    DISABLED_LAB_EXTENSIONS,
    DISABLED_SERVER_EXTENSIONS,
    NBGRADER_LAB_EXTENSIONS,
    OFFLINE_LAB_EXTENSIONS,
    STUDENT_CONFIG_DIR,
    STUDENT_LAB_SETTINGS,
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
    "NBGRADER_LAB_EXTENSIONS",
    "OFFLINE_LAB_EXTENSIONS",
    "STUDENT_CONFIG_DIR",
    "STUDENT_LAB_SETTINGS",
    "GradingError",
    "ReleaseError",
    "check_lesson_ids",
    "find_folder_leaks",
    "find_leaks",
    "lab",
    "lab_command",
    "lesson_ids",
    "lesson_title",
    "release",
    "student_view",
]
