"""Write lessons/09-evaluation/09-evaluation.ipynb (a maintainer tool; run from the repo root).

    python tools/lesson09.py

The hidden tests embed expected values fixed when the lesson is written (never recomputed in the
student's kernel); this script computes them from the datasets with ``course`` and writes them
as literals. tests/expected/lesson09.py recomputes each one independently, and
tests/test_lessons_expected.py checks that they still agree.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import course  # noqa: E402
from course import measures  # noqa: E402
from tools.nb import Notebook  # noqa: E402

LESSON = "09-evaluation"
OUT = REPO / "lessons" / LESSON / f"{LESSON}.ipynb"

# ------------------------------------------------------------------------------------------
# The numbers the hidden tests embed (computed as the solutions compute them)
# ------------------------------------------------------------------------------------------
gva = course.load("gva_per_hour", level="ITL3")
areas = course.load("mayoral_itl_areas")
TREATED = sorted(areas.loc[areas["first_mayoral_election"] == 2017, "itl_code"])
england = gva["itl1_code"].isin(["TLC", "TLD", "TLE", "TLF", "TLG", "TLH", "TLJ", "TLK"])
COMPARISON = sorted(set(gva.loc[england, "itl_code"]) - set(areas["itl_code"]))
panel = gva[gva["itl_code"].isin(TREATED + COMPARISON)]


def did(start, last, log=True, frame=panel):
    return measures.difference_in_differences(frame, "gva_per_hour", TREATED, start,
                                              first_year=2004, last_year=last, log=log)


DID_2017 = 100 * did(2017, 2019).estimate
DID_2021 = 100 * did(2017, 2021).estimate
DID_LEVELS = did(2017, 2019, log=False).estimate
PLACEBO = {s: 100 * did(s, s + 2, frame=panel[panel["year"] <= 2016]).estimate
           for s in range(2008, 2015)}
WRONG_2014 = 100 * did(2014, 2021).estimate
SHARE_AS_LARGE = sum(abs(v) >= abs(DID_2017) for v in PLACEBO.values()) / len(PLACEBO)
CHANGES = did(2017, 2019).changes
P_2017 = measures.permutation_test(CHANGES, TREATED, n_permutations=9999, seed=2017).p_value
P_2017_GREATER = measures.permutation_test(CHANGES, TREATED, n_permutations=9999, seed=2017,
                                           alternative="greater").p_value
ONE_SIDED_CHECK = "" if abs(P_2017_GREATER - P_2017) < 1e-12 else (
    f"assert abs(p_2017 - {round(P_2017_GREATER, 10)}) > 1e-12, (\n"
    "    \"p_2017 is the one-sided ('greater') p-value: use the default alternative='two-sided'.\")\n")

FRESH_PERMUTATION = [
    ({"a": 3.0, "b": 2.0, "c": 1.0, "d": 0.0}, ["a", "b"]),
    ({"p": 0.5, "q": -0.2, "r": 0.1, "s": 0.9, "t": -0.4, "u": 0.3}, ["s", "p"]),
    ({"w1": 1.2, "w2": 0.7, "w3": 1.9, "w4": -0.3, "w5": 0.4, "w6": 1.1, "w7": 0.0,
      "w8": 0.8}, ["w3", "w1", "w6"]),
    ({"x": 5.0, "y": 5.0, "z": 1.0}, ["z"]),
]


def exact_p(values: dict, treated: list) -> float:
    """The exact two-sided permutation p-value, by enumeration (independent of course)."""
    keys = list(values)
    x = np.array([values[k] for k in keys])
    k = len(treated)
    observed = np.mean([values[t] for t in treated]) - np.mean(
        [values[u] for u in keys if u not in treated])
    null = [x[list(c)].mean() - np.delete(x, list(c)).mean()
            for c in itertools.combinations(range(len(keys)), k)]
    return float(np.mean([abs(d) >= abs(observed) - 1e-12 for d in null]))


EXPECTED_FRESH = {repr((v, t)): exact_p(v, t) for v, t in FRESH_PERMUTATION}


def r(x: float, n: int = 10) -> float:
    return round(float(x), n)


# ------------------------------------------------------------------------------------------
# The notebook
# ------------------------------------------------------------------------------------------
nb = Notebook()
nb.md("""
# Lesson 09 · Did it work, and how would we know?

**Time:** about 90 minutes · **Article:** lesson 3 of *Place-Based Industrial Policy: Six Lessons for
the UK* (The Productivity Institute, 2025) — "rigorous evaluation can identify its flaws and
successes. These lessons can then feed back into the design of the strategy" — and the debate about
place-based policy itself.

**By the end you can:**
1. **explain** the economists' case against place-based policy (spatial equilibrium, sorting,
   displacement) and the case for it, and say where the article stands;
2. **summarise** what the UK's own evaluations of Regional Development Agencies, the Regional Growth
   Fund and Enterprise Zones found;
3. **compute** a naive difference-in-differences from a panel of areas, after checking the
   parallel-trends chart;
4. **test** it with placebo start years and a permutation test across areas, and **implement** the
   permutation test yourself;
5. **judge** what such an estimate can and cannot show.
""")
nb.md("""
## The hook

In May 2017 six English city regions elected their first "metro mayors": Greater Manchester, the
Liverpool City Region, the West Midlands, Tees Valley, Cambridgeshire and Peterborough, and the West
of England (`mayoral_authorities`). Mayors were meant to give places the leadership and capacity the
article asks for. Did productivity in those places then grow faster than elsewhere?

The article's own evidence is its US case studies, and their "recent successes" are recent indeed:
the Build Back Better Regional Challenge awards were made in September 2022, the Tech Hub designations
in October 2023 (Manchester, New Hampshire's implementation award in July 2024), the NSF Engines
(Binghamton's among them) in January 2024 and the Recompete awards (Birmingham, Alabama's among them)
in August 2024 (`bbbrc_winners`, `tech_hubs_awards`, `nsf_engines`, `recompete`). **No outcome
evidence exists for any of them yet**: they are successes in winning and organising, not (yet) in
raising productivity or employment.

> **Question for this lesson:** how would we know whether a place-based policy worked, and what do
> the economists who doubt it say?
""")
nb.md("""
## 1. The model before the data: people, places and prices

Economists start from **spatial equilibrium** (Glaeser and Gottlieb 2008). If people can move,
they move until no place is better than another *for the marginal mover*: high wages come with high
rents or poor amenities. In a simple version, a worker in place $i$ gets

$$u_i = w_i - r_i + a_i \\qquad \\text{(wage } - \\text{ housing cost } + \\text{ amenities)}$$

and mobility makes $u_i$ the same everywhere. Three consequences follow.

1. **Incidence.** Raise wages in one place with a subsidy and people move in until rents rise. If
   housing cannot expand, the gain goes to **landowners**, not workers (Kline and Moretti 2014 work
   through who gains). A place can get richer while its original residents gain little.
2. **Sorting versus place effects.** Productive places may be productive because of *who works there*
   (skills, occupations), not because of the place. Gibbons, Overman and Pelkonen (2014) found that
   most of the wage gap between British areas reflects individual characteristics; in their preferred
   specification area effects explain less than 1% of overall wage variation. Moving people between
   places then moves the gaps without changing what any person earns.
3. **Displacement.** Activity drawn into a subsidised zone may simply leave a neighbouring one: the
   zone gains, the country does not.

Hence the traditional preference for **people-based** policy (skills, income support, help to move),
which follows people wherever they go.
""")
nb.md("""
**The case for place.** Austin, Glaeser and Summers (2018) argue that the old scepticism needs
rethinking: convergence between US regions has stalled, joblessness is concentrated in particular
places, and extra labour demand raises employment more where non-employment is high, so
employment subsidies tilted towards such places could do more good per pound. Kline and Moretti
(2014) add that agglomeration gains and local market failures can justify place-based policy,
though only where the gains are not just moved from one place to another.

**Where the article stands.** It argues for place-based industrial policy done at scale and over the
long term, built on five conditions it finds behind the US cases (a shared economic identity, civic
leadership, strong local institutions with policymaking capacity, sustained central–local
partnerships and a pipeline of viable projects), and it asks for "rigorous evaluation" that feeds
back into design. The critics do not say that places never matter; they ask whether a policy creates
activity or moves it, and who ends up with the gain. An evaluation is where the two sides meet.
""")
nb.md("""
## 2. What the UK's own evaluations found

| policy | what was found | source |
| --- | --- | --- |
| Regional Development Agencies (1999–2012) | An evaluation for the business department reported that, over 2002-03 to 2006-07, every £1 of evaluated spending (£5.1 billion) added about £4.50 of GVA; the National Audit Office later said it could not conclude that the agencies had secured as much benefit as they should, because weak appraisal and evaluation meant they might not have backed the best projects, and noted that their reported 413,000 jobs were gross, not net of what would have happened anyway. | PricewaterhouseCoopers for BERR (March 2009), *Impact of RDA spending*, as summarised by the Northwest RDA; National Audit Office (2010), *Regenerating the English Regions* |
| Regional Growth Fund (2010–) | The first £1.4 billion was expected to create about 41,000 net additional private-sector jobs, about £33,000 per job, with the cost per job ranging from under £4,000 to over £200,000 between projects; more than two thirds of the jobs were expected indirectly, and "rigorous evaluation will be required" to know the real impact. | National Audit Office (May 2012), *The Regional Growth Fund* |
| Enterprise Zones and other area-based initiatives | Of more than 2,100 evaluations and reviews, 58 met the Centre's minimum standards. A little over half found positive effects on employment in the zones; displacement from neighbouring areas is the central concern. An updated rapid review found a smaller share of positive results for employment and wages, confirmed that displacement can be an issue and that local residents do not always benefit. | What Works Centre for Local Economic Growth, *Area Based Initiatives* evidence review (2016) and *Are we too harsh on enterprise zones?* (rapid review update) |

Note the pattern: **gross** outputs (jobs "created or safeguarded", £ per £) are easy to count; the
**net, additional** effect needs a comparison with what would have happened anyway. That comparison
is what the rest of this lesson builds, with the data the course holds.
""")
nb.md("""
## 3. The data: which areas got a mayor in 2017?

ONS publishes productivity for ITL3 areas (ITL: International Territorial Level), not for combined
authorities, and the course holds no official lookup between them. The course therefore builds one,
labelled **derived**: each authority's constituent councils come from its establishing Order
(legislation.gov.uk), each ITL3 area's name from ONS, and a `match` column says how good the fit is.
""")
nb.code("""
import numpy as np
import pandas as pd

import course
from course import charts, measures

course.setup()
areas = course.load("mayoral_itl_areas")
print(course.cite("mayoral_itl_areas"))
areas[areas["first_mayoral_election"] == 2017][["authority", "itl_code", "region", "match"]]
""")
nb.md("""
Read the `match` column before using any of it. Two mismatches matter:

- **West of England**: ITL3 area TLK12 also contains **North Somerset**, which declined to join the
  authority, so the mapped area is larger than the authority.
- **Liverpool City Region**: the authority includes **Halton**, which is not in the metropolitan county of
  Merseyside; which ITL3 area Halton sits in is not established by any source in the course (the
  `notes` say so). **Tees Valley**'s South Teesside is assigned by elimination.

The treated group is every ITL3 area of the six 2017 authorities: 23 areas.
""")
nb.code("""
gva = course.load("gva_per_hour", level="ITL3")
treated = sorted(areas.loc[areas["first_mayoral_election"] == 2017, "itl_code"])
england = gva["itl1_code"].isin(["TLC", "TLD", "TLE", "TLF", "TLG", "TLH", "TLJ", "TLK"])
comparison = sorted(set(gva.loc[england, "itl_code"]) - set(areas["itl_code"]))
panel = gva[gva["itl_code"].isin(treated + comparison)]
print(len(treated), "treated areas;", len(comparison), "comparison areas")
""")
nb.md("""
The **comparison group** is every ITL3 area in England outside London (the Greater London Authority
has had a mayor since 2000) and outside every area that got a mayor later (South Yorkshire 2018,
North of Tyne 2019, West Yorkshire 2021). Scotland, Wales and Northern Ireland are left out: they
have their own devolved governments and development bodies, a different "policy" altogether.
""")
nb.md("""
## 4. Parallel trends first

The comparison group stands in for what would have happened to the treated areas without mayors.
That is only plausible if the two groups **moved in parallel before 2017**. Take each group's mean
log GVA per hour by year, set it to zero in 2016 (×100, so 10 is roughly 10% growth since 2016), and
plot the **gap** between the groups: parallel trends would make it flat before 2017.
""")
nb.code("""
trends = measures.group_trends(panel, "gva_per_hour", treated, base_year=2016,
                               labels=("2017 mayoral areas", "comparison areas"), difference="gap")
gap = trends[trends["group"] == "gap"]
charts.time_series(
    gap, "value", benchmark=0, y_title="Treated minus comparison (log points x 100)",
    title="The gap was not flat before 2017: the mayoral areas caught up, then fell back",
    subtitle="Mean log GVA per hour, 2017 mayoral areas minus comparison areas, 2016 = 0 (ITL3)",
    description=("Line chart of the difference in mean log GVA per hour worked (x 100) between "
                 "the 23 ITL3 areas of the six 2017 mayoral combined authorities and 81 English "
                 "comparison areas, 2004 to 2021, set to zero in 2016. It falls from about -3 in "
                 "2004 to about -5 in 2008, rises to 0 by 2016, then falls to about -5 in 2019."),
)
""")
nb.code("""
trends.pivot(index="year", columns="group", values="value").round(2)
""")
nb.md("""
The trends were **not** parallel. From 2008 to 2016 the 2017 mayoral areas gained about five points on
the comparison areas; after 2017 they lost about as much by 2019. So the "before" period you choose
decides the answer, and a naive estimate that averages 2004–2016 mixes a period when the treated areas
were behind with one when they had caught up. Note too the jump in both groups in **2020** (see the
table): in the pandemic hours fell more than output, so 2020–21 say little about policy.
""")
nb.md("""
## 5. A naive difference-in-differences

For each area take the mean of log GVA per hour **after** (2017–2019, stopping before the pandemic)
minus its mean **before** (2004–2016). Then

$$\\widehat{\\delta} = \\big(\\overline{\\Delta}_{\\text{treated}}\\big) - \\big(\\overline{\\Delta}_{\\text{comparison}}\\big)$$

The comparison group's change removes what happened everywhere (inflation, the national cycle); what
is left is the treated areas' *extra* change, in log points (×100 ≈ %).
""")
nb.code("""
result = measures.difference_in_differences(panel, "gva_per_hour", treated, 2017,
                                            first_year=2004, last_year=2019)
print(result.summary())
print(f"in % points: {100 * result.estimate:+.2f}")
""")
nb.md("""
The estimate is below one percentage point, and negative. Before reading anything into it, ask the
two questions every evaluation must answer: would an estimate this size turn up **in years when
nothing happened**, and **in areas that got no mayor**?
""")
nb.md("""
## 6. Placebo years

Pretend the policy started in 2008, 2009, …, 2014, with three "after" years each, using only data up
to 2016 (so no window touches the real start). If the placebo estimates are often as large as the real
one, the real one is not remarkable.
""")
nb.code("""
before_2017 = panel[panel["year"] <= 2016]
placebos = 100 * measures.placebo_years(before_2017, "gva_per_hour", treated,
                                        range(2008, 2015), first_year=2004, post_years=3)
placebos.round(2)
""")
nb.code("""
bars = pd.DataFrame({"start": [str(s) for s in placebos.index] + ["2017 (real)"],
                     "estimate": [*placebos.to_numpy(), 100 * result.estimate]})
charts.ranked_bars(
    bars, "estimate", "start", highlight=["2017 (real)"], benchmark=0,
    benchmark_label="no difference",
    title="Most placebo years give larger estimates than the real start",
    subtitle="Difference-in-differences, % points of log GVA per hour; placebo starts 2008-2014",
    description=("Bar chart of difference-in-differences estimates for pretend start years 2008 "
                 "to 2014 and for the real start in 2017, ranked. The placebo estimates are "
                 "positive, from about +0.3 to +2.2 % points; the real one is about -0.8."),
    value_title="% points", value_format="+.2f",
)
""")
nb.md("""
The placebo estimates are positive because of the catch-up before 2017: the design finds "effects"
where there was no policy, which is exactly what a placebo test is for. Six of the seven are larger
in size than the real estimate.
""")
nb.md("""
## 7. Permutation inference: would any 23 areas do?

The permutation test asks the second question. If mayors made no difference anywhere, the label
"treated" is arbitrary: any set of 23 of these areas was as likely to show the observed difference.
Draw many random sets of 23, compute the same difference for each, and see where the real one falls.
The **p-value** is the share of random sets at least as far from zero as the real one.

This needs no assumption that the areas are a sample from a bigger population: they are all the
English ITL3 areas there are. One caution: treatment came by authority, not by area, and
neighbouring areas move together, so random sets of single areas understate how much whole
city regions can move by chance.
""")
nb.code("""
changes = result.changes
test = measures.permutation_test(changes, treated, n_permutations=9999, seed=2017)
print(f"estimate {100 * test.estimate:+.2f} % points; two-sided p = {test.p_value:.3f} "
      f"from {test.n:,} random sets")
print("middle 95% of random sets:", np.percentile(100 * test.distribution, [2.5, 97.5]).round(2))
""")
nb.md("""
## 8. When the areas are the population: bootstrap or permutation?

A **bootstrap** resamples the areas with replacement and reports the spread of the statistic: it
imagines the areas as a sample from a larger population. With all 12 UK regions, or all English
ITL3 areas, there is no larger population, and the bootstrap interval describes how much the answer
depends on which areas happen to be in the data. The **permutation** question — could an arbitrary
assignment have produced this? — fits a fixed set of places better. Compare the two on the
difference-in-differences:
""")
nb.code("""
boot = measures.bootstrap_difference(changes, treated, n_resamples=4999, seed=2017)
print(f"bootstrap 95% interval: {100 * boot.ci_low:+.2f} to {100 * boot.ci_high:+.2f} % points")
""")
nb.md("""
The same tools work for the 12 regions of lesson 01. Is the link between a region's 2004 level and its
growth to 2019 (beta convergence) stronger than random pairings of the same numbers?
""")
nb.code("""
itl1 = course.load("gva_per_hour", level="ITL1").set_index(["itl_code", "year"])["gva_per_hour"]
start_2004 = np.log(itl1.xs(2004, level="year"))
growth = (np.log(itl1.xs(2019, level="year")) - start_2004) / 15
corr = measures.permutation_correlation(start_2004, growth, n_permutations=9999, seed=1)
print(f"r = {corr.estimate:+.2f}; permutation p = {corr.p_value:.2f} (12 regions)")
""")
nb.md("""
The correlation is small and positive (lesson 01 found no convergence between the regions), and
random pairings of the same numbers give one at least this far from zero about two times in three.
With 12 regions a correlation has to be large before it stands out: say so whenever a regional
correlation is reported.
""")
nb.md("""
## 9. Explore

The placebo explorer repeats the whole analysis for any choice. It computes everything with
`course.measures`, as you did above, with 999 random sets for speed.

1. Keep the six 2017 authorities and move the **start year** to 2012 or 2014: is the placebo estimate
   smaller than the 2017 one? Where does it fall in the permutation distribution?
2. Set the start to 2017 and **post-years** to 5 (2017–2021): what do the pandemic years do?
3. Treat only **West Yorkshire** (first mayor 2021) with the start at 2017: a mayor who did not exist
   yet. What does that say about reading any single estimate?
""")
nb.code("""
from widgets import PlaceboExplorer

PlaceboExplorer(start=2017, post_years=3, comparison="england_no_mayor")
""")
nb.md("""
## Exercises

Write your answer where it says `YOUR CODE HERE`, run the cell, then run the test cell below it. The
visible tests tell you what is wrong in words; more tests run when your work is graded, on other
inputs, so make your code general rather than typing in numbers. Use `panel`, `treated` and
`comparison` from section 3.
""")
nb.md("""
### Exercise 9.1 · The estimate (2 points)

Compute `did_2017`: the difference-in-differences of **log** GVA per hour for the 2017 mayoral areas
against the comparison areas, before = **2004–2016**, after = **2017–2019**, in **% points** (100 times
the difference in log points), as a Python `float`. You may use `measures.difference_in_differences`
or pandas.
""")
nb.solution("ex1-did", """
### BEGIN SOLUTION
did_2017 = float(100 * measures.difference_in_differences(
    panel, "gva_per_hour", treated, 2017, first_year=2004, last_year=2019).estimate)
### END SOLUTION
""")
nb.tests("ex1-did-tests", f"""
from course.checks import check_number, passed

check_number(did_2017, "did_2017", low=-20.0, high=20.0,
             hint="It is a difference of % changes: a few % points at most.")
assert abs(did_2017 - {r(DID_2021, 6)}) > 1e-6, (
    "did_2017 includes 2020 and 2021: stop the after-period at 2019 (last_year=2019), before the "
    "pandemic distorted hours.")
assert not 0 < abs(did_2017) < 0.05, (
    "did_2017 looks like log points, not % points: multiply the difference of mean logs by 100.")
assert abs(did_2017 - {r(DID_LEVELS, 6)}) > 1e-6, (
    "did_2017 is in pounds per hour: use logs of GVA per hour (log=True), then multiply by 100.")
passed("did_2017")
### BEGIN HIDDEN TESTS
EXPECTED_DID_2017 = {r(DID_2017)}  # expected: {LESSON}/did_2017
assert type(did_2017) is float, "did_2017 must be a Python float (wrap it in float(...))."
assert abs(did_2017 - EXPECTED_DID_2017) < 1e-6, (
    "did_2017 does not match: check the groups (treated, comparison), the years (2004-2016 before, "
    "2017-2019 after) and that you used logs x 100.")
### END HIDDEN TESTS
""", points=2)
nb.md("""
### Exercise 9.2 · Placebo years (2 points)

Build `placebo_estimates`: a **dict** whose keys are the placebo start years **2008 to 2014** (Python
ints) and whose values are the difference-in-differences in % points (Python floats), each with
three after-years and using only data up to **2016**. Then compute `share_as_large`: the share (a
float between 0 and 1) of those seven placebo estimates whose absolute value is at least the
absolute value of `did_2017`.
""")
nb.solution("ex2-placebo", """
### BEGIN SOLUTION
_placebo = measures.placebo_years(panel[panel["year"] <= 2016], "gva_per_hour", treated,
                                  range(2008, 2015), first_year=2004, post_years=3)
placebo_estimates = {int(k): float(100 * v) for k, v in _placebo.items()}
share_as_large = float(np.mean([abs(v) >= abs(did_2017) for v in placebo_estimates.values()]))
### END SOLUTION
""")
nb.tests("ex2-placebo-tests", f"""
from course.checks import check_number, check_type, passed

check_type(placebo_estimates, dict, "placebo_estimates")
assert sorted(placebo_estimates) == list(range(2008, 2015)), (
    f"placebo_estimates should have the keys 2008, ..., 2014 (ints); it has {{sorted(placebo_estimates)}}")
for _year, _value in placebo_estimates.items():
    check_number(_value, f"placebo_estimates[{{_year}}]", low=-20.0, high=20.0,
                 hint="Give % points (x 100), like did_2017.")
assert abs(placebo_estimates[2014] - {r(WRONG_2014, 6)}) > 1e-6, (
    "placebo_estimates[2014] uses 2014-2021 as the after-period: give each placebo three "
    "after-years (2014-2016), so that no window reaches the real start in 2017.")
assert not all(0 < abs(_v) < 0.05 for _v in placebo_estimates.values()), (
    "placebo_estimates look like log points, not % points: multiply each estimate by 100.")
assert len({{round(_v, 9) for _v in placebo_estimates.values()}}) > 1, (
    "All your placebo estimates are equal: did you reuse one start year for every key?")
check_number(share_as_large, "share_as_large", low=0.0, high=1.0,
             hint="A share of seven estimates: 0, 1/7, 2/7, ... or 1.")
passed("placebo_estimates and share_as_large")
### BEGIN HIDDEN TESTS
EXPECTED_PLACEBO = {{{", ".join(f"{k}: {r(v)}" for k, v in PLACEBO.items())}}}  # expected: {LESSON}/placebo_estimates
EXPECTED_SHARE_AS_LARGE = {r(SHARE_AS_LARGE)}  # expected: {LESSON}/share_as_large
assert type(placebo_estimates) is dict, "placebo_estimates must be a dict."
for _k, _v in EXPECTED_PLACEBO.items():
    assert type(placebo_estimates[_k]) is float, (
        "Every value of placebo_estimates must be a Python float (wrap each in float(...)).")
    assert abs(placebo_estimates[_k] - _v) < 1e-6, (
        "A placebo estimate does not match: for each start year use data up to 2016 only, "
        "before = 2004 to the year before the start, three after-years, logs and % points.")
assert type(share_as_large) is float, "share_as_large must be a Python float."
assert abs(share_as_large - EXPECTED_SHARE_AS_LARGE) < 1e-9, (
    "share_as_large does not match: count placebo estimates with abs(value) >= abs(did_2017), "
    "divided by 7.")
### END HIDDEN TESTS
""", points=2)
nb.md("""
### Exercise 9.3 · Write the permutation test yourself (3 points)

Define `permutation_p_value(changes, treated)`. `changes` is a pandas **Series** of numbers indexed
by area code; `treated` is a list of some of those codes. Return, as a Python `float`, the **exact
two-sided** permutation p-value: over **every** way to choose `len(treated)` areas from
`changes` (use `itertools.combinations`), the share whose difference (mean of the chosen minus mean
of the rest) is at least as far from zero as the real treated group's, counting the real group.
Compare with a tolerance (`>= abs(observed) - 1e-12`) so equal differences count despite rounding.
Use NumPy or plain Python, not `course` or SciPy.
""")
nb.solution("ex3-permutation", """
import itertools


def permutation_p_value(changes, treated):
    ### BEGIN SOLUTION
    values = np.asarray(changes, dtype=float)
    chosen = np.asarray(changes.index.isin(list(treated)))
    observed = values[chosen].mean() - values[~chosen].mean()
    hits = total = 0
    for combo in itertools.combinations(range(values.size), int(chosen.sum())):
        mask = np.zeros(values.size, dtype=bool)
        mask[list(combo)] = True
        difference = values[mask].mean() - values[~mask].mean()
        hits += abs(difference) >= abs(observed) - 1e-12
        total += 1
    return float(hits / total)
    ### END SOLUTION
""")
nb.tests("ex3-permutation-tests", f"""
from course.checks import check_close, check_function, check_type, passed

check_function(permutation_p_value, "permutation_p_value")
_small = pd.Series({{"a": 3.0, "b": 2.0, "c": 1.0, "d": 0.0}})
_p = permutation_p_value(_small, ["a", "b"])
check_type(_p, float, 'permutation_p_value(_small, ["a", "b"])')
_p_low = permutation_p_value(_small, ["c", "d"])
check_type(_p_low, float, 'permutation_p_value(_small, ["c", "d"])')
assert not (abs(_p - 1 / 6) < 1e-9 and abs(_p_low - 1 / 6) > 1e-9), (
    "You got 1/6 for treated a, b, the one-sided p-value: count differences at least as far from "
    "zero in either direction (abs(difference) >= abs(observed)).")
assert abs(_p - 1 / 5) > 1e-9 and abs(_p - 1 / 6) > 1e-9, (
    "You left out the observed assignment: the real treated group is one of the combinations, so "
    "count it in the hits and in the total.")
assert abs(_p - 0.0) > 1e-9, (
    "You got 0: count the real treated group too (every combination, including the observed one), "
    "and use >= rather than > so that differences exactly as far from zero count.")
check_close(_p, 2 / 6, 'permutation_p_value(_small, ["a", "b"])', tol=1e-9,
            hint="Six ways to pick 2 of 4; {{a, b}} (+2) and {{c, d}} (-2) are as far from zero as +2.")
check_close(_p_low, 2 / 6, 'permutation_p_value(_small, ["c", "d"])', tol=1e-9,
            hint="A negative difference (-2) is as far from zero as +2: compare absolute values.")
passed("permutation_p_value")
### BEGIN HIDDEN TESTS
import ast as _ast
import inspect as _inspect

_tree = _ast.parse(_inspect.getsource(permutation_p_value).lstrip())
_names = {{_n.id for _n in _ast.walk(_tree) if isinstance(_n, _ast.Name)}} | {{
    _n.attr for _n in _ast.walk(_tree) if isinstance(_n, _ast.Attribute)}}
assert not _names & {{"course", "measures", "permutation_test", "scipy", "stats",
                      "permutation_correlation"}}, (
    "permutation_p_value must enumerate the combinations itself, not call course or SciPy.")
EXPECTED_FRESH = {EXPECTED_FRESH!r}  # expected: {LESSON}/permutation_fresh
for _text, _want in EXPECTED_FRESH.items():
    _values, _treated = eval(_text)
    _got = permutation_p_value(pd.Series(_values), list(_treated))
    assert type(_got) is float, "permutation_p_value must return a Python float."
    assert abs(_got - _want) < 1e-9, (
        "permutation_p_value gives a wrong p-value on other inputs (other numbers of areas, other "
        "sizes of treated group, ties): choose len(treated) areas in every combination of all the "
        "areas in changes, count abs(difference) >= abs(observed) - 1e-12, and divide by the "
        "number of combinations.")
### END HIDDEN TESTS
""", points=3)
nb.md("""
### Exercise 9.4 · The p-value for 2017 (2 points)

Compute `p_2017`: the two-sided permutation p-value of your `did_2017`, from
`measures.permutation_test` on the per-area changes (before 2004–2016, after 2017–2019) with
`n_permutations=9999` and `seed=2017`, as a Python `float`. (Exact enumeration would mean choosing 23
areas out of well over a hundred: far too many combinations, so the test draws at random.)
""")
nb.solution("ex4-p", """
### BEGIN SOLUTION
_changes = measures.area_changes(panel, "gva_per_hour", 2017, first_year=2004, last_year=2019)
p_2017 = float(measures.permutation_test(_changes, treated, n_permutations=9999,
                                         seed=2017).p_value)
### END SOLUTION
""")
nb.tests("ex4-p-tests", f"""
from course.checks import check_number, passed

check_number(p_2017, "p_2017", low=0.0, high=1.0, hint="A p-value is a share between 0 and 1.")
{ONE_SIDED_CHECK}passed("p_2017")
### BEGIN HIDDEN TESTS
EXPECTED_P_2017 = {r(P_2017)}  # expected: {LESSON}/p_2017
assert type(p_2017) is float, "p_2017 must be a Python float."
assert abs(p_2017 - EXPECTED_P_2017) < 1e-9, (
    "p_2017 does not match: use the changes for 2004-2016 against 2017-2019, the treated list, "
    "n_permutations=9999 and seed=2017.")
### END HIDDEN TESTS
""", points=2)
nb.md("""
### Exercise 9.5 · Written answer: did the 2017 mayors raise productivity? (4 points)

In **150–250 words**: what does the article argue about evaluation and about place-based policy, and
what do its critics argue? Using your results (the estimate, the placebo years, the p-value), what can
this analysis say about the 2017 metro mayors, and what can it not? Name two changes to the design or
the data that would make an evaluation of mayors more convincing.
""")
nb.written("ex5-written", f"""
**Model answer (instructor only).** The article argues that place-based industrial policy works when
it is done at scale, over the long term, by places with identity, leadership, institutions,
partnerships and a pipeline of projects, and that rigorous evaluation should feed back into design;
its evidence is US programmes awarded in 2022–24, which have no outcome evidence yet. Critics
(Glaeser and Gottlieb; Kline and Moretti) warn that with mobile people gains are capitalised into
rents, that gaps largely reflect sorting (Gibbons, Overman and Pelkonen), and that zones displace
activity; the UK's evaluations (RDAs, the Regional Growth Fund, Enterprise Zones) mostly measured
gross outputs, and the What Works Centre found mixed, displacement-prone effects. Here the naive
difference-in-differences is {DID_2017:+.2f} % points (2017–19 against 2004–16); placebo starts
produced estimates at least as large in {round(SHARE_AS_LARGE * 7)} of 7 years, and the permutation
p-value is {P_2017:.2f}: no evidence of an effect, but no evidence against a modest one either, and
the pre-2017 trends were not parallel (the areas caught up from 2008 to 2016), so the design fails its
own check. It cannot show causation: the areas chose devolution deals for reasons linked to prospects, there are three
post-years before the pandemic distorts hours, the mapping is approximate (North Somerset, Halton),
GVA per hour is nominal and workplace-based, and mayors' powers and budgets were small and phased in.
Better: longer post-periods, outcomes closer to what mayors control (transport, skills, employment),
synthetic-control or matched comparisons, council-level data, and evaluations planned with the policy.

**Rubric (instructor only)** — 4 points:
- 1 point: states the article's position (place-based policy with capacity, scale and evaluation) and
  the critics' (spatial equilibrium, sorting, displacement) fairly, before judging.
- 1 point: uses the estimate, the placebo years and the p-value correctly (no effect detected is not
  "no effect").
- 1 point: names at least two threats to a causal reading (selection, few post-years and the pandemic,
  the approximate mapping, nominal or workplace-based GVA, spillovers between areas).
- 1 point: proposes two concrete improvements to design or data; 150–250 words.
""", points=4)
nb.md("""
## Summary

- Spatial equilibrium, sorting and displacement are the economists' reasons to doubt place-based
  policy; agglomeration, stalled convergence and concentrated joblessness are the reasons to try it.
  The article argues for it, with evaluation feeding back into design.
- The UK's past evaluations mostly counted gross outputs; the What Works Centre's reviews of
  area-based initiatives found mixed effects and real displacement.
- A naive difference-in-differences compares treated and comparison areas' changes; show parallel
  trends first, then test the estimate against placebo years and random sets of areas.
- For the 2017 metro mayors the trends before 2017 were not parallel and the estimate is small and
  unremarkable: an illustration of method, not a finding that mayors did or did not work.
- The article's US "successes" were awarded in 2022–24: judging them needs years of outcome data.

## Further reading

- E. L. Glaeser and J. D. Gottlieb (2008), "The Economics of Place-Making Policies", *Brookings Papers
  on Economic Activity*, Spring 2008.
- P. Kline and E. Moretti (2014), "People, Places, and Public Policy: Some Simple Welfare Economics of
  Local Economic Development Programs", *Annual Review of Economics* 6.
- B. Austin, E. Glaeser and L. Summers (2018), "Jobs for the Heartland: Place-Based Policies in
  21st-Century America", *Brookings Papers on Economic Activity*, Spring 2018.
- S. Gibbons, H. G. Overman and P. Pelkonen (2014), "Area Disparities in Britain: Understanding the
  Contribution of People vs. Place Through Variance Decompositions", *Oxford Bulletin of Economics and
  Statistics* 76(5); first circulated as SERC Discussion Paper 60 (2010), *Wage Disparities in
  Britain: People or Place?*
- What Works Centre for Local Economic Growth, [*Evidence Review: Area Based
  Initiatives*](http://www.whatworksgrowth.org/policy-reviews/area-based-initiatives/evidence-review/)
  (2016) and [*Are we too harsh on enterprise
  zones?*](https://whatworksgrowth.org/insights/are-we-too-harsh-on-enterprise-zones/) (on the rapid
  review update).
- National Audit Office (May 2012), [*The Regional Growth
  Fund*](https://www.nao.org.uk/press-release/the-regional-growth-fund-3/) (press release) and (2010)
  *Regenerating the English Regions: Regional Development Agencies' support to physical regeneration
  projects*.
- PricewaterhouseCoopers for the Department for Business, Enterprise and Regulatory Reform (March 2009),
  *Impact of RDA spending: National report*, volume 1.
- The Productivity Institute (2025), *Delivering successful place-based industrial policy* and *What
  Capacity and Resources Do Mayors and Strategic Authorities Need to Deliver the Industrial Strategy?*

## Data used in this lesson
""")
nb.code("""
for name in ["gva_per_hour", "mayoral_itl_areas", "mayoral_authorities", "bbbrc_winners",
             "tech_hubs_awards", "nsf_engines", "recompete"]:
    print("-", course.cite(name))
""")

if __name__ == "__main__":
    print(nb.write(OUT).relative_to(REPO))
    print(f"did_2017 {DID_2017:+.4f}, 2017-21 {DID_2021:+.4f}, levels {DID_LEVELS:+.4f}")
    print("placebos", {k: round(v, 3) for k, v in PLACEBO.items()}, "share", SHARE_AS_LARGE)
    print(f"p_2017 {P_2017:.4f} (greater {P_2017_GREATER:.4f})")
