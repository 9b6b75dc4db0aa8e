"""The nbgrader pipeline: release, collect, grade, feedback and export, for a whole class.

Everything here wraps nbgrader's Python API. Each lesson is released, and each submission graded,
in its own temporary nbgrader course, so the repository's build state is never touched and no two
submissions share a gradebook. Grading is *extract, then test*: the student's notebook runs with the
visible tests only and records its answers as JSON; the hidden tests run on those answers in a fresh
process (see ``_autograde``). Personal data lives in a private workspace (``Workspace``).

The subpackages, by job (the stages of DESIGN.md's "Grading"):

- ``releasing``: release and the student view. ``_lessons`` (lesson discovery, instructor-only
  files, the errors), ``_content`` (the one parser of instructor content, on nbgrader's
  delimiters), ``_nbgrader`` (the private nbgrader course's config, and the one patch to
  nbgrader), ``_release`` (release, leak checks, student view, lab);
- ``grade``: grading. Plan ``_lesson``; run ``_autograde``, ``_worker``, ``_sandbox``,
  ``_preload``; check ``_checker``, ``_runner``; record ``_records``; mark
  ``_records.final_mark``; publish ``_gradebook``, ``_export``, ``_feedback``, ``_written``; the
  term around them ``_grade`` (grade_lesson), ``_collect``, ``_purge``, ``_workspace``;
- ``kernel``: the part that runs inside the student's kernel, ``_extract`` and ``_codec``.

Imports go one way: ``kernel`` imports nothing else from ``course.grading``; ``releasing``
imports nothing from ``grade`` or ``kernel``; ``grade`` uses both (tests/test_grading_layout.py checks
this). The names below load on first use, so the student's kernel, which imports
``course.grading.kernel``, never loads the grader. (``releasing``, not ``release``: the
subpackage would shadow the ``release`` function.) Callers (the ``course`` command included) use
these names, or a subpackage's ``__all__``, never a private module.

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

import importlib
import sys

_RELEASE = "course.grading.releasing"
_GRADE = "course.grading.grade"
# Every public name, and the subpackage that holds it (each subpackage's __all__ lists its own).
_EXPORTS = dict.fromkeys(
    ["DISABLED_LAB_EXTENSIONS", "DISABLED_SERVER_EXTENSIONS", "INSTRUCTOR_ONLY", "NBGRADER_IGNORE",
     "NBGRADER_LAB_EXTENSIONS", "OFFLINE_LAB_EXTENSIONS", "STUDENT_CONFIG_DIR",
     "STUDENT_LAB_SETTINGS", "GradingError", "ReleaseError", "check_lesson_ids",
     "find_folder_leaks", "find_leaks", "lab", "lab_command", "lesson_ids", "lesson_title",
     "release", "student_view"],
    _RELEASE,
) | dict.fromkeys(
    ["STATUSES", "CellResult", "CollectError", "GradeReport", "GradedSubmission", "Isolation",
     "Late", "LatePolicy", "ManualMarks", "Mark", "Review", "Workspace", "autograde",
     "collect_exchange", "collect_lms", "decide_review", "detect_isolation", "export_grades",
     "export_written", "final_mark", "generate_feedback", "grade_lesson", "import_marks",
     "load_records", "load_reviews", "parse_time", "pending_reviews", "purge", "read_roster",
     "review_decision", "status_rows", "sync_gradebook"],
    _GRADE,
)

__all__ = sorted(_EXPORTS)


def lazy_exports(package: str, exports: dict[str, str]):
    """A module ``__getattr__`` and ``__dir__`` for ``package``, whose public names (``exports``:
    name -> module, or ``module:attribute`` for a name that differs there) load on first use.

    Examples
    --------
    >>> import course.grading
    >>> course.grading.final_mark.__module__
    'course.grading.grade._records'
    """

    def __getattr__(name: str):
        where = exports.get(name)
        if where is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, attr = where.partition(":")
        value = getattr(importlib.import_module(module), attr or name)
        setattr(sys.modules[package], name, value)  # the next use is an ordinary attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(exports) | set(vars(sys.modules[package])))

    return __getattr__, __dir__


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
