"""The performance harness measures correctly: percentiles, /proc readings, the widget driver,
report writing, and a run over one small lesson. No timing is asserted here: benchmarks measure
(``python -m benchmarks``); these tests only check the measuring instruments."""

from __future__ import annotations

import doctest
import itertools
import json
import os
import random
import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from benchmarks import (
    SECTIONS,
    TARGETS,
    grading_bench,
    imports,
    kernel,
    lessons,
    machine,
    report,
    sizes,
    stats,
    widget_bench,
)
from benchmarks.__main__ import main as bench_main
from benchmarks.__main__ import parse_args

REPO = Path(__file__).resolve().parent.parent
FIXTURE_LESSONS = REPO / "tests" / "fixtures" / "lessons"
HAVE_PROC = Path("/proc/self/status").exists()


# ---------------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 7, 200, 201])
@pytest.mark.parametrize("q", [0, 5, 25, 50, 90, 95, 99, 100])
def test_percentile_matches_numpy_linear(n, q):
    rng = random.Random(n * 1000 + q)
    values = [rng.lognormvariate(1, 1) for _ in range(n)]
    assert stats.percentile(values, q) == pytest.approx(float(np.percentile(values, q)), rel=1e-12)


def test_percentile_does_not_depend_on_order_and_rejects_bad_input():
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert stats.percentile(values, 50) == 3.0
    assert stats.percentile(reversed(values), 95) == stats.percentile(sorted(values), 95)
    with pytest.raises(ValueError):
        stats.percentile([], 50)
    with pytest.raises(ValueError):
        stats.percentile([1.0], 101)


def test_summary_and_ratio():
    s = stats.summary([3, 1, 2, 10])
    assert s["n"] == 4 and s["min"] == 1.0 and s["max"] == 10.0
    assert s["p50"] == 2.5 and s["mean"] == 4.0
    assert s["p95"] == pytest.approx(float(np.percentile([3, 1, 2, 10], 95)))
    assert stats.ratio(3.0, 1.5) == 2.0
    assert stats.ratio(None, 1.0) is None and stats.ratio(1.0, 0.0) is None
    with pytest.raises(ValueError):
        stats.summary([])


@pytest.mark.parametrize("module", [stats, kernel, imports, report])
def test_harness_doctests_pass(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


# ---------------------------------------------------------------------------------------------
# Reading a process through /proc
# ---------------------------------------------------------------------------------------------


def test_parse_stat_cpu_seconds_handles_spaces_and_parentheses_in_the_name():
    line = "7 (python (x) y) R 1 7 7 0 -1 4194304 100 0 0 0 250 130 0 0 20 0 1 0"
    assert kernel.parse_stat_cpu_seconds(line, clk_tck=100) == pytest.approx(3.8)


@pytest.mark.skipif(not HAVE_PROC, reason="needs Linux /proc")
def test_proc_readings_of_this_process():
    status = kernel.read_status_kb(os.getpid())
    assert status["VmHWM"] >= status["VmRSS"] > 0  # the peak is never below the current size
    assert kernel.read_cpu_seconds(os.getpid()) > 0
    assert kernel.read_pss_kb(os.getpid()) > 0
    assert kernel.read_status_kb(2**22 + 12345) == {}  # a process that does not exist


@pytest.mark.slow
def test_run_code_in_a_fresh_kernel_reports_output_time_and_memory(tmp_path):
    text, run = kernel.run_code("x = 6 * 7\nprint(x)", tmp_path)
    assert text == "42\n"
    assert run.run_s > 0 and run.startup_s > 0
    assert len(run.cells) == 1 and run.cells[0]["index"] == 0
    if HAVE_PROC:
        assert run.peak_rss_kb >= run.rss_kb_end > 0
        assert run.cpu_s is not None and run.cpu_s >= 0


# ---------------------------------------------------------------------------------------------
# Imports
# ---------------------------------------------------------------------------------------------


def test_parse_importtime_and_costliest():
    text = "\n".join([
        "import time: self [us] | cumulative | imported package",
        "import time:       200 |        200 |     pandas._libs",
        "import time:      1500 |       1700 |   pandas",
        "import time:        40 |       2000 | course",
        "not an importtime line",
        "import time:       900 |        900 |   course.measures",
    ])
    rows = imports.parse_importtime(text)
    assert [r["module"] for r in rows] == ["pandas._libs", "pandas", "course", "course.measures"]
    assert rows[0]["depth"] == 2 and rows[2]["depth"] == 0
    top = imports.costliest(rows, {"pandas"}, top=1)
    assert top == [{"module": "course.measures", "self_us": 900, "cumulative_us": 900, "depth": 1}]


def test_time_import_measures_inside_a_fresh_interpreter():
    inner, wall, stderr = imports.time_import("import json", importtime=True)
    assert 0 <= inner < wall
    assert any(r["module"] == "json" for r in imports.parse_importtime(stderr)) or "json" in sys.modules
    with pytest.raises(RuntimeError):
        imports.time_import("import no_such_module_here")


# ---------------------------------------------------------------------------------------------
# Widgets: the driver that moves controls and times the observers
# ---------------------------------------------------------------------------------------------


class FakeWidget:
    """A widget in miniature: three movable controls, one display-only, one private."""

    def __init__(self):
        import ipywidgets as ipw

        self.year = ipw.IntSlider(value=2010, min=2004, max=2021, step=1)
        self.measure = ipw.Dropdown(options=[("Index", "index"), ("Gap", "gap")], value="index")
        self.show_table = ipw.ToggleButton(value=False)
        self.summary = ipw.HTML()
        self._internal = ipw.IntSlider()
        self.seen = []
        for control in (self.year, self.measure, self.show_table):
            control.observe(lambda change: self.seen.append(change["new"]), names="value")


def test_discover_controls_finds_the_movable_public_ones():
    w = FakeWidget()
    assert sorted(widget_bench.discover_controls(w)) == ["measure", "show_table", "year"]


def test_candidate_values_cover_each_kind_of_control():
    import ipywidgets as ipw

    assert widget_bench.candidate_values(ipw.IntSlider(min=0, max=10, step=5)) == [0, 5, 10]
    assert widget_bench.candidate_values(ipw.FloatSlider(min=0, max=1, step=0.25)) == [0, 0.25, 0.5, 0.75, 1.0]
    assert widget_bench.candidate_values(ipw.Dropdown(options=[("A", "a"), ("B", "b")])) == ["a", "b"]
    assert widget_bench.candidate_values(ipw.ToggleButtons(options=["x", "y"])) == ["x", "y"]
    assert widget_bench.candidate_values(ipw.Checkbox()) == [False, True]
    many = widget_bench.candidate_values(ipw.IntSlider(min=0, max=999), limit=10)
    assert len(many) == 10 and many[0] == 0 and len(set(many)) == 10


def test_time_interactions_changes_every_control_in_turn_and_times_each():
    w = FakeWidget()
    controls = widget_bench.discover_controls(w)
    ticks = itertools.count(0.0, 0.001)  # a fake clock: each reading 1 ms after the last
    samples = widget_bench.time_interactions(controls, ["year", "measure", "show_table"], 9,
                                             clock=lambda: next(ticks))
    assert [name for name, _ in samples] == ["year", "measure", "show_table"] * 3
    assert all(seconds == pytest.approx(0.001) for _, seconds in samples)
    assert len(w.seen) == 9  # every assignment really changed the value, so every observer ran
    summary = widget_bench.summarise_samples(samples)
    assert summary["interactions"] == 9
    assert summary["ms"]["p95"] == pytest.approx(1.0)
    assert set(summary["by_control"]) == {"year", "measure", "show_table"}


def test_time_interactions_refuses_controls_that_cannot_change():
    import ipywidgets as ipw

    stuck = {"only": ipw.Dropdown(options=["one"], value="one")}
    with pytest.raises(ValueError):
        widget_bench.time_interactions(stuck, ["only"], 3)


def test_bench_widget_falls_back_to_every_control_found():
    result = widget_bench.bench_widget("FakeWidget", FakeWidget, 200)
    assert result["interactions"] == 200
    assert result["script"].startswith("fallback")
    assert sorted(result["controls"]) == ["measure", "show_table", "year"]
    assert 0 <= result["ms"]["p50"] <= result["ms"]["p95"] <= result["ms"]["max"]


@pytest.mark.slow
def test_every_registry_script_names_a_real_widget_and_real_controls():
    import widgets

    for name, script in widget_bench.SCRIPTS.items():
        assert name in widgets.__all__, f"the script for {name} names no exported widget"
        instance = getattr(widgets, name)(**script.kwargs)
        for control in script.controls:
            assert widget_bench.movable(getattr(instance, control)), f"{name}.{control}"


# ---------------------------------------------------------------------------------------------
# Lessons: discovery and the floor
# ---------------------------------------------------------------------------------------------


def test_discover_lessons_skips_checkpoints_and_instructor_files(tmp_path):
    nb = nbformat.writes(nbformat.v4.new_notebook())
    for rel in ["01-a/01-a.ipynb", "02-b/02-b.ipynb", "02-b/extra.ipynb", "02-b/notes.instructor.ipynb",
                "_drafts/x.ipynb", ".ipynb_checkpoints/y.ipynb", "03-c/.ipynb_checkpoints/03-c.ipynb"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(nb)
    found = lessons.discover(tmp_path)
    assert [les.lesson_id for les in found] == ["01-a", "02-b", "02-b/extra"]
    assert found[2].folder.name == "02-b"


def test_a_run_that_times_out_is_repeated_once_and_marked():
    calls = []

    def flaky(lesson):
        calls.append(lesson)
        if len(calls) == 1:
            raise TimeoutError("a cell never finished")
        return {"run_s": 1.0}, "executed"

    result, nb = lessons.run_with_retry("x", run=flaky, log=lambda _: None)
    assert result == {"run_s": 1.0, "retried_after_timeout": True} and nb == "executed"
    assert len(calls) == 2

    def always_late(lesson):
        raise TimeoutError("again")

    result, nb = lessons.run_with_retry("x", run=always_late, log=lambda _: None)
    assert result["retried_after_timeout"] and result["error"].startswith("TimeoutError")
    assert nb is None

    def broken(lesson):
        raise ValueError("NameError in cell 3\nthe last line")

    result, _ = lessons.run_with_retry("x", run=broken, log=lambda _: None)
    assert result == {"error": "ValueError: the last line"}  # not retried: the lesson is broken


def test_floor_notebook_only_imports_the_three_libraries():
    nb = lessons.floor_notebook()
    nbformat.validate(nb)
    (cell,) = nb.cells
    assert sorted(re.findall(r"import (\w+)", cell.source)) == ["altair", "ipywidgets", "pandas"]


# ---------------------------------------------------------------------------------------------
# Grading helpers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("floor_imports", [False, True])
def test_trivial_notebook_has_one_autograded_cell(floor_imports):
    nb = grading_bench.trivial_notebook(floor_imports)
    nbformat.validate(nb)
    meta = [c.metadata.get("nbgrader", {}) for c in nb.cells]
    graded = [m for m in meta if m.get("grade") and not m.get("solution")]
    assert len(graded) == 1 and graded[0]["points"] == 1
    assert len(nb.cells) == (3 if floor_imports else 2)
    assert ("import altair" in nb.cells[0].source) is floor_imports


def test_make_class_copies_the_lesson_without_instructor_files(tmp_path):
    students = grading_bench.make_class(FIXTURE_LESSONS / "zz-fixture", tmp_path, 3)
    assert students == ["s001", "s002", "s003"]
    copied = sorted(p.name for p in (tmp_path / "s002" / "zz-fixture").iterdir())
    assert "zz-fixture.ipynb" in copied and "regions.csv" in copied
    assert not any(name.startswith("instructor_notes") for name in copied)


def test_a_solved_release_holds_the_source_code_without_markers():
    source = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION"),
        nbformat.v4.new_code_cell("assert answer == 42\n### BEGIN HIDDEN TESTS\nassert answer > 0\n### END HIDDEN TESTS"),
    ])
    source.cells[0].metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "a"}
    source.cells[1].metadata["nbgrader"] = {"solution": False, "grade": True, "grade_id": "t", "locked": True}
    released = nbformat.from_dict(source)
    released.cells[0].source = "# YOUR CODE HERE\nraise NotImplementedError()"
    released.cells[1].source = "assert answer == 42"
    solved = grading_bench.solved_release(released, source)
    assert solved.cells[0].source == "answer = 42"
    assert solved.cells[1].source == "assert answer == 42"  # test cells stay as released
    assert released.cells[0].source.startswith("# YOUR CODE HERE")  # the input is not changed


@pytest.mark.slow
def test_make_class_from_the_release_answers_every_exercise(tmp_path):
    lesson = FIXTURE_LESSONS / "zz-fixture"
    released = grading_bench.release_notebooks(lesson, tmp_path / "work")
    assert list(released) == ["zz-fixture.ipynb"]
    grading_bench.make_class(lesson, tmp_path / "submitted", 1, released=released)
    nb = nbformat.read(tmp_path / "submitted" / "s001" / "zz-fixture" / "zz-fixture.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "NotImplementedError" not in text and "BEGIN SOLUTION" not in text
    assert "BEGIN HIDDEN TESTS" not in text


def test_full_autograded_marks_ignore_points_awaiting_a_person():
    cells = [{"score": 2.0, "max_score": 2.0, "autograded": True},
             {"score": 0.0, "max_score": 4.0, "autograded": False}]
    assert grading_bench.autograded_full({"status": "ok", "score": 2.0, "max_score": 6.0, "cells": cells})
    cells[0]["score"] = 1.0
    assert not grading_bench.autograded_full({"status": "ok", "cells": cells})
    assert not grading_bench.autograded_full({"status": "timeout", "score": 1.0, "max_score": 1.0})
    assert grading_bench.autograded_full({"status": "ok", "score": 1.0, "max_score": 1.0})
    summary = grading_bench.summarise_class({
        "engine": "x", "workers": 1, "wall_s": 4.0,
        "students": {"a": {"seconds": 1.0, "status": "ok", "score": 1.0, "max_score": 1.0},
                     "b": {"seconds": 3.0, "status": "error", "score": 0.0, "max_score": None}},
    })
    assert summary["median_s_per_submission"] == 2.0
    assert summary["not_full_marks"] == ["b"] and summary["submissions"] == 2
    assert summary["median_overhead_s"] is None  # no cell timings recorded
    timed = grading_bench.summarise_class({
        "engine": "x", "workers": 1, "wall_s": 9.0,
        "students": {s: {"seconds": t, "cells_seconds": c, "status": "ok", "score": 1.0,
                         "max_score": 1.0}
                     for s, t, c in [("a", 3.0, 2.0), ("b", 4.0, 2.5), ("c", 2.0, 1.5)]},
    })
    assert timed["median_overhead_s"] == 1.0 and timed["median_cells_s"] == 2.0


def test_speedup_alternates_the_order_and_takes_medians():
    calls = []
    walls = iter([10.0, 6.0, 5.0, 12.0, 11.0, 4.0])

    def grade(workers):
        calls.append(workers)
        return {"wall_s": next(walls), "not_full_marks": ["s002"] if workers == 2 else []}

    out = grading_bench.speedup(Path("08-x"), 4, pairs=3, grade=grade, log=lambda _: None)
    assert calls == [1, 2, 2, 1, 1, 2]
    assert out["workers_1_runs"] == [10.0, 12.0, 11.0] and out["workers_2_runs"] == [6.0, 5.0, 4.0]
    assert out["speedup"] == pytest.approx(11.0 / 5.0)
    assert out["lesson"] == "08-x" and out["not_full_marks"] == ["s002"]


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["nbgrader", "auto"])
def test_grading_a_trivial_class_gives_full_marks_and_times(tmp_path, engine):
    folder = grading_bench.write_trivial_lesson(tmp_path)
    summary = grading_bench.grade_class(folder, 1, engine=engine)
    assert summary["submissions"] == 1 and summary["not_full_marks"] == []
    assert summary["median_s_per_submission"] > 0
    if summary["engine"] == "course.grading.autograde":  # the worker times the notebook's cells
        assert 0 < summary["median_cells_s"] < summary["median_s_per_submission"]
        assert summary["median_overhead_s"] > 0
    assert summary["engine"] == ("nbgrader API" if engine == "nbgrader" else
                                 "course.grading.autograde" if grading_bench.have_course_autograde()
                                 else "nbgrader API")


# ---------------------------------------------------------------------------------------------
# Sizes, machine, report and the command line
# ---------------------------------------------------------------------------------------------


def test_executed_bytes_separates_widget_state():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"x": "y" * 5000}}}
    without, with_state = sizes.executed_bytes(nb)
    assert with_state - without >= 5000
    assert "widgets" in nb.metadata  # the caller's notebook is left as it was


def test_machine_is_described_with_cores_memory_cpu_and_load():
    info = machine.finish(machine.describe())
    for key in ("cpu_model", "cores_logical", "memory_gib", "load_average_start",
                "load_average_end", "versions", "started", "finished"):
        assert key in info
    assert info["versions"]["pandas"] != "not installed"
    line = machine.one_line(info)
    assert info["cpu_model"] in line and "cores" in line and "load average" in line


def _synthetic_results() -> dict:
    info = machine.finish(machine.describe())
    floor = {"median_run_s": 1.0, "median_cpu_s": 1.0, "median_peak_rss_kb": 100 * 1024, "n": 5}
    ok = {"n": 5, "median_run_s": 1.5, "median_cpu_s": 1.4, "median_peak_rss_kb": 120 * 1024,
          "time_ratio": 1.5, "cpu_ratio": 1.4, "memory_ratio": 1.2,
          "slowest_cells": [{"index": 3, "s": 0.5, "first_line": "import pandas as pd"}],
          "memory_steps": [{"index": 3, "mib": 12.0, "first_line": "import pandas as pd"}]}
    slow = dict(ok, time_ratio=2.5, memory_ratio=1.5, median_run_s=2.5)
    section = {"load_start": [1.0, 1.0, 1.0], "load_end": [1.2, 1.1, 1.0], "seconds": 12.0}
    widget = {"build_s": 0.3, "interactions": 200, "script": "registry",
              "ms": {"p50": 2.0, "p95": 4.0, "max": 9.0},
              "by_control": {"year": {"p95": 4.0}, "level": {"p95": 3.0}}}
    return {
        "machine": info,
        "settings": {"repeat": 5, "interactions": 200, "class_size": 4, "grading_repeat": 5,
                     "quick": False, "sections": list(SECTIONS), "lessons": ["01-a", "02-b"]},
        "sections": {
            "lessons": dict(section, result={"floor": floor, "lessons": {"01-a": ok, "02-b": slow}}),
            "widgets": dict(section, result={"Fast": widget,
                                             "Slow": dict(widget, ms={"p50": 60.0, "p95": 90.0, "max": 99.0}),
                                             "Broken": {"error": "ValueError: no"}}),
            "imports": dict(section, result={"cases": {
                "deps": {"median_import_s": 1.0, "median_wall_s": 1.2, "ratio_to_deps": 1.0},
                "course_widgets": {"median_import_s": 0.01, "median_wall_s": 0.1, "ratio_to_deps": 0.01}},
                "extra_modules": {"count": 3, "self_s": 0.02,
                                  "costliest": [{"module": "course.x", "self_us": 900}]}}),
            "grading": dict(section, result={
                "engine": "course.grading.autograde",
                "trivial": {"median_s_per_submission": 3.0, "median_cells_s": 1.0,
                            "median_overhead_s": 2.0, "not_full_marks": []},
                "trivial_nbgrader_api": {"median_s_per_submission": 1.0, "not_full_marks": []},
                "trivial_floor": {"median_s_per_submission": 3.5, "not_full_marks": []},
                "lessons": {"01-a": {"median_s_per_submission": 4.0, "ratio": 4 / 3,
                                     "ratio_to_trivial_floor": 4 / 3.5,
                                     "ratio_to_nbgrader_api": 4.0, "median_cells_s": 1.0,
                                     "median_overhead_s": 3.0, "overhead_ratio": 1.5,
                                     "not_full_marks": []},
                            "02-b": {"median_s_per_submission": 6.0, "ratio": 2.0,
                                     "ratio_to_trivial_floor": 6 / 3.5,
                                     "ratio_to_nbgrader_api": 6.0, "not_full_marks": ["s002"]}},
                "speedup": {"lesson": "01-a", "class_size": 4, "workers_1_s": 16.0,
                            "workers_2_s": 9.0, "speedup": 16 / 9, "not_full_marks": []}}),
            "sizes": dict(section, result={"01-a": {"source": 2048, "release": 1024, "executed": 4096,
                                                    "executed_with_widget_state": 8192}}),
            "hub": dict(section, result={"users": 75, "lesson": "01-regional-gap", "runs": {
                "first": _hub_run(),
                "examples": _hub_run(ok=70, login_to_first_cell_p95_s=130.5, pss_per_student_mb=210.0,
                                     capacity={"reserve_mb": 1536, "lowest_available_mb": 1200,
                                               "tripped_after_s": 88.0, "turned_away": 5,
                                               "held": 70},
                                     failures=["l071 at capacity: not given a kernel"])}}),
        },
    }


def _hub_run(**changes) -> dict:
    run = {"users": 75, "ok": 75, "cells": "first", "cells_run_per_student": 3,
           "spawn_p95_s": 41.2, "first_cell_p95_s": 80.4, "login_to_first_cell_p95_s": 90.0,
           "login_to_last_cell_p95_s": 95.0,
           "pss_per_student_mb": 180.0, "pss_per_student_max_mb": 190.0,
           "peak_all_users_mb": 13500.0, "hub_and_proxy_mb": 600.0,
           "capacity": {"reserve_mb": 1536, "lowest_available_mb": 9000, "tripped_after_s": None,
                        "turned_away": 0, "held": 75},
           "failures": [], "load_average_at_start": [0.5, 0.4, 0.3], "wall_s": 120.0}
    return {**run, **changes}


def _tables(markdown: str) -> list[list[str]]:
    tables, current = [], []
    for line in markdown.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def test_report_renders_well_formed_tables_with_verdicts():
    md = report.render(_synthetic_results())
    tables = _tables(md)
    assert len(tables) == 6
    for table in tables:
        widths = {line.count("|") for line in table}
        assert len(widths) == 1, f"ragged table: {table}"
        assert set(table[1].replace("|", "").split()) <= {"---", "---:"}
    assert "| 01-a | 1.50 | 1.50× |" in md and "| floor | 1.00 | 1.00× |" in md
    assert "**misses: time, memory**" in md  # 02-b
    assert "| Slow |" in md and "**misses: p95**" in md and "| Broken | error |" in md
    assert "speed-up of 1.78×" in md and "took 16.0 s with 1 worker and 9.0 s with 2:" in md
    assert "| 01-a | 4.00 | 1.33× | 1.14× | 4.00× | 1.00 | 3.00 | 1.50× | yes | yes |" in md
    assert ("| 02-b | 6.00 | 2.00× | 1.71× | 6.00× | – | – | – | no (1) "
            "| **not measured: solutions lost marks** |") in md
    assert "| trivial (course.grading.autograde) | 3.00 | 1.00× | 0.86× | 3.00× | 1.00 | 2.00 | 1.00× |" in md
    assert md.count("load average") >= 7  # the machine line and beside every table
    assert "| first (3) | 75/75 | 41.2 | 80.4 | 90.0 | 95.0 | 180 / 190 | 13,500 | 600 | yes |" in md
    assert "| examples (3) | 70/75 |" in md and "**5 failed**; **misses: first cell, memory**" in md
    assert "the machine held 70 students and turned 5 away" in md
    assert f"≤ {TARGETS['lesson_time_ratio']}×" in md


def test_report_write_makes_markdown_and_json_without_local_paths(tmp_path):
    results = _synthetic_results()
    broken = tmp_path / "work" / "benchmarks" / "lessons.py"
    results["sections"]["grading"] = {"load_start": None, "load_end": None, "seconds": 1.0,
                                      "error": f"ImportError: cannot import name 'x' ({broken})"}
    md_path, json_path = report.write(results, tmp_path / "results")
    assert md_path.name == "latest.md" and json_path.name == "latest.json"
    assert json.loads(json_path.read_text())["settings"]["repeat"] == 5
    text = md_path.read_text()
    assert str(REPO) not in text and str(tmp_path) not in text
    assert "This section failed: ImportError: cannot import name 'x' (lessons.py)" in text


def test_command_line_defaults_and_refusals():
    args = parse_args([])
    assert args.repeat == 5 and args.interactions >= 200 and args.sections == list(SECTIONS)
    quick = parse_args(["--quick", "--only", "widgets,lessons"])
    assert quick.sections == ["lessons", "widgets"] and quick.repeat < 5
    assert parse_args(["--repeat", "7"]).repeat == 7
    assert args.hub_users == 75 and quick.hub_users < 75
    assert parse_args(["--only", "hub", "--hub-users", "20"]).hub_users == 20
    with pytest.raises(SystemExit):
        parse_args(["--hub-users", "0"])
    with pytest.raises(SystemExit):
        parse_args(["--only", "lesons"])
    with pytest.raises(SystemExit):
        parse_args(["--repeat", "0"])


@pytest.mark.slow
def test_a_run_over_one_small_lesson_writes_a_well_formed_table(tmp_path, capsys):
    out = tmp_path / "results"
    code = bench_main(["--only", "lessons,sizes", "--repeat", "1", "--lessons-dir",
                       str(FIXTURE_LESSONS), "--out", str(out)])
    assert code == 0
    md = (out / "latest.md").read_text()
    data = json.loads((out / "latest.json").read_text())
    lesson = data["sections"]["lessons"]["result"]["lessons"]["zz-fixture"]
    assert lesson["n"] == 1 and lesson["time_ratio"] > 0 and lesson["memory_ratio"] > 0
    floor = data["sections"]["lessons"]["result"]["floor"]
    assert floor["median_peak_rss_kb"] > 0
    rows = [t for t in _tables(md) if t[0].startswith("| notebook | Run-All")][0]
    assert rows[2].startswith("| floor |") and rows[3].startswith("| zz-fixture |")
    assert re.search(r"\| zz-fixture \| [\d.,]+ \| [\d.]+× \|", rows[3])
    size = data["sections"]["sizes"]["result"]["zz-fixture"]
    assert size["source"] > 0 and size["release"] > 0 and size["executed"] >= size["release"] * 0.5
    assert data["machine"]["load_average_end"] is not None
    assert str(tmp_path) not in md
    assert "Benchmark results" in capsys.readouterr().out


@pytest.mark.slow
def test_merge_replaces_only_the_sections_run_again(tmp_path):
    out = tmp_path / "results"
    old = _synthetic_results()
    report.write(old, out)
    code = bench_main(["--only", "imports", "--repeat", "1", "--merge", "--out", str(out)])
    assert code == 0
    data = json.loads((out / "latest.json").read_text())
    assert list(data["sections"]) == list(SECTIONS)  # kept in the usual order
    kept = data["sections"]["lessons"]
    assert kept["result"] == json.loads(json.dumps(old["sections"]["lessons"]["result"]))
    assert kept["settings"]["repeat"] == 5  # the settings it was measured with, not this run's
    assert data["sections"]["imports"]["result"]["cases"]["deps"]["median_import_s"] > 0
    assert data["merged_from"]["sections"] == ["grading", "hub", "lessons", "sizes", "widgets"]
    md = (out / "latest.md").read_text()
    assert "come from earlier runs" in md and "median of 5" in md
    assert f"- run of {old['machine']['started']}" in md
