"""Suggestions in student-facing errors: numbers by distance, area names mapped to codes."""

from __future__ import annotations

import pytest

import course
from course import measures
from course.errors import CourseError, article, options_text, suggest


def test_years_are_ranked_by_numeric_distance_not_as_text():
    years = list(range(2004, 2022))
    assert suggest("2030", years, n=3) == ["2021", "2020", "2019"]
    assert suggest(2003, years, n=2) == ["2004", "2005"]
    # As text, "2030" is closest to "2020" and "2010"; by distance 2021 comes first.
    assert suggest(2012.0, [2010, 2014, 2011], n=3) == ["2011", "2014", "2010"]


def test_a_measure_suggests_the_nearest_years():
    industry = course.load("gva_by_industry_itl2")
    with pytest.raises(CourseError) as info:
        measures.industry_matrix(industry, year=2030)
    assert "Valid options (closest first): '2021', '2020'" in str(info.value)


def test_an_area_name_is_mapped_to_its_code():
    text = options_text("London", ["TLC", "TLH", "TLI", "TLJ", "UKX"])
    assert text.startswith("'London' is an area's name: its code is 'TLI'.")
    assert "Valid options (closest first): 'TLI'" in text
    # An exact name first (the ITL3 area called Manchester), else every area containing it,
    # the broadest first.
    assert suggest("Manchester", ["TLD3", "TLD33", "TLD34", "TLC"], n=1) == ["TLD33"]
    assert suggest("greater manchester", ["TLD34", "TLD3", "TLC"], n=1) == ["TLD3"]
    assert suggest("Yorkshire", ["TLE", "TLE4", "TLE41", "TLC"], n=2) == ["TLE", "TLE4"]
    # Options that are not codes are compared as text, as before.
    assert suggest("manchester", ["Greater Manchester", "West Midlands"], n=1) == ["Greater Manchester"]


def test_load_with_a_region_name_points_to_the_code():
    with pytest.raises(course.DatasetError) as info:
        course.load("gva_per_hour", codes="London")
    message = str(info.value)
    assert "its code is 'TLI'" in message
    assert "Valid options (closest first): 'TLI'" in message


def test_article():
    assert [article(w) for w in ("area", "region", "int", "ITL code", "DataFrame", "ndarray")] == [
        "an area", "a region", "an int", "an ITL code", "a DataFrame", "an ndarray"]


def test_the_summary_names_its_shares():
    places = measures.itl3_places(course.load("gva_per_hour"))
    pool = measures.applicant_pool(places, 60, capacity_link=0.5, seed=1)
    summary = measures.simulate_competition(pool, {"need": 1.0}, (10, 3), seed=1).summary
    for who in ("applicants", "finalists", "winners"):
        share = summary[f"share_of_{who}_below_median"]
        assert share.between(0, 1).all()
        # The older name is kept (same values) so that existing notebooks still run.
        assert summary[f"{who}_below_median"].equals(share)


def test_a_year_in_quotes_gets_the_nearest_years():
    with pytest.raises(course.DatasetError) as info:
        course.load("gva_per_hour", years="2030")
    message = str(info.value)
    assert "Write 2030 without quotes" in message
    assert "Valid years (closest first): 2021, 2020, 2019" in message
