"""Correlation with a confidence interval, and composite indices built from z-scores (lesson 03).

* :func:`correlation` - Pearson's r with a Fisher-z confidence interval. With 11 or 12 regions an
  r of 0.6 is compatible with a wide range of true correlations: always show the interval.
* :func:`composite_index` - a weighted mean of z-scores (each indicator's distance from the mean
  of the areas in standard deviations), with a direction for indicators where lower is better.
* :func:`rank_changes` and :func:`weight_sensitivity` - how the ranking moves when the weights
  move, and which areas are most sensitive to them.

z-scores are :func:`course.measures.standardised_gaps` (population standard deviation, ``ddof=0``);
the straight-line fit is :func:`course.measures.linear_fit`. Gaps to the UK are
:func:`course.measures.gap_to_benchmark`.

A composite index is only as good as its choices: which indicators, which year, which weights,
and what the indicators measure. Report all four next to the ranking.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from course.errors import article, options_text
from course.measures._validate import _error, _list, _paired
from course.measures.inequality import rank
from course.measures.regression import standardised_gaps

__all__ = [
    "Correlation",
    "composite_index",
    "correlation",
    "rank_changes",
    "weight_sensitivity",
]


@dataclass(frozen=True, eq=False)
class Correlation:
    """Result of :func:`correlation`.

    Attributes
    ----------
    r : float
        Pearson's correlation coefficient.
    n : int
        Number of areas.
    ci_low, ci_high : float
        Confidence interval for r (Fisher z transformation).
    confidence : float
        Level of the interval (0.95 by default).
    """

    r: float
    n: int
    ci_low: float
    ci_high: float
    confidence: float


def correlation(x, y, *, confidence: float = 0.95) -> Correlation:
    """Pearson's r between two variables across areas, with a Fisher-z confidence interval.

    ``z = atanh(r)`` is roughly normal with standard error ``1 / sqrt(n - 3)``, so the interval is
    ``tanh(z -/+ q / sqrt(n - 3))`` with ``q`` the normal quantile (1.96 for 95%). This is the
    interval ``scipy.stats.pearsonr(x, y).confidence_interval()`` reports.

    Parameters
    ----------
    x, y : pandas.Series or array-like
        One number per area. Two Series are matched by area label and must cover the same areas.
    confidence : float
        Level of the interval, between 0 and 1.

    Returns
    -------
    Correlation
        ``r``, ``n``, ``ci_low``, ``ci_high`` and ``confidence``.

    Examples
    --------
    >>> c = correlation([1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 1.0, 4.0, 3.0, 5.0])
    >>> round(c.r, 3), c.n, round(c.ci_low, 3), round(c.ci_high, 3)
    (0.8, 5, -0.28, 0.986)
    """
    func = "correlation"
    xs, ys, _ = _paired(func, x, y, "x", "y",
                        "give one x and one y per area; best, two Series indexed by area code.")
    if (not isinstance(confidence, numbers.Real) or isinstance(confidence, bool)
            or not 0 < confidence < 1):
        raise _error(func, f"confidence must be between 0 and 1, not {confidence!r}.",
                     "use e.g. confidence=0.95 for a 95% interval.")
    n = int(xs.size)
    if n < 4:
        raise _error(func, f"a confidence interval for r needs at least 4 areas, but got {n}.",
                     "pass the values for all the areas at one geography level.")
    dx, dy = xs - xs.mean(), ys - ys.mean()
    sxx, syy = dx @ dx, dy @ dy
    if not (sxx > 0 and syy > 0):
        which = "x" if not sxx > 0 else "y"
        raise _error(func, f"{which} has the same value for every area, so r is undefined.",
                     "check that you passed the column you meant.")
    r = float(np.clip((dx @ dy) / np.sqrt(sxx * syy), -1.0, 1.0))
    q = NormalDist().inv_cdf(0.5 + confidence / 2)
    z = np.arctanh(r) if abs(r) < 1 else np.sign(r) * np.inf
    half = q / np.sqrt(n - 3)
    return Correlation(r=r, n=n, ci_low=float(np.tanh(z - half)), ci_high=float(np.tanh(z + half)),
                       confidence=float(confidence))


# ---------------------------------------------------------------------------------------------
# Composite indices
# ---------------------------------------------------------------------------------------------


def _indicators(func: str, indicators) -> pd.DataFrame:
    if not isinstance(indicators, pd.DataFrame):
        raise _error(
            func,
            f"indicators should be a DataFrame (one row per area, one column per indicator), "
            f"not {article(type(indicators).__name__)}.",
            "build it with e.g. table.set_index('itl_code')[['employment_rate', "
            "'median_weekly_pay']].",
        )
    if indicators.shape[0] < 3:
        raise _error(func, f"a composite index needs at least 3 areas, but got {indicators.shape[0]}.",
                     "pass every area at one geography level.")
    if not indicators.index.is_unique:
        dup = indicators.index[indicators.index.duplicated()].unique()
        raise _error(func, f"indicators has repeated area labels ({_list(dup)}).",
                     "pick one year first, so each area appears once.")
    missing = indicators.isna().any(axis=1)
    if missing.any():
        raise _error(
            func,
            f"indicators has missing values for {_list(indicators.index[missing])}.",
            "choose a year in which every indicator exists for every area, or drop those "
            "areas (and say so).",
        )
    return indicators


def _weights(func: str, weights, columns: pd.Index, what: str = "weights") -> dict[str, float]:
    if not isinstance(weights, Mapping):
        raise _error(func, f"{what} should be a dict of indicator -> weight, not "
                     f"{type(weights).__name__}.",
                     "pass e.g. {'employment_rate': 1, 'median_weekly_pay': 2}.")
    out = {}
    for key, value in weights.items():
        if key not in columns:
            raise _error(func, f"{what} names {key!r}, which is not a column of indicators.",
                         "use the indicator column names as keys.", options_text(key, columns))
        if (not isinstance(value, numbers.Real) or isinstance(value, bool)
                or not np.isfinite(value) or value < 0):
            raise _error(func, f"the weight for {key!r} is {value!r}; weights must be numbers >= 0.",
                         "use 0 to leave an indicator out and larger numbers for more weight.")
        out[key] = float(value)
    absent = [c for c in columns if c not in out]
    if absent:
        raise _error(func, f"{what} gives no weight for {_list(absent)}.",
                     "give every indicator column a weight (0 leaves it out), or select only the "
                     "columns you want.")
    if not sum(out.values()) > 0:
        raise _error(func, f"all the {what} are zero, so no indicator counts.",
                     "give at least one indicator a positive weight.")
    return out


def _direction(func: str, direction, columns: pd.Index) -> dict[str, float]:
    signs = {c: 1.0 for c in columns}
    if direction is None:
        return signs
    if not isinstance(direction, Mapping):
        raise _error(func, "direction should be a dict of indicator -> 'higher' or 'lower'.",
                     "pass e.g. direction={'inactivity_rate': 'lower'}.")
    for key, value in direction.items():
        if key not in columns:
            raise _error(func, f"direction names {key!r}, which is not a column of indicators.",
                         "use the indicator column names as keys.", options_text(key, columns))
        if value not in ("higher", "lower"):
            raise _error(func, f"the direction for {key!r} is {value!r}.",
                         "say whether 'higher' or 'lower' values are better.",
                         options_text(value, ["higher", "lower"]))
        signs[key] = 1.0 if value == "higher" else -1.0
    return signs


def _z_table(func: str, indicators: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({c: standardised_gaps(indicators[c]).to_numpy() for c in indicators.columns},
                        index=indicators.index)


def _combine(z: pd.DataFrame, weights: dict[str, float], signs: dict[str, float]) -> pd.Series:
    total = sum(weights.values())
    values = sum(z[c].to_numpy() * (weights[c] * signs[c] / total) for c in z.columns)
    return pd.Series(values, index=z.index, name="index")


def composite_index(indicators: pd.DataFrame, weights, *, direction=None) -> pd.Series:
    """A weighted mean of z-scores: ``sum_k w_k * s_k * z_ik / sum_k w_k``.

    Each indicator is standardised across the areas (``z = (value - mean) / sd``, population sd),
    flipped (``s_k = -1``) where lower is better, and averaged with the weights. 0 is the average
    area; +1 is one standard deviation better than average on the weighted mix.

    Parameters
    ----------
    indicators : pandas.DataFrame
        One row per area (index = area code), one column per indicator, no missing values.
    weights : dict
        Indicator -> weight (>= 0; 0 leaves it out). Only relative sizes matter.
    direction : dict, optional
        Indicator -> ``"higher"`` (default) or ``"lower"`` (e.g. an inactivity rate).

    Returns
    -------
    pandas.Series
        The index, named ``index``, with the areas of ``indicators``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"pay": [400.0, 500.0, 600.0], "jobs": [70.0, 80.0, 76.0]},
    ...                  index=["A", "B", "C"])
    >>> composite_index(t, {"pay": 1, "jobs": 1}).round(3)
    A   -1.261
    B    0.568
    C    0.693
    Name: index, dtype: float64
    """
    func = "composite_index"
    table = _indicators(func, indicators)
    w = _weights(func, weights, table.columns)
    signs = _direction(func, direction, table.columns)
    return _combine(_z_table(func, table), w, signs)


def rank_changes(indicators: pd.DataFrame, weights_from, weights_to, *, direction=None
                 ) -> pd.DataFrame:
    """How each area's rank on a composite index moves when the weights change.

    Returns
    -------
    pandas.DataFrame
        One row per area: ``rank_from``, ``rank_to`` (1 = best; ties share the best rank) and
        ``change`` (positive = moved up), sorted by ``rank_to``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"pay": [400.0, 500.0, 600.0], "jobs": [70.0, 80.0, 76.0]},
    ...                  index=["A", "B", "C"])
    >>> rank_changes(t, {"pay": 1, "jobs": 1}, {"pay": 1, "jobs": 3})
       rank_from  rank_to  change
    B          2        1       1
    C          1        2      -1
    A          3        3       0
    """
    func = "rank_changes"
    table = _indicators(func, indicators)
    signs = _direction(func, direction, table.columns)
    z = _z_table(func, table)
    a = rank(_combine(z, _weights(func, weights_from, table.columns, "weights_from"), signs))
    b = rank(_combine(z, _weights(func, weights_to, table.columns, "weights_to"), signs))
    out = pd.DataFrame({"rank_from": a.to_numpy(), "rank_to": b.to_numpy(),
                        "change": (a - b).to_numpy()}, index=table.index)
    return out.sort_values(["rank_to", "rank_from"], kind="mergesort")


def weight_sensitivity(indicators: pd.DataFrame, weights, *, shift: float = 0.5,
                       direction=None) -> pd.DataFrame:
    """Which areas' ranks depend most on the weights?

    Starting from ``weights``, each indicator with a positive weight has its weight multiplied by
    ``1 - shift`` and then by ``1 + shift`` (the others unchanged): ``2 k`` scenarios for ``k``
    weighted indicators. For each area the result gives its rank at ``weights`` and its best and
    worst rank over the scenarios.

    Parameters
    ----------
    indicators : pandas.DataFrame
        As for :func:`composite_index`.
    weights : dict
        The starting weights.
    shift : float
        How far each weight moves, as a share (0.5 = half as much and half as much again).
    direction : dict, optional
        As for :func:`composite_index`.

    Returns
    -------
    pandas.DataFrame
        Columns ``rank``, ``best``, ``worst`` and ``spread`` (= worst - best, in places), sorted
        by ``spread`` (most sensitive first), then ``rank``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"pay": [400.0, 500.0, 600.0], "jobs": [70.0, 80.0, 76.0]},
    ...                  index=["A", "B", "C"])
    >>> weight_sensitivity(t, {"pay": 1, "jobs": 1}, shift=0.8)
       rank  best  worst  spread
    C     1     1      2       1
    B     2     1      2       1
    A     3     3      3       0
    """
    func = "weight_sensitivity"
    table = _indicators(func, indicators)
    w = _weights(func, weights, table.columns)
    signs = _direction(func, direction, table.columns)
    if (not isinstance(shift, numbers.Real) or isinstance(shift, bool) or not 0 < shift < 1):
        raise _error(func, f"shift must be a share between 0 and 1, not {shift!r}.",
                     "use e.g. shift=0.5 to halve and to raise each weight by half.")
    z = _z_table(func, table)
    base = rank(_combine(z, w, signs)).to_numpy()
    ranks = [base]
    for key, value in w.items():
        if value <= 0:
            continue
        for factor in (1 - shift, 1 + shift):
            scenario = dict(w)
            scenario[key] = value * factor
            ranks.append(rank(_combine(z, scenario, signs)).to_numpy())
    stacked = np.vstack(ranks)
    best, worst = stacked.min(axis=0), stacked.max(axis=0)
    out = pd.DataFrame({"rank": base, "best": best, "worst": worst, "spread": worst - best},
                       index=table.index)
    order = np.lexsort((out["rank"].to_numpy(), -out["spread"].to_numpy()))
    return out.iloc[order]
