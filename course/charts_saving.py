"""A saved notebook shows each course chart as its picture, never "Error displaying widget".

Every course chart and widget is displayed as two outputs (:class:`course.charts.SavedPicture`):
a picture of the chart with its title and alt text, hidden while the chart is live, then the
live view (``application/vnd.jupyter.widget-view+json``, a reference to a widget model that
lives in the kernel). Reopened the next day, with the kernel gone, JupyterLab's widget manager
cannot find that model and writes "Error displaying widget: model not found" where the chart
was. So the Jupyter server drops, as it saves a notebook, every live view that has a saved
picture beside it: the file on disk keeps the picture (and its alt text), the page being edited
keeps its live widgets, and other widgets' views are left alone.

The student Jupyter settings (``deploy/jupyter/student/jupyter_server_config.json``, which every
deployment installs and the instructor settings are layered over) set
``ContentsManager.pre_save_hook`` to :func:`pre_save_hook`. (Jupyter server reads only
``jpserver_extensions`` from the ``jupyter_server_config.d`` files, so the setting cannot live
there.) This module imports only the standard library: it loads in every student's server at
start-up.

One case to know: after a browser refresh with the kernel still running, JupyterLab reloads the
notebook from disk, so its charts show as their saved pictures ("run the cell to use the chart
again") until their cells are run again; the kernel and its variables are untouched.
"""

from __future__ import annotations

import logging

__all__ = ["WIDGET_VIEW", "PICTURE_KEY", "picture_metadata", "drop_live_views", "pre_save_hook"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Output metadata of a saved picture: ``{PICTURE_KEY: {"view": model id}}``, the model id of the
#: live view it stands for.
PICTURE_KEY = "productive_places"

_log = logging.getLogger(__name__)


def picture_metadata(model_id: str | None) -> dict:
    """The output metadata that ties a saved picture to its chart's live view."""
    return {PICTURE_KEY: {"view": model_id}} if model_id else {}


def _pictured(outputs: list) -> set[str]:
    ids = set()
    for output in outputs:
        meta = output.get("metadata") if isinstance(output, dict) else None
        mine = meta.get(PICTURE_KEY) if isinstance(meta, dict) else None
        if isinstance(mine, dict) and isinstance(mine.get("view"), str) and mine["view"]:
            ids.add(mine["view"])
    return ids


def _view_id(output) -> str | None:
    data = output.get("data") if isinstance(output, dict) else None
    view = data.get(WIDGET_VIEW) if isinstance(data, dict) else None
    return view.get("model_id") if isinstance(view, dict) else None


def drop_live_views(notebook: dict) -> int:
    """Remove, in place, every output that is the live view of a chart with a saved picture
    in the same cell; returns how many were removed. Anything else is left as it is.

    >>> nb = {"cells": [{"cell_type": "code", "outputs": [
    ...     {"output_type": "display_data", "metadata": picture_metadata("m1"),
    ...      "data": {"text/html": "<figure class='course-picture'>...</figure>"}},
    ...     {"output_type": "display_data", "metadata": {},
    ...      "data": {WIDGET_VIEW: {"model_id": "m1"}, "text/plain": "Chart"}},
    ...     {"output_type": "display_data", "metadata": {},
    ...      "data": {WIDGET_VIEW: {"model_id": "m2"}, "text/plain": "IntSlider"}}]}]}
    >>> drop_live_views(nb), [o["data"].get(WIDGET_VIEW) for o in nb["cells"][0]["outputs"]]
    (1, [None, {'model_id': 'm2'}])
    """
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    changes = []  # worked out for every cell first, so a surprise changes nothing
    for cell in cells if isinstance(cells, list) else []:
        outputs = cell.get("outputs") if isinstance(cell, dict) else None
        pictured = _pictured(outputs) if isinstance(outputs, list) else set()
        if pictured:
            kept = [o for o in outputs if _view_id(o) not in pictured]
            if len(kept) < len(outputs):
                changes.append((cell, kept, len(outputs) - len(kept)))
    for cell, kept, _ in changes:
        cell["outputs"] = kept
    return sum(n for *_, n in changes)


def pre_save_hook(model: dict, path: str = "", contents_manager=None, **kwargs) -> None:
    """Jupyter's pre-save hook: a notebook being saved loses its charts' live views (see the
    module docstring). It never stops a save: on anything unexpected the notebook is saved as
    it came."""
    if not isinstance(model, dict) or model.get("type") != "notebook":
        return
    try:
        dropped = drop_live_views(model.get("content"))
    except Exception:  # noqa: BLE001 - saving the student's work matters more than this
        _log.exception("course.charts_saving: left %s as it was", path)
        return
    if dropped:
        _log.debug("course.charts_saving: %s saved with %d chart pictures", path, dropped)
