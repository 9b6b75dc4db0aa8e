"""Tests for course.measures.rnd (lesson 06): shares, intensities, leverage and scenarios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import raises

import course
from course.measures import rnd as m

GSE = ["TLI", "TLJ", "TLH"]


def public_rd_2022() -> pd.Series:
    rd = course.load("rd_expenditure", level="ITL1")
    rows = rd[(rd["measure"] == "public_funded_rd") & (rd["year"] == 2022)]
    return rows.set_index("itl_code")["rd_expenditure"]


RD = pd.Series({"TLI": 50.0, "TLC": 30.0, "TLD": 20.0})


def test_shares_by_hand():
    # 50 + 30 + 20 = 100 -> 0.5, 0.3, 0.2
    assert m.share_of_total(RD).tolist() == pytest.approx([0.5, 0.3, 0.2])
    assert m.share_of_total(RD, total=200.0).tolist() == pytest.approx([0.25, 0.15, 0.1])
    assert m.share_of_total([1, 3]).tolist() == [0.25, 0.75]
    assert m.group_share(RD, ["TLC", "TLD"]) == pytest.approx(0.5)
    assert m.group_share(RD, "TLI") == pytest.approx(0.5)
    assert type(m.group_share(RD, "TLI")) is float
    mask = pd.Series({"TLI": True, "TLC": False, "TLD": True})
    assert m.group_share(RD, mask) == pytest.approx(0.7)


def test_greater_south_east_share_matches_the_ons_bulletin():
    # ONS (25 June 2024): about 51.0% of public-funded R&D in FYE 2022 was performed in the
    # Greater South East. (2674 + 2881 + 1304) / 13446 (UK row) = 0.51012
    rd = public_rd_2022()
    assert m.group_share(rd, GSE, total=13446.0) == pytest.approx(6859 / 13446)
    assert round(m.group_share(rd, GSE) * 100, 1) == 51.0


def test_intensity_and_per_head():
    berd = pd.Series({"TLH": 9946.0, "TLC": 784.0})
    gva = pd.Series({"TLC": 60000.0, "TLH": 200000.0})  # matched by label
    # 9946 / 200000 * 100 = 4.973; 784 / 60000 * 100 = 1.30667
    out = m.intensity(berd, gva, scale=100)
    assert out.tolist() == pytest.approx([4.973, 784 / 600])
    assert out.name == "intensity"
    # £2,674m over 8,796,628 people = £303.98 per head
    ph = m.per_head(pd.Series({"TLI": 2674.0}), pd.Series({"TLI": 8_796_628}))
    assert ph.name == "per_head" and ph["TLI"] == pytest.approx(2674e6 / 8_796_628)
    assert m.per_head([5.0], [2.0], unit=1).tolist() == [2.5]


def test_leverage():
    assert m.leverage_ratio(320.0, 80.0) == 4.0 and type(m.leverage_ratio(3, 2)) is float
    out = m.leverage_ratio(pd.Series({"A": 9.0, "B": 2.0}), pd.Series({"B": 1.0, "A": 3.0}))
    assert out.to_dict() == {"A": 3.0, "B": 2.0}


def test_grow_and_reallocate_by_hand():
    # growth: members TLC, TLD (50) up 40% -> 42, 28; TLI keeps 50; total 120
    grown = m.grow(RD, ["TLC", "TLD"], 0.4)
    assert grown.tolist() == pytest.approx([50.0, 42.0, 28.0]) and grown.sum() == pytest.approx(120)
    # reallocation: members gain 0.4 * 50 = 20, TLI pays 20; total kept
    moved = m.reallocate(RD, ["TLC", "TLD"], rate=0.4)
    assert moved.tolist() == pytest.approx([30.0, 42.0, 28.0])
    # share=0.1 of 100 = 10 from TLI (50 -> 40); members scale by 1 + 10/50: 36, 24
    assert m.reallocate(RD, ["TLC", "TLD"], share=0.1).tolist() == pytest.approx([40, 36, 24])
    # two payers pay in proportion: 10 to TLC from TLI (50) and TLD (20) -> x (1 - 10/70)
    out = m.reallocate(RD, "TLC", share=0.1)
    assert out.tolist() == pytest.approx([50 * 60 / 70, 40.0, 20 * 60 / 70])
    assert m.reallocate(RD, "TLC", rate=0.0).tolist() == RD.tolist()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scenario_properties(seed):
    rng = np.random.default_rng(seed)
    values = pd.Series(rng.uniform(100, 3000, 12), index=[f"R{i}" for i in range(12)])
    members = list(values.index[:4])
    for rate in (0.1, 0.4, 0.9):  # 4 members gain, 8 pay: never more than they have
        moved = m.reallocate(values, members, rate=rate)
        assert moved.sum() == pytest.approx(values.sum())  # total kept
        assert moved[members].sum() == pytest.approx(values[members].sum() * (1 + rate))
        within = moved[members] / moved[members].sum()  # shares within each side unchanged
        assert within.to_numpy() == pytest.approx(values[members] / values[members].sum())
        grown = m.grow(values, members, rate)
        assert grown.sum() - values.sum() == pytest.approx(rate * values[members].sum())
        assert m.group_share(moved, members) > m.group_share(grown, members)


def test_errors():
    raises(m.share_of_total, pd.Series({"A": 1.0, "B": -1.0}), words=["negative", "'B'"])
    raises(m.share_of_total, [], words=["empty"])
    raises(m.share_of_total, [0.0, 0.0], words=["positive"])
    raises(m.share_of_total, [1.0], total=[2.0], words=["one number"])
    raises(m.group_share, RD, ["TLX"], words=["'TLX'", "Valid options"])
    raises(m.group_share, RD, [], words=["empty"])
    raises(m.group_share, RD, 2.5, words=["members"])
    raises(m.intensity, RD, pd.Series({"TLI": 1.0, "TLC": 0.0, "TLD": 1.0}), words=["'TLC'"])
    raises(m.intensity, RD, pd.Series({"TLI": 1.0}), words=["not in base"])
    raises(m.intensity, [1.0, 2.0], [1.0], words=["2 entries"])
    raises(m.intensity, RD, RD, scale=0, words=["scale"])
    raises(m.per_head, RD, pd.Series({"TLI": 1.0}), words=["per_head()", "population"])
    raises(m.per_head, RD, RD, unit=-1, words=["unit"])
    raises(m.leverage_ratio, 1.0, 0.0, words=["positive"])
    raises(m.leverage_ratio, -1.0, 2.0, words=["private"])
    raises(m.leverage_ratio, 1.0, pd.Series({"A": 1.0}), words=["both"])
    raises(m.leverage_ratio, pd.Series({"A": 1.0}), pd.Series({"A": 0.0}), words=["'A'"])
    raises(m.grow, RD, ["TLC"], -0.1, words=["0.4"])
    raises(m.reallocate, RD, ["TLC"], words=["exactly one"])
    raises(m.reallocate, RD, ["TLC"], rate=0.1, share=0.1, words=["exactly one"])
    raises(m.reallocate, RD, ["TLC", "TLD", "TLI"], rate=0.1, words=["nobody"])
    raises(m.reallocate, RD, ["TLC", "TLD"], rate=1.5, words=["more than"])
    raises(m.reallocate, pd.Series({"A": 0.0, "B": 5.0}), "A", share=0.1, words=["nothing now"])
