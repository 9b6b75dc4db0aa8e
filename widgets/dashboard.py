"""CityRegionDashboard: an evidence dashboard for a second-tier city region (lesson 08 capstone).

Pick a city region and read four panels, each computed with :mod:`course.measures`:

1. **Productivity gap**: GVA per hour of the city region's ITL2 area against the UK (``UKX``) and
   London (``TLI``), 2004–2021 (``gap_to_benchmark``).
2. **Industrial structure**: GVA-based location quotients of the SIC sections against the UK less
   extra-regio, net of owner-occupiers' imputed rent (``industry_matrix``, ``location_quotient``).
3. **Labour market and skills**: the combined authority's employment rate and share qualified to
   level 3 or above, beside England (the ONS Annual Population Survey).
4. **R&D (a proxy)**: business R&D (BERD) as a % of GVA for the *parent ITL1 region*, beside all 12
   regions together (``intensity``); there are no city-region R&D figures in the datasets.

The chart is built once as an ``alt.JupyterChart`` with every city region's numbers embedded
(about 2,100 rows); the controls change its Vega-Lite params only. The chart is validated with its
four named datasets empty and the rows go into the built spec (``charts.spec_with``): validating
and deep-copying the rows took 0.1 s of the lesson's Run-All.
"""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as ipw
import pandas as pd

from course import charts, measures
from course import data as course_data
from course.charts import HIGHLIGHT, MUTED, PALETTE
from widgets._base import ChartWidget

__all__ = ["CityRegionDashboard", "CITY_REGIONS", "prepare"]

#: ITL2 code -> (name, combined authority GSS code, parent ITL1 code). Only city regions whose
#: ITL2 area has the same boundary as the combined authority are listed.
CITY_REGIONS: dict[str, tuple[str, str, str]] = {
    "TLD3": ("Greater Manchester", "E47000001", "TLD"),
    "TLG3": ("West Midlands", "E47000007", "TLG"),
    "TLE4": ("West Yorkshire", "E47000003", "TLE"),
    "TLE3": ("South Yorkshire", "E47000002", "TLE"),
}
EMPLOYMENT_YEAR = 2023
LEVEL3_YEAR = 2021
BERD_YEAR = 2023
BERD_RELEASE = "2024-12-11"


def prepare() -> dict[str, pd.DataFrame]:
    """Every number the dashboard shows, for every city region, computed with course.measures.

    Returns a dict of tidy frames: ``gap`` (code, year, comparator, gap %), ``lq`` (code, year,
    industry_code, industry, lq), ``labour`` (code, indicator, area, value, year) and ``rd``
    (code, area, value, year).
    """
    gva = course_data.load("gva_per_hour", codes=["UKX", "TLI", *CITY_REGIONS])
    gaps = []
    for year, rows in gva.groupby("year"):
        values = rows.set_index("itl_code")["gva_per_hour"]
        for comparator, code in (("UK", "UKX"), ("London", "TLI")):
            gap = measures.gap_to_benchmark(values, code)
            for cr in CITY_REGIONS:
                gaps.append({"code": cr, "year": int(year), "comparator": comparator,
                             "gap": float(gap[cr]), "gva_per_hour": float(values[cr])})
    gap = pd.DataFrame(gaps)

    industry = course_data.load("gva_by_industry_itl2")
    names = industry.drop_duplicates("industry_code").set_index("industry_code")["industry"]
    lqs = []
    for year in sorted(industry["year"].unique()):
        table = measures.industry_matrix(industry, year=int(year))
        lq = measures.location_quotient(table.drop(index="UK"), "UKX")
        for cr in CITY_REGIONS:
            for code, value in lq.loc[cr].items():
                label = names[code] if code != "L" else "Real estate (excluding imputed rent)"
                lqs.append({"code": cr, "year": int(year), "industry_code": code,
                            "industry": f"{code} {label}", "lq": float(value)})
    lq_frame = pd.DataFrame(lqs)

    ca = course_data.load("combined_authority_labour")
    emp = course_data.load("employment_inactivity", codes="TLB", years=EMPLOYMENT_YEAR)
    l3 = course_data.load("qualifications_level3", codes="TLB", years=LEVEL3_YEAR)
    labour = []
    for cr, (name, gss, _) in CITY_REGIONS.items():
        rows = ca[ca["gss_code"] == gss].set_index("year")
        labour += [
            {"code": cr, "indicator": "Employment rate, 16-64 (%)", "area": name,
             "value": float(rows.loc[EMPLOYMENT_YEAR, "employment_rate"]), "year": EMPLOYMENT_YEAR},
            {"code": cr, "indicator": "Employment rate, 16-64 (%)", "area": "England",
             "value": float(emp["employment_rate"].iloc[0]), "year": EMPLOYMENT_YEAR},
            {"code": cr, "indicator": "Qualified to level 3+, 16-64 (%)", "area": name,
             "value": float(rows.loc[LEVEL3_YEAR, "pct_level3_plus"]), "year": LEVEL3_YEAR},
            {"code": cr, "indicator": "Qualified to level 3+, 16-64 (%)", "area": "England",
             "value": float(l3["pct_level3_plus"].iloc[0]), "year": LEVEL3_YEAR},
        ]
    labour_frame = pd.DataFrame(labour)

    rd = course_data.load("rd_expenditure", level="ITL1")
    berd = rd[(rd["measure"] == "berd") & (rd["year"] == BERD_YEAR)
              & (rd["release_date"] == BERD_RELEASE)].set_index("itl_code")["rd_expenditure"]
    gva1 = course_data.load("gva_itl1", years=BERD_YEAR)
    gva1 = gva1[gva1["price_basis"] == "current"].set_index("itl_code")["gva"]
    regional = measures.intensity(berd.astype(float), gva1.reindex(berd.index).astype(float),
                                  scale=100)
    all_regions = float(berd.sum() / gva1.reindex(berd.index).sum() * 100)
    region_names = rd.drop_duplicates("itl_code").set_index("itl_code")["region"]
    rd_rows = []
    for cr, (_, _, parent) in CITY_REGIONS.items():
        rd_rows += [
            {"code": cr, "area": f"{region_names[parent]} (parent region)",
             "value": float(regional[parent]), "year": BERD_YEAR},
            {"code": cr, "area": "All 12 UK regions", "value": all_regions, "year": BERD_YEAR},
        ]
    return {"gap": gap, "lq": lq_frame, "labour": labour_frame, "rd": pd.DataFrame(rd_rows)}


class CityRegionDashboard(ChartWidget):
    """Evidence for a city-region strategy: productivity gap, structure, labour market, R&D.

    Parameters
    ----------
    city_region : str
        ITL2 code of the city region: ``"TLD3"`` Greater Manchester, ``"TLG3"`` West Midlands,
        ``"TLE4"`` West Yorkshire or ``"TLE3"`` South Yorkshire.
    lq_year : int
        Year of the location quotients (1998–2021).
    top : int
        How many industries the location-quotient panel shows (highest first).

    Examples
    --------
    >>> d = CityRegionDashboard("TLG3")      # doctest: +SKIP
    >>> d.city_region.value = "TLE4"; d.shown()  # doctest: +SKIP
    """

    def __init__(self, city_region: str = "TLD3", lq_year: int = 2019, top: int = 6) -> None:
        self._check("city region", city_region, list(CITY_REGIONS),
                    fix="Pass the ITL2 code, e.g. 'TLD3' for Greater Manchester.")
        self.data = prepare()
        years = sorted(self.data["lq"]["year"].unique())
        self._check("year of location quotients", lq_year, years, arg="lq_year")
        self.city_region = ipw.Dropdown(
            options=[(f"{v[0]} ({k})", k) for k, v in CITY_REGIONS.items()], value=city_region,
            description="City region", style={"description_width": "initial"})
        self.lq_year = ipw.IntSlider(value=int(lq_year), min=int(years[0]), max=int(years[-1]),
                                     description="LQ year", continuous_update=True)
        self.top = ipw.IntSlider(value=int(top), min=3, max=12, description="Industries shown")
        self._table_view()
        self.summary = ipw.HTML()
        self._build_chart(self._chart(), datasets=self.data)
        self._update_text()
        for control in (self.city_region, self.lq_year, self.top):
            control.observe(self._refresh, names="value")
        super().__init__([
            ipw.HBox([self.city_region, self.lq_year, self.top]), self.chart, self.summary,
            self.show_table, self.numbers,
        ])

    # -- the chart, built once -------------------------------------------------------------------
    def _param_values(self) -> dict:
        return {"focus": self.city_region.value, "lq_year": int(self.lq_year.value),
                "top": int(self.top.value),
                "focus_name": CITY_REGIONS[self.city_region.value][0]}

    def _chart(self) -> alt.VConcatChart:
        gap = alt.Chart(alt.Data(name="gap")).transform_filter("datum.code == focus")
        lines = gap.mark_line(point=alt.OverlayMarkDef(size=20)).encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True)),
            y=alt.Y("gap:Q", title="% above (+) or below (-) the comparator"),
            color=alt.Color("comparator:N", title="Gap to", legend=alt.Legend(orient="top"),
                            scale=alt.Scale(domain=["UK", "London"],
                                            range=[PALETTE[0], HIGHLIGHT])),
            tooltip=[alt.Tooltip("year:O"), alt.Tooltip("comparator:N"),
                     alt.Tooltip("gap:Q", format="+.1f"),
                     alt.Tooltip("gva_per_hour:Q", format=".1f", title="£ per hour")],
        )
        zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(
            color=charts.TEXT, strokeDash=[4, 3]).encode(y="y:Q")
        gap_chart = alt.layer(zero, lines).properties(
            width=480, height=220,
            title=alt.Title(alt.expr("focus_name + ': GVA per hour gap to the UK and London, %'"),
                            subtitle="ITL2, current prices, ONS June 2023 edition",
                            anchor="start"))

        lq = alt.Chart(alt.Data(name="lq")).transform_filter(
            "datum.code == focus && datum.year == lq_year").transform_window(
            rank="row_number()", sort=[alt.SortField("lq", order="descending")]
        ).transform_filter("datum.rank <= top")
        bars = lq.mark_bar().encode(
            x=alt.X("lq:Q", title="Location quotient (UK less extra-regio = 1)"),
            y=alt.Y("industry:N", sort=alt.EncodingSortField("lq", order="descending"),
                    title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.condition("datum.lq >= 1.25", alt.value(HIGHLIGHT), alt.value(PALETTE[0])),
            tooltip=[alt.Tooltip("industry:N"), alt.Tooltip("lq:Q", format=".2f")],
        )
        one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(
            color=charts.TEXT, strokeDash=[4, 3]).encode(x="x:Q")
        lq_chart = alt.layer(bars, one).properties(
            width=300, height=alt.Step(16),
            title=alt.Title(alt.expr("'Most over-represented industries (GVA), ' + lq_year"),
                            subtitle="Orange: LQ of 1.25 or more. A GVA LQ mixes specialisation "
                                     "with productivity.", anchor="start"))

        labour = alt.Chart(alt.Data(name="labour")).transform_filter("datum.code == focus")
        labour_chart = labour.mark_bar().encode(
            x=alt.X("value:Q", title="%", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("area:N", title=None, sort="descending", axis=alt.Axis(labelLimit=300)),
            row=alt.Row("indicator:N", title=None, header=alt.Header(labelAngle=0,
                                                                     labelAlign="left")),
            color=alt.condition("datum.area == 'England'", alt.value(MUTED),
                                alt.value(PALETTE[0])),
            tooltip=[alt.Tooltip("indicator:N"), alt.Tooltip("area:N"),
                     alt.Tooltip("value:Q", format=".1f"), alt.Tooltip("year:O")],
        ).properties(width=260, height=50,
                     title=alt.Title("Labour market and skills: combined authority vs England",
                                     subtitle=f"Employment {EMPLOYMENT_YEAR}, level 3+ "
                                              f"{LEVEL3_YEAR} (APS)", anchor="start"))

        rd = alt.Chart(alt.Data(name="rd")).transform_filter("datum.code == focus")
        rd_chart = rd.mark_bar().encode(
            x=alt.X("value:Q", title="Business R&D as % of GVA"),
            y=alt.Y("area:N", title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.condition("datum.area == 'All 12 UK regions'", alt.value(MUTED),
                                alt.value(PALETTE[2])),
            tooltip=[alt.Tooltip("area:N"), alt.Tooltip("value:Q", format=".2f")],
        ).properties(width=260, height=60, title=alt.Title(
            "R&D (proxy): the parent region, not the city region",
            subtitle=f"BERD {BERD_YEAR} ({BERD_RELEASE} release) / GVA {BERD_YEAR}, derived",
            anchor="start"))

        # one column, so the dashboard fits a laptop's notebook (charts.MAX_WIDTH)
        return alt.vconcat(
            gap_chart, lq_chart, labour_chart, rd_chart
        ).add_params(*self._params()).resolve_scale(color="independent").properties(
            datasets={key: [] for key in self.data},  # filled in the built spec
            title=alt.Title("City-region evidence dashboard",
                            subtitle="Sources: ONS (GVA per hour, GVA by industry, APS, BERD, "
                                     "regional GVA); OGL v3.0.", anchor="start"),
            description=(
                "Four charts for the chosen city region: its GVA per hour gap to the UK and to "
                "London from 2004 to 2021; its most over-represented industries by GVA location "
                "quotient; its employment rate and share qualified to level 3 or above beside "
                "England; and business R&D as a share of GVA in its parent region beside all "
                "regions. Use 'Show numbers as a table' to read the values."),
        )

    # -- what the chart shows, in Python ------------------------------------------------------------
    def shown(self) -> pd.DataFrame:
        """The location quotients the bars show now (highest first)."""
        lq = self.data["lq"]
        rows = lq[(lq["code"] == self.city_region.value) & (lq["year"] == self.lq_year.value)]
        rows = rows.sort_values("lq", ascending=False, kind="mergesort").head(self.top.value)
        return rows[["industry_code", "industry", "lq"]].reset_index(drop=True)

    def headline(self, year: int = 2019) -> dict[str, float]:
        """Headline numbers for the chosen city region (gaps in % for ``year``)."""
        g = self.data["gap"]
        g = g[(g["code"] == self.city_region.value) & (g["year"] == year)].set_index("comparator")
        lab = self.data["labour"]
        lab = lab[lab["code"] == self.city_region.value]
        name = CITY_REGIONS[self.city_region.value][0]
        rd = self.data["rd"]
        rd = rd[rd["code"] == self.city_region.value].set_index("area")["value"]
        mine = lab[lab["area"] == name].set_index("indicator")["value"]
        return {
            f"gap to UK, {year} (%)": float(g.loc["UK", "gap"]),
            f"gap to London, {year} (%)": float(g.loc["London", "gap"]),
            f"employment rate, {EMPLOYMENT_YEAR} (%)": float(mine.iloc[0]),
            f"level 3+, {LEVEL3_YEAR} (%)": float(mine.iloc[1]),
            f"parent-region BERD / GVA, {BERD_YEAR} (%)": float(rd.iloc[0]),
        }

    def _update_text(self) -> None:
        name = CITY_REGIONS[self.city_region.value][0]
        rows = "".join(f"<tr><th scope='row' style='text-align:left'>{html.escape(k)}</th>"
                       f"<td>{v:+.1f}</td></tr>" if "gap" in k else
                       f"<tr><th scope='row' style='text-align:left'>{html.escape(k)}</th>"
                       f"<td>{v:.1f}</td></tr>" for k, v in self.headline().items())
        self.summary.value = (f"<table><caption>{html.escape(name)}: headline numbers"
                              f"</caption>{rows}</table>")
        if self.show_table.value:
            shown = self.shown()
            body = "".join(f"<tr><td>{html.escape(i)}</td><td>{v:.2f}</td></tr>"
                           for i, v in zip(shown["industry"], shown["lq"], strict=True))
            self.numbers.value = (
                f"<table><caption>{html.escape(name)}: location quotients, "
                f"{self.lq_year.value}</caption><thead><tr><th scope='col'>Industry</th>"
                f"<th scope='col'>LQ</th></tr></thead><tbody>{body}</tbody></table>")
