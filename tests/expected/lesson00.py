"""Recompute lesson 00's embedded expected values from the datasets."""

import course


def n_itl2():
    return int(course.load("gva_per_hour", level="ITL2")["itl_code"].nunique())


def scotland_growth():
    rows = course.load("gva_per_hour", codes="TLM").set_index("year")["gva_per_hour"]
    return float((rows[2021] / rows[2004] - 1) * 100)


EXPECTED = {"n_itl2": n_itl2, "scotland_growth": scotland_growth}
