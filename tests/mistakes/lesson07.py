"""Lesson 07: typical wrong answers and correct alternatives (see README.md)."""

LESSON = "07-competitions"

_RATES = "def stage_rates(counts):\n"
_POOL7 = "_pool = measures.applicant_pool(places, 200, capacity_link=0.5, seed=7)\n"


def _share(weighting: str, pool: str = "_pool", seed: int = 7, scenario: str = "round 1") -> str:
    return (f'measures.simulate_competition({pool}, weightings["{weighting}"], (30, 10), noise=0.5, '
            f'seed={seed}).share_below_median("{scenario}")')


def _grants(seeds: str, baseline: str = "round 2, no effect", column: str = "share_of_winners_below_median") -> str:
    return (
        "_g, _d = [], []\n"
        f"for _s in {seeds}:\n"
        "    _p = measures.applicant_pool(places, 200, capacity_link=0.5, seed=_s)\n"
        '    _t = measures.simulate_competition(_p, weightings["capacity-heavy"], (30, 10), grant_effect=1.0, noise=0.5, seed=_s).summary\n'
        f'    _g.append(_t.loc["round 2", "winners_from_round1_finalists"] - _t.loc["{baseline}", "winners_from_round1_finalists"])\n'
        f'    _d.append(_t.loc["round 2", "{column}"] - _t.loc["{baseline}", "{column}"])\n'
    )


_AWARDS_TAIL = (
    '    "Recompete": measures.award_summary(_rc.loc[_rc["stage"] == "awardee (Aug 2024)", "amount_usd_m"]),\n'
    '    "BBBRC": measures.award_summary(_bb["award_usd_m"].dropna()),\n'
    '}).T[["count", "median", "max_min"]]'
)
_AWARDS_HEAD = '_rc = course.load("recompete")\n_bb = course.load("bbbrc_winners")\naward_stats = pd.DataFrame({\n'

CASES = {
    "ex1-odds-tests": {
        "wrong": [
            ("first stage over last",
             "odds = {p: float(1 / measures.overall_odds(stage_counts(p, s))) for p, s in FUNNELS.items()}",
             "last stage"),
            ("percentages",
             "odds = {p: float(measures.overall_odds(stage_counts(p, s)) * 100) for p, s in FUNNELS.items()}",
             "fraction"),
            ("the first stage only",
             "odds = {p: float(stage_counts(p, s).iloc[1] / stage_counts(p, s).iloc[0]) for p, s in FUNNELS.items()}",
             "last stage"),
            ("one programme missing",
             'odds = {p: float(measures.overall_odds(stage_counts(p, s))) for p, s in FUNNELS.items() if p != "EDA Recompete Pilot"}',
             "missing"),
        ],
        "right": [
            ("product of the stage rates",
             "import numpy as np\nodds = {}\nfor _p, _s in FUNNELS.items():\n"
             "    _c = stage_counts(_p, _s).to_numpy()\n    odds[_p] = float(np.prod(_c[1:] / _c[:-1]))"),
        ],
    },
    "ex2-rates-tests": {
        "wrong": [
            ("every rate over the first stage",
             _RATES + "    return [float(c / counts[0]) for c in counts[1:]]",
             "just before"),
            ("a leading 1.0",
             _RATES + "    return [1.0] + [float(b / a) for a, b in zip(counts, counts[1:])]",
             "2 rates"),
            ("earlier over later",
             _RATES + "    return [float(a / b) for a, b in zip(counts, counts[1:])]",
             "just before"),
            ("integer division",
             _RATES + "    return [float(b // a) for a, b in zip(counts, counts[1:])]",
             "//"),
            ("a NumPy array",
             "import numpy as np\n\n" + _RATES + "    c = np.asarray(counts, dtype=float)\n    return c[1:] / c[:-1]",
             "list"),
        ],
        "right": [
            ("a loop over positions",
             _RATES + "    rates = []\n    for i in range(1, len(counts)):\n"
             "        rates.append(counts[i] / counts[i - 1])\n    return [float(r) for r in rates]"),
        ],
    },
    "ex3-awards-tests": {
        "wrong": [
            ("kept the Phase 2 total row",
             '_th = course.load("tech_hubs_awards")\n' + _AWARDS_HEAD
             + '    "Tech Hubs": measures.award_summary(_th.loc[_th["round"].str.startswith("Phase 2"), "award_usd_m"]),\n'
             + _AWARDS_TAIL,
             "Phase 2 total"),
            ("Recompete finalists too",
             _AWARDS_HEAD + '    "Tech Hubs": measures.award_summary(phase2["award_usd_m"]),\n'
             '    "Recompete": measures.award_summary(_rc.loc[_rc["stage"] != "awardee total", "amount_usd_m"].dropna()),\n'
             '    "BBBRC": measures.award_summary(_bb["award_usd_m"].dropna()),\n'
             '}).T[["count", "median", "max_min"]]',
             "awardee"),
            ("the mean, not the median",
             _AWARDS_HEAD + '    "Tech Hubs": measures.award_summary(phase2["award_usd_m"]),\n' + _AWARDS_TAIL
             + '\naward_stats["median"] = [float(phase2["award_usd_m"].mean()), 32.5, 51.5]',
             "median"),
            ("lower-case row labels",
             _AWARDS_HEAD + '    "Tech Hubs": measures.award_summary(phase2["award_usd_m"]),\n' + _AWARDS_TAIL
             + "\naward_stats.index = [str(i).lower() for i in award_stats.index]",
             "indexed by"),
        ],
        "right": [
            ("describe-style by hand",
             '_rc = course.load("recompete")\n_bb = course.load("bbbrc_winners")\n'
             "def _row(values):\n    v = values.dropna().astype(float)\n"
             '    return {"count": float(len(v)), "median": float(v.median()), "max_min": float(v.max() / v.min())}\n'
             'award_stats = pd.DataFrame.from_dict({"Tech Hubs": _row(phase2["award_usd_m"]),\n'
             '    "Recompete": _row(_rc.query("stage == \'awardee (Aug 2024)\'")["amount_usd_m"]),\n'
             '    "BBBRC": _row(_bb["award_usd_m"])}, orient="index")'),
        ],
    },
    "ex4-weightings-tests": {
        "wrong": [
            ("the section's seed 2024",
             f"share_need_heavy = {_share('need-heavy', 'pool', 2024)}\nshare_capacity_heavy = {_share('capacity-heavy', 'pool', 2024)}",
             "seed"),
            ("percentages",
             _POOL7 + f"share_need_heavy = {_share('need-heavy')} * 100\nshare_capacity_heavy = {_share('capacity-heavy')} * 100",
             "fraction"),
            ("swapped",
             _POOL7 + f"share_capacity_heavy = {_share('need-heavy')}\nshare_need_heavy = {_share('capacity-heavy')}",
             "swap"),
            ("round 2",
             _POOL7 + f"share_need_heavy = {_share('need-heavy', scenario='round 2')}\n"
             f"share_capacity_heavy = {_share('capacity-heavy', scenario='round 2')}",
             "round 1"),
        ],
        "right": [
            ("from the applicants table",
             _POOL7 + "def _below(name):\n"
             '    a = measures.simulate_competition(_pool, weightings[name], stages=(30, 10), noise=0.5, seed=7).applicants\n'
             '    return float(a.loc[a["r1_winner"], "below_median"].mean())\n'
             'share_need_heavy, share_capacity_heavy = _below("need-heavy"), _below("capacity-heavy")'),
        ],
    },
    "ex5-grants-tests": {
        "wrong": [
            ("seeds 1 to 20",
             _grants("range(1, 21)") + "grant_gain = float(sum(_g) / 20)\nbelow_median_gap = float(sum(_d) / 20)",
             "range(20)"),
            ("a total, not an average",
             _grants("range(20)") + "grant_gain = float(sum(_g))\nbelow_median_gap = float(sum(_d) / 20)",
             "average"),
            ("baseline minus round 2",
             _grants("range(20)") + "grant_gain = float(sum(_g) / 20)\nbelow_median_gap = float(-sum(_d) / 20)",
             "minus"),
            ("round 1 as the baseline",
             _grants("range(20)", baseline="round 1") + "grant_gain = float(sum(_g) / 20)\nbelow_median_gap = float(sum(_d) / 20)",
             "no effect"),
            ("the gap in percentage points",
             _grants("range(20)") + "grant_gain = float(sum(_g) / 20)\nbelow_median_gap = float(sum(_d) / 20 * 100)",
             "fraction"),
        ],
        "right": [
            ("numpy means",
             "import numpy as np\n" + _grants("list(range(0, 20))", column="winners_below_median")
             + "grant_gain = float(np.mean(_g))\nbelow_median_gap = float(np.mean(_d))"),
        ],
    },
}
