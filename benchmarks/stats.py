"""Small, dependency-free statistics for timings: percentiles, medians and summaries."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks.

    The same definition as numpy's default (``method="linear"``).

    Examples
    --------
    >>> percentile([1, 2, 3, 4], 50)
    2.5
    >>> percentile([10.0], 95)
    10.0
    """
    data = sorted(float(v) for v in values)
    if not data:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be between 0 and 100, not {q!r}")
    pos = (len(data) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(data) - 1)
    frac = pos - lo
    return data[lo] + (data[hi] - data[lo]) * frac


def median(values: Iterable[float]) -> float:
    """The median (50th percentile).

    >>> median([3, 1, 2])
    2.0
    """
    return percentile(values, 50)


def summary(values: Sequence[float]) -> dict[str, float]:
    """n, min, p50, p95, max and mean of some measurements.

    >>> summary([1, 2, 3])["p50"]
    2.0
    """
    data = [float(v) for v in values]
    if not data:
        raise ValueError("summary of no values")
    return {
        "n": len(data),
        "min": min(data),
        "p50": percentile(data, 50),
        "p95": percentile(data, 95),
        "max": max(data),
        "mean": sum(data) / len(data),
    }


def ratio(value: float | None, floor: float | None) -> float | None:
    """value / floor, or None when either is missing or the floor is not positive.

    >>> ratio(3.0, 1.5)
    2.0
    >>> ratio(1.0, 0) is None
    True
    """
    if value is None or floor is None or floor <= 0:
        return None
    return float(value) / float(floor)
