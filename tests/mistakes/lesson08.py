"""Lesson 08: typical wrong answers and correct alternatives (see README.md)."""

LESSON = "08-capstone"

_TOP = "def top_lqs(code, year, n=3):\n"
_TABLE = '    table = measures.industry_matrix(industry, year=year).drop(index="UK")\n    lq = measures.location_quotient(table, "UKX")\n'

CASES = {
    "ex1-gaps-tests": {
        "wrong": [
            ("the gap to London",
             '_g = measures.gap_to_benchmark(in_2019, "TLI")\ngaps_2019 = {c: float(_g[c]) for c in ["TLD3", "TLG3", "TLE4"]}',
             "London"),
            ("a fraction",
             '_g = measures.gap_to_benchmark(in_2019, "UKX") / 100\ngaps_2019 = {c: float(_g[c]) for c in ["TLD3", "TLG3", "TLE4"]}',
             "multiply by 100"),
            ("2021",
             '_r = gva[gva["year"] == 2021].set_index("itl_code")["gva_per_hour"]\n'
             '_g = measures.gap_to_benchmark(_r, "UKX")\ngaps_2019 = {c: float(_g[c]) for c in ["TLD3", "TLG3", "TLE4"]}',
             "2019"),
            ("names as keys",
             '_g = measures.gap_to_benchmark(in_2019, "UKX")\ngaps_2019 = {CITY_REGIONS[c]: float(_g[c]) for c in ["TLD3", "TLG3", "TLE4"]}',
             "keys"),
            ("South Yorkshire instead of West Yorkshire",
             '_g = measures.gap_to_benchmark(in_2019, "UKX")\ngaps_2019 = {c: float(_g[c]) for c in ["TLD3", "TLG3", "TLE3"]}',
             "TLE4"),
        ],
        "right": [
            ("by hand",
             'gaps_2019 = {}\nfor _c in ("TLE4", "TLG3", "TLD3"):\n'
             '    gaps_2019[_c] = float(100 * (in_2019[_c] - in_2019["UKX"]) / in_2019["UKX"])'),
        ],
    },
    "ex2-lq-tests": {
        "wrong": [
            ("lowest first",
             _TOP + _TABLE + "    return [str(k) for k in lq.loc[code].sort_values().head(n).index]",
             "highest"),
            ("always three",
             _TOP + _TABLE + "    return [str(k) for k in lq.loc[code].sort_values(ascending=False).head(3).index]",
             "n"),
            ("always 2019",
             _TOP + "    return [str(k) for k in lq_2019.loc[code].sort_values(ascending=False).head(n).index]",
             "year"),
            ("industry names",
             _TOP + _TABLE + "    return [str(names[k]) for k in lq.loc[code].sort_values(ascending=False).head(n).index]",
             "section letters"),
            ("always the chosen city region",
             _TOP + _TABLE + "    return [str(k) for k in lq.loc[CITY_REGION].sort_values(ascending=False).head(n).index]",
             "code"),
        ],
        "right": [
            ("shares by hand",
             _TOP + '    rows = industry[(industry["year"] == year) & (industry["industry_level"] == "section")]\n'
             '    wide = rows.pivot_table(index="itl_code", columns="industry_code", values="gva", aggfunc="sum")\n'
             "    shares = wide.div(wide.sum(axis=1), axis=0)\n"
             '    lq = shares.loc[code] / shares.loc["UKX"]\n'
             "    return list(lq.sort_values(ascending=False).index[:n].astype(str))"),
        ],
    },
}
