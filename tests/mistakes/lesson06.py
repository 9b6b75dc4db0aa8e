"""Lesson 06: typical wrong answers and correct alternatives (see README.md)."""

LESSON = "06-public-private"

_PUB = '_r = rd[(rd["itl_level"] == "ITL1") & (rd["measure"] == "public_funded_rd") & (rd["year"] == 2022)].set_index("itl_code")["rd_expenditure"]\n'
_BERD = '_b = rd[(rd["itl_level"] == "ITL1") & (rd["measure"] == "berd") & (rd["year"] == 2022)]\n_w = _b.pivot(index="itl_code", columns="release_date", values="rd_expenditure")\n'
_RE = "def reallocate_to(values, recipients, rate):\n    is_r = values.index.isin(recipients)\n"
_GVA = '_g = course.load("gva_itl1", years=2022)\n_g = _g[_g["price_basis"] == "current"].set_index("itl_code")["gva"]\n'
_BERD_NEW = '_bn = rd[(rd["itl_level"] == "ITL1") & (rd["measure"] == "berd") & (rd["year"] == 2022) & (rd["release_date"] == "2024-12-11")].set_index("itl_code")["rd_expenditure"]\n'
_MISSION = '_p = public["rd_expenditure"]\n_out = [c for c in _p.index if c not in gse]\n'

CASES = {
    "ex1-share-tests": {
        "wrong": [
            ("percentages",
             _PUB + "public_share_2022 = _r / _r.sum() * 100",
             "fractions"),
            ("divided by the UK total",
             _PUB + "public_share_2022 = _r / uk_total",
             "sum of the 12 regions"),
            ("kept the UK and England rows",
             '_r = rd[(rd["measure"] == "public_funded_rd") & (rd["year"] == 2022)].set_index("itl_code")["rd_expenditure"]\n'
             "public_share_2022 = _r / _r.sum()",
             "UK"),
            ("financial year 2021",
             '_r = rd[(rd["itl_level"] == "ITL1") & (rd["measure"] == "public_funded_rd") & (rd["year"] == 2021)].set_index("itl_code")["rd_expenditure"]\n'
             "public_share_2022 = _r / _r.sum()",
             "2022"),
            ("business R&D, not public",
             _BERD_NEW + "public_share_2022 = _bn / _bn.sum()",
             "public_funded_rd"),
        ],
        "right": [
            ("by hand with groupby",
             '_q = rd.query("itl_level == \'ITL1\' and measure == \'public_funded_rd\' and year == 2022")\n'
             "public_share_2022 = _q.groupby('itl_code')['rd_expenditure'].sum()\n"
             "public_share_2022 = public_share_2022 / public_share_2022.sum()"),
        ],
    },
    "ex2-revision-tests": {
        "wrong": [
            ("old / new",
             _BERD + 'berd_revision_2022 = (_w["2024-02-27"] / _w["2024-12-11"] - 1) * 100',
             "new / old"),
            ("a fraction",
             _BERD + 'berd_revision_2022 = _w["2024-12-11"] / _w["2024-02-27"] - 1',
             "multiply by 100"),
            ("indexed by name",
             '_b = rd[(rd["itl_level"] == "ITL1") & (rd["measure"] == "berd") & (rd["year"] == 2022)]\n'
             '_w = _b.pivot(index="region", columns="release_date", values="rd_expenditure")\n'
             'berd_revision_2022 = (_w["2024-12-11"] / _w["2024-02-27"] - 1) * 100',
             "ITL1 codes"),
            ("a change in £ million",
             _BERD + 'berd_revision_2022 = _w["2024-12-11"] - _w["2024-02-27"]',
             "per cent"),
        ],
        "right": [
            ("merge the two releases",
             '_b = rd.query("itl_level == \'ITL1\' and measure == \'berd\' and year == 2022")\n'
             '_old = _b[_b["release_date"] == "2024-02-27"].set_index("itl_code")["rd_expenditure"]\n'
             '_new = _b[_b["release_date"] == "2024-12-11"].set_index("itl_code")["rd_expenditure"]\n'
             "berd_revision_2022 = 100 * (_new - _old) / _old"),
        ],
    },
    "ex3-realloc-tests": {
        "wrong": [
            ("an equal split of the cost",
             _RE + "    gain = values[is_r].sum() * rate\n    out = values.astype(float).copy()\n"
             "    out[is_r] = out[is_r] * (1 + rate)\n    out[~is_r] = out[~is_r] - gain / (~is_r).sum()\n    return out",
             "proportion"),
            ("nobody pays (growth)",
             _RE + "    out = values.astype(float).copy()\n    out[is_r] = out[is_r] * (1 + rate)\n    return out",
             "total"),
            ("the payers lose the rate",
             _RE + "    out = values.astype(float).copy()\n    out[is_r] = out[is_r] * (1 + rate)\n"
             "    out[~is_r] = out[~is_r] * (1 - rate)\n    return out",
             "in proportion"),
            ("a NumPy array",
             "import numpy as np\n\n" + _RE + "    gain = values[is_r].sum() * rate\n    payers = values[~is_r].sum()\n"
             "    return np.where(is_r, values * (1 + rate), values * (1 - gain / payers))",
             "Series"),
        ],
        "right": [
            ("np.where inside a Series",
             "import numpy as np\n\n" + _RE + "    gain = float(values[is_r].sum()) * rate\n    keep = 1 - gain / float(values[~is_r].sum())\n"
             "    return pd.Series(np.where(is_r, 1 + rate, keep) * values.to_numpy(dtype=float), index=values.index)"),
        ],
    },
    "ex4-intensity-tests": {
        "wrong": [
            ("a fraction",
             _GVA + _BERD_NEW + "berd_intensity_2022 = _bn / _g",
             "multiply the ratio by 100"),
            ("GVA of 2023",
             '_g = course.load("gva_itl1", years=2023)\n_g = _g[_g["price_basis"] == "current"].set_index("itl_code")["gva"]\n'
             + _BERD_NEW + "berd_intensity_2022 = _bn / _g * 100",
             "2022"),
            ("the older release",
             _GVA + '_bo = rd[(rd["itl_level"] == "ITL1") & (rd["measure"] == "berd") & (rd["year"] == 2022) & (rd["release_date"] == "2024-02-27")].set_index("itl_code")["rd_expenditure"]\n'
             "berd_intensity_2022 = _bo / _g * 100",
             "2024-12-11"),
            ("public R&D, not BERD",
             _GVA + _PUB + "berd_intensity_2022 = _r / _g * 100",
             "BERD"),
        ],
        "right": [
            ("join and divide",
             '_g = course.load("gva_itl1", years=2022).query("price_basis == \'current\'")[["itl_code", "gva"]]\n'
             '_b = rd.query("itl_level == \'ITL1\' and measure == \'berd\' and year == 2022 and release_date == \'2024-12-11\'")[["itl_code", "rd_expenditure"]]\n'
             '_m = _b.merge(_g, on="itl_code").set_index("itl_code")\n'
             'berd_intensity_2022 = 100 * _m["rd_expenditure"] / _m["gva"]'),
        ],
    },
    "ex5-mission-tests": {
        "wrong": [
            ("rate 40 for 40%",
             _MISSION + "gse_share_growth = float(measures.group_share(measures.grow(_p, _out, 40), gse))\n"
             "gse_share_realloc = float(measures.group_share(measures.reallocate(_p, _out, rate=0.4), gse))",
             "0.4"),
            ("growth and reallocation swapped",
             _MISSION + "gse_share_realloc = float(measures.group_share(measures.grow(_p, _out, 0.4), gse))\n"
             "gse_share_growth = float(measures.group_share(measures.reallocate(_p, _out, rate=0.4), gse))",
             "reallocation"),
            ("percentages",
             _MISSION + "gse_share_growth = float(measures.group_share(measures.grow(_p, _out, 0.4), gse) * 100)\n"
             "gse_share_realloc = float(measures.group_share(measures.reallocate(_p, _out, rate=0.4), gse) * 100)",
             "fraction"),
            ("the Greater South East grown",
             _MISSION + "gse_share_growth = float(measures.group_share(measures.grow(_p, gse, 0.4), gse))\n"
             "gse_share_realloc = float(measures.group_share(measures.reallocate(_p, _out, rate=0.4), gse))",
             "outside"),
        ],
        "right": [
            ("by hand",
             _MISSION + "_inside = float(_p[gse].sum())\n_outside = float(_p[_out].sum())\n"
             "gse_share_growth = _inside / (_inside + 1.4 * _outside)\n"
             "gse_share_realloc = (_inside - 0.4 * _outside) / (_inside + _outside)"),
        ],
    },
}
