"""Build the course website: the STUDENT view of every lesson, executed, as a Jupyter Book.

    python site/build.py [--out build/site] [--hub-url URL] [--student-repo URL] [--branch main]
                         [--binder-repo ORG/REPO] [--binder-ref main] [--strict]

Steps (each writes under ``--out``; nothing in the repository changes):

1. ``course.grading.student_view`` releases every lesson in ``lessons/`` (found by glob, so a
   new lesson appears by itself) with its solutions, hidden tests and rubrics removed; the
   release's own leak check refuses a lesson that still holds any.
2. The lesson notebooks are copied into the book's sources with launch links (an nbgitpuller
   link for the hub, and Binder) under the title; the exercise cells are tagged
   ``skip-execution`` so the page shows the exercise as the student meets it, not an error.
3. The other pages are written: a dataset catalogue generated from ``datasets/datapackage.json``
   (one page per dataset, with a preview table and a chart), the instructor guide, the workshop
   set-up, and how to cite.
4. ``jupyter-book build`` runs the notebooks (cached by content in ``--cache``) in kernels whose
   IPython startup file (``site/kernel_startup.py``) shows charts as static SVG with alt text and
   widgets as a picture with a note; ``--strict`` turns every Sphinx warning into an error.

The HTML is in ``OUT/_build/html``. Nothing in it loads from another host: the theme's fonts and
scripts are bundled, charts are images, and maths is drawn by a bundled MathJax.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_HUB = "https://hub.example.org"
DEFAULT_STUDENT_REPO = "https://github.com/productive-places/productive-places-student"
DEFAULT_BINDER_REPO = "productive-places/productive-places"
REPO_URL = "https://github.com/productive-places/productive-places"
# Files whose change makes cached lesson outputs stale (the cache is keyed on their contents).
CACHE_INPUTS = ("course", "widgets", "datasets", "site/kernel_startup.py")


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _md_cell(text: str, cell_id: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text}


# -- lessons --------------------------------------------------------------------------------


def lesson_notebooks(view: Path) -> list[tuple[str, Path]]:
    """``(lesson id, notebook)`` for every lesson folder of a student view, in order."""
    found = []
    for folder in sorted(p for p in view.iterdir() if p.is_dir() and not p.name.startswith(".")):
        notebooks = sorted(folder.glob("*.ipynb"))
        main = folder / f"{folder.name}.ipynb"
        if notebooks:
            found.append((folder.name, main if main in notebooks else notebooks[0]))
    return found


def launch_links(lesson_id: str, notebook: str, args) -> dict[str, str]:
    """The hub (nbgitpuller) and Binder links that open this lesson's student version."""
    from urllib.parse import quote

    from course.publish import links

    ((_, hub),) = links(args.hub_url, args.student_repo, args.branch, [lesson_id],
                        lessons_dir=args.view)
    path = quote(f"lab/tree/student/{lesson_id}/{notebook}", safe="")
    binder = f"https://mybinder.org/v2/gh/{args.binder_repo}/{args.binder_ref}?urlpath={path}"
    return {"hub": hub, "binder": binder}


def _launch_cell(lesson_id: str, notebook: str, args) -> dict:
    urls = launch_links(lesson_id, notebook, args)
    host = re.sub(r"^https?://", "", args.hub_url).rstrip("/")
    hub, binder = (html.escape(urls[k], quote=True) for k in ("hub", "binder"))
    text = (  # raw HTML: a Markdown link would escape the "&" of the query twice
        '<div class="pp-launch" role="note"><p><strong>Run this lesson:</strong> '
        f'<a href="{hub}">open it on the course JupyterHub ({html.escape(host)})</a> · '
        f'<a href="{binder}">open it on Binder</a> (free, no account; nothing you do there is '
        "kept or submitted) · or on your own machine with <code>make lab</code>. This page is "
        "the lesson as a student receives it, run once; the exercises are left for you.</p></div>"
    )
    return _md_cell(text, "pp-site-launch")


def prepare_lesson(notebook: Path, lesson_id: str, target: Path, args) -> None:
    """Copy a student notebook into the book: launch links after the title, exercises unrun."""
    nb = _read_json(notebook)
    cells = nb["cells"]
    for cell in cells:
        grading = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and (grading.get("solution") or grading.get("grade")):
            tags = cell["metadata"].setdefault("tags", [])
            if "skip-execution" not in tags:
                tags.append("skip-execution")
    first_heading = next((i for i, c in enumerate(cells)
                          if c["cell_type"] == "markdown" and _text(c["source"]).lstrip()
                          .startswith("# ")), 0)
    cells.insert(first_heading + 1, _launch_cell(lesson_id, notebook.name, args))
    _write(target, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    for extra in notebook.parent.iterdir():  # data or images a lesson ships beside its notebook
        if extra.is_file() and extra.suffix != ".ipynb":
            shutil.copyfile(extra, target.parent / extra.name)


# -- repository documents --------------------------------------------------------------------


LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def repository_page(source: Path, site_paths: dict[str, str]) -> str:
    """A Markdown file of the repository as a site page: links to other repository files go to
    their page on this site when there is one, else to the file in the repository."""
    folder = source.parent.relative_to(REPO)

    def fix(match: re.Match) -> str:
        target = match.group(2)
        if re.match(r"^([a-z]+:|#)", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        rel = os.path.normpath(folder / path).replace(os.sep, "/")
        if rel in site_paths:
            new = site_paths[rel] + (f"#{anchor}" if anchor else "")
        else:
            kind = "tree" if (REPO / rel).is_dir() else "blob"
            new = f"{REPO_URL}/{kind}/main/{rel}" + (f"#{anchor}" if anchor else "")
        return f"{match.group(1)}{new}{match.group(3)}"

    text = LINK.sub(fix, source.read_text(encoding="utf-8"))
    # Pygments has no "csv" lexer (Sphinx would warn): show such blocks as plain text.
    return re.sub(r"^```csv\s*$", "```text", text, flags=re.M)


def cite_page() -> str:
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    authors = ", ".join(a.get("name") or f"{a.get('given-names', '')} {a.get('family-names', '')}"
                        for a in cff["authors"])
    year = str(cff.get("date-released", ""))[:4]
    lines = [
        "# How to cite",
        "",
        cff.get("message", ""),
        "",
        "## The course",
        "",
        f"> {authors} ({year}). *{cff['title']}*. Version {cff['version']}. "
        f"Licence: {cff['license']}. {REPO_URL}",
        "",
        "The repository's `CITATION.cff` holds the same record for reference managers.",
        "",
        "## The article it teaches",
        "",
    ]
    for ref in cff.get("references", []):
        names = ", ".join(f"{a['family-names']}, {a['given-names']}" for a in ref["authors"])
        lines.append(f"> {names} ({ref['year']}). *{ref['title']}*. {ref['publisher']['name']}.")
    lines += [
        "",
        "## The data",
        "",
        "Every dataset keeps its publisher's licence. Cite the publisher under any chart or table "
        "you make: each page of the [dataset catalogue](datasets/index.md) gives the line to use, "
        "and in a notebook `course.cite(name)` prints it.",
        "",
        "## Licences",
        "",
        "Course content: Creative Commons Attribution 4.0 (CC BY 4.0). Code: MIT. Data: each "
        "dataset's own licence (ONS: Open Government Licence v3.0; US federal: public domain).",
        "",
    ]
    return "\n".join(lines)


# -- the dataset catalogue --------------------------------------------------------------------


def _esc(value) -> str:
    return html.escape(str(value), quote=False).replace("|", "\\|").replace("\n", " ")


def _chart_for(res: dict, frame):
    """One chart that shows what the dataset holds, or None when it has nothing to count."""
    import pandas as pd

    from course import charts

    fields = res["schema"]["fields"]
    numeric = [f["name"] for f in fields if f["type"] in ("number", "integer")
               and f["name"] != "year" and not f["name"].endswith("_year")
               and pd.api.types.is_numeric_dtype(frame[f["name"]])
               and frame[f["name"]].notna().any()]
    with_unit = [f["name"] for f in fields if f.get("unit") and f["name"] in numeric]
    strings = [f["name"] for f in fields if f["type"] == "string"]
    label = next((c for c in ("region", "area_name", "name", "title") if c in frame.columns), None)
    if label is None:
        label = next((c for c in strings if frame[c].nunique() > 1
                      and not c.endswith("_code") and c not in ("confidence",)), None)
    title = res["title"]
    if numeric and label:
        measure = (with_unit or numeric)[0]
        rows = frame.dropna(subset=[measure])
        note = ""
        if "year" in rows.columns and rows["year"].notna().any():
            latest = int(rows["year"].max())
            rows = rows[rows["year"] == latest]
            note = f", {latest}"
        for column in ("itl_level", "level", "geography"):
            if column in rows.columns and rows[column].nunique() > 1:
                level = "ITL1" if "ITL1" in set(rows[column]) else rows[column].iloc[0]
                rows = rows[rows[column] == level]
                note += f", {level}"
        rows = rows.drop_duplicates(subset=[label]).nlargest(15, measure)
        if len(rows) >= 2:
            unit = next((f.get("unit") for f in fields if f["name"] == measure), None)
            words = f"{measure}{note}" + (f" ({unit})" if unit else "")
            return charts.ranked_bars(
                rows[[label, measure]], measure, label,
                title=f"Preview: {measure}{note}",
                description=(f"Bar chart of {words} for up to 15 rows of {title}, largest first. "
                             f"The table above lists the first rows of the file."),
            ), f"{words}, the largest {len(rows)} values"
    category = next((c for c in strings if 2 <= frame[c].nunique() <= 15), None)
    if category:
        counts = frame[category].value_counts().rename_axis(category).reset_index(name="rows")
        return charts.ranked_bars(
            counts, "rows", category, title=f"Rows by {category}",
            description=f"Bar chart of how many rows of {title} have each value of {category}.",
        ), f"the number of rows for each {category}"
    return None, None


def dataset_page(res: dict, out: Path) -> str:
    import pandas as pd

    from course import charts, data

    name = res["name"]
    frame = data.load(name)
    lines = [f"# {res['title']}", "", f"`course.load(\"{name}\")` · {res.get('rows', len(frame))} "
             f"rows · file `{res['path']}`", "", res.get("description", ""), ""]
    lines += ["## Coverage", "", res.get("coverage", "Not stated."), ""]
    if res.get("vintage"):
        lines += [f"Edition: {res['vintage']}.", ""]
    lines += ["## Columns and units", "", "| column | type | unit | description |",
              "| --- | --- | --- | --- |"]
    for field in res["schema"]["fields"]:
        lines.append(f"| `{field['name']}` | {field['type']} | {_esc(field.get('unit', '—'))} "
                     f"| {_esc(field.get('description', ''))} |")
    lines += ["", "## Caveats", ""]
    lines += [f"- {c}" for c in res.get("caveats", [])] or ["None recorded."]
    lines += ["", "## Source", ""]
    for src in res.get("sources", []):
        where = f" <{src['path']}>" if str(src.get("path", "")).startswith("http") else ""
        edition = f", {src['version']}" if src.get("version") else ""
        lines.append(f"- {src.get('publisher', '')}: *{_esc(src.get('title', ''))}*{edition}.{where}")
    lines += ["", "## Licence", ""]
    for lic in res.get("licenses", []):
        link = f" <{lic['path']}>" if lic.get("path") else ""
        lines.append(f"- {lic.get('title', lic.get('name'))}{link}")
    lines += ["", f"Cite it as: {data.cite(name)}", ""]
    if res.get("lessons"):
        used = ", ".join(f"[{lesson}](../lessons/{lesson}/{lesson}.ipynb)"
                         for lesson in res["lessons"]
                         if (out / "lessons" / lesson / f"{lesson}.ipynb").is_file())
        if used:
            lines += [f"Used in: {used}.", ""]
    raw = pd.read_csv(data.datasets_dir() / res["path"], dtype=str, keep_default_na=False,
                      nrows=8)  # the file's own text, as a reader of the CSV sees it
    lines += ["## Preview", "", f"The first {len(raw)} rows of {len(frame)}, as in the file:", "",
              raw.to_html(index=False, border=0, classes="table pp-preview"), ""]
    chart, what = _chart_for(res, frame)
    if chart is not None:
        spec = chart.to_dict()
        svg = out / "datasets" / f"{name}.svg"
        _write(svg, charts.to_svg(chart))
        lines += ["## A chart", "", f"The chart shows {what}.", "",
                  f"```{{image}} {name}.svg", f":alt: {_alt(spec)}", ":class: pp-chart",
                  "```", ""]
    return "\n".join(lines)


def _alt(spec: dict) -> str:
    sys.path.insert(0, str(HERE))
    try:
        from kernel_startup import alt_text
    finally:
        sys.path.remove(str(HERE))
    return alt_text(spec).replace("\n", " ")


def catalogue_pages(out: Path) -> list[str]:
    package = _read_json(REPO / "datasets" / "datapackage.json")
    rows = ["# The dataset catalogue", "",
            "Every number in the course comes from one of these datasets, each kept with its "
            "publisher, edition, licence and caveats. In a notebook, `course.catalogue()` lists "
            "them and `course.describe(name)` prints one.", "",
            "| dataset | what it holds | rows |", "| --- | --- | --- |"]
    pages = []
    for res in package["resources"]:
        _write(out / "datasets" / f"{res['name']}.md", dataset_page(res, out))
        pages.append(f"datasets/{res['name']}")
        rows.append(f"| [`{res['name']}`]({res['name']}.md) | {_esc(res['title'])} | "
                    f"{res.get('rows', '')} |")
    _write(out / "datasets" / "index.md", "\n".join(rows) + "\n")
    return pages


# -- the book -----------------------------------------------------------------------------------


def index_page(lessons: list[tuple[str, str]]) -> str:
    lines = [
        "# Productive Places",
        "",
        "**A hands-on course in place-based industrial policy, with real UK and US data.**",
        "",
        "Why is UK productivity so unequal between places, and what do the UK's own record and "
        "recent US programmes say about fixing it? Each lesson below is a Jupyter notebook built "
        "on published ONS, government and US federal figures. Read it here, or open it to run it: "
        "every lesson page has links to start it on the course JupyterHub or on Binder.",
        "",
        "| lesson | title |",
        "| --- | --- |",
    ]
    for lesson_id, title in lessons:
        lines.append(f"| [{lesson_id}](lessons/{lesson_id}/{lesson_id}.ipynb) | {_esc(title)} |")
    lines += [
        "",
        "Also here: the [dataset catalogue](datasets/index.md), the "
        "[instructor guide](instructor-guide.md), the [workshop set-up](workshop-setup.md) and "
        "[how to cite](cite.md).",
        "",
        "These pages show the student version of each lesson, run once when the site was built: "
        "charts are pictures, and the interactive explorers are shown as a picture of their "
        "starting view. Solutions, hidden tests and marking rubrics are never part of the site.",
        "",
    ]
    return "\n".join(lines)


# MathJax 2.7 as jupyter-server-mathjax ships it (the set-up Jupyter Notebook used offline): the
# combined TeX-AMS-MML_HTMLorMML-full configuration, drawing with its bundled STIX-Web fonts.
MATHJAX_CONFIG_FILE = "TeX-AMS-MML_HTMLorMML-full"
MATHJAX2_CONFIG = {
    "tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]],
                "processEscapes": False, "processEnvironments": False,
                # MyST-NB marks each notebook "tex2jax_ignore": typeset only Sphinx's maths
                "ignoreClass": "tex2jax_ignore|mathjax_ignore", "processClass": "math"},
    "HTML-CSS": {"availableFonts": [], "preferredFont": None, "webFont": "STIX-Web",
                 "imageFont": None, "linebreaks": {"automatic": True}},
    "showMathMenu": False,
    "messageStyle": "none",
}


def mathjax_copy(out: Path) -> Path:
    """A copy of jupyter-server-mathjax's MathJax in OUT/mathjax-static/mathjax."""
    import jupyter_server_mathjax

    source = Path(jupyter_server_mathjax.__file__).parent / "static"
    target = out / "mathjax-static" / "mathjax"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    return target


def book_config(cache: Path, strict: bool, mathjax: Path) -> dict:
    return {
        "title": "Productive Places",
        "author": "Productive Places contributors",
        "copyright": "Productive Places contributors; content CC BY 4.0",
        "only_build_toc_files": True,
        "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
        "execute": {
            "execute_notebooks": "cache",
            "cache": str(cache),
            "timeout": 600,
            "allow_errors": False,
            "run_in_temp": False,
        },
        "parse": {
            # Lessons write maths as $...$ and $$...$$; currency is written \$ (LESSON_STYLE.md).
            "myst_enable_extensions": ["colon_fence", "deflist", "html_image", "substitution",
                                       "dollarmath", "amsmath"],
        },
        "html": {
            "use_repository_button": False,
            "use_issues_button": False,
            "use_edit_page_button": False,
            "use_multitoc_numbering": False,
            "home_page_in_navbar": True,
        },
        "launch_buttons": {"notebook_interface": "jupyterlab", "binderhub_url": "",
                           "jupyterhub_url": "", "thebe": False, "colab_url": ""},
        "repository": {"url": REPO_URL, "branch": "main"},
        "sphinx": {
            "local_extensions": {"course_site": str(HERE)},
            "config": {
                "language": "en-GB",
                "html_static_path": [str(HERE / "_static"), str(mathjax.parent)],
                # MathJax from the jupyter-server-mathjax package, served from _static: never
                # the CDN Sphinx would use.
                "mathjax_path": f"{mathjax.name}/MathJax.js?config={MATHJAX_CONFIG_FILE}",
                "mathjax2_config": MATHJAX2_CONFIG,
                "html_css_files": ["site.css"],
                "templates_path": [str(HERE / "_templates")],
                "html_js_files": ["site.js"],
                # widgets are static pictures: never the ipywidgets/require.js CDN scripts
                "nb_ipywidgets_js": {},
                "nb_execution_show_tb": True,
                "smartquotes": False,  # keep the datasets' and lessons' text exactly as written
                "myst_heading_anchors": 4,  # the guides link to their own sections
                "suppress_warnings": [],
                "html_show_sphinx": False,
                "html_theme_options": {"use_download_button": False, "use_fullscreen_button": False,
                                       "navigation_with_keys": False},
                "nitpicky": strict,
            },
        },
    }


def cache_key() -> str:
    digest = hashlib.sha256()
    for name in CACHE_INPUTS:
        root = REPO / name
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def prepare(args) -> Path:
    """Write the book's sources into OUT/src; returns that folder."""
    from course.grading import find_folder_leaks, lesson_title, student_view

    out = Path(args.out).resolve()
    src = out / "src"
    view = out / "student"
    for folder in (src, view):
        if folder.exists():
            shutil.rmtree(folder)
    student_view(REPO / "lessons", view)
    leaks = find_folder_leaks(view)
    if leaks:
        raise SystemExit("The student view holds instructor content:\n  " + "\n  ".join(leaks))
    args.view = view
    lessons = []
    for lesson_id, notebook in lesson_notebooks(view):
        target = src / "lessons" / lesson_id / notebook.name
        prepare_lesson(notebook, lesson_id, target, args)
        lessons.append((lesson_id, notebook.name, lesson_title(notebook.parent)))
    site_paths = {"docs/INSTRUCTOR_GUIDE.md": "instructor-guide.md",
                  "deploy/README.md": "workshop-setup.md"}
    _write(src / "instructor-guide.md",
           repository_page(REPO / "docs" / "INSTRUCTOR_GUIDE.md", site_paths))
    _write(src / "workshop-setup.md", repository_page(REPO / "deploy" / "README.md", site_paths))
    _write(src / "cite.md", cite_page())
    _write(src / "index.md", index_page([(i, t) for i, _, t in lessons]))
    dataset_pages = catalogue_pages(src)
    toc = {
        "format": "jb-book",
        "root": "index",
        "parts": [
            {"caption": "Lessons",
             "chapters": [{"file": f"lessons/{i}/{Path(n).stem}"} for i, n, _ in lessons]},
            {"caption": "Data", "chapters": [{"file": "datasets/index",
                                              "sections": [{"file": p} for p in dataset_pages]}]},
            {"caption": "Teaching and workshops",
             "chapters": [{"file": "instructor-guide"}, {"file": "workshop-setup"},
                          {"file": "cite"}]},
        ],
    }
    cache = Path(args.cache).resolve() / cache_key()
    if cache.parent.is_dir():
        for old in cache.parent.iterdir():
            if old != cache and old.is_dir():
                shutil.rmtree(old)
    cache.mkdir(parents=True, exist_ok=True)
    _write(src / "_toc.yml", yaml.safe_dump(toc, sort_keys=False))
    _write(src / "_config.yml", yaml.safe_dump(book_config(cache, args.strict, mathjax_copy(out)),
                                             sort_keys=False))
    ipython = out / "ipython" / "profile_default" / "startup"
    if ipython.parent.parent.exists():
        shutil.rmtree(ipython.parent.parent)
    ipython.mkdir(parents=True)
    shutil.copyfile(HERE / "kernel_startup.py", ipython / "00-course-site.py")
    return src


def build(args) -> int:
    src = prepare(args)
    out = Path(args.out).resolve()
    html_dir = out / "_build"
    if html_dir.exists():
        shutil.rmtree(html_dir)
    cmd = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", str(src), "--path-output", str(out),
           "--builder", "html"]
    if args.strict:
        cmd += ["-W", "-n", "--keep-going"]
    env = dict(os.environ, IPYTHONDIR=str(out / "ipython"), PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.pop("JUPYTER_CONFIG_PATH", None)
    print("+", " ".join(cmd), flush=True)
    code = subprocess.call(cmd, env=env)
    if code == 0:
        print(f"The website is in {out / '_build' / 'html'} (open index.html).")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "build" / "site"))
    parser.add_argument("--cache", default=str(REPO / "build" / "site-cache"),
                        help="where executed lessons are cached between builds")
    parser.add_argument("--hub-url", default=os.environ.get("HUB_URL") or DEFAULT_HUB,
                        help="the workshop hub's address for the nbgitpuller links")
    parser.add_argument("--student-repo", default=os.environ.get("STUDENT_REPO")
                        or DEFAULT_STUDENT_REPO,
                        help="the published student course (`course publish`) the links pull")
    parser.add_argument("--branch", default=os.environ.get("STUDENT_BRANCH") or "main")
    parser.add_argument("--binder-repo", default=DEFAULT_BINDER_REPO,
                        help="GitHub ORG/REPO that Binder builds (its postBuild makes student/)")
    parser.add_argument("--binder-ref", default="main")
    parser.add_argument("--strict", action="store_true", help="Sphinx warnings are errors")
    args = parser.parse_args(argv)
    return build(args)


if __name__ == "__main__":
    sys.exit(main())
