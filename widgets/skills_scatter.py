"""SkillsScatter: qualifications against productivity or pay across the 12 ITL1 regions.

A scatter of the regions with the least-squares line through all 12 and, when a region is left
out, the line through the other 11, so you can see how far one place moves the slope. Every fit
is computed once, when the widget is built, by :func:`course.measures.linear_fit` (32 year and
outcome pairs x 13 choices of what to leave out: 416 small fits, about a second); the
embedded data are small (under 1,700 rows). The chart is built once as an ``alt.JupyterChart``;
the controls only change its Vega-Lite params. The chart is validated with its three named
datasets empty and the rows go into the built spec (see :mod:`widgets._base`).
"""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as ipw
import pandas as pd

from course import charts, measures
from course import data as course_data
from course.charts import HIGHLIGHT, MUTED, PALETTE
from widgets._base import ChartWidget, quietly

__all__ = ["SkillsScatter", "OUTCOMES"]

#: outcome key -> (label, axis/units, number format)
OUTCOMES: dict[str, tuple[str, str, str]] = {
    "gva_per_hour": ("GVA per hour worked (£)", "£ per hour worked", ",.1f"),
    "median_pay": ("Median weekly pay (£)", "£ per week", ",.0f"),
}
NONE = "none"


def prepare(level3: pd.DataFrame, gva: pd.DataFrame, pay: pd.DataFrame):
    """Points, fitted lines and fit statistics for every year, outcome and left-out region.

    Returns ``(points, lines, fits)``: ``points`` has one row per region, year and outcome
    (``x`` = % qualified to level 3+, ``y`` = the outcome); ``lines`` two end points per fit;
    ``fits`` one row per fit with slope, its 95% interval, R² and the change from the all-regions
    slope. All computing is done by :func:`course.measures.linear_fit`.
    """
    q = level3[level3["itl_level"] == "ITL1"][["itl_code", "region", "year", "pct_level3_plus"]]
    outcome_rows = {
        "gva_per_hour": gva[gva["itl_level"] == "ITL1"][["itl_code", "year", "gva_per_hour"]]
        .rename(columns={"gva_per_hour": "y"}),
        "median_pay": pay[pay["itl_level"] == "ITL1"][["itl_code", "year", "median_weekly_pay"]]
        .rename(columns={"median_weekly_pay": "y"}),
    }
    points, lines, fits = [], [], []
    for outcome, rows in outcome_rows.items():
        both = q.merge(rows, on=["itl_code", "year"], how="inner").rename(
            columns={"itl_code": "code", "region": "name", "pct_level3_plus": "x"})
        for year, part in both.groupby("year", sort=True):
            if len(part) != 12:
                continue
            part = part.set_index("code")
            full = measures.linear_fit(part["x"], part["y"])
            lo, hi = float(part["x"].min()), float(part["x"].max())
            pts = part.reset_index()[["code", "name", "x", "y"]].assign(
                year=int(year), outcome=outcome,
                fitted=full.fitted.to_numpy(), residual=full.residuals.to_numpy(),
                cooks=full.cooks_distance.to_numpy())
            points.append(pts)
            for leave in [NONE, *part.index]:
                fit = full if leave == NONE else measures.linear_fit(
                    part["x"], part["y"], leave_out=leave)
                fits.append({
                    "year": int(year), "outcome": outcome, "leave": leave,
                    "name": "All 12 regions" if leave == NONE else str(part.loc[leave, "name"]),
                    "slope": fit.slope, "ci_low": fit.slope_ci[0], "ci_high": fit.slope_ci[1],
                    "r_squared": fit.r_squared, "n": fit.n, "change": fit.slope - full.slope,
                    "cooks": 0.0 if leave == NONE else float(full.cooks_distance[leave]),
                })
                for end in (lo, hi):
                    lines.append({"year": int(year), "outcome": outcome, "leave": leave,
                                  "x": end, "y": fit.predict(end)})
    points = pd.concat(points, ignore_index=True)
    return points, pd.DataFrame(lines), pd.DataFrame(fits)


class SkillsScatter(ChartWidget):
    """Skills against productivity (or pay) across the 12 ITL1 regions, with a leave-out toggle.

    Parameters
    ----------
    outcome : {"gva_per_hour", "median_pay"}
    year : int, 2004-2021 (median pay from 2008)
    highlight : str
        ITL1 code of the region labelled and drawn in colour.
    leave_out : str
        ``"none"`` or an ITL1 code: refit the line without that region.

    Examples
    --------
    >>> w = SkillsScatter(year=2019)          # doctest: +SKIP
    >>> w.leave_out.value = "TLI"; w.summary()  # doctest: +SKIP
    """

    def __init__(self, outcome: str = "gva_per_hour", year: int = 2019, highlight: str = "TLI",
                 leave_out: str = NONE, *, level3: pd.DataFrame | None = None,
                 gva: pd.DataFrame | None = None, pay: pd.DataFrame | None = None) -> None:
        level3 = course_data.load("qualifications_level3") if level3 is None else level3
        gva = course_data.load("gva_per_hour") if gva is None else gva
        pay = course_data.load("median_pay") if pay is None else pay
        self.points, self.lines, self.fits = prepare(level3, gva, pay)
        self._fit_lookup = self.fits.set_index(["outcome", "year", "leave"])
        names = self.points.drop_duplicates("code").sort_values("name")
        region_options = [(f"{n} ({c})", c) for n, c in zip(names["name"], names["code"],
                                                            strict=True)]
        self._years = {o: sorted(self.points.loc[self.points["outcome"] == o, "year"].unique())
                       for o in OUTCOMES}
        self._check("outcome", outcome, list(OUTCOMES), arg="outcome")
        year = self._year("year", year, [int(y) for y in self._years[outcome]], arg="year")
        highlight = self._area(highlight, region_options, arg="highlight", what="region")
        self._check("leave_out", leave_out, [NONE, *names["code"]], arg="leave_out")

        years = self._years[outcome]
        self.outcome = ipw.Dropdown(options=[(v[0], k) for k, v in OUTCOMES.items()],
                                    value=outcome, description="Outcome")
        self.year = ipw.IntSlider(value=int(year), min=int(years[0]), max=int(years[-1]),
                                  step=1, description="Year")
        self.highlight = ipw.Dropdown(options=region_options, value=highlight,
                                      description="Highlight")
        self.leave_out = ipw.Dropdown(options=[("Keep all 12", NONE), *region_options],
                                      value=leave_out, description="Leave out")
        self._table_view()
        self.text = ipw.HTML()
        self._build_chart(self._chart(), datasets={"points": self.points, "lines": self.lines,
                                                   "fits": self.fits})
        self._update_text()
        for control in (self.outcome, self.year, self.highlight, self.leave_out):
            control.observe(self._on_change, names="value")
        super().__init__([
            ipw.HBox([self.outcome, self.year]), ipw.HBox([self.highlight, self.leave_out]),
            self.chart, self.show_table, self.text, self.numbers,
        ])

    # -- the chart, built once ----------------------------------------------------------------
    def _param_values(self) -> dict:
        return {"year": int(self.year.value), "outcome": self.outcome.value,
                "focus": self.highlight.value, "leave": self.leave_out.value}

    def _chart(self) -> alt.VConcatChart:
        now = "datum.year == year && datum.outcome == outcome"
        x = alt.X("x:Q", title="% of people aged 16-64 qualified to level 3+ (NVQ), by residence",
                  scale=alt.Scale(zero=False))
        y = alt.Y("y:Q", title="£, current prices (GVA per hour or weekly pay: see title)",
                  scale=alt.Scale(zero=False))
        pts = alt.Chart(alt.Data(name="points")).transform_filter(now)
        dots = pts.mark_point(filled=True, size=90).encode(
            x=x, y=y,
            color=alt.when("datum.code == leave").then(alt.value("white"))
            .when("datum.code == focus").then(alt.value(HIGHLIGHT))
            .otherwise(alt.value(PALETTE[0])),
            stroke=alt.condition("datum.code == leave", alt.value(MUTED), alt.value("white")),
            tooltip=[alt.Tooltip("name:N", title="Region"),
                     alt.Tooltip("x:Q", format=".1f", title="% level 3+"),
                     alt.Tooltip("y:Q", format=",.1f", title="Outcome"),
                     alt.Tooltip("residual:Q", format="+,.2f", title="Residual"),
                     alt.Tooltip("cooks:Q", format=".2f", title="Cook's distance")],
        )
        labels = pts.transform_filter("datum.code == focus || datum.code == leave").mark_text(
            align="left", dx=7, dy=-6, fontSize=11, fontWeight="bold", color=charts.TEXT
        ).encode(x=x, y=y, text=alt.Text("name:N"))
        lines = alt.Chart(alt.Data(name="lines"))
        all_line = lines.transform_filter(now + " && datum.leave == 'none'") \
            .mark_line(color=charts.TEXT, strokeDash=[5, 3], strokeWidth=1.5).encode(x=x, y=y)
        loo_line = lines.transform_filter(
            now + " && datum.leave == leave && leave != 'none'"
        ).mark_line(color=HIGHLIGHT, strokeWidth=2.5).encode(x=x, y=y)
        fit_text = alt.Chart(alt.Data(name="fits")).transform_filter(
            now + " && (datum.leave == leave || datum.leave == 'none')"
        ).transform_calculate(
            line="(datum.leave == 'none' ? datum.name : 'Without ' + datum.name) + "
                 "': slope ' + format(datum.slope, '.2f') + ' (95% CI ' + "
                 "format(datum.ci_low, '.2f') + ' to ' + format(datum.ci_high, '.2f') + "
                 "'), R² ' + format(datum.r_squared, '.2f')",
            order="datum.leave == 'none' ? 0 : 1",
        ).mark_text(align="left", baseline="middle", fontSize=12).encode(
            x=alt.value(0), y=alt.Y("order:O", axis=None, title=None),
            text="line:N",
            # text needs 4.5:1: the highlight's darker text shade (the line itself is 3.9:1)
            color=alt.condition("datum.leave == 'none'", alt.value(charts.TEXT),
                                alt.value(charts.HIGHLIGHT_TEXT)),
        ).properties(width=460, height=36)
        label = "(outcome == 'gva_per_hour' ? 'GVA per hour worked' : 'median weekly pay')"
        scatter = alt.layer(all_line, loo_line, dots, labels).properties(width=460, height=320)
        return alt.vconcat(fit_text, scatter).add_params(*self._params()).properties(
            datasets={"points": [], "lines": [], "fits": []},  # rows go into the built spec
            title=alt.Title(
                alt.expr("'Skills and ' + " + label + " + ' across the 12 ITL1 regions, ' + year"),
                subtitle="Dashed: line through all 12. Solid orange: without the left-out region. "
                         "Sources: ONS APS (level 3+, NVQ), ONS productivity (June 2023), ASHE.",
                anchor="start"),
            description=(
                "Scatter plot of the 12 UK nations and regions: share of people aged 16-64 "
                "qualified to level 3 or above against GVA per hour worked or median weekly "
                "pay, with a least-squares line through all 12 and, when a region is left out, "
                "a second line through the other 11. London sits far to the top right and "
                "carries much of the slope. Use 'Show numbers as a table' to read the values."),
        )

    # -- reacting to controls ------------------------------------------------------------------
    def _on_change(self, change) -> None:
        if change["owner"] is self.outcome:
            years = self._years[self.outcome.value]
            with quietly(self.year, self._on_change):
                self.year.min, self.year.max = int(years[0]), int(years[-1])
                self.year.value = min(max(int(self.year.value), int(years[0])), int(years[-1]))
        self._refresh()

    # -- what the chart shows, in Python ------------------------------------------------------
    def shown(self) -> pd.DataFrame:
        """The 12 points now on the chart, with the all-regions fit's residual and Cook's D."""
        rows = self.points[(self.points["year"] == self.year.value)
                           & (self.points["outcome"] == self.outcome.value)]
        out = rows[["code", "name", "x", "y", "fitted", "residual", "cooks"]].copy()
        out["in_fit"] = out["code"] != self.leave_out.value
        return out.sort_values("x", ascending=False, kind="mergesort").reset_index(drop=True)

    def summary(self) -> dict:
        """The all-regions fit and (if a region is left out) the refit, as plain numbers."""
        key = (self.outcome.value, int(self.year.value))
        full = self._fit_lookup.loc[(*key, NONE)]
        out = {"slope": float(full["slope"]), "ci_low": float(full["ci_low"]),
               "ci_high": float(full["ci_high"]), "r_squared": float(full["r_squared"]), "n": 12}
        if self.leave_out.value != NONE:
            part = self._fit_lookup.loc[(*key, self.leave_out.value)]
            out.update({"left_out": self.leave_out.value,
                        "slope_without": float(part["slope"]),
                        "ci_low_without": float(part["ci_low"]),
                        "ci_high_without": float(part["ci_high"]),
                        "r_squared_without": float(part["r_squared"]),
                        "slope_change": float(part["change"]),
                        "cooks_distance": float(part["cooks"])})
        return out

    def _update_text(self) -> None:
        s = self.summary()
        unit = OUTCOMES[self.outcome.value][1]
        text = (f"<p>All 12 regions, {self.year.value}: each extra percentage point of people "
                f"qualified to level 3+ goes with <b>{s['slope']:,.2f}</b> more {unit} (95% "
                f"interval {s['ci_low']:,.2f} to {s['ci_high']:,.2f}; R² {s['r_squared']:.2f}).")
        if "left_out" in s:
            name = self.points.loc[self.points["code"] == s["left_out"], "name"].iloc[0]
            text += (f" Without {html.escape(str(name))}: <b>{s['slope_without']:,.2f}</b> "
                     f"({s['ci_low_without']:,.2f} to {s['ci_high_without']:,.2f}; R² "
                     f"{s['r_squared_without']:.2f}), a change of {s['slope_change']:+,.2f}. "
                     f"Its Cook's distance is {s['cooks_distance']:.2f} (above 4/12 = 0.33 is "
                     "influential).")
        self.text.value = text + " Regions, not people: this is no causal estimate.</p>"
        if self.show_table.value:
            body = "".join(
                f"<tr><td>{html.escape(str(r.name))}</td><td>{r.code}</td><td>{r.x:.1f}</td>"
                f"<td>{r.y:,.1f}</td><td>{r.residual:+,.2f}</td><td>{r.cooks:.2f}</td>"
                f"<td>{'yes' if r.in_fit else 'no'}</td></tr>"
                for r in self.shown().itertuples()
            )
            self.numbers.value = (
                f"<table><caption>{html.escape(OUTCOMES[self.outcome.value][0])} and level 3+ "
                f"share, {self.year.value}</caption><thead><tr><th scope='col'>Region</th>"
                "<th scope='col'>ITL code</th><th scope='col'>% level 3+</th>"
                "<th scope='col'>Outcome</th><th scope='col'>Residual (all 12)</th>"
                "<th scope='col'>Cook's distance</th><th scope='col'>In the refit</th></tr>"
                f"</thead><tbody>{body}</tbody></table>"
            )
