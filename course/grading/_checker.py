"""Run each exercise's tests (visible and hidden) on the recorded answers, in a fresh process.

``python -I -m course.grading._checker`` reads one JSON job on stdin and writes one JSON result on
stdout. It runs only the instructor's test code, on answers rebuilt by ``_codec`` as genuine objects:
nothing the student wrote runs here, so patched builtins, input transformers, exception hooks,
``course.checks`` replaced in the kernel, or objects that always compare equal have no effect.

A student's *function* is not rebuilt here: the test gets a stand-in with the same name, signature
and source (so ``inspect.getsource`` and AST checks see the student's code) that sends each call to
the sandboxed runner (``_runner.py``), which holds no expected values.

Job::

    {"tests": [{"grade_id", "source"}], "answers": {grade_id: record | null},
     "not_recorded": {grade_id: reason}, "runner": {"argv", "cwd", "env", "memory_mb", "cpu_seconds"},
     "call_timeout": s, "test_timeout": s}

Result::

    {"results": {grade_id: {"passed": bool, "stdout": str,
                            "error": {"ename", "evalue", "line", "in_student_function"} | null}},
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

from course.grading._codec import ALLOWED_MODULES, Decoder, TooLarge, Unrecorded, _Budget, _encode

MAX_STDOUT = 20_000


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
        try:
            payload_args = _encode(list(args), _Budget(32 * 1024 * 1024), 0, None, None)
            payload_kwargs = _encode(dict(kwargs), _Budget(32 * 1024 * 1024), 0, None, None)
        except TooLarge:
            raise StudentFunctionError("the test's inputs are too large to send") from None
        try:
            if self.proc is None or self.proc.poll() is not None:
                self._start()
            if grade_id not in self.defined:
                self._send({"op": "define", "ns": grade_id, "functions": answers.get("functions") or {},
                            "globals": {**(answers.get("globals") or {}),
                                        **{k: v for k, v in (answers.get("values") or {}).items()}}})
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


def make_proxy(runner: Runner, grade_id: str, answers: dict, name: str):
    import linecache

    record = (answers.get("functions") or {}).get(name) or {}
    source = record.get("source")
    if not source:
        return Unrecorded("function", record.get("error") or f"the function {name} could not be recorded")
    filename = f"<submission: {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
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
    for name, data in (answers.get("values") or {}).items():
        if name in vars(builtins) or name.startswith("__"):
            continue
        try:
            namespace[name] = decoder(data)
        except Exception as exc:  # noqa: BLE001
            namespace[name] = Unrecorded("?", f"{name} could not be rebuilt ({exc})")
    filename = f"<tests {grade_id}>"
    segments = _segments(test["source"], test.get("hidden"), filename)
    printed: list[str] = []
    error = None
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        for code, secret in segments:
            out = io.StringIO()
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
        error = {"ename": type(exc).__name__, "evalue": str(exc)[:1000], "line": line,
                 "in_student_function": bool(getattr(exc, "_course_from_student", False))}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    stdout = "".join(printed)
    if len(stdout) > MAX_STDOUT:
        stdout = stdout[:MAX_STDOUT] + "\n... output truncated ...\n"
    unrecorded = {name: value.why for name, value in namespace.items()
                  if isinstance(value, Unrecorded) and name in (answers.get("values") or {})}
    return {"passed": error is None, "stdout": stdout, "error": error, "unrecorded": unrecorded}


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
    runner = Runner(job.get("runner"), float(job.get("call_timeout", 10)))
    results = {}
    try:
        for test in job["tests"]:
            grade_id = test["grade_id"]
            results[grade_id] = run_test(
                test,
                (job.get("answers") or {}).get(grade_id),
                (job.get("not_recorded") or {}).get(grade_id),
                runner,
                float(job.get("test_timeout", 30)),
            )
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
