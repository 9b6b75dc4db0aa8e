"""PolicyTimeline: the controls drive the chart's params and what it shows."""

from __future__ import annotations

import math

import pytest
from scipy import stats
from widget_helpers import drive, options, table_shown

import course
from course import measures
from course.errors import CourseError
from widgets import PolicyTimeline


@pytest.fixture(scope="module")
def w():
    return PolicyTimeline()


def _svg(widget) -> str:
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    return vlc.vegalite_to_svg(widget.spec(), vl_version=vl_version_for_vl_convert())


def test_initial_view(w):
    p = w.chart.params
    assert (p.from_year, p.to_year, p.focus_year, p.level) == (1998, 2025, 2012, "ITL1")
    assert p.kinds == "|institution|fund or programme|"
    shown = w.shown()
    assert set(shown["kind"]) == {"institution", "fund or programme"}
    assert shown["start"].is_monotonic_increasing
    # the Highlands and Islands Development Board (1965-1991) ended before the span starts
    assert not shown["label"].str.contains("Highlands and Islands Development Board").any()
    svg = _svg(w)
    assert "Regional Development Agencies created" in svg
    assert "Timeline, 1998–2025" in svg
    assert "ITL1 productivity ranks, 2004–2019" in svg


def test_running_in_year_uses_measures_concurrent(w):
    w.year.value = 2012
    t = course.load("policy_timeline")
    t["kind"] = measures.policy_kind(t["type"])
    inst = t[(t["kind"] == "institution")
             & ((t["status"] == "ongoing") | ((t["status"] == "ended") & t["ended_year"].notna()))]
    # by hand: started by 2012 and (still running, or ended in 2012 or later)
    by_hand = int(((inst["year"] <= 2012)
                   & ((inst["status"] == "ongoing") | (inst["ended_year"] >= 2012))).sum())
    assert w.running()["institution"] == by_hand
    assert f"{by_hand} institution" in w.summary.value
    w.year.value = 2000
    assert w.chart.params.focus_year == 2000
    assert "Running in 2000" in w.summary.value
    w.year.value = 2012


def test_kind_filter_and_span(w):
    w.kinds.value = ("strategy or paper",)
    w.span.value = (2015, 2025)
    try:
        assert w.chart.params.kinds == "|strategy or paper|"
        assert (w.chart.params.from_year, w.chart.params.to_year) == (2015, 2025)
        shown = w.shown()
        assert set(shown["kind"]) == {"strategy or paper"}
        assert "Industrial Strategy white paper" in " ".join(shown["label"])
        svg = _svg(w)
        assert "Industrial Strategy white paper" in svg
        assert "Regional Development Agencies created" not in svg
        assert "Timeline, 2015–2025" in svg
    finally:
        w.kinds.value = ("institution", "fund or programme")
        w.span.value = (1998, 2025)


def test_rank_persistence_matches_scipy_and_level_switch(w):
    gva = course.load("gva_per_hour", level="ITL2")
    a = gva[gva["year"] == 2004].set_index("itl_code")["gva_per_hour"]
    b = gva[gva["year"] == 2019].set_index("itl_code")["gva_per_hour"].reindex(a.index)
    w.level.value = "ITL2"
    try:
        assert w.chart.params.level == "ITL2"
        assert w.highlight.value.startswith("TLM") and len(w.highlight.value) == 4
        assert math.isclose(w.persistence().spearman, stats.spearmanr(a, b).statistic,
                            rel_tol=1e-12)
        assert w.persistence().n == 41
        assert "ITL2 ranks, 2004 vs 2019" in w.summary.value
        assert "ITL2 productivity ranks" in _svg(w)
    finally:
        w.level.value = "ITL1"
    assert w.highlight.value == "TLM"


def test_pandemic_years_warn(w):
    w.rank_span.value = (2004, 2021)
    try:
        assert w.chart.params.rank_to == 2021
        assert "pandemic artefact" in w.summary.value
        assert w.persistence().spearman < 0.9  # Northern Ireland jumps from 12th to 7th
    finally:
        w.rank_span.value = (2004, 2019)
    assert "pandemic" not in w.summary.value


def test_table_view_and_alt_text(w):
    with table_shown(w) as table:
        assert table.count("<tr><td>") == len(w.shown())
        assert "at least" in table  # censored lifespans say so
    spec = w.spec()
    assert spec["description"].startswith("Three linked charts")
    assert spec["title"]["text"].startswith("Policy churn")
    assert all(len(v) < 5000 for v in spec["datasets"].values())


def test_bad_choice_is_a_friendly_error():
    with pytest.raises(CourseError, match="Valid options.*'fund or programme'"):
        PolicyTimeline(kinds=("funds",))
    with pytest.raises(CourseError, match="rank year"):
        PolicyTimeline(rank_span=(2004, 2023))


def test_control_changes_never_rebuild_the_chart(w):
    """200 random changes only set params; the ranks in the built spec are course measures'."""
    gva = course.load("gva_per_hour", level=["ITL1", "ITL2"])

    def expected(widget):
        return {"kinds": "|" + "|".join(widget.kinds.value) + "|",
                "from_year": widget.span.value[0], "to_year": widget.span.value[1],
                "focus_year": widget.year.value, "level": widget.level.value,
                "rank_from": widget.rank_span.value[0], "rank_to": widget.rank_span.value[1],
                "focus_area": widget.highlight.value}

    def check(widget, spec):
        level, year = widget.level.value, widget.rank_span.value[1]
        rows = gva[(gva["itl_level"] == level) & (gva["year"] == year)]
        want = rows.set_index("itl_code")["gva_per_hour"].rank(ascending=False, method="min")
        got = {r["code"]: r["rank"] for r in spec["datasets"]["ranks"]
               if r["level"] == level and r["year"] == year}
        assert got == want.to_dict()

    kinds = [("institution",), ("institution", "fund or programme"),
             ("strategy or paper", "legislation", "decision or event")]
    moves = [(w.kinds, kinds), (w.span, [(1998, 2025), (1990, 2010), (2010, 2025)]),
             (w.year, range(1998, 2026)), (w.level, ["ITL1", "ITL2"]),
             (w.rank_span, [(2004, 2019), (2004, 2021), (2010, 2015)]), (w.highlight, options)]
    try:
        assert len(drive(w, moves, expected, check=check)) == 6
    finally:
        w.kinds.value, w.span.value = ("institution", "fund or programme"), (1998, 2025)
        w.year.value, w.level.value, w.rank_span.value = 2012, "ITL1", (2004, 2019)
        w.highlight.value = "TLM"


def test_a_reversed_span_and_an_unknown_area_get_friendly_errors():
    with pytest.raises(CourseError) as err:
        PolicyTimeline(span=(2025, 1998))
    text = str(err.value)
    assert "runs backwards" in text and "span=(1998, 2025)" in text
    with pytest.raises(CourseError, match="rank_span=\\(2004, 2019\\)"):
        PolicyTimeline(rank_span=(2019, 2004))
    with pytest.raises(CourseError, match="Greater Manchester|North West"):
        PolicyTimeline(highlight="Manchester")
    assert PolicyTimeline(highlight="Scotland").highlight.value == "TLM"
