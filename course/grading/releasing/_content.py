"""The one parser of instructor content: what in a lesson's source is solution, hidden test or mark scheme.

nbgrader decides what a release keeps with its preprocessors' delimiters (``ClearSolutions``,
``ClearHiddenTests``, ``ClearMarkScheme``; configurable, ``BEGIN SOLUTION`` and so on by default)
and its stubs. :class:`Delimiters` holds those settings, read from nbgrader's own traits (or from a
traitlets Config); :func:`nbgrader_config` in ``_nbgrader`` writes the same object into every private
nbgrader course, so nbgrader and this module cannot disagree. Everything that needs to know what is
instructor-only uses this module:

- release: the student text and the leak check (``_release.find_leaks``);
- grading: the grading source, the tests and written answers (``_lesson.lesson_plan``);
- feedback: the secrets a page must not show (``LessonPlan.secret_lines``, from here).

Regions follow nbgrader's rule exactly: a line *containing* the begin delimiter opens a region and
one containing the end delimiter closes it; a solution cell with no region is a solution as a whole.
The leak check also looks for delimiters nbgrader itself would not recognise (other case, plural,
extra spaces), built from the same delimiters (:meth:`Delimiters.loose_pattern`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

SOLUTION, HIDDEN, MARK_SCHEME = "solution", "hidden tests", "mark scheme"
# The heading that starts the rubric in a written answer's solution cell (the model answer is above).
RUBRIC_RE = re.compile(r"\*{0,2}\s*rubric\s*\(\s*instructor[\s_-]*only\s*\)\s*\*{0,2}", re.IGNORECASE)
# A line must be at least this long (spaces ignored) to identify instructor content on its own.
MIN_SECRET_CHARS = 6


class RegionError(ValueError):
    """A region opened with a begin delimiter was never closed."""


@dataclass(frozen=True)
class Delimiters:
    """nbgrader's delimiters and stubs (trait names in the comments)."""

    begin_solution: str = "BEGIN SOLUTION"  # ClearSolutions.begin_solution_delimeter
    end_solution: str = "END SOLUTION"  # ClearSolutions.end_solution_delimeter
    begin_hidden: str = "BEGIN HIDDEN TESTS"  # ClearHiddenTests.begin_test_delimeter
    end_hidden: str = "END HIDDEN TESTS"  # ClearHiddenTests.end_test_delimeter
    begin_mark: str = "BEGIN MARK SCHEME"  # ClearMarkScheme.begin_mark_scheme_delimeter
    end_mark: str = "END MARK SCHEME"  # ClearMarkScheme.end_mark_scheme_delimeter
    code_stub: str = "# YOUR CODE HERE\nraise NotImplementedError()"  # ClearSolutions.code_stub["python"]
    text_stub: str = "YOUR ANSWER HERE"  # ClearSolutions.text_stub

    # (our field, nbgrader class, trait) for each setting
    TRAITS = (
        ("begin_solution", "ClearSolutions", "begin_solution_delimeter"),
        ("end_solution", "ClearSolutions", "end_solution_delimeter"),
        ("begin_hidden", "ClearHiddenTests", "begin_test_delimeter"),
        ("end_hidden", "ClearHiddenTests", "end_test_delimeter"),
        ("begin_mark", "ClearMarkScheme", "begin_mark_scheme_delimeter"),
        ("end_mark", "ClearMarkScheme", "end_mark_scheme_delimeter"),
        ("text_stub", "ClearSolutions", "text_stub"),
    )

    @classmethod
    def from_config(cls, config=None) -> Delimiters:
        """nbgrader's settings: its defaults, or as ``config`` (a traitlets Config) sets them.

        Read from nbgrader's own preprocessors, configured as nbgrader would configure them.
        """
        from nbgrader import preprocessors
        from traitlets.config import Config

        made = {}
        values = {}
        for name, klass, trait in cls.TRAITS:
            if klass not in made:
                made[klass] = getattr(preprocessors, klass)(config=config or Config())
            values[name] = str(getattr(made[klass], trait))
        values["code_stub"] = str(made["ClearSolutions"].code_stub["python"])
        return cls(**values)

    def apply(self, config) -> None:
        """Write these settings into a traitlets Config, for nbgrader's preprocessors to use."""
        for name, klass, trait in self.TRAITS:
            config[klass][trait] = getattr(self, name)
        from nbgrader.preprocessors import ClearSolutions

        stubs = dict(config.ClearSolutions.get("code_stub") or ClearSolutions().code_stub)
        stubs["python"] = self.code_stub
        config.ClearSolutions.code_stub = stubs

    def pairs(self) -> list[tuple[str, str, str]]:
        """(kind, begin, end) of each region."""
        return [(SOLUTION, self.begin_solution, self.end_solution),
                (HIDDEN, self.begin_hidden, self.end_hidden),
                (MARK_SCHEME, self.begin_mark, self.end_mark)]

    def loose_pattern(self) -> re.Pattern:
        """Any delimiter, in any case, singular or plural, with any spacing: for leak checks.

        Examples
        --------
        >>> pattern = Delimiters().loose_pattern()
        >>> [bool(pattern.search(t)) for t in ("# begin  solutions", "### BEGIN HIDDEN TEST", "MARKSCHEME")]
        [True, True, False]
        """
        words = []
        for _, begin, end in self.pairs():
            for delimiter in (begin, end):
                parts = delimiter.split()
                if not parts:
                    continue
                last = parts[-1][:-1] if parts[-1].upper().endswith("S") else parts[-1]
                parts = [re.escape(w) for w in parts[:-1]] + [re.escape(last) + "S?"]
                words.append(parts[0] + (r"\s+" + r"\s*".join(parts[1:]) if parts[1:] else ""))
        return re.compile(r"\b(?:" + "|".join(sorted(set(words), key=len, reverse=True)) + r")\b",
                          re.IGNORECASE)

    def is_delimiter_line(self, line: str) -> bool:
        return any(d in line for _, begin, end in self.pairs() for d in (begin, end))


@lru_cache(maxsize=1)
def nbgrader_delimiters() -> Delimiters:
    """nbgrader's default delimiters, read from its traits once."""
    return Delimiters.from_config()


def text_of(source) -> str:
    """A cell's source as one string (notebooks store it as a string or a list of lines)."""
    return "".join(source) if isinstance(source, list) else str(source or "")


def norm(text: str) -> str:
    """Collapse whitespace and lower-case (for comparing lines across HTML and notebooks)."""
    return " ".join(text.split()).lower()


def nbgrader_meta(cell: dict) -> dict:
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    meta = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return meta if isinstance(meta, dict) else {}


def split_region(text: str, begin: str, end: str) -> tuple[list[str], list[str], tuple[int, int] | None]:
    """(lines outside the region, lines inside it, (first, last) 1-based line numbers of the region).

    nbgrader's rule: a line containing ``begin`` opens, one containing ``end`` closes; the
    delimiter lines belong to neither side.

    Examples
    --------
    >>> split_region("a\\n### BEGIN SOLUTION\\nb\\n### END SOLUTION\\nc", "BEGIN SOLUTION", "END SOLUTION")
    (['a', 'c'], ['b'], (2, 4))
    """
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
        raise RegionError(f"a '{begin}' region has no matching '{end}'")
    return outside, inside, span


@dataclass
class CellContent:
    """One source cell split into what the student gets and what is instructor-only."""

    index: int
    grade_id: str | None
    cell_type: str
    meta: dict
    text: str
    released: str  # the cell as nbgrader releases it (solution stubbed, hidden tests and rubric cut)
    secret: list[tuple[str, str]] = field(default_factory=list)  # (kind, line)

    def label(self) -> str:
        return self.grade_id or "an unnamed cell"


def stub_solution(text: str, cell_type: str, d: Delimiters, whole: bool = True) -> str:
    """A cell as nbgrader's ClearSolutions leaves it: each solution region replaced by the stub
    (indented like its delimiter); a solution cell without a region (``whole``) replaced entirely."""
    stub = d.code_stub if cell_type == "code" else d.text_stub
    if d.begin_solution not in text:
        return stub if whole else text
    out, inside = [], False
    for line in text.split("\n"):
        if d.begin_solution in line:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + part for part in stub.split("\n")]
            continue
        if d.end_solution in line:
            inside = False
            continue
        if not inside:
            out.append(line)
    return "\n".join(out)


def parse_cell(index: int, cell: dict, d: Delimiters | None = None) -> CellContent:
    """Split one source cell as nbgrader's ClearSolutions, ClearHiddenTests and ClearMarkScheme
    would (RegionError for a region that is never closed)."""
    d = d or nbgrader_delimiters()
    meta = nbgrader_meta(cell)
    text = text_of(cell.get("source"))
    cell_type = str(cell.get("cell_type") or "")
    secret: list[tuple[str, str]] = []
    released = text
    if d.begin_solution in text:
        secret += [(SOLUTION, line) for line in split_region(text, d.begin_solution, d.end_solution)[1]]
        released = stub_solution(text, cell_type, d)
    elif meta.get("solution"):  # replaced as a whole: the model answer and rubric of a written answer
        secret += [(SOLUTION, line) for line in text.split("\n")]
        released = stub_solution(text, cell_type, d)
    outside, hidden, _ = split_region(released, d.begin_hidden, d.end_hidden)
    outside, marking, _ = split_region("\n".join(outside), d.begin_mark, d.end_mark)
    released = "\n".join(outside)
    secret += [(HIDDEN, line) for line in hidden] + [(MARK_SCHEME, line) for line in marking]
    grade_id = meta.get("grade_id") if isinstance(meta.get("grade_id"), str) else None
    return CellContent(index, grade_id, cell_type, meta, text, released, secret)


def identifying(line: str, d: Delimiters | None = None) -> bool:
    """Whether a line is distinctive enough to identify instructor content wherever it appears.

    Examples
    --------
    >>> identifying("assert abs(gap - 0.375) < 1e-9"), identifying("pass"), identifying("x = 12")
    (True, False, False)
    """
    d = d or nbgrader_delimiters()
    squeezed = line.replace(" ", "").strip()
    stubs = {norm(s) for s in (d.code_stub + "\n" + d.text_stub).split("\n")}
    return (len(squeezed) >= MIN_SECRET_CHARS and re.search(r"[A-Za-z]{2}", line) is not None
            and norm(line) not in stubs and not d.is_delimiter_line(line))


@dataclass
class InstructorContent:
    """A source notebook parsed once: each cell, the student's text and the identifying secrets."""

    cells: list[CellContent]
    released_text: str  # everything a student is given, cell after cell
    secrets: dict[str, str]  # normalised identifying line -> "the hidden tests of 'ex1-tests'"

    @property
    def public_lines(self) -> set[str]:
        return {norm(line) for line in self.released_text.split("\n")}


def parse_notebook(nb: dict, d: Delimiters | None = None) -> InstructorContent:
    """Parse a source notebook (RegionError names the cell of an unclosed region)."""
    d = d or nbgrader_delimiters()
    cells = []
    for index, cell in enumerate(nb.get("cells", [])):
        try:
            cells.append(parse_cell(index, cell, d))
        except RegionError as exc:
            grade_id = nbgrader_meta(cell).get("grade_id") or f"number {index + 1}"
            raise RegionError(f"cell {grade_id!r}: {exc}") from None
    released = "\n".join(c.released for c in cells)
    public = {norm(line) for line in released.split("\n")}
    secrets: dict[str, str] = {}
    for content in cells:
        for kind, line in content.secret:
            key = norm(line)
            if key not in public and identifying(line, d):
                secrets.setdefault(key, f"the {kind} of '{content.label()}'")
    return InstructorContent(cells, released, secrets)
