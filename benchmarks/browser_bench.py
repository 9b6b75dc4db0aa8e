"""Widgets in a real browser: time from a control change to the chart repainted.

One JupyterLab server (offline, 127.0.0.1) and the system's Chromium (Debian's, driven by
Playwright; never a downloaded browser) open a scratch notebook that shows every widget in
``widgets.__all__``. For each widget the first slider handle (or, without one, the first dropdown)
is moved from the keyboard, back and forth, ``changes`` times. One change is timed in the page:
from the keydown (``performance.now()`` in a capturing listener) through the round trip to the
kernel and the chart's update (the course's chart front end clears ``aria-busy`` on the chart once
it shows the change; a MutationObserver sees it) to the next animation frame, when the browser
paints it. That is the student's wait, the figure the budget in DESIGN.md
caps at a p95 of 150 ms on a 2-core machine.

Before that, the page's first draw: seconds from Run All to every widget's chart drawn, the
megabytes the page received on its kernel's web socket meanwhile, and the errors the page
raised (anywidget gives a widget's module 2 s to load; one that takes longer ends in
"[anywidget] Failed to initialize model"). ``slowdown`` makes Chromium's CPU that many times
slower (Chrome's own CPU throttling), for a student's slower laptop.

Benchmarks measure; they never assert timings.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.stats import summary

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

# Starts before the key press; resolves with the ms from keydown to the frame after the chart
# was brought up to date (null after 10 s without one). The course's chart front end
# (course/static/chart.js) sets aria-busy="true" on the chart while it applies a change and
# "false" when the chart shows it; a front end without that mark (Altair's own, when the course
# bundle could not be made) is timed to its first change of the chart's SVG.
_ARM = """root => {
  window.__benchWait = new Promise(resolve => {
    let t0 = null, busy = false;
    const host = root.querySelector('.vega-embed');
    root.addEventListener('keydown', () => { t0 = performance.now(); },
                          {capture: true, once: true});
    const done = () => {
      obs.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - t0));
    };
    const obs = new MutationObserver(records => {
      if (t0 === null) return;
      if (!host.hasAttribute('aria-busy')) return done();
      for (const r of records) {
        if (r.target !== host || r.attributeName !== 'aria-busy') continue;
        if (host.getAttribute('aria-busy') === 'true') busy = true;
        else if (busy) return done();
      }
    });
    obs.observe(host, {subtree: true, childList: true, attributes: true, characterData: true});
    setTimeout(() => { obs.disconnect(); resolve(null); }, 10000);
  });
}"""


def _notebook(names: list[str]) -> dict:
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": f"from widgets import {name}\n{name}()"} for name in names]
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                                         "display_name": "Python 3"}},
            "nbformat": 4, "nbformat_minor": 5}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server(root: Path, settings: Path, port: int, token: str, log) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}", "--no-browser",
           f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
           f"--IdentityProvider.token={token}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(root.parent / "config"),
               JUPYTERLAB_SETTINGS_DIR=str(settings))
    env.pop("JUPYTER_CONFIG_PATH", None)
    return subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.3)


def bench(changes: int = 40, names: list[str] | None = None, log=print,
          slowdown: float = 1) -> dict:
    """Per widget: p50, p95 and max ms from a keyboard change to the chart repainted; and the
    first draw of them all (``first_draw``)."""
    import requests
    from playwright.sync_api import sync_playwright

    import widgets

    if not Path(CHROMIUM).is_file():
        raise RuntimeError(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    names = names or sorted(widgets.__all__)
    work = Path(tempfile.mkdtemp(prefix="browser-bench-"))
    root = work / "nb"
    root.mkdir()
    (work / "config").mkdir()
    tracker = work / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}), encoding="utf-8")
    (root / "bench.ipynb").write_text(json.dumps(_notebook(names)), encoding="utf-8")
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    results: dict = {"changes": changes, "slowdown": slowdown, "widgets": {}}
    with open(work / "lab.log", "wb") as lab_log:
        proc = _server(root, work / "settings", port, token, lab_log)
        try:
            def up() -> bool:
                try:
                    return requests.get(f"{base}/api/status", params={"token": token},
                                        timeout=2).status_code == 200
                except requests.RequestException:
                    return False

            _wait_until(up, 180, "JupyterLab start")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                context = browser.new_context(viewport={"width": 1366, "height": 768})
                context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url
                              else r.abort())
                page = context.new_page()
                received, errors = [0], []
                page.on("websocket", lambda ws: ws.on(
                    "framereceived", lambda payload: received.__setitem__(0, received[0] + len(
                        payload.encode() if isinstance(payload, str) else payload))))
                page.on("pageerror", lambda e: errors.append(str(e)))
                if slowdown != 1:
                    context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate",
                                                       {"rate": slowdown})
                page.goto(f"{base}/lab/tree/bench.ipynb?token={token}")
                page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=180_000)
                time.sleep(3)
                dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
                if dialog.count():  # JupyterLab asks when it cannot tell: Python 3 it is
                    dialog.locator(".jp-mod-accept").first.click()
                page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                                       timeout=180_000, state="attached")
                received[0] = 0
                started = time.monotonic()
                _run_all(page)
                deadline = time.monotonic() + 1200
                while (page.locator(".course-widget .vega-embed svg").count() < len(names)
                       and time.monotonic() < deadline):
                    time.sleep(0.2)
                results["first_draw"] = {"s": round(time.monotonic() - started, 1),
                                         "socket_mb": round(received[0] / 1e6, 2),
                                         "page_errors": sorted(set(errors))}
                log(f"  browser first draw of {len(names)} widgets: "
                    f"{results['first_draw']['s']} s, {results['first_draw']['socket_mb']} MB "
                    f"received, page errors: {results['first_draw']['page_errors'] or 'none'}")
                time.sleep(2)
                page.screenshot(path=str(work / "bench.png"))
                shutil.copyfile(work / "bench.png", Path(tempfile.gettempdir()) / "browser-bench.png")
                for name in names:
                    drawn = page.locator(f".course-widget-{name} .vega-embed svg").count()
                    results["widgets"][name] = (_one(page, name, changes, log) if drawn else
                                                {"error": "the widget's chart was not drawn"})
                browser.close()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    shutil.rmtree(work, ignore_errors=True)
    return results


def _prompts(page) -> list[str]:
    return page.locator(".jp-Notebook .jp-CodeCell .jp-InputArea-prompt").evaluate_all(
        "els => els.map(e => e.textContent.trim())")


def _run_all(page) -> None:
    """Run every cell from the Run menu, asking again while no cell has started: on a busy
    machine a click on the menu can land before JupyterLab has set it up, and nothing runs."""
    for _ in range(10):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        asked = time.monotonic()
        while time.monotonic() < asked + 30:
            if any(p != "[ ]:" for p in _prompts(page)):
                return
            time.sleep(0.5)
        page.keyboard.press("Escape")  # close a menu left open
    raise RuntimeError("Run All Cells never started the notebook")


def _one(page, name: str, changes: int, log) -> dict:
    root = page.locator(f".course-widget-{name}").first
    handle = root.locator(".noUi-handle")
    # a slider if there is one; else the last dropdown (CatalogueExplorer's first one picks a
    # dataset to describe and leaves the chart alone; its last picks the chart's region)
    control, keys = (handle.first, ("ArrowRight", "ArrowLeft")) if handle.count() else \
        (root.locator("select").last, ("ArrowDown", "ArrowUp"))
    # a slider already at its top (a latest year) moves down first: every press is a change
    if handle.count() and control.evaluate(
            "e => e.getAttribute('aria-valuenow') === e.getAttribute('aria-valuemax')"):
        keys = keys[::-1]
    label = control.evaluate("e => e.getAttribute('aria-label') || e.tagName")
    control.scroll_into_view_if_needed()
    times: list[float] = []
    missed = 0
    for i in range(changes):
        control.focus()
        root.evaluate(_ARM)
        page.keyboard.press(keys[i % 2])
        ms = page.evaluate("() => window.__benchWait")
        if ms is None:
            missed += 1
        else:
            times.append(float(ms))
        time.sleep(0.05)
    out = {"control": label, "ms": summary(times) if times else None, "no_repaint": missed}
    if times:
        log(f"  browser {name}: p50 {out['ms']['p50']:.0f} ms, p95 {out['ms']['p95']:.0f} ms "
            f"({label})")
    return out


if __name__ == "__main__":
    # python -m benchmarks.browser_bench [changes] [slowdown]
    print(json.dumps(bench(int(sys.argv[1]) if len(sys.argv) > 1 else 20,
                           slowdown=float(sys.argv[2]) if len(sys.argv) > 2 else 1), indent=1))
