"""Errors that students can cause, and the helper that suggests valid options.

Every error a student can trigger says three things: what was wrong, which values
would have been valid (closest match first), and how to fix it.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable

__all__ = ["CourseError", "DatasetError", "MeasureError", "suggest", "options_text", "article"]


class CourseError(ValueError):
    """Base class for friendly, student-facing errors raised by the course toolkit."""


class DatasetError(CourseError):
    """A dataset is unknown, or its file does not match its description."""


class MeasureError(CourseError):
    """A measure was given input it cannot work with (wrong shape, values or labels)."""


def article(word: str) -> str:
    """The word with its indefinite article: 'an area', 'a region', 'an int', 'a DataFrame'.

    Examples
    --------
    >>> article("area"), article("region"), article("int"), article("ITL code"), article("ndarray")
    ('an area', 'a region', 'an int', 'an ITL code', 'an ndarray')
    """
    text = str(word)
    vowel_sound = (text[:1].lower() in "aeiou" or text.startswith("nd")
                   or (text[:2].isupper() and text[:1] in "AEFHILMNORSX"))
    return f"{'an' if vowel_sound else 'a'} {text}"


def _number(value: object) -> float | None:
    """``value`` as a number when it is one (or text of one, such as "2030"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


_ITL_CODE = re.compile(r"^(TL[A-N][0-9A-Z]*|UKX?|K\d+|E\d+)$")


@functools.lru_cache(maxsize=1)
def _area_codes_by_name() -> dict[str, list[str]]:
    """Lower-case area names (and their main words) from ``itl_lookup``, mapped to ITL codes."""
    try:
        from course.data import load  # lazily: course.data imports this module

        lookup = load("itl_lookup")
    except Exception:  # noqa: BLE001 - suggestions must never fail because of the lookup
        return {}
    found: dict[str, list[str]] = {}
    for code, name in zip(lookup["itl_code"], lookup["region"], strict=False):
        found.setdefault(str(name).strip().lower(), []).append(str(code))
    found.setdefault("uk", []).extend(["UKX", "UK"])
    found.setdefault("united kingdom", []).extend(["UKX", "UK"])
    return found


def _codes_for_name(text: str, options: list[str]) -> list[str]:
    """ITL codes among ``options`` whose area is called ``text`` (exactly, else by a substring)."""
    if not options or not all(_ITL_CODE.match(o) for o in options):
        return []
    table = _area_codes_by_name()
    key = " ".join(text.lower().split())
    if not key:
        return []
    hits = list(table.get(key, []))
    if not hits and len(key) >= 4:
        hits = [code for name, codes in table.items() if key in name for code in codes]
    hits.sort(key=len)  # the broadest area first: "London" -> TLI before TLI3
    return [code for code in dict.fromkeys(hits) if code in options]


def suggest(wrong: object, valid: Iterable[object], n: int = 5) -> list[str]:
    """Return the valid options, closest to ``wrong`` first.

    Numbers (years) are ranked by numeric distance, not as text; an area's name is matched to
    its ITL code when the options are codes.

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
    >>> suggest("2030", [2004, 2010, 2019, 2020, 2021], n=3)
    ['2021', '2020', '2019']
    >>> suggest("London", ["TLC", "TLH", "TLI", "TLJ"], n=1)
    ['TLI']
    """
    valid = list(valid)
    options = [str(v) for v in valid]
    text = str(wrong)
    target = _number(wrong)
    numbers = [_number(v) for v in valid]
    if target is not None and options and all(x is not None for x in numbers):
        order = sorted(range(len(options)), key=lambda i: (abs(numbers[i] - target), -numbers[i]))
        return [options[i] for i in order][:n]
    by_name = _codes_for_name(text, options)
    close = difflib.get_close_matches(text, options, n=n, cutoff=0.0)
    lowered = text.lower()
    # Substring matches are better than edit distance for codes such as "TLC4" vs "TLC41".
    contains = [o for o in options if lowered and lowered in o.lower()]
    ordered = list(dict.fromkeys(by_name + contains + close + options))
    return ordered[:n]


def options_text(wrong: object, valid: Iterable[object], n: int = 5) -> str:
    """A short 'did you mean' phrase listing the closest valid options.

    Examples
    --------
    >>> options_text("itl2", ["ITL1", "ITL2", "ITL3"], n=2)
    "Valid options (closest first): 'ITL2', 'ITL3'."
    >>> options_text("London", ["TLC", "TLI", "TLJ"], n=2)
    "'London' is an area's name: its code is 'TLI'. Valid options (closest first): 'TLI', ..."
    """
    valid = list(valid)
    shown = ", ".join(repr(o) for o in suggest(wrong, valid, n=n))
    codes = _codes_for_name(str(wrong), [str(v) for v in valid]) if isinstance(wrong, str) else []
    named = f"{wrong!r} is an area's name: its code is {codes[0]!r}. " if codes else ""
    return f"{named}Valid options (closest first): {shown}."
