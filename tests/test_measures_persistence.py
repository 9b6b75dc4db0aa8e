"""Known-value tests for course.measures.persistence (lesson 02), with scipy as an oracle."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import course
from course.errors import MeasureError
from course.measures import (
    concurrent,
    lifespans,
    rank_persistence,
    rank_persistence_path,
    ranks_by_year,
    starts_per_period,
)

# ------------------------------------------------------------------------------- lifespans


def test_lifespans_ended_ongoing_unknown():
    start = pd.Series([1998, 2011, 2012, 2018, 2021], index=list("abcde"))
    end = pd.Series([2012, 2024, None, None, None], index=list("abcde"), dtype="Int64")
    status = pd.Series(["ended", "ended", "unknown", "ongoing", "ended"], index=list("abcde"))
    out = lifespans(start, end, status, as_of=2025)
    # a: 2012 - 1998 = 14; b: 2024 - 2011 = 13; d: still running, at least 2025 - 2018 = 7
    # c (unknown) and e (ended, but no end year) cannot be measured and are left out
    assert list(out.index) == ["a", "b", "d"]
    assert out["years"].tolist() == [14.0, 13.0, 7.0]
    assert out["censored"].tolist() == [False, False, True]
    assert out["end"].tolist() == [2012, 2024, 2025]
    assert out.attrs["left_out"] == 2


def test_lifespans_status_is_case_and_space_tolerant_and_as_of_moves_censored():
    out = lifespans([2000, 2000], [2010, None], [" Ended", "ONGOING"], as_of=2030)
    assert out["years"].tolist() == [10.0, 30.0]  # 2030 - 2000 for the censored one


def test_lifespans_errors():
    with pytest.raises(MeasureError, match="status has values it does not know"):
        lifespans([2000], [2001], ["finished"])
    with pytest.raises(MeasureError, match="end before they start"):
        lifespans([2010], [2001], ["ended"])
    with pytest.raises(MeasureError, match="different lengths"):
        lifespans([2010, 2011], [2012], ["ended", "ended"])
    with pytest.raises(MeasureError, match="as_of must be a whole year"):
        lifespans([2010], [2012], ["ended"], as_of=2025.5)
    with pytest.raises(MeasureError, match="start after as_of"):
        lifespans([2030], [None], ["ongoing"], as_of=2025)
    with pytest.raises(MeasureError, match="not years"):
        lifespans(["RDAs"], [2012], ["ended"])
    with pytest.raises(MeasureError, match="missing years"):
        lifespans([None], [2012], ["ended"])
    with pytest.raises(MeasureError, match="status should be one column"):
        lifespans([2000], [2001], "ended")
    with pytest.raises(MeasureError, match="DataFrame"):
        lifespans(pd.DataFrame({"a": [1]}), [2001], ["ended"])
    with pytest.raises(MeasureError, match="is empty"):
        lifespans([], [], [])


def test_lifespans_on_the_course_timeline():
    t = course.load("policy_timeline")
    out = lifespans(t["year"], t["ended_year"], t["status"], as_of=2025)
    counts = t["status"].value_counts()
    assert (counts["ended"], counts["ongoing"], counts["unknown"]) == (26, 22, 8)
    # every ongoing row is kept (censored); ended rows only with an end year; no unknowns
    assert out["censored"].sum() == 22
    assert (~out["censored"]).sum() == t[(t["status"] == "ended") & t["ended_year"].notna()].shape[0]
    assert out.attrs["left_out"] == 56 - len(out)
    rda = t.index[t["name"].str.startswith("Regional Development Agencies created")][0]
    assert out.loc[rda, "years"] == 14.0  # 1998 to 2012


# ------------------------------------------------------------------------------- starts


def test_starts_per_decade_counts_and_empty_decades():
    # 1998 -> 1990s; 2010, 2011, 2011 -> 2010s; the 2000s have none; 2025 -> 2020s
    got = starts_per_period(pd.Series([1998, 2010, 2011, 2011, 2025]))
    assert got.to_dict() == {"1990s": 1, "2000s": 0, "2010s": 3, "2020s": 1}
    assert got.dtype == np.int64


def test_starts_per_period_edges_and_width():
    got = starts_per_period([1997, 2009, 2010, 2024, 2025], edges=[1997, 2010, 2024, 2026])
    assert got.to_dict() == {"1997-2009": 2, "2010-2023": 1, "2024-2025": 2}
    five = starts_per_period([2000, 2004, 2005], width=5)
    assert five.to_dict() == {"2000-2004": 2, "2005-2009": 1}


def test_starts_per_period_errors():
    with pytest.raises(MeasureError, match="outside the edges"):
        starts_per_period([1990, 2000], edges=[1997, 2010])
    with pytest.raises(MeasureError, match="increasing order"):
        starts_per_period([2000], edges=[2010, 1997])
    with pytest.raises(MeasureError, match="list of whole years"):
        starts_per_period([2000], edges=["a", "b"])
    with pytest.raises(MeasureError, match="width"):
        starts_per_period([2000], width=0)
    with pytest.raises(MeasureError, match="whole years"):
        starts_per_period([2000.5])
    with pytest.raises(MeasureError, match="single int"):
        starts_per_period(2000)


# ------------------------------------------------------------------------------- concurrent


def test_concurrent_counts_both_end_years():
    # A 1998-2012, B 2011-2024, C 2012- (running): 2012 has all three (ends are included)
    got = concurrent([1998, 2011, 2012], [2012, 2024, np.nan], years=[1997, 2011, 2012, 2013, 2025])
    assert got.to_dict() == {1997: 0, 2011: 2, 2012: 3, 2013: 2, 2025: 1}


def test_concurrent_default_grid_and_series_alignment():
    start = pd.Series([2000, 2002], index=["x", "y"])
    end = pd.Series([2003, 2001], index=["y", "x"])  # matched by label: x 2000-2001, y 2002-2003
    got = concurrent(start, end)
    assert got.to_dict() == {2000: 1, 2001: 1, 2002: 1, 2003: 1}
    assert concurrent([2000], [2000], years=2000).to_dict() == {2000: 1}


def test_concurrent_errors():
    with pytest.raises(MeasureError, match="end before they start"):
        concurrent([2010], [2000])
    with pytest.raises(MeasureError, match="start has 2 years but end has 1"):
        concurrent([2010, 2011], [2012])
    with pytest.raises(MeasureError, match="do not cover the same areas"):
        concurrent(pd.Series([2000], index=["a"]), pd.Series([2001], index=["b"]))


# ------------------------------------------------------------------------------- ranks


def test_rank_persistence_hand_computed():
    before = pd.Series({"A": 50.0, "B": 40.0, "C": 30.0, "D": 20.0, "E": 10.0})
    after = pd.Series({"A": 55.0, "B": 20.0, "C": 35.0, "D": 30.0, "E": 5.0})
    # ranks before A1 B2 C3 D4 E5; after A1 C2 D3 B4 E5 -> d = 0, -2, 1, 1, 0; sum d^2 = 6
    # rho = 1 - 6 * 6 / (5 * 24) = 0.7; three of five changed rank; mean |d| = 4 / 5
    r = rank_persistence(before, after)
    assert math.isclose(r.spearman, 0.7, abs_tol=1e-12)
    assert r.share_changed == 0.6 and r.n == 5
    assert math.isclose(r.mean_abs_change, 0.8)
    assert r.moves.loc["B"].tolist() == [2, 4, -2]
    assert type(r.spearman) is float and type(r.share_changed) is float


def test_rank_persistence_matches_scipy_with_ties_and_alignment():
    rng = np.random.default_rng(7)
    a = pd.Series(np.round(rng.normal(30, 5, 41), 0), index=[f"R{i}" for i in range(41)])
    b = (a + pd.Series(np.round(rng.normal(0, 3, 41), 0), index=a.index)).sample(frac=1, random_state=1)
    r = rank_persistence(a, b)
    want = stats.spearmanr(a.to_numpy(), b.reindex(a.index).to_numpy()).statistic
    assert math.isclose(r.spearman, want, rel_tol=1e-12)
    assert rank_persistence([1, 2, 3], [3, 2, 1]).spearman == pytest.approx(-1.0)


def test_rank_persistence_on_itl1_matches_scipy():
    gva = course.load("gva_per_hour", level="ITL1")
    a = gva[gva["year"] == 2004].set_index("itl_code")["gva_per_hour"]
    b = gva[gva["year"] == 2019].set_index("itl_code")["gva_per_hour"]
    r = rank_persistence(a, b)
    assert math.isclose(r.spearman, stats.spearmanr(a, b.reindex(a.index)).statistic, rel_tol=1e-12)
    assert r.n == 12


def test_rank_persistence_errors():
    with pytest.raises(MeasureError, match="at least 3 areas"):
        rank_persistence([1.0, 2.0], [2.0, 1.0])
    with pytest.raises(MeasureError, match="same value"):
        rank_persistence([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])
    with pytest.raises(MeasureError, match="do not cover the same areas"):
        rank_persistence(pd.Series({"A": 1.0, "B": 2.0, "C": 3.0}),
                         pd.Series({"A": 1.0, "B": 2.0, "X": 3.0}))
    with pytest.raises(MeasureError, match="before has 3 values but after has 2"):
        rank_persistence([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(MeasureError, match="missing values"):
        rank_persistence([1.0, np.nan, 3.0], [1.0, 2.0, 3.0])


def test_ranks_by_year_and_path():
    panel = pd.DataFrame({"itl_code": list("ABCABC"), "year": [1, 1, 1, 2, 2, 2],
                          "v": [3.0, 2.0, 1.0, 1.0, 2.0, 3.0]})
    ranks = ranks_by_year(panel, "v")
    assert ranks[ranks["year"] == 2].set_index("itl_code")["rank"].to_dict() == {"C": 1, "B": 2, "A": 3}
    path = rank_persistence_path(panel, "v", base_year=1)
    assert path.loc[1, "spearman"] == pytest.approx(1.0)
    assert path.loc[2, "spearman"] == pytest.approx(-1.0)  # order reversed
    assert path.loc[2, "share_changed"] == pytest.approx(2 / 3)  # B keeps rank 2


def test_ranks_by_year_errors():
    panel = pd.DataFrame({"itl_code": ["A", "A"], "year": [1, 1], "v": [1.0, 2.0]})
    with pytest.raises(MeasureError, match="more than once"):
        ranks_by_year(panel, "v")
    with pytest.raises(MeasureError, match="no value column 'value'"):
        ranks_by_year(panel, "value")
    with pytest.raises(MeasureError, match="DataFrame"):
        ranks_by_year([1, 2], "v")
    with pytest.raises(MeasureError, match="base year 3"):
        rank_persistence_path(panel.iloc[:1], "v", base_year=3)
