"""RegionExplorer: productivity by measure × geography level × year.

A tile-grid map of the ITL1 regions, ranked bars for the chosen level, and every area's time
series with one highlighted. The chart is built once as an ``alt.JupyterChart``; the controls
only change its Vega-Lite params, so a change costs a few milliseconds of Python. The inequality
summary beside it is computed by :mod:`course.measures`.
"""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as ipw
import pandas as pd

from course import charts, measures
from course import data as course_data
from course.charts import DIVERGING, HIGHLIGHT, MUTED, PALETTE
from widgets._base import ChartWidget, nearest_area, new_areas

__all__ = ["RegionExplorer", "MEASURES", "LEVELS"]

#: measure key -> (label, axis title, number format, reference value or None)
MEASURES: dict[str, tuple[str, str, str, float | None]] = {
    "gbp": ("GVA per hour (£)", "£ per hour worked (current prices)", ",.1f", None),
    "index": ("Index (UK = 100)", "Index, UK = 100", ",.1f", 100.0),
    "gap": ("Gap to UK (%)", "% above (+) or below (−) the UK", "+,.1f", 0.0),
}
LEVELS = ("ITL1", "ITL2", "ITL3")
_SHOWN_BARS = 10  # at ITL2 and ITL3 the bars show the top and bottom ten
# Every area and year (about 4,200 rows) as one named dataset, put into the spec after the chart
# is validated without it: validating and deep-copying the rows took 0.2 s.
_DATASET = "areas"


def prepare(gva: pd.DataFrame) -> pd.DataFrame:
    """One row per area and year with £, index (UK = 100) and gap to UK, for ITL1–ITL3.

    The index and gap are computed by :mod:`course.measures` against the ``UKX`` row of the
    same year (UK less extra-regio, same ONS edition).
    """
    frames = []
    for _, rows in gva.groupby("year", sort=True):
        values = rows.set_index("itl_code")["gva_per_hour"]
        out = rows[rows["itl_level"].isin(LEVELS)][
            ["itl_level", "itl_code", "itl1_code", "region", "year", "gva_per_hour"]
        ].copy()
        out["index"] = measures.index_to_benchmark(values, "UKX").reindex(out["itl_code"]).to_numpy()
        out["gap"] = measures.gap_to_benchmark(values, "UKX").reindex(out["itl_code"]).to_numpy()
        frames.append(out)
    tidy = pd.concat(frames, ignore_index=True).rename(
        columns={"itl_level": "level", "itl_code": "code", "region": "name", "gva_per_hour": "gbp"}
    )
    tidy["year"] = tidy["year"].astype("int64")
    return tidy


class RegionExplorer(ChartWidget):
    """Explore GVA per hour worked across UK regions.

    Parameters
    ----------
    measure : {"index", "gbp", "gap"}
    level : {"ITL1", "ITL2", "ITL3"}
    year : int, 2004–2021
    highlight : str, optional
        ITL code (or name) of the area drawn in colour, one of the chosen level's areas
        (default: London, or the first area inside London).

    Examples
    --------
    >>> ex = RegionExplorer(year=2019)
    >>> ex.level.value = "ITL3"
    >>> ex.shown()["name"].iloc[0]
    'Tower Hamlets'
    >>> round(ex.inequality()["max / min"], 2)
    3.0
    """

    def __init__(self, measure: str = "index", level: str = "ITL1", year: int = 2021,
                 highlight: str | None = None, *, gva: pd.DataFrame | None = None,
                 tiles: pd.DataFrame | None = None) -> None:
        gva = course_data.load("gva_per_hour") if gva is None else gva
        self.tiles = course_data.load("itl1_tiles") if tiles is None else tiles
        self.data = prepare(gva)
        years = sorted(self.data["year"].unique())
        self._check("measure", measure, list(MEASURES), arg="measure")
        self._check("level", level, list(LEVELS), arg="level")
        year = self._year("year", year, [int(y) for y in years], arg="year")
        if highlight is None:  # London, or the first area inside it at ITL2 and ITL3
            highlight = nearest_area("TLI", self._codes(level))
        highlight = self._area(highlight, self._area_options(level), arg="highlight")

        self.measure = ipw.Dropdown(
            options=[(v[0], k) for k, v in MEASURES.items()], value=measure,
            description="Measure", style={"description_width": "initial"},
        )
        self.level = ipw.ToggleButtons(
            options=list(LEVELS), value=level, description="Level",
            tooltips=["12 regions", "41 areas", "179 areas"],
        )
        self.year = ipw.IntSlider(
            value=int(year), min=int(years[0]), max=int(years[-1]), step=1,
            description="Year", continuous_update=True,
        )
        self.highlight = ipw.Dropdown(description="Highlight", options=self._area_options(level),
                                      value=highlight)
        self._table_view()
        self.summary = ipw.HTML()
        self._build_chart(self._chart(), datasets={_DATASET: self.data})
        self._update_text()

        for control in (self.measure, self.level, self.year, self.highlight):
            control.observe(self._on_change, names="value")

        controls = ipw.HBox([self.measure, self.year, self.highlight])
        super().__init__([
            controls, self.level, self.chart,
            ipw.HBox([self.show_table]), self.summary, self.numbers,
        ])

    # -- choices -----------------------------------------------------------------------------
    def _codes(self, level: str) -> list[str]:
        return list(self.data.loc[self.data["level"] == level, "code"].unique())

    def _area_options(self, level: str) -> list[tuple[str, str]]:
        rows = self.data[self.data["level"] == level].drop_duplicates("code")
        rows = rows.sort_values("name")
        return [(f"{n} ({c})", c) for n, c in zip(rows["name"], rows["code"], strict=True)]

    # -- the chart, built once -----------------------------------------------------------
    def _param_values(self) -> dict:
        return {"year": int(self.year.value), "level": self.level.value,
                "measure": self.measure.value, "focus": self.highlight.value}

    def _chart(self) -> alt.HConcatChart:
        base = alt.Chart(alt.Data(name=_DATASET)).transform_calculate(value="datum[measure]")
        label = ("(measure == 'gbp' ? '£ per hour worked' : "
                 "measure == 'index' ? 'index, UK = 100' : '% gap to the UK')")
        value_title = None  # axis titles cannot follow a param; the chart titles name the measure

        tiles = self.tiles[["itl_code", "abbreviation", "row", "col"]].rename(
            columns={"itl_code": "code"}
        )
        map_base = base.transform_filter("datum.level == 'ITL1' && datum.year == year") \
            .transform_lookup(lookup="code",
                              from_=alt.LookupData(tiles, "code", ["abbreviation", "row", "col"]))
        scale = alt.Scale(scheme=DIVERGING, domainMid=alt.ExprRef(
            "measure == 'index' ? 100 : measure == 'gap' ? 0 : null"))
        tooltip = [alt.Tooltip("name:N", title="Region"),
                   alt.Tooltip("value:Q", format=",.1f", title="Value")]
        tile_layers = charts.tile_layers(map_base, "value", scale=scale, name="name",
                                         legend=False, tooltip=tooltip)
        tile_map = alt.layer(*tile_layers).properties(
            width=200, height=300,
            title=alt.Title(alt.expr("'ITL1 regions, ' + year + ': ' + " + label),
                            anchor="start"),
        )

        shown = base.transform_filter("datum.level == level && datum.year == year") \
            .transform_window(rank="rank()", sort=[alt.SortField("value", order="descending")]) \
            .transform_joinaggregate(n="count()") \
            .transform_filter(f"datum.n <= 12 || datum.rank <= {_SHOWN_BARS} "
                              f"|| datum.rank > datum.n - {_SHOWN_BARS}") \
            .transform_calculate(label="datum.rank + '. ' + datum.name")
        bars = charts.bar_layers(
            shown, "value", "label", value_title=value_title, sort="descending",
            colour=alt.condition("datum.code == focus", alt.value(HIGHLIGHT), alt.value(PALETTE[0])),
            tooltip=[alt.Tooltip("name:N", title="Area"), alt.Tooltip("code:N", title="ITL code"),
                     alt.Tooltip("value:Q", format=",.1f", title="Value")], label_limit=200)
        ref = alt.Chart(pd.DataFrame({"m": ["index", "gap"], "ref": [100.0, 0.0]})) \
            .transform_filter("datum.m == measure") \
            .mark_rule(color="#222222", strokeDash=[4, 3]).encode(x="ref:Q")
        bar_chart = alt.layer(*bars, ref).properties(
            width=300, height=alt.Step(14),
            title=alt.Title(alt.expr(
                "level + ' areas ranked, ' + year + ': ' + " + label + " + "
                "(level == 'ITL1' ? '' : ' (top and bottom 10)')"), anchor="start"),
        )

        series = base.transform_filter("datum.level == level")
        line_x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True))
        line_y = alt.Y("value:Q", title=value_title, scale=alt.Scale(zero=False))
        others = series.transform_filter("datum.code != focus").mark_line(
            strokeWidth=1, color=MUTED, invalid="break-paths-show-domains"
        ).encode(x=line_x, y=line_y, detail="code:N")
        chosen = series.transform_filter("datum.code == focus")
        focus_line = chosen.mark_line(strokeWidth=3, color=HIGHLIGHT,
                                      point=alt.OverlayMarkDef(color=HIGHLIGHT),
                                      invalid="break-paths-show-domains").encode(
            x=line_x, y=line_y,
            tooltip=[alt.Tooltip("name:N", title="Area"), alt.Tooltip("year:O"),
                     alt.Tooltip("value:Q", format=",.1f", title="Value")],
        )
        year_rule = alt.Chart(pd.DataFrame({"y": [0]})).transform_calculate(
            year="year"
        ).mark_rule(color=charts.TEXT, strokeDash=[2, 2]).encode(x="year:O")
        line_chart = alt.layer(others, focus_line, year_rule).properties(
            width=640, height=260,
            title=alt.Title(alt.expr("'Over time, ' + " + label + " + ': highlighted vs all ' "
                                     "+ level + ' areas'"), anchor="start"),
        )

        # two rows, so the widget fits a laptop's notebook (charts.MAX_WIDTH)
        return alt.vconcat(alt.hconcat(tile_map, bar_chart), line_chart).add_params(
            *self._params()
        ).resolve_scale(color="independent").properties(
            datasets={_DATASET: []},  # the rows go into the built spec (charts.spec_with)
            title=alt.Title(
                "Productivity across the UK: GVA per hour worked, current prices",
                subtitle="Source: ONS subregional productivity, June 2023 edition (OGL v3.0). "
                         "Nominal: no adjustment for regional prices.",
                anchor="start",
            ),
            description=(
                "Three linked charts of GVA per hour worked: a tile map of the 12 ITL1 regions "
                "and bars ranking the areas of the chosen level in the chosen year side by side, "
                "and below them every area's time series with one area highlighted. London is the most productive ITL1 "
                "region in every year. Use 'Show numbers as a table' to read the values."
            ),
        )

    # -- reacting to controls ------------------------------------------------------------------
    def _on_change(self, change) -> None:
        if change["owner"] is self.level:
            new_areas(self.highlight, self._area_options(self.level.value), self._on_change)
        self._refresh()

    # -- what the chart shows, in Python -----------------------------------------------------
    def shown(self) -> pd.DataFrame:
        """The areas and values the ranked bars show now (all areas of the level, ranked)."""
        rows = self.data[(self.data["level"] == self.level.value)
                         & (self.data["year"] == self.year.value)]
        out = rows[["code", "name", "itl1_code", self.measure.value]].rename(
            columns={self.measure.value: "value"}
        )
        out = out.sort_values("value", ascending=False, kind="mergesort").reset_index(drop=True)
        out.insert(0, "rank", range(1, len(out) + 1))
        return out

    def inequality(self) -> dict[str, float]:
        """Inequality across the chosen level's areas in the chosen year (areas, unweighted)."""
        rows = self.data[(self.data["level"] == self.level.value)
                         & (self.data["year"] == self.year.value)].set_index("code")
        gbp = rows["gbp"]
        stats = {
            "areas": float(len(gbp)),
            "coefficient of variation": measures.coefficient_of_variation(gbp),
            "Theil index": measures.theil(gbp),
            "Gini": measures.gini(gbp),
            "max / min": measures.max_min_ratio(gbp),
            "p90 / p10": measures.percentile_ratio(gbp, 90, 10),
        }
        if self.level.value != "ITL1":
            split = measures.theil_decomposition(gbp, rows["itl1_code"])
            stats["share of Theil between ITL1 regions"] = split.between_share
        return stats

    def _update_text(self) -> None:
        stats = self.inequality()
        label = MEASURES[self.measure.value][0]
        rows = "".join(
            f"<tr><th scope='row' style='text-align:left'>{html.escape(k)}</th>"
            f"<td>{v:,.0f}</td></tr>" if k == "areas" else
            f"<tr><th scope='row' style='text-align:left'>{html.escape(k)}</th>"
            f"<td>{v:,.3f}</td></tr>"
            for k, v in stats.items()
        )
        self.summary.value = (
            f"<table><caption>Inequality of GVA per hour across {self.level.value} areas, "
            f"{self.year.value} (areas, unweighted)</caption>{rows}</table>"
        )
        if self.show_table.value:
            shown = self.shown()
            body = "".join(
                f"<tr><td>{r}</td><td>{html.escape(str(n))}</td><td>{c}</td><td>{v:,.1f}</td></tr>"
                for r, n, c, v in zip(shown["rank"], shown["name"], shown["code"], shown["value"],
                                      strict=True)
            )
            self.numbers.value = (
                f"<table><caption>{html.escape(label)}, {self.level.value}, {self.year.value}"
                "</caption><thead><tr><th scope='col'>Rank</th><th scope='col'>Area</th>"
                "<th scope='col'>ITL code</th><th scope='col'>Value</th></tr></thead>"
                f"<tbody>{body}</tbody></table>"
            )
