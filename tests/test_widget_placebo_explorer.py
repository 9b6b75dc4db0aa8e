"""PlaceboExplorer: drive the controls from Python and check what the chart and text show."""

from __future__ import annotations

import ipywidgets as ipw
import pytest
import vl_convert as vlc
from altair.utils._importers import vl_version_for_vl_convert
from widget_helpers import drive, table_shown

import course
from course import measures
from course.errors import CourseError
from widgets import PlaceboExplorer
from widgets.placebo_explorer import comparison_areas


@pytest.fixture(scope="module")
def w():
    return PlaceboExplorer()


def svg(widget) -> str:
    return vlc.vegalite_to_svg(widget.spec(), vl_version=vl_version_for_vl_convert())


def lesson_groups():
    """The lesson's 2017 treated areas and its English comparison group, built independently."""
    gva = course.load("gva_per_hour", level="ITL3")
    areas = course.load("mayoral_itl_areas")
    treated = sorted(areas.loc[areas["first_mayoral_election"] == 2017, "itl_code"])
    england = gva["itl1_code"].isin(["TLC", "TLD", "TLE", "TLF", "TLG", "TLH", "TLJ", "TLK"])
    comparison = sorted(set(gva.loc[england, "itl_code"]) - set(areas["itl_code"]))
    return gva, treated, comparison


def test_default_is_the_lesson_estimate(w):
    gva, treated, comparison = lesson_groups()
    assert w.treated_codes() == treated and w.comparison_codes == comparison
    want = measures.difference_in_differences(
        gva[gva["itl_code"].isin(treated + comparison)], "gva_per_hour", treated, 2017,
        first_year=2004, last_year=2019)
    s = w.summary()
    assert s["estimate_pct"] == pytest.approx(100 * want.estimate)
    assert (s["n_treated"], s["n_comparison"], s["last_year"]) == (23, 81, 2019)
    assert 0 < s["p_value"] <= 1
    assert f"{s['estimate_pct']:+.2f} % points" in w.text.value
    text = svg(w)
    assert "A naive difference-in-differences and its permutation test" in text
    assert "Parallel trends?" in text
    gap = w.trends[w.trends["group"] == "gap"].set_index("year")["value"]
    assert gap[2016] == pytest.approx(0.0) and gap[2019] < gap[2016]


def test_placebo_and_pandemic_warnings(w):
    try:
        w.start.value, w.post_years.value = 2012, 3
        assert "placebo" in w.text.value and w.summary()["last_year"] == 2014
        w.start.value, w.post_years.value = 2017, 5
        assert "pandemic" in w.text.value and w.summary()["last_year"] == 2021
        w.start.value, w.post_years.value = 2015, 3
        assert "straddles 2017" in w.text.value
    finally:
        w.start.value, w.post_years.value = 2017, 3


def test_comparison_groups_never_include_treated_areas(w):
    for kind in ("england_no_mayor", "england_no_london", "uk_all"):
        codes = comparison_areas(w.itl3, w.mapping, w.treated_codes(), kind)
        assert not set(codes) & set(w.treated_codes())
        if kind != "uk_all":
            assert not any(c.startswith(("TLI", "TLL", "TLM", "TLN")) for c in codes)
    assert len(comparison_areas(w.itl3, w.mapping, w.treated_codes(), "uk_all")) == 179 - 23


def test_one_authority_and_the_table(w):
    try:
        w.authorities.value = ("West Yorkshire Combined Authority",)
        assert w.summary()["n_treated"] == 4
        with table_shown(w) as table:
            assert "Permutation distribution" in table and "97.5th percentile" in table
            assert "<th scope='row'>2016</th>" in table
        w.authorities.value = ()
        assert "Choose at least one treated authority" in w.text.value
    finally:
        w.authorities.value = tuple(a for a, n in w.mapping.drop_duplicates("authority")[
            ["authority", "first_mayoral_election"]].itertuples(index=False) if n == 2017)


def test_alt_text_and_keyboard_controls(w):
    assert "histogram" in w.spec()["description"] and "gap" in w.spec()["description"]
    assert "histogram" in w.spec()["description"] and "Show numbers as a table" in \
        w.spec()["description"]
    for control in (w.authorities, w.start, w.post_years, w.comparison):
        assert isinstance(control, ipw.ValueWidget) and control.description
        assert not control.disabled


def test_bad_choices_are_friendly():
    with pytest.raises(CourseError, match="Valid options|closest"):
        PlaceboExplorer(start=1999)
    with pytest.raises(CourseError, match="comparison group"):
        PlaceboExplorer(comparison="world")
    with pytest.raises(CourseError, match="authority"):
        PlaceboExplorer(authorities=["Greater Narnia Combined Authority"])
    with pytest.raises(CourseError, match="no treated authority"):
        PlaceboExplorer(authorities=[])


def test_control_changes_never_rebuild_the_chart(w):
    """Random changes swap rows into the built spec; the rows are course.measures' numbers."""

    def check(widget, spec):
        rows = spec["datasets"]
        assert rows["observed"][0]["d"] == pytest.approx(widget.summary()["estimate_pct"])
        assert len(rows["null"]) == 40 and sum(r["n"] for r in rows["null"]) == 999

    moves = [(w.start, range(2006, 2022)), (w.post_years, [1, 2, 3]),
             (w.comparison, ["england_no_mayor", "england_no_london", "uk_all"])]
    try:
        moved = drive(w, moves, lambda widget: {}, n=30, data_controls=[c for c, _ in moves],
                      check=check, spec_every=5)
        assert len(moved) == 3
    finally:
        w.start.value, w.post_years.value, w.comparison.value = 2017, 3, "england_no_mayor"
