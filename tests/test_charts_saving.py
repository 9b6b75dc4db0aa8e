"""A saved notebook keeps each chart's picture and drops its live view (course/charts_saving.py).

Without a browser: a real kernel runs a course chart, a course widget and a plain ipywidget; the
notebook is saved through Jupyter server's own contents manager configured with the student
settings in deploy/jupyter/student, and the file on disk is read back. tests/test_browser.py
checks the same in JupyterLab: reopened with its kernel gone, no "Error displaying widget".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import PATIENCE, REPO

from course.charts_saving import PICTURE_KEY, WIDGET_VIEW, drop_live_views, pre_save_hook

STUDENT = REPO / "deploy" / "jupyter" / "student"
INSTRUCTOR = REPO / "deploy" / "jupyter" / "instructor"

CELLS = [
    "import course, pandas as pd\nfrom course import charts\ncourse.setup()",
    # a course chart (Altair through the course renderer)
    "charts.ranked_bars(pd.DataFrame({'region': ['London', 'Wales'], 'v': [133.2, 84.1]}), 'v',"
    " 'region', title='London leads', description='Bars of v for London and Wales; London is"
    " higher.')",
    # a course widget
    "from widgets import RegionExplorer\nRegionExplorer()",
    # a widget that is not a course chart: its view is kept
    "import ipywidgets as ipw\nipw.IntSlider(description='Not a chart')",
]


def _outputs(nb: dict, index: int) -> list[dict]:
    return nb["cells"][index]["outputs"]


def _views(outputs: list[dict]) -> list[dict]:
    return [o for o in outputs if WIDGET_VIEW in o.get("data", {})]


def _pictures(outputs: list[dict]) -> list[dict]:
    return [o for o in outputs if PICTURE_KEY in o.get("metadata", {})]


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> dict:
    """The notebook as JupyterLab would send it to be saved, after running every cell."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    work = tmp_path_factory.mktemp("saving")
    NotebookClient(nb, timeout=PATIENCE, kernel_name="python3",
                   resources={"metadata": {"path": str(work)}}).execute()
    return json.loads(nbformat.writes(nb))


@pytest.mark.slow
def test_each_chart_is_displayed_as_its_picture_then_its_live_view(executed):
    for index in (1, 2):
        outputs = _outputs(executed, index)
        (picture,) = _pictures(outputs)
        (view,) = _views(outputs)
        assert picture["metadata"][PICTURE_KEY]["view"] == view["data"][WIDGET_VIEW]["model_id"]
        assert "course-picture" in "".join(picture["data"]["text/html"])
        assert len("".join(picture["data"]["text/plain"])) > 30  # the alt text
    assert _views(_outputs(executed, 3)) and not _pictures(_outputs(executed, 3))


@pytest.mark.slow
def test_saving_with_the_student_settings_drops_only_the_charts_live_views(executed, tmp_path):
    from jupyter_server.services.contents.filemanager import FileContentsManager
    from traitlets.config import Config

    settings = json.loads((STUDENT / "jupyter_server_config.json").read_text(encoding="utf-8"))
    manager = FileContentsManager(root_dir=str(tmp_path), config=Config(settings))
    assert manager.pre_save_hook is pre_save_hook
    sent = json.loads(json.dumps(executed))  # the hook changes what it is given
    manager.save({"type": "notebook", "format": "json", "content": sent}, "lesson.ipynb")
    saved = json.loads((tmp_path / "lesson.ipynb").read_text(encoding="utf-8"))
    nbformat.validate(nbformat.from_dict(saved))
    for index in (1, 2):
        outputs = _outputs(saved, index)
        assert _views(outputs) == [], f"cell {index} keeps a live view of its chart"
        assert len(_pictures(outputs)) == 1, f"cell {index} lost its picture"
    assert len(_views(_outputs(saved, 3))) == 1, "a widget that is not a chart lost its view"


def test_the_hook_never_stops_a_save_and_leaves_other_files_alone():
    text = {"type": "file", "format": "text", "content": "a,b\n1,2\n"}
    before = json.dumps(text)
    pre_save_hook(model=text, path="data.csv")
    assert json.dumps(text) == before
    for content in (None, "not a notebook", {"cells": "nope"}, {"cells": [None, 3, {"outputs": 7}]},
                    {"cells": [{"outputs": [None, {"metadata": {PICTURE_KEY: "x"}}]}]}):
        model = {"type": "notebook", "content": content}
        pre_save_hook(model=model, path="odd.ipynb")  # must not raise
        assert model["content"] == content


def test_a_view_without_a_picture_is_kept():
    view = {"output_type": "display_data", "metadata": {},
            "data": {WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0}}}
    other = {"output_type": "display_data", "metadata": {PICTURE_KEY: {"view": "zzz"}},
             "data": {"text/html": "<figure class='course-picture'></figure>"}}
    nb = {"cells": [{"cell_type": "code", "outputs": [view]},
                    {"cell_type": "code", "outputs": [other, view]}]}
    assert drop_live_views(nb) == 0
    assert nb["cells"][0]["outputs"] == [view] and nb["cells"][1]["outputs"] == [other, view]


@pytest.mark.slow
@pytest.mark.parametrize("layers", [[STUDENT], [INSTRUCTOR, STUDENT]], ids=["student", "instructor"])
def test_a_jupyter_server_with_the_deployed_settings_runs_the_hook(layers, tmp_path):
    """The settings as the hub gives them (deploy/jupyterhub_config.d/productive_places.py puts the
    instructor folder before the student one in JUPYTER_CONFIG_PATH)."""
    code = ("from jupyter_server.serverapp import ServerApp\n"
            "app = ServerApp()\n"
            "app.initialize(argv=['--ServerApp.port=0', '--allow-root'])\n"
            "hook = app.contents_manager.pre_save_hook\n"
            "print(hook.__module__ + '.' + hook.__name__)\n")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "user"),
               JUPYTER_CONFIG_PATH=os.pathsep.join(str(p) for p in layers),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=PATIENCE)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "course.charts_saving.pre_save_hook"


def test_the_hook_module_imports_nothing_heavy():
    """It loads in every student's server at start-up: standard library only."""
    code = ("import sys; import course.charts_saving; "
            "print(sorted(m for m in ('pandas', 'altair', 'numpy', 'ipywidgets') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=PATIENCE, cwd=Path(REPO))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
