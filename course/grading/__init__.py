"""The nbgrader pipeline: release, collect, grade, feedback and export, for a whole class.

Everything here wraps nbgrader's Python API. Each lesson is released, and each submission graded,
in its own temporary nbgrader course, so the repository's build state is never touched and no two
submissions share a gradebook. Grading is *extract, then test*: the student's notebook runs with the
visible tests only and records its answers as JSON; the hidden tests run on those answers in a fresh
process (see ``_autograde``). Personal data lives in a private workspace (``Workspace``).

The modules by job (the stages of DESIGN.md's "Grading"):

- release and the student view: ``_content`` (the one parser of instructor content, on nbgrader's
  delimiters), ``_release`` (release, leak checks, student view, lab), ``_common``;
- grading: plan ``_lesson``; run ``_autograde``, ``_worker``, ``_sandbox``, ``_preload``; check
  ``_checker``, ``_runner``; record ``_records``; mark ``_records.final_mark``; publish
  ``_gradebook``, ``_export``, ``_feedback``, ``_written``; the term around them ``_grade``
  (grade_lesson), ``_collect``, ``_purge``, ``_workspace``;
- inside the student's kernel: ``_extract`` and ``_codec`` only (they import nothing else here).

Callers (the ``course`` command included) use the names below, never the private modules.

Public API
----------
release(lessons_dir, dest, lesson_ids=None) -> list[Path]
find_leaks(released_nb_path, source_nb_path=None) -> list[str]
student_view(lessons_dir, dest) -> list[Path]
lab(dest, port=None, open_browser=True) -> int
Workspace(root=None)
collect_lms(lesson_id, source, *, workspace, lessons_dir, roster=None, pattern="moodle", ...)
collect_exchange(lesson_id, exchange, course_id, *, workspace, lessons_dir, roster=None)
autograde(lesson_id, submitted_dir, *, lessons_dir, out_dir, ...) -> pandas.DataFrame
grade_lesson(workspace, lessons_dir, lesson_id, ...) -> GradeReport   (autograde + gradebook, in step)
sync_gradebook(workspace, lessons_dir, lesson_id) -> int
load_records(workspace, lesson_id) -> {student: GradedSubmission}; load_reviews(...) -> {student: Review}
final_mark(result, manual, review, late) -> Mark   (the one rule; see "How a mark is computed")
generate_feedback(workspace, lessons_dir, lesson_id) -> FeedbackReport
export_written(workspace, lessons_dir, lesson_id) / import_marks(workspace, lessons_dir, lesson_id, csv)
decide_review(workspace, lesson_id, student, "accept" | "reject")
export_grades(workspace, lessons_dir, *, policy=LatePolicy.parse("10%/day"), ...)
status_rows(workspace, lessons_dir) -> list[dict]
purge(workspace, before, apply=False) -> PurgeReport
detect_isolation(mode=None) -> Isolation
"""

from __future__ import annotations

from course.grading._autograde import autograde
from course.grading._collect import (
    CollectError,
    collect_exchange,
    collect_lms,
    parse_time,
    read_roster,
)
from course.grading._common import (
    INSTRUCTOR_ONLY,
    NBGRADER_IGNORE,
    GradingError,
    ReleaseError,
    check_lesson_ids,
    lesson_ids,
    lesson_title,
)
from course.grading._export import (
    LatePolicy,
    decide_review,
    export_grades,
    pending_reviews,
    status_rows,
)
from course.grading._feedback import generate_feedback
from course.grading._grade import GradeReport, grade_lesson
from course.grading._gradebook import sync_gradebook
from course.grading._purge import purge
from course.grading._records import (
    STATUSES,
    CellResult,
    GradedSubmission,
    Late,
    ManualMarks,
    Mark,
    Review,
    final_mark,
    review_decision,
)
from course.grading._release import (
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
from course.grading._sandbox import Isolation
from course.grading._sandbox import detect as detect_isolation
from course.grading._workspace import Workspace, load_records, load_reviews
from course.grading._written import export_written, import_marks

__all__ = [
    "DISABLED_LAB_EXTENSIONS",
    "DISABLED_SERVER_EXTENSIONS",
    "INSTRUCTOR_ONLY",
    "NBGRADER_IGNORE",
    "NBGRADER_LAB_EXTENSIONS",
    "OFFLINE_LAB_EXTENSIONS",
    "STATUSES",
    "STUDENT_CONFIG_DIR",
    "STUDENT_LAB_SETTINGS",
    "CellResult",
    "CollectError",
    "GradeReport",
    "GradedSubmission",
    "GradingError",
    "Isolation",
    "Late",
    "LatePolicy",
    "ManualMarks",
    "Mark",
    "ReleaseError",
    "Review",
    "Workspace",
    "autograde",
    "check_lesson_ids",
    "collect_exchange",
    "collect_lms",
    "decide_review",
    "detect_isolation",
    "export_grades",
    "export_written",
    "final_mark",
    "find_folder_leaks",
    "find_leaks",
    "generate_feedback",
    "grade_lesson",
    "import_marks",
    "lab",
    "lab_command",
    "lesson_ids",
    "lesson_title",
    "load_records",
    "load_reviews",
    "parse_time",
    "pending_reviews",
    "purge",
    "read_roster",
    "release",
    "review_decision",
    "status_rows",
    "student_view",
    "sync_gradebook",
]
