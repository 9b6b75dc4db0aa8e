"""Recompute lesson 04's embedded expected values from the datasets (and plain pandas)."""

import pandas as pd

import course
from course import measures


def lq_fresh():
    # the hidden test's fresh inputs, computed with plain pandas (not course)
    area = pd.Series({"A": 120.0, "C": 300.0, "K": 30.0, "M": 50.0})
    nation = pd.Series({"M": 5000.0, "K": 9000.0, "C": 6000.0, "A": 400.0}).reindex(area.index)
    lq = (area / area.sum()) / (nation / nation.sum())
    return {k: float(v) for k, v in lq.items()}


def _itl2(year):
    return measures.industry_matrix(course.load("gva_by_industry_itl2", years=year)).drop(index="UK")


def gm_candidates_gva():
    table = _itl2(2019)
    lq = measures.location_quotient(table, "UKX")
    found = measures.candidate_clusters(lq, table.drop(index="UKX"), lq_min=1.1, size_min=2000,
                                        area="TLD3")
    return list(found["industry"])


def gm_candidates_jobs():
    jobs = measures.industry_matrix(course.load("city_region_employees_by_industry"))
    jobs = jobs.loc[:, jobs.sum() > 0]
    found = measures.candidate_clusters(measures.location_quotient(jobs), jobs, lq_min=1.1,
                                        size_min=20000, area="Greater Manchester")
    return list(found["industry"])


def wy_shift_share():
    t04, t19 = _itl2(2004), _itl2(2019)
    s = measures.shift_share(t04.loc["TLE4"], t19.loc["TLE4"], t04.loc["UKX"], t19.loc["UKX"])
    return {k: float(v) for k, v in s.effects().items()}


def specialisation():
    t = _itl2(2019)
    gm = measures.krugman_index(t.loc["TLD3"], t.loc["UKX"])
    wm = measures.krugman_index(t.loc["TLG3"], t.loc["UKX"])
    return {"k_manchester": gm, "k_west_midlands": wm,
            "k_between": measures.krugman_index(t.loc["TLD3"], t.loc["TLG3"]),
            "more_specialised": "TLD3" if gm > wm else "TLG3"}


def cheshire_cdcf_lq():
    gva = course.load("gva_by_industry_itl2", years=2019)
    totals = measures.industry_matrix(gva).sum(axis=1)
    sub = gva[gva["industry_level"] == "subsection_of_C"].pivot(
        index="itl_code", columns="industry_code", values="gva")
    uk = sub.loc["UKX", "CD-CE"] + sub.loc["UKX", "CF"]
    return float((sub.loc["TLD6", "CD-CF"] / totals["TLD6"]) / (uk / totals["UKX"]))


EXPECTED = {
    "lq_fresh": lq_fresh,
    "gm_candidates_gva": gm_candidates_gva,
    "gm_candidates_jobs": gm_candidates_jobs,
    "wy_shift_share": wy_shift_share,
    "specialisation": specialisation,
    "cheshire_cdcf_lq": cheshire_cdcf_lq,
}
