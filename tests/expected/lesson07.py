"""Recompute lesson 07's embedded expected values from the datasets (and plain Python)."""

import course
from course import measures

LID = "07-competitions"
# A tuple of stage names is their sum: the first stage counts the same unit as the later ones
# (lead consortia seeking designation; lead applicants seeking Recompete Plan approval).
FUNNELS = {
    "EDA Tech Hubs": [("Phase 1 lead consortia applying for designation only",
                       "Phase 1 lead consortia applying for designation and strategy development "
                       "grant"),
                      "designated Tech Hubs", "Phase 2 implementation awards"],
    "NSF Regional Innovation Engines": ["concept outlines received", "semifinalists",
                                        "finalists", "inaugural NSF Engines"],
    "EDA Recompete Pilot": [("lead applicants seeking Recompete Plan approval only",
                             "lead applicants seeking plan approval and strategy development "
                             "grant"),
                            "finalists (approved Recompete Plans)", "implementation awards"],
    "EDA Build Back Better Regional Challenge": ["Phase 1 applicants", "finalists", "winners"],
}
NEED_HEAVY = {"need": 0.7, "capacity": 0.2, "potential": 0.1}
CAP_HEAVY = {"need": 0.1, "capacity": 0.7, "potential": 0.2}


def odds():
    funnels = course.load("competition_funnels")
    out = {}
    for programme, stages in FUNNELS.items():
        rows = funnels[funnels["programme"] == programme].set_index("stage")["count"]
        first, last = stages[0], stages[-1]
        parts = first if isinstance(first, tuple) else (first,)
        first_count = sum(float(rows[s]) for s in parts)
        out[programme] = float(rows[last]) / first_count
    return out


def stage_rates_fresh():
    samples = ([100, 40, 10], [7, 7], [1000, 250, 50, 5])
    return {str(s): [b / a for a, b in zip(s, s[1:], strict=False)] for s in samples}


def award_stats():
    th = course.load("tech_hubs_awards")
    rc = course.load("recompete")
    bb = course.load("bbbrc_winners")
    amounts = {
        "Tech Hubs": th.loc[th["round"] == "Phase 2 (CHIPS appropriation)", "award_usd_m"],
        "Recompete": rc.loc[rc["stage"] == "awardee (Aug 2024)", "amount_usd_m"],
        "BBBRC": bb["award_usd_m"].dropna(),
    }
    out = {}
    for name, values in amounts.items():
        v = sorted(float(x) for x in values)
        n = len(v)
        median = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
        out[name] = {"count": float(n), "median": median, "max_min": v[-1] / v[0]}
    return out


def _places():
    return measures.itl3_places(course.load("gva_per_hour"))


def shares_seed7():
    pool = measures.applicant_pool(_places(), 200, capacity_link=0.5, seed=7)
    return [measures.simulate_competition(pool, w, (30, 10), noise=0.5, seed=7)
            .share_below_median("round 1") for w in (NEED_HEAVY, CAP_HEAVY)]


def grant_average():
    places = _places()
    gains, gaps = [], []
    for seed in range(20):
        pool = measures.applicant_pool(places, 200, capacity_link=0.5, seed=seed)
        s = measures.simulate_competition(pool, CAP_HEAVY, (30, 10), grant_effect=1.0,
                                          noise=0.5, seed=seed).summary
        gains.append(s.loc["round 2", "winners_from_round1_finalists"]
                     - s.loc["round 2, no effect", "winners_from_round1_finalists"])
        gaps.append(s.loc["round 2", "winners_below_median"]
                    - s.loc["round 2, no effect", "winners_below_median"])
    return [float(sum(gains) / 20), float(sum(gaps) / 20)]


EXPECTED = {
    "odds": odds,
    "stage_rates_fresh": stage_rates_fresh,
    "award_stats": award_stats,
    "shares_seed7": shares_seed7,
    "grant_average": grant_average,
}
