"""Lesson 05: typical wrong answers and correct alternatives (see README.md)."""

LESSON = "05-skills"


def _s(frame: str, year: int, column: str) -> str:
    return f'{frame}[{frame}["year"] == {year}].set_index("itl_code")["{column}"]'


_X19 = f"_x = {_s('level3', 2019, 'pct_level3_plus')}\n"
_P19 = f"_y = {_s('pay', 2019, 'median_weekly_pay')}\n"
_X15 = f"_x = {_s('level3', 2015, 'pct_level3_plus')}\n_y = {_s('gva', 2015, 'gva_per_hour')}\n"
_X21 = f"_x = {_s('level3', 2021, 'pct_level3_plus')}\n_y = {_s('gva', 2021, 'gva_per_hour')}\n"
_NV = '_n = course.load("qualifications_nvq4", level="ITL1", years=2019).set_index("itl_code")["pct_nvq4_plus"]\n'
_G19 = f"_g = {_s('gva', 2019, 'gva_per_hour')}\n"
_OLS = "import numpy as np\n\ndef ols_line(x, y):\n    x = np.asarray(x, dtype=float)\n    y = np.asarray(y, dtype=float)\n"

CASES = {
    "ex1-pay-tests": {
        "wrong": [
            ("axes swapped",
             _X19 + _P19 + "pay_slope_2019 = float(measures.linear_fit(_y, _x).slope)",
             "skills on pay"),
            ("GVA per hour, not pay",
             "pay_slope_2019 = float(fit.slope)",
             "median weekly pay"),
            ("2021",
             f"_x = {_s('level3', 2021, 'pct_level3_plus')}\n_y = {_s('pay', 2021, 'median_weekly_pay')}\n"
             "pay_slope_2019 = float(measures.linear_fit(_x, _y).slope)",
             "2019"),
            ("London left out",
             "pay_slope_2019 = float(pay_without.slope)",
             "all 12"),
        ],
        "right": [
            ("np.polyfit on aligned values",
             "import numpy as np\n" + _X19 + _P19 + "_both = pd.concat([_x, _y], axis=1, join='inner')\n"
             "pay_slope_2019 = float(np.polyfit(_both.iloc[:, 0], _both.iloc[:, 1], 1)[0])"),
        ],
    },
    "ex2-ols-tests": {
        "wrong": [
            ("(intercept, slope)",
             _OLS + "    dx = x - x.mean()\n    b = float(dx @ (y - y.mean()) / (dx @ dx))\n    return float(y.mean() - b * x.mean()), b",
             "order"),
            ("sample covariance over population variance",
             _OLS + "    b = float(np.cov(x, y)[0, 1] / np.var(x))\n    return b, float(y.mean() - b * x.mean())",
             "ddof"),
            ("a list",
             _OLS + "    dx = x - x.mean()\n    b = float(dx @ (y - y.mean()) / (dx @ dx))\n    return [b, float(y.mean() - b * x.mean())]",
             "tuple"),
            ("np.polyfit",
             _OLS + "    b, a = np.polyfit(x, y, 1)\n    return float(b), float(a)",
             "itself"),
            ("NumPy floats",
             _OLS + "    dx = x - x.mean()\n    b = dx @ (y - y.mean()) / (dx @ dx)\n    return b, y.mean() - b * x.mean()",
             "float"),
        ],
        "right": [
            ("sums formula in plain Python",
             "def ols_line(x, y):\n    xs, ys = [float(v) for v in x], [float(v) for v in y]\n    n = len(xs)\n"
             "    sx, sy = sum(xs), sum(ys)\n    sxy = sum(a * b for a, b in zip(xs, ys))\n    sxx = sum(a * a for a in xs)\n"
             "    slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)\n    return slope, (sy - slope * sx) / n"),
        ],
    },
    "ex3-london-tests": {
        "wrong": [
            ("London's fit in 2016",
             _X15 + "slope_all_2015 = float(measures.linear_fit(_x, _y).slope)\n"
             f"_x6 = {_s('level3', 2016, 'pct_level3_plus')}\n_y6 = {_s('gva', 2016, 'gva_per_hour')}\n"
             'slope_without_london_2015 = float(measures.linear_fit(_x6, _y6, leave_out="TLI").slope)',
             "2015"),
            ("the South East left out",
             _X15 + "slope_all_2015 = float(measures.linear_fit(_x, _y).slope)\n"
             'slope_without_london_2015 = float(measures.linear_fit(_x, _y, leave_out="TLJ").slope)',
             "TLI"),
            ("nobody left out",
             _X15 + "slope_all_2015 = float(measures.linear_fit(_x, _y).slope)\nslope_without_london_2015 = slope_all_2015",
             "London"),
            ("2019, the section's fit",
             "slope_all_2015 = float(fit.slope)\nslope_without_london_2015 = float(without.slope)",
             "2015"),
        ],
        "right": [
            ("drop London by hand",
             _X15 + "slope_all_2015 = float(measures.linear_fit(_x, _y).slope)\n"
             'slope_without_london_2015 = float(measures.linear_fit(_x.drop("TLI"), _y.drop("TLI")).slope)'),
        ],
    },
    "ex4-cooks-tests": {
        "wrong": [
            ("2019",
             "cooks_2021 = measures.cooks_distance(x, y)\nmost_influential_2021 = str(cooks_2021.idxmax())",
             "2021"),
            ("the name, not the code",
             _X21 + 'cooks_2021 = measures.cooks_distance(_x, _y)\nmost_influential_2021 = "London"',
             "ITL code"),
            ("the least influential",
             _X21 + "cooks_2021 = measures.cooks_distance(_x, _y)\nmost_influential_2021 = str(cooks_2021.idxmin())",
             "largest"),
            ("x and y swapped",
             _X21 + "cooks_2021 = measures.cooks_distance(_y, _x)\nmost_influential_2021 = str(cooks_2021.idxmax())",
             "x"),
        ],
        "right": [
            ("sort and take the first",
             f"cooks_2021 = measures.cooks_distance({_s('level3', 2021, 'pct_level3_plus')}, {_s('gva', 2021, 'gva_per_hour')})\n"
             "most_influential_2021 = cooks_2021.sort_values(ascending=False).index[0]"),
        ],
    },
    "ex5-nvq4-tests": {
        "wrong": [
            ("level 3+ instead of NVQ4+",
             "slope_nvq4_2019 = float(fit.slope)\nr2_nvq4_2019 = float(fit.r_squared)",
             "pct_nvq4_plus"),
            ("r, not R squared",
             _NV + _G19 + "_f = measures.linear_fit(_n, _g)\nslope_nvq4_2019 = float(_f.slope)\nr2_nvq4_2019 = float(_f.r_squared ** 0.5)",
             "R²"),
            ("axes swapped",
             _NV + _G19 + "_f = measures.linear_fit(_g, _n)\nslope_nvq4_2019 = float(_f.slope)\nr2_nvq4_2019 = float(_f.r_squared)",
             "x"),
            ("2021",
             '_n = course.load("qualifications_nvq4", level="ITL1", years=2021).set_index("itl_code")["pct_nvq4_plus"]\n'
             f"_g = {_s('gva', 2021, 'gva_per_hour')}\n"
             "_f = measures.linear_fit(_n, _g)\nslope_nvq4_2019 = float(_f.slope)\nr2_nvq4_2019 = float(_f.r_squared)",
             "2019"),
        ],
        "right": [
            ("np.polyfit and corrcoef",
             "import numpy as np\n" + _NV + _G19 + "_d = pd.concat([_n, _g], axis=1, join='inner')\n"
             "slope_nvq4_2019 = float(np.polyfit(_d.iloc[:, 0], _d.iloc[:, 1], 1)[0])\n"
             "r2_nvq4_2019 = float(np.corrcoef(_d.iloc[:, 0], _d.iloc[:, 1])[0, 1] ** 2)"),
        ],
    },
}
