"""Known-value tests for course.measures.competition (lesson 07)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import course
from course import measures
from course.errors import MeasureError


@pytest.fixture(scope="module")
def places():
    return measures.itl3_places(course.load("gva_per_hour"))


@pytest.fixture(scope="module")
def pool(places):
    return measures.applicant_pool(places, 200, capacity_link=0.5, seed=11)


# ------------------------------------------------------------------------------- funnels
def test_funnel_rates_tech_hubs_by_hand():
    # 192 designation applicants -> 31 designated -> 12 implementation awards
    # 31 / 192 = 0.161458..., 12 / 31 = 0.387096..., 12 / 192 = 0.0625
    rates = measures.funnel_rates(pd.Series([192, 31, 12], index=["applied", "designated",
                                                                    "awarded"]))
    assert list(rates.index) == ["applied", "designated", "awarded"]
    assert math.isnan(rates.loc["applied", "rate_from_previous"])
    assert rates.loc["designated", "rate_from_previous"] == pytest.approx(31 / 192)
    assert rates.loc["awarded", "rate_from_previous"] == pytest.approx(12 / 31)
    assert rates.loc["awarded", "rate_from_first"] == pytest.approx(0.0625)
    assert rates["count"].tolist() == [192.0, 31.0, 12.0]


def test_funnel_rates_accepts_list_and_dict():
    # 529 -> 60 -> 21 (BBBRC): 60/529 = 0.11342..., 21/60 = 0.35
    a = measures.funnel_rates([529, 60, 21])
    b = measures.funnel_rates({"a": 529, "f": 60, "w": 21})
    assert a["rate_from_previous"].iloc[2] == pytest.approx(0.35)
    assert b["rate_from_previous"].iloc[1] == pytest.approx(60 / 529)


def test_overall_odds_known_values():
    assert measures.overall_odds([565, 22, 6]) == pytest.approx(6 / 565)  # 0.010619...
    assert type(measures.overall_odds([305, 105])) is float
    assert measures.overall_odds([10, 10]) == 1.0


@pytest.mark.parametrize("bad, match", [
    ([192], "at least two stages"),
    (5, "single int"),
    ("192, 31", "single str"),
    ([192, None, 12], "missing or non-numeric"),
    ([192, "nearly 300"], "missing or non-numeric"),
    ([192, 0], "positive count"),
    ([247, 378], "more entrants than the stage before"),
    ([True, False], "True/False"),
    (pd.DataFrame({"a": [1, 2]}), "DataFrame"),
])
def test_funnel_errors_are_friendly(bad, match):
    with pytest.raises(MeasureError, match=match):
        measures.funnel_rates(bad)
    with pytest.raises(MeasureError, match="How to fix"):
        measures.overall_odds(bad)


# ------------------------------------------------------------------------------- awards
def test_award_summary_by_hand():
    # Recompete awardees, US$ million: 20, 40, 20, 35, 36, 30
    # total 181, mean 30.1667, sorted 20 20 30 35 36 40 -> median (30 + 35) / 2 = 32.5
    s = measures.award_summary([20, 40, 20, 35, 36, 30])
    assert s["count"] == 6.0 and s["total"] == 181.0
    assert s["mean"] == pytest.approx(181 / 6)
    assert s["median"] == 32.5 and s["min"] == 20.0 and s["max"] == 40.0
    assert s["max_min"] == 2.0
    assert all(type(v) is float for v in s.tolist())


def test_award_summary_matches_pandas_describe():
    amounts = pd.Series([40.5, 41.0, 51.0, 51.0, 21.0, 40.0, 44.0, 45.0, 19.0, 51.0, 51.0, 49.0])
    s = measures.award_summary(amounts)
    d = amounts.describe()
    assert s["mean"] == pytest.approx(d["mean"]) and s["median"] == pytest.approx(d["50%"])
    assert s["total"] == pytest.approx(503.5)  # the per-hub sum the SOURCES.md reports


@pytest.mark.parametrize("bad, match", [
    ([], "empty"),
    ([20.0, None], "missing or not numbers"),
    (pd.Series([20.0, np.nan]), "dropna"),
    ([20.0, 0.0], "positive"),
    (pd.DataFrame({"a": [1.0]}), "DataFrame"),
    (3.0, "one number per award"),
    (pd.Series([True, False]), "True/False"),
])
def test_award_summary_errors(bad, match):
    with pytest.raises(MeasureError, match=match):
        measures.award_summary(bad)


# ------------------------------------------------------------------------------- places and pool
def test_itl3_places_need_and_potential(places):
    gva = course.load("gva_per_hour", level="ITL3")
    y19 = gva[gva["year"] == 2019].set_index("itl_code")["gva_per_hour"]
    y04 = gva[gva["year"] == 2004].set_index("itl_code")["gva_per_hour"]
    assert len(places) == 179
    z = (y19 - y19.mean()) / y19.std(ddof=0)
    assert np.allclose(places["need"], -z.reindex(places.index))
    growth = ((y19 / y04) ** (1 / 15) - 1) * 100
    assert np.allclose(places["growth"], growth.reindex(places.index))
    assert places["potential"].mean() == pytest.approx(0, abs=1e-12)
    assert places["potential"].std(ddof=0) == pytest.approx(1)
    # 179 areas: the median is the 90th value, so 89 lie strictly below it
    assert int(places["below_median"].sum()) == 89
    assert places.loc["TLI42", "below_median"] == False  # noqa: E712  Tower Hamlets


@pytest.mark.parametrize("kwargs, match", [
    ({"year": 2030}, "not a year"),
    ({"year": 2004, "start": 2019}, "must be before"),
])
def test_itl3_places_errors(kwargs, match):
    with pytest.raises(MeasureError, match=match):
        measures.itl3_places(course.load("gva_per_hour"), **kwargs)


def test_itl3_places_needs_the_right_frame():
    with pytest.raises(MeasureError, match="no column 'gva_per_hour'"):
        measures.itl3_places(pd.DataFrame({"itl_level": ["ITL3"], "itl_code": ["x"],
                                           "itl1_code": ["y"], "region": ["z"], "year": [2019],
                                           "gva": [1.0]}))
    with pytest.raises(MeasureError, match="no ITL3 rows"):
        measures.itl3_places(course.load("gva_per_hour", level="ITL1"))
    with pytest.raises(MeasureError, match="DataFrame"):
        measures.itl3_places([1, 2, 3])


def test_pool_is_reproducible_and_capacity_is_the_stated_parameter(places):
    a = measures.applicant_pool(places, 200, capacity_link=0.5, seed=3)
    b = measures.applicant_pool(places, 200, capacity_link=0.5, seed=3)
    c = measures.applicant_pool(places, 200, capacity_link=0.5, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["capacity"].equals(c["capacity"])
    # capacity = link * z + sqrt(1 - link^2) * e with the generator's draws after the picks
    rng = np.random.default_rng(3)
    pick = rng.integers(0, len(places), size=200)
    e = rng.standard_normal(200)
    z = -places["need"].to_numpy()[pick]
    assert np.allclose(a["capacity"], 0.5 * z + math.sqrt(0.75) * e)
    assert a["itl_code"].tolist() == places.index[pick].tolist()
    # link 1: capacity is exactly standardised productivity; link 0: unrelated to it
    one = measures.applicant_pool(places, 50, capacity_link=1.0, seed=1)
    assert np.allclose(one["capacity"], -one["need"])
    big = measures.applicant_pool(places, 20000, capacity_link=0.0, seed=1)
    assert abs(np.corrcoef(big["capacity"], big["need"])[0, 1]) < 0.03
    assert a["simulated"].all()


@pytest.mark.parametrize("kwargs, match", [
    ({"n": 1}, "at least 2"),
    ({"n": 2.5}, "whole number"),
    ({"capacity_link": 1.5}, "between -1 and 1"),
    ({"capacity_link": "high"}, "between -1 and 1"),
    ({"seed": -1}, "seed"),
])
def test_pool_errors(places, kwargs, match):
    with pytest.raises(MeasureError, match=match):
        measures.applicant_pool(places, **{"n": 10, **kwargs})


def test_pool_needs_places():
    with pytest.raises(MeasureError, match="itl3_places"):
        measures.applicant_pool(pd.DataFrame({"x": [1]}))


# ------------------------------------------------------------------------------- simulation
def _tiny_pool():
    # Four applicants; need and capacity pull in opposite directions.
    return pd.DataFrame({
        "need": [2.0, 1.0, 0.0, -1.0],
        "capacity": [-1.0, 0.0, 1.0, 2.0],
        "potential": [0.0, 0.0, 0.0, 0.0],
        "below_median": [True, True, False, False],
    })


def test_simulation_without_noise_is_a_ranking_by_hand():
    pool = _tiny_pool()
    # need only: scores 2, 1, 0, -1 -> stage 1 keeps applicants 0, 1 -> stage 2 keeps 0
    r = measures.simulate_competition(pool, {"need": 1.0}, (2, 1), noise=0.0)
    assert r.applicants["r1_stages"].tolist() == [2, 1, 0, 0]
    assert r.applicants["r1_winner"].tolist() == [True, False, False, False]
    assert r.share_below_median("round 1") == 1.0
    # capacity only: scores -1, 0, 1, 2 -> applicant 3 wins, 2 is the non-winning finalist
    r = measures.simulate_competition(pool, {"capacity": 1.0}, (2, 1), noise=0.0)
    assert r.applicants["r1_winner"].tolist() == [False, False, False, True]
    assert r.share_below_median("round 1") == 0.0
    assert r.applicants["grant"].tolist() == [False, False, True, False]


def test_grant_raises_the_finalists_capacity_by_hand():
    pool = _tiny_pool()
    # weights need 1, capacity 2: scores 2 - 2 = 0, 1 + 0 = 1, 0 + 2 = 2, -1 + 4 = 3
    # round 1: finalists 3 and 2, winner 3; applicant 2 gets the grant: capacity 1 + 1.5 = 2.5
    # round 2 (0, 1, 2 bid): scores 0, 1, 2 + 2 * 1.5 = 5 -> 2 wins (and wins the baseline too)
    r = measures.simulate_competition(pool, {"need": 1.0, "capacity": 2.0}, (2, 1), noise=0.0,
                                      grant_effect=1.5)
    a = r.applicants
    assert a["r1_winner"].tolist() == [False, False, False, True]
    assert a["grant"].tolist() == [False, False, True, False]
    assert a["r2_capacity"].tolist() == [-1.0, 0.0, 2.5, 2.0]
    assert a["r2_winner"].tolist() == [False, False, True, False]
    assert a["r2_winner_baseline"].tolist() == [False, False, True, False]
    assert r.summary.loc["round 2", "winners_from_round1_finalists"] == 1
    assert r.summary.loc["round 2", "applicants"] == 3


def test_without_noise_a_grant_cannot_change_who_wins(places):
    # With no scoring noise the grant holders already outscored every other round-2 bidder,
    # so raising their capacity changes nothing: the grant matters only because of luck.
    p = measures.applicant_pool(places, 200, capacity_link=0.5, seed=4)
    r = measures.simulate_competition(p, {"need": 0.5, "capacity": 0.5}, (30, 10), noise=0.0,
                                      grant_effect=2.0)
    assert r.applicants["r2_winner"].equals(r.applicants["r2_winner_baseline"])


def test_with_noise_grants_help_their_holders_win_round_two(places):
    gained = []
    for seed in range(10):
        p = measures.applicant_pool(places, 200, capacity_link=0.5, seed=seed)
        r = measures.simulate_competition(p, {"need": 0.5, "capacity": 0.5}, (30, 10),
                                          grant_effect=1.0, seed=seed)
        s = r.summary["winners_from_round1_finalists"]
        gained.append(s["round 2"] - s["round 2, no effect"])
    assert min(gained) >= 0 and np.mean(gained) > 1


def test_same_seed_same_results_and_seed_matters(pool):
    kw = {"grant_effect": 0.8, "noise": 0.7}
    a = measures.simulate_competition(pool, {"need": 0.4, "capacity": 0.4, "potential": 0.2},
                                      (30, 10), seed=5, **kw)
    b = measures.simulate_competition(pool, {"need": 0.4, "capacity": 0.4, "potential": 0.2},
                                      (30, 10), seed=5, **kw)
    c = measures.simulate_competition(pool, {"need": 0.4, "capacity": 0.4, "potential": 0.2},
                                      (30, 10), seed=6, **kw)
    pd.testing.assert_frame_equal(a.applicants, b.applicants)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    assert not a.applicants["r1_winner"].equals(c.applicants["r1_winner"])
    assert a.parameters["invented"] == ["capacity", "noise", "grant_effect"]
    assert "SIMULATION" in a.parameters["label"]


def test_zero_grant_equals_the_baseline(pool):
    r = measures.simulate_competition(pool, {"need": 0.3, "capacity": 0.7}, (40, 8),
                                      grant_effect=0.0, seed=1)
    assert r.applicants["r2_winner"].equals(r.applicants["r2_winner_baseline"])
    assert r.share_below_median("round 2") == r.share_below_median("round 2, no effect")


def test_counts_and_round_two_entrants(pool):
    r = measures.simulate_competition(pool, {"need": 1.0, "capacity": 1.0}, (30, 10),
                                      grant_effect=0.5, seed=2)
    a, s = r.applicants, r.summary
    assert a["r1_winner"].sum() == 10 and a["grant"].sum() == 20
    assert (a["r2_stages"] >= 2).sum() == 10
    assert not (a["r1_winner"] & (a["r2_stages"] > 0)).any()  # winners do not bid again
    assert s.loc["round 2", "applicants"] == 190
    assert s.loc["round 1", "finalists"] == 30
    assert s.loc["round 1", "applicants_below_median"] == pytest.approx(a["below_median"].mean())


def test_one_stage_competition_has_no_grants(pool):
    r = measures.simulate_competition(pool, {"need": 1.0}, 10, grant_effect=1.0, seed=0)
    assert r.applicants["grant"].sum() == 0
    assert r.applicants["r1_winner"].sum() == 10


def test_need_weight_favours_lagging_places_more_than_capacity(places):
    need, cap = [], []
    for seed in range(10):
        p = measures.applicant_pool(places, 200, capacity_link=0.5, seed=seed)
        need.append(measures.simulate_competition(p, {"need": 1.0}, (30, 10), seed=seed)
                    .share_below_median())
        cap.append(measures.simulate_competition(p, {"capacity": 1.0}, (30, 10), seed=seed)
                   .share_below_median())
    assert np.mean(need) > 0.9 > 0.3 > np.mean(cap)


@pytest.mark.parametrize("kwargs, match", [
    ({"weights": {"needs": 1.0}}, "'need'"),
    ({"weights": {"need": -1.0}}, "0 or more"),
    ({"weights": {"need": 0.0}}, "all the weights are 0"),
    ({"weights": [1, 2, 3]}, "dict"),
    ({"stages": (250, 10)}, "only 200 applicants"),
    ({"stages": (10, 30)}, "shrink"),
    ({"stages": (30, 0)}, "at least 1"),
    ({"stages": "30"}, "tuple of whole numbers"),
    ({"grant_effect": -0.5}, "grant_effect"),
    ({"noise": float("nan")}, "noise"),
    ({"seed": 1.5}, "seed"),
])
def test_simulation_errors(pool, kwargs, match):
    args = {"weights": {"need": 1.0}, "stages": (30, 10), **kwargs}
    with pytest.raises(MeasureError, match=match):
        measures.simulate_competition(pool, **args)


def test_unknown_scenario_lists_the_options(pool):
    r = measures.simulate_competition(pool, {"need": 1.0}, (30, 10))
    with pytest.raises(MeasureError, match="'round 2'"):
        r.share_below_median("round two")
