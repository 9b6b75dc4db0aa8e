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
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import re
import textwrap
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from course.grading._common import GradingError, lesson_notebooks

BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_MARK = "BEGIN MARK SCHEME"
END_MARK = "END MARK SCHEME"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"
RUBRIC_RE = re.compile(r"\*{0,2}\s*rubric\s*\(\s*instructor[\s_-]*only\s*\)\s*\*{0,2}", re.IGNORECASE)
MODEL_RE = re.compile(r"\*{0,2}\s*model answer[^*\n]*\*{0,2}", re.IGNORECASE)
PROLOGUE_MARK = "# course: record this exercise's answers for grading"
_BUILTINS = set(dir(builtins))


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


def text_of(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def norm(text: str) -> str:
    """Collapse whitespace and lower-case (for comparing lines across HTML and notebooks)."""
    return " ".join(text.split()).lower()


def _meta(cell: dict) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def split_region(text: str, begin: str, end: str) -> tuple[list[str], list[str], tuple[int, int] | None]:
    """(lines outside the region, lines inside it, (first, last) 1-based line numbers of the region)."""
    outside, inside = [], []
    span = None
    inside_now = False
    for number, line in enumerate(text.split("\n"), start=1):
        if begin in line:
            inside_now = True
            span = (number, number)
            continue
        if end in line and inside_now:
            inside_now = False
            span = (span[0], number)
            continue
        (inside if inside_now else outside).append(line)
    if inside_now:
        raise GradingError(f"a '{begin}' region has no matching '{end}'")
    return outside, inside, span


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
        f"from course.grading._extract import record as _course_record; "
        f"_course_record({grade_id!r}, {names!r}); del _course_record"
    )


def _stub_solution(cell: dict) -> str:
    text = text_of(cell.get("source"))
    if cell.get("cell_type") != "code":
        return TEXT_STUB
    if BEGIN_SOLUTION not in text:
        return CODE_STUB
    out, inside = [], False
    for line in text.split("\n"):
        if BEGIN_SOLUTION in line:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + stub for stub in CODE_STUB.split("\n")]
            continue
        if END_SOLUTION in line:
            inside = False
            continue
        if not inside:
            out.append(line)
    return "\n".join(out)


def _release_text(nb: dict) -> str:
    """Everything a student is given in this notebook (what the release keeps), normalised."""
    parts = []
    for cell in nb.get("cells", []):
        meta = _meta(cell)
        text = text_of(cell.get("source"))
        if meta.get("solution"):
            parts.append(_stub_solution(cell))
        else:
            text = "\n".join(split_region(text, BEGIN_HIDDEN, END_HIDDEN)[0])
            text = "\n".join(split_region(text, BEGIN_MARK, END_MARK)[0])
            parts.append(text)
    return "\n".join(parts)


def _identifying(line: str) -> bool:
    squeezed = line.replace(" ", "")
    return len(squeezed) >= 8 and bool(re.search(r"[A-Za-z]", line)) and squeezed not in {
        "###ENDHIDDENTESTS", "###BEGINHIDDENTESTS", "###BEGINSOLUTION", "###ENDSOLUTION"}


def lesson_plan(lesson_dir: str | Path) -> LessonPlan:
    """Read a lesson's source notebooks (see the module docstring)."""
    lesson_dir = Path(lesson_dir)
    plan = LessonPlan(lesson_id=lesson_dir.name, notebooks=[])
    for nb_path in lesson_notebooks(lesson_dir):
        name = nb_path.stem
        plan.notebooks.append(nb_path.name)
        try:
            nb = json.loads(nb_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GradingError(f"Cannot read the lesson notebook {nb_path}: {exc}") from None
        released = _release_text(nb)
        public_lines = {norm(line) for line in released.split("\n")}
        public_text = released
        grading = json.loads(json.dumps(nb))
        last_text = ""
        for index, cell in enumerate(nb.get("cells", [])):
            meta = _meta(cell)
            text = text_of(cell.get("source"))
            grade_id = meta.get("grade_id")
            out_cell = grading["cells"][index]
            out_cell["outputs"] = [] if cell.get("cell_type") == "code" else out_cell.get("outputs")
            if out_cell.get("outputs") is None:
                out_cell.pop("outputs", None)
            if meta.get("solution"):
                secret = text if BEGIN_SOLUTION not in text else "\n".join(
                    split_region(text, BEGIN_SOLUTION, END_SOLUTION)[1])
                for line in secret.split("\n"):
                    if _identifying(line) and norm(line) not in public_lines:
                        plan.secret_lines.add(norm(line))
                out_cell["source"] = _stub_solution(cell)
                if meta.get("grade") and cell.get("cell_type") == "markdown":
                    rubric = ""
                    match = RUBRIC_RE.search(text)
                    if match:
                        rubric = text[match.start():].strip()
                    model = text[: match.start()].strip() if match else text.strip()
                    plan.written.append(WrittenCell(name, grade_id, float(meta.get("points") or 0),
                                                    last_text.strip(), rubric, model))
                    plan.max_manual += float(meta.get("points") or 0)
            elif meta.get("grade") and cell.get("cell_type") == "code":
                try:
                    visible, hidden, span = split_region(text, BEGIN_HIDDEN, END_HIDDEN)
                except GradingError as exc:
                    raise GradingError(f"{nb_path.name}, cell {grade_id!r}: {exc}") from None
                for line in hidden:
                    if _identifying(line) and norm(line) not in public_lines:
                        plan.secret_lines.add(norm(line))
                plan.secret_literals |= {
                    lit for lit in literals("\n".join(hidden)) if lit not in public_text
                }
                names = read_names(text)
                plan.tests.append(TestCell(name, grade_id, float(meta.get("points") or 0), text,
                                           span, names))
                plan.max_auto += float(meta.get("points") or 0)
                out_cell["source"] = _prologue(grade_id, names) + "\n" + "\n".join(visible).strip("\n")
            elif meta.get("grade") and cell.get("cell_type") == "markdown":
                plan.max_manual += float(meta.get("points") or 0)
            if BEGIN_MARK in text:
                outside, inside, _ = split_region(text, BEGIN_MARK, END_MARK)
                for line in inside:
                    if _identifying(line) and norm(line) not in public_lines:
                        plan.secret_lines.add(norm(line))
                if not meta.get("solution"):
                    out_cell["source"] = "\n".join(outside)
            if meta.get("locked") and grade_id and not meta.get("solution"):
                given = text
                if meta.get("grade") and cell.get("cell_type") == "code":
                    given = "\n".join(split_region(text, BEGIN_HIDDEN, END_HIDDEN)[0])
                given = "\n".join(split_region(given, BEGIN_MARK, END_MARK)[0])
                plan.locked_release[grade_id] = given
            if cell.get("cell_type") == "markdown" and not meta.get("solution"):
                last_text = text
        for written in plan.written:
            for line in (written.rubric + "\n" + written.model).split("\n"):
                if _identifying(line) and norm(line) not in public_lines:
                    plan.secret_lines.add(norm(line))
        plan.grading_sources[nb_path.name] = grading
    if not plan.notebooks:
        raise GradingError(f"Lesson {plan.lesson_id!r} has no notebook in {str(lesson_dir)!r}.")
    return plan
