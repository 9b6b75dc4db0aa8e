"""ShiftShareDecomposer: an area's change in GVA split into national, industry-mix and regional
effects, industry by industry.

Pick an area (an ITL1 region or an ITL2 area such as Greater Manchester, TLD3) and two years;
the chart shows, for each SIC section, the national-growth effect, the industry-mix effect and
the regional-shift (competitive) effect as stacked bars, with the actual change as a black tick
(the three effects add up to it), and the four totals beside them.

The decomposition is :func:`course.measures.shift_share` on the tables built by
:func:`course.measures.industry_matrix` (20 SIC sections, owner-occupiers' imputed rent taken
out of L, UKX as the benchmark, current prices). The widget computes nothing of its own.

How it stays fast: the chart spec is built and validated once. A change of area or years
recomputes one decomposition (20 industries) and swaps that small dataset (84 rows) into the
already-built spec; the area name and years are Vega-Lite params used in the titles.
"""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as ipw
import pandas as pd

from course import data as course_data
from course import measures
from course.charts import PALETTE
from course.errors import CourseError
from widgets._base import ChartWidget, new_areas
from widgets.cluster_explorer import SECTION_LABELS

__all__ = ["ShiftShareDecomposer", "EFFECTS"]

#: effect column -> legend label
EFFECTS: dict[str, str] = {
    "national_growth": "National growth",
    "industry_mix": "Industry mix",
    "regional_shift": "Regional shift",
}
_DATASET = "effects"
_LEVELS = ("ITL1", "ITL2")


class ShiftShareDecomposer(ChartWidget):
    """Decompose an area's change in GVA between two years by industry.

    Parameters
    ----------
    area : str
        ITL1 or ITL2 code, e.g. ``"TLD3"`` (Greater Manchester) or ``"TLD"`` (North West).
    start, end : int
        First and last year (1998–2021, start before end). The lesson uses 2004–2019.

    Examples
    --------
    >>> ss = ShiftShareDecomposer(area="TLD3", start=2004, end=2019)   # doctest: +SKIP
    >>> ss.totals()                                                   # doctest: +SKIP
    """

    def __init__(self, area: str = "TLD3", start: int = 2004, end: int = 2019, *,
                 gva1: pd.DataFrame | None = None, gva2: pd.DataFrame | None = None) -> None:
        gva1 = course_data.load("gva_by_industry_itl1") if gva1 is None else gva1
        gva2 = course_data.load("gva_by_industry_itl2") if gva2 is None else gva2
        # Area x industry tables are made for a level and year the first time they are needed
        # (about 5 ms each): all 48 at once cost 0.12 s of the lesson's Run-All.
        self._rows: dict[str, pd.DataFrame] = {}
        self._tables: dict[tuple[str, int], pd.DataFrame] = {}
        self._names: dict[str, str] = {}
        self._level_of: dict[str, str] = {}
        for level, frame in zip(_LEVELS, (gva1, gva2), strict=True):
            rows = frame[frame["itl_level"].isin([level, "UK"]) & (frame["itl_code"] != "UK")]
            self._rows[level] = rows
            for code, name in zip(rows["itl_code"], rows["region"], strict=True):
                if code != "UKX":
                    self._names[code] = name
                    self._level_of[code] = level
        years = sorted(int(y) for y in self._rows["ITL1"]["year"].unique())
        area = self._area(area, [(f"{n} ({c})", c) for c, n in self._names.items()], arg="area")
        start = self._year("start year", start, years, arg="start")
        end = self._year("end year", end, years, arg="end")
        if not start < end:
            raise CourseError(
                f"ShiftShareDecomposer: the start year ({start}) must be before the end year "
                f"({end}). Pass e.g. start=2004, end=2019."
            )

        level = self._level_of[area]
        self.level = ipw.ToggleButtons(options=list(_LEVELS), value=level, description="Level",
                                       tooltips=["12 nations and regions", "41 areas"])
        self.area = ipw.Dropdown(description="Area", options=self._area_options(level),
                                 value=area)
        self.start = ipw.IntSlider(value=int(start), min=years[0], max=years[-1], step=1,
                                   description="Start year", continuous_update=False,
                                   style={"description_width": "initial"})
        self.end = ipw.IntSlider(value=int(end), min=years[0], max=years[-1], step=1,
                                 description="End year", continuous_update=False,
                                 style={"description_width": "initial"})
        self._table_view()
        self.status = ipw.HTML()
        self._result = self._decompose()
        self._build_chart(self._chart(), datasets={_DATASET: self._records()})
        self._update_text()

        self.level.observe(self._on_level, names="value")
        for control in (self.area, self.start, self.end):
            control.observe(self._on_change, names="value")
        super().__init__([
            ipw.HBox([self.level, self.area]), ipw.HBox([self.start, self.end]),
            self.status, self.chart, self.show_table, self.numbers,
        ])

    def _area_options(self, level: str) -> list[tuple[str, str]]:
        codes = sorted(c for c, lv in self._level_of.items() if lv == level)
        return [(f"{self._names[c]} ({c})", c) for c in codes]

    # -- computing (all in course.measures) ------------------------------------------------
    def _table(self, level: str, year: int) -> pd.DataFrame:
        if (level, year) not in self._tables:
            rows = self._rows[level]
            self._tables[(level, year)] = measures.industry_matrix(rows[rows["year"] == year])
        return self._tables[(level, year)]

    def _decompose(self) -> measures.ShiftShare:
        level = self._level_of[self.area.value]
        t0, t1 = self._table(level, int(self.start.value)), self._table(level, int(self.end.value))
        code = self.area.value
        return measures.shift_share(t0.loc[code], t1.loc[code], t0.loc["UKX"], t1.loc["UKX"])

    def _records(self) -> list[dict]:
        table = self._result.table
        rows = []
        for industry, row in table.iterrows():
            label = SECTION_LABELS.get(str(industry), str(industry))
            for effect, name in EFFECTS.items():
                rows.append({"industry": label, "part": "effect", "effect": name,
                             "value": float(row[effect]), "change": float(row["change"])})
            rows.append({"industry": label, "part": "change", "effect": "Actual change",
                         "value": float(row["change"]), "change": float(row["change"])})
        totals = self._result.effects()
        for effect, name in [*EFFECTS.items(), ("change", "Actual change")]:
            rows.append({"industry": "All industries", "part": "total", "effect": name,
                         "value": float(totals[effect]), "change": float(totals["change"])})
        return rows

    # -- the chart, built once ---------------------------------------------------------------
    def _param_values(self) -> dict:
        return {"area_name": f"{self._names[self.area.value]} ({self.area.value})",
                "start_year": int(self.start.value), "end_year": int(self.end.value)}

    def _chart(self) -> alt.VConcatChart:
        base = alt.Chart(alt.Data(name=_DATASET))
        colour = alt.Color("effect:N", title="Effect", sort=list(EFFECTS.values()),
                           legend=alt.Legend(orient="bottom"),
                           scale=alt.Scale(domain=list(EFFECTS.values()),
                                           range=[PALETTE[4], PALETTE[1], PALETTE[2]]))
        y = alt.Y("industry:N", title=None, sort=list(dict.fromkeys(SECTION_LABELS.values())),
                  axis=alt.Axis(labelLimit=200))
        tooltip = [alt.Tooltip("industry:N", title="Industry"), alt.Tooltip("effect:N"),
                   alt.Tooltip("value:Q", format=",.0f", title="£ million"),
                   alt.Tooltip("change:Q", format=",.0f", title="Actual change, £ million")]
        stacked = base.transform_filter("datum.part == 'effect'").mark_bar().encode(
            x=alt.X("sum(value):Q", title="£ million, current prices"), y=y, color=colour,
            order=alt.Order("effect:N"), tooltip=tooltip,
        )
        actual = base.transform_filter("datum.part == 'change'").mark_tick(
            color="#000000", thickness=3, size=14
        ).encode(x="value:Q", y=y, tooltip=tooltip)
        zero = alt.Chart(pd.DataFrame({"z": [0.0]})).mark_rule(color="#222222").encode(x="z:Q")
        by_industry = alt.layer(stacked, zero, actual).properties(
            width=420, height=alt.Step(16),
            title=alt.Title(alt.expr(
                "area_name + ', ' + start_year + '–' + end_year + ': effects by industry "
                "(black tick = actual change)'"), anchor="start"),
        )
        order = [*EFFECTS.values(), "Actual change"]
        totals_base = base.transform_filter("datum.part == 'total'")
        totals_y = alt.Y("effect:N", sort=order, title=None)
        totals = totals_base.mark_bar().encode(
            x=alt.X("value:Q", title="£ million, current prices"), y=totals_y,
            color=alt.Color("effect:N", legend=None, scale=alt.Scale(
                domain=order, range=[PALETTE[4], PALETTE[1], PALETTE[2], "#000000"])),
            tooltip=[alt.Tooltip("effect:N"), alt.Tooltip("value:Q", format=",.0f")],
        )
        labels = totals_base.mark_text(align="left", dx=3, fontSize=11).encode(
            x="value:Q", y=totals_y, text=alt.Text("value:Q", format=",.0f"))
        totals_chart = alt.layer(totals, labels, zero).properties(
            width=420, height=alt.Step(18),
            title=alt.Title(alt.expr("'All industries: national growth + industry mix + '"
                                     " + 'regional shift = actual change'"), anchor="start"),
        )
        chart = alt.vconcat(totals_chart, by_industry).add_params(*self._params()).resolve_scale(
            color="independent")
        return chart.properties(
            datasets={_DATASET: []},  # filled in the built spec (see ChartWidget._show_data)
            title=alt.Title(
                "Shift-share: where did an area's GVA growth come from?",
                subtitle=["ONS regional GVA by industry, 1998–2021 edition, current prices; "
                          "benchmark UKX; L excludes imputed rent.",
                          "Current prices put price changes (oil, finance) into the industry-mix "
                          "effect; results depend on the two years chosen."],
                anchor="start",
            ),
            description=(
                "Two bar charts of a shift-share decomposition of an area's change in GVA "
                "between two years. The top chart shows the totals: the national growth "
                "effect, the industry-mix effect, the regional shift effect and the actual "
                "change, which is their sum. The bottom chart shows the three effects stacked "
                "for each SIC section, with a black tick at each section's actual change. Use "
                "'Show numbers as a table' to read the values."
            ),
        )

    # -- reacting to controls ----------------------------------------------------------------
    def _on_level(self, change) -> None:
        new_areas(self.area, self._area_options(self.level.value), self._on_change)
        self._on_change(None)

    def _on_change(self, change) -> None:
        if not int(self.start.value) < int(self.end.value):
            self.status.value = (
                "<p role='alert'><b>The start year must be before the end year.</b> The chart "
                f"still shows {self._result_years[0]}–{self._result_years[1]}; move a slider.</p>"
            )
            return
        self._result = self._decompose()
        self._show_data({_DATASET: self._records()})  # the labels' params change with the data
        self._refresh()

    # -- what the chart shows, in Python -----------------------------------------------------
    @property
    def _result_years(self) -> tuple[int, int]:
        return self._years

    def shown(self) -> pd.DataFrame:
        """The decomposition the chart shows now, one row per industry (£ million)."""
        table = self._result.table.reset_index()
        table.insert(1, "label", table["industry"].map(SECTION_LABELS))
        return table

    def totals(self) -> pd.Series:
        """The three effects and the actual change, summed over industries (£ million)."""
        return self._result.effects()

    def _update_text(self) -> None:
        self._years = (int(self.start.value), int(self.end.value))
        r = self._result
        name = self._names[self.area.value]
        self.status.value = (
            f"<p><b>{html.escape(name)}, {self._years[0]}–{self._years[1]}</b>: GVA changed by "
            f"£{r.change:,.0f} million. Growing at the UK rate ({r.national_rate:+.1%}) would "
            f"have given £{r.national_growth:,.0f} million; the industry mix added "
            f"£{r.industry_mix:,.0f} million and the regional shift £{r.regional_shift:,.0f} "
            "million. Current prices: price changes sit mostly in the industry mix.</p>"
        )
        if self.show_table.value:
            body = "".join(
                f"<tr><td>{html.escape(lbl)}</td>"
                + "".join(f"<td>{row[c]:,.0f}</td>" for c in
                          ("start", "end", "change", *EFFECTS))
                + "</tr>"
                for lbl, (_, row) in zip(self.shown()["label"], self._result.table.iterrows(),
                                         strict=True)
            )
            head = "".join(f"<th scope='col'>{h}</th>" for h in (
                "Industry", f"GVA {self._years[0]}", f"GVA {self._years[1]}", "Change",
                *EFFECTS.values()))
            self.numbers.value = (
                f"<table><caption>Shift-share, {html.escape(name)}, {self._years[0]}–"
                f"{self._years[1]}, £ million (current prices)</caption><thead><tr>{head}"
                f"</tr></thead><tbody>{body}</tbody></table>"
            )
