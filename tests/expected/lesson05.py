"""Recompute lesson 05's embedded expected values from the datasets (and plain NumPy)."""

import numpy as np

import course
from course import measures


def _itl1(name, column, year):
    return course.load(name, level="ITL1", years=year).set_index("itl_code")[column]


def _level3(year):
    return _itl1("qualifications_level3", "pct_level3_plus", year)


def _gva(year):
    return _itl1("gva_per_hour", "gva_per_hour", year)


def pay_slope_2019():
    return measures.linear_fit(_level3(2019), _itl1("median_pay", "median_weekly_pay", 2019)).slope


def ols_fresh():
    def ols(x, y):
        x, y = np.asarray(x, float), np.asarray(y, float)
        slope = float(np.polyfit(x, y, 1)[0])
        return [slope, float(y.mean() - slope * x.mean())]

    samples = (
        ([10.0, 20.0, 30.0], [5.0, 9.0, 16.0]),
        ([52.1, 55.2, 67.0, 60.5, 54.7], [31.4, 34.0, 48.4, 33.1, 32.0]),
        ([-2.0, 0.0, 1.0, 4.0], [3.0, 1.0, 0.5, -6.0]),
    )
    return {str(s): ols(*s) for s in samples}


def slope_all_2015():
    return measures.linear_fit(_level3(2015), _gva(2015)).slope


def slope_without_london_2015():
    return measures.linear_fit(_level3(2015), _gva(2015), leave_out="TLI").slope


def cooks_2021():
    return measures.cooks_distance(_level3(2021), _gva(2021)).to_dict()


def slope_nvq4_2019():
    return measures.linear_fit(_itl1("qualifications_nvq4", "pct_nvq4_plus", 2019), _gva(2019)).slope


def r2_nvq4_2019():
    return measures.linear_fit(
        _itl1("qualifications_nvq4", "pct_nvq4_plus", 2019), _gva(2019)).r_squared


EXPECTED = {
    "pay_slope_2019": pay_slope_2019,
    "ols_fresh": ols_fresh,
    "slope_all_2015": slope_all_2015,
    "slope_without_london_2015": slope_without_london_2015,
    "cooks_2021": cooks_2021,
    "slope_nvq4_2019": slope_nvq4_2019,
    "r2_nvq4_2019": r2_nvq4_2019,
}
