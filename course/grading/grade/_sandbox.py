"""Isolation for code from a submission: the grading kernel and the function runner.

Student code runs in two places while a submission is graded: the Jupyter kernel that executes the
notebook, and the runner that calls a student's function on the hidden tests' inputs. Both are
started through :func:`wrap`, which puts them in a bubblewrap sandbox when one is available:

- a new user, PID, network, IPC and UTS namespace: no network at all, no other process visible
  (so no other student's kernel and no grading process), running as ``nobody`` with no capabilities;
- a read-only view of the Python environment only (the interpreter, site-packages, the ``course``
  and ``widgets`` packages and the datasets) and a small private ``/tmp``; the lessons' sources,
  the gradebook, other submissions, results and the instructor's home folder do not exist there;
- write access to the copy of this one submission (and the folder where its answers are recorded);
- a cleared environment (no instructor variables, tokens or paths leak in);
- it dies with its parent, and everything in it dies with it; it stays in its parent's process group,
  so the kernel manager's interrupt (SIGINT to the group) still reaches the kernel.

Without bubblewrap (macOS, Windows, or a Linux system that does not allow user namespaces), the
code runs as the grading user, limited only by CPU time, memory and file-size limits. It can then
read any file that user can read; the static scan routes attempts to do so to manual review, and
``docs/INSTRUCTOR_GUIDE.md`` explains how to grade as a separate user instead. The choice is made
once per run and recorded in every result (``isolation``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from course.grading.releasing._lessons import GradingError

MODES = ("auto", "bubblewrap", "none")
ENV_MODE = "COURSE_GRADING_SANDBOX"
TMPFS_MB = 256
NOBODY = "65534"

# /etc files that programs need to start (dynamic linker, time zone, user names); nothing else.
_ETC_FILES = [
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/timezone",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/fonts",
    "/etc/mime.types",
]
# Top-level system folders: bound read-only, or recreated as the symlinks they are (merged /usr).
_SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]
# Packages a lesson imports from outside site-packages (an editable install of this repository):
# only these folders are shown, never the checkout around them (which holds the lessons).
_PACKAGES = ["course", "widgets"]

SAFE_ENV = {
    "HOME": "/tmp/home",
    "TMPDIR": "/tmp",
    "IPYTHONDIR": "/tmp/.ipython",
    "MPLCONFIGDIR": "/tmp/.matplotlib",
    "XDG_CACHE_HOME": "/tmp/.cache",
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONNOUSERSITE": "1",
    "JUPYTER_PLATFORM_DIRS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
    "MPLBACKEND": "Agg",
}


@dataclass
class Isolation:
    """How code from submissions is isolated in this run.

    ``kind`` is ``"bubblewrap"`` or ``"none"``; ``detail`` says why, in words an instructor can act on.
    """

    kind: str
    detail: str
    bwrap: str | None = None
    readonly: list[str] = field(default_factory=list)

    @property
    def sandboxed(self) -> bool:
        return self.kind == "bubblewrap"

    def describe(self) -> str:
        if self.sandboxed:
            return "bubblewrap sandbox (no network, only the submission and a read-only environment visible)"
        return f"no sandbox: {self.detail}"

    def wrap(
        self,
        argv: list[str],
        *,
        cwd: Path,
        writable: list[Path] = (),
        readable: list[Path] = (),
        env: dict[str, str] | None = None,
        readonly_cwd: bool = False,
    ) -> list[str]:
        """The command that runs ``argv`` in the sandbox (or ``argv`` unchanged without one).

        ``readonly_cwd`` shows the working folder read-only (the runner: a student's function may
        read the files the notebook made, but never leave anything behind).
        """
        if not self.sandboxed:
            return list(argv)
        cmd = [
            self.bwrap,
            "--unshare-all",
            "--die-with-parent",
            "--uid", NOBODY,
            "--gid", NOBODY,
            "--hostname", "grading",
            "--cap-drop", "ALL",
        ]
        cmd += _system_binds()
        cmd += ["--proc", "/proc", "--dev", "/dev"]
        # The private /tmp comes before the environment's binds: a checkout (and so its .venv)
        # may itself live under /tmp, and a later tmpfs would hide it from the kernel.
        cmd += ["--size", str(TMPFS_MB * 1024 * 1024), "--tmpfs", "/tmp"]
        for path in self.readonly:
            cmd += ["--ro-bind", path, path]
        seen = set()
        for path in readable:
            path = str(Path(path).resolve())
            if path not in seen:
                seen.add(path)
                cmd += ["--ro-bind", path, path]
        if readonly_cwd:
            path = str(Path(cwd).resolve())
            if path not in seen:
                seen.add(path)
                cmd += ["--ro-bind", path, path]
        for path in [*writable, cwd]:
            path = str(Path(path).resolve())
            if path not in seen:
                seen.add(path)
                cmd += ["--bind", path, path]
        cmd += ["--chdir", str(Path(cwd).resolve()), "--clearenv"]
        for key, value in {**SAFE_ENV, **(env or {})}.items():
            cmd += ["--setenv", key, str(value)]
        return cmd + ["--", *argv]

    def child_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Environment for a process started without the sandbox: the parent's minus secrets.

        Only a short list of variables is passed on (PATH, locale, time zone and the course's
        own settings), so an instructor's tokens and credentials never reach student code.
        """
        keep = {}
        for key, value in os.environ.items():
            if key in {"PATH", "LANG", "LANGUAGE", "TZ", "SYSTEMROOT", "COMSPEC"} or key.startswith(
                ("LC_", "COURSE_DATASETS")
            ):
                keep[key] = value
        keep.update({k: v for k, v in SAFE_ENV.items() if k not in {"HOME", "TMPDIR", "IPYTHONDIR",
                                                                     "MPLCONFIGDIR", "XDG_CACHE_HOME"}})
        keep.update(extra or {})
        return keep


def _system_binds() -> list[str]:
    args: list[str] = []
    for folder in _SYSTEM_DIRS:
        path = Path(folder)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), folder]
        elif path.is_dir():
            args += ["--ro-bind", folder, folder]
    for name in _ETC_FILES:
        args += ["--ro-bind-try", name, name]
    return args


def environment_paths() -> list[str]:
    """Folders the sandbox shows read-only: the Python installation and the course's packages."""
    paths: list[Path] = []
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        paths.append(Path(prefix))
    paths.append(Path(os.path.realpath(sys.executable)).parent)
    for entry in sys.path:
        if entry and Path(entry).name in {"site-packages", "dist-packages"} and Path(entry).is_dir():
            paths.append(Path(entry))
    for name in _PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            paths.extend(Path(p) for p in spec.submodule_search_locations)
    try:
        from course.data import datasets_dir

        paths.append(Path(datasets_dir()))
    except Exception:  # noqa: BLE001 - a lesson without datasets still grades
        pass
    resolved: list[str] = []
    for path in paths:
        for candidate in {path, path.resolve()}:
            text = str(candidate)
            if candidate.exists() and text not in resolved and not text.startswith(tuple(_SYSTEM_DIRS)):
                resolved.append(text)
    # A folder inside another bound folder is redundant.
    resolved.sort(key=len)
    kept: list[str] = []
    for text in resolved:
        if not any(text == k or text.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(text)
    return kept


_DETECTED: dict[str, Isolation] = {}


def _probe(bwrap: str, readonly: list[str]) -> str | None:
    """Start a trivial Python in the sandbox; None when it works, else the reason."""
    probe = Isolation("bubblewrap", "", bwrap=bwrap, readonly=readonly)
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    cmd = probe.wrap(
        [sys.executable, "-S", "-c", "import socket, os; print(os.getuid())"],
        cwd=tmp if tmp.is_dir() else Path("/"),
    )
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not start ({exc})"
    if done.returncode != 0 or done.stdout.strip() != NOBODY:
        detail = (done.stderr or done.stdout).strip().splitlines()
        return f"bubblewrap could not create a sandbox here: {detail[-1] if detail else 'no output'}"
    return None


def detect(mode: str | None = None) -> Isolation:
    """Choose the isolation for this run.

    Parameters
    ----------
    mode : {"auto", "bubblewrap", "none"}, optional
        ``auto`` (the default, or the ``COURSE_GRADING_SANDBOX`` environment variable) uses
        bubblewrap when it works and says why not otherwise; ``bubblewrap`` refuses to grade
        without it; ``none`` runs student code without a sandbox (only on a machine you trust
        the submissions not to harm, for example to compare timings).
    """
    mode = (mode or os.environ.get(ENV_MODE) or "auto").strip().lower()
    if mode not in MODES:
        from course.errors import options_text

        raise GradingError(
            f"Unknown sandbox setting {mode!r}. {options_text(mode, MODES)} "
            f"Set it with --sandbox or the {ENV_MODE} environment variable."
        )
    if mode in _DETECTED:
        return _DETECTED[mode]
    if mode == "none":
        found = Isolation("none", "switched off (--sandbox none)")
    else:
        bwrap = shutil.which("bwrap")
        if not sys.platform.startswith("linux"):
            reason = "bubblewrap needs Linux; on this system student code runs as the grading user"
        elif bwrap is None:
            reason = (
                "bubblewrap is not installed (on Debian or Ubuntu: sudo apt-get install bubblewrap); "
                "student code runs as the grading user"
            )
        else:
            readonly = environment_paths()
            reason = _probe(bwrap, readonly)
            if reason is None:
                found = Isolation("bubblewrap", "bubblewrap " + _version(bwrap), bwrap=bwrap,
                                  readonly=readonly)
                _DETECTED[mode] = found
                return found
            reason += "; student code runs as the grading user"
        if mode == "bubblewrap":
            raise GradingError(
                f"Grading was asked to use the bubblewrap sandbox, but {reason}. Install bubblewrap "
                "(sudo apt-get install bubblewrap), or grade with --sandbox auto to fall back to "
                "CPU, memory and file limits only."
            )
        found = Isolation("none", reason)
    _DETECTED[mode] = found
    return found


def _version(bwrap: str) -> str:
    try:
        out = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=10)
        return out.stdout.strip().split()[-1]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return ""


# --------------------------------------------------------------------------------------------
# Taking results out of a folder that student code could write to
# --------------------------------------------------------------------------------------------


class NotRegular(OSError):
    """The path is a link, a folder, a device or too large: it is not read."""


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, else NotRegular.

    Nothing a submission made is followed: the file is opened with ``O_NOFOLLOW`` (a link in its
    place is refused, not read through), its folder must be the real folder (no link on the way),
    and the size is checked on the open file, so swapping the file afterwards changes nothing.
    """
    path = Path(path)
    parent = path.parent
    if os.path.realpath(parent) != os.path.abspath(parent):
        raise NotRegular(f"{parent} is reached through a link")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if path.is_symlink():
            raise NotRegular(f"{path.name} is a link") from None
        raise exc
    try:
        import stat

        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(f"{path.name} is not a regular file")
        if info.st_size > limit:
            raise NotRegular(f"{path.name} is larger than {limit // (1024 * 1024)} MB")
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise NotRegular(f"{path.name} grew past {limit // (1024 * 1024)} MB")
        return data
    finally:
        os.close(fd)


_SITE = re.compile(r"""(?:[A-Za-z]:)?[\\/][^\s'"<>:]*?[\\/](?:site|dist)-packages[\\/]""")
_ABSOLUTE = re.compile(r"""(?<![\w.~:/])(?:[A-Za-z]:\\|/)(?:[^\s'"<>:,()\[\]]+[\\/])+([^\s'"<>:,()\[\]\\/]+)""")


def scrub_paths(text: str) -> str:
    """``text`` without the grading machine's absolute paths (for anything a student reads).

    A library file keeps its place in the library (``pandas/core/frame.py``); any other absolute
    path becomes its last part (``.../regions.csv``).

    Examples
    --------
    >>> scrub_paths('File "/srv/venv/lib/python3.11/site-packages/pandas/core/frame.py", line 3')
    'File "pandas/core/frame.py", line 3'
    >>> scrub_paths("No such file: '/tmp/pp-grade-x1/run/regions2.csv'")
    "No such file: '.../regions2.csv'"
    """
    if not isinstance(text, str) or "/" not in text and "\\" not in text:
        return text
    text = _SITE.sub("", text)
    return _ABSOLUTE.sub(lambda m: ".../" + m.group(1), text)
