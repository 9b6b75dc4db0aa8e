"""RDAllocationExplorer: drive the controls from Python and check what the chart shows."""

from __future__ import annotations

import pandas as pd
import pytest
import vl_convert as vlc
from altair.utils._importers import vl_version_for_vl_convert
from widget_helpers import drive, table_shown

import course
from course import measures
from course.errors import CourseError
from widgets import RDAllocationExplorer
from widgets.rd_allocation import GREATER_SOUTH_EAST


@pytest.fixture(scope="module")
def w():
    return RDAllocationExplorer()


def svg(widget) -> str:
    return vlc.vegalite_to_svg(widget.spec(), vl_version=vl_version_for_vl_convert())


def public_2022():
    rd = course.load("rd_expenditure", level="ITL1")
    return rd[(rd["measure"] == "public_funded_rd") & (rd["year"] == 2022)].set_index(
        "itl_code")["rd_expenditure"].astype(float)


def test_baseline_is_the_published_51_percent(w):
    w.scenario.value, w.rate.value = "growth", 0
    assert round(w.summary()["gse_share"], 1) == 51.0
    assert w.summary()["total_gbp_m"] == pytest.approx(public_2022().sum())
    assert "Greater South East share: 51.0%" in svg(w)


def test_growth_scenario_raises_the_total(w):
    w.scenario.value, w.rate.value, w.view.value = "growth", 40, "share"
    base = public_2022()
    outside = [c for c in base.index if c not in GREATER_SOUTH_EAST]
    grown = measures.grow(base, outside, 0.4)
    s = w.summary()
    assert s["total_gbp_m"] == pytest.approx(grown.sum())
    assert s["gse_share"] == pytest.approx(100 * measures.group_share(grown, GREATER_SOUTH_EAST))
    shown = w.shown().set_index("code")
    assert shown.loc["TLI", "gbp_m"] == base["TLI"]  # London keeps its money
    assert shown.loc["TLC", "gbp_m"] == pytest.approx(base["TLC"] * 1.4)
    assert w.chart.params.rate == 40 and w.chart.params.scenario == "growth"
    text = svg(w)
    assert "growth scenario, +40% outside the Greater South East" in text
    assert "Greater South East share: 42.6%" in text and "North East" in text


def test_reallocation_keeps_the_total(w):
    w.scenario.value, w.rate.value = "reallocation", 40
    s = w.summary()
    assert s["total_gbp_m"] == pytest.approx(public_2022().sum())
    assert s["gse_share"] < 40 and s["per_head_ratio"] < 1
    assert w.chart.params.scenario == "reallocation"
    assert "reallocation scenario" in svg(w)
    w.view.value = "per_head"
    assert w.chart.params.view == "per_head"
    assert "Public R&amp;D, £ per head" in svg(w) or "Public R&D, £ per head" in svg(w)
    with table_shown(w) as table:
        assert "London" in table
    w.view.value = "share"


def test_small_embedded_data(w):
    assert len(w.rows) == 2 * 21 * 12 and len(w.table) == 42


def test_bad_choices_are_friendly():
    with pytest.raises(CourseError, match="Valid options"):
        RDAllocationExplorer(rate=42)
    with pytest.raises(CourseError, match="scenario"):
        RDAllocationExplorer(scenario="zero-sum")


def test_control_changes_never_rebuild_the_chart(w):
    """200 random changes only set params; the rows in the built spec are course measures'."""
    base = public_2022()
    outside = [c for c in base.index if c not in GREATER_SOUTH_EAST]

    def expected(widget):
        return {"scenario": widget.scenario.value, "rate": widget.rate.value,
                "view": widget.view.value}

    def check(widget, spec):
        scenario, rate = widget.scenario.value, widget.rate.value
        want = (measures.grow(base, outside, rate / 100) if scenario == "growth"
                else measures.reallocate(base, outside, rate=rate / 100))
        rows = {r["code"]: r["gbp_m"] for r in spec["datasets"]["regions"]
                if r["scenario"] == scenario and r["rate"] == rate}
        assert [rows[c] for c in want.index] == pytest.approx(want.tolist())

    moves = [(w.scenario, ["growth", "reallocation"]), (w.rate, range(0, 105, 5)),
             (w.view, ["share", "per_head"])]
    try:
        assert len(drive(w, moves, expected, check=check)) == 3
    finally:
        w.scenario.value, w.rate.value, w.view.value = "growth", 40, "share"


def test_the_widget_and_measures_grow_agree_on_per_cent():
    """The slider is in per cent; measures.grow takes a fraction or percent=, and refuses 40 as
    a fraction (it would multiply by 41)."""
    rd = pd.Series({"TLI": 50.0, "TLC": 30.0, "TLD": 20.0})
    assert measures.grow(rd, ["TLC"], percent=40).tolist() == measures.grow(rd, ["TLC"], 0.4).tolist()
    with pytest.raises(CourseError) as err:
        measures.grow(rd, ["TLC"], 40)
    text = str(err.value)
    assert "multiply" in text and "41" in text and "percent=40" in text and "0.4" in text
    assert measures.grow(rd, ["TLC"], percent=150)["TLC"] == pytest.approx(75.0)
    with pytest.raises(CourseError, match="not both"):
        measures.grow(rd, ["TLC"], 0.4, percent=40)
    assert measures.reallocate(rd, ["TLC"], percent=40).tolist() == pytest.approx(
        measures.reallocate(rd, ["TLC"], rate=0.4).tolist())
    with pytest.raises(CourseError, match="percent=40"):
        measures.reallocate(rd, ["TLC"], rate=40)
    with pytest.raises(CourseError, match="per cent"):
        RDAllocationExplorer(rate=0.4)
