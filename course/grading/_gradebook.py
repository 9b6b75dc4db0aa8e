"""Keep nbgrader's gradebook in the workspace in step with ``course grade``'s results.

Grading happens in private courses, one per submission; afterwards this module writes, serially,
into the workspace's ``gradebook.db`` what nbgrader's own tools need: the lesson (from its real
source, by nbgrader's GenerateAssignment), each student, each submission with its timestamp, the
autograded score of every test cell, and ``flagged`` for submissions awaiting review. The notebook
the instructor should see goes to ``autograded/<student>/<lesson>/``. Manual marks (formgrader, or
``course written --import``) live in the same gradebook and are never overwritten by a regrade.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path

from course.grading._collect import format_timestamp, read_timestamp
from course.grading._common import (
    GradingError,
    check_lesson_ids,
    copy_lesson,
    generate_assignment,
    nbgrader_config,
)
from course.grading._workspace import Workspace, load_records, private_dir, write_private


def ensure_assignment(workspace: Workspace, lessons_dir: Path, lesson_id: str) -> None:
    """Add (or update) the lesson, its notebooks and cells in the workspace gradebook."""
    workspace.ensure()
    with tempfile.TemporaryDirectory(prefix="pp-gradebook-") as tmp:
        tmp = Path(tmp)
        copy_lesson(lessons_dir / lesson_id, tmp / "source" / lesson_id)
        config = nbgrader_config(tmp)
        config.CourseDirectory.db_url = workspace.db_url
        detail = generate_assignment(config, lesson_id)
        if detail is not None:
            raise GradingError(f"nbgrader could not add {lesson_id!r} to the gradebook: {detail}")
    workspace.gradebook.chmod(0o600)


def sync_gradebook(workspace: Workspace, lessons_dir: str | Path, lesson_id: str,
                   students: list[str] | None = None) -> int:
    """Write ``course grade``'s results for a lesson into the workspace gradebook; return how many."""
    from nbgrader.api import Gradebook, MissingEntry

    lessons_dir = Path(lessons_dir).resolve()
    (lesson_id,) = check_lesson_ids(lessons_dir, [lesson_id])
    results = workspace.grades / lesson_id
    if not results.is_dir():
        return 0
    ensure_assignment(workspace, lessons_dir, lesson_id)
    records = [record for record in load_records(workspace, lesson_id).values()
               if students is None or record.get("student") in students]
    count = 0
    with warnings.catch_warnings(), Gradebook(workspace.db_url) as gb:
        # nbgrader's add_submission triggers harmless SQLAlchemy autoflush warnings.
        warnings.simplefilter("ignore")
        for record in records:
            student = record["student"]
            gb.update_or_create_student(student)
            when = read_timestamp(workspace.submitted / student / lesson_id)
            kwargs = {"timestamp": format_timestamp(when)} if when else {}
            try:
                submission = gb.find_submission(lesson_id, student)
                if kwargs:
                    gb.update_or_create_submission(lesson_id, student, **kwargs)
            except MissingEntry:
                submission = gb.add_submission(lesson_id, student, **kwargs)
            by_cell = {(c["notebook"], c["cell"]): c for c in record.get("cells") or []}
            for notebook in submission.notebooks:
                notebook.flagged = record.get("status") == "review"
                for grade in notebook.grades:
                    cell = by_cell.get((notebook.name, grade.name))
                    if cell is None:
                        continue
                    if cell.get("autograded"):
                        new = float(cell["score"])
                    elif cell.get("needs_manual_grade"):
                        new = None
                    else:
                        new = 0.0  # written answer left empty: nbgrader's "No response."
                    if grade.auto_score != new:
                        grade.auto_score = new
                        grade.needs_manual_grade = grade.manual_score is not None or new is None
                    elif new is None and grade.manual_score is None:
                        grade.needs_manual_grade = True
                for comment in notebook.comments:
                    cell = by_cell.get((notebook.name, comment.name))
                    if cell is not None and not cell.get("autograded"):
                        comment.auto_comment = "No response." if not cell.get("needs_manual_grade") else None
            gb.db.commit()
            _copy_notebooks(workspace, results, lesson_id, student)
            count += 1
    return count


def _copy_notebooks(workspace: Workspace, results: Path, lesson_id: str, student: str) -> None:
    source = results / "notebooks" / student
    target = workspace.autograded / student / lesson_id
    if target.exists():
        shutil.rmtree(target)
    if not source.is_dir():
        return
    private_dir(target)
    for nb in sorted(source.glob("*.ipynb")):
        write_private(target / nb.name, nb.read_bytes())


def manual_scores(workspace: Workspace, lesson_id: str) -> dict[str, dict]:
    """{student: {"scores": {cell: score}, "manual": {cell: manual score}, "ungraded": points}}."""
    from nbgrader.api import Gradebook, MissingEntry

    out: dict[str, dict] = {}
    if not workspace.gradebook.is_file():
        return out
    with Gradebook(workspace.db_url) as gb:
        try:
            assignment = gb.find_assignment(lesson_id)
        except MissingEntry:
            return out
        for submission in assignment.submissions:
            entry = {"scores": {}, "manual": {}, "ungraded": 0.0, "comments": {}}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    key = f"{notebook.name}/{grade.name}"
                    entry["scores"][key] = float(grade.score)
                    if grade.manual_score is not None:
                        entry["manual"][key] = float(grade.manual_score)
                    elif grade.auto_score is None:
                        entry["ungraded"] += float(grade.max_score)
                for comment in notebook.comments:
                    if comment.manual_comment:
                        entry["comments"][f"{notebook.name}/{comment.name}"] = comment.manual_comment
            out[submission.student.id] = entry
    return out
