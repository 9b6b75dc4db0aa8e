"""Lesson 01: typical wrong answers and correct alternatives (see README.md)."""

LESSON = "01-regional-gap"

_ROWS_2019 = 'r = gva[gva["year"] == 2019].set_index("itl_code")["gva_per_hour"]\n'

CASES = {
    "ex1-index-tests": {
        "wrong": [
            ("kept the UK row",
             _ROWS_2019 + 'index_2019 = (r / r["UKX"] * 100)[["UKX", *sorted(itl1["itl_code"].unique())]]',
             "UK row"),
            ("2021 instead of 2019",
             'r = gva[gva["year"] == 2021].set_index("itl_code")["gva_per_hour"]\n'
             'index_2019 = (r / r["UKX"] * 100)[sorted(itl1["itl_code"].unique())]',
             "2019"),
            ("a ratio, not an index",
             _ROWS_2019 + 'index_2019 = (r / r["UKX"])[sorted(itl1["itl_code"].unique())]',
             "multiply by 100"),
            ("the mean of regions as the benchmark",
             'r = itl1[itl1["year"] == 2019].set_index("itl_code")["gva_per_hour"]\n'
             "index_2019 = r / r.mean() * 100",
             "UKX"),
            ("ITL2 areas",
             'r = gva[(gva["year"] == 2019) & (gva["itl_level"] == "ITL2")].set_index("itl_code")["gva_per_hour"]\n'
             'index_2019 = r / float(gva[(gva["year"] == 2019) & (gva["itl_code"] == "UKX")]["gva_per_hour"].iloc[0]) * 100',
             "ITL1"),
        ],
        "right": [
            ("divide by the UKX value",
             'uk = float(gva.query("year == 2019 and itl_code == \'UKX\'")["gva_per_hour"].iloc[0])\n'
             'index_2019 = itl1.query("year == 2019").set_index("itl_code")["gva_per_hour"] / uk * 100'),
        ],
    },
    "ex2-theil-tests": {
        "wrong": [
            ("log base 10",
             "import numpy as np\n\ndef theil_t(values):\n    y = np.asarray(values, dtype=float)\n"
             "    r = y / y.mean()\n    return float(np.mean(r * np.log10(r)))",
             "np.log"),
            ("a sum, not a mean",
             "import numpy as np\n\ndef theil_t(values):\n    y = np.asarray(values, dtype=float)\n"
             "    r = y / y.mean()\n    return float(np.sum(r * np.log(r)))",
             "mean"),
            ("the mean log deviation (Theil L)",
             "import numpy as np\n\ndef theil_t(values):\n    y = np.asarray(values, dtype=float)\n"
             "    return float(np.mean(np.log(y.mean() / y)))",
             "mean log deviation"),
            ("a NumPy float",
             "import numpy as np\n\ndef theil_t(values):\n    y = np.asarray(values, dtype=float)\n"
             "    r = y / y.mean()\n    return np.mean(r * np.log(r))",
             "float"),
            ("calls the course's Theil",
             "def theil_t(values):\n    return float(measures.theil(values))",
             "Theil"),
            ("breaks on a Series with labels",
             "def theil_t(values):\n    import math\n    total = 0.0\n    mean = float(sum(values)) / len(values)\n"
             "    for i in range(len(values)):\n        total += float(values[i]) / mean * math.log(float(values[i]) / mean)\n"
             "    return total / len(values)",
             "position"),
        ],
        "right": [
            ("plain Python with math.log",
             "import math\n\ndef theil_t(values):\n    xs = [float(v) for v in values]\n    mu = sum(xs) / len(xs)\n"
             "    return sum(x / mu * math.log(x / mu) for x in xs) / len(xs)"),
        ],
    },
    "ex3-between-tests": {
        "wrong": [
            (".between instead of .between_share",
             'd = gva[(gva["itl_level"] == "ITL3") & (gva["year"] == 2021)].set_index("itl_code")\n'
             'between_share_2021 = float(measures.theil_decomposition(d["gva_per_hour"], d["itl1_code"]).between)',
             "between_share"),
            ("2019 rows",
             "between_share_2021 = float(by_region.between_share)",
             "2021"),
            ("a percentage",
             'd = gva[(gva["itl_level"] == "ITL3") & (gva["year"] == 2021)].set_index("itl_code")\n'
             'between_share_2021 = float(measures.theil_decomposition(d["gva_per_hour"], d["itl1_code"]).between_share * 100)',
             "fraction"),
            ("grouped by ITL2",
             'd = gva[(gva["itl_level"] == "ITL3") & (gva["year"] == 2021)].set_index("itl_code")\n'
             'between_share_2021 = float(measures.theil_decomposition(d["gva_per_hour"], d.index.str[:4]).between_share)',
             "itl1_code"),
            ("ITL2 areas grouped by region",
             'd = gva[(gva["itl_level"] == "ITL2") & (gva["year"] == 2021)].set_index("itl_code")\n'
             'between_share_2021 = float(measures.theil_decomposition(d["gva_per_hour"], d["itl1_code"]).between_share)',
             "ITL3"),
        ],
        "right": [
            ("query and a groups Series",
             'd = gva.query("itl_level == \'ITL3\' and year == 2021")\n'
             'parts = measures.theil_decomposition(d["gva_per_hour"].to_numpy(), d["itl1_code"].to_numpy())\n'
             "between_share_2021 = float(parts.between / parts.total)"),
        ],
    },
    "ex4-ratios-tests": {
        "wrong": [
            ("2017, the year of the section",
             "max_min_2021 = {k: float(v) for k, v in ratios.items()}",
             "2017"),
            ("min over max",
             'y = gva[gva["year"] == 2021]\n'
             'max_min_2021 = {lv: float(y[y["itl_level"] == lv]["gva_per_hour"].min() / y[y["itl_level"] == lv]["gva_per_hour"].max()) for lv in ["ITL1", "ITL2", "ITL3"]}',
             "largest"),
            ("lower-case keys",
             'y = gva[gva["year"] == 2021]\n'
             'max_min_2021 = {lv.lower(): float(measures.max_min_ratio(y[y["itl_level"] == lv]["gva_per_hour"])) for lv in ["ITL1", "ITL2", "ITL3"]}',
             "keys"),
            ("NumPy floats",
             'y = gva[gva["year"] == 2021]\n'
             'max_min_2021 = {lv: y[y["itl_level"] == lv]["gva_per_hour"].max() / y[y["itl_level"] == lv]["gva_per_hour"].min() for lv in ["ITL1", "ITL2", "ITL3"]}',
             "float"),
            ("p90 / p10 instead of max / min",
             'y = gva[gva["year"] == 2021]\n'
             'max_min_2021 = {lv: float(measures.percentile_ratio(y[y["itl_level"] == lv]["gva_per_hour"], 90, 10)) for lv in ["ITL1", "ITL2", "ITL3"]}',
             "percentiles"),
            ("2019 instead of 2021",
             'y = gva[gva["year"] == 2019]\n'
             'max_min_2021 = {lv: float(measures.max_min_ratio(y[y["itl_level"] == lv]["gva_per_hour"])) for lv in ["ITL1", "ITL2", "ITL3"]}',
             "2021"),
        ],
        "right": [
            ("groupby",
             'g = gva[gva["year"] == 2021].groupby("itl_level")["gva_per_hour"]\n'
             'max_min_2021 = {lv: float(g.max()[lv] / g.min()[lv]) for lv in ("ITL1", "ITL2", "ITL3")}'),
        ],
    },
    "ex5-convergence-tests": {
        "wrong": [
            ("periods=1",
             'a = itl1[itl1["year"] == 2004].set_index("itl_code")["gva_per_hour"]\n'
             'b = itl1[itl1["year"] == 2019].set_index("itl_code")["gva_per_hour"]\n'
             "beta_itl1 = float(measures.beta_convergence(a, b, periods=1).slope)\n"
             "cv_change_itl1 = float(measures.coefficient_of_variation(b) - measures.coefficient_of_variation(a))",
             "periods=15"),
            ("sign-flipped CV change",
             'a = itl1[itl1["year"] == 2004].set_index("itl_code")["gva_per_hour"]\n'
             'b = itl1[itl1["year"] == 2019].set_index("itl_code")["gva_per_hour"]\n'
             "beta_itl1 = float(measures.beta_convergence(a, b, periods=15).slope)\n"
             "cv_change_itl1 = float(measures.coefficient_of_variation(a) - measures.coefficient_of_variation(b))",
             "minus"),
            ("the ITL3 beta of section 6",
             "beta_itl1 = float(fit.slope)\n"
             'a = itl1[itl1["year"] == 2004].set_index("itl_code")["gva_per_hour"]\n'
             'b = itl1[itl1["year"] == 2019].set_index("itl_code")["gva_per_hour"]\n'
             "cv_change_itl1 = float(measures.coefficient_of_variation(b) - measures.coefficient_of_variation(a))",
             "ITL3"),
            ("sample standard deviation for CV",
             'a = itl1[itl1["year"] == 2004].set_index("itl_code")["gva_per_hour"]\n'
             'b = itl1[itl1["year"] == 2019].set_index("itl_code")["gva_per_hour"]\n'
             "beta_itl1 = float(measures.beta_convergence(a, b, periods=15).slope)\n"
             "cv_change_itl1 = float(b.std() / b.mean() - a.std() / a.mean())",
             "ddof=0"),
            ("2021 as the end year",
             'a = itl1[itl1["year"] == 2004].set_index("itl_code")["gva_per_hour"]\n'
             'b = itl1[itl1["year"] == 2021].set_index("itl_code")["gva_per_hour"]\n'
             "beta_itl1 = float(measures.beta_convergence(a, b, periods=17).slope)\n"
             "cv_change_itl1 = float(measures.coefficient_of_variation(b) - measures.coefficient_of_variation(a))",
             "2019"),
        ],
        "right": [
            ("a wide table and population CV by hand",
             'w = itl1.pivot(index="itl_code", columns="year", values="gva_per_hour")\n'
             "beta_itl1 = float(measures.beta_convergence(w[2004], w[2019], periods=2019 - 2004).slope)\n"
             "cv_change_itl1 = float(w[2019].std(ddof=0) / w[2019].mean() - w[2004].std(ddof=0) / w[2004].mean())"),
        ],
    },
}
