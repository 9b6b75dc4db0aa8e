"""Lesson 00: typical wrong answers and correct alternatives (see README.md)."""

LESSON = "00-orientation"

CASES = {
    "ex1-count-tests": {
        "wrong": [
            ("counted rows, not areas",
             'gva = course.load("gva_per_hour", level="ITL2")\nn_itl2 = len(gva)',
             "counted rows"),
            ("wrong level: ITL1",
             'gva = course.load("gva_per_hour", level="ITL1")\nn_itl2 = int(gva["itl_code"].nunique())',
             "ITL1"),
            ("wrong level: ITL3",
             'gva = course.load("gva_per_hour", level="ITL3")\nn_itl2 = int(gva["itl_code"].nunique())',
             "ITL3"),
            ("every level counted",
             'gva = course.load("gva_per_hour")\nn_itl2 = int(gva["itl_code"].nunique())',
             "level='ITL2'"),
            ("a float count",
             'gva = course.load("gva_per_hour", level="ITL2")\nn_itl2 = float(gva["itl_code"].nunique())',
             "whole number"),
        ],
        "right": [
            ("a set of codes",
             'n_itl2 = len(set(course.load("gva_per_hour", level="ITL2")["itl_code"]))'),
            ("one year's rows",
             'g = course.load("gva_per_hour", level="ITL2", years=2021)\nn_itl2 = len(g)'),
        ],
    },
    "ex2-growth-tests": {
        "wrong": [
            ("a ratio, not a percentage",
             'r = course.load("gva_per_hour", codes="TLM").set_index("year")["gva_per_hour"]\n'
             "scotland_growth = float(r[2021] / r[2004])",
             "ratio"),
            ("a fraction, not a percentage",
             'r = course.load("gva_per_hour", codes="TLM").set_index("year")["gva_per_hour"]\n'
             "scotland_growth = float(r[2021] / r[2004] - 1)",
             "fraction"),
            ("forgot to subtract 1",
             'r = course.load("gva_per_hour", codes="TLM").set_index("year")["gva_per_hour"]\n'
             "scotland_growth = float(r[2021] / r[2004] * 100)",
             "subtract 1"),
            ("off-by-one start year",
             'r = course.load("gva_per_hour", codes="TLM").set_index("year")["gva_per_hour"]\n'
             "scotland_growth = float((r[2021] / r[2005] - 1) * 100)",
             "2004"),
            ("end year 2020",
             'r = course.load("gva_per_hour", codes="TLM").set_index("year")["gva_per_hour"]\n'
             "scotland_growth = float((r[2020] / r[2004] - 1) * 100)",
             "2021"),
            ("the UK, not Scotland",
             'r = course.load("gva_per_hour", codes="UKX").set_index("year")["gva_per_hour"]\n'
             "scotland_growth = float((r[2021] / r[2004] - 1) * 100)",
             "Scotland"),
            ("a change in pounds",
             'r = course.load("gva_per_hour", codes="TLM").set_index("year")["gva_per_hour"]\n'
             "scotland_growth = float(r[2021] - r[2004])",
             "per cent"),
        ],
        "right": [
            ("pct_change over the span",
             's = course.load("gva_per_hour", codes="TLM", years=[2004, 2021]).sort_values("year")\n'
             'scotland_growth = float(s["gva_per_hour"].pct_change().iloc[-1] * 100)'),
            ("from the existing frame",
             'first, last = scotland.set_index("year").loc[[2004, 2021], "gva_per_hour"]\n'
             "scotland_growth = float(100 * (last - first) / first)"),
        ],
    },
}
