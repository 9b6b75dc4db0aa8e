"""CatalogueExplorer (lesson 00): picking a dataset or region updates what is shown."""

from __future__ import annotations

import pytest

import course
from course import charts
from course.errors import DatasetError
from widgets import CatalogueExplorer


def test_dataset_choice_updates_description_and_preview():
    ex = CatalogueExplorer(dataset="gva_per_hour")
    assert "GVA per hour" in ex.about.value
    assert course.cite("gva_per_hour")[:30] in ex.about.value.replace("&amp;", "&")
    ex.dataset.value = "population"
    assert "population" in ex.preview.value
    assert "Cite as" in ex.about.value


def test_region_choice_changes_the_chart_data():
    ex = CatalogueExplorer(region="TLM")
    rows = ex.region_series()
    assert set(rows["itl_code"]) == {"TLM", "UKX"} and len(rows) == 36
    ex.region.value = "TLC"
    rows = ex.region_series()
    assert set(rows["itl_code"]) == {"TLC", "UKX"}
    fig = ex.figure()
    assert "North East" in fig.to_dict()["title"]["text"]
    assert "North East" in charts.to_svg(fig)


def test_unknown_dataset_is_friendly():
    with pytest.raises(DatasetError, match="gva_per_hour"):
        CatalogueExplorer(dataset="gva_per_hours")
