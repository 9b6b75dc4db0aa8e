"""ClusterExplorer: location quotients by area × industry, and the candidate clusters they flag.

A heatmap of location quotients (LQ) for every area of a geography and every SIC section,
with the cells that pass the candidate-cluster screen (LQ above a threshold *and* size at least
a minimum) outlined and marked; beside it, the chosen area's LQs as bars and its candidate
clusters as a list. Three geographies:

* ``ITL1``: the 12 nations and regions, GVA-based LQs against the UK less extra-regio (UKX);
* ``ITL2``: 41 areas, including Greater Manchester (TLD3), the West Midlands (TLG3) and
  West Yorkshire (TLE4), GVA-based LQs against UKX;
* ``CA``: 10 English combined authorities, **employee**-based LQs (BRES 2017) against the ten
  authorities' own aggregate (no national total from the same BRES vintage exists).

GVA tables use the 20 SIC sections with owner-occupiers' imputed rent taken out of section L.
All numbers come from :mod:`course.measures` (``industry_matrix``, ``location_quotient``,
``candidate_clusters``); the widget computes nothing of its own.

How it stays fast: the chart spec is built and validated once. The threshold, size and chosen
area are Vega-Lite params. The geography and year change the data, so the chart embeds only the
current geography and year (at most 41 × 20 = 820 rows) and a change swaps that small dataset
into the already-built spec (each geography and year computed the first time it is shown);
nothing is re-validated.
"""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as ipw
import pandas as pd

from course import charts, measures
from course import data as course_data
from course.charts import DIVERGING, HIGHLIGHT, MUTED, PALETTE
from widgets._base import ChartWidget, quietly

__all__ = ["ClusterExplorer", "GEOGRAPHIES", "LQTables", "SECTION_LABELS"]

#: geography key -> (button label, size unit, comparator text)
GEOGRAPHIES: dict[str, tuple[str, str, str]] = {
    "ITL1": ("ITL1 regions (GVA)", "£ million GVA", "UK less extra-regio (UKX)"),
    "ITL2": ("ITL2 areas (GVA)", "£ million GVA", "UK less extra-regio (UKX)"),
    "CA": ("Combined authorities (employees, 2017)", "employee jobs",
           "the 10 combined authorities' own total"),
}
#: short labels for the SIC 2007 sections (for axes; full names are in the datasets)
SECTION_LABELS: dict[str, str] = {
    "A": "A Agriculture", "B": "B Mining", "C": "C Manufacturing", "D": "D Energy supply",
    "E": "E Water & waste", "F": "F Construction", "G": "G Wholesale & retail",
    "H": "H Transport", "I": "I Hotels & food", "J": "J Information & comms",
    "K": "K Finance", "L": "L Real estate*", "M": "M Professional & scientific",
    "N": "N Admin & support", "O": "O Public admin", "P": "P Education", "Q": "Q Health",
    "R": "R Arts & recreation", "S": "S Other services", "T": "T Households", "U": "U Extraterritorial",
}
_DATASET = "cells"  # the one inline dataset the heatmap and bars share (swapped on change)
_SIZE = {  # slider settings per unit: (max, step, default)
    "£ million GVA": (5000, 50, 1000),
    "employee jobs": (60000, 1000, 10000),
}


def _long(lq: pd.DataFrame, size: pd.DataFrame, names: dict, geo: str) -> pd.DataFrame:
    """(year, area) × industry tables -> one row per year, area and industry."""
    stacked = lq.stack()
    out = pd.DataFrame({
        "geography": geo,
        "year": stacked.index.get_level_values(0).astype("int64"),
        "area": stacked.index.get_level_values(1).astype(str),
        "industry": stacked.index.get_level_values(2).astype(str),
        "lq": stacked.to_numpy(dtype="float64"),
        "size": size.reindex(index=lq.index, columns=lq.columns).stack().to_numpy("float64"),
    })
    out["name"] = out["area"].map(names).fillna(out["area"])
    out["label"] = out["industry"].map(SECTION_LABELS).fillna(out["industry"])
    return out


class LQTables:
    """LQs and sizes for one geography and year at a time, computed on first use and kept.

    Computed with :func:`course.measures.industry_matrix` and
    :func:`course.measures.location_quotient`: GVA against ``UKX``; employees against the
    combined authorities' own aggregate (sections with no employees anywhere, T and U, dropped).
    A year takes about 10 ms; all 49 geography-year pairs at once took 0.47 s of the lesson's
    Run-All, for years most students never look at.
    """

    def __init__(self, gva1: pd.DataFrame, gva2: pd.DataFrame, employees: pd.DataFrame) -> None:
        self._rows: dict[str, pd.DataFrame] = {}
        self._names: dict[str, dict] = {}
        self.years: dict[str, list[int]] = {}
        for geo, frame in (("ITL1", gva1), ("ITL2", gva2)):
            rows = frame[frame["itl_level"].isin([geo, "UK"]) & (frame["itl_code"] != "UK")]
            self._rows[geo] = rows
            areas = rows[rows["itl_code"] != "UKX"]
            self._names[geo] = dict(zip(areas["itl_code"], areas["region"], strict=False))
            self.years[geo] = sorted(int(y) for y in rows["year"].unique())
        self._employees = employees
        self.years["CA"] = [int(employees["year"].iloc[0])]
        self._names["CA"] = {}  # filled from the LQ table's rows on first use
        self._cache: dict[tuple[str, int], pd.DataFrame] = {}

    def areas(self, geo: str) -> dict[str, str]:
        """Area code -> name (for the combined authorities, name -> name)."""
        if geo == "CA" and not self._names["CA"]:
            self._names["CA"] = {a: a for a in self.get("CA", self.years["CA"][0])["area"]}
        return self._names[geo]

    def get(self, geo: str, year: int) -> pd.DataFrame:
        """One row per area and industry: geography, year, area, industry, lq, size, name, label."""
        key = (geo, int(year))
        if key not in self._cache:
            if geo == "CA":
                table = measures.industry_matrix(self._employees)
                table = table.loc[:, table.sum() > 0]
                lq, size, names = measures.location_quotient(table), table, {a: a for a in table.index}
            else:
                rows = self._rows[geo]
                table = measures.industry_matrix(rows[rows["year"] == key[1]])
                lq, size = measures.location_quotient(table, "UKX"), table.drop(index="UKX")
                names = self._names[geo]
            self._cache[key] = _long(pd.concat({key[1]: lq}), pd.concat({key[1]: size}), names, geo)
        return self._cache[key]


class ClusterExplorer(ChartWidget):
    """Explore location quotients and candidate clusters across UK areas.

    Parameters
    ----------
    geography : {"ITL2", "ITL1", "CA"}
    year : int
        1998–2021 for the GVA geographies (the combined-authority data is 2017 only).
    lq_min : float
        LQ threshold: a candidate has an LQ strictly above it.
    size_min : float
        Minimum size (£ million GVA, or employee jobs for "CA").
    area : str, optional
        The area listed beside the heatmap (ITL code, or the authority's name for "CA");
        by default Greater Manchester (TLD3 at ITL2, the North West at ITL1).

    Examples
    --------
    >>> ex = ClusterExplorer(geography="ITL2", year=2019, area="TLD3")   # doctest: +SKIP
    >>> ex.lq_min.value = 1.5; ex.candidates()                            # doctest: +SKIP
    """

    def __init__(self, geography: str = "ITL2", year: int = 2019, lq_min: float = 1.25,
                 size_min: float | None = None, area: str | None = None, *,
                 gva1: pd.DataFrame | None = None, gva2: pd.DataFrame | None = None,
                 employees: pd.DataFrame | None = None) -> None:
        gva1 = course_data.load("gva_by_industry_itl1") if gva1 is None else gva1
        gva2 = course_data.load("gva_by_industry_itl2") if gva2 is None else gva2
        employees = (course_data.load("city_region_employees_by_industry")
                     if employees is None else employees)
        self.tables = LQTables(gva1, gva2, employees)
        self._options: dict[str, list[tuple[str, str]]] = {}
        self._check("geography", geography, list(GEOGRAPHIES), arg="geography")
        self._years = self.tables.years["ITL1"]
        self._ca_year = self.tables.years["CA"][0]
        if geography != "CA":
            year = self._year("year", year, [int(y) for y in self._years], arg="year")
        self._records: dict[tuple[str, int], list[dict]] = {}
        self._pivots: dict[tuple[str, int], tuple[pd.DataFrame, pd.DataFrame]] = {}

        self.geography = ipw.ToggleButtons(
            options=[(v[0], k) for k, v in GEOGRAPHIES.items()], value=geography,
            description="Geography", style={"description_width": "initial"},
        )
        self.year = ipw.IntSlider(value=int(year) if geography != "CA" else 2019,
                                  min=self._years[0], max=self._years[-1], step=1,
                                  description="Year (GVA)", continuous_update=False,
                                  style={"description_width": "initial"})
        self.lq_min = ipw.FloatSlider(value=float(lq_min), min=1.0, max=3.0, step=0.05,
                                      description="LQ above", readout_format=".2f",
                                      continuous_update=True)
        unit = GEOGRAPHIES[geography][1]
        top, step, default = _SIZE[unit]
        self.size_min = ipw.IntSlider(value=int(default if size_min is None else size_min),
                                      min=0, max=top, step=step, continuous_update=True,
                                      description="Size at least",
                                      style={"description_width": "initial"})
        self.size_unit = ipw.Label(value=unit)
        self.area = ipw.Dropdown(description="Area", options=self._area_options(geography))
        if area is not None:
            area = self._area(area, list(self.area.options), arg="area")
        self.area.value = area if area is not None else self._default_area(geography)
        self.year.disabled = geography == "CA"
        self._table_view()
        self.note = ipw.HTML()
        self.listing = ipw.HTML()

        self._build_chart(self._chart())
        self._current = None
        self._swap_data()
        self._update_text()

        for control in (self.geography, self.year):
            control.observe(self._on_data_change, names="value")
        for control in (self.lq_min, self.size_min, self.area):
            control.observe(self._refresh, names="value")

        super().__init__([
            self.geography,
            ipw.HBox([self.year, self.area]),
            ipw.HBox([self.lq_min, self.size_min, self.size_unit]),
            self.chart, self.listing,
            self.note, self.show_table, self.numbers,
        ])

    # -- choices ---------------------------------------------------------------------------
    def _year_for(self, geo: str) -> int:
        return self._ca_year if geo == "CA" else int(self.year.value)

    def _rows(self, geo: str | None = None, year: int | None = None) -> pd.DataFrame:
        geo = geo or self.geography.value
        year = self._year_for(geo) if year is None else year
        return self.tables.get(geo, year)

    def _tables(self, geo: str | None = None, year: int | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
        geo = geo or self.geography.value
        key = (geo, self._year_for(geo) if year is None else year)
        if key not in self._pivots:
            rows = self._rows(*key)
            self._pivots[key] = (rows.pivot(index="area", columns="industry", values="lq"),
                                 rows.pivot(index="area", columns="industry", values="size"))
        return self._pivots[key]

    def _area_options(self, geo: str) -> list[tuple[str, str]]:
        if geo not in self._options:
            names = self.tables.areas(geo)
            if geo == "CA":
                self._options[geo] = [(a, a) for a in names]
            else:
                self._options[geo] = [(f"{names[c]} ({c})", c) for c in sorted(names)]
        return self._options[geo]

    @staticmethod
    def _default_area(geo: str) -> str:
        return {"ITL1": "TLD", "ITL2": "TLD3", "CA": "Greater Manchester"}[geo]

    # -- the chart, built once ---------------------------------------------------------------
    def _chart(self) -> alt.HConcatChart:
        base = alt.Chart(alt.Data(name=_DATASET)).transform_calculate(
            shown="clamp(datum.lq, 0.25, 4)",
            candidate="datum.lq > lq_min && datum.size >= size_min",
        )
        # Industries and areas keep the order of the rows (x_order, y_order: see _records_for),
        # given as a field rather than sort=None so that the chart is the same whether the
        # browser draws it afresh or updates it in place after a change of year.
        x = alt.X("label:N", title=None, sort=alt.EncodingSortField("x_order", op="min"),
                  axis=alt.Axis(labelAngle=-50, labelLimit=160, orient="top"))
        y = alt.Y("name:N", title=None, sort=alt.EncodingSortField("y_order", op="min"),
                  axis=alt.Axis(labelLimit=230))
        tooltip = [alt.Tooltip("name:N", title="Area"), alt.Tooltip("label:N", title="Industry"),
                   alt.Tooltip("lq:Q", format=".2f", title="LQ"),
                   alt.Tooltip("size:Q", format=",.0f", title="Size")]
        # Each cell is outlined in grey so the grid reads at 3:1 even where the diverging colour
        # is near white (an LQ near 1). aria=False: 800+ cells each with its own ARIA label made
        # every repaint slow, and a screen reader cannot use them one by one; the chart's alt
        # text and "Show numbers as a table" give the same numbers.
        cells = base.mark_rect(stroke=MUTED, strokeWidth=0.5, aria=False).encode(
            x=x, y=y, tooltip=tooltip,
            color=alt.Color("shown:Q", title="LQ (log scale)", scale=alt.Scale(
                type="log", domain=[0.25, 4], domainMid=1, scheme=DIVERGING, clamp=True,
                reverse=False), legend=alt.Legend(values=[0.25, 0.5, 1, 2, 4], format=".2~f")),
        )
        outline = base.transform_filter("datum.candidate").mark_rect(
            fill=None, stroke="#000000", strokeWidth=2
        ).encode(x=x, y=y, tooltip=tooltip)
        # a white dot ringed in black reads on every cell colour, dark or light
        marker = base.transform_filter("datum.candidate").mark_point(
            shape="circle", filled=True, fill="white", stroke="#000000", strokeWidth=1, size=22,
            opacity=1,
        ).encode(x=x, y=y)
        focus_rule = base.transform_filter("datum.area == focus").mark_rect(
            fill=None, stroke=HIGHLIGHT, strokeWidth=1, strokeDash=[3, 2]
        ).encode(x=x, y=y)
        heatmap = alt.layer(cells, focus_rule, outline, marker).properties(
            width=alt.Step(17), height=alt.Step(14),
            title=alt.Title(alt.expr(
                "'Location quotients; outlined: LQ above ' + format(lq_min, '.2f') + "
                "' and size at least ' + format(size_min, ',') + ' ' + unit"), anchor="start"),
        )
        bars_base = charts.label_position(base.transform_filter("datum.area == focus"), "lq")
        bar_y = alt.Y("label:N", sort=alt.EncodingSortField("lq", order="descending"), title=None,
                      axis=alt.Axis(labelLimit=190))
        bars = bars_base.mark_bar().encode(
            x=alt.X("lq:Q", title="Location quotient", scale=alt.Scale(zero=True)),
            y=bar_y,
            color=alt.condition("datum.candidate", alt.value(HIGHLIGHT), alt.value(PALETTE[0])),
            tooltip=tooltip,
        )
        values = charts.value_labels(bars_base, "lq", "label", x=alt.X("lq:Q"), y=bar_y,
                                     value_format=".2f", size=10)
        one = alt.Chart(pd.DataFrame({"one": [1.0]})).mark_rule(color=charts.TEXT).encode(x="one:Q")
        threshold = alt.Chart(pd.DataFrame({"t": [0]})).transform_calculate(t="lq_min").mark_rule(
            color=HIGHLIGHT, strokeDash=[4, 3]).encode(x="t:Q")
        bar_chart = alt.layer(bars, values, one, threshold).properties(
            width=220, height=alt.Step(13),
            title=alt.Title(alt.expr("focus_name + ': LQ by industry'"), anchor="start"),
        )
        # one above the other, so the widget fits a laptop's notebook (charts.MAX_WIDTH)
        chart = alt.vconcat(heatmap, bar_chart).add_params(*self._params())
        return chart.properties(
            # Empty here; _swap_data puts the rows into the built spec. Altair would otherwise
            # deep-copy and validate all 820 rows at .properties() and again at to_dict (0.2 s).
            datasets={_DATASET: []},
            title=alt.Title(
                "Where is each area specialised? Location quotients by SIC section",
                subtitle=["GVA: ONS regional GVA by industry, 1998–2021 edition, current prices, "
                          "against UKX; L excludes imputed rent (*).",
                          "Employees: BRES 2017, against the 10 combined authorities' own total. "
                          "Orange bars and outlined cells are candidate clusters."],
                anchor="start",
            ),
            description=(
                "Heatmap of location quotients, one row per area and one column per SIC 2007 "
                "section, coloured blue below 1 and orange above 1 on a log scale. Cells whose "
                "location quotient is above the threshold and whose size is at least the "
                "minimum are outlined and marked with a dot: these are candidate clusters. "
                "Beside it, bars show the chosen area's location quotients, highest first, "
                "with candidates in orange. Use 'Show numbers as a table' to read the values."
            ),
        )

    # -- reacting to controls ----------------------------------------------------------------
    def _param_values(self) -> dict:
        return {"lq_min": float(self.lq_min.value), "size_min": float(self.size_min.value),
                "focus": self.area.value, "unit": GEOGRAPHIES[self.geography.value][1],
                "focus_name": self._area_name()}

    def _area_name(self) -> str:
        return next((k for k, v in self.area.options if v == self.area.value), self.area.value)

    def _records_for(self, geo: str, year: int) -> list[dict]:
        key = (geo, year)
        if key not in self._records:
            rows = self._rows(geo, year)[["area", "name", "industry", "label", "lq", "size"]]
            # each industry's and area's place on the heatmap: the order it first comes in
            rows = rows.assign(x_order=pd.factorize(rows["label"])[0],
                               y_order=pd.factorize(rows["name"])[0])
            self._records[key] = charts.records(rows)
        return self._records[key]

    def _swap_data(self) -> None:
        geo = self.geography.value
        key = (geo, self._year_for(geo))
        if key != self._current:
            self._show_data({_DATASET: self._records_for(*key)})
            self._current = key

    def _on_data_change(self, change) -> None:
        if change["owner"] is self.geography:
            geo = self.geography.value
            self.year.disabled = geo == "CA"
            unit = GEOGRAPHIES[geo][1]
            if unit != self.size_unit.value:
                top, step, default = _SIZE[unit]
                with quietly(self.size_min, self._refresh):
                    self.size_min.max, self.size_min.step = top, step
                    self.size_min.value = default
                self.size_unit.value = unit
            keep = self.area.value
            with quietly(self.area, self._refresh):
                self.area.options = self._area_options(geo)
                codes = [v for _, v in self.area.options]
                self.area.value = keep if keep in codes else self._default_area(geo)
        self._swap_data()
        self._refresh()

    # -- what the chart shows, in Python ---------------------------------------------------
    def shown(self) -> pd.DataFrame:
        """The heatmap's cells now: area, industry, LQ, size and whether each is a candidate."""
        rows = self._rows()[["area", "name", "industry", "lq", "size"]].reset_index(drop=True)
        rows["candidate"] = (rows["lq"] > self.lq_min.value) & (rows["size"] >= self.size_min.value)
        return rows

    def candidates(self, area: str | None = None) -> pd.DataFrame:
        """Candidate clusters of the chosen area (from :func:`course.measures.candidate_clusters`)."""
        lq, size = self._tables()
        return measures.candidate_clusters(
            lq, size, lq_min=float(self.lq_min.value), size_min=float(self.size_min.value),
            area=area or self.area.value,
        )

    def _update_text(self) -> None:
        geo = self.geography.value
        label, unit, comparator = GEOGRAPHIES[geo]
        found = self.candidates()
        name = self._area_name()
        year = self._year_for(geo)
        if len(found):
            items = "".join(
                f"<li>{html.escape(SECTION_LABELS.get(i, i))}: LQ {q:.2f}, "
                f"{s:,.0f} {html.escape(unit)}</li>"
                for i, q, s in zip(found["industry"], found["lq"], found["size"], strict=True)
            )
            body = f"<ol>{items}</ol>"
        else:
            body = "<p>None at these settings: lower the LQ threshold or the minimum size.</p>"
        self.listing.value = (
            f"<h4 style='margin:0'>Candidate clusters: {html.escape(name)}, {year}</h4>"
            f"<p style='margin:2px 0'>LQ above {self.lq_min.value:.2f}, size at least "
            f"{self.size_min.value:,} {html.escape(unit)}</p>{body}"
        )
        self.note.value = (
            f"<p><b>{html.escape(label)}</b>, {year}: location quotients against "
            f"{html.escape(comparator)}. "
            + ("A GVA-based LQ mixes specialisation with productivity (London's finance). "
               if geo != "CA" else
               "These employee LQs are relative to the ten authorities only, not to Great "
               "Britain. ")
            + "SIC sections are broad: a cluster can hide inside one.</p>"
        )
        if self.show_table.value:
            shown = self.shown()
            shown = shown[shown["area"] == self.area.value]
            body = "".join(
                f"<tr><td>{html.escape(SECTION_LABELS.get(i, i))}</td><td>{q:.2f}</td>"
                f"<td>{s:,.0f}</td><td>{'yes' if c else ''}</td></tr>"
                for i, q, s, c in zip(shown["industry"], shown["lq"], shown["size"],
                                      shown["candidate"], strict=True)
            )
            self.numbers.value = (
                f"<table><caption>Location quotients, {html.escape(name)}, {year}</caption>"
                "<thead><tr><th scope='col'>Industry</th><th scope='col'>LQ</th>"
                f"<th scope='col'>Size ({html.escape(unit)})</th>"
                "<th scope='col'>Candidate</th></tr></thead>"
                f"<tbody>{body}</tbody></table>"
            )
