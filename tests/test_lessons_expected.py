"""The literal expected values embedded in hidden tests still match the datasets.

Hidden tests compare a student's answer with a value fixed when the lesson was written, e.g.::

    EXPECTED_INDEX_2019 = {...}  # expected: 01-regional-gap/index_2019

(never recomputed through ``course`` inside the student's kernel, which the student controls).
For every such line, ``tests/expected/lessonNN.py`` holds a function that recomputes the value from
the current datasets with ``course``. When ONS publishes a new vintage and a dataset is refreshed,
this test names every hidden-test value that must be regenerated (see datasets/REFRESH.md).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import math
import re

import pytest
from conftest import REPO

MARKER = re.compile(r"^(?P<lhs>[A-Z_][A-Z0-9_]*)\s*=\s*(?P<rhs>.+?)\s*#\s*expected:\s*(?P<key>\S+)\s*$")


def _lesson_sources():
    return sorted((REPO / "lessons").glob("*/*.ipynb"))


def _markers(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for line in "".join(cell["source"]).splitlines():
            m = MARKER.match(line.strip())
            if m:
                found.append((m.group("key"), m.group("rhs")))
    return found


def _registry(lesson_id: str) -> dict:
    number = lesson_id.split("-")[0]
    path = REPO / "tests" / "expected" / f"lesson{number}.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location(f"expected_lesson{number}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXPECTED


def _literal(rhs: str):
    tree = ast.parse(rhs, mode="eval")
    # dict comprehensions over a literal are allowed (e.g. rounding), nothing else is executed
    if isinstance(tree.body, ast.DictComp):
        return eval(compile(tree, "<expected>", "eval"), {"__builtins__": {"round": round}})
    return ast.literal_eval(rhs)


def _close(got, want, path=""):
    if isinstance(want, dict):
        assert isinstance(got, dict) and sorted(map(str, got)) == sorted(map(str, want)), path
        for k in want:
            _close(got[k], want[k], f"{path}[{k!r}]")
    elif isinstance(want, list | tuple):
        assert len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _close(g, w, f"{path}[{i}]")
    elif isinstance(want, float):
        assert math.isclose(float(got), want, rel_tol=1e-6, abs_tol=1e-6), f"{path}: {got} != {want}"
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


CASES = [(p.parent.name, key, rhs) for p in _lesson_sources() for key, rhs in _markers(p)]


def test_every_lesson_with_hidden_tests_has_expected_markers():
    for path in _lesson_sources():
        text = path.read_text(encoding="utf-8")
        if "BEGIN HIDDEN TESTS" in text:
            assert _markers(path), f"{path.name}: hidden tests embed no '# expected:' values"


@pytest.mark.parametrize("lesson,key,rhs", CASES, ids=[c[1] for c in CASES])
def test_embedded_expected_value_matches_data(lesson, key, rhs):
    lesson_from_key, name = key.split("/", 1)
    assert lesson_from_key == lesson, f"marker {key} sits in lesson {lesson}"
    registry = _registry(lesson)
    assert name in registry, f"tests/expected/lesson{lesson[:2]}.py has no function for {name!r}"
    embedded = _literal(rhs)
    recomputed = registry[name]()
    _close(recomputed, embedded, key)
