"""How ``make test`` shares the suite among parallel processes (pytest-xdist, ``--dist loadgroup``).

``tests/conftest.py`` imports the hooks below, which is how pytest finds them. They do nothing
unless pytest runs with ``-n``: a plain ``python -m pytest tests/x.py`` runs as it always did.

Each worker process runs whole *units*: by default a test module is one unit (its ``xdist_group``),
so its tests run in one process and in their usual order, and a fixture it shares among its tests
(a JupyterLab server, the built website, a graded class) is built once. Two exceptions, for the
longest modules: a module in :data:`SPLIT` is dealt into a few groups, each building its shared
fixtures for itself (worth it when they are cheap to build and the tests long), and a test in
:data:`ALONE`, which shares no fixture with the others, is a unit of its own. Units start longest
first (:data:`LONGEST`, then the other ``slow`` ones, then the rest), so no long unit is left for
the end while the other workers wait. None of this changes what any test does or checks.

pytest-xdist 3.8 marks a group by appending ``@group`` to each test's node id, which pytest 9.2's
node ids no longer allow (the suffix is silently dropped and every test becomes a unit of its own).
So each worker also writes the groups it marked to a file the main process names, and
:class:`_GroupScheduling` reads them from there.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

# module -> how many groups to deal its tests into
SPLIT = {
    # ten lessons of about a minute each on one JupyterLab server and one Chromium, which take
    # seconds to start: three workers each start their own
    "tests/test_browser.py": 3,
}
# Tests (node ids without parameters) that run as units of their own, apart from their module.
ALONE = [
    # four minutes, by design, on a fixture of its own (tmp_path)
    "tests/test_grading.py::test_wall_clock_limit_kills_a_kernel_that_cannot_be_interrupted",
]
# Units that start first, in this order (a module, or a test in ALONE): the longest in a serial
# run (2026-12-06). Only the order in which units start depends on this list.
LONGEST = [
    "tests/test_browser.py",  # 640 s in all, dealt into SPLIT's groups
    *ALONE,  # 244 s
    "tests/test_site.py",  # 226 s: the build, then every page in Chromium
    "tests/test_grading_hostile.py",  # 192 s
    "tests/test_lessons.py",  # 175 s
    "tests/test_hub.py",  # 133 s
    "tests/test_browser_widgets.py",  # 150 s at load 2-7: its own JupyterLab and Chromium
    "tests/test_grading.py",  # 89 s besides the test in ALONE
]
SHARED_SCOPES = {"class", "module", "package"}
_FILE_KEY = "pp_groups_file"  # in each worker's workerinput: where it writes its groups


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def shares_a_fixture(item: pytest.Item) -> bool:
    """Whether ``item`` uses a fixture that lives longer than one test (module or class scope)."""
    info = getattr(item, "_fixtureinfo", None)
    return info is not None and any(d.scope in SHARED_SCOPES
                                    for defs in info.name2fixturedefs.values() for d in defs)


def rank(nodeid: str, slow: bool) -> tuple[int, int]:
    """When a unit starts: (0, place in LONGEST), else (1, 0) if slow, else (2, 0)."""
    for place, name in enumerate(LONGEST):
        if without_parameters(nodeid) == name or module_of(nodeid) == name:
            return (0, place)
    return (1, 0) if slow else (2, 0)


def without_parameters(nodeid: str) -> str:
    return nodeid.split("[", 1)[0]


def group_items(items: list[pytest.Item]) -> dict[str, str]:
    """Mark each test's xdist group (see the module's docstring) and put the units in the order
    they should start; returns {node id: group} for every grouped test."""
    dealt: dict[str, int] = {}
    units: list[str] = []
    groups: dict[str, str] = {}
    for item in items:
        module = module_of(item.nodeid)
        marks = [m.args[0] if m.args else m.kwargs.get("name", "default")
                 for m in item.iter_markers("xdist_group")]
        if marks:  # a group the test file chose
            group = "_".join(sorted(map(str, marks)))
        elif without_parameters(item.nodeid) in ALONE and not shares_a_fixture(item):
            group = None
        elif module in SPLIT:
            dealt[module] = dealt.get(module, -1) + 1
            group = f"{module}#{dealt[module] % SPLIT[module]}"
        else:
            group = module
        if group is not None:
            if not marks:
                item.add_marker(pytest.mark.xdist_group(group))
            groups[item.nodeid] = group
        units.append(group or item.nodeid)
    # A unit starts at the rank of its most urgent test; its tests keep their collection order.
    start: dict[str, tuple] = {}
    for index, (item, unit) in enumerate(zip(items, units, strict=True)):
        key = (rank(item.nodeid, item.get_closest_marker("slow") is not None), index)
        start[unit] = min(start.get(unit, key), key)
    order = sorted(range(len(items)), key=lambda i: (start[units[i]], i))
    items[:] = [items[i] for i in order]
    return groups


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook reads the groups
def pytest_collection_modifyitems(config, items):
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:  # not a pytest-xdist worker: a plain run, in collection order
        return
    groups = group_items(items)
    if _FILE_KEY in workerinput:
        path = Path(workerinput[_FILE_KEY])
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(groups), encoding="utf-8")
        partial.replace(path)


# -- in the main process ------------------------------------------------------------------------

_folder: list[str] = []  # the main process's folder for the workers' group files


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    if not _folder:
        _folder.append(tempfile.mkdtemp(prefix="pp-xdist-groups-"))
    node.workerinput[_FILE_KEY] = str(Path(_folder[0]) / f"{node.gateway.id}.json")


def pytest_unconfigure(config):
    while _folder:
        shutil.rmtree(_folder.pop(), ignore_errors=True)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class _GroupScheduling(LoadGroupScheduling):
        """xdist's loadgroup, with the groups read from the workers' files and the units started
        in the order the workers collected them (not by their number of tests)."""

        def __init__(self, config, log=None):
            super().__init__(config, log)
            self.groups: dict[str, str] = {}

        def schedule(self):
            if self.collection is None and _folder:
                for path in sorted(Path(_folder[0]).glob("*.json")):
                    self.groups.update(json.loads(path.read_text(encoding="utf-8")))
                self.config.option.loadscopereorder = False
            super().schedule()

        def _split_scope(self, nodeid: str) -> str:
            group = self.groups.get(nodeid)
            return group if group is not None else super()._split_scope(nodeid)

    return _GroupScheduling(config, log)
