"""Students' kernels forked from a warm template (a "zygote"), for the local workshop hub.

A kernel that runs lesson 01 imports pandas, Altair, ipywidgets and ipykernel, almost all of it
private memory (a kernel started on its own after lesson 01's first cells: 112 MB PSS, 102 MB of
it private), and the first ``course.setup()`` in each home folder bundles Vega's JavaScript in
a separate process. Here one template process imports them and reads the bundle once, then forks
a kernel for each request; the pages it wrote before forking are shared copy-on-write by every
kernel until one of them writes to a page (measured the same way: 44 MB private per kernel).

Two halves:

- :func:`serve` is the template. It imports :data:`PRELOAD`, freezes the garbage collector's
  view of those objects (so collections in the kernels do not write to the shared pages), then
  listens on a Unix socket (``PP_ZYGOTE_SOCKET``; mode 0600 in a private 0700 folder). Each
  request forks a child that starts a new session, closes the template's sockets, takes the
  requester's standard streams, working folder and environment, and runs ipykernel with the
  request's connection file. The template reaps its children and keeps their exit statuses.
- :class:`ZygoteProvisioner` is the jupyter_client kernel provisioner (entry point
  ``pp-zygote`` in ``jupyter_client.kernel_provisioners``) that asks the template for a kernel.
  The kernel is not its child: it watches it through a pidfd (so a reused pid is never
  signalled) and signals its process group for interrupts and kills. When the template is not
  running, not ready, or refuses, it launches the kernel the ordinary way (its base class,
  jupyter_client's ``LocalProvisioner``), so a missing template never stops a kernel starting.

Why this module lives in ``course``: the provisioner must be importable by every single-user
server (an entry point names a module), and the template imports ``course`` anyway; ``deploy/``
is not an installed package. Nothing imports this module unless the kernelspec asks for it.

Isolation (see also ``deploy/README.md``, "Kernels forked from a template"). Shared between the
kernels of one template: the pages of the imported modules, read-only until a kernel writes to
them (then that kernel gets its own copy), and the template's memory layout: every kernel forked
from one template has the same address-space layout (ASLR is common to all of them) and the same
``str`` hash seed, a known weakness of zygote designs (Android's among them). Not shared: each
kernel is its own process in its own session, with its own working folder, environment, open
files and, after the fork, its own memory; numpy's global random generator is re-seeded in each
kernel (Python's ``random`` re-seeds itself after a fork). The template never runs student code,
so it holds no student data to leak: it only imports libraries and answers requests. That is
acceptable on the local hub because there every student's server already runs as one shared
Unix user, so a student could already read another's files and processes; one memory layout
adds nothing they could not already reach. It is NOT used where students are separate Unix users
or pods (TLJH, Kubernetes): one template for all would need a root template that drops
privileges per kernel. If the template dies, the hub restarts it (it is a managed service);
kernels already running carry on, and kernels asked for meanwhile start the ordinary way.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import select
import signal
import socket
import stat
import struct
import sys
import traceback
from typing import Any

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Unicode

from course._kernel import LAUNCH as KERNEL_LAUNCH

#: Where the template listens; set for the template and for every single-user server.
ENV_SOCKET = "PP_ZYGOTE_SOCKET"
#: The provisioner's name in ``kernel.json`` (``metadata.kernel_provisioner.provisioner_name``).
PROVISIONER_NAME = "pp-zygote"
#: The ``-c`` code that starts the template (it takes the working folder off ``sys.path``
#: first, like the kernel's own launcher).
ZYGOTE_LAUNCH = "import sys; del sys.path[0]; from course._zygote import serve; serve()"
#: Imported once by the template, before any fork (missing ones are skipped): the libraries a
#: lesson's kernel imports, what Altair imports when it draws a pandas frame (narwhals), the IRI
#: grammar (which a student kernel started on its own defers, as it costs 0.8 CPU-seconds; here
#: it is compiled once for everyone), and the course's own modules and widgets (not grading).
PRELOAD = ("numpy", "pandas", "pandas.core.methods.to_dict", "pandas.io.formats.string",
           "altair", "rfc3987_syntax", "narwhals._pandas_like.dataframe",
           "narwhals._pandas_like.namespace", "narwhals._interchange.dataframe", "ipywidgets",
           "anywidget", "IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "course",
           "course.data", "course.checks", "course.charts", "course.measures", "widgets",
           "widgets._base")
#: Environment variables the template does not keep (it re-executes itself without them, so
#: they cannot be read back from /proc/<kernel>/environ, which shows the template's start-up
#: environment): the hub's token for its managed service, and anything that looks secret.
_SECRET_MARKERS = ("TOKEN", "SECRET", "PASSWORD", "CLIENT_ID")
_MAX_MESSAGE = 1 << 20
_REQUEST_TIMEOUT_S = 10.0


# ------------------------------------------------------------------------------------------
# the wire: one JSON message each way, length-prefixed, with file descriptors alongside
# ------------------------------------------------------------------------------------------


def _send(sock: socket.socket, message: dict, fds: list[int] = ()) -> None:
    data = json.dumps(message).encode()
    payload = struct.pack("!I", len(data)) + data
    if fds:
        socket.send_fds(sock, [payload], list(fds))
    else:
        sock.sendall(payload)


def _recv_exact(sock: socket.socket, size: int, fds: list[int]) -> bytes:
    chunks, got = [], 0
    while got < size:
        data, new_fds, _, _ = socket.recv_fds(sock, size - got, 8)
        fds.extend(new_fds)
        if not data:
            raise ConnectionError("the other side closed the connection")
        chunks.append(data)
        got += len(data)
    return b"".join(chunks)


def _recv(sock: socket.socket) -> tuple[dict, list[int]]:
    fds: list[int] = []
    try:
        (size,) = struct.unpack("!I", _recv_exact(sock, 4, fds))
        if size > _MAX_MESSAGE:
            raise ValueError(f"message of {size} bytes is too long")
        message = json.loads(_recv_exact(sock, size, fds))
        if not isinstance(message, dict):
            raise ValueError("a message must be a JSON object")
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise
    return message, fds


def _peer(sock: socket.socket) -> tuple[int, int]:
    """(pid, uid) of the process at the other end, from the kernel (not from what it says)."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, _ = struct.unpack("3i", creds)
    return pid, uid


# ------------------------------------------------------------------------------------------
# the template
# ------------------------------------------------------------------------------------------


def private_socket_path(path: str) -> str:
    """Check (or make) the folder of ``path``: owned by this user, mode 0700."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, mode=0o700, exist_ok=True)
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        raise SystemExit(f"zygote: {folder} is not a folder owned by this user")
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise SystemExit(f"zygote: {folder} must be private (mode 0700), not "
                         f"{oct(stat.S_IMODE(info.st_mode))}")
    return os.path.abspath(path)


def _clean_environment() -> dict[str, str] | None:
    """The environment without secrets, or None when there is nothing to remove."""
    kept = {k: v for k, v in os.environ.items() if not any(m in k.upper() for m in _SECRET_MARKERS)}
    return None if len(kept) == len(os.environ) else kept


def _preload() -> list[str]:
    """Import :data:`PRELOAD` and the course's widgets; return what was imported. No threads,
    loops or sockets start."""
    import importlib
    import importlib.util
    import pkgutil

    names = list(PRELOAD)
    spec = importlib.util.find_spec("widgets")
    if spec is not None and spec.submodule_search_locations:
        names += [f"widgets.{m.name}" for m in pkgutil.iter_modules(spec.submodule_search_locations)
                  if not m.name.startswith("_")]
    done = []
    for name in names:
        try:
            if importlib.util.find_spec(name.split(".")[0]) is None:
                continue
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a missing extra only costs its sharing
            print(f"zygote: not preloading {name}: {exc}", file=sys.stderr)
            continue
        done.append(name)
    return done


def _warm_charts() -> bool:
    """Read (or make, once) the offline chart bundle that ``course.setup()`` gives Altair.

    Without the template every student's first ``course.setup()`` runs a separate Python process
    that bundles Vega (about 160 MB while it runs, and a few CPU-seconds) when their home folder
    has no cached copy; here it is done before any fork and the 0.9 MB bundle is shared. It is
    Vega's own JavaScript, the same for everyone: no student data.
    """
    load = getattr(sys.modules.get("course.charts"), "_load_offline_bundle", None)
    if load is None:
        return False
    try:
        return bool(load())
    except Exception as exc:  # noqa: BLE001 - kernels then bundle on first use, as without us
        print(f"zygote: no offline chart bundle: {exc}", file=sys.stderr)
        return False


def serve(socket_path: str | None = None) -> None:
    """Run the template: import, listen, fork kernels on request, reap them. Never returns.

    It ends when its parent (the hub) goes away, or on SIGTERM; kernels already forked carry on
    (each has its own session and watches its own server).
    """
    env = _clean_environment()
    if env is not None:  # start again without the secrets in /proc/<pid>/environ
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, [sys.executable, "-c", ZYGOTE_LAUNCH, *sys.argv[1:]], env)
    path = private_socket_path(socket_path or os.environ[ENV_SOCKET])
    os.environ.pop("JPY_PARENT_PID", None)  # ipykernel reads it at import; kernels set their own
    # One BLAS thread: OpenBLAS would start a worker thread at import, and the template must
    # hold none when it forks. On a workshop machine (2 cores, dozens of kernels) more threads
    # per kernel would only contend.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    preloaded = _preload()
    if _warm_charts():
        preloaded.append("offline chart bundle")
    gc.collect()
    gc.freeze()  # later collections in the kernels leave the template's objects (and pages) alone
    import threading

    if threading.active_count() != 1:
        raise SystemExit(f"zygote: {threading.active_count()} threads after the imports; "
                         "a template must hold one thread when it forks")
    Template(path, preloaded).run()


class Template:
    """The listening socket, the children, their exit statuses."""

    def __init__(self, path: str, preloaded: list[str]) -> None:
        self.path, self.preloaded = path, preloaded
        self.parent = os.getppid()
        self.children: set[int] = set()
        self.statuses: dict[int, int] = {}
        self.wake_r, self.wake_w = os.pipe()
        for fd in (self.wake_r, self.wake_w):
            os.set_blocking(fd, False)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        for sig in (signal.SIGTERM, signal.SIGINT):  # the hub stopping it (SIGINT for services)
            signal.signal(sig, lambda *_: sys.exit(0))
        signal.set_wakeup_fd(self.wake_w)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # a socket left by a template that died
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            self.listener.bind(path)
        finally:
            os.umask(old)
        os.chmod(path, 0o600)
        self.listener.listen(256)  # a class asking at once waits its turn
        print(f"zygote: pid {os.getpid()} ready on {path} with {', '.join(preloaded)}",
              file=sys.stderr, flush=True)

    def run(self) -> None:
        try:
            while os.getppid() == self.parent:
                ready, _, _ = select.select([self.listener, self.wake_r], [], [], 2.0)
                if self.wake_r in ready:
                    with contextlib.suppress(BlockingIOError):
                        while os.read(self.wake_r, 512):
                            pass
                self.reap()
                if self.listener in ready:
                    conn, _ = self.listener.accept()
                    with conn:
                        self.answer(conn)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(self.path)

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.children.discard(pid)
            self.statuses[pid] = os.waitstatus_to_exitcode(status)
            while len(self.statuses) > 4096:
                self.statuses.pop(next(iter(self.statuses)))

    def answer(self, conn: socket.socket) -> None:
        conn.settimeout(_REQUEST_TIMEOUT_S)
        fds: list[int] = []
        try:
            peer, uid = _peer(conn)
            if uid != os.geteuid():
                raise PermissionError("only this template's own user may ask it for a kernel")
            request, fds = _recv(conn)
            op = request.get("op")
            if op == "ping":
                import threading

                _send(conn, {"pid": os.getpid(), "threads": threading.active_count(),
                             "executable": sys.executable, "preloaded": self.preloaded,
                             "children": sorted(self.children)})
            elif op == "status":
                self.reap()
                pid = int(request["pid"])
                _send(conn, {"pid": pid, "alive": pid in self.children,
                             "status": self.statuses.get(pid)})
            elif op == "spawn":
                self.spawn(conn, request, fds, peer)
            else:
                raise ValueError(f"unknown request {op!r}")
        except Exception as exc:  # noqa: BLE001 - one bad request never stops the template
            with contextlib.suppress(OSError):
                _send(conn, {"error": f"{type(exc).__name__}: {exc}"})
        finally:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def spawn(self, conn: socket.socket, request: dict, fds: list[int], server: int) -> None:
        """Fork a kernel for the process ``server`` (the kernel ends when that process does)."""
        args = [str(a) for a in request["args"]]
        env = {str(k): str(v) for k, v in request["env"].items()}
        cwd = str(request["cwd"])
        if os.path.realpath(request.get("executable", "")) != os.path.realpath(sys.executable):
            raise ValueError("the kernelspec's interpreter is not this template's")
        if len(fds) != 3:
            raise ValueError("a kernel request carries its standard input, output and error")
        if not os.path.isdir(cwd):
            raise FileNotFoundError(f"no such folder: {cwd}")
        server_fd = os.pidfd_open(server) if server > 0 else -1
        try:
            pid = os.fork()
            if pid == 0:  # the kernel: never returns into the template's loop
                _become_kernel(args, env, cwd, fds, server_fd,
                               close=[self.listener, conn, self.wake_r, self.wake_w])
            self.children.add(pid)
            pidfd = os.pidfd_open(pid)  # not yet reaped, so this is our child
        finally:
            if server_fd >= 0:
                os.close(server_fd)
        try:
            _send(conn, {"pid": pid}, [pidfd])
        finally:
            os.close(pidfd)


def _become_kernel(args: list[str], env: dict[str, str], cwd: str, fds: list[int],
                   server_fd: int, close: list) -> None:
    """In the forked child: become the requested kernel, then exit (never returns)."""
    code = 1
    try:
        os.setsid()
        with contextlib.suppress(OSError):  # `top` and `ps -o comm` then tell kernels apart
            with open("/proc/self/comm", "w", encoding="ascii") as comm:  # (the command line
                comm.write("pp-kernel")  # stays the template's)
        signal.set_wakeup_fd(-1)
        for item in close:
            if isinstance(item, socket.socket):
                item.close()
            else:
                os.close(item)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        if "numpy" in sys.modules:  # the template's seed must not be every kernel's
            sys.modules["numpy"].random.seed()
        from course._kernel import enter_folder

        enter_folder()
        if server_fd >= 0:
            _watch_server(server_fd)
        code = _run_kernel(args)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - report, then leave without touching the template
        traceback.print_exc()
    finally:
        import atexit

        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):
                stream.flush()
        os._exit(code)


def _watch_server(server_fd: int) -> None:
    """End this kernel when the server that asked for it ends (what ipykernel's parent poller
    does for a kernel that is its server's child)."""
    import threading

    def watch() -> None:
        select.select([server_fd], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="server-watch", daemon=True).start()


def _run_kernel(args: list[str]) -> int:
    from ipykernel.kernelapp import IPKernelApp

    sys.argv = ["-c", *args]
    app = IPKernelApp.instance()
    app.initialize(args)
    # ipywidgets registers its control comm when imported inside IPython; in the template there
    # was no IPython yet, so register it now.
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None and hasattr(widgets, "_handle_ipython"):
        widgets._handle_ipython()
    app.start()
    return 0


# ------------------------------------------------------------------------------------------
# the client side, used by the provisioner (and the tests)
# ------------------------------------------------------------------------------------------


class ZygoteUnavailable(RuntimeError):
    """No template answered, or it refused the request."""


def ask(path: str, message: dict, fds: list[int] = (), timeout: float = 60.0) -> tuple[dict, list[int]]:
    """Send one request to the template at ``path``; return its answer and any descriptors."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        try:
            sock.connect(path)
        except OSError as exc:
            raise ZygoteUnavailable(f"no template at {path}: {exc}") from exc
        if _peer(sock)[1] != os.geteuid():
            raise ZygoteUnavailable(f"the template at {path} runs as another user")
        _send(sock, message, fds)
        answer, got = _recv(sock)
    except ZygoteUnavailable:
        raise
    except (OSError, ValueError) as exc:
        raise ZygoteUnavailable(f"the template at {path} did not answer: {exc}") from exc
    finally:
        sock.close()
    if "error" in answer:
        for fd in got:
            os.close(fd)
        raise ZygoteUnavailable(f"the template refused: {answer['error']}")
    return answer, got


def kernel_args(cmd: list[str]) -> list[str] | None:
    """The kernel's own options when ``cmd`` is the course kernel's launch, else None."""
    if len(cmd) >= 3 and cmd[1:3] == ["-c", KERNEL_LAUNCH]:
        return list(cmd[3:])
    return None


def _start_time(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


class ZygoteProvisioner(LocalProvisioner):
    """A kernel provisioner that forks kernels from the template, or launches them as usual.

    Selected in ``kernel.json`` by ``"metadata": {"kernel_provisioner": {"provisioner_name":
    "pp-zygote"}}``; the template's socket comes from ``PP_ZYGOTE_SOCKET`` in the server's
    environment (or ``"config": {"socket_path": ...}`` there).
    """

    pidfd: int | None = None
    start_time: int | None = None
    _status: int | None = None

    socket_path = Unicode("", config=True, help="The template's socket (default: $PP_ZYGOTE_SOCKET)")

    @property
    def template(self) -> str | None:
        return self.socket_path or os.environ.get(ENV_SOCKET)

    @property
    def forked(self) -> bool:
        return self.pidfd is not None

    @property
    def has_process(self) -> bool:
        return self.forked or super().has_process

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        if self.pidfd is not None:  # a previous kernel of this provisioner, already gone
            os.close(self.pidfd)
            self.pidfd = None
        args, path = kernel_args(cmd), self.template
        if args is not None and path:
            try:
                pid, pidfd = await asyncio.to_thread(self._fork, path, cmd[0], args, kwargs)
            except ZygoteUnavailable as exc:
                self.log.warning("Starting the kernel the ordinary way: %s", exc)
            else:
                self.pid = self.pgid = pid  # the kernel leads its own session and group
                self.pidfd, self.start_time, self._status = pidfd, _start_time(pid), None
                self.cwd = kwargs.get("cwd") or os.getcwd()
                self.log.info("Kernel %s forked from the template (pid %s)", self.kernel_id, pid)
                return self.connection_info
        return await super().launch_kernel(cmd, **kwargs)

    @staticmethod
    def _fork(path: str, executable: str, args: list[str], kwargs: dict) -> tuple[int, int]:
        env = kwargs.get("env") or dict(os.environ)
        cwd = os.fspath(kwargs.get("cwd") or os.getcwd())
        with open(os.devnull, "rb") as devnull:  # as launch_kernel does: no terminal input
            # the server's own standard output and error (file descriptors 1 and 2)
            answer, fds = ask(path, {"op": "spawn", "executable": executable, "args": args,
                                     "env": env, "cwd": cwd}, [devnull.fileno(), 1, 2])
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise ZygoteUnavailable("the template did not hand over the kernel")
        return int(answer["pid"]), fds[0]

    def _exited(self) -> bool:
        ready, _, _ = select.select([self.pidfd], [], [], 0)
        return bool(ready)

    def _exit_status(self) -> int:
        """The kernel's exit status, from the template that reaped it (1 when it cannot say)."""
        if self._status is None:
            try:
                answer, _ = ask(self.template, {"op": "status", "pid": self.pid}, timeout=10)
                self._status = answer.get("status")
            except (ZygoteUnavailable, TypeError):
                pass
        return 1 if self._status is None else int(self._status)

    async def poll(self) -> int | None:
        if not self.forked:
            return await super().poll()
        if not self._exited():
            return None
        return await asyncio.to_thread(self._exit_status)

    async def wait(self) -> int | None:
        if not self.forked:
            return await super().wait()
        while (status := await self.poll()) is None:
            await asyncio.sleep(0.1)
        os.close(self.pidfd)
        self.pidfd = None
        return status

    async def send_signal(self, signum: int) -> None:
        if not self.forked:
            return await super().send_signal(signum)
        if self._exited():
            return None
        # While the pidfd says the kernel lives, its pid (= its process group) is still its own.
        try:
            os.killpg(self.pgid, signum)
        except OSError:
            signal.pidfd_send_signal(self.pidfd, signum)
        return None

    async def _end(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # it ended by itself meanwhile
            await self.send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        return await (self._end(signal.SIGKILL) if self.forked else super().kill(restart))

    async def terminate(self, restart: bool = False) -> None:
        return await (self._end(signal.SIGTERM) if self.forked else super().terminate(restart))

    async def cleanup(self, restart: bool = False) -> None:
        if self.pidfd is not None and self._exited():
            os.close(self.pidfd)
            self.pidfd = None
        await super().cleanup(restart)

    async def get_provisioner_info(self) -> dict:
        info = await super().get_provisioner_info()
        info.update({"forked": self.forked, "start_time": self.start_time})
        return info

    async def load_provisioner_info(self, provisioner_info: dict) -> None:
        await super().load_provisioner_info(provisioner_info)
        if provisioner_info.get("forked") and self.pid:
            # Only the same process (pid and start time) is taken back; otherwise it has gone.
            self.start_time = provisioner_info.get("start_time")
            with contextlib.suppress(OSError):
                pidfd = os.pidfd_open(self.pid)
                if _start_time(self.pid) == self.start_time:
                    self.pidfd = pidfd
                else:
                    os.close(pidfd)


__all__ = ["ENV_SOCKET", "PRELOAD", "PROVISIONER_NAME", "ZYGOTE_LAUNCH", "ZygoteProvisioner",
           "ZygoteUnavailable", "ask", "kernel_args", "serve"]
