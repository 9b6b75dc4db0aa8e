"""CompetitionDesigner: the controls drive the simulation, the chart's params and what it shows."""

from __future__ import annotations

import pytest
from widget_helpers import drive, table_shown

import course
from course import measures
from course.errors import MeasureError
from widgets import CompetitionDesigner
from widgets.competition_designer import MAX_WINNERS, SCENARIOS, STAGES


@pytest.fixture(scope="module")
def designer():
    return CompetitionDesigner(weights={"need": 0.4, "capacity": 0.4, "potential": 0.2},
                               finalists=30, winners=10, grant_effect=0.5, seed=2024)


def _svg(d) -> str:
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    return vlc.vegalite_to_svg(d.spec(), vl_version=vl_version_for_vl_convert())


def _direct(d, **changes):
    """The same run made directly with course.measures (the widget must agree)."""
    places = measures.itl3_places(course.load("gva_per_hour"))
    pool = measures.applicant_pool(places, 200, capacity_link=d.capacity_link.value,
                                   seed=d.seed.value)
    return measures.simulate_competition(pool, d.weights(), (d.finalists.value, d.winners.value),
                                         grant_effect=d.grant_effect.value,
                                         noise=d.noise.value, seed=d.seed.value)


def test_initial_view_matches_course_measures(designer):
    direct = _direct(designer)
    shown = designer.shown()
    assert list(shown.index) == ["round 1", "round 2", "round 2, no effect"]
    assert shown.loc["round 1", "winners"] == direct.share_below_median("round 1")
    params = designer.chart.params
    assert params.share[2] == pytest.approx(direct.share_below_median("round 1"), abs=1e-6)
    assert params.share[8] == pytest.approx(direct.share_below_median("round 2, no effect"),
                                            abs=1e-6)
    assert sum(v is not None for v in params.wins[:50]) == 10


def test_weight_control_moves_awards_towards_capacity(designer):
    designer.w_need.value = 0.0
    designer.w_potential.value = 0.0
    designer.w_capacity.value = 1.0
    try:
        direct = _direct(designer)
        assert designer.weights() == {"need": 0.0, "capacity": 1.0, "potential": 0.0}
        assert designer.chart.params.share[2] == pytest.approx(
            direct.share_below_median("round 1"), abs=1e-6)
        assert designer.shown().loc["round 1", "winners"] < 0.5
        svg = _svg(designer)
        pct = f"{direct.share_below_median('round 1'):.0%}"
        assert f"Round 1 gives {pct} of awards to below-median places" in svg
        assert "Weights: need 0.00, capacity 1.00, potential 0.00" in svg
    finally:
        designer.w_need.value, designer.w_capacity.value = 0.4, 0.4
        designer.w_potential.value = 0.2


def test_grant_control_versus_the_no_effect_baseline(designer):
    designer.grant_effect.value = 0.0
    zero = designer.shown()
    assert zero.loc["round 2", "winners"] == zero.loc["round 2, no effect", "winners"]
    designer.grant_effect.value = 2.0
    try:
        direct = _direct(designer)
        s = designer.result.summary
        assert s.equals(direct.summary)
        assert (s.loc["round 2", "winners_from_round1_finalists"]
                >= s.loc["round 2, no effect", "winners_from_round1_finalists"])
        assert "grant effect 2.0 sd (invented)" in designer.chart.params.caption
    finally:
        designer.grant_effect.value = 0.5


def test_same_seed_same_chart_and_seed_control(designer):
    before = list(designer.chart.params.share)
    designer.seed.value = 7
    assert designer._pool_key == (0.5, 7)
    designer.seed.value = 2024
    assert list(designer.chart.params.share) == before


def test_stage_controls_keep_fewer_awards_than_finalists(designer):
    designer.finalists.value = 8
    try:
        assert designer.winners.value == 7
        assert "fewer awards than finalists" in designer.message.value
        assert designer.result.applicants["r1_winner"].sum() == 7
        assert sum(v is not None for v in designer.chart.params.wins[:50]) == 7
    finally:
        designer.finalists.value = 30
        designer.winners.value = 10
    assert designer.message.value == ""


def test_all_zero_weights_warn_instead_of_failing(designer):
    designer.w_need.value = designer.w_capacity.value = 0.0
    before = designer.result
    designer.w_potential.value = 0.0
    try:
        assert "All three weights are 0" in designer.message.value
        assert designer.result is before
    finally:
        designer.w_need.value, designer.w_capacity.value = 0.4, 0.4
        designer.w_potential.value = 0.2


def test_table_view_lists_every_winner(designer):
    with table_shown(designer) as html:
        assert "<caption>Winners (simulation)</caption>" in html
        assert html.count("<tr><td>") == 30  # 10 winners in each of three scenarios
        first = designer.winners_table().iloc[0]
        assert str(first["region"]) in html


def test_chart_is_labelled_as_a_simulation_with_alt_text(designer):
    spec = designer.spec()
    assert "SIMULATED" in spec["title"]["text"]
    assert "invented parameters" in spec["title"]["subtitle"]
    assert spec["description"].startswith("Two charts of a simulated")
    assert "SIMULATION" in designer.label.value
    for rows in spec["datasets"].values():
        assert len(rows) <= 150
    svg = _svg(designer)
    assert "ITL3 median" in svg and "Round 2, grant effect = 0 (baseline)" in svg


def test_control_changes_never_rebuild_the_chart(designer):
    """200 random changes rerun the simulation and only set params, which hold that run's shares
    and winners; the run is the one course.measures makes for the controls."""
    d = designer
    stages = [f"{st}_below_median" for st in STAGES]
    columns = ("r1_winner", "r2_winner", "r2_winner_baseline")

    def expected(w):
        applicants = w.result.applicants
        wins = []
        for column in columns:
            won = applicants.loc[applicants[column], "gva_per_hour"].tolist()
            wins += won + [None] * (MAX_WINNERS - len(won))
        return {"share": w.result.summary.loc[list(SCENARIOS), stages].to_numpy().ravel().tolist(),
                "wins": wins}

    def check(w, spec):
        assert w.result.summary.equals(_direct(w).summary)
        caption = next(p["value"] for p in spec["params"] if p["name"] == "caption")
        assert (f"need {w.w_need.value:.2f}, capacity {w.w_capacity.value:.2f}, potential "
                f"{w.w_potential.value:.2f}") in caption
        assert f"-> {w.winners.value} awards" in caption and f"seed {w.seed.value}" in caption

    weights = [round(0.05 * k, 2) for k in range(1, 21)]  # never all three 0
    moves = [(d.w_need, weights), (d.w_capacity, weights), (d.w_potential, weights),
             (d.finalists, [20, 30, 40, 60]), (d.winners, [5, 10, 15]),
             (d.grant_effect, [round(0.1 * k, 1) for k in range(21)]),
             (d.capacity_link, [round(0.1 * k, 1) for k in range(11)]),
             (d.noise, [round(0.1 * k, 1) for k in range(21)]), (d.seed, [1, 7, 2024])]
    try:
        assert len(drive(d, moves, expected, check=check)) == 9
    finally:
        d.w_need.value, d.w_capacity.value, d.w_potential.value = 0.4, 0.4, 0.2
        d.finalists.value, d.winners.value, d.seed.value = 30, 10, 2024
        d.grant_effect.value, d.capacity_link.value, d.noise.value = 0.5, 0.5, 0.5


def test_bad_starting_values_are_friendly_errors():
    with pytest.raises(MeasureError, match="shrink"):
        CompetitionDesigner(finalists=10, winners=20)
    with pytest.raises(MeasureError, match="'capacity'"):
        CompetitionDesigner(weights={"capacty": 1.0})
