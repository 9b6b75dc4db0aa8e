"""Shared checks for the widget tests.

A widget is quick to use because a control change never makes Altair build or validate a chart:
the chart is built once, and a change only sets Vega-Lite params (or swaps rows into the built
spec). :func:`drive` asserts that mechanism over many random control changes; timings are left to
the benchmark harness (``benchmarks/widget_bench.py``), never asserted here.
"""

from __future__ import annotations

import math
import random
import re
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


# -- what a rendered chart shows: read from its SVG (vl-convert's or the browser's) ----------------
# Vega writes the same SVG in both: one <g class="mark-TYPE role-ROLE"> per mark, its items as
# <path>/<text>/<line> with their own translate(x,y). The checks below work on that structure.

_SVG = "{http://www.w3.org/2000/svg}"
_NAMED = {"white": "#FFFFFF", "black": "#000000", "red": "#FF0000", "grey": "#808080",
          "gray": "#808080", "steelblue": "#4682B4", "lightgray": "#D3D3D3", "lightgrey": "#D3D3D3"}
#: Roles of the marks a reader needs to see (the data), as opposed to axes, titles and legends.
_DATA_ROLES = {"role-mark"}
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?", re.I)


def _rgb(colour: str | None) -> tuple[float, float, float] | None:
    """(r, g, b) in 0-255 for #rgb, #rrggbb, rgb(...) or a few names; None for none/transparent."""
    if not colour:
        return None
    c = colour.strip().lower()
    if c in ("none", "transparent") or c.startswith("url("):
        return None
    c = _NAMED.get(c, c)
    if c.startswith("#"):
        h = c[1:]
        if len(h) in (3, 4):
            h = "".join(ch * 2 for ch in h[:3])
        return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))
    if c.startswith("rgb"):
        parts = [float(v) for v in _NUMBER.findall(c)]
        if len(parts) == 4 and parts[3] == 0:
            return None
        return tuple(parts[:3])
    return None


def _blend(rgb, opacity: float, under=(255, 255, 255)):
    return tuple(opacity * a + (1 - opacity) * b for a, b in zip(rgb, under, strict=True))


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(max(0, min(255, v))):02X}" for v in rgb)


def _translate(element) -> tuple[float, float]:
    m = re.search(r"translate\(\s*([-\d.e]+)[ ,]+([-\d.e]+)", element.get("transform", ""))
    return (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)


def _path_box(d: str) -> tuple[float, float, float, float] | None:
    """Bounding box of a path's end points (enough for Vega's rects, bars and tiles)."""
    x = y = 0.0
    xs, ys = [], []
    for cmd, args in re.findall(r"([MmLlHhVvAaZzCcQqSsTt])([^MmLlHhVvAaZzCcQqSsTt]*)", d or ""):
        nums = [float(n) for n in _NUMBER.findall(args)]
        step = {"M": 2, "L": 2, "H": 1, "V": 1, "A": 7, "C": 6, "Q": 4, "S": 4, "T": 2}.get(
            cmd.upper(), 0)
        for i in range(0, len(nums) - step + 1, step) if step else []:
            chunk = nums[i:i + step]
            rel = cmd.islower()
            if cmd.upper() == "H":
                x = x + chunk[0] if rel else chunk[0]
            elif cmd.upper() == "V":
                y = y + chunk[0] if rel else chunk[0]
            else:
                ex, ey = chunk[-2], chunk[-1]
                x, y = (x + ex, y + ey) if rel else (ex, ey)
            xs.append(x)
            ys.append(y)
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def svg_items(svg: str) -> list[dict]:
    """Every drawn item of a Vega SVG in paint order: kind ("text" or "shape"), role, mark type,
    absolute position (x, y) or box, colours (after opacity, on white) and text."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    items: list[dict] = []

    def walk(element, ox, oy, role, mark, opacity):
        tag = element.tag.replace(_SVG, "")
        cls = element.get("class", "")
        if tag == "g" and "role-" in cls:
            role = next((c for c in cls.split() if c.startswith("role-")), role)
            mark = next((c[5:] for c in cls.split() if c.startswith("mark-")), mark)
        dx, dy = _translate(element)
        ox, oy = ox + dx, oy + dy
        opacity *= float(element.get("opacity", 1))
        if tag == "text":
            fill = _rgb(element.get("fill", "#000000"))
            alpha = opacity * float(element.get("fill-opacity", 1))
            size = float(_NUMBER.findall(element.get("font-size", "11"))[0])
            anchor = element.get("text-anchor", "start")
            # a point inside the glyphs: a little along the text, about mid-height
            px = ox + {"start": 2, "end": -2}.get(anchor, 0)
            items.append({"kind": "text", "role": role, "mark": mark, "x": px,
                          "y": oy - 0.35 * size, "size": size,
                          "bold": element.get("font-weight") in ("bold", "700"),
                          "fill": fill, "alpha": alpha, "anchor": anchor,
                          "text": "".join(element.itertext()), "baseline_y": oy})
        elif tag in ("path", "rect", "line", "circle") and role:
            fill = _rgb(element.get("fill"))
            stroke = _rgb(element.get("stroke"))
            if tag == "rect":
                w, h = float(element.get("width", 0)), float(element.get("height", 0))
                x0, y0 = ox + float(element.get("x", 0)), oy + float(element.get("y", 0))
                box = (x0, y0, x0 + w, y0 + h)
            elif tag == "line":
                box = (ox + float(element.get("x1", 0)), oy + float(element.get("y1", 0)),
                       ox + float(element.get("x2", 0)), oy + float(element.get("y2", 0)))
            else:
                b = _path_box(element.get("d", ""))
                box = (b[0] + ox, b[1] + oy, b[2] + ox, b[3] + oy) if b else None
            items.append({"kind": "shape", "role": role, "mark": mark, "tag": tag, "box": box,
                          "fill": fill, "stroke": stroke,
                          "fill_alpha": opacity * float(element.get("fill-opacity", 1)),
                          "stroke_alpha": opacity * float(element.get("stroke-opacity", 1)),
                          "stroke_width": float(element.get("stroke-width", 1)),
                          "label": element.get("aria-label", "")})
        for child in element:
            walk(child, ox, oy, role, mark, opacity)

    walk(root, 0.0, 0.0, None, None, 1.0)
    for n, item in enumerate(items):
        item["n"] = n
    return items


def _inside(box, x, y) -> bool:
    return box is not None and box[0] - 0.5 <= x <= box[2] + 0.5 and box[1] - 0.5 <= y <= box[3] + 0.5


def contrast_problems(svg: str) -> list[str]:
    """WCAG contrast failures in a rendered chart: text under 4.5:1 against what is behind it
    (the topmost filled shape under the text, else the white background) and data marks under
    3:1 against white, unless a label is written on the mark (a map tile: the label carries
    the value). Opacity is blended onto white first."""
    from course.charts import contrast_ratio

    items = svg_items(svg)
    shapes = [i for i in items if i["kind"] == "shape" and i["fill"] is not None
              and i["box"] is not None and i["fill_alpha"] > 0]
    texts = [i for i in items if i["kind"] == "text" and i["text"].strip()]
    problems = []
    labelled = set()
    for t in texts:
        order = t["n"]
        under = (255, 255, 255)
        hits = [s for s in shapes if s["n"] < order and s["role"] in _DATA_ROLES
                and _inside(s["box"], t["x"], t["y"])]
        for s in hits:
            labelled.add(id(s))
        if hits:
            under = _blend(hits[-1]["fill"], hits[-1]["fill_alpha"])
        if t["fill"] is None or t["alpha"] <= 0:  # no ink (e.g. an axis label hidden for overlap)
            continue
        ink = _blend(t["fill"], t["alpha"], under)
        ratio = contrast_ratio(_hex(ink), _hex(under))
        large = t["size"] >= 24 or (t["bold"] and t["size"] >= 18.66)
        need = 3.0 if large else 4.5
        if ratio < need - 0.005:
            problems.append(f"text {t['text'][:40]!r} ({t['role']}, {t['size']:g}px) is "
                            f"{ratio:.2f}:1 on {_hex(under)} (needs {need}:1)")
    for s in items:
        if s["kind"] != "shape" or s["role"] not in _DATA_ROLES or id(s) in labelled:
            continue
        for what in ("fill", "stroke"):
            colour, alpha = s[what], s[f"{what}_alpha"]
            if colour is None or alpha <= 0 or (what == "fill" and s["mark"] in ("line", "rule")):
                continue
            if what == "stroke" and s["fill"] is not None and s["mark"] not in ("line", "rule"):
                continue  # a filled shape is judged by its fill or its outline (below)
            ratio = contrast_ratio(_hex(_blend(colour, alpha)))
            outline = s["stroke"]
            if what == "fill" and outline is not None and s["stroke_width"] >= 0.5 \
                    and s["stroke_alpha"] > 0:
                # a pale shape with a visible outline (a heat-map cell near the middle of its
                # scale, a bar drawn open) is still seen: judge it by the better of the two
                ratio = max(ratio, contrast_ratio(_hex(_blend(outline, s["stroke_alpha"]))))
            if ratio < 3.0 - 0.005:
                problems.append(f"{s['mark']} mark {s['label'][:50]!r} in {_hex(colour)} "
                                f"(opacity {alpha:.2f}) is {ratio:.2f}:1 on white (needs 3:1)")
    return sorted(set(problems))


def svg_width(svg: str) -> float:
    import xml.etree.ElementTree as ET

    return float(_NUMBER.findall(ET.fromstring(svg).get("width", "0"))[0])


def data_marks(svg: str) -> int:
    """How many data items (bars, points, lines, tiles, text) the chart drew."""
    return sum(1 for i in svg_items(svg) if i["role"] in _DATA_ROLES)


def rank_problems(svg: str) -> list[str]:
    """Where axis labels are ranks ("1. London", "2. South East", ...), they must read 1, 2, 3
    down the axis (a chart sorted as text would read 1, 10, 11, 2, ...)."""
    labels = [i for i in svg_items(svg) if i["kind"] == "text" and i["role"] == "role-axis-label"]
    groups: dict[float, list[tuple[float, int]]] = {}
    for t in labels:
        m = re.match(r"\s*(\d+)\.\s+\S", t["text"])
        if m:
            groups.setdefault(round(t["x"]), []).append((t["baseline_y"], int(m.group(1))))
    problems = []
    for x, ranks in groups.items():
        if len(ranks) < 3:
            continue
        order = [r for _, r in sorted(ranks)]
        if order != sorted(order):
            problems.append(f"ranks out of order down the axis at x={x}: {order}")
    return problems
