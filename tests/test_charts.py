"""Chart builders: required alt text, data shown, offline rendering, breaks at missing years."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from course import charts
from course.charts import ChartError

BARS = pd.DataFrame({"region": ["North East", "London", "Wales"], "index": [82.4, 133.1, 84.0]})


def test_every_builder_requires_title_and_description():
    with pytest.raises(ChartError, match="title"):
        charts.ranked_bars(BARS, "index", "region", title="", description="Bars of the index by region.")
    with pytest.raises(ChartError, match="alt text"):
        charts.ranked_bars(BARS, "index", "region", title="London leads", description="bars")
    with pytest.raises(ChartError, match="alt text"):
        charts.time_series(pd.DataFrame({"year": [2004], "v": [1.0]}), "v", title="t", description="")


def test_unknown_column_lists_closest_columns():
    with pytest.raises(ChartError) as err:
        charts.ranked_bars(BARS, "indx", "region", title="t", description="Bars of the index by region.")
    assert "'index'" in str(err.value) and "no column 'indx'" in str(err.value)


def test_ranked_bars_spec_sorts_descending_and_carries_description():
    ch = charts.ranked_bars(BARS, "index", "region", title="London leads",
                            description="Bars of the index by region in 2021.", benchmark=100,
                            highlight=["London"])
    spec = ch.to_dict()
    assert spec["description"] == "Bars of the index by region in 2021."
    assert spec["layer"][0]["encoding"]["y"]["sort"] == "-x"
    # the benchmark rule is drawn at 100
    rule_data = [v for v in spec["datasets"].values() if v and "benchmark" in v[0]]
    assert rule_data and rule_data[0][0]["benchmark"] == 100.0
    shown = charts.table(ch)
    assert list(shown.columns) == ["region", "index"] and len(shown) == 3


def test_ranked_bars_renders_offline_with_labels():
    svg = charts.to_svg(charts.ranked_bars(
        BARS, "index", "region", title="London leads", description="Bars of the index by region."))
    assert svg.startswith("<svg") and "London" in svg and "133.1" in svg


def test_time_series_breaks_lines_at_missing_years():
    df = pd.DataFrame({"year": [2004, 2005, 2007], "v": [1.0, 2.0, 3.0]})
    ch = charts.time_series(df, "v", title="v rises", description="Line of v from 2004 to 2007.")
    data = charts.table(ch)
    assert list(data["year"]) == [2004, 2005, 2006, 2007]
    assert pd.isna(data.loc[data["year"] == 2006, "v"]).all()
    mark = ch.to_dict()["layer"][0]["mark"]
    assert mark["invalid"] == "break-paths-show-domains"


def test_time_series_highlight_draws_labelled_focus_line():
    df = pd.DataFrame({"year": [2004, 2005] * 2, "s": ["A", "A", "B", "B"], "v": [1.0, 2.0, 3.0, 4.0]})
    ch = charts.time_series(df, "v", series="s", highlight=["B"], title="B is higher",
                            description="Two lines over two years; B is above A.")
    layers = ch.to_dict()["layer"]
    assert len(layers) == 3  # grey others, coloured focus line, direct label
    svg = charts.to_svg(ch)
    assert ">B<" in svg  # direct label rather than a legend


def test_tile_map_needs_itl1_codes_and_shows_each_region():
    tiles = pd.DataFrame({"itl_code": ["TLI", "TLC"], "abbreviation": ["LDN", "NE"],
                          "region": ["London", "North East"], "row": [4, 1], "col": [3, 2]})
    ok = charts.tile_map(pd.DataFrame({"itl_code": ["TLI", "TLC"], "v": [133.1, 82.4]}), "v",
                         tiles=tiles, midpoint=100, title="London leads",
                         description="Tile map of two regions' index values.")
    svg = charts.to_svg(ok)
    assert "LDN" in svg and "133.1" in svg
    with pytest.raises(ChartError, match="ITL1"):
        charts.tile_map(pd.DataFrame({"itl_code": ["TLI31"], "v": [1.0]}), "v", tiles=tiles,
                        title="t", description="Tile map of one subregion.")


def test_tile_map_default_tiles_cover_the_12_regions():
    import course

    idx = course.load("gva_per_hour", level="ITL1", years=2021)
    ch = charts.tile_map(idx, "gva_per_hour", title="London leads",
                         description="Tile map of GVA per hour for the 12 ITL1 regions.")
    shown = charts.table(ch)
    assert len(shown) == 12 and shown["gva_per_hour"].notna().all()


def test_setup_is_explicit_and_offline():
    before = alt.renderers.active
    import importlib

    importlib.reload(charts)  # importing must not change global state
    assert alt.renderers.active == before
    charts.setup()
    assert alt.theme.active == "course"
    assert alt.renderers.active == charts.RENDERER
    assert alt.renderers.options.get("offline") is True
    # offline JupyterChart bundles Vega from vl-convert: no CDN import left in its JavaScript
    alt.JupyterChart.enable_offline(True)
    assert "cdn.jsdelivr" not in alt.JupyterChart._esm and "https://" not in alt.JupyterChart._esm[:2000]


def test_course_renderer_draws_the_spec_once_validated_with_alt_text_fallback():
    from ipywidgets.widgets.widget import _instances

    charts.setup()
    frame = pd.DataFrame({"region": ["A", "B"], "v": [2.0, 1.0]})
    ch = charts.ranked_bars(frame, "v", "region", title="A leads",
                            description="Bars of v for A and B; A is higher.")
    data, _ = ch._repr_mimebundle_()
    widget = _instances[data["application/vnd.jupyter.widget-view+json"]["model_id"]]
    assert isinstance(widget, alt.JupyterChart) and widget._esm == alt.JupyterChart._esm
    assert widget.spec == ch.to_dict(context={"pre_transform": False})
    assert data["text/plain"] == "A leads\nBars of v for A and B; A is higher."
    # A student's chart with a selection keeps it (Vega runs it in the browser).
    hover = alt.selection_point(on="pointerover", fields=["region"])
    own = alt.Chart(frame).mark_bar().encode(x="v:Q", y="region:N").add_params(hover)
    data, _ = own._repr_mimebundle_()
    spec = _instances[data["application/vnd.jupyter.widget-view+json"]["model_id"]].spec
    assert [p["name"] for p in spec["params"]] == [hover.name]
    # An invalid chart is still reported (to_dict validates before any renderer runs).
    bad = alt.Chart(frame).mark_bar().encode(x="v:Q")
    bad.mark = "not-a-mark"
    assert bad._repr_mimebundle_() == {}
