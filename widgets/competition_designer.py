"""CompetitionDesigner: design a multi-stage competition and see who wins (a simulation).

The controls set the scoring weights (need, capacity, potential), the stage sizes (finalists,
awards), an optional capacity-building grant for round 1's non-winning finalists, and the
invented parameters of the simulation (how closely capacity follows productivity, scoring noise,
the seed). Every change reruns :func:`course.measures.simulate_competition` on applicant places
drawn from real ITL3 data, and shows:

* the share of applicants, finalists and winners that are below-median places, in round 1, in
  round 2 with the grant, and in round 2 with the grant's effect set to 0 (the baseline);
* the GVA per hour of each scenario's winners.

The chart is built once as an ``alt.JupyterChart``. Its data are a small fixed skeleton (9 rows
and 3 x 50 rows, put into the built spec: see :mod:`widgets._base`); the simulated numbers reach
it as two Vega-Lite params (lists of at most 150 numbers), so a control change costs a few
milliseconds of Python and no new spec.
"""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as ipw
import numpy as np
import pandas as pd

from course import charts, measures
from course import data as course_data
from course.charts import HIGHLIGHT, PALETTE
from widgets._base import ChartWidget

__all__ = ["CompetitionDesigner", "SCENARIOS", "STAGES", "MAX_WINNERS"]

SCENARIOS = ("round 1", "round 2", "round 2, no effect")
SCENARIO_LABELS = {
    "round 1": "Round 1",
    "round 2": "Round 2, with grants",
    "round 2, no effect": "Round 2, grant effect = 0 (baseline)",
}
STAGES = ("applicants", "finalists", "winners")
MAX_WINNERS = 50
_COLOURS = [PALETTE[0], HIGHLIGHT, "#8C8C8C"]


def _skeleton() -> dict[str, list[dict]]:
    """The chart's fixed rows: one per scenario and stage (``funnel``), one per scenario and
    possible award (``strip``); the params ``share`` and ``wins`` hold their numbers."""
    return {
        "funnel": [{"i": i * 3 + j, "scenario": SCENARIO_LABELS[s], "order": i, "stage": st,
                    "stage_order": j}
                   for i, s in enumerate(SCENARIOS) for j, st in enumerate(STAGES)],
        "strip": [{"i": i * MAX_WINNERS + k, "scenario": SCENARIO_LABELS[s], "order": i}
                  for i, s in enumerate(SCENARIOS) for k in range(MAX_WINNERS)],
    }


def _control_group(title: str, controls: list[ipw.Widget]) -> ipw.VBox:
    """A titled column of controls at least 420 px wide, each control as wide as the column."""
    for control in controls:
        control.layout.width = "auto"
    return ipw.VBox([ipw.HTML(f"<b>{html.escape(title)}</b>"), *controls],
                    layout=ipw.Layout(flex="1 1 420px", min_width="420px", max_width="560px",
                                      margin="0 12px 0 0"))


class CompetitionDesigner(ChartWidget):
    """A simulated two-round competition among applicant places drawn from ITL3 data.

    Parameters
    ----------
    weights : dict
        Starting scoring weights for ``"need"``, ``"capacity"``, ``"potential"``.
    finalists, winners : int
        Stage sizes: how many reach the final, how many are awarded.
    grant_effect : float
        Invented: how much a finalist grant raises capacity in round 2 (standard deviations).
    capacity_link : float
        Invented: the correlation between capacity and productivity.
    noise : float
        Invented: the standard deviation of the random part of each stage's score.
    seed : int
        Seed for the applicant draw and the scoring noise.
    applicants : int
        Number of applicants (drawn with replacement from the 179 ITL3 areas).

    Examples
    --------
    >>> d = CompetitionDesigner(weights={"need": 1.0})   # doctest: +SKIP
    >>> d.w_capacity.value = 0.8; d.shown()              # doctest: +SKIP
    """

    def __init__(self, weights: dict | None = None, finalists: int = 30, winners: int = 10,
                 grant_effect: float = 0.5, capacity_link: float = 0.5, noise: float = 0.5,
                 seed: int = 2024, applicants: int = 200, *, gva: pd.DataFrame | None = None,
                 year: int = 2019) -> None:
        weights = {"need": 0.4, "capacity": 0.4, "potential": 0.2} if weights is None else weights
        gva = course_data.load("gva_per_hour", level="ITL3") if gva is None else gva
        self.places = measures.itl3_places(gva, year=year)
        self.year = year
        self.median = float(np.median(self.places["gva_per_hour"]))
        self.n_applicants = int(applicants)
        # Validate the starting values through the measures (friendly errors).
        measures.simulate_competition(
            measures.applicant_pool(self.places, self.n_applicants, capacity_link=capacity_link,
                                    seed=seed),
            weights, (finalists, winners), grant_effect=grant_effect, noise=noise, seed=seed)

        slider = {"min": 0.0, "max": 1.0, "step": 0.05, "continuous_update": False,
                  "style": {"description_width": "initial"}, "readout_format": ".2f"}
        self.w_need = ipw.FloatSlider(value=float(weights.get("need", 0.0)),
                                      description="Weight: need", **slider)
        self.w_capacity = ipw.FloatSlider(value=float(weights.get("capacity", 0.0)),
                                          description="Weight: capacity", **slider)
        self.w_potential = ipw.FloatSlider(value=float(weights.get("potential", 0.0)),
                                           description="Weight: potential", **slider)
        self.finalists = ipw.IntSlider(value=int(finalists), min=2, max=100, step=1,
                                       description="Finalists", continuous_update=False)
        self.winners = ipw.IntSlider(value=int(winners), min=1, max=MAX_WINNERS, step=1,
                                     description="Awards", continuous_update=False)
        self.grant_effect = ipw.FloatSlider(
            value=float(grant_effect), min=0.0, max=2.0, step=0.1, continuous_update=False,
            description="Grant effect (invented, sd)", style={"description_width": "initial"})
        self.capacity_link = ipw.FloatSlider(
            value=float(capacity_link), min=0.0, max=1.0, step=0.1, continuous_update=False,
            description="Capacity ~ productivity (invented)",
            style={"description_width": "initial"})
        self.noise = ipw.FloatSlider(
            value=float(noise), min=0.0, max=2.0, step=0.1, continuous_update=False,
            description="Scoring noise (invented)", style={"description_width": "initial"})
        self.seed = ipw.BoundedIntText(value=int(seed), min=0, max=10**9, description="Seed")
        self._table_view()
        self.message = ipw.HTML()
        self.label = ipw.HTML(
            f"<p><strong>{html.escape(measures.competition.SIMULATION_LABEL)}</strong> "
            f"Places: the 179 ITL3 areas, GVA per hour {year} (ONS, June 2023 edition); "
            f"'below median' = below the ITL3 median of £{self.median:.2f}.</p>"
        )
        self.summary_html = ipw.HTML()

        self._busy = False
        self._pool_key: tuple | None = None
        self._pool: pd.DataFrame | None = None
        self.result = self._simulate()
        self._build_chart(self._chart(), datasets=_skeleton())
        self._update_text()

        for control in (self.w_need, self.w_capacity, self.w_potential, self.finalists,
                        self.winners, self.grant_effect, self.capacity_link, self.noise,
                        self.seed):
            control.observe(self._on_change, names="value")

        groups = [("Scoring weights", [self.w_need, self.w_capacity, self.w_potential]),
                  ("Stages and grants", [self.finalists, self.winners, self.grant_effect]),
                  ("Invented parameters", [self.capacity_link, self.noise, self.seed])]
        super().__init__([
            self.label,
            # Side by side while each group has room for its labels and a slider track a mouse
            # can aim at; the groups that do not fit go to the next line.
            ipw.HBox([_control_group(title, controls) for title, controls in groups],
                     layout=ipw.Layout(flex_flow="row wrap")),
            self.message, self.chart, self.summary_html, self.show_table, self.numbers,
        ])

    # -- the simulation (all computing is in course.measures) ---------------------------------
    def weights(self) -> dict[str, float]:
        return {"need": float(self.w_need.value), "capacity": float(self.w_capacity.value),
                "potential": float(self.w_potential.value)}

    def _simulate(self) -> measures.CompetitionResult:
        key = (float(self.capacity_link.value), int(self.seed.value))
        if key != self._pool_key:
            self._pool = measures.applicant_pool(self.places, self.n_applicants,
                                                 capacity_link=key[0], seed=key[1])
            self._pool_key = key
        return measures.simulate_competition(
            self._pool, self.weights(), (int(self.finalists.value), int(self.winners.value)),
            grant_effect=float(self.grant_effect.value), noise=float(self.noise.value),
            seed=int(self.seed.value))

    # -- the chart, built once ------------------------------------------------------------------
    def _chart(self) -> alt.VConcatChart:
        funnel, strip = alt.Data(name="funnel"), alt.Data(name="strip")
        colour = alt.Color("scenario:N", title=None,
                           sort=[SCENARIO_LABELS[s] for s in SCENARIOS],
                           scale=alt.Scale(domain=[SCENARIO_LABELS[s] for s in SCENARIOS],
                                           range=_COLOURS),
                           legend=alt.Legend(orient="bottom", direction="vertical"))
        bars = alt.Chart(funnel).transform_calculate(value="share[datum.i]").mark_bar().encode(
            x=alt.X("stage:N", sort=list(STAGES), title="Stage of the competition",
                    axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("scenario:N", sort=[SCENARIO_LABELS[s] for s in SCENARIOS]),
            y=alt.Y("value:Q", title="Share below the ITL3 median",
                    scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format=".0%")),
            color=colour,
            tooltip=[alt.Tooltip("scenario:N"), alt.Tooltip("stage:N"),
                     alt.Tooltip("value:Q", format=".0%", title="below median")],
        )
        labels = alt.Chart(funnel).transform_calculate(value="share[datum.i]").mark_text(
            dy=-6, fontSize=10).encode(
            x=alt.X("stage:N", sort=list(STAGES)),
            xOffset=alt.XOffset("scenario:N", sort=[SCENARIO_LABELS[s] for s in SCENARIOS]),
            y="value:Q", text=alt.Text("value:Q", format=".0%"),
        )
        half = alt.Chart(pd.DataFrame({"y": [0.5]})).mark_rule(
            color=charts.TEXT, strokeDash=[4, 3]).encode(y="y:Q")
        funnel_chart = alt.layer(bars, labels, half).properties(
            width=420, height=240,
            title=alt.Title(alt.expr(
                "'Round 1 gives ' + format(share[2], '.0%') + ' of awards to below-median "
                "places; round 2 ' + format(share[5], '.0%') + ' (baseline ' + "
                "format(share[8], '.0%') + ')'"), anchor="start"),
        )
        dots = alt.Chart(strip).transform_calculate(value="wins[datum.i]").transform_filter(
            "isValid(datum.value)").mark_tick(thickness=2, size=18).encode(
            x=alt.X("value:Q", title="Winner's GVA per hour, £ (" + str(self.year) + ")",
                    scale=alt.Scale(zero=False)),
            y=alt.Y("scenario:N", title=None, sort=[SCENARIO_LABELS[s] for s in SCENARIOS],
                    axis=alt.Axis(labelLimit=260)),
            color=alt.Color("scenario:N", legend=None,
                            scale=alt.Scale(domain=[SCENARIO_LABELS[s] for s in SCENARIOS],
                                            range=_COLOURS)),
            tooltip=[alt.Tooltip("scenario:N"), alt.Tooltip("value:Q", format=".1f",
                                                             title="GVA per hour (£)")],
        )
        median = alt.Chart(pd.DataFrame({"m": [self.median]})).mark_rule(
            color=charts.TEXT, strokeDash=[4, 3]).encode(x="m:Q")
        median_text = alt.Chart(pd.DataFrame({"m": [self.median], "t": ["ITL3 median"]})) \
            .mark_text(align="left", dx=3, dy=-4, fontSize=10, baseline="bottom").encode(
            x="m:Q", text="t:N", y=alt.value(0))
        strip_chart = alt.layer(dots, median, median_text).properties(
            width=420, height=120,
            title=alt.Title("Who wins: each award is a tick at the winner's GVA per hour",
                            anchor="start"),
        )
        caption_chart = alt.Chart(pd.DataFrame({"x": [0]})).mark_text(
            align="left", baseline="top", fontSize=11, color="#444444",
            text=alt.ExprRef("caption")).encode(x=alt.value(0), y=alt.value(0)).properties(
            width=420, height=14, view=alt.ViewConfig(stroke=None))
        return alt.vconcat(funnel_chart, strip_chart, caption_chart).add_params(*self._params()) \
            .resolve_scale(color="independent").properties(
            datasets={name: [] for name in _skeleton()},  # rows go into the built spec
            title=alt.Title("A SIMULATED competition among places drawn from ITL3 data",
                            subtitle="Need and potential are data; capacity, noise and the grant "
                                     "effect are invented parameters.", anchor="start"),
            description=(
                "Two charts of a simulated two-round competition. Bars show the share of "
                "applicants, finalists and winners that are places below the median ITL3 GVA "
                "per hour, for round 1, round 2 with capacity grants for round 1's non-winning "
                "finalists, and round 2 with the grant effect set to 0. Ticks show each "
                "winner's GVA per hour against the ITL3 median. Use 'Show numbers as a table' "
                "to read the values."
            ),
        )

    # -- reacting to the controls ---------------------------------------------------------------
    def _param_values(self) -> dict:
        share, wins, caption = self._values()
        return {"share": share, "wins": wins, "caption": caption}

    def _values(self) -> tuple[list, list, str]:
        s = self.result.summary
        share = [None if pd.isna(v) else round(float(v), 6) for v in
                 s.loc[list(SCENARIOS), [f"{st}_below_median" for st in STAGES]].to_numpy().ravel()]
        a = self.result.applicants
        wins: list = [None] * (3 * MAX_WINNERS)
        for i, column in enumerate(("r1_winner", "r2_winner", "r2_winner_baseline")):
            values = a.loc[a[column], "gva_per_hour"].to_numpy()[:MAX_WINNERS]
            wins[i * MAX_WINNERS:i * MAX_WINNERS + len(values)] = [float(v) for v in values]
        w = self.weights()
        caption = (f"Weights: need {w['need']:.2f}, capacity {w['capacity']:.2f}, potential "
                   f"{w['potential']:.2f}; {self.n_applicants} applicants -> "
                   f"{self.finalists.value} finalists -> {self.winners.value} awards; grant "
                   f"effect {self.grant_effect.value:.1f} sd (invented); seed {self.seed.value}")
        return share, wins, caption

    def _on_change(self, change) -> None:
        if self._busy:
            return
        notes = ""
        if self.winners.value >= self.finalists.value:
            self._busy = True
            try:
                self.winners.value = self.finalists.value - 1
            finally:
                self._busy = False
            notes = ("<p role='alert'>There must be fewer awards than finalists: the number of "
                     f"awards was lowered to {self.winners.value}.</p>")
        if sum(self.weights().values()) == 0:
            self.message.value = ("<p role='alert'>All three weights are 0, so nothing is "
                                  "scored: give at least one a positive weight.</p>")
            return
        self.message.value = notes
        self.result = self._simulate()
        self._refresh()

    # -- what the chart shows, in Python --------------------------------------------------------
    def shown(self) -> pd.DataFrame:
        """Share of applicants, finalists and winners below the ITL3 median, per scenario."""
        s = self.result.summary.loc[list(SCENARIOS), [f"{st}_below_median" for st in STAGES]]
        s.columns = list(STAGES)
        return s

    def winners_table(self) -> pd.DataFrame:
        """Who wins in each scenario: area, ITL code, GVA per hour, below median, grant."""
        a = self.result.applicants
        frames = []
        for s, column in zip(SCENARIOS, ("r1_winner", "r2_winner", "r2_winner_baseline"),
                             strict=True):
            rows = a.loc[a[column], ["region", "itl_code", "gva_per_hour", "below_median",
                                     "grant"]].copy()
            rows.insert(0, "scenario", s)
            frames.append(rows)
        return pd.concat(frames, ignore_index=True)

    def _update_text(self) -> None:
        s = self.result.summary
        r1, r2, r0 = (s.loc[k] for k in SCENARIOS)
        self.summary_html.value = (
            f"<p>Round 1: <b>{r1['winners_below_median']:.0%}</b> of {int(r1['winners'])} "
            f"awards go to below-median places. Round 2 (the {int(r2['applicants'])} "
            f"non-winners bid again): <b>{r2['winners_below_median']:.0%}</b> with grants, "
            f"<b>{r0['winners_below_median']:.0%}</b> with the grant effect set to 0. Round 1's "
            f"non-winning finalists win {int(r2['winners_from_round1_finalists'])} round-2 "
            f"awards with grants and {int(r0['winners_from_round1_finalists'])} without.</p>"
        )
        if not self.show_table.value:
            return
        shown = self.shown()
        head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in shown.columns)
        body = "".join(
            f"<tr><th scope='row' style='text-align:left'>{html.escape(SCENARIO_LABELS[k])}</th>"
            + "".join(f"<td>{v:.0%}</td>" for v in row) + "</tr>"
            for k, row in zip(shown.index, shown.to_numpy(), strict=True)
        )
        table = self.winners_table()
        rows = "".join(
            f"<tr><td>{html.escape(SCENARIO_LABELS[sc])}</td><td>{html.escape(str(r))}</td>"
            f"<td>{c}</td><td>{g:.1f}</td><td>{'yes' if b else 'no'}</td>"
            f"<td>{'yes' if gr else 'no'}</td></tr>"
            for sc, r, c, g, b, gr in table[["scenario", "region", "itl_code", "gva_per_hour",
                                             "below_median", "grant"]].itertuples(index=False)
        )
        self.numbers.value = (
            "<table><caption>Share below the ITL3 median at each stage (simulation)</caption>"
            f"<thead><tr><th scope='col'>Scenario</th>{head}</tr></thead><tbody>{body}</tbody>"
            "</table><table><caption>Winners (simulation)</caption><thead><tr>"
            "<th scope='col'>Scenario</th><th scope='col'>Area</th><th scope='col'>ITL code</th>"
            "<th scope='col'>GVA per hour (£)</th><th scope='col'>Below median</th>"
            f"<th scope='col'>Had a finalist grant</th></tr></thead><tbody>{rows}</tbody></table>"
        )
