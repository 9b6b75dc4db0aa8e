"""Recompute lesson 01's embedded expected values from the datasets (and plain NumPy)."""

import numpy as np

import course
from course import measures


def _level_year(level, year):
    gva = course.load("gva_per_hour", years=year)
    return gva[gva["itl_level"] == level].set_index("itl_code"), gva


def index_2019():
    rows, gva = _level_year("ITL1", 2019)
    uk = float(gva.loc[gva["itl_code"] == "UKX", "gva_per_hour"].iloc[0])
    return {k: float(v) / uk * 100 for k, v in rows["gva_per_hour"].items()}


def theil_fresh():
    def theil(values):
        ratio = np.asarray(values, dtype=float) / np.mean(values)
        return float(np.mean(ratio * np.log(ratio)))

    samples = ([2.0, 4.0, 8.0, 16.0], [5.0, 5.0, 5.0, 20.0], [30.5, 41.2, 28.9])
    return {str(s): theil(s) for s in samples}


def between_share_2021():
    rows, _ = _level_year("ITL3", 2021)
    return measures.theil_decomposition(rows["gva_per_hour"], rows["itl1_code"]).between_share


def max_min_2021():
    return {lv: measures.max_min_ratio(_level_year(lv, 2021)[0]["gva_per_hour"])
            for lv in ("ITL1", "ITL2", "ITL3")}


def _itl1(year):
    return _level_year("ITL1", year)[0]["gva_per_hour"]


def beta_itl1():
    return measures.beta_convergence(_itl1(2004), _itl1(2019), 15).slope


def cv_change_itl1():
    return (measures.coefficient_of_variation(_itl1(2019))
            - measures.coefficient_of_variation(_itl1(2004)))


EXPECTED = {
    "index_2019": index_2019,
    "theil_fresh": theil_fresh,
    "between_share_2021": between_share_2021,
    "max_min_2021": max_min_2021,
    "beta_itl1": beta_itl1,
    "cv_change_itl1": cv_change_itl1,
}
