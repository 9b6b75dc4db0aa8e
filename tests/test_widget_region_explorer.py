"""RegionExplorer: the controls drive the chart's params and the numbers it shows."""

from __future__ import annotations

import pytest
from widget_helpers import drive, options, table_shown

import course
from course import measures
from course.errors import CourseError
from widgets import RegionExplorer
from widgets.region_explorer import LEVELS


@pytest.fixture(scope="module")
def explorer():
    return RegionExplorer(measure="index", level="ITL1", year=2021, highlight="TLI")


def _svg(ex) -> str:
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    return vlc.vegalite_to_svg(ex.spec(), vl_version=vl_version_for_vl_convert())


def test_initial_view_ranks_london_first_at_itl1(explorer):
    shown = explorer.shown()
    assert len(shown) == 12
    assert shown.iloc[0]["code"] == "TLI"
    assert abs(shown.iloc[0]["value"] - 51.5 / 38.7 * 100) < 1e-9
    assert explorer.chart.params.year == 2021 and explorer.chart.params.level == "ITL1"


def test_year_control_moves_chart_param_and_values(explorer):
    explorer.year.value = 2010
    assert explorer.chart.params.year == 2010
    shown = explorer.shown()
    gva = course.load("gva_per_hour", years=2010).set_index("itl_code")["gva_per_hour"]
    assert abs(shown.set_index("code").loc["TLC", "value"] - gva["TLC"] / gva["UKX"] * 100) < 1e-9
    svg = _svg(explorer)
    assert "ITL1 regions, 2010" in svg
    explorer.year.value = 2021


def test_level_control_switches_areas_and_keeps_a_valid_highlight(explorer):
    explorer.level.value = "ITL3"
    try:
        assert explorer.chart.params.level == "ITL3"
        assert len(explorer.shown()) == 179
        # the highlight moved to an ITL3 area inside London
        assert explorer.highlight.value.startswith("TLI") and len(explorer.highlight.value) == 5
        svg = _svg(explorer)
        assert "Tower Hamlets" in svg and "Powys" in svg  # top and bottom ten are drawn
        assert "top and bottom 10" in svg
    finally:
        explorer.level.value = "ITL1"
    assert explorer.highlight.value == "TLI"


def test_measure_control_changes_values_and_title(explorer):
    explorer.measure.value = "gbp"
    try:
        assert explorer.chart.params.measure == "gbp"
        assert explorer.shown().iloc[0]["value"] == 51.5
        assert "£ per hour worked" in _svg(explorer)
    finally:
        explorer.measure.value = "index"


def test_summary_uses_course_measures(explorer):
    explorer.level.value = "ITL2"
    try:
        stats = explorer.inequality()
        rows = course.load("gva_per_hour", level="ITL2", years=2021).set_index("itl_code")
        assert stats["Theil index"] == pytest.approx(measures.theil(rows["gva_per_hour"]))
        assert stats["max / min"] == pytest.approx(measures.max_min_ratio(rows["gva_per_hour"]))
        assert "share of Theil between ITL1 regions" in stats
        assert "Inequality of GVA per hour across ITL2 areas, 2021" in explorer.summary.value
    finally:
        explorer.level.value = "ITL1"


def test_table_view_lists_every_shown_area(explorer):
    with table_shown(explorer) as table:
        assert table.count("<tr><td>") == 12
        assert "<caption>Index (UK = 100), ITL1, 2021</caption>" in table


def test_chart_has_title_and_alt_text(explorer):
    spec = explorer.spec()
    assert spec["description"].startswith("Three linked charts")
    assert "GVA per hour" in spec["title"]["text"]
    assert len(spec["datasets"][next(iter(spec["datasets"]))]) < 5000


def test_bad_choice_is_a_friendly_error():
    with pytest.raises(CourseError, match="Valid options.*'ITL2'"):
        RegionExplorer(level="ITL 2")


def test_control_changes_never_rebuild_the_chart(explorer):
    """200 random changes only set params; the rows in the built spec are the course data."""
    gva = course.load("gva_per_hour").set_index(["itl_code", "year"])["gva_per_hour"]

    def expected(ex):
        return {"year": ex.year.value, "level": ex.level.value, "measure": ex.measure.value,
                "focus": ex.highlight.value}

    def check(ex, spec):
        focus, year = ex.highlight.value, ex.year.value
        rows = [r for r in spec["datasets"]["areas"] if r["code"] == focus and r["year"] == year]
        assert len(rows) == 1 and rows[0]["gbp"] == gva[(focus, year)]

    moves = [(explorer.measure, ["index", "gbp", "gap"]), (explorer.level, list(LEVELS)),
             (explorer.year, range(2004, 2022)), (explorer.highlight, options)]
    try:
        assert len(drive(explorer, moves, expected, check=check)) == 4
    finally:
        explorer.measure.value, explorer.level.value, explorer.year.value = "index", "ITL1", 2021
        explorer.highlight.value = "TLI"


# -- helper errors (issue 15) and the widget as an ipywidget ---------------------------------------


def test_an_area_name_means_its_code_and_an_unknown_area_is_refused():
    """RegionExplorer(highlight="London") used to show the East silently."""
    assert RegionExplorer(highlight="London").highlight.value == "TLI"
    assert RegionExplorer(highlight="north east").highlight.value == "TLC"
    with pytest.raises(CourseError) as err:
        RegionExplorer(highlight="Londn")
    text = str(err.value)
    assert "no area 'Londn'" in text and "London (TLI)" in text and "highlight=" in text
    with pytest.raises(CourseError, match="TLI"):
        RegionExplorer(level="ITL2", highlight="TLI")  # an ITL1 code at ITL2 is not shown


def test_a_string_year_is_accepted_and_a_wrong_year_names_the_nearest():
    assert RegionExplorer(year="2019").year.value == 2019
    with pytest.raises(CourseError) as err:
        RegionExplorer(year=2030)
    assert "Valid options (closest first): 2021, 2020, 2019" in str(err.value)
    with pytest.raises(CourseError, match="whole number"):
        RegionExplorer(year="last year")


def test_the_widget_is_a_real_ipywidget_whose_state_and_alt_text_follow_the_controls():
    import ipywidgets as ipw

    ex = RegionExplorer(year=2021, highlight="TLI")
    assert isinstance(ex, ipw.VBox) and ex.chart in ex.children
    seen = []
    ex.observe(lambda change: seen.append(change["new"]), names="state")
    assert "London (TLI)" in ex.alt_text and "Year: 2021" in ex.alt_text
    ex.highlight.value = "TLC"
    ex.year.value = 2010
    assert [s["focus"] for s in seen] == ["TLC", "TLC"] and seen[-1]["year"] == 2010
    assert "North East (TLC)" in ex.alt_text and "Year: 2010" in ex.alt_text
    assert "London" not in ex.alt_text
    # nested in another layout, it still shows (a widget, not a wrapper around one)
    box = ipw.HBox([ex])
    assert box.children[0] is ex
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "North East (TLC)" in bundle["text/plain"]


def test_a_widget_written_for_the_earlier_base_still_works():
    """The earlier contract (set ``self.widget`` to a layout, never call the base's __init__)
    is what a widget written before the base became a VBox does; it must keep working."""
    import altair as alt
    import ipywidgets as ipw
    import pandas as pd

    from widgets._base import ChartWidget

    class Legacy(ChartWidget):
        def __init__(self):
            self.pick = ipw.Dropdown(options=[("A", "a"), ("B", "b")], value="a",
                                     description="Pick")
            chart = alt.Chart(pd.DataFrame({"k": ["a", "b"], "v": [1.0, 2.0]})).mark_bar().encode(
                x="v:Q", y="k:N").transform_filter("datum.k == pick").add_params(*self._params())
            self._build_chart(chart)
            self.pick.observe(self._refresh, names="value")
            self.widget = ipw.VBox([self.pick, self.chart])

        def _param_values(self):
            return {"pick": self.pick.value}

    w = Legacy()
    assert isinstance(w, ipw.VBox) and w.widget is w
    assert w.children[0] is w.pick and w.chart in w.children
    w.pick.value = "b"
    assert w.state == {"pick": "b"} and w.chart.params.pick == "b"
    assert "Pick: B" in w.alt_text
    assert "application/vnd.jupyter.widget-view+json" in w._repr_mimebundle_()
