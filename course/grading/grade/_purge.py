"""Delete a term's personal data once it is no longer needed (UK GDPR storage limitation).

``purge(workspace, before)`` removes every submission *submitted* before ``before`` (the time in
its ``timestamp.txt``, which ``course collect`` writes from the LMS or exchange; the folder's
modification time, that is when it was collected, when there is none) and everything made from
it: the autograded notebook, the grade record and notebook, the feedback, the gradebook entry
(nbgrader's own ``remove_submission``), and students left with no submission. Files not tied to a
submission (unmatched uploads, written-answer sheets, exports) go when they were last modified
before the date. The roster and due dates are kept: delete them yourself when the marks are final.

It is a dry run unless ``apply=True``: the report lists what would go.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from course.grading.grade._collect import read_timestamp
from course.grading.grade._gradebook import SYNC_STATE
from course.grading.grade._workspace import Workspace, write_private


@dataclass
class PurgeReport:
    before: datetime
    applied: bool
    submissions: list[tuple[str, str]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    students: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "Deleted" if self.applied else "Would delete"
        lines = [f"{verb} {len(self.submissions)} submission(s) submitted before {uk_time(self.before)} "
                 "(the time in each submission's timestamp.txt, or when it was collected if it has "
                 f"none), with their grades, feedback and gradebook entries; {len(self.files)} other "
                 "file(s) (unmatched uploads, written-answer sheets, exports) last changed before "
                 f"then; and {len(self.students)} student(s) left with no submission."]
        for student, lesson in self.submissions[:50]:
            lines.append(f"  - {student} / {lesson}")
        if len(self.submissions) > 50:
            lines.append(f"  ... and {len(self.submissions) - 50} more")
        if not self.applied and (self.submissions or self.files):
            lines.append("Nothing has been deleted yet: run again with --yes to delete.")
        return "\n".join(lines)


def uk_time(when: datetime) -> str:
    """A moment as the instructor wrote it: UK local time (dates are read as UK time).

    Examples
    --------
    >>> from course.grading.grade._collect import parse_time
    >>> uk_time(parse_time("2026-09-01")), uk_time(parse_time("2026-01-15 09:30"))
    ('2026-09-01 00:00 UK time', '2026-01-15 09:30 UK time')
    """
    from zoneinfo import ZoneInfo

    return when.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%d %H:%M UK time")


def _when(folder: Path) -> datetime:
    stamp = read_timestamp(folder)
    return stamp or datetime.fromtimestamp(folder.stat().st_mtime, UTC)


def purge(workspace: Workspace, before: datetime, *, apply: bool = False) -> PurgeReport:
    """Delete (or, without ``apply``, list) personal data older than ``before``."""
    report = PurgeReport(before=before, applied=apply)
    if not workspace.exists():
        return report
    if workspace.submitted.is_dir():
        for student_dir in sorted(workspace.submitted.iterdir()):
            if not student_dir.is_dir():
                continue
            for lesson_dir in sorted(student_dir.iterdir()):
                if lesson_dir.is_dir() and _when(lesson_dir) < before:
                    report.submissions.append((student_dir.name, lesson_dir.name))
    for folder in (workspace.unmatched, workspace.written, workspace.exports):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and datetime.fromtimestamp(path.stat().st_mtime, UTC) < before:
                    report.files.append(path)
    gone = set(report.submissions)
    remaining: dict[str, int] = {}
    if workspace.submitted.is_dir():
        for student_dir in workspace.submitted.iterdir():
            if student_dir.is_dir():
                left = [p for p in student_dir.iterdir() if p.is_dir() and (student_dir.name, p.name) not in gone]
                remaining[student_dir.name] = len(left)
    report.students = sorted(s for s, n in remaining.items() if n == 0)
    if not apply:
        return report
    for student, lesson in report.submissions:
        for path in (workspace.submitted / student / lesson, workspace.autograded / student / lesson,
                     workspace.feedback / student / lesson, workspace.grades / lesson / "notebooks" / student):
            shutil.rmtree(path, ignore_errors=True)
        (workspace.grades / lesson / f"{student}.json").unlink(missing_ok=True)
        reviews_path = workspace.grades / lesson / "reviews.json"
        if reviews_path.is_file():
            reviews = json.loads(reviews_path.read_text(encoding="utf-8"))
            if reviews.pop(student, None) is not None:
                write_private(reviews_path, json.dumps(reviews, indent=1) + "\n")
            if not reviews:
                reviews_path.unlink()
    for path in report.files:
        path.unlink(missing_ok=True)
    _purge_gradebook(workspace, report)
    for lesson_scores in workspace.grades.glob("*/scores.csv") if workspace.grades.is_dir() else []:
        _rewrite_scores(lesson_scores)
    for state in workspace.grades.glob(f"*/{SYNC_STATE}") if workspace.grades.is_dir() else []:
        if not any(p.name != "reviews.json" for p in state.parent.glob("*.json")):
            state.unlink()  # what the gradebook was last given: nothing left to remember
    for top in (workspace.submitted, workspace.autograded, workspace.feedback, workspace.grades,
                workspace.unmatched, workspace.written):
        _remove_empty(top)
    return report


def _purge_gradebook(workspace: Workspace, report: PurgeReport) -> None:
    if not workspace.gradebook.is_file():
        return
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(workspace.db_url) as gb:
        for student, lesson in report.submissions:
            try:
                gb.remove_submission(lesson, student)
            except MissingEntry:
                pass
        for student in report.students:
            try:
                if not gb.find_student(student).submissions:
                    gb.remove_student(student)
            except MissingEntry:
                pass


def _rewrite_scores(path: Path) -> None:
    """Drop rows of students whose record is gone from a lesson's scores.csv."""
    import csv
    import io

    folder = path.parent
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    kept = [r for r in rows if (folder / f"{r.get('student')}.json").is_file()]
    if len(kept) == len(rows):
        return
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    write_private(path, buffer.getvalue())


def _remove_empty(top: Path) -> None:
    if not top.is_dir():
        return
    for path in [*sorted(top.rglob("*"), key=lambda p: len(p.parts), reverse=True), top]:
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
