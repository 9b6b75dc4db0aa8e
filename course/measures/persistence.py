"""Policy churn and the persistence of regional gaps (lesson 02).

Two kinds of measure live here.

* **Churn** in a policy timeline: how long institutions and funds lasted
  (:func:`lifespans`), how many were started in each period (:func:`starts_per_period`) and how
  many ran at once (:func:`concurrent`).
* **Persistence** of a regional ranking: the Spearman rank correlation between two years and the
  share of regions whose rank changed (:func:`rank_persistence`), ranks year by year for a bump
  chart (:func:`ranks_by_year`) and the rank correlation of every year with a base year
  (:func:`rank_persistence_path`).

Censoring
---------
A body that is still running has a lifespan of *at least* (as-of year - start year): we have not
seen it end. :func:`lifespans` keeps those rows, marks them ``censored=True`` and never mixes them
into a plain average without saying so. Rows whose status is unknown have no lifespan at all and
are left out.

These measures describe what happened. A timeline of churn next to a persistent ranking shows
co-occurrence, not that the churn caused the gaps.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from course.errors import article, options_text
from course.measures._validate import (
    _align_to,
    _check_not_empty,
    _error,
    _list,
    _paired,
    _series,
)
from course.measures.inequality import rank

__all__ = [
    "RankPersistence",
    "POLICY_KINDS",
    "STATUSES",
    "concurrent",
    "lifespans",
    "policy_kind",
    "rank_persistence",
    "rank_persistence_path",
    "ranks_by_year",
    "starts_per_period",
]

#: The status vocabulary of the policy timeline.
STATUSES = ("ended", "ongoing", "unknown")


#: Broad kinds of the policy timeline's ``type`` values. Lifespans make sense for bodies and
#: funds that *run*; a white paper, a closure or a fiscal event is a moment, not a lifespan.
POLICY_KINDS: dict[str, str] = {
    "institution": "institution",
    "fund": "fund or programme",
    "deal programme": "fund or programme",
    "programme": "fund or programme",
    "zone programme": "fund or programme",
    "strategy": "strategy or paper",
    "strategy / brand": "strategy or paper",
    "white paper": "strategy or paper",
    "white paper / institution": "strategy or paper",
    "green paper": "strategy or paper",
    "review": "strategy or paper",
    "consultation": "strategy or paper",
    "legislation": "legislation",
    "institution closure": "decision or event",
    "policy decision": "decision or event",
    "policy decision / fund": "decision or event",
    "fiscal event": "decision or event",
    "funding round": "decision or event",
}


def policy_kind(types) -> pd.Series:
    """Map the timeline's detailed ``type`` values to five broad kinds (see :data:`POLICY_KINDS`).

    A type not in the table becomes ``"other"``, so a new row never breaks a lesson.

    Examples
    --------
    >>> policy_kind(pd.Series(["fund", "zone programme", "green paper", "institution closure"]))
    0     fund or programme
    1     fund or programme
    2     strategy or paper
    3     decision or event
    Name: kind, dtype: object
    """
    if isinstance(types, pd.DataFrame) or types is None or isinstance(types, str):
        raise _error(
            "policy_kind",
            "types should be one column of the timeline's type values.",
            "pass the column, e.g. policy_kind(timeline['type']).",
        )
    series = types if isinstance(types, pd.Series) else pd.Series(list(types))
    kinds = [POLICY_KINDS.get(str(t).strip().lower(), "other") if pd.notna(t) else "other"
             for t in series]
    return pd.Series(kinds, index=series.index, name="kind", dtype=object)


# ---------------------------------------------------------------------------------------------
# Input helpers
# ---------------------------------------------------------------------------------------------


def _years(func: str, raw, what: str, *, allow_missing: bool = False) -> tuple[np.ndarray, pd.Index | None]:
    """Whole years as float64 (NaN where missing and allowed), with the labels of a Series."""
    if isinstance(raw, pd.DataFrame):
        raise _error(
            func,
            f"{what} should be one column of years, but it is a DataFrame.",
            f"pick the column, e.g. timeline['year'] for {what}.",
        )
    if isinstance(raw, pd.Series):
        index = raw.index
        series = raw
    elif raw is None or isinstance(raw, (str, bytes, numbers.Number)):
        raise _error(
            func,
            f"{what} should hold one year per row, but got a single {type(raw).__name__}.",
            "pass a column of years, e.g. timeline['year'].",
        )
    else:
        index = None
        series = pd.Series(list(raw), dtype="object")
    if pd.api.types.is_bool_dtype(series.dtype):
        raise _error(func, f"{what} holds True/False values, not years.",
                     "pass a column of years such as timeline['year'].")
    numeric = pd.to_numeric(series, errors="coerce")
    bad = (numeric.isna() & series.notna()).to_numpy()
    if bad.any():
        sample = _list(series[bad].unique()[:5], 5)
        raise _error(
            func,
            f"{what} holds entries that are not years ({sample}).",
            "pass a column of whole years such as 1998 (check you picked the year column, not "
            "a name or status column).",
        )
    x = numeric.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(x)
    if missing.any() and not allow_missing:
        where = (f"rows {_list(index[missing])}" if index is not None
                 else f"positions {_list(np.flatnonzero(missing))}")
        raise _error(
            func,
            f"{what} has missing years at {where}.",
            "drop those rows first (and say so), e.g. timeline.dropna(subset=['year']).",
        )
    present = x[~missing]
    if present.size and (np.any(present != np.round(present)) or not np.all(np.isfinite(present))):
        raise _error(func, f"{what} should hold whole years such as 2011.",
                     "round or convert the column to whole years first.")
    return x, index


def _as_of(func: str, as_of) -> int:
    if (not isinstance(as_of, numbers.Integral)) or isinstance(as_of, (bool, np.bool_)):
        raise _error(
            func,
            f"as_of must be a whole year such as 2025, but it is {as_of!r}.",
            "pass the year the timeline was compiled, e.g. as_of=2025.",
        )
    return int(as_of)


# ---------------------------------------------------------------------------------------------
# Churn
# ---------------------------------------------------------------------------------------------


def lifespans(start, end, status, *, as_of: int = 2025) -> pd.DataFrame:
    """How long each institution or fund lasted, treating those still running as censored.

    * ``status == "ended"`` with an end year: ``years = end - start``, ``censored = False``.
    * ``status == "ongoing"``: ``years = as_of - start``, ``censored = True`` (a lower bound:
      the true lifespan is *at least* this long).
    * ``status == "unknown"``, or ``"ended"`` without an end year: left out (no lifespan can be
      measured). The result's ``attrs["left_out"]`` counts them, so you can say how many.

    Years are calendar years, so a fund that opened and closed in the same year lasts 0 years.

    Parameters
    ----------
    start, end : pandas.Series or array-like
        Start year and end year (missing where no source gives one), one per row.
    status : pandas.Series or array-like
        ``"ended"``, ``"ongoing"`` or ``"unknown"`` for each row.
    as_of : int
        The year the timeline describes (2025 for the course's timeline).

    Returns
    -------
    pandas.DataFrame
        One row per measurable row of the input (same labels), with columns ``start``, ``end``
        (the as-of year for censored rows), ``years`` (float) and ``censored`` (bool).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"year": [1998, 2011, 2012, 2018],
    ...                   "ended_year": [2012, 2024, None, None],
    ...                   "status": ["ended", "ended", "unknown", "ongoing"]},
    ...                  index=["RDAs", "LEPs", "City Deals", "Fund X"])
    >>> out = lifespans(t["year"], t["ended_year"], t["status"], as_of=2025)
    >>> out
            start    end  years  censored
    RDAs     1998  2012   14.0     False
    LEPs     2011  2024   13.0     False
    Fund X   2018  2025    7.0      True
    >>> out.attrs["left_out"]
    1
    """
    func = "lifespans"
    as_of = _as_of(func, as_of)
    s, s_index = _years(func, start, "start")
    e, _ = _years(func, end, "end", allow_missing=True)
    if isinstance(status, pd.DataFrame) or status is None or isinstance(status, str):
        raise _error(
            func,
            "status should be one column of 'ended' / 'ongoing' / 'unknown', one per row.",
            "pass the column, e.g. timeline['status'].",
        )
    st = pd.Series(status.to_numpy() if isinstance(status, pd.Series) else list(status),
                   dtype="object")
    if not (len(s) == len(e) == len(st)):
        raise _error(
            func,
            f"start, end and status have different lengths ({len(s)}, {len(e)}, {len(st)}).",
            "pass three columns of the same table, e.g. timeline['year'], "
            "timeline['ended_year'], timeline['status'].",
        )
    _check_not_empty(func, s, "start")
    text = st.astype("string").str.strip().str.lower()
    unknown_values = sorted(set(text.dropna()) - set(STATUSES)) + (["<missing>"] if text.isna().any() else [])
    if unknown_values:
        raise _error(
            func,
            f"status has values it does not know: {_list(unknown_values, 5)}.",
            "use 'ended', 'ongoing' or 'unknown' for each row (check that you passed the "
            "status column).",
            options_text(unknown_values[0], STATUSES),
        )
    text = text.to_numpy(dtype=object)
    ended = text == "ended"
    ongoing = text == "ongoing"
    early = ended & ~np.isnan(e) & (e < s)
    if early.any():
        where = s_index[early] if s_index is not None else np.flatnonzero(early)
        raise _error(func, f"some rows end before they start ({_list(where)}).",
                     "check the start and end columns are not swapped.")
    late = s > as_of
    if late.any():
        where = s_index[late] if s_index is not None else np.flatnonzero(late)
        raise _error(func, f"some rows start after as_of={as_of} ({_list(where)}).",
                     "set as_of to the year the timeline was compiled (2025 for the course's).")
    keep = (ended & ~np.isnan(e)) | ongoing
    index = s_index if s_index is not None else pd.RangeIndex(len(s))
    end_used = np.where(ongoing, float(as_of), e)
    out = pd.DataFrame(
        {
            "start": s[keep].astype(np.int64),
            "end": end_used[keep].astype(np.int64),
            "years": (end_used - s)[keep],
            "censored": ongoing[keep],
        },
        index=index[keep],
    )
    out.attrs["left_out"] = int((~keep).sum())
    return out


def starts_per_period(years, *, width: int = 10, edges=None) -> pd.Series:
    """Count how many initiatives started in each period (decades by default).

    Parameters
    ----------
    years : pandas.Series or array-like
        Start years, one per initiative.
    width : int
        Period length in years when ``edges`` is not given; periods start at multiples of
        ``width`` (decades: the 1990s, the 2000s, ...).
    edges : sequence of int, optional
        Period boundaries, e.g. the years of changes of government ``[1997, 2010, 2024, 2026]``.
        Period *i* covers ``edges[i] <= year < edges[i + 1]``. Every year must fall inside.

    Returns
    -------
    pandas.Series
        ``int64`` counts named ``starts``, indexed by period label (``"2010s"`` for decades,
        ``"1997-2009"`` for edges), in time order, including periods with no starts.

    Examples
    --------
    >>> starts_per_period([1998, 2010, 2011, 2011, 2025])
    1990s    1
    2000s    0
    2010s    3
    2020s    1
    Name: starts, dtype: int64
    >>> starts_per_period([1998, 2010, 2011, 2024], edges=[1997, 2010, 2025])
    1997-2009    1
    2010-2024    3
    Name: starts, dtype: int64
    """
    func = "starts_per_period"
    y, _ = _years(func, years, "years")
    _check_not_empty(func, y, "years")
    if edges is None:
        if (not isinstance(width, numbers.Integral)) or isinstance(width, bool) or width < 1:
            raise _error(func, f"width must be a whole number of years of at least 1, not {width!r}.",
                         "use width=10 for decades or width=5 for five-year periods.")
        first = int(np.floor(y.min() / width) * width)
        bounds = list(range(first, int(y.max()) + width + 1, width))
        if bounds[-1] <= y.max():
            bounds.append(bounds[-1] + width)
        labels = [f"{b}s" if width == 10 else f"{b}-{b + width - 1}" for b in bounds[:-1]]
    else:
        try:
            bounds = [int(b) for b in edges]
        except (TypeError, ValueError):
            raise _error(func, f"edges should be a list of whole years, not {edges!r}.",
                         "pass e.g. edges=[1997, 2010, 2024, 2026].") from None
        if len(bounds) < 2 or any(b2 <= b1 for b1, b2 in zip(bounds, bounds[1:], strict=False)):
            raise _error(func, f"edges must be at least two years in increasing order, not {bounds}.",
                         "pass e.g. edges=[1997, 2010, 2024, 2026].")
        outside = (y < bounds[0]) | (y >= bounds[-1])
        if outside.any():
            raise _error(
                func,
                f"some years fall outside the edges {bounds}: {_list(np.unique(y[outside]).astype(int))}.",
                "widen the first or last edge (the last edge is excluded), or filter the years first.",
            )
        labels = [f"{b1}-{b2 - 1}" for b1, b2 in zip(bounds, bounds[1:], strict=False)]
    position = np.searchsorted(np.asarray(bounds[1:]), y, side="right")
    counts = np.bincount(position, minlength=len(labels)).astype(np.int64)
    return pd.Series(counts, index=pd.Index(labels), name="starts")


def concurrent(start, end, years=None) -> pd.Series:
    """How many initiatives were running in each year ("overlap").

    An initiative counts as running in every year from its start year to its end year,
    **both included** (it was active at some point in that year). A missing end year means it is
    still running: pass only rows whose status is ended or ongoing (leave unknowns out first).

    Parameters
    ----------
    start, end : pandas.Series or array-like
        Start and end years, one per initiative (end missing = still running).
    years : int or sequence of int, optional
        The years to count; by default every year from the first start to the last year seen.

    Returns
    -------
    pandas.Series
        ``int64`` counts named ``running``, indexed by year.

    Examples
    --------
    >>> import numpy as np
    >>> concurrent([1998, 2011, 2012], [2012, 2024, np.nan], years=[2005, 2012, 2020, 2025])
    2005    1
    2012    3
    2020    2
    2025    1
    Name: running, dtype: int64
    """
    func = "concurrent"
    s, s_index = _years(func, start, "start")
    e, e_index = _years(func, end, "end", allow_missing=True)
    if s_index is not None and e_index is not None and not e_index.equals(s_index):
        e = _align_to(func, pd.Series(e, index=e_index), s_index, "start", "end").to_numpy()
    if len(s) != len(e):
        raise _error(func, f"start has {len(s)} years but end has {len(e)}.",
                     "pass two columns of the same table.")
    _check_not_empty(func, s, "start")
    early = ~np.isnan(e) & (e < s)
    if early.any():
        raise _error(func, "some initiatives end before they start.",
                     "check the start and end columns are not swapped.")
    if years is None:
        last = np.nanmax(np.concatenate([s, e]))
        grid = np.arange(int(s.min()), int(last) + 1)
    else:
        grid_raw = [years] if isinstance(years, numbers.Number) else years
        g, _ = _years(func, grid_raw, "years")
        grid = g.astype(np.int64)
    open_end = np.where(np.isnan(e), np.inf, e)
    running = ((s[None, :] <= grid[:, None]) & (open_end[None, :] >= grid[:, None])).sum(axis=1)
    return pd.Series(running.astype(np.int64), index=pd.Index(grid.astype(np.int64)), name="running")


# ---------------------------------------------------------------------------------------------
# Persistence of a ranking
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RankPersistence:
    """Result of :func:`rank_persistence`.

    Attributes
    ----------
    spearman : float
        Spearman's rank correlation between the two years (1 = identical order, 0 = no relation,
        -1 = reversed). Ties get average ranks, as in ``scipy.stats.spearmanr``.
    share_changed : float
        Share of areas (0 to 1) whose rank (1 = highest, ties share the best rank) differs.
    mean_abs_change : float
        Average number of places an area moved.
    n : int
        Number of areas.
    moves : pandas.DataFrame
        One row per area: ``rank_before``, ``rank_after`` and ``change`` (positive = moved up).
    """

    spearman: float
    share_changed: float
    mean_abs_change: float
    n: int
    moves: pd.DataFrame


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n of x (ascending), ties given the average of their positions."""
    order = np.argsort(x, kind="mergesort")
    sorted_x = x[order]
    ranks = np.empty(x.size, dtype=np.float64)
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_x)) + 1]
    ends = np.r_[starts[1:], x.size]
    for a, b in zip(starts, ends, strict=True):
        ranks[order[a:b]] = (a + b + 1) / 2.0
    return ranks


def rank_persistence(before, after) -> RankPersistence:
    """How persistent is a ranking? Spearman's rho and the share of areas that changed rank.

    Spearman's rho is the Pearson correlation of the two years' ranks; with no ties it equals
    ``1 - 6 * sum(d**2) / (n * (n**2 - 1))`` where ``d`` is each area's rank difference.

    Parameters
    ----------
    before, after : pandas.Series or array-like
        The values in two years (e.g. GVA per hour in 2004 and 2019). Two Series are matched by
        area label and must cover the same areas.

    Returns
    -------
    RankPersistence
        ``spearman``, ``share_changed``, ``mean_abs_change``, ``n`` and ``moves``.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.Series({"A": 50.0, "B": 40.0, "C": 30.0, "D": 20.0})
    >>> b = pd.Series({"A": 52.0, "B": 31.0, "C": 33.0, "D": 21.0})   # B and C swap
    >>> r = rank_persistence(a, b)
    >>> round(r.spearman, 4), r.share_changed, r.n
    (0.8, 0.5, 4)
    >>> r.moves
       rank_before  rank_after  change
    A            1           1       0
    B            2           3      -1
    C            3           2       1
    D            4           4       0
    """
    func = "rank_persistence"
    x0, x1, index = _paired(
        func, before, after, "before", "after",
        "give one value per area in each year; best, two Series indexed by area code.",
    )
    if x0.size < 3:
        raise _error(func, f"a rank correlation needs at least 3 areas, but got {x0.size}.",
                     "pass the values of all the areas at one geography level.")
    r0, r1 = _average_ranks(x0), _average_ranks(x1)
    if np.all(r0 == r0[0]) or np.all(r1 == r1[0]):
        raise _error(func, "every area has the same value in one of the years, so there is no "
                     "ranking to correlate.", "check that you passed two different years' values.")
    d0, d1 = r0 - r0.mean(), r1 - r1.mean()
    rho = float((d0 @ d1) / np.sqrt((d0 @ d0) * (d1 @ d1)))
    rank_before = rank(_series(x0, index, "v")).to_numpy()
    rank_after = rank(_series(x1, index, "v")).to_numpy()
    change = rank_before - rank_after
    moves = pd.DataFrame(
        {"rank_before": rank_before, "rank_after": rank_after, "change": change},
        index=index if index is not None else pd.RangeIndex(x0.size),
    )
    return RankPersistence(
        spearman=rho,
        share_changed=float(np.mean(change != 0)),
        mean_abs_change=float(np.mean(np.abs(change))),
        n=int(x0.size),
        moves=moves,
    )


def _panel_column(func: str, frame, column: str, role: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise _error(func, f"frame should be a long table (DataFrame), not {article(type(frame).__name__)}.",
                     "pass the whole table, e.g. course.load('gva_per_hour', level='ITL1').")
    if column not in frame.columns:
        raise _error(func, f"there is no {role} column {column!r} in the table.",
                     f"pass the name of the {role} column.", options_text(column, frame.columns))


def ranks_by_year(frame: pd.DataFrame, value: str, *, year: str = "year",
                  area: str = "itl_code") -> pd.DataFrame:
    """Each area's rank (1 = highest) in every year of a long table: the data of a bump chart.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per area and year, one geography level only.
    value, year, area : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``area`` (named as in ``frame``), ``value`` and ``rank`` (``int64``;
        ties share the best rank), sorted by year then rank.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"itl_code": ["A", "B", "A", "B"], "year": [2004, 2004, 2005, 2005],
    ...                       "gva_per_hour": [30.0, 20.0, 25.0, 26.0]})
    >>> ranks_by_year(panel, "gva_per_hour")
       year itl_code  gva_per_hour  rank
    0  2004        A          30.0     1
    1  2004        B          20.0     2
    2  2005        B          26.0     1
    3  2005        A          25.0     2
    """
    func = "ranks_by_year"
    for column, role in ((value, "value"), (year, "year"), (area, "area")):
        _panel_column(func, frame, column, role)
    if frame.duplicated([year, area]).any():
        dup = frame.loc[frame.duplicated([year, area]), area].unique()
        raise _error(func, f"some areas appear more than once in a year ({_list(dup)}).",
                     "filter the table to one geography level first, e.g. "
                     "frame[frame['itl_level'] == 'ITL1'].")
    parts = []
    for y, rows in frame.groupby(year, sort=True):
        values = rows.set_index(area)[value]
        out = pd.DataFrame({year: y, area: values.index, value: values.to_numpy(),
                            "rank": rank(values).to_numpy()})
        parts.append(out.sort_values(["rank", area], kind="mergesort"))
    if not parts:
        raise _error(func, "the table is empty.", "check the filter that selected the rows.")
    return pd.concat(parts, ignore_index=True)


def rank_persistence_path(frame: pd.DataFrame, value: str, base_year: int, *, year: str = "year",
                          area: str = "itl_code") -> pd.DataFrame:
    """Rank persistence of every year against a base year (Spearman's rho, share changed).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per area and year, one geography level, the same areas every year.
    value : str
        The column to rank.
    base_year : int
        The year every other year is compared with (e.g. 2004).

    Returns
    -------
    pandas.DataFrame
        Indexed by year, with columns ``spearman`` and ``share_changed`` (the base year itself has
        1.0 and 0.0).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"itl_code": list("ABCABC"), "year": [1, 1, 1, 2, 2, 2],
    ...                       "v": [3.0, 2.0, 1.0, 3.0, 1.0, 2.0]})
    >>> rank_persistence_path(panel, "v", 1)
          spearman  share_changed
    year
    1          1.0       0.000000
    2          0.5       0.666667
    """
    func = "rank_persistence_path"
    for column, role in ((value, "value"), (year, "year"), (area, "area")):
        _panel_column(func, frame, column, role)
    wide = frame.pivot_table(index=area, columns=year, values=value, aggfunc="first")
    if base_year not in wide.columns:
        raise _error(func, f"the base year {base_year!r} is not in the table.",
                     "pick a year that is in the data.", options_text(base_year, list(wide.columns)))
    rows = {}
    for y in wide.columns:
        r = rank_persistence(wide[base_year].dropna(), wide[y].dropna())
        rows[y] = (r.spearman, r.share_changed)
    return pd.DataFrame.from_dict(rows, orient="index", columns=["spearman", "share_changed"]) \
        .rename_axis(year)
