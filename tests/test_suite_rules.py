"""The suite's own rules (CONTRIBUTING.md, "Tests on a busy machine"), checked on every test file,
so that a test added later cannot quietly make the suite depend on the machine's speed."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from conftest import CELL_LIMIT, PATIENCE, REPO, SUBMISSION_LIMIT, altair_restored

TESTS = Path(__file__).resolve().parent
LIMIT_KEYWORDS = {"timeout_per_cell", "timeout_per_submission"}
LIMIT_OPTIONS = {"--timeout-cell", "--timeout"}  # the course grade command's
# Words that mark a measured duration in a name, a key or an attribute.
DURATION_WORDS = ("elapsed", "seconds", "duration", "took", "wall")


def _test_files() -> list[Path]:
    """The test modules and their helpers (not the corpus and fixture builders in sub-folders)."""
    return sorted(p for p in TESTS.glob("*.py") if p.name != Path(__file__).name)


def _number(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str):
            return value.strip().replace(".", "", 1).isdigit()
        return isinstance(value, int | float) and not isinstance(value, bool)
    return False


def _inside_raises(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether ``node`` is in the body of ``with pytest.raises(...)`` (checking bad arguments)."""
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.With):
            for item in node.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and ast.unparse(call.func).endswith("raises"):
                    return True
    return False


def hard_coded_limits(source: str) -> list[int]:
    """Lines that give grading a limit as a number instead of conftest's CELL_LIMIT/SUBMISSION_LIMIT."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            numbers = [k.value for k in node.keywords if k.arg in LIMIT_KEYWORDS and _number(k.value)]
        elif isinstance(node, ast.List):
            numbers = [after for before, after in zip(node.elts, node.elts[1:], strict=False)
                       if isinstance(before, ast.Constant) and before.value in LIMIT_OPTIONS
                       and _number(after)]
        else:
            continue
        if numbers and not _inside_raises(node, parents):
            found.append(node.lineno)
    return found


def _names_a_duration(node: ast.AST) -> bool:
    text = ast.unparse(node).lower()
    return any(word in text for word in DURATION_WORDS)


def duration_bounds(source: str) -> list[int]:
    """Lines that assert a measured duration is below a fixed number (``assert elapsed < 15``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Assert):
            continue
        for compare in ast.walk(node.test):
            if not isinstance(compare, ast.Compare):
                continue
            terms = [compare.left, *compare.comparators]
            for op, left, right in zip(compare.ops, terms, terms[1:], strict=False):
                below = (isinstance(op, ast.Lt | ast.LtE) and _names_a_duration(left) and _number(right)
                         or isinstance(op, ast.Gt | ast.GtE) and _number(left) and _names_a_duration(right))
                if below:
                    found.append(node.lineno)
    return found


def test_the_rule_checks_find_what_they_look_for():
    bad = (
        "autograde(l, s, timeout_per_cell=3, timeout_per_submission=10)\n"
        "main(['grade', l, '--timeout-cell', '10', '--timeout', '60'])\n"
        "assert elapsed < 15\n"
        "assert corpus['seconds'] <= 240\n"
        "assert 30 > run.wall_s\n"
    )
    assert hard_coded_limits(bad) == [1, 2]
    assert duration_bounds(bad) == [3, 4, 5]
    good = (
        "autograde(l, s, timeout_per_cell=CELL_LIMIT, timeout_per_submission=SUBMISSION_LIMIT)\n"
        "main(['grade', l, '--timeout-cell', str(CELL_LIMIT)])\n"
        "with pytest.raises(GradingError):\n"
        "    autograde(l, s, timeout_per_cell=10, timeout_per_submission=10)\n"
        "assert run.run_s > 0 and 0 < cells_s < summary['seconds']\n"
    )
    assert hard_coded_limits(good) == [] and duration_bounds(good) == []


@pytest.mark.parametrize("path", _test_files(), ids=lambda p: str(p.relative_to(TESTS)))
def test_no_test_depends_on_the_machines_speed(path):
    source = path.read_text(encoding="utf-8")
    limits = hard_coded_limits(source)
    assert limits == [], (f"{path.name}, line(s) {limits}: give grading the limits from conftest "
                          "(CELL_LIMIT, SUBMISSION_LIMIT), not numbers of your own")
    bounds = duration_bounds(source)
    assert bounds == [], (f"{path.name}, line(s) {bounds}: a test may not assert that something was "
                          "quick; a loaded machine makes everything slow")


def test_limits_fit_together():
    # autograde refuses a cell limit that is not shorter than the submission's; a wait must
    # outlast anything the limits allow.
    assert CELL_LIMIT < SUBMISSION_LIMIT <= PATIENCE


def test_slow_tests_are_marked_but_still_run_by_default():
    options = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert any(m.startswith("slow:") for m in options["markers"])
    assert "--strict-markers" in options["addopts"]  # a misspelt marker is an error, not ignored
    assert "-m" not in options["addopts"].split(), "the default run must run every suite"


def test_altair_settings_are_put_back():
    import altair as alt

    from course import charts

    before = (alt.renderers.active, dict(alt.renderers.options), alt.theme.active,
              alt.JupyterChart._esm)
    with altair_restored():
        charts.setup()
        assert (alt.renderers.active, alt.theme.active) == (charts.RENDERER, "course")
    assert (alt.renderers.active, dict(alt.renderers.options), alt.theme.active,
            alt.JupyterChart._esm) == before
