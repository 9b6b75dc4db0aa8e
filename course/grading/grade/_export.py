"""Marks out of the workspace: status, review decisions, late penalties and the grade export.

Every number here comes from :func:`course.grading.grade._records.final_mark`, applied to ``course
grade``'s record of the submission, the marks a person gave in the gradebook (formgrader or
``course written --import``), the review decision and the lateness. Its docstring (and "How a mark
is computed" in docs/INSTRUCTOR_GUIDE.md) gives the rule. Lateness: ``late_by`` = submission time
(``timestamp.txt``) - due - grace; the penalty is ``rate`` x started days (or hours) late, capped
at ``cap``, as a percentage of the lesson's maximum mark (``10%/day``) or in points (``1pt/day``).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from course.errors import options_text
from course.grading.grade._collect import parse_time, read_roster, read_timestamp
from course.grading.grade._records import (
    DECISIONS,
    REVIEWS_FILE,
    Late,
    ManualMarks,
    Review,
    final_mark,
    review_decision,
)
from course.grading.grade._workspace import Workspace, load_records, load_reviews, write_private
from course.grading.releasing._lessons import GradingError, check_lesson_ids, lesson_ids

# --------------------------------------------------------------------------------------------
# Late penalties
# --------------------------------------------------------------------------------------------


@dataclass
class LatePolicy:
    """How late work loses marks (see the module docstring)."""

    rate: float = 0.0
    unit: str = "day"  # or "hour"
    percent: bool = True  # percentage of the maximum mark, else points
    cap: float | None = None  # in the same units as the rate's result (percent or points)
    grace_minutes: float = 0.0

    @classmethod
    def parse(cls, text: str | None, cap: str | None = None, grace_minutes: float = 0.0) -> LatePolicy:
        """Read ``10%/day``, ``5%/hour`` or ``2pt/day`` (and a cap such as ``50%`` or ``6pt``).

        Examples
        --------
        >>> LatePolicy.parse("10%/day", cap="30%").penalty(100.0, timedelta(days=3, minutes=5))
        30.0
        >>> LatePolicy.parse("2pt/day").penalty(10.0, timedelta(hours=20))
        2.0
        """
        if not text or text.strip() in {"0", "none", "0%"}:
            return cls(grace_minutes=grace_minutes)
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(%|pts?|points?)\s*/\s*(day|hour)\s*", text)
        if not match:
            raise GradingError(
                f"Cannot read the late penalty {text!r}. Write it as 10%/day (10% of the lesson's "
                "maximum mark per started day late), 5%/hour, or 2pt/day (points)."
            )
        policy = cls(float(match.group(1)), match.group(3), match.group(2) == "%",
                     grace_minutes=float(grace_minutes))
        if cap:
            cap_match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(%|pts?|points?)?\s*", cap)
            if not cap_match or (cap_match.group(2) == "%") != policy.percent and cap_match.group(2):
                raise GradingError(
                    f"Cannot read the late-penalty cap {cap!r}: give it in the same units as the "
                    f"penalty ({'a percentage such as 50%' if policy.percent else 'points such as 6pt'})."
                )
            policy.cap = float(cap_match.group(1))
        return policy

    def late_by(self, submitted: datetime | None, due: datetime | None) -> timedelta:
        if submitted is None or due is None:
            return timedelta(0)
        late = submitted - due - timedelta(minutes=self.grace_minutes)
        return late if late > timedelta(0) else timedelta(0)

    def penalty(self, max_score: float, late: timedelta) -> float:
        """Points deducted for being ``late`` (started units count in full)."""
        if late <= timedelta(0) or not self.rate:
            return 0.0
        unit = timedelta(days=1) if self.unit == "day" else timedelta(hours=1)
        units = math.ceil(late / unit)
        amount = self.rate * units
        if self.cap is not None:
            amount = min(amount, self.cap)
        return round(amount / 100.0 * max_score if self.percent else amount, 6)

    def late(self, submitted: datetime | None, due: datetime | None, max_score: float) -> Late:
        """How late a submission was and what it costs (the ``late`` argument of final_mark)."""
        by = self.late_by(submitted, due)
        return Late(by=by, penalty=self.penalty(max_score, by))


def read_due(path: str | os.PathLike | None) -> dict[tuple[str, str | None], datetime]:
    """Due dates from a CSV (``lesson,due`` and optionally ``student`` for an extension)."""
    if path is None or not Path(path).is_file():
        return {}
    text = Path(path).read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower(): c for c in (reader.fieldnames or [])}
    if "lesson" not in columns or "due" not in columns:
        raise GradingError(
            f"The due-date file {str(path)!r} needs the columns lesson and due (and student for an "
            f"extension); it has {', '.join(reader.fieldnames or []) or 'none'}."
        )
    out = {}
    for row in reader:
        lesson = (row.get(columns["lesson"]) or "").strip()
        due = (row.get(columns["due"]) or "").strip()
        student = (row.get(columns.get("student", ""), "") or "").strip() or None
        if lesson and due:
            out[(lesson, student)] = parse_time(due)
    return out


# --------------------------------------------------------------------------------------------
# Records and reviews
# --------------------------------------------------------------------------------------------


def decide_review(workspace: Workspace, lesson_id: str, student: str, decision: str,
                  note: str = "") -> Review:
    """Record an instructor's decision on a submission in ``review``: accept or reject."""
    if decision not in DECISIONS:
        raise GradingError(f"A review decision is accept or reject, not {decision!r}.")
    records = load_records(workspace, lesson_id)
    if student not in records:
        raise GradingError(
            f"No graded submission of {lesson_id!r} from {student!r}. "
            f"{options_text(student, sorted(records) or ['(none graded)'])}"
        )
    record = records[student]
    if record.status != "review":
        raise GradingError(
            f"{student}'s submission of {lesson_id} is not awaiting review (its status is "
            f"{record.status!r}); nothing to decide."
        )
    review = Review(decision=decision, note=note, submission_sha256=record.submission_sha256,
                    decided_at=datetime.now(UTC).isoformat(timespec="seconds"))
    reviews = {name: r.to_dict() for name, r in load_reviews(workspace, lesson_id).items()}
    reviews[student] = review.to_dict()
    write_private(workspace.grades / lesson_id / REVIEWS_FILE, json.dumps(reviews, indent=1) + "\n")
    return review


def pending_reviews(workspace: Workspace, lesson_id: str) -> list[tuple[str, list[str]]]:
    """Submissions in ``review`` with no decision for that exact submission, with the reasons."""
    reviews = load_reviews(workspace, lesson_id)
    return [(student, list(record.review))
            for student, record in load_records(workspace, lesson_id).items()
            if record.status == "review" and review_decision(record, reviews.get(student)) is None]


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------

LONG_COLUMNS = ["student_id", "lesson", "status", "auto_score", "manual_score", "raw_score",
                "max_score", "ungraded_points", "submitted_at", "due", "late_minutes",
                "late_penalty", "final_score", "note"]


def lesson_rows(workspace: Workspace, lessons_dir: Path, lesson_id: str, students: list[str],
                policy: LatePolicy, due: dict, include_review: bool = False) -> list[dict]:
    """One export row per student: :func:`final_mark` of their record, marks, review and lateness."""
    from course.grading.grade._gradebook import manual_scores
    from course.grading.grade._lesson import lesson_plan

    plan = lesson_plan(lessons_dir / lesson_id)
    records = load_records(workspace, lesson_id)
    reviews = load_reviews(workspace, lesson_id)
    marks = manual_scores(workspace, lesson_id)
    rows = []
    for student in students:
        record = records.get(student)
        folder = workspace.submitted / student / lesson_id
        submitted = read_timestamp(folder) if folder.is_dir() else None
        lesson_due = due.get((lesson_id, student)) or due.get((lesson_id, None))
        row = {"student_id": student, "lesson": lesson_id, "max_score": plan.max_score,
               "submitted_at": submitted.isoformat(timespec="minutes") if submitted else "",
               "due": lesson_due.isoformat(timespec="minutes") if lesson_due else ""}
        if record is None:
            row.update(status="submitted, not graded" if folder.is_dir() else "missing",
                       note="run course grade" if folder.is_dir() else "no submission",
                       auto_score=0.0, manual_score=0.0, raw_score=0.0, ungraded_points=0.0,
                       late_minutes=0, late_penalty=0.0, final_score=0.0)
            rows.append(row)
            continue
        late = policy.late(submitted, lesson_due, plan.max_score)
        mark = final_mark(record, marks.get(student), reviews.get(student), late,
                          include_review=include_review)
        row.update(status=mark.status, auto_score=mark.auto_score, manual_score=mark.manual_score,
                   raw_score=mark.raw_score, ungraded_points=mark.ungraded_points,
                   late_minutes=late.minutes if not mark.held else 0,
                   late_penalty=mark.late_penalty,
                   final_score="" if mark.held else mark.final_score, note="; ".join(mark.notes))
        rows.append(row)
    return rows


def _students(workspace: Workspace, roster: Path | None, lesson_list: list[str]) -> tuple[list[str], dict]:
    info = {}
    if roster is not None and Path(roster).is_file():
        for student in read_roster(roster):
            info[student.student_id] = student
    found = set(info)
    for lesson_id in lesson_list:
        if workspace.submitted.is_dir():
            found |= {p.name for p in workspace.submitted.iterdir() if (p / lesson_id).is_dir()}
        found |= set(load_records(workspace, lesson_id))
    return sorted(found), info


def export_grades(workspace: Workspace, lessons_dir: str | Path, *, lessons: list[str] | None = None,
                  roster: str | Path | None = None, due: str | Path | None = None,
                  policy: LatePolicy | None = None, include_review: bool = False,
                  out: str | Path | None = None) -> tuple[Path, Path, list[dict]]:
    """Write ``grades.csv`` (one row per student) and ``grades-long.csv`` (one per lesson)."""
    lessons_dir = Path(lessons_dir).resolve()
    if lessons is None:
        lessons = [i for i in lesson_ids(lessons_dir) if (workspace.grades / i).is_dir()]
        if not lessons:
            raise GradingError(
                f"Nothing has been graded in {workspace.root} yet. Run `course grade LESSON` first."
            )
    else:
        lessons = check_lesson_ids(lessons_dir, lessons)
    policy = policy or LatePolicy()
    roster_path = Path(roster) if roster else workspace.roster
    due_map = read_due(due if due else workspace.due)
    students, info = _students(workspace, roster_path if roster_path.is_file() else None, lessons)
    from course.grading.grade._grade import bring_gradebook_up_to_date

    rows: list[dict] = []
    for lesson_id in lessons:
        # Records written by autograde() since the gradebook was last written reach it first, so
        # formgrader and this export agree (the export itself reads autograded scores from them).
        bring_gradebook_up_to_date(workspace, lessons_dir, lesson_id)
        rows += lesson_rows(workspace, lessons_dir, lesson_id, students, policy, due_map, include_review)
    out_dir = Path(out) if out else workspace.exports
    long_text = io.StringIO()
    writer = csv.DictWriter(long_text, fieldnames=LONG_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    wide_text = io.StringIO()
    fields = ["student_id", "name", "email", *lessons, "total", "max_total", "notes"]
    wide = csv.DictWriter(wide_text, fieldnames=fields)
    wide.writeheader()
    by_student: dict[str, list[dict]] = {}
    for row in rows:
        by_student.setdefault(row["student_id"], []).append(row)
    for student in students:
        its = by_student.get(student, [])
        person = info.get(student)
        line = {"student_id": student, "name": getattr(person, "name", ""),
                "email": getattr(person, "email", "")}
        total = 0.0
        notes = []
        for row in its:
            line[row["lesson"]] = row["final_score"]
            if row["final_score"] != "":
                total += float(row["final_score"])
            if row["status"] not in {"ok"} or row["note"]:
                notes.append(f"{row['lesson']}: {row['status']}" + (f" ({row['note']})" if row["note"] else ""))
        line["total"] = round(total, 6)
        line["max_total"] = round(sum(r["max_score"] for r in its), 6)
        line["notes"] = " | ".join(notes)
        wide.writerow(line)
    wide_path = out_dir / "grades.csv"
    long_path = out_dir / "grades-long.csv"
    write_private(wide_path, wide_text.getvalue())
    write_private(long_path, long_text.getvalue())
    return wide_path, long_path, rows


def status_rows(workspace: Workspace, lessons_dir: str | Path, lessons: list[str] | None = None,
                roster: str | Path | None = None) -> list[dict]:
    """Who submitted, who is graded, who failed and why: one row per student and lesson."""
    lessons_dir = Path(lessons_dir).resolve()
    if lessons is None:
        lessons = [i for i in lesson_ids(lessons_dir)
                   if (workspace.grades / i).is_dir() or any(
                       (p / i).is_dir() for p in (workspace.submitted.iterdir()
                                                  if workspace.submitted.is_dir() else []))]
    else:
        lessons = check_lesson_ids(lessons_dir, lessons)
    roster_path = Path(roster) if roster else workspace.roster
    students, _ = _students(workspace, roster_path if roster_path.is_file() else None, lessons)
    from course.grading.grade._gradebook import manual_scores

    out = []
    for lesson_id in lessons:
        records = load_records(workspace, lesson_id)
        reviews = load_reviews(workspace, lesson_id)
        marks = manual_scores(workspace, lesson_id)
        for student in students:
            folder = workspace.submitted / student / lesson_id
            when = read_timestamp(folder) if folder.is_dir() else None
            record = records.get(student)
            row = {"lesson": lesson_id, "student_id": student,
                   "submitted": when.isoformat(timespec="minutes") if when else ("yes" if folder.is_dir() else "no"),
                   "graded": "no", "status": "", "score": "", "why": ""}
            if record:
                # The same mark as the export, before any late penalty (status knows no due dates).
                mark = final_mark(record, marks.get(student), reviews.get(student), include_review=True)
                decision = review_decision(record, reviews.get(student))
                row["graded"] = "yes"
                row["status"] = f"review: {decision}ed" if decision else record.status
                row["score"] = f"{mark.raw_score:g}/{record.max_score:g}"
                failed = [f"{c.cell}: {c.message}" for c in record.cells
                          if c.autograded and c.score < c.max_score and c.key not in
                          (marks.get(student) or ManualMarks()).scores]
                notes = [n for n in record.shown_message().split("; ") if n]
                if mark.ungraded_points:
                    notes.append(f"{mark.ungraded_points:g} point(s) of written answers not marked yet")
                row["why"] = "; ".join(x for x in [*notes, *failed[:3]] if x)
            elif folder.is_dir():
                row["why"] = "not graded yet: run course grade"
            out.append(row)
    return out
