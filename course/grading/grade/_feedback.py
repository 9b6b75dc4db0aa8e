"""Feedback for students: one HTML file per student and notebook, made by nbgrader.

nbgrader's GenerateFeedback runs in a private course on a copy of the workspace gradebook, with
``ClearHiddenTests`` and ``ClearMarkScheme`` added, so the HTML shows each student's work, the
visible tests, their score and the marker's comments, and each failed test explained by the test's
own message (hidden failures trimmed to that message, never the hidden code or expected values).

Only what the student submitted, plus grading's messages, reaches a page: the graded notebook is
built by the grader from the submission itself (``_autograde.instructor_notebook``), and any output
of the grading run that shows instructor material the student did not type is replaced before
nbgrader renders it. Before a file is kept it is checked against the lesson's *source* (its
hidden-test lines and literals, solution lines and rubric text): a secret may appear only if the
student wrote it in their own cells. Outputs never count as the student's own text, whatever the
graded notebook claims. A file that fails is deleted and reported, so a leak can never be sent.
Submissions awaiting review get no feedback until an instructor has decided (``course review``).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from course.grading.grade._lesson import (
    LessonPlan,
    contains_literal,
    grade_id_of,
    lesson_plan,
    norm,
    text_of,
)
from course.grading.grade._records import review_decision
from course.grading.grade._workspace import (
    Workspace,
    load_records,
    load_reviews,
    private_dir,
    write_private,
)
from course.grading.releasing._lessons import GradingError, check_lesson_ids
from course.grading.releasing._nbgrader import nbgrader_config, prepare_nbgrader, quiet_logger

SCORE_RE = re.compile(r"Score:\s*[\d.]+\s*/\s*[\d.]+")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"style", "script"}:
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in {"style", "script"} and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_text(page: str) -> str:
    """The visible text of an HTML page (tags, styles and scripts removed, entities decoded).

    Examples
    --------
    >>> html_text('<p>a <span class="n">x</span>&lt;1</p><style>p {}</style>')
    'a x<1'
    """
    parser = _Text()
    parser.feed(page)
    parser.close()
    return html.unescape("".join(parser.parts))


def leaks_in(page_text: str, plan: LessonPlan, own_text: str) -> list[str]:
    """Secrets of the lesson found in ``page_text`` that the student did not write themselves."""
    page_text = SCORE_RE.sub(" ", page_text)  # nbgrader's own "Score: 1.5 / 2.0" headings
    flat = norm(page_text)
    own = norm(own_text)
    found = []
    for line in sorted(plan.secret_lines):
        if line in flat and line not in own:
            found.append(f"the line {line[:80]!r}")
    for literal in sorted(plan.secret_literals):
        if contains_literal(page_text, literal) and not contains_literal(own_text, literal):
            found.append(f"the value {literal[:40]!r}")
    return found


def own_text(nb: dict, plan: LessonPlan) -> str:
    """What the student typed: the sources of every cell except test cells and locked cells.

    Outputs are not included: they come from the grading run, and a run can print anything it
    can read, so they are checked like the rest of the page.
    """
    skip = {t.grade_id for t in plan.tests} | set(plan.locked_release)
    return "\n".join(text_of(cell.get("source")) for cell in nb.get("cells", [])
                     if isinstance(cell, dict) and grade_id_of(cell) not in skip)


HIDDEN_OUTPUT = "[output hidden by the grader: it showed part of the lesson's instructor material]\n"


def _output_text(output: dict) -> str:
    parts = [text_of(output.get("text")), str(output.get("evalue", ""))]
    parts += [text_of(t) for t in output.get("traceback") or []]
    for value in (output.get("data") or {}).values():
        parts.append(text_of(value) if isinstance(value, (str, list)) else json.dumps(value))
    return "\n".join(parts)


def redact_outputs(nb: dict, plan: LessonPlan) -> int:
    """Replace each output of a student's cell that shows a secret the student did not type.

    Returns how many outputs were replaced. Test cells are left alone: their outputs are the
    grader's own messages, already trimmed, and checked with the rest of the page.
    """
    mine = own_text(nb, plan)
    test_ids = {t.grade_id for t in plan.tests}
    replaced = 0
    for cell in nb.get("cells", []):
        if not isinstance(cell, dict) or grade_id_of(cell) in test_ids:
            continue
        outputs = cell.get("outputs") or []
        for index, output in enumerate(outputs):
            if isinstance(output, dict) and leaks_in(_output_text(output), plan, mine):
                outputs[index] = {"output_type": "stream", "name": "stdout", "text": HIDDEN_OUTPUT}
                replaced += 1
    return replaced


@dataclass
class FeedbackReport:
    lesson: str
    written: list[Path] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)  # (student, why)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (student, leak)

    def summary(self) -> str:
        lines = [f"Feedback for {self.lesson}: {len(self.written)} file(s) written, "
                 f"{len(self.held)} held back, {len(self.refused)} refused."]
        lines += [f"  held back: {s}: {why}" for s, why in self.held]
        lines += [f"  REFUSED (would show instructor content): {s}: {why}" for s, why in self.refused]
        return "\n".join(lines)


def _progress(done: int, total: int, student: str) -> None:
    import sys

    width = 20
    filled = int(width * done / max(total, 1))
    print(f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {student}", file=sys.stderr, flush=True)


def generate_feedback(workspace: Workspace, lessons_dir: str | Path, lesson_id: str,
                      students: list[str] | None = None, quiet: bool = True) -> FeedbackReport:
    """Write feedback HTML for every graded student of a lesson (see the module docstring)."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, GetGrades
    from nbgrader.utils import capture_log

    from course.grading.grade._gradebook import sync_gradebook
    from course.grading.releasing._nbgrader import last_error

    lessons_dir = Path(lessons_dir).resolve()
    (lesson_id,) = check_lesson_ids(lessons_dir, [lesson_id])
    results = workspace.grades / lesson_id
    if not results.is_dir():
        raise GradingError(
            f"{lesson_id!r} has not been graded yet (no {results}). Run `course grade {lesson_id}` first."
        )
    plan = lesson_plan(lessons_dir / lesson_id)
    report = FeedbackReport(lesson_id)
    reviews = load_reviews(workspace, lesson_id)
    chosen = []
    for student, record in load_records(workspace, lesson_id).items():
        if students is not None and student not in students:
            continue
        if record.status == "invalid":
            report.held.append((student, f"not gradable ({record.message})"))
            continue
        if record.status == "review" and review_decision(record, reviews.get(student)) is None:
            report.held.append((student, "awaiting review (course review)"))
            continue
        if not (results / "notebooks" / student).is_dir():
            report.held.append((student, "no notebook to show"))
            continue
        chosen.append(student)
    if not chosen:
        return report
    sync_gradebook(workspace, lessons_dir, lesson_id, students=chosen)
    prepare_nbgrader()
    with tempfile.TemporaryDirectory(prefix="pp-feedback-") as tmp:
        tmp = Path(tmp)
        shutil.copyfile(workspace.gradebook, tmp / "gradebook.db")
        for student in chosen:
            target = tmp / "autograded" / student / lesson_id
            target.mkdir(parents=True)
            for nb_path in (results / "notebooks" / student).glob("*.ipynb"):
                nb = json.loads(nb_path.read_text(encoding="utf-8"))
                redact_outputs(nb, plan)
                (target / nb_path.name).write_text(json.dumps(nb), encoding="utf-8")
        config = nbgrader_config(tmp)
        config.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ClearMarkScheme,
                                                 CSSHTMLHeaderPreprocessor]
        config.ClearHiddenTests.enforce_metadata = False
        config.ClearMarkScheme.enforce_metadata = False
        log = quiet_logger("course.grading.feedback")
        failed: dict[str, str] = {}
        for number, student in enumerate(chosen, start=1):
            # One student at a time: a notebook nbgrader cannot render stops only its own feedback.
            coursedir = CourseDirectory(config=config, log=log)
            coursedir.assignment_id = lesson_id
            coursedir.student_id = student
            app = GenerateFeedback(coursedir=coursedir, config=config, log=log)
            app.force = True
            result = capture_log(app)
            if not result["success"]:
                failed[student] = last_error(result.get("log", "") + result.get("error", ""))
            if not quiet:
                _progress(number, len(chosen), student)
        for student in chosen:
            made = tmp / "feedback" / student / lesson_id
            dest = workspace.feedback / student / lesson_id
            pages = sorted(made.glob("*.html")) if made.is_dir() else []
            if not pages:
                report.held.append((student, "nbgrader could not make the feedback: "
                                    + failed.get(student, "no file was written")))
                continue
            problems = []
            for page in pages:
                nb_path = results / "notebooks" / student / (page.stem + ".ipynb")
                nb = json.loads(nb_path.read_text(encoding="utf-8")) if nb_path.exists() else {}
                found = leaks_in(html_text(page.read_text(encoding="utf-8")), plan, own_text(nb, plan))
                problems += [f"{page.name}: {f}" for f in found]
            if dest.exists():
                shutil.rmtree(dest)
            if problems:
                report.refused.append((student, "; ".join(problems[:3])))
                continue
            private_dir(dest)
            for page in pages:
                write_private(dest / page.name, page.read_bytes())
                report.written.append(dest / page.name)
    return report
