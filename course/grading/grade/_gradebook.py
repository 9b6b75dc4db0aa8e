"""Keep nbgrader's gradebook in the workspace in step with ``course grade``'s results.

Grading happens in private courses, one per submission; afterwards this module writes, serially,
into the workspace's ``gradebook.db`` what nbgrader's own tools need: the lesson (from its real
source, by nbgrader's GenerateAssignment), each student, each submission with its timestamp, the
autograded score of every test cell, and ``flagged`` for submissions awaiting review. The notebook
the instructor should see goes to ``autograded/<student>/<lesson>/``. Manual marks (formgrader, or
``course written --import``) live in the same gradebook and are never overwritten by a regrade.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import warnings
from pathlib import Path

from course.grading.grade._collect import format_timestamp, read_timestamp
from course.grading.grade._records import ManualMarks
from course.grading.grade._workspace import Workspace, load_records, private_dir, write_private
from course.grading.releasing._lessons import GradingError, check_lesson_ids, copy_lesson
from course.grading.releasing._nbgrader import generate_assignment, nbgrader_config


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


def _names(workspace: Workspace) -> dict:
    """Roster entries by student id (empty without a readable roster)."""
    from course.grading.grade._collect import CollectError, read_roster

    if not workspace.roster.is_file():
        return {}
    try:
        return {s.student_id: s for s in read_roster(workspace.roster)}
    except CollectError:
        return {}


def student_fields(person) -> dict:
    """nbgrader's student columns from a roster entry (formgrader shows "last_name, first_name").

    Without separate first and last names in the roster, the last word of the name is taken as the
    family name; a one-word name is the family name alone.

    Examples
    --------
    >>> from course.grading.grade._collect import Student
    >>> student_fields(Student("ab1", "Ada King Byron", "ada@example.ac.uk", "1001"))
    {'email': 'ada@example.ac.uk', 'lms_user_id': '1001', 'first_name': 'Ada King', 'last_name': 'Byron'}
    >>> student_fields(Student("pl1", "Plato"))
    {'first_name': '', 'last_name': 'Plato'}
    """
    first = getattr(person, "first_name", "") or ""
    last = getattr(person, "last_name", "") or ""
    if not (first or last):
        words = (person.name or "").split()
        first, last = " ".join(words[:-1]), (words[-1] if words else "")
    out = {"email": person.email or None, "lms_user_id": person.lms_id or None}
    if first or last:  # both set (one may be empty), so formgrader never shows "None"
        out.update(first_name=first, last_name=last)
    return {k: v for k, v in out.items() if v is not None}


def sync_gradebook(workspace: Workspace, lessons_dir: str | Path, lesson_id: str,
                   students: list[str] | None = None) -> int:
    """Write ``course grade``'s records for a lesson into the workspace gradebook; return how many.

    The gradebook is derived from the records (and the roster's names): each student's autograded
    scores, which written answers wait for a mark, the review flag and the submission time. Marks a
    person gave (formgrader, ``course written --import``) are kept. Only ``students`` when given.
    """
    from nbgrader.api import Gradebook, MissingEntry

    lessons_dir = Path(lessons_dir).resolve()
    (lesson_id,) = check_lesson_ids(lessons_dir, [lesson_id])
    results = workspace.grades / lesson_id
    if not results.is_dir():
        return 0
    ensure_assignment(workspace, lessons_dir, lesson_id)
    records = [record for record in load_records(workspace, lesson_id).values()
               if students is None or record.student in students]
    roster = _names(workspace)
    count = 0
    with warnings.catch_warnings(), Gradebook(workspace.db_url) as gb:
        # nbgrader's add_submission triggers harmless SQLAlchemy autoflush warnings.
        warnings.simplefilter("ignore")
        for record in records:
            student = record.student
            person = roster.get(student)
            gb.update_or_create_student(student, **(student_fields(person) if person else {}))
            when = read_timestamp(workspace.submitted / student / lesson_id)
            kwargs = {"timestamp": format_timestamp(when)} if when else {}
            try:
                submission = gb.find_submission(lesson_id, student)
                if kwargs:
                    gb.update_or_create_submission(lesson_id, student, **kwargs)
            except MissingEntry:
                submission = gb.add_submission(lesson_id, student, **kwargs)
            by_cell = {(c.notebook, c.cell): c for c in record.cells}
            for notebook in submission.notebooks:
                notebook.flagged = record.status == "review"
                for grade in notebook.grades:
                    cell = by_cell.get((notebook.name, grade.name))
                    if cell is None:
                        continue
                    if cell.autograded:
                        new = cell.score
                    elif cell.needs_manual_grade:
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
                    if cell is not None and not cell.autograded:
                        comment.auto_comment = "No response." if not cell.needs_manual_grade else None
            gb.db.commit()
            _copy_notebooks(workspace, results, lesson_id, student)
            count += 1
    _remember_synced(workspace, lesson_id, [r.student for r in records])
    return count


SYNC_STATE = ".gradebook-sync"  # in grades/<lesson>/: {student: sha256 of the record last written}


def _record_digests(workspace: Workspace, lesson_id: str) -> dict[str, str]:
    folder = workspace.grades / lesson_id
    digests = {}
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            if path.name != "reviews.json" and path.is_file() and not path.is_symlink():
                digests[path.stem] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def _synced(workspace: Workspace, lesson_id: str) -> dict[str, str]:
    try:
        data = json.loads((workspace.grades / lesson_id / SYNC_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _remember_synced(workspace: Workspace, lesson_id: str, students: list[str]) -> None:
    state = _synced(workspace, lesson_id)
    current = _record_digests(workspace, lesson_id)
    for student in students:
        if student in current:
            state[student] = current[student]
    state = {s: d for s, d in state.items() if s in current}
    write_private(workspace.grades / lesson_id / SYNC_STATE, json.dumps(state, indent=1, sort_keys=True) + "\n")


def stale_students(workspace: Workspace, lesson_id: str) -> list[str]:
    """Students whose record of ``lesson_id`` changed since the gradebook was last written."""
    state = _synced(workspace, lesson_id)
    return [s for s, digest in _record_digests(workspace, lesson_id).items() if state.get(s) != digest]


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


def manual_scores(workspace: Workspace, lesson_id: str) -> dict[str, ManualMarks]:
    """The marks people gave in the gradebook, by student: ``{notebook/cell: points}`` and comments.

    Only marks a person entered count (``manual_score``); autograded scores come from the records.
    """
    from nbgrader.api import Gradebook, MissingEntry

    out: dict[str, ManualMarks] = {}
    if not workspace.gradebook.is_file():
        return out
    with Gradebook(workspace.db_url) as gb:
        try:
            assignment = gb.find_assignment(lesson_id)
        except MissingEntry:
            return out
        for submission in assignment.submissions:
            scores, comments = {}, {}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.manual_score is not None:
                        scores[f"{notebook.name}/{grade.name}"] = float(grade.manual_score)
                for comment in notebook.comments:
                    if comment.manual_comment:
                        comments[f"{notebook.name}/{comment.name}"] = comment.manual_comment
            out[submission.student.id] = ManualMarks(scores=scores, comments=comments)
    return out
