"""Grade a lesson in a workspace and keep every store in step: the one call behind ``course grade``.

:func:`grade_lesson` autogrades the lesson's submissions (``_autograde``: the per-student records
in ``grades/<lesson>/``), then writes those records into the workspace's nbgrader gradebook
(``_gradebook.sync_gradebook``), and reports each student's mark as :func:`final_mark` computes
it, so the table it returns says what ``course status`` and ``course export`` will say: written
answers count as "awaiting manual grading" only while nobody has marked them.

A library user who calls ``autograde`` on the workspace's results folder directly is safe too:
``export_grades``, ``status_rows`` and ``generate_feedback`` first bring the gradebook up to date
with any record that changed since it was last written (:func:`bring_gradebook_up_to_date`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from course.grading.grade._workspace import Workspace


@dataclass
class GradeReport:
    """What :func:`grade_lesson` did: the table of results and how many students reached the gradebook."""

    lesson: str
    frame: object  # pandas.DataFrame: student, lesson, score, max_score, status, message
    synced: int
    gradebook: Path

    @property
    def review(self) -> list[str]:
        return [s for s, status in zip(self.frame["student"], self.frame["status"], strict=True)
                if status == "review"]


def grade_lesson(workspace: Workspace, lessons_dir: str | os.PathLike, lesson_id: str, *,
                 submitted: str | os.PathLike | None = None, students: list[str] | None = None,
                 force: bool = False, **limits) -> GradeReport:
    """Autograde a lesson's submissions into ``workspace`` and write the results to its gradebook.

    Parameters
    ----------
    workspace : Workspace
        Results go to ``workspace.grades``; the gradebook is ``workspace.gradebook``.
    lessons_dir : path
        The instructor sources.
    lesson_id : str
        The lesson to grade.
    submitted : path, optional
        ``<student>/<lesson>/`` folders (default ``workspace.submitted``).
    students : list of str, optional
        Only these students; only they are written to the gradebook.
    force : bool
        Regrade students already graded for this exact submission.
    **limits
        ``workers``, ``timeout_per_cell``, ``timeout_per_submission``, ``memory_mb``, ``sandbox``,
        ``quiet``: as for :func:`course.grading.autograde`.
    """
    from course.grading.grade._autograde import autograde
    from course.grading.grade._gradebook import sync_gradebook

    workspace.ensure()
    lessons_dir = Path(lessons_dir)
    frame = autograde(lesson_id, Path(submitted) if submitted else workspace.submitted,
                      lessons_dir=lessons_dir, out_dir=workspace.grades, force=force,
                      students=students, **limits)
    synced = 0
    if len(frame):
        synced = sync_gradebook(workspace, lessons_dir, lesson_id, students=list(frame["student"]))
        frame["message"] = _messages(workspace, lesson_id, frame)
    return GradeReport(lesson=lesson_id, frame=frame, synced=synced, gradebook=workspace.gradebook)


def _messages(workspace: Workspace, lesson_id: str, frame) -> list[str]:
    """Each row's message, plus the written-answer points nobody has marked yet (from final_mark)."""
    from course.grading.grade._gradebook import manual_scores
    from course.grading.grade._records import final_mark
    from course.grading.grade._workspace import load_records, load_reviews

    records = load_records(workspace, lesson_id)
    reviews = load_reviews(workspace, lesson_id)
    marks = manual_scores(workspace, lesson_id)
    out = []
    for student, message in zip(frame["student"], frame["message"], strict=True):
        record = records.get(student)
        if record is not None:
            mark = final_mark(record, marks.get(student), reviews.get(student), include_review=True)
            if mark.ungraded_points:
                note = f"{mark.ungraded_points:g} point(s) await manual grading"
                message = f"{message}; {note}" if message else note
        out.append(message)
    return out


def bring_gradebook_up_to_date(workspace: Workspace, lessons_dir: str | os.PathLike,
                               lesson_id: str) -> int:
    """Write into the gradebook every record of ``lesson_id`` changed since it was last written.

    Returns how many students were written (0 when the gradebook was already in step).
    """
    from course.grading.grade._gradebook import stale_students, sync_gradebook

    stale = stale_students(workspace, lesson_id)
    if not stale:
        return 0
    return sync_gradebook(workspace, lessons_dir, lesson_id, students=stale)
