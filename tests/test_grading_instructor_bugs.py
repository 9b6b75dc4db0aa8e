"""Regression tests for what an instructor running a term ran into (issue 17, section 3), and for
the one library call that keeps the records and the gradebook in step.

One class is graded once (module fixture); each test works on its own copy of that workspace, so
the tests do not depend on each other's order.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import CELL_LIMIT, PATIENCE, SUBMISSION_LIMIT
from test_grading_workflow import GAP, LESSON, LESSONS, ROSTER, _answer

from course.cli import main
from course.grading import (
    Workspace,
    autograde,
    export_grades,
    export_written,
    grade_lesson,
    import_marks,
    release,
)
from course.grading.grade._collect import format_timestamp

pytestmark = pytest.mark.slow

# Generous limits: honest work must never run out of time on a loaded machine.
LIMITS = {"timeout_per_cell": CELL_LIMIT, "timeout_per_submission": SUBMISSION_LIMIT, "workers": 1,
          "quiet": True}
RIGHT = "largest = max(data, key=data.get)\n"
WRONG = 'largest = "Wales"\n'
WRITTEN = "A ratio hides the size of each economy."


def _submit(workspace: Workspace, student: str, data: bytes, when: datetime) -> None:
    folder = workspace.submitted / student / LESSON
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{LESSON}.ipynb").write_bytes(data)
    (folder / "timestamp.txt").write_text(format_timestamp(when))


@pytest.fixture(scope="module")
def student_nb(tmp_path_factory) -> dict:
    dest = tmp_path_factory.mktemp("release")
    release(LESSONS, dest)
    return json.loads((dest / LESSON / f"{LESSON}.ipynb").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory, student_nb) -> tuple[Path, object]:
    """A workspace where ab1 (all right, written answer given) and at2 (ex2 wrong) are graded."""
    root = tmp_path_factory.mktemp("class") / "coursework"
    workspace = Workspace(root).ensure()
    workspace.roster.write_text(ROSTER)
    when = datetime(2025, 11, 28, 12, tzinfo=UTC)
    _submit(workspace, "ab1", _answer(student_nb, ex1_solution=GAP, ex2_solution=RIGHT,
                                      ex3_written=WRITTEN), when)
    _submit(workspace, "at2", _answer(student_nb, ex1_solution=GAP, ex2_solution=WRONG), when)
    report = grade_lesson(workspace, LESSONS, LESSON, **LIMITS)
    return root, report


@pytest.fixture
def workspace(graded_class, tmp_path) -> Workspace:
    """This test's own copy of the graded workspace."""
    root, _ = graded_class
    copy = tmp_path / "coursework"
    shutil.copytree(root, copy)
    return Workspace(copy)


def _common(workspace: Workspace) -> list[str]:
    return ["--workspace", str(workspace.root), "--lessons", str(LESSONS)]


def _status(workspace: Workspace, capsys) -> dict[str, dict]:
    capsys.readouterr()
    assert main(["status", "--csv", *_common(workspace)]) == 0
    return {r["student_id"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}


def _mark_written(workspace: Workspace, tmp_path: Path, mark: str) -> None:
    export_written(workspace, LESSONS, LESSON)
    sheet = workspace.written / LESSON / "ex3-written.csv"
    rows = list(csv.DictReader(io.StringIO(sheet.read_text())))
    for row in rows:
        row["mark"] = mark if row["student"] == "ab1" else "0"
    filled = tmp_path / "marks.csv"
    with open(filled, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert import_marks(workspace, LESSONS, LESSON, filled).written == len(rows)


def test_grade_lesson_keeps_records_and_gradebook_in_step(graded_class):
    from nbgrader.api import Gradebook

    root, report = graded_class
    assert report.synced == 2 and list(report.frame["student"]) == ["ab1", "at2"]
    messages = dict(zip(report.frame["student"], report.frame["message"], strict=True))
    assert "2 point(s) await manual grading" in messages["ab1"]  # answered, not marked yet
    assert "await manual grading" not in messages["at2"]  # nothing written: nothing to mark
    with Gradebook(Workspace(root).db_url) as gb:
        assert gb.find_submission(LESSON, "ab1").score == 3.0
        assert gb.find_submission(LESSON, "at2").score == 2.0


def test_formgrader_shows_roster_names_not_none(workspace):
    from nbgrader.api import Gradebook

    with Gradebook(workspace.db_url) as gb:
        ada = gb.find_student("ab1")
        assert (ada.first_name, ada.last_name, ada.email) == ("Ada", "Byron", "ada@example.ac.uk")
        assert gb.find_student("at2").last_name == "Turing"


def test_imported_written_marks_reach_status_and_a_regrade(workspace, tmp_path, capsys):
    before = _status(workspace, capsys)
    assert before["ab1"]["score"] == "3/5" and "not marked yet" in before["ab1"]["why"]
    _mark_written(workspace, tmp_path, "2")
    after = _status(workspace, capsys)
    assert after["ab1"]["score"] == "5/5" and "not marked" not in after["ab1"]["why"]
    export_grades(workspace, LESSONS)
    wide = {r["student_id"]: r for r in csv.DictReader(io.StringIO((workspace.exports / "grades.csv").read_text()))}
    assert wide["ab1"][LESSON] == "5.0"  # status and export agree

    # A forced regrade of one student: the marks stay, nothing claims they await marking, and
    # only that student is written to the gradebook.
    assert main(["grade", LESSON, "--force", "--student", "ab1", "--timeout-cell", str(CELL_LIMIT),
                 "--timeout", str(SUBMISSION_LIMIT), *_common(workspace)]) == 0
    captured = capsys.readouterr()
    assert "await manual grading" not in captured.out + captured.err
    assert "Gradebook updated for 1 student(s)" in captured.err
    assert _status(workspace, capsys)["ab1"]["score"] == "5/5"


def test_autograde_then_export_never_exports_a_stale_gradebook(workspace, student_nb):
    """A library user who calls autograde() straight into the workspace, then export_grades()."""
    from nbgrader.api import Gradebook

    when = datetime(2025, 11, 28, 13, tzinfo=UTC)
    _submit(workspace, "at2", _answer(student_nb, ex1_solution=GAP, ex2_solution=RIGHT), when)
    autograde(LESSON, workspace.submitted, lessons_dir=LESSONS, out_dir=workspace.grades,
              students=["at2"], **LIMITS)
    with Gradebook(workspace.db_url) as gb:
        assert gb.find_submission(LESSON, "at2").score == 2.0  # not written there yet
    _, long_path, rows = export_grades(workspace, LESSONS)
    assert {r["student_id"]: r["final_score"] for r in rows}["at2"] == 3.0
    with Gradebook(workspace.db_url) as gb:
        assert gb.find_submission(LESSON, "at2").score == 3.0  # brought up to date first


def test_purge_says_what_it_selects_with_the_date_given(tmp_path, capsys):
    workspace = Workspace(tmp_path / "coursework").ensure()
    # 23:30 UTC on 31 August is 00:30 on 1 September in UK summer time: not before the date.
    _submit(workspace, "ab1", b"{}", datetime(2026, 8, 31, 23, 30, tzinfo=UTC))
    _submit(workspace, "at2", b"{}", datetime(2026, 8, 31, 22, 30, tzinfo=UTC))
    assert main(["purge", "--before", "2026-09-01", "--workspace", str(workspace.root)]) == 0
    out = capsys.readouterr().out
    assert "Would delete 1 submission(s) submitted before 2026-09-01 00:00 UK time" in out
    assert "timestamp.txt" in out and "2026-08-31" not in out
    assert "at2 / " + LESSON in out and "ab1" not in out


def test_status_csv_into_a_reader_that_stops_early(tmp_path):
    """`course status --csv | head -1`: no BrokenPipe traceback."""
    workspace = Workspace(tmp_path / "coursework").ensure()
    for number in range(1500):  # well over a pipe's buffer of CSV
        (workspace.submitted / f"s{number:04d}" / LESSON).mkdir(parents=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "course.cli", "status", "--csv", *_common(workspace)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    first = proc.stdout.readline()
    proc.stdout.close()  # what head does after its lines
    err = proc.stderr.read().decode()
    proc.wait(timeout=PATIENCE)
    assert first.startswith(b"lesson,student_id")
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert proc.returncode == 141
