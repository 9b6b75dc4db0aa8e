"""Interactive widgets for the course: ipywidgets controls wired to course.measures and
course.charts. Each widget builds its chart once and drives it with Vega-Lite params.

    from widgets import RegionExplorer
    RegionExplorer()
"""

from __future__ import annotations

import importlib

_WIDGETS = {
    "CatalogueExplorer": "widgets.catalogue_explorer",
    "RegionExplorer": "widgets.region_explorer",
}

__all__ = sorted(_WIDGETS)


def __getattr__(name: str):
    if name in _WIDGETS:
        return getattr(importlib.import_module(_WIDGETS[name]), name)
    raise AttributeError(f"module 'widgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
