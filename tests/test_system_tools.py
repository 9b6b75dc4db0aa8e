"""The one summary line for checks a missing system tool skipped (tests/_system_tools.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from _system_tools import summary_line, tool_of
from conftest import REPO

SKIP = "Skipped: MISSING SYSTEM REQUIREMENT: "


def test_summary_names_the_tool_the_count_and_the_install_command():
    reasons = [SKIP + "Debian chromium at /usr/bin/chromium (as root: apt-get install -y chromium)"] * 3
    assert summary_line(reasons) == ("3 checks skipped: Chromium missing — install with: "
                                     "sudo bash .ci/system-deps.sh (Debian/Ubuntu)")
    assert summary_line(["Skipped: needs a newer pandas"]) is None  # not a system tool
    assert summary_line([]) is None


def test_summary_of_several_tools_stays_one_line():
    reasons = ([SKIP + "configurable-http-proxy (npm install -g configurable-http-proxy)"] * 2
               + [SKIP + "git (nbgitpuller clones the published course)"]
               + [SKIP + "bubblewrap (Debian package bubblewrap) is not installed"] * 3
               + [SKIP + "the reference folder ../shared/reference beside the repository"])
    line = summary_line(reasons)
    assert "\n" not in line
    assert line.startswith("7 checks skipped: bubblewrap missing (3), "
                           "configurable-http-proxy missing (2), git missing (1) — install with")
    assert "the reference folder ../shared/reference missing (1) — CI has it" in line
    assert tool_of(SKIP + "bwrap sandbox for grading")[0] == "bubblewrap"


def _run(tmp_path, env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """pytest on two tests that each miss a system tool, with the suite's conftest."""
    for name in ("conftest.py", "_system_tools.py", "_parallel.py"):  # conftest imports the others
        (tmp_path / name).write_text((REPO / "tests" / name).read_text(encoding="utf-8"),
                                     encoding="utf-8")
    (tmp_path / "test_needs.py").write_text(
        "from conftest import require\n\n"
        "def test_a():\n    require(False, 'Debian chromium at /usr/bin/chromium')\n\n"
        "def test_b():\n    require(False, 'Debian chromium at /usr/bin/chromium')\n\n"
        "def test_c():\n    assert True\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items()  # nor the worker's own, under make test
           if k not in ("CI", "COURSE_STRICT") and not k.startswith("PYTEST_XDIST")}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-ra", "-p", "no:cacheprovider",
                           *args, str(tmp_path)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("args", [(), ("-n", "2", "--dist", "loadgroup")], ids=["serial", "parallel"])
def test_a_run_outside_ci_ends_with_the_line(tmp_path, args):
    result = _run(tmp_path, {}, *args)  # alone, and as make test runs the suite
    assert result.returncode == 0, result.stdout[-2000:]
    lines = [line for line in result.stdout.splitlines() if "checks skipped:" in line]
    assert len(lines) == 1, result.stdout
    assert "2 checks skipped: Chromium missing — install with: sudo bash .ci/system-deps.sh" in (
        lines[0])
    # ... at the end: after pytest lists the skips (-ra), just before its own closing count.
    tail = result.stdout.strip().splitlines()
    assert "short test summary info" in result.stdout
    assert "checks skipped:" in tail[-2] and "1 passed, 2 skipped" in tail[-1], tail[-3:]


@pytest.mark.parametrize("args", [(), ("-n", "2", "--dist", "loadgroup")], ids=["serial", "parallel"])
def test_under_ci_a_missing_tool_fails(tmp_path, args):
    result = _run(tmp_path, {"COURSE_STRICT": "1"}, *args)
    assert result.returncode == 1
    assert "2 failed, 1 passed" in result.stdout
    assert "checks skipped:" not in result.stdout


def test_lab_without_a_browser_prints_the_address_to_open(monkeypatch, capsys, tmp_path):
    import webbrowser

    import course.grading
    from course import cli

    def no_browser(*args, **kwargs):
        raise webbrowser.Error("could not locate runnable browser")

    calls = []
    monkeypatch.setattr(webbrowser, "get", no_browser)
    monkeypatch.setattr(course.grading, "lab", lambda dest, **kw: calls.append((dest, kw)) or 0)
    assert cli.main(["lab", str(tmp_path), "--port", "8899"]) == 0
    out = capsys.readouterr().out
    (dest, kwargs), = calls
    token = next(a.split("=", 1)[1] for a in kwargs["extra_args"] if "token=" in a)
    assert f"http://localhost:8899/lab?token={token}" in out and "No web browser found" in out
    assert kwargs["port"] == 8899 and kwargs["open_browser"] is False
    assert "--ServerApp.port_retries=0" in kwargs["extra_args"]  # the printed port is the one used
    # With a browser, nothing changes: JupyterLab opens it itself.
    monkeypatch.setattr(webbrowser, "get", lambda *a, **k: object())
    calls.clear()
    assert cli.main(["lab", str(tmp_path)]) == 0
    assert calls[0][1] == {"port": None, "open_browser": True}
    assert "No web browser" not in capsys.readouterr().out


def test_readme_names_every_system_tool_and_the_command_that_installs_them():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    script = (REPO / ".ci" / "system-deps.sh").read_text(encoding="utf-8")
    subprocess.run(["bash", "-n", str(REPO / ".ci" / "system-deps.sh")], check=True, timeout=30)
    assert "sudo bash .ci/system-deps.sh" in readme
    for tool, package in [("Chromium", "chromium"), ("bubblewrap", "bubblewrap"),
                          ("configurable-http-proxy", "configurable-http-proxy"),
                          ("git", "git"), ("axe-core", "axe-core")]:
        assert tool in readme, f"README.md does not say what {tool} is for"
        assert package in script, f".ci/system-deps.sh does not install {package}"
    assert "bash .ci/system-deps.sh" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
