"""Tests for course.measures.inequality (lesson 01).

PySAL's ``inequality`` package is the oracle for Theil, the Theil decomposition and the Gini;
weighted versions are checked by repeating each observation an integer number of times.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import raises
from inequality.gini import Gini  # a dev dependency: fail loudly rather than skip
from inequality.theil import Theil, TheilD

import course
from course.errors import MeasureError
from course.measures import inequality as m

# GVA per hour worked, £, current prices, 2021, ITL1 regions and the UK less extra-regio:
# ONS subregional productivity, June 2023 edition, table A4 (see
# shared/reference/uk_productivity/itl_gva_per_hour_worked_gbp_2004_2021.csv).
ITL1_2021 = pd.Series(
    {
        "TLC": 31.9,
        "TLD": 35.1,
        "TLE": 32.9,
        "TLF": 33.7,
        "TLG": 33.6,
        "TLH": 36.4,
        "TLI": 51.5,
        "TLJ": 42.5,
        "TLK": 34.8,
        "TLL": 32.5,
        "TLM": 36.9,
        "TLN": 34.6,
    },
    name="gva_per_hour",
)
UKX_2021 = 38.7
GREATER_SOUTH_EAST = {"TLH", "TLI", "TLJ"}


def random_areas(seed: int, n: int = 179) -> pd.Series:
    rng = np.random.default_rng(seed)
    codes = [f"TL{i:04d}" for i in range(n)]
    return pd.Series(rng.lognormal(mean=3.5, sigma=0.25, size=n), index=codes)


# ---------------------------------------------------------------------------------------------
# Hand-computed examples
# ---------------------------------------------------------------------------------------------


def test_index_and_gap_with_a_label_benchmark():
    values = pd.Series({"UKX": 40.0, "A": 50.0, "B": 30.0})
    index = m.index_to_benchmark(values, "UKX")
    # 50 / 40 * 100 = 125; 30 / 40 * 100 = 75; the benchmark row stays at exactly 100
    assert index.to_dict() == {"UKX": 100.0, "A": 125.0, "B": 75.0}
    assert list(index.index) == ["UKX", "A", "B"]
    gap = m.gap_to_benchmark(values, "UKX")
    # (50 / 40 - 1) * 100 = 25; (30 / 40 - 1) * 100 = -25
    assert gap.to_dict() == {"UKX": 0.0, "A": 25.0, "B": -25.0}


def test_index_and_gap_with_a_number_benchmark_and_plain_lists():
    # 20 / 25 * 100 = 80; 30 / 25 * 100 = 120
    assert m.index_to_benchmark([20.0, 30.0], 25).tolist() == [80.0, 120.0]
    assert m.gap_to_benchmark(np.array([20.0, 30.0]), 25.0).tolist() == pytest.approx([-20, 20])
    assert list(m.index_to_benchmark([20.0, 30.0], 25).index) == [0, 1]
    # an integer-labelled Series: a number is a value, never a row label
    values = pd.Series([10.0, 20.0], index=[20, 10])
    assert m.index_to_benchmark(values, 10).tolist() == [100.0, 200.0]


def test_london_index_2021_from_levels():
    uk = pd.concat([ITL1_2021, pd.Series({"UKX": UKX_2021})])
    index = m.index_to_benchmark(uk, "UKX")
    # 51.5 / 38.7 * 100 = 133.07 (ONS publishes 133.2, computed from unrounded £ levels)
    assert index["TLI"] == pytest.approx(133.0749, abs=1e-4)
    assert index["UKX"] == 100.0
    assert m.gap_to_benchmark(ITL1_2021, UKX_2021)["TLC"] == pytest.approx(-17.571, abs=1e-3)


def test_coefficient_of_variation_by_hand():
    # mean 4; population variance ((2-4)^2 + 0 + (6-4)^2) / 3 = 8/3; sd = 1.63299; cv = 0.408248
    assert m.coefficient_of_variation([2.0, 4.0, 6.0]) == pytest.approx(math.sqrt(8 / 3) / 4)
    # weights 1, 3: mean (2 + 12) / 4 = 3.5; variance (1 * 1.5^2 + 3 * 0.5^2) / 4 = 0.75
    assert m.coefficient_of_variation([2.0, 4.0], weights=[1, 3]) == pytest.approx(
        math.sqrt(0.75) / 3.5
    )
    # population sd (ddof=0), as numpy's default, not pandas' ddof=1
    values = random_areas(3)
    assert m.coefficient_of_variation(values) == pytest.approx(
        np.std(values.to_numpy()) / values.mean(), rel=1e-12
    )


def test_theil_by_hand():
    # shares 1/4, 3/4; mean 2: 0.25 ln(1/2) + 0.75 ln(3/2) = -0.173287 + 0.304099 = 0.130812
    expected = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    assert m.theil([1.0, 3.0]) == pytest.approx(expected, abs=1e-15)
    # weights 3, 1: w*y = 3, 3, so shares 1/2, 1/2; weighted mean 6 / 4 = 1.5
    # T = 0.5 ln(1 / 1.5) + 0.5 ln(3 / 1.5) = 0.5 ln(4/3) = 0.143841
    assert m.theil([1.0, 3.0], weights=[3, 1]) == pytest.approx(0.5 * math.log(4 / 3), abs=1e-15)
    assert m.theil([5.0, 5.0, 5.0]) == 0.0
    # the maximum is ln(n): one area has (nearly) everything
    assert m.theil([1e-12, 1e-12, 1.0]) == pytest.approx(math.log(3), rel=1e-9)


def test_gini_by_hand():
    # |differences| over ordered pairs of 1, 2, 3, 4: 2 * (1 + 2 + 3 + 1 + 2 + 1) = 20
    # G = 20 / (2 * n^2 * mean) = 20 / (2 * 16 * 2.5) = 0.25
    assert m.gini([4.0, 1.0, 3.0, 2.0]) == pytest.approx(0.25, abs=1e-15)
    # weights 1, 3 are the list 1, 3, 3, 3: pairs 2 * 3 * |1 - 3| = 12; 12 / (2 * 16 * 2.5)
    assert m.gini([1.0, 3.0], weights=[1, 3]) == pytest.approx(0.15, abs=1e-15)
    assert m.gini([7.0, 7.0]) == 0.0
    # zeros are allowed for the Gini: 0, 0, 0, 1 -> 6 / (2 * 16 * 0.25) = 0.75
    assert m.gini([0.0, 0.0, 0.0, 1.0]) == pytest.approx(0.75)


def test_ratios_by_hand():
    assert m.max_min_ratio(pd.Series({"A": 2.0, "B": 5.0, "C": 4.0})) == 2.5
    # linear interpolation on 10..50: p90 at position 3.6 -> 40 + 0.6 * 10 = 46; p10 -> 14
    assert m.percentile_ratio([50.0, 10.0, 30.0, 20.0, 40.0]) == pytest.approx(46 / 14)
    # p75 at position 3 -> 40; p25 at position 1 -> 20
    assert m.percentile_ratio([10.0, 20.0, 30.0, 40.0, 50.0], upper=75, lower=25) == 2.0
    # 2021 ITL1, 51.5 / 31.9 = 1.614 (the per-hour file gives about 1.6 at ITL1)
    assert m.max_min_ratio(ITL1_2021) == pytest.approx(51.5 / 31.9)


def test_rank_highest_first_with_ties():
    values = pd.Series({"A": 3.0, "B": 9.0, "C": 5.0, "D": 5.0, "E": 1.0})
    ranked = m.rank(values)
    # 9 -> 1; the two 5s share 2; 3 -> 4 (rank 3 is skipped); 1 -> 5
    assert ranked.to_dict() == {"A": 4, "B": 1, "C": 2, "D": 2, "E": 5}
    assert ranked.dtype == np.int64
    assert m.rank(values, ascending=True).to_dict() == {"A": 2, "B": 5, "C": 3, "D": 3, "E": 1}
    data = random_areas(5)
    assert (m.rank(data) == data.rank(ascending=False, method="min").astype("int64")).all()
    assert m.rank(ITL1_2021)["TLI"] == 1 and m.rank(ITL1_2021)["TLC"] == 12


def test_theil_decomposition_by_hand():
    values = pd.Series({"a1": 1.0, "a2": 3.0, "b1": 4.0})
    groups = pd.Series({"b1": "B", "a1": "A", "a2": "A"})  # order differs: matched by label
    d = m.theil_decomposition(values, groups)
    # total 8, mean 8/3; group A: share 4/8, mean 2; group B: share 4/8, mean 4
    # between = 0.5 ln(2 / (8/3)) + 0.5 ln(4 / (8/3)) = 0.5 ln(1.125) = 0.058892
    # within = 0.5 * theil(1, 3) + 0.5 * 0 = 0.5 * 0.130812 = 0.065406
    between = 0.5 * math.log(1.125)
    within = 0.5 * (0.25 * math.log(0.5) + 0.75 * math.log(1.5))
    assert d.between == pytest.approx(between, abs=1e-15)
    assert d.within == pytest.approx(within, abs=1e-15)
    assert d.total == pytest.approx(between + within, abs=1e-15)
    assert d.between_share == pytest.approx(between / (between + within))
    assert d.within_share == pytest.approx(within / (between + within))
    table = d.by_group
    assert list(table.index) == ["A", "B"]
    assert table.index.name == "group"
    assert table["n"].tolist() == [2, 1]
    assert table["share"].tolist() == [0.5, 0.5]
    assert table["weight_share"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert table["mean"].tolist() == [2.0, 4.0]
    assert table["theil"].tolist() == pytest.approx(
        [0.25 * math.log(0.5) + 0.75 * math.log(1.5), 0]
    )


def test_sigma_convergence_by_hand():
    panel = pd.DataFrame(
        {
            "itl_code": ["A", "B", "B", "A"],
            "year": [2004, 2004, 2019, 2019],
            "gva_per_hour": [10.0, 30.0, 25.0, 15.0],
        }
    )
    out = m.sigma_convergence(panel, "gva_per_hour")
    assert list(out.index) == [2004, 2019]
    assert out.index.name == "year"
    assert list(out.columns) == ["n", "cv", "sd_log"]
    assert out["n"].tolist() == [2, 2]
    # 2004: mean 20, population sd 10 -> cv 0.5; sd of ln 10, ln 30 = ln(3) / 2 = 0.549306
    # 2019: mean 20, sd 5 -> cv 0.25; sd_log = ln(25 / 15) / 2 = 0.255413
    assert out["cv"].tolist() == pytest.approx([0.5, 0.25])
    assert out["sd_log"].tolist() == pytest.approx([math.log(3) / 2, math.log(25 / 15) / 2])
    # weights 3 (A) and 1 (B) in 2004: mean (30 + 30) / 4 = 15; var (3*25 + 1*225) / 4 = 75
    panel_w = panel.assign(hours=[3.0, 1.0, 1.0, 3.0])
    weighted = m.sigma_convergence(panel_w, "gva_per_hour", weights="hours")
    assert weighted.loc[2004, "cv"] == pytest.approx(math.sqrt(75) / 15)


def test_beta_convergence_by_hand():
    # log levels 0, 1, 2 and annual growth 3%, 2%, 1% over 10 years: slope -0.01, intercept 0.03
    initial = pd.Series({"A": 1.0, "B": math.e, "C": math.e**2})
    final = pd.Series({"C": math.e**2 * math.exp(0.1), "A": math.exp(0.3), "B": math.e**1.2})
    fit = m.beta_convergence(initial, final, periods=10)
    assert fit.slope == pytest.approx(-0.01, abs=1e-14)
    assert fit.intercept == pytest.approx(0.03, abs=1e-14)
    assert fit.r_squared == pytest.approx(1.0, abs=1e-12)
    assert fit.n == 3
    assert fit.annual_growth.to_dict() == pytest.approx({"A": 0.03, "B": 0.02, "C": 0.01})
    assert list(fit.annual_growth.index) == ["A", "B", "C"]


def test_beta_convergence_matches_scipy():
    from scipy import stats

    initial = random_areas(11, n=41)
    rng = np.random.default_rng(12)
    final = initial * np.exp(rng.normal(0.3, 0.1, size=41))
    fit = m.beta_convergence(initial, final, periods=15)
    growth = (np.log(final) - np.log(initial)) / 15
    ref = stats.linregress(np.log(initial.to_numpy()), growth.to_numpy())
    assert fit.slope == pytest.approx(ref.slope, rel=1e-10)
    assert fit.intercept == pytest.approx(ref.intercept, rel=1e-10)
    assert fit.r_squared == pytest.approx(ref.rvalue**2, rel=1e-10)


def test_derived_hours():
    gva = pd.Series({"TLC": 60_000.0, "TLI": 500_000.0})
    per_hour = pd.Series({"TLI": 50.0, "TLC": 30.0})  # matched by label
    hours = m.derived_hours(gva, per_hour)
    # 60,000 / 30 = 2,000; 500,000 / 50 = 10,000
    assert hours.to_dict() == {"TLC": 2000.0, "TLI": 10000.0}
    assert hours.name == "hours"
    # hours-weighted mean GVA per hour = total GVA / total hours = 560,000 / 12,000
    cv = m.coefficient_of_variation(per_hour, weights=hours)
    mean = 560_000 / 12_000
    sd = math.sqrt((2000 * (30 - mean) ** 2 + 10000 * (50 - mean) ** 2) / 12000)
    assert cv == pytest.approx(sd / mean)


# ---------------------------------------------------------------------------------------------
# Agreement with PySAL
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_unweighted_measures_match_pysal(seed):
    values = random_areas(seed)
    y = values.to_numpy()
    assert m.theil(values) == pytest.approx(float(Theil(y).T), abs=1e-12)
    assert m.gini(values) == pytest.approx(float(Gini(y).g), abs=1e-12)
    partition = np.random.default_rng(seed + 100).integers(0, 12, size=y.size)
    d = m.theil_decomposition(values, partition)
    ref = TheilD(y, partition)
    assert d.total == pytest.approx(float(ref.T), abs=1e-12)
    assert d.between == pytest.approx(float(ref.bg[0]), abs=1e-12)
    assert d.within == pytest.approx(float(ref.wg[0]), abs=1e-12)


def test_real_looking_values_match_pysal():
    y = ITL1_2021.to_numpy()
    assert m.theil(ITL1_2021) == pytest.approx(float(Theil(y).T), abs=1e-12)
    assert m.gini(ITL1_2021) == pytest.approx(float(Gini(y).g), abs=1e-12)
    gse = np.array(["GSE" if c in GREATER_SOUTH_EAST else "Rest" for c in ITL1_2021.index])
    ref = TheilD(y, gse)
    d = m.theil_decomposition(
        ITL1_2021, lambda code: "GSE" if code in GREATER_SOUTH_EAST else "Rest"
    )
    assert d.between == pytest.approx(float(ref.bg[0]), abs=1e-12)
    assert d.within == pytest.approx(float(ref.wg[0]), abs=1e-12)
    assert list(d.by_group.index) == ["GSE", "Rest"]
    assert d.by_group.loc["GSE", "n"] == 3


@pytest.mark.parametrize("seed", [0, 7])
def test_weighted_measures_equal_integer_replication(seed):
    values = random_areas(seed, n=60)
    rng = np.random.default_rng(seed + 50)
    weights = pd.Series(rng.integers(0, 6, size=60), index=values.index)  # zeros drop areas
    weights.iloc[0] = 4
    repeated = np.repeat(values.to_numpy(), weights.to_numpy())
    assert m.theil(values, weights) == pytest.approx(float(Theil(repeated).T), abs=1e-12)
    assert m.gini(values, weights) == pytest.approx(float(Gini(repeated).g), abs=1e-12)
    assert m.coefficient_of_variation(values, weights) == pytest.approx(
        np.std(repeated) / np.mean(repeated), rel=1e-12
    )
    groups = pd.Series(rng.integers(0, 5, size=60), index=values.index)
    d = m.theil_decomposition(values, groups, weights)
    ref = TheilD(repeated, np.repeat(groups.to_numpy(), weights.to_numpy()))
    assert d.between == pytest.approx(float(ref.bg[0]), abs=1e-12)
    assert d.within == pytest.approx(float(ref.wg[0]), abs=1e-12)


def test_weights_are_matched_by_label_and_only_relative_size_matters():
    values = random_areas(4, n=30)
    weights = pd.Series(np.arange(1.0, 31.0), index=values.index)
    shuffled = weights.sample(frac=1.0, random_state=1)
    for measure in (m.theil, m.gini, m.coefficient_of_variation):
        assert measure(values, shuffled) == pytest.approx(measure(values, weights), abs=1e-14)
        assert measure(values, weights * 1000) == pytest.approx(measure(values, weights), abs=1e-14)
        assert measure(values, np.ones(30)) == pytest.approx(measure(values), abs=1e-14)


def test_weighted_sigma_convergence_equals_replication():
    rng = np.random.default_rng(9)
    codes = [f"A{i}" for i in range(20)]
    years = [2004, 2010, 2019]
    panel = pd.DataFrame(
        {
            "itl_code": np.tile(codes, 3),
            "year": np.repeat(years, 20),
            "v": rng.lognormal(3, 0.3, size=60),
            "hours": rng.integers(1, 5, size=60).astype(float),
        }
    ).sample(frac=1.0, random_state=3)  # row order must not matter
    out = m.sigma_convergence(panel, "v", weights="hours")
    for year in years:
        rows = panel[panel["year"] == year]
        repeated = np.repeat(rows["v"].to_numpy(), rows["hours"].to_numpy().astype(int))
        assert out.loc[year, "cv"] == pytest.approx(np.std(repeated) / np.mean(repeated))
        assert out.loc[year, "sd_log"] == pytest.approx(np.std(np.log(repeated)))
        assert out.loc[year, "n"] == 20
        unweighted = m.sigma_convergence(panel, "v").loc[year, "cv"]
        assert unweighted == pytest.approx(m.coefficient_of_variation(rows["v"]))


# ---------------------------------------------------------------------------------------------
# The decomposition adds up
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_decomposition_adds_up(seed, weighted):
    values = random_areas(seed)
    rng = np.random.default_rng(seed)
    weights = pd.Series(rng.uniform(0.5, 100, size=values.size), index=values.index)
    groups = pd.Series([f"TL{chr(67 + i % 12)}" for i in range(values.size)], index=values.index)
    d = m.theil_decomposition(values, groups, weights if weighted else None)
    assert abs(d.between + d.within - d.total) < 1e-12
    assert d.total == pytest.approx(m.theil(values, weights if weighted else None), abs=1e-14)
    table = d.by_group
    assert abs(table["between"].sum() - d.between) < 1e-12
    assert abs(table["within"].sum() - d.within) < 1e-12
    assert table["share"].sum() == pytest.approx(1.0, abs=1e-12)
    assert table["weight_share"].sum() == pytest.approx(1.0, abs=1e-12)
    assert table["n"].sum() == values.size
    assert (table["share"] * table["theil"]).to_numpy() == pytest.approx(table["within"].to_numpy())
    # each group's within-group Theil is theil() on that group alone
    first = table.index[0]
    members = groups[groups == first].index
    expected = m.theil(values[members], weights[members] if weighted else None)
    assert table.loc[first, "theil"] == pytest.approx(expected, abs=1e-14)


def test_groups_can_be_a_mapping_a_callable_or_a_list():
    values = ITL1_2021
    by_series = m.theil_decomposition(
        values, pd.Series({c: c in GREATER_SOUTH_EAST for c in values.index})
    )
    by_dict = m.theil_decomposition(
        values, {c: c in GREATER_SOUTH_EAST for c in [*values.index, "TLX"]}
    )
    by_function = m.theil_decomposition(values, lambda c: c in GREATER_SOUTH_EAST)
    by_list = m.theil_decomposition(values, [c in GREATER_SOUTH_EAST for c in values.index])
    for other in (by_dict, by_function, by_list):
        assert other.between == by_series.between
        assert other.within == by_series.within
    one_group = m.theil_decomposition(values, lambda c: "UK")
    assert one_group.between == pytest.approx(0.0, abs=1e-15)
    assert one_group.within == pytest.approx(one_group.total, abs=1e-15)
    each_alone = m.theil_decomposition(values, lambda c: c)
    assert each_alone.within == pytest.approx(0.0, abs=1e-15)
    assert each_alone.between_share == pytest.approx(1.0)


def test_decomposition_of_equal_values_has_nan_share():
    d = m.theil_decomposition([2.0, 2.0, 2.0], ["a", "a", "b"])
    assert d.total == 0.0 and d.between == 0.0 and d.within == 0.0
    assert math.isnan(d.between_share)


def test_result_objects_are_frozen():
    d = m.theil_decomposition(ITL1_2021, lambda c: c[:3])
    with pytest.raises(AttributeError):
        d.total = 1.0  # type: ignore[misc]
    fit = m.beta_convergence([1.0, 2.0, 3.0], [2.0, 3.0, 4.0], 5)
    with pytest.raises(AttributeError):
        fit.slope = 1.0  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Types and purity
# ---------------------------------------------------------------------------------------------


def test_scalar_results_are_python_floats():
    values = ITL1_2021
    weights = pd.Series(np.arange(1, 13), index=values.index)
    results = [
        m.coefficient_of_variation(values),
        m.coefficient_of_variation(values, weights),
        m.theil(values),
        m.theil(values, weights),
        m.gini(values),
        m.gini(values, weights),
        m.max_min_ratio(values),
        m.percentile_ratio(values),
    ]
    d = m.theil_decomposition(values, lambda c: c in GREATER_SOUTH_EAST)
    results += [d.total, d.between, d.within, d.between_share, d.within_share]
    fit = m.beta_convergence(values, values * 1.1, 5)
    results += [fit.slope, fit.intercept, fit.r_squared]
    for result in results:
        assert type(result) is float
    assert type(fit.n) is int
    assert isinstance(d.by_group, pd.DataFrame)
    for series in (
        m.index_to_benchmark(values, 38.7),
        m.gap_to_benchmark(values, "TLI"),
        m.rank(values),
        m.derived_hours(values * 1000, values),
        fit.annual_growth,
    ):
        assert type(series) is pd.Series
        assert list(series.index) == list(values.index)


@pytest.mark.parametrize(
    "values",
    [
        [31.9, 51.5, 38.7],
        (31.9, 51.5, 38.7),
        np.array([31.9, 51.5, 38.7]),
        np.array([31, 51, 38]),  # integers
        {"TLC": 31.9, "TLI": 51.5, "UKX": 38.7},
        pd.Series([31.9, 51.5, 38.7], dtype="Float64"),  # nullable
        pd.Series(["31.9", "51.5", "38.7"]),  # numbers stored as text
        pd.Series([31.9, 51.5, 38.7], dtype=object),
    ],
)
def test_array_likes_are_accepted(values):
    expected = m.theil(
        pd.Series(
            np.asarray(list(values.values()) if isinstance(values, dict) else values, dtype=float)
        )
    )
    assert m.theil(values) == pytest.approx(expected, abs=1e-15)
    assert type(m.gini(values)) is float


def test_inputs_are_not_changed():
    values = ITL1_2021.copy()
    weights = pd.Series(np.arange(1.0, 13.0), index=values.index)
    before_v, before_w = values.copy(), weights.copy()
    m.index_to_benchmark(values, "TLI")
    m.theil_decomposition(values, lambda c: c in GREATER_SOUTH_EAST, weights)
    m.gini(values, weights)
    m.rank(values)
    pd.testing.assert_series_equal(values, before_v)
    pd.testing.assert_series_equal(weights, before_w)


def test_unbalanced_panel_is_allowed_when_asked():
    panel = pd.DataFrame(
        {"itl_code": ["A", "B", "A"], "year": [2004, 2004, 2019], "v": [1.0, 2.0, 3.0]}
    )
    out = m.sigma_convergence(panel, "v", balanced=False)
    # 2004: 1, 2 -> mean 1.5, sd 0.5, cv 1/3; 2019: one area, no dispersion
    assert out["n"].tolist() == [2, 1]
    assert out["cv"].tolist() == pytest.approx([1 / 3, 0.0])


# ---------------------------------------------------------------------------------------------
# Friendly errors
# ---------------------------------------------------------------------------------------------

SCALAR_MEASURES = [
    m.coefficient_of_variation,
    m.theil,
    m.gini,
    m.max_min_ratio,
    m.percentile_ratio,
    m.rank,
    lambda v: m.index_to_benchmark(v, 38.7),
    lambda v: m.gap_to_benchmark(v, 38.7),
    lambda v: m.theil_decomposition(v, lambda c: "UK"),
]


@pytest.mark.parametrize("measure", SCALAR_MEASURES)
def test_empty_input(measure):
    raises(measure, pd.Series([], dtype=float), words=["empty"])
    raises(measure, [], words=["empty"])


@pytest.mark.parametrize("measure", SCALAR_MEASURES)
def test_missing_values_name_the_areas(measure):
    values = ITL1_2021.copy()
    values[["TLD", "TLN"]] = np.nan
    raises(measure, values, words=["NaN", "'TLD'", "'TLN'", ".dropna()"])
    raises(measure, [1.0, None, 3.0], words=["NaN", "position 1"])


@pytest.mark.parametrize("measure", SCALAR_MEASURES)
def test_text_values(measure):
    raises(measure, pd.Series(["North East", "London"]), words=["text", "region"])
    suppressed = pd.Series({"TLC": "31.9", "TLD": "..", "TLE": "32.9"})
    raises(measure, suppressed, words=["'..'", "'TLD'", "pd.to_numeric"])
    raises(measure, pd.Series([True, False]), words=["True/False"])


@pytest.mark.parametrize("measure", SCALAR_MEASURES)
def test_a_dataframe_asks_for_a_column(measure):
    frame = pd.DataFrame(
        {
            "itl_code": ["TLC", "TLI"],
            "region": ["North East", "London"],
            "year": [2021, 2021],
            "gva_per_hour": [31.9, 51.5],
        }
    )
    raises(measure, frame, words=["DataFrame", "'gva_per_hour'", "set_index('itl_code')"])


@pytest.mark.parametrize("measure", SCALAR_MEASURES)
def test_other_shapes(measure):
    raises(measure, 5.0, words=["single float"])
    raises(measure, np.ones((3, 2)), words=["shape (3, 2)"])
    raises(measure, pd.Series([1.0, 2.0], index=["TLC", "TLC"]), words=["repeated", "'TLC'"])
    raises(measure, [1.0, np.inf], words=["infinite"])


@pytest.mark.parametrize(
    "measure",
    [m.theil, m.max_min_ratio, m.percentile_ratio, lambda v: m.theil_decomposition(v, lambda c: 1)],
)
def test_non_positive_values_name_the_areas(measure):
    values = pd.Series({"TLC": 31.9, "TLD": 0.0, "TLE": -2.0, "TLF": 33.7})
    raises(measure, values, words=["zero or negative", "'TLD'", "'TLE'"])


@pytest.mark.parametrize("measure", [m.gini, m.coefficient_of_variation])
def test_negative_values_name_the_areas(measure):
    raises(measure, pd.Series({"TLC": 31.9, "TLE": -2.0}), words=["negative", "'TLE'"])
    raises(measure, [0.0, 0.0], words=["zero"])


@pytest.mark.parametrize(
    "measure",
    [
        m.coefficient_of_variation,
        m.theil,
        m.gini,
        lambda v, w: m.theil_decomposition(v, lambda c: c[:3], w),
    ],
)
def test_weight_errors(measure):
    values = pd.Series({"TLC": 31.9, "TLD": 35.1, "TLI": 51.5})
    misaligned = pd.Series({"TLC": 1.0, "TLI": 2.0, "TLX": 3.0})
    raises(
        measure,
        values,
        misaligned,
        words=["values but not in weights: 'TLD'", "weights but not in values: 'TLX'", "reindex"],
    )
    negative = pd.Series({"TLC": 1.0, "TLD": -2.0, "TLI": 2.0})
    raises(measure, values, negative, words=["negative", "'TLD'", "hours worked or population"])
    raises(measure, values, [0, 0, 0], words=["add up to zero"])
    raises(measure, values, [1.0, 2.0], words=["2 entries", "3"])
    raises(measure, values, "hours", words=["text 'hours'", "frame.set_index"])
    raises(
        measure, values, pd.Series({"TLC": 1.0, "TLD": np.nan, "TLI": 2.0}), words=["NaN", "'TLD'"]
    )
    raises(
        measure, values, pd.Series([1.0, 2.0, 3.0], index=["TLC", "TLC", "TLI"]), words=["repeated"]
    )


def test_benchmark_errors():
    values = pd.Series({"TLC": 31.9, "TLI": 51.5, "UKX": 38.7})
    for func in (m.index_to_benchmark, m.gap_to_benchmark):
        message = raises(func, values, "UK", words=["'UK'", "not one of the area labels"])
        assert "closest first): 'UKX'" in message
        raises(func, values, "London", words=["'TLI'"])  # every label is listed
        raises(func, values.drop("UKX"), "UKX", words=["filtered out"])
        raises(func, values, 0, words=["positive number"])
        raises(func, values, -38.7, words=["positive number"])
        raises(func, values, float("nan"), words=["positive number"])
        raises(func, values, values, words=["one number or one area label"])
        raises(func, [31.9, 51.5], "UKX", words=["no area labels", "set_index"])
        raises(func, values.reset_index(drop=True), "UKX", words=["0, 1, 2", "set_index"])
        raises(func, values.replace(38.7, 0.0), "UKX", words=["'UKX'", "must be positive"])


def test_group_errors():
    values = pd.Series({"TLC1": 30.0, "TLC2": 32.0, "TLI3": 80.0})
    raises(
        m.theil_decomposition,
        values,
        pd.Series({"TLC1": "TLC", "TLI3": "TLI", "TLZ9": "TLZ"}),
        words=["values but not in groups: 'TLC2'", "groups but not in values: 'TLZ9'"],
    )
    raises(m.theil_decomposition, values, {"TLC1": "TLC"}, words=["no group", "'TLC2'", "'TLI3'"])
    raises(
        m.theil_decomposition,
        values,
        lambda code: {"TLC1": "TLC", "TLC2": "TLC"}[code],
        words=["failed for area 'TLI3'", "KeyError"],
    )
    raises(m.theil_decomposition, values, ["a", "b"], words=["shape (2,)", "3 areas"])
    raises(m.theil_decomposition, values, "itl1_code", words=["one group label per area"])
    raises(
        m.theil_decomposition,
        values,
        pd.Series({"TLC1": "TLC", "TLC2": None, "TLI3": "TLI"}),
        words=["no group", "'TLC2'"],
    )
    raises(
        m.theil_decomposition,
        values,
        pd.DataFrame({"itl1_code": ["a", "b", "c"]}),
        words=["DataFrame"],
    )


def test_percentile_ratio_errors():
    raises(m.percentile_ratio, [1.0, 2.0], upper=110, words=["upper", "between 0 and 100"])
    raises(m.percentile_ratio, [1.0, 2.0], lower="p10", words=["lower", "between 0 and 100"])
    raises(m.percentile_ratio, [1.0, 2.0], upper=10, lower=90, words=["below upper", "swap"])


def test_sigma_convergence_errors():
    panel = pd.DataFrame(
        {
            "itl_code": ["A", "B", "C", "A", "C"],
            "year": [2004, 2004, 2004, 2019, 2019],
            "gva_per_hour": [10.0, 20.0, 30.0, 15.0, 25.0],
            "hours": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    raises(
        m.sigma_convergence,
        panel,
        "gva_per_hour",
        words=["changes between years", "2019: 'B'", "balanced=False"],
    )
    balanced = panel.iloc[[0, 2, 3, 4]]
    assert m.sigma_convergence(balanced, "gva_per_hour")["n"].tolist() == [2, 2]
    raises(
        m.sigma_convergence,
        panel,
        "gva_per_hr",
        words=["no column 'gva_per_hr'", "closest first): 'gva_per_hour'"],
    )
    raises(m.sigma_convergence, panel, "gva_per_hour", year="Year", words=["'Year'", "'year'"])
    raises(m.sigma_convergence, panel, "gva_per_hour", area="code", words=["'code'", "'itl_code'"])
    raises(
        m.sigma_convergence,
        balanced,
        "gva_per_hour",
        weights="population",
        words=["'population'", "'hours'"],
    )
    raises(m.sigma_convergence, panel, ["gva_per_hour"], words=["name of a column", "list"])
    raises(
        m.sigma_convergence,
        balanced,
        "gva_per_hour",
        weights=balanced["hours"],
        words=["name of a column", "weights='hours'"],
    )
    raises(
        m.sigma_convergence, panel["gva_per_hour"], "gva_per_hour", words=["long table", "Series"]
    )
    raises(m.sigma_convergence, panel.iloc[:0], "gva_per_hour", words=["empty"])
    twice = pd.concat([balanced, balanced.iloc[[0]]])
    raises(m.sigma_convergence, twice, "gva_per_hour", words=["more than once", "A in 2004"])
    gap = balanced.assign(gva_per_hour=[10.0, np.nan, 15.0, 25.0])
    raises(m.sigma_convergence, gap, "gva_per_hour", words=["NaN", "C in 2004", "subset"])
    zero = balanced.assign(gva_per_hour=[10.0, 0.0, 15.0, 25.0])
    raises(m.sigma_convergence, zero, "gva_per_hour", words=["zero or negative", "C in 2004"])
    negative = balanced.assign(hours=[1.0, -1.0, 1.0, 1.0])
    raises(
        m.sigma_convergence,
        negative,
        "gva_per_hour",
        weights="hours",
        words=["negative", "C in 2004"],
    )
    text = balanced.assign(gva_per_hour=["10", "..", "15", "25"])
    raises(m.sigma_convergence, text, "gva_per_hour", words=["'..'", "C in 2004"])
    no_year = balanced.assign(year=[2004, None, 2019, 2019])
    raises(m.sigma_convergence, no_year, "gva_per_hour", words=["missing entries", "dropna"])


def test_beta_convergence_errors():
    initial = pd.Series({"A": 10.0, "B": 20.0, "C": 30.0})
    final = pd.Series({"A": 12.0, "B": 22.0, "D": 33.0})
    raises(
        m.beta_convergence,
        initial,
        final,
        15,
        words=["initial but not in final: 'C'", "final but not in initial: 'D'"],
    )
    raises(m.beta_convergence, initial, initial, 0, words=["positive number of years"])
    raises(m.beta_convergence, initial, initial, "15", words=["positive number of years"])
    raises(m.beta_convergence, initial, initial, True, words=["positive number of years"])
    raises(m.beta_convergence, initial[:2], initial[:2], 15, words=["at least 3 areas"])
    raises(m.beta_convergence, [1.0, 2.0, 3.0], [1.0, 2.0], 15, words=["3 values", "2"])
    raises(m.beta_convergence, [5.0, 5.0, 5.0], [6.0, 7.0, 8.0], 15, words=["same initial value"])
    raises(
        m.beta_convergence,
        initial.replace(20.0, 0.0),
        initial,
        15,
        words=["'B'", "zero or negative"],
    )
    raises(
        m.beta_convergence,
        initial,
        initial.replace(20.0, np.nan),
        15,
        words=["NaN", "'B'", "final.dropna()"],
    )


def test_derived_hours_errors():
    gva = pd.Series({"TLC": 60_000.0, "TLI": 500_000.0})
    raises(m.derived_hours, gva, pd.Series({"TLC": 30.0, "TLJ": 40.0}), words=["'TLI'", "'TLJ'"])
    raises(m.derived_hours, gva, pd.Series({"TLC": 30.0, "TLI": 0.0}), words=["'TLI'", "divides"])
    raises(m.derived_hours, gva, [30.0], words=["2 values", "1"])
    raises(m.derived_hours, pd.Series([], dtype=float), [], words=["empty"])


def test_errors_are_value_errors_not_key_errors():
    # a student's `except ValueError` catches them; nothing from pandas leaks out
    with pytest.raises(ValueError):
        m.index_to_benchmark(ITL1_2021, "XYZ")
    try:
        m.theil_decomposition(ITL1_2021, {"TLC": "N"})
    except MeasureError as exc:
        assert not isinstance(exc, KeyError)
        assert exc.__cause__ is None


# ---------------------------------------------------------------------------------------------
# The course data (datasets/gva_per_hour.csv, ONS subregional productivity, June 2023 edition)
# ---------------------------------------------------------------------------------------------


def per_hour(level, year) -> pd.Series:
    frame = course.load("gva_per_hour", level=level, years=year)
    return frame.set_index("itl_code")["gva_per_hour"]


def test_real_data_london_index_2021():
    values = per_hour(["UK", "ITL1"], 2021)
    index = m.index_to_benchmark(values, "UKX")
    # 51.5 / 38.7 * 100 = 133.07 from the rounded £ levels; ONS publishes 33.2% above the UK
    # (computed from unrounded levels), so the two agree to about 0.1
    assert index["TLI"] == pytest.approx(133.2, abs=0.2)
    assert index["UKX"] == 100.0
    assert m.rank(values.drop("UKX"))["TLI"] == 1


def test_real_data_max_min_ratio_depends_on_the_level():
    # Course plan: about 1.6 at ITL1 and 2.1 at ITL2 in 2017 (the Industrial Strategy
    # Council's 2.1); smaller areas have more extreme ends
    itl1 = m.max_min_ratio(per_hour("ITL1", 2017))
    itl2 = m.max_min_ratio(per_hour("ITL2", 2017))
    itl3 = m.max_min_ratio(per_hour("ITL3", 2017))
    assert itl1 == pytest.approx(1.6, abs=0.05)
    assert itl2 == pytest.approx(2.1, abs=0.05)
    assert itl1 < itl2 < itl3
    assert m.percentile_ratio(per_hour("ITL3", 2017)) < itl3


def test_real_data_theil_split_of_itl3_by_itl1():
    frame = course.load("gva_per_hour", level="ITL3", years=2019).set_index("itl_code")
    d = m.theil_decomposition(frame["gva_per_hour"], frame["itl1_code"])
    ref = TheilD(frame["gva_per_hour"].to_numpy(), frame["itl1_code"].to_numpy())
    assert d.between == pytest.approx(float(ref.bg[0]), abs=1e-12)
    assert d.within == pytest.approx(float(ref.wg[0]), abs=1e-12)
    assert abs(d.between + d.within - d.total) < 1e-12
    assert len(d.by_group) == 12 and d.by_group["n"].sum() == 179


def test_real_data_sigma_convergence_is_balanced_at_itl3():
    frame = course.load("gva_per_hour", level="ITL3", years=range(2004, 2020))
    out = m.sigma_convergence(frame, "gva_per_hour")
    assert list(out.index) == list(range(2004, 2020))
    assert (out["n"] == 179).all()
    values_2004 = per_hour("ITL3", 2004)
    assert out.loc[2004, "cv"] == pytest.approx(m.coefficient_of_variation(values_2004))
