"""Notebook sizes in bytes: the instructor source, the student release, and executed.

"Executed" is the notebook with its cell outputs, as JupyterLab saves it by default; "widget
state" is what saving the widget state as well would add (it holds every chart's embedded data
and, for offline charts, Vega's JavaScript).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import nbformat


def executed_bytes(nb: nbformat.NotebookNode) -> tuple[int, int]:
    """Bytes of an executed notebook without and with its saved widget state."""
    with_state = nbformat.from_dict(nb)
    without = nbformat.from_dict(nb)
    without.metadata.pop("widgets", None)
    return len(nbformat.writes(without).encode()), len(nbformat.writes(with_state).encode())


def release_bytes(lessons_dir: Path, lesson_ids: list[str]) -> dict[str, dict[str, int] | str]:
    """Bytes of each released notebook, by lesson id (an error message where release failed)."""
    from course.grading import release

    out: dict[str, dict[str, int] | str] = {}
    with tempfile.TemporaryDirectory(prefix="pp-bench-release-") as tmp:
        for lesson_id in lesson_ids:
            try:
                folders = release(lessons_dir, Path(tmp) / "release", [lesson_id])
            except Exception as exc:  # noqa: BLE001 - one bad lesson must not hide the rest
                out[lesson_id] = f"release failed: {type(exc).__name__}"
                continue
            out[lesson_id] = {p.name: p.stat().st_size for f in folders for p in f.glob("*.ipynb")}
    return out


def bench(lessons: list, executed: dict, *, lessons_dir: Path, log=print) -> dict:
    """Sizes for every lesson notebook; ``executed`` maps lesson id -> an executed notebook."""
    folders = sorted({les.folder.name for les in lessons})
    released = release_bytes(lessons_dir, folders)
    out = {}
    for les in lessons:
        row: dict = {"source": les.notebook.stat().st_size}
        rel = released.get(les.folder.name)
        row["release"] = rel.get(les.notebook.name) if isinstance(rel, dict) else None
        if isinstance(rel, str):
            row["release_error"] = rel
        nb = executed.get(les.lesson_id)
        if nb is not None:
            row["executed"], row["executed_with_widget_state"] = executed_bytes(nb)
            row["outputs"] = sum(len(json.dumps(c.get("outputs", []))) for c in nb.cells)
        out[les.lesson_id] = row
        log(f"  sizes: {les.lesson_id}: " + ", ".join(f"{k} {v}" for k, v in row.items()))
    return out
