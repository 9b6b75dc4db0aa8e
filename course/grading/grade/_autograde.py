"""Autograde a class: extract, then test, one isolated submission at a time (several at once).

For each submission:

1. **check** that the notebook exists and is a notebook (else status ``invalid``);
2. **scan** the code the student controls for attempts to interfere with grading (``_scan``);
3. **run** it with nbgrader's autograde in a private course built from the lesson's *grading
   source* (visible tests only, plus a line in each test cell that records the answers as JSON),
   in a child process with CPU, memory and file limits, its kernel in the sandbox (``_sandbox``);
4. **test** the recorded answers with the full tests, visible and hidden, in a fresh process
   (``_checker``); a student's functions are called in the sandboxed runner (``_runner``);
5. **record** the result: ``<out>/<lesson>/<student>.json``, ``scores.csv`` and the notebook as
   the instructor should see it (the real test cells, with the checker's outcome as their output).

Statuses: ``ok``; ``timeout`` (a cell or the whole submission ran out of time; what ran before
counts); ``error`` (the kernel crashed or grading failed; what ran before counts); ``invalid`` (no
gradable notebook: 0); ``review`` (the scan found something an instructor must look at; the score
is computed but held back from exports until ``course review`` accepts or rejects it).

Results are personal data: folders are 0700 and files 0600.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import types
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from course.grading.grade._lesson import LessonPlan, grade_id_of, lesson_plan, sha256_of_tree
from course.grading.grade._records import (
    STATUSES,
    Attempt,
    CellResult,
    GradedSubmission,
    RecordError,
    load_submission,
)
from course.grading.releasing._lessons import (
    GradingError,
    check_lesson_ids,
    copy_lesson,
    lesson_notebooks,
)
from course.grading.releasing._nbgrader import generate_assignment, nbgrader_config

if TYPE_CHECKING:  # imported where a worker is run, not when this module loads
    from course.grading.grade._worker import WorkerResult

COLUMNS = ["student", "lesson", "score", "max_score", "status", "message"]
MAX_NOTEBOOK_MB = 20
CPU_MARGIN = 15  # CPU seconds a kernel may use beyond the whole-submission wall-clock limit
# Bumped when a change to the grader could change a score: results from another version are regraded.
GRADER_VERSION = "2"


# --------------------------------------------------------------------------------------------
# Checking a submission before any code runs
# --------------------------------------------------------------------------------------------


def _check_submission(folder: Path, expected: list[str], plan: LessonPlan | None = None) -> str | None:
    """Return why a submission cannot be graded (missing, corrupt, not a notebook), or None.

    Damage the grader repairs (broken cell metadata, unknown cell types) does not count.
    """
    import nbformat

    from course.grading.grade._worker import repair

    if folder.is_symlink() or os.path.realpath(folder) != os.path.abspath(folder):
        return f"the folder {folder.name}/ is a link, not a submission (links are never followed)"
    if not folder.is_dir():
        return f"no folder {folder.name}/ in the submission"
    for name in expected:
        path = folder / name
        if path.is_symlink() or not path.is_file():
            found = sorted(p.name for p in folder.glob("*.ipynb"))
            also = f" (found: {', '.join(found)})" if found else " (no notebooks found)"
            return f"missing notebook {name}{also}"
        if path.stat().st_size > MAX_NOTEBOOK_MB * 1024 * 1024:
            return f"{name} is larger than {MAX_NOTEBOOK_MB} MB"
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return f"{name} is not a notebook (not UTF-8 text)"
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            return f"{name} is corrupted (not valid JSON: {str(exc)[:120]})"
        if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
            return f"{name} is not a Jupyter notebook (JSON without a list of cells)"
        if data.get("nbformat") != 4:
            return f"{name} is not a version 4 Jupyter notebook (nbformat={data.get('nbformat')!r})"
        try:
            repair(data, (plan.grading_sources.get(name) if plan else None))
            nbformat.reads(json.dumps(data), as_version=4)
        except Exception as exc:  # noqa: BLE001 - any parse failure means we cannot grade it
            return f"{name} is not a readable Jupyter notebook ({str(exc)[:120]})"
    return None


# --------------------------------------------------------------------------------------------
# The grading template: a private nbgrader course made once per lesson and run
# --------------------------------------------------------------------------------------------


def prepare_template(plan: LessonPlan, lesson_dir: Path, dest: Path) -> Path:
    """Write the grading source of a lesson into ``dest`` and let nbgrader make its gradebook."""
    source = dest / "source" / plan.lesson_id
    copy_lesson(lesson_dir, source)
    for name, nb in plan.grading_sources.items():
        (source / name).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    detail = generate_assignment(nbgrader_config(dest), plan.lesson_id)
    if detail is not None:
        raise GradingError(
            f"nbgrader could not prepare {plan.lesson_id!r} for grading: {detail} "
            "Check the lesson with `course release` first."
        )
    shutil.rmtree(dest / "release", ignore_errors=True)
    return dest


# --------------------------------------------------------------------------------------------
# Child processes
# --------------------------------------------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (Linux /proc); empty where /proc is unavailable."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().decode(errors="replace")
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _signal(pid: int, sig: int, group: bool = False) -> None:
    try:
        (os.killpg if group else os.kill)(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _mentioning(marker: str) -> list[int]:
    """Processes whose command line or environment mentions ``marker`` (a private work folder).

    A worker's kernel inherits TMPDIR, IPYTHONDIR and JUPYTER_RUNTIME_DIR inside the work folder
    (or, in the sandbox, is started by a bubblewrap whose command line names it), so an orphaned
    kernel (its worker already dead) is still found.
    """
    found = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if entry.isdigit() and int(entry) != os.getpid():
            for part in ("cmdline", "environ"):
                try:
                    with open(f"/proc/{entry}/{part}", "rb") as fh:
                        if marker.encode() in fh.read():
                            found.append(int(entry))
                            break
                except OSError:
                    continue
    return found


def _kill_tree(proc: subprocess.Popen, marker: str | None = None) -> None:
    """Kill a worker, its kernel (which runs in its own session) and anything they started.

    The worker's process group is frozen first, so it cannot start a kernel while we look; then
    every descendant is frozen and killed, with its process group, in a few rounds.
    """
    if proc.poll() is None:
        _signal(proc.pid, signal.SIGSTOP, group=True)
    for _ in range(3):
        pids = _descendants(proc.pid)
        if marker:  # orphans of a worker that died first, found by their private work folder
            pids = list(dict.fromkeys(pids + _mentioning(marker)))
        if not pids:
            break
        for pid in pids:
            _signal(pid, signal.SIGSTOP)
        for pid in pids:
            _signal(pid, signal.SIGKILL, group=True)
            _signal(pid, signal.SIGKILL)
    _signal(proc.pid, signal.SIGKILL, group=True)
    _signal(proc.pid, signal.SIGKILL)
    proc.wait()


def _base_env(isolation, work: Path) -> dict[str, str]:
    env = isolation.child_env()
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", os.defpath)
    env["HOME"] = str(work / "home")
    env["IPYTHONDIR"] = str(work / "ipython")
    env["JUPYTER_RUNTIME_DIR"] = str(work / "rt")
    env["JUPYTER_CONFIG_DIR"] = str(work / "jupyter-config")
    env["JUPYTER_DATA_DIR"] = str(work / "share" / "jupyter")
    env["JUPYTER_PATH"] = str(work / "share" / "jupyter")
    env["TMPDIR"] = str(work / "tmp")  # kernel connection files and a student's temp files
    env["MPLCONFIGDIR"] = str(work / "tmp")
    for sub in ("home", "tmp", "rt"):
        (work / sub).mkdir(exist_ok=True)
    return env


ENV_FORKSERVER = "COURSE_GRADING_FORKSERVER"
_CONTEXT = None


def _fork_context():
    """A multiprocessing fork server with nbgrader and pandas already imported, or None.

    Off when ``COURSE_GRADING_FORKSERVER=0`` or where fork servers do not exist (Windows); then
    each worker is a new interpreter, which costs about a second more per submission.
    """
    global _CONTEXT
    if os.environ.get(ENV_FORKSERVER, "1") == "0":
        return None
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    if _CONTEXT is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["course.grading.grade._preload"])
        _CONTEXT = context
    return _CONTEXT


@contextlib.contextmanager
def _without_main():
    """Hide the caller's ``__main__`` while a fork-server process starts.

    multiprocessing would otherwise re-run the caller's script in every child, which is harmless
    behind ``if __name__ == "__main__":`` and a disaster without it. Our children need nothing from
    ``__main__``.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


_WARM_CACHE = (
    "try:\n"
    "    from course import charts\n"
    "    if charts._load_offline_bundle():\n"
    "        print(charts.offline_bundle_path().parent)\n"
    "except Exception:\n"
    "    pass\n"
)


def _start_cache_warming() -> subprocess.Popen | None:
    """Make the course's chart bundle cache once (about 2 s) instead of in every kernel."""
    try:
        return subprocess.Popen([sys.executable, "-c", _WARM_CACHE], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
    except OSError:
        return None


def _finish_cache_warming(proc: subprocess.Popen | None) -> list[str]:
    """The cache folders kernels may read (shown read-only in the sandbox)."""
    if proc is None:
        return []
    try:
        out, _ = proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return []
    folder = out.strip().splitlines()[-1] if out.strip() else ""
    return [folder] if folder and Path(folder).is_dir() else []


def _warm_fork_server() -> None:
    context = _fork_context()
    if context is None:
        return
    from multiprocessing import forkserver

    with _without_main():
        forkserver.ensure_running()


class _Fork:
    """A process forked by the fork server, with the parts of Popen's interface we use."""

    def __init__(self, process) -> None:
        self.process = process
        self.pid = process.pid

    def poll(self):
        return None if self.process.is_alive() else self.process.exitcode

    def wait(self, timeout=None):
        self.process.join(timeout)
        if self.process.is_alive():
            raise subprocess.TimeoutExpired("grading worker", timeout)
        return self.process.exitcode

    @property
    def returncode(self):
        return self.process.exitcode


class _Runner:
    """Runs worker and checker processes and remembers them, so an interrupt can stop them all."""

    def __init__(self) -> None:
        self.procs: dict[subprocess.Popen, str] = {}
        self.lock = threading.Lock()
        self.stopping = False

    def _start(self, cmd: list[str], work: Path, env: dict, stdin, stdout, stderr) -> subprocess.Popen | None:
        with self.lock:
            if self.stopping:
                return None
            proc = subprocess.Popen(cmd, cwd=work, env=env, stdin=stdin, stdout=stdout, stderr=stderr,
                                    start_new_session=True)
            self.procs[proc] = str(work)
            return proc

    def _fork(self, target: str, args: list[str], work: Path, env: dict, log_path: Path):
        """Start ``target`` forked from the fork server; None where there is none."""
        context = _fork_context()
        if context is None:
            return None
        from course.grading.grade._worker import forked

        with self.lock:
            if self.stopping:
                raise KeyboardInterrupt
            process = context.Process(target=forked, args=(target, args, env, str(log_path), str(work)),
                                      daemon=False)
            with _without_main():
                process.start()
            proc = _Fork(process)
            self.procs[proc] = str(work)
            return proc

    def _forget(self, proc: subprocess.Popen) -> None:
        with self.lock:
            self.procs.pop(proc, None)

    def run(self, job: dict, wall_seconds: float, isolation=None) -> WorkerResult:
        """Run the nbgrader worker on one submission; its report, or why there is none."""
        from course.grading.grade._sandbox import detect

        isolation = isolation or detect("none")
        work = Path(job["workdir"])
        job_path = work / "job.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        log_path = work / "worker.log"
        env = _base_env(isolation, work)
        with open(log_path, "wb") as log:
            try:
                proc = self._fork("worker", [str(job_path)], work, env, log_path)
            except KeyboardInterrupt:
                proc = None
                return {"status": "error", "notes": ["grading was interrupted"], "interrupted": True}
            if proc is None:
                proc = self._start([sys.executable, "-m", "course.grading.grade._worker", str(job_path)],
                                   work, env, subprocess.DEVNULL, log, subprocess.STDOUT)
            if proc is None:
                return {"status": "error", "notes": ["grading was interrupted"], "interrupted": True}
            try:
                proc.wait(timeout=wall_seconds)
                timed_out = False
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                # The kernel should be gone; make sure nothing a submission started survives.
                _kill_tree(proc, marker=str(work))
                self._forget(proc)
        if timed_out:
            return {"status": "timeout", "wall_timeout": True,
                    "notes": [f"stopped after the {wall_seconds:g} s limit for a whole submission"]}
        result_path = Path(job["result_path"])
        if result_path.exists():
            return json.loads(result_path.read_text(encoding="utf-8"))
        tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        code = proc.returncode
        how = f"killed by signal {-code}" if code and code < 0 else f"exit code {code}"
        if code == -signal.SIGKILL or (code and code < 0 and -code == signal.SIGXCPU):
            how += " (a CPU or memory limit, or the system's out-of-memory killer)"
        return {"status": "error",
                "notes": [f"the grading process ended without a result ({how}): {' | '.join(tail)}"[:500]]}

    def check(self, job: dict, work: Path, wall_seconds: float, memory_mb: int, isolation) -> dict:
        """Run the checker on the recorded answers; its results, or raise GradingError."""
        if work.exists() or work.is_symlink():  # never reuse anything a submission could have made
            if work.is_dir() and not work.is_symlink():
                shutil.rmtree(work)
            else:
                work.unlink()
        work.mkdir(mode=0o700)
        env = isolation.child_env({"HOME": str(work), "TMPDIR": str(work)})
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", os.defpath)
        out_path = work / "checker.out"
        err_path = work / "checker.err"
        job_path = work / "checker-job.json"
        job_path.write_text(json.dumps(job, allow_nan=True), encoding="utf-8")
        try:
            proc = self._fork("checker", [str(job_path), str(out_path)], work, env, err_path)
        except KeyboardInterrupt:
            raise GradingError("grading was interrupted") from None
        if proc is None:
            with open(err_path, "wb") as err:
                proc = self._start([sys.executable, "-I", "-m", "course.grading.grade._checker",
                                    str(job_path), str(out_path)],
                                   work, env, subprocess.DEVNULL, subprocess.DEVNULL, err)
            if proc is None:
                raise GradingError("grading was interrupted")
        try:
            proc.wait(timeout=wall_seconds)
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            raise GradingError(f"the tests did not finish within {wall_seconds:g} s") from None
        finally:
            if proc.poll() is None:
                _kill_tree(proc)
            self._forget(proc)
        try:
            return json.loads(out_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            tail = err_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-2:]
            raise GradingError(
                f"the checker stopped without a result (exit code {proc.returncode}): {' | '.join(tail)}"
            ) from None

    def stop_all(self) -> None:
        with self.lock:
            self.stopping = True
            procs = list(self.procs.items())
        for proc, work in procs:
            _kill_tree(proc, marker=work)


# --------------------------------------------------------------------------------------------
# Results on disk (personal data: readable by the instructor only)
# --------------------------------------------------------------------------------------------


def _private_dir(path: Path) -> Path:
    from course.grading.grade._workspace import private_dir

    return private_dir(path)


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def _load_finished(path: Path, submission_sha: str, source_sha: str) -> GradedSubmission | None:
    """The stored record of this exact submission, source and grader, or None (grade it again)."""
    try:
        record = load_submission(path)
    except RecordError:
        return None
    if (record.submission_sha256 == submission_sha and record.source_sha256 == source_sha
            and record.grader == GRADER_VERSION):
        return record
    return None


def _students(submitted_dir: Path) -> list[str]:
    return sorted(
        p.name for p in submitted_dir.iterdir()
        if p.is_dir() and not p.is_symlink() and not p.name.startswith((".", "_"))
    )


def _progress(done: int, total: int, record: GradedSubmission, note: str = "") -> None:
    shown = f"{record.score:g}/{record.max_score:g}"
    message = f" - {record.shown_message()}" if record.shown_message() else ""
    width = 20
    filled = int(width * done / max(total, 1))
    bar = "#" * filled + "." * (width - filled)
    print(
        f"[{bar}] {done}/{total} {record.student}: {record.status} {shown}{note}{message}"[:400],
        file=sys.stderr,
        flush=True,
    )


# --------------------------------------------------------------------------------------------
# Turning the checker's results into scores, messages and the instructor's notebook
# --------------------------------------------------------------------------------------------


def student_message(plan: LessonPlan, grade_id: str, result: dict) -> str:
    """What a student may read about a failed test: its own message, unless it reveals a secret.

    When an answer could not be recorded (an object of its own class, a value too large), that is
    said too, since it is usually why the test failed; when the student's own code raised an error
    before the test ran, that error comes first (it is the one to fix, not a later NameError).
    No absolute path of the grading machine is ever included.
    """
    from course.grading.grade._sandbox import scrub_paths

    message = _failure_message(plan, grade_id, result)
    unrecorded = result.get("unrecorded") or {}
    if unrecorded:
        why = "; ".join(f"{name} could not be graded: {reason}" for name, reason in sorted(unrecorded.items()))
        message = f"{message} ({why})"
    own = result.get("student_error")
    if isinstance(own, dict) and own.get("ename"):
        said = f"{own['ename']}: {own['evalue']}" if own.get("evalue") else str(own["ename"])
        message = (f"Your code raised an error in {own.get('cell', 'an earlier cell')}: {said}. "
                   f"Fix that first; the test then said: {message}")
    return scrub_paths(message)


def _exception_name(ename: str) -> str:
    """A built-in exception's name as it is; any other name (a student can make one up) hidden."""
    import builtins

    kind = getattr(builtins, ename, None)
    return ename if isinstance(kind, type) and issubclass(kind, BaseException) else "an error"


def _failure_message(plan: LessonPlan, grade_id: str, result: dict) -> str:
    error = result.get("error") or {}
    test = plan.test(grade_id)
    ename = str(error.get("ename") or "Error")
    evalue = str(error.get("evalue") or "").strip()
    inside = " (raised inside your function)" if error.get("in_student_function") else ""
    if ename == "NotGraded":
        return f"Not graded: {evalue}"
    where = test.where(error.get("line")) if test else "hidden"
    hidden = bool(error.get("hidden")) if "hidden" in error else where != "visible"
    if not hidden:
        return (f"{ename}: {evalue}" if evalue else ename) + inside
    if ename == "TimeoutError" and error.get("line") is None:
        return f"The tests of this exercise took too long ({evalue})."
    # A hidden test's inputs must not come back in what the student reads: only the test's own
    # constant message is shown, never text an exception carried (the student's code could have
    # put its arguments there).
    public = error.get("public") if "public" in error else None
    kind = _exception_name(ename)
    if public and not plan.reveals_secret(public):
        return f"A hidden test failed: {public}"
    if error.get("in_student_function"):
        return f"A hidden test called your function and it raised {kind}."
    return "A hidden test failed." if ename == "AssertionError" else f"A hidden test failed ({kind})."


def _instructor_detail(plan: LessonPlan, grade_id: str, result: dict) -> str:
    error = result.get("error") or {}
    test = plan.test(grade_id)
    line = error.get("line")
    where = test.where(line) if test else "?"
    text = ""
    if test and line:
        lines = test.source.split("\n")
        if 0 < line <= len(lines):
            text = f" at line {line} ({where}): {lines[line - 1].strip()[:160]}"
    return f"{error.get('ename')}: {str(error.get('evalue'))[:300]}{text}"


def _cell_outputs(plan: LessonPlan, grade_id: str, result: dict | None) -> list:
    from nbformat.v4 import new_output

    outputs = []
    if result and result.get("stdout"):
        from course.grading.grade._sandbox import scrub_paths

        outputs.append(new_output("stream", name="stdout", text=scrub_paths(result["stdout"])))
    if not result or not result.get("passed"):
        result = result or {"error": {"ename": "NotGraded", "evalue": "no result"}}
        message = student_message(plan, grade_id, result)
        ename = str((result.get("error") or {}).get("ename") or "AssertionError")
        evalue = message[len(ename) + 2:] if message.startswith(ename + ": ") else message
        outputs.append(new_output("error", ename=ename, evalue=evalue, traceback=[message]))
    return outputs


MAX_GRADED_NOTEBOOK_MB = 64


def _read_notebook(path: Path, limit_mb: int) -> dict | None:
    """A notebook's JSON, read by content (never through a link), or None."""
    from course.grading.grade._sandbox import read_regular

    try:
        data = json.loads(read_regular(path, limit_mb * 1024 * 1024).decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("cells"), list) else None


def _scrubbed_outputs(outputs: list) -> list:
    """A student cell's outputs from the grading run, without the machine's absolute paths."""
    from course.grading.grade._sandbox import scrub_paths

    kept = []
    for output in outputs if isinstance(outputs, list) else []:
        if not isinstance(output, dict):
            continue
        output = json.loads(json.dumps(output))
        if output.get("output_type") == "error":
            output["evalue"] = scrub_paths(str(output.get("evalue") or ""))
            output["traceback"] = [scrub_paths(str(t)) for t in output.get("traceback") or []]
        elif output.get("output_type") == "stream":
            text = output.get("text")
            output["text"] = scrub_paths("".join(text) if isinstance(text, list) else str(text or ""))
        kept.append(output)
    return kept


def instructor_notebook(plan: LessonPlan, nb_name: str, submitted_path: Path,
                        graded_path: Path | None, results: dict):
    """The notebook as the instructor (and, after ClearHiddenTests, the student) should see it.

    Built only from what the student submitted (repaired as for grading, locked cells as they were
    given) plus what grading says: each test cell gets its real source (visible and hidden tests,
    hidden ones removed again for feedback) and, as its output, the checker's outcome with hidden
    failures trimmed to the test's own message. Outputs of the student's cells come from the
    graded run only where its cells line up with the submission's; nothing in the graded notebook
    is trusted beyond that, and every file is read by content, never through a link.
    """
    import nbformat

    from course.grading.grade._worker import repair

    nb = _read_notebook(submitted_path, MAX_NOTEBOOK_MB)
    if nb is None:
        return None
    try:
        repair(nb, plan.grading_sources.get(nb_name))
        source_types = {grade_id_of(c): c.get("cell_type")
                        for c in (plan.grading_sources.get(nb_name) or {}).get("cells", [])}
        graded = _read_notebook(graded_path, MAX_GRADED_NOTEBOOK_MB) if graded_path else None
        graded_cells = graded["cells"] if graded else []
        aligned = len(graded_cells) == len(nb["cells"]) and all(
            isinstance(g, dict) and grade_id_of(g) == grade_id_of(c)
            for g, c in zip(graded_cells, nb["cells"], strict=True))
        for index, cell in enumerate(nb["cells"]):
            grade_id = grade_id_of(cell)
            if grade_id in source_types and source_types[grade_id]:
                cell["cell_type"] = source_types[grade_id]
            if grade_id in plan.locked_release:
                cell["source"] = plan.locked_release[grade_id]
            if cell["cell_type"] == "code":
                cell["outputs"] = _scrubbed_outputs(graded_cells[index].get("outputs")) if aligned else []
                cell["execution_count"] = None
            else:
                cell.pop("outputs", None)
                cell.pop("execution_count", None)
        nb = nbformat.from_dict(nb)
    except Exception:  # noqa: BLE001 - nothing to show
        return None
    tests = {t.grade_id: t for t in plan.tests if t.notebook == Path(nb_name).stem}
    last: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        grade_id = grade_id_of(cell)
        if grade_id in tests:
            last[grade_id] = index
    for grade_id, index in last.items():
        cell = nb.cells[index]
        cell.cell_type = "code"
        cell.source = tests[grade_id].source
        cell.outputs = _cell_outputs(plan, grade_id, results.get(grade_id))
        cell.setdefault("execution_count", None)
    return nb


def _not_recorded_reason(run: WorkerResult) -> str:
    if run.get("wall_timeout"):
        return "the submission ran out of time before this test"
    if run.get("status") == "timeout":
        return "this test did not run to the end (time limit)"
    if run.get("status") == "error":
        return "the notebook stopped before this test ran"
    return "this test cell did not run (was it moved above the answer?)"


def edited_locked_cells(folder: Path, plan: LessonPlan) -> list[str]:
    """Locked cells whose text differs from what the student was given (nbgrader restores them)."""
    edited = []
    for name in plan.notebooks:
        try:
            nb = json.loads((folder / name).read_text(encoding="utf-8"))
            cells = nb.get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue
        for cell in cells:
            grade_id = grade_id_of(cell)
            if grade_id in plan.locked_release:
                source = cell.get("source", "")
                text = "".join(source) if isinstance(source, list) else str(source)
                if text.strip() != plan.locked_release[grade_id].strip() and grade_id not in edited:
                    edited.append(grade_id)
    return edited


def _written_answered(folder: Path, plan: LessonPlan) -> dict[str, bool]:
    from course.grading.releasing._content import nbgrader_delimiters

    stub = nbgrader_delimiters().text_stub
    answered = {}
    for written in plan.written:
        path = folder / f"{written.notebook}.ipynb"
        text = ""
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
            for cell in nb.get("cells", []):
                if grade_id_of(cell) == written.grade_id:
                    source = cell.get("source", "")
                    text = "".join(source) if isinstance(source, list) else str(source)
        except (OSError, ValueError, AttributeError):
            pass
        answered[written.grade_id] = bool(text.strip()) and text.strip() != stub
    return answered


# --------------------------------------------------------------------------------------------
# Autograde
# --------------------------------------------------------------------------------------------


def autograde(
    lesson_id: str,
    submitted_dir: str | os.PathLike,
    *,
    lessons_dir: str | os.PathLike,
    out_dir: str | os.PathLike,
    workers: int = 2,
    timeout_per_cell: int = 60,
    timeout_per_submission: int = 300,
    memory_mb: int = 2048,
    force: bool = False,
    students: list[str] | None = None,
    quiet: bool = False,
    sandbox: str | None = None,
):
    """Autograde every submission of one lesson, each in isolation; return a table of scores.

    Parameters
    ----------
    lesson_id : str
        The lesson (nbgrader assignment) to grade.
    submitted_dir : path
        Laid out like nbgrader's ``submitted/``: ``<student>/<lesson_id>/<notebook>.ipynb``.
    lessons_dir : path
        The instructor sources (``<lesson_id>/<lesson_id>.ipynb``).
    out_dir : path
        Results go to ``out_dir/<lesson_id>/<student>.json``, ``scores.csv`` and
        ``notebooks/<student>/<notebook>.ipynb``.
    workers : int
        Submissions graded at once (each in its own processes and temporary nbgrader course).
    timeout_per_cell : int
        Seconds before nbgrader interrupts a cell, and for each exercise's tests in the checker.
    timeout_per_submission : int
        Wall-clock seconds before a whole submission is killed (status ``timeout``; what was
        recorded before still counts). Must be longer than ``timeout_per_cell``. It is also each
        process's CPU-time limit.
    memory_mb : int
        Address-space limit (RLIMIT_AS) of each grading process and kernel.
    force : bool
        Regrade students who already have a result for this exact submission, source and grader.
    students : list of str, optional
        Grade only these students (default: every folder in ``submitted_dir``).
    quiet : bool
        Do not print progress to stderr.
    sandbox : {"auto", "bubblewrap", "none"}, optional
        How to isolate student code (see ``course.grading.grade._sandbox.detect``).

    Returns
    -------
    pandas.DataFrame
        One row per student: student, lesson, score, max_score, status, message.
    """
    import pandas as pd

    from course.grading.grade._sandbox import detect
    from course.grading.grade._scan import scan_submission

    lessons_dir = Path(lessons_dir).resolve()
    submitted_dir = Path(submitted_dir).resolve()
    out_dir = Path(out_dir).resolve()
    (lesson_id,) = check_lesson_ids(lessons_dir, [lesson_id])
    lesson_dir = lessons_dir / lesson_id
    expected = [p.name for p in lesson_notebooks(lesson_dir)]
    if not expected:
        raise GradingError(f"Lesson {lesson_id!r} has no notebook in {str(lesson_dir)!r}.")
    if not submitted_dir.is_dir():
        raise GradingError(
            f"The submissions folder {str(submitted_dir)!r} does not exist. It should hold "
            f"<student>/{lesson_id}/{expected[0]} for each student (`course collect` makes it)."
        )
    if workers < 1:
        raise GradingError("--workers must be at least 1.")
    if timeout_per_cell >= timeout_per_submission:
        raise GradingError(
            f"The per-cell timeout ({timeout_per_cell} s) must be shorter than the per-submission "
            f"limit ({timeout_per_submission} s)."
        )
    if out_dir == lessons_dir or lessons_dir in out_dir.parents:
        raise GradingError("The results folder must not be inside the lessons folder.")

    everyone = _students(submitted_dir)
    if students is not None:
        unknown = [s for s in students if s not in everyone]
        if unknown:
            from course.errors import options_text

            raise GradingError(
                f"No submission from {unknown[0]!r} in {str(submitted_dir)!r}. "
                f"{options_text(unknown[0], everyone)}"
            )
        everyone = [s for s in everyone if s in students]
    plan = lesson_plan(lesson_dir)
    isolation = detect(sandbox)
    locked_ids = _locked_ids(lesson_dir)
    results_dir = _private_dir(_private_dir(out_dir) / lesson_id)
    source_sha = sha256_of_tree(lesson_dir)
    total = len(everyone)
    done = 0
    records: dict[str, GradedSubmission] = {}
    counts_lock = threading.Lock()
    if not quiet and total:
        print(f"Grading {total} submission(s) of {lesson_id} with {workers} worker(s); "
              f"isolation: {isolation.describe()}", file=sys.stderr, flush=True)

    def finish(student: str, found: Attempt | GradedSubmission, sub_sha: str, seconds: float,
               note: str = "") -> None:
        nonlocal done
        if isinstance(found, GradedSubmission):  # already graded: kept as it is
            record = found
        else:
            if found.max_score is None:
                found.max_score = plan.max_score
            found = found.to_record(student=student, lesson=lesson_id, submission_sha256=sub_sha,
                                    source_sha256=source_sha, grader=GRADER_VERSION,
                                    seconds=round(seconds, 2),
                                    graded_at=datetime.now(UTC).isoformat(timespec="seconds"),
                                    isolation=isolation.describe())
            try:
                record = GradedSubmission.from_dict(found)
            except RecordError as exc:  # a grader bug: report it on this student, grade the rest
                kept = {k: found[k] for k in ("student", "lesson", "submission_sha256", "source_sha256",
                                              "grader", "max_score", "seconds", "graded_at", "isolation")}
                record = GradedSubmission.from_dict(dict(
                    kept, status="error", score=0.0,
                    cells=[c.to_dict() for c in _zero_cells(plan, "the grader failed")],
                    message=f"the grader produced a malformed result ({exc}); please report it"))
            _write_private(results_dir / f"{student}.json", record.to_json())
        with counts_lock:
            done += 1
            records[student] = record
            if not quiet:
                _progress(done, total, record, note)

    to_grade: list[tuple[str, Path, str]] = []
    for student in everyone:
        folder = submitted_dir / student / lesson_id
        sub_sha = sha256_of_tree(folder)
        if not force:
            previous = _load_finished(results_dir / f"{student}.json", sub_sha, source_sha)
            if previous is not None:
                finish(student, previous, sub_sha, 0.0, note=" (already graded)")
                continue
        problem = _check_submission(folder, expected, plan)
        if problem:
            finish(student, Attempt("invalid", _zero_cells(plan, problem), message=problem), sub_sha, 0.0)
            continue
        to_grade.append((student, folder, sub_sha))

    runner = _Runner()
    limit_warnings: set[str] = set()
    template_holder = tempfile.TemporaryDirectory(prefix="pp-template-")
    template = Path(template_holder.name)
    caches: list[str] = []

    def attempt(student: str, folder: Path) -> Attempt:
        with tempfile.TemporaryDirectory(prefix="pp-grade-") as tmp:
            os.chmod(tmp, 0o700)
            try:
                return grade_submission(
                    plan, student, folder, Path(tmp), template=template, runner=runner,
                    isolation=isolation, timeout_per_cell=timeout_per_cell,
                    timeout_per_submission=timeout_per_submission, memory_mb=memory_mb,
                    locked_ids=locked_ids, scan=scan_submission,
                    notebooks_dir=results_dir / "notebooks", caches=caches,
                )
            except Exception as exc:  # noqa: BLE001 - one submission must never stop the class
                return Attempt("error", _zero_cells(plan, "the grader failed"),
                               message=f"the grader failed on this submission ({exc!r}); it needs "
                                       "a look by hand, and please report it"[:500])

    def grade_one(student: str, folder: Path, sub_sha: str) -> tuple[str, Attempt, str, float]:
        started = time.monotonic()
        record = with_one_retry(lambda: attempt(student, folder))
        return student, record, sub_sha, time.monotonic() - started

    try:
        if to_grade:
            warming = _start_cache_warming()
            _warm_fork_server()  # its imports overlap with preparing the template
            prepare_template(plan, lesson_dir, template)
            caches.extend(_finish_cache_warming(warming))
            pool = ThreadPoolExecutor(max_workers=min(workers, len(to_grade)))
            pending: set[Future] = {pool.submit(grade_one, *item) for item in to_grade}
            try:
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        student, record, sub_sha, seconds = future.result()
                        for name, state in (record.limits or {}).items():
                            if state.startswith("not applied") and name not in limit_warnings:
                                limit_warnings.add(name)
                                print(f"Warning: {name} limit {state}", file=sys.stderr)
                        finish(student, record, sub_sha, seconds)
            except BaseException:
                runner.stop_all()
                pool.shutdown(wait=True, cancel_futures=True)
                raise
            pool.shutdown(wait=True)
    finally:
        template_holder.cleanup()

    rows = [{"student": s, "lesson": lesson_id, "score": records[s].score,
             "max_score": records[s].max_score, "status": records[s].status,
             "message": records[s].shown_message()} for s in everyone]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["score"] = frame["score"].astype("float64")
    frame["max_score"] = frame["max_score"].astype("float64")
    _write_private(results_dir / "scores.csv", frame.to_csv(index=False))
    if not quiet:
        counts = frame["status"].value_counts()
        parts = [f"{int(counts.get(s, 0))} {s}" for s in STATUSES if counts.get(s, 0)]
        print(
            f"Graded {lesson_id}: {total} submission(s): {', '.join(parts) or 'none'}. "
            f"Results in {results_dir}",
            file=sys.stderr,
        )
        if not isolation.sandboxed and total:
            print(f"Note: {isolation.describe()}.", file=sys.stderr)
    return frame


# Errors of the interpreter itself, not of the student's code, that a second run does not repeat
# (seen under heavy load: "SystemError: AST constructor recursion depth mismatch").
TRANSIENT_ERRORS = ("SystemError",)


def transient_error(record: Attempt) -> str | None:
    """The transient interpreter error a grading attempt shows, or None.

    Examples
    --------
    >>> transient_error(Attempt("error", [], "SystemError: AST constructor recursion depth mismatch"))
    'SystemError'
    >>> transient_error(Attempt("ok", [CellResult("n", "ex1", 0, 1, True, detail="AssertionError: no")]))
    """
    for name in TRANSIENT_ERRORS:
        if any(re.search(rf"\b{name}\b", text) for text in record.texts()):
            return name
    return None


def with_one_retry(grade) -> Attempt:
    """Run ``grade()``; if its record shows a transient interpreter error, run it once more.

    The second result is kept, with a note that it was a retry; if the error comes back, the note
    says so and asks for the submission to be looked at, so it is reported, never hidden.
    """
    record = grade()
    first = transient_error(record)
    if first is None:
        return record
    record = grade()
    again = transient_error(record)
    if again is None:
        note = f"graded again after a transient interpreter error ({first}) in the first run"
    else:
        note = (f"a transient interpreter error ({again}) happened in two runs; regrade this "
                "student with --force, and report it if it persists")
    record.add_note(note)
    return record


def _locked_ids(lesson_dir: Path) -> set[str]:
    ids = set()
    for nb_path in lesson_notebooks(lesson_dir):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if isinstance(meta, dict) and meta.get("locked") and meta.get("grade_id"):
                ids.add(meta["grade_id"])
    return ids


def _zero_cells(plan: LessonPlan, reason: str) -> list[CellResult]:
    cells = [CellResult(t.notebook, t.grade_id, 0.0, t.points, autograded=True,
                        message=f"Not graded: {reason}") for t in plan.tests]
    cells += [CellResult(w.notebook, w.grade_id, 0.0, w.points, autograded=False) for w in plan.written]
    return sorted(cells, key=lambda c: (c.notebook, c.cell))


def grade_submission(plan: LessonPlan, student: str, folder: Path, work: Path, *, template: Path,
                     runner: _Runner, isolation, timeout_per_cell: int, timeout_per_submission: int,
                     memory_mb: int, locked_ids: set[str], scan, notebooks_dir: Path,
                     caches: list[str] | None = None) -> Attempt:
    """Grade one submission in the private folder ``work``; return what grading found.

    ``scan`` (None to skip it) runs in the worker, under the submission's limits, on the repaired
    notebook that nbgrader runs.
    """
    answers_dir = work / "answers"
    # Kernel sockets need a short path (Unix sockets: under ~107 characters), whatever TMPDIR is.
    short = Path("/tmp") if os.access("/tmp", os.W_OK) else Path(tempfile.gettempdir())
    sock_dir = Path(tempfile.mkdtemp(prefix="pps-", dir=short))
    try:
        return _grade_in(plan, student, folder, work, sock_dir, scan is not None, answers_dir,
                         template=template, runner=runner, isolation=isolation,
                         timeout_per_cell=timeout_per_cell,
                         timeout_per_submission=timeout_per_submission, memory_mb=memory_mb,
                         notebooks_dir=notebooks_dir, caches=caches or [])
    finally:
        shutil.rmtree(sock_dir, ignore_errors=True)


SCAN_UNFINISHED = "the scan for attempts to interfere did not finish within the submission's limits"


def _grade_in(plan: LessonPlan, student: str, folder: Path, work: Path, sock_dir: Path,
              scan: bool, answers_dir: Path, *, template: Path, runner: _Runner, isolation,
              timeout_per_cell: int, timeout_per_submission: int, memory_mb: int,
              notebooks_dir: Path, caches: list[str]) -> Attempt:
    sealed_dir = work / "sealed"
    scan_path = work / "scan.json"
    job = {
        "lesson_id": plan.lesson_id,
        "student": student,
        "template": str(template),
        "submission_dir": str(folder),
        "workdir": str(work),
        "answers_dir": str(answers_dir),
        "sealed_dir": str(sealed_dir),
        "scan_path": str(scan_path) if scan else None,
        "sock_dir": str(sock_dir),
        "result_path": str(work / "result.json"),
        "timeout_per_cell": int(timeout_per_cell),
        # The wall-clock limit is the one a student reads about; CPU time is the backstop. One busy
        # core cannot reach this before the wall limit, so a runaway loop always gets the plain
        # "whole submission" message; only code busy on several cores at once can hit it first.
        "cpu_seconds": int(timeout_per_submission) + CPU_MARGIN,
        "memory_mb": int(memory_mb),
        "file_mb": 512,
        "isolation": {"kind": isolation.kind, "detail": isolation.detail, "bwrap": isolation.bwrap,
                      "readonly": isolation.readonly},
        # Caches made once for the run (read-only for kernels): the charts' offline bundle.
        "caches": caches,
        "kernel_env": {"COURSE_CACHE_DIR": caches[0]} if caches else {},
    }
    run = runner.run(job, wall_seconds=timeout_per_submission, isolation=isolation)
    reasons: list[str] = []
    if scan:
        try:  # written by the worker, in a folder no student code can see
            reasons = list(json.loads(scan_path.read_text(encoding="utf-8"))["review"])
        except (OSError, ValueError, KeyError, TypeError):
            reasons = [SCAN_UNFINISHED]
    # The answers were sealed by the worker as each was recorded; the checker reads them (under
    # the same limits as the kernel). Here only which ones exist.
    not_recorded = {t.grade_id: _not_recorded_reason(run) for t in plan.tests
                    if not (sealed_dir / f"{t.grade_id}.json").is_file()}
    autograded = work / "autograded" / student / plan.lesson_id
    run_dir = work / "run"
    cwd = run_dir if run_dir.is_dir() else work / "tmp"
    runner_argv = isolation.wrap([sys.executable, "-I", "-m", "course.grading.grade._runner"],
                                 cwd=cwd, readonly_cwd=True)
    check_job = {
        "tests": [{"grade_id": t.grade_id, "source": t.source, "hidden": t.hidden} for t in plan.tests],
        "answers_dir": str(sealed_dir),
        "not_recorded": not_recorded,
        "runner": {"argv": runner_argv, "cwd": str(cwd),
                   "env": isolation.child_env({"HOME": str(work / "tmp"), "TMPDIR": str(work / "tmp")})
                   if not isolation.sandboxed else None,
                   "memory_mb": memory_mb, "cpu_seconds": timeout_per_submission},
        "memory_mb": memory_mb,
        "cpu_seconds": timeout_per_submission,
        "call_timeout": timeout_per_cell,
        "test_timeout": timeout_per_cell,
    }
    record = Attempt(run.get("status", "error"), [], review=reasons,
                     run_status=run.get("status", "error"), limits=run.get("limits", {}),
                     cells_seconds=run.get("cells_seconds"), nbgrader_log=run.get("nbgrader_log") or None)
    notes = list(run.get("notes") or [])
    for grade_id in edited_locked_cells(folder, plan):
        notes.append(f"the locked cell {grade_id} had been edited; the original was restored")
    results: dict = {}
    if run.get("interrupted"):
        raise KeyboardInterrupt
    try:
        wall = timeout_per_cell * (len(plan.tests) + 1) + 30
        checked = runner.check(check_job, work / "checker", wall, memory_mb, isolation)
        results = checked.get("results") or {}
    except GradingError as exc:
        record.status = "error"
        notes.append(f"the tests could not be run: {exc}")
    cells = []
    own_errors = run.get("student_errors") or {}
    for test in plan.tests:
        result = results.get(test.grade_id) or {"passed": False, "error": {
            "ename": "NotGraded", "evalue": "the checker gave no result"}}
        if test.grade_id in own_errors:
            result["student_error"] = own_errors[test.grade_id]
        passed = bool(result.get("passed"))
        cells.append(CellResult(
            test.notebook, test.grade_id, test.points if passed else 0.0, test.points, autograded=True,
            message="" if passed else student_message(plan, test.grade_id, result),
            detail="" if passed else _instructor_detail(plan, test.grade_id, result),
        ))
    answered = _written_answered(folder, plan)
    for written in plan.written:
        # Answered written questions wait for a person's mark; whether they have one is the
        # gradebook's to say (final_mark), so the record's message does not claim it.
        needs = answered.get(written.grade_id, False)
        cells.append(CellResult(written.notebook, written.grade_id, 0.0, written.points,
                                autograded=False, needs_manual_grade=needs,
                                message="" if needs else "No response."))
    cells.sort(key=lambda c: (c.notebook, c.cell))
    record.cells = cells
    record.score = float(sum(c.score for c in cells))
    record.max_score = plan.max_score
    if reasons:
        record.status = "review"
        shown = "; ".join(reasons[:3]) + (f"; and {len(reasons) - 3} more" if len(reasons) > 3 else "")
        notes.insert(0, f"needs review: {shown}")
    record.message = "; ".join(notes)
    # The notebook the instructor (and, after ClearHiddenTests, the student) sees.
    for nb_name in plan.notebooks:
        nb = instructor_notebook(plan, nb_name, folder / nb_name,
                                 autograded / nb_name if run.get("ran") else None, results)
        if nb is not None:
            import nbformat

            target = _private_dir(_private_dir(notebooks_dir) / student) / nb_name
            _write_private(target, nbformat.writes(nb))
    return record
