"""Rebuild every course dataset and ``datasets/datapackage.json`` from the reference folder.

Usage::

    python tools/build_datasets.py                     # reads ../shared/reference
    python tools/build_datasets.py REFERENCE_DIR       # another copy of the reference folder
    python tools/build_datasets.py --out OTHER_DIR     # write somewhere else (the tests do this)

Every value is copied as text from the reference CSV files, so nothing is re-rounded or
re-formatted on the way. The only computed columns are labelled *derived* in their field
description (for example ``itl1_code``, the parent region read off the ITL code prefix).
Columns that never change within a file (unit, price basis, source) move into the descriptor.
The output is deterministic: the same reference folder always gives byte-identical files,
hashes and descriptor.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference"
DEFAULT_OUT = REPO / "datasets"

# --------------------------------------------------------------------------------------
# Licences and attribution
# --------------------------------------------------------------------------------------

OGL = {
    "name": "OGL-UK-3.0",
    "title": "Open Government Licence v3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
OPL = {
    "name": "OPL-3.0",
    "title": "Open Parliament Licence v3.0",
    "path": "https://www.parliament.uk/site-information/copyright-parliament/open-parliament-licence/",
}
US_PD = {
    "name": "US-Government-Works",
    "title": "US federal government work, public domain in the US (17 U.S.C. 105)",
    "path": "https://www.usa.gov/government-copyright",
}
QUOTED = {
    "name": "quoted-facts",
    "title": "Facts quoted with attribution to the named publishers (no text or charts "
    "reproduced; check each publisher's terms before reusing more)",
}
COURSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 (the course's own layout)",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
ONS_ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0"
)

# --------------------------------------------------------------------------------------
# Source register for the productivity and labour folders (policy cases have sources.csv)
# --------------------------------------------------------------------------------------

ONS_SUBREGPROD = (
    "https://www.ons.gov.uk/employmentandlabourmarket/peopleinwork/labourproductivity/datasets/"
    "subregionalproductivitylabourproductivitygvaperhourworkedandgvaperfilledjobindicesbyuk"
    "nuts2andnuts3subregions"
)
ONS_REGGDP = (
    "https://www.ons.gov.uk/economy/grossdomesticproductgdp/datasets/"
    "regionalgrossdomesticproductallnutslevelregions"
)
ONS_REGGVA = (
    "https://www.ons.gov.uk/economy/grossvalueaddedgva/datasets/"
    "nominalandrealregionalgrossvalueaddedbalancedbyindustry"
)
ELS = "https://github.com/ONSdigital/explore-local-statistics-data"

# id: (title, publisher, version / release, url, licence name)
SOURCE_REGISTER: dict[str, tuple[str, str, str, str, str]] = {
    "ONS_SUBREGPROD_2023JUN_A4": (
        "Subregional productivity: labour productivity indices by UK ITL2 and ITL3 subregions, "
        "Table A4: current price (unsmoothed) GVA (B) per hour worked (GBP), 2004 to 2021",
        "Office for National Statistics",
        "June 2023 edition, released 20 June 2023",
        ONS_SUBREGPROD,
        "OGL-UK-3.0",
    ),
    "ONS_SUBREGPROD_2023JUN_B4": (
        "Subregional productivity: labour productivity indices by UK ITL2 and ITL3 subregions, "
        "Table B4: current price (unsmoothed) GVA (B) per filled job (GBP), 2002 to 2021",
        "Office for National Statistics",
        "June 2023 edition, released 20 June 2023",
        ONS_SUBREGPROD,
        "OGL-UK-3.0",
    ),
    "ONS_REGGDP_2023APR_T17": (
        "Regional gross domestic product: all ITL regions, Table 17: total resident population "
        "numbers, persons",
        "Office for National Statistics",
        "1998 to 2021 edition (regional accounts round of April 2023; exact day not verified)",
        ONS_REGGDP,
        "OGL-UK-3.0",
    ),
    "ONS_REGGVA_2025APR": (
        "Regional gross value added (balanced) by industry: all ITL regions, Tables 1b (chained "
        "volume measures) and 1c (current prices), all industries",
        "Office for National Statistics",
        "1998 to 2023 edition (release date recorded as 17 April 2025 by the extracting "
        "repository; not checked on ONS)",
        ONS_REGGVA,
        "OGL-UK-3.0",
    ),
    "ONS_REGGVA_IND_2023APR_T1C": (
        "Regional gross value added (balanced) by industry: all ITL regions, Table 1c: ITL1 UK "
        "current price estimates, pounds million",
        "Office for National Statistics",
        "1998 to 2021 edition (regional accounts round of April 2023)",
        ONS_REGGVA,
        "OGL-UK-3.0",
    ),
    "ONS_REGGVA_IND_2023APR_T2C": (
        "Regional gross value added (balanced) by industry: all ITL regions, Table 2c: ITL2 UK "
        "current price estimates, pounds million",
        "Office for National Statistics",
        "1998 to 2021 edition (regional accounts round of April 2023)",
        ONS_REGGVA,
        "OGL-UK-3.0",
    ),
    "ONS_RSLP_2023": (
        "Regional and subregional labour productivity, UK: 2023",
        "Office for National Statistics",
        "released 19 June 2025",
        "https://www.ons.gov.uk/economy/economicoutputandproductivity/productivitymeasures/"
        "bulletins/regionalandsubregionallabourproductivityuk/2023",
        "OGL-UK-3.0",
    ),
    "ONS_RSLP_2022": (
        "Regional and subregional labour productivity, UK: 2022",
        "Office for National Statistics",
        "released 17 June 2024",
        "https://ons.gov.uk/economy/economicoutputandproductivity/productivitymeasures/"
        "bulletins/regionalandsubregionallabourproductivityuk/2022",
        "OGL-UK-3.0",
    ),
    "ONS_REGPROD_2021": (
        "Regional labour productivity, UK: 2021",
        "Office for National Statistics",
        "released 20 June 2023",
        "https://ons.gov.uk/economy/economicoutputandproductivity/productivitymeasures/"
        "bulletins/regionallabourproductivityincludingindustrybyregionuk/latest",
        "OGL-UK-3.0",
    ),
    "ONS_REGPROD_2020": (
        "Regional labour productivity, including industry by region, UK: 2020",
        "Office for National Statistics",
        "2022 (day not captured)",
        "https://cy.ons.gov.uk/economy/economicoutputandproductivity/productivitymeasures/"
        "bulletins/regionallabourproductivityincludingindustrybyregionuk/2020",
        "OGL-UK-3.0",
    ),
    "ONS_REGPROD_2019": (
        "Regional labour productivity, including industry by region, UK: 2019",
        "Office for National Statistics",
        "released 7 July 2021",
        "https://ons.gov.uk/economy/economicoutputandproductivity/productivitymeasures/"
        "bulletins/regionallabourproductivityincludingindustrybyregionuk/2019",
        "OGL-UK-3.0",
    ),
    "ONS_REGPROD_2018": (
        "Regional labour productivity, including industry by region, UK: 2018",
        "Office for National Statistics",
        "released 5 February 2020",
        "https://ons.gov.uk/economy/economicoutputandproductivity/productivitymeasures/"
        "bulletins/regionallabourproductivityincludingindustrybyregionuk/2018",
        "OGL-UK-3.0",
    ),
    "ONS_SUBREG_2023JUN": (
        "Regional and subregional productivity in the UK: June 2023",
        "Office for National Statistics",
        "released 20 June 2023",
        "https://www.ons.gov.uk/employmentandlabourmarket/peopleinwork/labourproductivity/"
        "articles/regionalandsubregionalproductivityintheuk/june2023",
        "OGL-UK-3.0",
    ),
    "ONS_SUBREG_2022JUL": (
        "Regional and subregional productivity in the UK: July 2022",
        "Office for National Statistics",
        "July 2022 (day not captured)",
        "https://ons.gov.uk/employmentandlabourmarket/peopleinwork/labourproductivity/"
        "articles/regionalandsubregionalproductivityintheuk/july2022",
        "OGL-UK-3.0",
    ),
    "ONS_SUBREG_2021JUL": (
        "Regional and subregional productivity in the UK: July 2021",
        "Office for National Statistics",
        "July 2021 (day not captured)",
        "https://cy.ons.gov.uk/employmentandlabourmarket/peopleinwork/labourproductivity/"
        "articles/regionalandsubregionalproductivityintheuk/july2021",
        "OGL-UK-3.0",
    ),
    "ONS_SUBREG_2019FEB": (
        "Regional and subregional productivity in the UK: February 2019",
        "Office for National Statistics",
        "February 2019",
        "https://cy.ons.gov.uk/employmentandlabourmarket/peopleinwork/labourproductivity/"
        "articles/regionalandsubregionalproductivityintheuk/february2019",
        "OGL-UK-3.0",
    ),
    "ONS_SUBREG_2018FEB": (
        "Regional and subregional productivity in the UK: February 2018",
        "Office for National Statistics",
        "February 2018",
        "https://cy.ons.gov.uk/employmentandlabourmarket/peopleinwork/labourproductivity/"
        "articles/regionalandsubregionalproductivityintheuk/february2018",
        "OGL-UK-3.0",
    ),
    "ONS_SUBREG_2016MAR": (
        "Sub-regional productivity: March 2016 (first version)",
        "Office for National Statistics",
        "March 2016",
        "https://ons.gov.uk/employmentandlabourmarket/peopleinwork/labourproductivity/"
        "articles/subregionalproductivity/march2016/previous/v1",
        "OGL-UK-3.0",
    ),
    "ONS_SUBREG_2015FEB": (
        "Sub-regional productivity: February 2015",
        "Office for National Statistics",
        "released 19 February 2015 (LEP data corrected 20 May 2015)",
        "https://cy.ons.gov.uk/employmentandlabourmarket/peopleinwork/labourproductivity/"
        "articles/subregionalproductivity/2015-02-19",
        "OGL-UK-3.0",
    ),
    "ONS_SUBREG_2014MAR": (
        "Subregional productivity, March 2014 (experimental)",
        "Office for National Statistics",
        "released 11 March 2014",
        "http://www.ons.gov.uk/ons/ons/rel/regional-trends/regional-economic-analysis/"
        "sub-regional-productivity--march-2014/art-subregional-productivity-march-2014.html",
        "OGL-UK-3.0",
    ),
    "ONS_REGGDP_2024": (
        "Regional economic activity by gross domestic product, UK: 1998 to 2022",
        "Office for National Statistics",
        "2024 (day not captured)",
        "https://www.ons.gov.uk/economy/grossdomesticproductgdp/bulletins/"
        "regionaleconomicactivitybygrossdomesticproductuk/latest",
        "OGL-UK-3.0",
    ),
    "ONS_REGGDP_2021MAY": (
        "Regional economic activity by gross domestic product, UK: 1998 to 2019 (first version)",
        "Office for National Statistics",
        "released 26 May 2021",
        "https://cy.ons.gov.uk/economy/grossdomesticproductgdp/bulletins/"
        "regionaleconomicactivitybygrossdomesticproductuk/1998to2019/previous/v1",
        "OGL-UK-3.0",
    ),
    "ONS_BLOG_2018": (
        "Mind the gap: why the UK might not be the most regionally unequal country "
        "(R. Prothero)",
        "Office for National Statistics (blog)",
        "23 November 2018",
        "https://blog.ons.gov.uk/2018/11/23/mind-the-gap-why-the-uk-might-not-be-the-most-"
        "regionally-unequal-country/",
        "OGL-UK-3.0",
    ),
    "COMMONS_LIB_INSIGHT": (
        "How big are regional economic inequalities in the UK?",
        "House of Commons Library",
        "date not captured (2018 data)",
        "https://commonslibrary.parliament.uk/how-big-are-regional-economic-inequalities-in-the-uk/",
        "OPL-3.0",
    ),
    "OECD_RCG_2018": (
        "Regions and Cities at a Glance 2018 (productivity chapter)",
        "OECD",
        "2018",
        "https://oecd.org/en/publications/oecd-regions-and-cities-at-a-glance-2018_reg_cit_"
        "glance-2018-en/full-report/component-10.html",
        "quoted-facts",
    ),
    "OECD_RCG_2020": (
        "Regions and Cities at a Glance 2020",
        "OECD",
        "2020",
        "https://oecd.org/en/publications/oecd-regions-and-cities-at-a-glance-2020_959d5ba0-en/"
        "full-report/component-17.html",
        "quoted-facts",
    ),
    "OECD_RCG_2022": (
        "Regions and Cities at a Glance 2022",
        "OECD",
        "November 2022",
        "https://oecd.org/en/publications/2022/11/oecd-regions-and-cities-at-a-glance-2022_"
        "7eaf8b80/full-report/component-8.html",
        "quoted-facts",
    ),
    "OECD_TL3_VIA_QERY": (
        "OECD TL3 productivity analysis (23 countries, 2019 data), as summarised by qery.no",
        "qery.no (second-hand)",
        "date not captured",
        "https://qery.no/regional-labour-productivity-differences/",
        "quoted-facts",
    ),
    "ISC_2020": (
        "UK Regional Productivity Differences: An Evidence Review (R. Zymek and B. Jones)",
        "Industrial Strategy Council",
        "February 2020",
        "https://industrialstrategycouncil.org/uk-regional-productivity-differences-evidence-review",
        "quoted-facts",
    ),
    "CAMECON_2020": (
        "UK - one of the most unequal countries when it comes to regional productivity "
        "(B. Gardiner)",
        "Cambridge Econometrics",
        "2020 (day not captured)",
        "https://www.camecon.com/blog/uk-one-of-the-most-unequal-countries-when-it-comes-to-"
        "regional-productivity/",
        "quoted-facts",
    ),
    "RF_MAPPINGGAPS_2019": (
        "Mapping gaps: geographic inequality in productivity and living standards (S. Clarke)",
        "Resolution Foundation",
        "11 July 2019",
        "https://www.resolutionfoundation.org/publications/mapping-gaps-geographic-inequality-"
        "in-productivity-and-living-standards/",
        "quoted-facts",
    ),
    "MCCANN_2020": (
        "Perceptions of regional inequality and the geography of discontent: insights from the "
        "UK (P. McCann), Regional Studies 54(2), 256-267",
        "Regional Studies (Taylor & Francis)",
        "online 19 June 2019",
        "https://doi.org/10.1080/00343404.2019.1619928",
        "quoted-facts",
    ),
    "CFC_2016": (
        "Competing with the Continent (H. Bessis), press release",
        "Centre for Cities",
        "22 September 2016",
        "https://www.centreforcities.org/press/uk-cities-lag-behind-european-competitors-skills-"
        "productivity-innovation/",
        "quoted-facts",
    ),
    "CITYMETRIC_2016": (
        "Articles on British cities' productivity against European cities (J. Elledge)",
        "CityMetric / CityMonitor",
        "from 22 September 2016",
        "https://citymonitor.ai/economy/vast-majority-british-cities-are-less-productive-"
        "european-average-2457",
        "quoted-facts",
    ),
    "RF_E2030_2023": (
        "A Tale of Two Cities, parts 1 and 2 (Economy 2030 Inquiry), press releases",
        "Resolution Foundation",
        "14 September 2023",
        "https://www.resolutionfoundation.org/press-releases/job-done-complacency-on-greater-"
        "manchesters-economic-revival-is-badly-misplaced/",
        "quoted-facts",
    ),
    "LSE_BLOG_2023": (
        "Time for a strategy to boost productivity in Manchester and beyond (Brandily et al.)",
        "LSE British Politics and Policy blog",
        "2 October 2023",
        "https://blogs.lse.ac.uk/politicsandpolicy/time-for-a-strategy-to-boost-productivity-in-"
        "manchester-and-beyond/",
        "quoted-facts",
    ),
    "NIESR_2017": (
        "General Election 2017 Briefing No. 2: Regional inequality in productivity in the UK, "
        "a closer look (M. Ebell)",
        "NIESR (summary on wired-gov.net)",
        "May 2017",
        "https://www.wired-gov.net/wg/news.nsf/articles/NIESR+General+Election+Briefing+Regional"
        "+Inequality+in+Productivity+in+the+UK+A+Closer+Look+30052017150500?open",
        "quoted-facts",
    ),
    "CFC_LEVELUP": (
        "So you want to level up? Chapter: What is the problem?",
        "Centre for Cities",
        "date not captured (2018 data)",
        "https://www.centreforcities.org/reader/so-you-want-to-level-up/what-is-the-problem/",
        "quoted-facts",
    ),
    "CITYAM_2024": (
        "London dragging on UK's productivity growth since the pandemic, data suggests",
        "City A.M. (second-hand)",
        "June 2024",
        "https://www.cityam.com/london-dragging-on-uks-productivity-growth-since-the-pandemic-"
        "data-suggests/",
        "quoted-facts",
    ),
    "NOAH_2025": (
        "UK regional productivity gaps persist but some areas see promising gains",
        "noah.makes.news (second-hand, low authority)",
        "15 October 2025",
        "https://noah.makes.news/gb/en/business/2025/10/15/uk-regional-productivity-gaps-"
        "persist-but-some-areas-see-promising-gains",
        "quoted-facts",
    ),
    "NATIONALWORLD_2021": (
        "Levelling up: how big is the productivity gap across UK regions?",
        "NationalWorld (citing Centre for Cities; second-hand)",
        "2021",
        "https://www.nationalworld.com/news/politics/levelling-up-how-big-is-the-productivity-"
        "gap-across-uk-regions-3188105",
        "quoted-facts",
    ),
    # Labour and skills folder
    "ELS_APS_EMP": (
        "Annual Population Survey: employment rate and economic inactivity rate, aged 16-64 "
        "(Explore Local Statistics data, employment-rate/4-employment-rate-raw.csv)",
        "Office for National Statistics",
        "latest period Jan-Dec 2023 (compiled early 2024; repository commit a0ec6b72)",
        ELS,
        "OGL-UK-3.0",
    ),
    "ELS_NI_LFS_2022": (
        "NISRA Labour Force Survey, Northern Ireland employment and inactivity rates, 2022 "
        "(Explore Local Statistics data, ni-employment-rate)",
        "Northern Ireland Statistics and Research Agency (via ONS)",
        "repository commit 585997e5",
        ELS,
        "OGL-UK-3.0",
    ),
    "ELS_NI_LFS_2023": (
        "NISRA Labour Force Survey, Northern Ireland employment and inactivity rates, 2023 "
        "(Explore Local Statistics data, ni-employment-rate)",
        "Northern Ireland Statistics and Research Agency (via ONS)",
        "repository commit 7b2074d5",
        ELS,
        "OGL-UK-3.0",
    ),
    "ELS_ASHE_PAY": (
        "Annual Survey of Hours and Earnings: median gross weekly pay, all employees, by "
        "residence (Explore Local Statistics data, gross-median-weekly-pay)",
        "Office for National Statistics and NISRA",
        "issued 29 October 2024 (2024 provisional, 2023 revised)",
        ELS,
        "OGL-UK-3.0",
    ),
    "NOMIS_GDHI_NM185": (
        "Regional gross disposable household income, UK: 1997 to 2022 (Nomis dataset NM_185_1, "
        "as stored in sebgrech/regioniq-uk)",
        "Office for National Statistics (via Nomis)",
        "1997 to 2022 release (download date unknown)",
        "https://www.nomisweb.co.uk/datasets/gdhi",
        "OGL-UK-3.0",
    ),
    "ELS_BERD_2023REL": (
        "Business enterprise research and development, UK: 2023 (regional table, Explore Local "
        "Statistics data)",
        "Office for National Statistics",
        "released 11 December 2024",
        ELS,
        "OGL-UK-3.0",
    ),
    "ELS_BERD_2022REL": (
        "Business enterprise research and development, UK: 2022 (regional table, Explore Local "
        "Statistics data)",
        "Office for National Statistics",
        "released 27 February 2024",
        ELS,
        "OGL-UK-3.0",
    ),
    "ELS_PUBLIC_RD": (
        "UK public-funded gross regional expenditure on research and development: financial "
        "year ending 2022",
        "Office for National Statistics",
        "released 25 June 2024 (official statistics in development)",
        "https://www.ons.gov.uk/economy/governmentpublicsectorandtaxes/researchanddevelopment"
        "expenditure/bulletins/ukpublicfundedgrossregionalexpenditureonresearchanddevelopment/"
        "financialyearending2022",
        "OGL-UK-3.0",
    ),
    "NOMIS_BRES_2017_CA": (
        "Business Register and Employment Survey 2017, open access: employees by SIC 2007 "
        "section for combined authorities (Nomis export of 25 October 2021, as stored in "
        "griff-rees/estios)",
        "Office for National Statistics (via Nomis)",
        "BRES 2017, exported 25 October 2021",
        "https://www.nomisweb.co.uk/",
        "OGL-UK-3.0",
    ),
    "GLA_APS_NVQ_VIA_STUDENT_REPO_A": (
        "Annual Population Survey: qualifications of the working-age population (NVQ), as "
        "republished by the GLA and stored in a student repository (QualificatinsDataset.csv)",
        "Office for National Statistics (via GLA; second-hand)",
        "APS 2014-2020 rows",
        "https://github.com/NoussaibaBaazi/FinalProject",
        "OGL-UK-3.0",
    ),
    "GLA_APS_NVQ_VIA_STUDENT_REPO_B": (
        "Annual Population Survey: qualifications of the working-age population (NVQ), as "
        "republished by the GLA and stored in a student repository "
        "(Qualifications-of-working-age-NVQ.csv)",
        "Office for National Statistics (via GLA; second-hand)",
        "APS 2014-2021",
        "https://github.com/NoussaibaBaazi/FinalProject",
        "OGL-UK-3.0",
    ),
    "ELS_LEVEL3_NVQ": (
        "Annual Population Survey: aged 16 to 64 with level 3 or above qualifications (NVQ "
        "basis), Explore Local Statistics data",
        "Office for National Statistics (via Nomis)",
        "source date 16 April 2024 (official statistics in development)",
        ELS,
        "OGL-UK-3.0",
    ),
    "ELS_APPRENTICESHIPS_2024REL": (
        "Further education and skills: apprenticeship starts per 100,000 population, "
        "academic years 2018/19 to 2023/24 (Explore Local Statistics data)",
        "Department for Education",
        "source date 28 November 2024",
        "https://explore-education-statistics.service.gov.uk/find-statistics/"
        "further-education-and-skills",
        "OGL-UK-3.0",
    ),
    "ELS_APPRENTICESHIPS_PREV": (
        "Further education and skills: apprenticeship starts per 100,000 population, "
        "academic years 2017/18 to 2022/23 (earlier Explore Local Statistics vintage)",
        "Department for Education",
        "earlier release (not recorded; repository commit 1778b0b7)",
        "https://explore-education-statistics.service.gov.uk/find-statistics/"
        "further-education-and-skills",
        "OGL-UK-3.0",
    ),
}

LICENCES = {lic["name"]: lic for lic in (OGL, OPL, US_PD, QUOTED, COURSE)}


# --------------------------------------------------------------------------------------
# Dataset specification
# --------------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    type: str  # string | integer | number
    description: str
    unit: str | None = None
    required: bool = False
    enum: bool | list[str] = False  # True: the sorted set of values found in the data
    minimum: float | int | None = None
    unique: bool = False


@dataclass
class Dataset:
    name: str
    title: str
    description: str
    build: Callable[[Path], list[dict[str, str]]]
    fields: list[Field]
    source_ids: Callable[[list[dict[str, str]]], list[str]] | list[str]
    coverage: str
    vintage: str
    caveats: list[str]
    lessons: list[str]
    primary_key: list[str] = field(default_factory=list)
    licences: list[str] = field(default_factory=lambda: ["OGL-UK-3.0"])
    attribution: str = ONS_ATTRIBUTION
    reference_files: list[str] = field(default_factory=list)


DATASETS: list[Dataset] = []


def dataset(**kwargs):
    """Register a builder function as a dataset (decorator)."""

    def wrap(func):
        DATASETS.append(Dataset(build=func, **kwargs))
        return func

    return wrap


def read_ref(ref: Path, rel: str) -> list[dict[str, str]]:
    """Read a reference CSV as text, exactly as written (no type conversion)."""
    with open(ref / rel, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


ITL_LEVELS_BELOW_UK = ("ITL1", "ITL2", "ITL3")


def parent_itl1(code: str, level: str) -> str:
    """ITL1 code containing an ITL1/ITL2/ITL3 area (the first three characters); else ''."""
    return code[:3] if level in ITL_LEVELS_BELOW_UK else ""


def single(rows: list[dict[str, str]], column: str) -> str:
    """The one value a column takes in every row (raises if it varies)."""
    values = {r[column] for r in rows}
    if len(values) != 1:
        raise ValueError(f"column {column!r} is not constant: {sorted(values)}")
    return values.pop()


def read_checked(ref: Path, rel: str, **expected: str) -> list[dict[str, str]]:
    """Read a reference CSV and check the columns that hold one value throughout.

    ``expected`` maps such a column (unit, smoothing, price_basis, source_id, ...) to the value
    it must take in every row; those columns move into the descriptor, not the output.
    """
    rows = read_ref(ref, rel)
    for column, want in expected.items():
        got = single(rows, column)
        if got != want:
            raise ValueError(f"{rel}: column {column!r} is {got!r}, expected {want!r}")
    return rows


def copy_row(r: dict[str, str], columns: str,
             **sources: str | Callable[[dict[str, str]], str]) -> dict[str, str]:
    """An output row with the space-separated ``columns``, in that order.

    Each column is copied from the reference column of the same name, unless ``sources`` names
    another reference column for it or gives a function of the reference row (derived).
    """
    out = {}
    for name in columns.split():
        source = sources.get(name, name)
        out[name] = source(r) if callable(source) else r[source]
    return out


def itl_keys(r: dict[str, str], level: str | None = None,
             region: str = "region") -> dict[str, str]:
    """The ITL key columns of a reference row: itl_level, itl_code, itl1_code (derived from
    the code), region (read from the ``region`` column) and year."""
    level = level or r["itl_level"]
    return {"itl_level": level, "itl_code": r["itl_code"],
            "itl1_code": parent_itl1(r["itl_code"], level), "region": r[region],
            "year": r["year"]}


def itl_value_rows(ref: Path, rel: str, value: str, **expected: str) -> list[dict[str, str]]:
    """One figure per area and year: the ITL keys, the reference ``value`` column renamed to
    ``value``, and confidence (``expected`` as in :func:`read_checked`)."""
    return [{**itl_keys(r), value: r["value"], "confidence": r["confidence"]}
            for r in read_checked(ref, rel, **expected)]


def ids_in(rows: list[dict[str, str]], *columns: str) -> list[str]:
    """Every source id named in the given columns (ids separated by ';'), sorted."""
    found: set[str] = set()
    for r in rows:
        for col in columns:
            for part in r.get(col, "").split(";"):
                part = part.strip()
                if part:
                    found.add(part)
    return sorted(found)


PARENT_FIELD = Field(
    "itl1_code",
    "string",
    "Code of the ITL1 region containing the area (for ITL1 rows, the area's own code); empty "
    "for the UK and England rows. Derived: the first three characters of itl_code, which is "
    "how ONS builds ITL codes (TLD35 -> TLD3 -> TLD).",
)
CONFIDENCE_FIELD = Field(
    "confidence",
    "string",
    "How the figure was obtained, as labelled in the reference folder: official = published "
    "by ONS or another official statistics body; published-analysis = original publication "
    "of a non-statistical body; second-hand = seen only as quoted or re-posted by a third "
    "party.",
    required=True,
    enum=True,
)


def year_field(description: str = "Calendar year the figure refers to.") -> Field:
    return Field("year", "integer", description, required=True)


def required_text(name: str, description: str, **constraints) -> Field:
    """A text column every row fills (codes, names, ids); ``constraints`` as in Field."""
    return Field(name, "string", description, required=True, **constraints)


def level_field(description: str) -> Field:
    return required_text("itl_level", description, enum=True)


def region_field(description: str = "Area name as published.") -> Field:
    return required_text("region", description)


def itl_key_fields(level: str, code: str, region: str = "Area name as published by ONS.",
                   year: str | None = None) -> list[Field]:
    """The columns of :func:`itl_keys`: itl_level, itl_code, itl1_code, region and year."""
    return [level_field(level), required_text("itl_code", code), PARENT_FIELD,
            region_field(region), year_field() if year is None else year_field(year)]


def measure_field(name: str, type_: str, description: str, unit: str) -> Field:
    """The dataset's measured figure: required, never negative."""
    return Field(name, type_, description, unit=unit, required=True, minimum=0)


# --------------------------------------------------------------------------------------
# Productivity datasets (reference/uk_productivity)
# --------------------------------------------------------------------------------------

PROD = "uk_productivity"
LAB = "uk_labour_skills"
POL = "policy_cases"


@dataset(
    name="gva_per_hour",
    title="GVA per hour worked, UK regions and subregions, 2004-2021 (GBP, current prices)",
    description=(
        "Gross value added (balanced) per hour worked in pounds, current prices, unsmoothed, "
        "for the UK less extra-regio (code UKX), England, the 12 ITL1 regions, 41 ITL2 and 179 "
        "ITL3 subregions, 2004 to 2021 (234 areas x 18 years). Values exactly as in ONS Table A4 "
        "of the June 2023 subregional productivity edition (1 decimal place; Northern Ireland "
        "ITL3 rows published to 2). The UK comparator row is UKX (UK less extra-regio), not UK. "
        "No index (UK = 100) is published here: divide by the UKX row of the same year."
    ),
    fields=[
        *itl_key_fields(
            "Geography level: UK, Country (England), ITL1, ITL2 or ITL3.",
            "ITL 2021 code of the area (UKX = UK less extra-regio, TLB = England). Join on this "
            "column, never on region names.",
            "Area name as published by ONS (TLH appears as 'East')."),
        measure_field("gva_per_hour", "number", "GVA (balanced) per hour worked, current prices "
                      "(nominal, no regional price adjustment), unsmoothed.",
                      "GBP per hour worked"),
        CONFIDENCE_FIELD,
    ],
    primary_key=["itl_code", "year"],
    source_ids=["ONS_SUBREGPROD_2023JUN_A4"],
    coverage="UK (UKX), England, ITL1, ITL2, ITL3; 2004-2021",
    vintage="ONS subregional productivity, June 2023 edition (released 20 June 2023)",
    caveats=[
        "Current prices (nominal): no adjustment for regional price levels, and comparisons "
        "across years mix price and volume change.",
        "2020 and 2021 are distorted by the pandemic: hours fell more than output, so GVA per "
        "hour jumped. Make no trend claims from those years.",
        "ITL3 levels are volatile from year to year; ONS also publishes a smoothed series, "
        "which is not included here.",
        "Superseded by the June 2024 and June 2025 editions; ONS revises back data every year, "
        "so compare years only within this edition and never splice editions.",
        "Ratios computed from these 1-decimal-place values differ from published percentages "
        "by a few tenths (e.g. North East 2021: -17.6% computed vs -17.4% published).",
        "Workplace-based: commuting raises London's figures relative to where workers live.",
    ],
    lessons=["00-orientation", "01-regional-gap", "02-scale-and-long-term", "03-good-jobs", "05-skills", "07-competitions", "08-capstone"],
    reference_files=[f"{PROD}/itl_gva_per_hour_worked_gbp_2004_2021.csv"],
)
def build_gva_per_hour(ref: Path) -> list[dict[str, str]]:
    return itl_value_rows(
        ref, f"{PROD}/itl_gva_per_hour_worked_gbp_2004_2021.csv", "gva_per_hour",
        unit="GBP per hour worked", smoothing="unsmoothed",
        price_basis="current prices (nominal)", source_id="ONS_SUBREGPROD_2023JUN_A4")


@dataset(
    name="gva_per_job",
    title="GVA per filled job, UK regions, 2002-2021 (GBP, current prices)",
    description=(
        "Gross value added (balanced) per filled job in pounds, current prices, unsmoothed, for "
        "the UK less extra-regio (UKX), England and the 12 ITL1 regions, 2002 to 2021. ONS Table "
        "B4 of the June 2023 subregional productivity edition, the same edition as gva_per_hour. "
        "The UK comparator row is UKX."
    ),
    fields=[
        *itl_key_fields("Geography level: UK, Country (England) or ITL1.",
                        "ITL 2021 code (UKX = UK less extra-regio, TLB = England)."),
        measure_field("gva_per_job", "integer", "GVA (balanced) per filled job, current prices "
                      "(nominal), unsmoothed.", "GBP per filled job"),
        CONFIDENCE_FIELD,
    ],
    primary_key=["itl_code", "year"],
    source_ids=["ONS_SUBREGPROD_2023JUN_B4"],
    coverage="UK (UKX), England, ITL1; 2002-2021",
    vintage="ONS subregional productivity, June 2023 edition (released 20 June 2023)",
    caveats=[
        "Current prices (nominal), no regional price adjustment.",
        "ONS warns that 2020 jobs-based productivity is distorted by the furlough scheme, which "
        "kept people counted in jobs while they produced less.",
        "ITL2 and ITL3 rows exist in the source table but were not transcribed.",
        "Check: London 2021 85,301 / UKX 60,340 = 1.414, matching the published 41.4% above "
        "the UK average.",
    ],
    lessons=[],
    reference_files=[f"{PROD}/itl1_gva_per_filled_job_gbp_2002_2021.csv"],
)
def build_gva_per_job(ref: Path) -> list[dict[str, str]]:
    return itl_value_rows(
        ref, f"{PROD}/itl1_gva_per_filled_job_gbp_2002_2021.csv", "gva_per_job",
        unit="GBP per filled job", smoothing="unsmoothed",
        price_basis="current prices (nominal)", source_id="ONS_SUBREGPROD_2023JUN_B4")


@dataset(
    name="population",
    title="Total resident population, UK regions, 1998-2021",
    description=(
        "Total resident population (persons) for the UK, England and the 12 ITL1 regions, 1998 "
        "to 2021, from Table 17 of the ONS regional GDP dataset (the same regional-accounts round "
        "as the June 2023 productivity tables). The UK row uses code UK (the whole UK); the "
        "productivity tables use UKX (UK less extra-regio) instead."
    ),
    fields=[
        *itl_key_fields("Geography level: UK, Country (England) or ITL1.",
                        "ITL 2021 code (UK = United Kingdom, TLB = England). Note: UK here, UKX "
                        "in the productivity tables.",
                        year="Calendar year (mid-year estimate)."),
        measure_field("population", "integer", "Total resident population.", "persons"),
        CONFIDENCE_FIELD,
    ],
    primary_key=["itl_code", "year"],
    source_ids=["ONS_REGGDP_2023APR_T17"],
    coverage="UK, England, ITL1; 1998-2021",
    vintage="ONS regional GDP, 1998 to 2021 edition (April 2023 regional accounts round)",
    caveats=[
        "Census break: for England and Wales the 2021 value is Census 2021-based while earlier "
        "years in this edition were not rebased, so there is a visible step between 2020 and "
        "2021 (e.g. London falls from 9,002,488 to 8,796,628). Do not read it as a real fall.",
        "Regional sums match the UK and England rows to within 3 persons (ONS rounding).",
        "Pairing with gva_itl1 (April 2025 edition) mixes vintages; say so if you do.",
        "Population weights belong to per-head measures; per-hour productivity is better "
        "weighted by hours.",
    ],
    lessons=["01-regional-gap", "06-public-private"],
    reference_files=[f"{PROD}/itl1_population_1998_2021.csv"],
)
def build_population(ref: Path) -> list[dict[str, str]]:
    return itl_value_rows(ref, f"{PROD}/itl1_population_1998_2021.csv", "population",
                          unit="persons", source_id="ONS_REGGDP_2023APR_T17")


@dataset(
    name="gva_itl1",
    title="Regional GVA (balanced), ITL1 regions, 1998-2023: current prices and chained volume",
    description=(
        "Gross value added (balanced), all industries, GBP million, for the 12 ITL1 regions, "
        "1998 to 2023, in current prices and in chained volume measures (2022 money value). "
        "This is a LATER vintage (April 2025 edition) than the productivity and population "
        "tables (2023 edition): do not combine them without flagging the vintage mismatch. "
        "There is no UK total row."
    ),
    fields=[
        *itl_key_fields("Geography level (ITL1 only).", "ITL 2021 code of the region.",
                        "Region name (standard ONS names)."),
        Field("price_basis", "string", "current = current prices (nominal); cvm = chained "
              "volume measure in 2022 money value (equal to current prices in 2022, the "
              "reference year).", required=True, enum=["current", "cvm"]),
        measure_field("gva", "integer", "GVA (balanced), all industries.", "GBP million"),
        CONFIDENCE_FIELD,
    ],
    primary_key=["itl_code", "year", "price_basis"],
    source_ids=["ONS_REGGVA_2025APR"],
    coverage="ITL1; 1998-2023",
    vintage="ONS regional GVA (balanced) by industry, 1998 to 2023 edition (April 2025)",
    caveats=[
        "Later vintage than gva_per_hour, gva_per_job and population (2023 edition): ONS "
        "revises back data, so do not mix editions without saying so.",
        "Chained volume values are not additive across regions or industries; current-price "
        "values are (the 12 regions sum to UK less extra-regio).",
        "No UK total row: the extraction dropped it.",
        "The reference labels this file official, but it was read from a third party's "
        "cleaned, reshaped copy (values stored as floats and written as integers); the audit "
        "suggests second-hand would fit better.",
    ],
    lessons=["06-public-private", "08-capstone"],
    reference_files=[f"{PROD}/itl1_gva_balanced_gbp_million_1998_2023.csv"],
)
def build_gva_itl1(ref: Path) -> list[dict[str, str]]:
    rows = read_checked(ref, f"{PROD}/itl1_gva_balanced_gbp_million_1998_2023.csv",
                        unit="GBP million")
    basis = {
        "current prices (nominal)": "current",
        "chained volume measure, 2022 money value": "cvm",
    }
    return [{**itl_keys(r), "price_basis": basis[r["price_basis"]], "gva": r["value"],
             "confidence": r["confidence"]} for r in rows]


def _number_or_blank(text: str) -> str:
    """The text itself when it is one plain number, else '' (no parsing of words)."""
    return text if re.fullmatch(r"-?\d+(\.\d+)?", text.strip()) else ""


@dataset(
    name="relative_productivity_published",
    title="Published regional productivity gaps (percent above or below a comparator)",
    description=(
        "Point values published in ONS bulletins and articles (and a few second-hand quotes): "
        "the percentage difference of an area's GVA per hour or per filled job from the UK "
        "average or from the median region, for ITL1/NUTS1 regions (2018-2023), ITL2/NUTS2, "
        "ITL3/NUTS3, city regions and LEPs (2012-2023). Use it to check figures computed from "
        "gva_per_hour and gva_per_job; check the comparator column first."
    ),
    fields=[
        Field("geography_level", "string", "Geography type as published (ITL1, ITL2, ITL3, "
              "NUTS2, NUTS3, City region, LEP).", required=True, enum=True),
        Field("geography_scheme", "string", "Boundary scheme the figure was published on "
              "(ITL 2021, NUTS1, NUTS 2016, NUTS 2013, NUTS 2010, ...). Areas are not always "
              "comparable across schemes.", required=True),
        Field("area_code", "string", "Area code as published (ITL or NUTS); empty when the "
              "source gave none."),
        Field("itl_code", "string", "Derived: area_code copied only where the scheme is "
              "ITL 2021, so the column joins with gva_per_hour; empty otherwise."),
        Field("area", "string", "Area name as published.", required=True),
        year_field("Year the figure refers to."),
        Field("measure", "string", "Productivity measure as described by the source.",
              required=True),
        Field("comparator", "string", "What the area is compared with: UK average, or the "
              "median region (2019 and 2020 ONS bulletins).", required=True, enum=True),
        Field("percent_difference", "number", "Percentage difference from the comparator "
              "(positive = above).", unit="percent", required=True),
        Field("source_id", "string", "Source of the figure (see the resource's sources).",
              required=True),
        CONFIDENCE_FIELD,
        Field("notes", "string", "Notes from the reference (wording, rank, conflicts)."),
    ],
    source_ids=lambda rows: ids_in(rows, "source_id"),
    coverage="ITL1/NUTS1, ITL2/NUTS2, ITL3/NUTS3, city regions, LEPs; 2012-2023",
    vintage="Various ONS releases 2014-2025 (one row per published figure)",
    caveats=[
        "2020 ITL1 values (and some ITL2 values) are relative to the MEDIAN region, not the UK "
        "average: check the comparator column.",
        "Vintage revisions are large: London was 33.2% above the UK average per hour in 2021 "
        "(June 2023 edition), 26.2% in 2022 (June 2024) and 28.5% in 2023 (June 2025); part of "
        "the change is revised back data. Compare years only within one edition.",
        "Rows use different boundary schemes (NUTS 2010/2013/2016, ITL 2021).",
        "Some rows are second-hand (news quotes); see the confidence column.",
    ],
    lessons=["01-regional-gap"],
    licences=["OGL-UK-3.0", "OPL-3.0", "quoted-facts"],
    attribution=ONS_ATTRIBUTION + "; other publishers as named in each row's source",
    reference_files=[f"{PROD}/published_relative_productivity_points.csv"],
)
def build_relative_productivity(ref: Path) -> list[dict[str, str]]:
    rows = read_checked(ref, f"{PROD}/published_relative_productivity_points.csv",
                        unit="percent difference from comparator (positive = above)")
    return [
        copy_row(r, "geography_level geography_scheme area_code itl_code area year measure "
                 "comparator percent_difference source_id confidence notes",
                 geography_level="geography_type", percent_difference="value",
                 itl_code=lambda r: r["area_code"] if r["geography_scheme"] == "ITL 2021" else "")
        for r in rows
    ]


@dataset(
    name="international_comparisons",
    title="International and city comparisons of regional productivity gaps",
    description=(
        "Published facts comparing the UK's regional productivity gaps with other countries and "
        "cities: Industrial Strategy Council max/min ratios (UK 2.1 vs Germany 1.7, France 1.6, "
        "Spain 1.4 in 2017), OECD Regions and Cities at a Glance averages, Resolution "
        "Foundation, McCann, Centre for Cities, the Economy 2030 Inquiry second-city gaps and "
        "NIESR. Many are GVA per worker, not per hour, and several are not official statistics: "
        "read what_it_measures and confidence before using a row."
    ),
    fields=[
        Field("fact_id", "string", "Identifier of the fact in the reference file.",
              required=True, unique=True),
        Field("indicator", "string", "Short name of the indicator.", required=True),
        Field("what_it_measures", "string", "The exact metric and comparison.", required=True),
        Field("geography", "string", "Geography of the comparison as published.",
              required=True),
        Field("country_or_area", "string", "Country, city or area the fact is about.",
              required=True),
        Field("year_of_data", "string", "Data year as published (may be text such as 'not "
              "stated').", required=True),
        Field("value_as_published", "string", "The value as published, including words such "
              "as 'nearly 2' or '57 of 63'; empty for qualitative facts."),
        Field("value", "number", "Derived: value_as_published when it is one plain number, "
              "else empty (nothing is parsed out of words)."),
        Field("unit", "string", "Unit of the value (varies by row).", required=True),
        Field("source_id", "string", "Source of the fact (see the resource's sources).",
              required=True),
        Field("publisher", "string", "Publisher as named in the reference.", required=True),
        CONFIDENCE_FIELD,
        Field("notes", "string", "Notes from the reference (conflicts, context)."),
    ],
    primary_key=["fact_id"],
    source_ids=lambda rows: ids_in(rows, "source_id"),
    coverage="UK and OECD countries, regions and cities; data years 1901-2020",
    vintage="Publications 2016-2023 (one row per published fact)",
    caveats=[
        "Mixed denominators: most international and city figures are GVA or GDP per worker, "
        "often PPP-adjusted; ONS regional headlines are GVA per hour in nominal pounds. Do not "
        "put them on one chart without saying so.",
        "Whether the UK is unusually unequal is contested: the ISC, Resolution Foundation and "
        "McCann say yes; a 2018 ONS blog argues many cross-country claims use GVA per head, "
        "which commuting distorts.",
        "Centre for Cities counts conflict between outlets (57 of 63 vs 52 of 62 cities below "
        "the European average).",
        "Greater Manchester GVA per worker appears as GBP 51,956 and GBP 50,505 in two "
        "publications by the same team (INT26, INT26b).",
    ],
    lessons=["01-regional-gap", "08-capstone"],
    licences=["OGL-UK-3.0", "quoted-facts"],
    attribution="Publishers as named in each row (Industrial Strategy Council, OECD, Resolution "
    "Foundation, Centre for Cities, NIESR, ...)",
    reference_files=[f"{PROD}/international_and_city_comparisons.csv"],
)
def build_international(ref: Path) -> list[dict[str, str]]:
    rows = read_ref(ref, f"{PROD}/international_and_city_comparisons.csv")
    return [
        copy_row(r, "fact_id indicator what_it_measures geography country_or_area year_of_data "
                 "value_as_published value unit source_id publisher confidence notes",
                 value_as_published="value", value=lambda r: _number_or_blank(r["value"]))
        for r in rows
    ]


@dataset(
    name="headline_findings",
    title="Headline findings on UK regional productivity, paraphrased with key numbers",
    description=(
        "Findings from ONS bulletins and other publications, paraphrased, with their key "
        "numbers, data year and source, for checking students' computed results and for the "
        "narrative of the lessons."
    ),
    fields=[
        Field("finding_id", "string", "Identifier of the finding.", required=True, unique=True),
        Field("topic", "string", "Topic.", required=True),
        Field("finding", "string", "The finding, paraphrased (not quoted).", required=True),
        Field("key_numbers", "string", "The key numbers in the finding, separated by '; '."),
        Field("data_year", "string", "Data year or period as published (e.g. 2019-2023).",
              required=True),
        Field("source_id", "string", "Source of the finding.", required=True),
        CONFIDENCE_FIELD,
    ],
    primary_key=["finding_id"],
    source_ids=lambda rows: ids_in(rows, "source_id"),
    coverage="UK regions and subregions; data years 2012-2023",
    vintage="Various publications 2014-2025",
    caveats=[
        "Paraphrased: check the source before quoting.",
        "F12 ('check value for students', 133.1 and 82.4) is computed by the reference's "
        "compiler from the GBP table (51.5/38.7 and 31.9/38.7); it is derived, although "
        "labelled official.",
    ],
    lessons=[],
    licences=["OGL-UK-3.0", "quoted-facts"],
    reference_files=[f"{PROD}/headline_findings.csv"],
)
def build_headline(ref: Path) -> list[dict[str, str]]:
    rows = read_ref(ref, f"{PROD}/headline_findings.csv")
    return [
        copy_row(r, "finding_id topic finding key_numbers data_year source_id confidence",
                 finding="finding_paraphrased")
        for r in rows
    ]


@dataset(
    name="gdp_per_head_published",
    title="GDP per head and regional GDP, published points (2019 and 2022)",
    description=(
        "GDP (not GVA) figures from the ONS regional GDP bulletins: 2022 population, GDP, GDP per "
        "head and real growth for the UK, England, North East and North West (the stored copy of "
        "Table 1 was cut after the North West), London, East Midlands and ITL3 extremes from the "
        "main points, and 2019 GDP per head and growth points from the 1998-2019 edition."
    ),
    fields=[
        *itl_key_fields("Geography level: UK, Country, ITL1 or ITL3.",
                        "ITL 2021 code (UK = United Kingdom).", "Area name as published."),
        Field("measure", "string", "population (million persons), gdp (GBP million), "
              "gdp_per_head (GBP per person), real_gdp_growth or real_gdp_per_head_growth "
              "(percent change on previous year).", required=True, enum=True),
        Field("value", "number", "The published value, in the row's unit.", required=True),
        Field("unit", "string", "Unit of the value (varies by measure).", required=True,
              enum=True),
        Field("price_basis", "string", "current market prices, chained volume measure, or "
              "empty for population."),
        Field("source_id", "string", "Bulletin the figure comes from.", required=True),
        CONFIDENCE_FIELD,
        Field("notes", "string", "Where in the bulletin the figure sits."),
    ],
    primary_key=["itl_code", "year", "measure"],
    source_ids=lambda rows: ids_in(rows, "source_id"),
    coverage="UK, England, selected ITL1 and ITL3 areas; 2019 and 2022",
    vintage="ONS regional GDP bulletins of 26 May 2021 (1998-2019) and 2024 (1998-2022)",
    caveats=[
        "Partial: only four rows of the 2022 Table 1 survived in the stored page.",
        "GDP per head is a per-resident measure of workplace output: commuting inflates it for "
        "London. It is not labour productivity.",
        "Two editions (2021 and 2024); do not splice them.",
    ],
    lessons=[],
    reference_files=[f"{PROD}/itl1_gdp_per_head_published_points.csv"],
)
def build_gdp_per_head(ref: Path) -> list[dict[str, str]]:
    rows = read_ref(ref, f"{PROD}/itl1_gdp_per_head_published_points.csv")
    return [
        {**itl_keys(r, region="area"),
         **copy_row(r, "measure value unit price_basis source_id confidence notes")}
        for r in rows
    ]


# --------------------------------------------------------------------------------------
# Layouts
# --------------------------------------------------------------------------------------

# The course's own schematic tile grid for the 12 ITL1 regions: roughly geographic, one square
# per region, designed for this course (not an ONS product and not a boundary file).
ITL1_TILES = [
    # code, abbreviation, row, col
    ("TLM", "SCO", 0, 1),
    ("TLN", "NI", 1, 0),
    ("TLC", "NE", 1, 2),
    ("TLD", "NW", 2, 1),
    ("TLE", "YH", 2, 2),
    ("TLL", "WAL", 3, 0),
    ("TLG", "WM", 3, 1),
    ("TLF", "EM", 3, 2),
    ("TLH", "EE", 3, 3),
    ("TLK", "SW", 4, 1),
    ("TLJ", "SE", 4, 2),
    ("TLI", "LDN", 4, 3),
]


@dataset(
    name="itl1_tiles",
    title="Tile-grid layout of the 12 ITL1 regions (schematic, designed for the course)",
    description=(
        "One square tile per ITL1 region on a 5-row x 4-column grid, placed roughly where the "
        "region lies (Scotland at the top, London bottom right, Wales and Northern Ireland on "
        "the left). It is a schematic layout designed for this course, not a map: tiles have "
        "equal size, and neighbours are only approximately right. No boundary data. Region "
        "names are those of gva_per_hour. Row 0 is the top row, column 0 the left column."
    ),
    fields=[
        required_text("itl_code", "ITL 2021 code of the ITL1 region.", unique=True),
        region_field("Region name as in gva_per_hour."),
        Field("abbreviation", "string", "Short label (2-3 letters) for the tile, chosen for "
              "the course.", required=True, unique=True),
        Field("row", "integer", "Grid row, 0 = top (schematic, designed for the course).",
              required=True, minimum=0),
        Field("col", "integer", "Grid column, 0 = left (schematic, designed for the course).",
              required=True, minimum=0),
    ],
    primary_key=["itl_code"],
    source_ids=["ONS_SUBREGPROD_2023JUN_A4"],
    coverage="ITL1 (12 regions)",
    vintage="ITL 2021 codes; layout designed for the course",
    caveats=[
        "Schematic: the tile positions are the course's own design, roughly geographic; they "
        "are not an ONS product and carry no area or boundary information.",
        "Codes and names come from gva_per_hour (ONS Table A4, June 2023).",
        "No ITL2 tile grid is provided: see datasets/README.md.",
    ],
    lessons=["01-regional-gap", "03-good-jobs"],
    licences=["OGL-UK-3.0", "CC-BY-4.0"],
    attribution=ONS_ATTRIBUTION + " (codes and names); layout: Productive Places contributors, "
    "CC BY 4.0",
    reference_files=[f"{PROD}/itl_gva_per_hour_worked_gbp_2004_2021.csv"],
)
def build_itl1_tiles(ref: Path) -> list[dict[str, str]]:
    names = {
        r["itl_code"]: r["region"]
        for r in read_ref(ref, f"{PROD}/itl_gva_per_hour_worked_gbp_2004_2021.csv")
        if r["itl_level"] == "ITL1"
    }
    assert sorted(names) == sorted(code for code, *_ in ITL1_TILES)
    cells = {(row, col) for _, _, row, col in ITL1_TILES}
    assert len(cells) == len(ITL1_TILES), "two tiles share a cell"
    return [
        {"itl_code": code, "region": names[code], "abbreviation": abbr, "row": str(row),
         "col": str(col)}
        for code, abbr, row, col in ITL1_TILES
    ]


@dataset(
    name="itl_lookup",
    title="ITL 2021 lookup: every ITL1, ITL2 and ITL3 area in gva_per_hour with its parents",
    description=(
        "One row per ITL1, ITL2 and ITL3 area that appears in gva_per_hour (12 + 41 + 179), with "
        "its name as published, level and parent codes. Parents are read off the code prefix "
        "(TLD35 -> TLD3 -> TLD), which is how ONS builds ITL codes."
    ),
    fields=[
        level_field("ITL1, ITL2 or ITL3."),
        required_text("itl_code", "ITL 2021 code.", unique=True),
        PARENT_FIELD,
        Field("itl2_code", "string", "Derived: the ITL2 area containing the area (the first "
              "four characters of an ITL3 code; the code itself for ITL2); empty for ITL1."),
        region_field("Area name as published in ONS Table A4 (some ITL2 and ITL3 areas share "
                     "a name with their parent, e.g. TLK3 and TLK30)."),
    ],
    primary_key=["itl_code"],
    source_ids=["ONS_SUBREGPROD_2023JUN_A4"],
    coverage="ITL1, ITL2, ITL3 (ITL 2021 boundaries)",
    vintage="ITL 2021 codes as used in ONS subregional productivity, June 2023",
    caveats=[
        "ITL 2021 codes; ONS uses ITL 2025 codes from 2025, which are not covered here.",
        "There is no TLD2, TLD5, TLI1 or TLI2 in ITL 2021: London is TLI3-TLI7 and Scotland "
        "TLM5-TLM9.",
    ],
    lessons=[],
    reference_files=[f"{PROD}/itl_gva_per_hour_worked_gbp_2004_2021.csv"],
)
def build_itl_lookup(ref: Path) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for r in read_ref(ref, f"{PROD}/itl_gva_per_hour_worked_gbp_2004_2021.csv"):
        level, code = r["itl_level"], r["itl_code"]
        if level not in ITL_LEVELS_BELOW_UK or code in seen:
            continue
        seen[code] = {
            "itl_level": level,
            "itl_code": code,
            "itl1_code": code[:3],
            "itl2_code": code[:4] if level in ("ITL2", "ITL3") else "",
            "region": r["region"],
        }
    return list(seen.values())


# --------------------------------------------------------------------------------------
# Labour, skills, R&D and industry (reference/uk_labour_skills)
# --------------------------------------------------------------------------------------

# The labour files name areas by a mix of ITL1 codes and labels; these are the course's
# join keys for them (TLB is England's ITL code, used by the productivity tables).
LABOUR_AREAS = {
    "UK": ("UK", "UK"),
    "GB": ("GB", "GB"),
    "ENG": ("Country", "TLB"),
}


def labour_area(code: str) -> tuple[str, str, str]:
    """(itl_level, itl_code, itl1_code) for an area code used in the labour files."""
    if code in LABOUR_AREAS:
        level, itl = LABOUR_AREAS[code]
        return level, itl, ""
    if re.fullmatch(r"TL[C-N]", code):
        return "ITL1", code, code
    raise ValueError(f"unexpected area code {code!r}")


LABOUR_LEVEL_FIELD = level_field(
    "Geography level: UK, GB (Great Britain, where published), Country (England) or ITL1.")
LABOUR_CODE_FIELD = required_text(
    "itl_code", "Join key: ITL 2021 code of the region; UK for the United Kingdom; TLB for "
    "England (published as ENG in the reference; TLB is England's ITL code); GB for Great "
    "Britain (no ITL code exists, so the course uses GB).")
LABOUR_PARENT_FIELD = Field(
    "itl1_code", "string", "Code of the ITL1 region (equal to itl_code for ITL1 rows); empty "
    "for UK, GB and England rows.")
GSS_FIELD = required_text("gss_code", "ONS GSS code of the area as published (K02000001 = "
                          "UK, E92000001 = England, E12... = English regions, ...).")


def labour_keys(r: dict[str, str]) -> dict[str, str]:
    level, itl, itl1 = labour_area(r["itl1_code"])
    return {"itl_level": level, "itl_code": itl, "itl1_code": itl1, "gss_code": r["gss_code"],
            "region": r["region"]}


def labour_year_keys(r: dict[str, str]) -> dict[str, str]:
    return {**labour_keys(r), "year": r["year"]}


def area_year(r: dict[str, str]) -> tuple[str, str]:
    """The grouping key of the long labour files: (area code, year)."""
    return r["itl1_code"], r["year"]


def ci_columns(prefix: str) -> dict[str, str]:
    """Output column -> reference column for a value and its 95% confidence limits."""
    return {prefix: "value", f"{prefix}_lower_ci95": "lower_ci_95",
            f"{prefix}_upper_ci95": "upper_ci_95"}


def pick(r: dict[str, str], mapping: dict[str, str]) -> dict[str, str]:
    """Copy reference columns to output columns (output name -> input name)."""
    return {out: r[src] for out, src in mapping.items()}


def measure_values(w: dict, measure_cols: dict[str, dict[str, str]]) -> dict[str, str]:
    """The spread-out columns of a :func:`widen` row, in order, without the private ``_`` ones."""
    return {c: w[c] for cols in measure_cols.values() for c in cols if not c.startswith("_")}


def labour_key_fields() -> list[Field]:
    return [LABOUR_LEVEL_FIELD, LABOUR_CODE_FIELD, LABOUR_PARENT_FIELD, GSS_FIELD,
            region_field()]


def widen(rows: list[dict[str, str]], key: Callable[[dict[str, str]], tuple],
          measure_cols: dict[str, dict[str, str]]) -> list[dict]:
    """Group long rows by ``key`` and spread measures into columns.

    ``measure_cols`` maps a measure name to {output column: input column}. A measure missing
    for a key leaves its columns empty (never filled in).
    """
    groups: dict[tuple, dict[str, dict[str, str]]] = {}
    for r in rows:
        groups.setdefault(key(r), {})
        if r["measure"] in groups[key(r)]:
            raise ValueError(f"duplicate measure {r['measure']} for {key(r)}")
        groups[key(r)][r["measure"]] = r
    out = []
    for k, by_measure in groups.items():
        first = next(iter(by_measure.values()))
        row: dict = {"_first": first, "_key": k, "_measures": by_measure}
        for measure, cols in measure_cols.items():
            src = by_measure.get(measure)
            for out_col, in_col in cols.items():
                row[out_col] = src[in_col] if src else ""
        out.append(row)
    return out


def joined_ids(by_measure: dict[str, dict[str, str]], column: str = "source_id") -> str:
    return ";".join(sorted({r[column] for r in by_measure.values()}))


def joined_confidence(by_measure: dict[str, dict[str, str]]) -> str:
    values = sorted({r["confidence"] for r in by_measure.values()})
    if len(values) != 1:
        raise ValueError(f"mixed confidence {values}")
    return values[0]


def ci_fields(prefix: str, label: str) -> list[Field]:
    return [
        Field(f"{prefix}_lower_ci95", "number", f"Lower 95% confidence limit of {label}, as "
              "supplied (floating-point artefacts such as 23.799999999999997 kept as stored; "
              "round for display); empty where not supplied.", unit="percent"),
        Field(f"{prefix}_upper_ci95", "number", f"Upper 95% confidence limit of {label}, as "
              "supplied; empty where not supplied.", unit="percent"),
    ]


SOURCE_ID_FIELD = required_text("source_id", "Source of the row's figures (ids separated "
                                "by ';'; see the resource's sources).")


@dataset(
    name="employment_inactivity",
    title="Employment and economic inactivity rates, aged 16-64, UK regions, 2004-2023",
    description=(
        "Employment rate and economic inactivity rate of people aged 16-64, Annual Population "
        "Survey January-December datasets, for the UK, England and the 12 ITL1 regions, "
        "2004-2023, with 95% confidence limits as supplied. Northern Ireland comes from the "
        "NISRA Labour Force Survey and covers 2022 and 2023 only."
    ),
    fields=[
        *labour_key_fields(),
        year_field("Calendar year of the January-December survey period."),
        measure_field("employment_rate", "number", "Employed people aged 16-64 as a "
                      "percentage of all people aged 16-64.", "percent"),
        *ci_fields("employment_rate", "the employment rate"),
        measure_field("inactivity_rate", "number", "Economically inactive people aged 16-64 "
                      "as a percentage of all people aged 16-64.", "percent"),
        *ci_fields("inactivity_rate", "the inactivity rate"),
        SOURCE_ID_FIELD,
        CONFIDENCE_FIELD,
    ],
    primary_key=["itl_code", "year"],
    source_ids=lambda rows: ids_in(rows, "source_id"),
    coverage="UK, England, ITL1; 2004-2023 (Northern Ireland 2022-2023 only)",
    vintage="ONS Explore Local Statistics data, latest period Jan-Dec 2023 (compiled early "
    "2024); NISRA LFS 2022 and 2023",
    caveats=[
        "Residence-based household survey with sampling error: use the confidence limits.",
        "APS/LFS weighting and response problems after 2020 make recent years less reliable; "
        "ONS has since reweighted, so later Nomis figures can differ.",
        "Wales Jan-Dec 2016 and 2017 were not captured in the reference, so those rows are "
        "missing (not filled in).",
        "Northern Ireland (2022-2023) comes from a different survey product (NISRA LFS); "
        "compare with care. The 2022 NI inactivity rate has no confidence interval.",
        "Employment and inactivity rates nearly mirror each other: use one in an index.",
    ],
    lessons=["03-good-jobs", "08-capstone"],
    reference_files=[f"{LAB}/itl1_employment_inactivity_16_64.csv"],
)
def build_employment(ref: Path) -> list[dict[str, str]]:
    rows = read_checked(ref, f"{LAB}/itl1_employment_inactivity_16_64.csv", unit="percent")
    assert all(r["period"] == f"Jan-Dec {r['year']}" for r in rows)
    cols = {
        "employment_rate_16_64": ci_columns("employment_rate"),
        "economic_inactivity_rate_16_64": ci_columns("inactivity_rate"),
    }
    return [{**labour_year_keys(w["_first"]), **measure_values(w, cols),
             "source_id": joined_ids(w["_measures"]),
             "confidence": joined_confidence(w["_measures"])}
            for w in widen(rows, area_year, cols)]


@dataset(
    name="median_pay",
    title="Median gross weekly pay, all employees, by place of residence, UK regions, "
    "2008-2024",
    description=(
        "Median gross weekly pay of all employees (full-time and part-time) by place of "
        "residence, Annual Survey of Hours and Earnings (pay period including a date in April), "
        "for the UK, England and the 12 ITL1 regions, 2008-2024, with 95% confidence limits as "
        "supplied. Current prices."
    ),
    fields=[
        *labour_key_fields(),
        year_field("Year of the April ASHE survey."),
        measure_field("median_weekly_pay", "number", "Median gross weekly pay, all employees, "
                      "by residence, current prices.", "GBP per week"),
        Field("median_weekly_pay_lower_ci95", "number", "Lower 95% confidence limit, as "
              "supplied.", unit="GBP per week"),
        Field("median_weekly_pay_upper_ci95", "number", "Upper 95% confidence limit, as "
              "supplied.", unit="GBP per week"),
        CONFIDENCE_FIELD,
    ],
    primary_key=["itl_code", "year"],
    source_ids=["ELS_ASHE_PAY"],
    coverage="UK, England, ITL1; 2008-2024",
    vintage="ASHE via ONS Explore Local Statistics, issued 29 October 2024 (2024 provisional, "
    "2023 revised)",
    caveats=[
        "All employees, full-time and part-time, by residence: not the usual full-time "
        "headline; do not compare with full-time medians.",
        "Current prices, no regional price adjustment.",
        "2024 is provisional and 2023 revised.",
        "UK 2019 and 2020 are both 479.1 in the source; kept as published.",
    ],
    lessons=["03-good-jobs", "05-skills"],
    reference_files=[f"{LAB}/itl1_median_gross_weekly_pay_residence.csv"],
)
def build_median_pay(ref: Path) -> list[dict[str, str]]:
    rows = read_checked(ref, f"{LAB}/itl1_median_gross_weekly_pay_residence.csv",
                        unit="GBP per week", source_id="ELS_ASHE_PAY")
    assert all(r["period"] == f"April {r['year']}" for r in rows)
    return [{**labour_year_keys(r), **pick(r, ci_columns("median_weekly_pay")),
             "confidence": r["confidence"]} for r in rows]


@dataset(
    name="gdhi",
    title="Gross disposable household income, ITL1 regions, selected years 1997-2022",
    description=(
        "Regional gross disposable household income (GDHI) at current prices: total (GBP "
        "million) and per head (GBP), for the 12 ITL1 regions in 1997, 2012, 2013, 2021 and "
        "2022 (only these years were copied from the 1997-2022 series). No UK total."
    ),
    fields=[
        *labour_key_fields(),
        year_field(),
        measure_field("gdhi_per_head", "integer", "GDHI per head, current prices.",
                      "GBP per head"),
        measure_field("gdhi", "integer", "GDHI total, current prices.", "GBP million"),
        CONFIDENCE_FIELD,
    ],
    primary_key=["itl_code", "year"],
    source_ids=["NOMIS_GDHI_NM185"],
    coverage="ITL1; 1997, 2012, 2013, 2021, 2022",
    vintage="ONS Regional gross disposable household income, UK: 1997 to 2022 release",
    caveats=[
        "No UK total in this extract, so no index (UK = 100) is provided; do not compute one "
        "from a UK figure in another file, because the vintages differ.",
        "Residence-based and not adjusted for regional prices; includes transfers (benefits, "
        "pensions), so it is not a measure of job quality.",
        "Second-hand: an unaltered Nomis download stored in a third-party repository. Nomis "
        "labels the East of England 'East'.",
    ],
    lessons=["03-good-jobs"],
    reference_files=[f"{LAB}/itl1_gdhi.csv"],
)
def build_gdhi(ref: Path) -> list[dict[str, str]]:
    rows = read_checked(ref, f"{LAB}/itl1_gdhi.csv", source_id="NOMIS_GDHI_NM185")
    cols = {"gdhi_per_head": {"gdhi_per_head": "value"}, "gdhi_total": {"gdhi": "value"}}
    units = {"gdhi_per_head": "GBP per head (current prices)",
             "gdhi_total": "GBP million (current prices)"}
    assert all(units[r["measure"]] == r["unit"] for r in rows)
    return [{**labour_year_keys(w["_first"]), **measure_values(w, cols),
             "confidence": joined_confidence(w["_measures"])}
            for w in widen(rows, area_year, cols)]


@dataset(
    name="qualifications_level3",
    title="Share of people aged 16-64 qualified to level 3 or above (NVQ), UK regions, "
    "2004-2021",
    description=(
        "Percentage of people aged 16-64 with level 3 or higher qualifications on the NVQ "
        "basis, Annual Population Survey calendar years 2004-2021, for the UK, Great Britain, "
        "England and the 12 ITL1 regions, with 95% confidence limits as supplied. The official "
        "series to prefer for skills analysis."
    ),
    fields=[
        *labour_key_fields(),
        year_field("Calendar year of the APS dataset."),
        measure_field("pct_level3_plus", "number", "People aged 16-64 with level 3+ "
                      "qualifications (NVQ basis) as a percentage of all people aged 16-64.",
                      "percent of people aged 16-64"),
        *ci_fields("pct_level3_plus", "the level 3+ share"),
        CONFIDENCE_FIELD,
    ],
    primary_key=["itl_code", "year"],
    source_ids=["ELS_LEVEL3_NVQ"],
    coverage="UK, GB, England, ITL1; 2004-2021",
    vintage="ONS Explore Local Statistics (APS via Nomis), source date 16 April 2024",
    caveats=[
        "Series break: ONS has since switched to RQF level 3+ (2022 onward), which is not in "
        "the reference; never splice RQF figures onto this NVQ series.",
        "2020 and 2021 carry the pandemic-era APS mode change and reweighting; intervals widen.",
        "Residence-based (productivity is workplace-based: commuting into London matters).",
        "Official statistics in development.",
    ],
    lessons=["05-skills", "08-capstone"],
    reference_files=[f"{LAB}/itl1_level3_plus_qualifications_16_64_2004_2021.csv"],
)
def build_level3(ref: Path) -> list[dict[str, str]]:
    rows = read_checked(ref, f"{LAB}/itl1_level3_plus_qualifications_16_64_2004_2021.csv",
                        source_id="ELS_LEVEL3_NVQ", unit="percent of people aged 16-64")
    return [{**labour_year_keys(r), **pick(r, ci_columns("pct_level3_plus")),
             "confidence": r["confidence"]} for r in rows]


@dataset(
    name="qualifications_nvq4",
    title="Share of people aged 16-64 with NVQ4+ and with no qualifications, UK regions, "
    "2014-2021 (second-hand)",
    description=(
        "Percentage of people aged 16-64 qualified to NVQ level 4 or above (degree level or "
        "equivalent) and percentage with no qualifications, Annual Population Survey calendar "
        "years 2014-2021, for the UK, Great Britain, England and the 12 ITL1 regions, with the "
        "95% confidence half-width, numerators and denominators as supplied. SECOND-HAND: "
        "assembled in a student project from GLA/ONS tables; prefer qualifications_level3 "
        "(official) or verify against Nomis before teaching precise figures."
    ),
    fields=[
        *labour_key_fields(),
        year_field("Calendar year of the APS dataset."),
        measure_field("pct_nvq4_plus", "number", "People aged 16-64 qualified to NVQ4+ as a "
                      "percentage of all people aged 16-64.", "percent of people aged 16-64"),
        Field("pct_nvq4_plus_ci95", "number", "Half-width of the 95% confidence interval "
              "(the +/- figure as supplied).", unit="percentage points"),
        Field("nvq4_plus_persons", "integer", "Numerator: people aged 16-64 with NVQ4+ "
              "(rounded to the nearest 100 in the source).", unit="persons", minimum=0),
        measure_field("pct_no_qualifications", "number", "People aged 16-64 with no "
                      "qualifications as a percentage of all people aged 16-64.",
                      "percent of people aged 16-64"),
        Field("pct_no_qualifications_ci95", "number", "Half-width of the 95% confidence "
              "interval, as supplied.", unit="percentage points"),
        Field("no_qualifications_persons", "integer", "Numerator: people aged 16-64 with no "
              "qualifications (rounded to the nearest 100).", unit="persons", minimum=0),
        Field("population_16_64", "integer", "Denominator: people aged 16-64 (the same for "
              "both measures in the source; rounded to the nearest 100).", unit="persons",
              minimum=0),
        SOURCE_ID_FIELD,
        CONFIDENCE_FIELD,
    ],
    primary_key=["itl_code", "year"],
    source_ids=lambda rows: ids_in(rows, "source_id"),
    coverage="UK, GB, England, ITL1; 2014-2021",
    vintage="APS 2014-2021 as republished by the GLA London Datastore (second-hand copy)",
    caveats=[
        "Second-hand and weaker than other rows: a student project assembled the tables by "
        "hand (the reference's checks found no copying errors in these rows, but verify "
        "against Nomis NM_17_5 before teaching precise figures).",
        "NVQ-based: ONS switched to RQF from the 2022 data; RQF4+ is not comparable.",
        "2020-2021 are affected by the APS mode change and reweighting (part of the 2019-2020 "
        "jump is a survey effect).",
        "Residence-based.",
    ],
    lessons=["05-skills"],
    reference_files=[f"{LAB}/itl1_qualifications_nvq4_noqual_16_64_2014_2021.csv"],
)
def build_nvq4(ref: Path) -> list[dict[str, str]]:
    rows = read_checked(ref, f"{LAB}/itl1_qualifications_nvq4_noqual_16_64_2014_2021.csv",
                        unit="percent of people aged 16-64")
    cols = {
        "pct_16_64_nvq4_plus": {"pct_nvq4_plus": "value", "pct_nvq4_plus_ci95":
                                "ci_95_plusminus", "nvq4_plus_persons": "numerator",
                                "_den_a": "denominator"},
        "pct_16_64_no_qualifications": {"pct_no_qualifications": "value",
                                        "pct_no_qualifications_ci95": "ci_95_plusminus",
                                        "no_qualifications_persons": "numerator",
                                        "_den_b": "denominator"},
    }
    out = []
    for w in widen(rows, area_year, cols):
        assert w["_den_a"] == w["_den_b"], w["_key"]
        out.append({**labour_year_keys(w["_first"]), **measure_values(w, cols),
                    "population_16_64": w["_den_a"],
                    "source_id": joined_ids(w["_measures"]),
                    "confidence": joined_confidence(w["_measures"])})
    return out


APPRENTICESHIP_RELEASES = {
    "ELS_APPRENTICESHIPS_2024REL": "2024-11-28",
    "ELS_APPRENTICESHIPS_PREV": "earlier (not recorded)",
}


@dataset(
    name="apprenticeships",
    title="Apprenticeship starts per 100,000 population, England and its regions, 2017/18 to "
    "2023/24 (two vintages)",
    description=(
        "Apprenticeship starts by learners aged 16 or over, counted by home postcode, per "
        "100,000 population, for full academic years (August-July), for England and its 9 "
        "regions. Two Department for Education vintages are kept side by side and labelled in "
        "the release column: the current one (2018/19-2023/24, source date 28 November 2024; "
        "use by default) and an earlier one (2017/18-2022/23)."
    ),
    fields=[
        level_field("Country (England) or ITL1."),
        required_text("itl_code", "ITL 2021 code (TLB = England, published as ENG in the "
                      "reference)."),
        LABOUR_PARENT_FIELD,
        GSS_FIELD,
        region_field(),
        required_text("academic_year", "Academic year, August to July (e.g. 2018/19)."),
        year_field("Derived: the calendar year in which the academic year starts (2018 for "
                   "2018/19), for filtering."),
        Field("release", "string", "Which DfE vintage the row comes from: 2024-11-28 (current; "
              "use by default) or 'earlier (not recorded)'. Never mix vintages in one series.",
              required=True, enum=True),
        required_text("period_as_published", "Period string exactly as in the source."),
        measure_field("apprenticeship_starts_rate", "integer", "Apprenticeship starts per "
                      "100,000 population.", "starts per 100,000 population"),
        SOURCE_ID_FIELD,
        CONFIDENCE_FIELD,
    ],
    primary_key=["itl_code", "academic_year", "release"],
    source_ids=lambda rows: ids_in(rows, "source_id"),
    coverage="England, ITL1 (English regions); 2017/18-2023/24",
    vintage="DfE further education and skills, source date 28 November 2024 (plus an earlier "
    "vintage)",
    caveats=[
        "The two vintages differ for overlapping years by up to 21 per 100,000 (revised "
        "population denominators): filter on release and never mix them in one series.",
        "England only; apprenticeship systems differ in the devolved nations.",
        "Rates, not counts; the population base of the rate is not stated in the metadata.",
        "2019/20 and 2020/21 are pandemic-affected.",
    ],
    lessons=["05-skills"],
    attribution="Source: Department for Education (further education and skills statistics) "
    "licensed under the Open Government Licence v3.0",
    reference_files=[f"{LAB}/england_region_apprenticeship_starts_rate_2017_18_to_2023_24.csv"],
)
def build_apprenticeships(ref: Path) -> list[dict[str, str]]:
    rows = read_checked(
        ref, f"{LAB}/england_region_apprenticeship_starts_rate_2017_18_to_2023_24.csv",
        unit="apprenticeship starts per 100,000 population")
    return [{**labour_keys(r),
             **copy_row(r, "academic_year year release period_as_published "
                        "apprenticeship_starts_rate source_id confidence",
                        year=lambda r: r["academic_year"][:4],
                        release=lambda r: APPRENTICESHIP_RELEASES[r["source_id"]],
                        apprenticeship_starts_rate="value")}
            for r in rows]


@dataset(
    name="combined_authority_labour",
    title="Employment, inactivity and level 3+ qualifications for 10 combined authorities, "
    "2004-2023",
    description=(
        "Annual Population Survey figures for the 10 English combined authorities present in "
        "the ONS Explore Local Statistics files (GSS codes E47...): employment rate and "
        "economic inactivity rate of people aged 16-64 (Jan-Dec 2004-2023, with 95% confidence "
        "limits, numerators and denominators), and the share of 16-64s with level 3+ "
        "qualifications (NVQ basis, 2004-2021, with 95% limits). Areas are named and coded as "
        "published; combined authorities have no ITL code."
    ),
    fields=[
        required_text("gss_code", "ONS GSS code of the combined authority (E47...), the "
                      "join key for this file."),
        required_text("area", "Combined authority name as published."),
        year_field("Calendar year of the January-December survey period."),
        measure_field("employment_rate", "number", "Employment rate, aged 16-64.", "percent"),
        *ci_fields("employment_rate", "the employment rate"),
        Field("employed_persons", "number", "Numerator of the employment rate (APS weighted "
              "count as published, stored with a decimal point).", unit="persons", minimum=0),
        measure_field("inactivity_rate", "number", "Economic inactivity rate, aged 16-64.",
                      "percent"),
        *ci_fields("inactivity_rate", "the inactivity rate"),
        Field("inactive_persons", "number", "Numerator of the inactivity rate (APS weighted "
              "count as published).", unit="persons", minimum=0),
        Field("population_16_64", "number", "Denominator of both rates: people aged 16-64 "
              "(APS weighted count as published).", unit="persons", minimum=0),
        Field("pct_level3_plus", "number", "Share of people aged 16-64 with level 3+ "
              "qualifications (NVQ basis); empty after 2021 (the NVQ series ends).",
              unit="percent of people aged 16-64", minimum=0),
        *ci_fields("pct_level3_plus", "the level 3+ share"),
        CONFIDENCE_FIELD,
    ],
    primary_key=["gss_code", "year"],
    source_ids=["ELS_APS_EMP", "ELS_LEVEL3_NVQ"],
    coverage="10 English combined authorities; 2004-2023 (level 3+: 2004-2021)",
    vintage="ONS Explore Local Statistics data (APS), latest period Jan-Dec 2023",
    caveats=[
        "The list is 'the 10 found' in the source files, not a proven complete list; newer "
        "authorities (e.g. the 2024 North East Mayoral Combined Authority) have no rows.",
        "Boundaries follow the source vintage: E47000010 'North East' is the 2018-2024 body, "
        "E47000011 'North of Tyne' was merged in 2024. Figures are back-cast to each "
        "authority's boundaries for years before it existed.",
        "Combined-authority figures cover constituent councils only (e.g. the West Midlands "
        "CA excludes non-constituent members).",
        "Residence-based survey estimates; compare with workplace-based ITL2 GVA with care.",
        "APS caveats apply: post-2020 reweighting; NVQ level 3+ ends in 2021 (never splice RQF "
        "2022+ figures on).",
    ],
    lessons=["05-skills", "08-capstone"],
    reference_files=[f"{LAB}/combined_authority_employment_and_level3.csv"],
)
def build_ca_labour(ref: Path) -> list[dict[str, str]]:
    rows = read_ref(ref, f"{LAB}/combined_authority_employment_and_level3.csv")
    assert all(r["period"] == f"Jan-Dec {r['year']}" for r in rows)
    assert single(rows, "obs_status") == ""
    rates = {
        "employment_rate_16_64": {**ci_columns("employment_rate"),
                                  "employed_persons": "numerator", "_den_a": "denominator"},
        "economic_inactivity_rate_16_64": {**ci_columns("inactivity_rate"),
                                           "inactive_persons": "numerator",
                                           "_den_b": "denominator"},
    }
    level3 = {"pct_16_64_level3_plus_nvq": ci_columns("pct_level3_plus")}
    out = []
    for w in widen(rows, lambda r: (r["gss_code"], r["year"]), {**rates, **level3}):
        assert w["_den_a"] == w["_den_b"], w["_key"]
        first = w["_first"]
        out.append({"gss_code": first["gss_code"], "area": first["ca_name"],
                    "year": first["year"], **measure_values(w, rates),
                    "population_16_64": w["_den_a"], **measure_values(w, level3),
                    "confidence": joined_confidence(w["_measures"])})
    return out


RD_RELEASES = {
    "ELS_BERD_2023REL": "2024-12-11",
    "ELS_BERD_2022REL": "2024-02-27",
    "ELS_PUBLIC_RD": "2024-06-25",
}
RD_MEASURES = {
    "berd_expenditure": "berd",
    "public_funded_gross_rd_expenditure": "public_funded_rd",
}


@dataset(
    name="rd_expenditure",
    title="Business R&D (BERD, two vintages) and public-funded R&D, UK regions, 2020-21 to "
    "2023",
    description=(
        "R&D expenditure in GBP million, current prices, for the UK, England and the 12 ITL1 "
        "regions: business enterprise R&D (BERD, R&D performed by businesses) for calendar "
        "years 2022 and 2023 from the BERD 2023 release (11 December 2024) and 2022 from the "
        "BERD 2022 release (27 February 2024), labelled by release_date; and public-funded "
        "gross regional R&D expenditure for financial years 2020-21 and 2021-22 (released 25 "
        "June 2024). Total R&D (GERD) by region is not included: see the caveats."
    ),
    fields=[
        level_field("Geography level: UK, Country (England) or ITL1."),
        required_text("itl_code", "ITL 2021 code (UK = United Kingdom, TLB = England, "
                      "published as ENG in the reference)."),
        LABOUR_PARENT_FIELD,
        GSS_FIELD,
        region_field(),
        Field("measure", "string", "berd = business enterprise R&D (performed by businesses); "
              "public_funded_rd = public-funded gross regional R&D expenditure (capital and "
              "non-capital).", required=True, enum=True),
        Field("period", "string", "Period as published: 'calendar year 2022' or 'financial "
              "year 2021-22'.", required=True),
        year_field("Calendar year for BERD; for public-funded R&D, derived: the year in which "
                   "the financial year ends (2022 for 2021-22, published as FYE2022)."),
        Field("release_date", "string", "Release the figure comes from (ISO date): BERD "
              "2024-12-11 (2023 release) or 2024-02-27 (2022 release); public R&D 2024-06-25.",
              required=True, enum=True),
        measure_field("rd_expenditure", "integer", "R&D expenditure, current prices.",
                      "GBP million"),
        SOURCE_ID_FIELD,
        CONFIDENCE_FIELD,
    ],
    primary_key=["itl_code", "measure", "period", "release_date"],
    source_ids=lambda rows: ids_in(rows, "source_id"),
    coverage="UK, England, ITL1; BERD 2022-2023 (two vintages), public R&D FYE 2021-2022",
    vintage="BERD releases of 27 February 2024 and 11 December 2024; public-funded regional "
    "R&D release of 25 June 2024",
    caveats=[
        "The two BERD vintages disagree for 2022 (e.g. UK 49,942 in the 2022 release vs 48,572 "
        "in the 2023 release): filter on release_date and never mix them.",
        "From 2022 ONS uses a new BERD sample design, so 2022 onward is not comparable with "
        "earlier years; regional BERD is volatile and partly allocated by head-office address.",
        "Public-funded R&D is official statistics in development and covers in-house "
        "government R&D and R&D it funds. About 51.0% was performed in the Greater South East "
        "(London, South East, East of England) in FYE 2022, per the ONS bulletin.",
        "Total R&D (GERD, all performing sectors) by region is not in the reference and was "
        "not found in a readable official form; do not add BERD and public R&D together as a "
        "total (public funding can pay for business R&D).",
        "No population matches these vintages: use shares, or state the mismatch if dividing "
        "by population from another vintage.",
    ],
    lessons=["06-public-private", "08-capstone"],
    reference_files=[f"{LAB}/itl1_rd_expenditure.csv"],
)
def build_rd(ref: Path) -> list[dict[str, str]]:
    rows = read_checked(ref, f"{LAB}/itl1_rd_expenditure.csv",
                        unit="GBP million (current prices)")
    out = []
    for r in rows:
        year = r["year"]
        if year.startswith("FYE"):
            assert r["period"].startswith("financial year") and r["period"].endswith(year[-2:])
            year = year[3:]
        out.append({**labour_keys(r),
                    "measure": RD_MEASURES[r["measure"]], "period": r["period"], "year": year,
                    "release_date": RD_RELEASES[r["source_id"]], "rd_expenditure": r["value"],
                    "source_id": r["source_id"], "confidence": r["confidence"]})
    return out


INDUSTRY_LEVEL_TEXT = (
    "What the row is: total = all industries; section = one SIC 2007 section (A-T); aggregate "
    "= a published sum of sections (A-E production, G-T services); memo_within_L = "
    "owner-occupiers' imputed rent (68IMP), already inside section L, never add it to the "
    "sections; subsection_of_C = a published manufacturing sub-section (ITL2 file only)."
)

INDUSTRY_CAVEATS = [
    "National comparator for location quotients and shift-share: use UKX (UK less "
    "Extra-Regio, the sum of the 12 ITL1 regions), not UK. UK = UKX + Extra-Regio (TLZ), which "
    "is mostly offshore oil and gas (section B), so UK mining is far larger than the sum of "
    "the regions.",
    "Section L includes owner-occupiers' imputed rent (68IMP, about 70% of L), which is not "
    "market output: many LQ and shift-share exercises drop 68IMP or L. Section U is not "
    "published; T is households as employers.",
    "Current prices: growth mixes price and volume change (oil, finance); 2020-2021 are "
    "pandemic-affected. Use 2004-2019 for shift-share and say so.",
    "A GVA-based location quotient mixes specialisation with productivity (London's finance).",
    "Vintage: the 1998-2021 edition (April 2023). Later editions revise the whole series "
    "(London's 2021 total is 487,437 here but 468,464 in gva_itl1): never mix them.",
    "Regional GVA is allocated from national totals with indicators: small sections in small "
    "regions can jump from year to year.",
    "Second-hand: CSV saves of the ONS workbook in a third-party repository (checked: sections "
    "sum to totals within +/-4, regions to UKX within +/-3).",
]


def industry_row(r: dict[str, str], level: str) -> dict[str, str]:
    return {**itl_keys(r, level),
            **copy_row(r, "industry_code sic07_code industry industry_level gva confidence",
                       sic07_code="sic07_code_as_published", industry_level="level",
                       gva="value")}


def industry_fields(levels_text: str) -> list[Field]:
    return [
        *itl_key_fields(levels_text, "ITL 2021 code as published (UK, UKX = UK less "
                        "Extra-Regio, the comparator to use; TLZ = Extra-Regio; TLB = England).",
                        "Area name as published by ONS (TLH is 'East')."),
        Field("industry_code", "string", "Industry line: TOTAL, A-E, G-T, a SIC 2007 section "
              "letter, 68IMP, or a manufacturing sub-section code (CA, CD-CF, ...).",
              required=True, enum=True),
        Field("sic07_code", "string", "SIC 2007 code as published (e.g. 'C (10-33)').",
              required=True),
        Field("industry", "string", "Industry description as published.", required=True),
        Field("industry_level", "string", INDUSTRY_LEVEL_TEXT, required=True, enum=True),
        Field("gva", "integer", "Gross value added (balanced), current basic prices.",
              unit="GBP million", required=True),
        CONFIDENCE_FIELD,
    ]


@dataset(
    name="gva_by_industry_itl1",
    title="GVA by industry (SIC 2007 sections), UK and ITL1 regions, 1998-2021 (GBP million, "
    "current prices)",
    description=(
        "Regional gross value added (balanced) at current basic prices, GBP million, by SIC "
        "2007 section (A-T) plus the all-industries total, the A-E and G-T aggregates and the "
        "imputed-rent memo line (68IMP), for the UK, UK less Extra-Regio (UKX, the national "
        "comparator), Extra-Regio (TLZ), England (TLB) and the 12 ITL1 regions, every year "
        "1998-2021 (16 areas x 24 lines x 24 years). ONS Table 1c, 1998-2021 edition."
    ),
    fields=industry_fields("Geography level: UK (both UK and UKX rows), Extra-Regio (TLZ), "
                           "Country (England) or ITL1."),
    primary_key=["itl_code", "year", "industry_code"],
    source_ids=["ONS_REGGVA_IND_2023APR_T1C"],
    coverage="UK, UKX, Extra-Regio, England, ITL1; 1998-2021; SIC sections A-T",
    vintage="ONS regional GVA (balanced) by industry, 1998 to 2021 edition (April 2023)",
    caveats=INDUSTRY_CAVEATS,
    lessons=["04-clusters"],
    reference_files=[f"{LAB}/itl1_gva_by_industry_current_prices_1998_2021.csv"],
)
def build_industry_itl1(ref: Path) -> list[dict[str, str]]:
    rows = read_checked(ref, f"{LAB}/itl1_gva_by_industry_current_prices_1998_2021.csv",
                        unit="GBP million, current prices",
                        source_id="ONS_REGGVA_IND_2023APR_T1C", measure="gva_balanced")
    levels = {"UK": "UK", "UKX": "UK", "TLZ": "Extra-Regio", "TLB": "Country"}
    return [industry_row(r, levels.get(r["itl_code"], "ITL1")) for r in rows]


@dataset(
    name="gva_by_industry_itl2",
    title="GVA by industry (sections and manufacturing sub-sections), UK and ITL2 areas, "
    "1998-2021 (GBP million, current prices)",
    description=(
        "Regional gross value added (balanced) at current basic prices, GBP million, for all "
        "41 ITL2 areas plus UK and UKX comparator rows, every year 1998-2021: the "
        "all-industries total, the A-E and G-T aggregates, the 20 sections A-T, the imputed-"
        "rent memo line (68IMP) and the published manufacturing sub-sections (CA-CM). ITL2 "
        "rows from ONS Table 2c, UK and UKX rows from Table 1c (same edition). TLD3 = Greater "
        "Manchester, TLG3 = West Midlands, TLE4 = West Yorkshire."
    ),
    fields=industry_fields("Geography level: UK (both UK and UKX rows) or ITL2."),
    primary_key=["itl_code", "year", "industry_code"],
    source_ids=["ONS_REGGVA_IND_2023APR_T2C", "ONS_REGGVA_IND_2023APR_T1C"],
    coverage="UK, UKX, ITL2; 1998-2021; SIC sections A-T and manufacturing sub-sections",
    vintage="ONS regional GVA (balanced) by industry, 1998 to 2021 edition (April 2023)",
    caveats=[
        *INDUSTRY_CAVEATS,
        "Manufacturing sub-sections: ITL2 rows publish CD-CF (coke, petroleum, chemicals and "
        "pharmaceuticals combined); the UK and UKX rows publish CD-CE and CF separately and no "
        "CD-CF line. For an ITL2 location quotient of CD-CF the national denominator is "
        "CD-CE + CF, which you compute (it is not a published line).",
        "The 41 ITL2 areas sum to UKX within +/-6 (ONS rounding).",
    ],
    lessons=["04-clusters", "08-capstone"],
    reference_files=[f"{LAB}/itl2_gva_by_industry_current_prices.csv"],
)
def build_industry_itl2(ref: Path) -> list[dict[str, str]]:
    rows = read_checked(ref, f"{LAB}/itl2_gva_by_industry_current_prices.csv",
                        unit="GBP million, current prices", measure="gva_balanced")
    out = []
    for r in rows:
        row = industry_row(r, r["itl_level"])
        if r["itl_level"] == "ITL2":
            assert r["itl1_code"] == row["itl1_code"], r
        out.append(row)
    return out


@dataset(
    name="city_region_employees_by_industry",
    title="Employee jobs by industry (SIC sections) in 10 English combined authorities, 2017",
    description=(
        "Employee jobs (not total employment) by SIC 2007 section A-U, Business Register and "
        "Employment Survey (BRES) open access 2017, for 10 English combined authorities as "
        "Nomis defined them in 2021, with the ITL1 region each sits in. There are no GB, "
        "England or region totals from the same BRES vintage, so employee-based location "
        "quotients can only be computed against the 10 authorities' own aggregate, labelled "
        "as such."
    ),
    fields=[
        Field("area", "string", "Combined authority as named in the source ('North East' is "
              "the 2017 North East Combined Authority, not the ITL1 region).", required=True),
        Field("itl1_code", "string", "ITL1 region the authority lies in, as given in the "
              "reference.", required=True),
        year_field("BRES reference year."),
        Field("industry_code", "string", "SIC 2007 section letter (A-U).", required=True,
              enum=True),
        Field("industry", "string", "Section description.", required=True),
        measure_field("employees", "integer", "Employee jobs, workplace-based, rounded as "
                      "published in BRES open access.", "employee jobs"),
        CONFIDENCE_FIELD,
    ],
    primary_key=["area", "industry_code"],
    source_ids=["NOMIS_BRES_2017_CA"],
    coverage="10 English combined authorities; 2017; SIC sections A-U",
    vintage="BRES 2017 open access, Nomis export of 25 October 2021",
    caveats=[
        "No GB/England/regional employee totals from the same BRES vintage were found: an LQ "
        "against the UK cannot be computed from this file. Use the 10 authorities' own total "
        "as the comparator and label it, or use GVA-based LQs (gva_by_industry_itl2).",
        "BRES open-access figures are rounded; sections do not sum exactly to totals.",
        "Section A excludes farm agriculture (SIC 01), as standard for BRES.",
        "Workplace-based. No Scottish city region (Nomis has no such geography in this export).",
        "Second-hand: a Nomis export stored in a third-party repository.",
    ],
    lessons=["04-clusters"],
    reference_files=[f"{LAB}/city_region_employees_by_industry_bres_2017.csv"],
)
def build_city_region_bres(ref: Path) -> list[dict[str, str]]:
    rows = read_checked(ref, f"{LAB}/city_region_employees_by_industry_bres_2017.csv",
                        measure="employees", source_id="NOMIS_BRES_2017_CA",
                        area_type="combined authority (Nomis 'combauth' geography)")
    return [
        copy_row(r, "area itl1_code year industry_code industry employees confidence",
                 itl1_code="parent_itl1_code", employees="value")
        for r in rows
    ]


# --------------------------------------------------------------------------------------
# Policy cases (reference/policy_cases)
# --------------------------------------------------------------------------------------

POLICY_CONFIDENCE = Field(
    "confidence",
    "string",
    "As labelled in the reference: published = stated in the primary or official source; "
    "second_hand = taken from press, aggregators, mirrors or re-posts; derived = a simple "
    "inference from a sourced statement (explained in notes); not_found = placeholder for a "
    "known gap. Mixed labels (e.g. 'published / second_hand (amount)') say which part is which.",
    required=True,
    enum=True,
)
POLICY_SOURCE = Field(
    "source_id", "string", "Source ids separated by ';'; each resolves to a row of "
    "policy_sources and to an entry in this resource's sources.", required=True)
NOTES_FIELD = Field("notes", "string", "Notes from the reference.")
POLICY_ATTRIBUTION = (
    "Publishers as named in policy_sources (US federal works are public domain; UK government "
    "material: Open Government Licence v3.0; UK Parliament: Open Parliament Licence v3.0; "
    "third-party pages: facts only, with attribution)"
)
ID_IN_TEXT = re.compile(r"\b(?:BB|TH|NE|RC|UT|UK|CO)\d{2,3}\b")


def policy_ids(*columns: str, text_columns: tuple[str, ...] = ("notes",)):
    """Source ids named in the id columns, plus ids quoted in free-text columns."""

    def collect(rows: list[dict[str, str]]) -> list[str]:
        found = set(ids_in(rows, *columns))
        for r in rows:
            for col in text_columns:
                found.update(ID_IN_TEXT.findall(r.get(col, "")))
        return sorted(found)

    return collect


def copy_columns(rows: list[dict[str, str]], mapping: dict[str, str]) -> list[dict[str, str]]:
    """Copy reference columns to output columns (output name -> input name)."""
    return [pick(r, mapping) for r in rows]


def whole_number_or_blank(text: str) -> str:
    """The text when it is one whole number (e.g. '378'), else '' (words are not parsed)."""
    return text if re.fullmatch(r"\d+", text.strip()) else ""


def text_fields(*specs: tuple[str, str] | tuple[str, str, bool]) -> list[Field]:
    out = []
    for spec in specs:
        name, desc, *req = spec
        out.append(Field(name, "string", desc, required=bool(req and req[0])))
    return out


POLICY_CAVEATS = [
    "Read from stored copies of public pages that show only the opening of each page; long "
    "lists low on a page could not be read, hence the gaps.",
    "Text fields are paraphrases, not quotations. Empty cells mean not found, never zero.",
]


# Corrections the reference folder does not carry. Each one cites its source (registered in
# CORRECTION_SOURCES, which joins the policy source register) and leaves a "[correction]" note in
# the row it changes, so the rebuild stays reproducible from the reference folder plus this file
# and a reader of the data sees what the course changed and why.

CORRECTION_SOURCES: list[dict[str, str]] = [
    {
        "source_id": "CO01",
        "title": "The Localism Act 2011 (Housing and Regeneration Functions in Greater London) "
                 "(Consequential, Transitory, Transitional and Saving Provisions) Order 2012 "
                 "(SI 2012/666)",
        "publisher": "legislation.gov.uk (The National Archives)",
        "date": "2012-03-02",
        "url": "https://www.legislation.gov.uk/uksi/2012/666/made",
        "licence": "UK Crown copyright, Open Government Licence v3.0",
        "note": "Added by the course, not in the reference folder. The order's description: "
                "section 191(1) of the Localism Act 2011 abolishes the London Development "
                "Agency from the date it is brought into force, 31 March 2012.",
    },
]


def policy_source_rows(ref: Path) -> list[dict[str, str]]:
    """The reference's policy source register plus the sources of the course's corrections."""
    rows = read_ref(ref, f"{POL}/sources.csv")
    known = {r["source_id"] for r in rows}
    clash = known & {c["source_id"] for c in CORRECTION_SOURCES}
    if clash:
        raise ValueError(f"correction source ids already in the reference: {sorted(clash)}")
    return rows + [dict(c) for c in CORRECTION_SOURCES]


def note_correction(row: dict[str, str], text: str) -> None:
    """Append a '[correction]' note to a row's notes."""
    row["notes"] = "; ".join(p for p in (row["notes"], f"[correction] {text}") if p)


def split_lda_from_gla(row: dict[str, str]) -> list[dict[str, str]]:
    """The reference's one LDA / GLA row becomes two: the LDA ended in 2012, the GLA runs on."""
    lda = dict(row)
    lda.update(name="London Development Agency (LDA), the Mayor of London's development agency",
               ended_year="2012", source_id="UT01;CO01", confidence="published",
               notes="Began 3 Jul 2000 (UT01)", status="ended", status_source_id="CO01",
               status_confidence="published")
    note_correction(lda, "Split from the reference's combined LDA / GLA row, which showed the "
                    "LDA as still running. Section 191(1) of the Localism Act 2011 abolished the "
                    "LDA on 31 Mar 2012, the date SI 2012/666 brought it into force (CO01); the "
                    "order lets the Greater London Authority continue the LDA's business")
    gla = dict(row)
    gla["name"] = "Greater London Authority with directly elected Mayor"
    gla["notes"] = ("Mayor of London since 2000; [status] Status refers to the GLA and elected "
                    "Mayor (London is named for an integrated settlement from 2026-27, UT35)")
    note_correction(gla, "The London Development Agency, which the reference listed in this "
                    "row, is now a row of its own (abolished 31 Mar 2012, CO01)")
    return [lda, gla]


def ukspf_running_in_2025(row: dict[str, str]) -> list[dict[str, str]]:
    """UKSPF closes in March 2026, after the timeline's 2025 horizon: still running in 2025."""
    row = dict(row, ended_year="", status="ongoing")
    note_correction(row, "The reference codes the fund as ended in 2026, but the timeline "
                    "describes 2025 and the fund was still running then: it is scheduled to "
                    "conclude in March 2026 (UT21, UT86). The course codes it as ongoing, so its "
                    "lifespan is censored at 2025 (at least 3 years)")
    return [row]


def luf_round_is_a_decision(row: dict[str, str]) -> list[dict[str, str]]:
    """A Levelling Up Fund round is an allocation, not a body or fund that runs for years."""
    row = dict(row, type="funding round")
    note_correction(row, "Typed 'funding round' (the reference has 'fund'): a round is an "
                    "allocation decision whose ended_year is the year it was decided, so it has "
                    "no lifespan; the projects it funded run on")
    return [row]


#: (test on the reference row's name, correction) for policy_timeline; each must match once.
TIMELINE_CORRECTIONS: list[tuple[Callable[[str], bool], Callable]] = [
    (lambda name: name.startswith("London Development Agency / Greater London Authority"),
     split_lda_from_gla),
    (lambda name: name.startswith("UK Shared Prosperity Fund launched"), ukspf_running_in_2025),
    (lambda name: name.startswith("Levelling Up Fund Round 1"), luf_round_is_a_decision),
    (lambda name: name.startswith("Levelling Up Fund Round 2"), luf_round_is_a_decision),
    (lambda name: name.startswith("Levelling Up Fund Round 3"), luf_round_is_a_decision),
]


def apply_corrections(rows: list[dict[str, str]], corrections) -> list[dict[str, str]]:
    """Apply each correction to the one row it names; fail if it names none or several."""
    hits = [0] * len(corrections)
    out = []
    for r in rows:
        done = [r]
        for k, (matches, fix) in enumerate(corrections):
            if matches(r["name"]):
                hits[k] += 1
                done = fix(r)
        out.extend(done)
    missing = [fix.__name__ for (_, fix), n in zip(corrections, hits, strict=True) if n != 1]
    if missing:
        raise ValueError(f"corrections that matched no row or several: {missing}")
    return out


@dataset(
    name="policy_timeline",
    title="UK regional and local growth policy timeline, 1965-2025",
    description=(
        "One row per event in UK regional and local growth policy, 1965-2025: institutions, "
        "funds, white papers, legislation, with the year it ended where a source gives it, the "
        "scale as published, and a status (ended / ongoing / unknown) with its own sources."
    ),
    fields=[
        year_field("Year of the event."),
        Field("month", "integer", "Month of the event (1-12), where known.", minimum=1),
        *text_fields(("name", "The event, institution or fund.", True),
                     ("type", "Kind of event (institution, fund, white paper, legislation, "
                      "...).", True)),
        Field("ended_year", "integer", "Year it ended or was replaced, where a source gives "
              "it (for Levelling Up Fund rounds, typed 'funding round': the year the round was "
              "decided)."),
        *text_fields(("scale_as_published", "Money or size as published, with the source's "
                      "wording and rounding."),),
        POLICY_SOURCE,
        POLICY_CONFIDENCE,
        *text_fields(("notes", "Dates, successors and reasoning; '[status]' explains the "
                      "status."),),
        Field("status", "string", "ended = closed, abolished or replaced; ongoing = still "
              "operating per the sources; unknown = no end or replacement found (does NOT "
              "mean still running). Treat ongoing bodies as censored when computing lifespans.",
              required=True, enum=True),
        *text_fields(("status_source_id", "Sources for status and for end years filled in the "
                      "fourth pass (ids separated by ';')."),),
        Field("status_confidence", "string", "Confidence label for the status (same "
              "vocabulary as confidence).", enum=True),
    ],
    source_ids=policy_ids("source_id", "status_source_id"),
    coverage="UK; 1965-2025",
    vintage="Compiled 2025 from the sources listed (policy_sources)",
    caveats=[
        *POLICY_CAVEATS,
        "The timeline shows co-occurrence of policy churn and regional gaps, not causation.",
        "Two different programmes are called the Local Growth Fund (2013-2021 Growth Deals and "
        "the new fund from 2026-27).",
        "Several dates rest on second-hand sources (see confidence and notes).",
        "Coverage: the English rows start in 1998 (the Regional Development Agencies); the "
        "earlier rows are Scottish and Welsh development agencies. Earlier English regional "
        "policy is not recorded, so statements about 'every fund' hold only for what is listed.",
        "The course corrects three things the reference does not (tools/build_datasets.py, "
        "rows noted '[correction]'): the London Development Agency is split from the GLA and "
        "ends in 2012 (SI 2012/666, CO01); the UK Shared Prosperity Fund, scheduled to close in "
        "March 2026, is coded as still running in 2025; Levelling Up Fund rounds are typed "
        "'funding round' (allocation decisions without a lifespan).",
        "The Single Local Growth Fund (2013) and the Growth Deals (2014) are two rows for the "
        "same money (the fund was allocated through the deals), so counts of what ran at once "
        "count it twice.",
    ],
    lessons=["02-scale-and-long-term", "08-capstone"],
    licences=["auto"],
    attribution=POLICY_ATTRIBUTION,
    reference_files=[f"{POL}/uk_regional_policy_timeline.csv"],
)
def build_timeline(ref: Path) -> list[dict[str, str]]:
    rows = apply_corrections(read_ref(ref, f"{POL}/uk_regional_policy_timeline.csv"),
                             TIMELINE_CORRECTIONS)
    out = copy_columns(rows, {c: c for c in (
        "year", "month", "name", "type", "ended_year", "scale_as_published", "source_id",
        "confidence", "notes", "status", "status_source_id", "status_confidence")})
    for r in out:
        # "01" and "1" are the same month; written without the leading zero
        r["month"] = str(int(r["month"])) if r["month"] else ""
    return out


@dataset(
    name="mayoral_authorities",
    title="English mayoral combined authorities and the Greater London Authority",
    description=(
        "English mayoral combined authorities and the GLA: year established, first mayoral "
        "election, population (ONS mid-2022 estimates as restated by a secondary source) and "
        "constituent councils where sourced. The last row is a placeholder for authorities not "
        "covered."
    ),
    fields=[
        *text_fields(("authority", "Authority name (with notes on its history in brackets).",
                      True)),
        Field("established_year", "integer", "Year the authority was established, where "
              "known."),
        Field("established_year_derived", "string", "'derived' when the reference marks the "
              "establishment year as inferred from a sourced fact (published as e.g. '2016 "
              "(derived)'); empty otherwise.", enum=["derived"]),
        Field("first_mayoral_election", "integer", "Year of the first mayoral election."),
        Field("population", "integer", "Resident population (ONS mid-2022 estimate, "
              "second-hand via a Wikipedia mirror).", unit="persons", minimum=0),
        Field("population_year", "integer", "Year of the population estimate."),
        *text_fields(("constituent_authorities_count", "Number of constituent councils as "
                      "published (may carry a note, e.g. '6 (derived: ...)')."),),
        POLICY_SOURCE,
        POLICY_CONFIDENCE,
        NOTES_FIELD,
    ],
    source_ids=policy_ids("source_id"),
    coverage="England: GLA and mayoral combined authorities, 2000-2025",
    vintage="Compiled 2025 (populations: ONS mid-2022 via a secondary source)",
    caveats=[
        *POLICY_CAVEATS,
        "Populations are second-hand (a Wikipedia mirror restating ONS mid-2022 estimates): "
        "check against the ONS release before publication.",
        "Establishment years for the 2024-25 authorities, most constituent-council counts and "
        "populations of the newer authorities were not found.",
        "The 'North East' population refers to the current (2024) North East area.",
    ],
    lessons=["08-capstone"],
    licences=["auto"],
    attribution=POLICY_ATTRIBUTION,
    reference_files=[f"{POL}/uk_mayoral_strategic_authorities.csv"],
)
def build_mayoral(ref: Path) -> list[dict[str, str]]:
    rows = read_ref(ref, f"{POL}/uk_mayoral_strategic_authorities.csv")
    out = []
    for r in rows:
        m = re.fullmatch(r"(\d{4})( \(derived\))?", r["established_year"])
        if r["established_year"] and not m:
            raise ValueError(f"unexpected established_year {r['established_year']!r}")
        out.append({
            "authority": r["authority"],
            "established_year": m.group(1) if m else "",
            "established_year_derived": "derived" if m and m.group(2) else "",
            "first_mayoral_election": r["first_mayoral_election"],
            "population": r["population"],
            "population_year": r["population_year"],
            "constituent_authorities_count": r["constituent_authorities_count"],
            "source_id": r["source_id"],
            "confidence": r["confidence"],
            "notes": r["notes"],
        })
    return out


def simple_policy(name, title, description, reference, fields, caveats, lessons,
                  convert=None, id_columns=("source_id",), primary_key=None, coverage="",
                  vintage="Compiled 2025 from the sources listed (policy_sources)"):
    """Register a policy dataset that copies the reference columns named by ``fields``."""

    def build(ref: Path) -> list[dict[str, str]]:
        rows = read_ref(ref, f"{POL}/{reference}")
        if convert is not None:
            return [convert(r) for r in rows]
        return copy_columns(rows, {f.name: f.name for f in fields})

    DATASETS.append(Dataset(
        name=name, title=title, description=description, build=build, fields=fields,
        source_ids=policy_ids(*id_columns), coverage=coverage, vintage=vintage,
        caveats=[*POLICY_CAVEATS, *caveats], lessons=lessons, licences=["auto"],
        attribution=POLICY_ATTRIBUTION, primary_key=primary_key or [],
        reference_files=[f"{POL}/{reference}"],
    ))


simple_policy(
    "industrial_strategy_2025",
    "UK Modern Industrial Strategy (June 2025): IS-8 sectors, zones, funds and targets",
    "Items of the UK Modern Industrial Strategy published on 23 June 2025: the eight "
    "growth-driving sectors (IS-8), Industrial Strategy Zones, headline funds and targets, "
    "with values as published.",
    "uk_modern_industrial_strategy_2025.csv",
    [
        *text_fields(("item_type", "Kind of item (IS-8 sector, zones, fund, origin, ...).", True),
                     ("name", "Item name.", True), ("detail", "What it is, paraphrased."),
                     ("value_as_published", "Money or target as published."),
                     ("date", "Date (ISO where a day is known).")),
        Field("source_id", "string", "Source ids separated by ';' (empty for the not-found "
              "placeholder row)."),
        POLICY_CONFIDENCE,
        NOTES_FIELD,
    ],
    ["The IS-8 sectors are defined at 4-5 digit SIC: any mapping to SIC sections is an "
     "approximation and must be labelled as one.",
     "The Strategy's list of high-potential city regions and clusters was not found."],
    ["04-clusters", "08-capstone"],
    coverage="UK; 2024-2025",
)

simple_policy(
    "investment_zones_freeports",
    "UK Investment Zones (2023-24) and Freeports (2021-23)",
    "Investment Zones and Freeports, the components of the 2025 Industrial Strategy Zones: "
    "place, nation, sector focus, announcement dates and expected outcomes as published.",
    "uk_investment_zones_freeports.csv",
    [
        *text_fields(("programme", "Investment Zone, Freeport, Green Freeport, ...", True),
                     ("place", "Place as published.", True), ("nation", "Nation.", True),
                     ("sector_focus", "Sector focus where found."),
                     ("announced", "Announcement dates as published.", True),
                     ("status_note", "Expected jobs or investment as published (local "
                      "partners' expectations, not outcomes).")),
        POLICY_SOURCE,
        POLICY_CONFIDENCE,
    ],
    ["Sector focus for six English Investment Zones and the locations of the devolved-nation "
     "Investment Zones were not found.",
     "Expected jobs and investment are local partners' expectations, gross, not additional."],
    ["06-public-private", "08-capstone"],
    coverage="UK; 2021-2024",
)

simple_policy(
    "levelling_up_missions",
    "The 12 Levelling Up missions (February 2022 white paper), paraphrased",
    "The 12 missions of the Levelling Up white paper (February 2022), paraphrased by theme from "
    "press summaries and the House of Commons Library.",
    "uk_levelling_up_missions_2022.csv",
    [
        *text_fields(("theme", "Mission theme.", True),
                     ("target_by_2030_paraphrased", "The 2030 target, paraphrased (not the "
                      "white paper's wording).", True)),
        POLICY_SOURCE,
        POLICY_CONFIDENCE,
        NOTES_FIELD,
    ],
    ["Paraphrased from press summaries: check the white paper's wording before quoting.",
     "The R&D mission is growth (+40% outside the Greater South East), not a zero-sum move."],
    ["06-public-private"],
    primary_key=["theme"],
    coverage="UK (England for most missions); targets for 2030",
)

simple_policy(
    "green_book_review",
    "HM Treasury Green Book Review 2025: findings and actions, paraphrased",
    "What HM Treasury's Green Book Review 2025: Findings and actions (11 June 2025) concluded, "
    "finding by finding, with the matching government action, paraphrased from the opening of "
    "the review and secondary summaries.",
    "green_book_review_2025.csv",
    [
        Field("finding_id", "string", "Identifier of the finding.", required=True, unique=True),
        *text_fields(("topic", "Topic.", True), ("finding", "The finding, paraphrased.", True),
                     ("government_action", "The action announced, paraphrased.", True)),
        POLICY_SOURCE,
        POLICY_CONFIDENCE,
        NOTES_FIELD,
    ],
    ["Second-hand summaries: only the opening of the review itself was readable; verify "
     "against the primary document (UT93) before leaning on it.",
     "The review found no conclusive evidence that the appraisal method itself is biased "
     "towards London and the South East (as did the 2020 review)."],
    ["06-public-private"],
    primary_key=["finding_id"],
    coverage="UK; June 2025",
)

simple_policy(
    "tech_hubs_designees",
    "US EDA Tech Hubs: the 31 Phase 1 designees (October 2023)",
    "EDA Regional Technology and Innovation Hubs designated in October 2023: hub name, lead "
    "organisation, place, states, technology focus and Phase 2 outcome (30 of 31 identified; "
    "one placeholder row marks the gap).",
    "us_tech_hubs_designees_2023.csv",
    [
        *text_fields(("hub_name", "Hub name (EDA's name where known).", True),
                     ("lead_organisation", "Lead organisation, where found."),
                     ("lead_city_or_metro", "Lead city or metro area."),
                     ("states", "US state codes separated by ';'."),
                     ("technology_focus", "Technology focus."),
                     ("july2024_phase2_outcome", "Phase 2 outcome (July 2024)."),
                     ("jan2025_selection", "January 2025 selection (later withdrawn).")),
        Field("source_id", "string", "Source ids separated by ';'.", required=True),
        POLICY_CONFIDENCE,
        NOTES_FIELD,
    ],
    ["The 31st designee and lead organisations for 9 designees were not found."],
    ["04-clusters", "07-competitions"],
    coverage="US; October 2023 - January 2025",
)

simple_policy(
    "tech_hubs_awards",
    "US EDA Tech Hubs implementation awards (July 2024, January 2025) and the FY2025 NOFO",
    "Tech Hubs implementation awards: the 12 Phase 2 awards (July 2024, about $504 million), the "
    "six FY25 NDAA selections (January 2025, later withdrawn) and the FY2025 funding "
    "opportunity, with amounts as published and in US$ million.",
    "us_tech_hubs_implementation_awards.csv",
    [
        *text_fields(("round", "Award round (total rows say 'total').", True),
                     ("announced", "Announcement date.", True),
                     ("hub_name", "Hub name (empty on total rows)."),
                     ("states", "US state codes separated by ';'."),
                     ("lead_organisation", "Lead organisation where found."),
                     ("technology_focus", "Technology focus."),
                     ("award_as_published", "Amount with the source's wording and rounding.")),
        Field("award_usd_m", "number", "The same amount in US$ million, unchanged (nominal).",
              unit="USD million", minimum=0),
        Field("amount_status", "string", "approximate, estimated, planned (later withdrawn) or "
              "available.", required=True, enum=True),
        POLICY_SOURCE,
        POLICY_CONFIDENCE,
        *text_fields(("notes", "Notes from the reference (conflicting amounts)."),),
    ],
    ["Per-hub Phase 2 amounts for 8 of the 12 hubs are trade-press restatements of EDA "
     "'estimated' amounts; the per-hub figures sum to 503.5 against the ~$504M total.",
     "Total rows are published totals: do not add them to the hub rows.",
     "The January 2025 selections were withdrawn in May 2025."],
    ["02-scale-and-long-term", "04-clusters", "06-public-private", "07-competitions"],
    coverage="US; July 2024 - September 2025",
)

simple_policy(
    "nsf_engines",
    "US NSF Regional Innovation Engines: the 10 inaugural engines (January 2024)",
    "The 10 inaugural NSF Regional Innovation Engines (January 2024) with lead organisation, "
    "region, states, technology focus and award ceilings as published.",
    "us_nsf_engines_2024.csv",
    [
        *text_fields(("engine_name", "Engine name.", True),
                     ("lead_organisation", "Lead organisation (some inferred from the "
                      "finalist list; see confidence).", True),
                     ("region_of_service", "Region served.", True),
                     ("states", "US state codes separated by ';'.", True),
                     ("technology_focus", "Technology focus.", True),
                     ("initial_award", "Initial award as published.", True),
                     ("maximum_award", "Maximum award as published.", True)),
        POLICY_SOURCE,
        POLICY_CONFIDENCE,
        NOTES_FIELD,
    ],
    ["Lead organisations for five engines are inferred from the finalist list.",
     "NSF said in late 2025 that $135M had gone to nine engines; which inaugural engine "
     "dropped out was not established."],
    ["02-scale-and-long-term", "06-public-private", "07-competitions"],
    primary_key=["engine_name"],
    coverage="US; January 2024",
)

simple_policy(
    "recompete",
    "US EDA Recompete Pilot: awardees (August 2024) and identified finalists",
    "EDA Recompete Pilot Program: the six implementation awardees (August 2024) with amounts, "
    "the awardee total, and the finalists that could be identified.",
    "us_recompete_2023_2024.csv",
    [
        *text_fields(("stage", "Awardee, awardee total, finalist not funded, or placeholder.",
                      True),
                     ("plan_name", "Plan name."), ("lead_applicant", "Lead applicant."),
                     ("place", "Place as published."),
                     ("state_or_territory", "US state or territory code."),
                     ("amount_as_published", "Amount with the source's wording.")),
        Field("amount_usd_m", "number", "The same amount in US$ million, unchanged.",
              unit="USD million", minimum=0),
        POLICY_SOURCE,
        POLICY_CONFIDENCE,
        NOTES_FIELD,
    ],
    ["Award amounts were announced as approximate; they sum to 181 against the $184M total.",
     "13 of the 22 finalists were not identified.",
     "Phase 1 applications: 565 (EDA) vs 560 (press)."],
    ["03-good-jobs", "07-competitions"],
    coverage="US; December 2023 - August 2024",
)

simple_policy(
    "recompete_birmingham_plan",
    "What the Birmingham, Alabama Recompete plan funds",
    "Components of the Reinvest Birmingham Recompete plan (about $20 million, August 2024): "
    "workforce training centre, micro-transit, childcare and wraparound services, with amounts "
    "where published.",
    "us_recompete_birmingham_plan.csv",
    [
        *text_fields(("component", "Plan component.", True),
                     ("detail", "What it funds, paraphrased.", True),
                     ("amount_as_published", "Amount where published.")),
        POLICY_SOURCE,
        POLICY_CONFIDENCE,
    ],
    ["Amounts for most components were not published in the sources read."],
    ["03-good-jobs"],
    primary_key=["component"],
    coverage="Birmingham, Alabama (US); 2024",
)

simple_policy(
    "bbbrc_winners",
    "US Build Back Better Regional Challenge winners (September 2022), partial",
    "Build Back Better Regional Challenge winners (September 2022) that could be identified "
    "(12 of 21, plus a placeholder), with award amounts as published.",
    "us_bbbrc_2022_winners_partial.csv",
    [
        *text_fields(("coalition", "Winning coalition.", True), ("lead", "Lead organisation."),
                     ("state", "US state code."),
                     ("award_as_published", "Award with the source's wording.")),
        Field("award_usd_m", "number", "The same amount in US$ million, unchanged; empty where "
              "not seen.", unit="USD million", minimum=0),
        Field("source_id", "string", "Source ids separated by ';'.", required=True),
        POLICY_CONFIDENCE,
        NOTES_FIELD,
    ],
    ["Partial: 9 of the 21 winners, and amounts for two identified winners, were not found."],
    ["04-clusters", "07-competitions"],
    coverage="US; September 2022",
)


def convert_funnel(r: dict[str, str]) -> dict[str, str]:
    return copy_row(r, "programme country stage date count_as_published count count_unit "
                    "amount_as_published source_id confidence notes",
                    count_as_published="count", count=lambda r: whole_number_or_blank(r["count"]))


simple_policy(
    "competition_funnels",
    "Competitive funding funnels: US place-based programmes and UK comparators",
    "Stage-by-stage counts (applications, finalists, winners) for EDA Tech Hubs, NSF "
    "Regional Innovation Engines, EDA Recompete and the Build Back Better Regional Challenge, "
    "with the UK Levelling Up Fund and Freeports for comparison. Counts keep their units "
    "(applications, lead consortia, hubs, grants): read count_unit before computing a success "
    "rate.",
    "competitive_funnels_us_uk.csv",
    [
        *text_fields(("programme", "Programme.", True)),
        Field("country", "string", "US or UK.", required=True, enum=True),
        *text_fields(("stage", "Stage of the competition as published.", True),
                     ("date", "Date or period of the stage as published.", True),
                     ("count_as_published", "Count as published (may be text such as "
                      "'nearly 300' or '305 / 105').", True)),
        Field("count", "integer", "Derived: count_as_published when it is one whole number, "
              "else empty (words and pairs are not parsed).", minimum=0),
        *text_fields(("count_unit", "What is counted (applications, lead consortia, hubs, "
                      "grants, ...).", True),
                     ("amount_as_published", "Money at this stage as published.")),
        POLICY_SOURCE,
        POLICY_CONFIDENCE,
        *text_fields(("notes", "Notes (derived shares, conflicts)."),),
    ],
    ["Tech Hubs: 378 applications from 247 lead consortia, of which 192 sought designation; "
     "31 designations out of 192 designation applicants is 16%. Press figures of 192, 198, "
     "370 and 'nearly 400' count different things.",
     "The Strategy Development Grants count (29) comes from a law-firm alert although "
     "labelled published (see the audit).",
     "The Levelling Up Fund Round 2 success rate (21.0%, 111 of 529) is derived."],
    ["02-scale-and-long-term", "07-competitions"],
    convert=convert_funnel,
    coverage="US 2022-2025; UK Levelling Up Fund and Freeports",
)


@dataset(
    name="policy_sources",
    title="Source register for the policy-case datasets",
    description=(
        "Every source cited by the policy-case datasets: id, title, publisher, date, URL, "
        "licence and a note. Every source_id (and status_source_id) in those datasets "
        "resolves to a row here."
    ),
    fields=[
        Field("source_id", "string", "Source identifier (BB = Build Back Better, TH = Tech "
              "Hubs, NE = NSF Engines, RC = Recompete, UT = UK timeline and policy, UK = UK "
              "Industrial Strategy, CO = a correction the course adds, with its source).", required=True, unique=True),
        *text_fields(("title", "Title of the page or document (some paraphrased, as noted).",
                      True), ("publisher", "Publisher.", True),
                     ("date", "Publication date as known (ISO where a day is known).", True),
                     ("url", "Address of the page.", True),
                     ("licence", "Licence or copyright status.", True),
                     ("note", "How it was read (mirror, re-post) and what it supplies.")),
    ],
    primary_key=["source_id"],
    source_ids=lambda rows: ids_in(rows, "source_id"),
    coverage="US and UK policy sources, 1965-2025",
    vintage="Compiled 2025; audited (see reference/AUDIT.md)",
    caveats=[
        "Many pages were read through re-posts, mirrors or archive copies (see note).",
        "Licences of some UK public-body pages were assumed, not checked (flagged in licence).",
    ],
    lessons=["07-competitions"],
    licences=["auto"],
    attribution=POLICY_ATTRIBUTION,
    reference_files=[f"{POL}/sources.csv"],
)
def build_policy_sources(ref: Path) -> list[dict[str, str]]:
    rows = policy_source_rows(ref)
    return copy_columns(rows, {c: c for c in ("source_id", "title", "publisher", "date", "url",
                                              "licence", "note")})


# --------------------------------------------------------------------------------------
# Lesson 09: which ITL areas make up each mayoral combined authority (derived)
# --------------------------------------------------------------------------------------
# ONS publishes no ITL-to-combined-authority lookup in the reference folder, so this mapping
# is built here from the authorities' establishing Orders (their constituent councils) and the
# ITL 2021 area names of ONS Table A4, and every row says how good the match is. The Orders are
# cited below; the councils-per-area reasoning is the course's own (derived).

LEGISLATION = "https://www.legislation.gov.uk/uksi/"
SOURCE_REGISTER.update({
    f"LEG_SI_{year}_{number}": (
        f"The {title} Order {year} (SI {year}/{number}), as made (names the constituent "
        "councils)",
        "legislation.gov.uk (The National Archives)",
        f"Made {made}",
        f"{LEGISLATION}{year}/{number}/made",
        "OGL-UK-3.0",
    )
    for year, number, title, made in [
        (2011, 908, "Greater Manchester Combined Authority", "22 March 2011"),
        (2014, 865, "Halton, Knowsley, Liverpool, St Helens, Sefton and Wirral Combined "
         "Authority", "2014 (day not read)"),
        (2016, 449, "Tees Valley Combined Authority", "29 March 2016"),
        (2016, 653, "West Midlands Combined Authority", "2016 (day not read)"),
        (2017, 126, "West of England Combined Authority", "8 February 2017"),
        (2017, 251, "Cambridgeshire and Peterborough Combined Authority", "2 March 2017"),
    ]
})

# authority (as in uk_mayoral_strategic_authorities.csv) -> (Order id or '', constituent
# councils as named in the Order, [(ITL3 code, match, note)])
MAYORAL_AREAS: dict[str, tuple[str, str, list[tuple[str, str, str]]]] = {
    "Greater Manchester Combined Authority": (
        "LEG_SI_2011_908",
        "Bolton; Bury; Manchester; Oldham; Rochdale; Salford; Stockport; Tameside; Trafford; "
        "Wigan",
        [(code, "same area", "The ten constituent councils are the metropolitan districts of "
          "Greater Manchester; ONS's ITL2 area TLD3 is named Greater Manchester and is split "
          "into these five ITL3 areas.")
         for code in ("TLD33", "TLD34", "TLD35", "TLD36", "TLD37")],
    ),
    "Liverpool City Region Combined Authority": (
        "LEG_SI_2014_865",
        "Halton; Knowsley; Liverpool; St Helens; Sefton; Wirral",
        [("TLD71", "uncertain", "East Merseyside: the ITL3 name does not say which councils it "
          "covers. Knowsley and St Helens are in Merseyside; whether Halton (a constituent "
          "council, not in the metropolitan county) is in this area or outside TLD7 is not "
          "established by any source in the course (check ONS's local authority to ITL "
          "lookup)."),
         ("TLD72", "named", "Liverpool."),
         ("TLD73", "named", "Sefton."),
         ("TLD74", "named", "Wirral.")],
    ),
    "West Midlands Combined Authority": (
        "LEG_SI_2016_653",
        "Birmingham; Coventry; Dudley; Sandwell; Solihull; Walsall; Wolverhampton",
        [(code, "named", f"{name}. Non-constituent (non-voting) member councils are left out.")
         for code, name in (("TLG31", "Birmingham"), ("TLG32", "Solihull"),
                            ("TLG33", "Coventry"), ("TLG36", "Dudley"), ("TLG37", "Sandwell"),
                            ("TLG38", "Walsall"), ("TLG39", "Wolverhampton"))],
    ),
    "Tees Valley Combined Authority": (
        "LEG_SI_2016_449",
        "Darlington; Hartlepool; Middlesbrough; Redcar and Cleveland; Stockton-on-Tees",
        [("TLC11", "named", "Hartlepool and Stockton-on-Tees."),
         ("TLC12", "uncertain", "South Teesside: the name does not list councils; the two "
          "constituent councils not named elsewhere (Middlesbrough, Redcar and Cleveland) are "
          "assigned here by elimination within ITL2 TLC1."),
         ("TLC13", "named", "Darlington. TLC14 (Durham CC) in the same ITL2 area is not part "
          "of the authority.")],
    ),
    "Cambridgeshire and Peterborough Combined Authority": (
        "LEG_SI_2017_251",
        "Cambridge; Cambridgeshire; East Cambridgeshire; Fenland; Huntingdonshire; "
        "Peterborough; South Cambridgeshire",
        [("TLH11", "named", "Peterborough."),
         ("TLH12", "named", "Cambridgeshire CC: the county council's area, which contains the "
          "five district councils of the Order.")],
    ),
    "West of England Combined Authority": (
        "LEG_SI_2017_126",
        "Bath and North East Somerset; Bristol City; South Gloucestershire",
        [("TLK11", "named", "Bristol, City of."),
         ("TLK12", "larger", "Bath and North East Somerset, North Somerset and South "
          "Gloucestershire: also covers North Somerset, which is not a constituent council of "
          "the authority.")],
    ),
    "Sheffield City Region / South Yorkshire Mayoral Combined Authority": (
        "", "",
        [(code, "not checked", "By the ITL2 name South Yorkshire; the constituent councils "
          "were not read from the authority's Order. Listed so that later mayoral areas can "
          "be left out of a comparison group.") for code in ("TLE31", "TLE32")],
    ),
    "North of Tyne Combined Authority (since merged)": (
        "", "",
        [("TLC21", "not checked", "Northumberland; the constituent councils were not read "
          "from the authority's Order."),
         ("TLC22", "not checked", "Tyneside: the ITL3 name does not say which councils it "
          "covers, and the constituent councils were not read from the Order.")],
    ),
    "West Yorkshire Combined Authority": (
        "", "",
        [(code, "not checked", "By the ITL2 name West Yorkshire; the constituent councils "
          "were not read from the authority's Order.")
         for code in ("TLE41", "TLE42", "TLE44", "TLE45")],
    ),
}


@dataset(
    name="mayoral_itl_areas",
    title="ITL3 areas of the English mayoral combined authorities (derived mapping)",
    description=(
        "Derived: which ITL 2021 ITL3 areas make up each mayoral combined authority whose "
        "first mayor was elected from 2017 to 2021, one row per authority and area, with how "
        "well the area matches the authority (same area, named, larger, uncertain, not "
        "checked). ONS publishes no such lookup in the course's reference folder; it is built "
        "from the authorities' establishing Orders (constituent councils) and the ITL area "
        "names of ONS Table A4. First election years are copied from mayoral_authorities."
    ),
    fields=[
        required_text("authority", "Authority name as in mayoral_authorities."),
        Field("first_mayoral_election", "integer", "Year of the first mayoral election "
              "(copied from mayoral_authorities).", required=True),
        required_text("itl_code", "ITL 2021 ITL3 code of an area assigned to the authority."),
        Field("itl2_code", "string", "Derived: the ITL2 area containing it (the first four "
              "characters of the code).", required=True),
        region_field("ITL3 area name as published in ONS Table A4."),
        Field("match", "string", "Derived: how the area matches the authority. 'same area': "
              "the areas together are the authority's metropolitan county; 'named': the area's "
              "name names constituent councils only; 'larger': it also covers a council outside "
              "the authority; 'uncertain': its councils are not established by a course source; "
              "'not checked': the authority's Order was not read.", required=True, enum=True),
        Field("constituent_councils", "string", "The authority's constituent councils as "
              "named in its establishing Order (empty where the Order was not read)."),
        Field("notes", "string", "Derived: the reasoning behind the match.", required=True),
        Field("order_source_id", "string", "The authority's establishing Order (an id among "
              "this resource's sources, LEG_SI_year_number); empty where it was not read."),
        Field("source_id", "string", "Sources of the first election year, as in "
              "mayoral_authorities (policy_sources ids separated by ';'); the area names come "
              "from ONS Table A4 (ONS_SUBREGPROD_2023JUN_A4).", required=True),
    ],
    primary_key=["authority", "itl_code"],
    source_ids=lambda rows: ["ONS_SUBREGPROD_2023JUN_A4",
                             *ids_in(rows, "order_source_id", "source_id")],
    coverage="England: nine mayoral combined authorities with first mayors elected 2017-2021; "
    "ITL3 (ITL 2021)",
    vintage="Orders as made (2011-2017); ITL 2021 names from ONS subregional productivity, "
    "June 2023",
    caveats=[
        "Derived, not an official lookup: ITL3 areas are built from councils, but the course "
        "holds no council-to-ITL3 table, so matches rest on area names (see match and notes).",
        "West of England: TLK12 also covers North Somerset, which is not a constituent council, "
        "so the mapped area is larger than the authority.",
        "Liverpool City Region: whether Halton lies in East Merseyside (TLD71) is not "
        "established here; Tees Valley: South Teesside is assigned by elimination.",
        "Non-constituent (non-voting) member councils are not part of any mapped area.",
        "Rows for the 2018-2021 authorities are 'not checked': they exist so a comparison group "
        "can leave out areas that got a mayor later; London (the GLA, 2000) is the ITL1 region "
        "TLI and is not repeated here.",
    ],
    lessons=["09-evaluation"],
    licences=["auto"],
    attribution=POLICY_ATTRIBUTION,
    reference_files=[f"{POL}/uk_mayoral_strategic_authorities.csv",
                     f"{PROD}/itl_gva_per_hour_worked_gbp_2004_2021.csv"],
)
def build_mayoral_itl_areas(ref: Path) -> list[dict[str, str]]:
    names = {r["itl_code"]: r["region"]
             for r in read_ref(ref, f"{PROD}/itl_gva_per_hour_worked_gbp_2004_2021.csv")
             if r["itl_level"] == "ITL3"}
    mayors = {r["authority"]: r for r in read_ref(ref, f"{POL}/uk_mayoral_strategic_authorities.csv")}
    out = []
    for authority, (order, councils, areas) in MAYORAL_AREAS.items():
        if authority not in mayors or not mayors[authority]["first_mayoral_election"]:
            raise ValueError(f"mayoral_itl_areas: {authority!r} has no first election year in "
                             "the reference")
        election = mayors[authority]["first_mayoral_election"]
        for code, match, note in areas:
            if code not in names:
                raise ValueError(f"mayoral_itl_areas: {code} is not an ITL3 area in Table A4")
            out.append({"authority": authority, "first_mayoral_election": election,
                        "itl_code": code, "itl2_code": code[:4], "region": names[code],
                        "match": match, "constituent_councils": councils, "notes": note,
                        "order_source_id": order,
                        "source_id": mayors[authority]["source_id"]})
    return out


# Lesson 09 also loads gva_per_hour (kept here so the lessons list of that dataset is not edited
# in two places at once).
next(d for d in DATASETS if d.name == "gva_per_hour").lessons.append("09-evaluation")


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def csv_bytes(columns: list[str], rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for r in rows:
        if list(r) != columns:
            raise ValueError(f"row columns {list(r)} differ from {columns}")
        writer.writerow([r[c] for c in columns])
    return buf.getvalue().encode("utf-8")


def field_descriptor(f: Field, rows: list[dict[str, str]]) -> dict:
    out: dict = {"name": f.name, "type": f.type, "description": f.description}
    if f.unit:
        out["unit"] = f.unit
    constraints: dict = {}
    if f.required:
        constraints["required"] = True
    if f.unique:
        constraints["unique"] = True
    if f.enum:
        constraints["enum"] = (
            sorted({r[f.name] for r in rows if r[f.name] != ""}) if f.enum is True else f.enum
        )
    if f.minimum is not None:
        constraints["minimum"] = f.minimum
    if constraints:
        out["constraints"] = constraints
    return out


def source_descriptor(source_id: str, policy_register: dict[str, dict[str, str]]) -> dict:
    if source_id in SOURCE_REGISTER:
        title, publisher, version, url, licence = SOURCE_REGISTER[source_id]
        return {"id": source_id, "title": title, "path": url, "publisher": publisher,
                "version": version, "licence": LICENCES[licence]["title"]}
    if source_id in policy_register:
        s = policy_register[source_id]
        return {"id": source_id, "title": s["title"], "path": s["url"],
                "publisher": s["publisher"], "version": s["date"], "licence": s["licence"]}
    raise KeyError(f"source id {source_id!r} is not in any source register")


def licences_for(ds: Dataset, sources: list[dict]) -> list[dict]:
    """The resource's licences; 'auto' derives them from the licence of each source."""
    if ds.licences != ["auto"]:
        return [LICENCES[name] for name in ds.licences]
    names = set()
    for s in sources:
        text = s.get("licence", "").lower()
        if "public domain" in text:
            names.add("US-Government-Works")
        elif "open government licence" in text or "ogl" in text:
            names.add("OGL-UK-3.0")
        elif "open parliament" in text:
            names.add("OPL-3.0")
        else:
            names.add("quoted-facts")
    order = ["US-Government-Works", "OGL-UK-3.0", "OPL-3.0", "quoted-facts"]
    return [LICENCES[n] for n in order if n in names]


def check_rows(ds: Dataset, rows: list[dict[str, str]]) -> None:
    """Sanity checks at build time: types parse, required present, keys unique."""
    names = [f.name for f in ds.fields]
    for f in ds.fields:
        for i, r in enumerate(rows):
            v = r[f.name]
            if v == "":
                if f.required:
                    raise ValueError(f"{ds.name}: row {i + 2} has empty required {f.name}")
                continue
            if f.type == "integer" and not re.fullmatch(r"-?\d+", v):
                raise ValueError(f"{ds.name}: {f.name}={v!r} is not an integer (row {i + 2})")
            if f.type == "number":
                float(v)
    if ds.primary_key:
        keys = [tuple(r[k] for k in ds.primary_key) for r in rows]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{ds.name}: primary key {ds.primary_key} is not unique")
    assert names == list(rows[0]), (ds.name, names, list(rows[0]))


PACKAGE = {
    "profile": "data-package",
    "name": "productive-places-datasets",
    "title": "Productive Places course datasets",
    "description": (
        "Tidy CSV datasets for the Productive Places course on place-based industrial policy: "
        "UK regional productivity, population, labour market, skills, R&D and industry "
        "structure, plus UK and US policy cases. Every value is copied from a published "
        "source named in each resource's sources; derived columns say so in their "
        "description. Built by tools/build_datasets.py from the project's reference folder."
    ),
    "version": "1.0.0",
    "homepage": "https://github.com/productive-places/productive-places",
    "contributors": [
        {"title": "Productive Places contributors", "role": "author"},
        {"title": "Office for National Statistics", "role": "publisher",
         "path": "https://www.ons.gov.uk/"},
    ],
    "licenses": [OGL, OPL, US_PD, QUOTED, COURSE],
    "attribution": ONS_ATTRIBUTION,
    "notes": [
        "Join on ITL codes (itl_code, itl1_code), never on names. The UK comparator in the "
        "productivity and industry tables is UKX (UK less extra-regio); population and the "
        "labour-market tables use UK (the whole UK). England is TLB everywhere (the labour "
        "files publish it as ENG; it is recoded to its ITL code).",
        "National comparator for location quotients: the UKX rows of gva_by_industry_itl1 and "
        "gva_by_industry_itl2 (sections, aggregates and total, every year 1998-2021). UKX is "
        "the sum of the regions; UK adds Extra-Regio (TLZ, mostly offshore oil and gas).",
        "No ITL2 tile grid is provided. A faithful grid for 41 ITL2 areas needs every tile's "
        "neighbours checked against boundaries (London's five ITL2 areas, the Scottish and "
        "Welsh areas, the Midlands), and the reference folder holds no boundary or adjacency "
        "data and no published ONS tile layout to take positions from. A hand-made layout "
        "would be a guess that readers take for geography; use ranked bars, or the ITL1 tile "
        "map with an ITL2 drill-down table, instead.",
        "Not in the reference and not found in a readable official form (searched ONS pages, "
        "2025): total R&D (GERD, all performing sectors) by region in GBP million. Only "
        "business R&D (BERD) and public-funded R&D are provided; a third-party copy of ONS "
        "GERD 2022 by region has run-together digits and no London row, so it was not used.",
        "Not in the reference: GB, England or regional BRES 2017 employee totals to pair with "
        "city_region_employees_by_industry, an ITL1 x industry employment matrix, and "
        "RQF-based (2022 onward) qualification shares by region.",
        "Not in the reference: GVA per hour tables for 2022 and 2023 (June 2024 and June 2025 "
        "editions), the smoothed GVA per hour series and a published index (UK = 100); only "
        "headline points for those (relative_productivity_published, headline_findings).",
        "The confidence column is kept on every row, as in the reference, even where it is "
        "constant in a file; other constant columns (unit, price basis, smoothing, source) "
        "are in each resource's field descriptions and sources.",
        "Every value is copied as text from the reference CSV files; derived columns (parent "
        "codes, numeric copies of published text, start years of academic years) say so in "
        "their description.",
    ],
}


def build(reference: Path, out: Path) -> dict:
    """Build every dataset from ``reference`` into ``out``; return the package descriptor."""
    reference = Path(reference)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    policy_register = {
        r["source_id"]: r for r in policy_source_rows(reference)
    } if (reference / POL / "sources.csv").exists() else {}
    resources = []
    for ds in DATASETS:
        rows = ds.build(reference)
        check_rows(ds, rows)
        columns = [f.name for f in ds.fields]
        data = csv_bytes(columns, rows)
        path = f"{ds.name}.csv"
        (out / path).write_bytes(data)
        ids = ds.source_ids(rows) if callable(ds.source_ids) else list(ds.source_ids)
        sources = [source_descriptor(s, policy_register) for s in ids]
        schema: dict = {
            "fields": [field_descriptor(f, rows) for f in ds.fields],
            "missingValues": [""],
        }
        if ds.primary_key:
            schema["primaryKey"] = list(ds.primary_key)
        resources.append(
            {
                "profile": "tabular-data-resource",
                "name": ds.name,
                "path": path,
                "title": ds.title,
                "description": ds.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\n", "header": True},
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
                "rows": len(rows),
                "schema": schema,
                "sources": sources,
                "licenses": licences_for(ds, sources),
                "attribution": ds.attribution,
                "coverage": ds.coverage,
                "vintage": ds.vintage,
                "caveats": list(ds.caveats),
                "lessons": list(ds.lessons),
                "reference_files": list(ds.reference_files),
            }
        )
    package = dict(PACKAGE)
    package["resources"] = resources
    text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
    (out / "datapackage.json").write_text(text, encoding="utf-8", newline="\n")
    # The README is generated from the descriptor by the same code `course data readme` uses.
    from course.data import write_readme

    write_readme(out / "README.md", folder=out)
    return package


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", nargs="?", default=str(DEFAULT_REFERENCE),
                        help="the reference folder (default: ../shared/reference beside the repo)")
    parser.add_argument("--out", default=str(DEFAULT_OUT),
                        help="where to write the CSV files and datapackage.json")
    args = parser.parse_args(argv)
    reference = Path(args.reference)
    if not reference.is_dir():
        print(f"reference folder not found: {reference}", file=sys.stderr)
        return 2
    package = build(reference, Path(args.out))
    for res in package["resources"]:
        print(f"{res['name']:40s} {res['rows']:>7d} rows  {res['bytes']:>9d} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
