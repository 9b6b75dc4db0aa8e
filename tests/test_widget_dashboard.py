"""CityRegionDashboard: the controls drive the chart's params and the numbers it shows."""

from __future__ import annotations

import pytest
from widget_helpers import drive, table_shown

import course
from course import measures
from course.errors import CourseError
from widgets import CityRegionDashboard
from widgets.dashboard import CITY_REGIONS


@pytest.fixture(scope="module")
def dash():
    return CityRegionDashboard("TLD3", lq_year=2019, top=6)


def _svg(d) -> str:
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    return vlc.vegalite_to_svg(d.spec(), vl_version=vl_version_for_vl_convert())


def test_gap_to_london_matches_the_published_check(dash):
    h = dash.headline(2019)
    # ONS June 2023 edition, 2019: Greater Manchester 32.1, London 48.4, UK 36.2 (£ per hour)
    assert h["gap to London, 2019 (%)"] == pytest.approx((32.1 / 48.4 - 1) * 100)
    assert h["gap to UK, 2019 (%)"] == pytest.approx((32.1 / 36.2 - 1) * 100)
    # about 34% per hour, close to the published 35% per worker (international_comparisons INT24)
    assert -36 < h["gap to London, 2019 (%)"] < -33


def test_city_region_control_moves_params_and_numbers(dash):
    dash.city_region.value = "TLG3"
    try:
        assert dash.chart.params.focus == "TLG3"
        assert dash.chart.params.focus_name == "West Midlands"
        ind = course.load("gva_by_industry_itl2")
        lq = measures.location_quotient(measures.industry_matrix(ind, year=2019).drop(index="UK"),
                                        "UKX")
        top = lq.loc["TLG3"].sort_values(ascending=False).head(6)
        assert dash.shown()["industry_code"].tolist() == list(top.index)
        assert dash.shown()["lq"].tolist() == pytest.approx(top.tolist())
        svg = _svg(dash)
        assert "West Midlands: GVA per hour gap to the UK and London" in svg
        assert "P Education" in svg
        assert "West Midlands: headline numbers" in dash.summary.value
    finally:
        dash.city_region.value = "TLD3"


def test_year_and_top_controls(dash):
    dash.lq_year.value = 2010
    dash.top.value = 3
    try:
        assert dash.chart.params.lq_year == 2010 and dash.chart.params.top == 3
        assert len(dash.shown()) == 3
        svg = _svg(dash)
        assert "Most over-represented industries (GVA), 2010" in svg
    finally:
        dash.lq_year.value, dash.top.value = 2019, 6


def test_labour_and_rd_panels_use_the_right_rows(dash):
    ca = course.load("combined_authority_labour")
    gm = ca[(ca["gss_code"] == "E47000001") & (ca["year"] == 2023)]
    h = dash.headline()
    assert h["employment rate, 2023 (%)"] == float(gm["employment_rate"].iloc[0])
    rd = dash.data["rd"]
    assert rd[rd["code"] == "TLD3"]["area"].iloc[0] == "North West (parent region)"
    assert "R&amp;D (proxy)" in _svg(dash)


def test_table_view(dash):
    with table_shown(dash) as table:
        assert table.count("<tr><td>") == 6
        assert "Greater Manchester: location quotients, 2019" in table


def test_chart_has_title_alt_text_and_small_data(dash):
    spec = dash.spec()
    assert spec["description"].startswith("Four charts")
    assert spec["title"]["text"] == "City-region evidence dashboard"
    assert sum(len(v) for v in spec["datasets"].values()) < 5000


def test_control_changes_never_rebuild_the_chart(dash):
    """200 random changes only set params; the LQ rows in the built spec are course measures'."""
    industry = course.load("gva_by_industry_itl2")
    lqs = {}

    def expected(d):
        return {"focus": d.city_region.value, "lq_year": d.lq_year.value, "top": d.top.value,
                "focus_name": d.city_region.label.rsplit(" (", 1)[0]}

    def check(d, spec):
        code, year = d.city_region.value, d.lq_year.value
        if year not in lqs:
            lqs[year] = measures.location_quotient(
                measures.industry_matrix(industry, year=year).drop(index="UK"), "UKX")
        rows = {r["industry_code"]: r["lq"] for r in spec["datasets"]["lq"]
                if r["code"] == code and r["year"] == year}
        want = lqs[year].loc[code]
        assert rows.keys() == set(want.index)
        assert [rows[k] for k in want.index] == pytest.approx(want.tolist())

    moves = [(dash.city_region, list(CITY_REGIONS)), (dash.lq_year, range(1998, 2022)),
             (dash.top, range(3, 13))]
    try:
        assert len(drive(dash, moves, expected, check=check)) == 3
    finally:
        dash.city_region.value, dash.lq_year.value, dash.top.value = "TLD3", 2019, 6


def test_unknown_city_region_is_a_friendly_error():
    with pytest.raises(CourseError, match="Valid options.*'TLD3'"):
        CityRegionDashboard("TLD")
