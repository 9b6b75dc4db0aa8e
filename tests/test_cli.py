"""The ``course`` command: help, lessons, release, friendly errors and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
from conftest import PATIENCE

from course.cli import main

FIXTURE_LESSONS = Path(__file__).resolve().parent / "fixtures" / "lessons"
LESSON = "zz-fixture"


def _console_script() -> str | None:
    beside = Path(sys.executable).parent / "course"
    return str(beside) if beside.exists() else shutil.which("course")


def test_help_through_the_console_script():
    script = _console_script()
    cmd = [script, "--help"] if script else [sys.executable, "-m", "course.cli", "--help"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=PATIENCE)
    assert done.returncode == 0
    for sub in ("release", "student-view", "lab", "grade", "data", "lessons", "collect", "feedback",
                "export", "status", "written", "review", "purge", "publish", "links"):
        assert sub in done.stdout


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: course" in capsys.readouterr().err


def test_lessons_lists_ids_and_titles(capsys):
    assert main(["lessons", "--lessons", str(FIXTURE_LESSONS)]) == 0
    out = capsys.readouterr().out
    assert out.split() [:1] == [LESSON]
    assert "Fixture lesson: a regional gap" in out


def test_release_to_a_folder(tmp_path, capsys):
    assert main(["release", "--lessons", str(FIXTURE_LESSONS), "--dest", str(tmp_path)]) == 0
    assert f"Released {tmp_path / LESSON}" in capsys.readouterr().out
    assert (tmp_path / LESSON / f"{LESSON}.ipynb").exists()
    assert (tmp_path / LESSON / "regions.csv").exists()
    assert not (tmp_path / LESSON / "instructor_notes.md").exists()


def test_bad_lesson_id_is_a_friendly_error(tmp_path, capsys):
    code = main(["release", "zz-fixtrue", "--lessons", str(FIXTURE_LESSONS), "--dest", str(tmp_path)])
    assert code == 1
    err = capsys.readouterr().err
    assert "There is no lesson called 'zz-fixtrue'" in err
    assert "Valid options (closest first): 'zz-fixture'." in err
    assert "Traceback" not in err
    assert not any(tmp_path.iterdir())


def test_user_errors_exit_non_zero_without_traceback(tmp_path, capsys):
    assert main(["lessons", "--lessons", str(tmp_path / "nowhere")]) == 1
    assert main(["lab", str(tmp_path)]) == 1
    assert main(["grade", LESSON, "--lessons", str(FIXTURE_LESSONS), "--submitted",
                 str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and "not a student view" in err
    assert "Traceback" not in err
    with pytest.raises(SystemExit) as info:
        main(["grade", LESSON, "--submitted", str(tmp_path), "--workers", "0"])
    assert info.value.code == 2


def test_grade_prints_a_table(tmp_path, capsys):
    (tmp_path / "sub" / "ann" / LESSON).mkdir(parents=True)  # no notebook: invalid, no kernel
    code = main(["grade", LESSON, "--lessons", str(FIXTURE_LESSONS), "--submitted",
                 str(tmp_path / "sub"), "--out", str(tmp_path / "out")])
    assert code == 0
    captured = capsys.readouterr()
    assert "ann" in captured.out and "invalid" in captured.out
    assert "1/1 ann: invalid" in captured.err
    assert (tmp_path / "out" / LESSON / "scores.csv").exists()


@pytest.fixture
def fake_data(monkeypatch, tmp_path):
    """Stand in for course.data so these tests check the CLI, not the datasets."""
    module = types.ModuleType("course.data")
    state = {"ok": True, "readme": "# Datasets\n"}
    module.validate_report = lambda strict=True: (state["ok"], "report text")

    def write_readme(path=None):
        target = Path(path) if path is not None else tmp_path / "README.md"
        target.write_text(state["readme"], encoding="utf-8")
        return state["readme"]

    module.write_readme = write_readme
    module.datasets_dir = lambda: tmp_path
    monkeypatch.setitem(sys.modules, "course.data", module)
    import course

    monkeypatch.setattr(course, "data", module, raising=False)
    return state


def test_data_validate_exit_codes(fake_data, capsys):
    assert main(["data", "validate"]) == 0
    assert "report text" in capsys.readouterr().out
    fake_data["ok"] = False
    assert main(["data", "validate"]) == 1


def test_data_readme_check(fake_data, tmp_path, capsys):
    assert main(["data", "readme", "--check"]) == 1  # missing
    assert "course data readme" in capsys.readouterr().err
    assert main(["data", "readme"]) == 0
    assert (tmp_path / "README.md").read_text() == "# Datasets\n"
    assert main(["data", "readme", "--check"]) == 0
    fake_data["readme"] = "# Datasets, refreshed\n"
    assert main(["data", "readme", "--check"]) == 1


def test_student_view_command(tmp_path, capsys):
    dest = tmp_path / "student"
    assert main(["student-view", str(dest), "--lessons", str(FIXTURE_LESSONS)]) == 0
    assert "course lab" in capsys.readouterr().out
    config = json.loads((dest / ".jupyter-student" / "labconfig" / "page_config.json").read_text())
    assert config["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is True
    assert config["disabledExtensions"]["@jupyterlab/apputils-extension:announcements"] is True


def test_term_commands_fail_kindly(tmp_path, capsys):
    ws = ["--workspace", str(tmp_path / "ws"), "--lessons", str(FIXTURE_LESSONS)]
    assert main(["collect", LESSON, *ws]) == 1
    assert main(["collect", LESSON, "--exchange", str(tmp_path), *ws]) == 1
    assert main(["collect", LESSON, "--from", str(tmp_path), *ws]) == 1  # no roster yet
    assert main(["export", "--late-penalty", "lots", *ws]) == 1
    assert main(["export", *ws]) == 1  # nothing graded
    assert main(["review", LESSON, "nobody", "--accept", *ws]) == 1
    assert main(["feedback", LESSON, *ws]) == 1
    assert main(["written", "zz-fixtrue", *ws]) == 1
    assert main(["purge", "--before", "next Tuesday", "--workspace", str(tmp_path / "ws")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for phrase in ("--from DIR_OR_ZIP", "--exchange needs --course-id", "roster",
                   "Write it as 10%/day", "Nothing has been graded", "No graded submission",
                   "has not been graded yet", "'zz-fixture'", "Cannot read the date and time"):
        assert phrase in err, phrase
    assert main(["status", *ws]) == 0
    assert "Nothing collected or graded" in capsys.readouterr().out


def test_the_cli_uses_only_the_public_grading_api():
    """course/cli.py is a thin shell: it imports course.grading's public names, no private module."""
    import ast

    import course.grading
    from course import cli

    tree = ast.parse(Path(cli.__file__).read_text(encoding="utf-8"))
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("course.grading"):
            assert node.module == "course.grading", f"line {node.lineno} imports {node.module}"
            used += [alias.name for alias in node.names]
    assert used and set(used) <= set(course.grading.__all__), set(used) - set(course.grading.__all__)
