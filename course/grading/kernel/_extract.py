"""Record a test cell's answers as JSON, from inside the student's kernel (added by the grader).

The grader puts one line at the top of every autograded test cell::

    from course.grading.kernel._extract import record as _r; _r("ex1-tests", ["gap", "data"]); del _r

It writes the named values (and, for functions, their source and the globals they use) to
``$COURSE_ANSWERS_DIR/<grade id>.json`` with :mod:`course.grading.kernel._codec`. The hidden tests then
run on these answers in a fresh process that the student's code never touches.

Nothing here is trusted: the student controls this kernel and could write any JSON here. That only
lets them choose their answers, which they could do honestly, because the expected values never
enter the kernel (the test cells it runs hold the visible tests only).
"""

from __future__ import annotations

import json
import os
import sys

from course.grading.kernel._codec import TooLarge, _Budget, _encode, _unsupported

ENV_DIR = "COURSE_ANSWERS_DIR"
LIMIT_CHARS = 64 * 1024 * 1024


def answers_dir() -> str:
    return os.environ.get(ENV_DIR) or os.path.join(os.getcwd(), ".course-answers")


def collect(namespace: dict, names: list[str], limit: int = LIMIT_CHARS) -> dict:
    """Encode ``names`` from ``namespace`` with the functions and globals they need."""
    budget = _Budget(limit)
    functions: dict = {}
    needed: set = set()
    out: dict = {"values": {}, "missing": [], "functions": functions, "globals": {}}

    def one(name: str) -> object:
        value = namespace[name]
        try:
            return _encode(value, budget, 0, functions, needed)
        except TooLarge:
            return _unsupported(value, f"{name} is too large to record for grading")
        except RecursionError:
            return _unsupported(value, f"{name} is nested too deeply to record")
        except Exception as exc:  # noqa: BLE001 - one odd value must not lose the others
            return _unsupported(value, f"{name} could not be recorded ({type(exc).__name__})")

    for name in names:
        if name in namespace:
            out["values"][name] = one(name)
        else:
            out["missing"].append(name)
    done: set = set(out["values"])
    while True:
        todo = sorted(n for n in needed - done if n in namespace)
        if not todo:
            break
        for name in todo:
            done.add(name)
            out["globals"][name] = one(name)
    return out


def record(grade_id: str, names: list[str]) -> None:
    """Write the answers for ``grade_id`` (called by the grader's line in a test cell)."""
    try:
        namespace = sys._getframe(1).f_globals
        data = collect(namespace, list(names))
        data["grade_id"] = grade_id
        folder = answers_dir()
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{grade_id}.json")
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, allow_nan=True)
        os.replace(tmp, path)
    except Exception:  # noqa: BLE001 - never disturb the student's notebook
        pass
