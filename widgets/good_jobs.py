"""GoodJobsIndex: build a labour-market outcomes index for the 11 GB regions and watch it move.

Pick the indicators and their weights; the ranked bars and the tile-grid map show the index (a
weighted mean of z-scores), and a table names the regions whose rank depends most on the weights.

The z-scores of every indicator, region and year are computed once with
:func:`course.measures.standardised_gaps` and embedded (11 regions x 3 years: 33 rows). The chart combines them with the weights held in Vega-Lite params,
so a control change only sets params; the Python side recomputes the same index with
:func:`course.measures.composite_index` for :meth:`GoodJobsIndex.shown` and the sensitivity table
(:func:`course.measures.weight_sensitivity`).

Why 11 regions and only some years: Northern Ireland's employment figures start in 2022, GDHI
was copied for 1997, 2012, 2013, 2021 and 2022 only, and GVA per hour ends in 2021, so only 2012,
2013 and 2021 have every indicator for the 11 regions of Great Britain. Pay is all employees by
residence and GDHI includes transfers: this is a *labour-market outcomes* index, not a measure of
job quality.
"""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as ipw
import pandas as pd

from course import charts, measures
from course import data as course_data
from course.charts import PALETTE
from widgets._base import ChartWidget

__all__ = ["GoodJobsIndex", "INDICATORS", "GB_REGIONS", "build_indicators", "complete_years"]

#: GB ITL1 regions (Northern Ireland has no employment figures before 2022).
GB_REGIONS = ("TLC", "TLD", "TLE", "TLF", "TLG", "TLH", "TLI", "TLJ", "TLK", "TLL", "TLM")
#: indicator key -> (column, label, higher is better)
INDICATORS: dict[str, tuple[str, str, bool]] = {
    "employment": ("employment_rate", "Employment rate, 16–64 (%)", True),
    "inactivity": ("inactivity_rate", "Economic inactivity rate, 16–64 (%, lower is better)", False),
    "pay": ("median_weekly_pay", "Median weekly pay, all employees, by residence (£)", True),
    "gdhi": ("gdhi_per_head", "Gross disposable household income per head (£)", True),
    "gva": ("gva_per_hour", "GVA per hour worked (£)", True),
}
_WEIGHTED = ("labour", "pay", "gdhi", "gva")  # "labour" = employment or inactivity (one of them)
_DATASET = "z"  # every region's z-scores and indicators, put into the built spec


def build_indicators(year: int, *, frames: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The five indicators for the 11 GB regions in one year (one row per region, ITL1 codes).

    ``frames`` may hold the already-loaded datasets (keys: employment_inactivity, median_pay,
    gdhi, gva_per_hour); otherwise they are loaded.
    """
    frames = frames or {}

    def get(name):
        return frames[name] if name in frames else course_data.load(name)

    emp = get("employment_inactivity")
    emp = emp[emp["year"] == year].set_index("itl_code")
    pay = get("median_pay")
    pay = pay[pay["year"] == year].set_index("itl_code")
    gdhi = get("gdhi")
    gdhi = gdhi[gdhi["year"] == year].set_index("itl_code")
    gva = get("gva_per_hour")
    gva = gva[gva["year"] == year].set_index("itl_code")
    out = pd.DataFrame({
        "employment_rate": emp["employment_rate"].reindex(list(GB_REGIONS)),
        "inactivity_rate": emp["inactivity_rate"].reindex(list(GB_REGIONS)),
        "median_weekly_pay": pay["median_weekly_pay"].reindex(list(GB_REGIONS)),
        "gdhi_per_head": gdhi["gdhi_per_head"].reindex(list(GB_REGIONS)).astype("float64"),
        "gva_per_hour": gva["gva_per_hour"].reindex(list(GB_REGIONS)),
    })
    out.index.name = "itl_code"
    return out


def complete_years(frames: dict[str, pd.DataFrame]) -> list[int]:
    """Years in which every indicator exists for all 11 GB regions (latest first)."""
    years = sorted(set(frames["gdhi"]["year"]) & set(frames["gva_per_hour"]["year"])
                   & set(frames["median_pay"]["year"]) & set(frames["employment_inactivity"]["year"]))
    return [y for y in reversed(years)
            if not build_indicators(y, frames=frames).isna().any().any()]


class GoodJobsIndex(ChartWidget):
    """Build a labour-market outcomes index: indicators, weights, ranking, map, sensitivity.

    Parameters
    ----------
    year : int
        One of the years with every indicator (2021, 2013 or 2012).
    labour : {"employment", "inactivity"}
        Which of the two (nearly mirror-image) labour-market rates to use.
    weights : dict
        Weights for ``"labour"``, ``"pay"``, ``"gdhi"`` and ``"gva"`` (0 to 3; 0 leaves it out).

    Examples
    --------
    >>> w = GoodJobsIndex(year=2021)                 # doctest: +SKIP
    >>> w.weight["gva"].value = 0; w.shown().head()  # doctest: +SKIP
    """

    def __init__(self, year: int = 2021, labour: str = "employment", weights=None) -> None:
        self.frames = {name: course_data.load(name) for name in
                       ("employment_inactivity", "median_pay", "gdhi", "gva_per_hour")}
        self.tiles = course_data.load("itl1_tiles")
        self.years = complete_years(self.frames)
        year = self._year("year", year, [int(y) for y in self.years], arg="year")
        self._check("labour", labour, ["employment", "inactivity"])
        weights = dict({"labour": 1.0, "pay": 1.0, "gdhi": 1.0, "gva": 1.0}, **(weights or {}))
        for key in weights:
            self._check("weight name", key, list(_WEIGHTED))
        self.tables = {y: build_indicators(y, frames=self.frames) for y in self.years}
        self.data = self._z_data()

        self.year = ipw.Dropdown(options=self.years, value=int(year), description="Year")
        self.labour = ipw.ToggleButtons(
            options=[("Employment rate", "employment"), ("Inactivity rate", "inactivity")],
            value=labour, description="Labour market",
            tooltips=["higher is better", "lower is better"], style={"description_width": "initial"},
        )
        labels = {"labour": "Employment / inactivity", "pay": "Median weekly pay",
                  "gdhi": "Household income (GDHI) per head", "gva": "GVA per hour worked"}
        self.use = {k: ipw.Checkbox(value=weights[k] > 0, description=labels[k], indent=False)
                    for k in _WEIGHTED}
        self.weight = {k: ipw.FloatSlider(value=float(weights[k]) if weights[k] > 0 else 1.0,
                                          min=0.0, max=3.0, step=0.25, description="weight",
                                          continuous_update=True)
                       for k in _WEIGHTED}
        self._table_view()
        self.summary = ipw.HTML()
        self._build_chart(self._chart(), datasets={_DATASET: self.data})
        self._update_text()
        for control in (self.year, self.labour,
                        *[c for k in _WEIGHTED for c in (self.use[k], self.weight[k])]):
            control.observe(self._refresh, names="value")
        rows = [ipw.HBox([self.use[k], self.weight[k]]) for k in _WEIGHTED]
        super().__init__([ipw.HBox([self.year, self.labour]), *rows, self.chart,
                                ipw.HBox([self.show_table]), self.summary, self.numbers])

    # -- data, computed once with course.measures -----------------------------------------------------
    def _z_data(self) -> pd.DataFrame:
        frames = []
        names = self.tiles.set_index("itl_code")["region"]
        for y, table in self.tables.items():
            z = pd.DataFrame({f"z_{k}": measures.standardised_gaps(table[col])
                              * (1.0 if better else -1.0)
                              for k, (col, _, better) in INDICATORS.items()})
            z["year"] = y
            z = z.join(table)
            frames.append(z.reset_index())
        out = pd.concat(frames, ignore_index=True)
        out["region"] = names.reindex(out["itl_code"]).to_numpy()
        return out

    # -- choices as Python values ---------------------------------------------------------------------
    def weights(self) -> dict[str, float]:
        """The effective weights (0 where an indicator is not ticked)."""
        return {k: float(self.weight[k].value) if self.use[k].value else 0.0 for k in _WEIGHTED}

    def indicators(self) -> pd.DataFrame:
        """The raw indicators used now (11 GB regions, the chosen year and labour-market rate)."""
        table = self.tables[int(self.year.value)]
        labour = INDICATORS[self.labour.value][0]
        return table[[labour, "median_weekly_pay", "gdhi_per_head", "gva_per_hour"]]

    def _measure_args(self):
        table = self.indicators()
        w = self.weights()
        weights = dict(zip(table.columns, (w[k] for k in _WEIGHTED), strict=True))
        direction = {"inactivity_rate": "lower"} if self.labour.value == "inactivity" else None
        return table, weights, direction

    # -- the chart, built once ------------------------------------------------------------------------
    def _param_values(self) -> dict:
        w = self.weights()
        return {"year": int(self.year.value), "labour": self.labour.value,
                **{f"w_{k}": w[k] for k in _WEIGHTED}}

    def _chart(self) -> alt.HConcatChart:
        total = "(w_labour + w_pay + w_gdhi + w_gva)"
        formula = (f"{total} > 0 ? (w_labour * (labour == 'employment' ? datum.z_employment : "
                   f"datum.z_inactivity) + w_pay * datum.z_pay + w_gdhi * datum.z_gdhi + "
                   f"w_gva * datum.z_gva) / {total} : null")
        base = alt.Chart(alt.Data(name=_DATASET)).transform_filter("datum.year == year") \
            .transform_calculate(index=formula).transform_filter("isValid(datum.index)")
        ranked = base.transform_window(rank="rank()", sort=[alt.SortField("index", "descending")]) \
            .transform_calculate(label="datum.rank + '. ' + datum.region")
        tooltip = [alt.Tooltip("region:N"), alt.Tooltip("index:Q", format="+.2f"),
                   alt.Tooltip("employment_rate:Q", title="Employment rate (%)"),
                   alt.Tooltip("median_weekly_pay:Q", title="Median weekly pay (£)"),
                   alt.Tooltip("gdhi_per_head:Q", title="GDHI per head (£)"),
                   alt.Tooltip("gva_per_hour:Q", title="GVA per hour (£)")]
        layers = charts.bar_layers(
            ranked, "index", "label", value_format="+.2f", sort="descending",
            value_title="Index (0 = average of the 11 regions; z-score units)",
            colour=alt.condition("datum.index >= 0", alt.value(PALETTE[1]), alt.value(PALETTE[0])),
            tooltip=tooltip, label_limit=180)
        zero = alt.Chart(pd.DataFrame({"z": [0.0]})).mark_rule(color=charts.TEXT).encode(x="z:Q")
        bar_chart = alt.layer(*layers, zero).properties(
            width=300, height=alt.Step(18),
            title=alt.Title(alt.expr("'Labour-market outcomes index, ' + year + ', ranked'"),
                            anchor="start"),
        )

        tiles = self.tiles[["itl_code", "region", "abbreviation", "row", "col"]]
        # Every tile is drawn first with "no data" (Northern Ireland keeps it); the year's
        # regions, with their tile positions looked up, are drawn over it.
        blank = charts.tile_layers(alt.Chart(tiles.assign(index=None)), "index",
                                   value_format="+.2f", value_title="Index", legend=False,
                                   scale=alt.Scale(scheme=charts.DIVERGING, domainMid=0))
        mapped = base.transform_lookup(
            lookup="itl_code", from_=alt.LookupData(tiles, "itl_code", ["row", "col", "abbreviation"]))
        tile_map = alt.layer(*blank, *charts.tile_layers(
            mapped, "index", value_format="+.2f", value_title="Index", legend=False,
            scale=alt.Scale(scheme=charts.DIVERGING, domainMid=0))).properties(
            width=220, height=300,
            title=alt.Title("On the map", subtitle="Northern Ireland: no employment data "
                            "before 2022", anchor="start"),
        )
        return alt.hconcat(bar_chart, tile_map).add_params(*self._params()).resolve_scale(
            color="independent").properties(
            datasets={_DATASET: []},  # the rows go into the built spec (ChartWidget._show_data)
            title=alt.Title(
                "Which regions do best on labour-market outcomes? It depends on the weights",
                subtitle=("Weighted mean of z-scores across the 11 GB regions. Sources: ONS APS "
                          "(employment), ASHE (pay), regional GDHI, subregional productivity "
                          "(OGL v3.0)."),
                anchor="start"),
            description=(
                "Two linked charts of a labour-market outcomes index for the 11 regions of Great "
                "Britain: ranked bars and a tile-grid map, with Northern Ireland marked 'no data' "
                "because its employment data start in 2022. The index is a weighted mean of z-scores of "
                "the employment (or inactivity) rate, median weekly pay, household income per "
                "head and GVA per hour; with equal weights in 2021 London ranks first and the "
                "North East last. Use 'Show numbers as a table' to read the values."
            ),
        )

    # -- what the chart shows, in Python ---------------------------------------------------------------
    def shown(self) -> pd.DataFrame:
        """The ranking drawn now: rank, code, region and index (empty if every weight is 0)."""
        table, weights, direction = self._measure_args()
        if not sum(weights.values()) > 0:
            return pd.DataFrame(columns=["rank", "itl_code", "region", "index"])
        index = measures.composite_index(table, weights, direction=direction)
        out = pd.DataFrame({"itl_code": index.index, "index": index.to_numpy(),
                            "rank": measures.rank(index).to_numpy()})
        out["region"] = self.tiles.set_index("itl_code")["region"].reindex(out["itl_code"]).to_numpy()
        out = out.sort_values(["rank", "itl_code"], kind="mergesort").reset_index(drop=True)
        return out[["rank", "itl_code", "region", "index"]]

    def sensitivity(self, shift: float = 0.5) -> pd.DataFrame:
        """Best and worst rank of each region when each weight is halved or raised by half."""
        table, weights, direction = self._measure_args()
        return measures.weight_sensitivity(table, weights, shift=shift, direction=direction)

    def _update_text(self) -> None:
        w = self.weights()
        if not sum(w.values()) > 0:
            self.summary.value = "<p><strong>Tick at least one indicator</strong> to build the index.</p>"
            self.numbers.value = ""
            return
        sens = self.sensitivity()
        names = self.tiles.set_index("itl_code")["region"]
        moving = sens[sens["spread"] > 0]
        if len(moving):
            items = "".join(
                f"<li>{html.escape(str(names[c]))}: rank {r} (between {b} and {wst})</li>"
                for c, r, b, wst in zip(moving.index, moving["rank"], moving["best"],
                                        moving["worst"], strict=True))
            sens_text = f"<ul>{items}</ul>"
        else:
            sens_text = "<p>No region changes rank: this ranking is robust to these weight changes.</p>"
        top = self.shown().iloc[0]
        self.summary.value = (
            f"<p><strong>{html.escape(str(top['region']))}</strong> ranks first in "
            f"{self.year.value}. Regions whose rank moves when any one weight is halved or raised "
            f"by half:</p>{sens_text}<p><em>A labour-market outcomes index: pay is all employees "
            "by residence and household income includes benefits and pensions; it is not a "
            "measure of job quality.</em></p>")
        if self.show_table.value:
            shown = self.shown()
            table = self.indicators()
            body = "".join(
                f"<tr><td>{r}</td><td>{html.escape(str(n))}</td><td>{v:+.2f}</td>"
                + "".join(f"<td>{table.loc[c, col]:,.1f}</td>" for col in table.columns)
                + "</tr>"
                for r, c, n, v in zip(shown["rank"], shown["itl_code"], shown["region"],
                                      shown["index"], strict=True))
            head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in table.columns)
            self.numbers.value = (
                f"<table><caption>Labour-market outcomes index, {self.year.value} (11 GB regions)"
                "</caption><thead><tr><th scope='col'>Rank</th><th scope='col'>Region</th>"
                f"<th scope='col'>Index</th>{head}</tr></thead><tbody>{body}</tbody></table>")
