"""Recompute lesson 08's embedded expected values from the datasets."""

import course
from course import measures

CASES = [("TLE4", 2019, 3), ("TLG3", 2010, 5), ("TLE3", 2021, 2), ("TLD3", 2004, 4)]


def gaps_2019():
    gva = course.load("gva_per_hour", years=2019).set_index("itl_code")["gva_per_hour"]
    return {code: float((gva[code] / gva["UKX"] - 1) * 100) for code in ("TLD3", "TLG3", "TLE4")}


def top_lqs_fresh():
    industry = course.load("gva_by_industry_itl2")
    out = {}
    for code, year, n in CASES:
        table = measures.industry_matrix(industry, year=year).drop(index="UK")
        lq = measures.location_quotient(table, "UKX")
        out[f"{code}|{year}|{n}"] = [str(k) for k in
                                     lq.loc[code].sort_values(ascending=False).head(n).index]
    return out


EXPECTED = {"gaps_2019": gaps_2019, "top_lqs_fresh": top_lqs_fresh}
