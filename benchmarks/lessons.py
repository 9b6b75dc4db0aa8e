"""Lessons against the floor: Run-All time and kernel peak memory, median of N fresh kernels."""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from benchmarks.kernel import run_notebook
from benchmarks.stats import median, ratio

FLOOR_ID = "floor"
FLOOR_SOURCE = "import pandas as pd\nimport altair as alt\nimport ipywidgets as ipw"


def floor_notebook() -> nbformat.NotebookNode:
    """The floor of DESIGN.md: a fresh kernel that only imports pandas, altair and ipywidgets."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@dataclass(frozen=True)
class Lesson:
    lesson_id: str
    notebook: Path

    @property
    def folder(self) -> Path:
        return self.notebook.parent


def _instructor_only() -> list[str]:
    """The patterns the release leaves out (from course.grading, with a fallback of our own)."""
    try:
        from course.grading import INSTRUCTOR_ONLY
    except ImportError:
        return ["instructor_notes*", "instructor-notes*", "*.instructor.*", "solution", "solutions"]
    return list(INSTRUCTOR_ONLY)


def _skip(name: str) -> bool:
    import fnmatch

    return name.startswith((".", "_")) or any(
        fnmatch.fnmatch(name.lower(), p.lower()) for p in _instructor_only()
    )


def discover(lessons_dir: str | Path) -> list[Lesson]:
    """Every source notebook of every lesson folder (``lessons/<id>/*.ipynb``), sorted."""
    root = Path(lessons_dir)
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not _skip(p.name)):
        for nb_path in sorted(folder.glob("*.ipynb")):
            if not _skip(nb_path.name):
                lesson_id = folder.name if nb_path.stem == folder.name else f"{folder.name}/{nb_path.stem}"
                found.append(Lesson(lesson_id, nb_path))
    return found


#: Seconds one cell may take. No lesson cell needs more; it also bounds the rare hang where the
#: client never sees a cell's reply (an ipykernel 7 / nbclient message loss, see run_with_retry).
CELL_TIMEOUT = 120


def run_once(lesson: Lesson | None, *, timeout: int = CELL_TIMEOUT) -> tuple[dict, nbformat.NotebookNode]:
    """Run-All of one lesson (or the floor, for None) in a temporary copy of its folder."""
    with tempfile.TemporaryDirectory(prefix="pp-bench-lesson-") as tmp:
        work = Path(tmp) / "work"
        if lesson is None:
            work.mkdir()
            nb = floor_notebook()
        else:
            shutil.copytree(lesson.folder, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            nb = nbformat.read(lesson.notebook, as_version=4)
        run = run_notebook(nb, work, timeout=timeout)
    return run.as_dict(), run.nb


def _summarise(runs: list[dict]) -> dict:
    ok = [r for r in runs if "error" not in r]
    out: dict = {"runs": runs, "n": len(ok)}
    if ok:
        for key in ("run_s", "cpu_s", "startup_s", "peak_rss_kb", "pss_kb_end"):
            values = [r[key] for r in ok if r.get(key) is not None]
            out[f"median_{key}"] = median(values) if values else None
            out[f"min_{key}"] = min(values) if values else None
            out[f"max_{key}"] = max(values) if values else None
    if len(ok) < len(runs):
        out["error"] = next(r["error"] for r in runs if "error" in r)
    out["retries"] = sum(1 for r in runs if r.get("retried_after_timeout"))
    return out


def _first_line(cell) -> str:
    lines = [ln for ln in "".join(cell.source).splitlines() if ln.strip()]
    text = lines[0].strip() if lines else ""
    return text if len(text) <= 60 else text[:57] + "..."


def where_it_goes(lesson: Lesson, runs: list[dict], top: int = 3) -> dict:
    """The slowest code cells (median over runs) and the largest rises of the kernel's peak
    memory (first run), each with the cell's first line."""
    ok = [r for r in runs if r.get("cells")]
    if not ok:
        return {}
    nb = nbformat.read(lesson.notebook, as_version=4)
    by_index: dict[int, list[float]] = {}
    for r in ok:
        for c in r["cells"]:
            by_index.setdefault(c["index"], []).append(c["s"])
    slow = sorted(((median(v), i) for i, v in by_index.items()), reverse=True)[:top]
    steps, previous = [], None
    for c in ok[0]["cells"]:
        if previous is not None and c.get("hwm_kb") is not None:
            steps.append(((c["hwm_kb"] - previous) / 1024, c["index"]))
        previous = c.get("hwm_kb", previous)
    big = sorted((s for s in steps if s[0] >= 5), reverse=True)[:2]
    return {
        "slowest_cells": [{"index": i, "s": s, "first_line": _first_line(nb.cells[i])} for s, i in slow],
        "memory_steps": [{"index": i, "mib": m, "first_line": _first_line(nb.cells[i])} for m, i in big],
    }


def is_timeout(exc: BaseException) -> bool:
    """A cell that never finished (nbclient's CellTimeoutError, or a plain TimeoutError)."""
    return isinstance(exc, TimeoutError) or "Timeout" in type(exc).__name__


def run_with_retry(lesson: Lesson | None, *, run=run_once, log=print) -> tuple[dict, nbformat.NotebookNode | None]:
    """One run; if a cell times out, one more run in a new kernel, and the record says so.

    On this machine a cell occasionally never completes although the kernel sits idle: its reply
    is lost between ipykernel 7 and nbclient. That is the harness's problem, not the lesson's;
    a second timeout is reported as an error.
    """
    try:
        return run(lesson)
    except Exception as exc:  # noqa: BLE001 - a broken lesson is reported, not fatal
        if not is_timeout(exc):
            return {"error": _error_text(exc)}, None
        log(f"  lessons: a cell did not finish ({type(exc).__name__}); running again in a new kernel")
    try:
        result, nb = run(lesson)
        result["retried_after_timeout"] = True
        return result, nb
    except Exception as exc:  # noqa: BLE001
        return {"error": _error_text(exc), "retried_after_timeout": True}, None


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip()
    last = text.splitlines()[-1] if text else ""
    return f"{type(exc).__name__}: {last}"[:300]


def bench(lessons: list[Lesson], repeat: int, *, log=print, keep_executed: dict | None = None) -> dict:
    """Run the floor and every lesson ``repeat`` times, interleaved so that a change in the
    machine's load during the run falls on all of them alike; return medians and ratios."""
    items: list[Lesson | None] = [None, *lessons]
    runs: dict[str, list[dict]] = {FLOOR_ID: []} | {les.lesson_id: [] for les in lessons}
    for round_ in range(repeat):
        for item in items:
            key = FLOOR_ID if item is None else item.lesson_id
            result, executed = run_with_retry(item, log=log)
            if (executed is not None and keep_executed is not None and key != FLOOR_ID
                    and key not in keep_executed):
                keep_executed[key] = executed
            runs[key].append(result)
            shown = (f"{result['run_s']:.2f} s, peak {result['peak_rss_kb'] / 1024:.0f} MiB"
                     if "error" not in result else result["error"])
            log(f"  lessons: round {round_ + 1}/{repeat} {key}: {shown}")
    floor = _summarise(runs[FLOOR_ID])
    out = {"floor": floor, "lessons": {}}
    for lesson in lessons:
        s = _summarise(runs[lesson.lesson_id])
        s["notebook"] = lesson.notebook.name
        s.update(where_it_goes(lesson, runs[lesson.lesson_id]))
        s["time_ratio"] = ratio(s.get("median_run_s"), floor.get("median_run_s"))
        s["cpu_ratio"] = ratio(s.get("median_cpu_s"), floor.get("median_cpu_s"))
        s["memory_ratio"] = ratio(s.get("median_peak_rss_kb"), floor.get("median_peak_rss_kb"))
        out["lessons"][lesson.lesson_id] = s
    return out


if __name__ == "__main__":  # a quick look: python -m benchmarks.lessons lessons/01-regional-gap
    for arg in sys.argv[1:]:
        print(arg, run_once(Lesson(Path(arg).name, next(Path(arg).glob("*.ipynb"))))[0])
