"""The course website (`make site`): built once, offline, with Sphinx warnings as errors.

The module builds the site into a temporary folder with ``site/build.py --strict`` (the executed
lessons are cached by content under build/site-cache, so a second run on the same sources
executes nothing), then checks it from the reader's side: every lesson found in lessons/ is
there, run, with its charts as images with alt text and its widgets as pictures with a note; no
solution, hidden test or rubric reached any page; every internal link resolves; nothing is
loaded from another host; the launch links are the ones ``course links`` makes for the hub URL
given at build time; the dataset catalogue has a full page per dataset. A browser test serves
the site on 127.0.0.1, opens every page in Chromium with every other host blocked, and runs
axe-core (WCAG 2 A and AA rules) on each.
"""

from __future__ import annotations

import csv
import functools
import html
import http.server
import importlib.util
import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser_helpers import CHROMIUM, CHROMIUM_ARGS, axe_script, local_only, require_browser
from bs4 import BeautifulSoup
from conftest import REPO, require

from course.grading import find_leaks
from course.grading.releasing._content import RUBRIC_RE, nbgrader_delimiters
from course.publish import links

DELIMITERS = nbgrader_delimiters().loose_pattern()  # the release leak check's own pattern

pytestmark = [pytest.mark.slow]

HUB = "https://hub.test-university.example"
STUDENT_REPO = "https://github.com/test-org/pp-student"
BRANCH = "autumn"
SHOTS = REPO / "build" / "site-browser"
# A cell that draws a chart: a course chart builder, or an explorer widget.
CHART_CALL = re.compile(r"\bcharts\.(ranked_bars|time_series|tile_map)\(|\b[A-Z]\w+(Explorer|"
                        r"Timeline|Designer|Dashboard|Scatter|Decomposer|Builder)\(")
WIDGET_CALL = re.compile(r"^from widgets import", re.M)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


def _lessons() -> list[tuple[str, Path]]:
    """Every lesson in lessons/ (by glob: a new lesson is checked without editing this file)."""
    found = []
    for folder in sorted(p for p in (REPO / "lessons").iterdir() if p.is_dir()):
        notebook = folder / f"{folder.name}.ipynb"
        if notebook.is_file():
            found.append((folder.name, notebook))
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict:
    require(importlib.util.find_spec("jupyter_book") is not None,
            "jupyter-book (a Python dev dependency: pip install -e '.[dev]')")
    out = tmp_path_factory.mktemp("site")
    cmd = [sys.executable, str(REPO / "site" / "build.py"), "--out", str(out), "--strict",
           "--hub-url", HUB, "--student-repo", STUDENT_REPO, "--branch", BRANCH]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=3000)
    log = result.stdout + result.stderr
    (out / "build.log").write_text(log, encoding="utf-8")
    root = out / "_build" / "html"
    pages = sorted(p for p in root.rglob("*.html")
                   if not {"_static", "_sources"} & set(p.relative_to(root).parts))
    return {"out": out, "root": root, "code": result.returncode, "log": log, "pages": pages}


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _page(site, lesson_id: str) -> Path:
    return site["root"] / "lessons" / lesson_id / f"{lesson_id}.html"


def _article(soup: BeautifulSoup):
    return soup.select_one("article") or soup


# -- the build ------------------------------------------------------------------------------


def test_site_builds_with_warnings_as_errors(site):
    assert site["code"] == 0, f"site build failed:\n{site['log'][-6000:]}"
    assert " -W " in site["log"] and "build succeeded" in site["log"]
    warnings = [line for line in site["log"].splitlines()
                if re.search(r"\bWARNING\b", line) and "IPKernelApp" not in line]
    assert warnings == []


def test_every_lesson_is_executed_with_static_charts_and_widget_pictures(site):
    lessons = _lessons()
    assert len(lessons) >= 9
    for lesson_id, source in lessons:
        page = _page(site, lesson_id)
        assert page.is_file(), f"no page for {lesson_id}"
        soup = _soup(page)
        nb = json.loads(source.read_text(encoding="utf-8"))
        shown = [_text(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"
                 and not c["metadata"].get("nbgrader", {}).get("solution")
                 and not c["metadata"].get("nbgrader", {}).get("grade")]
        outputs = soup.select(".cell_output")
        assert len(outputs) >= len(shown) // 2, f"{lesson_id}: {len(outputs)} outputs"
        assert not soup.select(".output.traceback, .output.error"), f"{lesson_id}: an error"
        # Charts: one image (with alt text, as SVG) per chart-drawing cell at least.
        expected = sum(1 for s in shown if CHART_CALL.search(s))
        images = soup.select("figure.pp-chart img")
        assert len(images) >= expected, (lesson_id, len(images), expected)
        for img in images:
            assert img["src"].startswith("data:image/svg+xml;base64,"), lesson_id
            assert len(img.get("alt", "")) > 20, f"{lesson_id}: a chart without alt text"
        assert not soup.select(".vega-embed, script[type='application/vnd.jupyter.widget-view+json']")
        # Widgets: a picture of the starting view and a note on running it live.
        if any(WIDGET_CALL.search(s) for s in shown):
            pictures = soup.select(".pp-static-widget")
            assert pictures, f"{lesson_id}: a widget is not shown as a picture"
            for picture in pictures:
                note = picture.select_one(".pp-widget-note").get_text(" ")
                assert "make lab" in note and "launch links" in note
        # Exercises are shown unrun, as the student meets them.
        if any(c["metadata"].get("nbgrader", {}).get("solution") and c["cell_type"] == "code"
               for c in nb["cells"]):
            assert "YOUR CODE HERE" in soup.get_text(), f"{lesson_id}: the exercises are missing"


def test_no_solution_hidden_test_or_rubric_reaches_any_page(site, tmp_path):
    for page in site["pages"]:
        text = _soup(page).get_text()
        assert not DELIMITERS.search(text), f"an nbgrader delimiter in {page.name}"
        if page.name != "instructor-guide.html":  # the guide names the marker it documents
            assert not RUBRIC_RE.search(text), f"a rubric marker in {page.name}"
    for lesson_id, source in _lessons():
        reasons = _leaks(_page(site, lesson_id), source, tmp_path)
        assert reasons == [], f"{lesson_id}: {reasons[:5]}"


def _leaks(page: Path, source: Path, tmp_path: Path) -> list[str]:
    """The release leak check (``course.grading.find_leaks``) on a page's text: every line of the
    source's solutions, hidden tests and rubrics is looked for in it."""
    text = _soup(page).get_text()
    fake = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": text}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / f"{page.stem}.ipynb"
    path.write_text(json.dumps(fake), encoding="utf-8")
    return find_leaks(path, source, check_folder=False)


def test_the_leak_check_on_pages_bites(site, tmp_path):
    lesson_id, source = _lessons()[1]
    page = _page(site, lesson_id)
    nb = json.loads(source.read_text(encoding="utf-8"))
    solution = next(_text(c["source"]) for c in nb["cells"]
                    if c["metadata"].get("nbgrader", {}).get("solution") and c["cell_type"] == "code")
    line = next(ln for ln in solution.splitlines()[1:] if len(ln.strip()) > 12 and "###" not in ln)
    leaked = tmp_path / "leaked.html"
    leaked.write_text(page.read_text(encoding="utf-8").replace(
        "</article>", f"<pre>{html.escape(line)}</pre></article>"), encoding="utf-8")
    assert any("contains a line from" in r for r in _leaks(leaked, source, tmp_path))


def test_launch_links_use_the_hub_given_at_build_time(site):
    for lesson_id, _ in _lessons():
        soup = _soup(_page(site, lesson_id))
        hrefs = [a["href"] for a in soup.select(".pp-launch a[href]")]
        ((_, hub),) = links(HUB, STUDENT_REPO, BRANCH, [lesson_id], lessons_dir=REPO / "lessons")
        assert hub in hrefs, f"{lesson_id}: no nbgitpuller link {hub}"
        assert "git-pull" in hub and "targetpath=pp-student" in hub
        binder = [h for h in hrefs if h.startswith("https://mybinder.org/v2/gh/")]
        assert binder and binder[0].endswith(f"{lesson_id}%2F{lesson_id}.ipynb"), hrefs


def _local_targets(page: Path, root: Path):
    soup = _soup(page)
    for tag, attr in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
                      ("iframe", "src"), ("source", "src")):
        for node in soup.find_all(tag):
            value = node.get(attr)
            if value:
                yield tag, node, value


def test_internal_links_resolve(site):
    root = site["root"]
    ids: dict[Path, set[str]] = {}
    problems = []
    for page in site["pages"]:
        for _tag, _node, value in _local_targets(page, root):
            parts = urlsplit(value)
            if parts.scheme or value.startswith("//"):
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{page.relative_to(root)}: {value} (missing)")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = {n.get("id") for n in _soup(target).find_all(id=True)}
                if parts.fragment not in ids[target]:
                    problems.append(f"{page.relative_to(root)}: {value} (no such anchor)")
    assert problems == [], problems[:20]
    assert len(site["pages"]) >= len(_lessons()) + 35 + 4


def test_nothing_is_loaded_from_another_host(site):
    """Scripts, styles, fonts and images all come from the site itself (links may go out)."""
    root = site["root"]
    problems = []
    for page in site["pages"]:
        for tag, node, value in _local_targets(page, root):
            if tag == "a" or (tag == "link" and "stylesheet" not in (node.get("rel") or [])
                              and "preload" not in (node.get("rel") or [])
                              and "icon" not in (node.get("rel") or [])):
                continue
            if urlsplit(value).scheme not in ("", "data") or value.startswith("//"):
                problems.append(f"{page.relative_to(root)}: <{tag}> {value}")
        for script in _soup(page).find_all("script", src=False):
            for url in re.findall(r"https?://[^\s\"'`]+", script.get_text()):
                problems.append(f"{page.relative_to(root)}: inline script names {url}")
    for css in root.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", css.read_text(errors="ignore")):
            problems.append(f"{css.relative_to(root)}: url({url})")
        for url in re.findall(r"@import\s+(?:url\()?['\"]?((?:https?:)?//[^'\")]+)",
                              css.read_text(errors="ignore")):
            problems.append(f"{css.relative_to(root)}: @import {url}")
    assert problems == [], problems[:20]
    # Maths is typeset by the bundled MathJax, never a CDN's.
    lesson = _soup(_page(site, _lessons()[1][0]))
    mathjax = [s["src"] for s in lesson.find_all("script", src=True) if "MathJax" in s["src"]]
    assert mathjax and all(m.startswith("../../_static/mathjax/") for m in mathjax), mathjax
    assert (root / "_static" / "mathjax" / "MathJax.js").is_file()


def test_dataset_catalogue_has_a_full_page_per_dataset(site):
    from course import data

    package = json.loads((REPO / "datasets" / "datapackage.json").read_text(encoding="utf-8"))
    index = _soup(site["root"] / "datasets" / "index.html")
    for res in package["resources"]:
        page = site["root"] / "datasets" / f"{res['name']}.html"
        assert page.is_file(), res["name"]
        assert index.select_one(f"a[href='{res['name']}.html']"), f"{res['name']} not in the index"
        soup = _soup(page)
        text = " ".join(_article(soup).get_text(" ").split())
        assert soup.select_one("h1").get_text().strip().rstrip("#").strip() == res["title"]
        for field in res["schema"]["fields"]:
            assert field["name"] in text
            if field.get("unit"):
                assert " ".join(field["unit"].split()) in text, (res["name"], field["unit"])
        assert " ".join(res["coverage"].split()) in text
        for caveat in res.get("caveats", []):
            assert " ".join(caveat.split())[:60] in text, (res["name"], caveat)
        for source in res["sources"]:
            assert source["publisher"] in text and " ".join(source["title"].split())[:50] in text
        for lic in res["licenses"]:
            assert " ".join(lic["title"].split()) in text
        assert " ".join(data.cite(res["name"]).split()) in text
        # The preview table: the file's first rows, columns as in the schema.
        table = soup.select_one("table.pp-preview")
        header = [th.get_text().strip() for th in table.select("thead th")]
        assert header == [f["name"] for f in res["schema"]["fields"]]
        first = [td.get_text().strip() for td in table.select("tbody tr")[0].find_all("td")]
        with open(data.datasets_dir() / res["path"], encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh)
            assert next(rows) == header
            assert first == [value.strip() for value in next(rows)], res["name"]
        # A chart, as an SVG file with its alt text.
        img = soup.select_one("img.pp-chart")
        assert img is not None and len(img.get("alt", "")) > 20, res["name"]
        svg = (page.parent / img["src"]).resolve()
        assert svg.suffix == ".svg" and "<svg" in svg.read_text(encoding="utf-8")[:500]


def test_guide_setup_and_citation_pages(site):
    root = site["root"]
    guide = _soup(root / "instructor-guide.html").get_text()
    assert "Instructor guide" in guide and "course grade" in guide
    setup = _soup(root / "workshop-setup.html")
    assert "Running the course for a workshop" in setup.get_text()
    # Links to repository files that are not pages go to the repository, not to a missing page.
    assert setup.select_one("a[href^='https://github.com/productive-places/productive-places/tree/main/deploy/tljh']")
    cite = _soup(root / "cite.html").get_text()
    assert "How to cite" in cite and "Productive Places" in cite and "0.1.0" in cite
    assert "Place-Based Industrial Policy: Six Lessons for the UK" in cite
    index = _soup(root / "index.html")
    for lesson_id, _ in _lessons():
        assert index.select_one(f"a[href='lessons/{lesson_id}/{lesson_id}.html']"), lesson_id


# -- in a browser -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(site):
    assert site["code"] == 0, "the site did not build"

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site["root"])))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.needs_system
def test_every_page_passes_axe_and_loads_nothing_from_another_host(site, served):
    require_browser()
    axe = axe_script()
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    violations, broken = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            blocked = local_only(context)
            page = context.new_page()
            for path in site["pages"]:
                rel = path.relative_to(site["root"]).as_posix()
                page.goto(f"{served}/{rel}", wait_until="load")
                if page.locator("span.math, div.math").count():
                    page.wait_for_function(
                        "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"
                        " && document.querySelector('.MathJax, .MathJax_Display') !== null",
                        timeout=120_000)
                page.add_script_tag(path=str(axe))
                result = page.evaluate(
                    "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
                for v in result["violations"]:
                    targets = [n["target"] for n in v["nodes"][:3]]
                    violations.append(f"{rel}: {v['id']} ({v['impact']}) {v['help']} at {targets}")
                for src in page.locator("img").evaluate_all(
                        "els => els.filter(e => !(e.complete && e.naturalWidth > 0))"
                        ".map(e => e.getAttribute('src').slice(0, 80))"):
                    broken.append(f"{rel}: {src}")
                if rel == "lessons/01-regional-gap/01-regional-gap.html":
                    page.screenshot(path=str(SHOTS / "lesson01.png"), full_page=False)
                    page.locator(".pp-static-widget").first.screenshot(
                        path=str(SHOTS / "lesson01-widget.png"))
        finally:
            browser.close()
    assert blocked == [], f"requests to other hosts: {sorted(set(blocked))[:10]}"
    assert broken == [], f"images that did not load: {broken[:10]}"
    assert violations == [], "\n".join(violations[:40])
