"""Competitive funding: funnels, award sizes and a seeded simulation of a competition (lesson 07).

Three kinds of tool live here.

* **Funnels.** :func:`funnel_rates` turns the counts at each stage of a competition
  (applications, finalists, awards) into stage-to-stage success rates, and :func:`overall_odds`
  gives the chance that an entrant at the first stage wins. Count the same unit at every stage:
  EDA's Tech Hubs received 378 *applications* from 247 *lead consortia*, of which 192 asked for
  designation; 31 designations out of 192 designation applicants is 16%, not 8%.
* **Award sizes.** :func:`award_summary` describes a list of award amounts.
* **A simulation.** :func:`itl3_places`, :func:`applicant_pool` and :func:`simulate_competition`
  run a made-up multi-stage competition among applicant places whose *need* and *potential*
  come from real ITL3 data (GVA per hour and its growth), and whose *capacity* (to write a strong
  bid) is an invented, explicit parameter. It is a teaching device, labelled as a simulation: it
  is reproducible from its seed (``numpy.random.default_rng``), and its invented parameters are
  returned with the results, beside a "no effect" baseline.

Every function is a pure function of its inputs and raises :class:`course.errors.MeasureError`
with what was wrong, the valid options and how to fix it.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from course.errors import article, options_text
from course.measures._validate import _error

__all__ = [
    "SCORING_ATTRIBUTES",
    "CompetitionResult",
    "applicant_pool",
    "award_summary",
    "funnel_rates",
    "itl3_places",
    "overall_odds",
    "simulate_competition",
]

#: The applicant attributes a scoring rule can weight, and what each one is.
SCORING_ATTRIBUTES = {
    "need": "data: minus the standardised GVA per hour (lower productivity = more need)",
    "capacity": "invented: bid-writing and delivery capacity, drawn by applicant_pool()",
    "potential": "data (a proxy): standardised annual growth of GVA per hour",
}
SIMULATION_LABEL = (
    "SIMULATION: need and potential come from ONS GVA per hour (ITL3); capacity, scoring noise "
    "and the grant effect are invented parameters."
)


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


# ---------------------------------------------------------------------------------------------
# Funnels
# ---------------------------------------------------------------------------------------------


def _numeric(func: str, series: pd.Series, what: str, bool_fix: str, missing: str,
             missing_fix: str) -> np.ndarray:
    """``series`` as floats, refusing True/False and entries that are missing or not numbers.

    ``missing`` words the problem with such entries: ``{labels}`` stands for the labels of the
    first five, ``{count}`` for how many there are.
    """
    if pd.api.types.is_bool_dtype(series.dtype):
        raise _error(func, f"{what} holds True/False values, not numbers.", bool_fix)
    numeric = pd.to_numeric(series, errors="coerce")
    bad = numeric.isna().to_numpy()
    if bad.any():
        labels = list(series.index[bad])[:5]
        raise _error(func, missing.format(labels=labels, count=int(bad.sum())), missing_fix)
    return numeric.to_numpy(dtype=float)


def _counts(func: str, counts) -> pd.Series:
    """Check a funnel's counts and return them as a float Series labelled by stage."""
    if isinstance(counts, pd.DataFrame):
        raise _error(
            func,
            f"counts should be one column of numbers, but it is a DataFrame with columns "
            f"{list(counts.columns)[:8]}.",
            "select the stage column as the index and the count column, e.g. "
            "rows.set_index('stage')['count'].",
        )
    if isinstance(counts, Mapping):
        counts = pd.Series(dict(counts))
    if counts is None or isinstance(counts, (str, bytes, numbers.Number)):
        raise _error(
            func,
            f"counts should hold one number per stage, but got a single {type(counts).__name__}.",
            "pass a list such as [192, 31, 12] or a Series indexed by stage name.",
        )
    series = counts if isinstance(counts, pd.Series) else pd.Series(list(counts))
    if len(series) < 2:
        raise _error(
            func,
            f"a funnel needs at least two stages, but counts has {len(series)}.",
            "pass the count at every stage, first stage first, e.g. [565, 22, 6].",
        )
    x = _numeric(func, series, "counts", "pass the numbers of applicants at each stage.",
                 "counts has missing or non-numeric entries at stage(s) {labels}. Published "
                 "counts such as 'nearly 300' or '305 / 105' are text, not numbers.",
                 "use the numeric 'count' column and drop stages without a number (say which).")
    if (x <= 0).any():
        stage = series.index[int(np.flatnonzero(x <= 0)[0])]
        raise _error(
            func,
            f"every stage needs a positive count, but stage {stage!r} has {x[x <= 0][0]:g}.",
            "check the counts; a stage nobody passed ends the funnel, so leave it out.",
        )
    rising = np.flatnonzero(x[1:] > x[:-1])
    if rising.size:
        i = int(rising[0]) + 1
        raise _error(
            func,
            f"stage {series.index[i]!r} ({x[i]:g}) has more entrants than the stage before it "
            f"({series.index[i - 1]!r}, {x[i - 1]:g}). A funnel can only narrow: the stages "
            "probably count different units (applications, consortia, projects) or are "
            "parallel tracks (e.g. planning grants) rather than stages.",
            "keep one unit and one track, in order, e.g. designation applicants -> designations "
            "-> implementation awards.",
        )
    return pd.Series(x, index=series.index, name="count")


def funnel_rates(counts) -> pd.DataFrame:
    """Stage-to-stage success rates of a competition funnel.

    Parameters
    ----------
    counts : list, dict or Series
        The number of entrants at each stage, first stage first (a Series or dict keeps the
        stage names). Every stage must count the same unit, so counts can only fall.

    Returns
    -------
    DataFrame
        One row per stage with ``count``, ``rate_from_previous`` (the share of the previous
        stage that reached this one; missing for the first stage) and ``rate_from_first``
        (the share of first-stage entrants that got this far).

    Examples
    --------
    >>> rates = funnel_rates({"applicants": 192, "designated": 31, "awarded": 12})
    >>> rates["rate_from_previous"].round(3).tolist()
    [nan, 0.161, 0.387]
    >>> float(rates.loc["awarded", "rate_from_first"].round(4))
    0.0625
    """
    x = _counts("funnel_rates", counts)
    values = x.to_numpy()
    previous = np.concatenate([[np.nan], values[1:] / values[:-1]])
    return pd.DataFrame(
        {"count": values, "rate_from_previous": previous, "rate_from_first": values / values[0]},
        index=x.index,
    )


def overall_odds(counts) -> float:
    """The chance that an entrant at the first stage wins: last count / first count.

    Examples
    --------
    >>> overall_odds([224, 22, 6])  # EDA Recompete: lead applicants seeking plan approval
    0.026785714285714284
    """
    x = _counts("overall_odds", counts).to_numpy()
    return float(x[-1] / x[0])


# ---------------------------------------------------------------------------------------------
# Award sizes
# ---------------------------------------------------------------------------------------------


def award_summary(amounts) -> pd.Series:
    """Describe a set of award amounts: count, total, mean, median, min, max and max/min.

    Parameters
    ----------
    amounts : list or Series
        One positive amount per award (any currency unit, e.g. US$ million). Missing amounts
        are refused: drop them first and say how many you dropped.

    Returns
    -------
    Series of float
        Indexed by ``count``, ``total``, ``mean``, ``median``, ``min``, ``max``, ``max_min``.

    Examples
    --------
    >>> award_summary([20.0, 40.0, 20.0, 35.0, 36.0, 30.0])["median"]
    np.float64(32.5)
    """
    func = "award_summary"
    if isinstance(amounts, pd.DataFrame):
        raise _error(func, "amounts should be one column of numbers, not a DataFrame.",
                     "pick the amount column, e.g. awards['award_usd_m'].")
    if amounts is None or isinstance(amounts, (str, bytes, numbers.Number)):
        raise _error(func, "amounts should hold one number per award.",
                     "pass a list or a Series of amounts.")
    series = amounts if isinstance(amounts, pd.Series) else pd.Series(list(amounts), dtype=object)
    if len(series) == 0:
        raise _error(func, "amounts is empty, so there is nothing to describe.",
                     "check the filter that selected the awards.")
    v = _numeric(func, series, "amounts", "pass the amount column.",
                 "{count} amount(s) are missing or not numbers (at {labels}). The datasets leave "
                 "an amount empty when no source gave it; it is not zero.",
                 "drop them with amounts.dropna() and report how many awards the summary leaves "
                 "out.")
    if (v <= 0).any():
        raise _error(func, "amounts must all be positive.",
                     "leave out totals, withdrawn or zero rows; keep one row per award.")
    return pd.Series(
        {"count": float(v.size), "total": float(v.sum()), "mean": float(v.mean()),
         "median": float(np.median(v)), "min": float(v.min()), "max": float(v.max()),
         "max_min": float(v.max() / v.min())},
        name="award_summary",
    )


# ---------------------------------------------------------------------------------------------
# The simulation: places, applicants, a multi-stage competition
# ---------------------------------------------------------------------------------------------


def _z(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def _require_columns(func: str, frame, columns: Sequence[str], hint: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise _error(func, f"expected a pandas DataFrame, got {article(type(frame).__name__)}.", hint)
    for col in columns:
        if col not in frame.columns:
            raise _error(func, f"the data has no column {col!r}.", hint,
                         options_text(col, list(frame.columns)))


def itl3_places(gva: pd.DataFrame, year: int = 2019, start: int = 2004) -> pd.DataFrame:
    """The ITL3 areas as potential applicants: GVA per hour, its growth, need and potential.

    Parameters
    ----------
    gva : DataFrame
        The ``gva_per_hour`` dataset (columns ``itl_level``, ``itl_code``, ``itl1_code``,
        ``region``, ``year``, ``gva_per_hour``); other levels are ignored.
    year, start : int
        ``need`` uses the level in ``year``; ``potential`` uses growth from ``start`` to ``year``.

    Returns
    -------
    DataFrame indexed by ITL3 code
        ``region``, ``itl1_code``, ``gva_per_hour``, ``growth`` (average annual growth, %),
        ``need`` (minus the z-score of GVA per hour), ``potential`` (z-score of growth) and
        ``below_median`` (GVA per hour below the ITL3 median in ``year``). z-scores use the
        population standard deviation across the areas.

    Examples
    --------
    >>> import course
    >>> places = itl3_places(course.load("gva_per_hour"))
    >>> len(places), int(places["below_median"].sum())
    (179, 89)
    """
    func = "itl3_places"
    hint = "pass the whole gva_per_hour dataset, e.g. itl3_places(course.load('gva_per_hour'))."
    _require_columns(func, gva, ["itl_level", "itl_code", "itl1_code", "region", "year",
                                 "gva_per_hour"], hint)
    itl3 = gva[gva["itl_level"] == "ITL3"]
    if itl3.empty:
        raise _error(func, "the data has no ITL3 rows.", hint)
    years = sorted(int(y) for y in itl3["year"].unique())
    for what, y in (("year", year), ("start", start)):
        if y not in years:
            raise _error(func, f"{what}={y!r} is not a year in the ITL3 data.",
                         "pass one of the years listed, with start before year.",
                         options_text(y, years))
    if not start < year:
        raise _error(func, f"start ({start}) must be before year ({year}).",
                     "e.g. start=2004, year=2019.")
    end = itl3[itl3["year"] == year].set_index("itl_code")
    first = itl3[itl3["year"] == start].set_index("itl_code")["gva_per_hour"]
    first = first.reindex(end.index)
    if first.isna().any() or end["gva_per_hour"].isna().any():
        raise _error(func, "some ITL3 areas lack a value in one of the two years.",
                     "use years where every ITL3 area has a value (2004-2021).")
    level = end["gva_per_hour"].to_numpy(dtype=float)
    growth = ((level / first.to_numpy(dtype=float)) ** (1 / (year - start)) - 1) * 100
    out = pd.DataFrame({
        "region": end["region"], "itl1_code": end["itl1_code"],
        "gva_per_hour": level, "growth": growth,
        "need": -_z(level), "potential": _z(growth),
        "below_median": level < np.median(level),
    }, index=end.index)
    out.index.name = "itl_code"
    return out


def applicant_pool(places: pd.DataFrame, n: int = 200, *, capacity_link: float = 0.5,
                   seed: int = 0) -> pd.DataFrame:
    """Draw ``n`` applicants from ``places`` and give each an invented bid-writing capacity.

    Places are drawn with replacement (a place can bid more than once, as 247 consortia sent
    378 Tech Hubs applications). Capacity is **not data**: it is
    ``capacity_link * z + sqrt(1 - capacity_link**2) * e``, where ``z`` is the place's
    standardised GVA per hour and ``e`` a standard normal draw, so ``capacity_link`` is the
    (invented) correlation between capacity and productivity.

    Parameters
    ----------
    places : DataFrame
        From :func:`itl3_places`.
    n : int
        Number of applicants (at least 2).
    capacity_link : float in [-1, 1]
        How closely capacity follows productivity; 0 = unrelated.
    seed : int
        Seed for ``numpy.random.default_rng``: the same seed gives the same pool.

    Examples
    --------
    >>> import course
    >>> places = itl3_places(course.load("gva_per_hour"))
    >>> pool = applicant_pool(places, 200, capacity_link=0.5, seed=1)
    >>> pool.shape, pool.equals(applicant_pool(places, 200, capacity_link=0.5, seed=1))
    ((200, 9), True)
    """
    func = "applicant_pool"
    hint = "build places with itl3_places(course.load('gva_per_hour'))."
    _require_columns(func, places, ["region", "gva_per_hour", "need", "potential",
                                    "below_median"], hint)
    if len(places) == 0:
        raise _error(func, "places is empty.", hint)
    if not (isinstance(n, numbers.Integral) and not isinstance(n, bool)) or n < 2:
        raise _error(func, f"n must be a whole number of applicants, at least 2 (got {n!r}).",
                     "e.g. n=200.")
    if not _is_number(capacity_link) or not -1 <= float(capacity_link) <= 1:
        raise _error(func, f"capacity_link is a correlation, so it must lie between -1 and 1 "
                     f"(got {capacity_link!r}).", "e.g. capacity_link=0.5, or 0 for none.")
    if not (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)) or seed < 0:
        raise _error(func, f"seed must be a whole number, 0 or more (got {seed!r}).",
                     "e.g. seed=2024.")
    rng = np.random.default_rng(int(seed))
    pick = rng.integers(0, len(places), size=int(n))
    noise = rng.standard_normal(int(n))
    chosen = places.iloc[pick]
    link = float(capacity_link)
    capacity = link * (-chosen["need"].to_numpy(dtype=float)) + np.sqrt(1 - link**2) * noise
    return pd.DataFrame({
        "applicant": np.arange(int(n)),
        "itl_code": chosen.index.to_numpy(),
        "region": chosen["region"].to_numpy(),
        "gva_per_hour": chosen["gva_per_hour"].to_numpy(dtype=float),
        "below_median": chosen["below_median"].to_numpy(dtype=bool),
        "need": chosen["need"].to_numpy(dtype=float),
        "potential": chosen["potential"].to_numpy(dtype=float),
        "capacity": capacity,
        "simulated": True,
    })


@dataclass(frozen=True)
class CompetitionResult:
    """What :func:`simulate_competition` returns (a simulation; see ``parameters``).

    Attributes
    ----------
    applicants : DataFrame
        One row per applicant: its attributes, how many stages it passed in round 1
        (``r1_stages``), ``r1_winner``, ``grant`` (a non-winning finalist given a capacity
        grant), ``r2_capacity``, and round-2 results with the grant (``r2_stages``,
        ``r2_winner``) and in the "no effect" baseline (``r2_stages_baseline``,
        ``r2_winner_baseline``). Round-1 winners do not enter round 2.
    summary : DataFrame
        One row per scenario (``round 1``, ``round 2``, ``round 2, no effect``) with the number
        of applicants, finalists and winners; the *share* (a fraction from 0 to 1, not a count)
        of each that is a below-median place (``share_of_applicants_below_median``,
        ``share_of_finalists_below_median``, ``share_of_winners_below_median``); and how many
        winners were round 1's non-winning finalists (the grant holders). The same shares are
        also kept under their older names ``applicants_below_median``, ``finalists_below_median``
        and ``winners_below_median`` (shares despite the names), so existing notebooks run.
    parameters : dict
        Every parameter of the run; the invented ones are listed under ``"invented"``.
    """

    applicants: pd.DataFrame
    summary: pd.DataFrame
    parameters: dict = field(default_factory=dict)

    def share_below_median(self, scenario: str = "round 1") -> float:
        """Share (0 to 1) of the scenario's awards won by places below the ITL3 median GVA per hour."""
        if scenario not in self.summary.index:
            raise _error("share_below_median", f"there is no scenario {scenario!r}.",
                         "pass one of the scenario names listed.",
                         options_text(scenario, list(self.summary.index)))
        return float(self.summary.loc[scenario, "share_of_winners_below_median"])


def _weights(func: str, weights) -> np.ndarray:
    if not isinstance(weights, Mapping):
        raise _error(func, f"weights should be a dict such as {{'need': 1, 'capacity': 1}}, "
                     f"not {article(type(weights).__name__)}.", "pass a dict of attribute -> weight.")
    out = []
    for key in weights:
        if key not in SCORING_ATTRIBUTES:
            raise _error(func, f"{key!r} is not an attribute applicants are scored on.",
                         "use only these keys (a missing key counts as weight 0).",
                         options_text(key, list(SCORING_ATTRIBUTES)))
    for key in SCORING_ATTRIBUTES:
        w = weights.get(key, 0.0)
        if not _is_number(w) or not np.isfinite(float(w)) or float(w) < 0:
            raise _error(func, f"the weight for {key!r} must be a number, 0 or more "
                         f"(got {w!r}).", "e.g. {'need': 0.5, 'capacity': 0.3, 'potential': 0.2}.")
        out.append(float(w))
    w = np.array(out)
    if w.sum() == 0:
        raise _error(func, "all the weights are 0, so nothing would be scored.",
                     "give at least one attribute a positive weight.")
    return w


def _stages(func: str, stages, n: int) -> list[int]:
    if isinstance(stages, numbers.Integral) and not isinstance(stages, bool):
        stages = [stages]
    if not isinstance(stages, Sequence) or isinstance(stages, str) or len(stages) == 0:
        raise _error(func, f"stages should list how many go through at each stage, e.g. "
                     f"(30, 10); got {stages!r}.", "pass a tuple of whole numbers, largest first.")
    sizes = []
    for s in stages:
        if not (isinstance(s, numbers.Integral) and not isinstance(s, bool)) or s < 1:
            raise _error(func, f"each stage size must be a whole number, at least 1 (got {s!r}).",
                         "e.g. stages=(30, 10).")
        sizes.append(int(s))
    if sizes[0] >= n:
        raise _error(func, f"the first stage lets {sizes[0]} through, but there are only {n} "
                     "applicants, so it selects nobody out.",
                     f"make the first stage smaller than {n}.")
    if any(b >= a for a, b in zip(sizes, sizes[1:], strict=False)):
        raise _error(func, f"stage sizes must shrink from stage to stage; got {tuple(sizes)}.",
                     "e.g. stages=(30, 10): 30 finalists, then 10 winners.")
    return sizes


def _run_round(scores_base: np.ndarray, noise: np.ndarray, active: np.ndarray,
               sizes: list[int]) -> np.ndarray:
    """Stages passed by each applicant (0 for those eliminated at stage 1 or not entering)."""
    passed = np.zeros(active.size, dtype=np.int64)
    alive = np.flatnonzero(active)
    for k, size in enumerate(sizes):
        if alive.size <= size:
            passed[alive] = k + 1
            continue
        score = scores_base[alive] + noise[k, alive]
        order = np.argsort(-score, kind="stable")
        alive = np.sort(alive[order[:size]])
        passed[alive] = k + 1
    return passed


def simulate_competition(pool: pd.DataFrame, weights: Mapping[str, float],
                         stages: Sequence[int] = (30, 10), *, grant_effect: float = 0.0,
                         noise: float = 0.5, seed: int = 0) -> CompetitionResult:
    """Run a seeded two-round, multi-stage competition among the applicants in ``pool``.

    **This is a simulation.** In each stage every remaining applicant gets a score,

    .. math:: s_i = w_\\text{need}\\,\\text{need}_i + w_\\text{cap}\\,\\text{capacity}_i
              + w_\\text{pot}\\,\\text{potential}_i + \\sigma\\,\\varepsilon_{ik},

    and the ``stages[k]`` best go through; those left after the last stage win. The noise
    :math:`\\varepsilon` (assessors' judgement, luck) is drawn afresh for every stage from
    ``numpy.random.default_rng(seed)``. Round 2 re-runs the competition among round 1's
    non-winners. Non-winning finalists (those who passed every stage but the last) receive a
    capacity-building grant that raises their capacity by ``grant_effect`` standard deviations
    in round 2. The same round-2 draws are also run with ``grant_effect = 0`` (the "no effect"
    baseline), so any difference between the two comes from the grant alone.

    Parameters
    ----------
    pool : DataFrame
        From :func:`applicant_pool`.
    weights : dict
        Scoring weights for ``"need"``, ``"capacity"`` and ``"potential"`` (missing = 0).
    stages : sequence of int
        How many go through each stage, shrinking; the last is the number of awards.
    grant_effect : float, 0 or more
        Invented: how much a finalist grant raises capacity in round 2 (standard deviations).
    noise : float, 0 or more
        Invented: the standard deviation of the random part of each stage's score.
    seed : int
        Seed of the random draws; the same inputs and seed give identical results.

    Examples
    --------
    >>> import course
    >>> places = itl3_places(course.load("gva_per_hour"))
    >>> pool = applicant_pool(places, 200, capacity_link=0.5, seed=7)
    >>> r = simulate_competition(pool, {"need": 1.0}, (30, 10), seed=7)
    >>> int(r.applicants["r1_winner"].sum()), r.share_below_median("round 1")
    (10, 1.0)
    >>> list(r.summary.index)
    ['round 1', 'round 2', 'round 2, no effect']
    """
    func = "simulate_competition"
    _require_columns(func, pool, ["need", "capacity", "potential", "below_median"],
                     "build the pool with applicant_pool(itl3_places(...), ...).")
    n = len(pool)
    w = _weights(func, weights)
    sizes = _stages(func, stages, n)
    for name, value in (("grant_effect", grant_effect), ("noise", noise)):
        if not _is_number(value) or not np.isfinite(float(value)) or float(value) < 0:
            raise _error(func, f"{name} must be a number, 0 or more (got {value!r}).",
                         f"e.g. {name}=0.5; use 0 for none.")
    if not (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)) or seed < 0:
        raise _error(func, f"seed must be a whole number, 0 or more (got {seed!r}).",
                     "e.g. seed=2024.")
    attrs = pool[list(SCORING_ATTRIBUTES)].to_numpy(dtype=float)  # need, capacity, potential
    if not np.isfinite(attrs).all():
        raise _error(func, "need, capacity or potential has missing values.",
                     "rebuild the pool with applicant_pool().")
    below = pool["below_median"].to_numpy(dtype=bool)
    rng = np.random.default_rng(int(seed))
    eps1 = rng.standard_normal((len(sizes), n)) * float(noise)
    eps2 = rng.standard_normal((len(sizes), n)) * float(noise)

    base1 = attrs @ w
    r1 = _run_round(base1, eps1, np.ones(n, dtype=bool), sizes)
    won1 = r1 == len(sizes)
    grant = (r1 == len(sizes) - 1) & (len(sizes) > 1)
    capacity2 = attrs[:, 1] + float(grant_effect) * grant
    base2 = base1 + float(grant_effect) * grant * w[1]  # only capacity moves
    entrants2 = ~won1
    r2 = _run_round(base2, eps2, entrants2, sizes)
    r2_base = _run_round(base1, eps2, entrants2, sizes)

    applicants = pool.copy()
    applicants["r1_stages"] = r1
    applicants["r1_winner"] = won1
    applicants["grant"] = grant
    applicants["r2_capacity"] = capacity2
    applicants["r2_stages"] = r2
    applicants["r2_winner"] = r2 == len(sizes)
    applicants["r2_stages_baseline"] = r2_base
    applicants["r2_winner_baseline"] = r2_base == len(sizes)

    last = len(sizes)

    def row(entered: np.ndarray, passed: np.ndarray, grantees: np.ndarray) -> dict:
        fin = passed >= max(last - 1, 1) if last > 1 else passed >= last
        win = passed >= last
        shares = {
            "applicants": float(below[entered].mean()) if entered.any() else np.nan,
            "finalists": float(below[fin].mean()) if fin.any() else np.nan,
            "winners": float(below[win].mean()) if win.any() else np.nan,
        }
        return {
            "applicants": int(entered.sum()), "finalists": int(fin.sum()), "winners": int(win.sum()),
            **{f"share_of_{who}_below_median": share for who, share in shares.items()},
            "winners_from_round1_finalists": int((win & grantees).sum()),
            # The older names (shares too, 0 to 1, despite the name), kept so notebooks run.
            **{f"{who}_below_median": share for who, share in shares.items()},
        }

    summary = pd.DataFrame.from_dict({
        "round 1": row(np.ones(n, dtype=bool), r1, np.zeros(n, dtype=bool)),
        "round 2": row(entrants2, r2, grant),
        "round 2, no effect": row(entrants2, r2_base, grant),
    }, orient="index")
    summary.index.name = "scenario"
    parameters = {
        "weights": dict(zip(SCORING_ATTRIBUTES, w.tolist(), strict=True)), "stages": tuple(sizes),
        "applicants": n, "grant_effect": float(grant_effect), "noise": float(noise),
        "seed": int(seed), "invented": ["capacity", "noise", "grant_effect"],
        "label": SIMULATION_LABEL,
    }
    return CompetitionResult(applicants, summary, parameters)
