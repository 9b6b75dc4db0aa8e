"""Build the corpus of broken and hostile submissions of the fixture lesson.

Every case is a student's submission folder, made from the *student* version of the fixture lesson
(what a student really receives) by a few edits. ``tests/test_grading_hostile.py`` grades them all
in one class, with honest submissions among them, and checks that none hangs or crashes the run,
changes another student's grade, or scores more than an honest wrong answer.

Usage::

    python tests/hostile/build_corpus.py DEST            # write DEST/<case>/zz-fixture/...
    python tests/hostile/build_corpus.py DEST --report   # also grade them and print a table
    python tests/hostile/build_corpus.py DEST --report --compare-nbgrader   # and with nbgrader alone

The notebooks are generated rather than committed: several are deliberately not valid notebooks,
and the others would trip the repository's notebook and lint checks.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

LESSON = "zz-fixture"
HERE = Path(__file__).resolve().parent
FIXTURE_LESSONS = HERE.parent / "fixtures" / "lessons"

GAP_RIGHT = "def gap(values, a, b):\n    return float(values[a]) / float(values[b])\n"
# Passes the visible test by knowing its answer, and is wrong everywhere else.
GAP_VISIBLE_ONLY = (
    "def gap(values, a, b):\n"
    "    if (a, b) == ('London', 'Wales'):\n"
    "        return 48.1 / 31.2\n"
    "    return 1.0\n"
)
LARGEST_RIGHT = "largest = max(data, key=data.get)\n"
LARGEST_WRONG = 'largest = "Wales"\n'


# Cases that never finish (an endless loop, a C loop that ignores interrupts, a flood of magics):
# they test the limits themselves, so they get the suite's short cell limit, which they reach
# whatever the machine's speed. Every other case gets the suite's generous limits.
NEVER_FINISH = {"infinite-loop", "stubborn-loop", "magic-flood"}


@dataclass
class Case:
    """One submission and what grading it must give.

    ``baseline`` names the honest submission with the same genuine work; the case may not score
    more than it. ``statuses`` lists the acceptable statuses.
    """

    name: str
    what: str
    baseline: str
    statuses: set[str]
    answers: dict[str, str] = field(default_factory=dict)
    edit: object = None  # function(nb) -> nb, applied after the answers
    raw: bytes | None = None  # the notebook file's bytes instead of a notebook
    files: dict[str, bytes] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    no_notebook: bool = False
    folder_link: str | None = None  # the submission folder itself is a link to this
    review: bool | None = False  # must be routed to manual review (None: either is right)
    # Student-visible text of this case must not contain these (hidden inputs, for example).
    never_shown: tuple[str, ...] = ()
    kind: str = ""  # the issue-17 category it belongs to (for the README table), if any


def _cells(nb: dict, grade_id: str) -> list[int]:
    return [i for i, c in enumerate(nb["cells"])
            if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id]


def _set(nb: dict, grade_id: str, source: str) -> dict:
    for index in _cells(nb, grade_id):
        nb["cells"][index]["source"] = source
    return nb


def _delete(grade_id: str):
    def edit(nb: dict) -> dict:
        nb["cells"] = [c for i, c in enumerate(nb["cells"]) if i not in _cells(nb, grade_id)]
        return nb
    return edit


def _move_before(moved: str, anchor: str):
    def edit(nb: dict) -> dict:
        (i,) = _cells(nb, moved)
        cell = nb["cells"].pop(i)
        (j,) = _cells(nb, anchor)
        nb["cells"].insert(j, cell)
        return nb
    return edit


def _duplicate(grade_id: str):
    def edit(nb: dict) -> dict:
        (i,) = _cells(nb, grade_id)
        copy = json.loads(json.dumps(nb["cells"][i]))
        copy["id"] = copy.get("id", "x") + "-copy"
        nb["cells"].insert(i, copy)
        return nb
    return edit


def _retype(*grade_ids: str):
    def edit(nb: dict) -> dict:
        for grade_id in grade_ids:
            for i in _cells(nb, grade_id):
                cell = nb["cells"][i]
                cell["cell_type"] = "markdown"
                cell.pop("outputs", None)
                cell.pop("execution_count", None)
        return nb
    return edit


def _metadata(grade_id: str, **changes):
    def edit(nb: dict) -> dict:
        for i in _cells(nb, grade_id):
            nb["cells"][i]["metadata"]["nbgrader"].update(changes)
        return nb
    return edit


def _unknown_ids(nb: dict) -> dict:
    nb["cells"][0]["metadata"]["nbgrader"] = {"grade_id": "made-up", "grade": True, "points": 50,
                                              "solution": False, "locked": True, "schema_version": 3}
    nb["cells"][1]["metadata"]["nbgrader"] = {}
    nb["cells"][2]["metadata"] = "not a dictionary"
    return nb


def _kernelspec(nb: dict) -> dict:
    nb["metadata"]["kernelspec"] = {"name": "bash", "display_name": "Bash", "language": "bash"}
    return nb


def _extra_cell(source: str, before: str = "ex2-tests"):
    def edit(nb: dict) -> dict:
        (i,) = _cells(nb, before)
        nb["cells"].insert(i, {"cell_type": "code", "execution_count": None, "id": "extra",
                               "metadata": {}, "outputs": [], "source": source})
        return nb
    return edit


# Code of the attacks (each sets `largest` to the wrong answer unless it can find the right one).
HOOK_STEAL = '''\
import re
ip = get_ipython()

def steal(info):
    found = re.search(r'largest == "([^"]+)"', info.raw_cell or "")
    if found:
        ip.user_ns["largest"] = found.group(1)

ip.events.register("pre_run_cell", steal)
largest = "Wales"
'''
TRANSFORMER = '''\
def no_asserts(lines):
    return [line.replace("assert ", "pass  # ") for line in lines]

get_ipython().input_transformers_cleanup.append(no_asserts)
largest = "Wales"
'''
CUSTOM_EXC = '''\
def ignore(shell, etype, evalue, tb, tb_offset=None):
    return None

get_ipython().set_custom_exc((BaseException,), ignore)
largest = "Wales"
'''
EXCEPTHOOK = '''\
import sys
sys.excepthook = lambda *args: None
largest = "Wales"
'''
BUILTINS = '''\
import builtins
builtins.isinstance = lambda *args: True
builtins.abs = lambda x: 0
builtins.type = lambda *args: str
largest = "Wales"
'''
CHECKS = '''\
import course.checks
course.checks.check_type = lambda *args, **kwargs: None
course.checks.check_close = lambda *args, **kwargs: None
import sys
sys.modules["course.checks"] = course.checks
largest = "Wales"
'''
ALWAYS_EQUAL = '''\
class Anything(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__

largest = Anything("Wales")
'''
GAP_ALWAYS_CLOSE = '''\
class Zero(float):
    def __sub__(self, other):
        return Zero(0.0)
    def __abs__(self):
        return 0.0
    def __lt__(self, other):
        return True

def gap(values, a, b):
    return Zero(1.0)
'''
FRAME_WALK = '''\
import sys

def gap(values, a, b):
    if (a, b) == ("London", "Wales"):
        return 48.1 / 31.2
    frame = sys._getframe(1)
    while frame is not None:
        for name, value in frame.f_globals.items():
            if name.startswith("EXPECTED") and isinstance(value, float):
                return value
        frame = frame.f_back
    return 1.0
'''
GC_SEARCH = '''\
import gc

def gap(values, a, b):
    if (a, b) == ("London", "Wales"):
        return 48.1 / 31.2
    for obj in gc.get_objects():
        if isinstance(obj, dict) and "EXPECTED_GAP_FRESH" in obj:
            return obj["EXPECTED_GAP_FRESH"]
    return 1.0
'''
READ_SOURCE = '''\
import os, re, time
largest = "Wales"
started = time.monotonic()
for root in ["/work", "/home", "/root", "/srv", "/opt", os.path.expanduser("~"), "/tmp"]:
    for folder, dirs, files in os.walk(root):
        if time.monotonic() - started > 2 or largest != "Wales":
            break
        dirs[:] = [d for d in dirs if d not in {".venv", "node_modules", ".git", "proc"}]
        if "zz-fixture.ipynb" in files:
            try:
                text = open(os.path.join(folder, "zz-fixture.ipynb")).read()
            except OSError:
                continue
            found = re.search(r'largest == \\\\"([^\\\\"]+)', text)
            if found:
                largest = found.group(1)
'''
READ_GRADEBOOK = '''\
import glob, os, sqlite3
largest = "Wales"
for path in glob.glob("/**/gradebook.db", recursive=True)[:20]:
    try:
        rows = sqlite3.connect(path).execute("select source from source_cell").fetchall()
    except Exception:
        continue
    for (source,) in rows:
        if 'largest == "' in source:
            largest = source.split('largest == "')[1].split('"')[0]
'''
WRITE_ANSWERS = '''\
import json, os
folder = os.environ.get("COURSE_ANSWERS_DIR", ".course-answers")
os.makedirs(folder, exist_ok=True)
with open(os.path.join(folder, "ex1-tests.json"), "w") as fh:
    json.dump({"grade_id": "ex1-tests", "values": {"gap": {"$t": "function", "name": "gap"}},
               "functions": {"gap": {"name": "gap", "source": "import sys\\n"
               "def gap(values, a, b):\\n    return sys._getframe(1).f_globals.get('EXPECTED_GAP_FRESH', 1.0)\\n",
               "globals": []}}, "globals": {}, "missing": []}, fh)
largest = "Wales"
'''
KILL_PARENT = '''\
import os, signal
largest = "Wales"
os.kill(os.getppid(), signal.SIGKILL)
'''
NETWORK = '''\
import socket
largest = "Wales"
try:
    socket.create_connection(("1.1.1.1", 80), timeout=2).close()
    largest = "Wales (the network worked)"
except OSError:
    pass
'''

# ---- Escapes of issue 17, one class each (placeholders @...@ are filled in by write()) ----

# Planted links: the grader must never follow what a submission made. The kernel replaces every
# file it can see with links to another student's notebook and to a file outside all submissions.
PLANT_LINKS = """\
import os
largest = "Wales"
for name, target in [("zz-fixture.ipynb", "@SUBMITTED@/honest-right/zz-fixture/zz-fixture.ipynb"),
                     ("regions.csv", "@CANARY@"), ("timestamp.txt", "@CANARY@"),
                     ("zz-fixture.html", "@CANARY@")]:
    try:
        os.remove(name)
    except OSError:
        pass
    try:
        os.symlink(target, name)
    except OSError:
        pass
"""
# A function the checker runs: it swaps the graded notebook for a link to the lesson's source.
RUNNER_LINKS = """\
def gap(values, a, b):
    import os
    for name in ("zz-fixture.ipynb", "notes.ipynb"):
        try:
            if os.path.lexists(name):
                os.remove(name)
            os.symlink("@LESSONS@/zz-fixture/zz-fixture.ipynb", name)
        except OSError:
            pass
    return float(values[a]) / float(values[b])
"""
# The kernel reads the instructor's source and prints it (outside a sandbox it can).
PRINT_SOURCE = """\
largest = "Wales"
try:
    print(open("@LESSONS@/zz-fixture/zz-fixture.ipynb").read())
except OSError as exc:
    print("could not read it:", type(exc).__name__)
"""
# A later cell rewrites an answer already recorded, found through the environment.
REWRITE_ANSWERS = """\
import json, os
largest = max(data, key=data.get)
folder = os.environ.get("COURSE_ANSWERS_DIR", ".course-answers")
os.makedirs(folder, exist_ok=True)
right = "def gap(values, a, b):\\n    return float(values[a]) / float(values[b])\\n"
for name in ("ex1-tests.json", "ex2-tests.json"):
    with open(os.path.join(folder, name), "w") as fh:
        json.dump({"grade_id": name[:-5], "values": {"gap": {"$t": "function", "name": "gap"},
                   "largest": "London", "data": {"$t": "dict", "v": []}},
                   "functions": {"gap": {"name": "gap", "source": right, "globals": []}},
                   "globals": {}, "missing": []}, fh)
"""
# A recorded function whose record runs more than the function a test sees.
SMUGGLED_DEF = """\
import json, os
import course.grading.kernel._extract as extract
honest = extract.record
def record(grade_id, names):
    honest(grade_id, names)
    path = os.path.join(os.environ["COURSE_ANSWERS_DIR"], grade_id + ".json")
    data = json.load(open(path))
    for item in data.get("functions", {}).values():
        item["source"] += "\\ndef gap(values, a, b):\\n    return float(values[a]) / float(values[b])\\n"
    json.dump(data, open(path, "w"))
extract.record = record
"""
# A 100-byte record that would rebuild into gigabytes in the checker.
EXPANDING_RECORD = """\
import json, os
import course.grading.kernel._extract as extract
def record(grade_id, names):
    path = os.path.join(os.environ["COURSE_ANSWERS_DIR"], grade_id + ".json")
    json.dump({"grade_id": grade_id, "values": {
        "largest": {"$t": "np.ndarray", "dtype": "U500000000", "shape": [4], "v": ["London"] * 4},
        "data": {"$t": "pd.Series", "name": None, "values": {"dtype": "float64", "v": []},
                 "index": {"$t": "pd.RangeIndex", "start": 0, "stop": 10 ** 12, "step": 1}}}},
        open(path, "w"))
extract.record = record
largest = "Wales"
"""
# Raises with its arguments (the hidden test's inputs) in the message and in the exception's name.
RAISES_ARGUMENTS = """\
def gap(values, a, b):
    if (a, b) == ("London", "Wales"):
        return 48.1 / 31.2
    name = "Leak_" + "_".join(f"{k}{v}" for k, v in sorted(values.items()))
    raise type(name, (ValueError,), {})(f"inputs were {values!r}, {a!r}, {b!r}")
"""
RETURNS_ARGUMENTS = """\
def gap(values, a, b):
    if (a, b) == ("London", "Wales"):
        return 48.1 / 31.2
    return f"inputs were {values!r}, {a!r}, {b!r}"
"""
# A large cell of magics: IPython's translator and the old scan took minutes on it.
MAGIC_FLOOD = "".join(f"%time x{i} = {i}\n" for i in range(10_000)) + 'largest = "Wales"\n'
# Code hidden inside %time and %%timeit, and an answer cell retyped as Markdown (nbgrader runs it).
IN_MAGICS = """\
%time import gc
%time largest = "Wales"
"""
IN_CELL_MAGIC = """\
%%timeit -n1 -r1
import ctypes
largest = "Wales"
"""
MARKDOWN_CODE = """\
import gc
largest = "Wales"
"""


def _markdown_answer(grade_id: str, source: str):
    def edit(nb: dict) -> dict:
        for i in _cells(nb, grade_id):
            cell = nb["cells"][i]
            cell.update(cell_type="markdown", source=source)
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
        return nb
    return edit


# What a hidden test of the fixture passes to gap: no student-visible text may show it.
HIDDEN_INPUTS = ("'A': 3", "'B': 8", "A3_B8", "'A', 'B'")


def cases() -> list[Case]:
    right = {"ex1-solution": GAP_RIGHT, "ex2-solution": LARGEST_RIGHT}
    wrong2 = {"ex1-solution": GAP_RIGHT, "ex2-solution": LARGEST_WRONG}
    wrong1 = {"ex1-solution": GAP_VISIBLE_ONLY, "ex2-solution": LARGEST_RIGHT}
    ok = {"ok"}
    return [
        # Honest submissions: the baselines, graded in the same class as the attacks.
        Case("honest-right", "both exercises right", "honest-right", ok, right),
        Case("honest-wrong-ex2", "exercise 1 right, exercise 2 wrong", "honest-wrong-ex2", ok, wrong2),
        Case("honest-wrong-ex1", "exercise 1 passes only the visible test, exercise 2 right",
             "honest-wrong-ex1", ok, wrong1),
        Case("untouched", "the release as given", "untouched", ok, {}),
        # Runaway code.
        Case("infinite-loop", "`while True: pass` in exercise 2", "honest-wrong-ex2", {"timeout"},
             {"ex1-solution": GAP_RIGHT, "ex2-solution": "while True:\n    pass\n"}),
        Case("stubborn-loop", "a C loop that ignores interrupts", "honest-wrong-ex2", {"timeout"},
             {"ex1-solution": GAP_RIGHT, "ex2-solution": "total = sum(range(10 ** 14))\n"}),
        Case("kernel-exit", "os._exit(1) in exercise 2", "honest-wrong-ex2", {"review"},
             {"ex1-solution": GAP_RIGHT, "ex2-solution": "import os\nos._exit(1)\n"}, review=True),
        Case("segfault", "ctypes reads address 0", "honest-wrong-ex2", {"review"},
             {"ex1-solution": GAP_RIGHT, "ex2-solution": "import ctypes\nctypes.string_at(0)\n"},
             review=True),
        Case("huge-output", "prints 50 MB", "honest-wrong-ex2", ok,
             {"ex1-solution": GAP_RIGHT,
              "ex2-solution": 'print(("x" * 999 + "\\n") * 50_000)\n' + LARGEST_WRONG}),
        Case("memory-bomb", "allocates until memory runs out", "honest-wrong-ex2", ok | {"error"},
             {"ex1-solution": GAP_RIGHT,
              "ex2-solution": "hog = []\nwhile True:\n    hog.append(bytearray(50 * 1024 ** 2))\n"}),
        Case("huge-answer", "a 100 MB string as the answer", "honest-wrong-ex2", ok,
             {"ex1-solution": GAP_RIGHT, "ex2-solution": 'largest = "x" * 100_000_000\n'}),
        Case("deep-answer", "an answer nested 100,000 deep", "honest-wrong-ex2", ok,
             {"ex1-solution": GAP_RIGHT,
              "ex2-solution": "largest = []\nfor _ in range(100_000):\n    largest = [largest]\n"}),
        # Structure.
        Case("deleted-test-cell", "the ex2 test cell deleted", "honest-wrong-ex2", ok, wrong2,
             _delete("ex2-tests")),
        Case("deleted-answer-cell", "the ex2 answer cell deleted", "honest-wrong-ex2", ok, wrong2,
             _delete("ex2-solution")),
        Case("deleted-exercise", "the ex2 answer and test cells and the written answer deleted",
             "honest-wrong-ex2", ok, wrong2, lambda nb: _delete("ex3-written")(_delete("ex2-tests")(
                 _delete("ex2-solution")(nb)))),
        Case("unknown-cell-ids", "cells carrying made-up and broken nbgrader metadata",
             "honest-wrong-ex2", ok, wrong2, _unknown_ids),
        Case("reordered-cells", "the ex2 test cell moved above its answer", "honest-wrong-ex2", ok,
             wrong2, _move_before("ex2-tests", "ex2-solution")),
        Case("duplicated-cells", "the ex1 test cell duplicated", "honest-wrong-ex2", ok, wrong2,
             _duplicate("ex1-tests")),
        Case("retyped-cells", "answer and test cells turned into Markdown", "honest-wrong-ex2", ok,
             wrong2, _retype("ex1-tests", "ex2-solution")),
        Case("edited-test-cell", "the ex2 test cell replaced by `pass`", "honest-wrong-ex2", ok,
             {**wrong2, "ex2-tests": "pass\n"}),
        Case("edited-points", "the ex2 test cell claims 100 points", "honest-wrong-ex2", ok, wrong2,
             _metadata("ex2-tests", points=100)),
        Case("changed-kernel", "the notebook asks for a bash kernel", "honest-wrong-ex2", ok, wrong2,
             _kernelspec),
        Case("corrupted-json", "a truncated file", "untouched", {"invalid"},
             raw=b'{"cells": [{"cell_type": "code", '),
        Case("missing-notebook", "only Untitled.ipynb", "untouched", {"invalid"}, no_notebook=True,
             files={"Untitled.ipynb": b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'}),
        Case("not-a-notebook", "a PNG file named like the notebook", "untouched", {"invalid"},
             raw=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)),
        Case("json-not-notebook", "JSON, but not a notebook", "untouched", {"invalid"},
             raw=b'{"name": "a JSON file, but not a notebook"}'),
        Case("symlink-to-source", "a link to the instructor's source in the folder", "honest-wrong-ex2",
             ok, wrong2, links={"notes.ipynb": str(FIXTURE_LESSONS / LESSON / f"{LESSON}.ipynb")}),
        # Attempts to fool the tests.
        Case("hook-steals-answer", "a pre_run_cell hook copies the answer out of the test cell",
             "honest-wrong-ex2", {"review"}, {"ex1-solution": GAP_RIGHT, "ex2-solution": HOOK_STEAL},
             review=True),
        Case("input-transformer", "an input transformer turns every assert into pass",
             "honest-wrong-ex2", {"review"}, {"ex1-solution": GAP_RIGHT, "ex2-solution": TRANSFORMER},
             review=True),
        Case("custom-exception-handler", "set_custom_exc swallows every error", "honest-wrong-ex2",
             {"review"}, {"ex1-solution": GAP_RIGHT, "ex2-solution": CUSTOM_EXC}, review=True),
        Case("excepthook", "sys.excepthook replaced", "honest-wrong-ex2", {"review"},
             {"ex1-solution": GAP_RIGHT, "ex2-solution": EXCEPTHOOK}, review=True),
        Case("redefined-builtins", "isinstance, abs and type replaced in builtins", "honest-wrong-ex2",
             {"review"}, {"ex1-solution": GAP_RIGHT, "ex2-solution": BUILTINS}, review=True),
        Case("patched-checks", "course.checks helpers replaced", "honest-wrong-ex2", {"review"},
             {"ex1-solution": GAP_RIGHT, "ex2-solution": CHECKS}, review=True),
        Case("always-equal", "an answer that equals everything", "honest-wrong-ex2", {"review"},
             {"ex1-solution": GAP_RIGHT, "ex2-solution": ALWAYS_EQUAL}, review=True),
        Case("always-close", "gap returns a float whose difference is always 0", "honest-wrong-ex1",
             {"review"}, {"ex1-solution": GAP_ALWAYS_CLOSE, "ex2-solution": LARGEST_RIGHT}, review=True),
        Case("frame-walk", "gap reads EXPECTED_* from its caller's frames", "honest-wrong-ex1",
             {"review"}, {"ex1-solution": FRAME_WALK, "ex2-solution": LARGEST_RIGHT}, review=True),
        Case("gc-search", "gap searches the garbage collector for EXPECTED_*", "honest-wrong-ex1",
             {"review"}, {"ex1-solution": GC_SEARCH, "ex2-solution": LARGEST_RIGHT}, review=True),
        Case("forged-answers", "writes its own answers file with a frame-walking gap",
             "honest-wrong-ex2", {"review"}, {"ex1-solution": GAP_RIGHT, "ex2-solution": WRITE_ANSWERS},
             review=True),
        Case("reads-instructor-source", "searches the disk for the lesson's source notebook",
             "honest-wrong-ex2", {"review"}, {"ex1-solution": GAP_RIGHT, "ex2-solution": READ_SOURCE},
             review=True),
        Case("reads-gradebook", "searches the disk for a gradebook", "honest-wrong-ex2", {"review"},
             {"ex1-solution": GAP_RIGHT, "ex2-solution": READ_GRADEBOOK}, review=True),
        Case("kills-grader", "kills its parent process", "honest-wrong-ex2", {"review"},
             {"ex1-solution": GAP_RIGHT, "ex2-solution": KILL_PARENT}, review=True),
        Case("uses-network", "opens a network connection", "honest-wrong-ex2", {"review"},
             {"ex1-solution": GAP_RIGHT, "ex2-solution": NETWORK}, review=True),
        # Issue 17: escapes found by an independent set of hostile submissions, one class each.
        Case("plants-links", "the kernel replaces its files with links to a neighbour's notebook "
             "and to a file outside every submission", "honest-wrong-ex2", {"review"},
             {"ex1-solution": GAP_RIGHT, "ex2-solution": PLANT_LINKS}, review=True, kind="links"),
        Case("runner-links-source", "the function the checker runs swaps the graded notebook for a "
             "link to the lesson's source", "honest-right", {"review"},
             {"ex1-solution": RUNNER_LINKS, "ex2-solution": LARGEST_RIGHT}, review=True,
             kind="instructor content"),
        Case("prints-source", "the kernel prints the lesson's source notebook", "honest-wrong-ex2",
             {"review"}, {"ex1-solution": GAP_RIGHT, "ex2-solution": PRINT_SOURCE}, review=True,
             kind="instructor content"),
        Case("rewrites-answers", "a later cell rewrites the recorded answers (folder found through "
             "the environment)", "honest-wrong-ex1", {"review"},
             {"ex1-solution": GAP_VISIBLE_ONLY, "ex2-solution": REWRITE_ANSWERS}, review=True,
             kind="marks without the work"),
        Case("smuggled-def", "the recorded function carries a second, right definition of gap",
             "honest-wrong-ex1", {"review"},
             {"ex1-solution": SMUGGLED_DEF + GAP_VISIBLE_ONLY, "ex2-solution": LARGEST_RIGHT},
             review=True, kind="marks without the work"),
        Case("raises-arguments", "gap raises with the hidden test's inputs in its message and "
             "exception name", "honest-wrong-ex1", ok,
             {"ex1-solution": RAISES_ARGUMENTS, "ex2-solution": LARGEST_RIGHT},
             never_shown=HIDDEN_INPUTS, kind="hidden inputs"),
        Case("returns-arguments", "gap returns the hidden test's inputs as text", "honest-wrong-ex1",
             ok, {"ex1-solution": RETURNS_ARGUMENTS, "ex2-solution": LARGEST_RIGHT},
             never_shown=HIDDEN_INPUTS, kind="hidden inputs"),
        Case("expanding-record", "a 300-byte record that rebuilds into gigabytes", "honest-wrong-ex2",
             {"review"}, {"ex1-solution": GAP_RIGHT, "ex2-solution": EXPANDING_RECORD}, review=True,
             kind="limits"),
        Case("magic-flood", "a 190 KB cell of %time magics", "honest-wrong-ex2", {"timeout", "review"},
             {"ex1-solution": GAP_RIGHT, "ex2-solution": MAGIC_FLOOD}, review=None, kind="limits"),
        Case("code-in-magics", "flagged code inside %time", "honest-wrong-ex2", {"review"},
             {"ex1-solution": GAP_RIGHT, "ex2-solution": IN_MAGICS}, review=True, kind="unseen code"),
        Case("code-in-cell-magic", "flagged code inside %%timeit", "honest-wrong-ex2", {"review"},
             {"ex1-solution": GAP_RIGHT, "ex2-solution": IN_CELL_MAGIC}, review=True,
             kind="unseen code"),
        Case("linked-folder", "the submission folder is a link to the lesson's source folder",
             "untouched", {"invalid"}, folder_link=str(FIXTURE_LESSONS / LESSON), kind="links"),
        Case("markdown-answer-cell", "flagged code in a Markdown cell carrying the answer cell's "
             "metadata", "honest-wrong-ex2", {"review"}, wrong2,
             _markdown_answer("ex2-solution", MARKDOWN_CODE), review=True, kind="unseen code"),
    ]


def student_notebook() -> dict:
    """The fixture lesson's student version, made by the real release pipeline."""
    import tempfile

    from course.grading import release

    with tempfile.TemporaryDirectory() as tmp:
        release(FIXTURE_LESSONS, tmp, lesson_ids=[LESSON])
        return json.loads((Path(tmp) / LESSON / f"{LESSON}.ipynb").read_text(encoding="utf-8"))


CANARY_TEXT = "a file outside every submission: grading must never change it\n"


def canary(dest: Path) -> Path:
    """A file beside the submissions folder that planted links point at."""
    return Path(dest).resolve().parent / "hostile-canary.txt"


def write(dest: str | Path, chosen: list[Case] | None = None, base: dict | None = None) -> list[Case]:
    """Write each case to ``dest/<case>/zz-fixture/`` and return the cases."""
    import os

    dest = Path(dest)
    base = base or student_notebook()
    chosen = chosen or cases()
    places = {"@SUBMITTED@": str(dest.resolve()), "@LESSONS@": str(FIXTURE_LESSONS.resolve()),
              "@CANARY@": str(canary(dest))}
    dest.mkdir(parents=True, exist_ok=True)
    canary(dest).write_text(CANARY_TEXT, encoding="utf-8")
    for case in chosen:
        folder = dest / case.name / LESSON
        if case.folder_link:
            folder.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(case.folder_link, folder)
            continue
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in case.files.items():
            (folder / name).write_bytes(data)
        for name, target in case.links.items():
            os.symlink(target, folder / name)
        if case.no_notebook:
            continue
        path = folder / f"{LESSON}.ipynb"
        if case.raw is not None:
            path.write_bytes(case.raw)
            continue
        nb = json.loads(json.dumps(base))
        for grade_id, source in case.answers.items():
            for key, value in places.items():
                source = source.replace(key, value)
            _set(nb, grade_id, source)
        if case.edit is not None:
            nb = case.edit(nb)
        path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return chosen


PLAIN_NBGRADER = """\
import json, logging, sys
sys.modules.setdefault("rfc3987_syntax", None)
from traitlets.config import Config
from nbgrader.api import Gradebook
from nbgrader.converters import Autograde, GenerateAssignment
from nbgrader.coursedir import CourseDirectory
from course.grading.releasing._nbgrader import prepare_nbgrader
prepare_nbgrader()
root, student, lesson, cell_limit = sys.argv[1:5]
c = Config(); c.CourseDirectory.root = root; c.Execute.timeout = int(cell_limit)
c.CourseDirectory.db_url = f"sqlite:///{root}/gradebook.db"
log = logging.getLogger("plain"); log.addHandler(logging.NullHandler()); log.propagate = False
cd = CourseDirectory(config=c, log=log); cd.assignment_id = lesson
if student == "--generate":
    app = GenerateAssignment(coursedir=cd, config=c, log=log); app.force = True; app.start()
    sys.exit(0)
cd.student_id = student
app = Autograde(coursedir=cd, config=c, log=log); app.force = True
try:
    app.start()
except BaseException as exc:
    print(json.dumps({"error": type(exc).__name__})); sys.exit(0)
with Gradebook(c.CourseDirectory.db_url) as gb:
    print(json.dumps({"score": gb.find_submission(lesson, student).score}))
"""


def plain_nbgrader(submitted: Path, work: Path, names: list[str]) -> dict:
    """Grade each case with nbgrader alone (hidden tests in the student's kernel), for comparison,
    with the same limits as :func:`grade_class` (the submission's limit as a wall-clock limit)."""
    import shutil
    import subprocess

    limits = suite_limits()
    wall = limits["submission"]

    root = work / "plain"
    shutil.copytree(FIXTURE_LESSONS / LESSON, root / "source" / LESSON,
                    ignore=shutil.ignore_patterns("instructor_notes*"))
    subprocess.run([sys.executable, "-c", PLAIN_NBGRADER, str(root), "--generate", LESSON,
                    str(limits["cell"])], check=True, capture_output=True, timeout=wall)
    out = {}
    for name in names:
        target = root / "submitted" / name / LESSON
        shutil.copytree(submitted / name / LESSON, target, symlinks=True)
        try:
            cell = limits["never_finishes_cell" if name in NEVER_FINISH else "cell"]
            done = subprocess.run([sys.executable, "-c", PLAIN_NBGRADER, str(root), name, LESSON, str(cell)],
                                  capture_output=True, text=True, timeout=wall,
                                  start_new_session=True)
            line = (done.stdout.strip().splitlines() or ["{}"])[-1]
            result = json.loads(line) if line.startswith("{") else {}
            out[name] = (f"{result['score']:g}" if "score" in result
                         else f"fails ({result.get('error', 'crashed')})")
        except subprocess.TimeoutExpired:
            out[name] = f"hangs (killed after {wall:g} s)"
    return out


def suite_limits() -> dict[str, int]:
    """The test suite's grading limits (tests/conftest.py), in seconds: per cell, per submission,
    and per cell for the cases in NEVER_FINISH."""
    if "conftest" not in sys.modules and str(HERE.parent) not in sys.path:
        sys.path.insert(0, str(HERE.parent))  # run as a script: tests/ is not on the path
    import conftest

    return {"cell": conftest.CELL_LIMIT, "submission": conftest.SUBMISSION_LIMIT,
            "never_finishes_cell": conftest.NEVER_FINISHES_CELL_LIMIT}


def grade_class(submitted: Path, out: Path, students: list[str], force: bool = False):
    """Grade these students of the fixture lesson as one class, with the suite's limits: those that
    can finish with the generous ones, those in NEVER_FINISH with the short cell limit (the
    submission's limit stays generous, so the cell limit is what stops them). Returns both tables
    as one, by student."""
    import pandas as pd

    from course.grading import autograde

    limits = suite_limits()
    frames = []
    for group, cell in ((sorted(set(students) - NEVER_FINISH), limits["cell"]),
                        (sorted(set(students) & NEVER_FINISH), limits["never_finishes_cell"])):
        if group:
            frames.append(autograde(LESSON, submitted, lessons_dir=FIXTURE_LESSONS, out_dir=out,
                                    students=group, force=force, workers=2, memory_mb=1024,
                                    timeout_per_cell=cell, timeout_per_submission=limits["submission"],
                                    quiet=True))
    return pd.concat(frames, ignore_index=True).sort_values("student", ignore_index=True)


def report(dest: Path, compare: bool = False) -> str:
    """Grade the corpus and return a Markdown table of what the instructor sees."""
    chosen = write(dest / "submitted")
    frame = grade_class(dest / "submitted", dest / "out", [c.name for c in chosen]).set_index("student")
    plain = plain_nbgrader(dest / "submitted", dest, [c.name for c in chosen]) if compare else {}
    head = "| case | what it does | status | score (honest baseline) |"
    head += " nbgrader alone |" if compare else ""
    lines = [head + " what the instructor sees |",
             "| --- | --- | --- | --- |" + (" --- |" if compare else "") + " --- |"]
    for case in chosen:
        row = frame.loc[case.name]
        base = frame.loc[case.baseline, "score"]
        message = str(row["message"]).replace("|", "\\|")
        extra = f" {plain.get(case.name, '')} |" if compare else ""
        lines.append(f"| {case.name} | {case.what} | {row['status']} | {row['score']:g} ({base:g}) |"
                     f"{extra} {message[:200]} |")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest")
    parser.add_argument("--report", action="store_true", help="grade the corpus and print a table")
    parser.add_argument("--compare-nbgrader", action="store_true",
                        help="with --report: also grade each case with nbgrader alone")
    args = parser.parse_args()
    if args.report:
        print(report(Path(args.dest), compare=args.compare_nbgrader))
    else:
        for case in write(Path(args.dest)):
            print(case.name)
    sys.exit(0)
