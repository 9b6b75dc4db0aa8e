"""Shared test set-up.

Suites that need Debian packages, npm or root call :func:`require` (or use the ``needs``
fixture). Without the thing they need they skip with a loud reason; under CI (``CI=true`` or
``COURSE_STRICT=1``) that skip becomes a failure, so CI can never go green by skipping.

Timing (CONTRIBUTING.md, "Tests on a busy machine"): the suite must pass on a machine whose load
average is 20. Tests that grade take their limits from :data:`CELL_LIMIT` and
:data:`SUBMISSION_LIMIT`; tests that wait for something poll with :func:`wait_until` and wait up to
:data:`PATIENCE`. No test compares a duration with a number.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pytest
from _parallel import (  # noqa: F401 - the hooks that share the suite among pytest-xdist workers
    pytest_collection_modifyitems,
    pytest_configure_node,
    pytest_unconfigure,
    pytest_xdist_make_scheduler,
)
from _system_tools import pytest_terminal_summary  # noqa: F401 - one line naming missing tools

REPO = Path(__file__).resolve().parent.parent
STRICT = os.environ.get("COURSE_STRICT") == "1" or os.environ.get("CI", "").lower() == "true"

# Limits for grading in tests, in seconds. Honest work must finish well inside them on a loaded
# machine (load average 20 on 2 cores: everything runs about ten times slower than when idle). At a
# load average of 7.5 the fixture lesson's honest cells took under 1.5 s all together and a whole
# honest submission (sandbox, kernel start, cells) 5 to 8 s, so even at load 20 these leave a
# margin of about ten.
# The limits themselves are tested only with work that never finishes (an endless loop, a C loop
# that ignores interrupts), so no verdict depends on the machine's speed.
CELL_LIMIT = 60
SUBMISSION_LIMIT = 240
# Only for cases that never finish (an endless loop), which test the limits themselves: they
# reach it whatever the machine's speed, so it can be short.
NEVER_FINISHES_CELL_LIMIT = 3
# How long to wait for something that must happen: a server to answer, a subprocess to return, a
# process to go. It is a guard against hangs, never a measure of speed: it only bounds how long a
# broken test takes to fail, so it is long.
PATIENCE = 600


def raises(func, *args, words=(), **kwargs) -> str:
    """Call ``func`` expecting a MeasureError whose message holds every one of ``words``.

    Every student-facing measure error also says how to fix it. Returns the message.
    """
    from course.errors import MeasureError

    with pytest.raises(MeasureError) as info:
        func(*args, **kwargs)
    assert not isinstance(info.value, KeyError)
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in message:\n{message}"
    assert "How to fix:" in message
    return message


def wait_until(condition: Callable[[], object], timeout: float = PATIENCE, interval: float = 0.2):
    """Poll ``condition`` until it returns something true or ``timeout`` seconds pass; return its
    last value, for the caller to assert (``assert wait_until(ready), "the server never answered"``).

    Use it for anything that takes an unknown time (a server starting, a process ending) instead of
    a fixed sleep or a short deadline.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(interval)


def stop(proc: subprocess.Popen, timeout: float = 60) -> None:
    """Stop a server a test started: terminate, then kill if it has not gone within ``timeout``."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=PATIENCE)


def require(condition: bool, reason: str) -> None:
    """Skip (or, under CI, fail) a test whose system requirement is missing."""
    if condition:
        return
    if STRICT:
        pytest.fail(f"required under CI but missing: {reason}", pytrace=False)
    pytest.skip(f"MISSING SYSTEM REQUIREMENT: {reason}")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@contextmanager
def altair_restored():
    """Put Altair's global renderer, theme and JupyterChart bundle back as they were on leaving."""
    import altair as alt

    renderer, options = alt.renderers.active, dict(alt.renderers.options)
    theme = alt.theme.active
    chart = alt.JupyterChart
    bundle = {name: chart.__dict__[name] for name in ("_esm", "_is_offline") if name in chart.__dict__}
    try:
        yield
    finally:
        alt.renderers.enable(renderer, **options)
        alt.theme.enable(theme)
        for name, value in bundle.items():
            setattr(chart, name, value)


@pytest.fixture(autouse=True)
def _altair_state():
    """``course.charts.setup()`` switches Altair's theme and renderer on for a notebook; in the
    test process that must not leak from one test (or test file) into the next."""
    with altair_restored():
        yield


# tests/mistakes/ holds data for tests/test_mistakes.py, not tests: its modules share their names
# with tests/expected/ (lessonNN.py), which --doctest-modules would otherwise import twice.
collect_ignore = ["mistakes"]
