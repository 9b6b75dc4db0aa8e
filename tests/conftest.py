"""Shared test set-up.

Suites that need Debian packages, npm or root call :func:`require` (or use the ``needs``
fixture). Without the thing they need they skip with a loud reason; under CI (``CI=true`` or
``COURSE_STRICT=1``) that skip becomes a failure, so CI can never go green by skipping.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from _system_tools import pytest_terminal_summary  # noqa: F401 - one line naming missing tools

REPO = Path(__file__).resolve().parent.parent
STRICT = os.environ.get("COURSE_STRICT") == "1" or os.environ.get("CI", "").lower() == "true"


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


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """Stop a server a test started: terminate, then kill if it has not gone within ``timeout``."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


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
