"""Grade one submission in a private nbgrader course (run as a child process by autograde).

Usage: ``python -m course.grading._worker JOB.json``. The job names the lesson source, the
submission folder, a private work folder and where to write the result. Resource limits are applied
to this process first, so the kernel that nbgrader starts inherits them.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

CELL_TIMEOUT_ENAMES = {"CellTimeoutError"}


def apply_limits(memory_mb: int | None, cpu_seconds: int | None, file_mb: int | None) -> dict:
    """Set hard and soft rlimits on this process (inherited by the kernel); report each one."""
    report: dict[str, str] = {}
    try:
        import resource
    except ImportError:  # not a Unix system
        return {"all": "not applied: the resource module is unavailable on this system"}

    def set_limit(name: str, which: int, soft: int, hard: int, shown: str) -> None:
        try:
            _, current_hard = resource.getrlimit(which)
            if current_hard != resource.RLIM_INFINITY and current_hard < hard:
                hard = current_hard
                soft = min(soft, hard)
            resource.setrlimit(which, (soft, hard))
            got_soft, _ = resource.getrlimit(which)
            if got_soft != soft:
                report[name] = f"not applied: asked for {shown}, the system kept {got_soft}"
            else:
                report[name] = f"applied: {shown}"
        except (ValueError, OSError) as exc:
            report[name] = f"not applied: {exc}"

    if memory_mb:
        size = int(memory_mb) * 1024 * 1024
        set_limit("memory", resource.RLIMIT_AS, size, size, f"{memory_mb} MB address space")
    if cpu_seconds:
        cpu = int(cpu_seconds)
        set_limit("cpu", resource.RLIMIT_CPU, cpu, cpu + 5, f"{cpu} CPU seconds per process")
    if file_mb:
        size = int(file_mb) * 1024 * 1024
        set_limit("file_size", resource.RLIMIT_FSIZE, size, size, f"{file_mb} MB per file")
    set_limit("core_dumps", resource.RLIMIT_CORE, 0, 0, "none")
    return report


def _autograded_ids(source_nb: Path) -> set[str]:
    """grade_ids of the autograder test cells (grade cells that are not answers)."""
    nb = json.loads(source_nb.read_text(encoding="utf-8"))
    ids = set()
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            ids.add(meta.get("grade_id"))
    return ids


def _cells_with_error(autograded_dir: Path, enames: set[str]) -> list[str]:
    """Cells of the autograded notebooks whose outputs include one of these errors."""
    found = []
    for nb_path in sorted(autograded_dir.glob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for index, cell in enumerate(nb.get("cells", [])):
            for output in cell.get("outputs", []) or []:
                if output.get("output_type") == "error" and output.get("ename") in enames:
                    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                    found.append(grade_id or f"cell {index + 1}")
                    break
    return found


def _error_summary(result: dict) -> str:
    from course.grading._release import _last_error

    text = result.get("log", "") + "\n" + result.get("error", "")
    if "DeadKernelError" in text or "Kernel died" in text:
        return "the kernel died while running the notebook (it may have hit the CPU limit or crashed)"
    if "Timeout waiting for IOPub" in text or "CellTimeoutError" in text:
        return "a cell ran past the time limit and the kernel could not be interrupted"
    return _last_error(text)


def grade(job: dict) -> dict:
    """Grade the submission described by ``job`` and return the result record."""
    started = time.monotonic()
    limits = apply_limits(job.get("memory_mb"), job.get("cpu_seconds"), job.get("file_mb"))

    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde, GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    from course.grading._common import copy_lesson, nbgrader_config, prepare_nbgrader, quiet_logger

    prepare_nbgrader()
    lesson_id, student = job["lesson_id"], job["student"]
    work = Path(job["workdir"])
    copy_lesson(Path(job["lesson_dir"]), work / "source" / lesson_id)
    submitted = work / "submitted" / student / lesson_id
    # Only the submission itself: no instructor files a student might have added to their folder.
    copy_lesson(Path(job["submission_dir"]), submitted)

    config = nbgrader_config(work, timeout_per_cell=job["timeout_per_cell"])
    log = quiet_logger()
    record = {"status": "error", "score": 0.0, "max_score": None, "cells": [], "limits": limits}

    coursedir = CourseDirectory(config=config, log=log)
    coursedir.assignment_id = lesson_id
    app = GenerateAssignment(coursedir=coursedir, config=config, log=log)
    app.force, app.create_assignment = True, True
    result = capture_log(app)
    if not result["success"]:
        record["message"] = "could not prepare the lesson: " + _error_summary(result)
        return record

    coursedir = CourseDirectory(config=config, log=log)
    coursedir.assignment_id = lesson_id
    coursedir.student_id = student
    app = Autograde(coursedir=coursedir, config=config, log=log)
    app.force, app.create_student = True, True
    result = capture_log(app)
    if not result["success"]:
        summary = _error_summary(result)
        if "time limit" in summary:
            record["status"] = "timeout"
        record["message"] = "nbgrader could not grade it: " + summary
        return record

    autograded_ids = set()
    for nb in (work / "source" / lesson_id).glob("*.ipynb"):
        autograded_ids |= _autograded_ids(nb)
    with Gradebook(config.CourseDirectory.db_url) as gb:
        submission = gb.find_submission(lesson_id, student)
        cells = []
        pending = 0.0
        for notebook in submission.notebooks:
            for g in notebook.grades:
                if g.needs_manual_grade:
                    pending += float(g.max_score)
                cells.append(
                    {
                        "notebook": notebook.name,
                        "cell": g.name,
                        "score": float(g.score),
                        "max_score": float(g.max_score),
                        "autograded": g.name in autograded_ids,
                        "needs_manual_grade": bool(g.needs_manual_grade),
                    }
                )
        record["score"] = float(submission.score)
        record["max_score"] = float(submission.max_score)
        record["cells"] = sorted(cells, key=lambda c: (c["notebook"], c["cell"]))

    autograded_dir = work / "autograded" / student / lesson_id
    timed_out = _cells_with_error(autograded_dir, CELL_TIMEOUT_ENAMES)
    notes = []
    if timed_out:
        record["status"] = "timeout"
        notes.append(
            f"interrupted after {job['timeout_per_cell']} s in {', '.join(timed_out)}; "
            "the other cells were graded"
        )
    else:
        record["status"] = "ok"
    out_of_memory = _cells_with_error(autograded_dir, {"MemoryError"})
    if out_of_memory:
        notes.append(f"ran out of memory (limit {job.get('memory_mb')} MB) in {', '.join(out_of_memory)}")
    record["message"] = "; ".join(notes)
    if pending:
        note = f"{pending:g} point(s) await manual grading"
        record["message"] = f"{record['message']}; {note}" if record["message"] else note
    record["seconds_in_worker"] = round(time.monotonic() - started, 2)
    return record


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    try:
        record = grade(job)
    except Exception as exc:  # noqa: BLE001 - report any failure as this submission's error
        record = {"status": "error", "score": 0.0, "message": f"grading failed: {exc!r}"[:500]}
    tmp = Path(job["result_path"] + ".tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, job["result_path"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
