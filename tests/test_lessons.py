"""Every lesson in lessons/: the source runs, the release is clean, and grading behaves.

The lessons are discovered at collection time, so a lesson added by anyone is tested without
editing this file. Set COURSE_LESSONS_DIR to test another lessons folder; when lessons/ holds no
lesson yet, the fixture lesson in tests/fixtures/lessons is used so the suite still checks itself.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import PATIENCE

from course.grading import (
    ReleaseError,
    Workspace,
    autograde,
    find_leaks,
    generate_feedback,
    lesson_ids,
    release,
)
from course.grading.grade._feedback import html_text, leaks_in, own_text
from course.grading.grade._lesson import lesson_plan
from course.grading.releasing._lessons import is_instructor_only, lesson_notebooks

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
FIXTURE_LESSONS = Path(__file__).resolve().parent / "fixtures" / "lessons"


def _lessons_dir() -> Path:
    chosen = os.environ.get("COURSE_LESSONS_DIR")
    if chosen:
        return Path(chosen).resolve()
    repo_lessons = REPO / "lessons"
    if repo_lessons.is_dir() and lesson_ids(repo_lessons):
        return repo_lessons
    return FIXTURE_LESSONS


LESSONS_DIR = _lessons_dir()
LESSON_IDS = lesson_ids(LESSONS_DIR)
CELL_TIMEOUT = 180
SUBMISSION_TIMEOUT = 900


def test_lessons_were_found():
    assert LESSON_IDS, f"no lessons in {LESSONS_DIR}"


@pytest.fixture(scope="module")
def releases(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """Release every lesson once: (release folder, {lesson: reason it was refused})."""
    dest = tmp_path_factory.mktemp("release")
    try:
        release(LESSONS_DIR, dest)
        refused = {}
    except ReleaseError as exc:
        refused = getattr(exc, "refused", None) or {i: str(exc) for i in LESSON_IDS}
    return dest, refused


@pytest.fixture(scope="module")
def grading(releases, tmp_path_factory):
    """Autograde each lesson's source and untouched release once, lazily, in one parallel run."""
    cache: dict[str, dict] = {}

    def get(lesson_id: str) -> dict:
        if lesson_id not in cache:
            dest, refused = releases
            if lesson_id in refused:
                pytest.fail(refused[lesson_id])
            workspace = Workspace(tmp_path_factory.mktemp(f"workspace-{lesson_id}")).ensure()
            root = workspace.submitted
            instructor = root / "instructor" / lesson_id
            instructor.mkdir(parents=True)
            for nb in lesson_notebooks(LESSONS_DIR / lesson_id):
                shutil.copy(nb, instructor / nb.name)
            shutil.copytree(dest / lesson_id, root / "untouched" / lesson_id)
            out = workspace.grades
            frame = autograde(
                lesson_id, root, lessons_dir=LESSONS_DIR, out_dir=out, workers=2,
                timeout_per_cell=CELL_TIMEOUT, timeout_per_submission=SUBMISSION_TIMEOUT,
            )
            records = {
                s: json.loads((out / lesson_id / f"{s}.json").read_text()) for s in frame["student"]
            }
            records["_workspace"] = workspace
            cache[lesson_id] = records
        return cache[lesson_id]

    return get


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_source_runs_top_to_bottom(lesson_id):
    import nbclient
    import nbformat

    notebooks = lesson_notebooks(LESSONS_DIR / lesson_id)
    assert notebooks, f"{lesson_id} has no notebook"
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(
            nb, timeout=CELL_TIMEOUT, startup_timeout=PATIENCE, kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        try:
            client.execute()
        except nbclient.exceptions.CellExecutionError as exc:
            pytest.fail(f"{path.name} failed to run:\n{str(exc)[-3000:]}")


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_release_has_no_leaks_or_instructor_files(lesson_id, releases):
    dest, refused = releases
    assert lesson_id not in refused, refused.get(lesson_id)
    folder = dest / lesson_id
    sources = lesson_notebooks(LESSONS_DIR / lesson_id)
    for source in sources:
        assert find_leaks(folder / source.name, source) == []
    for path in folder.rglob("*"):
        assert not any(is_instructor_only(part) for part in path.relative_to(folder).parts), path
    assert not list(folder.rglob("instructor_notes*"))


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_source_autogrades_to_full_marks(lesson_id, grading):
    record = grading(lesson_id)["instructor"]
    assert record["status"] == "ok", record["message"]
    autograded = [c for c in record["cells"] if c["autograded"]]
    failed = [c["cell"] for c in autograded if c["score"] != c["max_score"]]
    assert not failed, f"the instructor's solutions lose marks in {failed}"


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_untouched_release_autogrades_to_zero(lesson_id, grading):
    record = grading(lesson_id)["untouched"]
    assert record["status"] == "ok", record["message"]
    assert record["score"] == 0, [c for c in record["cells"] if c["score"]]


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_feedback_shows_no_hidden_test_expected_value_rubric_or_solution(lesson_id, grading):
    records = grading(lesson_id)
    workspace = records["_workspace"]
    report = generate_feedback(workspace, LESSONS_DIR, lesson_id)
    assert report.refused == [], report.summary()
    plan = lesson_plan(LESSONS_DIR / lesson_id)
    for student in ("instructor", "untouched"):
        pages = sorted((workspace.feedback / student / lesson_id).glob("*.html"))
        assert pages, f"no feedback for {student}"
        for page in pages:
            text = html_text(page.read_text(encoding="utf-8"))
            nb_path = workspace.grades / lesson_id / "notebooks" / student / f"{page.stem}.ipynb"
            mine = own_text(json.loads(nb_path.read_text(encoding="utf-8")), plan)
            assert leaks_in(text, plan, mine) == [], (student, page.name)
            for marker in ("BEGIN HIDDEN TESTS", "# expected:", "EXPECTED_"):
                assert marker not in text, (student, page.name, marker)
            if student == "untouched":
                for marker in ("Rubric (instructor only)", "Model answer", "BEGIN SOLUTION"):
                    assert marker not in text, (page.name, marker)
