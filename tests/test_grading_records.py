"""The grading model on its own: typed records, the review decision and final_mark(), with no grading run."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from course.grading import (
    CellResult,
    GradedSubmission,
    LatePolicy,
    ManualMarks,
    Review,
    final_mark,
    review_decision,
)
from course.grading.grade._autograde import transient_error, with_one_retry
from course.grading.grade._records import (
    Attempt,
    RecordError,
    load_review_file,
    load_submission,
    load_submissions,
)

# A record as `course grade` wrote it before the typed model existed (keys and all).
STORED = {
    "status": "ok", "run_status": "ok", "limits": {"memory": "2048 MB"}, "review": [],
    "cells_seconds": 1.2, "cells": [
        {"notebook": "nb", "cell": "ex1", "score": 2.0, "max_score": 2.0, "autograded": True,
         "needs_manual_grade": False, "message": "", "detail": ""},
        {"notebook": "nb", "cell": "ex2", "score": 0.0, "max_score": 1.0, "autograded": True,
         "needs_manual_grade": False, "message": "AssertionError: not a float", "detail": "x"},
        {"notebook": "nb", "cell": "ex3", "score": 0.0, "max_score": 2.0, "autograded": False,
         "needs_manual_grade": True, "message": ""},
    ],
    "score": 2.0, "max_score": 5.0, "message": "2 point(s) await manual grading",
    "student": "ab1", "lesson": "01", "submission_sha256": "s1", "source_sha256": "src",
    "grader": "2", "seconds": 3.5, "graded_at": "2026-01-01T10:00:00+00:00", "isolation": "none",
}


def _record(status: str = "ok", sha: str = "s1") -> GradedSubmission:
    return GradedSubmission.from_dict(dict(STORED, status=status, submission_sha256=sha))


def test_stored_records_load_typed_and_round_trip(tmp_path):
    path = tmp_path / "ab1.json"
    path.write_text(json.dumps(STORED))
    record = load_submission(path)
    assert record.cells[2] == CellResult("nb", "ex3", 0.0, 2.0, False, True)
    assert record.auto_scores == {"nb/ex1": 2.0, "nb/ex2": 0.0}
    assert [c.cell for c in record.needs_manual] == ["ex3"]
    assert record.extra["limits"] == {"memory": "2048 MB"}
    assert record.to_dict() == STORED  # nothing lost, nothing added
    # The old note about manual grading is the gradebook's to say, not the record's.
    assert record.shown_message() == ""


@pytest.mark.parametrize(("change", "words"), [
    ({"status": "done"}, "unknown status"),
    ({"score": "3"}, "score should be a number"),
    ({"cells": [{"cell": "ex1"}]}, "no 'notebook'"),
    ({"cells": "ex1"}, "cells should be a list"),
])
def test_damaged_records_are_refused_by_name(change, words):
    with pytest.raises(RecordError, match=words):
        GradedSubmission.from_dict(dict(STORED, **change))


def test_a_damaged_file_is_skipped_not_fatal(tmp_path):
    (tmp_path / "ab1.json").write_text(json.dumps(STORED))
    (tmp_path / "at2.json").write_text("{not json")
    (tmp_path / "reviews.json").write_text(json.dumps({"ab1": {"decision": "maybe"}}))
    assert list(load_submissions(tmp_path)) == ["ab1"]
    assert load_review_file(tmp_path) == {}  # an unknown decision is no decision


def test_a_review_is_decided_only_for_the_submission_it_was_made_on():
    held = _record("review", sha="s2")
    assert review_decision(held, None) is None
    assert review_decision(held, Review("reject", "s1")) is None  # made on an earlier submission
    assert review_decision(held, Review("reject", "s2")) == "reject"
    assert review_decision(_record("ok", sha="s2"), Review("accept", "s2")) is None  # not in review


def test_final_mark_sums_auto_and_manual_and_counts_unmarked_answers():
    record = _record()
    mark = final_mark(record)
    assert (mark.auto_score, mark.manual_score, mark.ungraded_points, mark.final_score) == (2.0, 0.0, 2.0, 2.0)
    assert mark.notes == ("2 point(s) not marked yet",)
    marked = final_mark(record, ManualMarks({"nb/ex3": 1.5}))
    assert (marked.raw_score, marked.ungraded_points, marked.notes) == (3.5, 0.0, ())
    # A person's mark overrides an autograded cell too (formgrader allows it).
    assert final_mark(record, ManualMarks({"nb/ex2": 1.0, "nb/ex3": 2.0})).final_score == 5.0


def test_final_mark_review_invalid_and_missing():
    held = _record("review")
    assert final_mark(held).held and final_mark(held).status == "review"
    assert final_mark(held, include_review=True).final_score == 2.0
    assert final_mark(held, review=Review("accept", "s1")).status == "ok (review accepted)"
    rejected = final_mark(held, ManualMarks({"nb/ex3": 2.0}), Review("reject", "s1"))
    assert (rejected.status, rejected.final_score) == ("rejected after review", 0.0)
    assert final_mark(_record("invalid"), ManualMarks({"nb/ex3": 2.0})).final_score == 0.0
    assert final_mark(None).status == "missing" and final_mark(None).final_score == 0.0


def test_final_mark_takes_the_late_penalty_and_never_goes_below_zero():
    record = _record()
    policy = LatePolicy.parse("10%/day")
    late = policy.late(None, None, 5.0)
    assert final_mark(record, late=late).late_penalty == 0.0
    from datetime import UTC, datetime

    due = datetime(2026, 1, 1, 17, tzinfo=UTC)
    late = policy.late(due + timedelta(days=1, minutes=1), due, 5.0)  # two started days: 20% of 5
    mark = final_mark(record, late=late)
    assert (mark.late_penalty, mark.final_score) == (1.0, 1.0)
    assert "late by 1 d 1 min: -1" in mark.notes
    heavy = LatePolicy.parse("3pt/day").late(due + timedelta(days=2), due, 5.0)
    assert final_mark(record, late=heavy).final_score == 0.0


def test_a_transient_interpreter_error_gets_one_retry_then_is_reported():
    transient = Attempt("error", [], "the notebook stopped: SystemError: AST constructor recursion depth mismatch")
    honest = Attempt("ok", [], "", score=3.0)
    runs = iter([replace(transient), replace(honest)])
    record = with_one_retry(lambda: next(runs))
    assert record.status == "ok" and record.score == 3.0
    assert "graded again after a transient interpreter error (SystemError)" in record.message

    calls = []
    record = with_one_retry(lambda: calls.append(1) or replace(transient))
    assert len(calls) == 2 and record.status == "error"
    assert "happened in two runs" in record.message and "--force" in record.message

    calls.clear()
    broken = Attempt("error", [], "NameError: name 'x' is not defined")
    assert with_one_retry(lambda: calls.append(1) or replace(broken)) == broken and len(calls) == 1
    in_a_cell = CellResult("n", "ex1", 0.0, 1.0, autograded=True, detail="SystemError: x")
    assert transient_error(Attempt("ok", [in_a_cell])) == "SystemError"
    assert transient_error(Attempt("error", [], nbgrader_log="SystemError: y")) == "SystemError"
    assert transient_error(Attempt("error", [CellResult("n", "ex1", 0.0, 1.0, True)], "NameError")) is None


def test_an_attempt_becomes_the_record_it_always_was():
    """The stored JSON keeps its shape: run details only when set, after the grading fields, then
    who and when (in that order, as autograde() wrote them as a dict)."""
    cell = CellResult("n", "ex1", 1.0, 1.0, autograded=True)
    bare = Attempt("invalid", [cell], "not a notebook").to_record(student="ab1", seconds=0.0)
    assert list(bare) == ["status", "score", "message", "cells", "review", "student", "seconds"]
    ran = Attempt("ok", [cell], score=1.0, max_score=1.0, run_status="ok", limits={},
                  cells_seconds=0.5).to_record(student="ab1", lesson="01", seconds=2.0)
    stored = GradedSubmission.from_dict(ran)
    assert list(stored.extra) == ["run_status", "limits", "cells_seconds", "seconds"]
    assert stored.to_dict()["cells"] == [cell.to_dict()] and stored.score == 1.0
    assert "nbgrader_log" not in ran and ran["limits"] == {}


@pytest.mark.slow
def test_autograde_retries_once_and_survives_a_malformed_result(tmp_path, monkeypatch):
    """Wiring: autograde() keeps one student's odd result to that student (no kernels are run)."""
    import shutil
    from pathlib import Path

    import course.grading.grade._autograde as ag
    from course.grading import autograde, release

    lessons = Path(__file__).resolve().parent / "fixtures" / "lessons"
    release(lessons, tmp_path / "release")
    for student in ("flaky", "odd", "fine"):
        shutil.copytree(tmp_path / "release" / "zz-fixture", tmp_path / "sub" / student / "zz-fixture")
    calls: dict[str, int] = {}

    def fake_grade(plan, student, *args, **kwargs):
        calls[student] = calls.get(student, 0) + 1
        cells = ag._zero_cells(plan, "not run")
        if student == "flaky" and calls[student] == 1:
            return Attempt("error", cells, "SystemError: AST constructor recursion depth mismatch")
        if student == "odd":
            return Attempt("finished", cells)
        return Attempt("ok", cells)

    monkeypatch.setattr(ag, "grade_submission", fake_grade)
    frame = autograde("zz-fixture", tmp_path / "sub", lessons_dir=lessons, out_dir=tmp_path / "out",
                      workers=1, quiet=True).set_index("student")
    assert calls == {"flaky": 2, "odd": 1, "fine": 1}
    assert frame.loc["flaky", "status"] == "ok" and "graded again" in frame.loc["flaky", "message"]
    assert frame.loc["odd", "status"] == "error" and "malformed result" in frame.loc["odd", "message"]
    assert frame.loc["fine", "status"] == "ok"
    stored = load_submission(tmp_path / "out" / "zz-fixture" / "odd.json")
    assert stored.status == "error" and stored.student == "odd"
