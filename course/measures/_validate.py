"""Input checks and error messages shared by every module of course.measures.

Each check either returns clean numbers or raises a MeasureError that says, in words a student
can act on, what was wrong, which values would have been valid and how to fix it
(:func:`_error`). The messages name the function that was called and the argument at fault.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from course.errors import MeasureError, options_text

_SHOW = 8  # how many offending labels an error message lists

# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------


def _plain(label: object) -> object:
    """A numpy scalar as the equivalent Python object, so that messages read naturally."""
    return label.item() if isinstance(label, np.generic) else label


def _list(labels, limit: int = _SHOW) -> str:
    """Quote up to ``limit`` labels and say how many more there are."""
    labels = [_plain(x) for x in labels]
    shown = ", ".join(repr(x) for x in labels[:limit])
    extra = len(labels) - limit
    return f"{shown} and {extra} more" if extra > 0 else shown


def _error(func: str, problem: str, fix: str, options: str = "") -> MeasureError:
    """A MeasureError that says what was wrong, the valid options (if any) and how to fix it."""
    parts = [f"{func}(): {problem}"]
    if options:
        parts.append(options)
    parts.append(f"How to fix: {fix}")
    return MeasureError("\n".join(parts))


class _Where:
    """Names the areas behind positions in an array, for error messages.

    ``index`` is a pandas Index of area labels, or None for plain arrays (then positions are
    named instead).
    """

    __slots__ = ("index", "frame_labels")

    def __init__(self, index: pd.Index | None = None, frame_labels: Callable | None = None):
        self.index = index
        self.frame_labels = frame_labels

    def name(self, mask: np.ndarray) -> str:
        positions = np.flatnonzero(mask)
        if self.frame_labels is not None:
            return _list(self.frame_labels(positions))
        if self.index is None:
            word = "position" if len(positions) == 1 else "positions"
            return f"{word} {_list(positions)}"
        return _list(self.index[positions])


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------


def _frame_error(func: str, frame: pd.DataFrame, what: str) -> MeasureError:
    columns = [str(c) for c in frame.columns]
    numeric = [
        str(c)
        for c, dtype in frame.dtypes.items()
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    ]
    likely = [c for c in numeric if c not in {"year", "itl_level"}] or numeric or columns
    pick = likely[0] if likely else "value"
    area = "itl_code" if "itl_code" in columns else None
    example = f"frame.set_index({area!r})[{pick!r}]" if area else f"frame[{pick!r}]"
    options = (
        f"Columns holding numbers: {_list(numeric, 12)}."
        if numeric
        else f"Columns: {_list(columns, 12)}."
    )
    return _error(
        func,
        f"{what} should be one column of numbers (a pandas Series), but it is a DataFrame "
        f"with {len(columns)} column{'s' if len(columns) != 1 else ''}.",
        f"pick the column you want to measure, e.g. {example} (indexing by area code lets "
        "error messages and results name the areas).",
        options,
    )


def _numbers(func: str, raw, what: str, where: _Where) -> np.ndarray:
    """Turn ``raw`` (a Series or numpy array) into float64, refusing text, True/False, NaN and inf."""
    dtype = raw.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iuf":
        x = np.asarray(raw, dtype=np.float64)
    elif pd.api.types.is_bool_dtype(dtype):
        raise _error(
            func,
            f"{what} holds True/False values, not numbers.",
            "pass the numeric column you meant to measure (a True/False column is usually a "
            "filter: use it to select rows, e.g. frame[frame['year'] == 2021]).",
        )
    elif pd.api.types.is_numeric_dtype(dtype):  # nullable Int64 / Float64
        x = pd.Series(raw, copy=False).to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        series = pd.Series(raw, copy=False)
        numeric = pd.to_numeric(series, errors="coerce")
        bad = (numeric.isna() & series.notna()).to_numpy()
        if bad.any():
            sample = _list(series[bad].unique()[:5], 5)
            if bad.all():
                problem = (
                    f"{what} holds text, not numbers (for example {sample}). Did you pick a "
                    "label column such as 'region' or 'itl_code' instead of a column of figures?"
                )
                fix = "pass a column of numbers, e.g. frame.set_index('itl_code')['gva_per_hour']."
            else:
                problem = (
                    f"some entries of {what} are not numbers ({sample}) at {where.name(bad)}. "
                    "ONS tables mark suppressed or unavailable figures with '..', ':' or 'x'."
                )
                name = what if what.isidentifier() else "values"
                fix = (
                    "convert to numbers and drop the gaps: "
                    f"pd.to_numeric({name}, errors='coerce').dropna() (and say which areas "
                    "you dropped)."
                )
            raise _error(func, problem, fix)
        x = numeric.to_numpy(dtype=np.float64, na_value=np.nan)
    finite = np.isfinite(x)
    if not finite.all():
        nan = np.isnan(x)
        if nan.any():
            if where.frame_labels is not None:
                fix = (
                    "drop those rows with frame.dropna(subset=[...]) and say so; a balanced "
                    "panel then needs those areas dropped from every year (or balanced=False)."
                )
            else:
                name = what if what.isidentifier() else "values"
                fix = (
                    f"drop them first with .dropna() (for example {name}.dropna()) and say which "
                    "areas you left out, or fill them if you know the published figures."
                )
            raise _error(func, f"{what} has missing values (NaN) for {where.name(nan)}.", fix)
        raise _error(
            func,
            f"{what} has infinite values for {where.name(~finite)} (often from dividing by zero).",
            "check how these values were computed, or drop those areas.",
        )
    return x


def _require_positive(func: str, x: np.ndarray, what: str, where: _Where, why: str) -> None:
    bad = x <= 0
    if bad.any():
        raise _error(
            func,
            f"{why}, but {what} has zero or negative values for {where.name(bad)}.",
            "drop those areas (and say so) or check that you picked a level such as GVA per "
            "hour rather than a change or a gap.",
        )


def _require_nonnegative(
    func: str, x: np.ndarray, what: str, where: _Where, why: str, fix: str = ""
) -> None:
    bad = x < 0
    if bad.any():
        raise _error(
            func,
            f"{why}, but {what} has negative values for {where.name(bad)}.",
            fix
            or "drop those areas (and say so) or check that you picked a level rather than a "
            "change or a gap.",
        )


def _as_values(func: str, values, what: str = "values") -> tuple[np.ndarray, pd.Index | None]:
    """Check ``values`` and return (float64 array, area index or None for plain arrays)."""
    if isinstance(values, pd.Series):
        index = values.index
        if not index.is_unique:
            counts = index.value_counts()
            repeated = counts[counts > 1]
            shown = ", ".join(f"{_plain(k)!r} ({v} times)" for k, v in repeated.head(5).items())
            raise _error(
                func,
                f"{what} has repeated area labels: {shown}. Each area must appear once.",
                "pick one year (and one geography level) first, e.g. "
                "frame[frame['year'] == 2021].set_index('itl_code')['gva_per_hour'].",
            )
        return _numbers(func, values, what, _Where(index)), index
    if isinstance(values, pd.DataFrame):
        raise _frame_error(func, values, what)
    if isinstance(values, Mapping):
        return _as_values(func, pd.Series(dict(values)), what)
    if values is None or isinstance(values, (str, bytes, numbers.Number)):
        raise _error(
            func,
            f"{what} should hold one number per area, but got a single {type(values).__name__}.",
            "pass a pandas Series indexed by area code (or a list of numbers).",
        )
    array = np.asarray(values)
    if array.ndim != 1:
        hint = (
            "use .ravel() or pick one column"
            if array.ndim == 2 and 1 in array.shape
            else "pass one row or column of numbers"
        )
        raise _error(
            func,
            f"{what} should be one-dimensional (one number per area), but has shape {array.shape}.",
            f"{hint}.",
        )
    return _numbers(func, array, what, _Where(None)), None


def _check_not_empty(func: str, x: np.ndarray, what: str = "values") -> None:
    if x.size == 0:
        raise _error(
            func,
            f"{what} is empty, so there is nothing to measure.",
            "check the filter that selected the areas (a year or level that is not in the "
            "data gives an empty selection), e.g. frame['year'].unique().",
        )


def _coverage(left: str, right: str, missing, extra, noun: str = "") -> str:
    """Which labels are in only one of ``left`` and ``right`` ("in x but not in y: ...; ...")."""
    parts = []
    if len(missing):
        parts.append(f"{noun}in {left} but not in {right}: {_list(missing)}")
    if len(extra):
        parts.append(f"{noun}in {right} but not in {left}: {_list(extra)}")
    return "; ".join(parts)


def _alignment_error(func: str, left: str, right: str, missing, extra) -> MeasureError:
    return _error(
        func,
        f"{left} and {right} do not cover the same areas "
        f"({_coverage(left, right, missing, extra, 'areas ')}).",
        f"give both the same area labels, e.g. {right} = {right}.reindex({left}.index) after "
        f"checking, or select the same areas from both (for example the same year and level).",
    )


def _align_to(func: str, other: pd.Series, index: pd.Index, left: str, right: str) -> pd.Series:
    """Reorder the Series ``other`` to ``index``; refuse if the label sets differ."""
    other_index = other.index
    if other_index.equals(index):
        return other
    if not other_index.is_unique:
        counts = other_index.value_counts()
        repeated = list(counts[counts > 1].index)
        raise _error(
            func,
            f"{right} has repeated area labels: {_list(repeated)}.",
            "make sure each area appears once (pick one year and level first).",
        )
    missing = index.difference(other_index, sort=False)
    extra = other_index.difference(index, sort=False)
    if len(missing) or len(extra):
        raise _alignment_error(func, left, right, missing, extra)
    return other.reindex(index)


def _series(data: np.ndarray, index: pd.Index | None, name: str) -> pd.Series:
    if index is None:
        index = pd.RangeIndex(len(data))
    return pd.Series(data, index=index, name=name, copy=False)


def _matched(func: str, other, index: pd.Index | None, n: int, left: str, right: str, fix: str,
             unit: str = "values") -> np.ndarray:
    """``other`` as floats for the ``n`` areas of ``left``.

    A Series is matched by label when ``left`` has labels (``index``), else by position; either
    way there must be one value per area.
    """
    if isinstance(other, pd.Series) and index is not None:
        other = _align_to(func, other, index, left, right)
    y, _ = _as_values(func, other, right)
    if y.size != n:
        raise _error(func, f"{left} has {n} {unit} but {right} has {y.size}.", fix)
    return y


def _paired(func: str, a, b, left: str, right: str, fix: str
            ) -> tuple[np.ndarray, np.ndarray, pd.Index | None]:
    """Two inputs as float arrays on the same areas: matched by label when both are Series."""
    xa, index_a = _as_values(func, a, left)
    xb, index_b = _as_values(func, b, right)
    if index_a is not None and index_b is not None:
        if not index_b.equals(index_a):
            xb = _align_to(func, b, index_a, left, right).to_numpy(dtype=np.float64)
    elif xa.size != xb.size:
        raise _error(func, f"{left} has {xa.size} values but {right} has {xb.size}.", fix)
    return xa, xb, index_a if index_a is not None else index_b


def _positive_number(func: str, value, name: str, fix: str, what: str = "a positive number") -> float:
    """A real number above zero (True/False refused)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not float(value) > 0:
        raise _error(func, f"{name} should be {what}, not {value!r}.", fix)
    return float(value)


# ---------------------------------------------------------------------------------------------
# Area labels named by the caller
# ---------------------------------------------------------------------------------------------


def _area_labels(func: str, arg, name: str, example: str) -> list:
    """``arg`` (one area label, or a list of them) as a list of labels."""
    if isinstance(arg, (str, numbers.Integral)) and not isinstance(arg, bool):
        return [arg]
    if isinstance(arg, Iterable):
        return list(arg)
    raise _error(func, f"{name} should be an area label or a list of them, not {arg!r}.",
                 f"pass e.g. {example}.")


def _require_labels(func: str, wanted: list, labels: pd.Index, name: str, fix: str,
                    among: str = "") -> None:
    """Refuse the first label of ``wanted`` (the argument ``name``) that is not in ``labels``."""
    for label in wanted:
        try:
            found = label in labels
        except TypeError:
            found = False
        if not found:
            raise _error(func, f"{name} names {label!r}, which is not one of the areas{among}.",
                         fix, options_text(label, labels))
