"""Drive the ShiftShareDecomposer from Python and check what its chart shows."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import vl_convert as vlc
from altair.utils._importers import vl_version_for_vl_convert

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
    ss.show_table.value = True
    assert "<table>" in ss.numbers.value and "Industry mix" in ss.numbers.value
    ss.show_table.value = False
    with pytest.raises(CourseError, match="TLD3"):
        ShiftShareDecomposer(area="TLD33")
    with pytest.raises(CourseError, match="before"):
        ShiftShareDecomposer(start=2019, end=2004)
    with pytest.raises(CourseError, match="2021"):
        ShiftShareDecomposer(end=2023)


def test_control_changes_are_fast(ss):
    rng = np.random.default_rng(1)
    ss.level.value = "ITL2"
    codes = [v for _, v in ss.area.options]
    times = []
    for i in range(200):
        t = time.perf_counter()
        k = i % 3
        if k == 0:
            ss.area.value = codes[int(rng.integers(len(codes)))]
        elif k == 1:
            ss.start.value = int(rng.integers(1998, 2010))
        else:
            ss.end.value = int(rng.integers(2011, 2022))
        times.append(time.perf_counter() - t)
    assert np.percentile(times, 95) < 0.05
