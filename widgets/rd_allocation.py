"""RDAllocationExplorer: raise public R&D outside the Greater South East and see what changes.

Public-funded R&D by ITL1 region in the financial year 2021-22 (ONS, June 2024) is the baseline.
Two scenarios raise spending outside the Greater South East (London, the South East and the East
of England) by a chosen percentage:

* **growth** - the others keep theirs and the UK total rises (how the 2022 levelling-up mission
  was framed: at least +40% outside the Greater South East);
* **reallocation** - the total is kept, so the Greater South East pays for the rise.

Every scenario (0 to 100% in steps of 5, both kinds: 42 scenarios x 12 regions = 504 rows) is
computed once by :func:`course.measures.grow`, :func:`course.measures.reallocate`,
:func:`course.measures.share_of_total` and :func:`course.measures.per_head`; the chart is built
once and the controls only change its Vega-Lite params. The chart is validated with its two
named datasets empty and the rows go into the built spec (see :mod:`widgets._base`).

Per head uses the mid-2021 population (ONS regional accounts, 2023 edition), which falls inside
the financial year April 2021 to March 2022 but comes from a different release: a stated mismatch.
"""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as ipw
import pandas as pd

from course import data as course_data
from course import measures
from course.charts import PALETTE
from widgets._base import ChartWidget

__all__ = ["RDAllocationExplorer", "GREATER_SOUTH_EAST", "SCENARIOS", "VIEWS"]

GREATER_SOUTH_EAST = ("TLH", "TLI", "TLJ")
SCENARIOS = {"growth": "Growth (total rises)", "reallocation": "Reallocation (total kept)"}
VIEWS = {"share": ("Share of UK public R&D (%)", "% of the UK total", ".1f"),
         "per_head": ("£ per head", "£ per resident (mid-2021 population)", ",.0f")}
RATES = tuple(range(0, 105, 5))
_DATASETS = ("regions", "totals")  # named datasets: the rows and the summary of each scenario


def prepare(rd: pd.DataFrame, population: pd.DataFrame, year: int = 2022):
    """Scenario rows (one per scenario, rate and region) and a summary per scenario and rate."""
    rows = rd[(rd["measure"] == "public_funded_rd") & (rd["year"] == year)
              & (rd["itl_level"] == "ITL1")].set_index("itl_code")
    base = rows["rd_expenditure"].astype(float)
    names = rows["region"]
    pop = population[(population["year"] == 2021) & (population["itl_level"] == "ITL1")] \
        .set_index("itl_code")["population"].reindex(base.index)
    outside = [c for c in base.index if c not in GREATER_SOUTH_EAST]
    group = pd.Series(["Greater South East" if c in GREATER_SOUTH_EAST else "Rest of UK"
                       for c in base.index], index=base.index)
    base_share = measures.share_of_total(base) * 100
    base_head = measures.per_head(base, pop)
    frames, summary = [], []
    for scenario in SCENARIOS:
        for rate in RATES:
            if scenario == "growth":
                new = measures.grow(base, outside, percent=rate)
            else:
                new = measures.reallocate(base, outside, percent=rate)
            share = measures.share_of_total(new) * 100
            head = measures.per_head(new, pop)
            frames.append(pd.DataFrame({
                "scenario": scenario, "rate": rate, "code": base.index, "name": names.to_numpy(),
                "group": group.to_numpy(), "baseline_gbp_m": base.to_numpy(),
                "gbp_m": new.to_numpy(), "baseline_share": base_share.to_numpy(),
                "share": share.to_numpy(), "baseline_per_head": base_head.to_numpy(),
                "per_head": head.to_numpy()}))
            sums = new.groupby(group).sum()
            pops = pop.groupby(group).sum()
            heads = measures.per_head(sums, pops)
            summary.append({
                "scenario": scenario, "rate": rate, "total_gbp_m": float(new.sum()),
                "gse_share": 100 * measures.group_share(new, list(GREATER_SOUTH_EAST)),
                "gse_per_head": float(heads["Greater South East"]),
                "rest_per_head": float(heads["Rest of UK"]),
                "per_head_ratio": float(heads["Greater South East"] / heads["Rest of UK"]),
            })
    return pd.concat(frames, ignore_index=True), pd.DataFrame(summary)


class RDAllocationExplorer(ChartWidget):
    """Move public R&D towards regions outside the Greater South East.

    Parameters
    ----------
    scenario : {"growth", "reallocation"}
    rate : int
        Rise in public R&D outside the Greater South East, in % (0 to 100, steps of 5).
    view : {"share", "per_head"}

    Examples
    --------
    >>> w = RDAllocationExplorer(rate=40)          # doctest: +SKIP
    >>> w.scenario.value = "reallocation"; w.summary()  # doctest: +SKIP
    """

    def __init__(self, scenario: str = "growth", rate: int = 40, view: str = "share", *,
                 rd: pd.DataFrame | None = None, population: pd.DataFrame | None = None) -> None:
        rd = course_data.load("rd_expenditure") if rd is None else rd
        population = course_data.load("population") if population is None else population
        self.rows, self.table = prepare(rd, population)
        self._lookup = self.table.set_index(["scenario", "rate"])
        self._check("scenario", scenario, list(SCENARIOS), arg="scenario")
        self._check("rate", rate, list(RATES), arg="rate",
                    fix="The rate is in per cent (40 for +40%, as measures.grow(..., percent=40)), "
                        "in steps of 5 from 0 to 100.")
        self._check("view", view, list(VIEWS), arg="view")
        self.scenario = ipw.ToggleButtons(options=[(v, k) for k, v in SCENARIOS.items()],
                                          value=scenario, description="Scenario")
        self.rate = ipw.IntSlider(value=int(rate), min=0, max=100, step=5,
                                  description="Rise outside GSE (%)",
                                  style={"description_width": "initial"})
        self.view = ipw.Dropdown(options=[(v[0], k) for k, v in VIEWS.items()], value=view,
                                 description="Show")
        self._table_view()
        self.text = ipw.HTML()
        self._build_chart(self._chart(), datasets=dict(zip(_DATASETS, (self.rows, self.table),
                                                           strict=True)))
        self._update_text()
        for control in (self.scenario, self.rate, self.view):
            control.observe(self._refresh, names="value")
        super().__init__([self.scenario, ipw.HBox([self.rate, self.view]), self.chart,
                                self.show_table, self.text, self.numbers])

    def _param_values(self) -> dict:
        return {"scenario": self.scenario.value, "rate": int(self.rate.value),
                "view": self.view.value}

    def _chart(self) -> alt.VConcatChart:
        base = alt.Chart(alt.Data(name=_DATASETS[0])).transform_filter(
            "datum.scenario == scenario && datum.rate == rate"
        ).transform_calculate(value="datum[view]", before="datum['baseline_' + view]")
        order = list(self.shown()["name"])  # largest baseline first, the same in every scenario
        y = alt.Y("name:N", sort=order,
                  title=None, axis=alt.Axis(labelLimit=200))
        colour = alt.Color("group:N", title=None, legend=alt.Legend(orient="bottom"),
                           scale=alt.Scale(domain=["Greater South East", "Rest of UK"],
                                           range=[PALETTE[1], PALETTE[0]]))
        bars = base.mark_bar().encode(
            x=alt.X("value:Q", title=None), y=y, color=colour,
            tooltip=[alt.Tooltip("name:N", title="Region"),
                     alt.Tooltip("before:Q", format=",.1f", title="Baseline (FYE 2022)"),
                     alt.Tooltip("value:Q", format=",.1f", title="Scenario"),
                     alt.Tooltip("gbp_m:Q", format=",.0f", title="£ million")])
        ticks = base.mark_tick(color="#222222", thickness=2, size=14).encode(
            x="before:Q", y=y)
        values = base.mark_text(align="left", dx=4, fontSize=10).encode(
            x="value:Q", y=y, text=alt.Text("value:Q", format=",.1f"))
        bar_chart = alt.layer(bars, ticks, values).properties(
            width=380, height=alt.Step(18),
            title=alt.Title(alt.expr(
                "(view == 'share' ? 'Share of UK public R&D (%)' : 'Public R&D, £ per head') + "
                "', ' + (scenario == 'growth' ? 'growth' : 'reallocation') + ' scenario, +' + "
                "rate + '% outside the Greater South East'"), anchor="start",
                subtitle="Bars: scenario. Black ticks: FYE 2022 baseline."))
        lines = alt.Chart(alt.Data(name=_DATASETS[1])).transform_filter(
            "datum.scenario == scenario && datum.rate == rate"
        ).transform_fold(["l1", "l2", "l3"], as_=["k", "_"]).transform_calculate(
            line="datum.k == 'l1' ? 'Greater South East share: ' + format(datum.gse_share, '.1f') "
                 "+ '% (51.0% in FYE 2022)' : datum.k == 'l2' ? 'UK total: £' + "
                 "format(datum.total_gbp_m, ',.0f') + ' million (13,447 summed in FYE 2022)' : "
                 "'£ per head: GSE ' + format(datum.gse_per_head, ',.0f') + ', rest ' + "
                 "format(datum.rest_per_head, ',.0f') + ' (ratio ' + "
                 "format(datum.per_head_ratio, '.2f') + ')'"
        ).mark_text(align="left", fontSize=12, color="#222222").encode(
            x=alt.value(0), y=alt.Y("k:N", axis=None, title=None), text="line:N"
        ).properties(width=380, height=54)
        return alt.vconcat(lines, bar_chart).add_params(*self._params()).properties(
            datasets={name: [] for name in _DATASETS},  # the rows go into the built spec
            title=alt.Title(
                "What if public R&D grew outside the Greater South East?",
                subtitle="Public-funded R&D by ITL1 region, financial year 2021-22 (ONS, June "
                         "2024). Per head: mid-2021 population (a different release).",
                anchor="start"),
            description=(
                "Bar chart of the 12 UK nations and regions' public-funded R&D, as a share of the "
                "UK total or in pounds per head, under a scenario that raises spending outside "
                "London, the South East and the East of England by a chosen percentage, either "
                "as growth (total rises) or as reallocation (total kept). Black ticks show the "
                "2021-22 baseline, when about 51% was in the Greater South East. Use 'Show "
                "numbers as a table' to read the values."),
        )

    def shown(self) -> pd.DataFrame:
        """The 12 regions in the current scenario: £ million, share (%) and £ per head."""
        rows = self.rows[(self.rows["scenario"] == self.scenario.value)
                         & (self.rows["rate"] == int(self.rate.value))]
        cols = ["code", "name", "group", "baseline_gbp_m", "gbp_m", "baseline_share", "share",
                "baseline_per_head", "per_head"]
        return rows[cols].sort_values("baseline_gbp_m", ascending=False).reset_index(drop=True)

    def summary(self) -> dict:
        """Totals for the current scenario: UK total, the GSE's share, per-head levels."""
        row = self._lookup.loc[(self.scenario.value, int(self.rate.value))]
        return {k: float(v) for k, v in row.items()}

    def _update_text(self) -> None:
        s = self.summary()
        base = self._lookup.loc[("growth", 0)]
        kind = ("The UK total rises" if self.scenario.value == "growth"
                else "The UK total is unchanged; the Greater South East pays")
        self.text.value = (
            f"<p>{kind}: £{s['total_gbp_m']:,.0f} million (baseline £{base['total_gbp_m']:,.0f}"
            f" million). The Greater South East's share moves from {base['gse_share']:.1f}% to "
            f"<b>{s['gse_share']:.1f}%</b>; public R&D per head is £{s['gse_per_head']:,.0f} "
            f"there and £{s['rest_per_head']:,.0f} in the rest of the UK (ratio "
            f"{s['per_head_ratio']:.2f}, baseline {base['per_head_ratio']:.2f}). A scenario, not "
            "a forecast: it assumes the money could be spent well where it goes.</p>")
        if self.show_table.value:
            body = "".join(
                f"<tr><td>{html.escape(str(r.name))}</td><td>{r.code}</td>"
                f"<td>{r.baseline_gbp_m:,.0f}</td><td>{r.gbp_m:,.0f}</td><td>{r.share:.1f}</td>"
                f"<td>{r.per_head:,.0f}</td></tr>" for r in self.shown().itertuples())
            self.numbers.value = (
                f"<table><caption>Public R&amp;D, {html.escape(SCENARIOS[self.scenario.value])}, "
                f"+{self.rate.value}% outside the Greater South East</caption><thead><tr>"
                "<th scope='col'>Region</th><th scope='col'>ITL code</th>"
                "<th scope='col'>Baseline £m</th><th scope='col'>Scenario £m</th>"
                "<th scope='col'>Share %</th><th scope='col'>£ per head</th></tr></thead>"
                f"<tbody>{body}</tbody></table>")
