"""Run one submission through nbgrader's autograde in a private course (a child process of autograde).

Usage: ``python -m course.grading.grade._worker JOB.json``. The job names a prepared course template (the
lesson's *grading source* and its gradebook, see ``_lesson.py``), the submission folder, a private
work folder and where to write the result. Resource limits are applied to this process first, so
the kernel that nbgrader starts inherits them; the kernel itself runs in the sandbox (``_sandbox``)
when there is one.

nbgrader does what it is good at: it restores locked and test cells that a student edited,
deleted, duplicated or changed the type of, restores data files, executes the notebook with a
per-cell timeout and interrupts a cell that runs too long. It does not score anything we use: the
test cells it runs hold the visible tests and one line that records the answers, and the scores come
from the checker afterwards. This worker reports what happened while the notebook ran.

Nothing the kernel can write is followed or trusted here. The kernel works in its own folder
(``run/``, with copies of the lesson's and the submission's files), so the folder where nbgrader
writes the graded notebook is out of its sight; each test cell's recorded answers are taken (read
with no-follow, by content) into ``sealed/`` as soon as the line that records them has run, before
any more student code runs, so a later cell cannot rewrite them. The static scan (``_scan``) runs
here too, under the same limits as everything else that reads a submission.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import TypedDict

from course.grading.grade._lesson import PROLOGUE_MARK


class WorkerResult(TypedDict, total=False):
    """What the worker reports in ``result.json`` (:func:`grade`), and what ``_autograde._Runner.run``
    reports instead when the worker gave nothing (``interrupted``, ``wall_timeout``)."""

    status: str  # "ok", "timeout" or "error"
    notes: list[str]  # for the instructor, in words
    limits: dict[str, str]  # each limit: applied, or why not
    ran: bool  # nbgrader ran the notebook and wrote the autograded copy
    nbgrader_log: str  # the end of nbgrader's log, when it failed
    student_errors: dict[str, dict]  # the student's own exception before each test cell
    seconds_in_worker: float
    cells_seconds: float  # the notebook's own cells, kernel round trips included
    interrupted: bool  # the instructor stopped grading
    wall_timeout: bool  # the whole-submission limit ended the worker


CELL_TIMEOUT_ENAMES = {"CellTimeoutError"}
KERNEL_NAME = "course-grading"
MAX_OUTPUT_BYTES_PER_CELL = 1_000_000
TRUNCATED = "\n... output truncated by the grader (more than 1 MB from one cell) ...\n"
# Seconds each executed cell took, kernel round trip included (one submission per process).
CELL_SECONDS: list[float] = []
MAX_ANSWERS_BYTES = 64 * 1024 * 1024
# Where the kernel records answers and where they are sealed (set by grade(); one submission per process).
SEAL: dict[str, Path] = {}

# nbgrader's warnings about a submission's structure, in words for the instructor.
_STRUCTURE_NOTES = [
    (re.compile(r"Attribute 'cell_type' for cell (\S+) has changed"),
     "cell {0} had been changed to another cell type; nbgrader restored it"),
    (re.compile(r"Attribute 'points' for cell (\S+) has changed"),
     "the points of cell {0} had been edited; nbgrader restored them"),
    (re.compile(r"Attribute 'locked' for cell (\S+) has changed"),
     "cell {0} had been unlocked; nbgrader restored it"),
]


def apply_limits(memory_mb: int | None, cpu_seconds: int | None, file_mb: int | None) -> dict:
    """Set hard and soft rlimits on this process (inherited by the kernel); report each one."""
    report: dict[str, str] = {}
    try:
        import resource
    except ImportError:  # not a Unix system
        return {"all": "not applied: the resource module is unavailable on this system"}

    def set_limit(name: str, which: int, soft: int, hard: int, shown: str) -> None:
        try:
            _, current_hard = resource.getrlimit(which)
            if current_hard != resource.RLIM_INFINITY and current_hard < hard:
                hard = current_hard
                soft = min(soft, hard)
            resource.setrlimit(which, (soft, hard))
            got_soft, _ = resource.getrlimit(which)
            if got_soft != soft:
                report[name] = f"not applied: asked for {shown}, the system kept {got_soft}"
            else:
                report[name] = f"applied: {shown}"
        except (ValueError, OSError) as exc:
            report[name] = f"not applied: {exc}"

    if memory_mb:
        size = int(memory_mb) * 1024 * 1024
        set_limit("memory", resource.RLIMIT_AS, size, size, f"{memory_mb} MB address space")
    if cpu_seconds:
        cpu = int(cpu_seconds)
        set_limit("cpu", resource.RLIMIT_CPU, cpu, cpu + 5, f"{cpu} CPU seconds per process")
    if file_mb:
        size = int(file_mb) * 1024 * 1024
        set_limit("file_size", resource.RLIMIT_FSIZE, size, size, f"{file_mb} MB per file")
    set_limit("core_dumps", resource.RLIMIT_CORE, 0, 0, "none")
    return report


def _limited_execute():
    """nbgrader's Execute, keeping at most ~1 MB of output per cell (the rest is counted, not kept).

    A subclass of nbgrader's Execute, and why: nbgrader keeps every byte a cell prints until the
    notebook is written (a student's loop can print gigabytes), and the answers must be recorded and
    sealed between the recording line and the visible tests. It overrides ``preprocess_cell``
    (nbconvert's) and ``output`` (nbclient's NotebookClient hook, which receives each output
    message); :func:`_autograde_preprocessors` puts it where Execute stands in nbgrader's own list.
    Checked against nbgrader ``NBGRADER_PATCHED_FOR`` (releasing/_nbgrader.py);
    tests/test_grading_content.py pins the version, the hook's signature and nbgrader's list.
    """
    from nbformat.v4 import new_output
    from nbgrader.preprocessors import Execute

    class LimitedExecute(Execute):
        def preprocess_cell(self, cell, resources, index):
            started = time.monotonic()
            try:
                source = cell.source if cell.cell_type == "code" else ""
                grade_id = _grade_id(cell)
                if source.startswith(PROLOGUE_MARK) and grade_id and SEAL:
                    return self._record_then_test(cell, resources, index, grade_id)
                return super().preprocess_cell(cell, resources, index)
            finally:
                CELL_SECONDS.append(time.monotonic() - started)

        def _record_then_test(self, cell, resources, index, grade_id):
            """Run the line that records the answers on its own, seal them, then the tests."""
            source = cell.source
            prologue, _, tests = source.partition("\n")
            record_line, _, tests = tests.partition("\n")
            clear_answers(SEAL["answers"])  # nothing planted earlier can pass as this record
            first = cell.copy()
            first.source = prologue + "\n" + record_line
            first.outputs = []
            super().preprocess_cell(first, resources, index)
            seal(SEAL["answers"], SEAL["sealed"], grade_id)
            cell.source = tests
            try:
                return super().preprocess_cell(cell, resources, index)
            finally:
                cell.source = source

        def output(self, outs, msg, display_id, cell_index):
            used = getattr(self, "_course_used", None)
            if used is None:
                used = self._course_used = {}
            content = msg.get("content") or {}
            size = len(content.get("text") or "")
            for value in (content.get("data") or {}).values():
                size += len(value) if isinstance(value, str) else len(json.dumps(value))
            size += sum(len(line) for line in content.get("traceback") or [])
            before = used.get(cell_index, 0)
            used[cell_index] = before + size
            if before + size > MAX_OUTPUT_BYTES_PER_CELL:
                if before <= MAX_OUTPUT_BYTES_PER_CELL:
                    outs.append(new_output("stream", name="stdout", text=TRUNCATED))
                return None
            return super().output(outs, msg, display_id, cell_index)

    return LimitedExecute


def _grade_id(cell) -> str | None:
    meta = (cell.get("metadata") or {}).get("nbgrader")
    return meta.get("grade_id") if isinstance(meta, dict) else None


def clear_answers(folder: Path) -> None:
    """Remove everything in the kernel's answers folder (links are removed, never followed)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


def seal(answers: Path, sealed: Path, grade_id: str) -> bool:
    """Take ``<grade_id>.json`` out of the kernel's reach, by content; the first record taken wins."""
    from course.grading.grade._sandbox import NotRegular, read_regular

    target = sealed / f"{grade_id}.json"
    if target.exists():
        return False
    try:
        data = read_regular(answers / f"{grade_id}.json", MAX_ANSWERS_BYTES)
    except NotRegular as exc:
        data = json.dumps({"grade_id": grade_id, "refused": str(exc)}).encode()
    except OSError:
        return False
    finally:
        clear_answers(answers)
    sealed.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return True


def _copy_plain(src: Path, dest: Path, skip_notebooks: bool = True) -> None:
    """Copy the regular files under ``src`` into ``dest`` (no links, no notebooks, no debris)."""
    from course.grading.releasing._lessons import is_debris, is_instructor_only

    for root, dirs, files in os.walk(src, followlinks=False):
        rel = Path(root).relative_to(src)
        dirs[:] = [d for d in dirs if not (Path(root, d).is_symlink() or is_instructor_only(d)
                                           or is_debris(d) or d == ".course-answers")]
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            full = Path(root) / name
            if (skip_notebooks and name.endswith(".ipynb")) or is_instructor_only(name) \
                    or is_debris(name) or full.is_symlink() or not full.is_file():
                continue
            target = dest / rel / name
            if target.is_symlink() or target.exists():
                target.unlink()
            shutil.copyfile(full, target)


def student_errors(autograded_dir: Path, test_ids: set[str], locked_ids: set[str]) -> dict[str, dict]:
    """The first error raised by a student's cell before each test cell (issue: "why did I lose it?").

    Keyed by the test's grade id: ``{"cell": label, "ename", "evalue"}`` with no machine paths.
    """
    from course.grading.grade._sandbox import scrub_paths

    found: dict[str, dict] = {}
    for nb_path in sorted(autograded_dir.glob("*.ipynb")):
        try:
            nb = json.loads(nb_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        first = None
        for index, cell in enumerate(nb.get("cells", [])):
            grade_id = _grade_id(cell)
            if grade_id in test_ids:
                if first is not None:
                    found.setdefault(grade_id, first)
                first = None
                continue
            if cell.get("cell_type") != "code" or grade_id in locked_ids or first is not None:
                continue
            for output in cell.get("outputs") or []:
                if output.get("output_type") == "error" and output.get("ename") not in CELL_TIMEOUT_ENAMES:
                    label = f"cell {index + 1}" + (f" ({grade_id})" if grade_id else "")
                    first = {"cell": label, "ename": str(output.get("ename"))[:100],
                             "evalue": scrub_paths(str(output.get("evalue") or ""))[:300]}
                    break
    return found


def _copy_submission(src: Path, dest: Path) -> list[str]:
    """Copy regular files and folders only (no symlinks, devices or instructor-only names)."""
    from course.grading.releasing._lessons import is_debris, is_instructor_only

    skipped = []
    dest.mkdir(parents=True, exist_ok=True)
    for root, dirs, files in os.walk(src, followlinks=False):
        rel = Path(root).relative_to(src)
        keep = []
        for name in dirs:
            full = Path(root) / name
            if full.is_symlink():
                skipped.append(str(rel / name))
            elif not (is_instructor_only(name) or is_debris(name) or name == ".course-answers"):
                keep.append(name)
        dirs[:] = keep
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            full = Path(root) / name
            if is_instructor_only(name) or is_debris(name):
                continue
            if full.is_symlink() or not full.is_file():
                skipped.append(str(rel / name))
                continue
            shutil.copyfile(full, dest / rel / name)
    return skipped


def repair(nb: dict, grading_nb: dict | None) -> list[str]:
    """Repair a submission's structure in place before nbgrader sees it; return notes.

    nbgrader restores edited locked cells itself, but fails outright on some damage a student can
    do by accident (a copied test cell, a cell with an id the lesson does not have, broken cell
    metadata, deleted cells next to each other). Here: cells of an unknown type become raw cells;
    metadata that is not nbgrader's is dropped (the cell stays, as an ordinary cell); of cells
    sharing an id only the last keeps it; test cells and written answers that are missing are put
    back where they belong (after the nearest earlier graded cell).
    """
    notes: list[str] = []
    source_cells = [c for c in (grading_nb or {}).get("cells", [])
                    if isinstance(c.get("metadata", {}).get("nbgrader"), dict)
                    and c["metadata"]["nbgrader"].get("grade_id")]
    known = {c["metadata"]["nbgrader"]["grade_id"]: c for c in source_cells}
    order = [c["metadata"]["nbgrader"]["grade_id"] for c in source_cells]
    cells = [c for c in nb.get("cells", []) if isinstance(c, dict)]
    for cell in cells:
        if cell.get("cell_type") not in {"code", "markdown", "raw"}:
            cell["cell_type"] = "raw"
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = {}
        if not isinstance(cell.get("source"), (str, list)):
            cell["source"] = ""
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
        meta = cell["metadata"].get("nbgrader")
        if meta is None:
            continue
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if grade_id not in known:
            del cell["metadata"]["nbgrader"]
            if grade_id:
                notes.append(f"a cell claimed the id {grade_id}, which the lesson does not have; "
                             "it was treated as an ordinary cell")
    last: dict[str, int] = {}
    for index, cell in enumerate(cells):
        meta = cell["metadata"].get("nbgrader")
        if meta:
            last[meta["grade_id"]] = index
    for index, cell in enumerate(cells):
        meta = cell["metadata"].get("nbgrader")
        if meta and last[meta["grade_id"]] != index:
            del cell["metadata"]["nbgrader"]
            note = f"cell {meta['grade_id']} appeared more than once; only the last copy was graded"
            if note not in notes:
                notes.append(note)

    def positions() -> dict[str, int]:
        return {c["metadata"]["nbgrader"]["grade_id"]: i for i, c in enumerate(cells)
                if c["metadata"].get("nbgrader")}

    present = positions()
    for position, grade_id in enumerate(order):
        meta = known[grade_id]["metadata"]["nbgrader"]
        if grade_id in present or not meta.get("grade"):
            continue
        earlier = [present[g] for g in order[:position] if g in present]
        cells.insert(max(earlier) + 1 if earlier else 0, json.loads(json.dumps(known[grade_id])))
        present = positions()
        notes.append(f"cell {grade_id} was missing; it was put back")
    nb["cells"] = cells
    if not isinstance(nb.get("metadata"), dict):
        nb["metadata"] = {}
    return notes


def sanitise(nb_path: Path, grading_nb: dict) -> list[str]:
    """:func:`repair` a notebook file in place."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    notes = repair(nb, grading_nb)
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    return notes


def _write_kernelspec(job: dict, work: Path, cwd: Path, answers: Path, sock: Path) -> None:
    from course.grading.grade._sandbox import Isolation

    iso = job.get("isolation") or {"kind": "none", "detail": ""}
    isolation = Isolation(iso["kind"], iso.get("detail", ""), bwrap=iso.get("bwrap"),
                          readonly=iso.get("readonly") or [])
    # ipykernel, with an import that grading never needs deferred (see course._kernel).
    from course._kernel import ENV_CWD, LAUNCH

    argv = [sys.executable, "-c", LAUNCH, "-f", "{connection_file}"]
    env = {"COURSE_ANSWERS_DIR": str(answers), ENV_CWD: str(cwd), **(job.get("kernel_env") or {})}
    argv = isolation.wrap(
        argv,
        cwd=cwd,
        writable=[answers, sock],
        readable=[work / "tmp", *[Path(c) for c in job.get("caches") or []]],
        env=env,
    )
    spec_dir = work / "share" / "jupyter" / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {"argv": argv, "display_name": "Python 3 (grading)", "language": "python"}
    if isolation.sandboxed:
        # A signal would reach bubblewrap, not the kernel inside it: interrupt by message instead
        # (ipykernel then sends SIGINT to itself).
        spec["interrupt_mode"] = "message"
    else:
        spec["env"] = env
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")


def _cells_with_error(autograded_dir: Path, enames: set[str]) -> list[str]:
    """Cells of the autograded notebooks whose outputs include one of these errors."""
    from course.grading.grade._lesson import grade_id_of
    found = []
    for nb_path in sorted(autograded_dir.glob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for index, cell in enumerate(nb.get("cells", [])):
            for output in cell.get("outputs", []) or []:
                if output.get("output_type") == "error" and output.get("ename") in enames:
                    grade_id = grade_id_of(cell)
                    found.append(grade_id or f"cell {index + 1}")
                    break
    return found


def _cells_truncated(autograded_dir: Path) -> list[str]:
    from course.grading.grade._lesson import grade_id_of

    found = []
    for nb_path in sorted(autograded_dir.glob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for index, cell in enumerate(nb.get("cells", [])):
            texts = [o.get("text") or "" for o in cell.get("outputs", []) or []]
            texts = ["".join(t) if isinstance(t, list) else t for t in texts]
            if any(t == TRUNCATED or "... Output truncated ..." in t for t in texts):
                grade_id = grade_id_of(cell)
                found.append(grade_id or f"cell {index + 1}")
    return found


def _used_its_cpu(job: dict) -> bool:
    """Whether the kernels this worker waited for used up the CPU limit (SIGXCPU ended one)."""
    try:
        import resource
    except ImportError:
        return False
    if not job.get("cpu_seconds"):
        return False
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime >= int(job["cpu_seconds"]) - 1


def _error_summary(result: dict) -> str:
    from course.grading.releasing._nbgrader import last_error

    text = result.get("log", "") + "\n" + result.get("error", "")
    if "DeadKernelError" in text or "Kernel died" in text or "kernel died" in text.lower():
        return "the kernel stopped while running the notebook (it crashed, exited or hit a limit)"
    if "Timeout waiting for IOPub" in text or "CellTimeoutError" in text or "UnresponsiveKernel" in text:
        return "a cell ran past the time limit and the kernel could not be interrupted"
    if "failed to validate" in text or "ValidationError" in text:
        return "the notebook's nbgrader metadata is corrupted beyond repair"
    return last_error(text)


def structure_notes(log_text: str) -> list[str]:
    notes = []
    for pattern, words in _STRUCTURE_NOTES:
        for match in pattern.finditer(log_text):
            note = words.format(match.group(1).strip("'\"."))
            if note not in notes:
                notes.append(note)
    return notes


def grade(job: dict) -> WorkerResult:
    """Autograde the submission described by ``job`` and report what happened."""
    started = time.monotonic()
    limits = apply_limits(job.get("memory_mb"), job.get("cpu_seconds"), job.get("file_mb"))
    # jsonschema (through nbformat) compiles dozens of IRI grammars at import when rfc3987_syntax
    # is installed: most of a second per worker, for a format check grading never uses.
    sys.modules.setdefault("rfc3987_syntax", None)

    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log
    from traitlets.config import Config

    from course.grading.releasing._nbgrader import nbgrader_config, prepare_nbgrader, quiet_logger

    prepare_nbgrader()
    lesson_id, student = job["lesson_id"], job["student"]
    work = Path(job["workdir"])
    template = Path(job["template"])
    shutil.copytree(template / "source", work / "source")
    shutil.copyfile(template / "gradebook.db", work / "gradebook.db")
    submitted = work / "submitted" / student / lesson_id
    skipped = _copy_submission(Path(job["submission_dir"]), submitted)
    answers = Path(job["answers_dir"])
    answers.mkdir(parents=True, exist_ok=True)
    autograded = work / "autograded" / student / lesson_id
    autograded.mkdir(parents=True, exist_ok=True)
    sock = Path(job.get("sock_dir") or work / "sock")
    sock.mkdir(exist_ok=True)
    # The kernel's own folder: the submission's files, then the lesson's (as nbgrader lays them out
    # in the autograded folder, which the kernel never sees).
    run = work / "run"
    run.mkdir(exist_ok=True)
    _copy_plain(submitted, run)
    _copy_plain(work / "source" / lesson_id, run)
    _write_kernelspec(job, work, run, answers, sock)
    SEAL.update(answers=answers, sealed=Path(job.get("sealed_dir") or work / "sealed"))
    repairs: list[str] = []
    sources: dict[str, dict] = {}
    for nb_path in sorted(submitted.glob("*.ipynb")):
        grading_nb = work / "source" / lesson_id / nb_path.name
        if grading_nb.is_file():
            try:
                sources[nb_path.name] = json.loads(grading_nb.read_text(encoding="utf-8"))
                repairs += sanitise(nb_path, sources[nb_path.name])
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                repairs.append(f"{nb_path.name} could not be repaired ({exc!r})")
    locked_ids, code_ids, test_ids = _source_ids(sources)
    if job.get("scan_path"):
        # What the scan reads is exactly what nbgrader will run (the repaired copy).
        from course.grading.grade._scan import scan_submission

        reasons = scan_submission(submitted, sorted(sources), locked_ids, code_ids)
        _write_json(Path(job["scan_path"]), {"review": reasons})

    config = nbgrader_config(work, timeout_per_cell=job["timeout_per_cell"])
    extra = Config()
    if os.name == "posix":
        extra.KernelManager.transport = "ipc"
        extra.KernelManager.ip = str(sock / "k")
    extra.Execute.kernel_name = KERNEL_NAME
    # Every chart is a widget carrying Vega's 0.9 MB offline bundle: keeping widget state put
    # 4-5 MB into each graded notebook that nobody views as widgets.
    extra.Execute.store_widget_state = False
    extra.OverwriteCells.add_missing_cells = False  # done by sanitise (nbgrader's fails on some)
    extra.Autograde.autograde_preprocessors = _autograde_preprocessors()
    config.merge(extra)
    log = quiet_logger()
    record: WorkerResult = {"status": "ok", "notes": list(repairs), "limits": limits, "ran": False}
    if skipped:
        record["notes"].append("ignored links and special files: " + ", ".join(sorted(skipped)[:5]))

    coursedir = CourseDirectory(config=config, log=log)
    coursedir.assignment_id = lesson_id
    coursedir.student_id = student
    app = Autograde(coursedir=coursedir, config=config, log=log)
    app.force, app.create_student = True, True
    result = capture_log(app)
    record["notes"] += structure_notes(result.get("log", ""))
    if not result["success"]:
        summary = _error_summary(result) if not _used_its_cpu(job) else (
            f"the kernel used all of its {job['cpu_seconds']} CPU seconds and was stopped "
            "(a cell kept several cores busy)")
        record["status"] = "timeout" if "time limit" in summary or "CPU seconds" in summary else "error"
        record["notes"].append(summary)
        text = (result.get("log", "") + "\n" + result.get("error", "")).strip()
        record["nbgrader_log"] = text[-3000:]
    else:
        record["ran"] = True
        timed_out = _cells_with_error(autograded, CELL_TIMEOUT_ENAMES)
        if timed_out:
            record["status"] = "timeout"
            record["notes"].append(
                f"interrupted after {job['timeout_per_cell']} s in {', '.join(timed_out)}; "
                "the other cells were graded"
            )
        record["student_errors"] = student_errors(autograded, test_ids, locked_ids)
        out_of_memory = _cells_with_error(autograded, {"MemoryError"})
        if out_of_memory:
            record["notes"].append(
                f"ran out of memory (limit {job.get('memory_mb')} MB) in {', '.join(out_of_memory)}")
        truncated = _cells_truncated(autograded)
        if truncated:
            record["notes"].append(f"printed too much in {', '.join(truncated)} (output cut)")
    record["seconds_in_worker"] = round(time.monotonic() - started, 2)
    # The notebook's own run time: what grading costs beyond nbgrader's fixed work (benchmarks).
    record["cells_seconds"] = round(sum(CELL_SECONDS), 2)
    return record


def _source_ids(sources: dict[str, dict]) -> tuple[set[str], set[str], set[str]]:
    """Grade ids in the grading source: locked cells, cells that run as code, and test cells."""
    locked, code, tests = set(), set(), set()
    for nb in sources.values():
        for cell in nb.get("cells", []):
            meta = (cell.get("metadata") or {}).get("nbgrader")
            if not isinstance(meta, dict) or not meta.get("grade_id"):
                continue
            if meta.get("locked"):
                locked.add(meta["grade_id"])
            if cell.get("cell_type") == "code":
                code.add(meta["grade_id"])
                if meta.get("grade"):
                    tests.add(meta["grade_id"])
    return locked, code, tests


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def _autograde_preprocessors():
    """nbgrader's default ``Autograde.autograde_preprocessors`` (a configurable trait), with
    :func:`_limited_execute` in Execute's place (tests/test_grading_content.py checks the list)."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )

    return [_limited_execute(), IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
            SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]


def forked(target: str, args: list[str], env: dict[str, str], log_path: str, cwd: str) -> None:
    """Entry point of a process forked by the grading fork server (see ``_autograde._Fork``).

    Makes the fork look like a fresh ``python -m``: its own session, the job's environment and
    working folder, stdout and stderr into its log, then runs ``target`` ("worker" or "checker").
    """
    os.setsid()
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.environ.clear()
    os.environ.update(env)
    # As `python -I`: never import from the working folder (a submission could write there).
    sys.path[:] = [p for p in sys.path if p and os.path.isabs(p)]
    import tempfile

    tempfile.tempdir = None
    os.chdir(cwd)
    if target == "worker":
        code = main(args)
    else:
        from course.grading.grade import _checker

        code = _checker.main(args)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    try:
        record = grade(job)
    except Exception as exc:  # noqa: BLE001 - report any failure as this submission's error
        record = WorkerResult(status="error", notes=[f"grading failed: {exc!r}"[:500]])
    _write_json(Path(job["result_path"]), record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
