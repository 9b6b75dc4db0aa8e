"""Drive the ClusterExplorer from Python and check what its chart shows."""

from __future__ import annotations

import numpy as np
import pytest
import vl_convert as vlc
from altair.utils._importers import vl_version_for_vl_convert
from widget_helpers import drive, options, table_shown

import course
from course import measures
from course.errors import CourseError
from widgets import ClusterExplorer


@pytest.fixture(scope="module")
def explorer():
    return ClusterExplorer(geography="ITL2", year=2019, lq_min=1.25, size_min=1000)


def svg(spec: dict) -> str:
    return vlc.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())


def test_defaults_show_greater_manchester_at_itl2(explorer):
    assert explorer.area.value == "TLD3"
    shown = explorer.shown()
    assert shown["area"].nunique() == 41 and shown["industry"].nunique() == 20
    assert len(shown) < 5000
    p = explorer.chart.params
    assert (p.lq_min, p.size_min, p.focus) == (1.25, 1000.0, "TLD3")
    assert p.focus_name == "Greater Manchester (TLD3)"


def test_lqs_are_course_measures(explorer):
    gva = course.load("gva_by_industry_itl2", years=2019)
    table = measures.industry_matrix(gva).drop(index="UK")
    want = measures.location_quotient(table, "UKX").loc["TLG3"]
    got = explorer.shown().set_index(["area", "industry"]).loc["TLG3", "lq"]
    np.testing.assert_allclose(got.reindex(want.index), want)


def test_threshold_and_size_change_the_params_and_the_candidates(explorer):
    explorer.area.value = "TLG3"
    explorer.lq_min.value = 1.25
    explorer.size_min.value = 1000
    cands = explorer.candidates()
    assert set(cands["industry"]) == {"P", "E", "C"}  # LQs 1.39, 1.35, 1.30 in 2019
    assert "C Manufacturing" in explorer.listing.value
    explorer.size_min.value = 5000
    assert set(explorer.candidates()["industry"]) == {"P", "C"}  # E is £1,192m
    explorer.lq_min.value = 1.35
    assert list(explorer.candidates()["industry"]) == ["P"]
    assert explorer.chart.params.lq_min == 1.35 and explorer.chart.params.size_min == 5000.0
    shown = explorer.shown()
    mine = shown[shown["area"] == "TLG3"].set_index("industry")
    assert bool(mine.loc["P", "candidate"]) and not bool(mine.loc["C", "candidate"])


def test_year_and_geography_swap_the_embedded_data(explorer):
    explorer.year.value = 2005
    spec = explorer.spec()
    rows = spec["datasets"]["cells"]
    assert len(rows) == 41 * 20
    explorer.geography.value = "CA"
    assert explorer.year.disabled and explorer.area.value == "Greater Manchester"
    assert explorer.size_unit.value == "employee jobs" and explorer.size_min.value == 10000
    rows = explorer.spec()["datasets"]["cells"]
    assert len(rows) == 10 * 19  # T and U have no employees in any authority
    assert "own total" in explorer.note.value
    explorer.geography.value = "ITL1"
    assert explorer.area.value == "TLD" and len(explorer.spec()["datasets"]["cells"]) == 12 * 20
    explorer.geography.value = "ITL2"
    explorer.year.value = 2019


def test_spec_renders_offline_with_the_chosen_labels(explorer):
    explorer.area.value = "TLE4"
    explorer.lq_min.value = 1.2
    text = svg(explorer.spec())
    assert "West Yorkshire (TLE4): LQ by industry" in text
    assert "LQ above 1.20" in text
    assert "C Manufacturing" in text and "Inner London - West" in text


def test_table_view_and_bad_arguments(explorer):
    with table_shown(explorer) as table:
        assert "Candidate" in table
    with pytest.raises(CourseError, match="ITL3"):
        ClusterExplorer(geography="ITL3")
    with pytest.raises(CourseError, match="TLD3"):
        ClusterExplorer(area="TLD33")


def _gva_lqs(geo: str, year: int):
    """LQs of one GVA geography and year, straight from course.measures (the oracle)."""
    rows = course.load(f"gva_by_industry_{geo.lower()}", years=year)
    rows = rows[rows["itl_level"].isin([geo, "UK"]) & (rows["itl_code"] != "UK")]
    return measures.location_quotient(measures.industry_matrix(rows), "UKX")


def test_control_changes_never_rebuild_the_chart(explorer):
    """200 random changes: params follow the controls; the rows in the built spec are the course
    measures' LQs for the geography and year shown; Altair never builds or validates a chart."""
    lq_cache = {}

    def expected(ex):
        geo = ex.geography.value
        return {"lq_min": ex.lq_min.value, "size_min": float(ex.size_min.value),
                "focus": ex.area.value, "focus_name": ex.area.label,
                "unit": "employee jobs" if geo == "CA" else "£ million GVA"}

    def check(ex, spec):
        rows = spec["datasets"]["cells"]
        geo = ex.geography.value
        if geo == "CA":
            assert len(rows) == 10 * 19 and {r["area"] for r in rows} >= {"Greater Manchester"}
            return
        key = (geo, int(ex.year.value))
        if key not in lq_cache:
            lq_cache[key] = _gva_lqs(*key).stack()
        want = lq_cache[key]
        got = {(r["area"], r["industry"]): r["lq"] for r in rows}
        assert len(got) == len(want)
        np.testing.assert_allclose([got[k] for k in want.index], want.to_numpy())

    moves = [(explorer.geography, ["ITL1", "ITL2", "CA"]), (explorer.year, range(1998, 2022)),
             (explorer.lq_min, [round(1 + 0.05 * k, 2) for k in range(41)]),
             (explorer.size_min, range(0, 60001, 50)), (explorer.area, options)]
    try:
        moved = drive(explorer, moves, expected, check=check,
                      data_controls=[explorer.geography, explorer.year])
        assert len(moved) == 5
    finally:
        explorer.geography.value = "ITL2"
        explorer.year.value, explorer.area.value = 2019, "TLD3"
        explorer.lq_min.value, explorer.size_min.value = 1.25, 1000
