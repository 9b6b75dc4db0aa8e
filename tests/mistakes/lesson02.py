"""Lesson 02: typical wrong answers and correct alternatives (see README.md)."""

LESSON = "02-scale-and-long-term"

_INST = '_i = timeline[timeline["kind"] == "institution"]\n'
_SPANS = _INST + 'institution_spans = measures.lifespans(_i["year"], _i["ended_year"], _i["status"], as_of=2025)\n'

CASES = {
    "ex1-lifespans-tests": {
        "wrong": [
            ("every kind of entry",
             'institution_spans = measures.lifespans(timeline["year"], timeline["ended_year"], timeline["status"], as_of=2025)\n'
             'median_completed_years = float(institution_spans.loc[~institution_spans["censored"], "years"].median())',
             "institution"),
            ("completed bodies only",
             _SPANS + 'institution_spans = institution_spans[~institution_spans["censored"]]\n'
             'median_completed_years = float(institution_spans["years"].median())',
             "censored"),
            ("the mean, not the median",
             _SPANS + 'median_completed_years = float(institution_spans.loc[~institution_spans["censored"], "years"].mean())',
             "median"),
            ("a NumPy float",
             _SPANS + 'median_completed_years = institution_spans.loc[~institution_spans["censored"], "years"].median()',
             "float"),
            ("as_of=2024",
             _INST + 'institution_spans = measures.lifespans(_i["year"], _i["ended_year"], _i["status"], as_of=2024)\n'
             'median_completed_years = float(institution_spans.loc[~institution_spans["censored"], "years"].median())',
             "2025"),
        ],
        "right": [
            ("the section's spans and np.median",
             "import numpy as np\ninstitution_spans = spans.copy()\n"
             'median_completed_years = float(np.median(spans.loc[spans["censored"] == False, "years"]))  # noqa: E712'),
        ],
    },
    "ex2-running-tests": {
        "wrong": [
            # (After the London Development Agency correction the 2025 peak is no longer tied, so
            # "the latest tied peak" is no longer a mistake this data can show.)
            ("NumPy integers",
             "running_2019 = running[2019]\npeak_year = int(running.idxmax())",
             "int(...)"),
            ("the peak count, not its year",
             "running_2019 = int(running[2019])\npeak_year = int(running.max())",
             "year"),
            ("starts in 2019, not bodies running",
             'running_2019 = int((known["year"] == 2019).sum())\npeak_year = int(running.idxmax())',
             "running"),
            ("unknown end years counted as running",
             '_c = measures.concurrent(running_kinds["year"], running_kinds["ended_year"], years=range(1998, 2026))\n'
             "running_2019 = int(_c[2019])\npeak_year = int(_c.idxmax())",
             "known"),
        ],
        "right": [
            ("argmax on the array",
             "running_2019 = int(running.loc[2019])\npeak_year = int(running.index[running.to_numpy().argmax()])"),
        ],
    },
    "ex3-spearman-tests": {
        "wrong": [
            ("a single argsort",
             "import numpy as np\n\ndef spearman_rho(x, y):\n    rx = np.argsort(np.asarray(x, dtype=float))\n"
             "    ry = np.argsort(np.asarray(y, dtype=float))\n    n = len(rx)\n"
             "    return float(1 - 6 * np.sum((rx - ry) ** 2) / (n * (n ** 2 - 1)))",
             "argsort"),
            ("n squared in the denominator",
             "import numpy as np\n\ndef spearman_rho(x, y):\n    rx = np.argsort(np.argsort(np.asarray(x)))\n"
             "    ry = np.argsort(np.argsort(np.asarray(y)))\n    n = len(rx)\n"
             "    return float(1 - 6 * np.sum((rx - ry) ** 2) / (n ** 2))",
             "n(n"),
            ("ranks by label on Series",
             "import pandas as pd\n\ndef spearman_rho(x, y):\n    rx = pd.Series(x).rank()\n    ry = pd.Series(y).rank()\n"
             "    n = len(rx)\n    return float(1 - 6 * ((rx - ry) ** 2).sum() / (n * (n ** 2 - 1)))",
             "position"),
            ("scipy",
             "def spearman_rho(x, y):\n    from scipy import stats\n    return float(stats.spearmanr(x, y)[0])",
             "itself"),
            ("a NumPy float",
             "import numpy as np\n\ndef spearman_rho(x, y):\n    rx = np.argsort(np.argsort(np.asarray(x)))\n"
             "    ry = np.argsort(np.argsort(np.asarray(y)))\n    n = len(rx)\n"
             "    return 1 - 6 * np.sum((rx - ry) ** 2) / (n * (n ** 2 - 1))",
             "float"),
        ],
        "right": [
            ("Pearson correlation of the ranks",
             "import numpy as np\n\ndef spearman_rho(x, y):\n"
             "    ranks = [np.argsort(np.argsort(np.asarray(v, dtype=float))) for v in (x, y)]\n"
             "    return float(np.corrcoef(ranks[0], ranks[1])[0, 1])"),
        ],
    },
    "ex4-itl2-tests": {
        "wrong": [
            ("ITL1 from section 5",
             "itl2_rho = float(itl1.spearman)\nitl2_share_changed = float(itl1.share_changed)",
             "ITL2"),
            ("2021 as the end year",
             '_g = course.load("gva_per_hour", level="ITL2")\n'
             '_r = measures.rank_persistence(_g[_g["year"] == 2004].set_index("itl_code")["gva_per_hour"], '
             '_g[_g["year"] == 2021].set_index("itl_code")["gva_per_hour"])\n'
             "itl2_rho = float(_r.spearman)\nitl2_share_changed = float(_r.share_changed)",
             "2019"),
            ("share as a percentage",
             '_g = course.load("gva_per_hour", level="ITL2")\n'
             '_r = measures.rank_persistence(_g[_g["year"] == 2004].set_index("itl_code")["gva_per_hour"], '
             '_g[_g["year"] == 2019].set_index("itl_code")["gva_per_hour"])\n'
             "itl2_rho = float(_r.spearman)\nitl2_share_changed = float(_r.share_changed * 100)",
             "fraction"),
            ("mean places moved, not the share",
             '_g = course.load("gva_per_hour", level="ITL2")\n'
             '_r = measures.rank_persistence(_g[_g["year"] == 2004].set_index("itl_code")["gva_per_hour"], '
             '_g[_g["year"] == 2019].set_index("itl_code")["gva_per_hour"])\n'
             "itl2_rho = float(_r.spearman)\nitl2_share_changed = float(_r.mean_abs_change)",
             "mean_abs_change"),
            ("ITL3 areas",
             '_g = course.load("gva_per_hour", level="ITL3")\n'
             '_r = measures.rank_persistence(_g[_g["year"] == 2004].set_index("itl_code")["gva_per_hour"], '
             '_g[_g["year"] == 2019].set_index("itl_code")["gva_per_hour"])\n'
             "itl2_rho = float(_r.spearman)\nitl2_share_changed = float(_r.share_changed)",
             "ITL2"),
        ],
        "right": [
            ("pandas' Spearman and ranks by hand",
             'w = course.load("gva_per_hour", level="ITL2").pivot(index="itl_code", columns="year", values="gva_per_hour")\n'
             'itl2_rho = float(w[2004].corr(w[2019], method="spearman"))\n'
             "itl2_share_changed = float((w[2004].rank(ascending=False, method='min') != w[2019].rank(ascending=False, method='min')).mean())"),
        ],
    },
    "ex5-starts-tests": {
        "wrong": [
            ("divided by 15 years",
             'starts_split = measures.starts_per_period(running_kinds.loc[running_kinds["year"] >= 1998, "year"], edges=[1998, 2010, 2026])\n'
             'starts_per_year_after = float(starts_split["2010-2025"] / 15)',
             "16"),
            ("the middle edge 2011",
             'starts_split = measures.starts_per_period(running_kinds.loc[running_kinds["year"] >= 1998, "year"], edges=[1998, 2011, 2026])\n'
             "starts_per_year_after = float(starts_split.iloc[-1] / 15)",
             "labelled"),
            ("every kind of entry",
             'starts_split = measures.starts_per_period(timeline.loc[timeline["year"] >= 1998, "year"], edges=[1998, 2010, 2026])\n'
             'starts_per_year_after = float(starts_split["2010-2025"] / 16)',
             "running_kinds"),
            ("integer division",
             'starts_split = measures.starts_per_period(running_kinds.loc[running_kinds["year"] >= 1998, "year"], edges=[1998, 2010, 2026])\n'
             'starts_per_year_after = int(starts_split["2010-2025"]) // 16',
             "float"),
            ("the first period",
             'starts_split = measures.starts_per_period(running_kinds.loc[running_kinds["year"] >= 1998, "year"], edges=[1998, 2010, 2026])\n'
             'starts_per_year_after = float(starts_split["1998-2009"] / 12)',
             "2010-2025"),
        ],
        "right": [
            ("counting by hand",
             '_y = running_kinds["year"]\n'
             'starts_split = pd.Series({"1998-2009": int(((_y >= 1998) & (_y <= 2009)).sum()), '
             '"2010-2025": int(((_y >= 2010) & (_y <= 2025)).sum())})\n'
             "starts_per_year_after = starts_split.iloc[1] / (2025 - 2010 + 1)\n"
             "starts_per_year_after = float(starts_per_year_after)"),
        ],
    },
}
