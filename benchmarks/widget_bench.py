"""Widgets: Python-side time from a control change to the updated chart.

Setting ``control.value`` from Python runs the widget's observers synchronously (ipywidgets and
traitlets call them before the assignment returns), so the time around the assignment is the
Python cost of one interaction: recomputing, updating the chart's Vega-Lite params or data, and
sending the comm messages to the front end. :func:`bench_in_kernel` measures inside a real
kernel, where those messages are really sent.

Each widget gets an *interaction script*: which of its controls to move, in turn. Widgets not in
:data:`SCRIPTS` fall back to every slider, dropdown and toggle group found on the instance.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.stats import summary

MARK = "@@BENCH-WIDGETS@@"


@dataclass(frozen=True)
class Script:
    """How to drive one widget: its constructor arguments and the controls to move, in turn."""

    controls: tuple[str, ...]
    kwargs: dict = field(default_factory=dict)
    note: str = ""


#: The registry: widget class name -> script. Controls are attribute names on the instance.
SCRIPTS: dict[str, Script] = {
    "RegionExplorer": Script(
        controls=("year", "measure", "level", "highlight", "show_table", "year"),
        note="the year slider is moved twice as often: students drag it",
    ),
    "CatalogueExplorer": Script(controls=("dataset", "region")),
}


def _ipw():
    import ipywidgets as ipw

    return ipw


def movable(control) -> bool:
    """True for the controls the fallback moves: sliders, dropdowns, toggles, selections."""
    ipw = _ipw()
    selection = (ipw.Dropdown, ipw.ToggleButtons, ipw.RadioButtons, ipw.Select,
                 ipw.SelectionSlider)
    numeric = (ipw.IntSlider, ipw.FloatSlider, ipw.FloatLogSlider, ipw.IntRangeSlider,
               ipw.FloatRangeSlider, ipw.SelectionRangeSlider)
    boolean = (ipw.ToggleButton, ipw.Checkbox)
    return isinstance(control, selection + numeric + boolean) and not getattr(control, "disabled", False)


def discover_controls(instance) -> dict[str, object]:
    """Every movable control held as an attribute of the widget instance (fallback script)."""
    return {name: value for name, value in sorted(vars(instance).items())
            if not name.startswith("_") and movable(value)}


def candidate_values(control, limit: int = 60) -> list:
    """The values a control can take (at most ``limit``, spread over its range)."""
    ipw = _ipw()
    if isinstance(control, (ipw.ToggleButton, ipw.Checkbox)):
        return [False, True]
    if isinstance(control, (ipw.IntRangeSlider, ipw.FloatRangeSlider)):
        lo, hi = control.min, control.max
        mid = lo + (hi - lo) / 2
        if isinstance(control, ipw.IntRangeSlider):
            mid = int(mid)
        return [(lo, hi), (lo, mid), (mid, hi)]
    if isinstance(control, ipw.SelectionRangeSlider):
        n = len(control.options)
        return [(0, n - 1), (0, n // 2), (n // 2, n - 1)]  # index pairs, set via .index
    if hasattr(control, "options") and not isinstance(control, ipw.FloatLogSlider):
        values = []
        for option in control.options:
            values.append(option[1] if isinstance(option, tuple) and len(option) == 2 else option)
    elif isinstance(control, ipw.FloatLogSlider):
        import math

        lo, hi = control.min, control.max  # exponents
        values = [control.base ** (lo + (hi - lo) * i / 10) for i in range(11)]
        values = [min(max(v, control.base ** lo), control.base ** hi) for v in values]
        _ = math  # noqa: F841
    elif isinstance(control, ipw.IntSlider):
        values = list(range(control.min, control.max + 1, control.step or 1))
    elif isinstance(control, ipw.FloatSlider):
        step = control.step or (control.max - control.min) / 10
        n = int(round((control.max - control.min) / step)) + 1
        values = [round(control.min + i * step, 10) for i in range(n)]
    else:
        values = [control.value]
    if len(values) > limit:
        stride = len(values) / limit
        values = [values[int(i * stride)] for i in range(limit)]
    return values


def next_value(control, rng: random.Random):
    """A value different from the control's current one (the control must really change)."""
    values = candidate_values(control)
    ipw = _ipw()
    if isinstance(control, ipw.SelectionRangeSlider):
        current = control.index
        choices = [v for v in values if v != current] or values
        return ("index", rng.choice(choices))
    current = control.value
    choices = [v for v in values if v != current]
    if not choices:
        return None
    return ("value", rng.choice(choices))


def time_interactions(controls: dict[str, object], order: list[str], n: int, *,
                      seed: int = 10, clock: Callable[[], float] = time.perf_counter) -> list[tuple[str, float]]:
    """Move the controls named in ``order`` in turn, ``n`` times in all; time each change.

    Returns ``(control name, seconds)`` pairs. A control with no other value is skipped.
    """
    if not order:
        raise ValueError("no controls to move")
    rng = random.Random(seed)
    samples: list[tuple[str, float]] = []
    stuck = 0
    i = 0
    while len(samples) < n:
        name = order[i % len(order)]
        i += 1
        control = controls[name]
        move = next_value(control, rng)
        if move is None:
            stuck += 1
            if stuck > len(order):
                raise ValueError("none of the controls can change value")
            continue
        stuck = 0
        attr, value = move
        t0 = clock()
        setattr(control, attr, value)
        samples.append((name, clock() - t0))
    return samples


def summarise_samples(samples: list[tuple[str, float]]) -> dict:
    """Overall and per-control p50/p95 (milliseconds) of timed interactions."""
    ms = [s * 1000 for _, s in samples]
    out = {"interactions": len(samples), "ms": summary(ms), "by_control": {}}
    for name in dict.fromkeys(n for n, _ in samples):
        values = [s * 1000 for n, s in samples if n == name]
        out["by_control"][name] = summary(values)
    return out


def bench_widget(name: str, cls, n: int, *, seed: int = 10) -> dict:
    """Build one widget (timed), then time ``n`` interactions with it."""
    script = SCRIPTS.get(name)
    t0 = time.perf_counter()
    instance = cls(**(script.kwargs if script else {}))
    build_s = time.perf_counter() - t0
    if script is not None:
        controls = {c: getattr(instance, c) for c in dict.fromkeys(script.controls)}
        order = list(script.controls)
        how = "registry"
    else:
        controls = discover_controls(instance)
        order = list(controls)
        how = "fallback: every slider, dropdown and toggle found"
    # Warm-up: the first change of each control may import or compile things once per kernel.
    time_interactions(controls, list(controls), len(controls), seed=seed + 1)
    samples = time_interactions(controls, order, n, seed=seed)
    out = summarise_samples(samples)
    out.update(build_s=build_s, script=how, controls=list(controls))
    if script is not None and script.note:
        out["note"] = script.note
    return out


def bench_all(n: int, names: list[str] | None = None, *, setup: bool = True) -> dict:
    """Every widget in ``widgets.__all__`` (or the ones named), after ``course.setup()`` as in a lesson."""
    import widgets

    if setup:
        import course

        course.setup()
    results = {}
    for name in names or list(widgets.__all__):
        try:
            results[name] = bench_widget(name, getattr(widgets, name), n)
        except Exception as exc:  # noqa: BLE001 - report a broken widget, measure the rest
            results[name] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    return results


def bench_in_kernel(n: int, names: list[str] | None = None, *, cwd: str = ".", timeout: int = 600) -> dict:
    """Run :func:`bench_all` inside a fresh Jupyter kernel (widgets talk to a real comm there)."""
    from benchmarks.kernel import run_code

    code = (
        "import json\n"
        "from benchmarks.widget_bench import MARK, bench_all\n"
        f"_r = bench_all({int(n)}, {names!r})\n"
        "print(MARK + json.dumps(_r))\n"
    )
    try:
        text, _ = run_code(code, cwd, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - see benchmarks.lessons.run_with_retry
        if "Timeout" not in type(exc).__name__ and not isinstance(exc, TimeoutError):
            raise
        text, _ = run_code(code, cwd, timeout=timeout)
    for line in text.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    raise RuntimeError(f"the widget benchmark printed no result: {text[-500:]}")


def bench_with_browser(n: int, *, cwd: str = ".", browser_changes: int | None = None,
                       log=print) -> dict:
    """The Python-side figures (:func:`bench_in_kernel`) and, beside each widget's, the browser's:
    control change to chart repainted (:mod:`benchmarks.browser_bench`). Without a browser the
    Python figures stand and each widget says why the browser ones are missing."""
    from benchmarks import browser_bench

    results = bench_in_kernel(n, cwd=cwd)
    changes = browser_changes or max(20, min(60, n // 5))
    try:
        browser = browser_bench.bench(changes, names=sorted(results), log=log)["widgets"]
    except Exception as exc:  # noqa: BLE001 - the Python figures must not be lost
        browser = {name: {"error": f"{type(exc).__name__}: {exc}"[:300]} for name in results}
    for name, r in results.items():
        r["browser"] = browser.get(name, {"error": "not measured"})
    return results


if __name__ == "__main__":
    print(json.dumps(bench_all(int(sys.argv[1]) if len(sys.argv) > 1 else 50), indent=1))
