"""The nbgrader pipeline on the fixture lesson: release, leak check, student view, autograde."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CELL_LIMIT, PATIENCE, SUBMISSION_LIMIT, stop, wait_until

from course.grading import (
    DISABLED_LAB_EXTENSIONS,
    NBGRADER_IGNORE,
    STUDENT_CONFIG_DIR,
    STUDENT_LAB_SETTINGS,
    GradingError,
    ReleaseError,
    autograde,
    find_folder_leaks,
    find_leaks,
    lab_command,
    release,
    student_view,
)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
LESSONS = FIXTURES / "lessons"
LESSON = "zz-fixture"
SOURCE_NB = LESSONS / LESSON / f"{LESSON}.ipynb"
AUTOGRADED_MAX = 3.0  # ex1-tests (2) + ex2-tests (1); the written answer (2) is graded by hand


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_fixture", FIXTURES / "build_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tree_state(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _set_cell(nb: dict, grade_id: str, source: str) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            cell["source"] = source
            return nb
    raise AssertionError(f"no cell {grade_id}")


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("release")
    before = _tree_state(LESSONS)
    written = release(LESSONS, dest)
    assert written == [dest / LESSON]
    assert _tree_state(LESSONS) == before, "release must never modify the lesson sources"
    return dest / LESSON


# ----------------------------------------------------------------------------------------------
# Fixture, release and leak check
# ----------------------------------------------------------------------------------------------


def test_committed_fixture_matches_builder():
    builder = _load_builder()
    assert SOURCE_NB.read_text(encoding="utf-8") == builder.dumps(builder.build())
    assert (LESSONS / LESSON / "instructor_notes.md").read_text() == builder.NOTES_TEXT


def test_release_has_no_leaks_and_no_instructor_files(released):
    nb_path = released / f"{LESSON}.ipynb"
    assert find_leaks(nb_path, SOURCE_NB) == []
    assert sorted(p.name for p in released.iterdir()) == ["regions.csv", f"{LESSON}.ipynb"]
    text = nb_path.read_text(encoding="utf-8")
    for secret in ("ratio_of_regions", "hidden_result", "BEGIN", "Rubric", "Model answer", "0.375"):
        assert secret not in text
    nb = json.loads(text)
    assert all(not cell.get("outputs") for cell in nb["cells"])
    written = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "ex3-written"]
    assert "".join(written[0]["source"]) == "YOUR ANSWER HERE"
    # The visible test stays, so students can check themselves.
    assert "gap(data, 'London', 'Wales') should be" in text


def test_find_leaks_spots_pasted_solution_rubric_and_outputs(released, tmp_path):
    nb = json.loads((released / f"{LESSON}.ipynb").read_text(encoding="utf-8"))
    nb = _set_cell(nb, "ex2-solution", "largest = max(data, key=data.get)\n")
    nb["cells"][0]["source"] = "Reminder: **Rubric (instructor only)** is below."
    nb["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "0.75\n"}]
    bad = tmp_path / "leaky" / f"{LESSON}.ipynb"
    bad.parent.mkdir()
    bad.write_text(json.dumps(nb), encoding="utf-8")
    (bad.parent / "instructor_notes.md").write_text("secret")

    reasons = find_leaks(bad, SOURCE_NB)
    joined = "\n".join(reasons)
    assert "the solution of 'ex2-solution'" in joined
    assert "largest = max(data, key=data.get)" in joined
    assert "rubric" in joined.lower()
    assert "output" in joined
    assert "instructor_notes.md" in joined
    # Without the source the delimiter-free solution line cannot be recognised, the rest can.
    assert not any("ex2-solution" in r for r in find_leaks(bad))
    assert find_folder_leaks(bad.parent)


def test_planted_hidden_test_refuses_release_and_writes_nothing(tmp_path):
    lessons = tmp_path / "lessons"
    shutil.copytree(LESSONS / LESSON, lessons / LESSON)
    shutil.copytree(LESSONS / LESSON, lessons / "zz-good")
    (lessons / "zz-good" / f"{LESSON}.ipynb").rename(lessons / "zz-good" / "zz-good.ipynb")
    nb_path = lessons / LESSON / f"{LESSON}.ipynb"
    # A typo nbgrader does not recognise leaves the hidden tests in the student version.
    text = nb_path.read_text(encoding="utf-8")
    nb_path.write_text(text.replace("HIDDEN TESTS", "HIDDEN TEST"), encoding="utf-8")

    dest = tmp_path / "release"
    with pytest.raises(ReleaseError) as info:
        release(lessons, dest)
    message = str(info.value)
    assert f"Refused to release '{LESSON}'" in message
    assert "BEGIN HIDDEN TEST" in message
    assert not (dest / LESSON).exists()
    assert info.value.refused.keys() == {LESSON}
    # The healthy lesson is still released.
    assert (dest / "zz-good" / "zz-good.ipynb").exists()


def test_broken_metadata_gives_friendly_release_error(tmp_path):
    lessons = tmp_path / "lessons"
    shutil.copytree(LESSONS / LESSON, lessons / LESSON)
    nb_path = lessons / LESSON / f"{LESSON}.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "ex1-solution":
            del cell["metadata"]["nbgrader"]
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ReleaseError, match="nbgrader could not generate"):
        release(lessons, tmp_path / "out")
    assert not (tmp_path / "out" / LESSON).exists()


def test_unknown_lesson_lists_valid_ids(tmp_path):
    with pytest.raises(GradingError, match="Valid options \\(closest first\\): 'zz-fixture'"):
        release(LESSONS, tmp_path, lesson_ids=["zz-fixtrue"])


def test_repo_nbgrader_config_ignores_instructor_files_and_uses_the_workspace(monkeypatch, tmp_path):
    from traitlets.config.loader import PyFileConfigLoader

    from course.grading import Workspace

    monkeypatch.delenv("COURSE_WORKSPACE", raising=False)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    assert config.CourseDirectory.ignore == NBGRADER_IGNORE
    assert config.CourseDirectory.root == str(REPO)
    assert config.CourseDirectory.source_directory == "lessons"
    assert config.CourseDirectory.release_directory.startswith("build/")
    default = Workspace(REPO / "coursework")
    assert config.CourseDirectory.db_url == default.db_url
    assert config.CourseDirectory.submitted_directory == str(default.submitted)
    assert config.CourseDirectory.autograded_directory == str(default.autograded)
    assert config.CourseDirectory.feedback_directory == str(default.feedback)
    assert "nbgrader.preprocessors.ClearHiddenTests" in config.GenerateFeedback.preprocessors
    # The same workspace as the course command when COURSE_WORKSPACE names one.
    monkeypatch.setenv("COURSE_WORKSPACE", str(tmp_path / "ws"))
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    assert config.CourseDirectory.db_url == Workspace().db_url == Workspace(tmp_path / "ws").db_url


# ----------------------------------------------------------------------------------------------
# Student view and lab
# ----------------------------------------------------------------------------------------------


def test_student_view_config_readme_and_kept_student_work(tmp_path):
    dest = tmp_path / "student"
    assert student_view(LESSONS, dest) == [dest / LESSON]
    readme = (dest / "README.md").read_text(encoding="utf-8")
    assert "Fixture lesson: a regional gap" in readme
    assert f"({LESSON}/{LESSON}.ipynb)" in readme
    page = json.loads((dest / STUDENT_CONFIG_DIR / "labconfig" / "page_config.json").read_text())
    for plugin in ("formgrader", "create-assignment", "course-list", "assignment-list"):
        assert page["disabledExtensions"][f"@jupyter/nbgrader:{plugin}"] is True
    # Workshop labs are offline: no "Jupyter news?" prompt, no news fetch or update check.
    assert page["disabledExtensions"]["@jupyterlab/apputils-extension:announcements"] is True
    settings = dest / STUDENT_CONFIG_DIR / "lab" / "user-settings" / "@jupyterlab"
    notification = json.loads((settings / "apputils-extension" / "notification.jupyterlab-settings")
                              .read_text())
    assert notification["fetchNews"] == "false" and notification["checkForUpdates"] is False
    docmanager = json.loads((settings / "docmanager-extension" / "plugin.jupyterlab-settings")
                            .read_text())
    assert docmanager == {"defaultViewers": {"markdown": "Markdown Preview"}}
    server = json.loads((dest / STUDENT_CONFIG_DIR / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False
    # `course lab` saves as the hubs do: the same pre-save hook as the deployed student settings
    deployed = json.loads((REPO / "deploy" / "jupyter" / "student" / "jupyter_server_config.json")
                          .read_text(encoding="utf-8"))
    assert server["ContentsManager"] == deployed["ContentsManager"]
    module, _, name = server["ContentsManager"]["pre_save_hook"].rpartition(".")
    assert callable(getattr(importlib.import_module(module), name))
    assert find_folder_leaks(dest) == []
    assert not list(dest.rglob("instructor_notes*"))

    # A rerun keeps a notebook the student has worked on.
    nb_path = dest / LESSON / f"{LESSON}.ipynb"
    nb_path.write_text(nb_path.read_text().replace("YOUR ANSWER HERE", "My answer."))
    student_view(LESSONS, dest)
    assert "My answer." in nb_path.read_text()

    cmd, env = lab_command(dest, port=8899, open_browser=False)
    assert env["JUPYTER_CONFIG_DIR"] == str((dest / STUDENT_CONFIG_DIR).resolve())
    assert f"--ServerApp.root_dir={dest.resolve()}" in cmd
    assert "--no-browser" in cmd and "--ServerApp.port=8899" in cmd


def test_student_view_refuses_foreign_folder_and_lab_refuses_sources(tmp_path):
    (tmp_path / "mine.txt").write_text("not a student view")
    with pytest.raises(GradingError, match="not a student view"):
        student_view(LESSONS, tmp_path)
    with pytest.raises(GradingError, match="course student-view"):
        lab_command(LESSONS / LESSON)
    # A student view into which someone copied a source notebook is refused.
    dest = tmp_path / "sv"
    student_view(LESSONS, dest)
    shutil.copy(SOURCE_NB, dest / LESSON / "copy.ipynb")
    with pytest.raises(ReleaseError, match="instructor content"):
        lab_command(dest)


def test_disabled_extensions_exist_in_installed_lab():
    import jupyterlab
    import nbgrader

    assert "@jupyterlab/apputils-extension:announcements" in DISABLED_LAB_EXTENSIONS
    static = Path(nbgrader.__file__).parent / "labextension" / "static"
    bundle = "".join(p.read_text(errors="replace") for p in static.glob("*.js"))
    core = "".join(p.read_text(errors="replace")
                   for p in (Path(jupyterlab.__file__).parent / "static").glob("*.js"))
    for plugin in DISABLED_LAB_EXTENSIONS:
        where = bundle if plugin.startswith("@jupyter/nbgrader:") else core
        assert f'"{plugin}"' in where, plugin
    # The settings the student view writes are valid for the installed JupyterLab's schemas.
    import jsonschema

    schemas = Path(jupyterlab.__file__).parent / "schemas"
    for plugin_id, settings in STUDENT_LAB_SETTINGS.items():
        package, plugin = plugin_id.split(":")
        schema = json.loads((schemas / package / f"{plugin}.json").read_text())
        jsonschema.validate(settings, schema)


# ----------------------------------------------------------------------------------------------
# Autograde
# ----------------------------------------------------------------------------------------------


def _put(root: Path, student: str, nb: dict | None = None, raw: bytes | None = None) -> None:
    folder = root / student / LESSON
    folder.mkdir(parents=True)
    if nb is not None:
        (folder / f"{LESSON}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    if raw is not None:
        (folder / f"{LESSON}.ipynb").write_bytes(raw)


# Generous limits (tests/conftest.py): only work that never finishes may reach them.
GRADE_OPTIONS = dict(lessons_dir=LESSONS, workers=2, timeout_per_cell=CELL_LIMIT,
                     timeout_per_submission=SUBMISSION_LIMIT)


@pytest.fixture(scope="module")
def graded_class(released, tmp_path_factory):
    source = json.loads(SOURCE_NB.read_text(encoding="utf-8"))
    untouched = json.loads((released / f"{LESSON}.ipynb").read_text(encoding="utf-8"))
    root = tmp_path_factory.mktemp("submitted")
    _put(root, "alice", source)
    _put(root, "untouched", untouched)
    _put(root, "corrupt", raw=b'{"cells": [ {"cell_type": "code", ')
    _put(root, "notanotebook", raw=b'{"name": "a JSON file, but not a notebook"}')
    (root / "missing" / LESSON).mkdir(parents=True)
    (root / "missing" / LESSON / "Untitled.ipynb").write_text(json.dumps(source))
    _put(root, "looping", _set_cell(source, "ex2-solution", "while True:\n    pass\n"))
    hog = "big = bytearray(3 * 1024 ** 3)\nlargest = 'London'\n"
    _put(root, "hog", _set_cell(source, "ex2-solution", hog))
    out = tmp_path_factory.mktemp("grades")
    started = time.monotonic()
    frame = autograde(LESSON, root, out_dir=out, memory_mb=1024, **GRADE_OPTIONS)
    return {"root": root, "out": out, "frame": frame.set_index("student"),
            "seconds": time.monotonic() - started}


def _record(graded, student) -> dict:
    return json.loads((graded["out"] / LESSON / f"{student}.json").read_text())


def test_instructor_solutions_get_full_marks_on_every_autograded_cell(graded_class):
    record = _record(graded_class, "alice")
    assert record["status"] == "ok", record["message"]
    autograded = [c for c in record["cells"] if c["autograded"]]
    assert {c["cell"] for c in autograded} == {"ex1-tests", "ex2-tests"}
    assert all(c["score"] == c["max_score"] > 0 for c in autograded)
    assert record["score"] == AUTOGRADED_MAX
    assert record["max_score"] == 5.0
    written = next(c for c in record["cells"] if c["cell"] == "ex3-written")
    # Answered, so it waits for a person's mark; whether it has one is the gradebook's to say
    # (final_mark), so the record's own message does not claim it.
    assert written["needs_manual_grade"] and "await manual grading" not in record["message"]
    assert record["limits"]["memory"].startswith("applied")
    assert record["isolation"]


def test_untouched_release_scores_zero_without_crashing(graded_class):
    row = graded_class["frame"].loc["untouched"]
    assert row["status"] == "ok"
    assert row["score"] == 0.0
    assert all(c["score"] == 0 for c in _record(graded_class, "untouched")["cells"])


def test_broken_and_hostile_submissions_get_clear_statuses(graded_class):
    frame = graded_class["frame"]
    assert frame.loc["corrupt", "status"] == "invalid"
    assert "not valid JSON" in frame.loc["corrupt", "message"]
    assert frame.loc["notanotebook", "status"] == "invalid"
    assert "not a Jupyter notebook" in frame.loc["notanotebook", "message"]
    assert frame.loc["missing", "status"] == "invalid"
    assert "missing notebook zz-fixture.ipynb (found: Untitled.ipynb)" in frame.loc["missing", "message"]
    for student in ("corrupt", "notanotebook", "missing"):
        assert frame.loc[student, "score"] == 0.0
    # The infinite loop is interrupted after the per-cell limit; the other exercise still counts.
    assert frame.loc["looping", "status"] == "timeout"
    assert f"interrupted after {CELL_LIMIT} s in ex2-solution" in frame.loc["looping", "message"]
    assert frame.loc["looping", "score"] == 2.0
    # 3 GB cannot be allocated under a 1024 MB limit: exercise 2 fails, the kernel survives.
    assert frame.loc["hog", "status"] == "ok"
    assert "ran out of memory" in frame.loc["hog", "message"]
    assert frame.loc["hog", "score"] == 2.0
    assert set(frame["status"]) <= {"ok", "timeout", "error", "invalid"}


def test_scores_csv_and_private_result_files(graded_class):
    import pandas as pd

    results = graded_class["out"] / LESSON
    csv = pd.read_csv(results / "scores.csv").set_index("student")
    assert list(csv.columns) == ["lesson", "score", "max_score", "status", "message"]
    assert csv.loc["alice", "score"] == AUTOGRADED_MAX
    assert sorted(csv.index) == sorted(graded_class["frame"].index)
    for path in [results, *results.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def test_good_score_unchanged_when_graded_alone_and_twice(graded_class, tmp_path):
    in_class = _record(graded_class, "alice")
    alone = autograde(LESSON, graded_class["root"], out_dir=tmp_path, students=["alice"], **GRADE_OPTIONS)
    assert list(alone["student"]) == ["alice"]
    record = json.loads((tmp_path / LESSON / "alice.json").read_text())
    assert record["score"] == in_class["score"]
    assert record["cells"] == in_class["cells"]
    again = autograde(LESSON, graded_class["root"], out_dir=tmp_path, students=["alice"], force=True,
                      **GRADE_OPTIONS)
    assert again.equals(alone)
    assert json.loads((tmp_path / LESSON / "alice.json").read_text())["cells"] == record["cells"]


def test_resume_skips_finished_students(graded_class, monkeypatch, capsys):
    from course.grading.grade import _autograde

    results = graded_class["out"] / LESSON
    mtimes = {p.name: p.stat().st_mtime_ns for p in results.glob("*.json")}
    (results / "corrupt.json").unlink()

    def no_grading(*args, **kwargs):
        raise AssertionError("a finished student was graded again")

    monkeypatch.setattr(_autograde._Runner, "run", no_grading)
    frame = autograde(LESSON, graded_class["root"], out_dir=graded_class["out"], **GRADE_OPTIONS)
    assert frame.set_index("student")["score"].equals(graded_class["frame"]["score"])
    err = capsys.readouterr().err
    assert err.count("(already graded)") == len(mtimes) - 1
    assert "corrupt: invalid" in err
    for name, mtime in mtimes.items():
        if name != "corrupt.json":
            assert (results / name).stat().st_mtime_ns == mtime, name
    assert (results / "corrupt.json").exists()


def _grading_processes(marker: str) -> list[str]:
    """Command lines of processes whose environment points into ``marker`` (kernels inherit it)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and str(os.getpid()) != entry:
            try:
                environ = Path(f"/proc/{entry}/environ").read_bytes()
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker.encode() in environ:
                found.append(cmdline)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc to find processes")
def test_wall_clock_limit_kills_a_kernel_that_cannot_be_interrupted(tmp_path, monkeypatch):
    import tempfile

    # Private work folders under this test's own folder, so we can look for survivors by path.
    work_root = tmp_path / "w"
    work_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work_root))
    source = json.loads(SOURCE_NB.read_text(encoding="utf-8"))
    # A long loop in C holding the GIL: the interrupt is not acted on, and ipykernel's own
    # parent-process poller cannot run either, so only killing the kernel stops it.
    stubborn = "total = sum(range(10 ** 14))\n"
    _put(tmp_path / "sub", "stubborn", _set_cell(source, "ex2-solution", stubborn))
    # After each per-cell interrupt that is not acted on, the worker goes on to the next cell, which
    # waits behind the loop; with a per-cell limit this close to the submission's, the kernel
    # cannot get past one interrupt before the whole-submission limit ends it, however fast it is.
    frame = autograde(LESSON, tmp_path / "sub", lessons_dir=LESSONS, out_dir=tmp_path / "out",
                      timeout_per_cell=SUBMISSION_LIMIT - 1, timeout_per_submission=SUBMISSION_LIMIT,
                      quiet=True)
    row = frame.iloc[0]
    # Killed while in exercise 2; exercise 1's answers were recorded before, so they count.
    assert (row["status"], row["score"]) == ("timeout", 2.0), row["message"]
    assert f"{SUBMISSION_LIMIT} s limit for a whole submission" in row["message"]
    # Killed with everything it started (the processes may take a moment to go on a busy machine).
    wait_until(lambda: not _grading_processes(str(work_root)), timeout=60)
    assert _grading_processes(str(work_root)) == [], "the worker's kernel survived the limit"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses CPU rlimits")
@pytest.mark.parametrize("child, expected", [("while True: pass", True), ("import time; time.sleep(0.2)", False)])
def test_a_kernel_ended_by_its_cpu_limit_is_told_apart_from_a_crash(child, expected):
    # In a fresh process (the worker is one): a child limited to 2 CPU seconds either spins until
    # the kernel sends SIGXCPU, or ends by itself having used almost none.
    probe = (
        "import resource, subprocess, sys\n"
        "from course.grading.grade._worker import _used_its_cpu\n"
        "limit = lambda: resource.setrlimit(resource.RLIMIT_CPU, (2, 3))\n"
        f"subprocess.run([sys.executable, '-c', {child!r}], preexec_fn=limit)\n"
        "print(_used_its_cpu({'cpu_seconds': 2}), _used_its_cpu({}))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(expected), "False"]


def test_grading_arguments_are_checked(tmp_path):
    with pytest.raises(GradingError, match="must be shorter"):
        autograde(LESSON, tmp_path, lessons_dir=LESSONS, out_dir=tmp_path / "o",
                  timeout_per_cell=10, timeout_per_submission=10)
    with pytest.raises(GradingError, match="does not exist"):
        autograde(LESSON, tmp_path / "nope", lessons_dir=LESSONS, out_dir=tmp_path / "o")
    with pytest.raises(GradingError, match="'zz-fixture'"):
        autograde("zz-fixure", tmp_path, lessons_dir=LESSONS, out_dir=tmp_path / "o")


def test_lab_serves_only_the_student_view_without_instructor_tools(tmp_path):
    """Start the real JupyterLab that `course lab` runs and ask it what a student would get."""
    import socket
    import subprocess
    import urllib.error
    import urllib.request

    dest = tmp_path / "student"
    student_view(LESSONS, dest)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd, env = lab_command(dest, port=port, open_browser=False)
    cmd += ["--IdentityProvider.token=test-token", "--ServerApp.ip=127.0.0.1"]
    proc = subprocess.Popen(cmd, cwd=dest, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)

    def get(path: str) -> tuple[int, str]:
        url = f"http://127.0.0.1:{port}{path}{'&' if '?' in path else '?'}token=test-token"
        try:
            with urllib.request.urlopen(url, timeout=PATIENCE) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, ""

    try:
        deadline = time.monotonic() + PATIENCE
        while True:
            try:
                status, body = get("/api/contents")
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, "JupyterLab exited early"
                assert time.monotonic() < deadline, f"JupyterLab did not start in {PATIENCE} s"
                time.sleep(0.5)
        assert status == 200
        assert sorted(item["name"] for item in json.loads(body)["content"]) == ["README.md", LESSON]
        assert get("/formgrader")[0] == 404
        status, page = get("/lab")
        assert status == 200
        for plugin in DISABLED_LAB_EXTENSIONS:
            assert f'"{plugin}"' in page.split("disabledExtensions", 1)[1][:1000]
    finally:
        stop(proc)
