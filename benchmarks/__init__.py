"""The performance harness: what students and instructors feel, against the floors in DESIGN.md.

Run it with ``make bench`` or ``python -m benchmarks [--quick] [--only lessons,widgets,...]
[--repeat N]``. It measures on the current machine and writes ``benchmarks/results/latest.md``
and ``latest.json``, with the machine (cores, memory, CPU model, load average at start and end)
beside every table so a reader can judge how noisy the figures are.

Sections (``--only`` takes any of these names):

``lessons``
    Run-All time and kernel peak memory of every lesson's source notebook, as ratios to the
    floor: a fresh kernel that only imports pandas, altair and ipywidgets.
``widgets``
    Python-side time from a control change to the updated chart, p50 and p95, for every widget
    in ``widgets.__all__``, measured inside a real kernel; beside it, the browser's time from a
    keyboard change to the chart repainted (JupyterLab in the system Chromium).
``imports``
    ``import course, widgets`` (and everything they load lazily) against their dependencies alone.
``grading``
    Seconds per autograded submission against a trivial one-cell nbgrader assignment, and the
    parallel speed-up from one worker to two.
``sizes``
    Bytes of each lesson notebook: source, release, executed with outputs.
``hub``
    A workshop's login wave: ``--hub-users N`` simulated students (default 75) log in to a real
    local JupyterHub at the same instant and run the first cells, then every example, of lesson
    01: spawn, first-cell and login-to-last-cell p95 and memory (PSS) per student.

Benchmarks measure; they never assert timings. ``tests/test_benchmarks_harness.py`` checks that the
measuring functions themselves are right.
"""

from __future__ import annotations

SECTIONS = ("lessons", "widgets", "imports", "grading", "sizes", "hub")

#: Targets from DESIGN.md, "Performance budget".
TARGETS = {
    "lesson_time_ratio": 2.0,
    "lesson_memory_ratio": 1.35,
    "widget_p95_ms": 50.0,
    "browser_p95_ms": 150.0,
    "grading_ratio": 1.5,
}

__all__ = ["SECTIONS", "TARGETS"]
