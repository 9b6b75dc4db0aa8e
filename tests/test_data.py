"""Tests for course.data: loading, filters, friendly errors, tamper checks and spot checks.

Spot checks compare the datasets with figures published by ONS and others (see the
reference folder's SOURCES.md files), so a bad rebuild or a wrong join fails loudly.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import course
from course import data
from course.errors import CourseError, DatasetError

DATASETS = Path(data.datasets_dir())
PACKAGE = json.loads((DATASETS / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PACKAGE["resources"]}

PRIORITY = [
    "gva_per_hour",
    "population",
    "itl1_tiles",
    "itl_lookup",
    "relative_productivity_published",
    "international_comparisons",
]


def value(frame: pd.DataFrame, column: str, **where) -> float:
    """The single value of ``column`` in the row matching ``where`` (fails if not exactly one)."""
    mask = pd.Series(True, index=frame.index)
    for key, wanted in where.items():
        mask &= frame[key] == wanted
    rows = frame.loc[mask, column]
    assert len(rows) == 1, f"{where} matched {len(rows)} rows"
    return float(rows.iloc[0])


# --------------------------------------------------------------------------------------
# Loading and types
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PRIORITY)
def test_priority_datasets_load(name):
    frame = course.load(name)
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == RESOURCES[name]["rows"] > 0


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_round_trip_types_follow_schema(name):
    frame = data.load(name)
    fields = RESOURCES[name]["schema"]["fields"]
    assert list(frame.columns) == [f["name"] for f in fields]
    assert len(frame) == RESOURCES[name]["rows"]
    for f in fields:
        col = frame[f["name"]]
        kind = f["type"]
        if kind == "integer":
            assert str(col.dtype) in ("int64", "Int64"), (name, f["name"], col.dtype)
            if col.isna().any():
                assert str(col.dtype) == "Int64"
        elif kind == "number":
            assert col.dtype == np.float64, (name, f["name"], col.dtype)
        else:
            assert isinstance(col.dtype, pd.StringDtype), (name, f["name"], col.dtype)
        if f.get("constraints", {}).get("required"):
            assert not col.isna().any(), (name, f["name"])


def test_load_returns_a_fresh_frame_each_time():
    first = data.load("population")
    first.loc[0, "population"] = -1
    first["extra"] = 1
    second = data.load("population")
    assert "extra" not in second.columns
    assert second.loc[0, "population"] > 0


def test_missing_strings_are_nan_so_masks_are_plain_booleans():
    gva = data.load("gva_per_hour")
    mask = gva["itl1_code"] == "TLD"
    assert mask.dtype == bool
    assert gva.loc[gva["itl_code"] == "UKX", "itl1_code"].isna().all()


def test_nullable_integer_where_values_are_missing():
    timeline = data.load("policy_timeline")
    assert str(timeline["month"].dtype) == "Int64"
    assert timeline["month"].isna().any()
    assert timeline["month"].dropna().between(1, 12).all()


# --------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------


def test_filters_level_years_codes():
    itl1 = data.load("gva_per_hour", level="ITL1", years=2021)
    assert len(itl1) == 12
    assert set(itl1["itl_level"]) == {"ITL1"}
    several = data.load("gva_per_hour", level=["UK", "ITL1"], years=range(2019, 2022))
    assert len(several) == 13 * 3
    assert sorted(set(several["year"])) == [2019, 2020, 2021]
    one = data.load("gva_per_hour", codes="TLI42", years=[2004, 2021])
    assert one["year"].tolist() == [2004, 2021]
    assert data.load("population", codes=["UK", "TLI"], years=2021)["population"].tolist() == [
        67026307,
        8796628,
    ]


def test_years_accept_numpy_integers():
    frame = data.load("gva_per_hour", level="UK", years=np.arange(2004, 2007))
    assert frame["year"].tolist() == [2004, 2005, 2006]


def test_bad_level_suggests_closest():
    with pytest.raises(DatasetError) as err:
        data.load("gva_per_hour", level="ITL4")
    text = str(err.value)
    assert "gva_per_hour" in text and "'ITL4'" in text
    options = text.split("Valid options (closest first): ")[1]
    assert options.startswith(("'ITL1'", "'ITL2'", "'ITL3'"))
    assert all(f"'{lev}'" in options for lev in ("ITL1", "ITL2", "ITL3"))


def test_bad_year_names_coverage():
    with pytest.raises(DatasetError) as err:
        data.load("gva_per_hour", years=range(2000, 2006))
    text = str(err.value)
    assert "2000, 2001, 2002, 2003" in text and "2004-2021" in text
    assert "Valid years (closest first): 2004, 2005, 2006" in text


def test_year_as_text_is_refused_with_advice():
    with pytest.raises(DatasetError, match=r"whole numbers such as 2021"):
        data.load("gva_per_hour", years="2021")


def test_bad_code_suggests_closest_and_case_hint():
    with pytest.raises(DatasetError) as err:
        data.load("gva_per_hour", codes="TLI9")
    assert "'TLI9'" in str(err.value) and "'TLI" in str(err.value)
    with pytest.raises(DatasetError, match=r"upper case: try 'TLI'"):
        data.load("gva_per_hour", codes="tli")


def test_level_filter_on_a_dataset_without_levels():
    with pytest.raises(DatasetError, match=r"competition_funnels.*no geography levels"):
        data.load("competition_funnels", level="ITL1")


def test_empty_combination_is_an_error_not_an_empty_frame():
    with pytest.raises(DatasetError, match=r"no rows match"):
        data.load("gva_per_hour", level="ITL3", codes="TLI")


def test_unknown_name_lists_closest():
    with pytest.raises(DatasetError) as err:
        course.load("gva_per_hr")
    text = str(err.value)
    assert text.startswith("There is no dataset called 'gva_per_hr'")
    assert "closest first): 'gva_per_hour'" in text
    assert isinstance(err.value, CourseError)


# --------------------------------------------------------------------------------------
# Damaged files (copies in tmp_path, found through COURSE_DATASETS_DIR)
# --------------------------------------------------------------------------------------


@pytest.fixture
def copy_of(tmp_path, monkeypatch):
    """Copy one dataset and the descriptor to tmp_path and point the loader at it."""

    def make(name: str) -> tuple[Path, dict]:
        shutil.copy(DATASETS / "datapackage.json", tmp_path / "datapackage.json")
        shutil.copy(DATASETS / RESOURCES[name]["path"], tmp_path / RESOURCES[name]["path"])
        monkeypatch.setenv(data.ENV_VAR, str(tmp_path))
        return tmp_path / RESOURCES[name]["path"], json.loads(
            (tmp_path / "datapackage.json").read_text(encoding="utf-8")
        )

    return make


def rehash(folder: Path, package: dict, name: str) -> None:
    """Update the copied descriptor so the hash matches the edited file."""
    res = next(r for r in package["resources"] if r["name"] == name)
    payload = (folder / res["path"]).read_bytes()
    res["hash"] = "sha256:" + hashlib.sha256(payload).hexdigest()
    res["bytes"] = len(payload)
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")


def test_untouched_copy_loads(copy_of):
    copy_of("gva_per_hour")
    assert len(data.load("gva_per_hour")) == 4212


def test_tampered_copy_one_digit_changed(copy_of):
    path, _ = copy_of("gva_per_hour")
    text = path.read_text(encoding="utf-8")
    assert "UKX,,UK less Extra-Regio,2021,38.7," in text
    path.write_text(text.replace("2021,38.7,", "2021,38.8,"), encoding="utf-8")
    with pytest.raises(DatasetError) as err:
        data.load("gva_per_hour")
    msg = str(err.value)
    assert "'gva_per_hour'" in msg
    assert "differs from the published file" in msg
    assert "git checkout -- datasets/gva_per_hour.csv" in msg


def test_truncated_copy(copy_of):
    path, _ = copy_of("gva_per_hour")
    payload = path.read_bytes()
    path.write_bytes(payload[: len(payload) // 2])
    with pytest.raises(DatasetError) as err:
        data.load("gva_per_hour")
    msg = str(err.value)
    assert "'gva_per_hour'" in msg
    assert "looks truncated" in msg
    assert f"instead of {len(payload):,}" in msg


def test_mistyped_copy_with_hash_updated(copy_of):
    path, package = copy_of("gva_per_hour")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[10].count(",") == 6
    parts = lines[10].split(",")
    parts[5] = "n/a"
    lines[10] = ",".join(parts)
    path.write_text("".join(lines), encoding="utf-8")
    rehash(path.parent, package, "gva_per_hour")
    with pytest.raises(DatasetError) as err:
        data.load("gva_per_hour")
    msg = str(err.value)
    assert "'gva_per_hour'" in msg and "column 'gva_per_hour'" in msg
    assert "'n/a' on line 11" in msg and "not a number" in msg


def test_missing_column_with_hash_updated(copy_of):
    path, package = copy_of("population")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.drop(columns="confidence").to_csv(path, index=False, lineterminator="\n")
    rehash(path.parent, package, "population")
    with pytest.raises(DatasetError, match=r"'population'.*missing column\(s\) 'confidence'"):
        data.load("population")


def test_value_outside_enum_with_hash_updated(copy_of):
    path, package = copy_of("gva_per_hour")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nITL1,TLC,", "\nITL9,TLC,", 1), encoding="utf-8")
    rehash(path.parent, package, "gva_per_hour")
    with pytest.raises(DatasetError, match=r"column 'itl_level'.*'ITL9'.*allowed values"):
        data.load("gva_per_hour")


def test_missing_file(copy_of, tmp_path):
    path, _ = copy_of("gva_per_hour")
    path.unlink()
    with pytest.raises(DatasetError, match=r"'gva_per_hour'.*missing"):
        data.load("gva_per_hour")


def test_env_var_pointing_nowhere(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "nothing"))
    with pytest.raises(DatasetError, match=data.ENV_VAR):
        data.load("gva_per_hour")


def test_edited_file_is_rechecked_after_a_good_load(copy_of):
    path, _ = copy_of("gva_per_job")
    assert len(data.load("gva_per_job")) == 280
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",85301,", ",85302,"), encoding="utf-8")
    with pytest.raises(DatasetError, match="differs from the published file"):
        data.load("gva_per_job")


# --------------------------------------------------------------------------------------
# Joins on ITL codes
# --------------------------------------------------------------------------------------


def test_every_itl1_region_has_population_2004_2021():
    gva = data.load("gva_per_hour", level="ITL1")
    pop = data.load("population", level="ITL1", years=range(2004, 2022))
    merged = gva.merge(pop, on=["itl_code", "year"], how="left", validate="one_to_one")
    assert len(merged) == 12 * 18
    assert merged["population"].notna().all()


def test_population_uses_uk_and_productivity_uses_ukx():
    assert data.load("population", level="UK")["itl_code"].unique().tolist() == ["UK"]
    assert data.load("gva_per_hour", level="UK")["itl_code"].unique().tolist() == ["UKX"]
    assert data.load("gva_per_job", level="UK")["itl_code"].unique().tolist() == ["UKX"]


def test_tiles_cover_the_itl1_regions_once():
    tiles = data.load("itl1_tiles")
    itl1 = set(data.load("gva_per_hour", level="ITL1")["itl_code"])
    assert set(tiles["itl_code"]) == itl1 and len(tiles) == 12
    assert not tiles.duplicated(["row", "col"]).any()
    assert tiles["abbreviation"].str.len().between(2, 3).all()
    names = data.load("gva_per_hour", level="ITL1", years=2021).set_index("itl_code")["region"]
    assert (tiles.set_index("itl_code")["region"] == names.loc[tiles["itl_code"]]).all()


def test_lookup_parents_exist():
    lookup = data.load("itl_lookup")
    codes = set(lookup["itl_code"])
    gva_codes = set(data.load("gva_per_hour", level=["ITL1", "ITL2", "ITL3"])["itl_code"])
    assert codes == gva_codes
    assert lookup["itl_level"].value_counts().to_dict() == {"ITL3": 179, "ITL2": 41, "ITL1": 12}
    itl3 = lookup[lookup["itl_level"] == "ITL3"]
    assert itl3["itl2_code"].isin(codes).all()
    assert itl3["itl1_code"].isin(codes).all()
    itl2 = lookup[lookup["itl_level"] == "ITL2"]
    assert itl2["itl1_code"].isin(codes).all()
    assert (itl3["itl2_code"].str[:3] == itl3["itl1_code"]).all()


def test_parent_column_matches_code_prefix_everywhere():
    for name, res in RESOURCES.items():
        columns = [f["name"] for f in res["schema"]["fields"]]
        if "itl_level" not in columns or "itl1_code" not in columns:
            continue
        frame = data.load(name)
        below = frame[frame["itl_level"].isin(["ITL1", "ITL2", "ITL3"])]
        assert (below["itl1_code"] == below["itl_code"].str[:3]).all(), name
        assert frame.loc[~frame.index.isin(below.index), "itl1_code"].isna().all(), name


def test_labour_tables_join_on_itl1_codes():
    itl1 = set(data.load("gva_per_hour", level="ITL1")["itl_code"])
    for name in ["employment_inactivity", "median_pay", "gdhi", "qualifications_level3",
                 "qualifications_nvq4", "rd_expenditure"]:
        frame = data.load(name)
        regions = set(frame.loc[frame["itl_level"] == "ITL1", "itl_code"])
        assert regions == itl1, name
        assert set(frame["itl_code"]) - itl1 <= {"UK", "GB", "TLB"}, name
    skills = data.load("qualifications_level3", level="ITL1", years=2019)
    gva = data.load("gva_per_hour", level="ITL1", years=2019)
    assert len(skills.merge(gva, on=["itl_code", "year"], validate="one_to_one")) == 12


def test_ukx_has_every_section_every_year_for_location_quotients():
    for name in ["gva_by_industry_itl1", "gva_by_industry_itl2"]:
        ukx = data.load(name, codes="UKX")
        sections = ukx[ukx["industry_level"] == "section"]
        assert sorted(sections["industry_code"].unique()) == list("ABCDEFGHIJKLMNOPQRST")
        assert sections.groupby("year").size().eq(20).all()
        assert sorted(sections["year"].unique()) == list(range(1998, 2022))
        total = ukx[ukx["industry_level"] == "total"].set_index("year")["gva"]
        summed = sections.groupby("year")["gva"].sum()
        assert (summed - total).abs().max() <= 4, name


def test_itl2_regions_sum_to_ukx():
    itl2 = data.load("gva_by_industry_itl2", level="ITL2", years=2021)
    ukx = data.load("gva_by_industry_itl2", codes="UKX", years=2021)
    total_itl2 = itl2.loc[itl2["industry_code"] == "TOTAL", "gva"].sum()
    total_ukx = value(ukx, "gva", industry_code="TOTAL")
    assert abs(total_itl2 - total_ukx) <= 6
    assert total_ukx == 2025600


def test_policy_source_ids_resolve():
    register = set(data.load("policy_sources")["source_id"])
    for name, res in RESOURCES.items():
        if name == "policy_sources" or not any(
            f["name"] == "source_id" for f in res["schema"]["fields"]
        ):
            continue
        frame = data.load(name)
        if not any("policy_cases" in p for p in res.get("reference_files", [])):
            continue
        for column in ("source_id", "status_source_id"):
            if column in frame.columns:
                ids = {i.strip() for cell in frame[column].dropna() for i in cell.split(";")}
                assert ids - {""} <= register, (name, column, ids - register)


# --------------------------------------------------------------------------------------
# Spot checks against published figures
# --------------------------------------------------------------------------------------


def test_london_gva_per_hour_2021_is_33_2_percent_above_uk():
    gva = data.load("gva_per_hour", years=2021, codes=["TLI", "UKX"])
    ratio = value(gva, "gva_per_hour", itl_code="TLI") / value(gva, "gva_per_hour",
                                                                itl_code="UKX")
    # ONS, Regional labour productivity, UK: 2021 (20 June 2023): London 33.2% above.
    assert abs((ratio - 1) * 100 - 33.2) <= 0.2
    published = data.load("relative_productivity_published", codes="TLI", years=2021)
    assert value(published, "percent_difference",
                 measure="GVA per hour worked (current prices)") == 33.2


def test_tower_hamlets_vs_powys_2021_ratio():
    gva = data.load("gva_per_hour", years=2021, codes=["TLI42", "TLL24"])
    ratio = value(gva, "gva_per_hour", itl_code="TLI42") / value(gva, "gva_per_hour",
                                                                  itl_code="TLL24")
    assert abs(ratio - 3.3) < 0.05


def test_london_gva_per_job_2021_is_41_4_percent_above_uk():
    jobs = data.load("gva_per_job", years=2021)
    ratio = value(jobs, "gva_per_job", itl_code="TLI") / value(jobs, "gva_per_job",
                                                                itl_code="UKX")
    assert round((ratio - 1) * 100, 1) == 41.4


def test_greater_south_east_share_of_public_rd():
    rd = data.load("rd_expenditure")
    public = rd[rd["measure"] == "public_funded_rd"]
    for year, published in [(2022, 51.0), (2021, 49.9)]:
        rows = public[public["year"] == year]
        gse = rows.loc[rows["itl_code"].isin(["TLI", "TLJ", "TLH"]), "rd_expenditure"].sum()
        uk = value(rows, "rd_expenditure", itl_code="UK")
        # ONS public-funded regional R&D bulletins: 51.0% in FYE 2022 (25 June 2024) and
        # 49.9% in FYE 2021.
        assert abs(100 * gse / uk - published) <= 0.15, year


def test_berd_vintages_are_labelled_and_disagree_for_2022():
    berd = data.load("rd_expenditure", codes="UK", years=2022)
    berd = berd[berd["measure"] == "berd"].set_index("release_date")["rd_expenditure"]
    assert berd.to_dict() == {"2024-12-11": 48572, "2024-02-27": 49942}


def test_tech_hubs_funnel_378_31_12():
    funnel = data.load("competition_funnels")
    hubs = funnel[funnel["programme"] == "EDA Tech Hubs"].set_index("stage")["count"]
    assert hubs["Phase 1 applications received"] == 378
    assert hubs["designated Tech Hubs"] == 31
    assert hubs["Phase 2 implementation awards"] == 12
    awards = data.load("tech_hubs_awards")
    assert value(awards, "award_usd_m", round="Phase 2 total") == 504
    phase2 = awards[awards["round"] == "Phase 2 (CHIPS appropriation)"]
    assert len(phase2) == 12
    assert abs(phase2["award_usd_m"].sum() - 503.5) < 1e-9


def test_isc_max_min_ratios():
    facts = data.load("international_comparisons").set_index("fact_id")
    assert facts.loc[["INT01", "INT02", "INT03", "INT04"], "value"].tolist() == [2.1, 1.7, 1.6,
                                                                                1.4]
    assert pd.isna(facts.loc["INT12", "value"])
    assert facts.loc["INT12", "value_as_published"] == "nearly 2"


def test_population_census_break_is_kept():
    london = data.load("population", codes="TLI", years=[2020, 2021])
    assert london["population"].tolist() == [9002488, 8796628]


def test_gva_itl1_price_bases():
    gva = data.load("gva_itl1", years=2022)
    current = gva[gva["price_basis"] == "current"].set_index("itl_code")["gva"]
    cvm = gva[gva["price_basis"] == "cvm"].set_index("itl_code")["gva"]
    # CVM in 2022 money value equals current prices in the reference year 2022.
    assert (current == cvm.loc[current.index]).all()
    assert len(data.load("gva_itl1", codes="TLI", years=2023)) == 2


def test_level3_teaching_values():
    skills = data.load("qualifications_level3", years=2021, codes=["TLC", "TLI", "UK"])
    got = skills.set_index("itl_code")["pct_level3_plus"].to_dict()
    assert got == {"UK": 61.4, "TLC": 54.6, "TLI": 71.4}


# --------------------------------------------------------------------------------------
# Catalogue, describe, cite
# --------------------------------------------------------------------------------------


def test_catalogue_lists_every_dataset():
    cat = data.catalogue()
    assert list(cat.columns) == ["name", "title", "rows", "coverage", "source", "lessons"]
    assert cat["name"].tolist() == list(RESOURCES)
    assert (cat["rows"] > 0).all()
    assert cat.set_index("name").loc["population", "rows"] == 336


def test_describe_is_readable_and_complete():
    text = data.describe("gva_per_hour")
    for needle in ["GBP per hour worked", "Coverage:", "Vintage:", "pandemic", "Sources:",
                   "Open Government Licence v3.0", "itl1_code"]:
        assert needle in text
    with pytest.raises(DatasetError, match="closest first"):
        data.describe("populaton")


def test_cite_is_one_line_with_url_and_licence():
    for name in RESOURCES:
        line = data.cite(name)
        assert "\n" not in line
        assert line.strip()
    line = data.cite("population")
    assert "Office for National Statistics" in line and "https://" in line
    assert "Open Government Licence v3.0" in line


def test_import_stays_light():
    code = (
        "import sys, course.data; "
        "heavy = [m for m in ('frictionless', 'altair', 'ipywidgets') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_loaded_frames_are_independent_of_each_other_and_of_the_cache():
    first = course.load("gva_per_hour")
    first.loc[0, "gva_per_hour"] = -1.0
    first["extra"] = 1
    del first["region"]  # an edit in place, as a student might make
    second = course.load("gva_per_hour")
    assert "region" in second.columns and "extra" not in second.columns
    assert second.loc[0, "gva_per_hour"] > 0
    filtered = course.load("gva_per_hour", level="ITL1")
    filtered.loc[:, "gva_per_hour"] = 0.0
    filtered["year"] += 1
    again = course.load("gva_per_hour", level="ITL1")
    assert (again["gva_per_hour"] > 0).all() and again["year"].max() == 2021


def test_an_edited_file_is_read_again_not_served_from_the_cache(copy_of):
    path, _ = copy_of("gva_per_hour")
    assert len(course.load("gva_per_hour")) > 0
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(text[:-5]), encoding="utf-8")
    with pytest.raises(DatasetError, match="differs from the published file"):
        course.load("gva_per_hour")
