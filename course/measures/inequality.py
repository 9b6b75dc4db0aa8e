"""Gaps, inequality and convergence across places (lesson 01).

Every function here is a pure function of its inputs. Values are usually a pandas Series
indexed by area code (for example ITL1 codes such as ``"TLI"`` for London), but plain lists
and numpy arrays work too wherever no area label is needed. Scalar measures return a real
Python ``float``.

Which weights fit which measure
-------------------------------
A weight says how much each area counts. Match the weight to the denominator of the measure:

* GVA **per hour worked** -> weight by **hours worked** (see :func:`derived_hours`); the
  hours-weighted mean of GVA per hour is then total GVA over total hours.
* GVA or income **per head** -> weight by **population**.
* No weights -> every area counts once ("areas, unweighted"): the City of London and
  Birmingham count the same. Say so when you report the result.

Weights are read as frequency weights: a weight of 3 gives the same answer as listing the
area three times. Only their relative size matters.

The inequality and convergence measures are for positive, ratio-scale quantities such as GVA
per hour: Theil, the ratios and anything with logs need every value above zero; the Gini and
the coefficient of variation also accept zeros. :func:`index_to_benchmark`,
:func:`gap_to_benchmark` and :func:`rank` accept any finite numbers.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from course.errors import article, options_text
from course.measures._validate import (
    _align_to,
    _as_values,
    _check_not_empty,
    _error,
    _frame_error,
    _list,
    _matched,
    _numbers,
    _paired,
    _plain,
    _require_nonnegative,
    _require_positive,
    _series,
    _Where,
)

__all__ = [
    "BetaConvergence",
    "TheilDecomposition",
    "beta_convergence",
    "coefficient_of_variation",
    "derived_hours",
    "gap_to_benchmark",
    "gini",
    "index_to_benchmark",
    "max_min_ratio",
    "percentile_ratio",
    "rank",
    "sigma_convergence",
    "theil",
    "theil_decomposition",
]

_WEIGHT_FIX = (
    "use counts that cannot be negative, such as hours worked or population (check that the "
    "weight column is the one you meant)."
)


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------


def _as_weights(func: str, weights, index: pd.Index | None, n: int) -> np.ndarray | None:
    """Check ``weights`` against values (by label for two Series, else by position)."""
    if weights is None:
        return None
    if isinstance(weights, str):
        raise _error(
            func,
            f"weights should be numbers, one per area, but got the text {weights!r}.",
            f"pass the column itself, e.g. frame.set_index('itl_code')[{weights!r}].",
        )
    if isinstance(weights, pd.Series) and index is not None:
        weights = _align_to(func, weights, index, "values", "weights")
    w, _ = _as_values(func, weights, "weights")
    if w.size != n:
        raise _error(
            func,
            f"weights has {w.size} entries but values has {n}.",
            "give one weight per area: best, pass both as Series indexed by area code so they "
            "are matched by label.",
        )
    where = _Where(index)
    _require_nonnegative(
        func, w, "weights", where, "weights say how much each area counts", _WEIGHT_FIX
    )
    if not w.sum() > 0:
        raise _error(
            func,
            "the weights add up to zero, so no area counts.",
            "pass positive weights, such as hours worked or population.",
        )
    return w


# ---------------------------------------------------------------------------------------------
# Index and gap to a benchmark
# ---------------------------------------------------------------------------------------------


def _benchmark(func: str, benchmark, x: np.ndarray, index: pd.Index | None) -> tuple[float, int]:
    """The benchmark value, and the position of the benchmark row (-1 for a number)."""
    if isinstance(benchmark, numbers.Real) and not isinstance(benchmark, (bool, np.bool_)):
        b = float(benchmark)
        if not (np.isfinite(b) and b > 0):
            raise _error(
                func,
                f"the benchmark must be a positive number, but it is {b!r}.",
                "pass the comparator's value (e.g. the UK's GVA per hour, 38.7) or its label "
                "(e.g. 'UKX') when it is a row of values.",
            )
        return b, -1
    if isinstance(benchmark, (pd.Series, pd.DataFrame, np.ndarray, list, tuple, dict, set)):
        raise _error(
            func,
            f"the benchmark must be one number or one area label, not {article(type(benchmark).__name__)}.",
            "pick a single value, e.g. uk.loc['UKX'] or 38.7, or pass the label 'UKX'.",
        )
    if index is None:
        raise _error(
            func,
            f"the benchmark {benchmark!r} is a label, but values has no area labels.",
            "pass values as a Series indexed by area code, e.g. "
            "frame.set_index('itl_code')['gva_per_hour'], or pass the benchmark as a number.",
        )
    try:
        found = benchmark in index
    except TypeError:
        found = False
    if not found:
        if isinstance(index, pd.RangeIndex):
            raise _error(
                func,
                f"the benchmark {benchmark!r} is a label, but values is labelled 0, 1, 2, ... "
                "rather than by area code.",
                "index values by area code first, e.g. "
                "frame.set_index('itl_code')['gva_per_hour'], or pass the benchmark as a number.",
            )
        raise _error(
            func,
            f"the benchmark {benchmark!r} is not one of the area labels in values.",
            "pass one of the labels above, or a number. The UK comparator in productivity "
            "tables is 'UKX'; make sure its row was not filtered out.",
            options_text(benchmark, index),
        )
    pos = int(index.get_loc(benchmark))
    b = float(x[pos])
    if not b > 0:
        raise _error(
            func,
            f"the benchmark row {benchmark!r} has the value {b!r}; a benchmark must be positive.",
            "pick a benchmark area with a positive value.",
        )
    return b, pos


def index_to_benchmark(values, benchmark) -> pd.Series:
    """Express each value as an index with the benchmark = 100.

    ``index = value / benchmark * 100``. An area at 120 is 20% above the benchmark.

    Parameters
    ----------
    values : pandas.Series or array-like
        Levels, e.g. GVA per hour worked in £, indexed by area code.
    benchmark : float or label
        A positive number (the comparator's level), or an area label in ``values.index``
        such as ``"UKX"`` (UK less extra-regio); that row becomes the benchmark and stays in
        the result at exactly 100. A number is always read as a value, never as a row label.

    Returns
    -------
    pandas.Series
        The index, with the same labels as ``values`` (0, 1, 2, ... for a plain list).

    Raises
    ------
    MeasureError
        If values are missing or not numbers, or the benchmark is not positive or not a label
        of ``values``.

    Notes
    -----
    An index computed from published, rounded £ levels can differ in the first decimal from
    a published index, which ONS computes from unrounded figures.

    Examples
    --------
    >>> import pandas as pd
    >>> gva = pd.Series({"UKX": 38.7, "TLI": 51.5, "TLC": 31.9})
    >>> index_to_benchmark(gva, "UKX").round(1)
    UKX    100.0
    TLI    133.1
    TLC     82.4
    Name: index_to_benchmark, dtype: float64
    >>> index_to_benchmark([20.0, 30.0], 25.0).tolist()
    [80.0, 120.0]
    """
    func = "index_to_benchmark"
    x, index = _as_values(func, values)
    _check_not_empty(func, x)
    b, _ = _benchmark(func, benchmark, x, index)
    return _series(x / b * 100.0, index, "index_to_benchmark")


def gap_to_benchmark(values, benchmark) -> pd.Series:
    """Percentage difference from the benchmark: ``(value / benchmark - 1) * 100``.

    An area at -17.6 is 17.6% below the benchmark. The benchmark rules are those of
    :func:`index_to_benchmark` (a positive number, or a label such as ``"UKX"``, whose row
    stays in the result at exactly 0).

    Parameters
    ----------
    values : pandas.Series or array-like
        Levels, e.g. GVA per hour worked in £, indexed by area code.
    benchmark : float or label
        A positive number, or an area label in ``values.index``.

    Returns
    -------
    pandas.Series
        Percentage gaps, same labels as ``values``.

    Notes
    -----
    Gaps are not symmetric: London at +33% of the UK does not mean the UK is 33% below
    London (it is 1 - 1/1.33 = 25% below). Say which way round a published gap is.

    Examples
    --------
    >>> import pandas as pd
    >>> gva = pd.Series({"UKX": 38.7, "TLI": 51.5, "TLC": 31.9})
    >>> gap_to_benchmark(gva, "UKX").round(1)
    UKX     0.0
    TLI    33.1
    TLC   -17.6
    Name: gap_to_benchmark, dtype: float64
    >>> round(float(gap_to_benchmark(gva, "TLI")["TLC"]), 1)  # North East vs London
    -38.1
    """
    func = "gap_to_benchmark"
    x, index = _as_values(func, values)
    _check_not_empty(func, x)
    b, _ = _benchmark(func, benchmark, x, index)
    return _series((x - b) / b * 100.0, index, "gap_to_benchmark")


# ---------------------------------------------------------------------------------------------
# Dispersion and inequality
# ---------------------------------------------------------------------------------------------


def _prepare(func: str, values, weights, *, strict: bool, why: str):
    """Values (float64), weights (float64 or None) and the area index, all checked."""
    x, index = _as_values(func, values)
    _check_not_empty(func, x)
    where = _Where(index)
    if strict:
        _require_positive(func, x, "values", where, why)
    else:
        _require_nonnegative(func, x, "values", where, why)
        if not x.sum() > 0:
            raise _error(
                func,
                "every value is zero, so the measure is undefined.",
                "check that you picked the right column and year.",
            )
    w = _as_weights(func, weights, index, x.size)
    return x, w, index


def coefficient_of_variation(values, weights=None) -> float:
    """Coefficient of variation: standard deviation / mean.

    Uses the *population* standard deviation (``ddof=0``): the areas are the whole set of
    places, not a sample. With weights, both the mean and the variance are weighted:
    ``mean = sum(w * x) / sum(w)`` and ``variance = sum(w * (x - mean)**2) / sum(w)``.

    Parameters
    ----------
    values : pandas.Series or array-like
        Non-negative levels, e.g. GVA per hour, indexed by area code.
    weights : pandas.Series or array-like, optional
        How much each area counts. Use **hours worked** for per-hour productivity and
        **population** for per-head measures; leave out for "areas, unweighted". A Series is
        matched to ``values`` by label (both must cover the same areas); a list by position.

    Returns
    -------
    float
        The CV, a unit-free number (0 = every area equal).

    Examples
    --------
    >>> coefficient_of_variation([1.0, 3.0])  # mean 2, sd 1
    0.5
    >>> round(coefficient_of_variation([1.0, 3.0], weights=[3, 1]), 4)  # mean 1.5, sd 0.866
    0.5774
    """
    func = "coefficient_of_variation"
    x, w, _ = _prepare(
        func, values, weights, strict=False, why="the coefficient of variation needs levels"
    )
    if w is None:
        mean = x.mean()
        sd = x.std()
    else:
        total = w.sum()
        mean = (w @ x) / total
        dev = x - mean
        sd = np.sqrt((w @ (dev * dev)) / total)
    if not mean > 0:
        raise _error(
            func,
            "the (weighted) mean is zero, so the coefficient of variation is undefined.",
            "check the values and weights: every area with a positive weight has the value 0.",
        )
    return float(sd / mean)


def _theil_parts(x: np.ndarray, w: np.ndarray | None) -> tuple[np.ndarray, float, float]:
    """Income shares s_i, the weighted mean and log of x; shared by theil and its split."""
    if w is None:
        wy = x
        mean = x.mean()
    else:
        wy = w * x
        mean = wy.sum() / w.sum()
    s = wy / wy.sum()
    return s, float(mean), float(np.log(mean))


def theil(values, weights=None) -> float:
    """Theil's T index of inequality.

    ``T = sum_i s_i * ln(y_i / mean)``, where ``s_i`` is area *i*'s share of the total.
    Unweighted, ``s_i = y_i / sum(y)`` and ``mean`` is the plain mean (PySAL's
    ``inequality.theil.Theil``). With weights ``w`` (hours worked for GVA per hour,
    population for per-head measures) it is the income-share form: ``s_i = w_i y_i / sum(w
    y)`` (with hours, each area's share of total GVA) and ``mean = sum(w y) / sum(w)``. T is
    0 when every area is equal and ``ln(n)`` at most; it can be split into between-group and
    within-group parts, see :func:`theil_decomposition`.

    Parameters
    ----------
    values : pandas.Series or array-like
        Positive levels, e.g. GVA per hour, indexed by area code.
    weights : pandas.Series or array-like, optional
        Non-negative weights, matched by label for a Series. Integer weights give the same
        result as repeating each area that many times.

    Returns
    -------
    float

    Examples
    --------
    >>> round(theil([1.0, 3.0]), 6)  # 0.25 ln(0.5) + 0.75 ln(1.5)
    0.130812
    >>> theil([2.0, 2.0, 2.0])
    0.0
    """
    func = "theil"
    x, w, _ = _prepare(func, values, weights, strict=True, why="Theil's index takes logs")
    s, _, log_mean = _theil_parts(x, w)
    return float(s @ (np.log(x) - log_mean))


def _as_groups(func: str, groups, index: pd.Index | None, n: int) -> tuple[np.ndarray, pd.Index]:
    """Integer group codes per area and the group labels (sorted where possible)."""
    if groups is None or isinstance(groups, (str, bytes, numbers.Number)):
        raise _error(
            func,
            f"groups should give one group label per area, but got {groups!r}.",
            "pass a Series indexed by area code whose values are group labels (e.g. "
            "frame.set_index('itl_code')['itl1_code']), a dict {area: group}, or a function "
            "of the area label.",
        )
    if isinstance(groups, pd.DataFrame):
        raise _frame_error(func, groups, "groups")
    labels = index if index is not None else pd.RangeIndex(n)
    if isinstance(groups, pd.Series) and index is not None:
        raw = _align_to(func, groups, index, "values", "groups").to_numpy(dtype=object)
    elif isinstance(groups, Mapping):
        missing = [label for label in labels if label not in groups]
        if missing:
            raise _error(
                func,
                f"these areas have no group in the mapping: {_list(missing)}.",
                "add them to the mapping, or drop those areas from values.",
            )
        raw = np.array([groups[label] for label in labels], dtype=object)
    elif callable(groups):
        out = []
        for label in labels:
            try:
                out.append(groups(label))
            except Exception as exc:  # the student's function failed: say where
                raise _error(
                    func,
                    f"the groups function failed for area {_plain(label)!r} "
                    f"({type(exc).__name__}: {exc}).",
                    "make the function return a group label for every area in values.",
                ) from exc
        raw = np.array(out, dtype=object)
    else:
        raw = np.asarray(groups, dtype=object)
        if raw.ndim != 1 or raw.size != n:
            raise _error(
                func,
                f"groups has shape {raw.shape} but values has {n} areas.",
                "give one group label per area; best, a Series indexed by area code so they "
                "are matched by label.",
            )
    absent = pd.isna(raw)
    if absent.any():
        raise _error(
            func,
            f"these areas have no group (missing value): {_Where(index).name(absent)}.",
            "fill in their group, or drop those areas from values and groups.",
        )
    try:
        codes, uniques = pd.factorize(raw, sort=True)
    except TypeError:  # labels that cannot be sorted together
        codes, uniques = pd.factorize(raw)
    return codes, pd.Index(uniques, name="group")


@dataclass(frozen=True, eq=False)
class TheilDecomposition:
    """Theil's T split into a between-group part and a within-group part.

    ``total == between + within`` (to rounding error).

    Attributes
    ----------
    total : float
        Theil's T across all areas.
    between : float
        Inequality between group means: ``sum_g S_g * ln(mean_g / mean)``, where ``S_g`` is
        the group's share of the total (of ``w * y`` when weighted).
    within : float
        Inequality inside groups: ``sum_g S_g * T_g``.
    between_share : float
        ``between / total`` (NaN when total is 0, i.e. every area is equal).
    by_group : pandas.DataFrame
        One row per group (index ``group``) with columns ``n`` (areas), ``weight_share``
        (share of areas, or of the weights), ``share`` (``S_g``, share of the total),
        ``mean`` (group mean, weighted if weights were given), ``theil`` (``T_g``, the
        within-group Theil), ``between`` and ``within`` (the group's contributions; each
        column sums to the attribute of the same name).
    """

    total: float
    between: float
    within: float
    between_share: float
    by_group: pd.DataFrame

    @property
    def within_share(self) -> float:
        """``within / total``: the part of inequality found inside the groups."""
        return 1.0 - self.between_share


def theil_decomposition(values, groups, weights=None) -> TheilDecomposition:
    """Split Theil's T into inequality between groups and within groups.

    For example ITL3 areas grouped by their ITL1 region: *between* measures the gaps between
    the regions' means, *within* the gaps between areas of the same region. The two parts
    add up to :func:`theil` of all areas. Unweighted, the parts equal PySAL's
    ``inequality.theil.TheilD``.

    Parameters
    ----------
    values : pandas.Series or array-like
        Positive levels, e.g. GVA per hour, indexed by area code.
    groups : pandas.Series, mapping, callable or array-like
        The group of each area: a Series indexed like ``values`` (e.g. ITL3 code -> parent
        ``itl1_code``; both must cover the same areas), a dict ``{area: group}``, a function
        called with each area label (e.g. ``lambda code: code[:3]``), or a list in the order of
        ``values``.
    weights : pandas.Series or array-like, optional
        As in :func:`theil`: hours worked for per-hour productivity, population for per-head
        measures.

    Returns
    -------
    TheilDecomposition
        ``total``, ``between``, ``within``, ``between_share`` and a ``by_group`` table.

    Examples
    --------
    Two groups, each with two areas:

    >>> import pandas as pd
    >>> y = pd.Series({"a1": 1.0, "a2": 1.0, "b1": 3.0, "b2": 3.0})
    >>> d = theil_decomposition(y, {"a1": "A", "a2": "A", "b1": "B", "b2": "B"})
    >>> round(d.between, 6), round(d.within, 6), round(d.between_share, 6)
    (0.130812, 0.0, 1.0)
    >>> d.by_group[["n", "share", "theil"]]
           n  share  theil
    group
    A      2   0.25    0.0
    B      2   0.75    0.0
    """
    func = "theil_decomposition"
    x, w, index = _prepare(func, values, weights, strict=True, why="Theil's index takes logs")
    codes, uniques = _as_groups(func, groups, index, x.size)
    k = len(uniques)
    s, mean, log_mean = _theil_parts(x, w)
    log_x = np.log(x)
    ones = w is None
    weight = np.ones_like(x) if ones else w
    group_weight = np.bincount(codes, weights=weight, minlength=k)
    group_total = np.bincount(codes, weights=x if ones else weight * x, minlength=k)
    group_share = np.bincount(codes, weights=s, minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        group_mean = group_total / group_weight
        log_group_mean = np.log(group_mean)
        between_g = np.where(group_share > 0, group_share * (log_group_mean - log_mean), 0.0)
        within_i = np.where(s > 0, s * (log_x - log_group_mean[codes]), 0.0)
        within_g = np.bincount(codes, weights=within_i, minlength=k)
        theil_g = within_g / group_share
    total = float(s @ (log_x - log_mean))
    between = float(between_g.sum())
    within = float(within_g.sum())
    by_group = pd.DataFrame(
        {
            "n": np.bincount(codes, minlength=k),
            "weight_share": group_weight / group_weight.sum(),
            "share": group_share,
            "mean": group_mean,
            "theil": theil_g,
            "between": between_g,
            "within": within_g,
        },
        index=uniques,
    )
    share = between / total if total > 0 else float("nan")
    return TheilDecomposition(total, between, within, float(share), by_group)


def gini(values, weights=None) -> float:
    """Gini coefficient (0 = every area equal; towards 1 = one area has everything).

    The mean absolute difference between all pairs of areas divided by twice the mean:
    ``G = sum_i sum_j w_i w_j |y_i - y_j| / (2 * W**2 * mean)`` with ``W = sum(w)``.
    Unweighted (all ``w = 1``) this equals PySAL's ``inequality.gini.Gini`` (no small-sample
    correction). Computed by sorting, in O(n log n).

    Parameters
    ----------
    values : pandas.Series or array-like
        Non-negative levels, e.g. GVA per hour, indexed by area code.
    weights : pandas.Series or array-like, optional
        Hours worked for per-hour productivity, population for per-head measures. Integer
        weights give the same result as repeating each area that many times.

    Returns
    -------
    float

    Examples
    --------
    >>> gini([1.0, 3.0])  # |1 - 3| * 2 pairs / (2 * 2**2 * 2)
    0.25
    >>> round(gini([1.0, 3.0], weights=[1, 3]), 6)  # as gini([1, 3, 3, 3]): 12 / (2 * 16 * 2.5)
    0.15
    """
    func = "gini"
    x, w, _ = _prepare(func, values, weights, strict=False, why="the Gini coefficient needs levels")
    order = np.argsort(x, kind="stable")
    xs = x[order]
    if w is None:
        n = xs.size
        # sum_i (2i - 1) x_(i) / (n * sum x) - 1, with i = 1..n in ascending order
        return float(((2.0 * np.arange(1, n + 1) - 1.0) @ xs) / (n * xs.sum()) - 1.0)
    ws = w[order]
    if not (ws @ xs) > 0:
        raise _error(
            func,
            "every area with a positive weight has the value 0, so the Gini is undefined.",
            "check the values and the weights.",
        )
    upto = np.cumsum(ws)  # weight up to and including each area
    before = upto - ws
    total_w = upto[-1]
    wx = ws * xs
    # each area stands for a block of equal values at cumulative positions before..upto
    return float((wx @ (before + upto)) / (total_w * wx.sum()) - 1.0)


def max_min_ratio(values) -> float:
    """The highest value divided by the lowest (e.g. the most over the least productive area).

    It depends strongly on the geography level: the smaller the areas, the more extreme the
    ends (compare ITL1, ITL2 and ITL3 before comparing countries).

    Parameters
    ----------
    values : pandas.Series or array-like
        Positive levels.

    Returns
    -------
    float

    Examples
    --------
    >>> round(max_min_ratio([31.9, 51.5, 38.7]), 3)
    1.614
    """
    func = "max_min_ratio"
    x, _, _ = _prepare(func, values, None, strict=True, why="a ratio needs positive numbers")
    return float(x.max() / x.min())


def percentile_ratio(values, upper=90, lower=10) -> float:
    """Ratio of two percentiles, by default p90 / p10.

    Less sensitive to one extreme area (such as the City of London) than
    :func:`max_min_ratio`. Percentiles use numpy's default *linear interpolation* between
    the sorted values (``numpy.percentile(values, q, method="linear")``), so with few areas
    they fall between two areas' values.

    Parameters
    ----------
    values : pandas.Series or array-like
        Positive levels.
    upper, lower : float
        Percentiles between 0 and 100, with ``lower < upper``.

    Returns
    -------
    float

    Examples
    --------
    >>> percentile_ratio([10.0, 20.0, 30.0, 40.0, 50.0])  # p90 = 46, p10 = 14
    3.2857142857142856
    >>> percentile_ratio([10.0, 20.0, 30.0, 40.0, 50.0], upper=100, lower=0)
    5.0
    """
    func = "percentile_ratio"
    for name, q in (("upper", upper), ("lower", lower)):
        if not isinstance(q, numbers.Real) or isinstance(q, (bool, np.bool_)) or not 0 <= q <= 100:
            raise _error(
                func,
                f"{name} must be a percentile between 0 and 100, but it is {q!r}.",
                "use numbers such as upper=90, lower=10 (p90/p10) or upper=80, lower=20.",
            )
    if not lower < upper:
        raise _error(
            func,
            f"lower ({lower!r}) must be below upper ({upper!r}).",
            "swap them, e.g. percentile_ratio(values, upper=90, lower=10).",
        )
    x, _, _ = _prepare(func, values, None, strict=True, why="a ratio needs positive numbers")
    hi, lo = np.percentile(x, [upper, lower], method="linear")
    return float(hi / lo)


def rank(values, ascending=False) -> pd.Series:
    """Integer ranks, 1 = highest (or 1 = lowest with ``ascending=True``).

    Ties share the best rank and the next rank is skipped ("1, 2, 2, 4"), like pandas'
    ``rank(method="min")``.

    Parameters
    ----------
    values : pandas.Series or array-like
        Numbers, indexed by area code.
    ascending : bool
        False (default): the highest value is ranked 1.

    Returns
    -------
    pandas.Series
        ``int64`` ranks named ``rank``, same labels as ``values``.

    Examples
    --------
    >>> import pandas as pd
    >>> rank(pd.Series({"TLC": 31.9, "TLI": 51.5, "TLJ": 42.5, "TLM": 42.5}))
    TLC    4
    TLI    1
    TLJ    2
    TLM    2
    Name: rank, dtype: int64
    """
    func = "rank"
    x, index = _as_values(func, values)
    _check_not_empty(func, x)
    ordered = np.sort(x)
    if ascending:
        ranks = np.searchsorted(ordered, x, side="left") + 1
    else:
        ranks = x.size - np.searchsorted(ordered, x, side="right") + 1
    return _series(ranks.astype(np.int64), index, "rank")


# ---------------------------------------------------------------------------------------------
# Convergence
# ---------------------------------------------------------------------------------------------


def _column(func: str, frame: pd.DataFrame, column, role: str) -> pd.Series:
    if isinstance(column, (pd.Series, pd.DataFrame, np.ndarray, list, tuple)):
        raise _error(
            func,
            f"{role}= should be the name of a column of the table, not {article(type(column).__name__)}.",
            f"add the numbers to the table as a column and pass its name, e.g. "
            f"frame.assign(hours=...) and {role}='hours'.",
            options_text("", frame.columns),
        )
    try:
        present = column in frame.columns
    except TypeError:  # an unhashable name such as a list
        present = False
    if not present:
        raise _error(
            func,
            f"the table has no column {column!r} (given as {role}=).",
            f"pass {role}= the name of one of the columns above.",
            options_text(column, frame.columns),
        )
    return frame[column]


def sigma_convergence(
    frame: pd.DataFrame,
    value: str,
    *,
    year: str = "year",
    area: str = "itl_code",
    weights: str | None = None,
    balanced: bool = True,
) -> pd.DataFrame:
    """Dispersion across areas, year by year (sigma convergence means it falls over time).

    Parameters
    ----------
    frame : pandas.DataFrame
        A long table with one row per area and year, e.g. ``course.load("gva_per_hour",
        level="ITL3")``. Keep one geography level and leave out the UK comparator row.
    value : str
        The column to measure, e.g. ``"gva_per_hour"``; positive numbers.
    year, area : str
        Names of the year and area-code columns.
    weights : str, optional
        Name of a weight column in ``frame``: hours worked for per-hour productivity,
        population for per-head measures. Leave out for "areas, unweighted".
    balanced : bool
        True (default): every year must have the same set of areas, otherwise a change in
        dispersion could just be a change in which places are counted. Pass False to allow
        an unbalanced panel (``n`` then varies by year).

    Returns
    -------
    pandas.DataFrame
        Indexed by year (sorted), with columns ``n`` (areas), ``cv`` (coefficient of
        variation, population sd / mean) and ``sd_log`` (population standard deviation of the
        natural logs), weighted if ``weights`` is given.

    Notes
    -----
    Make no trend claim from 2020-21 in productivity data: hours fell more than output in
    the pandemic.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "itl_code": ["A", "B", "A", "B"],
    ...     "year": [2004, 2004, 2019, 2019],
    ...     "gva_per_hour": [10.0, 30.0, 15.0, 25.0],
    ... })
    >>> sigma_convergence(panel, "gva_per_hour").round(4)
          n    cv  sd_log
    year
    2004  2  0.50  0.5493
    2019  2  0.25  0.2554
    """
    func = "sigma_convergence"
    if not isinstance(frame, pd.DataFrame):
        raise _error(
            func,
            f"frame should be a long table (a DataFrame with one row per area and year), but "
            f"it is {article(type(frame).__name__)}.",
            "pass the whole table and name its columns, e.g. "
            "sigma_convergence(frame, 'gva_per_hour', year='year', area='itl_code').",
        )
    value_col = _column(func, frame, value, "value")
    year_col = _column(func, frame, year, "year")
    area_col = _column(func, frame, area, "area")
    weight_col = None if weights is None else _column(func, frame, weights, "weights")
    if len(frame) == 0:
        raise _error(
            func,
            "the table is empty, so there is nothing to measure.",
            "check the filter that selected the rows (level, years).",
        )
    years_raw = year_col.to_numpy()
    areas_raw = area_col.to_numpy()

    def row_labels(positions):
        return [f"{_plain(areas_raw[i])} in {_plain(years_raw[i])}" for i in positions]

    where = _Where(frame_labels=row_labels)
    for raw, role, column in ((years_raw, "year", year), (areas_raw, "area", area)):
        absent = pd.isna(raw)
        if absent.any():
            raise _error(
                func,
                f"the {role} column {column!r} has missing entries (rows "
                f"{_list(np.flatnonzero(absent))}).",
                f"drop those rows, e.g. frame.dropna(subset=[{column!r}]).",
            )
    x = _numbers(func, value_col, f"the column {value!r}", where)
    _require_positive(
        func, x, f"the column {value!r}", where, "sd_log takes logs and the CV needs levels"
    )
    w = None
    if weight_col is not None:
        w = _numbers(func, weight_col, f"the weight column {weights!r}", where)
        _require_nonnegative(
            func,
            w,
            f"the weight column {weights!r}",
            where,
            "weights say how much areas count",
            _WEIGHT_FIX,
        )

    year_codes, year_values = pd.factorize(years_raw, sort=True)
    area_codes, area_values = pd.factorize(areas_raw, sort=True)
    ny, na = len(year_values), len(area_values)
    cells = np.bincount(year_codes * na + area_codes, minlength=ny * na).reshape(ny, na)
    if (cells > 1).any():
        yi, ai = np.nonzero(cells > 1)
        pairs = [
            f"{_plain(area_values[a])} in {_plain(year_values[y])}"
            for y, a in zip(yi, ai, strict=True)
        ]
        raise _error(
            func,
            f"some areas appear more than once in a year: {_list(pairs)}.",
            "keep one row per area and year: filter to one geography level and one measure "
            f"first (check frame[{area!r}].value_counts()).",
        )
    if balanced and not (cells == 1).all():
        lines = []
        for y in np.flatnonzero((cells == 0).any(axis=1)):
            absent_areas = area_values[cells[y] == 0]
            lines.append(f"{_plain(year_values[y])}: {_list(absent_areas, 5)}")
        shown = "; ".join(lines[:6]) + (
            f"; and {len(lines) - 6} more years" if len(lines) > 6 else ""
        )
        raise _error(
            func,
            "the set of areas changes between years, so the measure would compare different "
            f"places each year. Missing areas by year: {shown}.",
            "keep only the areas present in every year (and say so), or pass balanced=False "
            "if comparing different sets of areas is what you want.",
        )

    n = np.bincount(year_codes, minlength=ny)
    weight = np.ones_like(x) if w is None else w
    weight_sum = np.bincount(year_codes, weights=weight, minlength=ny)
    if not (weight_sum > 0).all():
        empty = year_values[weight_sum <= 0]
        raise _error(
            func,
            f"the weights add up to zero in {_list(empty)}.",
            "check the weight column for those years.",
        )

    def spread(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mean = np.bincount(year_codes, weights=weight * v, minlength=ny) / weight_sum
        dev = v - mean[year_codes]
        var = np.bincount(year_codes, weights=weight * dev * dev, minlength=ny) / weight_sum
        return mean, np.sqrt(var)

    mean, sd = spread(x)
    _, sd_log = spread(np.log(x))
    return pd.DataFrame(
        {"n": n.astype(np.int64), "cv": sd / mean, "sd_log": sd_log},
        index=pd.Index(year_values, name=year),
    )


@dataclass(frozen=True, eq=False)
class BetaConvergence:
    """Result of :func:`beta_convergence`.

    Attributes
    ----------
    slope : float
        OLS slope of average annual log growth on the initial log level (beta). Negative:
        areas that started lower grew faster.
    intercept : float
        OLS intercept.
    r_squared : float
        Share of the variance in growth explained by the initial level (NaN if every area
        grew at the same rate).
    n : int
        Number of areas.
    annual_growth : pandas.Series
        Each area's average annual log growth, ``(ln(final) - ln(initial)) / periods``
        (0.02 is about 2% a year).
    """

    slope: float
    intercept: float
    r_squared: float
    n: int
    annual_growth: pd.Series


def beta_convergence(initial, final, periods) -> BetaConvergence:
    """Beta convergence: do areas that start lower grow faster?

    Fits, by ordinary least squares, ``growth_i = intercept + slope * ln(initial_i)``, with
    ``growth_i = (ln(final_i) - ln(initial_i)) / periods`` the average annual log growth.

    .. warning::
       **Galton's fallacy.** A negative slope does *not* show that areas are becoming more
       alike. Regression to the mean (a year of luck or measurement noise in the start year)
       produces a negative slope even when the spread across areas stays the same or widens.
       Check the spread directly with :func:`sigma_convergence`. With nominal GVA per hour,
       also avoid end years in 2020-21 (pandemic hours).

    Parameters
    ----------
    initial, final : pandas.Series or array-like
        Positive levels in the start and end year (e.g. GVA per hour in 2004 and 2019). Two
        Series are matched by area label and must cover the same areas.
    periods : float
        Years between them (15 for 2004 to 2019).

    Returns
    -------
    BetaConvergence
        ``slope``, ``intercept``, ``r_squared``, ``n`` and ``annual_growth`` (a Series).

    Examples
    --------
    >>> import pandas as pd
    >>> start = pd.Series({"A": 10.0, "B": 20.0, "C": 40.0})
    >>> end = pd.Series({"A": 20.0, "B": 40.0, "C": 80.0})  # everyone doubles
    >>> fit = beta_convergence(start, end, periods=10)
    >>> round(fit.slope, 12), round(fit.intercept, 6), fit.n
    (0.0, 0.069315, 3)
    """
    func = "beta_convergence"
    x0, x1, index = _paired(
        func, initial, final, "initial", "final",
        "give one start and one end value per area; best, two Series indexed by area code.",
    )
    if (
        not isinstance(periods, numbers.Real)
        or isinstance(periods, (bool, np.bool_))
        or not (np.isfinite(periods) and periods > 0)
    ):
        raise _error(
            func,
            f"periods must be a positive number of years, but it is {periods!r}.",
            "pass the years between start and end, e.g. periods=2019 - 2004.",
        )
    if x0.size < 3:
        raise _error(
            func,
            f"a regression needs at least 3 areas, but got {x0.size}.",
            "pass the values for all the areas at one geography level.",
        )
    where = _Where(index)
    _require_positive(func, x0, "initial", where, "growth rates take logs")
    _require_positive(func, x1, "final", where, "growth rates take logs")
    level = np.log(x0)
    growth = (np.log(x1) - level) / float(periods)
    level_dev = level - level.mean()
    sxx = level_dev @ level_dev
    if not sxx > 0:
        raise _error(
            func,
            "every area has the same initial value, so there is no slope to estimate.",
            "check that initial holds the start-year values of different areas.",
        )
    growth_mean = growth.mean()
    growth_dev = growth - growth_mean
    slope = (level_dev @ growth_dev) / sxx
    intercept = growth_mean - slope * level.mean()
    ss_tot = growth_dev @ growth_dev
    resid = growth_dev - slope * level_dev
    r_squared = 1.0 - (resid @ resid) / ss_tot if ss_tot > 0 else float("nan")
    return BetaConvergence(
        slope=float(slope),
        intercept=float(intercept),
        r_squared=float(r_squared),
        n=int(x0.size),
        annual_growth=_series(growth, index, "annual_growth"),
    )


# ---------------------------------------------------------------------------------------------
# Derived figures
# ---------------------------------------------------------------------------------------------


def derived_hours(gva, gva_per_hour) -> pd.Series:
    """Hours worked derived as GVA / GVA per hour (a **derived** figure: label it so).

    Use it to weight per-hour productivity by hours. Both inputs must come from the **same
    ONS release (vintage)** and the same price basis: ONS revises back years in every
    edition, and mixing editions gives hours that were never published. The units follow
    the inputs: GVA in £ million over GVA per hour in £ gives millions of hours. Because
    published per-hour figures are rounded (to 0.1 £), derived hours carry a small rounding
    error.

    Parameters
    ----------
    gva : pandas.Series or array-like
        GVA (balanced, current prices), indexed by area code.
    gva_per_hour : pandas.Series or array-like
        GVA per hour worked for the same areas, year and vintage. Two Series are matched
        by label and must cover the same areas.

    Returns
    -------
    pandas.Series
        Derived hours worked, named ``hours``.

    Examples
    --------
    >>> import pandas as pd
    >>> gva = pd.Series({"TLC": 60_000.0, "TLI": 500_000.0})  # £ million (illustrative)
    >>> derived_hours(gva, pd.Series({"TLI": 50.0, "TLC": 30.0}))  # millions of hours
    TLC     2000.0
    TLI    10000.0
    Name: hours, dtype: float64
    """
    func = "derived_hours"
    x, index = _as_values(func, gva, "gva")
    _check_not_empty(func, x, "gva")
    per_hour = _matched(func, gva_per_hour, index, x.size, "gva", "gva_per_hour",
                        "give both for the same areas; best, two Series indexed by area code.")
    where = _Where(index)
    _require_positive(func, x, "gva", where, "hours = GVA / GVA per hour needs positive GVA")
    _require_positive(
        func, per_hour, "gva_per_hour", where, "hours = GVA / GVA per hour divides by it"
    )
    return _series(x / per_hour, index, "hours")
