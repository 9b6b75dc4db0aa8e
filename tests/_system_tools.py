"""One line at the end of a test run that says which checks a missing system tool skipped.

Suites that need a system tool (Chromium, bubblewrap, configurable-http-proxy, git, axe-core) call
``conftest.require``, which skips with a reason starting ``MISSING SYSTEM REQUIREMENT:`` (and
fails instead under CI). pytest's ``-ra`` lists every such skip, but among many lines; this
plugin adds ONE summary line, so a green run is never mistaken for a full one::

    3 checks skipped: Chromium missing — install with: sudo bash .ci/system-deps.sh (Debian/Ubuntu)

``tests/conftest.py`` imports :func:`pytest_terminal_summary` from here, which is how pytest
finds the hook.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

MARKER = "MISSING SYSTEM REQUIREMENT:"
INSTALL = "install with: sudo bash .ci/system-deps.sh (Debian/Ubuntu)"
# (pattern in the skip reason, the tool's name in the summary, how to get it)
TOOLS = [
    (r"chromium", "Chromium", INSTALL),
    (r"bubblewrap|bwrap", "bubblewrap", INSTALL),
    (r"configurable-http-proxy", "configurable-http-proxy", INSTALL),
    (r"axe-core", "axe-core", INSTALL),
    (r"\bgit\b", "git", INSTALL),
    (r"shared/reference|reference folder", "the reference folder ../shared/reference",
     "CI has it beside the clone (datasets/REFRESH.md says how it is used)"),
]


def tool_of(reason: str) -> tuple[str, str]:
    """The missing tool a skip reason names, and how to install it."""
    text = reason.split(MARKER, 1)[-1]
    for pattern, name, hint in TOOLS:
        if re.search(pattern, text, re.IGNORECASE):
            return name, hint
    first = text.strip().split("(")[0].strip().rstrip(".:;,") or "a system tool"
    return first, INSTALL


def summary_line(reasons: list[str]) -> str | None:
    """The one line for these skip reasons, or None when no system requirement was missing."""
    missing = Counter(tool_of(r) for r in reasons if MARKER in r)
    if not missing:
        return None
    total = sum(missing.values())
    by_hint: dict[str, list[str]] = {}
    for (name, hint), count in missing.most_common():
        label = f"{name} missing" + (f" ({count})" if len(missing) > 1 else "")
        by_hint.setdefault(hint, []).append(label)
    parts = [f"{', '.join(names)} — {hint}" for hint, names in by_hint.items()]
    checks = "check" if total == 1 else "checks"
    return f"{total} {checks} skipped: " + "; ".join(parts)


def _reason(report) -> str:
    longrepr = getattr(report, "longrepr", None)
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr or "")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # The outermost wrapper: the line comes after pytest's own "short test summary info" (-ra),
    # just before the closing count.
    yield
    reasons = [_reason(r) for r in terminalreporter.stats.get("skipped", [])]
    line = summary_line(reasons)
    if line:
        terminalreporter.write_sep("=", line, yellow=True, bold=True)
