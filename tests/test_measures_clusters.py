"""Tests for course.measures.clusters (lesson 04).

Hand-computed examples carry their arithmetic in comments. No maintained package implements the
location quotient, the Krugman index or the Herfindahl index under those names, so each is also
held to an identity with a maintained library:

* Krugman index = the city-block (L1) distance between two share vectors
  (``scipy.spatial.distance.cityblock``);
* Herfindahl index = (1 + CV²) / n, with CV the population coefficient of variation of the
  sizes (``scipy.stats.variation``);
* location quotients: the share-weighted mean of ln(LQ) is the Kullback–Leibler divergence of
  the area's shares from the benchmark's (``scipy.stats.entropy(p, q)``), and PySAL
  ``inequality``'s Theil index of one area's sizes equals ln(n) minus their Shannon entropy.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import raises
from inequality.theil import Theil
from scipy.spatial.distance import cityblock
from scipy.stats import entropy, variation

import course
from course.measures import clusters as m

# A small economy: two areas and the nation (their sum), three industries.
#        C     K     Q    total
# A     30    10    60    100
# B     20    40    40    100
# N     50    50   100    200
TABLE = pd.DataFrame(
    {"C": [30.0, 20.0, 50.0], "K": [10.0, 40.0, 50.0], "Q": [60.0, 40.0, 100.0]},
    index=["A", "B", "N"],
)


# ---------------------------------------------------------------------------------------------
# Location quotient
# ---------------------------------------------------------------------------------------------


def test_location_quotient_hand_computed_against_a_benchmark_row():
    lq = m.location_quotient(TABLE, "N")
    # A: C 30/100 over 50/200 = 0.30/0.25 = 1.2; K 0.10/0.25 = 0.4; Q 0.60/0.50 = 1.2
    # B: C 0.20/0.25 = 0.8; K 0.40/0.25 = 1.6; Q 0.40/0.50 = 0.8
    assert list(lq.index) == ["A", "B"]  # the benchmark row is left out
    np.testing.assert_allclose(lq.loc["A"], [1.2, 0.4, 1.2])
    np.testing.assert_allclose(lq.loc["B"], [0.8, 1.6, 0.8])


def test_location_quotient_series_and_own_aggregate_agree():
    one = m.location_quotient(TABLE.loc["A"], TABLE.loc["N"])
    assert type(one) is pd.Series and list(one.index) == ["C", "K", "Q"]
    np.testing.assert_allclose(one, [1.2, 0.4, 1.2])
    # with no benchmark each area is compared with the sum of the table's rows (A + B = N)
    own = m.location_quotient(TABLE.loc[["A", "B"]])
    np.testing.assert_allclose(own.to_numpy(), m.location_quotient(TABLE, "N").to_numpy())


def test_location_quotient_share_weighted_log_is_kl_divergence():
    rng = np.random.default_rng(4)
    table = pd.DataFrame(rng.uniform(1, 100, size=(6, 9)), columns=list("ABCDEFGHI"))
    national = table.sum()
    lq = m.location_quotient(table, national)
    shares = table.div(table.sum(axis=1), axis=0)
    for row in table.index:
        kl = float((shares.loc[row] * np.log(lq.loc[row])).sum())
        assert math.isclose(kl, entropy(shares.loc[row], national / national.sum()), rel_tol=1e-12)


def test_location_quotient_mean_weighted_by_benchmark_share_is_one():
    # sum_i s_ni * LQ_ri = sum_i s_ri = 1 for every area
    lq = m.location_quotient(TABLE, "N")
    weights = TABLE.loc["N"] / TABLE.loc["N"].sum()
    np.testing.assert_allclose((lq * weights).sum(axis=1), [1.0, 1.0])


# ---------------------------------------------------------------------------------------------
# Krugman and Herfindahl
# ---------------------------------------------------------------------------------------------


def test_krugman_hand_computed():
    # A shares .3 .1 .6; N shares .25 .25 .5 -> |.05| + |.15| + |.10| = 0.30
    # B shares .2 .4 .4 -> .05 + .15 + .10 = 0.30
    k = m.krugman_index(TABLE, "N")
    np.testing.assert_allclose(k.to_numpy(), [0.3, 0.3])
    assert k.name == "krugman_index"
    # A against B directly: |.1| + |.3| + |.2| = 0.6
    ab = m.krugman_index(TABLE.loc["A"], TABLE.loc["B"])
    assert type(ab) is float and math.isclose(ab, 0.6)
    assert m.krugman_index(TABLE.loc["N"], TABLE.loc["N"]) == 0.0


def test_krugman_bounds_and_scipy_cityblock():
    disjoint = m.krugman_index(pd.Series({"C": 5.0, "K": 0.0}), pd.Series({"C": 0.0, "K": 7.0}))
    assert math.isclose(disjoint, 2.0)
    rng = np.random.default_rng(7)
    for _ in range(20):
        a, b = rng.uniform(0, 50, 12), rng.uniform(0.1, 50, 12)
        idx = [f"i{j}" for j in range(12)]
        got = m.krugman_index(pd.Series(a, index=idx), pd.Series(b, index=idx))
        assert math.isclose(got, cityblock(a / a.sum(), b / b.sum()), rel_tol=1e-12)


def test_herfindahl_hand_computed():
    # A: .3² + .1² + .6² = .09 + .01 + .36 = 0.46; B: .04 + .16 + .16 = 0.36
    h = m.herfindahl(TABLE.loc[["A", "B"]])
    np.testing.assert_allclose(h.to_numpy(), [0.46, 0.36])
    assert type(m.herfindahl(TABLE.loc["A"])) is float
    # normalised with n = 3: (0.46 - 1/3) / (1 - 1/3) = 0.19
    assert math.isclose(m.herfindahl(TABLE.loc["A"], normalised=True), 0.19)
    assert m.herfindahl([7.0, 7.0, 7.0]) == pytest.approx(1 / 3)
    assert m.herfindahl([0.0, 4.0, 0.0]) == 1.0


def test_herfindahl_matches_scipy_variation_and_pysal_theil_is_related():
    rng = np.random.default_rng(11)
    for n in (2, 5, 20):
        x = rng.uniform(0.5, 100, n)
        h = m.herfindahl(x)
        assert math.isclose(h, (1 + variation(x) ** 2) / n, rel_tol=1e-12)
        # PySAL's Theil of the sizes = ln(n) - Shannon entropy of the shares
        s = x / x.sum()
        assert math.isclose(Theil(x).T, math.log(n) - entropy(s), rel_tol=1e-9)


# ---------------------------------------------------------------------------------------------
# Shift-share
# ---------------------------------------------------------------------------------------------


def test_shift_share_hand_computed_and_adds_up():
    start = pd.Series({"C": 100.0, "K": 50.0, "Q": 0.0})
    end = pd.Series({"C": 110.0, "K": 80.0, "Q": 5.0})
    n0 = pd.Series({"C": 1000.0, "K": 1000.0, "Q": 500.0})
    n1 = pd.Series({"C": 1000.0, "K": 1400.0, "Q": 600.0})
    s = m.shift_share(start, end, n0, n1)
    # g = 3000 / 2500 - 1 = 0.2; g_C = 0, g_K = 0.4, g_Q = 0.2
    # C: national 100 * .2 = 20; mix 100 * (0 - .2) = -20; regional 10 - 20 + 20 = 10
    # K: national 50 * .2 = 10; mix 50 * (.4 - .2) = 10; regional 30 - 20 = 10
    # Q starts at zero: national 0, mix 0, regional = the whole change, 5
    t = s.table
    np.testing.assert_allclose(t["national_growth"], [20, 10, 0])
    np.testing.assert_allclose(t["industry_mix"], [-20, 10, 0])
    np.testing.assert_allclose(t["regional_shift"], [10, 10, 5])
    np.testing.assert_allclose(t[["national_growth", "industry_mix", "regional_shift"]].sum(axis=1),
                               t["change"])
    assert s.change == 45.0
    np.testing.assert_allclose([s.national_growth, s.industry_mix, s.regional_shift], [30, -10, 25])
    assert math.isclose(s.national_rate, 0.2)
    assert type(s.change) is float and list(s.effects().index)[-1] == "change"


def test_shift_share_regional_formula_when_start_positive():
    rng = np.random.default_rng(3)
    idx = list("ABCDEFG")
    x0, x1 = (pd.Series(rng.uniform(1, 90, 7), index=idx) for _ in range(2))
    n0, n1 = (pd.Series(rng.uniform(100, 900, 7), index=idx) for _ in range(2))
    s = m.shift_share(x0, x1, n0, n1)
    gi = n1 / n0 - 1
    np.testing.assert_allclose(s.table["regional_shift"], x0 * (x1 / x0 - 1 - gi))
    assert math.isclose(s.national_growth + s.industry_mix + s.regional_shift, s.change)


def test_shift_share_on_real_data_adds_up_for_greater_manchester():
    gva = course.load("gva_by_industry_itl2", years=[2004, 2019])
    t0, t1 = m.industry_matrix(gva, year=2004), m.industry_matrix(gva, year=2019)
    s = m.shift_share(t0.loc["TLD3"], t1.loc["TLD3"], t0.loc["UKX"], t1.loc["UKX"])
    assert math.isclose(s.change, t1.loc["TLD3"].sum() - t0.loc["TLD3"].sum())
    assert math.isclose(s.national_growth + s.industry_mix + s.regional_shift, s.change)


# ---------------------------------------------------------------------------------------------
# Candidate clusters and the industry matrix
# ---------------------------------------------------------------------------------------------


def test_candidate_clusters_rule_and_order():
    lq = m.location_quotient(TABLE, "N")
    size = TABLE.drop(index="N")
    # LQ above 1.1: A-C 1.2 (30), A-Q 1.2 (60), B-K 1.6 (40); size at least 35 drops A-C
    out = m.candidate_clusters(lq, size, lq_min=1.1, size_min=35)
    assert list(out.columns) == ["area", "industry", "lq", "size"]
    assert [tuple(r) for r in out[["area", "industry"]].itertuples(index=False)] == [
        ("B", "K"), ("A", "Q")]
    only_a = m.candidate_clusters(lq, size, lq_min=1.1, area="A")
    assert list(only_a["industry"]) == ["Q", "C"]  # equal LQ: the larger first
    # strictly above: an LQ exactly at the threshold is not a candidate
    assert m.candidate_clusters(lq, size, lq_min=1.6).empty
    one = m.candidate_clusters(lq.loc["B"], size.loc["B"], lq_min=1.0)
    assert list(one.columns) == ["industry", "lq", "size"] and list(one["industry"]) == ["K"]


def test_industry_matrix_on_the_datasets():
    gva = course.load("gva_by_industry_itl1", years=2019)
    t = m.industry_matrix(gva)
    assert list(t.columns) == list("ABCDEFGHIJKLMNOPQRST")
    raw = gva[(gva["itl_code"] == "TLI") & (gva["industry_code"].isin(["L", "68IMP"]))]
    l_net = float(raw.set_index("industry_code")["gva"].pipe(lambda s: s["L"] - s["68IMP"]))
    assert t.loc["TLI", "L"] == l_net
    published = m.industry_matrix(gva, net_of_imputed_rent=False)
    assert published.loc["TLI", "L"] > t.loc["TLI", "L"]
    jobs = m.industry_matrix(course.load("city_region_employees_by_industry"))
    assert jobs.shape == (10, 21) and jobs.index.name == "area"
    assert jobs.loc["Greater Manchester", "C"] == 107000.0


# ---------------------------------------------------------------------------------------------
# Errors a student can cause
# ---------------------------------------------------------------------------------------------


def test_error_unknown_benchmark_or_area_lists_options():
    msg = raises(m.location_quotient, TABLE, "NN", words=["'NN'", "'N'"])
    assert "KeyError" not in msg
    lq = m.location_quotient(TABLE, "N")
    raises(m.candidate_clusters, lq, TABLE.drop(index="N"), area="Z", words=["'Z'", "'A'"])


def test_error_year_or_column_not_in_data():
    gva = course.load("gva_by_industry_itl1", years=[2018, 2019])
    raises(m.industry_matrix, gva, year=2030, words=["2030", "2019"])
    raises(m.industry_matrix, gva, words=["2 years", "year="])
    raises(m.industry_matrix, gva, year=2019, value="gross", words=["'gross'", "'gva'"])


def test_error_misaligned_industries():
    raises(m.location_quotient, TABLE.loc["A"], TABLE.loc["N"].drop("Q"),
           words=["'Q'", "not in the benchmark"])
    raises(m.shift_share, TABLE.loc["A"], TABLE.loc["B"].rename({"Q": "R"}), TABLE.loc["N"],
           TABLE.loc["N"], words=["'Q'", "'R'"])
    raises(m.candidate_clusters, TABLE.loc[["A"]], TABLE.loc[["A"], ["C", "K"]],
           words=["'Q'", "size"])
    lq = m.location_quotient(TABLE, "N")
    raises(m.candidate_clusters, lq, TABLE, words=["'N'", "same areas"])


def test_error_zero_totals_and_zero_benchmark_industry():
    zero_row = TABLE.copy()
    zero_row.loc["A"] = 0.0
    raises(m.location_quotient, zero_row, "N", words=["'A'", "zero"])
    raises(m.herfindahl, pd.Series({"C": 0.0, "K": 0.0}), words=["zero"])
    no_u = TABLE.assign(U=0.0)
    raises(m.location_quotient, no_u, "N", words=["'U'", "drop"])
    raises(m.location_quotient, no_u.drop(index="N"), words=["'U'", "own aggregate"])
    raises(m.shift_share, TABLE.loc["A"], TABLE.loc["B"], TABLE.loc["N"] * 0, TABLE.loc["N"],
           words=["undefined"])


def test_error_negative_missing_and_text_values():
    neg = TABLE.copy()
    neg.loc["B", "K"] = -5.0
    raises(m.location_quotient, neg, "N", words=["negative", "('B', 'K')"])
    raises(m.krugman_index, neg.loc["B"], TABLE.loc["N"], words=["negative"])
    gap = TABLE.copy()
    gap.loc["A", "C"] = np.nan
    raises(m.herfindahl, gap, words=["missing", "('A', 'C')"])
    raises(m.location_quotient, TABLE.assign(name="x"), "N", words=["'name'", "not numbers"])
    raises(m.location_quotient, "TLD3", words=["str"])


def test_error_bad_thresholds_and_shapes():
    lq = m.location_quotient(TABLE, "N")
    raises(m.candidate_clusters, lq, TABLE.drop(index="N"), lq_min="high", words=["lq_min"])
    raises(m.candidate_clusters, lq, TABLE.drop(index="N"), size_min=-1, words=["negative"])
    raises(m.candidate_clusters, lq, TABLE.loc["A"], words=["both"])
    raises(m.location_quotient, TABLE.loc["A"], words=["benchmark"])
    raises(m.location_quotient, TABLE.loc[["A"]], words=["only one area"])
    raises(m.herfindahl, [1.0], normalised=True, words=["two industries"])
    raises(m.shift_share, TABLE, TABLE, TABLE.loc["N"], TABLE.loc["N"], words=["one area"])
    raises(m.location_quotient, TABLE.iloc[:0], words=["empty"])
