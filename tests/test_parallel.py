"""How `make test` shares the suite among parallel processes (tests/_parallel.py)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import _parallel
import pytest
from _parallel import ALONE, LONGEST, SPLIT, group_items, module_of
from conftest import PATIENCE, REPO


def _test_names(module: str) -> set[str]:
    tree = ast.parse((REPO / module).read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_every_name_in_the_schedule_is_in_the_suite():
    for name in [*LONGEST, *ALONE, *SPLIT]:
        module = module_of(name)
        assert (REPO / module).is_file(), f"{name}: no such test module"
        if "::" in name:
            assert name.split("::", 1)[1] in _test_names(module), f"{name}: no such test"
    assert set(ALONE) <= set(LONGEST), "a test run alone is one of the longest, or why alone?"
    assert all(n >= 2 for n in SPLIT.values())


class _Item:
    """What group_items reads of a pytest item."""

    def __init__(self, nodeid: str, shared: bool = False, slow: bool = False, group: str | None = None):
        self.nodeid, self.slow, self.marks = nodeid, slow, []
        if group:
            self.marks.append(pytest.mark.xdist_group(group).mark)
        scope = "module" if shared else "function"
        self._fixtureinfo = SimpleNamespace(name2fixturedefs={"f": [SimpleNamespace(scope=scope)]})

    def iter_markers(self, name):
        return [m for m in self.marks if m.name == name]

    def add_marker(self, mark):
        self.marks.append(mark.mark)

    def get_closest_marker(self, name):
        return object() if name == "slow" and self.slow else None


def test_groups_and_order(monkeypatch):
    monkeypatch.setattr(_parallel, "SPLIT", {"tests/test_s.py": 2})
    monkeypatch.setattr(_parallel, "ALONE", ["tests/test_g.py::test_long"])
    monkeypatch.setattr(_parallel, "LONGEST", ["tests/test_s.py", "tests/test_g.py::test_long",
                                               "tests/test_g.py"])
    items = [
        _Item("tests/test_a.py::test_one"),
        _Item("tests/test_a.py::test_two", shared=True),
        _Item("tests/test_b.py::test_slow", slow=True),
        _Item("tests/test_c.py::test_chosen", group="mine"),
        _Item("tests/test_g.py::test_before", shared=True),
        _Item("tests/test_g.py::test_long[x]"),
        *[_Item(f"tests/test_s.py::test_lesson[{i}]", shared=True) for i in range(3)],
        _Item("course/x.py::course.x.f"),
    ]
    groups = group_items(items)
    assert groups == {
        "tests/test_a.py::test_one": "tests/test_a.py",  # a module is one unit...
        "tests/test_a.py::test_two": "tests/test_a.py",
        "tests/test_b.py::test_slow": "tests/test_b.py",
        "tests/test_c.py::test_chosen": "mine",  # ... unless its file chose a group
        "tests/test_g.py::test_before": "tests/test_g.py",  # test_long runs alone
        "tests/test_s.py::test_lesson[0]": "tests/test_s.py#0",  # dealt into SPLIT's groups
        "tests/test_s.py::test_lesson[1]": "tests/test_s.py#1",
        "tests/test_s.py::test_lesson[2]": "tests/test_s.py#0",
        "course/x.py::course.x.f": "course/x.py",
    }
    # every grouped test carries its group as the xdist_group mark that pytest-xdist reads
    for item in items:
        marks = [m.args[0] for m in item.iter_markers("xdist_group")]
        assert marks == ([groups[item.nodeid]] if item.nodeid in groups else []), item.nodeid
    # the longest first, in LONGEST's order; then slow units; then the rest in collection order
    assert [item.nodeid for item in items] == [
        "tests/test_s.py::test_lesson[0]", "tests/test_s.py::test_lesson[2]",
        "tests/test_s.py::test_lesson[1]",
        "tests/test_g.py::test_long[x]",
        "tests/test_g.py::test_before",
        "tests/test_b.py::test_slow",
        "tests/test_a.py::test_one", "tests/test_a.py::test_two",
        "tests/test_c.py::test_chosen",
        "course/x.py::course.x.f",
    ]
    # a test listed to run alone that shares a module's fixture stays with its module
    item = _Item("tests/test_g.py::test_long", shared=True)
    assert group_items([item]) == {"tests/test_g.py::test_long": "tests/test_g.py"}


MODULE = textwrap.dedent('''
    import os

    import pytest


    @pytest.fixture(scope="module")
    def shared(tmp_path_factory):
        with open(os.environ["RECORD"], "a") as fh:
            fh.write(f"{__name__} fixture {os.getpid()}\\n")


    @pytest.mark.parametrize("n", range(4))
    def test_one(shared, n):
        with open(os.environ["RECORD"], "a") as fh:
            fh.write(f"{__name__} test {os.getpid()}\\n")


    def test_on_its_own():
        with open(os.environ["RECORD"], "a") as fh:
            fh.write(f"{__name__} test {os.getpid()}\\n")
''')


def test_a_module_runs_in_one_worker_that_builds_its_fixture_once(tmp_path):
    """Under `-n 2 --dist loadgroup` (as make test runs), each module's tests share one process
    and its module fixture is built once; the two modules run in two processes."""
    suite = tmp_path / "suite"
    suite.mkdir()
    for name in ("conftest.py", "_system_tools.py", "_parallel.py"):
        (suite / name).write_text((REPO / "tests" / name).read_text(encoding="utf-8"), encoding="utf-8")
    for module in ("test_first", "test_second"):
        (suite / f"{module}.py").write_text(MODULE, encoding="utf-8")
    record = tmp_path / "record.txt"
    env = {k: v for k, v in os.environ.items()
           if k not in ("CI", "COURSE_STRICT") and not k.startswith("PYTEST_XDIST")}
    env["RECORD"] = str(record)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "-n", "2", "--dist", "loadgroup", str(suite)], cwd=suite, env=env,
                            capture_output=True, text=True, timeout=PATIENCE)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "10 passed" in result.stdout
    lines = [line.split() for line in record.read_text().splitlines()]
    for module in ("test_first", "test_second"):
        assert len([pid for name, kind, pid in lines if name == module and kind == "fixture"]) == 1
        assert len({pid for name, _, pid in lines if name == module}) == 1, lines
    assert len({pid for _, _, pid in lines}) == 2, "the two modules ran in one process"
