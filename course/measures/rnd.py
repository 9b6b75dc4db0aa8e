"""Shares, intensities, leverage and "what if" scenarios for public and private R&D (lesson 06).

Research and development (R&D) spending is concentrated: in the financial year 2021-22 about half
of the UK's public-funded R&D was performed in the Greater South East (London, the South East and
the East of England). The functions here answer the questions lesson 06 asks of such figures:

* :func:`share_of_total` and :func:`group_share` - each area's (or a group's) share of a total.
* :func:`intensity` and :func:`per_head` - spending relative to the size of a place (per person,
  or as a % of GVA). Divide by a population or GVA **of the matching year and vintage**, or say
  that they do not match.
* :func:`leverage_ratio` - private money per pound of public money. It is a **gross** ratio: it
  does not say how much of the private money would have been spent anyway (additionality).
* :func:`grow` and :func:`reallocate` - two scenarios for raising spending in some areas: growth
  (the others keep theirs, the total rises) and reallocation (the others pay, the total is kept).

Values are pandas Series indexed by area code (two Series are matched by label) or plain lists.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from course.errors import article
from course.measures._validate import (
    _area_labels,
    _as_values,
    _error,
    _matched,
    _positive_number,
    _require_labels,
    _series,
    _Where,
)

__all__ = [
    "group_share",
    "grow",
    "intensity",
    "leverage_ratio",
    "per_head",
    "reallocate",
    "share_of_total",
]


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------


def _amounts(func: str, values, what: str = "values") -> tuple[np.ndarray, pd.Index]:
    """Non-negative amounts with a label for each (0, 1, 2, ... for a plain list)."""
    x, index = _as_values(func, values, what)
    if x.size == 0:
        raise _error(
            func,
            f"{what} is empty, so there is nothing to share out.",
            "check the filter that selected the rows (measure, year, release, level).",
        )
    labels = index if index is not None else pd.RangeIndex(x.size)
    bad = x < 0
    if bad.any():
        raise _error(
            func,
            f"{what} should be amounts of money (zero or more), but it is negative for "
            f"{_Where(index).name(bad)}.",
            "pass spending levels, not changes or gaps.",
        )
    return x, labels


def _named(labels: pd.Index) -> pd.Index | None:
    """The area labels from :func:`_amounts`, or None where they are positions (a plain list)."""
    return None if isinstance(labels, pd.RangeIndex) else labels


def _members(func: str, members, labels: pd.Index) -> np.ndarray:
    """A boolean mask of the areas named in ``members`` (a label or a list of labels)."""
    if isinstance(members, pd.Series) and pd.api.types.is_bool_dtype(members.dtype):
        wanted = list(members.index[members.to_numpy(dtype=bool)])
    else:
        wanted = _area_labels(func, members, "members",
                              "['TLI', 'TLJ', 'TLH'] for the Greater South East")
    if not wanted:
        raise _error(
            func,
            "members is empty, so no area is in the group.",
            "list the area codes in the group, e.g. ['TLI', 'TLJ', 'TLH'].",
        )
    _require_labels(func, wanted, labels, "members",
                    "use the area labels of values (index it by ITL code first, e.g. "
                    ".set_index('itl_code')); the UK and England rows are totals, not members.",
                    among=" in values")
    return np.asarray(labels.isin(wanted), dtype=bool)


def _rate(func: str, rate, name: str = "rate") -> float:
    if (
        not isinstance(rate, numbers.Real)
        or isinstance(rate, bool)
        or not np.isfinite(float(rate))
        or float(rate) < 0
    ):
        raise _error(
            func,
            f"{name} should be a fraction of zero or more (0.4 for +40%), but it is {rate!r}.",
            f"pass e.g. {name}=0.4 (not 40) for a 40% rise.",
        )
    return float(rate)


def _fraction(func: str, rate, percent, name: str = "rate") -> float:
    """The rise as a fraction, from exactly one of ``rate`` (a fraction) or ``percent``.

    A ``rate`` above 1 (a rise of more than 100%) is refused: 40 almost always means 40%, and
    as a fraction it would multiply the amounts by 41. A rise of more than 100% is given as
    ``percent=`` (e.g. percent=150), which cannot be misread.
    """
    if (rate is None) == (percent is None):
        raise _error(
            func,
            f"give the rise once: either {name}= as a fraction (0.4 for +40%) or percent= in "
            "per cent (40 for +40%)" + (", not both." if rate is not None else "."),
            f"for +40%, pass {name}=0.4 or percent=40.",
        )
    if percent is not None:
        return _rate(func, percent, "percent") / 100.0
    r = _rate(func, rate, name)
    if r > 1:
        raise _error(
            func,
            f"{name}={rate!r} is a fraction, so it would multiply the members' amounts by "
            f"{1 + r:g} (a rise of {100 * r:,.0f}%). {name} is a fraction: 0.4 means +40%.",
            f"for a {rate:g}% rise pass {name}={r / 100:g} or percent={rate!r}; a rise of more "
            "than 100% is written with percent= (e.g. percent=150), so it cannot be misread.",
        )
    return r


# ---------------------------------------------------------------------------------------------
# Shares and intensities
# ---------------------------------------------------------------------------------------------


def share_of_total(values, total=None) -> pd.Series:
    """Each area's share of a total, as a fraction (multiply by 100 for %).

    Parameters
    ----------
    values : pandas.Series or array-like
        Amounts by area, e.g. public-funded R&D in £ million by ITL1 code. Leave out total
        rows (UK, England): they are not areas.
    total : float, optional
        The total to divide by. Default: the sum of ``values``. Pass a published total
        (e.g. the UK row) to reproduce a published share; the regions may then sum to a
        little more or less than 1 because of rounding.

    Returns
    -------
    pandas.Series
        Shares, same labels as ``values``, named ``share``.

    Examples
    --------
    >>> import pandas as pd
    >>> rd = pd.Series({"TLI": 30.0, "TLJ": 20.0, "TLC": 50.0})
    >>> share_of_total(rd).tolist()
    [0.3, 0.2, 0.5]
    >>> round(float(share_of_total(rd, total=120.0)["TLC"]), 4)
    0.4167
    """
    func = "share_of_total"
    x, labels = _amounts(func, values)
    if total is None:
        t = float(x.sum())
    elif isinstance(total, numbers.Real) and not isinstance(total, bool):
        t = float(total)
    else:
        raise _error(
            func,
            f"total should be one number, not {article(type(total).__name__)}.",
            "pass e.g. total=float(uk_row) or leave it out to use the sum of values.",
        )
    if not (np.isfinite(t) and t > 0):
        raise _error(
            func,
            f"the total must be a positive number, but it is {t!r}.",
            "check that values holds amounts for the right year and measure.",
        )
    return _series(x / t, labels, "share")


def group_share(values, members, total=None) -> float:
    """The share of a total (a fraction) that falls to a group of areas.

    Parameters
    ----------
    values : pandas.Series or array-like
        Amounts by area (no total rows).
    members : label or list of labels
        The areas in the group, e.g. ``["TLI", "TLJ", "TLH"]`` for the Greater South East.
    total : float, optional
        As for :func:`share_of_total` (default: the sum of ``values``).

    Returns
    -------
    float

    Examples
    --------
    >>> import pandas as pd
    >>> rd = pd.Series({"TLI": 30.0, "TLJ": 20.0, "TLC": 50.0})
    >>> group_share(rd, ["TLI", "TLJ"])
    0.5
    """
    func = "group_share"
    shares = share_of_total(values, total)
    mask = _members(func, members, shares.index)
    return float(shares.to_numpy()[mask].sum())


def intensity(values, base, *, scale: float = 1.0) -> pd.Series:
    """Spending relative to the size of each area: ``values / base * scale``.

    Use ``scale=100`` with GVA in the same money unit for "R&D as a % of GVA", or see
    :func:`per_head` for spending per person. ``base`` should be for the **same year and
    the same statistical vintage** as ``values``; when no such figure exists, say which
    mismatch you accepted (e.g. 2021-22 R&D over mid-2021 population).

    Parameters
    ----------
    values : pandas.Series or array-like
        Amounts by area (e.g. BERD, £ million).
    base : pandas.Series or array-like
        The size of each area (GVA in £ million, population, ...). Two Series are matched by
        label and must cover the same areas.
    scale : float
        Multiplier (100 for a percentage).

    Returns
    -------
    pandas.Series
        Named ``intensity``.

    Examples
    --------
    >>> import pandas as pd
    >>> berd = pd.Series({"TLH": 9946.0, "TLC": 784.0})
    >>> gva = pd.Series({"TLC": 60000.0, "TLH": 200000.0})
    >>> intensity(berd, gva, scale=100).round(2)
    TLH    4.97
    TLC    1.31
    Name: intensity, dtype: float64
    """
    func = "intensity"
    scale = _positive_number(func, scale, "scale", "pass e.g. scale=100 for a percentage.")
    x, labels = _amounts(func, values)
    index = _named(labels)
    b = _matched(func, base, index, x.size, "values", "base",
                 "give one base per area; best, two Series indexed by area code.", unit="entries")
    bad = ~(b > 0)
    if bad.any():
        raise _error(
            func,
            f"base must be positive (it is divided by), but it is not for "
            f"{_Where(index).name(bad)}.",
            "check that base holds sizes (population, GVA) for the same areas and year.",
        )
    return _series(x / b * float(scale), labels, "intensity")


def per_head(values, population, *, unit: float = 1_000_000) -> pd.Series:
    """Spending per person, in pounds: ``values * unit / population``.

    Parameters
    ----------
    values : pandas.Series or array-like
        Amounts by area in units of ``unit`` pounds (default £ million).
    population : pandas.Series or array-like
        Resident population (persons), same areas, ideally the same year and vintage.
    unit : float
        Pounds per unit of ``values`` (1,000,000 for £ million, 1 for £).

    Returns
    -------
    pandas.Series
        £ per head, named ``per_head``.

    Examples
    --------
    >>> import pandas as pd
    >>> per_head(pd.Series({"TLI": 2674.0}), pd.Series({"TLI": 8_796_628})).round(1)
    TLI    304.0
    Name: per_head, dtype: float64
    """
    func = "per_head"
    unit = _positive_number(func, unit, "unit", "pass unit=1_000_000 for values in £ million.",
                            what="a positive number of pounds")
    try:
        out = intensity(values, population, scale=unit)
    except Exception as exc:  # re-label the message with this function's name
        from course.errors import MeasureError

        if isinstance(exc, MeasureError):
            raise MeasureError(
                str(exc).replace("intensity():", "per_head():").replace("base", "population")
            ) from None
        raise
    return out.rename("per_head")


def leverage_ratio(private, public):
    """Private money per pound of public money: ``private / public`` (a gross ratio).

    A ratio of 3 says that for every £1 of public money there were £3 of private money
    alongside it. It does **not** say the public money caused the private money: some would
    have been spent anyway (deadweight), some moved from elsewhere (displacement). Only an
    evaluation with a counterfactual gives the *additional* amount.

    Parameters
    ----------
    private, public : number, or pandas.Series / array-like
        Amounts in the same currency and unit. Two Series are matched by label.

    Returns
    -------
    float or pandas.Series
        A float for two numbers, otherwise a Series named ``leverage_ratio``.

    Examples
    --------
    >>> leverage_ratio(320.0, 80.0)
    4.0
    >>> import pandas as pd
    >>> leverage_ratio(pd.Series({"A": 9.0, "B": 2.0}), pd.Series({"B": 1.0, "A": 3.0}))
    A    3.0
    B    2.0
    Name: leverage_ratio, dtype: float64
    """
    func = "leverage_ratio"
    scalars = [isinstance(v, numbers.Real) and not isinstance(v, bool) for v in (private, public)]
    if all(scalars):
        p, q = float(private), float(public)
        if not (np.isfinite(p) and p >= 0):
            raise _error(func, f"private should be an amount of zero or more, not {private!r}.",
                         "pass the private money in the same unit as the public money.")
        if not (np.isfinite(q) and q > 0):
            raise _error(func, f"public must be a positive amount (it is divided by), not "
                         f"{public!r}.", "pass the public money committed, e.g. 80.0 (£m).")
        return p / q
    if any(scalars):
        raise _error(
            func,
            "private and public should both be single numbers or both be one number per area.",
            "pass two numbers, or two Series indexed by area code.",
        )
    x, labels = _amounts(func, private, "private")
    index = _named(labels)
    q = _matched(func, public, index, x.size, "private", "public",
                 "give one public amount per area; best, two Series indexed by area code.",
                 unit="entries")
    bad = ~(q > 0)
    if bad.any():
        raise _error(
            func,
            "public must be positive (it is divided by), but it is not for "
            f"{_Where(index).name(bad)}.",
            "leave out areas with no public money, and say so.",
        )
    return _series(x / q, labels, "leverage_ratio")


# ---------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------


def grow(values, members, rate=None, *, percent=None) -> pd.Series:
    """Growth scenario: raise the members' amounts by ``rate``; everyone else keeps theirs.

    The total rises by ``rate`` times the members' total. This is how the 2022 levelling-up
    R&D mission was framed (public R&D outside the Greater South East up by at least 40%).

    Parameters
    ----------
    values : pandas.Series or array-like
        Amounts by area (no total rows).
    members : label or list of labels
        The areas that grow.
    rate : float
        The rise as a fraction (0.4 for +40%), at most 1 (+100%): a larger number is almost
        always a percentage typed as a fraction (40 would mean x41), so it is refused.
    percent : float, optional
        The rise in per cent instead (40 for +40%; any size, e.g. 150). Give ``rate`` or
        ``percent``, not both. The R&D widget's slider is in per cent and calls this.

    Returns
    -------
    pandas.Series
        The new amounts, same labels, named ``scenario``.

    Examples
    --------
    >>> import pandas as pd
    >>> rd = pd.Series({"TLI": 50.0, "TLC": 30.0, "TLD": 20.0})
    >>> grow(rd, ["TLC", "TLD"], 0.4).tolist()
    [50.0, 42.0, 28.0]
    >>> grow(rd, ["TLC", "TLD"], percent=40).tolist()
    [50.0, 42.0, 28.0]
    """
    func = "grow"
    r = _fraction(func, rate, percent)
    x, labels = _amounts(func, values)
    mask = _members(func, members, labels)
    out = np.where(mask, x * (1.0 + r), x)
    return _series(out, labels, "scenario")


def reallocate(values, members, *, rate=None, share=None, percent=None) -> pd.Series:
    """Reallocation scenario: move money to the members from everyone else; keep the total.

    Give exactly one of

    * ``rate``: the members' total rises by this fraction (0.4 for +40%, as in :func:`grow`;
      at most 1),
    * ``percent``: the same rise in per cent (40 for +40%),
    * ``share``: this fraction of the whole total moves to the members.

    Each member gains in proportion to its own amount; each other area pays in proportion to
    its own amount, so shares *within* each side stay as they were.

    Parameters
    ----------
    values : pandas.Series or array-like
        Amounts by area (no total rows).
    members : label or list of labels
        The areas that receive.
    rate, share : float
        How much to move (see above); fractions of zero or more (``rate`` at most 1).
    percent : float, optional
        The members' rise in per cent, instead of ``rate``.

    Returns
    -------
    pandas.Series
        The new amounts, same labels and same total, named ``scenario``.

    Raises
    ------
    MeasureError
        If more would move than the other areas have, or both/neither of rate and share.

    Examples
    --------
    >>> import pandas as pd
    >>> rd = pd.Series({"TLI": 50.0, "TLC": 30.0, "TLD": 20.0})
    >>> reallocate(rd, ["TLC", "TLD"], rate=0.4).tolist()  # +20 to the members, -20 from TLI
    [30.0, 42.0, 28.0]
    >>> reallocate(rd, ["TLC", "TLD"], share=0.1).tolist()  # 10 of the 100 moves to them
    [40.0, 36.0, 24.0]
    """
    func = "reallocate"
    if sum(v is not None for v in (rate, share, percent)) != 1:
        raise _error(
            func,
            "give exactly one of rate= (the members' rise as a fraction, e.g. 0.4), percent= "
            "(the same rise in per cent, e.g. 40) or share= (the fraction of the total to move, "
            "e.g. 0.05).",
            "for the levelling-up mission's +40%, call reallocate(values, members, rate=0.4).",
        )
    x, labels = _amounts(func, values)
    mask = _members(func, members, labels)
    if mask.all():
        raise _error(
            func,
            "every area is a member, so there is nobody to move money from.",
            "list only the receiving areas in members (e.g. those outside the Greater South East).",
        )
    gaining, paying = float(x[mask].sum()), float(x[~mask].sum())
    if share is None:
        moved = _fraction(func, rate, percent) * gaining
    else:
        moved = _rate(func, share, "share") * float(x.sum())
    if moved > paying * (1 + 1e-12):
        raise _error(
            func,
            f"this would move {moved:,.6g}, more than the other areas have ({paying:,.6g}).",
            "use a smaller rate or share (the others cannot pay more than they spend).",
        )
    if moved > 0 and not gaining > 0:
        raise _error(
            func,
            "the members have nothing now, so a proportional rise is undefined.",
            "use share= with members that already receive something.",
        )
    up = 1.0 + (moved / gaining if gaining > 0 else 0.0)
    down = 1.0 - (min(moved, paying) / paying if paying > 0 else 0.0)
    out = np.where(mask, x * up, x * down)
    return _series(out, labels, "scenario")
