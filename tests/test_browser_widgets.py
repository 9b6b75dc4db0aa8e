"""Every course widget in a real browser: a chart changed in place is the chart a fresh draw gives.

The course's chart front end (course/static/chart.js) updates a widget's chart on the page in
place when a control changes only its rows or param values, instead of drawing it again (that is
what keeps a control change within the 150 ms budget). A wrong in-place update would show a
picture that the spec does not describe: bars out of order, old rows left behind, a param not
applied. So here every widget is shown in one notebook, each of its controls is operated from
the keyboard, and then the same widget is displayed a second time: that second view draws the
model's spec from scratch. The two charts' SVG must be the same, mark for mark.

It also checks the mechanism: the chart on the page was updated in place (its SVG element is the
one first drawn) for the widgets whose controls swap rows.
"""

from __future__ import annotations

import difflib
import json
import re
import time

import pytest
from conftest import PATIENCE, REPO
from test_browser import _menu, _prompts, _wait_idle, accept_kernel_dialog, browser, lab, new_page

import widgets

pytestmark = [pytest.mark.slow, pytest.mark.needs_system]

__all__ = ["browser", "lab"]  # the fixtures used here (one JupyterLab server, one Chromium)

NAMES = sorted(widgets.__all__)
# Widgets whose controls swap the chart's rows (ChartWidget._show_data): their chart must be
# changed in place, never drawn again.
SWAP_ROWS = ["ClusterExplorer", "PlaceboExplorer", "ShiftShareDecomposer"]
CONTROLS = "select, .noUi-handle, .widget-toggle-buttons button:not(.mod-active)"
NOTEBOOK = "widgets_in_place.ipynb"
OUT = REPO / "build" / "browser"  # the two SVGs of a chart that differs, to look at


def _notebook() -> dict:
    cells = [f"from widgets import {name}\nw_{name} = {name}()\nw_{name}" for name in NAMES]
    cells.append("from IPython.display import display\n"
                 + "\n".join(f"display(w_{name})" for name in NAMES))
    return {"cells": [{"cell_type": "code", "metadata": {}, "execution_count": None,
                       "outputs": [], "source": c} for c in cells],
            "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                        "display_name": "Python 3"}},
            "nbformat": 4, "nbformat_minor": 5}


# The chart's SVG as text, in a form that two drawings of the same picture share: the ids Vega
# numbers per page (clip paths, gradients) made neutral, and the items of each mark (its bars,
# grid lines, labels: the children of a <g class="mark-...">) in a fixed order, since Vega
# updating in place may keep them in another order in the document, drawn at the same places.
_CANONICAL = """svg => {
  const copy = svg.cloneNode(true);
  copy.removeAttribute('data-first-drawn');
  for (const mark of copy.querySelectorAll('g[class^="mark-"]')) {
    const items = [...mark.children];
    items.sort((a, b) => a.outerHTML < b.outerHTML ? -1 : a.outerHTML > b.outerHTML ? 1 : 0);
    mark.replaceChildren(...items);
  }
  return copy.outerHTML;
}"""


def _svg(view) -> str:
    html = view.locator(".vega-embed svg.marks").first.evaluate(_CANONICAL)
    return re.sub(r"\b(clip|gradient|pattern)_?\d+\b", r"\1#", html)


def _settle(view, quiet: float = 1.0, timeout: float = PATIENCE) -> str:
    """The chart's SVG once it is up to date (chart.js clears ``aria-busy`` when it has applied
    every change it was sent) and has not changed for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = view.locator(".vega-embed svg.marks").evaluate_all("els => els.map(e => e.outerHTML)")
        if view.locator("[aria-busy=true]").count():
            now = None
        if now != last:
            last, since = now, time.monotonic()
        elif now and time.monotonic() - since >= quiet:
            return _svg(view)
        time.sleep(0.2)
    raise AssertionError("the chart kept changing")


def _operate(page, view) -> list[str]:
    """Press each control of the widget once from the keyboard; what was pressed."""
    pressed = []
    controls = view.locator(CONTROLS)
    for i in range(controls.count()):
        control = controls.nth(i)
        if not control.is_visible():
            continue
        tag = control.evaluate("e => e.tagName")
        key = {"SELECT": "ArrowDown", "BUTTON": "Space"}.get(tag, "ArrowRight")
        control.scroll_into_view_if_needed()
        control.focus()
        page.keyboard.press(key)
        pressed.append(f"{tag}:{key}")
        _wait_idle(page)
        _settle(view, quiet=0.6)
    return pressed


def _open(page, lab, notebook: str) -> None:
    """Open ``notebook`` in a fresh workspace, its kernel started and idle."""
    page.goto(f"{lab['base']}/lab/tree/{notebook}?reset&token={lab['token']}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=180_000, state="attached")
    accept_kernel_dialog(page)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=180_000, state="attached")


def test_a_chart_changed_in_place_is_the_chart_a_fresh_draw_gives(lab, browser):
    (lab["root"] / NOTEBOOK).write_text(json.dumps(_notebook()), encoding="utf-8")
    context, page = new_page(browser)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in [*OUT.glob("*-fresh.svg"), *OUT.glob("*-in-place.svg")]:
        old.unlink()
    try:
        _open(page, lab, NOTEBOOK)
        cells = page.locator(".jp-Notebook .jp-CodeCell")
        last = cells.nth(len(NAMES))
        # every cell but the last: each widget shown once
        last.locator(".jp-InputArea-prompt").click()
        _menu(page, "Run", "Run All Above Selected Cell")
        for name in NAMES:
            view = page.locator(f".course-widget-{name}").first
            view.wait_for(timeout=PATIENCE * 1000)
            _settle(view)
        assert _prompts(page)[-1] == "[ ]:", "the last cell ran too soon"

        operated, kept = {}, {}
        for name in NAMES:
            view = page.locator(f".course-widget-{name}").first
            view.locator(".vega-embed svg.marks").first.evaluate(
                "e => e.setAttribute('data-first-drawn', '1')")
            pressed = _operate(page, view)
            assert pressed, f"{name}: no control to operate"
            operated[name] = _settle(view)
            kept[name] = view.locator("svg.marks[data-first-drawn]").count() == 1

        # the same widgets shown again: each second view draws the model's spec from scratch
        last.locator(".jp-InputArea-prompt").click()
        page.keyboard.press("Control+Enter")
        _wait_idle(page)
        problems = []
        for name in NAMES:
            fresh_view = page.locator(f".course-widget-{name}").nth(1)
            fresh_view.wait_for(timeout=PATIENCE * 1000)
            fresh = _settle(fresh_view)
            again = _settle(page.locator(f".course-widget-{name}").first)
            assert again == operated[name], f"{name}'s chart changed when shown a second time"
            if fresh != operated[name]:
                diff = difflib.unified_diff(re.split(r"(?=<)", fresh),
                                            re.split(r"(?=<)", operated[name]),
                                            "fresh draw", "changed in place", n=0, lineterm="")
                problems.append(f"{name}:\n    " + "\n    ".join(list(diff)[:12]))
                (OUT / f"{name}-fresh.svg").write_text(fresh, encoding="utf-8")
                (OUT / f"{name}-in-place.svg").write_text(operated[name], encoding="utf-8")
        assert not problems, "charts changed in place differ from a fresh draw:\n" + \
            "\n".join(problems)
        redrawn = [name for name in SWAP_ROWS if not kept[name]]
        assert not redrawn, f"drawn again instead of changed in place: {redrawn}"
        assert not [p for p in page.problems if re.search(r"vega|widget|chart", p, re.I)], \
            page.problems
    finally:
        context.close()


def test_a_chart_that_cannot_be_drawn_says_why_and_what_to_do(lab, browser):
    """A chart whose Vega library never reached the page, and a chart with a broken spec, each
    show a message that says what failed and what to do; neither stops the other charts."""
    code = (
        "import altair as alt, pandas as pd\n"
        "from IPython.display import display\n"
        "from course import charts\n"
        "ok = charts.jupyter_chart(alt.Chart(pd.DataFrame({'a': [1, 2]})).mark_bar()"
        ".encode(x='a:Q', y='a:N'))\n"
        "lost = charts.CourseChart(None, _vega={'model': 'no-such-model', 'key': 'lost'})\n"
        "lost.spec = ok.spec\n"
        "bad = charts.CourseChart(None)\n"
        "bad.spec = {'mark': 'no-such-mark', 'data': {'values': [{'a': 1}]}}\n"
        "display(lost, bad, ok)"
    )
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "execution_count": None,
                           "outputs": [], "source": code}],
                "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                            "display_name": "Python 3"}},
                "nbformat": 4, "nbformat_minor": 5}
    (lab["root"] / "broken_charts.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    context, page = new_page(browser)
    try:
        _open(page, lab, "broken_charts.ipynb")
        page.locator(".jp-Notebook .jp-CodeCell .jp-InputArea-prompt").first.click()
        page.keyboard.press("Control+Enter")
        _wait_idle(page)
        errors = page.locator(".jp-Notebook .jp-OutputArea-output"
                              "[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, errors.all_text_contents()
        alerts = page.locator(".jp-Notebook [role=alert]")
        deadline = time.monotonic() + PATIENCE
        while (alerts.count() < 2 or page.locator(".jp-Notebook .vega-embed svg.marks").count() < 1) \
                and time.monotonic() < deadline:
            page.wait_for_timeout(300)
        texts = alerts.all_text_contents()
        assert len(texts) == 2, texts
        lost, bad = texts
        assert "the chart library (Vega) did not reach the browser" in lost
        assert "Restart the kernel and run the notebook again" in lost
        assert "specification has a mistake" in bad and "Vega) did not reach" not in bad
        # the chart with a library drew: a failed load is forgotten, not shared
        assert page.locator(".jp-Notebook .vega-embed svg.marks [role=graphics-symbol]").count() >= 2
    finally:
        context.close()
