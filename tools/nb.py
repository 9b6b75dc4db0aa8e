"""Build lesson notebooks with nbgrader metadata from Python (a maintainer tool).

Usage in an authoring script::

    from tools.nb import Notebook
    nb = Notebook()
    nb.md("# Lesson 01 ...")
    nb.code("import course")
    nb.solution("ex1-index", "index_2021 = ...\\n")           # autograded answer cell
    nb.tests("ex1-index-tests", "check(...)\\n", points=2)   # visible + hidden tests
    nb.written("ex5-written", "model answer + rubric", points=4)
    nb.write("lessons/01-regional-gap/01-regional-gap.ipynb")

Cells are normalised as `tools/nbclean.py` expects: no outputs, no execution counts.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}


def _src(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


class Notebook:
    """A lesson notebook under construction."""

    def __init__(self) -> None:
        self.nb = nbformat.v4.new_notebook()
        self.nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)}
        self._ids: set[str] = set()

    def _grade_id(self, grade_id: str) -> str:
        if grade_id in self._ids:
            raise ValueError(f"duplicate nbgrader grade_id {grade_id!r}")
        self._ids.add(grade_id)
        return grade_id

    def md(self, text: str) -> None:
        self.nb.cells.append(nbformat.v4.new_markdown_cell(_src(text)))

    def code(self, text: str) -> None:
        self.nb.cells.append(nbformat.v4.new_code_cell(_src(text)))

    def readonly(self, grade_id: str, text: str, *, markdown: bool = False) -> None:
        """A locked cell that nbgrader restores if a student edits it."""
        new = nbformat.v4.new_markdown_cell if markdown else nbformat.v4.new_code_cell
        cell = new(_src(text))
        cell.metadata["nbgrader"] = {
            "grade": False, "solution": False, "locked": True,
            "grade_id": self._grade_id(grade_id), "schema_version": 3,
        }
        self.nb.cells.append(cell)

    def solution(self, grade_id: str, text: str) -> None:
        """An autograded answer cell: code between BEGIN/END SOLUTION is stripped on release."""
        cell = nbformat.v4.new_code_cell(_src(text))
        cell.metadata["nbgrader"] = {
            "grade": False, "solution": True, "locked": False,
            "grade_id": self._grade_id(grade_id), "schema_version": 3,
        }
        self.nb.cells.append(cell)

    def tests(self, grade_id: str, text: str, *, points: float) -> None:
        """An autograder test cell (visible checks, then BEGIN/END HIDDEN TESTS)."""
        cell = nbformat.v4.new_code_cell(_src(text))
        cell.metadata["nbgrader"] = {
            "grade": True, "solution": False, "locked": True, "points": points,
            "grade_id": self._grade_id(grade_id), "schema_version": 3,
        }
        self.nb.cells.append(cell)

    def written(self, grade_id: str, text: str, *, points: float) -> None:
        """A manually graded markdown answer; its source (model answer + rubric) is stripped."""
        cell = nbformat.v4.new_markdown_cell(_src(text))
        cell.metadata["nbgrader"] = {
            "grade": True, "solution": True, "locked": False, "points": points,
            "grade_id": self._grade_id(grade_id), "schema_version": 3,
        }
        self.nb.cells.append(cell)

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        for index, cell in enumerate(self.nb.cells):
            cell["id"] = f"c{index:03d}"
        nbformat.validate(self.nb)
        from tools.nbclean import clean, dumps

        path.write_text(dumps(clean(dict(self.nb))), encoding="utf-8")
        return path
