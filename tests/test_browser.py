"""A real browser: every lesson in JupyterLab, offline, run top to bottom, looked at as a student.

Headless Chromium from Debian (never a downloaded browser), driven by Playwright, opens one
JupyterLab server holding the instructor source of every lesson found under lessons/ (so every
cell runs, solutions included) at 1366×768 with the file browser open. Every request that is not
to 127.0.0.1 is blocked and recorded. For each lesson the test runs every cell and then checks
what a student sees:

* no cell wrote an error, every chart drew data, no "Error displaying widget";
* no output is wider than its area (no horizontal scroll);
* every chart's rendered SVG: text at 4.5:1 and data marks at 3:1 (tests/widget_helpers.py),
  ranked labels ("1. London", "2. ...") in order;
* axe-core finds no WCAG 2.2 AA violation in the lesson's content (JupyterLab's own chrome is
  outside the scanned selectors);
* each widget's main control works from the keyboard, repaints the chart, and its arrow keys do
  not move JupyterLab's active cell;
* each chart sends its picture to a hidden output beside it; the notebook saves, and reopened
  with its kernel gone it shows each chart's picture with its title and alt text.

Screenshots of each widget go to build/browser/ (docs/gallery.md shows them). A second test
checks that the student view shows none of nbgrader's instructor tools.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    axe_script,
    is_local,
    local_only,
    require_browser,
)
from conftest import PATIENCE, REPO, stop, wait_until
from widget_helpers import contrast_problems, data_marks, rank_problems, svg_width

from course.charts import MAX_WIDTH
from course.charts_saving import PICTURE_KEY, WIDGET_VIEW
from course.grading import lab_command, student_view

pytestmark = [pytest.mark.slow, pytest.mark.needs_system]

LESSONS = sorted(p.parent.name for p in (REPO / "lessons").glob("*/*.ipynb")
                 if p.stem == p.parent.name)
VIEWPORT = {"width": 1366, "height": 768}
OUT = REPO / "build" / "browser"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
# What axe scans: the lesson's own content (rendered markdown and cell outputs), not JupyterLab.
CONTENT = [".jp-Notebook .jp-MarkdownOutput", ".jp-Notebook .jp-OutputArea-output"]
# Settings for this server only: every cell kept in the page (no windowing), so the checks see
# all of them; no news checks.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
    # The test saves the notebook itself (save_notebook); an autosave at a moment of its own
    # could overlap that save on a busy machine.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(proc, base: str, token: str, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            if requests.get(f"{base}/api/status", params={"token": token},
                            timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    pytest.fail("JupyterLab did not start within 180 s")


def _start(cmd: list[str], env: dict, cwd: Path, log_path: Path):
    log = open(log_path, "wb")  # noqa: SIM115 - closed by the caller
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    return proc, log


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab server on a copy of every lesson's instructor source."""
    require_browser()
    work = tmp_path_factory.mktemp("browser")
    for lesson in LESSONS:
        shutil.copytree(REPO / "lessons" / lesson, work / "lessons" / lesson)
    settings = work / "settings"
    for name, values in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values), encoding="utf-8")
    (work / "config").mkdir()
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={work / 'lessons'}",
           "--no-browser", f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
           f"--IdentityProvider.token={token}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    # The student settings every deployment installs (deploy/jupyter/student), among them the
    # pre-save hook that saves each chart as its picture (course/charts_saving.py).
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(work / "config"),
               JUPYTER_CONFIG_PATH=str(REPO / "deploy" / "jupyter" / "student"),
               JUPYTERLAB_SETTINGS_DIR=str(settings), COURSE_CACHE_DIR=str(work / "cache"))
    proc, log = _start(cmd, env, work / "lessons", work / "lab.log")
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(proc, base, token, work / "lab.log")
        yield {"base": base, "token": token, "root": work / "lessons", "log": work / "lab.log"}
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


def new_page(browser):
    """A page at 1366×768 that can reach 127.0.0.1 only; records everything else it tried."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(PATIENCE * 1000)  # clicks and waits on a busy machine
    blocked = local_only(context)
    problems: list[str] = []
    page = context.new_page()
    page.on("websocket", lambda ws: None if is_local(ws.url) else blocked.append(ws.url))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.blocked, page.problems = blocked, problems
    return context, page


@pytest.fixture
def page(browser):
    context, page = new_page(browser)
    try:
        yield page
    finally:
        context.close()


# -- driving JupyterLab -----------------------------------------------------------------------------


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).first.click()


def _prompts(page) -> list[str]:
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
        deadline = time.monotonic() + 60
        while _prompts(page)[index] == "[ ]:" and time.monotonic() < deadline:
            time.sleep(0.2)
    raise AssertionError(f"cells still not run: {_prompts(page)}")


def accept_kernel_dialog(page, wait: float = 10) -> None:
    """JupyterLab asks which kernel to start when a notebook's last session was ended: the
    default (Python 3) is the right one."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
        if dialog.count():
            dialog.locator(".jp-mod-accept").first.click()
            return
        time.sleep(0.5)


def open_notebook(page, lab, lesson: str, n_code: int) -> None:
    # ?reset: a fresh workspace, not the tabs the last lesson left open
    page.goto(f"{lab['base']}/lab/tree/{lesson}/{lesson}.ipynb?reset&token={lab['token']}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=180_000, state="attached")
    accept_kernel_dialog(page)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=180_000,
                           state="attached")
    deadline = time.monotonic() + 60
    while page.locator(".jp-Notebook .jp-CodeCell").count() < n_code:
        assert time.monotonic() < deadline, "the notebook's cells did not all appear"
        time.sleep(0.2)
    # the file browser stays open, as a student has it
    if not page.locator("#jp-left-stack").is_visible():
        page.locator(".jp-SideBar [data-id='filebrowser']").first.click()


def chart_svgs(page) -> list[str]:
    return page.locator(".jp-Notebook .vega-embed svg.marks").evaluate_all(
        "els => els.map(e => e.outerHTML)")


def wait_for_charts(page, expected: int, timeout: float = PATIENCE / 2) -> list[str]:
    """Every chart drawn with data (Vega draws asynchronously after the widget appears)."""
    deadline = time.monotonic() + timeout
    while True:
        svgs = chart_svgs(page)
        drawn = [s for s in svgs if data_marks(s) > 0]
        if len(svgs) >= expected and len(drawn) == len(svgs):
            return svgs
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(drawn)} of {len(svgs)} charts drew data "
                                 f"({expected} expected)")
        time.sleep(0.5)


OVERFLOW_JS = """(MIN_TRACK) => {
  const out = [];
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')
             || document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  if (panel && panel.scrollWidth > panel.clientWidth + 1)
    out.push(`the notebook scrolls sideways: ${panel.scrollWidth} px in ${panel.clientWidth} px`);
  document.querySelectorAll('.jp-Notebook .jp-OutputArea-output').forEach((el, i) => {
    const area = el.getBoundingClientRect();
    if (el.scrollWidth > el.clientWidth + 1)
      out.push(`output ${i} is ${el.scrollWidth} px wide in a ${el.clientWidth} px area`);
    el.querySelectorAll('.vega-embed, .widget-box, table, img').forEach(inner => {
      const r = inner.getBoundingClientRect();
      if (r.width > 0 && r.right > area.right + 1)
        out.push(`output ${i}: a ${inner.className || inner.tagName} ends ${Math.round(r.right - area.right)} px past its area`);
    });
  });
  // a slider squeezed by long labels beside it keeps its handle but loses its track
  document.querySelectorAll('.jp-Notebook .course-widget .widget-hslider').forEach(slider => {
    const track = slider.querySelector('.noUi-target');
    const label = (slider.querySelector('.widget-label') || {}).textContent || 'a slider';
    if (track && track.getBoundingClientRect().width < MIN_TRACK)
      out.push(`slider "${label.trim()}" has a track ${Math.round(track.getBoundingClientRect().width)} px long (< ${MIN_TRACK})`);
  });
  return out;
}"""
# The shortest slider track a student can aim at with a mouse.
MIN_TRACK = 100


def overflow(page) -> list[str]:
    return page.evaluate(OVERFLOW_JS, MIN_TRACK)


def run_axe(page) -> list[str]:
    page.add_script_tag(path=str(axe_script()))
    result = page.evaluate(
        """async ([include, tags]) => {
             const r = await axe.run({include: include.map(s => [s])},
                                     {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
             return r.violations.map(v => ({id: v.id, help: v.help,
                 nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.html.slice(0, 160))}));
           }""", [CONTENT, AXE_TAGS])
    return [f"{v['id']}: {v['help']}\n      " + "\n      ".join(v["nodes"]) for v in result]


def count_within(locator, expected: int, timeout: float = PATIENCE / 4) -> int:
    """How many elements ``locator`` finds once there are ``expected`` (or the time is up)."""
    deadline = time.monotonic() + timeout
    while locator.count() < expected and time.monotonic() < deadline:
        time.sleep(0.5)
    return locator.count()


def active_cell(page) -> int:
    return page.evaluate("""() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')]
                                    .findIndex(c => c.classList.contains('jp-mod-active'))""")


def widget_chart_text(widget) -> str:
    return widget.locator(".vega-embed svg.marks").evaluate_all(
        "els => els.map(e => e.textContent + '|' + e.querySelectorAll('[role=graphics-symbol]').length).join('#')")


def operate_by_keyboard(page, widget) -> str | None:
    """Operate the widget's controls from the keyboard, first control first, until one repaints
    its chart. Returns a problem, or None. Arrow keys must not move JupyterLab's active cell."""
    controls = widget.locator(
        "select, .noUi-handle, .widget-toggle-buttons button:not(.mod-active)")
    tried = []
    for i in range(min(controls.count(), 4)):
        control = controls.nth(i)
        control.scroll_into_view_if_needed()
        control.focus()  # focus alone makes the widget's cell active: that is expected
        time.sleep(0.2)
        before_cell, before_chart = active_cell(page), widget_chart_text(widget)
        tag = control.evaluate("e => e.tagName")
        keys = {"SELECT": ["ArrowDown"], "BUTTON": ["Space"]}.get(tag, ["ArrowRight"])
        for key in keys:
            page.keyboard.press(key)
        tried.append(tag)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if widget_chart_text(widget) != before_chart:
                break
            time.sleep(0.2)
        if active_cell(page) != before_cell:
            return f"{tag}: {keys} moved JupyterLab's active cell from {before_cell}"
        if widget_chart_text(widget) != before_chart:
            return None
    return f"no control repainted the chart from the keyboard (tried {tried})"


# -- tests ----------------------------------------------------------------------------------------


def _code_cells(lab, lesson):
    nb = json.loads((lab["root"] / lesson / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_looks_right_in_the_browser(lab, browser, lesson):
    OUT.mkdir(parents=True, exist_ok=True)
    code = _code_cells(lab, lesson)
    context, page = new_page(browser)
    try:
        open_notebook(page, lab, lesson, len(code))
        _run_everything(page, len(code))
        prompts = _prompts(page)
        assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), f"not every cell ran: {prompts}"

        problems: list[str] = []
        # the instructor source holds the solutions: no cell should write an error
        errors = page.locator(".jp-Notebook .jp-OutputArea-output"
                              "[data-mime-type='application/vnd.jupyter.stderr']")
        for i in range(errors.count()):
            problems.append("error output: " + errors.nth(i).evaluate("e => e.textContent")[:300])
        if page.get_by_text("Error displaying widget").count():
            problems.append("a widget failed to display")
        vega_views = page.locator(".jp-Notebook .vega-embed").count()
        svgs = wait_for_charts(page, vega_views)
        assert svgs, f"{lesson} shows no chart"
        for n, svg in enumerate(svgs):
            problems += [f"chart {n}: {p}" for p in contrast_problems(svg)]
            problems += [f"chart {n}: {p}" for p in rank_problems(svg)]
            if svg_width(svg) > MAX_WIDTH + 1:
                problems.append(f"chart {n} is {svg_width(svg):.0f} px wide (> {MAX_WIDTH})")
        problems += overflow(page)
        problems += [f"axe {v}" for v in run_axe(page)]

        widgets = page.locator(".jp-Notebook .course-widget")
        names = []
        for i in range(widgets.count()):
            widget = widgets.nth(i)
            name = next((c[len("course-widget-"):] for c in
                         widget.get_attribute("class").split() if c.startswith("course-widget-")),
                        f"widget{i}")
            names.append(name)
            # what a student sees at 1366×768: the page with the widget's chart in view
            widget.locator(".vega-embed").first.scroll_into_view_if_needed()
            page.screenshot(path=str(OUT / f"{lesson}-{name}.png"))
            trouble = operate_by_keyboard(page, widget)
            if trouble:
                problems.append(f"{name}: {trouble}")
        for i, view in enumerate(page.locator(".jp-Notebook .vega-embed").all()):
            if view.locator("xpath=ancestor::*[contains(@class,'course-widget')]").count() == 0:
                view.scroll_into_view_if_needed()
                page.screenshot(path=str(OUT / f"{lesson}-chart{i}.png"))

        # each chart's picture reached its (hidden) saved-picture output before saving
        charts_shown = page.locator(".jp-Notebook .course-widget, .jp-Notebook .course-chart").count()
        sent = count_within(page.locator(".jp-Notebook .course-picture img"), charts_shown)
        if sent < charts_shown:
            problems.append(f"{sent} of {charts_shown} charts sent their picture")
        if any(p.is_visible() for p in page.locator(".jp-Notebook .course-picture").all()):
            problems.append("a saved picture shows beside its live chart")

        # the saved notebook keeps each chart's title and alt text (its plain-text view)
        saved_path = lab["root"] / lesson / f"{lesson}.ipynb"
        before = saved_path.stat().st_mtime_ns
        save_notebook(page, lesson)
        deadline = time.monotonic() + PATIENCE
        while saved_path.stat().st_mtime_ns == before and time.monotonic() < deadline:
            # not time.sleep: the page's requests pass through this process (local_only's
            # route), which lets them go only while Playwright is called; asleep, the save
            # would wait here until the deadline
            page.wait_for_timeout(500)
        dialogs = page.locator(".jp-Dialog").all_text_contents()
        assert saved_path.stat().st_mtime_ns != before, f"the notebook was not saved: {dialogs}"
        saved = None
        while saved is None:  # the server may still be writing the file
            try:
                saved = json.loads(saved_path.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                assert time.monotonic() < deadline + 30, "the saved notebook is not valid JSON"
                time.sleep(0.5)
        outputs = [o for c in saved["cells"] if c["cell_type"] == "code"
                   for o in c.get("outputs", [])]
        # each chart is saved as its picture, with its title and alt text as the plain-text view
        pictures = [o for o in outputs if PICTURE_KEY in o.get("metadata", {})]
        if len(pictures) < charts_shown:
            problems.append(f"the saved notebook holds {len(pictures)} pictures for "
                            f"{charts_shown} charts")
        for o in pictures:
            text = o["data"].get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            html = "".join(o["data"].get("text/html", ""))
            if len(text) < 40 or "<img" not in html:
                problems.append(f"a saved picture has no image or alt text: {text[:80]!r}")
        # ... and without its live view, which could not be drawn without the kernel
        views = [o for o in outputs if WIDGET_VIEW in o.get("data", {})]
        if views:
            problems.append(f"the saved notebook keeps {len(views)} live widget views")

        problems += reopened_problems(browser, lab, lesson, charts_shown)

        vega_or_widget = [p for p in page.problems if re.search(
            r"vega|widget|embed|infinite extent", p, re.I)]
        problems += vega_or_widget
        assert page.blocked == [], f"requests to other hosts: {page.blocked}"
        assert not problems, f"{lesson} ({', '.join(names) or 'no widgets'}):\n  " + \
            "\n  ".join(problems)
    finally:
        page.screenshot(path=str(OUT / f"{lesson}-page.png"))
        context.close()
        _end_sessions(lab)


def save_notebook(page, lesson: str) -> None:
    """File > Save Notebook, asked again only while no save request has left the page.

    Control+S from command mode never reached JupyterLab in headless Chromium, hence the menu.
    A second save while the first is still on its way (a busy machine) makes JupyterLab ask
    whether to overwrite a file that "has changed on disk", so a click is repeated only when
    it sent nothing.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    target = f"/api/contents/{lesson}/{lesson}.ipynb"
    for _ in range(5):
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        prompt = page.locator(".jp-Notebook .jp-Cell.jp-mod-active .jp-InputPrompt").first
        prompt.scroll_into_view_if_needed()
        prompt.click()
        page.keyboard.press("Escape")
        try:
            with page.expect_request(lambda r: r.method == "PUT" and target in r.url,
                                     timeout=60_000):
                _menu(page, "File", "Save Notebook")
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"no save request left the page: {page.locator('.jp-Dialog').all_text_contents()}")


def _end_sessions(lab) -> None:
    for session in requests.get(f"{lab['base']}/api/sessions",
                                params={"token": lab["token"]}, timeout=10).json():
        requests.delete(f"{lab['base']}/api/sessions/{session['id']}",
                        params={"token": lab["token"]}, timeout=30)


def reopened_problems(browser, lab, lesson: str, expected: int) -> list[str]:
    """Reopen the saved notebook with its kernel gone (as a student does the next day): every
    chart shows its saved picture, with its title and alt text, and nothing is blank."""
    _end_sessions(lab)
    context, page = new_page(browser)
    problems = []
    try:
        page.goto(f"{lab['base']}/lab/tree/{lesson}/{lesson}.ipynb?reset&token={lab['token']}")
        page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=180_000, state="attached")
        accept_kernel_dialog(page, wait=3)
        figures = page.locator(".jp-Notebook .course-picture")
        found = count_within(figures, expected)
        # a widget view without its kernel says "Loading widget..." until the widget manager
        # gives up on it and writes "Error displaying widget: model not found"
        notebook = page.locator(".jp-Notebook").first
        wait_until(lambda: "Loading widget" not in notebook.text_content(), timeout=120)
        text = notebook.text_content()
        for words in ("Error displaying widget", "model not found", "Loading widget"):
            if words in text:
                problems.append(f"reopened: the notebook shows {words!r} "
                                f"({text.count(words)} times)")
        if found < expected:
            problems.append(f"reopened: {found} saved pictures for {expected} charts")
        for i, figure in enumerate(figures.all()):
            figure.scroll_into_view_if_needed()
            image = figure.locator("img")
            if not figure.is_visible() or image.count() != 1:
                problems.append(f"reopened: saved picture {i} is not shown")
                continue
            if (image.get_attribute("alt") or "").strip() == "" or \
                    image.evaluate("e => e.naturalWidth") == 0:
                problems.append(f"reopened: saved picture {i} has no alt text or did not load")
        if figures.count():
            figures.first.scroll_into_view_if_needed()
            page.screenshot(path=str(OUT / f"{lesson}-reopened.png"))
        problems += [f"reopened: {p}" for p in page.problems if "vega" in p.lower()]
    finally:
        context.close()
        _end_sessions(lab)
    return problems


@pytest.fixture(scope="module")
def student_lab(tmp_path_factory):
    """JupyterLab on a student view of lesson 01, started as `course lab` starts it."""
    require_browser()
    work = tmp_path_factory.mktemp("student-browser")
    lesson = "01-regional-gap"
    shutil.copytree(REPO / "lessons" / lesson, work / "lessons" / lesson)
    view = work / "student"
    student_view(work / "lessons", view)
    port, token = _free_port(), secrets.token_hex(16)
    cmd, env = lab_command(view, port=port, open_browser=False)
    cmd += ["--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}"]
    proc, log = _start(cmd, env, view, work / "lab.log")
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(proc, base, token, work / "lab.log")
        yield {"base": base, "token": token, "lesson": lesson}
    finally:
        stop(proc, timeout=30)
        log.close()


def test_student_lab_shows_no_instructor_tools(student_lab, browser):
    lab = student_lab
    context, page = new_page(browser)
    try:
        page.goto(f"{lab['base']}/lab/tree/{lab['lesson']}/{lab['lesson']}.ipynb?token={lab['token']}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
        menus = page.locator(".lm-MenuBar-itemLabel").evaluate_all(
            "els => els.map(e => e.textContent)")
        assert "Run" in menus and "Nbgrader" not in menus, menus
        body = page.locator("body").evaluate("e => e.textContent")
        for text in ("Formgrader", "Create Assignment", "Course List", "Manage Assignments"):
            assert text not in body, f"{text!r} is visible to students"
        for side in ("#jp-right-stack", "#jp-left-stack"):
            assert page.locator(f"{side} .nbgrader-create-assignment, {side} [id*='nbgrader']").count() == 0
        for path in ("/formgrader", "/formgrader/api/assignments", "/courses"):
            r = page.request.get(f"{lab['base']}{path}?token={lab['token']}", max_redirects=0)
            assert r.status == 404, f"{path} answered {r.status}"
        assert page.blocked == [], page.blocked
    finally:
        context.close()
