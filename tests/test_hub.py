"""A real JupyterHub on 127.0.0.1: students get the published course and run a lesson.

The hub is deploy/local/jupyterhub_config.py (JupyterHub from PyPI, configurable-http-proxy from
npm, the dummy authenticator and local process spawner), driven by deploy/local/hubload.py.
The course reaches students the way it does on a workshop hub: ``course publish`` output in a
git repository, pulled by nbgitpuller when a student opens ``course links``' link.

The load test runs ``PP_HUB_USERS`` students at once (default 20, the CI figure), each running
the first cells of lesson 01 (``PP_HUB_CELLS=examples``: every cell before the exercises), and
writes build/hub-report/report.md and report.json.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest
import requests
from conftest import PATIENCE, REPO, require

from course.grading import find_folder_leaks

pytestmark = [pytest.mark.slow, pytest.mark.needs_system]

LESSON = "01-regional-gap"
REPORT_DIR = REPO / "build" / "hub-report"
USERS = int(os.environ.get("PP_HUB_USERS", "20"))
CELLS = os.environ.get("PP_HUB_CELLS", "first")  # or "examples": every cell before the exercises
_extra: dict[str, dict] = {}  # figures from the single-student tests, added to the report


def _hubload():
    from benchmarks.hub_bench import load_hubload  # deploy/local/hubload.py as a module

    return load_hubload()


@pytest.fixture(scope="module")
def hubload():
    require(sys.platform.startswith("linux") and Path("/proc/self/smaps_rollup").exists(),
            "Linux /proc (the hub suite measures memory from /proc/<pid>/smaps_rollup)")
    require(importlib.util.find_spec("jupyterhub") is not None,
            "the jupyterhub package (pip install -e '.[dev]')")
    require(shutil.which("configurable-http-proxy") is not None,
            "configurable-http-proxy (as root: npm install -g configurable-http-proxy; "
            ".ci/system-deps.sh does it)")
    require(shutil.which("git") is not None, "git (nbgitpuller clones the published course)")
    return _hubload()


@pytest.fixture(scope="module")
def plan(hubload, tmp_path_factory):
    """Lesson 01, published with `course publish` into a git repository on this machine."""
    work = tmp_path_factory.mktemp("published")
    repo_url = hubload.published_repo(REPO / "lessons", work, [LESSON])
    return hubload.make_plan(repo_url, LESSON, timeout=PATIENCE)


@pytest.fixture(scope="module")
def hub(hubload):
    hub = hubload.LocalHub(instructors=("teacher",))
    hub.start(timeout=PATIENCE)
    try:
        yield hub
    finally:
        hub.stop()


def _start(hub, hubload, name: str) -> str:
    hub.api("POST", f"/users/{name}")
    token = hub.user_token(name)
    hubload.spawn(hub, name, token, timeout=PATIENCE)
    return token


def _page_config(hub, name: str, token: str) -> dict:
    page = requests.get(f"{hub.url}/user/{name}/lab", timeout=PATIENCE,
                        headers={"Authorization": f"token {token}"})
    assert page.status_code == 200, page.status_code
    match = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      page.text, re.S)
    assert match, "no page config in the lab page"
    return json.loads(match.group(1))


def test_student_sees_only_the_student_nbgrader_tools(hub, hubload):
    token = _start(hub, hubload, "stu")
    try:
        disabled = set(_page_config(hub, "stu", token)["disabledExtensions"])
        assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                "@jupyter/nbgrader:course-list"} <= disabled
        assert "@jupyter/nbgrader:assignment-list" not in disabled
        assert "@jupyter/nbgrader:validate-assignment" not in disabled
        assert "@jupyterlab/apputils-extension:announcements" in disabled  # labs are offline
        auth = {"Authorization": f"token {token}"}
        formgrader = requests.get(f"{hub.url}/user/stu/formgrader", headers=auth, timeout=PATIENCE,
                                  allow_redirects=False)
        assert formgrader.status_code == 404, "students must not reach the formgrader"
        listing = requests.get(f"{hub.url}/user/stu/assignments", headers=auth, timeout=PATIENCE,
                               params={"course_id": "productive-places"})
        assert listing.status_code == 200 and listing.json()["success"], listing.text[:300]
    finally:
        hub.api("DELETE", "/users/stu/server")


def test_instructor_also_gets_formgrader_and_create_assignment(hub, hubload):
    token = _start(hub, hubload, "teacher")
    try:
        disabled = set(_page_config(hub, "teacher", token)["disabledExtensions"])
        assert not {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"} & disabled
        assert "@jupyterlab/apputils-extension:announcements" in disabled  # offline for everyone
        formgrader = requests.get(f"{hub.url}/user/teacher/formgrader", timeout=PATIENCE,
                                  headers={"Authorization": f"token {token}"},
                                  allow_redirects=False)
        assert formgrader.status_code in (200, 302), formgrader.status_code
    finally:
        hub.api("DELETE", "/users/teacher/server")


def test_link_pulls_the_published_course_and_the_lesson_runs(hub, hubload, plan):
    """One student: log in via the link, spawn, nbgitpuller, every example cell of lesson 01."""
    import threading

    go = threading.Event()
    go.set()
    lesson_plan = hubload.Plan(**{**plan.__dict__, "cells": "examples"})
    result, kernel = hubload.simulate(hub, "solo", lesson_plan, go, None, time.monotonic() + PATIENCE)
    try:
        assert result.ok, f"{result.stage}: {result.error}"
        # both measured from the login: the last cell's result comes at or after the first's, and
        # after every stage before it (a sum of stages once left out the steps between them)
        assert result.login_to_last_cell_s >= result.login_to_first_cell_s
        assert result.login_to_last_cell_s >= result.login_s + result.spawn_s + result.pull_s + result.run_s
        # Lean start-up (course._student): the server defers the IRI grammar; the kernel is
        # forked from the hub's warm template (course._zygote), which deferred it too.
        mine = [pid for pid, user in hub.user_processes().items() if user == "solo"]
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in mine]
        assert any(b"course._student" in c for c in commands), commands
        assert any(_forked(hub, hubload, pid) for pid in mine), commands
        # The two fixes for simultaneous logins are in force: a reserved port, Unix sockets.
        runtime = hub.home("solo") / ".r"
        server = json.loads(next(runtime.glob("jpserver-*.json")).read_text())
        assert 20000 <= server["port"] < 32000, server["port"]
        kernels = [json.loads(p.read_text()) for p in runtime.glob("kernel-*.json")]
        assert kernels and all(k["transport"] == "ipc" for k in kernels), kernels
        assert all(len(k["ip"]) + len("-5") < 100 for k in kernels), "socket paths too long"
        pss_kb = sum(hubload._pss_kb(pid) or 0
                     for pid, user in hub.user_processes().items() if user == "solo")
        _extra["one student, every example cell of lesson 01 (incl. charts and the widget)"] = {
            "cells": result.cells, "spawn_s": round(result.spawn_s, 1),
            "run_s": round(result.run_s, 1), "pss_mb": round(pss_kb / 1024, 1),
        }
    finally:
        if kernel is not None:
            kernel.close()
        hub.api("DELETE", "/users/solo/server")
    pulled = hub.home("solo") / plan.target
    assert (pulled / LESSON / f"{LESSON}.ipynb").is_file()
    assert (pulled / "README.md").is_file()
    assert find_folder_leaks(pulled) == []
    names = {p.name for p in pulled.rglob("*")}
    assert "instructor_notes.md" not in names and "lessons" not in names


def test_a_server_started_ahead_is_waiting_when_the_student_arrives(hub, hubload, plan):
    """deploy/prespawn.py starts the server; the student's link goes straight to it."""
    import threading

    started = hubload._prespawn_module().prespawn(hub.api, ["early"], parallel=1, timeout=300)
    assert started["early"][1] == "", started
    servers = _servers(hub, hubload, "early")
    assert servers, "the server started ahead is not running"
    go = threading.Event()
    go.set()
    result, kernel = hubload.simulate(hub, "early", plan, go, None, time.monotonic() + 400)
    try:
        assert result.ok, f"{result.stage}: {result.error}"
        # the student arrived at the server started ahead: no new server was started for them
        assert _servers(hub, hubload, "early") == servers
        assert result.first_cell_s is not None
    finally:
        if kernel is not None:
            kernel.close()
        hub.api("DELETE", "/users/early/server")


def _servers(hub, hubload, user: str) -> set[int]:
    """The single-user servers of ``user``: the hub's own children (a server's kernels and any
    short-lived helper it runs are its children, not the hub's)."""
    table = hubload._proc_table()
    return {pid for pid, name in hub.user_processes().items()
            if name == user and table.get(pid, (0, 0))[0] == hub.proc.pid}


def _forked(hub, hubload, pid: int) -> bool:
    """Is ``pid`` a kernel forked from the hub's warm kernel template?"""
    return hubload._proc_table().get(pid, (0, 0))[0] in hub.template_pids


def test_the_kernel_template_comes_back_if_it_dies(hub, hubload, plan):
    """The hub restarts its warm kernel template (a managed service); the next student's kernel
    is forked from the new one."""
    import signal
    import threading

    hub.user_processes()
    old = hub.template_pids
    assert len(old) == 1, f"the local hub runs one kernel template, found {old}"
    os.kill(next(iter(old)), signal.SIGKILL)
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        hub.user_processes()  # notes the hub's new children
        if hub.template_pids - old and hub._wait_for_template(timeout=5):
            break
        time.sleep(1)
    new = hub.template_pids - old
    assert len(new) == 1, f"the hub did not start a new template within {PATIENCE} s"
    go = threading.Event()
    go.set()
    result, kernel = hubload.simulate(hub, "phoenix", plan, go, None, time.monotonic() + PATIENCE)
    try:
        assert result.ok, f"{result.stage}: {result.error}"
        mine = [pid for pid, user in hub.user_processes().items() if user == "phoenix"]
        assert [pid for pid in mine if hubload._proc_table()[pid][0] in new], mine
    finally:
        if kernel is not None:
            kernel.close()
        hub.api("DELETE", "/users/phoenix/server")


def test_many_students_at_once(hub, hubload, plan):
    """PP_HUB_USERS students (default 20) at the same instant: zero failures; report written."""
    assert 1 <= USERS <= 200, "PP_HUB_USERS must be between 1 and 200"
    assert CELLS in ("first", "examples"), "PP_HUB_CELLS must be 'first' or 'examples'"
    run_plan = hubload.Plan(**{**plan.__dict__, "cells": CELLS})
    report = hubload.run_load(hub, USERS, run_plan, deadline_s=2 * PATIENCE)  # many at once, on a busy machine
    report["extra"] = dict(_extra)
    json_path, md_path = hubload.write_report(report, REPORT_DIR)
    print(md_path.read_text())
    failures = "\n".join(f"{f['name']} at {f['stage']}: {f['error']}" for f in report["failures"])
    assert report["ok"] == USERS, f"{len(report['failures'])} of {USERS} failed:\n{failures}"
    assert report["memory"]["users_at_peak"] == USERS, "the memory peak must have everyone active"
