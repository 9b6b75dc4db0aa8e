"""Recompute lesson 09's embedded expected values from the datasets.

The difference-in-differences is recomputed with plain NumPy on the wide table (each area's mean
log after minus mean log before, then treated mean minus comparison mean), not through
``measures.difference_in_differences``; the p-value for 2017 is the course's seeded permutation
test (its draws are the answer the lesson asks for); the fresh permutation cases are enumerated.
"""

import itertools

import numpy as np

import course
from course import measures

ENGLAND_OUTSIDE_LONDON = ["TLC", "TLD", "TLE", "TLF", "TLG", "TLH", "TLJ", "TLK"]


def _groups():
    gva = course.load("gva_per_hour", level="ITL3")
    areas = course.load("mayoral_itl_areas")
    treated = sorted(areas.loc[areas["first_mayoral_election"] == 2017, "itl_code"])
    england = gva["itl1_code"].isin(ENGLAND_OUTSIDE_LONDON)
    comparison = sorted(set(gva.loc[england, "itl_code"]) - set(areas["itl_code"]))
    wide = np.log(gva.pivot(index="itl_code", columns="year", values="gva_per_hour"))
    # sorted by code, the order measures.area_changes gives (the seeded draws pick positions)
    return wide.loc[sorted(treated + comparison)], treated


def _did(start, last, first=2004):
    wide, treated = _groups()
    years = wide.columns
    change = (wide.loc[:, (years >= start) & (years <= last)].mean(axis=1)
              - wide.loc[:, (years >= first) & (years < start)].mean(axis=1))
    is_treated = change.index.isin(treated)
    return float(100 * (change[is_treated].mean() - change[~is_treated].mean())), change, treated


def did_2017():
    return _did(2017, 2019)[0]


def placebo_estimates():
    return {start: _did(start, start + 2)[0] for start in range(2008, 2015)}


def share_as_large():
    real = abs(did_2017())
    return float(np.mean([abs(v) >= real for v in placebo_estimates().values()]))


def p_2017():
    _, change, treated = _did(2017, 2019)
    return float(measures.permutation_test(change, treated, n_permutations=9999,
                                           seed=2017).p_value)


FRESH = [
    ({"a": 3.0, "b": 2.0, "c": 1.0, "d": 0.0}, ["a", "b"]),
    ({"p": 0.5, "q": -0.2, "r": 0.1, "s": 0.9, "t": -0.4, "u": 0.3}, ["s", "p"]),
    ({"w1": 1.2, "w2": 0.7, "w3": 1.9, "w4": -0.3, "w5": 0.4, "w6": 1.1, "w7": 0.0,
      "w8": 0.8}, ["w3", "w1", "w6"]),
    ({"x": 5.0, "y": 5.0, "z": 1.0}, ["z"]),
]


def permutation_fresh():
    out = {}
    for values, treated in FRESH:
        keys = list(values)
        rest = [k for k in keys if k not in treated]
        observed = np.mean([values[k] for k in treated]) - np.mean([values[k] for k in rest])
        diffs = []
        for combo in itertools.combinations(keys, len(treated)):
            others = [k for k in keys if k not in combo]
            diffs.append(np.mean([values[k] for k in combo]) - np.mean([values[k] for k in others]))
        out[repr((values, treated))] = float(np.mean([abs(d) >= abs(observed) - 1e-12
                                                      for d in diffs]))
    return out


EXPECTED = {
    "did_2017": did_2017,
    "placebo_estimates": placebo_estimates,
    "share_as_large": share_as_large,
    "p_2017": p_2017,
    "permutation_fresh": permutation_fresh,
}
