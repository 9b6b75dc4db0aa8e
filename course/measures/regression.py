"""A straight line through a handful of places, and how much one place moves it (lesson 05).

Lesson 05 fits productivity (or pay) on the share of people with qualifications, across the 12
ITL1 regions. With so few points the fit is *ecological* (it describes regions, not people) and
fragile: one region (London) can carry the slope. The functions here make that visible:

* :func:`linear_fit` - least squares with slope, intercept, R², residuals, a confidence
  interval for the slope, leverage and Cook's distance; ``leave_out=`` refits without some areas.
* :func:`leave_one_out` - the fit with each area left out in turn (how far the slope moves).
* :func:`cooks_distance` - Cook's influence measure on its own.
* :func:`standardised_gaps` - each area's distance from the mean (or a benchmark) in standard
  deviations, so skills and productivity gaps can be compared on one scale.

Inputs are pandas Series indexed by area code (two Series are matched by label) or plain
lists/arrays of equal length. Scalars are returned as real Python ``float`` values.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from course.errors import options_text
from course.measures._validate import (
    _area_labels,
    _as_values,
    _error,
    _paired,
    _require_labels,
    _series,
)

__all__ = [
    "LinearFit",
    "cooks_distance",
    "leave_one_out",
    "linear_fit",
    "standardised_gaps",
]


@dataclass(frozen=True, eq=False)
class LinearFit:
    """Result of :func:`linear_fit`: ``y = intercept + slope * x`` by least squares.

    Attributes
    ----------
    slope, intercept : float
        The fitted line. The slope is in units of y per unit of x (e.g. £ per hour per
        percentage point of people qualified to level 3+).
    r_squared : float
        Share of the variance of y the line accounts for (NaN if y does not vary).
    n : int
        Number of areas used (after ``leave_out``).
    slope_se : float
        Standard error of the slope (classical, homoskedastic errors; n - 2 degrees of freedom).
    slope_ci : tuple of float
        ``(low, high)`` confidence interval for the slope, at level ``confidence``.
    confidence : float
        The level of ``slope_ci`` (0.95 by default).
    fitted, residuals : pandas.Series
        ``intercept + slope * x`` and ``y - fitted`` for each area used.
    leverage : pandas.Series
        How unusual each area's x is: ``1/n + (x - mean(x))**2 / sum((x - mean(x))**2)``.
    cooks_distance : pandas.Series
        Cook's distance: how far the whole fitted line moves when that area is left out,
        scaled by the residual variance. Values near or above ``4 / n`` deserve a look.
    left_out : tuple
        The area labels (or positions) that were left out of the fit.
    """

    slope: float
    intercept: float
    r_squared: float
    n: int
    slope_se: float
    slope_ci: tuple[float, float]
    confidence: float
    fitted: pd.Series
    residuals: pd.Series
    leverage: pd.Series
    cooks_distance: pd.Series
    left_out: tuple

    def predict(self, x) -> float | np.ndarray:
        """The line's value at ``x`` (a number, or an array of numbers)."""
        if isinstance(x, numbers.Real):
            return float(self.intercept + self.slope * float(x))
        return self.intercept + self.slope * np.asarray(x, dtype=float)


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------


def _pair(func: str, x, y) -> tuple[np.ndarray, np.ndarray, pd.Index | None]:
    """x and y as float arrays on the same areas (matched by label for two Series)."""
    if isinstance(x, str) or isinstance(y, str):
        raise _error(
            func,
            "x and y should be columns of numbers, but one of them is the text "
            f"{(x if isinstance(x, str) else y)!r}.",
            "pass the columns themselves, e.g. frame.set_index('itl_code')['pct_level3_plus'].",
        )
    return _paired(
        func, x, y, "x", "y",
        "give one x and one y per area; best, two Series indexed by area code so they are "
        "matched by label.",
    )


def _drop(func: str, xs, ys, index, leave_out) -> tuple[np.ndarray, np.ndarray, pd.Index, tuple]:
    """Remove the ``leave_out`` areas; return the kept arrays, their labels and what went."""
    labels = index if index is not None else pd.RangeIndex(xs.size)
    if leave_out is None:
        return xs, ys, labels, ()
    wanted = _area_labels(func, leave_out, "leave_out",
                          "leave_out='TLI' (London) or leave_out=['TLI', 'TLJ']")
    _require_labels(func, wanted, labels, "leave_out",
                    "pass the label of an area in x and y (index them by ITL code first, e.g. "
                    ".set_index('itl_code')).")
    keep = ~labels.isin(wanted)
    return xs[keep], ys[keep], labels[keep], tuple(wanted)


def _t_quantile(p: float, df: int) -> float:
    """Student's t quantile (scipy is imported only when a confidence interval is needed)."""
    from scipy.special import stdtrit

    return float(stdtrit(df, p))


def _fit(func: str, xs, ys, labels, confidence: float, left_out: tuple) -> LinearFit:
    n = xs.size
    if n < 3:
        raise _error(
            func,
            f"a line with a confidence interval needs at least 3 areas, but got {n}.",
            "pass the values for all the areas at one geography level (and leave fewer out).",
        )
    x_mean = xs.mean()
    dx = xs - x_mean
    sxx = dx @ dx
    if not sxx > 0:
        raise _error(
            func,
            "every area has the same x, so there is no slope to estimate.",
            "check that x is the explanatory variable (e.g. the qualification share) for "
            "different areas in one year.",
        )
    y_mean = ys.mean()
    dy = ys - y_mean
    slope = (dx @ dy) / sxx
    intercept = y_mean - slope * x_mean
    fitted = intercept + slope * xs
    resid = ys - fitted
    sse = resid @ resid
    sst = dy @ dy
    r_squared = 1.0 - sse / sst if sst > 0 else float("nan")
    df = n - 2
    s2 = sse / df
    se = np.sqrt(s2 / sxx)
    half = _t_quantile(0.5 + confidence / 2.0, df) * se
    leverage = 1.0 / n + dx * dx / sxx
    with np.errstate(divide="ignore", invalid="ignore"):
        cooks = (resid * resid) / (2.0 * s2) * leverage / (1.0 - leverage) ** 2
    if not s2 > 0:  # a perfect fit: leaving any area out leaves the line where it is
        cooks = np.zeros(n)
    return LinearFit(
        slope=float(slope),
        intercept=float(intercept),
        r_squared=float(r_squared),
        n=int(n),
        slope_se=float(se),
        slope_ci=(float(slope - half), float(slope + half)),
        confidence=float(confidence),
        fitted=_series(fitted, labels, "fitted"),
        residuals=_series(resid, labels, "residual"),
        leverage=_series(leverage, labels, "leverage"),
        cooks_distance=_series(cooks, labels, "cooks_distance"),
        left_out=left_out,
    )


def _confidence(func: str, confidence) -> float:
    if (
        not isinstance(confidence, numbers.Real)
        or isinstance(confidence, bool)
        or not 0 < float(confidence) < 1
    ):
        raise _error(
            func,
            f"confidence should be a number between 0 and 1, but it is {confidence!r}.",
            "pass e.g. confidence=0.95 for a 95% interval (not 95).",
        )
    return float(confidence)


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def linear_fit(x, y, *, leave_out=None, confidence: float = 0.95) -> LinearFit:
    """Fit ``y = intercept + slope * x`` by ordinary least squares.

    Parameters
    ----------
    x : pandas.Series or array-like
        The explanatory variable, e.g. the % of 16-64s qualified to level 3+, by area code.
    y : pandas.Series or array-like
        The outcome, e.g. GVA per hour worked in £. Two Series are matched by area label and
        must cover the same areas.
    leave_out : label or list of labels, optional
        Areas to leave out of the fit (e.g. ``"TLI"`` for London), to see how much they
        carry the slope.
    confidence : float
        Level of the slope's confidence interval (0.95 for 95%).

    Returns
    -------
    LinearFit
        ``slope``, ``intercept``, ``r_squared``, ``n``, ``slope_se``, ``slope_ci``,
        ``fitted``, ``residuals``, ``leverage`` and ``cooks_distance``.

    Raises
    ------
    MeasureError
        If x or y are not numbers, do not cover the same areas, have fewer than 3 areas
        left, or x does not vary.

    Notes
    -----
    Across 12 regions this is an *ecological* regression: it says that regions with more
    qualified residents tend to be more productive, not that qualifying a person raises
    productivity, nor by how much. The confidence interval assumes independent errors with
    equal variance, which 12 neighbouring regions hardly satisfy: read it as a lower bound
    on the uncertainty.

    Examples
    --------
    >>> fit = linear_fit([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 5.0, 9.0])
    >>> round(fit.slope, 6), round(fit.intercept, 6), round(fit.r_squared, 4)
    (2.2, -0.5, 0.9308)
    >>> fit.residuals.round(2).tolist()
    [0.3, 0.1, -1.1, 0.7]
    >>> import pandas as pd
    >>> x = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 10.0})
    >>> y = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 30.0})
    >>> round(linear_fit(x, y).slope, 3), round(linear_fit(x, y, leave_out="D").slope, 3)
    (3.4, 1.0)
    """
    func = "linear_fit"
    confidence = _confidence(func, confidence)
    xs, ys, index = _pair(func, x, y)
    xs, ys, labels, gone = _drop(func, xs, ys, index, leave_out)
    return _fit(func, xs, ys, labels, confidence, gone)


def cooks_distance(x, y) -> pd.Series:
    """Cook's distance of each area in the least-squares fit of y on x.

    ``D_i = e_i**2 / (2 * s**2) * h_i / (1 - h_i)**2`` with ``e_i`` the residual, ``h_i`` the
    leverage and ``s**2`` the residual variance (n - 2 degrees of freedom). It equals the
    sum of squared changes in all fitted values when area *i* is left out, over ``2 s**2``.

    Parameters
    ----------
    x, y : pandas.Series or array-like
        As for :func:`linear_fit`.

    Returns
    -------
    pandas.Series
        One value per area, named ``cooks_distance``.

    Examples
    --------
    >>> d = cooks_distance([1.0, 2.0, 3.0, 4.0, 10.0], [1.1, 1.9, 3.2, 3.9, 6.0])
    >>> int(d.idxmax()), round(float(d.max()), 2)  # the point far to the right
    (4, 16.36)
    """
    return linear_fit(x, y).cooks_distance


def leave_one_out(x, y) -> pd.DataFrame:
    """Refit the line with each area left out in turn.

    Parameters
    ----------
    x, y : pandas.Series or array-like
        As for :func:`linear_fit`; at least 4 areas (so 3 remain in every refit).

    Returns
    -------
    pandas.DataFrame
        Indexed by the area left out, with columns ``slope``, ``intercept``, ``r_squared``,
        ``slope_change`` (refit slope minus the all-areas slope) and ``cooks_distance`` (of
        that area in the all-areas fit), sorted by the size of the slope change, largest first.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 10.0})
    >>> y = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 30.0})
    >>> leave_one_out(x, y)[["slope", "slope_change"]].round(3)
       slope  slope_change
    D  1.000        -2.400
    A  3.632         0.232
    C  3.329        -0.071
    B  3.388        -0.012
    """
    func = "leave_one_out"
    xs, ys, index = _pair(func, x, y)
    labels = index if index is not None else pd.RangeIndex(xs.size)
    if xs.size < 4:
        raise _error(
            func,
            f"leaving one area out needs at least 4 areas (3 left in each refit), but got "
            f"{xs.size}.",
            "pass the values for all the areas at one geography level.",
        )
    full = _fit(func, xs, ys, labels, 0.95, ())
    rows = []
    for i in range(xs.size):
        keep = np.arange(xs.size) != i
        if not np.ptp(xs[keep]) > 0:
            raise _error(
                func,
                f"without {labels[i]!r} every remaining area has the same x, so no slope exists.",
                "check x; leave_one_out needs at least two different x values in every refit.",
            )
        part = _fit(func, xs[keep], ys[keep], labels[keep], 0.95, (labels[i],))
        rows.append((part.slope, part.intercept, part.r_squared, part.slope - full.slope))
    out = pd.DataFrame(
        rows, index=labels.copy(), columns=["slope", "intercept", "r_squared", "slope_change"]
    )
    out["cooks_distance"] = full.cooks_distance.to_numpy()
    order = np.argsort(-np.abs(out["slope_change"].to_numpy()), kind="stable")
    return out.iloc[order]


def standardised_gaps(values, benchmark=None) -> pd.Series:
    """Each area's gap to the mean (or a benchmark), in standard deviations (a z-score).

    ``z_i = (y_i - b) / sd``, with ``b`` the plain mean of the areas (or the benchmark) and
    ``sd`` the population standard deviation (``ddof=0``) across the areas. Unit-free, so a
    skills gap and a productivity gap can be compared: -1.5 means one and a half standard
    deviations below.

    Parameters
    ----------
    values : pandas.Series or array-like
        One number per area, e.g. the level 3+ share by ITL1 code.
    benchmark : float or label, optional
        None (default): the mean of the areas. A number: that value. An area label such as
        ``"UK"``: that row's value; the row is then left out of the result and of the
        standard deviation (it is the comparator, not an area).

    Returns
    -------
    pandas.Series
        Standardised gaps, named ``standardised_gap``.

    Examples
    --------
    >>> standardised_gaps([1.0, 3.0]).tolist()  # mean 2, sd 1
    [-1.0, 1.0]
    >>> import pandas as pd
    >>> s = pd.Series({"UK": 58.4, "A": 52.0, "B": 60.0, "C": 64.0})
    >>> standardised_gaps(s, "UK").round(3)
    A   -1.283
    B    0.321
    C    1.122
    Name: standardised_gap, dtype: float64
    """
    func = "standardised_gaps"
    xs, index = _as_values(func, values)
    labels = index if index is not None else pd.RangeIndex(xs.size)
    if benchmark is None:
        b = None
    elif isinstance(benchmark, numbers.Real) and not isinstance(benchmark, bool):
        b = float(benchmark)
        if not np.isfinite(b):
            raise _error(func, f"the benchmark must be a finite number, not {benchmark!r}.",
                         "pass a number such as the UK value, or an area label.")
    else:
        if index is None:
            raise _error(
                func,
                f"the benchmark {benchmark!r} is a label, but values has no area labels.",
                "pass values as a Series indexed by area code, or the benchmark as a number.",
            )
        try:
            found = benchmark in index
        except TypeError:
            found = False
        if not found:
            raise _error(
                func,
                f"the benchmark {benchmark!r} is not one of the area labels in values.",
                "pass one of the labels above, a number, or None for the mean of the areas.",
                options_text(benchmark, index),
            )
        pos = int(index.get_loc(benchmark))
        b = float(xs[pos])
        keep = np.arange(xs.size) != pos
        xs, labels = xs[keep], labels[keep]
    if xs.size < 2:
        raise _error(
            func,
            f"a standard deviation needs at least 2 areas, but got {xs.size}.",
            "pass the values for all the areas at one geography level.",
        )
    sd = xs.std()
    if not sd > 0:
        raise _error(
            func,
            "every area has the same value, so the standard deviation is 0.",
            "check that you picked the right column and year.",
        )
    centre = xs.mean() if b is None else b
    return _series((xs - centre) / sd, labels, "standardised_gap")
