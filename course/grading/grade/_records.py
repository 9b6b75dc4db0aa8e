"""The grading model: typed records for what grading found, and the one rule that turns them into a mark.

Stages (see docs/INSTRUCTOR_GUIDE.md, "How a mark is computed"):

- ``course grade`` writes one :class:`GradedSubmission` per student and lesson
  (``grades/<lesson>/<student>.json``), with a :class:`CellResult` for every graded cell;
- an instructor's marks for written answers (formgrader or ``course written --import``) are read
  from nbgrader's gradebook as :class:`ManualMarks`;
- ``course review`` writes a :class:`Review` for a submission held back for review
  (``grades/<lesson>/reviews.json``);
- :func:`final_mark` combines them with the lateness (:class:`Late`) into a :class:`Mark`. It is
  pure: no files, no clock, no gradebook. The export, ``course status``, the gradebook and the
  feedback all take their numbers from it or from the records, never from each other.

The JSON files written before these classes existed load unchanged: :meth:`GradedSubmission.from_dict`
reads every key they have, keeps unknown keys in ``extra`` and writes them back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Any

STATUSES = ("ok", "timeout", "error", "invalid", "review")
DECISIONS = ("accept", "reject")
REVIEWS_FILE = "reviews.json"
# What the grader wrote into a record's message before manual marks were read from the gradebook
# (records from older versions still carry it; it is dropped wherever a message is shown).
MANUAL_NOTE = "await manual grading"


class RecordError(ValueError):
    """A grade record on disk is not one ``course grade`` wrote (damaged or hand-edited)."""


def _float(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecordError(f"{what} should be a number, not {value!r}")
    return float(value)


@dataclass(frozen=True)
class CellResult:
    """The result of one graded cell: an autograded test or a written (manually graded) answer."""

    notebook: str
    cell: str
    score: float
    max_score: float
    autograded: bool
    needs_manual_grade: bool = False
    message: str = ""  # what the student may read about a failure
    detail: str = ""  # what the instructor reads (where the test failed)

    @property
    def key(self) -> str:
        """``notebook/cell``: how the gradebook and the export name a cell."""
        return f"{self.notebook}/{self.cell}"

    @classmethod
    def from_dict(cls, data: dict) -> CellResult:
        if not isinstance(data, dict):
            raise RecordError(f"a cell result should be an object, not {data!r}")
        try:
            return cls(notebook=str(data["notebook"]), cell=str(data["cell"]),
                       score=_float(data.get("score", 0.0), "score"),
                       max_score=_float(data.get("max_score", 0.0), "max_score"),
                       autograded=bool(data.get("autograded", False)),
                       needs_manual_grade=bool(data.get("needs_manual_grade", False)),
                       message=str(data.get("message") or ""), detail=str(data.get("detail") or ""))
        except KeyError as exc:
            raise RecordError(f"a cell result has no {exc.args[0]!r}") from None

    def to_dict(self) -> dict:
        out = {"notebook": self.notebook, "cell": self.cell, "score": self.score,
               "max_score": self.max_score, "autograded": self.autograded,
               "needs_manual_grade": self.needs_manual_grade, "message": self.message}
        if self.autograded:
            out["detail"] = self.detail
        return out


@dataclass
class GradedSubmission:
    """What ``course grade`` found in one student's submission of one lesson."""

    student: str
    lesson: str
    status: str
    score: float  # sum of the cells' scores (autograded; written answers score 0 until marked)
    max_score: float
    message: str = ""
    cells: list[CellResult] = field(default_factory=list)
    review: list[str] = field(default_factory=list)  # why the scan held it for review
    submission_sha256: str = ""
    source_sha256: str = ""
    grader: str = ""
    extra: dict = field(default_factory=dict)  # run details: limits, seconds, graded_at, ...

    @classmethod
    def from_dict(cls, data: dict, student: str | None = None) -> GradedSubmission:
        """Read a record as stored in ``<student>.json`` (``student``: the default id)."""
        if not isinstance(data, dict):
            raise RecordError("a grade record should be a JSON object")
        known = {f.name for f in fields(cls)} - {"extra"}
        status = data.get("status")
        if status not in STATUSES:
            raise RecordError(f"unknown status {status!r} (expected one of {', '.join(STATUSES)})")
        cells = data.get("cells") or []
        if not isinstance(cells, list):
            raise RecordError("cells should be a list")
        reasons = data.get("review") or []
        student_id = data.get("student", student)
        if not student_id:
            raise RecordError("a grade record names no student")
        return cls(
            student=str(student_id), lesson=str(data.get("lesson") or ""), status=status,
            score=_float(data.get("score", 0.0), "score"),
            max_score=_float(data.get("max_score", 0.0), "max_score"),
            message=str(data.get("message") or ""),
            cells=[CellResult.from_dict(c) for c in cells],
            review=[str(r) for r in reasons] if isinstance(reasons, list) else [str(reasons)],
            submission_sha256=str(data.get("submission_sha256") or ""),
            source_sha256=str(data.get("source_sha256") or ""),
            grader=str(data.get("grader") or ""),
            extra={k: v for k, v in data.items() if k not in known},
        )

    def to_dict(self) -> dict:
        out = dict(self.extra)
        out.update(student=self.student, lesson=self.lesson, status=self.status, score=self.score,
                   max_score=self.max_score, message=self.message,
                   cells=[c.to_dict() for c in self.cells], review=list(self.review),
                   submission_sha256=self.submission_sha256, source_sha256=self.source_sha256,
                   grader=self.grader)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1) + "\n"

    @property
    def auto_scores(self) -> dict[str, float]:
        """``{notebook/cell: score}`` of the autograded cells."""
        return {c.key: c.score for c in self.cells if c.autograded}

    @property
    def needs_manual(self) -> list[CellResult]:
        """Written answers that were answered and so wait for a person's mark."""
        return [c for c in self.cells if not c.autograded and c.needs_manual_grade]

    def shown_message(self) -> str:
        """The message without notes that the gradebook, not the record, knows the truth of."""
        return "; ".join(n for n in self.message.split("; ") if n and MANUAL_NOTE not in n)


@dataclass
class Attempt:
    """One grading of one submission, before ``autograde`` names it (student, hashes, times) and
    stores it as a :class:`GradedSubmission`.

    The run details (``run_status`` to ``nbgrader_log``) go into the stored record's ``extra``, in
    this order and only when set, so the JSON on disk has the shape it always had.
    """

    status: str
    cells: list[CellResult]
    message: str = ""
    score: float = 0.0
    max_score: float | None = None  # the lesson's, unless given
    review: list[str] = field(default_factory=list)  # why the scan held it for review
    run_status: str | None = None  # what the worker reported, before the checker and the scan
    limits: dict[str, str] | None = None  # each limit: applied, or why not
    cells_seconds: float | None = None  # the notebook's own cells, in the kernel
    nbgrader_log: str | None = None  # the end of nbgrader's log, when nbgrader failed

    def add_note(self, note: str) -> None:
        """Append ``note`` to the message ("; " between notes)."""
        self.message = "; ".join(x for x in (self.message, note) if x)

    def texts(self) -> list[str]:
        """Everything here that could quote an error: the message, nbgrader's log, cell details."""
        return [self.message, self.nbgrader_log or "", *(c.detail for c in self.cells)]

    def to_record(self, **identity: Any) -> dict:
        """The stored record's fields: these, then ``identity`` (student, lesson, hashes, times)."""
        out: dict[str, Any] = {"status": self.status, "score": self.score, "message": self.message,
                               "cells": [c.to_dict() for c in self.cells], "review": list(self.review)}
        if self.max_score is not None:
            out["max_score"] = self.max_score
        for name in ("run_status", "limits", "cells_seconds", "nbgrader_log"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        out.update(identity)
        return out


@dataclass(frozen=True)
class Review:
    """An instructor's decision on a submission held for review; it holds for that exact submission."""

    decision: str  # "accept" (the computed mark counts) or "reject" (the lesson scores 0)
    submission_sha256: str
    note: str = ""
    decided_at: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> Review | None:
        if not isinstance(data, dict) or data.get("decision") not in DECISIONS:
            return None
        return cls(decision=data["decision"], submission_sha256=str(data.get("submission_sha256") or ""),
                   note=str(data.get("note") or ""), decided_at=str(data.get("decided_at") or ""))

    def to_dict(self) -> dict:
        return {"decision": self.decision, "note": self.note,
                "submission_sha256": self.submission_sha256, "decided_at": self.decided_at}


def review_decision(result: GradedSubmission | None, review: Review | None) -> str | None:
    """Whether a review is decided: "accept", "reject", or None (undecided, or not in review).

    The one place that answers "is this review decided?": a decision counts only for the
    submission it was made on (a resubmission is held again) and only for a record in review.

    Examples
    --------
    >>> rec = GradedSubmission("ab1", "01", "review", 3.0, 3.0, submission_sha256="s1")
    >>> review_decision(rec, Review("accept", "s1")), review_decision(rec, Review("accept", "s0"))
    ('accept', None)
    """
    if result is None or review is None or result.status != "review":
        return None
    if review.decision not in DECISIONS or review.submission_sha256 != result.submission_sha256:
        return None
    return review.decision


@dataclass(frozen=True)
class ManualMarks:
    """A person's marks for one submission, from the gradebook: ``{notebook/cell: points}``."""

    scores: dict[str, float] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Late:
    """How late a submission was (after any grace period) and the points that costs."""

    by: timedelta = timedelta(0)
    penalty: float = 0.0

    @property
    def minutes(self) -> int:
        return int(self.by.total_seconds() // 60)


ON_TIME = Late()


@dataclass(frozen=True)
class Mark:
    """A lesson's mark for one student, and how it was reached."""

    status: str
    max_score: float
    auto_score: float = 0.0  # autograded cells a person has not overridden
    manual_score: float = 0.0  # cells a person marked
    raw_score: float = 0.0  # before the late penalty (0 when invalid or rejected)
    ungraded_points: float = 0.0  # answered written questions nobody has marked yet
    late_penalty: float = 0.0
    final_score: float | None = 0.0  # None: held back until a review decides
    notes: tuple[str, ...] = ()

    @property
    def held(self) -> bool:
        return self.final_score is None


def final_mark(result: GradedSubmission | None, manual: ManualMarks | None = None,
               review: Review | None = None, late: Late = ON_TIME, *,
               include_review: bool = False) -> Mark:
    """The mark a student gets for one lesson. Pure: it reads nothing but its arguments.

    1. No record: 0 (status ``missing``).
    2. Each graded cell scores its person's mark when there is one (``manual``), else its
       autograded score; written answers nobody has marked yet score 0 and are counted in
       ``ungraded_points``. ``raw_score`` is the sum.
    3. ``invalid`` (no gradable notebook): 0, whatever marks exist.
    4. ``review``: held back (``final_score`` None) until ``review`` decides for this exact
       submission: ``accept`` keeps the mark, ``reject`` makes it 0. With ``include_review`` an
       undecided mark counts, with a note.
    5. The late penalty (``late.penalty`` points) is taken off; the mark never goes below 0.

    Examples
    --------
    >>> cells = [CellResult("nb", "ex1", 2.0, 2.0, True), CellResult("nb", "ex2", 0.0, 2.0, False, True)]
    >>> rec = GradedSubmission("ab1", "01", "ok", 2.0, 4.0, cells=cells)
    >>> final_mark(rec).final_score, final_mark(rec).ungraded_points
    (2.0, 2.0)
    >>> final_mark(rec, ManualMarks({"nb/ex2": 1.5}), late=Late(timedelta(hours=3), 0.4)).final_score
    3.1
    """
    if result is None:
        return Mark(status="missing", max_score=0.0, notes=("no submission",))
    manual = manual or ManualMarks()
    notes: list[str] = []
    auto = manual_total = ungraded = 0.0
    for cell in result.cells:
        if cell.key in manual.scores:
            manual_total += manual.scores[cell.key]
        elif cell.autograded:
            auto += cell.score
        elif cell.needs_manual_grade:
            ungraded += cell.max_score
    raw = auto + manual_total
    status = result.status
    if status == "invalid":
        raw = 0.0
        notes.append(result.shown_message() or "invalid")
    elif status == "review":
        decision = review_decision(result, review)
        if decision == "accept":
            status = "ok (review accepted)"
        elif decision == "reject":
            status = "rejected after review"
            raw = 0.0
        elif not include_review:
            return Mark(status="review", max_score=result.max_score, auto_score=round(auto, 6),
                        manual_score=round(manual_total, 6), raw_score=round(raw, 6),
                        ungraded_points=ungraded, final_score=None,
                        notes=("held back until `course review` decides: "
                               + "; ".join(result.review[:2]),))
        else:
            notes.append("awaiting review")
    penalty = late.penalty if late.by > timedelta(0) else 0.0
    if penalty:
        notes.append(f"late by {_duration(late.by)}: -{penalty:g}")
    if ungraded:
        notes.append(f"{ungraded:g} point(s) not marked yet")
    return Mark(status=status, max_score=result.max_score, auto_score=round(auto, 6),
                manual_score=round(manual_total, 6), raw_score=round(raw, 6),
                ungraded_points=ungraded, late_penalty=penalty,
                final_score=round(max(0.0, raw - penalty), 6), notes=tuple(notes))


def _duration(delta: timedelta) -> str:
    """``1 d 1 h 45 min`` (minutes rounded down; "under a minute" for less)."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    return " ".join(p for p in parts if p) or "under a minute"


# --------------------------------------------------------------------------------------------
# Reading and writing the records
# --------------------------------------------------------------------------------------------


def load_submission(path: Path) -> GradedSubmission:
    """One record from ``<student>.json``; RecordError if it is not one ``course grade`` wrote."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RecordError(f"{Path(path).name} cannot be read ({exc})") from None
    return GradedSubmission.from_dict(data, student=Path(path).stem)


def load_submissions(results_dir: Path) -> dict[str, GradedSubmission]:
    """Every readable record in a lesson's results folder, by student (damaged files skipped)."""
    records: dict[str, GradedSubmission] = {}
    folder = Path(results_dir)
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            if path.name == REVIEWS_FILE or path.is_symlink():
                continue
            try:
                record = load_submission(path)
            except RecordError:
                continue
            records[record.student] = record
    return records


def load_review_file(results_dir: Path) -> dict[str, Review]:
    """The decisions in a lesson's ``reviews.json``, by student."""
    try:
        data = json.loads((Path(results_dir) / REVIEWS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    out = {}
    for student, entry in data.items():
        review = Review.from_dict(entry)
        if review is not None:
            out[str(student)] = review
    return out
