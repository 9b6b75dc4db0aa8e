"""PolicyTimeline: UK regional policy churn beside the persistence of the productivity ranking.

Three linked views, built once as an ``alt.JupyterChart`` and driven by Vega-Lite params:

* a timeline of institutions, funds, strategies and events (filter by kind, choose a span of
  years; bars run from start to end, to the as-of year for bodies still running, and a dot marks
  rows whose end is unknown);
* how many bodies and funds were running at once in each year, for the kinds chosen;
* a bump chart of the regions' productivity ranks (GVA per hour worked) at ITL1 or ITL2.

Everything is computed by :mod:`course.measures` when the widget is built (lifespans, overlap,
ranks); a control change only sets params and refreshes a short summary, which
:func:`course.measures.rank_persistence` computes for the chosen years. The chart is validated
with its three named datasets empty and the rows go into the built spec (see
:mod:`widgets._base`).
"""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as ipw
import pandas as pd

from course import charts, measures
from course import data as course_data
from course.charts import HIGHLIGHT, MUTED, PALETTE
from widgets._base import ChartWidget, nearest_area, new_areas

__all__ = ["PolicyTimeline", "KINDS", "AS_OF"]

#: The broad kinds of the timeline, in legend order (see course.measures.POLICY_KINDS).
KINDS = ("institution", "fund or programme", "strategy or paper", "legislation",
         "decision or event")
#: Kinds that *run* (have a lifespan) and so count towards the overlap chart.
RUNNING_KINDS = ("institution", "fund or programme")
#: The year the timeline describes (it was compiled in 2025).
AS_OF = 2025
LEVELS = ("ITL1", "ITL2")
_ITEMS = ["label", "kind", "status", "start", "end_drawn", "lifespan", "censored", "measured",
          "order"]  # the timeline columns the chart uses


def _short(name: str, limit: int = 58) -> str:
    name = " ".join(str(name).split())
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def prepare_timeline(timeline: pd.DataFrame, as_of: int = AS_OF) -> pd.DataFrame:
    """One row per timeline event with its broad kind, drawn span and lifespan (via measures)."""
    out = timeline[["year", "name", "type", "ended_year", "status"]].copy()
    out["kind"] = measures.policy_kind(out["type"]).to_numpy()
    spans = measures.lifespans(out["year"], out["ended_year"], out["status"], as_of=as_of)
    out["years"] = spans["years"].reindex(out.index)
    out["censored"] = spans["censored"].reindex(out.index).fillna(False).astype(bool)
    out["measured"] = out.index.isin(spans.index)
    out["end_drawn"] = spans["end"].reindex(out.index).fillna(out["year"]).astype("int64")
    out["start"] = out["year"].astype("int64")
    out["label"] = [f"{y} · {_short(n)}" for y, n in zip(out["year"], out["name"], strict=True)]
    out["order"] = range(len(out))
    out["lifespan"] = [
        "end not sourced" if not m else (f"at least {y:.0f} years (still running)" if c
                                         else f"{y:.0f} years")
        for m, y, c in zip(out["measured"], out["years"], out["censored"], strict=True)
    ]
    return out.drop(columns=["year", "ended_year"])


def prepare_overlap(items: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """How many bodies and funds of each running kind were active in each year (measures.concurrent).

    Only rows with a measured span count: ended with an end year, or ongoing (running to the
    as-of year). Unknowns and ended rows without an end year are left out.
    """
    frames = []
    for kind in RUNNING_KINDS:
        rows = items[(items["kind"] == kind) & items["measured"]]
        end = rows["end_drawn"].where(~rows["censored"])  # NaN = still running
        counts = measures.concurrent(rows["start"], end, years=range(first, last + 1))
        frames.append(pd.DataFrame({"year": counts.index, "kind": kind,
                                    "running": counts.to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def prepare_ranks(gva: pd.DataFrame) -> pd.DataFrame:
    """Ranks of GVA per hour (1 = highest) by year at ITL1 and ITL2 (measures.ranks_by_year)."""
    frames = []
    for level in LEVELS:
        rows = gva[gva["itl_level"] == level]
        ranks = measures.ranks_by_year(rows, "gva_per_hour")
        names = rows.drop_duplicates("itl_code").set_index("itl_code")["region"]
        ranks["name"] = names.reindex(ranks["itl_code"]).to_numpy()
        ranks["level"] = level
        frames.append(ranks)
    out = pd.concat(frames, ignore_index=True).rename(columns={"itl_code": "code"})
    out["year"] = out["year"].astype("int64")
    return out


class PolicyTimeline(ChartWidget):
    """Policy churn (timeline, overlap) beside the persistence of regional productivity ranks.

    Parameters
    ----------
    kinds : sequence of str
        Kinds of event shown (see :data:`KINDS`).
    span : (int, int)
        First and last year of the timeline view.
    year : int
        The year whose "running at once" count is shown.
    level : {"ITL1", "ITL2"}
        Geography of the bump chart.
    rank_span : (int, int)
        The two years compared by the rank correlation (default 2004 and 2019: the 2020-21
        ranks carry a pandemic artefact).
    highlight : str, optional
        ITL code (or name) of the area drawn in colour in the bump chart (default: Scotland, or
        the first area inside it at ITL2).

    Examples
    --------
    >>> w = PolicyTimeline(span=(1998, 2025))     # doctest: +SKIP
    >>> w.year.value = 2012; w.running()          # doctest: +SKIP
    """

    def __init__(self, kinds=("institution", "fund or programme"), span=(1998, AS_OF),
                 year: int = 2012, level: str = "ITL1", rank_span=(2004, 2019),
                 highlight: str | None = None, *, timeline: pd.DataFrame | None = None,
                 gva: pd.DataFrame | None = None) -> None:
        timeline = course_data.load("policy_timeline") if timeline is None else timeline
        gva = course_data.load("gva_per_hour", level=list(LEVELS)) if gva is None else gva
        self.items = prepare_timeline(timeline)
        first = int(self.items["start"].min())
        self.overlap = prepare_overlap(self.items, first, AS_OF)
        self.ranks = prepare_ranks(gva)
        rank_years = sorted(self.ranks["year"].unique())
        for kind in kinds:
            self._check("kind", kind, list(KINDS))
        self._check("level", level, list(LEVELS))
        rank_span = self._span("comparison of ranks", rank_span, [int(y) for y in rank_years],
                               arg="rank_span", year="rank year")
        span = self._span("span of years", span, list(range(first, AS_OF + 1)), arg="span")
        year = self._year("year", year, list(range(first, AS_OF + 1)), arg="year")
        if highlight is None:  # Scotland, or the first area inside it at ITL2
            highlight = nearest_area("TLM", self._codes(level))
        highlight = self._area(highlight, self._area_options(level), arg="highlight")

        self.kinds = ipw.SelectMultiple(options=list(KINDS), value=tuple(kinds), rows=len(KINDS),
                                        description="Kinds", style={"description_width": "initial"})
        self.span = ipw.IntRangeSlider(value=tuple(span), min=first, max=AS_OF, step=1,
                                       description="Years shown", continuous_update=True,
                                       style={"description_width": "initial"})
        self.year = ipw.IntSlider(value=int(year), min=first, max=AS_OF, step=1,
                                  description="Running in", continuous_update=True,
                                  style={"description_width": "initial"})
        self.level = ipw.ToggleButtons(options=list(LEVELS), value=level, description="Ranks",
                                       tooltips=["12 nations and regions", "41 ITL2 areas"])
        self.rank_span = ipw.IntRangeSlider(value=tuple(rank_span), min=int(rank_years[0]),
                                            max=int(rank_years[-1]), step=1,
                                            description="Compare ranks", continuous_update=True,
                                            style={"description_width": "initial"})
        self.highlight = ipw.Dropdown(description="Highlight", options=self._area_options(level),
                                      value=highlight)
        self._table_view()
        self.summary = ipw.HTML()
        self._build_chart(self._chart(), datasets={"items": self.items[_ITEMS],
                                                   "overlap": self.overlap, "ranks": self.ranks})
        self._update_text()
        for control in (self.kinds, self.span, self.year, self.level, self.rank_span,
                        self.highlight):
            control.observe(self._on_change, names="value")
        super().__init__([
            ipw.HBox([self.kinds, ipw.VBox([self.span, self.year])]),
            ipw.HBox([self.level, self.rank_span, self.highlight]),
            self.chart, ipw.HBox([self.show_table]), self.summary, self.numbers,
        ])

    # -- choices -------------------------------------------------------------------------------
    def _codes(self, level: str) -> list[str]:
        return sorted(self.ranks.loc[self.ranks["level"] == level, "code"].unique())

    def _area_options(self, level: str) -> list[tuple[str, str]]:
        rows = self.ranks[self.ranks["level"] == level].drop_duplicates("code").sort_values("name")
        return [(f"{n} ({c})", c) for n, c in zip(rows["name"], rows["code"], strict=True)]

    def _kinds_text(self) -> str:
        return "|" + "|".join(self.kinds.value) + "|"

    # -- the chart, built once -------------------------------------------------------------------
    def _param_values(self) -> dict:
        return {"kinds": self._kinds_text(), "from_year": int(self.span.value[0]),
                "to_year": int(self.span.value[1]), "focus_year": int(self.year.value),
                "level": self.level.value, "rank_from": int(self.rank_span.value[0]),
                "rank_to": int(self.rank_span.value[1]), "focus_area": self.highlight.value}

    def _chart(self) -> alt.VConcatChart:
        colour = alt.Color("kind:N", title="Kind", legend=alt.Legend(orient="bottom", columns=3),
                           scale=alt.Scale(domain=list(KINDS),
                                                                  range=[PALETTE[i] for i in (0, 1, 2, 3, 7)]))

        base = alt.Chart(alt.Data(name="items")).transform_filter(
            "indexof(kinds, '|' + datum.kind + '|') >= 0 "
            "&& datum.start <= to_year && datum.end_drawn >= from_year"
        ).transform_calculate(
            x0="max(datum.start, from_year)", x1="min(datum.end_drawn, to_year) + 1",
            running="datum.measured && datum.start <= focus_year && datum.end_drawn >= focus_year",
        )
        y = alt.Y("label:N", sort=alt.EncodingSortField("order"), title=None,
                  axis=alt.Axis(labelLimit=300, labelFontSize=10))
        x = alt.X("x0:Q", title="Year", axis=alt.Axis(format="d", tickMinStep=1),
                  scale=alt.Scale(zero=False, nice=False,
                                  domain=alt.ExprRef("[from_year, to_year + 1]")))
        tooltip = [alt.Tooltip("label:N", title="Event"), alt.Tooltip("kind:N", title="Kind"),
                   alt.Tooltip("status:N", title="Status"),
                   alt.Tooltip("lifespan:N", title="Lifespan")]
        # Not running in the focus year: an outline in the kind's colour with a white fill,
        # not a faded bar (faded colours fell to 1.3-1.7:1 against white; an outline keeps 3:1)
        bars = base.transform_filter("datum.measured").mark_bar(
            height=8, cornerRadius=2, strokeWidth=1.5).encode(
            x=x, x2="x1:Q", y=y, stroke=colour,
            fill=alt.condition("datum.running", colour, alt.value("white")),
            tooltip=tooltip,
        )
        dots = base.transform_filter("!datum.measured").mark_point(
            shape="diamond", filled=False, size=60, strokeWidth=1.5
        ).encode(x=x, y=y, color=colour, tooltip=tooltip)
        focus_rule = alt.Chart(pd.DataFrame({"z": [0]})).transform_calculate(
            fy="focus_year + 0.5").mark_rule(color="#222222", strokeDash=[3, 3]).encode(x="fy:Q")
        timeline = alt.layer(bars, dots, focus_rule).properties(
            width=420, height=alt.Step(11),
            title=alt.Title(alt.expr("'Timeline, ' + from_year + '–' + to_year + "
                                     "': bars run start to end; outlined = not running in ' + focus_year"),
                            subtitle="A diamond marks an end year not found in the sources.",
                            anchor="start"),
        )

        overlap = alt.Chart(alt.Data(name="overlap")).transform_filter(
            "indexof(kinds, '|' + datum.kind + '|') >= 0 "
            "&& datum.year >= from_year && datum.year <= to_year"
        )
        area = overlap.mark_bar().encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True)),
            y=alt.Y("sum(running):Q", title="Bodies and funds running"),
            color=colour,
            strokeWidth=alt.condition("datum.year == focus_year", alt.value(2), alt.value(0)),
            stroke=alt.value(charts.TEXT),
            tooltip=[alt.Tooltip("year:O"), alt.Tooltip("kind:N"),
                     alt.Tooltip("running:Q", title="Running")],
        )
        overlap_chart = area.properties(
            width=420, height=200,
            title=alt.Title(alt.expr("'Running at once (known spans only), ' + from_year + '–' "
                                     "+ to_year"), anchor="start"),
        )

        ranks = alt.Chart(alt.Data(name="ranks")).transform_filter(
            "datum.level == level && datum.year >= rank_from && datum.year <= rank_to")
        bx = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True))
        by = alt.Y("rank:Q", title="Rank (1 = most productive)",
                   scale=alt.Scale(reverse=True, zero=False, nice=False))
        others = ranks.transform_filter("datum.code != focus_area").mark_line(
            color=MUTED, strokeWidth=1).encode(x=bx, y=by, detail="code:N")
        chosen = ranks.transform_filter("datum.code == focus_area")
        focus_line = chosen.mark_line(color=HIGHLIGHT, strokeWidth=3,
                                      point=alt.OverlayMarkDef(color=HIGHLIGHT)).encode(
            x=bx, y=by, tooltip=[alt.Tooltip("name:N", title="Area"), alt.Tooltip("year:O"),
                                 alt.Tooltip("rank:Q", title="Rank")])
        end_labels = ranks.transform_filter("datum.year == rank_to && datum.level == 'ITL1'") \
            .mark_text(align="left", dx=4, fontSize=10).encode(x=bx, y=by, text="name:N")
        bump = alt.layer(others, focus_line, end_labels).properties(
            width=420, height=260,
            title=alt.Title(alt.expr("level + ' productivity ranks, ' + rank_from + '–' + rank_to"),
                            subtitle="GVA per hour worked, current prices; 1 = highest",
                            anchor="start"),
        )

        # One column: in a column Vega-Lite lines every row's left axis up with the timeline's
        # wide event labels, so the overlap and rank charts side by side would not fit a
        # laptop's notebook (charts.MAX_WIDTH).
        return alt.vconcat(timeline, overlap_chart, bump).add_params(
            *self._params()
        ).resolve_scale(color="shared").properties(
            datasets={"items": [], "overlap": [], "ranks": []},  # rows go into the built spec
            title=alt.Title(
                "Policy churn beside a persistent productivity ranking",
                subtitle=("Sources: policy_timeline (compiled 2025 from the sources it lists); "
                          "ONS subregional productivity, June 2023 edition (OGL v3.0). "
                          "Co-occurrence, not cause."),
                anchor="start",
            ),
            description=(
                "Three linked charts. A timeline of UK regional policy institutions, funds, "
                "strategies and events, one bar per item from its start year to its end year "
                "(or to 2025 if still running); a bar chart of how many bodies and funds were "
                "running in each year; and a bump chart of productivity ranks, in which London "
                "and the South East hold first and second place at ITL1 in every year from 2004 "
                "to 2021. Use 'Show numbers as a table' to read the values."
            ),
        )

    # -- reacting to controls ---------------------------------------------------------------------
    def _on_change(self, change) -> None:
        if change["owner"] is self.level:
            new_areas(self.highlight, self._area_options(self.level.value), self._on_change)
        self._refresh()

    # -- what the charts show, in Python -----------------------------------------------------------
    def shown(self) -> pd.DataFrame:
        """The timeline rows drawn now (kinds chosen, overlapping the span), in time order."""
        lo, hi = self.span.value
        rows = self.items[self.items["kind"].isin(self.kinds.value)
                          & (self.items["start"] <= hi) & (self.items["end_drawn"] >= lo)]
        return rows[["label", "kind", "status", "start", "end_drawn", "lifespan"]] \
            .reset_index(drop=True)

    def running(self) -> dict[str, int]:
        """Bodies and funds of the chosen kinds running in the chosen year (measures.concurrent)."""
        year = int(self.year.value)
        out = {}
        for kind in self.kinds.value:
            rows = self.items[(self.items["kind"] == kind) & self.items["measured"]]
            end = rows["end_drawn"].where(~rows["censored"])
            out[kind] = int(measures.concurrent(rows["start"], end, years=[year]).iloc[0]) \
                if len(rows) else 0
        return out

    def persistence(self) -> measures.RankPersistence:
        """Rank persistence between the two chosen years at the chosen level."""
        r0, r1 = (int(v) for v in self.rank_span.value)
        rows = self.ranks[self.ranks["level"] == self.level.value]
        a = rows[rows["year"] == r0].set_index("code")["gva_per_hour"]
        b = rows[rows["year"] == r1].set_index("code")["gva_per_hour"]
        return measures.rank_persistence(a, b)

    def _update_text(self) -> None:
        r0, r1 = self.rank_span.value
        year = int(self.year.value)
        counts = self.running()
        run_text = ", ".join(f"{v} {html.escape(k)}" for k, v in counts.items()) or "no kinds chosen"
        note = ""
        if r1 >= 2020 or r0 >= 2020:
            note = (" <em>2020–21 ranks carry a pandemic artefact (hours fell more than output); "
                    "prefer 2019 as the end year.</em>")
        if r0 == r1:
            rank_text = "Choose two different years to compare ranks."
        else:
            p = self.persistence()
            rank_text = (f"{self.level.value} ranks, {r0} vs {r1}: Spearman's rho = "
                         f"{p.spearman:.3f}; {p.share_changed:.0%} of {p.n} areas changed rank, "
                         f"by {p.mean_abs_change:.1f} places on average.{note}")
        self.summary.value = (f"<p><strong>Running in {year}</strong> (known spans only): "
                              f"{run_text}.</p><p>{rank_text}</p>")
        if self.show_table.value:
            body = "".join(
                f"<tr><td>{html.escape(r.label)}</td><td>{html.escape(r.kind)}</td>"
                f"<td>{html.escape(r.status)}</td><td>{html.escape(r.lifespan)}</td></tr>"
                for r in self.shown().itertuples()
            )
            self.numbers.value = (
                f"<table><caption>Timeline rows shown, {self.span.value[0]}–{self.span.value[1]}"
                "</caption><thead><tr><th scope='col'>Event</th><th scope='col'>Kind</th>"
                "<th scope='col'>Status</th><th scope='col'>Lifespan</th></tr></thead>"
                f"<tbody>{body}</tbody></table>"
            )
