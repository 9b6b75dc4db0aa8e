"""Interactive widgets for the course: ipywidgets controls wired to course.measures and
course.charts. Each widget builds its chart once and drives it with Vega-Lite params.

    from widgets import RegionExplorer
    RegionExplorer()
"""

from __future__ import annotations

import importlib

_WIDGETS = {
    "GoodJobsIndex": "widgets.good_jobs",
    "PolicyTimeline": "widgets.policy_timeline",
    "CatalogueExplorer": "widgets.catalogue_explorer",
    "CityRegionDashboard": "widgets.dashboard",
    "ClusterExplorer": "widgets.cluster_explorer",
    "CompetitionDesigner": "widgets.competition_designer",
    "RegionExplorer": "widgets.region_explorer",
    "ShiftShareDecomposer": "widgets.shift_share",
    "SkillsScatter": "widgets.skills_scatter",
    "RDAllocationExplorer": "widgets.rd_allocation",
    "PlaceboExplorer": "widgets.placebo_explorer",
}

__all__ = sorted(_WIDGETS)


def __getattr__(name: str):
    if name in _WIDGETS:
        return getattr(importlib.import_module(_WIDGETS[name]), name)
    raise AttributeError(f"module 'widgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
