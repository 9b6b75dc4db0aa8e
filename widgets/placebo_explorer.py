"""PlaceboExplorer: choose treated areas, a start year and a comparison group; watch the
difference-in-differences estimate and its permutation distribution.

The data are GVA per hour worked for the 179 ITL3 areas, 2004-2021 (ONS, June 2023), and the
derived mapping of mayoral combined authorities to ITL3 areas (``mayoral_itl_areas``). Every
number comes from :mod:`course.measures.evaluation`: :func:`~course.measures.area_changes`,
:func:`~course.measures.difference_in_differences`, :func:`~course.measures.group_trends` and
:func:`~course.measures.permutation_test` (999 seeded random assignments). The chart is built
once with its named datasets empty; a control change swaps the rows into the built spec (see
:mod:`widgets._base`).

An illustration of how evaluation works, never a causal finding: the 2017 areas were not chosen
at random, there are three post-years before the pandemic, and 2020-21 are distorted.
"""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as ipw
import numpy as np
import pandas as pd

from course import data as course_data
from course import measures
from course.charts import HIGHLIGHT_TEXT, PALETTE
from course.errors import CourseError
from widgets._base import ChartWidget

__all__ = ["PlaceboExplorer", "COMPARISONS", "comparison_areas"]

FIRST_YEAR, LAST_YEAR = 2004, 2021
COMPARISONS = {
    "england_no_mayor": "England outside London and every mayoral area (2017-2021)",
    "england_no_london": "England outside London (later mayoral areas kept)",
    "uk_all": "Every other ITL3 area in the UK",
}
_DATASETS = ("null", "observed", "trends")
N_PERMUTATIONS = 999
SEED = 2017


def comparison_areas(itl3: pd.DataFrame, mapping: pd.DataFrame, treated: list[str],
                     kind: str) -> list[str]:
    """The ITL3 codes of a comparison group (never including a treated area)."""
    codes = pd.Series(itl3["itl_code"].unique())
    itl1 = codes.str.slice(0, 3)
    mayoral = set(mapping["itl_code"])
    if kind == "uk_all":
        keep = codes
    elif kind == "england_no_london":
        keep = codes[~itl1.isin(["TLI", "TLL", "TLM", "TLN"])]
    elif kind == "england_no_mayor":
        keep = codes[~itl1.isin(["TLI", "TLL", "TLM", "TLN"]) & ~codes.isin(mayoral)]
    else:
        raise ValueError(f"unknown comparison group {kind!r}")
    return sorted(c for c in keep if c not in set(treated))


class PlaceboExplorer(ChartWidget):
    """Try the 2017 metro-mayor comparison, or a placebo, and see how unusual it is.

    Parameters
    ----------
    authorities : list of str
        Authorities treated (names as in ``mayoral_itl_areas``); default: the six of 2017.
    start : int
        First "after" year (2005 to 2021).
    post_years : int
        How many years count as "after" (1 to 5, ending no later than 2021).
    comparison : {"england_no_mayor", "england_no_london", "uk_all"}

    Examples
    --------
    >>> w = PlaceboExplorer(start=2012)     # doctest: +SKIP
    >>> w.summary()["estimate_pct"]        # doctest: +SKIP
    """

    def __init__(self, authorities: list[str] | None = None, start: int = 2017,
                 post_years: int = 3, comparison: str = "england_no_mayor", *,
                 gva: pd.DataFrame | None = None, mapping: pd.DataFrame | None = None) -> None:
        gva = course_data.load("gva_per_hour", level="ITL3") if gva is None else gva
        self.itl3 = gva[gva["itl_level"] == "ITL3"][["itl_code", "region", "year",
                                                      "gva_per_hour"]]
        self.mapping = course_data.load("mayoral_itl_areas") if mapping is None else mapping
        elections = self.mapping.drop_duplicates("authority").set_index("authority")[
            "first_mayoral_election"]
        options = list(elections.index)
        default = [a for a in options if int(elections[a]) == 2017]
        authorities = default if authorities is None else list(authorities)
        for name in authorities:
            self._check("authority", name, options, arg="authorities")
        if not authorities:
            raise CourseError("PlaceboExplorer: no treated authority was chosen. Pass at least "
                              f"one in authorities=[...], e.g. {options[0]!r}.")
        self._check("start year", start, list(range(FIRST_YEAR + 1, LAST_YEAR + 1)), arg="start")
        self._check("number of post-years", post_years, [1, 2, 3, 4, 5], arg="post_years")
        self._check("comparison group", comparison, list(COMPARISONS), arg="comparison")
        self.authorities = ipw.SelectMultiple(
            options=[(f"{a} (first mayor {int(elections[a])})", a) for a in options],
            value=tuple(authorities), rows=min(len(options), 9), description="Treated",
            layout=ipw.Layout(width="640px"))
        self.start = ipw.IntSlider(value=start, min=FIRST_YEAR + 1, max=LAST_YEAR,
                                   description="Start year", continuous_update=False)
        self.post_years = ipw.IntSlider(value=post_years, min=1, max=5,
                                        description="Post-years", continuous_update=False)
        self.comparison = ipw.Dropdown(options=[(v, k) for k, v in COMPARISONS.items()],
                                       value=comparison, description="Compare with",
                                       layout=ipw.Layout(width="640px"))
        self._table_view()
        self.text = ipw.HTML()
        self._group_cache: dict = {}
        self._compute()
        self._build_chart(self._chart(), datasets=self._rows())
        self._update_text()
        for control in (self.authorities, self.start, self.post_years, self.comparison):
            control.observe(self._refresh, names="value")
        self.widget = ipw.VBox([self.authorities, ipw.HBox([self.start, self.post_years]),
                                self.comparison, self.chart, self.show_table, self.text,
                                self.numbers])

    # -- the numbers (all from course.measures) ------------------------------------------------
    def treated_codes(self) -> list[str]:
        chosen = self.mapping[self.mapping["authority"].isin(self.authorities.value)]
        return sorted(set(chosen["itl_code"]))

    def _groups(self) -> tuple[list[str], list[str], pd.DataFrame]:
        """Treated codes, comparison codes and their panel: they change only with the treated
        authorities or the comparison group, so they are kept for each choice of those two."""
        key = (tuple(sorted(self.authorities.value)), self.comparison.value)
        if key not in self._group_cache:
            treated = self.treated_codes()
            comparison = comparison_areas(self.itl3, self.mapping, treated, key[1])
            panel = self.itl3[self.itl3["itl_code"].isin(treated + comparison)]
            self._group_cache[key] = (treated, comparison, panel)
        return self._group_cache[key]

    def _compute(self) -> None:
        treated, self.comparison_codes, panel = self._groups()
        start = int(self.start.value)
        self.last_year = min(start + int(self.post_years.value) - 1, LAST_YEAR)
        self.result = measures.difference_in_differences(
            panel, "gva_per_hour", treated, start, first_year=FIRST_YEAR,
            last_year=self.last_year)
        self.test = measures.permutation_test(self.result.changes, treated,
                                              n_permutations=N_PERMUTATIONS, seed=SEED)
        self.trends = measures.group_trends(
            panel[panel["year"] <= max(self.last_year, start)], "gva_per_hour", treated,
            base_year=start - 1, labels=("Treated areas", "Comparison areas"), difference="gap")

    def _rows(self) -> dict:
        """Inline rows for the chart: the permutation distribution aggregated to 40 bins (the
        notebook embeds 40 rows, not 999), the chosen areas' estimate and the trends."""
        counts, edges = np.histogram(100 * self.test.distribution, bins=40)
        null = [{"x0": float(a), "x1": float(b), "n": int(c)}
                for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True)]
        trends = [{"year": int(y), "group": g, "value": float(v)} for y, g, v in
                  self.trends[["year", "group", "value"]].itertuples(index=False)]
        return {"null": null, "observed": [{"d": 100 * self.result.estimate}], "trends": trends}

    def _refresh(self, change=None) -> None:
        if not self.authorities.value:
            self.text.value = ("<p><b>Choose at least one treated authority</b> (hold Ctrl or "
                               "Shift to select several).</p>")
            return
        self._compute()
        self._show_data(self._rows())
        self._update_text()

    def summary(self) -> dict:
        """The current estimate (in % points of log GVA per hour), p-value and group sizes."""
        return {"estimate_pct": 100 * self.result.estimate, "p_value": self.test.p_value,
                "n_treated": self.result.n_treated, "n_comparison": self.result.n_comparison,
                "start": int(self.start.value), "last_year": int(self.last_year)}

    # -- the chart, built once ------------------------------------------------------------------
    def _chart(self) -> alt.VConcatChart:
        hist = alt.Chart(alt.Data(name="null")).mark_bar(color=PALETTE[0], opacity=0.8).encode(
            x=alt.X("x0:Q", title="Difference-in-differences of random sets of areas (% points)"),
            x2="x1:Q", y=alt.Y("n:Q", title="Number of random sets"), y2=alt.datum(0),
            tooltip=[alt.Tooltip("x0:Q", format="+.2f", title="From"),
                     alt.Tooltip("x1:Q", format="+.2f", title="To"),
                     alt.Tooltip("n:Q", title="Random sets")])
        rule = alt.Chart(alt.Data(name="observed")).mark_rule(
            color=PALETTE[1], strokeWidth=3).encode(
            x="d:Q", tooltip=[alt.Tooltip("d:Q", format="+.2f", title="Chosen areas")])
        label = alt.Chart(alt.Data(name="observed")).mark_text(
            align="left", dx=5, dy=-5, color=HIGHLIGHT_TEXT, fontWeight="bold").encode(
            x="d:Q", y=alt.value(10), text=alt.Text("d:Q", format="+.2f"))
        permutation = alt.layer(hist, rule, label).properties(
            width=560, height=180, title=alt.Title(
                "Where the chosen areas fall among random sets of as many areas",
                anchor="start", subtitle="Bars: 999 random assignments (seeded). Line: the "
                "chosen areas."))
        gap = alt.Chart(alt.Data(name="trends")).transform_filter(
            "datum.group == 'gap'").mark_line(point=alt.OverlayMarkDef(color=PALETTE[1]), color=PALETTE[1]).encode(
            x=alt.X("year:O", title=None),
            y=alt.Y("value:Q", title="Treated minus comparison (log points x 100)"),
            tooltip=[alt.Tooltip("year:O", title="Year"),
                     alt.Tooltip("value:Q", format="+.2f", title="Gap")])
        zero = alt.Chart(alt.Data(values=[{"y": 0}])).mark_rule(
            color="#555555", strokeDash=[4, 3]).encode(y="y:Q")
        trends = alt.layer(zero, gap).properties(width=560, height=200, title=alt.Title(
            "Parallel trends? The gap between the groups, zero the year before the start",
            anchor="start", subtitle="Mean over areas of log GVA per hour worked x 100, treated "
            "minus comparison; flat before the start = parallel (ONS, June 2023)"))
        return alt.vconcat(trends, permutation).properties(
            datasets={name: [] for name in _DATASETS},  # the rows go into the built spec
            title=alt.Title("A naive difference-in-differences and its permutation test",
                            subtitle="ITL3 areas, GVA per hour worked 2004-2021. An "
                                     "illustration, not a causal finding.", anchor="start"),
            description=(
                "Two charts. Top: a line of the gap in mean log GVA per hour between the "
                "treated ITL3 areas and the comparison areas by year, set to zero the year "
                "before the chosen start year; a flat line before the start means the groups "
                "moved in parallel. Bottom: "
                "a histogram of the difference-in-differences of 999 random sets of as many "
                "areas as were treated, with a vertical line at the chosen areas' estimate; the "
                "share of random sets at least as far from zero is the permutation p-value. "
                "Use 'Show numbers as a table' to read the values."),
        )

    # -- text and table ---------------------------------------------------------------------------
    def _update_text(self) -> None:
        s = self.summary()
        start, last = s["start"], s["last_year"]
        notes = []
        if last < 2017:
            notes.append(f"This is a <b>placebo</b>: nothing started in {start}, so an estimate "
                         "this size arises without any policy.")
        elif start < 2017:
            notes.append("The after-window straddles 2017: it mixes a placebo and the real "
                         "start, so read it as neither.")
        if last >= 2020:
            notes.append("The window includes 2020-21, when hours fell more than output in the "
                         "pandemic: productivity figures for those years are distorted.")
        self.text.value = (
            f"<p>Treated: {s['n_treated']} ITL3 areas; comparison: {s['n_comparison']} areas. "
            f"Before: {FIRST_YEAR}-{start - 1}; after: {start}-{last}. Difference-in-differences"
            f" <b>{s['estimate_pct']:+.2f} % points</b> of log GVA per hour; permutation "
            f"p-value <b>{s['p_value']:.3f}</b> (share of 999 random sets of {s['n_treated']} "
            "areas at least as far from zero, counting the chosen set).</p>"
            + "".join(f"<p>{n}</p>" for n in notes))
        if self.show_table.value:
            wide = self.trends.pivot(index="year", columns="group", values="value")
            body = "".join(
                f"<tr><th scope='row'>{int(y)}</th><td>{r['Treated areas']:+.2f}</td>"
                f"<td>{r['Comparison areas']:+.2f}</td><td>{r['gap']:+.2f}</td></tr>"
                for y, r in wide.iterrows())
            q = pd.Series(100 * self.test.distribution).quantile([0.025, 0.5, 0.975])
            self.numbers.value = (
                f"<table><caption>{html.escape('Mean log GVA per hour, % since')} {start - 1}"
                "</caption><thead><tr><th scope='col'>Year</th><th scope='col'>Treated</th>"
                "<th scope='col'>Comparison</th><th scope='col'>Gap</th></tr></thead>"
                f"<tbody>{body}</tbody></table>"
                "<table><caption>Permutation distribution (% points)</caption><tbody>"
                f"<tr><th scope='row'>Chosen areas</th><td>{s['estimate_pct']:+.2f}</td></tr>"
                f"<tr><th scope='row'>2.5th percentile</th><td>{q[0.025]:+.2f}</td></tr>"
                f"<tr><th scope='row'>Median</th><td>{q[0.5]:+.2f}</td></tr>"
                f"<tr><th scope='row'>97.5th percentile</th><td>{q[0.975]:+.2f}</td></tr>"
                "</tbody></table>")
