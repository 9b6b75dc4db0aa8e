"""Autograde a class: one private nbgrader course and one limited child process per submission."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path

from course.grading._common import (
    GradingError,
    check_lesson_ids,
    lesson_notebooks,
    sha256_of_tree,
)

STATUSES = ("ok", "timeout", "error", "invalid")
COLUMNS = ["student", "lesson", "score", "max_score", "status", "message"]
MAX_NOTEBOOK_MB = 20

# Single-threaded numeric libraries and a small malloc arena count keep a kernel's address space
# (what RLIMIT_AS counts) close to the memory it really uses, and share 2 cores fairly.
_KERNEL_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
    "MPLBACKEND": "Agg",
    "PYTHONDONTWRITEBYTECODE": "1",
    "JUPYTER_PLATFORM_DIRS": "1",
}


# --------------------------------------------------------------------------------------------
# Checking a submission before any code runs
# --------------------------------------------------------------------------------------------


def _check_submission(folder: Path, expected: list[str]) -> str | None:
    """Return why a submission cannot be graded (missing, corrupt, not a notebook), or None."""
    import nbformat

    if not folder.is_dir():
        return f"no folder {folder.name}/ in the submission"
    for name in expected:
        path = folder / name
        if not path.is_file():
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
            nbformat.reads(text, as_version=4)
        except Exception as exc:  # noqa: BLE001 - any parse failure means we cannot grade it
            return f"{name} is not a readable Jupyter notebook ({str(exc)[:120]})"
    return None


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

    A worker's kernel inherits TMPDIR, IPYTHONDIR and JUPYTER_RUNTIME_DIR inside the work folder,
    so an orphaned kernel (its worker already dead) is still found.
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


class _Runner:
    """Runs worker processes and remembers them, so an interrupt can stop them all."""

    def __init__(self) -> None:
        self.procs: dict[subprocess.Popen, str] = {}
        self.lock = threading.Lock()
        self.stopping = False

    def run(self, job: dict, wall_seconds: float) -> dict:
        work = Path(job["workdir"])
        job_path = work / "job.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        log_path = work / "worker.log"
        env = dict(os.environ)
        env.update(_KERNEL_ENV)
        env["IPYTHONDIR"] = str(work / "ipython")
        env["JUPYTER_RUNTIME_DIR"] = str(work / "rt")
        (work / "tmp").mkdir(exist_ok=True)
        env["TMPDIR"] = str(work / "tmp")  # kernel connection files and a student's temp files
        env["JUPYTER_CONFIG_DIR"] = str(work / "jupyter-config")
        env.pop("JUPYTER_CONFIG_PATH", None)
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        with open(log_path, "wb") as log:
            with self.lock:
                if self.stopping:
                    return {"status": "error", "score": 0.0, "message": "grading was interrupted"}
                proc = subprocess.Popen(
                    [sys.executable, "-m", "course.grading._worker", str(job_path)],
                    cwd=work,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                self.procs[proc] = str(work)
            try:
                proc.wait(timeout=wall_seconds)
                timed_out = False
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                # The kernel should be gone; make sure nothing a submission started survives.
                _kill_tree(proc, marker=str(work))
                with self.lock:
                    self.procs.pop(proc, None)
        if timed_out:
            return {
                "status": "timeout",
                "score": 0.0,
                "message": f"stopped after the {wall_seconds:g} s limit for a whole submission",
            }
        result_path = Path(job["result_path"])
        if result_path.exists():
            return json.loads(result_path.read_text(encoding="utf-8"))
        tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        code = proc.returncode
        how = f"killed by signal {-code}" if code and code < 0 else f"exit code {code}"
        if code == -signal.SIGKILL or (code and code < 0 and -code == signal.SIGXCPU):
            how += " (a CPU or memory limit, or the system's out-of-memory killer)"
        return {
            "status": "error",
            "score": 0.0,
            "message": f"the grading process ended without a result ({how}): {' | '.join(tail)}"[:500],
        }

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
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        os.chmod(path, 0o700)
    except PermissionError:
        pass
    return path


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def _load_finished(path: Path, submission_sha: str, source_sha: str) -> dict | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        isinstance(record, dict)
        and record.get("status") in STATUSES
        and record.get("submission_sha256") == submission_sha
        and record.get("source_sha256") == source_sha
    ):
        return record
    return None


def _students(submitted_dir: Path) -> list[str]:
    return sorted(
        p.name for p in submitted_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    )


def _progress(done: int, total: int, record: dict, note: str = "") -> None:
    score = record.get("score") or 0.0
    max_score = record.get("max_score")
    shown = f"{score:g}/{max_score:g}" if max_score is not None else f"{score:g}"
    message = f" - {record['message']}" if record.get("message") else ""
    print(
        f"[{done}/{total}] {record['student']}: {record['status']} {shown}{note}{message}",
        file=sys.stderr,
        flush=True,
    )


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
        Results go to ``out_dir/<lesson_id>/<student>.json`` and ``scores.csv``.
    workers : int
        Submissions graded at once (each in its own process and temporary nbgrader course).
    timeout_per_cell : int
        Seconds before nbgrader interrupts a cell (the cell then scores nothing).
    timeout_per_submission : int
        Wall-clock seconds before a whole submission is killed (status ``timeout``, score 0).
        Must be longer than ``timeout_per_cell``. It is also each process's CPU-time limit.
    memory_mb : int
        Address-space limit (RLIMIT_AS) of the grading process and its kernel.
    force : bool
        Regrade students who already have a result for this exact submission and source.
    students : list of str, optional
        Grade only these students (default: every folder in ``submitted_dir``).
    quiet : bool
        Do not print progress to stderr.

    Returns
    -------
    pandas.DataFrame
        One row per student: student, lesson, score, max_score, status, message.
    """
    import pandas as pd

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
            f"<student>/{lesson_id}/{expected[0]} for each student."
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
    results_dir = _private_dir(_private_dir(out_dir) / lesson_id)
    source_sha = sha256_of_tree(lesson_dir)
    total = len(everyone)
    done = 0
    records: dict[str, dict] = {}
    counts_lock = threading.Lock()

    def finish(student: str, record: dict, sub_sha: str, seconds: float, note: str = "") -> None:
        nonlocal done
        record.setdefault("max_score", None)
        record.setdefault("message", "")
        record.update(
            student=student,
            lesson=lesson_id,
            submission_sha256=sub_sha,
            source_sha256=source_sha,
        )
        if not note:
            record["seconds"] = round(seconds, 2)
            record["graded_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            _write_private(results_dir / f"{student}.json", json.dumps(record, indent=1) + "\n")
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
        problem = _check_submission(folder, expected)
        if problem:
            finish(student, {"status": "invalid", "score": 0.0, "message": problem}, sub_sha, 0.0)
            continue
        to_grade.append((student, folder, sub_sha))

    runner = _Runner()
    limit_warnings: set[str] = set()

    def grade_one(student: str, folder: Path, sub_sha: str) -> tuple[str, dict, str, float]:
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="pp-grade-") as tmp:
            os.chmod(tmp, 0o700)
            job = {
                "lesson_id": lesson_id,
                "student": student,
                "lesson_dir": str(lesson_dir),
                "submission_dir": str(folder),
                "workdir": tmp,
                "result_path": str(Path(tmp) / "result.json"),
                "timeout_per_cell": int(timeout_per_cell),
                "cpu_seconds": int(timeout_per_submission),
                "memory_mb": int(memory_mb),
                "file_mb": 512,
            }
            record = runner.run(job, wall_seconds=timeout_per_submission)
        return student, record, sub_sha, time.monotonic() - started

    if to_grade:
        pool = ThreadPoolExecutor(max_workers=min(workers, len(to_grade)))
        pending: set[Future] = {pool.submit(grade_one, *item) for item in to_grade}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    student, record, sub_sha, seconds = future.result()
                    for name, state in (record.get("limits") or {}).items():
                        if state.startswith("not applied") and name not in limit_warnings:
                            limit_warnings.add(name)
                            print(f"Warning: {name} limit {state}", file=sys.stderr)
                    finish(student, record, sub_sha, seconds)
        except BaseException:
            runner.stop_all()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)

    rows = [{col: records[s].get(col) for col in COLUMNS} for s in everyone]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["score"] = frame["score"].astype("float64")
    frame["max_score"] = frame["max_score"].astype("float64")
    frame.to_csv(results_dir / "scores.csv", index=False)
    os.chmod(results_dir / "scores.csv", 0o600)
    if not quiet:
        counts = frame["status"].value_counts()
        parts = [f"{int(counts.get(s, 0))} {s}" for s in STATUSES]
        print(
            f"Graded {lesson_id}: {total} submission(s): {', '.join(parts)}. "
            f"Results in {results_dir}",
            file=sys.stderr,
        )
    return frame
