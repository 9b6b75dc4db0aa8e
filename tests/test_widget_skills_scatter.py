"""SkillsScatter: drive the controls from Python and check what the chart shows."""

from __future__ import annotations

import pandas as pd
import pytest
import vl_convert as vlc
from altair.utils._importers import vl_version_for_vl_convert
from widget_helpers import drive, table_shown

from course import measures
from course.errors import CourseError
from widgets import SkillsScatter
from widgets.skills_scatter import prepare


@pytest.fixture(scope="module")
def w():
    return SkillsScatter(year=2019)


def svg(widget) -> str:
    return vlc.vegalite_to_svg(widget.spec(), vl_version=vl_version_for_vl_convert())


def test_default_shows_twelve_regions_and_the_full_fit(w):
    w.outcome.value, w.year.value, w.leave_out.value = "gva_per_hour", 2019, "none"
    shown = w.shown()
    assert len(shown) == 12 and shown["in_fit"].all()
    assert shown.iloc[0]["code"] == "TLI"  # the highest level 3+ share
    fit = measures.linear_fit(shown.set_index("code")["x"], shown.set_index("code")["y"])
    assert w.summary()["slope"] == pytest.approx(fit.slope)
    assert "left_out" not in w.summary()
    assert w.chart.params.year == 2019 and w.chart.params.leave == "none"
    text = svg(w)
    assert "All 12 regions: slope 1.04" in text and "Without" not in text.split("aria")[0]
    assert "GVA per hour worked across the 12 ITL1 regions, 2019" in text


def test_leaving_london_out_flattens_the_slope(w):
    w.year.value = 2019
    w.leave_out.value = "TLI"
    s = w.summary()
    ref = measures.linear_fit(w.shown().set_index("code")["x"], w.shown().set_index("code")["y"],
                              leave_out="TLI")
    assert s["slope_without"] == pytest.approx(ref.slope)
    assert s["slope_change"] == pytest.approx(ref.slope - s["slope"]) and s["slope_change"] < 0
    assert s["cooks_distance"] > 1
    assert w.chart.params.leave == "TLI"
    assert not w.shown().set_index("code").loc["TLI", "in_fit"]
    text = svg(w)
    assert "Without London: slope 0.63" in text
    assert "Cook's distance is 3.09" in w.text.value
    w.leave_out.value = "none"


def test_year_outcome_and_highlight(w):
    w.outcome.value = "median_pay"
    assert w.year.min == 2008
    w.year.value = 2015
    w.highlight.value = "TLM"
    assert w.chart.params.outcome == "median_pay" and w.chart.params.focus == "TLM"
    assert w.chart.params.year == 2015
    text = svg(w)
    assert "median weekly pay across the 12 ITL1 regions, 2015" in text and "Scotland" in text
    with table_shown(w) as table:
        assert "Scotland" in table
    w.outcome.value = "gva_per_hour"
    assert w.year.min == 2004


def test_prepare_small_and_complete(w):
    assert len(w.points) + len(w.lines) + len(w.fits) < 5000
    assert set(w.fits["leave"]) >= {"none", "TLI"}
    assert w.fits.groupby(["outcome", "year"]).size().eq(13).all()


def test_bad_choices_are_friendly():
    with pytest.raises(CourseError, match="Valid options"):
        SkillsScatter(year=2003)
    with pytest.raises(CourseError, match="leave_out"):
        SkillsScatter(leave_out="London")


def test_prepare_skips_incomplete_years():
    import course

    q = course.load("qualifications_level3")
    g = course.load("gva_per_hour")
    p = course.load("median_pay")
    points, _, _ = prepare(q[~((q["itl_code"] == "TLN") & (q["year"] == 2010))], g, p)
    assert 2010 not in set(points["year"])


def test_control_changes_never_rebuild_the_chart(w):
    """200 random changes only set params; the fits in the built spec are course measures' fits
    of the points in the built spec."""
    codes = sorted(w.points["code"].unique())

    def expected(widget):
        return {"year": widget.year.value, "outcome": widget.outcome.value,
                "focus": widget.highlight.value, "leave": widget.leave_out.value}

    def check(widget, spec):
        now = {"year": widget.year.value, "outcome": widget.outcome.value}
        pts = [r for r in spec["datasets"]["points"] if r.items() >= now.items()]
        leave = widget.leave_out.value
        x = pd.Series({r["code"]: r["x"] for r in pts})
        y = pd.Series({r["code"]: r["y"] for r in pts})
        fit = measures.linear_fit(x, y, leave_out=None if leave == "none" else leave)
        this_fit = {**now, "leave": leave}.items()
        drawn = [r for r in spec["datasets"]["fits"] if r.items() >= this_fit]
        assert len(pts) == 12 and len(drawn) == 1
        assert drawn[0]["slope"] == pytest.approx(fit.slope)

    moves = [(w.outcome, ["gva_per_hour", "median_pay"]), (w.year, range(2004, 2022)),
             (w.highlight, codes), (w.leave_out, ["none", *codes])]
    try:
        assert len(drive(w, moves, expected, check=check)) == 4
    finally:
        w.outcome.value, w.year.value, w.highlight.value = "gva_per_hour", 2019, "TLI"
        w.leave_out.value = "none"
