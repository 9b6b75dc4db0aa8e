"""Chart builders: required alt text, data shown, offline rendering, breaks at missing years."""

from __future__ import annotations

import re
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
from widget_helpers import contrast_problems, data_marks, rank_problems, svg_items, svg_width

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
    # sorted by the value, numerically, highest first
    assert spec["layer"][0]["encoding"]["y"]["sort"] == {"field": "index", "op": "sum",
                                                         "order": "descending"}
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


def test_course_charts_load_vega_once_from_a_bundle_made_offline(tmp_path, monkeypatch):
    """The course charts' Vega library is bundled by vl-convert once, cached on disk, holds no
    import from the network, and reaches the browser in one widget model per kernel; each chart
    carries only its front end (course/static/chart.js) and the name of that model."""
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(charts, "_VEGA", {"text": None, "key": None, "model": None})
    monkeypatch.setattr(alt.JupyterChart, "_is_offline", False)
    path = charts.offline_bundle_path("course")
    assert path.parent == tmp_path and not path.exists()
    charts.ensure_offline()
    bundle = charts._VEGA["text"]
    assert path.read_text(encoding="utf-8") == bundle
    assert bundle.rstrip().endswith("as vegaEmbed};")  # an ES module that exports vegaEmbed
    assert not re.search(r"""import[^;]*["']https?://""", bundle)  # no CDN import left
    assert charts.offline_bundle_path("altair").exists() and alt.JupyterChart._is_offline
    with pytest.raises(ValueError, match="'course' or 'altair'"):
        charts.offline_bundle_path("vega")

    first, second = charts.CourseChart(None), charts.CourseChart(None)
    library = charts._VEGA["model"]
    assert isinstance(library, charts.VegaBundle) and library.bundle == bundle
    assert first._vega == second._vega == {"model": library.model_id, "key": library.key}
    assert first._esm == (Path(charts.__file__).parent / "static" / "chart.js").read_text()
    assert len(first._esm) < 50_000 and "vegaEmbed}" not in first._esm
    # a closed library model (Widget.close_all) is made again for the next chart
    closed = library.model_id
    library.close()
    third = charts.CourseChart(None)
    assert charts._VEGA["model"] is not library and charts._VEGA["model"].comm is not None
    assert third._vega["model"] == charts._VEGA["model"].model_id != closed
    for widget in (first, second, third, charts._VEGA["model"]):
        widget.close()


def test_course_renderer_draws_the_spec_once_validated_with_alt_text_fallback():
    from ipywidgets.widgets.widget import _instances

    charts.setup()
    frame = pd.DataFrame({"region": ["A", "B"], "v": [2.0, 1.0]})
    ch = charts.ranked_bars(frame, "v", "region", title="A leads",
                            description="Bars of v for A and B; A is higher.")
    data, _ = ch._repr_mimebundle_()
    box = _instances[data["application/vnd.jupyter.widget-view+json"]["model_id"]]
    widget = box.children[0]
    assert isinstance(box.children[1], charts.ChartAccess)  # names, pressed states, picture
    assert isinstance(widget, charts.CourseChart) and widget._esm == charts.CourseChart._esm
    assert widget.spec == ch.to_dict(context={"pre_transform": False})
    assert data["text/plain"] == "A leads\nBars of v for A and B; A is higher."
    # A student's chart with a selection keeps it (Vega runs it in the browser).
    hover = alt.selection_point(on="pointerover", fields=["region"])
    own = alt.Chart(frame).mark_bar().encode(x="v:Q", y="region:N").add_params(hover)
    data, _ = own._repr_mimebundle_()
    spec = _instances[data["application/vnd.jupyter.widget-view+json"]["model_id"]].children[0].spec
    assert [p["name"] for p in spec["params"]] == [hover.name]
    # An invalid chart is still reported (to_dict validates before any renderer runs).
    bad = alt.Chart(frame).mark_bar().encode(x="v:Q")
    bad.mark = "not-a-mark"
    assert bad._repr_mimebundle_() == {}


# -- what the rendered charts show (vl-convert draws the SVG that Vega draws in the browser) -------

RANKED = pd.DataFrame({"label": [f"{i}. Area {chr(64 + i)}" for i in range(1, 13)],
                       "v": [11.5 - i for i in range(1, 13)]})  # 10.5 ... 0.5, then -0.5


def _axis_labels(svg: str) -> list[str]:
    labels = [i for i in svg_items(svg) if i["kind"] == "text" and i["role"] == "role-axis-label"]
    return [t["text"] for t in sorted(labels, key=lambda t: t["baseline_y"])]


def test_ranked_bars_sort_numerically_not_as_text():
    shuffled = RANKED.sample(frac=1, random_state=3)
    svg = charts.to_svg(charts.ranked_bars(shuffled, "v", "label", title="A leads",
                                           description="Twelve ranked areas, A first."))
    shown = [t for t in _axis_labels(svg) if re.match(r"\d+\. ", t)]
    assert shown == list(RANKED["label"]), shown  # 1, 2, ..., 10, 11, 12 (not 1, 10, 11, 2)
    assert rank_problems(svg) == []
    # the checker itself catches text order
    wrong = charts.ranked_bars(shuffled, "v", "label", title="A leads", sort=sorted(RANKED["label"]),
                               description="Twelve ranked areas sorted as text.")
    assert rank_problems(charts.to_svg(wrong))


def test_ranked_bars_other_orders_and_a_friendly_error():
    svg = charts.to_svg(charts.ranked_bars(RANKED, "v", "label", title="t", sort="ascending",
                                           description="Twelve areas, lowest first."))
    assert [t for t in _axis_labels(svg) if ". Area" in t][0] == "12. Area L"
    kept = charts.ranked_bars(RANKED.iloc[::-1], "v", "label", title="t", sort=None,
                              description="Twelve areas in the data's order.")
    assert [t for t in _axis_labels(charts.to_svg(kept)) if ". Area" in t][0] == "12. Area L"
    with pytest.raises(charts.ChartError, match="descending"):
        charts.ranked_bars(RANKED, "v", "label", title="t", sort="desc",
                           description="Twelve areas in some order.")


def test_negative_value_labels_sit_beside_zero_on_white():
    svg = charts.to_svg(charts.ranked_bars(RANKED, "v", "label", title="t", value_format="+.1f",
                                           description="Twelve areas, one below zero."))
    items = svg_items(svg)
    bars = [i for i in items if i["kind"] == "shape" and i["mark"] == "rect"
            and i["role"] == "role-mark"]
    label = next(i for i in items if i["kind"] == "text" and i["text"] == "\u22120.5")  # d3 writes a true minus
    bar = min(bars, key=lambda b: b["box"][0])  # the negative bar reaches furthest left
    # right of the zero line (where the negative bar starts), not out among the axis labels
    assert label["anchor"] == "start" and label["x"] >= bar["box"][2]
    assert contrast_problems(svg) == []


def test_tile_map_says_no_data_never_null():
    tiles = pd.DataFrame({"itl_code": ["TLI", "TLN"], "abbreviation": ["LDN", "NI"],
                          "region": ["London", "Northern Ireland"], "row": [4, 1], "col": [3, 1]})
    ch = charts.tile_map(pd.DataFrame({"itl_code": ["TLI", "TLN"], "v": [133.1, None]}), "v",
                         tiles=tiles, title="London leads", value_format="+.2f",
                         description="Tile map of two regions; Northern Ireland has no value.")
    svg = charts.to_svg(ch)
    texts = [i["text"] for i in svg_items(svg) if i["kind"] == "text"]
    assert "no data" in texts and "+133.10" in texts and not any("null" in t for t in texts)
    assert contrast_problems(svg) == []


def test_every_builder_meets_contrast_and_fits():
    import course

    gva = course.load("gva_per_hour", level="ITL1")
    built = [
        charts.ranked_bars(gva[gva["year"] == 2021], "gva_per_hour", "region", benchmark=40,
                           highlight=["London"], title="London leads",
                           description="Bars of GVA per hour for the 12 regions in 2021."),
        charts.time_series(gva, "gva_per_hour", series="region", highlight=["London", "Wales"],
                           title="London stays ahead",
                           description="Lines of GVA per hour for 12 regions, 2004 to 2021."),
        charts.tile_map(gva[gva["year"] == 2021], "gva_per_hour", title="London leads",
                        description="Tile map of GVA per hour for the 12 regions in 2021."),
        charts.tile_map(gva[gva["year"] == 2021].assign(i=lambda d: d["gva_per_hour"] / 0.4),
                        "i", midpoint=100, title="London leads",
                        description="Tile map of an index for the 12 regions in 2021."),
    ]
    for chart in built:
        svg = charts.to_svg(chart)
        assert contrast_problems(svg) == [], chart.to_dict()["title"]
        assert data_marks(svg) > 0 and svg_width(svg) <= charts.MAX_WIDTH


def test_contrast_checker_catches_what_the_old_charts_did():
    frame = pd.DataFrame({"k": ["a", "b"], "v": [1.0, 2.0]})
    pale = alt.Chart(frame).mark_bar(color="#E69F00").encode(x="v:Q", y="k:N")
    assert any("2.25:1" in p for p in contrast_problems(charts.to_svg(pale)))
    faded = alt.Chart(frame).mark_bar(color="#0072B2", opacity=0.35).encode(x="v:Q", y="k:N")
    assert contrast_problems(charts.to_svg(faded))
    white_on_mid_blue = alt.layer(
        alt.Chart(frame).mark_rect(color="#6BAED6").encode(x="k:N"),
        alt.Chart(frame).mark_text(color="white").encode(x="k:N", text="k:N"))
    assert any("text 'a'" in p for p in contrast_problems(charts.to_svg(white_on_mid_blue)))


def test_the_palette_and_text_colours_meet_wcag():
    for colour in [*charts.PALETTE, charts.HIGHLIGHT, charts.MUTED]:
        assert charts.contrast_ratio(colour) >= 3.0, colour
    for colour in (charts.TEXT, charts.HIGHLIGHT_TEXT):
        assert charts.contrast_ratio(colour) >= 4.5, colour
    assert charts.contrast_ratio(charts.text_colour("#E69F00")) >= 4.5


def test_renderer_and_widget_charts_have_no_actions_menu():
    charts.setup()
    data, _ = charts.ranked_bars(RANKED, "v", "label", title="t",
                                 description="Twelve areas, highest first.")._repr_mimebundle_()
    from ipywidgets.widgets.widget import _instances

    widget = _instances[data["application/vnd.jupyter.widget-view+json"]["model_id"]].children[0]
    assert widget.embed_options["actions"] is False
    frame = pd.DataFrame({"k": ["a"], "v": [1.0]})
    assert charts.jupyter_chart(alt.Chart(frame).mark_bar().encode(
        x="v:Q", y="k:N")).embed_options == {"actions": False}


def test_finish_refuses_a_chart_too_wide_for_a_laptop():
    frame = pd.DataFrame({"k": ["a"], "v": [1.0]})
    with pytest.raises(charts.ChartError, match="fit"):
        charts.finish(alt.Chart(frame).mark_bar(), title="t", width=1200,
                      description="A chart far too wide for a laptop.")


def _widget_names() -> list[str]:
    import widgets

    return sorted(widgets.__all__)  # every widget, including ones added later


@pytest.mark.parametrize("name", _widget_names())
def test_every_widget_chart_fits_a_laptop_meets_contrast_and_draws_data(name):
    """The widget's chart as the browser gets it (its spec), drawn by Vega: no wider than
    MAX_WIDTH, every text 4.5:1 and mark 3:1, data drawn, ranks in order."""
    import widgets

    svg = _svg_of_spec(getattr(widgets, name)().spec())
    assert svg_width(svg) <= charts.MAX_WIDTH
    assert contrast_problems(svg) == []
    assert data_marks(svg) > 0
    assert rank_problems(svg) == []


def _svg_of_spec(spec: dict) -> str:
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    return vlc.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())


def test_a_saved_picture_holds_the_chart_its_title_and_alt_text():
    html = charts.picture_html("London leads", "Bars of GVA per hour; London is highest.",
                               "<svg xmlns='http://www.w3.org/2000/svg'></svg>")
    assert "data:image/svg+xml;base64," in html and "alt='Bars of GVA per hour" in html
    assert "<b>London leads</b>" in html and "run the cell" in html
    # outside a kernel nothing is displayed and nothing fails
    picture = charts.SavedPicture(charts.ChartAccess(), "t", "alt text of the chart")
    assert picture.handle is None


def test_in_a_kernel_each_chart_and_widget_shows_beside_its_saved_picture():
    """Run in a real kernel: a widget and a course chart each give a picture output (title and
    alt text until the browser sends the picture) and the live view, and no error."""
    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import pandas as pd\nfrom course import charts\nfrom widgets import CatalogueExplorer\n"
        "charts.setup()\nCatalogueExplorer(region='London')"),
        nbformat.v4.new_code_cell(
        "charts.ranked_bars(pd.DataFrame({'r': ['a', 'b'], 'v': [1.0, 2.0]}), 'v', 'r', "
        "title='B leads', description='Two bars; b is larger than a.')")]
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True).execute()
    for cell in nb.cells:
        kinds = [o.output_type for o in cell.outputs]
        assert "error" not in kinds, [o.get("evalue") for o in cell.outputs]
        html = [o for o in cell.outputs if "text/html" in o.get("data", {})]
        views = [o for o in cell.outputs
                 if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        assert len(html) == 1 and len(views) == 1, kinds
        assert "course-picture" in html[0]["data"]["text/html"]
    assert "London (TLI)" in nb.cells[0].outputs[0]["data"]["text/html"]
    assert "Two bars; b is larger than a." in nb.cells[1].outputs[0]["data"]["text/html"]


@pytest.mark.parametrize("name, kwargs", [
    ("SkillsScatter", {"leave_out": "TLI"}),            # the orange "without London" fit text
    ("RegionExplorer", {"measure": "gap", "level": "ITL3"}),  # negative bars, 20 of 179 areas
    ("PolicyTimeline", {"year": 2000, "level": "ITL2"}),
])
def test_widget_charts_in_other_states_also_meet_contrast_and_fit(name, kwargs):
    import widgets

    svg = _svg_of_spec(getattr(widgets, name)(**kwargs).spec())
    assert contrast_problems(svg) == [] and rank_problems(svg) == []
    assert svg_width(svg) <= charts.MAX_WIDTH
