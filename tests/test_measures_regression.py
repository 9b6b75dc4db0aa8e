"""Tests for course.measures.regression (lesson 05).

Oracles: scipy.stats.linregress (slope, intercept, r, slope standard error), numpy.polyfit, and
Cook's distance recomputed from its definition (refit without each point; sum of squared changes
in the fitted values over p * s^2).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import raises
from scipy import stats

import course
from course.measures import regression as m

# % of 16-64s with level 3+ (NVQ), APS 2019, and GVA per hour (£, current prices) 2019 for the
# 12 ITL1 regions: the course datasets qualifications_level3 and gva_per_hour.
LEVEL3_2019 = pd.Series({
    "TLC": 52.1, "TLD": 55.2, "TLE": 54.3, "TLF": 56.4, "TLG": 52.9, "TLH": 55.0,
    "TLI": 67.0, "TLJ": 62.1, "TLK": 60.5, "TLL": 55.3, "TLM": 60.8, "TLN": 54.7,
})


def gva_2019() -> pd.Series:
    return course.load("gva_per_hour", level="ITL1", years=2019).set_index("itl_code")[
        "gva_per_hour"
    ]


def brute_cooks(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = x.size
    b1, b0 = np.polyfit(x, y, 1)
    fitted = b0 + b1 * x
    s2 = ((y - fitted) ** 2).sum() / (n - 2)
    out = []
    for i in range(n):
        keep = np.arange(n) != i
        c1, c0 = np.polyfit(x[keep], y[keep], 1)
        out.append(((fitted - (c0 + c1 * x)) ** 2).sum() / (2 * s2))
    return np.array(out)


# -- known values, by hand ------------------------------------------------------------------


def test_hand_computed_small_example():
    # x = 1..4, y = 2, 4, 5, 9: mean x 2.5, mean y 5; dx = -1.5 -0.5 0.5 1.5, dy = -3 -1 0 4
    # Sxy = 4.5 + 0.5 + 0 + 6 = 11, Sxx = 5 -> slope 2.2, intercept 5 - 2.2 * 2.5 = -0.5
    # fitted 1.7 3.9 6.1 8.3; residuals 0.3 0.1 -1.1 0.7; SSE = 1.8, SST = 26 -> R² = 0.930769
    # s² = 1.8 / 2 = 0.9, se = sqrt(0.9 / 5) = 0.424264; t(0.975, 2) = 4.302653
    fit = m.linear_fit([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 5.0, 9.0])
    assert fit.slope == pytest.approx(2.2)
    assert fit.intercept == pytest.approx(-0.5)
    assert fit.r_squared == pytest.approx(1 - 1.8 / 26)
    assert fit.n == 4
    assert fit.residuals.tolist() == pytest.approx([0.3, 0.1, -1.1, 0.7])
    assert fit.fitted.tolist() == pytest.approx([1.7, 3.9, 6.1, 8.3])
    assert fit.slope_se == pytest.approx(math.sqrt(0.18))
    low, high = fit.slope_ci
    assert low == pytest.approx(2.2 - 4.302653 * math.sqrt(0.18), abs=1e-5)
    assert high == pytest.approx(2.2 + 4.302653 * math.sqrt(0.18), abs=1e-5)
    # leverage 1/4 + dx²/5: 0.7 0.3 0.3 0.7
    assert fit.leverage.tolist() == pytest.approx([0.7, 0.3, 0.3, 0.7])
    # Cook's for the first point: 0.09 / (2 * 0.9) * 0.7 / 0.09 = 0.388889
    assert fit.cooks_distance.iloc[0] == pytest.approx(0.7 / 1.8)
    assert type(fit.slope) is float and type(fit.r_squared) is float and type(fit.n) is int
    assert fit.predict(10.0) == pytest.approx(21.5)
    assert fit.predict([0.0, 1.0]).tolist() == pytest.approx([-0.5, 1.7])


def test_leave_out_drops_the_area():
    x = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 10.0})
    y = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 30.0})
    # all four: mean x 4, mean y 9, Sxy = 24 + 14 + 6 + 126 = 170, Sxx = 50 -> 3.4
    assert m.linear_fit(x, y).slope == pytest.approx(3.4)
    fit = m.linear_fit(x, y, leave_out="D")  # A, B, C lie on y = x
    assert fit.slope == pytest.approx(1.0) and fit.intercept == pytest.approx(0.0, abs=1e-12)
    assert fit.left_out == ("D",) and list(fit.residuals.index) == ["A", "B", "C"]
    assert (fit.cooks_distance == 0).all()  # a perfect fit: no point moves the line
    raises(m.linear_fit, x, y, leave_out=["D", "A"], words=["at least 3", "got 2"])


def test_series_are_matched_by_label():
    x = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0})
    y = pd.Series({"D": 9.0, "C": 5.0, "B": 4.0, "A": 2.0})
    assert m.linear_fit(x, y).slope == pytest.approx(2.2)


# -- against maintained libraries -----------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_scipy_and_polyfit(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(55, 4, size=12)
    y = 0.9 * x + rng.normal(0, 2, size=12)
    fit = m.linear_fit(x, y, confidence=0.9)
    ref = stats.linregress(x, y)
    assert fit.slope == pytest.approx(ref.slope)
    assert fit.intercept == pytest.approx(ref.intercept)
    assert fit.r_squared == pytest.approx(ref.rvalue**2)
    assert fit.slope_se == pytest.approx(ref.stderr)
    t = stats.t.ppf(0.95, 10)
    assert fit.slope_ci == pytest.approx((ref.slope - t * ref.stderr, ref.slope + t * ref.stderr))
    slope, intercept = np.polyfit(x, y, 1)
    assert fit.slope == pytest.approx(slope) and fit.intercept == pytest.approx(intercept)
    assert fit.cooks_distance.to_numpy() == pytest.approx(brute_cooks(x, y))
    assert m.cooks_distance(x, y).to_numpy() == pytest.approx(brute_cooks(x, y))


def test_real_data_london_is_influential():
    gva = gva_2019()
    fit = m.linear_fit(LEVEL3_2019, gva)
    ref = stats.linregress(LEVEL3_2019.to_numpy(), gva.reindex(LEVEL3_2019.index).to_numpy())
    assert fit.slope == pytest.approx(ref.slope)
    assert fit.cooks_distance.idxmax() == "TLI"
    table = m.leave_one_out(LEVEL3_2019, gva)
    assert table.index[0] == "TLI"  # London moves the slope most
    without = m.linear_fit(LEVEL3_2019, gva, leave_out="TLI")
    assert table.loc["TLI", "slope"] == pytest.approx(without.slope)
    assert table.loc["TLI", "slope_change"] == pytest.approx(without.slope - fit.slope)
    assert without.slope < fit.slope and without.slope_ci[0] > 0


def test_leave_one_out_matches_refits():
    x = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 10.0, "E": 5.0})
    y = pd.Series({"A": 1.5, "B": 2.0, "C": 3.5, "D": 30.0, "E": 4.0})
    table = m.leave_one_out(x, y)
    assert sorted(table.columns) == sorted(
        ["slope", "intercept", "r_squared", "slope_change", "cooks_distance"])
    for label in x.index:
        keep = x.index != label
        ref = stats.linregress(x[keep], y[keep])
        assert table.loc[label, "slope"] == pytest.approx(ref.slope)
        assert table.loc[label, "intercept"] == pytest.approx(ref.intercept)
    assert list(table["slope_change"].abs()) == sorted(table["slope_change"].abs(), reverse=True)


def test_standardised_gaps():
    # 1, 3: mean 2, population sd 1
    assert m.standardised_gaps([1.0, 3.0]).tolist() == [-1.0, 1.0]
    s = pd.Series({"UK": 58.4, "A": 52.0, "B": 60.0, "C": 64.0})
    out = m.standardised_gaps(s, "UK")
    sd = np.std([52.0, 60.0, 64.0])
    assert list(out.index) == ["A", "B", "C"]
    assert out.tolist() == pytest.approx([(52 - 58.4) / sd, (60 - 58.4) / sd, (64 - 58.4) / sd])
    assert m.standardised_gaps(s.drop("UK"), 60.0)["B"] == 0.0
    z = m.standardised_gaps(LEVEL3_2019)
    assert z.to_numpy() == pytest.approx(stats.zscore(LEVEL3_2019.to_numpy()))


# -- errors --------------------------------------------------------------------------------


def test_errors():
    raises(m.linear_fit, [1.0, 2.0], [1.0, 2.0], words=["at least 3"])
    raises(m.linear_fit, [1.0, 1.0, 1.0], [1.0, 2.0, 3.0], words=["same x"])
    raises(m.linear_fit, [1.0, 2.0, 3.0], [1.0, 2.0], words=["x has 3", "y has 2"])
    raises(m.linear_fit, LEVEL3_2019, gva_2019(), leave_out="TLX", words=["'TLX'", "Valid options"])
    raises(m.linear_fit, LEVEL3_2019, gva_2019(), leave_out=3.5, words=["leave_out"])
    raises(m.linear_fit, LEVEL3_2019, gva_2019(), confidence=95, words=["0.95"])
    raises(m.linear_fit, "pct_level3_plus", gva_2019(), words=["text"])
    raises(m.linear_fit, LEVEL3_2019, gva_2019().drop("TLN"), words=["TLN"])
    raises(m.linear_fit, [1.0, 2.0, float("nan")], [1.0, 2.0, 3.0], words=["NaN"])
    raises(m.linear_fit, LEVEL3_2019.to_frame(), gva_2019(), words=["DataFrame"])
    raises(m.leave_one_out, [1.0, 2.0, 3.0], [1.0, 2.0, 4.0], words=["at least 4"])
    raises(m.leave_one_out, [1.0, 1.0, 1.0, 2.0], [1.0, 2.0, 3.0, 4.0], words=["same x"])
    raises(m.standardised_gaps, [1.0], words=["at least 2"])
    raises(m.standardised_gaps, [2.0, 2.0], words=["same value"])
    raises(m.standardised_gaps, LEVEL3_2019, "UKX", words=["'UKX'"])
    raises(m.standardised_gaps, [1.0, 2.0], "UK", words=["no area labels"])
    raises(m.standardised_gaps, [1.0, 2.0], float("inf"), words=["finite"])
