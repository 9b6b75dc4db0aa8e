"""Lesson 03: typical wrong answers and correct alternatives (see README.md)."""

LESSON = "03-good-jobs"

_PAY21 = '_p = pay[pay["year"] == 2021].set_index("itl_code")["median_weekly_pay"]\n'
_ITL1 = '_codes = pay[(pay["year"] == 2021) & (pay["itl_level"] == "ITL1")]["itl_code"]\n'
_T13 = "_t = indicators(2013)\n"
_Z = "def zscore_index(frame, weights):\n"

CASES = {
    "ex1-paygap-tests": {
        "wrong": [
            ("kept the UK and England rows",
             _PAY21 + 'pay_gap_2021 = (_p / _p["UK"] - 1) * 100',
             "UK"),
            ("a fraction, not per cent",
             _PAY21 + _ITL1 + 'pay_gap_2021 = (_p / _p["UK"] - 1)[_codes]',
             "multiply by 100"),
            ("2019 instead of 2021",
             '_p = pay[pay["year"] == 2019].set_index("itl_code")["median_weekly_pay"]\n' + _ITL1
             + 'pay_gap_2021 = ((_p / _p["UK"] - 1) * 100)[_codes]',
             "2021"),
            ("England as the benchmark",
             _PAY21 + _ITL1 + 'pay_gap_2021 = ((_p / _p["TLB"] - 1) * 100)[_codes]',
             "TLB"),
            ("an index, not a gap",
             _PAY21 + _ITL1 + 'pay_gap_2021 = (_p / _p["UK"] * 100)[_codes]',
             "index"),
        ],
        "right": [
            ("gap by hand with query",
             'uk = float(pay.query("year == 2021 and itl_code == \'UK\'")["median_weekly_pay"].iloc[0])\n'
             'regions = pay.query("year == 2021 and itl_level == \'ITL1\'").set_index("itl_code")["median_weekly_pay"]\n'
             "pay_gap_2021 = 100 * (regions - uk) / uk"),
        ],
    },
    "ex2-corr-tests": {
        "wrong": [
            ("2021, the section's table",
             '_c = measures.correlation(table["employment_rate"], table["gva_per_hour"])\n'
             "r_emp_gva_2013 = float(_c.r)\nci_emp_gva_2013 = (float(_c.ci_low), float(_c.ci_high))",
             "2013"),
            ("the interval as a list",
             _T13 + '_c = measures.correlation(_t["employment_rate"], _t["gva_per_hour"])\n'
             "r_emp_gva_2013 = float(_c.r)\nci_emp_gva_2013 = [float(_c.ci_low), float(_c.ci_high)]",
             "tuple"),
            ("interval the wrong way round",
             _T13 + '_c = measures.correlation(_t["employment_rate"], _t["gva_per_hour"])\n'
             "r_emp_gva_2013 = float(_c.r)\nci_emp_gva_2013 = (float(_c.ci_high), float(_c.ci_low))",
             "order"),
            ("pay, not employment",
             _T13 + '_c = measures.correlation(_t["median_weekly_pay"], _t["gva_per_hour"])\n'
             "r_emp_gva_2013 = float(_c.r)\nci_emp_gva_2013 = (float(_c.ci_low), float(_c.ci_high))",
             "employment_rate"),
            ("inactivity, not employment",
             _T13 + '_c = measures.correlation(_t["inactivity_rate"], _t["gva_per_hour"])\n'
             "r_emp_gva_2013 = float(_c.r)\nci_emp_gva_2013 = (float(_c.ci_low), float(_c.ci_high))",
             "employment_rate"),
            ("r squared",
             _T13 + '_c = measures.correlation(_t["employment_rate"], _t["gva_per_hour"])\n'
             "r_emp_gva_2013 = float(_c.r ** 2)\nci_emp_gva_2013 = (float(_c.ci_low), float(_c.ci_high))",
             "Pearson"),
        ],
        "right": [
            ("arguments the other way round",
             '_fit = measures.correlation(indicators(2013)["gva_per_hour"], indicators(2013)["employment_rate"])\n'
             "r_emp_gva_2013, ci_emp_gva_2013 = float(_fit.r), tuple(float(v) for v in (_fit.ci_low, _fit.ci_high))"),
        ],
    },
    "ex3-zindex-tests": {
        "wrong": [
            ("sample standard deviation",
             _Z + "    total = sum(weights.values())\n    out = 0.0\n    for col, w in weights.items():\n"
             "        v = frame[col].astype(float)\n        out = out + w * (v - v.mean()) / v.std() / total\n"
             "    return out",
             "ddof=0"),
            ("forgot to divide by the sum of weights",
             _Z + "    out = 0.0\n    for col, w in weights.items():\n"
             "        v = frame[col].astype(float)\n        out = out + w * (v - v.mean()) / v.std(ddof=0)\n"
             "    return out",
             "sum of the weights"),
            ("weights ignored",
             _Z + "    z = (frame[list(weights)] - frame[list(weights)].mean()) / frame[list(weights)].std(ddof=0)\n"
             "    return z.mean(axis=1)",
             "weight"),
            ("a DataFrame of z-scores",
             _Z + "    cols = list(weights)\n    z = (frame[cols] - frame[cols].mean()) / frame[cols].std(ddof=0)\n"
             "    return z * pd.Series(weights) / sum(weights.values())",
             "Series"),
            ("a NumPy array",
             "import numpy as np\n\n" + _Z + "    cols = list(weights)\n    x = frame[cols].to_numpy(dtype=float)\n"
             "    w = np.array([weights[c] for c in cols])\n    return ((x - x.mean(axis=0)) / x.std(axis=0)) @ w / w.sum()",
             "Series"),
            ("columns 'a' and 'b' typed in",
             _Z + '    za = (frame["a"] - frame["a"].mean()) / frame["a"].std(ddof=0)\n'
             '    if "b" not in weights:\n        return za\n'
             '    zb = (frame["b"] - frame["b"].mean()) / frame["b"].std(ddof=0)\n'
             '    return (weights["a"] * za + weights["b"] * zb) / (weights["a"] + weights["b"])',
             "other tables"),
        ],
        "right": [
            ("NumPy with the index kept",
             "import numpy as np\n\n" + _Z + "    cols = list(weights)\n    x = frame[cols].to_numpy(dtype=float)\n"
             "    w = np.array([weights[c] for c in cols], dtype=float)\n"
             "    z = (x - x.mean(axis=0)) / x.std(axis=0)\n    return pd.Series(z @ w / w.sum(), index=frame.index)"),
        ],
    },
    "ex4-weights-tests": {
        "wrong": [
            ("nothing moved",
             '_w = dict(equal, median_weekly_pay=3.0)\npay_heavy = measures.rank_changes(table[use], equal, _w)\nmoved = []',
             "change"),
            ("every region",
             '_w = dict(equal, median_weekly_pay=3.0)\npay_heavy = measures.rank_changes(table[use], equal, _w)\n'
             "moved = sorted(str(x) for x in pay_heavy.index)",
             "change"),
            ("employment tripled, not pay",
             '_w = dict(equal, employment_rate=3.0)\npay_heavy = measures.rank_changes(table[use], equal, _w)\n'
             'moved = sorted(str(x) for x in pay_heavy.index[pay_heavy["change"] != 0])',
             "median_weekly_pay"),
            ("not sorted",
             '_w = dict(equal, median_weekly_pay=3.0)\npay_heavy = measures.rank_changes(table[use], equal, _w)\n'
             'moved = [str(x) for x in pay_heavy.index[pay_heavy["change"] != 0]]',
             "sorted"),
            ("ranks, not codes",
             '_w = dict(equal, median_weekly_pay=3.0)\npay_heavy = measures.rank_changes(table[use], equal, _w)\n'
             'moved = sorted(int(x) for x in pay_heavy.loc[pay_heavy["change"] != 0, "rank_to"])',
             "text"),
        ],
        "right": [
            ("query and astype",
             'pay_heavy = measures.rank_changes(table[use], equal, {**equal, "median_weekly_pay": 3.0})\n'
             'moved = sorted(pay_heavy.query("rank_from != rank_to").index.astype(str).tolist())'),
        ],
    },
}
