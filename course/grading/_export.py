"""Marks out of the workspace: status, review decisions, late penalties and the grade export.

A lesson's mark for a student is the sum of its cells' scores in the gradebook (a manual mark,
from formgrader or ``course written --import``, overrides the autograded score of the same cell),
or the autograded score from ``course grade`` where the gradebook has no entry. Then:

- ``review``: held back (blank, status ``review``) until ``course review`` accepts it (the mark
  counts) or rejects it (0); a decision applies to that exact submission only;
- ``invalid`` or no submission: 0;
- late: ``late_by`` = submission time (``timestamp.txt``) - due - grace; the penalty is
  ``rate`` x started days (or hours) late, capped at ``cap``, as a percentage of the lesson's
  maximum mark (``10%/day``) or in points (``1pt/day``); the mark never goes below 0.
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
from course.grading._collect import parse_time, read_roster, read_timestamp
from course.grading._common import GradingError, check_lesson_ids, lesson_ids
from course.grading._workspace import Workspace, load_records, write_private

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


def load_reviews(workspace: Workspace, lesson_id: str) -> dict[str, dict]:
    try:
        return json.loads((workspace.grades / lesson_id / "reviews.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def decide_review(workspace: Workspace, lesson_id: str, student: str, decision: str,
                  note: str = "") -> dict:
    """Record an instructor's decision on a submission in ``review``: accept or reject."""
    if decision not in {"accept", "reject"}:
        raise GradingError(f"A review decision is accept or reject, not {decision!r}.")
    records = load_records(workspace, lesson_id)
    if student not in records:
        raise GradingError(
            f"No graded submission of {lesson_id!r} from {student!r}. "
            f"{options_text(student, sorted(records) or ['(none graded)'])}"
        )
    record = records[student]
    if record.get("status") != "review":
        raise GradingError(
            f"{student}'s submission of {lesson_id} is not awaiting review (its status is "
            f"{record.get('status')!r}); nothing to decide."
        )
    reviews = load_reviews(workspace, lesson_id)
    reviews[student] = {"decision": decision, "note": note,
                        "submission_sha256": record.get("submission_sha256"),
                        "decided_at": datetime.now(UTC).isoformat(timespec="seconds")}
    write_private(workspace.grades / lesson_id / "reviews.json", json.dumps(reviews, indent=1) + "\n")
    return reviews[student]


def pending_reviews(workspace: Workspace, lesson_id: str) -> list[tuple[str, list[str]]]:
    reviews = load_reviews(workspace, lesson_id)
    out = []
    for student, record in load_records(workspace, lesson_id).items():
        decision = reviews.get(student, {})
        if record.get("status") == "review" and decision.get("submission_sha256") != record.get(
                "submission_sha256"):
            out.append((student, list(record.get("review") or [])))
    return out


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------

LONG_COLUMNS = ["student_id", "lesson", "status", "auto_score", "manual_score", "raw_score",
                "max_score", "ungraded_points", "submitted_at", "due", "late_minutes",
                "late_penalty", "final_score", "note"]


def lesson_rows(workspace: Workspace, lessons_dir: Path, lesson_id: str, students: list[str],
                policy: LatePolicy, due: dict, include_review: bool = False) -> list[dict]:
    from course.grading._gradebook import manual_scores
    from course.grading._lesson import lesson_plan

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
               "auto_score": 0.0, "manual_score": 0.0, "raw_score": 0.0, "ungraded_points": 0.0,
               "submitted_at": submitted.isoformat(timespec="minutes") if submitted else "",
               "due": lesson_due.isoformat(timespec="minutes") if lesson_due else "",
               "late_minutes": 0, "late_penalty": 0.0, "final_score": 0.0, "note": ""}
        if record is None:
            row["status"] = "submitted, not graded" if folder.is_dir() else "missing"
            row["note"] = "run course grade" if folder.is_dir() else "no submission"
            rows.append(row)
            continue
        status = record.get("status")
        auto = {f"{c['notebook']}/{c['cell']}": float(c["score"])
                for c in record.get("cells") or [] if c.get("autograded")}
        entry = marks.get(student)
        if entry and record.get("status") != "invalid":
            scores = dict(entry["scores"])
            manual = entry["manual"]
            row["ungraded_points"] = entry["ungraded"]
        else:
            scores, manual = dict(auto), {}
        row["auto_score"] = round(sum(v for k, v in scores.items() if k in auto and k not in manual), 6)
        row["manual_score"] = round(sum(manual.values()), 6)
        row["raw_score"] = round(sum(scores.values()), 6)
        notes = []
        decision = reviews.get(student, {})
        decided = decision.get("submission_sha256") == record.get("submission_sha256")
        if status == "review":
            if decided and decision.get("decision") == "accept":
                status = "ok (review accepted)"
            elif decided and decision.get("decision") == "reject":
                status = "rejected after review"
                row["raw_score"] = 0.0
            elif not include_review:
                row["status"] = "review"
                row["final_score"] = ""
                row["note"] = "held back until `course review` decides: " + "; ".join(
                    (record.get("review") or [])[:2])
                rows.append(row)
                continue
            else:
                notes.append("awaiting review")
        if record.get("status") == "invalid":
            row["raw_score"] = 0.0
            notes.append(record.get("message") or "invalid")
        late = policy.late_by(submitted, lesson_due)
        row["late_minutes"] = int(late.total_seconds() // 60)
        penalty = policy.penalty(plan.max_score, late)
        row["late_penalty"] = penalty
        row["final_score"] = round(max(0.0, row["raw_score"] - penalty), 6)
        if penalty:
            notes.append(f"late by {_duration(late)}: -{penalty:g}")
        if row["ungraded_points"]:
            notes.append(f"{row['ungraded_points']:g} point(s) not marked yet")
        row["status"] = status
        row["note"] = "; ".join(notes)
        rows.append(row)
    return rows


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    return " ".join(p for p in parts if p) or "under a minute"


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
    rows: list[dict] = []
    for lesson_id in lessons:
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
    from course.grading._gradebook import manual_scores

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
                row["graded"] = "yes"
                row["status"] = record.get("status", "")
                row["score"] = f"{record.get('score', 0):g}/{record.get('max_score') or 0:g}"
                decision = reviews.get(student, {})
                if record.get("status") == "review" and decision.get("submission_sha256") == record.get(
                        "submission_sha256"):
                    row["status"] = f"review: {decision.get('decision')}ed"
                failed = [f"{c['cell']}: {c.get('message')}" for c in record.get("cells") or []
                          if c.get("autograded") and c.get("score", 0) < c.get("max_score", 0)]
                notes = [n for n in (record.get("message") or "").split("; ")
                         if n and "await manual grading" not in n]
                entry = marks.get(student)
                if entry and entry["ungraded"]:
                    notes.append(f"{entry['ungraded']:g} point(s) of written answers not marked yet")
                elif entry is None and "await manual grading" in (record.get("message") or ""):
                    notes.append("written answers not marked yet")
                row["why"] = "; ".join(x for x in [*notes, *failed[:3]] if x)
            elif folder.is_dir():
                row["why"] = "not graded yet: run course grade"
            out.append(row)
    return out
