"""Did a place-based policy work? Difference-in-differences and its checks (lesson 09).

The measures here answer one question in several honest ways: did the areas that got a policy
(the *treated* areas) change differently from comparable areas that did not?

* :func:`area_changes` turns a panel (one row per area and year) into one number per area: the
  mean of the outcome after the start year minus its mean before (in logs, so 0.05 is about 5%).
* :func:`difference_in_differences` compares the treated areas' mean change with the comparison
  areas' mean change: the naive two-group, two-period estimate.
* :func:`group_trends` gives each group's mean outcome by year, for the parallel-trends chart
  that must come before any estimate.
* :func:`placebo_years` re-runs the estimate with start years when nothing happened.
* :func:`permutation_test` asks how often an arbitrary set of the same number of areas would
  show a difference as large: exact enumeration when that is small enough, else seeded random
  draws. :func:`permutation_correlation` does the same for a correlation across a few regions.
* :func:`bootstrap` and :func:`bootstrap_difference` resample areas for a percentile interval.

None of this makes a causal finding out of observational data. Places are not chosen for a
policy at random, so the comparison areas stand in for what would have happened only if the two
groups would have moved in parallel without the policy: an assumption the data can make
plausible (parallel trends before, placebo years near zero) but never prove.

Examples
--------
>>> import pandas as pd
>>> panel = pd.DataFrame({
...     "itl_code": ["A"] * 4 + ["B"] * 4 + ["C"] * 4,
...     "year": [2015, 2016, 2017, 2018] * 3,
...     "gva_per_hour": [10.0, 10.0, 11.0, 11.0, 20.0, 20.0, 20.0, 20.0, 30.0, 30.0, 30.0, 30.0],
... })
>>> result = difference_in_differences(panel, "gva_per_hour", treated=["A"], start=2017, log=False)
>>> result.estimate
1.0
>>> result.n_treated, result.n_comparison
(1, 2)
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from course.measures._validate import _as_values, _error, _list, _paired

__all__ = [
    "BootstrapResult",
    "DiDResult",
    "PermutationResult",
    "area_changes",
    "bootstrap",
    "bootstrap_difference",
    "difference_in_differences",
    "group_trends",
    "permutation_correlation",
    "permutation_test",
    "placebo_years",
]

#: Above this many possible assignments, :func:`permutation_test` draws at random instead.
MAX_EXACT = 200_000
ALTERNATIVES = ("two-sided", "greater", "less")


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiDResult:
    """A naive difference-in-differences estimate and the numbers behind it.

    ``estimate`` = (treated after - treated before) - (comparison after - comparison before),
    each a mean over areas of the area's own mean over the years in the period. With
    ``log=True`` the outcome is the natural log, so ``100 * estimate`` is roughly a % difference.
    """

    estimate: float
    treated_change: float
    comparison_change: float
    n_treated: int
    n_comparison: int
    changes: pd.Series
    treated: tuple

    def summary(self) -> str:
        return (f"difference-in-differences {self.estimate:+.4f} = treated change "
                f"{self.treated_change:+.4f} ({self.n_treated} areas) - comparison change "
                f"{self.comparison_change:+.4f} ({self.n_comparison} areas)")


@dataclass(frozen=True)
class PermutationResult:
    """A permutation test of a difference in means (or a correlation).

    ``distribution`` holds the statistic for every assignment considered (exact) or drawn
    (random); ``p_value`` is the share of them at least as extreme as ``estimate`` (random
    draws count the observed assignment too: (1 + hits) / (1 + draws)).
    """

    estimate: float
    p_value: float
    distribution: np.ndarray
    exact: bool
    alternative: str

    @property
    def n(self) -> int:
        return int(self.distribution.size)


@dataclass(frozen=True)
class BootstrapResult:
    """A percentile bootstrap: the statistic, its interval and every resampled value."""

    estimate: float
    ci_low: float
    ci_high: float
    distribution: np.ndarray
    confidence: float


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------


def _year(func: str, value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _error(func, f"{name} should be a year such as 2017, not {value!r}.",
                     f"pass a whole number, e.g. {name}=2017.")
    return int(value)


def _columns(func: str, frame, needed: dict[str, str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise _error(func, f"the panel should be a pandas DataFrame with one row per area and "
                     f"year, not a {type(frame).__name__}.",
                     "pass the loaded table, e.g. course.load('gva_per_hour', level='ITL3').")
    for role, column in needed.items():
        if column not in frame.columns:
            raise _error(func, f"the panel has no column {column!r} (the {role} column).",
                         f"name the right column with {role}=..., or pick another table.",
                         f"Columns: {_list([str(c) for c in frame.columns], 12)}.")


def _labels(func: str, arg, name: str) -> list:
    if isinstance(arg, str):
        return [arg]
    if isinstance(arg, pd.Series) and pd.api.types.is_bool_dtype(arg.dtype):
        return list(arg.index[arg.to_numpy()])
    if isinstance(arg, Iterable):
        return list(arg)
    raise _error(func, f"{name} should be a list of area codes, not {arg!r}.",
                 f"pass e.g. {name}=['TLD33', 'TLD34'].")


def _split(func: str, changes, treated) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Per-area values and a True/False treated mask over them (both groups non-empty)."""
    if not isinstance(changes, pd.Series):
        raise _error(func, "changes should be a pandas Series indexed by area code (one "
                     f"number per area), not a {type(changes).__name__}.",
                     "build it with measures.area_changes(...) or set_index('itl_code').")
    x, index = _as_values(func, changes, "changes")
    wanted = _labels(func, treated, "treated")
    missing = [t for t in wanted if t not in index]
    if missing:
        raise _error(func, f"treated names areas that are not in changes: {_list(missing)}.",
                     "treated areas must be among the areas of changes; check the codes "
                     "and the comparison group you built.",
                     f"Areas in changes include {_list(list(index), 6)}.")
    mask = index.isin(wanted)
    if mask.all() or not mask.any():
        raise _error(func, f"there are {int(mask.sum())} treated and {int((~mask).sum())} "
                     "comparison areas; a difference needs at least one of each.",
                     "pass changes for the treated AND the comparison areas, and a non-empty "
                     "treated list.")
    return x, np.asarray(mask, dtype=bool), index


def _seed(func: str, seed) -> np.random.Generator:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise _error(func, f"seed should be a whole number, not {seed!r}.",
                     "pass e.g. seed=2017, so that the random draws can be repeated.")
    return np.random.default_rng(int(seed))


def _count(func: str, value, name: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise _error(func, f"{name} should be a whole number of at least {low}, not {value!r}.",
                     f"pass e.g. {name}=9999.")
    return int(value)


def _alternative(func: str, alternative) -> str:
    if alternative not in ALTERNATIVES:
        raise _error(func, f"alternative {alternative!r} is not one of the choices.",
                     "pass 'two-sided' (either direction), 'greater' or 'less'.",
                     f"Choices: {_list(list(ALTERNATIVES))}.")
    return alternative


def _p_value(null: np.ndarray, observed: float, alternative: str, exact: bool) -> float:
    tol = 1e-12 * max(1.0, abs(observed))
    if alternative == "two-sided":
        hits = np.abs(null) >= abs(observed) - tol
    elif alternative == "greater":
        hits = null >= observed - tol
    else:
        hits = null <= observed + tol
    if exact:
        return float(hits.mean())
    return float((1 + hits.sum()) / (1 + null.size))


# ---------------------------------------------------------------------------------------------
# Difference-in-differences
# ---------------------------------------------------------------------------------------------


def area_changes(frame: pd.DataFrame, value: str, start: int, *, first_year: int | None = None,
                 last_year: int | None = None, area: str = "itl_code", year: str = "year",
                 log: bool = True) -> pd.Series:
    """Each area's mean outcome from ``start`` to ``last_year`` minus its mean before ``start``.

    Parameters
    ----------
    frame : DataFrame
        A panel with one row per area and year (e.g. ``course.load("gva_per_hour")`` filtered
        to ITL3).
    value : str
        The outcome column, e.g. ``"gva_per_hour"``.
    start : int
        The first year counted as "after" (a policy starting in May 2017: 2017).
    first_year, last_year : int, optional
        The first "before" year and the last "after" year (default: the panel's own range).
    area, year : str
        The columns naming the area and the year.
    log : bool
        Use the natural log of the outcome (default), so a change of 0.05 is about 5%.

    Returns
    -------
    Series
        One change per area, indexed by area code, named ``"change"``.

    Every area must have every year from ``first_year`` to ``last_year`` (a balanced panel);
    otherwise the error names the areas with gaps.

    Examples
    --------
    >>> panel = pd.DataFrame({"itl_code": ["A", "A", "A", "B", "B", "B"],
    ...                       "year": [2016, 2017, 2018] * 2,
    ...                       "gva_per_hour": [10.0, 12.0, 14.0, 5.0, 5.0, 8.0]})
    >>> area_changes(panel, "gva_per_hour", 2017, log=False).to_dict()
    {'A': 3.0, 'B': 1.5}
    """
    func = "area_changes"
    _columns(func, frame, {"value": value, "area": area, "year": year})
    start = _year(func, start, "start")
    years = frame[year]
    first = _year(func, first_year, "first_year") if first_year is not None else int(years.min())
    last = _year(func, last_year, "last_year") if last_year is not None else int(years.max())
    if not first < start <= last:
        raise _error(func, f"the years do not make a before and an after: first_year={first}, "
                     f"start={start}, last_year={last}.",
                     "choose first_year < start <= last_year, e.g. first_year=2004, "
                     "start=2017, last_year=2019.")
    window = frame[(years >= first) & (years <= last)]
    if window.empty:
        raise _error(func, f"the panel has no rows from {first} to {last}.",
                     f"the panel covers {int(years.min())} to {int(years.max())}.")
    repeated = window.duplicated([area, year], keep=False)
    years_per_area = window.groupby(area, sort=False)[year].nunique()
    bad = sorted(set(years_per_area.index[years_per_area != last - first + 1])
                 | set(window.loc[repeated, area]), key=str)
    if bad:
        raise _error(func, f"the panel is not balanced: {_list(list(bad))} do not have exactly "
                     f"one value in every year from {first} to {last}.",
                     "filter to one geography level (e.g. itl_level == 'ITL3') and drop areas "
                     "with missing years, saying which.")
    wide = window.pivot(index=area, columns=year, values=value)
    numbers_ = wide.to_numpy(dtype=np.float64)
    if log:
        if (numbers_ <= 0).any():
            raise _error(func, "a log needs positive values, but the outcome has zero or "
                         "negative values.", "pass log=False, or an outcome in levels.")
        numbers_ = np.log(numbers_)
    cols = np.asarray(wide.columns, dtype=int)
    after = numbers_[:, cols >= start].mean(axis=1)
    before = numbers_[:, cols < start].mean(axis=1)
    return pd.Series(after - before, index=wide.index, name="change")


def difference_in_differences(frame: pd.DataFrame, value: str, treated, start: int, *,
                              comparison=None, first_year: int | None = None,
                              last_year: int | None = None, area: str = "itl_code",
                              year: str = "year", log: bool = True) -> DiDResult:
    """The naive two-group difference-in-differences of ``value`` around ``start``.

    Parameters
    ----------
    frame, value, start, first_year, last_year, area, year, log
        As in :func:`area_changes`.
    treated : list of str
        Codes of the areas that got the policy.
    comparison : list of str, optional
        Codes of the comparison areas (default: every other area in ``frame``).

    Returns
    -------
    DiDResult

    Examples
    --------
    >>> panel = pd.DataFrame({"itl_code": ["A", "A", "B", "B", "C", "C"],
    ...                       "year": [2016, 2017] * 3,
    ...                       "gva_per_hour": [10.0, 13.0, 10.0, 11.0, 20.0, 21.0]})
    >>> difference_in_differences(panel, "gva_per_hour", ["A"], 2017, log=False).estimate
    2.0
    """
    func = "difference_in_differences"
    _columns(func, frame, {"value": value, "area": area, "year": year})
    treated_list = _labels(func, treated, "treated")
    if comparison is not None:
        comparison_list = _labels(func, comparison, "comparison")
        both = sorted(set(treated_list) & set(comparison_list), key=str)
        if both:
            raise _error(func, f"{_list(both)} are in both treated and comparison.",
                         "an area is either treated or a comparison area: remove it from one.")
        frame = frame[frame[area].isin(treated_list + comparison_list)]
        missing = [c for c in comparison_list if c not in set(frame[area])]
        if missing:
            raise _error(func, f"comparison names areas with no rows in the panel: "
                         f"{_list(missing)}.", "check the codes and the level you filtered.")
    changes = area_changes(frame, value, start, first_year=first_year, last_year=last_year,
                           area=area, year=year, log=log)
    x, mask, index = _split(func, changes, treated_list)
    t_change = float(x[mask].mean())
    c_change = float(x[~mask].mean())
    return DiDResult(estimate=t_change - c_change, treated_change=t_change,
                     comparison_change=c_change, n_treated=int(mask.sum()),
                     n_comparison=int((~mask).sum()), changes=changes,
                     treated=tuple(index[mask]))


def group_trends(frame: pd.DataFrame, value: str, treated, *, comparison=None,
                 base_year: int | None = None, area: str = "itl_code", year: str = "year",
                 log: bool = True, labels: tuple[str, str] = ("treated", "comparison"),
                 difference: str | None = None) -> pd.DataFrame:
    """Each group's mean outcome by year, for a parallel-trends chart.

    With ``base_year`` each group's mean is shown relative to its own value that year (in logs:
    ``100 * (mean log - mean log in base_year)``, roughly % growth since then).

    With ``difference`` (a label, e.g. ``"gap"``) the rows of treated minus comparison are added
    under that group name: parallel trends mean a flat line before the start.

    Returns
    -------
    DataFrame
        Columns ``year``, ``group`` and ``value`` (long format, ready for a line chart).

    Examples
    --------
    >>> panel = pd.DataFrame({"itl_code": ["A", "A", "B", "B"], "year": [2016, 2017] * 2,
    ...                       "gva_per_hour": [10.0, 12.0, 20.0, 21.0]})
    >>> group_trends(panel, "gva_per_hour", ["A"], base_year=2016, log=False)["value"].tolist()
    [0.0, 2.0, 0.0, 1.0]
    >>> trends = group_trends(panel, "gva_per_hour", ["A"], base_year=2016, log=False,
    ...                       difference="gap")
    >>> trends[trends["group"] == "gap"]["value"].tolist()
    [0.0, 1.0]
    """
    func = "group_trends"
    _columns(func, frame, {"value": value, "area": area, "year": year})
    treated_list = _labels(func, treated, "treated")
    in_treated = frame[area].isin(treated_list)
    if comparison is None:
        in_comparison = ~in_treated
    else:
        in_comparison = frame[area].isin(_labels(func, comparison, "comparison")) & ~in_treated
    if not in_treated.any() or not in_comparison.any():
        raise _error(func, "one of the groups has no rows in the panel.",
                     "check the treated and comparison codes against the panel's areas.")
    y = frame[value].astype(float)
    if log:
        if (y <= 0).any():
            raise _error(func, "a log needs positive values.", "pass log=False.")
        y = np.log(y)
    keep = (in_treated | in_comparison).to_numpy()
    means = y[keep].groupby([in_treated.to_numpy()[keep], frame[year].to_numpy()[keep]]).mean()
    parts = {labels[0]: means.xs(True, level=0), labels[1]: means.xs(False, level=0)}
    rows = []
    for name, series in parts.items():
        if base_year is not None:
            base = _year(func, base_year, "base_year")
            if base not in series.index:
                raise _error(func, f"base_year {base} is not in the panel.",
                             f"choose a year from {int(series.index.min())} to "
                             f"{int(series.index.max())}.")
            series = (series - series[base]) * (100.0 if log else 1.0)
        parts[name] = series
        rows.append(pd.DataFrame({"year": series.index.astype(int), "group": name,
                                  "value": series.to_numpy(dtype=float)}))
    if difference is not None:
        gap = (parts[labels[0]] - parts[labels[1]]).dropna()
        rows.append(pd.DataFrame({"year": gap.index.astype(int), "group": difference,
                                  "value": gap.to_numpy(dtype=float)}))
    return pd.concat(rows, ignore_index=True)


def placebo_years(frame: pd.DataFrame, value: str, treated, starts: Iterable[int], *,
                  comparison=None, first_year: int | None = None, post_years: int = 3,
                  area: str = "itl_code", year: str = "year", log: bool = True) -> pd.Series:
    """The difference-in-differences for pretend start years (placebos).

    Each placebo start ``s`` compares the years before ``s`` with ``s`` to ``s + post_years - 1``.
    Use only years before the real start, so no placebo window contains the real policy: if the
    placebo estimates are as large as the real one, the real one is not remarkable.

    Returns
    -------
    Series
        One estimate per placebo start year, indexed by year, named ``"placebo"``.

    Examples
    --------
    >>> panel = pd.DataFrame({"itl_code": ["A"] * 4 + ["B"] * 4, "year": [2010, 2011, 2012, 2013] * 2,
    ...                       "gva_per_hour": [1.0, 2.0, 3.0, 4.0, 1.0, 1.0, 1.0, 1.0]})
    >>> placebo_years(panel, "gva_per_hour", ["A"], [2011, 2012], post_years=1, log=False).tolist()
    [1.0, 1.5]
    """
    func = "placebo_years"
    post = _count(func, post_years, "post_years")
    out = {}
    for s in starts:
        s = _year(func, s, "starts")
        out[s] = difference_in_differences(frame, value, treated, s, comparison=comparison,
                                           first_year=first_year, last_year=s + post - 1,
                                           area=area, year=year, log=log).estimate
    if not out:
        raise _error(func, "starts is empty.", "pass a list of years, e.g. range(2008, 2015).")
    return pd.Series(out, name="placebo").rename_axis("start")


# ---------------------------------------------------------------------------------------------
# Inference by permutation and by bootstrap
# ---------------------------------------------------------------------------------------------


def permutation_test(changes: pd.Series, treated, *, n_permutations: int | None = None,
                     seed: int = 0, alternative: str = "two-sided") -> PermutationResult:
    """How unusual is the treated areas' difference among all ways to pick as many areas?

    The statistic is mean(changes of treated) - mean(changes of the others). Under the null
    that the policy made no difference to any area, which areas were "treated" is just a label:
    every set of the same size was as likely to show the observed difference.

    Parameters
    ----------
    changes : Series
        One number per area (treated and comparison), e.g. from :func:`area_changes`.
    treated : list of str
        The treated areas' codes.
    n_permutations : int, optional
        ``None`` (default): every possible assignment when there are at most 200,000, else
        9,999 random ones. A number: that many random assignments.
    seed : int
        Seed for the random assignments (the result repeats exactly with the same seed).
    alternative : {"two-sided", "greater", "less"}
        Count assignments with ``|d| >= |observed|``, ``d >= observed`` or ``d <= observed``.

    Returns
    -------
    PermutationResult

    Examples
    --------
    >>> changes = pd.Series({"a": 3.0, "b": 2.0, "c": 1.0, "d": 0.0})
    >>> result = permutation_test(changes, ["a", "b"], alternative="greater")
    >>> result.estimate, result.p_value, result.exact
    (2.0, 0.16666666666666666, True)
    """
    func = "permutation_test"
    x, mask, _ = _split(func, changes, treated)
    alternative = _alternative(func, alternative)
    n, k = x.size, int(mask.sum())
    observed = float(x[mask].mean() - x[~mask].mean())
    total = x.sum()
    exact = n_permutations is None and math.comb(n, k) <= MAX_EXACT
    if exact:
        sums = np.fromiter((x[list(c)].sum() for c in itertools.combinations(range(n), k)),
                           dtype=np.float64, count=math.comb(n, k))
    else:
        draws = 9_999 if n_permutations is None else _count(func, n_permutations,
                                                            "n_permutations")
        rng = _seed(func, seed)
        # each row: the k areas with the smallest of n uniform draws, a random set of k areas
        picks = np.argpartition(rng.random((draws, n)), k - 1, axis=1)[:, :k]
        sums = x[picks].sum(axis=1)
    null = sums / k - (total - sums) / (n - k)
    return PermutationResult(estimate=observed, p_value=_p_value(null, observed, alternative,
                                                                 exact),
                             distribution=null, exact=exact, alternative=alternative)


def permutation_correlation(x, y, *, n_permutations: int | None = None, seed: int = 0,
                            alternative: str = "two-sided") -> PermutationResult:
    """A permutation test of Pearson's r between two measures across a few areas.

    With 11 or 12 regions the regions are the whole population, not a sample: the question is
    whether pairing each region's x with its own y gives a stronger correlation than most other
    pairings would. Every ordering of ``y`` is tried when there are at most 200,000 (n <= 8),
    else ``n_permutations`` random ones (default 9,999).

    Examples
    --------
    >>> result = permutation_correlation([1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 2.0, 4.0])
    >>> round(result.estimate, 3), result.p_value
    (0.8, 0.3333333333333333)
    """
    func = "permutation_correlation"
    a, b, _ = _paired(func, x, y, "x", "y", "give x and y one value for each area.")
    if a.size < 3:
        raise _error(func, f"a correlation needs at least 3 areas; got {a.size}.",
                     "pass one value per area for all the areas.")
    alternative = _alternative(func, alternative)
    if a.std() == 0 or b.std() == 0:
        raise _error(func, "x or y does not vary, so r is undefined.",
                     "check that you picked two measures that differ across areas.")
    za = (a - a.mean()) / a.std()
    zb = (b - b.mean()) / b.std()
    observed = float(np.mean(za * zb))
    exact = n_permutations is None and math.factorial(a.size) <= MAX_EXACT
    if exact:
        null = np.fromiter((np.mean(za * zb[list(p)]) for p in
                            itertools.permutations(range(a.size))), dtype=np.float64)
    else:
        draws = 9_999 if n_permutations is None else _count(func, n_permutations,
                                                            "n_permutations")
        rng = _seed(func, seed)
        orders = np.argsort(rng.random((draws, a.size)), axis=1)  # a random ordering per row
        null = (za[None, :] * zb[orders]).mean(axis=1)
    return PermutationResult(estimate=observed, p_value=_p_value(null, observed, alternative,
                                                                 exact),
                             distribution=null, exact=exact, alternative=alternative)


def _interval(func: str, confidence) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real) or \
            not 0 < confidence < 1:
        raise _error(func, f"confidence should be a share between 0 and 1, not {confidence!r}.",
                     "pass e.g. confidence=0.95 for a 95% interval.")
    return float(confidence)


def _percentiles(dist: np.ndarray, confidence: float) -> tuple[float, float]:
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(dist, [tail, 100 - tail])
    return float(low), float(high)


def bootstrap(values, statistic: Callable = np.mean, *, n_resamples: int = 9_999,
              seed: int = 0, confidence: float = 0.95) -> BootstrapResult:
    """A percentile bootstrap interval for ``statistic`` of ``values``.

    Resamples the areas with replacement ``n_resamples`` times. This treats the areas as a
    sample from a larger population; with all 12 UK regions there is no larger population, and
    the interval describes sensitivity to which areas happen to be there, nothing more.

    Examples
    --------
    >>> result = bootstrap([2.0, 2.0, 2.0], n_resamples=50)
    >>> result.estimate, result.ci_low, result.ci_high
    (2.0, 2.0, 2.0)
    """
    func = "bootstrap"
    x, _ = _as_values(func, values)
    if x.size < 2:
        raise _error(func, f"a bootstrap needs at least 2 values; got {x.size}.",
                     "pass one value per area.")
    draws = _count(func, n_resamples, "n_resamples")
    confidence = _interval(func, confidence)
    rng = _seed(func, seed)
    picks = rng.integers(0, x.size, size=(draws, x.size))
    dist = np.array([float(statistic(x[row])) for row in picks])
    low, high = _percentiles(dist, confidence)
    return BootstrapResult(float(statistic(x)), low, high, dist, confidence)


def bootstrap_difference(changes: pd.Series, treated, *, n_resamples: int = 9_999,
                         seed: int = 0, confidence: float = 0.95) -> BootstrapResult:
    """A percentile bootstrap interval for mean(treated) - mean(comparison).

    Resamples the treated areas and the comparison areas separately (each with replacement), so
    every resample keeps the two group sizes.

    Examples
    --------
    >>> changes = pd.Series({"a": 1.0, "b": 1.0, "c": 0.0, "d": 0.0})
    >>> bootstrap_difference(changes, ["a", "b"], n_resamples=20).ci_low
    1.0
    """
    func = "bootstrap_difference"
    x, mask, _ = _split(func, changes, treated)
    draws = _count(func, n_resamples, "n_resamples")
    confidence = _interval(func, confidence)
    rng = _seed(func, seed)
    t, c = x[mask], x[~mask]
    dist = (t[rng.integers(0, t.size, size=(draws, t.size))].mean(axis=1)
            - c[rng.integers(0, c.size, size=(draws, c.size))].mean(axis=1))
    low, high = _percentiles(dist, confidence)
    return BootstrapResult(float(t.mean() - c.mean()), low, high, dist, confidence)
