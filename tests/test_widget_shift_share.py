"""Drive the ShiftShareDecomposer from Python and check what its chart shows."""

from __future__ import annotations

import math

import numpy as np
import pytest
import vl_convert as vlc
from altair.utils._importers import vl_version_for_vl_convert
from widget_helpers import drive, options, table_shown

import course
from course import measures
from course.errors import CourseError
from widgets import ShiftShareDecomposer


@pytest.fixture(scope="module")
def ss():
    return ShiftShareDecomposer(area="TLD3", start=2004, end=2019)


def test_totals_are_the_course_measure_and_add_up(ss):
    gva = course.load("gva_by_industry_itl2", years=[2004, 2019])
    t0, t1 = measures.industry_matrix(gva, year=2004), measures.industry_matrix(gva, year=2019)
    want = measures.shift_share(t0.loc["TLD3"], t1.loc["TLD3"], t0.loc["UKX"], t1.loc["UKX"])
    got = ss.totals()
    assert math.isclose(got["change"], want.change) and math.isclose(got["change"], 29973.0)
    parts = got["national_growth"] + got["industry_mix"] + got["regional_shift"]
    assert math.isclose(parts, got["change"])
    shown = ss.shown()
    assert len(shown) == 20 and "C Manufacturing" in set(shown["label"])
    np.testing.assert_allclose(shown[["national_growth", "industry_mix", "regional_shift"]]
                               .sum(axis=1), shown["change"], atol=1e-9)


def test_controls_change_the_data_and_the_titles(ss):
    ss.area.value = "TLG3"
    ss.start.value = 2008
    spec = ss.spec()
    values = {p["name"]: p["value"] for p in spec["params"]}
    assert values == {"area_name": "West Midlands (TLG3)", "start_year": 2008, "end_year": 2019}
    rows = spec["datasets"]["effects"]
    assert len(rows) == 20 * 4 + 4
    total = [r for r in rows if r["part"] == "total" and r["effect"] == "Actual change"][0]
    assert math.isclose(total["value"], ss.totals()["change"])
    assert "West Midlands, 2008–2019" in ss.status.value
    text = vlc.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())
    assert "West Midlands (TLG3), 2008–2019" in text and "Regional shift" in text


def test_level_switch_keeps_the_place_and_bad_years_are_refused(ss):
    ss.level.value = "ITL1"
    assert ss.area.value == "TLG"  # the ITL1 region containing TLG3
    ss.level.value = "ITL2"
    assert ss.area.value.startswith("TLG")
    before = ss.totals()
    ss.start.value = 2020  # after the end year: refused, chart unchanged
    assert "start year must be before" in ss.status.value
    assert before.equals(ss.totals())
    ss.start.value = 2004
    assert "must be before" not in ss.status.value


def test_table_view_and_bad_arguments(ss):
    with table_shown(ss) as table:
        assert "Industry mix" in table
    with pytest.raises(CourseError, match="TLD3"):
        ShiftShareDecomposer(area="TLD33")
    with pytest.raises(CourseError, match="before"):
        ShiftShareDecomposer(start=2019, end=2004)
    with pytest.raises(CourseError, match="2021"):
        ShiftShareDecomposer(end=2023)


def test_control_changes_never_rebuild_the_chart(ss):
    """200 random changes: the decomposition put into the built spec is the course measure's for
    the chosen area and years, the titles' params follow; Altair never builds a chart."""
    frames = {level: course.load(f"gva_by_industry_{level.lower()}") for level in ("ITL1", "ITL2")}
    tables = {}

    def table(level, year):
        if (level, year) not in tables:
            tables[(level, year)] = measures.industry_matrix(frames[level], year=year)
        return tables[(level, year)]

    def expected(w):
        return {"area_name": w.area.label, "start_year": w.start.value, "end_year": w.end.value}

    def check(w, spec):
        level = "ITL1" if len(w.area.value) == 3 else "ITL2"
        t0, t1 = table(level, w.start.value), table(level, w.end.value)
        code = w.area.value
        want = measures.shift_share(t0.loc[code], t1.loc[code], t0.loc["UKX"], t1.loc["UKX"])
        rows = spec["datasets"]["effects"]
        totals = {r["effect"]: r["value"] for r in rows if r["part"] == "total"}
        assert math.isclose(totals["Actual change"], want.change)
        assert math.isclose(totals["Regional shift"], want.regional_shift)
        changes = sorted(r["value"] for r in rows if r["part"] == "change")
        np.testing.assert_allclose(changes, sorted(want.table["change"]))

    controls = [ss.level, ss.area, ss.start, ss.end]
    moves = [(ss.level, ["ITL1", "ITL2"]), (ss.area, options), (ss.start, range(1998, 2010)),
             (ss.end, range(2011, 2022))]
    try:
        assert len(drive(ss, moves, expected, check=check, data_controls=controls)) == 4
    finally:
        ss.level.value = "ITL2"
        ss.area.value, ss.start.value, ss.end.value = "TLD3", 2004, 2019
