"""The course datasets: find, check, load, describe and cite them.

Every dataset is a tidy CSV file described in ``datapackage.json`` (a Frictionless Data
Package). :func:`load` checks each file against its description before returning it: the
SHA-256 hash, the header, the type of every value and the declared constraints. A file that
does not match raises :class:`course.errors.DatasetError` instead of returning doubtful data.

Only pandas and the standard library are imported here, so ``import course.data`` stays light.
Frictionless is used only by :func:`validate_report`, and imported there.

Examples
--------
>>> import course.data as data
>>> gva = data.load("gva_per_hour", level="ITL1", years=2021)
>>> len(gva)
12
>>> float(gva.loc[gva["itl_code"] == "TLI", "gva_per_hour"].iloc[0])
51.5
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from course.errors import DatasetError, options_text

__all__ = [
    "load",
    "catalogue",
    "describe",
    "cite",
    "validate_report",
    "write_readme",
    "datasets_dir",
    "names",
    "DatasetError",
]

ENV_VAR = "COURSE_DATASETS_DIR"
DESCRIPTOR = "datapackage.json"

# Caches keyed on (path, mtime_ns, size) so an edited file is always re-read and re-checked.
# Parsed frames are not cached: parsing is fast, and a cache would double the memory a
# student kernel holds for the large industry tables.
_descriptor_cache: dict[tuple[str, int, int], dict] = {}
_hash_cache: dict[tuple[str, int, int], str] = {}
# Checked, typed frames by file (path, mtime, size): a lesson and its widgets load the same
# dataset several times (04 loads GVA by industry in the lesson and again in two widgets).
# Callers get derived frames only; with pandas' copy-on-write a change to one never reaches it.
_frame_cache: dict[tuple[str, str, int, int], pd.DataFrame] = {}


# ----------------------------------------------------------------------------------------
# Finding the datasets
# ----------------------------------------------------------------------------------------


def datasets_dir() -> Path:
    """The folder holding ``datapackage.json`` and the CSV files.

    Looked up in this order: the ``COURSE_DATASETS_DIR`` environment variable (used by
    tests), the copy shipped inside the installed package (``course/_datasets``), and the
    ``datasets`` folder of a source checkout or editable install.

    Examples
    --------
    >>> (datasets_dir() / "datapackage.json").exists()
    True
    """
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env)
        if not (path / DESCRIPTOR).is_file():
            raise DatasetError(
                f"{ENV_VAR} is set to {env!r}, but there is no {DESCRIPTOR} in that folder. "
                f"Point {ENV_VAR} at a folder containing the course datasets, or unset it."
            )
        return path
    shipped = importlib.resources.files("course") / "_datasets"
    if shipped.is_dir() and (shipped / DESCRIPTOR).is_file():
        return Path(str(shipped))
    checkout = Path(__file__).resolve().parents[1] / "datasets"
    if (checkout / DESCRIPTOR).is_file():
        return checkout
    raise DatasetError(
        "The course datasets could not be found (looked for course/_datasets in the installed "
        "package and datasets/ in the source folder). Reinstall the course package "
        f"(pip install .) or set {ENV_VAR} to the datasets folder."
    )


def _stat_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path.resolve()), st.st_mtime_ns, st.st_size)


def _package() -> tuple[Path, dict]:
    folder = datasets_dir()
    path = folder / DESCRIPTOR
    key = _stat_key(path)
    if key not in _descriptor_cache:
        try:
            _descriptor_cache[key] = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DatasetError(
                f"{path.name} in {folder} is not valid JSON ({exc}). Restore it with "
                f"'git checkout -- datasets/{DESCRIPTOR}' or reinstall the course package."
            ) from None
    return folder, _descriptor_cache[key]


def names() -> list[str]:
    """Names of every dataset, in catalogue order.

    Examples
    --------
    >>> "gva_per_hour" in names()
    True
    """
    return [r["name"] for r in _package()[1]["resources"]]


def _resource(name: object) -> tuple[Path, dict]:
    folder, package = _package()
    by_name = {r["name"]: r for r in package["resources"]}
    if not isinstance(name, str) or name not in by_name:
        raise DatasetError(
            f"There is no dataset called {name!r}. {options_text(name, by_name)} "
            "See course.data.catalogue() for the full list with descriptions."
        )
    return folder, by_name[name]


# ----------------------------------------------------------------------------------------
# Checking a file against its description
# ----------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    key = _stat_key(path)
    if key not in _hash_cache:
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        _hash_cache[key] = digest.hexdigest()
    return _hash_cache[key]


def _restore_hint(res: dict) -> str:
    return (
        f"Restore the published file with 'git checkout -- datasets/{res['path']}' in the "
        "course folder (or reinstall the course package), then run the cell again. If you "
        "changed it on purpose, work on a copy of the DataFrame instead of the file."
    )


def _read_text_frame(name: str, path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(
            path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8"
        )
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DatasetError(
            f"Dataset {name!r}: {path.name} could not be read as CSV ({exc})."
        ) from None


def _header_problem(res: dict, columns: list[str]) -> str | None:
    expected = [f["name"] for f in res["schema"]["fields"]]
    if columns == expected:
        return None
    missing = [c for c in expected if c not in columns]
    extra = [c for c in columns if c not in expected]
    parts = []
    if missing:
        parts.append(f"missing column(s) {', '.join(map(repr, missing))}")
    if extra:
        parts.append(f"unexpected column(s) {', '.join(map(repr, extra))}")
    if not parts:
        parts.append(f"columns in the wrong order: {columns} instead of {expected}")
    return "; ".join(parts)


_INT_RE = re.compile(r"-?\d+")


def _convert(name: str, res: dict, raw: pd.DataFrame) -> pd.DataFrame:
    """Turn the all-text frame into typed columns, checking every value and constraint."""
    missing_values = set(res["schema"].get("missingValues", [""]))
    out: dict[str, pd.Series] = {}
    for f in res["schema"]["fields"]:
        col = f["name"]
        text = raw[col]
        is_missing = text.isin(missing_values)
        constraints = f.get("constraints", {})
        where = f"Dataset {name!r}, column {col!r}"
        if constraints.get("required") and is_missing.any():
            row = int(is_missing.to_numpy().nonzero()[0][0]) + 2
            raise DatasetError(
                f"{where}: a value is required but line {row} of {res['path']} is empty. "
                + _restore_hint(res)
            )
        kind = f.get("type", "string")
        if kind in ("integer", "year"):
            bad = ~is_missing & ~text.str.fullmatch(_INT_RE.pattern)
            if bad.any():
                i = int(bad.to_numpy().nonzero()[0][0])
                raise DatasetError(
                    f"{where}: {text.iloc[i]!r} on line {i + 2} of {res['path']} is not a "
                    f"whole number, but the column holds integers. " + _restore_hint(res)
                )
            if is_missing.any():
                values = pd.array(
                    [None if m else int(v) for v, m in zip(text, is_missing, strict=True)],
                    dtype="Int64",
                )
                series = pd.Series(values, index=raw.index, name=col)
            else:
                series = text.astype("int64")
        elif kind == "number":
            numbers = pd.to_numeric(text.where(~is_missing), errors="coerce")
            bad = ~is_missing & numbers.isna()
            if bad.any():
                i = int(bad.to_numpy().nonzero()[0][0])
                raise DatasetError(
                    f"{where}: {text.iloc[i]!r} on line {i + 2} of {res['path']} is not a "
                    f"number, but the column holds numbers. " + _restore_hint(res)
                )
            series = numbers.astype("float64")
        else:
            series = text.astype("str").mask(is_missing)
        enum = constraints.get("enum")
        if enum is not None:
            outside = ~is_missing & ~text.isin([str(e) for e in enum])
            if outside.any():
                i = int(outside.to_numpy().nonzero()[0][0])
                raise DatasetError(
                    f"{where}: {text.iloc[i]!r} on line {i + 2} of {res['path']} is not one "
                    f"of the allowed values {enum}. " + _restore_hint(res)
                )
        minimum = constraints.get("minimum")
        if minimum is not None and kind in ("integer", "number"):
            below = (series < minimum).fillna(False)
            if below.any():
                i = int(below.to_numpy().nonzero()[0][0])
                raise DatasetError(
                    f"{where}: {text.iloc[i]!r} on line {i + 2} of {res['path']} is below the "
                    f"minimum {minimum}. " + _restore_hint(res)
                )
        out[col] = series
    frame = pd.DataFrame(out)
    key = res["schema"].get("primaryKey")
    if key:
        dup = frame.duplicated(subset=key)
        if dup.any():
            i = int(dup.to_numpy().nonzero()[0][0])
            raise DatasetError(
                f"Dataset {name!r}: line {i + 2} of {res['path']} repeats the key "
                f"{dict(zip(key, frame.iloc[i][key].tolist(), strict=True))}. "
                + _restore_hint(res)
            )
    return frame


def _checked_frame(name: str, folder: Path, res: dict) -> pd.DataFrame:
    path = folder / res["path"]
    if not path.is_file():
        raise DatasetError(
            f"Dataset {name!r}: the file {res['path']} is missing from {folder}. "
            + _restore_hint(res)
        )
    expected = str(res.get("hash", "")).removeprefix("sha256:")
    actual = _sha256(path)
    if expected and actual != expected:
        size = path.stat().st_size
        details = [f"its SHA-256 hash is {actual[:12]}..., the published file's is "
                   f"{expected[:12]}..."]
        published_bytes = res.get("bytes")
        if published_bytes is not None and size != published_bytes:
            short = " (the file looks truncated)" if size < published_bytes else ""
            details.append(f"it has {size:,} bytes instead of {published_bytes:,}{short}")
        raw = _read_text_frame(name, path)
        problem = _header_problem(res, list(raw.columns))
        if problem:
            details.append(problem)
        elif "rows" in res and len(raw) != res["rows"]:
            details.append(f"it has {len(raw):,} data rows instead of {res['rows']:,}")
        raise DatasetError(
            f"Dataset {name!r}: {res['path']} differs from the published file ("
            + "; ".join(details)
            + "), so it may have been edited or damaged. "
            + _restore_hint(res)
        )
    key = (json.dumps(res, sort_keys=True), *_stat_key(path))
    if key not in _frame_cache:
        raw = _read_text_frame(name, path)
        problem = _header_problem(res, list(raw.columns))
        if problem:
            raise DatasetError(
                f"Dataset {name!r}: the header of {res['path']} does not match its "
                f"description: {problem}. " + _restore_hint(res)
            )
        _frame_cache[key] = _convert(name, res, raw)
    return _frame_cache[key].copy(deep=False)


# ----------------------------------------------------------------------------------------
# Loading with filters
# ----------------------------------------------------------------------------------------


def _as_list(value: object) -> list:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _range_text(values: list[int]) -> str:
    return f"{min(values)}-{max(values)}" if values else "none"


def _closest_years(year: int, valid: list[int], n: int = 5) -> list[int]:
    return sorted(valid, key=lambda v: (abs(v - year), v))[:n]


def load(
    name: str,
    *,
    level: str | Iterable[str] | None = None,
    years: int | Iterable[int] | None = None,
    codes: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Load a course dataset as a checked, typed DataFrame.

    The file's SHA-256 hash, header, value types and constraints are checked against
    ``datapackage.json`` first (the hash check is cached while the file is unchanged).

    Parameters
    ----------
    name : str
        Dataset name, e.g. ``"gva_per_hour"``; see :func:`catalogue`.
    level : str or list of str, optional
        Keep only these geography levels (``"UK"``, ``"Country"``, ``"ITL1"``, ``"ITL2"``,
        ``"ITL3"``, ...). Only for datasets with an ``itl_level`` column.
    years : int, iterable of int or range, optional
        Keep only these years. Every year asked for must be in the dataset.
    codes : str or list of str, optional
        Keep only these ITL codes (matched against ``itl_code``).

    Returns
    -------
    pandas.DataFrame
        A new frame each call, safe to change. Integer columns are ``int64`` (``Int64``
        where values can be missing), numbers ``float64``, text the pandas string dtype (``str``, missing values
        are ``NaN``, so comparisons give plain booleans).

    Raises
    ------
    course.errors.DatasetError
        For an unknown name or filter value (with the closest valid options), or a file that
        does not match its published description.

    Examples
    --------
    >>> df = load("gva_per_hour", level="ITL1", years=2021, codes=["TLI", "TLC"])
    >>> print(df[["itl_code", "year", "gva_per_hour"]].to_string(index=False))
    itl_code  year  gva_per_hour
         TLC  2021          31.9
         TLI  2021          51.5
    >>> len(load("gva_per_hour", level=["ITL2", "ITL3"], years=range(2019, 2022)))
    660
    >>> load("gva_per_hr")
    Traceback (most recent call last):
    ...
    course.errors.DatasetError: There is no dataset called 'gva_per_hr'. Valid options (closest first): 'gva_per_hour', ...
    """
    folder, res = _resource(name)
    frame = _checked_frame(name, folder, res)
    mask = pd.Series(True, index=frame.index)
    asked = []

    if level is not None:
        if "itl_level" not in frame.columns:
            raise DatasetError(
                f"Dataset {name!r} has no geography levels (no itl_level column), so level= "
                f"cannot be used with it. Remove level=... from the call."
            )
        valid = list(dict.fromkeys(frame["itl_level"].dropna().tolist()))
        wanted = _as_list(level)
        for lev in wanted:
            if lev not in valid:
                raise DatasetError(
                    f"Dataset {name!r} has no level {lev!r}. {options_text(lev, valid)} "
                    f"Use one of these, e.g. level={valid[-1]!r} or a list of them."
                )
        mask &= frame["itl_level"].isin(wanted).fillna(False).astype(bool)
        asked.append(f"level={level!r}")

    if years is not None:
        if "year" not in frame.columns:
            raise DatasetError(
                f"Dataset {name!r} has no year column, so years= cannot be used with it. "
                "Remove years=... from the call."
            )
        valid_years = sorted({int(y) for y in frame["year"].dropna()})
        wanted_years = []
        for y in _as_list(years):
            if isinstance(y, bool) or not isinstance(y, int) and not hasattr(y, "__index__"):
                nearest = ""
                if isinstance(y, str) and y.strip().isdigit():
                    nearest = (f" Write {int(y)} without quotes. Valid years (closest first): "
                               f"{', '.join(map(str, _closest_years(int(y), valid_years)))}.")
                raise DatasetError(
                    f"Dataset {name!r}: years must be whole numbers such as 2021 or "
                    f"range(2004, 2022), not {y!r}. {name} covers {_range_text(valid_years)}."
                    f"{nearest}"
                )
            wanted_years.append(int(y))
        absent = [y for y in wanted_years if y not in valid_years]
        if absent:
            raise DatasetError(
                f"Dataset {name!r} has no data for year(s) {', '.join(map(str, absent))}; it "
                f"covers {_range_text(valid_years)}. Valid years (closest first): "
                f"{', '.join(map(str, _closest_years(absent[0], valid_years)))}. "
                "Ask only for years the dataset has (years never get filled in)."
            )
        mask &= frame["year"].isin(wanted_years).fillna(False).astype(bool)
        asked.append(f"years={years!r}")

    if codes is not None:
        if "itl_code" not in frame.columns:
            raise DatasetError(
                f"Dataset {name!r} has no itl_code column, so codes= cannot be used with it. "
                "Remove codes=... and filter the DataFrame yourself."
            )
        valid_codes = list(dict.fromkeys(frame["itl_code"].dropna().tolist()))
        wanted_codes = _as_list(codes)
        for code in wanted_codes:
            if code not in valid_codes:
                hint = ""
                if isinstance(code, str) and code.upper() in valid_codes:
                    hint = f" ITL codes are upper case: try {code.upper()!r}."
                raise DatasetError(
                    f"Dataset {name!r} has no ITL code {code!r}.{hint} "
                    f"{options_text(code, valid_codes)} Codes, not names, select areas: "
                    "see course.load('itl_lookup') for every code and its name."
                )
        mask &= frame["itl_code"].isin(wanted_codes).fillna(False).astype(bool)
        asked.append(f"codes={codes!r}")

    result = frame[mask].reset_index(drop=True) if asked else frame
    if asked and result.empty:
        raise DatasetError(
            f"Dataset {name!r}: no rows match {', '.join(asked)} together (each value exists, "
            "but not in combination, e.g. a code at another level). Check the level of the "
            "codes with course.load('itl_lookup')."
        )
    return result


# ----------------------------------------------------------------------------------------
# Catalogue, description, citation
# ----------------------------------------------------------------------------------------


def _publishers(res: dict) -> str:
    found = list(dict.fromkeys(s.get("publisher", "") for s in res.get("sources", [])))
    found = [p for p in found if p]
    if len(found) > 3:
        return f"{', '.join(found[:3])} and {len(found) - 3} more"
    return ", ".join(found)


def _licence_text(res: dict) -> str:
    return "; ".join(lic.get("title", lic.get("name", "")) for lic in res.get("licenses", []))


def catalogue() -> pd.DataFrame:
    """One row per dataset: name, title, rows, coverage, source and lessons.

    Examples
    --------
    >>> cat = catalogue()
    >>> list(cat.columns)
    ['name', 'title', 'rows', 'coverage', 'source', 'lessons']
    >>> int(cat.loc[cat["name"] == "gva_per_hour", "rows"].iloc[0])
    4212
    """
    rows = [
        {
            "name": r["name"],
            "title": r.get("title", ""),
            "rows": int(r.get("rows", 0)),
            "coverage": r.get("coverage", ""),
            "source": _publishers(r),
            "lessons": ", ".join(r.get("lessons", [])),
        }
        for r in _package()[1]["resources"]
    ]
    frame = pd.DataFrame(rows, columns=["name", "title", "rows", "coverage", "source", "lessons"])
    return frame.astype({"rows": "int64"})


def describe(name: str) -> str:
    """A readable description: title, fields with units, coverage, vintage, caveats, sources.

    Examples
    --------
    >>> text = describe("population")
    >>> print(text.splitlines()[0])
    population: Total resident population, UK regions, 1998-2021
    >>> "Census" in text
    True
    """
    _, res = _resource(name)
    lines = [f"{res['name']}: {res.get('title', '')}", "", res.get("description", ""), ""]
    lines.append(f"Coverage: {res.get('coverage', '')}")
    lines.append(f"Vintage:  {res.get('vintage', '')}")
    lines.append(f"Rows:     {res.get('rows', '?')}")
    if res.get("lessons"):
        lines.append(f"Lessons:  {', '.join(res['lessons'])}")
    lines += ["", "Columns:"]
    for f in res["schema"]["fields"]:
        unit = f" [{f['unit']}]" if f.get("unit") else ""
        lines.append(f"  {f['name']} ({f.get('type', 'string')}){unit}: {f.get('description', '')}")
    if res.get("caveats"):
        lines += ["", "Caveats:"]
        lines += [f"  - {c}" for c in res["caveats"]]
    lines += ["", "Sources:"]
    for s in res.get("sources", []):
        ident = f"[{s['id']}] " if s.get("id") else ""
        lines.append(
            f"  - {ident}{s.get('publisher', '')}, {s.get('title', '')}"
            f" ({s.get('version', '')}). {s.get('path', '')}"
        )
    lines += ["", f"Licence: {_licence_text(res)}"]
    if res.get("attribution"):
        lines.append(f"Attribution: {res['attribution']}")
    return "\n".join(lines)


def cite(name: str) -> str:
    """One line to paste under a chart: publisher, title, release, URL and licence.

    Examples
    --------
    >>> print(cite("gva_per_job"))  # doctest: +ELLIPSIS
    Office for National Statistics, Subregional productivity: ... (June 2023 edition, released 20 June 2023), https://www.ons.gov.uk/... Source: Office for National Statistics licensed under the Open Government Licence v3.0.
    """
    _, res = _resource(name)
    sources = res.get("sources", [])
    attribution = res.get("attribution") or _licence_text(res)
    if len(sources) == 1:
        s = sources[0]
        return (
            f"{s.get('publisher', '')}, {s.get('title', '')} ({s.get('version', '')}), "
            f"{s.get('path', '')}. {attribution}."
        )
    return (
        f"{res.get('title', name)}: compiled from {len(sources)} published sources "
        f"({_publishers(res)}); vintage: {res.get('vintage', '')}. {attribution}; "
        f"full list: course.describe({name!r})."
    )


# ----------------------------------------------------------------------------------------
# Maintainer functions: validation report and README
# ----------------------------------------------------------------------------------------


def validate_report(strict: bool = True) -> tuple[bool, str]:
    """Validate every dataset with Frictionless (including hashes) and with :func:`load`.

    Parameters
    ----------
    strict : bool
        When True, Frictionless warnings (for example an ignored hash) also count as
        failures.

    Returns
    -------
    (bool, str)
        Whether everything passed, and a readable report with one line per dataset.
    """
    import frictionless  # heavy: imported only for maintainers and tests

    folder, package = _package()
    lines = [f"Datasets in {folder}:"]
    ok = True
    report = frictionless.validate(str(folder / DESCRIPTOR))
    by_name = {}
    for task in report.tasks:
        by_name[task.name] = task
    for warning in getattr(report, "warnings", []) or []:
        lines.append(f"  warning: {warning}")
        if strict:
            ok = False
    for res in package["resources"]:
        name = res["name"]
        problems = []
        task = by_name.get(name)
        if task is None:
            problems.append("not checked by frictionless")
        else:
            for err in task.errors:
                problems.append(f"frictionless: {err.message}")
            for warning in task.warnings:
                if strict:
                    problems.append(f"frictionless warning: {warning}")
        if not str(res.get("hash", "")).startswith("sha256:"):
            problems.append("no sha256 hash in the descriptor")
        try:
            frame = load(name)
            if "rows" in res and len(frame) != res["rows"]:
                problems.append(f"loader read {len(frame)} rows, descriptor says {res['rows']}")
        except DatasetError as exc:
            problems.append(f"loader: {exc}")
        if problems:
            ok = False
            lines.append(f"  FAIL {name}")
            lines += [f"       {p}" for p in problems]
        else:
            lines.append(f"  ok   {name} ({res.get('rows', '?')} rows)")
    for err in report.errors:
        ok = False
        lines.append(f"  package error: {err.message}")
    lines.append("All datasets valid." if ok else "Some datasets failed validation.")
    return ok, "\n".join(lines)


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def readme_text(datasets_folder: Path | None = None) -> str:
    """The text of ``datasets/README.md``, generated from ``datapackage.json``."""
    if datasets_folder is None:
        _, package = _package()
    else:
        package = json.loads((Path(datasets_folder) / DESCRIPTOR).read_text(encoding="utf-8"))
    out = [
        "# Course datasets",
        "",
        "<!-- Generated from datapackage.json by course.data.write_readme() "
        "(`course data readme`). Do not edit by hand. -->",
        "",
        package.get("description", ""),
        "",
        "Load a dataset with `course.load(name)`; read its caveats with "
        "`course.describe(name)`; put `course.cite(name)` under every chart.",
        "",
        "| name | title | rows | coverage | source | licence |",
        "| --- | --- | ---: | --- | --- | --- |",
    ]
    for res in package["resources"]:
        out.append(
            f"| `{res['name']}` | {_md(res.get('title', ''))} | {res.get('rows', '')} | "
            f"{_md(res.get('coverage', ''))} | {_md(_publishers(res))} | "
            f"{_md(', '.join(lic.get('name', '') for lic in res.get('licenses', [])))} |"
        )
    out += ["", "## Datasets", ""]
    for res in package["resources"]:
        out.append(f"### `{res['name']}`")
        out.append("")
        out.append(f"{res.get('title', '')}. {res.get('description', '')}")
        out.append("")
        out.append(f"- Rows: {res.get('rows', '')}; coverage: {res.get('coverage', '')}")
        out.append(f"- Vintage: {res.get('vintage', '')}")
        out.append(f"- Columns: {', '.join('`' + f['name'] + '`' for f in res['schema']['fields'])}")
        out.append(f"- Licence: {_licence_text(res)}")
        if res.get("attribution"):
            out.append(f"- Attribution: {res['attribution']}")
        if res.get("lessons"):
            out.append(f"- Lessons: {', '.join(res['lessons'])}")
        out.append(f"- Sources: {len(res.get('sources', []))} ({_publishers(res)})")
        for caveat in res.get("caveats", []):
            out.append(f"- Caveat: {caveat}")
        out.append("")
    notes = package.get("notes", [])
    if notes:
        out += ["## Gaps and design notes", ""]
        out += [f"- {n}" for n in notes]
        out.append("")
    out += [
        "## Licences",
        "",
        *[f"- `{lic.get('name', '')}`: {lic.get('title', '')}"
          + (f" ({lic['path']})" if lic.get("path") else "")
          for lic in package.get("licenses", [])],
        "",
        f"ONS data: {package.get('attribution', '')}.",
        "",
        "See `REFRESH.md` for the procedure when a new ONS vintage is published.",
        "",
    ]
    return "\n".join(out)


def write_readme(path: str | Path | None = None, *, folder: str | Path | None = None) -> str:
    """Write ``datasets/README.md`` from the descriptor and return its text.

    Parameters
    ----------
    path : str or Path, optional
        Where to write; by default ``README.md`` beside ``datapackage.json``.
    folder : str or Path, optional
        Folder whose ``datapackage.json`` to read (default: the course datasets).
    """
    source = Path(folder) if folder is not None else datasets_dir()
    text = readme_text(source)
    target = Path(path) if path is not None else source / "README.md"
    target.write_text(text, encoding="utf-8", newline="\n")
    return text


def _reset_caches() -> None:
    """Forget cached descriptors, hashes and frames (for tests)."""
    _descriptor_cache.clear()
    _hash_cache.clear()

