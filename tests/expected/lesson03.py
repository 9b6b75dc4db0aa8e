"""Recompute lesson 03's embedded expected values from the datasets (and plain NumPy)."""

import numpy as np
import pandas as pd

import course
from course import measures

GB = ["TLC", "TLD", "TLE", "TLF", "TLG", "TLH", "TLI", "TLJ", "TLK", "TLL", "TLM"]
COLS = ["employment_rate", "median_weekly_pay", "gdhi_per_head", "gva_per_hour"]


def _table(year):
    emp = course.load("employment_inactivity", years=year).set_index("itl_code")
    pay = course.load("median_pay", years=year).set_index("itl_code")
    gdhi = course.load("gdhi", years=year).set_index("itl_code")
    gva = course.load("gva_per_hour", years=year).set_index("itl_code")
    return pd.DataFrame({
        "employment_rate": emp["employment_rate"].reindex(GB),
        "median_weekly_pay": pay["median_weekly_pay"].reindex(GB),
        "gdhi_per_head": gdhi["gdhi_per_head"].reindex(GB).astype(float),
        "gva_per_hour": gva["gva_per_hour"].reindex(GB),
    })


def pay_gap_2021():
    pay = course.load("median_pay", years=2021)
    values = pay.set_index("itl_code")["median_weekly_pay"]
    gap = measures.gap_to_benchmark(values, "UK")
    return {k: float(gap[k]) for k in pay.loc[pay["itl_level"] == "ITL1", "itl_code"]}


def _corr_2013():
    t = _table(2013)
    return measures.correlation(t["employment_rate"], t["gva_per_hour"])


def r_emp_gva_2013():
    return _corr_2013().r


def ci_emp_gva_2013():
    c = _corr_2013()
    return (c.ci_low, c.ci_high)


def z_index_fresh():
    fresh = [
        ({"a": [1.0, 2.0, 3.0, 4.0], "b": [10.0, 0.0, 5.0, 5.0]}, {"a": 1.0, "b": 1.0}),
        ({"a": [400.0, 500.0, 600.0], "b": [70.0, 80.0, 76.0], "c": [3.0, 1.0, 2.0]},
         {"a": 2.0, "b": 1.0, "c": 0.5}),
        ({"x": [31.9, 51.5, 42.5, 33.7, 36.9]}, {"x": 4.0}),
    ]
    out = {}
    for i, (cols, weights) in enumerate(fresh):
        total = sum(weights.values())
        index = sum(weights[k] * (np.array(v) - np.mean(v)) / np.std(v) / total
                    for k, v in cols.items())
        out[str(i)] = [float(x) for x in index]
    return out


def _pay_heavy():
    t = _table(2021)
    equal = dict.fromkeys(COLS, 1.0)
    return measures.rank_changes(t[COLS], equal, dict(equal, median_weekly_pay=3.0))


def moved_pay_heavy():
    moves = _pay_heavy()
    return sorted(str(c) for c in moves.index[moves["change"] != 0])


def rank_to_pay_heavy():
    return {str(k): int(v) for k, v in _pay_heavy()["rank_to"].items()}


EXPECTED = {
    "pay_gap_2021": pay_gap_2021,
    "r_emp_gva_2013": r_emp_gva_2013,
    "ci_emp_gva_2013": ci_emp_gva_2013,
    "z_index_fresh": z_index_fresh,
    "moved_pay_heavy": moved_pay_heavy,
    "rank_to_pay_heavy": rank_to_pay_heavy,
}
