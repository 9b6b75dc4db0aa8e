"""Tests for course.measures.evaluation (lesson 09), held to independent oracles.

Oracles: a two-way fixed-effects least-squares fit with NumPy (unit and year dummies plus the
treated x after interaction) for the difference-in-differences; scipy.stats.permutation_test with
exact enumeration for one-sided permutation p-values; brute-force enumeration for two-sided ones;
scipy.stats.bootstrap for the percentile interval.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import course
from course.errors import MeasureError
from course.measures import (
    area_changes,
    bootstrap,
    bootstrap_difference,
    difference_in_differences,
    group_trends,
    permutation_correlation,
    permutation_test,
    placebo_years,
)


def _panel(n_areas=8, years=range(2010, 2020), seed=3):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_areas):
        level = rng.uniform(20, 40)
        for y in years:
            rows.append({"itl_code": f"A{i}", "year": y,
                         "gva_per_hour": level * (1.02 ** (y - 2010)) * rng.uniform(0.95, 1.05)})
    return pd.DataFrame(rows)


def _twfe(frame, treated, start, log=True):
    """The interaction coefficient of y ~ area dummies + year dummies + treated x after."""
    y = np.log(frame["gva_per_hour"]) if log else frame["gva_per_hour"]
    areas = pd.get_dummies(frame["itl_code"], dtype=float)
    years = pd.get_dummies(frame["year"], dtype=float).iloc[:, 1:]
    d = (frame["itl_code"].isin(treated) & (frame["year"] >= start)).astype(float)
    design = np.column_stack([areas.to_numpy(), years.to_numpy(), d.to_numpy()])
    coef, *_ = np.linalg.lstsq(design, y.to_numpy(), rcond=None)
    return coef[-1]


# --------------------------------------------------------------------- difference-in-differences


@pytest.mark.parametrize("log", [True, False])
def test_did_equals_two_way_fixed_effects_regression(log):
    panel = _panel()
    got = difference_in_differences(panel, "gva_per_hour", ["A1", "A4", "A6"], 2016, log=log)
    assert got.estimate == pytest.approx(_twfe(panel, ["A1", "A4", "A6"], 2016, log), abs=1e-10)
    assert got.n_treated == 3 and got.n_comparison == 5
    assert got.treated == ("A1", "A4", "A6")
    assert got.estimate == pytest.approx(got.treated_change - got.comparison_change)


def test_did_on_real_data_matches_regression_and_the_window():
    gva = course.load("gva_per_hour", level="ITL3")
    panel = gva[gva["itl_code"].str.startswith(("TLD", "TLE")) & (gva["year"] <= 2019)]
    treated = ["TLD33", "TLD34", "TLD35", "TLD36", "TLD37"]
    got = difference_in_differences(panel, "gva_per_hour", treated, 2017, first_year=2004,
                                    last_year=2019)
    assert got.estimate == pytest.approx(_twfe(panel, treated, 2017), abs=1e-10)
    # the comparison argument restricts the panel to the areas named
    some = ["TLE31", "TLE32", "TLE41"]
    restricted = difference_in_differences(panel, "gva_per_hour", treated, 2017,
                                           comparison=some, last_year=2019)
    assert restricted.n_comparison == 3
    assert restricted.estimate == pytest.approx(
        _twfe(panel[panel["itl_code"].isin(treated + some)], treated, 2017), abs=1e-10)


def test_area_changes_by_hand_and_window():
    panel = pd.DataFrame({"itl_code": ["A"] * 4, "year": [2014, 2015, 2016, 2017],
                          "gva_per_hour": [1.0, 3.0, 5.0, 100.0]})
    got = area_changes(panel, "gva_per_hour", 2016, first_year=2015, last_year=2016, log=False)
    assert got["A"] == pytest.approx(5.0 - 3.0)
    logged = area_changes(panel, "gva_per_hour", 2016, last_year=2016)
    assert logged["A"] == pytest.approx(np.log(5.0) - np.mean(np.log([1.0, 3.0])))


def test_area_changes_errors_name_the_problem():
    panel = _panel()
    with pytest.raises(MeasureError, match="not balanced.*'A2'"):
        area_changes(panel.drop(index=panel.index[(panel["itl_code"] == "A2")
                                                  & (panel["year"] == 2012)]),
                     "gva_per_hour", 2016)
    with pytest.raises(MeasureError, match="no column 'gva'"):
        area_changes(panel, "gva", 2016)
    with pytest.raises(MeasureError, match="before and an after"):
        area_changes(panel, "gva_per_hour", 2010)
    with pytest.raises(MeasureError, match="a year such as 2017"):
        area_changes(panel, "gva_per_hour", "2016")
    with pytest.raises(MeasureError, match="positive values"):
        area_changes(panel.assign(gva_per_hour=0.0), "gva_per_hour", 2016)
    with pytest.raises(MeasureError, match="DataFrame"):
        area_changes(panel["gva_per_hour"], "gva_per_hour", 2016)
    twice = pd.concat([panel, panel[panel["itl_code"] == "A0"]])
    with pytest.raises(MeasureError, match="'A0'"):
        area_changes(twice, "gva_per_hour", 2016)


def test_did_errors_for_groups():
    panel = _panel()
    with pytest.raises(MeasureError, match="not in changes: 'B9'"):
        difference_in_differences(panel, "gva_per_hour", ["B9"], 2016)
    with pytest.raises(MeasureError, match="at least one of each"):
        difference_in_differences(panel, "gva_per_hour", [f"A{i}" for i in range(8)], 2016)
    with pytest.raises(MeasureError, match="in both treated and comparison"):
        difference_in_differences(panel, "gva_per_hour", ["A1"], 2016, comparison=["A1", "A2"])
    with pytest.raises(MeasureError, match="no rows in the panel: 'Z1'"):
        difference_in_differences(panel, "gva_per_hour", ["A1"], 2016, comparison=["Z1"])


def test_placebo_years_are_the_did_of_each_window():
    panel = _panel()
    got = placebo_years(panel, "gva_per_hour", ["A0", "A3"], [2012, 2014], post_years=2)
    for start in (2012, 2014):
        want = difference_in_differences(panel, "gva_per_hour", ["A0", "A3"], start,
                                         last_year=start + 1).estimate
        assert got[start] == pytest.approx(want)
    with pytest.raises(MeasureError, match="starts is empty"):
        placebo_years(panel, "gva_per_hour", ["A0"], [])
    with pytest.raises(MeasureError, match="post_years"):
        placebo_years(panel, "gva_per_hour", ["A0"], [2012], post_years=0)


def test_group_trends_base_year_and_gap():
    panel = _panel()
    out = group_trends(panel, "gva_per_hour", ["A0", "A1"], base_year=2012, difference="gap")
    wide = out.pivot(index="year", columns="group", values="value")
    assert wide.loc[2012].abs().max() == pytest.approx(0.0)
    assert (wide["gap"] - (wide["treated"] - wide["comparison"])).abs().max() < 1e-12
    logs = np.log(panel.set_index(["itl_code", "year"])["gva_per_hour"])
    treated_2015 = logs.loc[["A0", "A1"]].xs(2015, level="year").mean()
    treated_2012 = logs.loc[["A0", "A1"]].xs(2012, level="year").mean()
    assert wide.loc[2015, "treated"] == pytest.approx(100 * (treated_2015 - treated_2012))
    with pytest.raises(MeasureError, match="base_year 1990"):
        group_trends(panel, "gva_per_hour", ["A0"], base_year=1990)
    with pytest.raises(MeasureError, match="no rows"):
        group_trends(panel, "gva_per_hour", ["nope"])


# --------------------------------------------------------------------- permutation tests


def _brute_two_sided(values, k):
    x = np.asarray(values, dtype=float)
    observed = x[:k].mean() - x[k:].mean()
    null = [x[list(c)].mean() - np.delete(x, list(c)).mean()
            for c in itertools.combinations(range(x.size), k)]
    return np.mean([abs(d) >= abs(observed) - 1e-12 for d in null])


CASES = [
    [3.1, 2.0, 1.4, 0.2, -0.5, 0.9],
    [0.5, 0.4, -0.1, 0.3, 0.2, 0.1, 0.0, -0.2, 0.6],
    [1.0, 1.0, 1.0, 0.0, 0.0, 2.0, 2.0],
]


@pytest.mark.parametrize("values", CASES)
@pytest.mark.parametrize("alternative", ["greater", "less"])
def test_exact_one_sided_p_matches_scipy(values, alternative):
    k = 3
    changes = pd.Series(values, index=[f"a{i}" for i in range(len(values))])
    got = permutation_test(changes, list(changes.index[:k]), alternative=alternative)
    ref = stats.permutation_test(
        (np.array(values[:k]), np.array(values[k:])),
        lambda a, b, axis: np.mean(a, axis=axis) - np.mean(b, axis=axis),
        permutation_type="independent", n_resamples=np.inf, alternative=alternative,
        vectorized=True)
    assert got.exact
    assert got.estimate == pytest.approx(ref.statistic)
    assert got.p_value == pytest.approx(ref.pvalue, abs=1e-12)


@pytest.mark.parametrize("values", CASES)
def test_exact_two_sided_p_matches_enumeration(values):
    changes = pd.Series(values, index=[f"a{i}" for i in range(len(values))])
    got = permutation_test(changes, list(changes.index[:3]))
    assert got.p_value == pytest.approx(_brute_two_sided(values, 3), abs=1e-12)
    assert got.n == len(list(itertools.combinations(range(len(values)), 3)))


def test_random_permutations_are_seeded_and_close_to_exact():
    rng = np.random.default_rng(0)
    changes = pd.Series(rng.normal(size=12), index=[f"r{i}" for i in range(12)])
    treated = ["r0", "r1", "r2", "r3"]
    exact = permutation_test(changes, treated)
    first = permutation_test(changes, treated, n_permutations=20_000, seed=5)
    again = permutation_test(changes, treated, n_permutations=20_000, seed=5)
    assert not first.exact and first.n == 20_000
    assert first.p_value == again.p_value
    assert np.array_equal(first.distribution, again.distribution)
    assert abs(first.p_value - exact.p_value) < 0.02
    hits = (np.abs(first.distribution) >= abs(first.estimate) - 1e-12).sum()
    assert first.p_value == pytest.approx((1 + hits) / (1 + 20_000))


def test_permutation_errors():
    changes = pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"])
    with pytest.raises(MeasureError, match="alternative 'bigger'"):
        permutation_test(changes, ["a"], alternative="bigger")
    with pytest.raises(MeasureError, match="seed should be a whole number"):
        permutation_test(changes, ["a"], n_permutations=10, seed=1.5)
    with pytest.raises(MeasureError, match="n_permutations"):
        permutation_test(changes, ["a"], n_permutations=0)
    with pytest.raises(MeasureError, match="pandas Series"):
        permutation_test([1.0, 2.0], ["a"])
    with pytest.raises(MeasureError, match="list of area codes"):
        permutation_test(changes, 5)


@pytest.mark.parametrize("alternative", ["greater", "less"])
def test_permutation_correlation_matches_scipy_exact(alternative):
    x = np.array([31.9, 51.5, 42.5, 33.7, 36.9, 30.2])
    y = np.array([0.2, 0.9, 0.1, 0.4, 0.3, 0.5])
    got = permutation_correlation(x, y, alternative=alternative)
    # SciPy's documented form for a correlation: permute one sample against the other
    ref = stats.permutation_test((x,), lambda a: np.corrcoef(a, y)[0, 1],
                                 permutation_type="pairings", n_resamples=np.inf,
                                 alternative=alternative)
    assert got.exact and got.n == 720
    assert got.estimate == pytest.approx(stats.pearsonr(x, y).statistic)
    assert got.p_value == pytest.approx(ref.pvalue, abs=1e-12)


def test_permutation_correlation_random_and_errors():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=12), rng.normal(size=12)
    got = permutation_correlation(pd.Series(x), pd.Series(y), n_permutations=999, seed=3)
    assert not got.exact and got.n == 999 and 0 < got.p_value <= 1
    with pytest.raises(MeasureError, match="at least 3 areas"):
        permutation_correlation([1.0, 2.0], [2.0, 1.0])
    with pytest.raises(MeasureError, match="does not vary"):
        permutation_correlation([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])


# --------------------------------------------------------------------- bootstrap


def test_bootstrap_matches_scipy_percentile_interval():
    values = np.array([31.9, 51.5, 42.5, 33.7, 36.9, 30.2, 35.5, 38.8, 33.0, 34.1, 40.2, 29.9])
    got = bootstrap(values, n_resamples=40_000, seed=11)
    ref = stats.bootstrap((values,), np.mean, n_resamples=40_000, method="percentile",
                          rng=np.random.default_rng(12))
    assert got.estimate == pytest.approx(values.mean())
    assert got.ci_low == pytest.approx(ref.confidence_interval.low, abs=0.3)
    assert got.ci_high == pytest.approx(ref.confidence_interval.high, abs=0.3)
    assert got.distribution.size == 40_000


def test_bootstrap_difference_keeps_groups_and_is_seeded():
    changes = pd.Series({"a": 1.0, "b": 1.0, "c": 3.0, "d": 0.0, "e": 0.0, "f": 0.5})
    one = bootstrap_difference(changes, ["a", "b", "c"], n_resamples=500, seed=4)
    two = bootstrap_difference(changes, ["a", "b", "c"], n_resamples=500, seed=4)
    assert np.array_equal(one.distribution, two.distribution)
    assert one.estimate == pytest.approx(5 / 3 - 0.5 / 3)
    # each resample's treated mean lies between 1 and 3, the comparison mean between 0 and 0.5
    assert one.distribution.min() >= 1 - 0.5 - 1e-12 and one.distribution.max() <= 3 + 1e-12
    assert one.ci_low <= one.estimate <= one.ci_high


def test_bootstrap_errors():
    with pytest.raises(MeasureError, match="confidence should be a share"):
        bootstrap([1.0, 2.0], confidence=95)
    with pytest.raises(MeasureError, match="at least 2 values"):
        bootstrap([1.0])
    with pytest.raises(MeasureError, match="n_resamples"):
        bootstrap([1.0, 2.0], n_resamples=True)
