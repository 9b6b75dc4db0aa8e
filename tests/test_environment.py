"""pyproject.toml and environment.yml describe the same environment; packaging works."""

from __future__ import annotations

import re
import tomllib
import zipfile

import pytest
from _wheel import build_and_install, run_installed
from conftest import REPO

_REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _parse(requirement: str) -> tuple[str, str]:
    match = _REQ.match(requirement)
    assert match, requirement
    spec = ",".join(sorted(s.strip() for s in match.group(2).split(",") if s.strip()))
    return _normalise(match.group(1)), spec


def _pyproject() -> dict[str, str]:
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = [*meta["dependencies"], *meta["optional-dependencies"]["dev"]]
    found = dict(_parse(r) for r in reqs)
    found["python"] = _parse("python" + meta["requires-python"])[1]
    return found


def _environment_yml() -> dict[str, str]:
    found: dict[str, str] = {}
    in_deps = False
    for line in (REPO / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        if in_deps and re.match(r"^\s{2}- [A-Za-z]", line):
            item = line.strip()[2:].split("#")[0].strip()
            if item in ("pip", "pip:"):
                continue
            name, spec = _parse(item)
            found[name] = spec
    return found


def test_environment_yml_matches_pyproject():
    py, env = _pyproject(), _environment_yml()
    only_py = sorted(set(py) - set(env))
    only_env = sorted(set(env) - set(py))
    assert not only_py and not only_env, (
        f"packages only in pyproject.toml: {only_py}; only in environment.yml: {only_env}"
    )
    differ = {k: (py[k], env[k]) for k in py if py[k] != env[k]}
    assert not differ, f"version ranges differ (pyproject, environment.yml): {differ}"


def test_constraints_lock_covers_every_dependency():
    lock = REPO / "requirements-lock.txt"
    assert lock.exists(), "requirements-lock.txt (the term's pinned versions) is missing"
    pinned = {_normalise(line.split("==")[0]) for line in lock.read_text().splitlines()
              if "==" in line and not line.startswith("#")}
    missing = sorted(set(_pyproject()) - pinned - {"python"})
    assert not missing, f"requirements-lock.txt does not pin: {missing}"


@pytest.mark.slow
def test_wheel_ships_datasets(tmp_path):
    """A plain (non-editable) install finds the datasets: they are package data in the wheel."""
    wheel, target = build_and_install(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert "course/_datasets/datapackage.json" in names
    assert any(n.startswith("course/_datasets/") and n.endswith(".csv") for n in names)
    assert not any(n.startswith("lessons/") for n in names), "instructor sources in the wheel"
    # The grading package's three subpackages (a plain install grades too).
    assert {f"course/grading/{sub}/__init__.py" for sub in ("releasing", "grade", "kernel")} <= set(names)
    # Installed into a throwaway target: a dataset loads from there, not from the repo.
    code = ("import course, course.data as d; "
            f"assert str(d.datasets_dir()).startswith({str(target)!r}), d.datasets_dir(); "
            "print(len(d.load('gva_per_hour', level='ITL1')))")
    result = run_installed(target, code)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) == 12 * 18
