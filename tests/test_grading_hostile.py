"""Broken and hostile submissions (tests/hostile/build_corpus.py) graded as one class.

None may hang the run, crash it, change another student's grade, or score more than the honest
submission with the same genuine work; attempts to interfere go to manual review with the reason
shown; grading twice gives the same results; feedback never shows instructor content. The same
attacks are also run through plain nbgrader, to show that they would work there.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import CELL_LIMIT, PATIENCE, SUBMISSION_LIMIT, require, wait_until

from course.grading import autograde
from course.grading._export import decide_review
from course.grading._feedback import generate_feedback, html_text, leaks_in, own_text
from course.grading._lesson import contains_literal, lesson_plan, norm
from course.grading._sandbox import detect
from course.grading._workspace import Workspace

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
LESSONS = HERE / "fixtures" / "lessons"
LESSON = "zz-fixture"
# Generous limits (tests/conftest.py): only the cases that never finish may reach them.
OPTIONS = dict(lessons_dir=LESSONS, workers=2, timeout_per_cell=CELL_LIMIT,
               timeout_per_submission=SUBMISSION_LIMIT, memory_mb=1024, quiet=True)
# Without a sandbox these can read files the grading user can read; they are then held for review.
NEED_SANDBOX = {"reads-instructor-source", "reads-gradebook"}


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_corpus", HERE / "hostile" / "build_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


BUILDER = _load_builder()
CASES = {case.name: case for case in BUILDER.cases()}


def _grading_processes(marker: str) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and entry != str(os.getpid()):
            try:
                blob = Path(f"/proc/{entry}/environ").read_bytes() + Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in blob:
                found.append(entry)
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    work = root / "w"
    work.mkdir()
    workspace = Workspace(root / "coursework").ensure()
    BUILDER.write(workspace.submitted)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(work))  # private work folders we can look for later
        started = time.monotonic()
        frame = autograde(LESSON, workspace.submitted, out_dir=workspace.grades, **OPTIONS)
        seconds = time.monotonic() - started
    records = {s: json.loads((workspace.grades / LESSON / f"{s}.json").read_text())
               for s in frame["student"]}
    return {"workspace": workspace, "frame": frame.set_index("student"), "records": records,
            "seconds": seconds, "work": work, "isolation": detect()}


def test_every_case_was_graded(corpus):
    # A hang would keep the class from finishing; how long it took depends on the machine.
    assert set(corpus["records"]) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_is_graded_safely(corpus, name):
    case = CASES[name]
    record = corpus["records"][name]
    baseline = corpus["records"][case.baseline]
    assert record["status"] in case.statuses, (record["status"], record["message"])
    if name in NEED_SANDBOX and not corpus["isolation"].sandboxed:
        assert record["status"] == "review"  # held back from exports until someone decides
    else:
        assert record["score"] <= baseline["score"], (record["score"], baseline["score"])
    if case.review:
        assert record["review"], "an attempt to interfere must be routed to review"
    else:
        assert not record["review"], f"false alarm: {record['review']}"
    if record["status"] != "ok":
        assert record["message"], "a non-ok status must say why"
    # Every exercise has a result with a message when it failed.
    for cell in record["cells"]:
        if cell["autograded"] and cell["score"] < cell["max_score"]:
            assert cell["message"], cell


def test_honest_neighbours_are_unaffected(corpus):
    frame = corpus["frame"]
    expected = {"honest-right": 3.0, "honest-wrong-ex2": 2.0, "honest-wrong-ex1": 1.0, "untouched": 0.0}
    for student, score in expected.items():
        assert frame.loc[student, "status"] == "ok", frame.loc[student, "message"]
        assert frame.loc[student, "score"] == score, student


def test_failures_are_explained_by_the_tests_own_messages(corpus):
    records = corpus["records"]
    by_cell = {c["cell"]: c for c in records["honest-wrong-ex2"]["cells"]}
    assert by_cell["ex2-tests"]["message"] == (
        "A hidden test failed: the highest value in the fixture data is London's")
    assert "assert largest" in by_cell["ex2-tests"]["detail"]  # the instructor sees the line
    by_cell = {c["cell"]: c for c in records["always-equal"]["cells"]}
    assert "largest could not be graded: Anything is a subclass of str" in by_cell["ex2-tests"]["message"]
    by_cell = {c["cell"]: c for c in records["honest-wrong-ex1"]["cells"]}
    assert by_cell["ex1-tests"]["message"].startswith("A hidden test failed")
    assert "0.375" not in json.dumps(records["honest-wrong-ex1"])  # the expected value stays hidden


def test_runaway_output_is_cut_and_said(corpus):
    assert "printed too much in ex2-solution (output cut)" in corpus["records"]["huge-output"]["message"]
    nb = corpus["workspace"].grades / LESSON / "notebooks" / "huge-output" / f"{LESSON}.ipynb"
    assert nb.stat().st_size < 3_000_000


def test_nothing_survives_the_class(corpus):
    # Killed processes may take a moment to go on a busy machine; a survivor stays.
    wait_until(lambda: not _grading_processes(str(corpus["work"])), timeout=60)
    assert _grading_processes(str(corpus["work"])) == []


def test_regrading_gives_identical_results(corpus, tmp_path):
    subset = ["honest-right", "honest-wrong-ex1", "hook-steals-answer", "frame-walk",
              "always-equal", "infinite-loop", "deleted-exercise", "corrupted-json"]
    again = autograde(LESSON, corpus["workspace"].submitted, out_dir=tmp_path, students=subset,
                      force=True, **OPTIONS)
    for student in subset:
        first = corpus["records"][student]
        second = json.loads((tmp_path / LESSON / f"{student}.json").read_text())
        for key in ("status", "score", "max_score", "review"):
            assert first[key] == second[key], (student, key)
        assert [(c["cell"], c["score"], c["message"]) for c in first["cells"]] == \
               [(c["cell"], c["score"], c["message"]) for c in second["cells"]], student
    assert list(again["student"]) == sorted(subset)


def test_feedback_never_shows_instructor_content(corpus):
    workspace = corpus["workspace"]
    for student, record in corpus["records"].items():
        if record["status"] == "review":
            decide_review(workspace, LESSON, student, "accept")
    report = generate_feedback(workspace, LESSONS, LESSON)
    assert report.refused == []
    plan = lesson_plan(LESSONS / LESSON)
    source = json.loads((LESSONS / LESSON / f"{LESSON}.ipynb").read_text())
    hidden: list[str] = []
    for cell in source["cells"]:
        text = "".join(cell["source"])
        if "### BEGIN HIDDEN TESTS" in text:
            region = text.split("### BEGIN HIDDEN TESTS", 1)[1].split("### END HIDDEN TESTS", 1)[0]
            hidden += [line.strip() for line in region.splitlines() if line.strip()]
    assert hidden and plan.secret_literals == {"0.375"}
    pages = sorted(workspace.feedback.rglob("*.html"))
    graded = [s for s, r in corpus["records"].items() if r["status"] != "invalid"]
    assert {p.parts[-3] for p in pages} == set(graded)
    for page in pages:
        text = html_text(page.read_text(encoding="utf-8"))
        student = page.parts[-3]
        nb = json.loads((workspace.grades / LESSON / "notebooks" / student / f"{LESSON}.ipynb").read_text())
        mine = own_text(nb, plan)
        assert leaks_in(text, plan, mine) == [], student
        flat = norm(text)
        for line in hidden:
            assert norm(line) not in flat or norm(line) in norm(mine), (student, line)
        assert not contains_literal(text, "0.375") or contains_literal(mine, "0.375"), student
        for secret in ("Rubric (instructor only)", "Model answer", "ratio_of_regions",
                       "BEGIN HIDDEN", "EXPECTED_GAP_FRESH"):
            assert secret not in text or secret in mine, (student, secret)
    honest = html_text((workspace.feedback / "honest-wrong-ex2" / LESSON / f"{LESSON}.html").read_text())
    assert "the highest value in the fixture data is London's" in honest
    assert "Score: 2.0 / 5.0" in honest


def test_sandbox_hides_the_instructor_and_the_network(tmp_path):
    isolation = detect()
    require(isolation.sandboxed, f"bubblewrap sandbox for grading ({isolation.detail})")
    probe = (
        "import json, os, socket\n"
        f"lessons = {str(LESSONS)!r}\n"
        "out = {'uid': os.getuid(), 'lessons': os.path.exists(lessons), 'root': sorted(os.listdir('/')),\n"
        "       'pids': len([p for p in os.listdir('/proc') if p.isdigit()]),\n"
        "       'secret': os.environ.get('PP_SECRET_TOKEN'), 'cwd_files': os.listdir('.')}\n"
        "try:\n"
        "    socket.create_connection(('1.1.1.1', 80), timeout=30); out['net'] = True\n"
        "except OSError:\n"
        "    out['net'] = False\n"
        "print(json.dumps(out))\n"
    )
    (tmp_path / "mine.txt").write_text("the submission's own file")
    env = dict(os.environ, PP_SECRET_TOKEN="do-not-leak")
    cmd = isolation.wrap([sys.executable, "-I", "-c", probe], cwd=tmp_path)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=PATIENCE, env=env)
    out = json.loads(done.stdout)
    assert out["uid"] == 65534 and out["net"] is False and out["secret"] is None
    assert out["lessons"] is False and out["cwd_files"] == ["mine.txt"]
    assert out["pids"] <= 3
    assert "home" not in out["root"] or not os.listdir("/home")


def test_plain_nbgrader_is_fooled_by_the_same_attacks(corpus, tmp_path):
    """The corpus has teeth: nbgrader's own autograde (hidden tests in the student's kernel)
    gives these attacks marks that ``course grade`` does not."""
    attacks = ["hook-steals-answer", "frame-walk", "input-transformer"]
    root = tmp_path / "course"
    (root / "source").mkdir(parents=True)
    import shutil

    shutil.copytree(LESSONS / LESSON, root / "source" / LESSON,
                    ignore=shutil.ignore_patterns("instructor_notes*"))
    for name in attacks:
        shutil.copytree(corpus["workspace"].submitted / name / LESSON, root / "submitted" / name / LESSON)
    script = (
        "import json, sys, logging\n"
        "sys.modules.setdefault('rfc3987_syntax', None)\n"
        "from traitlets.config import Config\n"
        "from nbgrader.api import Gradebook\n"
        "from nbgrader.converters import Autograde, GenerateAssignment\n"
        "from nbgrader.coursedir import CourseDirectory\n"
        "from course.grading._common import prepare_nbgrader\n"
        "prepare_nbgrader()\n"
        "root, students = sys.argv[1], sys.argv[2:]\n"
        f"c = Config(); c.CourseDirectory.root = root; c.Execute.timeout = {CELL_LIMIT}\n"
        f"c.Execute.startup_timeout = {PATIENCE}\n"
        "c.CourseDirectory.db_url = f'sqlite:///{root}/gradebook.db'\n"
        "log = logging.getLogger('plain'); log.addHandler(logging.NullHandler())\n"
        "cd = CourseDirectory(config=c, log=log); cd.assignment_id = 'zz-fixture'\n"
        "app = GenerateAssignment(coursedir=cd, config=c, log=log); app.force = True; app.start()\n"
        "out = {}\n"
        "for s in students:\n"
        "    cd = CourseDirectory(config=c, log=log); cd.assignment_id = 'zz-fixture'; cd.student_id = s\n"
        "    app = Autograde(coursedir=cd, config=c, log=log); app.force = True; app.start()\n"
        "    with Gradebook(c.CourseDirectory.db_url) as gb:\n"
        "        out[s] = gb.find_submission('zz-fixture', s).score\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(root), *attacks], capture_output=True,
                          text=True, timeout=PATIENCE, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    plain = json.loads(done.stdout.strip().splitlines()[-1])
    for name in attacks:
        ours = corpus["records"][name]["score"]
        baseline = corpus["records"][CASES[name].baseline]["score"]
        assert plain[name] > baseline >= ours, (name, plain[name], baseline, ours)
