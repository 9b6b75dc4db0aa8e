"""course.grading's layout: three subpackages by job, imports that go one way, public names only
outside the package, and a kernel side that loads no grader."""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PATIENCE

import course.grading

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "course" / "grading"
SUBPACKAGES = ("releasing", "grade", "kernel")


def imported_modules(text: str, package: str = "") -> list[tuple[int, str]]:
    """(line, module) for every import in ``text``, ``from X import Y`` giving X.Y too (Y may be a
    module); relative imports resolved against ``package``."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def grading_imports(path: Path) -> list[tuple[int, str]]:
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    return [(line, m) for line, m in imported_modules(path.read_text(encoding="utf-8"), package)
            if m == "course.grading" or m.startswith("course.grading.")]


def test_the_package_is_split_into_its_three_jobs_and_nothing_else():
    flat = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert flat == [], f"modules outside the three subpackages: {flat}"
    assert sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__") == \
        sorted(SUBPACKAGES)
    for sub in SUBPACKAGES:
        assert (PACKAGE / sub / "__init__.py").is_file()
        assert all(p.name == "__init__.py" or p.name.startswith("_") for p in (PACKAGE / sub).glob("*.py"))


@pytest.mark.parametrize(("sub", "allowed"), [
    ("kernel", ("course.grading.kernel",)),
    ("releasing", ("course.grading.releasing",)),
])
def test_imports_go_one_way(sub, allowed):
    """kernel imports nothing else from course.grading; releasing nothing from grade or kernel."""
    wrong = [f"{path.relative_to(REPO)}:{line} imports {module}"
             for path in sorted((PACKAGE / sub).glob("*.py"))
             for line, module in grading_imports(path)
             if not module.startswith(allowed)
             # the package itself, for the lazy loader only (it imports no subpackage)
             and not (module in ("course.grading", "course.grading.lazy_exports") and sub != "kernel")]
    assert wrong == []


def test_the_kernel_side_loads_in_an_interpreter_where_the_grader_cannot():
    """What a graded test cell runs in the student's kernel: the recording line imports
    course.grading.kernel._extract. With releasing and grade made impossible to import, it still
    loads and records, and nothing else of course.grading is loaded."""
    code = r"""
import importlib.abc, json, os, sys, tempfile

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.startswith(("course.grading.releasing", "course.grading.grade")):
            raise ImportError(f"blocked: {name}")
        return None

sys.meta_path.insert(0, Block())
os.environ["COURSE_ANSWERS_DIR"] = answers = tempfile.mkdtemp()
from course.grading.kernel._extract import record
gap = lambda a, b: a - b
data = [1, 2, 3]
record("ex1-tests", ["gap", "data"])
print(json.dumps({"loaded": sorted(m for m in sys.modules if m.startswith("course.grading")),
                  "recorded": sorted(os.listdir(answers))}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          timeout=PATIENCE)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["loaded"] == ["course.grading", "course.grading.kernel", "course.grading.kernel._codec",
                             "course.grading.kernel._extract"]
    assert out["recorded"] == ["ex1-tests.json"]


def test_the_recording_line_names_the_kernel_module():
    from course.grading.grade._lesson import _prologue

    line = _prologue("ex1-tests", ["gap"]).splitlines()[1]
    assert "from course.grading.kernel._extract import record" in line


# Outside the package, these use public names only (tests may reach into private modules).
CALLERS = [REPO / "course" / "cli.py", *sorted((REPO / "site").rglob("*.py")),
           *sorted((REPO / "benchmarks").rglob("*.py"))]
PRIVATE = re.compile(r"course\.grading(\.\w+)*\._\w+|course/grading/(\w+/)*_\w+\.py")


def _private(module: str) -> bool:
    return any(part.startswith("_") for part in module.split(".")[2:])


def test_the_command_the_site_and_the_benchmarks_use_public_names_only():
    public = {"course.grading", *(f"course.grading.{s}" for s in SUBPACKAGES)}
    exported = set(course.grading.__all__)
    for sub in ("releasing", "grade"):
        exported |= {f"course.grading.{sub}.{n}" for n in importlib.import_module(f"course.grading.{sub}").__all__}
    exported |= {f"course.grading.{n}" for n in course.grading.__all__}
    wrong = []
    for path in CALLERS:
        text = path.read_text(encoding="utf-8")
        wrong += [f"{path.relative_to(REPO)}:{text.count(chr(10), 0, m.start()) + 1} names {m.group(0)}"
                  for m in PRIVATE.finditer(text)]
        for line, module in grading_imports(path):
            if module not in public and module not in exported or _private(module):
                wrong.append(f"{path.relative_to(REPO)}:{line} imports {module}")
    assert len(CALLERS) > 5 and wrong == []


def test_the_scan_of_callers_would_see_a_private_import():
    """The check above is not vacuous: each kind of private reference is caught."""
    cases = {"from course.grading.grade._records import final_mark\n": True,
             "import course.grading.releasing._lessons as x\n": True,
             "from course.grading import _x\n": True,
             "from course.grading.kernel import _extract\n": True,
             "from course.grading import final_mark, release\n": False,
             "from course.grading.grade import Workspace\n": False}
    for text, private in cases.items():
        assert any(_private(m) for _, m in imported_modules(text)) == private, text
    assert PRIVATE.search('argv = ["-m", "course.grading.grade._worker"]')
    assert PRIVATE.search("see course/grading/releasing/_content.py")
    assert not PRIVATE.search("course.grading.release(lessons, dest)")


def test_the_public_names_are_the_subpackages_names_and_resolve():
    releasing = importlib.import_module("course.grading.releasing")
    grade = importlib.import_module("course.grading.grade")
    assert set(course.grading.__all__) == set(releasing.__all__) | set(grade.__all__)
    assert not set(releasing.__all__) & set(grade.__all__)
    for name in course.grading.__all__:
        source = releasing if name in releasing.__all__ else grade
        assert getattr(course.grading, name) is getattr(source, name), name
    assert course.grading.detect_isolation.__name__ == "detect"
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        course.grading.nothing  # noqa: B018
    # The subpackage is ``releasing``: a subpackage called ``release`` would shadow the function.
    assert callable(course.grading.release)


def test_the_guides_name_modules_that_exist():
    """The instructor guide ("How a mark is computed") and CONTRIBUTING.md name grading modules by
    path: each one exists, and final_mark's is where the guide says."""
    pattern = re.compile(r"`(?:course/grading/)?((?:releasing|grade|kernel)/_\w+\.py)`")
    named = set()
    for doc in ("docs/INSTRUCTOR_GUIDE.md", "CONTRIBUTING.md"):
        named |= set(pattern.findall((REPO / doc).read_text(encoding="utf-8")))
    assert len(named) >= 10
    assert [n for n in sorted(named) if not (PACKAGE / n).is_file()] == []
    guide = (REPO / "docs" / "INSTRUCTOR_GUIDE.md").read_text(encoding="utf-8")
    where = Path(sys.modules[course.grading.final_mark.__module__].__file__).relative_to(REPO)
    assert f"`{where.as_posix()}`" in guide
