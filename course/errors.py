"""Errors that students can cause, and the helper that suggests valid options.

Every error a student can trigger says three things: what was wrong, which values
would have been valid (closest match first), and how to fix it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["CourseError", "DatasetError", "MeasureError", "suggest", "options_text"]


class CourseError(ValueError):
    """Base class for friendly, student-facing errors raised by the course toolkit."""


class DatasetError(CourseError):
    """A dataset is unknown, or its file does not match its description."""


class MeasureError(CourseError):
    """A measure was given input it cannot work with (wrong shape, values or labels)."""


def suggest(wrong: object, valid: Iterable[object], n: int = 5) -> list[str]:
    """Return the valid options, closest to ``wrong`` first.

    Parameters
    ----------
    wrong : object
        What the user typed.
    valid : iterable
        Every valid option.
    n : int
        How many options to return at most.

    Examples
    --------
    >>> suggest("gva_per_hr", ["population", "gva_per_hour", "gva_per_job"], n=2)
    ['gva_per_hour', 'gva_per_job']
    """
    options = [str(v) for v in valid]
    text = str(wrong)
    close = difflib.get_close_matches(text, options, n=n, cutoff=0.0)
    lowered = text.lower()
    # Substring matches are better than edit distance for codes such as "TLC4" vs "TLC41".
    contains = [o for o in options if lowered and lowered in o.lower()]
    ordered = list(dict.fromkeys(contains + close + options))
    return ordered[:n]


def options_text(wrong: object, valid: Iterable[object], n: int = 5) -> str:
    """A short 'did you mean' phrase listing the closest valid options.

    Examples
    --------
    >>> options_text("itl2", ["ITL1", "ITL2", "ITL3"], n=2)
    "Valid options (closest first): 'ITL2', 'ITL3'."
    """
    shown = ", ".join(repr(o) for o in suggest(wrong, valid, n=n))
    return f"Valid options (closest first): {shown}."
