"""Recompute lesson 06's embedded expected values from the datasets (and plain pandas)."""

import pandas as pd

import course
from course import measures

GSE = ["TLI", "TLJ", "TLH"]


def _rd(measure, year, release=None):
    rd = course.load("rd_expenditure", level="ITL1")
    rows = rd[(rd["measure"] == measure) & (rd["year"] == year)]
    if release:
        rows = rows[rows["release_date"] == release]
    return rows.set_index("itl_code")["rd_expenditure"].astype(float)


def public_share_2022():
    values = _rd("public_funded_rd", 2022)
    return (values / values.sum()).to_dict()


def berd_revision_2022():
    new, old = _rd("berd", 2022, "2024-12-11"), _rd("berd", 2022, "2024-02-27")
    return ((new / old - 1) * 100).to_dict()


def realloc_fresh():
    def ref(values, recipients, rate):
        s = pd.Series(values)
        inside = s.index.isin(recipients)
        gain = s[inside].sum() * rate
        out = s * (1 - gain / s[~inside].sum())
        out[inside] = s[inside] * (1 + rate)
        return out.to_dict()

    cases = [
        ({"A": 100.0, "B": 50.0, "C": 50.0}, ["B", "C"], 0.5),
        ({"N": 10.0, "S": 30.0, "E": 20.0, "W": 40.0}, ["N"], 1.0),
        ({"x": 7.5, "y": 2.5}, ["y"], 0.2),
    ]
    return [[v, r, k, ref(v, r, k)] for v, r, k in cases]


def berd_intensity_2022():
    gva = course.load("gva_itl1", years=2022)
    gva = gva[gva["price_basis"] == "current"].set_index("itl_code")["gva"]
    berd = _rd("berd", 2022, "2024-12-11")
    return (berd / gva.reindex(berd.index) * 100).to_dict()


def _outside(values):
    return [c for c in values.index if c not in GSE]


def gse_share_growth():
    pub = _rd("public_funded_rd", 2022)
    return measures.group_share(measures.grow(pub, _outside(pub), 0.4), GSE)


def gse_share_realloc():
    pub = _rd("public_funded_rd", 2022)
    return measures.group_share(measures.reallocate(pub, _outside(pub), rate=0.4), GSE)


EXPECTED = {
    "public_share_2022": public_share_2022,
    "berd_revision_2022": berd_revision_2022,
    "realloc_fresh": realloc_fresh,
    "berd_intensity_2022": berd_intensity_2022,
    "gse_share_growth": gse_share_growth,
    "gse_share_realloc": gse_share_realloc,
}
