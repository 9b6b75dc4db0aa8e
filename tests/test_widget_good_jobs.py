"""GoodJobsIndex: the controls drive the chart's params, the ranking and the sensitivity table."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from widget_helpers import drive, table_shown

from course import measures
from course.errors import CourseError
from widgets import GoodJobsIndex
from widgets.good_jobs import build_indicators


@pytest.fixture(scope="module")
def w():
    return GoodJobsIndex(year=2021)


def _svg(widget) -> str:
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    return vlc.vegalite_to_svg(widget.spec(), vl_version=vl_version_for_vl_convert())


def _drawn_values(svg: str) -> list[str]:
    return re.findall(r">([+−-]\d\.\d\d)<", svg)


def test_only_complete_years_are_offered(w):
    assert w.years == [2021, 2013, 2012]
    assert not build_indicators(2021).isna().any().any()
    assert build_indicators(2019)["gdhi_per_head"].isna().all()  # GDHI was not copied for 2019


def test_initial_ranking_matches_measures_and_the_drawn_chart(w):
    table = build_indicators(2021)[["employment_rate", "median_weekly_pay", "gdhi_per_head",
                                    "gva_per_hour"]]
    want = measures.composite_index(table, dict.fromkeys(table.columns, 1.0))
    shown = w.shown()
    assert len(shown) == 11 and shown.iloc[0]["itl_code"] == "TLI"
    assert shown.iloc[-1]["itl_code"] == "TLC"
    assert shown.set_index("itl_code")["index"].round(12).to_dict() == want.round(12).to_dict()
    svg = _svg(w)
    assert "Labour-market outcomes index, 2021, ranked" in svg
    assert "1. London" in svg and "11. North East" in svg
    # the values Vega computes from the params equal the ones course.measures computes
    assert f"{want['TLI']:+.2f}" in _drawn_values(svg)


def test_weights_move_the_ranking(w):
    for key in ("pay", "gdhi", "gva"):
        w.use[key].value = False
    try:
        assert (w.chart.params.w_pay, w.chart.params.w_gdhi, w.chart.params.w_gva) == (0, 0, 0)
        assert w.chart.params.w_labour == 1.0
        shown = w.shown()
        assert shown.iloc[0]["itl_code"] == "TLH"  # employment alone: the East leads
        assert shown.set_index("itl_code").loc["TLI", "rank"] == 4
        svg = _svg(w)
        assert "1. East" in svg and "4. London" in svg
    finally:
        for key in ("pay", "gdhi", "gva"):
            w.use[key].value = True
    assert w.shown().iloc[0]["itl_code"] == "TLI"


def test_weight_slider_changes_param_and_sensitivity(w):
    w.weight["gva"].value = 3.0
    try:
        assert w.chart.params.w_gva == 3.0
        sens = w.sensitivity()
        table, weights, _ = w._measure_args()
        assert weights["gva_per_hour"] == 3.0
        pd.testing.assert_frame_equal(sens, measures.weight_sensitivity(table, weights, shift=0.5))
    finally:
        w.weight["gva"].value = 1.0
    assert "West Midlands: rank 7 (between 7 and 8)" in w.summary.value


def test_inactivity_and_year(w):
    w.labour.value = "inactivity"
    w.year.value = 2013
    try:
        assert w.chart.params.labour == "inactivity" and w.chart.params.year == 2013
        table = build_indicators(2013)[["inactivity_rate", "median_weekly_pay", "gdhi_per_head",
                                        "gva_per_hour"]]
        want = measures.composite_index(table, dict.fromkeys(table.columns, 1.0),
                                        direction={"inactivity_rate": "lower"})
        got = w.shown().set_index("itl_code")["index"]
        assert got.round(12).to_dict() == want.round(12).to_dict()
        assert "Labour-market outcomes index, 2013" in _svg(w)
    finally:
        w.labour.value = "employment"
        w.year.value = 2021


def test_no_weights_is_explained_not_an_error(w):
    for key in w.use:
        w.use[key].value = False
    try:
        assert w.shown().empty
        assert "Tick at least one indicator" in w.summary.value
    finally:
        for key in w.use:
            w.use[key].value = True


def test_table_view_and_alt_text(w):
    with table_shown(w) as table:
        assert table.count("<tr><td>") == 11
        assert "Labour-market outcomes index, 2021 (11 GB regions)" in table
    spec = w.spec()
    assert "Northern Ireland marked 'no data'" in spec["description"]
    assert spec["title"]["text"].startswith("Which regions do best")
    assert all(len(v) < 5000 for v in spec["datasets"].values())


def test_bad_choice_is_a_friendly_error():
    with pytest.raises(CourseError, match="Valid options"):
        GoodJobsIndex(year=2019)
    with pytest.raises(CourseError, match="weight name"):
        GoodJobsIndex(weights={"wages": 1})


def test_control_changes_never_rebuild_the_chart(w):
    """200 random changes only set params (the weights Vega combines the z-scores with); the
    z-scores in the built spec are course measures'."""
    keys = ("labour", "pay", "gdhi", "gva")
    gva_z = {y: measures.standardised_gaps(build_indicators(y)["gva_per_hour"]) for y in w.years}

    def expected(widget):
        return {"year": widget.year.value, "labour": widget.labour.value,
                **{f"w_{k}": widget.weight[k].value if widget.use[k].value else 0.0
                   for k in keys}}

    def check(widget, spec):
        year = widget.year.value
        got = {r["itl_code"]: r["z_gva"] for r in spec["datasets"]["z"] if r["year"] == year}
        assert [got[c] for c in gva_z[year].index] == pytest.approx(gva_z[year].tolist())

    moves = [(w.year, w.years), (w.labour, ["employment", "inactivity"]),
             *[(w.use[k], [True, False]) for k in keys],
             *[(w.weight[k], [0.25 * i for i in range(13)]) for k in keys]]
    try:
        drive(w, moves, expected, check=check)
    finally:
        w.year.value, w.labour.value = 2021, "employment"
        for k in keys:
            w.use[k].value, w.weight[k].value = True, 1.0


def test_a_string_year_is_accepted_and_explained_when_wrong():
    from widgets import GoodJobsIndex

    assert GoodJobsIndex(year="2021").year.value == 2021
    with pytest.raises(CourseError) as err:
        GoodJobsIndex(year="2030")
    assert "Valid options (closest first): 2021" in str(err.value)
