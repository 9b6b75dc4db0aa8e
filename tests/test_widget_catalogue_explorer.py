"""CatalogueExplorer (lesson 00): picking a dataset or region updates what is shown."""

from __future__ import annotations

import pytest
from widget_helpers import drive, options

import course
from course.errors import CourseError, DatasetError
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
    assert ex.chart.params.region == "TLC" and ex.chart.params.region_name == "North East"
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    svg = vlc.vegalite_to_svg(ex.figure(), vl_version=vl_version_for_vl_convert())
    assert "GVA per hour worked, 2004–2021: North East and the UK" in svg


def test_unknown_dataset_is_friendly():
    with pytest.raises(DatasetError, match="gva_per_hour"):
        CatalogueExplorer(dataset="gva_per_hours")


def test_region_changes_never_rebuild_the_chart():
    """The region only sets params; every region's series is in the built spec once."""
    ex = CatalogueExplorer(region="TLM")
    gva = course.load("gva_per_hour", level=["UK", "ITL1"])

    def expected(w):
        return {"region": w.region.value, "region_name": w.region.label.rsplit(" (", 1)[0]}

    def check(w, spec):
        rows = [r for r in spec["datasets"]["series"] if r["itl_code"] == w.region.value]
        want = gva[gva["itl_code"] == w.region.value]
        assert sorted(r["gva_per_hour"] for r in rows) == sorted(want["gva_per_hour"])

    assert len(drive(ex, [(ex.region, options)], expected, n=50, check=check, spec_every=5)) == 1


def test_a_region_name_means_its_code_and_an_unknown_region_is_refused():
    from widgets import CatalogueExplorer

    assert CatalogueExplorer(region="London").region.value == "TLI"
    with pytest.raises(CourseError) as err:
        CatalogueExplorer(region="Atlantis")
    assert "no ITL1 region 'Atlantis'" in str(err.value) and "region=" in str(err.value)
