"""Run each exercise's tests (visible and hidden) on the recorded answers, in a fresh process.

``python -I -m course.grading.grade._checker`` reads one JSON job on stdin and writes one JSON result on
stdout. It runs only the instructor's test code, on answers rebuilt by ``_codec`` as genuine objects:
nothing the student wrote runs here, so patched builtins, input transformers, exception hooks,
``course.checks`` replaced in the kernel, or objects that always compare equal have no effect.

A student's *function* is not rebuilt here: the test gets a stand-in with the same name, signature
and source (so ``inspect.getsource`` and AST checks see the student's code) that sends each call to
the sandboxed runner (``_runner.py``), which holds no expected values.

What a test sees of a function is everything it reaches: ``inspect.getsource`` gives the function,
then (inside it, after its own body) the student's functions it calls and the library objects its
globals name (``_t = course.measures.inequality.theil``), so a check that a function does not call a
library's version holds for a reference to it, an alias, a thin wrapper or a global. An answer that
*is* a library function (``theil_t = measures.theil``) is shown to the test as exactly that line.

This process reads the recorded answers itself (sealed by the worker, read with no-follow) and
runs under the same CPU-time and memory limits as the kernel; decoding is bounded too (``_codec``).

Hidden inputs stay hidden: after a hidden test has called a student's function, the runner is
started afresh before any visible test calls one again (nothing it saw can come back in a visible
message), and a hidden failure is reported only by the constant text of the test's own message,
never by text the student's code produced.

Job::

    {"tests": [{"grade_id", "source", "hidden"}], "answers_dir": folder,
     "not_recorded": {grade_id: reason}, "runner": {"argv", "cwd", "env", "memory_mb", "cpu_seconds"},
     "memory_mb": n, "cpu_seconds": n, "call_timeout": s, "test_timeout": s}

Result::

    {"results": {grade_id: {"passed": bool, "stdout": str,
                            "error": {"ename", "evalue", "line", "in_student_function", "hidden",
                                      "public"} | null}},
     "runner": {"started": n, "calls": n}}
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import os
import select
import signal
import subprocess
import sys
import time

from course.grading.kernel._codec import (
    ALLOWED_MODULES,
    TAG,
    Decoder,
    TooLarge,
    Unrecorded,
    _Budget,
    _encode,
    one_def,
)

MAX_STDOUT = 20_000
MAX_ANSWERS_BYTES = 64 * 1024 * 1024


def harden() -> None:
    """No core dumps, and (on Linux) no other process of this user may read our memory."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
        except (OSError, AttributeError):
            pass


class StudentFunctionError(Exception):
    """An exception raised inside the student's function (its type and message are kept)."""


class _Timeout(BaseException):
    """The test ran past its time limit (BaseException: a test's ``except Exception`` cannot eat it)."""


def _limits(memory_mb: int | None, cpu_seconds: int | None):
    def apply() -> None:
        try:
            import resource

            if memory_mb:
                size = int(memory_mb) * 1024 * 1024
                resource.setrlimit(resource.RLIMIT_AS, (size, size))
            if cpu_seconds:
                resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_seconds), int(cpu_seconds) + 2))
            resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024 * 1024,) * 2)
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        except (ImportError, ValueError, OSError):
            pass

    return apply


class Runner:
    """The sandboxed process that calls student functions; started on the first call."""

    def __init__(self, spec: dict | None, call_timeout: float) -> None:
        self.spec = spec
        self.call_timeout = call_timeout
        self.proc: subprocess.Popen | None = None
        self.defined: set[str] = set()
        self.buffer = b""
        self.next_id = 0
        self.started = 0
        self.calls = 0
        # True once a hidden test has called into this process: it may hold hidden inputs, so it
        # is replaced before a visible test calls a function again.
        self.hidden_phase = False
        self.tainted = False

    def _start(self) -> None:
        if not self.spec:
            raise StudentFunctionError("functions cannot be called in this grading run")
        self.proc = subprocess.Popen(
            self.spec["argv"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=self.spec.get("cwd"),
            env=self.spec.get("env"),
            preexec_fn=_limits(self.spec.get("memory_mb"), self.spec.get("cpu_seconds")),
            start_new_session=True,
        )
        self.started += 1
        self.defined = set()
        self.buffer = b""
        self.tainted = self.hidden_phase

    def stop(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.kill()
            except OSError:
                pass
            self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout):
                with contextlib.suppress(OSError):
                    stream.close()
        self.proc = None

    def _send(self, data: dict) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(data, allow_nan=True) + "\n").encode())
        self.proc.stdin.flush()

    def _readline(self, timeout: float) -> dict:
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise EOFError
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def call(self, grade_id: str, answers: dict, name: str, args: tuple, kwargs: dict):
        self.calls += 1
        if self.hidden_phase:
            self.tainted = True
        elif self.tainted:
            self.stop()
            self.tainted = False
        try:
            payload_args = _encode(list(args), _Budget(32 * 1024 * 1024), 0, None, None)
            payload_kwargs = _encode(dict(kwargs), _Budget(32 * 1024 * 1024), 0, None, None)
        except TooLarge:
            raise StudentFunctionError("the test's inputs are too large to send") from None
        try:
            if self.proc is None or self.proc.poll() is not None:
                self._start()
            if grade_id not in self.defined:
                # A module is rebuilt only if a recorded function uses it: importing one the test
                # cell itself uses (pandas, say) in the limited runner can exhaust its memory
                # limit and end the process, failing an honest function.
                functions = answers.get("functions") or {}
                used = {g for record in functions.values() if isinstance(record, dict)
                        for g in (record.get("globals") or [])}
                known = {**(answers.get("globals") or {}), **(answers.get("values") or {})}
                self._send({"op": "define", "ns": grade_id, "functions": functions,
                            "globals": {k: v for k, v in known.items()
                                        if k in used or not (isinstance(v, dict)
                                                             and v.get("$t") == "module")}})
                self._readline(self.call_timeout)
                self.defined.add(grade_id)
            self.next_id += 1
            self._send({"op": "call", "id": self.next_id, "ns": grade_id, "fn": name,
                        "args": payload_args, "kwargs": payload_kwargs})
            while True:
                reply = self._readline(self.call_timeout)
                if reply.get("id") == self.next_id:
                    break
        except TimeoutError:
            self.stop()
            raise StudentFunctionError(
                f"{name}(...) did not return within {self.call_timeout:g} seconds") from None
        except (EOFError, BrokenPipeError, OSError, ValueError):
            code = self.proc.poll() if self.proc is not None else None
            self.stop()
            raise StudentFunctionError(
                f"{name}(...) stopped the process running it (exit status {code})") from None
        if "error" in reply:
            ename, message = (list(reply["error"]) + ["", ""])[:2]
            kind = getattr(builtins, str(ename), None)
            if isinstance(kind, type) and issubclass(kind, Exception) and kind is not StudentFunctionError:
                try:
                    error = kind(message)
                except Exception:  # noqa: BLE001
                    error = StudentFunctionError(f"{ename}: {message}")
            else:
                error = StudentFunctionError(f"{ename}: {message}")
            error._course_from_student = True
            raise error
        return Decoder(ALLOWED_MODULES)(reply.get("ok"))


def _signature_stub(source: str, name: str):
    """A function with the student's parameters (defaults shown as ...), for inspect.signature."""
    import inspect

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None, 1
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            args = node.args
            for default_list in (args.defaults, args.kw_defaults):
                for i, default in enumerate(default_list):
                    if default is not None:
                        default_list[i] = ast.Constant(value=...)
            stub = ast.FunctionDef(name=name, args=args, body=[ast.Pass()], decorator_list=[],
                                   returns=None, type_comment=None, type_params=[])
            module = ast.fix_missing_locations(ast.Module(body=[stub], type_ignores=[]))
            space: dict = {}
            try:
                exec(compile(module, "<signature>", "exec"), {"__builtins__": {}}, space)  # noqa: S102
                return inspect.signature(space[name]), first
            except Exception:  # noqa: BLE001 - only cosmetic
                return None, first
    return None, 1


def _dotted(data: dict) -> str:
    if data.get(TAG) == "module":
        return str(data.get("name", ""))
    module, name = str(data.get("module", "")), str(data.get("name", ""))
    return name if module == "builtins" else f"{module}.{name}"


def _references(data, found: list[str], depth: int = 0) -> None:
    """The library objects (functions, classes, modules) named anywhere inside a recorded value."""
    if depth > 60 or len(found) > 200:
        return
    if isinstance(data, dict):
        if data.get(TAG) in ("builtin", "module"):
            text = _dotted(data)
            if text and text not in found:
                found.append(text)
            return
        for value in data.values():
            _references(value, found, depth + 1)
    elif isinstance(data, list):
        for value in data:
            _references(value, found, depth + 1)


def _names_in(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def reached_source(answers: dict, name: str) -> str | None:
    """The source a test sees for the function ``name``: its own, then what it reaches.

    Everything the runner will define and that the function can reach through its names (read
    from the code, not from the record's own list) is appended inside the function, after its
    body: the student's other functions, and one line per global that names a library object.
    None when the record is not one plain function definition.
    """
    functions = answers.get("functions") or {}
    source = (functions.get(name) or {}).get("source")
    if not isinstance(source, str) or not one_def(source, name):
        return None
    scope = {**(answers.get("globals") or {}), **(answers.get("values") or {})}
    extra: list[str] = []
    seen = {name}
    todo = sorted(_names_in(source))
    while todo:
        used = todo.pop(0)
        if used in seen:
            continue
        seen.add(used)
        other = (functions.get(used) or {}).get("source")
        if isinstance(other, str) and used in functions:
            extra.append(other.rstrip("\n"))
            todo += sorted(_names_in(other) - seen)
        elif used in scope:
            refs: list[str] = []
            _references(scope[used], refs)
            if refs:
                shown = refs[0] if len(refs) == 1 else "(" + ", ".join(refs) + ")"
                extra.append(f"{used} = {shown}")
    if not extra:
        return source
    try:
        tree = ast.parse(source)
        body = tree.body[0].body
        appendix = ast.parse("\n\n".join(extra)).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines = source.rstrip("\n").split("\n")
    first = body[0]
    if first.lineno > tree.body[0].lineno and not lines[-1].rstrip().endswith("\\"):
        indent = " " * first.col_offset
        text = "\n".join(lines + ["", indent + "# (added by the grader) what this function reaches:"]
                         + [indent + line if line else "" for part in extra for line in part.split("\n")])
        try:
            if one_def(text, name):
                return text + "\n"
        except RecursionError:
            pass
    tree.body[0].body = body + appendix
    return ast.unparse(tree) + "\n"


def _install_source(name: str, source: str) -> str:
    import linecache

    filename = f"<submission: {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return filename


def make_ref_proxy(runner: Runner, grade_id: str, answers: dict, name: str, data: dict, real):
    """An answer that is a library function: the test sees ``name = module.function`` as its source,
    and calls go to the runner like any other answer's."""
    import inspect

    source = f"{name} = {_dotted(data)}\n"
    filename = _install_source(name, source)

    def proxy(*args, **kwargs):
        return runner.call(grade_id, answers, name, args, kwargs)

    proxy.__code__ = proxy.__code__.replace(co_filename=filename, co_firstlineno=1, co_name=name)
    proxy.__name__ = proxy.__qualname__ = name
    proxy.__module__ = "__main__"
    try:
        proxy.__signature__ = inspect.signature(real)
    except (TypeError, ValueError):
        pass
    return proxy


def make_proxy(runner: Runner, grade_id: str, answers: dict, name: str):
    record = (answers.get("functions") or {}).get(name) or {}
    if not record.get("source"):
        return Unrecorded("function", record.get("error") or f"the function {name} could not be recorded")
    source = reached_source(answers, name)
    if source is None:
        return Unrecorded("function", f"the recorded source of {name} is not one function definition")
    filename = _install_source(name, source)
    signature, first_line = _signature_stub(source, name)

    def proxy(*args, **kwargs):
        return runner.call(grade_id, answers, name, args, kwargs)

    proxy.__code__ = proxy.__code__.replace(co_filename=filename, co_firstlineno=first_line, co_name=name)
    proxy.__name__ = name
    proxy.__qualname__ = name
    proxy.__module__ = "__main__"
    if signature is not None:
        proxy.__signature__ = signature
    return proxy


def _alarm(_signum, _frame):
    raise _Timeout


def run_test(test: dict, answers: dict | None, reason: str | None, runner: Runner, timeout: float) -> dict:
    grade_id = test["grade_id"]
    if answers is None:
        return {"passed": False, "stdout": "",
                "error": {"ename": "NotGraded", "evalue": reason or "the test cell did not run",
                          "line": None, "in_student_function": False}}
    namespace: dict = {"__name__": "__main__", "__builtins__": builtins}
    decoder = Decoder(ALLOWED_MODULES, lambda name: make_proxy(runner, grade_id, answers, name))
    values = answers.get("values") or {}
    for name, data in (values.items() if isinstance(values, dict) else []):
        if not isinstance(name, str) or name in vars(builtins) or name.startswith("__"):
            continue
        try:
            value = decoder(data)
            if isinstance(data, dict) and data.get(TAG) == "builtin" and callable(value) \
                    and not isinstance(value, type):
                value = make_ref_proxy(runner, grade_id, answers, name, data, value)
            namespace[name] = value
        except Exception as exc:  # noqa: BLE001 - MemoryError and TooLarge included
            namespace[name] = Unrecorded("?", f"{name} could not be rebuilt ({type(exc).__name__})")
    filename = f"<tests {grade_id}>"
    segments = _segments(test["source"], test.get("hidden"), filename)
    printed: list[str] = []
    error = None
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    secret = False
    try:
        for code, secret in segments:
            out = io.StringIO()
            runner.hidden_phase = secret
            try:
                with contextlib.redirect_stdout(out):
                    exec(code, namespace)  # noqa: S102 - the instructor's tests
            finally:
                if not secret:  # what hidden tests print is never shown
                    printed.append(out.getvalue())
    except _Timeout:
        error = {"ename": "TimeoutError", "evalue": f"the tests took longer than {timeout:g} seconds",
                 "line": None, "in_student_function": False}
    except BaseException as exc:  # noqa: BLE001 - any failure fails the test, no more
        line = None
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename:
                line = tb.tb_lineno
            tb = tb.tb_next
        from_student = bool(getattr(exc, "_course_from_student", False))
        error = {"ename": type(exc).__name__, "evalue": str(exc)[:1000], "line": line,
                 "in_student_function": from_student, "hidden": bool(secret)}
        if secret:
            error["public"] = None if from_student else public_message(str(exc), test)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        runner.hidden_phase = False
    stdout = "".join(printed)
    if len(stdout) > MAX_STDOUT:
        stdout = stdout[:MAX_STDOUT] + "\n... output truncated ...\n"
    unrecorded = {name: value.why for name, value in namespace.items()
                  if isinstance(value, Unrecorded) and name in (answers.get("values") or {})}
    return {"passed": error is None, "stdout": stdout, "error": error, "unrecorded": unrecorded}


def _constants(source: str) -> list[str]:
    """The string constants of a test's source (its own messages and hints), longest first."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return []
    found = {n.value.strip() for n in ast.walk(tree)
             if isinstance(n, ast.Constant) and isinstance(n.value, str) and len(n.value.strip()) >= 8}
    return sorted(found, key=len, reverse=True)


def public_message(text: str, test: dict) -> str | None:
    """What a student may read about a hidden failure: a constant message of the test, no more.

    An exception's text can carry anything the student's code produced (a returned string, an
    object's repr), and so the hidden inputs it was given. Only text written in the test itself
    is passed on: the longest string constant of the hidden region that the message contains.
    """
    hidden = test.get("hidden")
    lines = str(test.get("source", "")).split("\n")
    region = "\n".join(lines[hidden[0] - 1:hidden[1]]) if hidden else "\n".join(lines)
    import textwrap

    for constant in _constants(textwrap.dedent(region)):
        if constant in text:
            return constant
    return None


def load_answers(folder: str | None, grade_id: str) -> tuple[dict | None, str | None]:
    """The sealed record of one test cell, or why there is none (read by content, never a link)."""
    from pathlib import Path

    from course.grading.grade._sandbox import NotRegular, read_regular

    if not folder:
        return None, None
    path = Path(folder) / f"{grade_id}.json"
    try:
        data = json.loads(read_regular(path, MAX_ANSWERS_BYTES).decode("utf-8"))
    except FileNotFoundError:
        return None, None
    except NotRegular as exc:
        return None, f"the recorded answers were not taken ({exc})"
    except (OSError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return None, "the recorded answers were unreadable"
    if not isinstance(data, dict) or data.get("grade_id") != grade_id:
        return None, "the recorded answers were malformed"
    if data.get("refused"):
        return None, f"the recorded answers were not taken ({str(data['refused'])[:200]})"
    return data, None


def _segments(source: str, hidden, filename: str) -> list[tuple[object, bool]]:
    """The test cell compiled in up to three parts (visible, hidden, visible), line numbers kept.

    Printing from the hidden part is then dropped. When the hidden region is not at the top level
    (the parts do not compile on their own), the cell runs whole and prints nothing.
    """
    lines = source.split("\n")
    if hidden:
        first, last = hidden
        parts = [(0, first - 1, False), (first - 1, last, True), (last, len(lines), False)]
        try:
            compiled = []
            for start, end, secret in parts:
                text = "\n" * start + "\n".join(lines[start:end])
                compiled.append((compile(text, filename, "exec"), secret))
            return compiled
        except SyntaxError:
            return [(compile(source, filename, "exec"), True)]
    return [(compile(source, filename, "exec"), False)]


def main(argv: list[str] | None = None) -> int:
    """Run a job: read it from JOB_PATH (or stdin) and write the result to OUT_PATH (or stdout)."""
    argv = sys.argv[1:] if argv is None else argv
    harden()
    job = json.loads(open(argv[0], encoding="utf-8").read() if argv else sys.stdin.read())
    # The same limits as the kernel: reading and rebuilding what a submission recorded is work
    # done on its content.
    _limits(job.get("memory_mb"), job.get("cpu_seconds"))()
    runner = Runner(job.get("runner"), float(job.get("call_timeout", 10)))
    results = {}
    try:
        for test in job["tests"]:
            grade_id = test["grade_id"]
            answers = (job.get("answers") or {}).get(grade_id)
            reason = (job.get("not_recorded") or {}).get(grade_id)
            if answers is None and "answers_dir" in job:
                answers, problem = load_answers(job["answers_dir"], grade_id)
                reason = problem or reason
            results[grade_id] = run_test(test, answers, reason, runner, float(job.get("test_timeout", 30)))
    finally:
        runner.stop()
    text = json.dumps({"results": results, "runner": {"started": runner.started, "calls": runner.calls}},
                      allow_nan=True)
    if len(argv) > 1:
        tmp = argv[1] + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, argv[1])
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
