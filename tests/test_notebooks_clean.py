"""Committed notebooks carry no outputs, no execution counts, and a normalised kernelspec."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO

NOTEBOOKS = sorted(p for p in REPO.rglob("*.ipynb")
                   if not {".venv", "build", ".ipynb_checkpoints"} & set(p.relative_to(REPO).parts))


def test_there_are_lesson_notebooks():
    assert any(p.parts[-3] == "lessons" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(REPO)) for p in NOTEBOOKS])
def test_notebook_is_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}: a cell has outputs"
            assert cell["execution_count"] is None, f"{path.name}: a cell has an execution count"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    check = subprocess.run([sys.executable, str(REPO / "tools" / "nbclean.py"), "--check", str(path)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_nbclean_strips_outputs(tmp_path):
    nb = {"cells": [{"cell_type": "code", "execution_count": 3, "id": "a", "metadata": {"collapsed": True},
                     "outputs": [{"output_type": "stream", "name": "stdout", "text": "hi"}],
                     "source": "print('hi')"}],
          "metadata": {"kernelspec": {"name": "conda-env-x", "display_name": "x", "language": "python"},
                       "widgets": {"state": {}}},
          "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb))
    tool = str(REPO / "tools" / "nbclean.py")
    assert subprocess.run([sys.executable, tool, "--check", str(path)], capture_output=True).returncode == 1
    assert subprocess.run([sys.executable, tool, str(path)]).returncode == 0
    cleaned = json.loads(path.read_text())
    cell = cleaned["cells"][0]
    assert cell["outputs"] == [] and cell["execution_count"] is None and cell["metadata"] == {}
    assert cleaned["metadata"]["kernelspec"]["name"] == "python3" and "widgets" not in cleaned["metadata"]


def test_no_absolute_machine_paths_committed():
    """No file we ship names a path on the machine it was written on."""
    import re

    machine_path = re.compile(r"/work/(main|shared)\b|/root/\.|/home/[a-z0-9_]+/")
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, text=True).stdout.split()
    offenders = []
    for rel in listed:
        path = REPO / rel
        if not path.is_file() or path.suffix in {".csv", ".png"} or path.stat().st_size > 2_000_000:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="ignore").splitlines(), 1):
            if machine_path.search(line):
                offenders.append(f"{rel}:{number}")
    assert not offenders, offenders
