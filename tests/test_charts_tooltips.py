"""No chart reads "null" (or "NaN") to a student, in a tooltip or to a screen reader.

Each chart is drawn offline by Vega (vl-convert's scene graph, no browser) with the real
datasets, and every mark's ``description`` is read: the text a screen reader says for the mark,
which Vega-Lite makes from the mark's encodings and its tooltip fields, formatted as the tooltip
formats them. A missing value (Northern Ireland before 2022, a year without data) must read as
a word such as "no data", or not be drawn at all. A line or area is one shape whose tooltip and
description are its first point's, so only that point is read for them.

Every widget is checked at its start and at every choice of its dropdowns and toggle buttons
(up to :data:`CHOICES` of each) and at both ends of its sliders; the chart builders of
``course.charts`` with data that has such gaps.
"""

from __future__ import annotations

import re

import ipywidgets as ipw
import pytest

import course
import widgets
from course import charts
from widgets._base import _controls

pytestmark = pytest.mark.slow

UNREADABLE = re.compile(r"\b(null|NaN|undefined)\b")
CHOICES = 12
ONE_SHAPE = {"line", "area", "trail"}  # Vega draws these as one path: its first item speaks


def _scene(spec: dict) -> dict:
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    return vlc.vegalite_to_scenegraph(spec, vl_version=vl_version_for_vl_convert())


def spoken(node) -> list[str]:
    """Every description in a scene graph a student can meet (first items of lines)."""
    out: list[str] = []
    if isinstance(node, dict):
        items = node.get("items")
        if node.get("marktype") in ONE_SHAPE and isinstance(items, list):
            items = items[:1]
        if isinstance(node.get("description"), str):
            out.append(node["description"])
        for key, value in node.items():
            if key == "items":
                value = items
            if isinstance(value, (dict, list)):
                out += spoken(value)
    elif isinstance(node, list):
        for value in node:
            out += spoken(value)
    return out


def unreadable(spec: dict) -> tuple[int, list[str]]:
    said = spoken(_scene(spec))
    return len(said), [s for s in said if UNREADABLE.search(s)]


def _states(widget):
    """The widget at its start, then at each choice of each control (put back afterwards)."""
    yield "start"
    for control in list(_controls(widget)):
        keep = control.value
        if isinstance(control, (ipw.Dropdown, ipw.ToggleButtons, ipw.RadioButtons)):
            values = [o[1] if isinstance(o, tuple) else o for o in control.options][:CHOICES]
        elif isinstance(control, (ipw.IntSlider, ipw.FloatSlider)):
            values = [control.min, control.max]
        elif isinstance(control, ipw.SelectionSlider):
            values = [o[1] if isinstance(o, tuple) else o for o in control.options]
            values = values[:1] + values[-1:]
        else:
            continue
        for value in values:
            control.value = value
            yield f"{control.description or type(control).__name__} = {value!r}"
        control.value = keep


@pytest.mark.parametrize("name", widgets.__all__)
def test_no_widget_chart_reads_null(name):
    widget = getattr(widgets, name)()
    problems, spoken_at_start = [], 0
    for state in _states(widget):
        count, bad = unreadable(widget.spec())
        spoken_at_start = spoken_at_start or count
        problems += [f"{state}: {text}" for text in bad[:3]]
    assert spoken_at_start > 0, f"{name}: its chart has no marks with descriptions"
    assert not problems, f"{name}:\n  " + "\n  ".join(problems[:20])


def _employment():
    return course.load("employment_inactivity", level="ITL1")


def test_builders_read_missing_values_as_words():
    employment = _employment()
    y2021 = employment[employment["year"] == 2021]  # no Northern Ireland: its data start in 2022
    assert "Northern Ireland" not in set(y2021["region"])
    tile = charts.tile_map(y2021, "employment_rate", value_title="Employment rate (%)",
                           title="Employment is highest in the south",
                           description="Tile map of the employment rate in 2021 by region.")
    count, bad = unreadable(tile.to_dict())
    assert count and bad == []
    assert any("Region: Northern Ireland; Employment rate (%): no data" in s
               for s in spoken(_scene(tile.to_dict())))
    lines = charts.time_series(employment, "employment_rate", series="region",
                               highlight=["Northern Ireland", "Wales"],
                               title="Employment rates move together",
                               description="Lines of the employment rate by region, 2004 on.")
    count, bad = unreadable(lines.to_dict())
    assert count and bad == [], bad[:5]
    bars = charts.ranked_bars(y2021, "employment_rate", "region", title="London is not first",
                              description="Bars of the employment rate by region in 2021.")
    count, bad = unreadable(bars.to_dict())
    assert count and bad == [], bad[:5]


def test_the_check_finds_null():
    """The check bites: Vega-Lite's own description of a tile without a value reads "null",
    and so does a line that starts with a year without data."""
    employment = _employment()
    y2021 = employment[employment["year"] == 2021]
    tile = charts.tile_map(y2021, "employment_rate", title="Employment by region",
                           description="Tile map of the employment rate in 2021 by region.")
    spec = tile.to_dict()
    for layer in spec["layer"]:
        layer.get("encoding", {}).pop("description", None)
    assert unreadable(spec)[1], "a tile without a value did not read 'null'"
    ni = employment[employment["region"] == "Northern Ireland"][["year", "employment_rate"]]
    padded = charts.time_series(ni, "employment_rate", title="Northern Ireland from 2022",
                                description="Line of Northern Ireland's employment rate.").to_dict()
    first = {"year": 2004, "employment_rate": None}
    name = (padded.get("data") or padded["layer"][0]["data"])["name"]
    padded["datasets"][name] = [first, *padded["datasets"][name]]
    assert unreadable(padded)[1], "a line starting without data did not read 'null'"


def test_lines_keep_their_gaps_but_not_empty_ends():
    employment = _employment()
    lines = charts.time_series(employment, "employment_rate", series="region",
                               title="Employment rates move together",
                               description="Lines of the employment rate by region, 2004 on.")
    rows = charts.table(lines)
    ni = rows[rows["region"] == "Northern Ireland"]
    assert ni["year"].min() == employment.loc[employment["region"] == "Northern Ireland",
                                              "year"].min()
    wales = rows[rows["region"] == "Wales"].set_index("year")["employment_rate"]
    source = employment[employment["region"] == "Wales"].set_index("year")["employment_rate"]
    gaps = [y for y in range(int(source.index.min()), int(source.index.max()) + 1)
            if y not in source.index or source.isna().get(y, False)]
    assert gaps, "Wales has no gap in the data: pick another series"
    assert all(y in wales.index and wales.isna()[y] for y in gaps), "a gap is bridged"
