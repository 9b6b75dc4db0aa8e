"""Friendly self-checks for the visible tests in lesson notebooks.

Each check raises ``AssertionError`` with a message written for a student: what is wrong with
their answer, in words, and a hint towards the fix. They check exact types before values, and
never rely on the student's object to compare itself (no ``==`` on a student-controlled object).

These checks are for learning. Grades come from hidden tests, which do not use this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import pandas as pd

from course.errors import article

__all__ = [
    "check_type",
    "check_number",
    "check_close",
    "check_frame",
    "check_series",
    "check_index",
    "check_function",
    "check_items",
    "check_keys",
    "check_scale",
    "check_not_mistake",
    "passed",
]


def _fail(message: str) -> None:
    raise AssertionError(message)


def passed(what: str = "your answer") -> None:
    """Print a short confirmation once the checks in a cell have passed."""
    print(f"Well done: {what} passes the visible checks.")


_TYPE_HINTS = {
    float: "a number such as 1.25 (use float(...) to convert a NumPy number or a one-cell result)",
    int: "a whole number such as 12 (use int(...))",
    pd.DataFrame: "a pandas DataFrame",
    pd.Series: "a pandas Series",
    str: "text in quotes",
    list: "a list such as ['TLI', 'TLJ']",
    dict: "a dictionary",
    tuple: "a tuple such as (0.1, 0.5)",
    bool: "True or False",
}


def check_type(value: object, expected: type, name: str) -> None:
    """Check that ``value`` is exactly of type ``expected`` (bool is not accepted as a number).

    Examples
    --------
    >>> check_type(1.5, float, "ratio")
    >>> check_type("1.5", float, "ratio")
    Traceback (most recent call last):
    AssertionError: `ratio` should be a number such as 1.25 (use float(...) to convert a NumPy number or a one-cell result), but it is a str: '1.5'.
    """
    if value is ... or value is None:
        _fail(f"`{name}` has not been set yet: replace the `...` with your answer and run the cell.")
    if type(value) is not expected:
        kind = type(value)
        module = getattr(kind, "__module__", "") or ""
        # numpy.bool, numpy.int64: say which library's type it is, not just "bool" or "int64".
        called = kind.__name__ if module == "builtins" else f"{module.split('.')[0]}.{kind.__name__}"
        if expected is float and isinstance(value, float):
            _fail(f"`{name}` is {article(called)}, not a plain Python float: wrap it in "
                  "float(...) so it can be saved and graded.")
        hint = _TYPE_HINTS.get(expected, expected.__name__)
        if expected in (bool, int, float) and module.startswith("numpy"):
            hint += f" (use {expected.__name__}(...) to turn a NumPy value into a Python one)"
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        _fail(f"`{name}` should be {hint}, but it is {article(called)}: {shown}.")


def check_number(value: object, name: str, *, low: float | None = None,
                 high: float | None = None, hint: str = "") -> float:
    """Check that ``value`` is a real, finite number, optionally within [low, high]."""
    check_type(value, float, name)
    number = float(value)  # type: ignore[arg-type]
    if math.isnan(number) or math.isinf(number):
        _fail(f"`{name}` is {number}: check for a division by zero or missing data. {hint}".strip())
    if low is not None and number < low:
        _fail(f"`{name}` is {number:,.4g}, which is below {low:,.4g}, the smallest plausible "
              f"value. {hint}".strip())
    if high is not None and number > high:
        _fail(f"`{name}` is {number:,.4g}, which is above {high:,.4g}, the largest plausible "
              f"value. {hint}".strip())
    return number


def check_close(value: object, expected: float, name: str, *, tol: float = 1e-6,
                hint: str = "") -> None:
    """Check a number against an expected value, within an absolute tolerance."""
    number = check_number(value, name)
    if not abs(number - float(expected)) <= tol:
        _fail(f"`{name}` is {number:,.6g}, but it should be about {expected:,.6g}. {hint}".strip())


def check_frame(frame: object, name: str, *, columns: Iterable[str] = (),
                rows: int | None = None, row_hint: str = "") -> None:
    """Check that ``frame`` is a DataFrame with the given columns and number of rows."""
    check_type(frame, pd.DataFrame, name)
    assert isinstance(frame, pd.DataFrame)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        _fail(f"`{name}` is missing the column(s) {missing}; it has {list(frame.columns)}.")
    if rows is not None and len(frame) != rows:
        _fail(f"`{name}` should have {rows} rows, but it has {len(frame)}. {row_hint}".strip())


def check_series(series: object, name: str, *, length: int | None = None,
                 numeric: bool = True, length_hint: str = "") -> None:
    """Check that ``series`` is a Series of the right length (and numeric, with no gaps)."""
    check_type(series, pd.Series, name)
    assert isinstance(series, pd.Series)
    if length is not None and len(series) != length:
        _fail(f"`{name}` should have {length} values, but it has {len(series)}. "
              f"{length_hint}".strip())
    if numeric:
        if not pd.api.types.is_numeric_dtype(series.dtype):
            _fail(f"`{name}` should hold numbers, but its dtype is {series.dtype}. "
                  "Did you select a text column?")
        if series.isna().any():
            gaps = list(series[series.isna()].index[:5])
            _fail(f"`{name}` has missing values (for {gaps}). Check your filter and division.")


def check_index(series: object, name: str, expected: Iterable[str], *, what: str = "labels") -> None:
    """Check that a Series or DataFrame is indexed by exactly the expected labels."""
    index = getattr(series, "index", None)
    if index is None:
        _fail(f"`{name}` should be a pandas Series or DataFrame with an index of {what}.")
    have = {str(x) for x in index}
    want = {str(x) for x in expected}
    extra = sorted(have - want)
    missing = sorted(want - have)
    if extra or missing:
        parts = []
        if missing:
            parts.append(f"missing {missing[:6]}")
        if extra:
            parts.append(f"unexpected {extra[:6]}")
        _fail(f"`{name}` should be indexed by the {len(want)} {what}, but it is "
              f"{' and '.join(parts)}. Did you set the index (e.g. .set_index('itl_code'))?")


def check_function(func: object, name: str) -> Callable:
    """Check that ``func`` is a function the student defined (not left as ``...``)."""
    if not callable(func):
        _fail(f"`{name}` should be a function you define with `def {name}(...):`.")
    return func  # type: ignore[return-value]


def check_items(values: object, kind: type, name: str, *, example: str = "") -> None:
    """Check that every item of a list, tuple or Series is exactly of type ``kind``.

    Examples
    --------
    >>> check_items(["TLM", 3], str, "moved", example="'TLM'")
    Traceback (most recent call last):
    AssertionError: `moved` should hold text such as 'TLM', but item 1 is an int: 3.
    """
    words = {str: "text", float: "numbers", int: "whole numbers"}.get(kind, f"{kind.__name__} values")
    such = f" such as {example}" if example else ""
    for position, item in enumerate(list(values)):  # type: ignore[call-overload]
        if type(item) is not kind:
            _fail(f"`{name}` should hold {words}{such}, but item {position} is "
                  f"{article(type(item).__name__)}: {item!r}.")


def check_keys(mapping: object, expected: Iterable[str], name: str) -> None:
    """Check that a dict has exactly the expected keys (in any order).

    Examples
    --------
    >>> check_keys({"ITL1": 1.0, "itl2": 2.0}, ["ITL1", "ITL2"], "ratios")
    Traceback (most recent call last):
    AssertionError: `ratios` should have the keys ['ITL1', 'ITL2']: it is missing ['ITL2'] and has ['itl2'] too. Keys are case-sensitive text.
    """
    check_type(mapping, dict, name)
    have = [str(k) for k in mapping]  # type: ignore[union-attr]
    want = [str(k) for k in expected]
    missing = [k for k in want if k not in have]
    extra = [k for k in have if k not in want]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"it is missing {missing}")
        if extra:
            parts.append(f"has {extra} too" if missing else f"it has {extra} too")
        _fail(f"`{name}` should have the keys {want}: {' and '.join(parts)}. "
              "Keys are case-sensitive text.")


def check_scale(value: object, name: str, *, low: float, high: float, unit: str = "per cent",
                hint: str = "") -> float:
    """Check a number is within [low, high], naming a per cent / fraction mix-up when it is one.

    ``unit`` is "per cent" (values such as 58.4) or "fraction" (values such as 0.584).

    Examples
    --------
    >>> check_scale(0.58, "growth", low=1.0, high=200.0)
    Traceback (most recent call last):
    AssertionError: `growth` is 0.58, which looks like a fraction: the answer is in per cent, so multiply by 100.
    >>> check_scale(45.0, "share", low=0.0, high=1.0, unit="fraction")
    Traceback (most recent call last):
    AssertionError: `share` is 45, which looks like a percentage: the answer is a fraction from 0 to 1, so do not multiply by 100.
    """
    number = check_number(value, name)
    if low <= number <= high:
        return number
    if unit == "per cent" and low <= number * 100 <= high:
        _fail(f"`{name}` is {number:,.4g}, which looks like a fraction: the answer is in per cent, "
              f"so multiply by 100. {hint}".strip())
    if unit == "fraction" and low <= number / 100 <= high:
        _fail(f"`{name}` is {number:,.4g}, which looks like a percentage: the answer is a fraction "
              f"from 0 to 1, so do not multiply by 100. {hint}".strip())
    side = "below" if number < low else "above"
    limit = low if number < low else high
    _fail(f"`{name}` is {number:,.4g}, which is {side} {limit:,.4g}, the "
          f"{'smallest' if side == 'below' else 'largest'} plausible value. {hint}".strip())
    return number


def check_not_mistake(value: object, name: str, mistakes: Iterable[tuple[float, str]], *,
                      tol: float = 1e-6) -> None:
    """Fail with a mistake's own message when ``value`` equals a typical wrong answer.

    ``mistakes`` holds (wrong value, what the student probably did) pairs: values a common
    mistake produces, so the student learns which mistake it was without being told the answer.

    Examples
    --------
    >>> check_not_mistake(2.0, "ratio", [(2.0, "you used 2017, not 2021.")])
    Traceback (most recent call last):
    AssertionError: `ratio` is 2: you used 2017, not 2021.
    """
    number = check_number(value, name)
    for wrong, message in mistakes:
        if abs(number - float(wrong)) <= tol:
            _fail(f"`{name}` is {number:,.6g}: {message}")
