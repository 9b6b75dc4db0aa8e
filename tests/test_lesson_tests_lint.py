"""Lint of the lessons' graded test cells: every hidden assertion teaches, and no test cell
touches the student's own variables.

- Every ``assert`` in a hidden-test region carries a message in plain words (not a bare label
  such as ``_code``), and that message can be shown: it holds no hidden-test literal, solution line
  or rubric text, which the grader would otherwise replace with "A hidden test failed.".
- A comprehension variable of a test cell is read before the comprehension binds it, so the grader
  records the student's variable of that name as an answer (a student's ``c`` or ``k`` could be
  large or unrecordable): such variables start with ``_``.
- The visible part runs in the student's kernel: the names it assigns at the top level start with
  ``_``, so it never overwrites a student's variable.
"""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

import pytest
from conftest import REPO

from course.grading.grade._lesson import lesson_plan, read_names
from course.grading.releasing._content import nbgrader_delimiters, split_region, text_of

_DELIMITERS = nbgrader_delimiters()
BEGIN_HIDDEN, END_HIDDEN = _DELIMITERS.begin_hidden, _DELIMITERS.end_hidden

LESSONS = sorted(p for p in (REPO / "lessons").iterdir() if (p / f"{p.name}.ipynb").is_file())
MIN_WORDS = 5


def _test_cells(lesson: Path) -> list[tuple[str, str]]:
    nb = json.loads((lesson / f"{lesson.name}.ipynb").read_text(encoding="utf-8"))
    return [(c["metadata"]["nbgrader"]["grade_id"], text_of(c["source"])) for c in nb["cells"]
            if c["cell_type"] == "code" and c["metadata"].get("nbgrader", {}).get("grade")]


def _message_text(node: ast.expr | None) -> str:
    """The literal text of an assert message (the constant parts of an f-string)."""
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return ""


def hidden_assert_problems(source: str, reveals=lambda text: False) -> list[str]:
    """What is wrong with the asserts of one test cell's hidden region (empty if nothing).

    Examples
    --------
    >>> cell = "x = 1\\n### BEGIN HIDDEN TESTS\\nassert x == 1\\nassert x, _code\\n### END HIDDEN TESTS"
    >>> hidden_assert_problems(cell)
    ['line 3: assert x == 1 has no message', 'line 4: assert x, _code has no message in plain words']
    """
    _, inside, span = split_region(source, BEGIN_HIDDEN, END_HIDDEN)
    if span is None:
        return []
    tree = ast.parse(textwrap.dedent("\n".join(inside)))
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert):
            continue
        line = span[0] + node.lineno
        shown = ast.unparse(node).split("\n")[0][:70]
        text = _message_text(node.msg)
        if node.msg is None:
            problems.append(f"line {line}: {shown} has no message")
        elif len(text.split()) < MIN_WORDS:
            problems.append(f"line {line}: {shown} has no message in plain words")
        elif reveals(text):
            problems.append(f"line {line}: the message would reveal a hidden value: {text[:80]}")
    return problems


def recorded_comprehension_names(source: str) -> list[str]:
    """Comprehension variables without a leading ``_`` that the grader would record as answers.

    Examples
    --------
    >>> recorded_comprehension_names("assert all(isinstance(c, str) for c in moved)")
    ['c']
    >>> recorded_comprehension_names("assert all(isinstance(_c, str) for _c in moved)")
    []
    """
    tree = ast.parse(source)
    bound = {n.id for comp in ast.walk(tree) if isinstance(comp, ast.comprehension)
             for n in ast.walk(comp.target) if isinstance(n, ast.Name)}
    return sorted(name for name in set(read_names(source)) & bound if not name.startswith("_"))


def visible_assigned_names(source: str) -> list[str]:
    """Top-level names the visible part assigns (outside imports) that do not start with ``_``."""
    outside, _, _ = split_region(source, BEGIN_HIDDEN, END_HIDDEN)
    tree = ast.parse("\n".join(outside))
    names = set()
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For)):
            targets = [node.target]
        for target in targets:
            names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return sorted(n for n in names if not n.startswith("_"))


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name)
def test_every_hidden_assert_has_a_message_that_can_be_shown(lesson):
    plan = lesson_plan(lesson)
    problems = [f"{grade_id} {p}" for grade_id, source in _test_cells(lesson)
                for p in hidden_assert_problems(source, plan.reveals_secret)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name)
def test_test_cells_leave_the_students_variables_alone(lesson):
    problems = []
    for grade_id, source in _test_cells(lesson):
        for name in recorded_comprehension_names(source):
            problems.append(f"{grade_id}: the comprehension variable {name!r} would record the "
                            f"student's {name!r}; call it _{name}")
        for name in visible_assigned_names(source):
            problems.append(f"{grade_id}: the visible test assigns {name!r}, which would overwrite "
                            f"the student's {name!r}; call it _{name}")
    assert not problems, "\n".join(problems)


def test_the_lint_catches_a_bare_assert_and_a_revealing_message():
    cell = ("from course.checks import passed\ntotal = 2\n### BEGIN HIDDEN TESTS\nEXPECTED = 58.369\n"
            "assert all(isinstance(c, str) for c in x)\n"
            "assert abs(x - EXPECTED) < 1e-6, 'x should be about 58.369 in per cent here'\n"
            "### END HIDDEN TESTS")
    problems = hidden_assert_problems(cell, lambda text: "58.369" in text)
    assert problems[0].startswith("line 5: assert all(") and problems[0].endswith("has no message")
    assert "would reveal a hidden value" in problems[1]
    assert recorded_comprehension_names(cell) == ["c"]
    assert visible_assigned_names(cell) == ["total"]
