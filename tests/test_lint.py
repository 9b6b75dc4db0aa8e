"""ruff (code and notebooks) is clean: CI enforces the same lint as the pre-commit hooks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PATIENCE, REPO


def _ruff() -> str:
    """ruff from this environment (beside its python), else from PATH; a clear failure if neither."""
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if not found:
        pytest.fail("ruff is not installed, so the lint cannot be checked. It comes with the dev "
                    "extras: run `make .venv/.installed` (or `pip install -e '.[dev]'`) and run the "
                    "tests again.", pytrace=False)
    return found


def test_ruff_is_clean():
    result = subprocess.run([_ruff(), "check", "--no-cache", "."], cwd=REPO, capture_output=True,
                            text=True, timeout=PATIENCE)
    assert result.returncode == 0, result.stdout[-4000:]


def test_a_missing_ruff_fails_with_the_fix(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    with pytest.raises(pytest.fail.Exception, match=r"ruff is not installed.*make \.venv/\.installed"):
        _ruff()


def test_pre_commit_hooks_are_local():
    """CI machines cannot reach git hosts, so every hook must be a local one."""
    config = (REPO / ".pre-commit-config.yaml").read_text()
    repos = [line.split(":", 1)[1].strip() for line in config.splitlines()
             if line.strip().startswith("- repo:")]
    assert repos and all(r == "local" for r in repos), repos


def test_notebooks_need_no_cleaning():
    result = subprocess.run([sys.executable, str(REPO / "tools" / "nbclean.py"), "--check",
                             "lessons"], cwd=REPO, capture_output=True, text=True, timeout=PATIENCE)
    assert result.returncode == 0, result.stdout
