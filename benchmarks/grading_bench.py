"""Grading: seconds per submission, against nbgrader's time for a trivial notebook, and the
parallel speed-up from one worker to two.

Every submission is a copy of the instructor's own source notebook (solutions in place), so each
should score full marks; the benchmark says so when one does not. Grading goes through
``course.grading.autograde`` (one private nbgrader course and one limited process per
submission) when it exists, else through nbgrader's API directly.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from benchmarks.stats import median, ratio

TRIVIAL_ID = "trivial"
TRIVIAL_FLOOR_ID = "trivial-floor"


def trivial_notebook(floor_imports: bool = False) -> nbformat.NotebookNode:
    """An nbgrader assignment with one answer cell and one autograded test cell.

    With ``floor_imports`` it first imports pandas, altair and ipywidgets, as the lessons' floor
    does, so that a lesson can be compared with a notebook that pays the same library imports.
    """
    answer = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION")
    answer.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False,
                                   "grade_id": "answer", "schema_version": 3}
    test = nbformat.v4.new_code_cell("assert answer == 42")
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 1,
                                 "grade_id": "answer-test", "schema_version": 3}
    cells = [answer, test]
    if floor_imports:
        from benchmarks.lessons import FLOOR_SOURCE

        cells.insert(0, nbformat.v4.new_code_cell(FLOOR_SOURCE))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    return nb


def write_trivial_lesson(lessons_dir: Path, *, floor_imports: bool = False) -> Path:
    lesson_id = TRIVIAL_FLOOR_ID if floor_imports else TRIVIAL_ID
    folder = Path(lessons_dir) / lesson_id
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(trivial_notebook(floor_imports), folder / f"{lesson_id}.ipynb")
    return folder


def _ignore(_dir: str, names: list[str]) -> list[str]:
    """Instructor-only files and editor debris: never part of a submission."""
    import fnmatch

    from benchmarks.lessons import _instructor_only

    patterns = [*_instructor_only(), ".ipynb_checkpoints", "__pycache__", "*.pyc", ".DS_Store"]
    return [n for n in names if any(fnmatch.fnmatch(n.lower(), p.lower()) for p in patterns)]


SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def solved_release(release_nb: nbformat.NotebookNode,
                   source_nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """What a student who typed the instructor's answers would submit: the release notebook,
    with each code answer cell holding the source's code between the solution markers."""
    answers = {}
    for cell in source_nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and meta.get("grade_id"):
            lines = [ln for ln in cell.source.splitlines() if ln.strip() not in SOLUTION_MARKERS]
            answers[meta["grade_id"]] = "\n".join(lines)
    out = nbformat.from_dict(release_nb)
    for cell in out.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade_id") in answers:
            cell.source = answers[meta["grade_id"]]
    return out


def release_notebooks(lesson_dir: Path, work: Path) -> dict[str, Path]:
    """The student version of a lesson's notebooks (``course.grading.release``), by file name;
    empty where the release cannot be made (then submissions are copies of the source)."""
    try:
        from course.grading import release
    except ImportError:
        return {}
    try:
        folders = release(lesson_dir.parent, work / "release", [lesson_dir.name])
    except Exception:  # noqa: BLE001 - fall back on copies of the source
        return {}
    return {p.name: p for folder in folders for p in folder.glob("*.ipynb")}


def make_class(lesson_dir: Path, submitted_dir: Path, n: int, prefix: str = "s", *,
               released: dict[str, Path] | None = None) -> list[str]:
    """``n`` submissions of the lesson folder (without instructor-only files). Each notebook
    with a release is the release answered with the instructor's code (:func:`solved_release`);
    without one, it is a copy of the source."""
    students = [f"{prefix}{i:03d}" for i in range(1, n + 1)]
    solved = {}
    for name, path in (released or {}).items():
        source = lesson_dir / name
        if source.exists():
            solved[name] = solved_release(nbformat.read(path, as_version=4),
                                          nbformat.read(source, as_version=4))
    for student in students:
        dest = Path(submitted_dir) / student / lesson_dir.name
        shutil.copytree(lesson_dir, dest, ignore=_ignore)
        for name, nb in solved.items():
            nbformat.write(nb, dest / name)
    return students


def have_course_autograde() -> bool:
    try:
        from course.grading import autograde  # noqa: F401
    except ImportError:
        return False
    return True


def grade_with_course(lesson_id: str, lessons_dir: Path, submitted_dir: Path, out_dir: Path,
                      workers: int) -> dict:
    """Grade a class with ``course.grading.autograde``; wall time and per-submission seconds."""
    from course.grading import autograde

    t0 = time.perf_counter()
    frame = autograde(lesson_id, submitted_dir, lessons_dir=lessons_dir, out_dir=out_dir,
                      workers=workers, force=True, quiet=True)
    wall = time.perf_counter() - t0
    per = {}
    for student in frame["student"]:
        record = json.loads((Path(out_dir) / lesson_id / f"{student}.json").read_text())
        per[student] = {"seconds": record.get("seconds"), "status": record.get("status"),
                        "cells_seconds": record.get("cells_seconds"),
                        "score": record.get("score"), "max_score": record.get("max_score"),
                        "message": record.get("message", ""),
                        "autograded_full": autograded_full(record)}
    return {"engine": "course.grading.autograde", "workers": workers, "wall_s": wall,
            "students": per}


def grade_with_nbgrader(lesson_id: str, lessons_dir: Path, submitted_dir: Path, work: Path) -> dict:
    """Grade a class with nbgrader's API alone, one after another, in a fresh process."""
    root = Path(work) / "nbgrader-course"
    shutil.copytree(Path(lessons_dir) / lesson_id, root / "source" / lesson_id, ignore=_ignore)
    students = sorted(p.name for p in Path(submitted_dir).iterdir() if p.is_dir())
    for student in students:
        shutil.copytree(Path(submitted_dir) / student / lesson_id,
                        root / "submitted" / student / lesson_id)
    job = Path(work) / "job.json"
    job.write_text(json.dumps({"root": str(root), "lesson_id": lesson_id, "students": students}))
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "benchmarks._nbgrader_direct", str(job)],
                         capture_output=True, text=True, timeout=3600, cwd=work)
    wall = time.perf_counter() - t0
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("@@NBGRADER@@")), None)
    if line is None:
        raise RuntimeError(f"nbgrader grading failed: {out.stderr.strip()[-400:]}")
    result = json.loads(line[len("@@NBGRADER@@"):])
    for rec in result["students"].values():
        rec["status"] = "ok"
    return {"engine": "nbgrader API", "workers": 1, "wall_s": wall,
            "generate_s": result["generate_s"], "students": result["students"]}


def autograded_full(record: dict) -> bool:
    """Whether a graded submission got every autograded point (written answers await a person).

    Uses the per-cell grades where the record has them, else the total score.
    """
    if record.get("status") != "ok":
        return False
    cells = record.get("cells")
    if cells:
        return all(c["score"] >= c["max_score"] for c in cells if c.get("autograded"))
    score, max_score = record.get("score"), record.get("max_score")
    return score is not None and max_score is not None and score >= max_score


def summarise_class(result: dict) -> dict:
    per = result["students"]
    seconds = [r["seconds"] for r in per.values() if r.get("seconds") is not None]
    # What the pipeline costs beyond running the notebook's cells (kernel start, nbgrader's
    # pre- and post-processing, the checker): seconds less the cells' own run time.
    timed = [r for r in per.values()
             if r.get("seconds") is not None and r.get("cells_seconds") is not None]
    overheads = [r["seconds"] - r["cells_seconds"] for r in timed]
    cells = [r["cells_seconds"] for r in timed]
    not_full = sorted(s for s, r in per.items()
                      if not r.get("autograded_full", autograded_full(r)))
    return {
        "engine": result["engine"],
        "workers": result["workers"],
        "submissions": len(per),
        "wall_s": result["wall_s"],
        "median_s_per_submission": median(seconds) if seconds else None,
        "median_overhead_s": median(overheads) if overheads else None,
        "median_cells_s": median(cells) if cells else None,
        "seconds": seconds,
        "not_full_marks": not_full,
        "messages": sorted({r.get("message") for r in per.values() if r.get("message")})[:3],
    }


def grade_class(lesson_dir: Path, n: int, *, workers: int = 1, engine: str = "auto") -> dict:
    """Make a class of ``n`` copies of a lesson's source and grade it; summarise."""
    lesson_id = lesson_dir.name
    with tempfile.TemporaryDirectory(prefix="pp-bench-grade-") as tmp:
        tmp = Path(tmp)
        lessons_dir = tmp / "lessons"
        shutil.copytree(lesson_dir, lessons_dir / lesson_id)
        submitted = tmp / "submitted"
        released = release_notebooks(lessons_dir / lesson_id, tmp)
        make_class(lessons_dir / lesson_id, submitted, n, released=released)
        if engine == "nbgrader" or (engine == "auto" and not have_course_autograde()):
            result = grade_with_nbgrader(lesson_id, lessons_dir, submitted, tmp)
        else:
            result = grade_with_course(lesson_id, lessons_dir, submitted, tmp / "out", workers)
    summary = summarise_class(result)
    summary["submissions_from"] = "release answered with the source's code" if released else "source copies"
    return summary


def speedup(folder: Path, class_size: int, *, pairs: int = 2, grade=None, log=print) -> dict:
    """Wall time of a class graded with 1 worker and with 2, in pairs run in alternating order
    (1, 2, then 2, 1, ...) so that a change in the machine's load does not favour either; the
    speed-up is the ratio of the medians."""
    grade = grade or (lambda workers: grade_class(folder, class_size, workers=workers))
    walls: dict[int, list[float]] = {1: [], 2: []}
    not_full: set[str] = set()
    for i in range(pairs):
        for workers in ((1, 2) if i % 2 == 0 else (2, 1)):
            result = grade(workers)
            walls[workers].append(result["wall_s"])
            not_full |= set(result.get("not_full_marks", []))
    one, two = median(walls[1]), median(walls[2])
    out = {"lesson": folder.name, "class_size": class_size, "pairs": pairs,
           "workers_1_s": one, "workers_2_s": two, "workers_1_runs": walls[1],
           "workers_2_runs": walls[2], "speedup": ratio(one, two), "not_full_marks": sorted(not_full)}
    log(f"  grading: {class_size} x {folder.name}: {one:.1f} s with 1 worker, {two:.1f} s with 2 "
        f"(speed-up {out['speedup']:.2f}x, median of {pairs})")
    return out


def bench(lessons: list, repeat: int, *, class_size: int = 4, speedup_pairs: int = 2,
          log=print) -> dict:
    """Per-lesson seconds per submission (median over ``repeat`` submissions graded one at a
    time), the trivial notebook through the same pipeline and through nbgrader alone, and the
    speed-up of ``class_size`` submissions from one worker to two for a typical lesson."""
    out: dict = {"engine": "course.grading.autograde" if have_course_autograde() else "nbgrader API",
                 "lessons": {}}
    with tempfile.TemporaryDirectory(prefix="pp-bench-trivial-") as tmp:
        trivial_dir = write_trivial_lesson(Path(tmp))
        out["trivial"] = grade_class(trivial_dir, repeat)
        log(f"  grading: trivial notebook ({out['engine']}): "
            f"{out['trivial']['median_s_per_submission']:.2f} s per submission")
        out["trivial_nbgrader_api"] = grade_class(trivial_dir, repeat, engine="nbgrader")
        log(f"  grading: trivial notebook (nbgrader API alone): "
            f"{out['trivial_nbgrader_api']['median_s_per_submission']:.2f} s per submission")
        floor_dir = write_trivial_lesson(Path(tmp), floor_imports=True)
        out["trivial_floor"] = grade_class(floor_dir, repeat)
        log(f"  grading: trivial notebook importing pandas, altair, ipywidgets: "
            f"{out['trivial_floor']['median_s_per_submission']:.2f} s per submission")
    floor = out["trivial"]["median_s_per_submission"]
    floor_api = out["trivial_nbgrader_api"]["median_s_per_submission"]
    floor_imports = out["trivial_floor"]["median_s_per_submission"]
    seen_folders = set()
    for lesson in lessons:
        if lesson.folder in seen_folders:  # a lesson with several notebooks is graded once
            continue
        seen_folders.add(lesson.folder)
        try:
            s = grade_class(lesson.folder, repeat)
        except Exception as exc:  # noqa: BLE001
            s = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        s["ratio"] = ratio(s.get("median_s_per_submission"), floor)
        s["ratio_to_nbgrader_api"] = ratio(s.get("median_s_per_submission"), floor_api)
        s["ratio_to_trivial_floor"] = ratio(s.get("median_s_per_submission"), floor_imports)
        s["overhead_ratio"] = ratio(s.get("median_overhead_s"),
                                    out["trivial"].get("median_overhead_s"))
        out["lessons"][lesson.folder.name] = s
        shown = (f"{s['median_s_per_submission']:.2f} s per submission"
                 if "error" not in s else s["error"])
        log(f"  grading: {lesson.folder.name}: {shown}")
    # Speed-up on a typical lesson: the one whose time per submission is the median.
    timed = sorted((s["median_s_per_submission"], lid) for lid, s in out["lessons"].items()
                   if s.get("median_s_per_submission") is not None)
    if timed:
        lesson_id = timed[(len(timed) - 1) // 2][1]
        folder = next(les.folder for les in lessons if les.folder.name == lesson_id)
        out["speedup"] = speedup(folder, class_size, pairs=speedup_pairs, log=log)
    return out
