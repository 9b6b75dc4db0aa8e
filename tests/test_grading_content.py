"""The one instructor-content parser (course.grading.releasing._content) agrees with nbgrader, on
nbgrader's delimiters whatever they are configured to be; what this package changes in nbgrader
(one patch, one subclass) is pinned to the version it was checked on; the private course's config."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from traitlets.config import Config

from course.grading import find_leaks
from course.grading.grade._lesson import lesson_plan
from course.grading.releasing._content import (
    Delimiters,
    RegionError,
    nbgrader_delimiters,
    parse_notebook,
)
from course.grading.releasing._lessons import lesson_notebooks
from course.grading.releasing._nbgrader import NBGRADER_PATCHED_FOR, prepare_nbgrader

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SOURCES = sorted(p for d in [HERE / "fixtures" / "lessons", REPO / "lessons"] if d.is_dir()
                 for lesson in sorted(d.iterdir()) if lesson.is_dir() for p in lesson_notebooks(lesson))


def _nbgrader_release(nb: dict, config: Config) -> list[str]:
    """Each cell's source after nbgrader's own ClearSolutions, ClearHiddenTests and ClearMarkScheme."""
    import nbformat
    from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, ClearSolutions

    node = nbformat.reads(json.dumps(nb), as_version=4)  # sources as strings, as nbgrader reads them
    resources: dict = {}
    for klass in (ClearSolutions, ClearHiddenTests, ClearMarkScheme):
        node, resources = klass(config=config).preprocess(node, resources)
    return [cell.source for cell in node.cells]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.parent.name)
def test_the_parser_releases_exactly_what_nbgrader_releases(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    ours = [c.released for c in parse_notebook(nb).cells]
    assert ours == _nbgrader_release(nb, Config())


def test_configured_delimiters_are_used_by_nbgrader_and_by_us_alike():
    config = Config()
    config.ClearSolutions.begin_solution_delimeter = "BEGIN ANSWER"
    config.ClearSolutions.end_solution_delimeter = "END ANSWER"
    config.ClearHiddenTests.begin_test_delimeter = "BEGIN SECRET"
    config.ClearHiddenTests.end_test_delimeter = "END SECRET"
    d = Delimiters.from_config(config)
    assert (d.begin_solution, d.end_hidden, d.begin_mark) == ("BEGIN ANSWER", "END SECRET", "BEGIN MARK SCHEME")
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb = {"metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5, "cells": [
        {"id": "a", "cell_type": "code", "metadata": {"nbgrader": {"solution": True, "grade_id": "a"}}, "outputs": [],
         "execution_count": None,
         "source": "def f():\n    ### BEGIN ANSWER\n    return 41 + 1\n    ### END ANSWER"},
        {"id": "t", "cell_type": "code", "metadata": {"nbgrader": {"grade": True, "grade_id": "t", "points": 1}},
         "outputs": [], "execution_count": None,
         "source": "assert f() == 42\n### BEGIN SECRET\nassert f() + 1 == 43, 'hidden'\n### END SECRET"},
    ]}
    parsed = parse_notebook(nb, d)
    assert [c.released for c in parsed.cells] == _nbgrader_release(nb, config)
    assert "return 41 + 1" in parsed.secrets and "assert f() + 1 == 43, 'hidden'" in parsed.secrets
    # The private nbgrader courses carry the same settings.
    written = Config()
    d.apply(written)
    assert Delimiters.from_config(written) == d
    # nbgrader's default delimiters do not know these regions: the hidden test would stay in.
    assert nbgrader_delimiters().begin_solution == "BEGIN SOLUTION"
    assert "assert f() + 1 == 43, 'hidden'" not in parse_notebook(nb).secrets


def test_grading_feedback_and_the_leak_check_share_the_same_secrets(tmp_path):
    source = HERE / "fixtures" / "lessons" / "zz-fixture" / "zz-fixture.ipynb"
    nb = json.loads(source.read_text(encoding="utf-8"))
    parsed = parse_notebook(nb)
    assert set(parsed.secrets) == lesson_plan(source.parent).secret_lines
    # A release that kept one hidden-test line is caught by find_leaks, named by its region.
    leaked = json.loads(json.dumps(nb))
    released = [c.released for c in parsed.cells]
    for cell, text in zip(leaked["cells"], released, strict=True):
        cell["source"] = text
        cell["outputs"] = [] if cell["cell_type"] == "code" else cell.get("outputs")
        if cell.get("outputs") is None:
            cell.pop("outputs", None)
    hidden_line, where = next((k, v) for k, v in parsed.secrets.items() if v.startswith("the hidden"))
    test_cell = next(c for c in leaked["cells"] if c["metadata"].get("nbgrader", {}).get("grade"))
    test_cell["source"] += "\n" + hidden_line
    path = tmp_path / "zz-fixture.ipynb"
    path.write_text(json.dumps(leaked), encoding="utf-8")
    reasons = find_leaks(path, source, check_folder=False)
    assert any(where in r for r in reasons), reasons


def test_an_unclosed_region_is_named():
    nb = {"cells": [{"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "ex9", "grade": True}},
                     "source": "### BEGIN HIDDEN TESTS\nassert x"}]}
    with pytest.raises(RegionError, match="ex9.*no matching 'END HIDDEN TESTS'"):
        parse_notebook(nb)


def test_the_one_nbgrader_patch_is_pinned_to_the_version_it_was_checked_on():
    import nbgrader
    import nbgrader.api

    assert nbgrader.__version__.startswith(NBGRADER_PATCHED_FOR), (
        f"nbgrader {nbgrader.__version__}: check course.grading.releasing._nbgrader.prepare_nbgrader "
        "and course.grading.grade._worker._limited_execute against it, then update NBGRADER_PATCHED_FOR")
    prepare_nbgrader()
    patched = nbgrader.api.get_alembic_version
    assert patched._course_patched
    # Same answer as nbgrader's own function, which runs the alembic command.
    path = os.environ.get("PATH", "")
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + path
    try:
        assert patched() == patched.original()
    finally:
        os.environ["PATH"] = path


def test_the_execute_subclass_stands_where_nbgrader_puts_execute_and_overrides_real_hooks():
    """grade/_worker.py's LimitedExecute replaces nbgrader's Execute in nbgrader's own list of
    autograde preprocessors, and overrides methods that exist with the signature it assumes."""
    import inspect

    from nbclient import NotebookClient
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    from course.grading.grade._worker import _autograde_preprocessors

    ours = _autograde_preprocessors()
    nbgraders = Autograde.class_traits()["autograde_preprocessors"].default()
    limited = ours[nbgraders.index(Execute)]
    assert issubclass(limited, Execute) and limited is not Execute
    assert [Execute if k is limited else k for k in ours] == nbgraders
    hook = inspect.signature(NotebookClient.output).parameters
    assert list(hook) == ["self", "outs", "msg", "display_id", "cell_index"]
    assert "output" in vars(limited) and "preprocess_cell" in vars(limited)
    assert list(inspect.signature(Execute.preprocess_cell).parameters) == ["self", "cell", "resources",
                                                                          "index"]


@pytest.mark.parametrize("per_cell", [5, 60, 240])
def test_a_kernel_may_take_at_least_a_cell_s_time_to_start(tmp_path, per_cell):
    """nbclient waits 60 s for a kernel by default; a loaded machine can take longer, so the
    private course gives the kernel at least the time of one cell (never less than the default)."""
    from nbgrader.preprocessors import Execute

    from course.grading.releasing._nbgrader import STARTUP_TIMEOUT, nbgrader_config

    execute = Execute(config=nbgrader_config(tmp_path, timeout_per_cell=per_cell))
    assert execute.timeout == per_cell
    assert execute.startup_timeout == max(per_cell, STARTUP_TIMEOUT)
    assert execute.startup_timeout >= Execute().startup_timeout
