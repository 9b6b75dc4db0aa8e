"""Grade submissions with nbgrader's own API, nothing else (run in a fresh process).

``python -m benchmarks._nbgrader_direct JOB.json`` reads ``{"root", "lesson_id", "students"}``:
``root`` is an nbgrader course folder already holding ``source/<lesson_id>/`` and
``submitted/<student>/<lesson_id>/``. It generates the assignment once, autogrades each
student in turn, and prints one JSON line with the seconds each step took and the scores.

This is the reference for "the time nbgrader needs", and the fallback the grading benchmark
uses where ``course.grading.autograde`` does not exist.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

MARK = "@@NBGRADER@@"


def config_for(root: Path):
    from traitlets.config import Config

    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                                "instructor_notes*"]
    c.Execute.timeout = 300
    return c


def grade(root: Path, lesson_id: str, students: list[str]) -> dict:
    import logging

    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde, GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    log = logging.getLogger("benchmarks.nbgrader")
    log.addHandler(logging.NullHandler())
    log.propagate = False
    config = config_for(root)
    out: dict = {"students": {}}
    t0 = time.perf_counter()
    coursedir = CourseDirectory(config=config, log=log)
    coursedir.assignment_id = lesson_id
    app = GenerateAssignment(coursedir=coursedir, config=config, log=log)
    app.force, app.create_assignment = True, True
    app.start()
    out["generate_s"] = time.perf_counter() - t0
    for student in students:
        t0 = time.perf_counter()
        coursedir = CourseDirectory(config=config, log=log)
        coursedir.assignment_id = lesson_id
        coursedir.student_id = student
        app = Autograde(coursedir=coursedir, config=config, log=log)
        app.force, app.create_student = True, True
        app.start()
        seconds = time.perf_counter() - t0
        with Gradebook(config.CourseDirectory.db_url) as gb:
            sub = gb.find_submission(lesson_id, student)
            score, max_score = float(sub.score), float(sub.max_score)
            cells = [{"cell": g.name, "score": float(g.score), "max_score": float(g.max_score),
                      "autograded": g.auto_score is not None}
                     for nb in sub.notebooks for g in nb.grades]
        out["students"][student] = {"seconds": seconds, "score": score, "max_score": max_score,
                                    "cells": cells}
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    # nbgrader 0.9 runs the `alembic` command to version a new gradebook: it must be on PATH.
    bin_dir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    t0 = time.perf_counter()
    result = grade(Path(job["root"]), job["lesson_id"], list(job["students"]))
    result["total_s"] = time.perf_counter() - t0
    print(MARK + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
