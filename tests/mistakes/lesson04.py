"""Lesson 04: typical wrong answers and correct alternatives (see README.md)."""

LESSON = "04-clusters"

_LQ = "def my_location_quotient(area, nation):\n"
_GVA_OK = '_f = measures.candidate_clusters(lq_2019_itl2, size_2019, lq_min=1.1, size_min=2000, area="TLD3")\ngm_candidates_gva = list(_f["industry"])\n'
_JOBS_OK = '_f = measures.candidate_clusters(lq_jobs, employees, lq_min=1.1, size_min=20000, area="Greater Manchester")\ngm_candidates_jobs = list(_f["industry"])\n'
_WY = '_s = measures.shift_share(t04.loc["TLE4"], t19.loc["TLE4"], t04.loc["UKX"], t19.loc["UKX"])\n'
_K = "k = measures.krugman_index\n"
_UK_CDCF = '_uk = sub.loc["UKX", "CD-CE"] + sub.loc["UKX", "CF"]\n'

CASES = {
    "ex1-lq-tests": {
        "wrong": [
            ("by position, not label",
             _LQ + "    return (area / area.sum()) / (nation.to_numpy() / nation.sum())",
             "label"),
            ("upside down",
             _LQ + "    nation = nation.reindex(area.index)\n    return (nation / nation.sum()) / (area / area.sum())",
             "upside down"),
            ("counts, not shares",
             _LQ + "    return area / nation.reindex(area.index)",
             "shares"),
            ("a NumPy array",
             _LQ + "    nation = nation.reindex(area.index)\n    return ((area / area.sum()) / (nation / nation.sum())).to_numpy()",
             "Series"),
            ("calls the course",
             _LQ + '    table = pd.DataFrame({"area": area, "nation": nation}).T\n'
             '    return measures.location_quotient(table, "nation").loc["area"]',
             "course"),
        ],
        "right": [
            ("div with alignment",
             _LQ + "    share = area.div(area.sum())\n    return share.div(nation.div(nation.sum())).reindex(area.index)"),
        ],
    },
    "ex2-candidates-tests": {
        "wrong": [
            ("the section's thresholds",
             '_f = measures.candidate_clusters(lq_2019_itl2, size_2019, lq_min=1.25, size_min=1000, area="TLD3")\n'
             'gm_candidates_gva = list(_f["industry"])\n' + _JOBS_OK,
             "thresholds"),
            ("sorted alphabetically",
             _GVA_OK + _JOBS_OK + "gm_candidates_gva = sorted(gm_candidates_gva)",
             "highest LQ"),
            ("jobs with the GVA size threshold",
             _GVA_OK + '_f = measures.candidate_clusters(lq_jobs, employees, lq_min=1.1, size_min=2000, area="Greater Manchester")\n'
             'gm_candidates_jobs = list(_f["industry"])',
             "20,000"),
            ("industry names, not letters",
             _GVA_OK + _JOBS_OK + '_names = jobs.drop_duplicates("industry_code").set_index("industry_code")["industry"]\n'
             "gm_candidates_jobs = [str(_names[s]) for s in gm_candidates_jobs]",
             "section letters"),
            ("West Midlands",
             '_f = measures.candidate_clusters(lq_2019_itl2, size_2019, lq_min=1.1, size_min=2000, area="TLG3")\n'
             'gm_candidates_gva = list(_f["industry"])\n' + _JOBS_OK,
             "another area"),
        ],
        "right": [
            ("filter the LQ table by hand",
             '_lq, _size = lq_2019_itl2.loc["TLD3"], size_2019.loc["TLD3"]\n'
             "gm_candidates_gva = list(_lq[(_lq > 1.1) & (_size >= 2000)].sort_values(ascending=False).index)\n"
             '_lq, _size = lq_jobs.loc["Greater Manchester"], employees.loc["Greater Manchester"]\n'
             "gm_candidates_jobs = list(_lq[(_lq > 1.1) & (_size >= 20000)].sort_values(ascending=False).index)"),
        ],
    },
    "ex3-shift-tests": {
        "wrong": [
            ("wy_adds_up left False",
             _WY + "wy_effects = {k: float(v) for k, v in _s.effects().items()}\nwy_adds_up = False",
             "add up"),
            ("Greater Manchester copied",
             "wy_effects = {k: float(v) for k, v in gm.effects().items()}\nwy_adds_up = True",
             "TLE4"),
            ("years swapped",
             '_s = measures.shift_share(t19.loc["TLE4"], t04.loc["TLE4"], t19.loc["UKX"], t04.loc["UKX"])\n'
             "wy_effects = {k: float(v) for k, v in _s.effects().items()}\nwy_adds_up = True",
             "positive"),
            ("NumPy floats",
             _WY + "wy_effects = dict(_s.effects())\nwy_adds_up = True",
             "float"),
            ("a NumPy bool",
             "import numpy as np\n" + _WY + "wy_effects = {k: float(v) for k, v in _s.effects().items()}\n"
             'wy_adds_up = np.isclose(sum(wy_effects[k] for k in ["national_growth", "industry_mix", "regional_shift"]), wy_effects["change"])',
             "True or False"),
        ],
        "right": [
            ("attributes one by one",
             _WY + 'wy_effects = {"national_growth": float(_s.national_growth), "industry_mix": float(_s.industry_mix),\n'
             '              "regional_shift": float(_s.regional_shift), "change": float(_s.change)}\n'
             'wy_adds_up = bool(round(wy_effects["national_growth"] + wy_effects["industry_mix"] + wy_effects["regional_shift"], 3)'
             ' == round(wy_effects["change"], 3))'),
        ],
    },
    "ex4-krugman-tests": {
        "wrong": [
            ("k_between against the UK",
             _K + 'k_manchester = float(k(table2_2019.loc["TLD3"], table2_2019.loc["UKX"]))\n'
             'k_west_midlands = float(k(table2_2019.loc["TLG3"], table2_2019.loc["UKX"]))\n'
             "k_between = k_manchester\nmore_specialised = \"TLG3\"",
             "k_between"),
            ("2021",
             '_t = measures.industry_matrix(gva2, year=2021).drop(index="UK")\n' + _K
             + 'k_manchester = float(k(_t.loc["TLD3"], _t.loc["UKX"]))\n'
             'k_west_midlands = float(k(_t.loc["TLG3"], _t.loc["UKX"]))\n'
             'k_between = float(k(_t.loc["TLD3"], _t.loc["TLG3"]))\nmore_specialised = "TLG3"',
             "2019"),
            ("the less specialised one",
             _K + 'k_manchester = float(k(table2_2019.loc["TLD3"], table2_2019.loc["UKX"]))\n'
             'k_west_midlands = float(k(table2_2019.loc["TLG3"], table2_2019.loc["UKX"]))\n'
             'k_between = float(k(table2_2019.loc["TLD3"], table2_2019.loc["TLG3"]))\nmore_specialised = "TLD3"',
             "larger"),
            ("names, not codes",
             _K + 'k_manchester = float(k(table2_2019.loc["TLD3"], table2_2019.loc["UKX"]))\n'
             'k_west_midlands = float(k(table2_2019.loc["TLG3"], table2_2019.loc["UKX"]))\n'
             'k_between = float(k(table2_2019.loc["TLD3"], table2_2019.loc["TLG3"]))\nmore_specialised = "West Midlands"',
             "'TLG3'"),
            ("the two areas swapped",
             _K + 'k_manchester = float(k(table2_2019.loc["TLG3"], table2_2019.loc["UKX"]))\n'
             'k_west_midlands = float(k(table2_2019.loc["TLD3"], table2_2019.loc["UKX"]))\n'
             'k_between = float(k(table2_2019.loc["TLD3"], table2_2019.loc["TLG3"]))\nmore_specialised = "TLD3"',
             "Greater Manchester (TLD3)"),
        ],
        "right": [
            ("shares by hand",
             "def _shares(code):\n    row = table2_2019.loc[code]\n    return row / row.sum()\n\n"
             'k_manchester = float((_shares("TLD3") - _shares("UKX")).abs().sum())\n'
             'k_west_midlands = float((_shares("TLG3") - _shares("UKX")).abs().sum())\n'
             'k_between = float((_shares("TLD3") - _shares("TLG3")).abs().sum())\n'
             "more_specialised = max([(k_manchester, 'TLD3'), (k_west_midlands, 'TLG3')])[1]"),
        ],
    },
    "ex5-subsection-tests": {
        "wrong": [
            ("the UK's CD-CE only",
             'cheshire_cdcf_lq = float((sub.loc["TLD6", "CD-CF"] / totals["TLD6"]) / (sub.loc["UKX", "CD-CE"] / totals["UKX"]))',
             "CD-CE + CF"),
            ("shares of manufacturing",
             _UK_CDCF + 'cheshire_cdcf_lq = float((sub.loc["TLD6", "CD-CF"] / table2_2019.loc["TLD6", "C"]) / (_uk / table2_2019.loc["UKX", "C"]))',
             "all industries"),
            ("Greater Manchester",
             _UK_CDCF + 'cheshire_cdcf_lq = float((sub.loc["TLD3", "CD-CF"] / totals["TLD3"]) / (_uk / totals["UKX"]))',
             "TLD6"),
            ("as a percentage",
             _UK_CDCF + 'cheshire_cdcf_lq = float((sub.loc["TLD6", "CD-CF"] / totals["TLD6"]) / (_uk / totals["UKX"]) * 100)',
             "ratio"),
            ("2021",
             '_s = gva2[(gva2["year"] == 2021) & (gva2["industry_level"] == "subsection_of_C")].pivot(index="itl_code", columns="industry_code", values="gva")\n'
             '_tot = measures.industry_matrix(gva2, year=2021).drop(index="UK").sum(axis=1)\n'
             'cheshire_cdcf_lq = float((_s.loc["TLD6", "CD-CF"] / _tot["TLD6"]) / ((_s.loc["UKX", "CD-CE"] + _s.loc["UKX", "CF"]) / _tot["UKX"]))',
             "2019"),
        ],
        "right": [
            ("sum of a selection",
             '_uk = sub.loc["UKX", ["CD-CE", "CF"]].sum() / totals["UKX"]\n'
             'cheshire_cdcf_lq = float(sub.at["TLD6", "CD-CF"] / totals.at["TLD6"] / _uk)'),
        ],
    },
}
