"""A plain ``pip install .`` (no extras) is enough to run every lesson.

Installing the runtime dependencies afresh needs the network, so the test builds the wheel, installs
it alone into a throwaway target (tests/_wheel.py, as for tests/test_environment.py), and runs each
lesson's source in a kernel that can import only the Python standard library, the wheel and the
distributions its runtime requirements pull in (worked out from the wheel's own metadata, extras
left out). Any other installed package, such as a development extra, is refused at import, exactly
as it would be missing from a plain install. This is how ``scipy`` (used by ``course.measures.regression``) was
found to be a development extra only.
"""

from __future__ import annotations

import email
import importlib.metadata as md
import json
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from _wheel import build_and_install, run_installed
from conftest import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from course.grading import lesson_ids
from course.grading.releasing._lessons import lesson_notebooks

LESSONS = REPO / "lessons"
CELL_TIMEOUT = 300

# The kernel imports this before anything else (sitecustomize.py in the install target).
GUARD = '''
import importlib.abc
import sys

BLOCKED = frozenset({blocked!r})


class _OnlyRuntimeDependencies(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(
                f"No module named {{name!r}}: it is not a runtime dependency of productive-places "
                "(a plain `pip install .` would not have it)", name=name)
        return None


sys.meta_path.insert(0, _OnlyRuntimeDependencies())
'''


def runtime_closure(requirements: list[str]) -> set[str]:
    """Every installed distribution that ``requirements`` need, without extras they do not ask for."""
    wanted = [(Requirement(r), "") for r in requirements]
    found: set[str] = set()
    while wanted:
        req, extra = wanted.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(req.name)
        extras = sorted(req.extras)
        key_seen = name in found
        try:
            dist = md.distribution(req.name)
        except md.PackageNotFoundError:
            continue  # an optional dependency not installed here: nothing to allow
        found.add(name)
        if key_seen and not extras:
            continue
        for line in dist.requires or []:
            for chosen in [""] + extras:
                wanted.append((Requirement(line), chosen))
    return found


def blocked_modules(allowed: set[str]) -> set[str]:
    """Top-level modules provided only by installed distributions outside ``allowed``."""
    blocked = set()
    for module, dists in md.packages_distributions().items():
        if not any(canonicalize_name(d) in allowed for d in dists):
            blocked.add(module)
    return blocked - set(sys.stdlib_module_names)


@pytest.fixture(scope="module")
def plain_install(tmp_path_factory) -> tuple[Path, set[str]]:
    """(the install target with the import guard, the distributions a plain install has)."""
    wheel, target = build_and_install(tmp_path_factory.mktemp("plain"))
    with zipfile.ZipFile(wheel) as archive:
        meta_name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.message_from_bytes(archive.read(meta_name))
    requirements = metadata.get_all("Requires-Dist") or []
    # pip and setuptools come with every virtual environment pip installs into.
    allowed = runtime_closure(requirements) | {canonicalize_name(metadata["Name"]), "pip", "setuptools"}
    blocked = blocked_modules(allowed) - {"course", "widgets"}
    (target / "sitecustomize.py").write_text(GUARD.format(blocked=sorted(blocked)), encoding="utf-8")
    return target, allowed


@pytest.mark.slow
def test_the_guard_refuses_what_a_plain_install_lacks(plain_install):
    target, allowed = plain_install
    assert {"scipy", "pandas", "nbgrader", "ipykernel"} <= allowed
    assert not {"pytest", "inequality", "ruff"} & allowed  # development extras
    code = textwrap.dedent("""
        import course, course.measures.regression as r
        print(course.__file__)
        print(r.linear_fit.__name__)
        try:
            import pytest
        except ModuleNotFoundError as exc:
            print("refused:", exc.name)
    """)
    result = run_installed(target, code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    assert lines[0].startswith(str(target)), "the lessons would not run on the installed wheel"
    assert "refused: pytest" in result.stdout


LESSON_IDS = lesson_ids(LESSONS) if LESSONS.is_dir() else []


@pytest.mark.slow
@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_every_lesson_runs_on_a_plain_install(lesson_id, plain_install, monkeypatch):
    import nbclient
    import nbformat

    target, _ = plain_install
    monkeypatch.setenv("PYTHONPATH", str(target))  # the kernel inherits it; this process does not
    for path in lesson_notebooks(LESSONS / lesson_id):
        nb = nbformat.read(path, as_version=4)
        where = nbformat.v4.new_code_cell("import course, json; print(json.dumps(course.__file__))")
        nb.cells.insert(0, where)
        client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                         resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except nbclient.exceptions.CellExecutionError as exc:
            pytest.fail(f"{path.name} fails on a plain install (no extras):\n{str(exc)[-3000:]}")
        loaded_from = json.loads(nb.cells[0].outputs[0]["text"])
        assert loaded_from.startswith(str(target)), f"{path.name} did not use the installed wheel"
