"""Productive Places: the helper package for the place-based industrial policy course.

Import what a lesson needs from here::

    import course
    gva = course.load("gva_per_hour", level="ITL1")
    course.cite("gva_per_hour")

Submodules (``course.data``, ``course.measures``, ``course.charts``, ``course.checks``,
``course.grading``) load on first use, so ``import course`` stays cheap in a student kernel.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = {"data", "measures", "charts", "checks", "grading", "errors", "cli"}
_FROM_DATA = {"load", "catalogue", "describe", "cite"}
_FROM_ERRORS = {"CourseError", "DatasetError", "MeasureError"}

__all__ = sorted(
    {"__version__", "setup", "data", "measures", "charts", "checks"} | _FROM_DATA | _FROM_ERRORS
)


def setup() -> None:
    """Switch on the course chart theme and offline chart rendering (call once per notebook)."""
    from course import charts

    charts.setup()


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"course.{name}")
    if name in _FROM_DATA:
        return getattr(importlib.import_module("course.data"), name)
    if name in _FROM_ERRORS:
        return getattr(importlib.import_module("course.errors"), name)
    raise AttributeError(f"module 'course' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
