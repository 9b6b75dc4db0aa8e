"""Lesson 09: typical wrong answers and correct alternatives (see README.md)."""

LESSON = "09-evaluation"


def _did(start="2017", last="2019", extra="", frame="panel"):
    return (f'measures.difference_in_differences({frame}, "gva_per_hour", treated, {start}, '
            f"first_year=2004, last_year={last}{extra}).estimate")


def _placebos(start_range="range(2008, 2015)", body="float(100 * _v)", key="int(_k)", data='panel[panel["year"] <= 2016]'):
    return (f'_pl = measures.placebo_years({data}, "gva_per_hour", treated, {start_range}, '
            "first_year=2004, post_years=3)\n"
            f"placebo_estimates = {{{key}: {body} for _k, _v in _pl.items()}}\n")


_SHARE = "share_as_large = float(np.mean([abs(_v) >= abs(did_2017) for _v in placebo_estimates.values()]))"


def _permutation(count: str, hit: str = "abs(_d) >= abs(_obs) - 1e-12", size: str = "len(treated)",
                 ret: str = "float(_hits / _total)") -> str:
    return (
        "import itertools\n\n\n"
        "def permutation_p_value(changes, treated):\n"
        "    _x = changes.to_numpy(dtype=float)\n"
        "    _in = changes.index.isin(list(treated))\n"
        "    _obs = _x[_in].mean() - _x[~_in].mean()\n"
        "    _hits = _total = 0\n"
        f"    for _combo in itertools.combinations(range(len(_x)), {size}):\n"
        "        _m = np.zeros(len(_x), dtype=bool)\n"
        "        _m[list(_combo)] = True\n"
        f"        if {count}:\n"
        "            _d = _x[_m].mean() - _x[~_m].mean()\n"
        f"            _hits += int({hit})\n"
        "            _total += 1\n"
        f"    return {ret}\n"
    )


def _p(extra: str = "", seed: int = 2017, n: int = 9999, last: int = 2019, tail: str = ".p_value", wrap: str = "float") -> str:
    return ('_ch = measures.area_changes(panel, "gva_per_hour", 2017, first_year=2004, '
            f"last_year={last})\n"
            f"p_2017 = {wrap}(measures.permutation_test(_ch, treated, n_permutations={n}, "
            f"seed={seed}{extra}){tail})")


CASES = {
    "ex1-did-tests": {
        "wrong": [
            ("2020-21 included", f"did_2017 = float(100 * {_did(last='2021')})", "2020 and 2021"),
            ("log points, not % points", f"did_2017 = float({_did()})", "log points"),
            ("pounds, not logs", f"did_2017 = float({_did(extra=', log=False')})", "pounds"),
            ("a NumPy float",
             "_ch = result.changes\ndid_2017 = 100 * (_ch[treated].mean() - _ch[comparison].mean())",
             "plain Python float"),
            ("before from 2008", f"did_2017 = float(100 * {_did().replace('first_year=2004', 'first_year=2008')})",
             "2004-2016"),
            ("every English area as the comparison",
             '_eng = gva[england]\n'
             f"did_2017 = float(100 * {_did(frame='_eng')})",
             "check the groups"),
        ],
        "right": [
            ("by hand with pandas",
             '_logs = panel.assign(_log=np.log(panel["gva_per_hour"]))\n'
             '_before = _logs[_logs["year"].between(2004, 2016)].groupby("itl_code")["_log"].mean()\n'
             '_after = _logs[_logs["year"].between(2017, 2019)].groupby("itl_code")["_log"].mean()\n'
             "_change = _after - _before\n"
             "did_2017 = float(100 * (_change[treated].mean() - _change[comparison].mean()))"),
        ],
    },
    "ex2-placebo-tests": {
        "wrong": [
            ("windows running to 2021",
             "placebo_estimates = {_s: float(100 * " + _did(start="_s", last="2021") + ") for _s in range(2008, 2015)}\n"
             + _SHARE,
             "three after-years"),
            ("log points", _placebos(body="float(_v)") + _SHARE, "log points"),
            ("years as strings", _placebos(key="str(_k)") + _SHARE, "keys 2008"),
            ("2008 to 2013 only", _placebos(start_range="range(2008, 2014)") + _SHARE, "keys 2008"),
            ("a count, not a share",
             _placebos() + "share_as_large = float(sum(abs(_v) >= abs(did_2017) for _v in placebo_estimates.values()))",
             "share of seven"),
            ("signed, not absolute values",
             _placebos() + "share_as_large = float(np.mean([_v >= did_2017 for _v in placebo_estimates.values()]))",
             "abs(value)"),
            ("one year after, not three",
             _placebos().replace("post_years=3", "post_years=1") + _SHARE,
             "three after-years"),
        ],
        "right": [
            ("a loop over the estimates",
             "placebo_estimates = {}\n"
             "for _s in range(2008, 2015):\n"
             "    placebo_estimates[_s] = 100 * float(" + _did(start="_s", last="_s + 2") + ")\n"
             "_big = [_e for _e in placebo_estimates.values() if abs(_e) >= abs(did_2017)]\n"
             "share_as_large = len(_big) / len(placebo_estimates)"),
        ],
    },
    "ex3-permutation-tests": {
        "wrong": [
            ("one-sided", _permutation("True", hit="_d >= _obs - 1e-12"), "one-sided"),
            ("leaving out the observed assignment",
             _permutation("not np.array_equal(_m, _in)"), "left out the observed assignment"),
            ("> instead of >=", _permutation("True", hit="abs(_d) > abs(_obs)"), ">= rather than >"),
            ("always pairs", _permutation("True", size="2"), "len(treated)"),
            ("a NumPy float", _permutation("True", ret="np.float64(_hits / _total)"), "plain Python float"),
            ("calling course",
             "def permutation_p_value(changes, treated):\n"
             "    return float(measures.permutation_test(changes, treated).p_value)\n",
             "enumerate the combinations itself"),
        ],
        "right": [
            ("plain Python over area codes",
             "def permutation_p_value(changes, treated):\n"
             "    import itertools as _it\n\n"
             "    codes = list(changes.index)\n"
             "    whole = sum(float(v) for v in changes)\n"
             "    size, count = len(treated), len(codes)\n\n"
             "    def gap(group):\n"
             "        inside = sum(float(changes[g]) for g in group)\n"
             "        return inside / size - (whole - inside) / (count - size)\n\n"
             "    real = abs(gap(treated))\n"
             "    combos = list(_it.combinations(codes, size))\n"
             "    return sum(abs(gap(c)) >= real - 1e-12 for c in combos) / len(combos)\n"),
        ],
    },
    "ex4-p-tests": {
        "wrong": [
            ("one-sided", _p(extra=', alternative="greater"'), "one-sided"),
            ("the estimate, not the p-value", _p(tail=".estimate"), "between 0 and 1"),
            ("per cent", _p(wrap="100 * float"), "between 0 and 1"),
            ("another seed", _p(seed=0), "seed=2017"),
            ("999 permutations", _p(n=999), "n_permutations=9999"),
            ("changes to 2021", _p(last=2021), "2017-2019"),
        ],
        "right": [
            ("from the section 7 changes",
             "p_2017 = float(measures.permutation_test(result.changes, treated, seed=2017,\n"
             '                                         alternative="two-sided", n_permutations=9999).p_value)'),
        ],
    },
}
