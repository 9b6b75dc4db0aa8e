"""What the grader needs to know about a lesson's source: its tests, answers, rubrics and secrets.

``lesson_plan`` reads each instructor notebook once and returns:

- the autograded test cells (grade id, points, full source, where the hidden region is, and the
  names the cell reads, which are the answers to record);
- the manually graded written answers (grade id, points, the question above it, the rubric);
- the *secrets*: lines and literals of hidden tests, solutions and rubrics that the student version
  does not contain, used to redact feedback and to prove that feedback leaks none of them;
- the *grading source*: the notebook nbgrader autogrades against. Its test cells hold the visible
  tests only, after one line that records the answers; its solutions and rubrics are replaced with
  nbgrader's stubs. The kernel that runs a submission never sees a hidden test, an expected value,
  a solution or a rubric, even if the student's code reads every cell it is given.

What is solution, hidden test or mark scheme is decided by the one parser in ``_content``, on
nbgrader's delimiters, which release and the leak checks use too.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import io
import json
import re
import textwrap
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from course.grading.releasing._content import (
    HIDDEN,
    RUBRIC_RE,
    Delimiters,
    RegionError,
    nbgrader_delimiters,
    norm,
    parse_notebook,
    split_region,
    text_of,  # noqa: F401 - re-exported for _feedback and _written
)
from course.grading.releasing._lessons import GradingError, is_instructor_only, lesson_notebooks

PROLOGUE_MARK = "# course: record this exercise's answers for grading"
_BUILTINS = set(dir(builtins))


def grade_id_of(cell: object) -> str | None:
    """The nbgrader grade id of a cell, or None, whatever shape the cell's metadata has.

    Examples
    --------
    >>> grade_id_of({"metadata": {"nbgrader": {"grade_id": "ex1"}}}), grade_id_of({"metadata": "x"})
    ('ex1', None)
    """
    if not isinstance(cell, dict):
        return None
    meta = cell.get("metadata")
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def sha256_of_tree(folder: Path, *, skip_instructor: bool = True) -> str:
    """A stable hash of every file's relative path and bytes under ``folder``."""
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if skip_instructor and any(is_instructor_only(part) for part in rel.parts):
                continue
            if path.is_symlink():
                digest.update(b"link:" + str(rel).encode() + b"\0")
                continue
            if path.is_file():
                digest.update(str(rel).encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass
class TestCell:
    notebook: str
    grade_id: str
    points: float
    source: str
    hidden: tuple[int, int] | None  # 1-based first and last line of the hidden region
    names: list[str]

    def where(self, line: int | None) -> str:
        if line is None:
            return "grader"
        if self.hidden and self.hidden[0] <= line <= self.hidden[1]:
            return "hidden"
        return "visible"


@dataclass
class WrittenCell:
    notebook: str
    grade_id: str
    points: float
    question: str
    rubric: str
    model: str


@dataclass
class LessonPlan:
    lesson_id: str
    notebooks: list[str]
    tests: list[TestCell] = field(default_factory=list)
    written: list[WrittenCell] = field(default_factory=list)
    max_auto: float = 0.0
    max_manual: float = 0.0
    secret_lines: set[str] = field(default_factory=set)
    secret_literals: set[str] = field(default_factory=set)
    grading_sources: dict[str, dict] = field(default_factory=dict)
    # What the student was given in each locked cell (test cells without their hidden tests).
    locked_release: dict[str, str] = field(default_factory=dict)

    @property
    def max_score(self) -> float:
        return self.max_auto + self.max_manual

    def test(self, grade_id: str) -> TestCell | None:
        return next((t for t in self.tests if t.grade_id == grade_id), None)

    def reveals_secret(self, text: str) -> bool:
        """True if ``text`` contains a hidden-test line or literal, a solution line or rubric text."""
        if not text:
            return False
        flat = norm(text)
        if any(contains_literal(text, lit) for lit in self.secret_literals):
            return True
        return any(line in flat for line in self.secret_lines)


def contains_literal(text: str, literal: str) -> bool:
    """Whether ``literal`` occurs in ``text`` (a number only as a whole number, not inside another).

    Examples
    --------
    >>> contains_literal("got 0.3751", "0.375"), contains_literal("is 0.375.", "0.375")
    (False, True)
    """
    if re.fullmatch(r"[-+]?[\d.]+([eE][-+]?\d+)?", literal):
        return re.search(rf"(?<![\d.]){re.escape(literal)}(?!\d|\.\d)", text) is not None
    return literal in text


def read_names(source: str) -> list[str]:
    """Names a test cell reads before (or without) setting them: the answers and context it needs.

    Builtins are never included (the checker's builtins are its own), and nor is a name the cell
    sets before it first reads it (such as ``EXPECTED_X = ...`` or a loop variable).

    Examples
    --------
    >>> read_names("import math\\nfor k in [1]:\\n    assert abs(gap(data, k) - 0.5) < 1e-9 and math.pi")
    ['data', 'gap']
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        words = set(re.findall(r"\b[A-Za-z_]\w*\b", source))
        return sorted(w for w in words if w not in _BUILTINS and not w.startswith("__"))
    first_load: dict[str, tuple[int, int]] = {}
    first_store: dict[str, tuple[int, int]] = {}

    def seen(table: dict, name: str, node: ast.AST) -> None:
        where = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        if name not in table or where < table[name]:
            table[name] = where

    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            seen(first_load if isinstance(node.ctx, ast.Load) else first_store, node.id, node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                seen(first_store, (alias.asname or alias.name).split(".")[0], node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            seen(first_store, node.name, node)
    names = [
        name for name, where in first_load.items()
        if name not in _BUILTINS and not name.startswith("__")
        and not (name in first_store and first_store[name] <= where)
    ]
    return sorted(names)


def _keep_number(value: str) -> bool:
    value = value.replace("_", "")
    if re.fullmatch(r"\d+(\.\d+)?[eE][-+]?\d+", value) or re.fullmatch(r"0\.0*1", value):
        return False  # a tolerance such as 1e-9 or 0.01, not an answer
    if re.fullmatch(r"\d{4}", value):
        return False  # a year
    mantissa = re.split(r"[eE]", value)[0]
    significant = mantissa.replace(".", "").lstrip("0")
    if "." in mantissa:
        significant = significant.rstrip("0")
    return len(significant) >= 3


def literals(text: str) -> set[str]:
    """Number and string literals of hidden tests worth keeping secret (expected values, inputs).

    A test's own failure message (the text after ``assert ...,``) is meant for students and is
    not included; short strings, years and tolerances are not either.

    Examples
    --------
    >>> sorted(literals("EXPECTED = 58.3690987124\\nassert abs(x - EXPECTED) < 1e-6, 'check it'"))
    ['58.3690987124']
    """
    found: set[str] = set()
    try:
        tree = ast.parse(textwrap.dedent(text))
    except SyntaxError:
        tree = None
    if tree is not None:
        messages: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert) and node.msg is not None:
                messages |= {id(n) for n in ast.walk(node.msg)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or id(node) in messages:
                continue
            if isinstance(node.value, str) and len(node.value.strip()) >= 4:
                found.add(node.value)
            elif type(node.value) in (int, float) and _keep_number(repr(node.value)):
                segment = ast.get_source_segment(textwrap.dedent(text), node) or repr(node.value)
                found.add(segment.lstrip("-"))
        return found
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return found
    for tok in tokens:
        if tok.type == tokenize.NUMBER and _keep_number(tok.string):
            found.add(tok.string)
    return found


def _prologue(grade_id: str, names: list[str]) -> str:
    return (
        f"{PROLOGUE_MARK}\n"
        f"from course.grading.kernel._extract import record as _course_record; "
        f"_course_record({grade_id!r}, {names!r}); del _course_record"
    )


def lesson_plan(lesson_dir: str | Path, delimiters: Delimiters | None = None) -> LessonPlan:
    """Read a lesson's source notebooks (see the module docstring).

    What is instructor-only comes from the one parser, ``_content.parse_notebook``, on nbgrader's
    delimiters (``delimiters``; nbgrader's defaults unless given).
    """
    d = delimiters or nbgrader_delimiters()
    lesson_dir = Path(lesson_dir)
    plan = LessonPlan(lesson_id=lesson_dir.name, notebooks=[])
    for nb_path in lesson_notebooks(lesson_dir):
        name = nb_path.stem
        plan.notebooks.append(nb_path.name)
        try:
            nb = json.loads(nb_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GradingError(f"Cannot read the lesson notebook {nb_path}: {exc}") from None
        try:
            content = parse_notebook(nb, d)
        except RegionError as exc:
            raise GradingError(f"{nb_path.name}, {exc}") from None
        plan.secret_lines |= set(content.secrets)
        grading = json.loads(json.dumps(nb))
        last_text = ""
        for parsed in content.cells:
            meta, text, grade_id = parsed.meta, parsed.text, parsed.grade_id
            points = float(meta.get("points") or 0)
            out_cell = grading["cells"][parsed.index]
            if parsed.cell_type == "code":
                out_cell["outputs"] = []
            # The grading source holds what the student was given, except in test cells.
            out_cell["source"] = parsed.released
            if meta.get("grade") and parsed.cell_type == "markdown":
                plan.max_manual += points
                if meta.get("solution"):
                    match = RUBRIC_RE.search(text)
                    rubric = text[match.start():].strip() if match else ""
                    model = text[: match.start()].strip() if match else text.strip()
                    plan.written.append(WrittenCell(name, grade_id, points, last_text.strip(), rubric, model))
            elif meta.get("grade") and parsed.cell_type == "code" and not meta.get("solution"):
                hidden = [line for kind, line in parsed.secret if kind == HIDDEN]
                _, _, span = split_region(text, d.begin_hidden, d.end_hidden)
                plan.secret_literals |= {
                    lit for lit in literals("\n".join(hidden)) if lit not in content.released_text
                }
                names = read_names(text)
                plan.tests.append(TestCell(name, grade_id, points, text, span, names))
                plan.max_auto += points
                out_cell["source"] = _prologue(grade_id, names) + "\n" + parsed.released.strip("\n")
            if meta.get("locked") and grade_id and not meta.get("solution"):
                plan.locked_release[grade_id] = parsed.released
            if parsed.cell_type == "markdown" and not meta.get("solution"):
                last_text = text
        plan.grading_sources[nb_path.name] = grading
    if not plan.notebooks:
        raise GradingError(f"Lesson {plan.lesson_id!r} has no notebook in {str(lesson_dir)!r}.")
    return plan
