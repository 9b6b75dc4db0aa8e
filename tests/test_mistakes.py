"""The mistakes corpus: typical wrong answers lose marks with a message that teaches; correct
alternatives score full marks (see tests/mistakes/README.md).

Most cases go through the grader's checker on recorded answers, many per process: each lesson's
source runs once, in this process, and each corpus answer then replaces the exercise's solution
cell in a copy of the namespace the solution cell would have run in. A few go through a full
``course grade`` of a submitted notebook, to prove the two paths agree.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import linecache
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from conftest import REPO

from course.grading.grade._lesson import lesson_plan
from course.grading.releasing._content import nbgrader_delimiters, text_of

BEGIN_SOLUTION = nbgrader_delimiters().begin_solution
# The real lessons are heavier than the fixture: as tests/test_lessons.py, generous limits.
LESSON_CELL_LIMIT = 180
LESSON_SUBMISSION_LIMIT = 900

LESSONS_DIR = REPO / "lessons"
CORPUS_DIR = REPO / "tests" / "mistakes"
# A message that says only that something failed, or names only a label, teaches nothing.
GENERIC = re.compile(r"^(A hidden test failed(\.| \(\w+\)\.|: .{0,24})|Not graded: .*)$")


def _corpus() -> dict[str, dict]:
    found = {}
    for path in sorted(CORPUS_DIR.glob("lesson*.py")):
        spec = importlib.util.spec_from_file_location(f"mistakes_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found[module.LESSON] = module.CASES
    return found


CORPUS = _corpus()
CASES = [
    pytest.param(lesson, test_id, kind, index, id=f"{lesson[:2]}-{test_id}-{kind}{index}")
    for lesson, exercises in CORPUS.items()
    for test_id, cases in exercises.items()
    for kind in ("wrong", "right")
    for index in range(len(cases.get(kind, [])))
]


def _graded_tests(nb: dict) -> list[tuple[int, str]]:
    return [(i, c["metadata"]["nbgrader"]["grade_id"]) for i, c in enumerate(nb["cells"])
            if c["cell_type"] == "code" and c["metadata"].get("nbgrader", {}).get("grade")]


def _is_solution(cell: dict) -> bool:
    return cell["cell_type"] == "code" and bool(cell["metadata"].get("nbgrader", {}).get("solution"))


class LessonRun:
    """A lesson's source run once in this process, with the namespace before each exercise."""

    def __init__(self, lesson_id: str, tmp: Path, edit=None) -> None:
        self.lesson_id = lesson_id
        self.plan = lesson_plan(LESSONS_DIR / lesson_id)
        path = LESSONS_DIR / lesson_id / f"{lesson_id}.ipynb"
        nb = json.loads(path.read_text(encoding="utf-8"))
        self.solutions = {}
        for cell in nb["cells"]:
            if edit is not None and cell["cell_type"] == "code":
                cell["source"] = edit(text_of(cell["source"]))
        tests = dict(_graded_tests(nb))
        self.before: dict[str, dict] = {}
        namespace: dict = {"__name__": "__main__"}
        exec("from IPython.display import display", namespace)  # noqa: S102 - as in a kernel
        start: dict | None = None
        with _chdir(path.parent), contextlib.redirect_stdout(io.StringIO()):
            for index, cell in enumerate(nb["cells"]):
                if cell["cell_type"] != "code":
                    continue
                if _is_solution(cell) and start is None:
                    start = dict(namespace)
                if _is_solution(cell):
                    self.solution_text = self.solutions.get("", "") + text_of(cell["source"]) + "\n"
                    self.solutions[""] = self.solution_text
                if index in tests:
                    self.before[tests[index]] = start if start is not None else dict(namespace)
                    self.solutions[tests[index]] = self.solutions.pop("", "")
                    start = None
                    continue  # test cells change nothing an answer needs
                exec(compile(text_of(cell["source"]), f"<{lesson_id} cell {index}>", "exec"), namespace)  # noqa: S102
        from course.grading.grade._checker import Runner

        self.runner = Runner({"argv": [sys.executable, "-I", "-m", "course.grading.grade._runner"],
                              "cwd": str(tmp), "env": None, "memory_mb": None, "cpu_seconds": None},
                             call_timeout=120)
        self.count = 0

    def grade(self, test_id: str, code: str) -> tuple[bool, str]:
        """(passed, the message the student reads) for ``code`` in place of the solution."""
        from course.grading.grade._autograde import student_message
        from course.grading.grade._checker import run_test
        from course.grading.kernel._extract import collect

        test = self.plan.test(test_id)
        namespace = dict(self.before[test_id])
        self.count += 1  # a fresh file name and runner namespace for every answer
        filename = f"<answer {self.count}>"
        # As IPython does for a cell, so that inspect.getsource finds the student's function.
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        from course.errors import CourseError

        try:
            with _chdir(LESSONS_DIR / self.lesson_id):
                exec(compile(code, filename, "exec"), namespace)  # noqa: S102 - the corpus answer
        except CourseError as exc:
            # The student's own cell stops with a friendly error from a course helper (and the
            # answer is never set, so the exercise scores nothing): that also names the mistake.
            return False, f"{type(exc).__name__} in the student's cell: {exc}"
        answers = json.loads(json.dumps(collect(namespace, test.names), allow_nan=True))
        job = {"grade_id": f"{test_id}--{self.count}", "source": test.source, "hidden": test.hidden}
        result = run_test(job, answers, None, self.runner, 120)
        if result["passed"]:
            return True, ""
        return False, student_message(self.plan, test_id, result)


@contextlib.contextmanager
def _chdir(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    cache: dict[str, LessonRun] = {}

    def get(lesson_id: str) -> LessonRun:
        if lesson_id not in cache:
            cache[lesson_id] = LessonRun(lesson_id, tmp_path_factory.mktemp(f"runner-{lesson_id[:2]}"))
        return cache[lesson_id]

    yield get
    for run in cache.values():
        run.runner.stop()


def test_every_exercise_has_a_corpus():
    """Three wrong answers and one correct alternative for every autograded exercise."""
    problems = []
    for lesson_dir in sorted(p for p in LESSONS_DIR.iterdir() if (p / f"{p.name}.ipynb").is_file()):
        plan = lesson_plan(lesson_dir)
        cases = CORPUS.get(lesson_dir.name, {})
        for test in plan.tests:
            mine = cases.get(test.grade_id, {})
            if len(mine.get("wrong", [])) < 3 or len(mine.get("right", [])) < 1:
                problems.append(f"{lesson_dir.name} {test.grade_id}: {len(mine.get('wrong', []))} wrong, "
                                f"{len(mine.get('right', []))} right")
        stale = set(cases) - {t.grade_id for t in plan.tests}
        problems += [f"{lesson_dir.name} {s}: no such exercise" for s in sorted(stale)]
    assert not problems, "\n".join(problems)


def test_corpus_answers_differ_from_the_solution():
    """A correct alternative copied from the solution would prove nothing."""
    for lesson, exercises in CORPUS.items():
        nb = json.loads((LESSONS_DIR / lesson / f"{lesson}.ipynb").read_text(encoding="utf-8"))
        solutions = "\n".join(text_of(c["source"]) for c in nb["cells"] if _is_solution(c)
                              and BEGIN_SOLUTION in text_of(c["source"]))
        squeezed = {"".join(line.split()) for line in solutions.splitlines() if line.strip()}
        for test_id, cases in exercises.items():
            for label, code in cases.get("right", []):
                lines = ["".join(line.split()) for line in code.splitlines() if line.strip()]
                assert any(line not in squeezed for line in lines), (lesson, test_id, label)


@pytest.mark.parametrize("lesson", sorted(CORPUS))
def test_the_instructors_solutions_pass(lesson, runs):
    """The same path on the lesson's own solutions: every test passes (a sanity check of the path)."""
    run = runs(lesson)
    failed = {}
    for test in run.plan.tests:
        passed, message = run.grade(test.grade_id, run.solutions[test.grade_id])
        if not passed:
            failed[test.grade_id] = message
    assert not failed, failed


@pytest.mark.parametrize(("lesson", "test_id", "kind", "index"), CASES)
def test_corpus_case(lesson, test_id, kind, index, runs):
    case = CORPUS[lesson][test_id][kind][index]
    passed, message = runs(lesson).grade(test_id, case[1])
    if kind == "right":
        assert passed, f"the correct alternative {case[0]!r} lost its marks: {message}"
        return
    label, _code, expect = case
    assert not passed, f"the wrong answer {label!r} passed every visible and hidden test"
    if " in the student's cell: " in message:
        assert "How to fix" in message or "Valid options" in message, message
        return
    assert not GENERIC.match(message), f"{label!r} lost its marks with no useful message: {message}"
    assert expect.lower() in message.lower(), (
        f"{label!r} failed, but the message does not name the mistake ({expect!r}): {message}")


@pytest.mark.parametrize("city_region", ["TLG3", "TLE4", "TLE3"])
def test_top_lqs_solution_passes_whichever_city_region_is_studied(city_region, tmp_path):
    """Lesson 08's cell 2 invites the student to switch CITY_REGION: a right top_lqs still passes."""
    marker = 'CITY_REGION = "TLD3"'

    def edit(source: str) -> str:
        return source.replace(marker, f'CITY_REGION = "{city_region}"')

    nb = json.loads((LESSONS_DIR / "08-capstone" / "08-capstone.ipynb").read_text(encoding="utf-8"))
    assert any(marker in text_of(c["source"]) for c in nb["cells"]), "lesson 08 no longer sets CITY_REGION as this test expects"
    run = LessonRun("08-capstone", tmp_path, edit=edit)
    try:
        assert run.before["ex2-lq-tests"]["CITY_REGION"] == city_region
        passed, message = run.grade("ex2-lq-tests", run.solutions["ex2-lq-tests"])
    finally:
        run.runner.stop()
    assert passed, message


@pytest.mark.slow
@pytest.mark.parametrize("lesson", ["00-orientation", "02-scale-and-long-term"])
def test_mistakes_through_course_grade(lesson, tmp_path):
    """Corpus answers through a full ``course grade`` of submitted notebooks: one student gives the
    first wrong answer of every exercise, another the first correct alternative (lesson 02 has a
    function exercise, whose hidden tests call the student's function in the sandbox)."""
    from course.grading import autograde, release

    dest = tmp_path / "release"
    release(LESSONS_DIR, dest, lesson_ids=[lesson])
    released = json.loads((dest / lesson / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    source = json.loads((LESSONS_DIR / lesson / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    tests = [gid for _, gid in _graded_tests(source)]
    students = {"wrong": {}, "right": {}}
    for test_id in tests:
        students["wrong"][test_id] = CORPUS[lesson][test_id]["wrong"][0]
        students["right"][test_id] = CORPUS[lesson][test_id]["right"][0]
    submitted = tmp_path / "submitted"
    for student, answers in students.items():
        nb = json.loads(json.dumps(released))
        pending = None
        for cell in nb["cells"]:
            if _is_solution(cell):
                pending = cell
            gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if gid in answers and pending is not None:
                pending["source"] = answers[gid][1]
                pending = None
        folder = submitted / student / lesson
        folder.mkdir(parents=True)
        shutil.copytree(dest / lesson, folder, dirs_exist_ok=True)
        (folder / f"{lesson}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    out = tmp_path / "grades"
    autograde(lesson, submitted, lessons_dir=LESSONS_DIR, out_dir=out, workers=2,
              timeout_per_cell=LESSON_CELL_LIMIT, timeout_per_submission=LESSON_SUBMISSION_LIMIT,
              quiet=True)
    for student, answers in students.items():
        record = json.loads((out / lesson / f"{student}.json").read_text(encoding="utf-8"))
        cells = {c["cell"]: c for c in record["cells"] if c["autograded"]}
        for test_id, case in answers.items():
            cell = cells[test_id]
            if student == "right":
                assert cell["score"] == cell["max_score"], (test_id, cell["message"])
            else:
                assert cell["score"] == 0, (test_id, case[0])
                assert case[2].lower() in cell["message"].lower(), (test_id, cell["message"])
