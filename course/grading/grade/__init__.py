"""Grading: plan, run, check, record, mark and publish (see ``course.grading``'s docstring for the
modules). Its names load on first use: ``python -m course.grading.grade._worker`` and the
checker, started once per submission, import only what they need.
"""

from __future__ import annotations

from course.grading import lazy_exports

_G = "course.grading.grade."
# Every public name and the module that defines it.
_EXPORTS = {
    "autograde": _G + "_autograde",
    **dict.fromkeys(["CollectError", "collect_exchange", "collect_lms", "parse_time", "read_roster"],
                    _G + "_collect"),
    **dict.fromkeys(["LatePolicy", "decide_review", "export_grades", "pending_reviews",
                     "status_rows"], _G + "_export"),
    "generate_feedback": _G + "_feedback",
    "GradeReport": _G + "_grade",
    "grade_lesson": _G + "_grade",
    "sync_gradebook": _G + "_gradebook",
    "purge": _G + "_purge",
    **dict.fromkeys(["STATUSES", "CellResult", "GradedSubmission", "Late", "ManualMarks", "Mark",
                     "Review", "final_mark", "review_decision"], _G + "_records"),
    "Isolation": _G + "_sandbox",
    "detect_isolation": _G + "_sandbox:detect",
    **dict.fromkeys(["Workspace", "load_records", "load_reviews"], _G + "_workspace"),
    **dict.fromkeys(["export_written", "import_marks"], _G + "_written"),
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
