"""Recompute lesson 02's embedded expected values from the datasets (and plain NumPy)."""

import numpy as np

import course
from course import measures


def _timeline():
    t = course.load("policy_timeline")
    t["kind"] = measures.policy_kind(t["type"])
    return t


def _institution_spans():
    t = _timeline()
    inst = t[t["kind"] == "institution"]
    return measures.lifespans(inst["year"], inst["ended_year"], inst["status"], as_of=2025)


def institution_years():
    return {int(k): float(v) for k, v in _institution_spans()["years"].items()}


def median_completed_years():
    spans = _institution_spans()
    return float(spans.loc[~spans["censored"], "years"].median())


def _running():
    t = _timeline()
    runs = t[t["kind"].isin(["institution", "fund or programme"])]
    known = runs[(runs["status"] == "ongoing")
                 | ((runs["status"] == "ended") & runs["ended_year"].notna())]
    return measures.concurrent(known["year"], known["ended_year"], years=range(1998, 2026))


def running_2019():
    return int(_running()[2019])


def peak_year():
    return int(_running().idxmax())


def rho_fresh():
    def rho(x, y):  # no ties: 1 - 6 sum d^2 / (n (n^2 - 1))
        d = np.argsort(np.argsort(x)) - np.argsort(np.argsort(y))
        n = len(x)
        return float(1 - 6 * np.sum(d**2) / (n * (n**2 - 1)))

    samples = [
        ([3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0, 6.0], [2.0, 7.0, 1.0, 8.0, 5.5, 18.0, 2.9, 4.5]),
        ([10.0, 20.0, 30.0, 40.0, 50.0], [50.0, 40.0, 30.0, 20.0, 10.0]),
        ([31.9, 33.4, 36.1, 51.5, 42.5, 30.2], [30.4, 34.0, 35.2, 49.9, 41.7, 33.1]),
    ]
    return {str(i): rho(np.array(a), np.array(b)) for i, (a, b) in enumerate(samples)}


def _itl2():
    gva = course.load("gva_per_hour", level="ITL2")
    a = gva[gva["year"] == 2004].set_index("itl_code")["gva_per_hour"]
    b = gva[gva["year"] == 2019].set_index("itl_code")["gva_per_hour"]
    return measures.rank_persistence(a, b)


def itl2_rho():
    return _itl2().spearman


def itl2_share_changed():
    return _itl2().share_changed


def starts_split():
    t = _timeline()
    runs = t[t["kind"].isin(["institution", "fund or programme"])]
    split = measures.starts_per_period(runs.loc[runs["year"] >= 1998, "year"],
                                       edges=[1998, 2010, 2026])
    return {str(k): int(v) for k, v in split.items()}


EXPECTED = {
    "institution_years": institution_years,
    "median_completed_years": median_completed_years,
    "running_2019": running_2019,
    "peak_year": peak_year,
    "rho_fresh": rho_fresh,
    "itl2_rho": itl2_rho,
    "itl2_share_changed": itl2_share_changed,
    "starts_split": starts_split,
}
