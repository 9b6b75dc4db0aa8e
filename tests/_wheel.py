"""The repository built as a wheel and installed alone, as a plain ``pip install .`` would install it
(shared by tests/test_environment.py and tests/test_plain_install.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def build_and_install(root: Path) -> tuple[Path, Path]:
    """Build the wheel into ``root/dist`` and install it, without its dependencies, into the
    throwaway target ``root/site``; returns (the wheel, the target)."""
    out = root / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(REPO)], check=True, capture_output=True, text=True)
    wheel = next(out.glob("*.whl"))
    target = root / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True, text=True)
    return wheel, target


def run_installed(target: Path, code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter that finds the installed wheel first, from a folder
    outside the repository (so ``course`` cannot come from the checkout)."""
    return subprocess.run([sys.executable, "-c", code], cwd=target.parent, capture_output=True,
                          text=True, env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
