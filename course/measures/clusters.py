"""Industrial structure of places: location quotients, specialisation, diversity, shift-share
and a candidate-cluster rule (lesson 04).

The measures work on an **area × industry** table: one row per area (an ITL region, a city
region), one column per industry (a SIC 2007 section such as ``"K"`` for finance), holding a
size such as GVA in £ million or employee jobs. :func:`industry_matrix` builds that table from a
tidy course dataset. A single area's industries can also be passed as a pandas Series indexed
by industry code.

Every comparison needs a **benchmark**: usually the national total (``"UKX"``, the UK less
extra-regio, in the ONS GVA tables). Pass it as a Series indexed by industry, as the label of a
row of the table, or (for a table) leave it out to compare each area with the sum of all the
areas in the table ("the areas' own aggregate", which is what you must say when you do so).

Scalar results are real Python ``float``; per-area results are pandas Series indexed by area.

Measures
--------
location quotient
    ``LQ = (x_ri / X_r) / (x_ni / X_n)``: an industry's share of the area, over its share of
    the benchmark. Above 1: the area is relatively specialised in that industry.
Krugman specialisation index
    ``K = sum_i |s_ri - s_ni|``: 0 when the area's industry mix equals the benchmark's, up to 2
    when they share nothing.
Herfindahl–Hirschman index
    ``H = sum_i s_ri**2``: concentration of an area's output in few industries (1/n when all n
    industries are equal, 1 when there is only one); ``1 / H`` is the "equivalent number" of
    equal-sized industries, a measure of diversity.
shift-share
    An area's change in an industry split into a national-growth effect, an industry-mix effect
    and a regional (competitive) effect, which add up to the actual change.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from course.errors import article, options_text
from course.measures._validate import _coverage, _error, _list, _plain

__all__ = [
    "ShiftShare",
    "candidate_clusters",
    "herfindahl",
    "industry_matrix",
    "krugman_index",
    "location_quotient",
    "shift_share",
]

# ---------------------------------------------------------------------------------------------
# Input checks (the messages are course.measures._validate's)
# ---------------------------------------------------------------------------------------------


def _numeric_frame(func: str, frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """A float64 copy of ``frame``; refuse text, True/False, NaN, inf and negative values."""
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise _error(
            func,
            f"{what} is empty (shape {frame.shape}), so there is nothing to measure.",
            "check the filter that selected the rows (a year that is not in the data gives an "
            "empty selection).",
        )
    for label in (frame.index, frame.columns):
        if not label.is_unique:
            counts = label.value_counts()
            raise _error(
                func,
                f"{what} has repeated labels: {_list(counts[counts > 1].index)}.",
                "make each area and industry appear once (pick one year first).",
            )
    bad_cols = [
        c
        for c, dtype in frame.dtypes.items()
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype)
    ]
    if bad_cols:
        raise _error(
            func,
            f"{what} has columns that are not numbers: {_list(bad_cols)}.",
            "keep only the industry columns of sizes (GVA or employees): build the table "
            "with measures.industry_matrix(...) or drop label columns such as 'region'.",
        )
    x = frame.astype("float64")
    values = x.to_numpy()
    if np.isnan(values).any():
        rows, cols = np.nonzero(np.isnan(values))
        cells = [(x.index[r], x.columns[c]) for r, c in zip(rows, cols, strict=True)]
        raise _error(
            func,
            f"{what} has missing values (NaN) at (area, industry) {_list(cells)}.",
            "find out why (a suppressed cell, a misaligned join) and fill it from the source, "
            "or drop that industry for every area and say so.",
        )
    if np.isinf(values).any():
        rows, cols = np.nonzero(np.isinf(values))
        cells = [(x.index[r], x.columns[c]) for r, c in zip(rows, cols, strict=True)]
        raise _error(
            func,
            f"{what} has infinite values at (area, industry) {_list(cells)}.",
            "check how the values were computed (a division by zero?).",
        )
    if (values < 0).any():
        rows, cols = np.nonzero(values < 0)
        cells = [(x.index[r], x.columns[c]) for r, c in zip(rows, cols, strict=True)]
        raise _error(
            func,
            f"{what} has negative values at (area, industry) {_list(cells)}; employment and "
            "GVA by industry must be zero or more for shares to make sense.",
            "check that you passed levels (jobs, £ million) rather than changes or gaps; a "
            "published negative GVA line (rare, below section level) must be dropped or merged.",
        )
    return x


def _as_table(func: str, values, what: str = "values") -> tuple[pd.DataFrame, bool]:
    """(area × industry float table, True if the input was a single area's Series)."""
    if isinstance(values, pd.DataFrame):
        return _numeric_frame(func, values, what), False
    if isinstance(values, pd.Series):
        name = values.name if values.name is not None else "area"
        return _numeric_frame(func, values.to_frame(name=name).T, what), True
    if isinstance(values, dict):
        return _as_table(func, pd.Series(values, dtype="float64"), what)
    raise _error(
        func,
        f"{what} should be an area × industry DataFrame or one area's Series indexed by "
        f"industry, but it is {article(type(values).__name__)}.",
        "build the table with measures.industry_matrix(frame, year=...), or pass "
        "table.loc['TLD3'] for one area.",
    )


def _row_totals(func: str, table: pd.DataFrame, what: str) -> np.ndarray:
    totals = table.to_numpy().sum(axis=1)
    zero = totals <= 0
    if zero.any():
        raise _error(
            func,
            f"the total across industries is zero for {_list(table.index[zero])} in {what}, so "
            "industry shares cannot be computed.",
            "drop areas with no activity, or check that you selected the right year and column.",
        )
    return totals


def _check_industries(func: str, left: pd.Index, right: pd.Index, lname: str, rname: str) -> None:
    if left.equals(right):
        return
    missing = left.difference(right, sort=False)
    extra = right.difference(left, sort=False)
    if len(missing) or len(extra):
        raise _error(
            func,
            f"{lname} and {rname} do not cover the same industries "
            f"({_coverage(lname, rname, missing, extra)}).",
            "compare like with like: build both from the same table (e.g. the same "
            "industry_matrix), or select the same industries from both, e.g. "
            f"{rname} = {rname}[{lname}.columns].",
        )


def _benchmark(func: str, table: pd.DataFrame, benchmark, *, allow_none: bool, single: bool):
    """(areas table without the benchmark row, benchmark values by industry, description)."""
    if benchmark is None:
        if single or not allow_none:
            raise _error(
                func,
                "a benchmark is needed to compare one area with.",
                "pass the national values as a Series indexed by industry (e.g. "
                "table.loc['UKX']), or the label of the benchmark row of an area × industry "
                "table.",
            )
        if len(table) < 2:
            raise _error(
                func,
                "with no benchmark, each area is compared with the sum of all areas, but the "
                "table has only one area.",
                "pass a benchmark (e.g. 'UKX' or a Series of national values).",
            )
        return table, table.sum(axis=0), "the areas' own aggregate"
    if isinstance(benchmark, pd.DataFrame):
        if len(benchmark) != 1:
            raise _error(
                func,
                f"the benchmark should be one row of values (one per industry), but it is a "
                f"table with {len(benchmark)} rows.",
                "pick the national row, e.g. table.loc['UKX'].",
            )
        benchmark = benchmark.iloc[0]
    if isinstance(benchmark, dict):
        benchmark = pd.Series(benchmark, dtype="float64")
    if isinstance(benchmark, pd.Series):
        bench = _numeric_frame(func, benchmark.to_frame("benchmark").T, "the benchmark").iloc[0]
        _check_industries(func, table.columns, bench.index, "values", "the benchmark")
        return table, bench.reindex(table.columns), "the benchmark"
    if isinstance(benchmark, (str, numbers.Integral)) and not isinstance(benchmark, bool):
        if single:
            raise _error(
                func,
                f"the benchmark {benchmark!r} is a row label, but values is one area's Series.",
                "pass the benchmark's values as a Series indexed by industry, e.g. "
                f"table.loc[{benchmark!r}].",
            )
        if benchmark not in table.index:
            raise _error(
                func,
                f"the benchmark {benchmark!r} is not a row of the table.",
                "pass one of the labels above; in the ONS GVA tables the UK comparator is "
                "'UKX' (UK less extra-regio): make sure its row was not filtered out.",
                options_text(benchmark, table.index),
            )
        return table.drop(index=benchmark), table.loc[benchmark], repr(benchmark)
    raise _error(
        func,
        f"the benchmark should be a row label (e.g. 'UKX'), a Series of national values by "
        f"industry, or None; it is {article(type(benchmark).__name__)}.",
        "pass 'UKX' or table.loc['UKX'].",
    )


def _per_area(result: pd.Series, single: bool, name: str):
    """One number per area: a Python float for one area, else a Series named ``name``."""
    if single:
        return float(result.iloc[0])
    result.name = name
    return result


def _shares(func: str, table: pd.DataFrame, what: str) -> pd.DataFrame:
    totals = _row_totals(func, table, what)
    return table.div(totals, axis=0)


def _bench_shares(func: str, bench: pd.Series, label: str) -> pd.Series:
    total = float(bench.sum())
    if not total > 0:
        raise _error(
            func,
            f"{label} adds up to zero across industries, so its shares cannot be computed.",
            "check that the benchmark is the national row with positive values.",
        )
    return bench / total


# ---------------------------------------------------------------------------------------------
# From a tidy dataset to an area × industry table
# ---------------------------------------------------------------------------------------------


def industry_matrix(
    frame: pd.DataFrame,
    *,
    year: int | None = None,
    value: str | None = None,
    area: str | None = None,
    industry: str = "industry_code",
    net_of_imputed_rent: bool = True,
) -> pd.DataFrame:
    """Turn a tidy industry dataset into an area × industry table for one year.

    Parameters
    ----------
    frame : DataFrame
        A tidy table with one row per area, industry (and year), such as
        ``course.load("gva_by_industry_itl1")`` or
        ``course.load("city_region_employees_by_industry")``.
    year : int, optional
        The year to keep (needed when the frame holds several years).
    value : str, optional
        The column of sizes; by default ``"gva"`` if present, else ``"employees"``.
    area : str, optional
        The column naming areas; by default ``"itl_code"`` if present, else ``"area"``.
    industry : str
        The column of industry codes.
    net_of_imputed_rent : bool
        For ONS GVA tables (which have an ``industry_level`` column): keep the 20 SIC sections
        A–T only, and subtract owner-occupiers' imputed rent (the ``68IMP`` memo line) from
        section L, because imputed rent is not market output. The L column is then a derived
        figure ("real estate excluding imputed rent"). With ``False``, L is kept as published.

    Returns
    -------
    DataFrame
        Areas as rows, industries as columns (in the order they first appear), float64.

    Raises
    ------
    MeasureError
        For a year or column that is not in the frame (with the valid options), repeated
        (area, industry) rows, or missing cells.

    Examples
    --------
    >>> import pandas as pd
    >>> tidy = pd.DataFrame({
    ...     "itl_code": ["UKX", "UKX", "UKX", "TLI", "TLI", "TLI"],
    ...     "industry_code": ["K", "L", "68IMP"] * 2,
    ...     "industry_level": ["section", "section", "memo_within_L"] * 2,
    ...     "year": 2019, "gva": [100, 200, 140, 50, 40, 25]})
    >>> industry_matrix(tidy, year=2019)
    industry_code      K     L
    itl_code
    UKX            100.0  60.0
    TLI             50.0  15.0
    """
    func = "industry_matrix"
    if not isinstance(frame, pd.DataFrame):
        raise _error(
            func,
            f"frame should be a tidy pandas DataFrame, but it is {article(type(frame).__name__)}.",
            "pass a dataset as loaded, e.g. course.load('gva_by_industry_itl1').",
        )
    columns = [str(c) for c in frame.columns]
    if value is None:
        value = next((c for c in ("gva", "employees", "value") if c in columns), None)
    if area is None:
        area = next((c for c in ("itl_code", "area") if c in columns), None)
    for what, col in (("value", value), ("area", area), ("industry", industry)):
        if col is None or col not in columns:
            raise _error(
                func,
                f"there is no {what} column {col!r} in the frame.",
                f"name it, e.g. {what}='...'.",
                options_text(col, columns),
            )
    rows = frame
    if "year" in columns:
        years = sorted(int(y) for y in frame["year"].dropna().unique())
        if year is None:
            if len(years) > 1:
                raise _error(
                    func,
                    f"the frame holds {len(years)} years ({years[0]}–{years[-1]}); an "
                    "area × industry table is for one year.",
                    "pass year=..., e.g. industry_matrix(frame, year=2019).",
                )
        elif year not in years:
            raise _error(
                func,
                f"the year {year!r} is not in the frame.",
                "pick one of the years above.",
                options_text(year, years),
            )
        else:
            rows = frame[frame["year"] == year]
    imputed = None
    if "industry_level" in columns:
        if net_of_imputed_rent:
            imputed = rows[rows[industry] == "68IMP"].set_index(area)[value]
        rows = rows[rows["industry_level"] == "section"]
    keys = rows[[area, industry]]
    dup = keys.duplicated(keep=False)
    if dup.any():
        sample = [tuple(r) for r in keys[dup].drop_duplicates().head(5).itertuples(index=False)]
        raise _error(
            func,
            f"some (area, industry) pairs appear more than once: {_list(sample, 5)}.",
            "keep one row per area and industry (one year, one measure).",
        )
    table = rows.pivot(index=area, columns=industry, values=value)
    table = table.reindex(index=pd.unique(rows[area]), columns=pd.unique(rows[industry]))
    table.index.name, table.columns.name = area, industry
    table = table.astype("float64")
    if table.isna().any().any():
        missing = [(a, i) for (a, i), v in table.isna().stack().items() if v][:5]
        raise _error(
            func,
            f"some areas have no row for some industries, e.g. {_list(missing, 5)}.",
            "check the source for suppressed cells; fill them from the source or drop that "
            "industry for every area, and say so.",
        )
    if imputed is not None and "L" in table.columns and len(imputed):
        table["L"] = table["L"] - imputed.reindex(table.index).fillna(0.0).astype("float64")
    return table


# ---------------------------------------------------------------------------------------------
# Location quotient
# ---------------------------------------------------------------------------------------------


def location_quotient(values, benchmark=None):
    """Location quotients: each industry's share of an area over its share of the benchmark.

    ``LQ_ri = (x_ri / X_r) / (x_ni / X_n)`` where ``x`` is a size (employee jobs, GVA),
    ``X`` the total across the industries given, ``r`` the area and ``n`` the benchmark.

    Parameters
    ----------
    values : DataFrame or Series
        An area × industry table, or one area's values indexed by industry.
    benchmark : str, Series or None
        A row label of ``values`` (e.g. ``"UKX"``; that row is left out of the result), the
        benchmark's values as a Series indexed by industry, or ``None`` to compare each area
        with the sum of all areas in the table (say "against the areas' own aggregate").

    Returns
    -------
    DataFrame or Series
        Same shape as ``values`` (less the benchmark row). 1 = same share as the benchmark.

    Raises
    ------
    MeasureError
        For negative, missing or non-numeric values, an area or benchmark with a zero total,
        an industry that the benchmark does not have (zero), a benchmark label that is not a
        row, or industries that differ between values and benchmark.

    Notes
    -----
    A GVA-based LQ mixes specialisation with productivity: an area whose finance workers are
    unusually productive shows a high finance LQ even with an average share of finance jobs.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"K": [10.0, 100.0], "C": [30.0, 300.0], "Q": [60.0, 600.0 + 400.0]},
    ...                  index=["TLD3", "UKX"])
    >>> location_quotient(t, "UKX").round(3)   # K: 10/100 over 100/1400 = 1.4
            K    C     Q
    TLD3  1.4  1.4  0.84
    >>> location_quotient(t.loc["TLD3"], t.loc["UKX"]).round(2).tolist()
    [1.4, 1.4, 0.84]
    """
    func = "location_quotient"
    table, single = _as_table(func, values)
    areas, bench, label = _benchmark(func, table, benchmark, allow_none=True, single=single)
    zero = bench <= 0
    if zero.any():
        raise _error(
            func,
            f"{label} has a zero value for the industries {_list(bench.index[zero])}, so their "
            "national share is zero and the LQ is undefined (a division by zero).",
            "drop those industries from the table before computing LQs, e.g. "
            f"table = table.drop(columns={list(map(_plain, bench.index[zero]))!r}), and say so.",
        )
    shares = _shares(func, areas, "values")
    lq = shares / _bench_shares(func, bench, label)
    if single:
        out = lq.iloc[0]
        out.name = "location_quotient"
        return out
    return lq


# ---------------------------------------------------------------------------------------------
# Specialisation and diversity
# ---------------------------------------------------------------------------------------------


def krugman_index(values, benchmark=None):
    """Krugman specialisation index: ``K = sum_i |s_ri - s_ni|`` over industries ``i``.

    ``s_ri`` is industry ``i``'s share of area ``r``; ``s_ni`` its share of the benchmark.
    0 means the same industry mix as the benchmark; the maximum, 2, means no industry in
    common. Two areas can be compared directly by passing one as the benchmark.

    Parameters
    ----------
    values : DataFrame or Series
        An area × industry table, or one area's values indexed by industry.
    benchmark : str, Series or None
        As in :func:`location_quotient`.

    Returns
    -------
    float or Series
        A Python float for one area; a Series indexed by area for a table.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.Series({"C": 50.0, "K": 10.0, "Q": 40.0})   # shares 0.5, 0.1, 0.4
    >>> uk = pd.Series({"C": 20.0, "K": 30.0, "Q": 50.0})  # shares 0.2, 0.3, 0.5
    >>> round(krugman_index(a, uk), 10)                    # 0.3 + 0.2 + 0.1
    0.6
    """
    func = "krugman_index"
    table, single = _as_table(func, values)
    areas, bench, label = _benchmark(func, table, benchmark, allow_none=True, single=single)
    diff = (_shares(func, areas, "values") - _bench_shares(func, bench, label)).abs()
    return _per_area(diff.sum(axis=1), single, "krugman_index")


def herfindahl(values, *, normalised: bool = False):
    """Herfindahl–Hirschman index of concentration across industries: ``H = sum_i s_i**2``.

    ``H`` runs from ``1/n`` (all ``n`` industries the same size: most diverse) to 1 (one
    industry only). ``1 / H`` is the equivalent number of equal-sized industries, an easy way
    to speak about diversity. With ``normalised=True`` the index is rescaled to run from 0 to 1:
    ``(H - 1/n) / (1 - 1/n)``, so areas with different numbers of industries compare.

    Parameters
    ----------
    values : DataFrame or Series
        An area × industry table, or one area's values indexed by industry.
    normalised : bool
        Rescale to 0–1 (needs at least two industries).

    Returns
    -------
    float or Series
        A Python float for one area; a Series indexed by area for a table.

    Examples
    --------
    >>> import pandas as pd
    >>> round(herfindahl(pd.Series({"C": 50.0, "K": 30.0, "Q": 20.0})), 10)  # .25 + .09 + .04
    0.38
    >>> herfindahl([25.0, 25.0, 25.0, 25.0], normalised=True)
    0.0
    """
    func = "herfindahl"
    if isinstance(values, (list, tuple, np.ndarray)):
        array = np.asarray(values)
        if array.ndim != 1:
            raise _error(
                func,
                f"a list or array should be one area's values (1-D), but has shape {array.shape}.",
                "pass a DataFrame (areas × industries) for several areas.",
            )
        values = pd.Series(array, index=[f"industry {i}" for i in range(array.size)])
    table, single = _as_table(func, values)
    shares = _shares(func, table, "values")
    h = (shares**2).sum(axis=1)
    if normalised:
        n = table.shape[1]
        if n < 2:
            raise _error(
                func,
                "the normalised index needs at least two industries.",
                "pass more industries, or use normalised=False.",
            )
        h = (h - 1.0 / n) / (1.0 - 1.0 / n)
    return _per_area(h, single, "herfindahl")


# ---------------------------------------------------------------------------------------------
# Shift-share
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftShare:
    """A classic shift-share decomposition of one area's change between two years.

    Attributes
    ----------
    table : DataFrame
        One row per industry with ``start``, ``end``, ``change`` (= end − start),
        ``national_growth``, ``industry_mix`` and ``regional_shift``; the last three add up to
        ``change`` in every row.
    change, national_growth, industry_mix, regional_shift : float
        The sums over industries (the same identity holds for the totals).
    national_rate : float
        The benchmark's growth rate over the period (all industries), e.g. 0.62 = +62%.
    """

    table: pd.DataFrame
    change: float
    national_growth: float
    industry_mix: float
    regional_shift: float
    national_rate: float

    def effects(self) -> pd.Series:
        """The three totals and the actual change, as a Series."""
        return pd.Series(
            {
                "national_growth": self.national_growth,
                "industry_mix": self.industry_mix,
                "regional_shift": self.regional_shift,
                "change": self.change,
            },
            name="shift_share",
        )


def _one_area(func: str, values, what: str) -> pd.Series:
    table, single = _as_table(func, values, what)
    if not single:
        if len(table) != 1:
            raise _error(
                func,
                f"{what} should be one area's values indexed by industry, but it is a table "
                f"with {len(table)} rows.",
                "select one row, e.g. table.loc['TLD3'].",
            )
    return table.iloc[0]


def shift_share(start, end, national_start, national_end) -> ShiftShare:
    """Classic (Dunn) shift-share decomposition of an area's change by industry.

    For industry ``i`` in area ``r`` between two years (0 and 1), with ``g`` the benchmark's
    growth rate over all industries and ``g_i`` its growth rate in industry ``i``:

    * national growth effect: ``x_ri0 * g`` (what the area would have gained growing like the
      nation as a whole);
    * industry-mix effect: ``x_ri0 * (g_i - g)`` (gain from being in nationally fast- or
      slow-growing industries);
    * regional shift (competitive, differential) effect: ``x_ri0 * (r_i - g_i)``, the area
      growing faster or slower than the same industry nationally. It is computed as
      ``change - national - mix``, which equals that formula whenever ``x_ri0 > 0`` and also
      covers an industry that starts at zero.

    The three parts add up to the actual change ``x_ri1 - x_ri0`` for every industry.

    Parameters
    ----------
    start, end : Series
        The area's values by industry in the first and last year (e.g. GVA in £ million).
    national_start, national_end : Series
        The benchmark's values by industry in the same two years (e.g. the ``"UKX"`` rows).

    Returns
    -------
    ShiftShare

    Raises
    ------
    MeasureError
        For industries that differ between the four inputs, negative or missing values, or a
        benchmark industry of zero in the first year (its growth rate is undefined).

    Notes
    -----
    In current prices, price changes land mostly in the industry-mix effect (oil, finance), and
    the result depends on the two end years chosen: say which years you used and why.

    Examples
    --------
    >>> import pandas as pd
    >>> s = shift_share(pd.Series({"C": 100.0, "K": 50.0}), pd.Series({"C": 110.0, "K": 80.0}),
    ...                 pd.Series({"C": 1000.0, "K": 1000.0}), pd.Series({"C": 1000.0, "K": 1400.0}))
    >>> s.table[["national_growth", "industry_mix", "regional_shift"]]
              national_growth  industry_mix  regional_shift
    industry
    C                    20.0         -20.0            10.0
    K                    10.0          10.0            10.0
    >>> s.change, round(s.national_growth + s.industry_mix + s.regional_shift, 9)
    (40.0, 40.0)
    """
    func = "shift_share"
    x0 = _one_area(func, start, "start")
    x1 = _one_area(func, end, "end")
    n0 = _one_area(func, national_start, "national_start")
    n1 = _one_area(func, national_end, "national_end")
    _check_industries(func, x0.index, x1.index, "start", "end")
    _check_industries(func, x0.index, n0.index, "start", "national_start")
    _check_industries(func, x0.index, n1.index, "start", "national_end")
    x1, n0, n1 = x1.reindex(x0.index), n0.reindex(x0.index), n1.reindex(x0.index)
    zero = n0 <= 0
    if zero.any():
        raise _error(
            func,
            f"national_start is zero for the industries {_list(n0.index[zero])}, so their "
            "national growth rate is undefined.",
            "drop those industries from all four inputs, and say so.",
        )
    g = float(n1.sum() / n0.sum() - 1.0)
    gi = n1 / n0 - 1.0
    change = x1 - x0
    national = x0 * g
    mix = x0 * (gi - g)
    regional = change - national - mix
    table = pd.DataFrame(
        {
            "start": x0,
            "end": x1,
            "change": change,
            "national_growth": national,
            "industry_mix": mix,
            "regional_shift": regional,
        }
    )
    table.index.name = "industry"
    return ShiftShare(
        table=table,
        change=float(change.sum()),
        national_growth=float(national.sum()),
        industry_mix=float(mix.sum()),
        regional_shift=float(regional.sum()),
        national_rate=g,
    )


# ---------------------------------------------------------------------------------------------
# Candidate clusters
# ---------------------------------------------------------------------------------------------


def _threshold(func: str, value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise _error(
            func,
            f"{name} should be a finite number, but it is {value!r}.",
            f"pass a number, e.g. {name}=1.25.",
        )
    if value < 0:
        raise _error(func, f"{name} is {value!r}; it cannot be negative.", "pass 0 or more.")
    return float(value)


def candidate_clusters(lq, size, *, lq_min: float = 1.25, size_min: float = 0.0, area=None):
    """Industries that pass a simple cluster screen: LQ above ``lq_min`` and size at least
    ``size_min``.

    A screen, not a verdict: it finds where an area is relatively specialised *and* the
    activity is big enough to matter. Whether firms there actually form a cluster (linked
    suppliers, shared skills, knowledge flowing between them) needs local research.

    Parameters
    ----------
    lq : DataFrame or Series
        Location quotients (area × industry, or one area's Series), from
        :func:`location_quotient`.
    size : DataFrame or Series
        The sizes behind them (employee jobs or £ million), same areas and industries.
    lq_min : float
        Keep industries with LQ strictly above this (1.25 is a common choice).
    size_min : float
        Keep industries with size at least this.
    area : label, optional
        With tables, keep only this area (e.g. ``"TLD3"`` or ``"Greater Manchester"``).

    Returns
    -------
    DataFrame
        Columns ``area`` (tables only), ``industry``, ``lq``, ``size``; sorted by LQ, highest
        first, with a fresh 0, 1, 2, ... index.

    Examples
    --------
    >>> import pandas as pd
    >>> lq = pd.Series({"C": 1.6, "K": 0.7, "M": 1.3, "R": 2.0})
    >>> jobs = pd.Series({"C": 90000.0, "K": 20000.0, "M": 60000.0, "R": 3000.0})
    >>> candidate_clusters(lq, jobs, lq_min=1.25, size_min=10000)
      industry   lq     size
    0        C  1.6  90000.0
    1        M  1.3  60000.0
    """
    func = "candidate_clusters"
    lq_min = _threshold(func, lq_min, "lq_min")
    size_min = _threshold(func, size_min, "size_min")
    lq_table, single = _as_table(func, lq, "lq")
    size_table, size_single = _as_table(func, size, "size")
    if single != size_single:
        raise _error(
            func,
            "lq and size should both be tables (area × industry) or both one area's Series.",
            "pass the same kind of object for both, e.g. lq.loc['TLD3'] and size.loc['TLD3'].",
        )
    if single:
        lq_table.index = size_table.index = pd.Index(["_"])
    _check_industries(func, lq_table.columns, size_table.columns, "lq", "size")
    missing = lq_table.index.difference(size_table.index, sort=False)
    extra = size_table.index.difference(lq_table.index, sort=False)
    if len(missing) or len(extra):
        raise _error(
            func,
            f"lq and size do not cover the same areas (in lq only: {_list(missing) or 'none'}; "
            f"in size only: {_list(extra) or 'none'}).",
            "compute both from the same table: a benchmark row such as 'UKX' is dropped from "
            "the LQs, so drop it from size too, e.g. size.drop(index='UKX').",
        )
    size_table = size_table.reindex(index=lq_table.index, columns=lq_table.columns)
    if area is not None:
        if single:
            raise _error(
                func,
                "area= selects a row of a table, but lq and size are one area's Series.",
                "leave area out, or pass the full tables.",
            )
        if area not in lq_table.index:
            raise _error(
                func,
                f"the area {area!r} is not in the table.",
                "pass one of the labels above (codes such as 'TLD3', or names for the city "
                "regions).",
                options_text(area, lq_table.index),
            )
        lq_table, size_table = lq_table.loc[[area]], size_table.loc[[area]]
    long = pd.DataFrame(
        {
            "area": np.repeat(lq_table.index.to_numpy(dtype=object), lq_table.shape[1]),
            "industry": np.tile(lq_table.columns.to_numpy(dtype=object), lq_table.shape[0]),
            "lq": lq_table.to_numpy().ravel(),
            "size": size_table.to_numpy().ravel(),
        }
    )
    keep = (long["lq"] > lq_min) & (long["size"] >= size_min)
    out = long[keep].sort_values(["lq", "size"], ascending=False, kind="mergesort")
    out = out.reset_index(drop=True)
    out["area"] = out["area"].astype("str")
    out["industry"] = out["industry"].astype("str")
    if single:
        out = out.drop(columns="area")
    return out
