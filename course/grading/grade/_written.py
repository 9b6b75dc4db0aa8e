"""Written answers for marking outside Jupyter, and the marks back into the gradebook.

``export_written`` writes, for each written question of a lesson, a CSV and an HTML page with the
question, its rubric (from the instructor source; never released) and every student's answer, with
empty ``mark`` and ``comment`` columns. With ``anonymous=True`` students appear as stable candidate
codes (an HMAC of the student id with a key kept in the workspace), for anonymous marking.

``import_marks`` reads such a CSV back (codes or student ids), checks every row first (a mark must
be a number from 0 to the question's points; each student once) and only then writes the marks and
comments into the workspace gradebook as manual scores, where formgrader shows them and
``course export`` counts them.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import html
import io
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from course.errors import options_text
from course.grading.grade._lesson import LessonPlan, grade_id_of, lesson_plan, text_of
from course.grading.grade._workspace import Workspace, write_private
from course.grading.releasing._content import nbgrader_delimiters
from course.grading.releasing._lessons import GradingError, check_lesson_ids

COLUMNS = ["lesson", "question", "student", "answer", "points", "mark", "comment", "rubric"]


def _key(workspace: Workspace) -> bytes:
    path = workspace.root / ".anonymous-marking-key"
    if not path.is_file():
        write_private(path, secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip().encode()


def candidate_code(workspace: Workspace, student: str) -> str:
    """A stable code for a student (the same in every export from this workspace)."""
    digest = hmac.new(_key(workspace), student.encode(), hashlib.sha256).hexdigest()
    return "C" + str(int(digest[:12], 16) % 10**6).zfill(6)


def _answers(workspace: Workspace, plan: LessonPlan) -> dict[str, dict[str, str]]:
    """{question id: {student: answer text}} from the collected submissions."""
    out: dict[str, dict[str, str]] = {w.grade_id: {} for w in plan.written}
    stub = nbgrader_delimiters().text_stub
    if not workspace.submitted.is_dir():
        return out
    for folder in sorted(workspace.submitted.iterdir()):
        sub = folder / plan.lesson_id
        if not sub.is_dir():
            continue
        for written in plan.written:
            text = ""
            try:
                nb = json.loads((sub / f"{written.notebook}.ipynb").read_text(encoding="utf-8"))
                for cell in nb.get("cells", []):
                    if grade_id_of(cell) == written.grade_id:
                        text = text_of(cell.get("source")).strip()
            except (OSError, ValueError, AttributeError):
                text = "(the notebook could not be read)"
            if text == stub:  # the release's placeholder: not an answer
                text = ""
            out[written.grade_id][folder.name] = text
    return out


def _page(plan: LessonPlan, question, rows: list[dict]) -> str:
    esc = html.escape
    body = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        f"<title>{esc(plan.lesson_id)} {esc(question.grade_id)}: written answers</title>",
        "<style>body{font-family:sans-serif;max-width:70rem;margin:2rem auto;line-height:1.45}"
        "table{border-collapse:collapse;width:100%}td,th{border:1px solid #888;padding:.5rem;"
        "vertical-align:top;text-align:left}td.answer{white-space:pre-wrap}.rubric{background:#f3f3f3;"
        "padding:1rem;white-space:pre-wrap}</style></head><body>",
        f"<h1>{esc(plan.lesson_id)}: {esc(question.grade_id)} ({question.points:g} points)</h1>",
        "<p>Instructor only: this page holds the rubric and students' answers (personal data).</p>",
        "<h2>Question</h2>",
        f'<div class="rubric">{esc(question.question)}</div>',
        "<h2>Rubric</h2>",
        f'<div class="rubric">{esc(question.rubric or "(no rubric in the source)")}</div>',
        "<h2>Answers</h2>",
        "<table><thead><tr><th scope=\"col\">Student</th><th scope=\"col\">Answer</th>"
        "<th scope=\"col\">Mark</th><th scope=\"col\">Comment</th></tr></thead><tbody>",
    ]
    for row in rows:
        body.append(f"<tr><td>{esc(row['student'])}</td><td class=\"answer\">{esc(row['answer'])}</td>"
                    f"<td></td><td></td></tr>")
    body += ["</tbody></table>", "</body></html>", ""]
    return "\n".join(body)


@dataclass
class WrittenExport:
    files: list[Path] = field(default_factory=list)
    answers: int = 0


def export_written(workspace: Workspace, lessons_dir: str | Path, lesson_id: str, *,
                   anonymous: bool = False, out: str | Path | None = None) -> WrittenExport:
    """Write ``<question>.csv`` and ``<question>.html`` for each written question of a lesson."""
    lessons_dir = Path(lessons_dir).resolve()
    (lesson_id,) = check_lesson_ids(lessons_dir, [lesson_id])
    plan = lesson_plan(lessons_dir / lesson_id)
    if not plan.written:
        raise GradingError(f"{lesson_id!r} has no written (manually graded) answers.")
    answers = _answers(workspace, plan)
    out_dir = Path(out) if out else workspace.written / lesson_id
    result = WrittenExport()
    for question in plan.written:
        rows = []
        for student, text in sorted(answers[question.grade_id].items()):
            shown = candidate_code(workspace, student) if anonymous else student
            rows.append({"lesson": lesson_id, "question": question.grade_id, "student": shown,
                         "answer": text or "(no answer)", "points": f"{question.points:g}",
                         "mark": "" if text else "0", "comment": "", "rubric": question.rubric})
        if anonymous:
            rows.sort(key=lambda r: r["student"])
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        csv_path = out_dir / f"{question.grade_id}.csv"
        html_path = out_dir / f"{question.grade_id}.html"
        write_private(csv_path, buffer.getvalue())
        write_private(html_path, _page(plan, question, rows))
        result.files += [csv_path, html_path]
        result.answers += len(rows)
    return result


@dataclass
class ImportReport:
    written: int = 0
    unchanged: int = 0
    blank: int = 0


def import_marks(workspace: Workspace, lessons_dir: str | Path, lesson_id: str,
                 path: str | os.PathLike) -> ImportReport:
    """Read marks from a CSV made by :func:`export_written` into the gradebook (see the docstring)."""
    from nbgrader.api import Gradebook, MissingEntry

    lessons_dir = Path(lessons_dir).resolve()
    (lesson_id,) = check_lesson_ids(lessons_dir, [lesson_id])
    plan = lesson_plan(lessons_dir / lesson_id)
    questions = {w.grade_id: w for w in plan.written}
    path = Path(path)
    if not path.is_file():
        raise GradingError(f"The marks file {str(path)!r} does not exist.")
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    missing = {"question", "student", "mark"} - {c.strip().lower() for c in reader.fieldnames or []}
    if missing:
        raise GradingError(
            f"{path.name} lacks the column(s) {', '.join(sorted(missing))}. Use the CSV that "
            "`course written` made, with its question, student, mark and comment columns."
        )
    students = sorted(p.name for p in workspace.submitted.iterdir() if (p / lesson_id).is_dir()) \
        if workspace.submitted.is_dir() else []
    codes = {candidate_code(workspace, s): s for s in students} if students else {}
    errors, marks, seen = [], [], set()
    for number, row in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        question = questions.get(row.get("question", ""))
        if question is None:
            errors.append(f"line {number}: unknown question {row.get('question')!r}. "
                          f"{options_text(row.get('question', ''), sorted(questions) or ['none'])}")
            continue
        shown = row.get("student", "")
        student = codes.get(shown, shown)
        if student not in students:
            errors.append(f"line {number}: no submission of {lesson_id} from {shown!r}. "
                          f"{options_text(shown, students or ['(none collected)'])}")
            continue
        if (question.grade_id, student) in seen:
            errors.append(f"line {number}: {shown} appears twice for {question.grade_id}")
            continue
        seen.add((question.grade_id, student))
        text = row.get("mark", "")
        if text == "":
            marks.append((question, student, None, row.get("comment", "")))
            continue
        try:
            mark = float(text)
        except ValueError:
            errors.append(f"line {number}: the mark {text!r} for {shown} is not a number")
            continue
        if not 0 <= mark <= question.points:
            errors.append(f"line {number}: the mark {mark:g} for {shown} is outside 0 to "
                          f"{question.points:g}, the points of {question.grade_id}")
            continue
        marks.append((question, student, mark, row.get("comment", "")))
    if errors:
        shown = "\n  - ".join(errors[:20])
        raise GradingError(f"Nothing was imported: fix these rows in {path.name} and import again:\n"
                           f"  - {shown}")
    if not workspace.gradebook.is_file():
        raise GradingError(f"There is no gradebook in {workspace.root} yet: run `course grade "
                           f"{lesson_id}` before importing marks.")
    report = ImportReport()
    with Gradebook(workspace.db_url) as gb:
        for question, student, mark, comment in marks:
            if mark is None:
                report.blank += 1
                continue
            try:
                grade = gb.find_grade(question.grade_id, question.notebook, lesson_id, student)
                note = gb.find_comment(question.grade_id, question.notebook, lesson_id, student)
            except MissingEntry:
                raise GradingError(
                    f"{student}'s submission of {lesson_id} is not in the gradebook yet: run "
                    f"`course grade {lesson_id}` and import again."
                ) from None
            if grade.manual_score == mark and (note.manual_comment or "") == comment:
                report.unchanged += 1
                continue
            grade.manual_score = mark
            grade.needs_manual_grade = False
            note.manual_comment = comment or None
            report.written += 1
        gb.db.commit()
    return report
