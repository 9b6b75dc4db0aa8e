"""Known-value tests for course.measures.composite (lesson 03), with scipy/numpy as oracles."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from course.errors import MeasureError
from course.measures import (
    composite_index,
    correlation,
    linear_fit,
    rank_changes,
    standardised_gaps,
    weight_sensitivity,
)

T = pd.DataFrame({"pay": [400.0, 500.0, 600.0], "jobs": [70.0, 80.0, 76.0]}, index=["A", "B", "C"])


# ------------------------------------------------------------------------------- correlation


def test_correlation_hand_computed():
    # x = 1..5, y = 2,1,4,3,5: dx = -2..2, dy = -1,-2,1,0,2; sum dx dy = 8, sxx = syy = 10 -> r = 0.8
    c = correlation([1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 1.0, 4.0, 3.0, 5.0])
    assert math.isclose(c.r, 0.8, abs_tol=1e-12) and c.n == 5
    # Fisher: z = atanh(0.8) = 1.0986; se = 1 / sqrt(2); tanh(1.0986 -/+ 1.95996 * 0.70711)
    assert math.isclose(c.ci_low, math.tanh(math.atanh(0.8) - 1.959963984540054 / math.sqrt(2)))
    assert math.isclose(c.ci_high, math.tanh(math.atanh(0.8) + 1.959963984540054 / math.sqrt(2)))
    assert type(c.r) is float and type(c.ci_low) is float


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_correlation_matches_scipy_pearsonr(level):
    rng = np.random.default_rng(3)
    x = rng.normal(size=11)
    y = 0.6 * x + rng.normal(size=11)
    c = correlation(x, y, confidence=level)
    res = stats.pearsonr(x, y)
    ci = res.confidence_interval(confidence_level=level)
    assert math.isclose(c.r, res.statistic, rel_tol=1e-12)
    assert math.isclose(c.ci_low, ci.low, rel_tol=1e-9)
    assert math.isclose(c.ci_high, ci.high, rel_tol=1e-9)


def test_correlation_aligns_series_by_label():
    x = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0})
    y = pd.Series({"D": 8.0, "C": 6.0, "B": 4.0, "A": 2.0})
    assert correlation(x, y).r == pytest.approx(1.0)


def test_correlation_errors():
    with pytest.raises(MeasureError, match="at least 4 areas"):
        correlation([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])
    with pytest.raises(MeasureError, match="same value for every area"):
        correlation([1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(MeasureError, match="confidence must be between 0 and 1"):
        correlation([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 4.0, 3.0], confidence=95)
    with pytest.raises(MeasureError, match="x has 4 values but y has 3"):
        correlation([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0])
    with pytest.raises(MeasureError, match="do not cover the same areas"):
        correlation(pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0}),
                    pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "E": 4.0}))


def test_least_squares_fit_used_in_lesson_matches_polyfit():
    x = np.array([27.3, 28.8, 26.9, 42.0, 34.0, 30.8])
    y = np.array([430.0, 470.0, 440.0, 640.0, 560.0, 500.0])
    fit = linear_fit(x, y)
    slope, intercept = np.polyfit(x, y, 1)
    assert math.isclose(fit.slope, slope) and math.isclose(fit.intercept, intercept)
    assert math.isclose(fit.r_squared, stats.linregress(x, y).rvalue ** 2)


# ------------------------------------------------------------------------------- composite


def test_z_scores_match_scipy_zscore():
    assert np.allclose(standardised_gaps(T["pay"]).to_numpy(), stats.zscore(T["pay"].to_numpy()))


def test_composite_index_hand_computed():
    # pay: mean 500, sd sqrt(20000/3) = 81.65 -> z = -1.2247, 0, 1.2247
    # jobs: mean 75.333, deviations -5.333, 4.667, 0.667; sd = sqrt(16.889) = 4.1096
    #   -> z = -1.2978, 1.1355, 0.1622; equal weights: mean of the two z's
    got = composite_index(T, {"pay": 1, "jobs": 1})
    zp = stats.zscore(T["pay"].to_numpy())
    zj = stats.zscore(T["jobs"].to_numpy())
    assert np.allclose(got.to_numpy(), (zp + zj) / 2)
    assert got.round(3).to_dict() == {"A": -1.261, "B": 0.568, "C": 0.693}
    # weights 1:3 -> (zp + 3 zj) / 4; scaling every weight changes nothing
    assert np.allclose(composite_index(T, {"pay": 1, "jobs": 3}).to_numpy(), (zp + 3 * zj) / 4)
    assert np.allclose(composite_index(T, {"pay": 2, "jobs": 6}), composite_index(T, {"pay": 1, "jobs": 3}))
    # a zero weight leaves the indicator out
    assert np.allclose(composite_index(T, {"pay": 0, "jobs": 1}).to_numpy(), zj)


def test_composite_direction_flips_lower_is_better():
    t = pd.DataFrame({"inactivity": [20.0, 25.0, 30.0]}, index=list("abc"))
    got = composite_index(t, {"inactivity": 1}, direction={"inactivity": "lower"})
    assert got.idxmax() == "a" and got["a"] == pytest.approx(1.224744871391589)


def test_rank_changes_and_sensitivity_hand_computed():
    moves = rank_changes(T, {"pay": 1, "jobs": 1}, {"pay": 1, "jobs": 3})
    # equal weights: C (0.693) > B (0.568) > A; jobs x3: B (0.852) > C (0.428) > A
    assert moves.loc["B"].tolist() == [2, 1, 1]
    assert moves.loc["C"].tolist() == [1, 2, -1]
    assert list(moves.index) == ["B", "C", "A"]
    sens = weight_sensitivity(T, {"pay": 1, "jobs": 1}, shift=0.5)
    # jobs x1.5: B = (0 + 1.5 * 1.1355) / 2.5 = 0.681 > C = (1.2247 + 0.2433) / 2.5 = 0.587
    assert sens.loc["B"].tolist() == [2, 1, 2, 1]
    assert sens.loc["A"].tolist() == [3, 3, 3, 0]
    assert list(sens.index[:2]) == ["C", "B"]


def test_composite_errors():
    with pytest.raises(MeasureError, match="(?s)not a column of indicators.*'pay'"):
        composite_index(T, {"payy": 1, "jobs": 1})
    with pytest.raises(MeasureError, match="gives no weight for 'jobs'"):
        composite_index(T, {"pay": 1})
    with pytest.raises(MeasureError, match="weights must be numbers >= 0"):
        composite_index(T, {"pay": -1, "jobs": 1})
    with pytest.raises(MeasureError, match="all the weights are zero"):
        composite_index(T, {"pay": 0, "jobs": 0})
    with pytest.raises(MeasureError, match="should be a DataFrame"):
        composite_index(T["pay"], {"pay": 1})
    with pytest.raises(MeasureError, match="missing values for 'B'"):
        composite_index(T.assign(pay=[1.0, np.nan, 2.0]), {"pay": 1, "jobs": 1})
    with pytest.raises(MeasureError, match="at least 3 areas"):
        composite_index(T.iloc[:2], {"pay": 1, "jobs": 1})
    with pytest.raises(MeasureError, match="'higher' or 'lower'"):
        composite_index(T, {"pay": 1, "jobs": 1}, direction={"pay": "up"})
    with pytest.raises(MeasureError, match="should be a dict"):
        composite_index(T, [1, 1])
    with pytest.raises(MeasureError, match="shift must be a share"):
        weight_sensitivity(T, {"pay": 1, "jobs": 1}, shift=2)
    with pytest.raises(MeasureError, match="repeated area labels"):
        composite_index(pd.concat([T, T]), {"pay": 1, "jobs": 1})
