"""A real browser: lesson 01's student version in JupyterLab, offline, run top to bottom.

Headless Chromium from Debian (never a downloaded browser), driven by Playwright, opens
JupyterLab started exactly as ``course lab`` starts it (``course.grading.lab_command``) on a
student view generated into a temporary folder. Every request that is not to 127.0.0.1 is
blocked and recorded, so a chart or widget that needs a CDN fails here. The test runs every
cell (continuing past the exercises' expected errors), checks that every widget and chart
rendered, moves the RegionExplorer's year slider and sees the map's title change, and saves
screenshots under build/browser/. A second test checks that the student sees none of
nbgrader's instructor tools.
"""

from __future__ import annotations

import importlib.util
import json
import re
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from conftest import PATIENCE, REPO, require, stop, wait_until

from course.grading import lab_command, student_view

pytestmark = [pytest.mark.slow, pytest.mark.needs_system]

LESSON = "01-regional-gap"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
OUT = REPO / "build" / "browser"
LOCAL_HOSTS = {"127.0.0.1"}
# The course's chart builders: a cell calling one of these (or making an explorer) shows a chart.
CHART_CALL = re.compile(r"\bcharts\.(ranked_bars|time_series|tile_map)\(|\b\w+Explorer\(")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a student view of lesson 01, started as `course lab` starts it."""
    require(Path(CHROMIUM).is_file(),
            f"Debian chromium at {CHROMIUM} (as root: apt-get install -y chromium; "
            ".ci/system-deps.sh does it)")
    require(importlib.util.find_spec("playwright") is not None,
            "the playwright package (pip install -e '.[dev]'; never `playwright install`)")
    work = tmp_path_factory.mktemp("browser")
    lessons = work / "lessons"
    shutil.copytree(REPO / "lessons" / LESSON, lessons / LESSON)
    view = work / "student"
    student_view(lessons, view)
    port, token = _free_port(), secrets.token_hex(16)
    cmd, env = lab_command(view, port=port, open_browser=False)
    cmd += ["--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}"]
    log = open(work / "lab.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=view, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            assert proc.poll() is None, (work / "lab.log").read_text()[-3000:]
            try:
                if requests.get(f"{base}/api/status", params={"token": token},
                                timeout=30).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not start within {PATIENCE} s")
        yield {"base": base, "token": token, "view": view, "log": work / "lab.log"}
    finally:
        stop(proc, timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A page that can reach 127.0.0.1 only; records everything else it tried."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(PATIENCE * 1000)  # clicks and waits on a busy machine
    blocked: list[str] = []
    problems: list[str] = []

    def route(r):
        if urlsplit(r.request.url).hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("websocket", lambda ws: None if urlsplit(ws.url).hostname in LOCAL_HOSTS
            else blocked.append(ws.url))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.blocked, page.problems = blocked, problems
    try:
        yield page
    finally:
        context.close()


# -- helpers ------------------------------------------------------------------------------------


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).first.click()


def _prompts(page) -> list[str]:
    # textContent, not innerText: cells scrolled out of view are not painted.
    return page.locator(".jp-Notebook .jp-CodeCell .jp-InputArea-prompt").evaluate_all(
        "els => els.map(e => e.textContent.trim())")


def _wait_idle(page, timeout: float = PATIENCE) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        prompts = _prompts(page)
        status = page.locator(".jp-Notebook-ExecutionIndicator").first.get_attribute("data-status")
        if status == "idle" and not any("*" in p for p in prompts):
            return prompts
        time.sleep(0.5)
    raise AssertionError(f"the notebook was still running after {timeout:.0f} s")


def _run_everything(page, n_cells: int) -> None:
    """Run All, then run on from each cell that a stopped Run All never reached (bounded)."""
    _menu(page, "Run", "Run All Cells")
    index = 0
    for _ in range(n_cells + 1):
        # Wait for the run to start (its first cell leaves "[ ]:"), then for it to end. A click
        # that did not start it is simply made again on the next round.
        wait_until(lambda i=index: _prompts(page)[i] != "[ ]:", timeout=60)
        prompts = _wait_idle(page)
        if "[ ]:" not in prompts:
            return
        index = prompts.index("[ ]:")
        page.locator(".jp-Notebook .jp-CodeCell").nth(index).locator(
            ".jp-InputArea-prompt").click()
        if index == len(prompts) - 1:  # "...and All Below" is disabled on the last cell
            page.keyboard.press("Control+Enter")
        else:
            _menu(page, "Run", "Run Selected Cell and All Below")
    raise AssertionError(f"cells still not run: {_prompts(page)}")


def _svg_texts(page) -> list[str]:
    return page.locator(".vega-embed svg text").evaluate_all("els => els.map(e => e.textContent)")


# -- tests --------------------------------------------------------------------------------------


def test_lesson01_runs_offline_renders_every_chart_and_widget_and_reacts(lab, page):
    OUT.mkdir(parents=True, exist_ok=True)
    nb = json.loads((lab["view"] / LESSON / f"{LESSON}.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    exercise = [bool(c["metadata"].get("nbgrader", {}).get("solution")
                     or c["metadata"].get("nbgrader", {}).get("grade")) for c in code]
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in code]
    expected_charts = sum(1 for s, ex in zip(sources, exercise, strict=True)
                          if not ex and CHART_CALL.search(s))

    page.goto(f"{lab['base']}/lab/tree/{LESSON}/{LESSON}.ipynb?token={lab['token']}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    # Cells are added to the page in batches.
    assert wait_until(lambda: page.locator(".jp-Notebook .jp-CodeCell").count() >= len(code)), \
        "the notebook's cells did not all appear"

    _run_everything(page, len(code))
    prompts = _prompts(page)
    assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), f"not every cell ran: {prompts}"

    # Errors are expected only where the student has work to do (nbgrader exercise cells).
    for index, is_exercise in enumerate(exercise):
        if is_exercise:
            continue
        cell = page.locator(".jp-Notebook .jp-CodeCell").nth(index)
        stderr = cell.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        if stderr.count():
            text = stderr.first.evaluate("e => e.textContent")[:500]
            pytest.fail(f"code cell {index + 1} (not an exercise) wrote an error:\n{text}")

    # Every widget output rendered, and every chart drew an SVG or canvas.
    assert page.get_by_text("Error displaying widget").count() == 0
    # Widget views are the outputs JupyterLab gives no data-mime-type (they are Lumino panels).
    widgets = page.locator(".jp-OutputArea-output:not([data-mime-type])")
    assert widgets.count() >= expected_charts
    for i in range(widgets.count()):
        assert widgets.nth(i).evaluate("e => e.children.length") > 0, f"widget output {i} is empty"
    embeds = page.locator(".vega-embed")
    assert embeds.count() == expected_charts, (embeds.count(), expected_charts)
    for i in range(embeds.count()):
        assert embeds.nth(i).locator("svg, canvas").count() > 0, f"chart {i} drew nothing"

    # The RegionExplorer: the map title follows the year slider.
    assert "ITL1 regions, 2021: index, UK = 100" in _svg_texts(page)
    handle = page.locator(".widget-slider .noUi-handle").first
    handle.scroll_into_view_if_needed()
    assert handle.get_attribute("aria-valuenow").startswith("2021")
    handle.focus()
    page.keyboard.press("ArrowLeft")
    assert wait_until(lambda: "ITL1 regions, 2020: index, UK = 100" in _svg_texts(page)), \
        f"the map title did not change: {_svg_texts(page)[:8]}"
    assert "ITL1 regions, 2021: index, UK = 100" not in _svg_texts(page)
    assert handle.get_attribute("aria-valuenow").startswith("2020")
    page.screenshot(path=str(OUT / "lesson01-region-explorer-2020.png"))
    embeds.last.screenshot(path=str(OUT / "lesson01-region-explorer-chart.png"))

    assert page.blocked == [], f"requests to other hosts (would need the internet): {page.blocked}"
    vega_or_widget = [p for p in page.problems if re.search(r"vega|widget|embed", p, re.I)]
    assert vega_or_widget == [], vega_or_widget


def test_student_lab_shows_no_instructor_tools(lab, page):
    page.goto(f"{lab['base']}/lab/tree/{LESSON}/{LESSON}.ipynb?token={lab['token']}")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    menus = page.locator(".lm-MenuBar-itemLabel").evaluate_all("els => els.map(e => e.textContent)")
    assert "Run" in menus and "Nbgrader" not in menus, menus
    body = page.locator("body").evaluate("e => e.textContent")
    for text in ("Formgrader", "Create Assignment", "Course List", "Manage Assignments"):
        assert text not in body, f"{text!r} is visible to students"
    for side in ("#jp-right-stack", "#jp-left-stack"):
        assert page.locator(f"{side} .nbgrader-create-assignment, {side} [id*='nbgrader']").count() == 0
    for path in ("/formgrader", "/formgrader/api/assignments", "/courses"):
        r = page.request.get(f"{lab['base']}{path}?token={lab['token']}", max_redirects=0)
        assert r.status == 404, f"{path} answered {r.status}"
    page.screenshot(path=str(OUT / "lesson01-student-lab.png"))
    assert page.blocked == [], page.blocked
