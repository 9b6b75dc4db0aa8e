"""Broken and hostile submissions (tests/hostile/build_corpus.py) graded as one class.

None may hang the run, crash it, change another student's grade, or score more than the honest
submission with the same genuine work; attempts to interfere go to manual review with the reason
shown; grading twice gives the same results; feedback never shows instructor content. The same
attacks are also run through plain nbgrader, to show that they would work there.

Issue 17's escapes are covered as classes: nothing outside a submission's own folder changes
(planted links are never followed), no feedback page shows instructor content, no student-visible
text shows a hidden test's inputs, recorded answers cannot be rewritten later, the delegation check
follows what a graded function really calls (lesson 01's Theil exercise, driven through the
checker), and decoding and scanning are bounded.
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
from conftest import (
    CELL_LIMIT,
    PATIENCE,
    require,
    wait_until,
)

from course.grading.grade._autograde import SCAN_UNFINISHED
from course.grading.grade._export import decide_review
from course.grading.grade._feedback import generate_feedback, html_text, leaks_in, own_text
from course.grading.grade._lesson import contains_literal, lesson_plan, norm, sha256_of_tree
from course.grading.grade._sandbox import detect
from course.grading.grade._workspace import Workspace

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
LESSONS = HERE / "fixtures" / "lessons"
LESSON = "zz-fixture"
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
NEVER_FINISH = BUILDER.NEVER_FINISH


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
    before = _fingerprints(workspace.submitted)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(work))  # private work folders we can look for later
        started = time.monotonic()
        frame = BUILDER.grade_class(workspace.submitted, workspace.grades, sorted(CASES))
        seconds = time.monotonic() - started
    records = {s: json.loads((workspace.grades / LESSON / f"{s}.json").read_text())
               for s in frame["student"]}
    return {"workspace": workspace, "frame": frame.set_index("student"), "records": records,
            "seconds": seconds, "work": work, "isolation": detect(), "before": before}


def _fingerprints(submitted: Path) -> dict[str, str]:
    """A hash of every submission folder, the fixture lesson and the canary file beside them."""
    found = {f"submission {p.name}": sha256_of_tree(p / LESSON, skip_instructor=False)
             for p in sorted(submitted.iterdir()) if p.is_dir()}
    found["lesson source"] = sha256_of_tree(LESSONS / LESSON, skip_instructor=False)
    canary = BUILDER.canary(submitted)
    found["canary"] = canary.read_text(encoding="utf-8") if canary.exists() else "missing"
    return found


def _student_texts(workspace, student: str) -> str:
    """Everything of one student's result that the student can read."""
    record = json.loads((workspace.grades / LESSON / f"{student}.json").read_text())
    texts = [c.get("message", "") for c in record["cells"]]
    for page in (workspace.feedback / student).rglob("*.html"):
        texts.append(html_text(page.read_text(encoding="utf-8")))
    return "\n".join(texts)


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
    elif case.review is not None:
        assert not record["review"], f"false alarm: {record['review']}"
    if record["status"] != "ok":
        assert record["message"], "a non-ok status must say why"
    # Every exercise has a result with a message when it failed.
    for cell in record["cells"]:
        if cell["autograded"] and cell["score"] < cell["max_score"]:
            assert cell["message"], cell
    shown = "\n".join(c["message"] for c in record["cells"])
    for secret in case.never_shown:
        assert secret not in shown, (secret, shown)
    assert "/tmp/" not in shown and str(Path.home()) + "/" not in shown, shown


def test_nothing_outside_a_submission_changes(corpus):
    """Planted links are never followed: every submission, the lesson and the canary are as they were
    (checked after the class and its regrade and feedback, which use this module's corpus)."""
    assert _fingerprints(corpus["workspace"].submitted) == corpus["before"]
    # The neighbour whose notebook a planted link pointed at kept its marks.
    assert corpus["records"]["honest-right"]["score"] == 3.0


def test_recorded_answers_cannot_be_rewritten_or_smuggled(corpus):
    records = corpus["records"]
    for name in ("rewrites-answers", "smuggled-def"):
        by_cell = {c["cell"]: c for c in records[name]["cells"]}
        assert by_cell["ex1-tests"]["score"] == 0.0, name
    smuggled = {c["cell"]: c for c in records["smuggled-def"]["cells"]}["ex1-tests"]["message"]
    assert "not one function definition" in smuggled


def test_decoding_and_scanning_are_bounded(corpus):
    records = corpus["records"]
    message = {c["cell"]: c for c in records["expanding-record"]["cells"]}["ex2-tests"]["message"]
    assert "larger than the grader rebuilds" in message, message
    flood = records["magic-flood"]
    # Bounded either way: scanned (nothing to flag) and stopped at the cell limit, or stopped by
    # the limits while scanning and sent to review.
    assert flood["review"] in ([], [SCAN_UNFINISHED]), flood["review"]
    assert flood["status"] == ("review" if flood["review"] else "timeout"), flood["message"]
    for name, words in {"code-in-magics": "inside a magic", "code-in-cell-magic": "native code",
                        "markdown-answer-cell": "(ex2-solution)"}.items():
        assert any(words in reason for reason in records[name]["review"]), (name, records[name]["review"])


def test_student_errors_are_their_own_and_without_paths(corpus):
    untouched = {c["cell"]: c for c in corpus["records"]["untouched"]["cells"]}
    message = untouched["ex2-tests"]["message"]
    # The real first error (the stub's NotImplementedError), not the NameError it caused later.
    assert message.startswith("Your code raised an error in cell"), message
    assert "NotImplementedError" in message and "(ex2-solution)" in message, message


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
              "always-equal", "infinite-loop", "deleted-exercise", "corrupted-json", "plants-links",
              "runner-links-source", "rewrites-answers", "raises-arguments"]
    again = BUILDER.grade_class(corpus["workspace"].submitted, tmp_path, subset, force=True)
    for student in subset:
        first = corpus["records"][student]
        second = json.loads((tmp_path / LESSON / f"{student}.json").read_text())
        for key in ("status", "score", "max_score", "review"):
            assert first[key] == second[key], (student, key)
        assert [(c["cell"], c["score"], c["message"]) for c in first["cells"]] == \
               [(c["cell"], c["score"], c["message"]) for c in second["cells"]], student
    assert list(again["student"]) == sorted(subset)
    assert _fingerprints(corpus["workspace"].submitted) == corpus["before"]


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
    for name, case in CASES.items():
        if case.never_shown and name in graded:
            shown = _student_texts(workspace, name)
            assert not any(secret in shown for secret in case.never_shown), name
    assert _fingerprints(workspace.submitted) == corpus["before"]
    honest = html_text((workspace.feedback / "honest-wrong-ex2" / LESSON / f"{LESSON}.html").read_text())
    assert "the highest value in the fixture data is London's" in honest
    assert "Score: 2.0 / 5.0" in honest
    # Issue 15: each lost mark says why, with the student's own (first) error, and no machine paths.
    untouched = html_text((workspace.feedback / "untouched" / LESSON / f"{LESSON}.html").read_text())
    assert "Your code raised an error in cell 7 (ex2-solution): NotImplementedError" in untouched
    for student in ("untouched", "honest-wrong-ex1", "honest-wrong-ex2", "raises-arguments"):
        text = html_text((workspace.feedback / student / LESSON / f"{LESSON}.html").read_text())
        for path in ("site-packages", str(HERE.parent), "/tmp/pp-", str(Path.home()) + "/"):
            assert path not in text, (student, path)


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
        "from course.grading.releasing._nbgrader import prepare_nbgrader\n"
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


# --------------------------------------------------------------------------------------------
# Driven through the checker on recorded answers (many cases, one checker and one runner)
# --------------------------------------------------------------------------------------------

THEIL_HONEST = '''\
import numpy as np

def theil_t(values):
    y = np.asarray(values, dtype=float)
    ratio = y / y.mean()
    return float(np.mean(ratio * np.log(ratio)))
'''
THEIL_HELPER = '''\
import numpy as np

def _shares(values):
    y = np.asarray(values, dtype=float)
    return y / y.mean()

def theil_t(values):
    s = _shares(values)
    return float((s * np.log(s)).mean())
'''
# Ways to have the library do the work (lesson 01 asks for Theil written with NumPy).
DELEGATIONS = {
    "reference": "from course import measures\ntheil_t = measures.theil\n",
    "alias": "from course.measures import theil as theil_t\n",
    "thin-wrapper": "from course import measures\n_t = measures.theil\n\ndef theil_t(values):\n"
                    "    return float(_t(values))\n",
    "helper-function": "from course import measures as m\n\ndef _work(v):\n    return m.theil(v)\n\n"
                       "def theil_t(values):\n    return float(_work(values))\n",
    "global-container": "from course import measures\nTOOLS = {'t': measures.theil}\n\n"
                        "def theil_t(values):\n    return float(TOOLS['t'](values))\n",
    "closure": "from course import measures\n\ndef make():\n    f = measures.theil\n\n"
               "    def theil_t(values):\n        return float(f(values))\n    return theil_t\n\n"
               "theil_t = make()\n",
}
STATEFUL = '''\
SEEN = []

def f(x):
    SEEN.append(x)
    if x == 1 and len(SEEN) > 1:
        raise ValueError(f"I have seen {SEEN}")
    return 2 * x
'''
LEAK_TEST = (
    'assert f(1) == 2, "f(1) should be 2"\n'
    "### BEGIN HIDDEN TESTS\n"
    "f(987654)\n"
    "### END HIDDEN TESTS\n"
    'assert f(1) == 2, "f(1) should still be 2"\n'
)


def _recorded(code: str, names: list[str], grade_id: str) -> dict:
    """Answers as the grading kernel records them, from code run the way a notebook runs it."""
    import linecache
    import types

    from course.grading.kernel._extract import collect

    module = types.ModuleType("__main__")  # functions defined here have __module__ "__main__"
    filename = f"<cell {grade_id}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    exec(compile(code, filename, "exec"), module.__dict__)  # noqa: S102 - the test's own code
    data = collect(module.__dict__, names)
    data["grade_id"] = grade_id
    return data


def _check(tmp_path, tests: list[dict], records: dict[str, dict]) -> dict:
    """Run the checker (in a child process, with the sandboxed runner) on recorded answers."""
    isolation = detect()
    answers = tmp_path / "sealed"
    answers.mkdir()
    for grade_id, data in records.items():
        (answers / f"{grade_id}.json").write_text(json.dumps(data), encoding="utf-8")
    cwd = tmp_path / "run"
    cwd.mkdir()
    job = {"tests": tests, "answers_dir": str(answers), "not_recorded": {},
           "runner": {"argv": isolation.wrap([sys.executable, "-I", "-m", "course.grading.grade._runner"],
                                             cwd=cwd, readonly_cwd=True),
                      "cwd": str(cwd), "env": None if isolation.sandboxed else isolation.child_env(),
                      "memory_mb": 1024, "cpu_seconds": 600},
           "memory_mb": 1024, "cpu_seconds": 600, "call_timeout": 120, "test_timeout": 300}
    (tmp_path / "job.json").write_text(json.dumps(job), encoding="utf-8")
    done = subprocess.run([sys.executable, "-I", "-m", "course.grading.grade._checker", str(tmp_path / "job.json"),
                           str(tmp_path / "out.json")], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads((tmp_path / "out.json").read_text())


def test_delegation_check_follows_what_the_function_calls(tmp_path):
    """Lesson 01's Theil exercise: a reference to, alias of, wrapper around or global holding the
    library's Theil loses the marks; two honest implementations keep them."""
    from course.grading.grade._autograde import student_message

    lessons = HERE.parent / "lessons"
    plan = lesson_plan(lessons / "01-regional-gap")
    test = plan.test("ex2-theil-tests")
    assert test is not None and test.hidden
    variants = {"honest": THEIL_HONEST, "honest-helper": THEIL_HELPER, **DELEGATIONS}
    setup = "import numpy as np\nimport pandas as pd\n"
    tests = [{"grade_id": name, "source": test.source, "hidden": test.hidden} for name in variants]
    records = {name: _recorded(setup + code, test.names, name) for name, code in variants.items()}
    results = _check(tmp_path, tests, records)["results"]
    assert results["honest"]["passed"] and results["honest-helper"]["passed"], results
    for name in DELEGATIONS:
        result = results[name]
        assert not result["passed"], name
        message = student_message(plan, "ex2-theil-tests", result)
        assert message, name
        if name != "closure":  # a closure cannot be recorded at all (and says so)
            assert "call a library's Theil" in message, (name, message)


def test_hidden_inputs_never_come_back_in_visible_messages(tmp_path):
    """A function that remembers its calls cannot carry a hidden input into a later visible
    failure: the runner is restarted between a hidden call and the next visible one."""
    from course.grading.grade._lesson import TestCell

    hidden = (2, 4)
    tests = [{"grade_id": "leak", "source": LEAK_TEST, "hidden": hidden}]
    out = _check(tmp_path, tests, {"leak": _recorded(STATEFUL, ["f"], "leak")})
    result = out["results"]["leak"]
    assert result["passed"], result
    assert out["runner"]["started"] == 2, out["runner"]
    # And a hidden failure shows only the test's own constant message, never the exception's text.
    from course.grading.grade._autograde import _failure_message
    from course.grading.grade._lesson import LessonPlan

    plan = LessonPlan("x", ["x.ipynb"], tests=[TestCell("x", "leak", 1.0, LEAK_TEST, hidden, ["f"])])
    error = {"ename": "ValueError", "evalue": "I have seen [987654]", "line": 3, "hidden": True,
             "in_student_function": True, "public": None}
    assert "987654" not in _failure_message(plan, "leak", {"error": error})
    error = {"ename": "Leak_987654", "evalue": "x", "line": 3, "hidden": True, "public": None,
             "in_student_function": False}
    assert "987654" not in _failure_message(plan, "leak", {"error": error})


def test_sealing_takes_answers_by_content_and_never_follows_links(tmp_path):
    """The worker's seal: a link in the answers folder is refused, not read or written through,
    and the first record taken for a test cell is the one that counts."""
    from course.grading.grade._checker import load_answers
    from course.grading.grade._sandbox import NotRegular, read_regular
    from course.grading.grade._worker import clear_answers, seal

    answers, sealed, outside = tmp_path / "answers", tmp_path / "sealed", tmp_path / "outside.txt"
    answers.mkdir()
    outside.write_text("not an answer")
    (answers / "ex1-tests.json").symlink_to(outside)
    with pytest.raises(NotRegular):
        read_regular(answers / "ex1-tests.json", 1000)
    assert seal(answers, sealed, "ex1-tests")
    data, reason = load_answers(str(sealed), "ex1-tests")
    assert data is None and "is a link" in reason
    assert outside.read_text() == "not an answer" and list(answers.iterdir()) == []
    (answers / "ex2-tests.json").write_text(json.dumps({"grade_id": "ex2-tests", "values": {"x": 1}}))
    assert seal(answers, sealed, "ex2-tests")
    (answers / "ex2-tests.json").write_text(json.dumps({"grade_id": "ex2-tests", "values": {"x": 2}}))
    assert not seal(answers, sealed, "ex2-tests")  # a later rewrite is never taken
    assert load_answers(str(sealed), "ex2-tests")[0]["values"] == {"x": 1}
    (answers / "sub").mkdir()
    (answers / "sub" / "link").symlink_to(outside)
    clear_answers(answers)
    assert list(answers.iterdir()) == [] and outside.exists()
