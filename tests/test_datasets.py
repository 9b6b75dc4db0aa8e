"""Tests for the committed datasets: Frictionless validity, hashes, README and reproducibility."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import require

from course import data

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO / "datasets"
REFERENCE = REPO.parent / "shared" / "reference"
PACKAGE = json.loads((DATASETS / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = PACKAGE["resources"]


@pytest.fixture(scope="module")
def frictionless_report():
    frictionless = pytest.importorskip("frictionless")
    return frictionless.validate(str(DATASETS / "datapackage.json"))


@pytest.mark.slow
def test_package_is_valid_with_frictionless(frictionless_report):
    assert frictionless_report.valid, frictionless_report.flatten(["type", "note"])[:10]
    assert {t.name for t in frictionless_report.tasks} == {r["name"] for r in RESOURCES}


def test_frictionless_checks_hashes(tmp_path):
    frictionless = pytest.importorskip("frictionless")
    (tmp_path / "population.csv").write_bytes(
        (DATASETS / "population.csv").read_bytes().replace(b"8796628", b"8796629")
    )
    res = next(r for r in RESOURCES if r["name"] == "population")
    package = dict(PACKAGE, resources=[res])
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert "hash-count" in {e.type for task in report.tasks for e in task.errors}


@pytest.mark.parametrize("res", RESOURCES, ids=lambda r: r["name"])
def test_hash_and_bytes_match(res):
    payload = (DATASETS / res["path"]).read_bytes()
    assert res["hash"] == "sha256:" + hashlib.sha256(payload).hexdigest()
    assert res["bytes"] == len(payload)
    assert b"\r\n" not in payload


@pytest.mark.parametrize("res", RESOURCES, ids=lambda r: r["name"])
def test_descriptor_has_required_metadata(res):
    assert res["name"] == Path(res["path"]).stem
    assert re.fullmatch(r"[a-z][a-z0-9_]*", res["name"])
    for key in ("title", "description", "coverage", "vintage"):
        assert isinstance(res[key], str) and res[key].strip(), key
    assert res["format"] == "csv" and res["mediatype"] == "text/csv"
    assert res["encoding"] == "utf-8"
    assert res["schema"]["missingValues"] == [""]
    assert res["sources"] and all(s.get("title") and s.get("path") for s in res["sources"])
    assert res["licenses"] and all(lic.get("title") for lic in res["licenses"])
    assert isinstance(res["caveats"], list) and res["caveats"]
    assert isinstance(res["lessons"], list)  # may be empty: kept for extensions and checks
    for f in res["schema"]["fields"]:
        assert f.get("description"), (res["name"], f["name"])


DERIVED = [
    ("gva_per_hour", "itl1_code"),
    ("itl_lookup", "itl2_code"),
    ("relative_productivity_published", "itl_code"),
    ("international_comparisons", "value"),
    ("competition_funnels", "count"),
    ("apprenticeships", "year"),
]


@pytest.mark.parametrize(("name", "field"), DERIVED)
def test_computed_columns_are_labelled_derived(name, field):
    res = next(r for r in RESOURCES if r["name"] == name)
    f = next(f for f in res["schema"]["fields"] if f["name"] == field)
    assert "Derived" in f["description"]


def test_no_absolute_paths_of_this_machine():
    for path in DATASETS.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "/work/" not in text and "/home/" not in text and "/tmp/" not in text, path
    script = (REPO / "tools" / "build_datasets.py").read_text(encoding="utf-8")
    assert "/work/" not in script


@pytest.mark.slow
def test_validate_report_passes():
    ok, report = data.validate_report(strict=True)
    assert ok, report
    assert report.count("  ok   ") == len(RESOURCES)


def test_readme_is_current():
    committed = (DATASETS / "README.md").read_text(encoding="utf-8")
    assert committed == data.readme_text(DATASETS)
    for res in RESOURCES:
        assert f"`{res['name']}`" in committed


def test_write_readme_returns_what_it_writes(tmp_path):
    target = tmp_path / "README.md"
    text = data.write_readme(target)
    assert target.read_text(encoding="utf-8") == text


def test_refresh_procedure_is_documented():
    text = (DATASETS / "REFRESH.md").read_text(encoding="utf-8")
    for needle in ["build_datasets.py", "vintage", "hash", "test_lessons_expected"]:
        assert needle in text


@pytest.mark.slow
def test_build_reproduces_committed_files(tmp_path):
    # Runs in CI, which has the reference folder beside the clone; elsewhere it skips saying
    # why, and under CI or COURSE_STRICT=1 a missing folder fails rather than skips.
    require(REFERENCE.is_dir(), "the reference folder ../shared/reference beside the repository "
            "(the published figures the datasets are rebuilt from; CI has it there)")
    out = tmp_path / "rebuilt"
    subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_datasets.py"), str(REFERENCE), "--out",
         str(out)],
        check=True, capture_output=True, text=True,
    )
    committed = sorted(p.name for p in DATASETS.glob("*.csv")) + ["datapackage.json",
                                                                  "README.md"]
    rebuilt = sorted(p.name for p in out.iterdir())
    assert sorted(committed) == rebuilt
    for name in rebuilt:
        assert (out / name).read_bytes() == (DATASETS / name).read_bytes(), name


# --------------------------------------------------------------------------------------
# Cited corrections the reference folder does not carry (tools/build_datasets.py)
# --------------------------------------------------------------------------------------


def test_timeline_corrections_are_applied_and_cited():
    t = data.load("policy_timeline")
    lda = t[t["name"].str.startswith("London Development Agency")]
    gla = t[t["name"].str.startswith("Greater London Authority")]
    assert len(lda) == 1 and len(gla) == 1
    assert (int(lda["year"].iloc[0]), int(lda["ended_year"].iloc[0])) == (2000, 2012)
    assert lda["status"].iloc[0] == "ended" and "CO01" in lda["source_id"].iloc[0]
    assert gla["status"].iloc[0] == "ongoing"
    ukspf = t[t["name"].str.startswith("UK Shared Prosperity Fund")].iloc[0]
    assert ukspf["status"] == "ongoing" and pd.isna(ukspf["ended_year"])
    luf = t[t["name"].str.startswith("Levelling Up Fund Round")]
    assert len(luf) == 3 and set(luf["type"]) == {"funding round"}
    corrected = t[t["notes"].fillna("").str.contains(r"\[correction\]")]
    assert len(corrected) == 6  # LDA, GLA, UKSPF and three LUF rounds
    sources = data.load("policy_sources").set_index("source_id")
    assert "legislation.gov.uk/uksi/2012/666" in sources.loc["CO01", "url"]
    assert "Open Government Licence" in sources.loc["CO01", "licence"]
    timeline_res = next(r for r in RESOURCES if r["name"] == "policy_timeline")
    assert "CO01" in {s["id"] for s in timeline_res["sources"]}


def test_a_correction_that_matches_no_row_fails_the_build():
    sys.path.insert(0, str(REPO))
    try:
        from tools import build_datasets
    finally:
        sys.path.remove(str(REPO))
    rows = [{"name": "Something else", "notes": ""}]
    with pytest.raises(ValueError, match="matched no row or several"):
        build_datasets.apply_corrections(rows, build_datasets.TIMELINE_CORRECTIONS[:1])
    twice = [{"name": "Levelling Up Fund Round 1", "notes": "", "type": "fund"}] * 2
    with pytest.raises(ValueError, match="luf_round_is_a_decision"):
        build_datasets.apply_corrections(twice, build_datasets.TIMELINE_CORRECTIONS[2:3])
