"""Drive the ClusterExplorer from Python and check what its chart shows."""

from __future__ import annotations

import time

import numpy as np
import pytest
import vl_convert as vlc
from altair.utils._importers import vl_version_for_vl_convert

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
    explorer.show_table.value = True
    assert "<table>" in explorer.numbers.value and "Candidate" in explorer.numbers.value
    explorer.show_table.value = False
    assert explorer.numbers.layout.display == "none"
    with pytest.raises(CourseError, match="ITL3"):
        ClusterExplorer(geography="ITL3")
    with pytest.raises(CourseError, match="TLD3"):
        ClusterExplorer(area="TLD33")


def test_control_changes_are_fast(explorer):
    rng = np.random.default_rng(0)
    codes = [v for _, v in explorer.area.options]
    times = []
    for i in range(200):
        t = time.perf_counter()
        k = i % 4
        if k == 0:
            explorer.lq_min.value = float(round(rng.uniform(1, 3) * 20) / 20)
        elif k == 1:
            explorer.size_min.value = int(rng.integers(0, 100)) * 50
        elif k == 2:
            explorer.year.value = int(rng.integers(1998, 2022))
        else:
            explorer.area.value = codes[int(rng.integers(len(codes)))]
        times.append(time.perf_counter() - t)
    assert np.percentile(times, 95) < 0.05
