"""The load tool cleans up after itself even when it is killed, and stops adding students when
memory runs low. No hub is needed: stand-in processes play the hub and its servers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import REPO

from benchmarks.hub_bench import load_hubload

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="needs Linux /proc (the load tool reads the process tree)")

GENEROUS = 120  # seconds: a deadline for things that take well under one on an idle machine


hubload = load_hubload()

# A stand-in hub: starts a "server" in its own session (as the spawner does), writes both pids,
# then waits for ever.
FAKE_HUB = textwrap.dedent("""
    import subprocess, sys, time
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"],
                              start_new_session=True)
    print(server.pid, flush=True)
    time.sleep(3600)
""")

# A stand-in load tool: starts the hub and the watchdog, reports the pids, then waits to be killed.
FAKE_TOOL = textwrap.dedent("""
    import subprocess, sys, time
    sys.path.insert(0, {repo!r})
    import importlib.util
    spec = importlib.util.spec_from_file_location("h", {path!r})
    h = importlib.util.module_from_spec(spec); sys.modules["h"] = h; spec.loader.exec_module(h)
    hub = subprocess.Popen([sys.executable, "-c", {hub!r}], stdout=subprocess.PIPE,
                           start_new_session=True, text=True)
    server = int(hub.stdout.readline())
    watchdog = h.start_watchdog(hub.pid)
    time.sleep(3)  # the watchdog looks at the process tree once a second
    print(hub.pid, server, watchdog.pid, flush=True)
    time.sleep(3600)
""")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _wait_gone(pids, timeout=GENEROUS) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = [p for p in pids if _alive(p)]
        if not left:
            return []
        time.sleep(0.2)
    return [p for p in pids if _alive(p)]


def _kill(pids) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def test_a_killed_load_tool_leaves_no_hub_or_server_behind():
    code = FAKE_TOOL.format(repo=str(REPO), path=str(REPO / "deploy/local/hubload.py"), hub=FAKE_HUB)
    tool = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    pids: list[int] = []
    try:
        hub_pid, server_pid, watchdog_pid = map(int, tool.stdout.readline().split())
        pids = [hub_pid, server_pid, watchdog_pid]
        assert _alive(hub_pid) and _alive(server_pid)
        tool.kill()  # as the out-of-memory killer would: no chance to clean up
        tool.wait(timeout=GENEROUS)
        left = _wait_gone([hub_pid, server_pid, watchdog_pid])
        assert left == [], f"still running after the load tool died: {left}"
    finally:
        tool.kill()
        _kill(pids)


def test_a_clean_stop_dismisses_the_watchdog_without_killing_anything():
    hub = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"],
                           start_new_session=True)
    try:
        watchdog = hubload.start_watchdog(hub.pid)
        hubload.stop_watchdog(watchdog)
        assert watchdog.returncode == 0
        assert _alive(hub.pid), "a clean stop must leave the stopping to the tool"
    finally:
        hub.kill()
        hub.wait(timeout=GENEROUS)


def test_capacity_turns_students_away_below_the_reserve():
    available = hubload.mem_available_mb()
    assert available is not None and available > 0
    roomy = hubload.Capacity(reserve_mb=0)
    roomy.check("started")  # plenty of memory: nobody is turned away
    assert not roomy.full.is_set() and roomy.lowest_mb > 0
    tight = hubload.Capacity(reserve_mb=available * 1000)
    with pytest.raises(hubload.StepError) as caught:
        tight.check("given a kernel")
    assert caught.value.stage == "capacity"
    assert "not given a kernel" in str(caught.value) and "no more students" in str(caught.value)
    assert tight.full.is_set() and tight.tripped_after_s is not None
    with pytest.raises(hubload.StepError):  # once full, stays full for later students
        tight.check("started")


def test_the_report_says_how_many_the_machine_held():
    report = {
        "users": 3, "ok": 1, "failures": [{"name": "l002", "stage": "capacity", "error": "x"}],
        "cells_run_per_student": 2, "cells": "first", "wall_s": 10.0,
        "spawn_s": {"p50": 1, "p95": 2, "max": 2}, "pull_s": {"p50": 1, "p95": 1},
        "first_cell_s": {"p50": 1, "p95": 1}, "login_to_first_cell_s": {"p50": 2, "p95": 2.5},
        "login_to_last_cell_s": {"p50": 3, "p95": 4},
        "memory": {"method": "PSS", "samples": 3, "peak_all_users_mb": 300.0, "users_at_peak": 1,
                   "per_user_at_peak_mean_mb": 300.0, "per_user_at_peak_max_mb": 300.0,
                   "per_user_own_peak_max_mb": 300.0, "hub_and_proxy_peak_mb": 100.0},
        "capacity": {"reserve_mb": 1536, "lowest_available_mb": 900, "tripped_after_s": 42.0,
                     "turned_away": 2, "held": 1},
        "machine": {"cpus": 2, "mem_total_gb": 23.5, "load_average_at_start": [0.1, 0.1, 0.1]},
        "versions": {"jupyterhub": "x"},
    }
    page = hubload.markdown(report)
    assert "the machine held 1 students and turned 2 away" in page
    assert "lowest available memory: 900 MB" in page
    assert "| 2 / 2.5 |" in page  # login to first cell
