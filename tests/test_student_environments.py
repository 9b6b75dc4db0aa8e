"""No student environment we build contains instructor sources.

DESIGN ("Where students get the course"): the lab command opens the generated student view;
``course publish`` writes the student course that nbgitpuller and Binder links point at; a hub
image holds the packages and the student course, not ``lessons/``; a Binder build removes the
sources after generating the student view. This module checks the image side: it runs the
repository's ``postBuild`` (what repo2docker runs for Binder and for the hub image) in a copy
of the repository and searches everything left for any line of any solution, hidden test or
rubric, found independently of the grading code. ``course publish`` is checked in
tests/test_publish.py and, as students receive it through nbgitpuller, in tests/test_hub.py;
the lab in a real browser in tests/test_browser.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PATIENCE, REPO

from course.grading import lab_command

pytestmark = pytest.mark.slow

DELIMITER = re.compile(r"\b(BEGIN|END)\s+(SOLUTIONS?|HIDDEN\s+TESTS?|MARK\s*SCHEMES?)\b", re.I)
# Copied into the image as they are in the repository (and in the wheel): the package itself.
PACKAGE_DIRS = ("course", "widgets", "datasets")
_IGNORE = shutil.ignore_patterns(".venv", "build", ".pytest_cache", ".ruff_cache", "__pycache__",
                                 "node_modules", ".ipynb_checkpoints")


def _norm(line: str) -> str:
    return " ".join(line.split())


def secret_lines(nb_path: Path) -> set[str]:
    """Lines only an instructor may see: solution regions, hidden tests, mark schemes, and
    whole written-answer cells (model answer and rubric). This is the test's own oracle, made
    without the grading code. Lines that also appear outside those regions are public."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    secret, public = set(), set()
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "markdown" and meta.get("solution"):
            secret.update(_norm(x) for x in text.splitlines())
            continue
        inside = False
        for line in text.splitlines():
            match = DELIMITER.search(line)
            if match:
                inside = match.group(1).upper() == "BEGIN"
                continue
            (secret if inside else public).add(_norm(line))
    return {s for s in secret - public if len(s.replace(" ", "")) >= 12}


def all_secrets() -> dict[str, str]:
    sources = [*sorted((REPO / "lessons").glob("*/*.ipynb")),
               *sorted((REPO / "tests" / "fixtures" / "lessons").glob("*/*.ipynb"))]
    found = {}
    for nb in sources:
        for line in secret_lines(nb):
            found.setdefault(line, str(nb.relative_to(REPO)))
    return found


def test_the_oracle_finds_solutions_hidden_tests_and_rubrics():
    secrets = secret_lines(REPO / "tests/fixtures/lessons/zz-fixture/zz-fixture.ipynb")
    nb = json.loads((REPO / "tests/fixtures/lessons/zz-fixture/zz-fixture.ipynb").read_text())
    kinds = set()
    for cell in nb["cells"]:
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        lines = {_norm(x) for x in text.splitlines()}
        if lines & secrets:
            kinds.add("rubric" if "Rubric (instructor only)" in text else
                      "hidden" if "HIDDEN TESTS" in text else "solution")
    assert {"solution", "hidden", "rubric"} <= kinds, kinds


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the repository after repo2docker's postBuild ran in it."""
    tmp = tmp_path_factory.mktemp("r2d")
    copy = tmp / "repo"
    shutil.copytree(REPO, copy, ignore=_IGNORE, symlinks=True)
    prefix = tmp / "prefix"
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
        "HOME": str(tmp / "home"),
        "NB_PYTHON_PREFIX": str(prefix),
        "REPO_DIR": str(copy),
        # Import the package from the copy, as the image imports it from the repository folder.
        "PYTHONPATH": str(copy),
        "LANG": "C.UTF-8",
    }
    result = subprocess.run(["bash", "postBuild"], cwd=copy, env=env, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {"repo": copy, "prefix": prefix, "stdout": result.stdout}


def test_postbuild_and_start_are_valid_bash():
    for script in ("postBuild", "start"):
        assert os.access(REPO / script, os.X_OK), f"{script} must be executable"
        subprocess.run(["bash", "-n", str(REPO / script)], check=True, timeout=PATIENCE)


def test_postbuild_refuses_to_run_outside_repo2docker(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(REPO, copy, ignore=_IGNORE, symlinks=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(["bash", "postBuild"], cwd=copy, env=env, capture_output=True,
                            text=True, timeout=PATIENCE)
    assert result.returncode != 0 and "Refusing" in result.stderr
    assert (copy / "lessons").is_dir() and (copy / ".git").exists(), "it deleted sources anyway"


def test_binder_image_holds_no_instructor_source(built):
    repo = built["repo"]
    left = sorted(p.name for p in repo.iterdir())
    for gone in ("lessons", "tests", "tools", ".git", "benchmarks", "deploy", "Makefile",
                 "CONTRIBUTING.md", ".ci"):
        assert gone not in left, f"{gone} is still in the image: {left}"
    assert (repo / "student" / "README.md").is_file()
    lessons = sorted(p.name for p in (REPO / "lessons").iterdir() if (p / f"{p.name}.ipynb").is_file())
    for lesson in lessons:
        assert (repo / "student" / lesson / f"{lesson}.ipynb").is_file(), lesson
    # The package is copied as the repository has it (it is what pip installs anyway)...
    for name in PACKAGE_DIRS:
        for path in (repo / name).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                original = REPO / path.relative_to(repo)
                assert original.is_file() and original.read_bytes() == path.read_bytes(), path
    # ...and no line of any solution, hidden test or rubric is anywhere else.
    secrets = all_secrets()
    assert len(secrets) > 20, "the oracle found too few secret lines to mean anything"
    for path in sorted(repo.rglob("*")):
        rel = path.relative_to(repo)
        if not path.is_file() or rel.parts[0] in PACKAGE_DIRS:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        assert not re.search(r"rubric\s*\(\s*instructor", text, re.I), f"a rubric in {rel}"
        if path.suffix == ".ipynb":
            assert not DELIMITER.search(text), f"an nbgrader delimiter in {rel}"
            cells = json.loads(text)["cells"]
            text = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                             for c in cells)
        for line in text.splitlines():
            assert _norm(line) not in secrets, (
                f"{rel} contains a line from the instructor source {secrets[_norm(line)]}: {line!r}")


def test_image_settings_hide_instructor_tools_and_keep_the_student_ones(built):
    prefix = built["prefix"]
    page = json.loads((prefix / "etc/jupyter/labconfig/page_config.json").read_text())
    disabled = {k for k, v in page["disabledExtensions"].items() if v}
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
            "@jupyter/nbgrader:course-list"} <= disabled
    assert "@jupyterlab/apputils-extension:announcements" in disabled  # workshop labs are offline
    assert "@jupyter/nbgrader:assignment-list" not in disabled
    server = json.loads(next((prefix / "etc/jupyter/jupyter_server_config.d").glob("*.json"))
                        .read_text())["ServerApp"]["jpserver_extensions"]
    assert server["nbgrader.server_extensions.formgrader"] is False
    assert (prefix / "share/productive-places/jupyter-instructor/labconfig/page_config.json").is_file()
    # On Binder, `start` switches to the student view's own settings (all of nbgrader hidden).
    start = (built["repo"] / "start").read_text()
    assert "student/.jupyter-student" in start and 'exec "$@"' in start
    assert (built["repo"] / "student" / ".jupyter-student" / "labconfig").is_dir()


def test_lab_command_opens_only_the_student_view(built):
    view = built["repo"] / "student"
    cmd, env = lab_command(view, port=8999, open_browser=False)
    assert f"--ServerApp.root_dir={view.resolve()}" in cmd
    assert env["JUPYTER_CONFIG_DIR"] == str((view / ".jupyter-student").resolve())
    assert "JUPYTER_CONFIG_PATH" not in env
