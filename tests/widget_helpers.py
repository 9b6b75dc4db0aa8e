"""Shared checks for the widget tests.

A widget is quick to use because a control change never makes Altair build or validate a chart:
the chart is built once, and a change only sets Vega-Lite params (or swaps rows into the built
spec). :func:`drive` asserts that mechanism over many random control changes; timings are left to
the benchmark harness (``benchmarks/widget_bench.py``), never asserted here.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from altair.utils import schemapi


@contextmanager
def altair_calls() -> Iterator[Counter]:
    """Count what rebuilding a chart costs: Altair turning a chart into a spec (any
    ``SchemaBase.to_dict``) and jsonschema validation (``validate_jsonschema``)."""
    calls: Counter = Counter()
    to_dict, validate = schemapi.SchemaBase.to_dict, schemapi.validate_jsonschema

    def counted_to_dict(self, *args, **kwargs):
        calls["to_dict"] += 1
        return to_dict(self, *args, **kwargs)

    def counted_validate(*args, **kwargs):
        calls["validate"] += 1
        return validate(*args, **kwargs)

    schemapi.SchemaBase.to_dict = counted_to_dict
    schemapi.validate_jsonschema = counted_validate
    try:
        yield calls
    finally:
        schemapi.SchemaBase.to_dict = to_dict
        schemapi.validate_jsonschema = validate


@contextmanager
def table_shown(widget) -> Iterator[str]:
    """Press "Show numbers as a table": yields the table's HTML, then hides the table again."""
    widget.show_table.value = True
    try:
        assert widget.numbers.layout.display is None, "the table is still hidden"
        assert "<table>" in widget.numbers.value
        yield widget.numbers.value
    finally:
        widget.show_table.value = False
    assert widget.numbers.layout.display == "none", "the table is still shown"


def same(got, want) -> bool:
    """Equal, floats to within 1e-6 (params hold floats, an int slider's 3 as 3.0, and some
    widgets round what they send to six decimals)."""
    if isinstance(want, (list, tuple)):
        return len(got) == len(want) and all(same(g, w) for g, w in zip(got, want, strict=True))
    if isinstance(want, float) or isinstance(got, float):
        if want is None or got is None:
            return got is want
        return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-6)
    return got == want


def assert_params(widget, want: dict, spec: dict | None = None) -> None:
    """The chart's params (Python side, and the values synced to the browser) are ``want``;
    so are the param values in ``spec`` (the widget's ``spec()``) when given."""
    synced = widget.chart._params
    for name, value in want.items():
        got = getattr(widget.chart.params, name)
        assert same(got, value), f"param {name} is {got!r}, not {value!r}"
        assert same(synced[name], value), f"param {name} sent as {synced[name]!r}, not {value!r}"
    if spec is not None:
        in_spec = {p["name"]: p.get("value") for p in spec.get("params", [])}
        for name, value in want.items():
            assert same(in_spec[name], value), f"spec() has {name}={in_spec[name]!r}, not {value!r}"


def options(control) -> list:
    """The values a selection control offers now (for moves whose options change)."""
    return [o[1] if isinstance(o, tuple) else o for o in control.options]


def drive(widget, moves: Sequence[tuple[object, Sequence | Callable]],
          expected: Callable[[object], dict],
          *, n: int = 200, seed: int = 0, data_controls: Sequence[object] = (),
          check: Callable[[object, dict], None] | None = None, spec_every: int = 10) -> Counter:
    """Make ``n`` random control changes and check the mechanism that keeps each one cheap.

    ``moves`` pairs each control with the values it may take (or a function of the control
    giving them, e.g. :func:`options`). After every change:

    * Altair has not turned a chart into a spec nor validated one, and the widget's
      ``alt.JupyterChart`` still holds the chart it was built with;
    * a control not in ``data_controls`` left the spec the browser has untouched (the same
      object: only params moved);
    * the params equal ``expected(widget)``, computed by the test from the controls.

    Every ``spec_every`` changes (and after the last) ``widget.spec()`` carries the same param
    values, and ``check(widget, spec)`` may test its rows. Returns how many changes each
    control made (so a test can see every control was really moved).
    """
    rng = random.Random(seed)
    rebuilt: list = []
    widget.chart.observe(rebuilt.append, names="chart")
    moved: Counter = Counter()
    try:
        with altair_calls() as calls:
            for i in range(n):
                control, values = moves[rng.randrange(len(moves))]
                values = values(control) if callable(values) else values
                choices = [v for v in values if v != control.value] or list(values)
                before = widget.chart.spec
                control.value = value = rng.choice(choices)
                what = f"change {i}: {getattr(control, 'description', '') or control}={value!r}"
                moved[getattr(control, "description", "") or type(control).__name__] += 1
                assert not calls, f"{what} made Altair build or validate a chart: {dict(calls)}"
                assert not rebuilt, f"{what} gave the JupyterChart a new chart"
                if control not in data_controls:
                    assert widget.chart.spec is before, f"{what} replaced the spec"
                spec = widget.spec() if (i + 1) % spec_every == 0 or i == n - 1 else None
                assert_params(widget, expected(widget), spec)
                if spec is not None and check is not None:
                    check(widget, spec)
                assert not calls, f"{what}: spec() or the check built a chart: {dict(calls)}"
    finally:
        widget.chart.unobserve(rebuilt.append, names="chart")
    return moved
