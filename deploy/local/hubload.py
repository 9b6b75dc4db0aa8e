"""Start the local test hub and run N simulated students against it; report times and memory.

Each simulated student does what a student at 9:05 on a workshop morning does, all at once:

1. logs in through the hub's login form, and opens the lesson's nbgitpuller link (the hub must
   send it on to that student's own server);
2. starts their server (spawn time: request to "ready" on the hub's progress stream);
3. pulls the published student course into their home folder with nbgitpuller (from a git
   repository on this machine: no internet);
4. starts a kernel and runs the first cells of a lesson through the Jupyter server's REST and
   websocket API (``import course``, ``course.load(...)``, a measure), checking each succeeds.

Every student holds their kernel until all have run their code (or the deadline passes), so
the memory peak has everyone active at once. Memory is proportional set size (PSS, from
/proc/<pid>/smaps_rollup) per user, summed over their server and kernel, so shared library
pages are split between users rather than counted once per process as RSS would be.

Everything is bounded: each request has a timeout, the whole run has a deadline, and the hub
with every process it started is stopped at the end. All traffic stays on 127.0.0.1.

Two guards keep a run that goes wrong from taking the machine with it:

- a watchdog process ends the hub and every server and kernel under it if this tool dies
  without stopping them (out-of-memory killer, ``kill -9``); as root, the tool also asks the
  out-of-memory killer to take students' processes before its own;
- students are turned away (stage ``capacity``) once available memory falls below
  ``--reserve-mb`` (default 1536), and the report says how many the machine held.

Run it by hand (repository root, configurable-http-proxy on PATH, git installed)::

    python deploy/local/hubload.py --users 20 --out build/hub-report

``tests/test_hub.py`` runs the same code.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests
import websocket

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "jupyterhub_config.py"
REPO = HERE.parent.parent

# --------------------------------------------------------------------------------------------
# processes and memory
# --------------------------------------------------------------------------------------------


def _pss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _environ(pid: int) -> dict[str, str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    env = {}
    for item in raw.split(b"\0"):
        key, sep, value = item.partition(b"=")
        if sep:
            env[key.decode(errors="replace")] = value.decode(errors="replace")
    return env


def _cwd(pid: int) -> Path | None:
    try:
        return Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        return None


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, start time) for every process (from /proc/<pid>/stat)."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        table[int(name)] = (int(fields[1]), int(fields[19]))
    return table


def _descendants(root: int, table: dict[int, tuple[int, int]]) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _free_port_block(count: int = 3, low: int = 10000, high: int = 19900) -> int:
    """A base port p such that p .. p+count-1 are free (below the reserved server range)."""
    rng = secrets.SystemRandom()
    for _ in range(200):
        base = rng.randrange(low, high)
        ok = True
        for port in range(base, base + count):
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no free block of ports on 127.0.0.1")


# The watchdog: a separate small process that ends the hub and every process under it when the
# load tool dies without stopping them (the kernel's out-of-memory killer, kill -9, a crash).
# It learns the hub's pid and start time on its standard input; the tool holds the other end of
# that pipe, so end-of-file means the tool is gone. A clean stop writes "done" first.
WATCHDOG = r"""
import os, select, signal, sys, time

def table():
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            found[int(name)] = (int(fields[1]), int(fields[19]))
    return found

def under(root, procs):
    kids = {}
    for pid, (ppid, _) in procs.items():
        kids.setdefault(ppid, []).append(pid)
    out, todo = [], list(kids.get(root, []))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out

try:
    with open("/proc/self/oom_score_adj", "w") as fh:
        fh.write("-1000")  # root only; elsewhere the watchdog is just small
except OSError:
    pass
buffer = b""
while b"\n" not in buffer:
    chunk = os.read(0, 1024)
    if not chunk:
        sys.exit(0)  # the tool left before naming the hub
    buffer += chunk
first, buffer = buffer.split(b"\n", 1)
hub_pid, hub_start = map(int, first.split())
seen = {hub_pid: hub_start}
while b"done" not in buffer:
    ready, _, _ = select.select([0], [], [], 1.0)
    if ready:
        chunk = os.read(0, 1024)
        if not chunk:
            break  # the load tool is gone
        buffer += chunk
        continue
    procs = table()
    if procs.get(hub_pid, (0, -1))[1] == hub_start:
        for pid in under(hub_pid, procs):
            seen.setdefault(pid, procs[pid][1])
    else:
        break  # the hub itself is gone: clean up what it left
if b"done" in buffer:
    sys.exit(0)  # stopped cleanly: nothing to do
procs = table()
alive = {pid: start for pid, start in seen.items() if procs.get(pid, (0, -1))[1] == start}
if hub_pid in alive:
    os.kill(hub_pid, signal.SIGTERM)  # the hub stops its servers itself when it can
    for _ in range(30):
        time.sleep(1)
        if table().get(hub_pid, (0, -1))[1] != hub_start:
            break
procs = table()
for pid, start in alive.items():  # then anything left: same pid and start time only
    if procs.get(pid, (0, -1))[1] == start:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
print(f"hubload watchdog: the load tool died; ended {len(alive)} process(es) it had started",
      file=sys.stderr)
"""


def start_watchdog(pid: int) -> subprocess.Popen:
    """Start the watchdog for the process ``pid`` (the hub) and everything under it."""
    start = _proc_table()[pid][1]
    watchdog = subprocess.Popen([sys.executable, "-c", WATCHDOG], stdin=subprocess.PIPE,
                                start_new_session=True)
    watchdog.stdin.write(f"{pid} {start}\n".encode())
    watchdog.stdin.flush()
    return watchdog


def stop_watchdog(watchdog: subprocess.Popen | None) -> None:
    """Tell the watchdog the run stopped cleanly, and wait for it to leave."""
    if watchdog is None or watchdog.poll() is not None:
        return
    try:
        watchdog.stdin.write(b"done\n")
        watchdog.stdin.close()
    except OSError:
        pass
    try:
        watchdog.wait(timeout=10)
    except subprocess.TimeoutExpired:
        watchdog.kill()


def protect_from_oom_killer(adj: int = -900) -> bool:
    """Ask the kernel's out-of-memory killer to pick students' processes before this one.

    Only root may lower the score; returns whether it took. The load tool must survive to stop
    what it started and to write its report.
    """
    try:
        Path("/proc/self/oom_score_adj").write_text(str(adj))
        return True
    except OSError:
        return False


def mem_available_mb() -> float | None:
    """MemAvailable from /proc/meminfo, in MB (None where there is no /proc)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


class LocalHub:
    """The hub of deploy/local/jupyterhub_config.py in its own short temporary folder."""

    def __init__(self, *, instructors: tuple[str, ...] = (), password: str | None = None,
                 state_dir: Path | None = None, log_path: Path | None = None,
                 zygote: bool | None = None) -> None:
        self._own_state = state_dir is None
        # Short on purpose: kernel sockets live under it (107-character limit on Unix sockets).
        self.state = Path(tempfile.mkdtemp(prefix="pph", dir="/tmp")) if state_dir is None \
            else Path(state_dir)
        self.port = _free_port_block()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(24)
        self.password = password or secrets.token_hex(8)
        self.instructors = instructors
        self.zygote = zygote  # kernels forked from the warm template (None: the config's default)
        self.template_ready: bool | None = None  # did the template answer before the students came
        self.log_path = log_path or self.state / "hub.log"
        self.proc: subprocess.Popen | None = None
        self.watchdog: subprocess.Popen | None = None
        self._user_tokens: dict[str, str] = {}
        self._owner: dict[int, str | None] = {}
        self._service: dict[int, str | None] = {}  # the hub's children: pid -> service name
        self._seen: dict[int, int] = {}  # every descendant seen: pid -> start time
        self._lock = threading.Lock()

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self, timeout: float = 90) -> LocalHub:
        env = dict(os.environ)
        env.update({
            "PP_HUB_DIR": str(self.state),
            "PP_HUB_PORT": str(self.port),
            "PP_HUB_SERVICE_TOKEN": self.token,
            "PP_HUB_PASSWORD": self.password,
            "PP_HUB_INSTRUCTORS": ",".join(self.instructors),
        })
        if self.zygote is not None:
            env["PP_HUB_ZYGOTE"] = "1" if self.zygote else "0"
        bin_dir = str(Path(sys.executable).parent)
        env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "/usr/bin:/bin")])
        for key in ("JUPYTER_CONFIG_DIR", "JUPYTER_CONFIG_PATH", "JUPYTER_RUNTIME_DIR"):
            env.pop(key, None)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
            cwd=self.state, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.watchdog = start_watchdog(self.proc.pid)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/api", timeout=2).status_code == 200:
                    self.template_ready = self._wait_for_template(timeout=max(timeout, 180))
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the hub did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def _wait_for_template(self, timeout: float) -> bool | None:
        """Wait for the warm kernel template, as a host would before the class arrives (until
        it answers, kernels start the ordinary way). None when this hub runs none."""
        if self.zygote is False or os.environ.get("PP_HUB_ZYGOTE") == "0":
            return None
        from course._zygote import ZygoteUnavailable, ask

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                ask(str(self.state / "z" / "sock"), {"op": "ping"}, timeout=10)
                return True
            except ZygoteUnavailable:
                time.sleep(0.5)
        return False

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def _user_of(self, pid: int, parent: int, templates: set[int]) -> str | None:
        """The student a process belongs to: JUPYTERHUB_USER in its environment, or, for a
        kernel forked from the warm template (whose /proc environment is the template's), the
        home folder it works in. A kernel just forked has not yet moved into its folder, so for
        those only a definite answer is remembered."""
        if pid in self._owner:
            return self._owner[pid]
        user = _environ(pid).get("JUPYTERHUB_USER")
        forked = parent in templates
        if not user and forked:
            cwd, homes = _cwd(pid), self.state / "h"
            if cwd is not None and cwd.is_relative_to(homes) and cwd != homes:
                user = cwd.relative_to(homes).parts[0]
        if user or not forked:
            self._owner[pid] = user
        return user

    @property
    def template_pids(self) -> set[int]:
        """The warm kernel template (course/_zygote.py), if this hub runs one (as seen by the
        last look at the hub's processes; the hub starts a new one if it dies)."""
        return self._templates(_proc_table())

    def _templates(self, table: dict[int, tuple[int, int]]) -> set[int]:
        return {pid for pid, name in self._service.items()
                if name == "kernel-template" and table.get(pid, (0, 0))[0] == self.proc.pid}

    def _processes(self) -> tuple[dict[int, str], list[int], dict[int, int]]:
        """(pid -> user of each server/kernel, [hub, proxy and template pids], pid -> start time).

        Only this hub's own descendants are looked at: the process tree is read from
        /proc/<pid>/stat, and the environment (for JUPYTERHUB_USER) only of those processes.
        """
        if self.proc is None or self.proc.poll() is not None:
            return {}, [], {}
        table = _proc_table()
        users, core = {}, [self.proc.pid]
        found = _descendants(self.proc.pid, table)
        for pid in found:
            if table[pid][0] == self.proc.pid and pid not in self._service:
                self._service[pid] = _environ(pid).get("JUPYTERHUB_SERVICE_NAME")
        templates = self._templates(table)
        for pid in found:
            user = self._user_of(pid, table[pid][0], templates)
            if user:
                users[pid] = user
            else:
                core.append(pid)
        starts = {pid: table[pid][1] for pid in [*users, *core] if pid in table}
        self._seen.update(starts)
        return users, core, starts

    def user_processes(self) -> dict[int, str]:
        """pid -> user name of every single-user server and kernel this hub started."""
        return self._processes()[0]

    def hub_processes(self) -> list[int]:
        """The hub and its helpers (configurable-http-proxy)."""
        return self._processes()[1]

    def stop(self, timeout: float = 60) -> None:
        """Stop the hub (which stops every server), then end any process it left behind."""
        self._processes()  # note what to clean up if the hub leaves anything behind
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        # Servers run in their own sessions: end any that outlived the hub (same pid and start
        # time as one of its descendants, so never an unrelated process that reused the pid).
        table = _proc_table()
        for pid, start in self._seen.items():
            if pid != getattr(self.proc, "pid", None) and table.get(pid, (0, -1))[1] == start:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        stop_watchdog(self.watchdog)
        if getattr(self, "_log", None):
            self._log.close()
        if self._own_state:
            shutil.rmtree(self.state, ignore_errors=True)

    def __enter__(self) -> LocalHub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- API ------------------------------------------------------------------------------------
    def api(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        headers = {"Authorization": f"token {token or self.token}"}
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers, **kwargs)

    def user_token(self, name: str) -> str:
        """A token for ``name`` (created with the service's admin rights; the user must exist)."""
        with self._lock:
            if name in self._user_tokens:
                return self._user_tokens[name]
        r = self.api("POST", f"/users/{name}/tokens", json={"expires_in": 7200, "note": "load"})
        r.raise_for_status()
        with self._lock:
            self._user_tokens[name] = r.json()["token"]
            return self._user_tokens[name]

    def home(self, name: str) -> Path:
        return self.state / "h" / name


# --------------------------------------------------------------------------------------------
# one simulated student
# --------------------------------------------------------------------------------------------


class StepError(RuntimeError):
    def __init__(self, stage: str, message: str) -> None:
        super().__init__(message)
        self.stage = stage


def login(hub: LocalHub, name: str, next_url: str | None = None) -> requests.Session:
    """Log in through the hub's form, as a browser does; returns the logged-in session.

    With ``next_url`` (what the hub adds when a logged-out student opens a link), checks that
    the hub sends the student back there.
    """
    session = requests.Session()
    page = session.get(f"{hub.url}/hub/login", timeout=60)
    match = re.search(r'name="_xsrf"\s+value="([^"]+)"', page.text)
    if page.status_code != 200 or not match:
        raise StepError("login", f"no login form (HTTP {page.status_code})")
    r = session.post(f"{hub.url}/hub/login", params={"next": next_url} if next_url else None,
                     data={"username": name, "password": hub.password, "_xsrf": match.group(1)},
                     allow_redirects=False, timeout=60)
    if r.status_code != 302 or "jupyterhub-hub-login" not in session.cookies.keys():
        raise StepError("login", f"login refused (HTTP {r.status_code})")
    if next_url and r.headers.get("Location") != next_url:
        raise StepError("login", f"after login the hub sent the student to {r.headers.get('Location')!r}")
    return session


def check_link(hub: LocalHub, session: requests.Session, name: str, link: str) -> str:
    """Open an nbgitpuller link (path on the hub); return where the hub sends the student.

    That is their own server's git-pull page, or (server not running yet) the hub's spawn page
    for them with the git-pull page as ``next``.
    """
    r = session.get(f"{hub.url}{link}", allow_redirects=False, timeout=60)
    location = r.headers.get("Location", "")
    parts = urlsplit(location)
    to_server = parts.path.startswith(f"/user/{name}/git-pull")
    to_spawn = parts.path == f"/hub/spawn/{name}" and f"/user/{name}/git-pull" in unquote(parts.query)
    if r.status_code != 302 or not (to_server or to_spawn):
        raise StepError("link", f"the link went to {location!r} (HTTP {r.status_code})")
    return location


def spawn(hub: LocalHub, name: str, token: str, timeout: float,
          session: requests.Session | None = None, spawn_page: str | None = None) -> float:
    """Start the user's server; seconds until the hub reports it ready.

    With a logged-in ``session`` and the hub's ``spawn_page`` (where a link sends a student whose
    server is not running), starts it as the browser does; otherwise through the REST API.
    """
    t0 = time.monotonic()
    if session is not None and spawn_page:
        r = session.get(f"{hub.url}{spawn_page}", allow_redirects=False, timeout=timeout)
        if r.status_code != 302:
            raise StepError("spawn", f"spawn page: HTTP {r.status_code} {r.text[:200]}")
    else:
        r = hub.api("POST", f"/users/{name}/server", token=token, timeout=timeout)
        if r.status_code not in (201, 202):
            raise StepError("spawn", f"spawn request refused: HTTP {r.status_code} {r.text[:200]}")
    with hub.api("GET", f"/users/{name}/server/progress", token=token, stream=True,
                 timeout=(10, timeout)) as stream:
        if stream.status_code != 200:
            raise StepError("spawn", f"progress: HTTP {stream.status_code}")
        for raw in stream.iter_lines(decode_unicode=True):
            if time.monotonic() - t0 > timeout:
                raise StepError("spawn", f"not ready after {timeout:.0f} s")
            if not raw or not raw.startswith("data:"):
                continue
            event = json.loads(raw[5:])
            if event.get("failed"):
                raise StepError("spawn", f"spawn failed: {event.get('message')}")
            if event.get("ready"):
                return time.monotonic() - t0
    raise StepError("spawn", "progress stream ended before the server was ready")


def pull(hub: LocalHub, name: str, token: str, repo: str, branch: str, target: str,
         timeout: float) -> float:
    """Run nbgitpuller's pull (what the link's page does in a browser); seconds taken."""
    t0 = time.monotonic()
    params = {"repo": repo, "branch": branch, "targetpath": target}
    with requests.get(f"{hub.url}/user/{name}/git-pull/api", params=params, stream=True,
                      headers={"Authorization": f"token {token}"}, timeout=(30, timeout)) as r:
        if r.status_code != 200:
            raise StepError("pull", f"nbgitpuller: HTTP {r.status_code}")
        for raw in r.iter_lines(decode_unicode=True):
            if not raw or not raw.startswith("data:"):
                continue
            event = json.loads(raw[5:])
            if event.get("phase") == "error":
                raise StepError("pull", f"nbgitpuller: {event.get('message')}")
            if event.get("phase") == "finished":
                return time.monotonic() - t0
    raise StepError("pull", "nbgitpuller stream ended without finishing")


class Kernel:
    """A kernel on a user's server, driven over the REST API and the channels websocket."""

    def __init__(self, hub: LocalHub, name: str, token: str, timeout: float) -> None:
        self.base = f"{hub.url}/user/{name}/api/kernels"
        self.headers = {"Authorization": f"token {token}"}
        self.user = name
        r = requests.post(self.base, json={"name": "python3"}, headers=self.headers,
                          timeout=timeout)
        if r.status_code != 201:
            raise StepError("kernel", f"kernel start: HTTP {r.status_code} {r.text[:200]}")
        self.id = r.json()["id"]
        self.session = uuid.uuid4().hex
        ws_url = self.base.replace("http://", "ws://", 1) + f"/{self.id}/channels"
        self.ws = websocket.create_connection(
            f"{ws_url}?session_id={self.session}",
            header=[f"Authorization: token {token}"], timeout=timeout,
        )

    def execute(self, code: str, timeout: float) -> str:
        """Run ``code``; return its text output; raise StepError on an error or a timeout."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.user, "session": self.session,
                       "msg_type": "execute_request", "version": "5.3",
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "buffers": [], "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        deadline = time.monotonic() + timeout
        text, error, replied, idle = [], None, False, False
        while not (replied and idle):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StepError("run", f"no reply within {timeout:.0f} s to: {code[:60]!r}")
            self.ws.settimeout(remaining)
            try:
                raw = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            if isinstance(raw, bytes):  # a message with binary buffers (widgets): not ours
                continue
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["header"]["msg_type"], msg.get("content", {})
            if kind == "stream":
                text.append(content.get("text", ""))
            elif kind in ("execute_result", "display_data"):
                text.append(content.get("data", {}).get("text/plain", ""))
            elif kind == "error":
                error = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "execute_reply":
                replied = True
                if content.get("status") != "ok" and not error:
                    error = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
        if error:
            raise StepError("run", f"{error} (in: {code.splitlines()[0][:60]!r})")
        return "".join(text)

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            requests.delete(f"{self.base}/{self.id}", headers=self.headers, timeout=30)


def lesson_cells(hub: LocalHub, name: str, token: str, path: str, which: str) -> list[str]:
    """Code cells of the student's copy of a lesson (read through the contents API).

    ``which="first"``: up to and including the first cell that uses ``measures``;
    ``which="examples"``: every code cell before the first exercise (nbgrader solution cell).
    """
    r = requests.get(f"{hub.url}/user/{name}/api/contents/{path}", params={"content": 1},
                     headers={"Authorization": f"token {token}"}, timeout=60)
    if r.status_code != 200:
        raise StepError("pull", f"lesson notebook {path} not in the home folder: HTTP {r.status_code}")
    cells = []
    for cell in r.json()["content"]["cells"]:
        if cell["cell_type"] != "code":
            continue
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            break
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        cells.append(source)
        if which == "first" and "measures." in source:
            break
    if not cells:
        raise StepError("pull", f"no code cells in {path}")
    return cells


@dataclass
class StudentResult:
    name: str
    ok: bool = False
    stage: str = ""
    error: str = ""
    login_s: float | None = None
    spawn_s: float | None = None
    pull_s: float | None = None
    first_cell_s: float | None = None
    login_to_first_cell_s: float | None = None
    login_to_last_cell_s: float | None = None
    run_s: float | None = None
    cells: int = 0


class Capacity:
    """Stops adding students when the machine's available memory runs low.

    A student who has not yet started a server, a kernel or a cell when available memory falls
    below ``reserve_mb`` is turned away (stage "capacity") instead of pushing the machine into
    the out-of-memory killer; the report says how many students the machine held.
    """

    def __init__(self, reserve_mb: float = 1536.0) -> None:
        self.reserve_mb = reserve_mb
        self.full = threading.Event()
        self.tripped_after_s: float | None = None
        self.lowest_mb: float | None = None
        self._t0 = time.monotonic()

    def sample(self) -> None:
        available = mem_available_mb()
        if available is None:
            return
        self.lowest_mb = available if self.lowest_mb is None else min(self.lowest_mb, available)
        if available < self.reserve_mb and not self.full.is_set():
            self.tripped_after_s = round(time.monotonic() - self._t0, 1)
            self.full.set()

    def check(self, what: str) -> None:
        self.sample()
        if self.full.is_set():
            raise StepError("capacity", f"not {what}: available memory fell below "
                                        f"{self.reserve_mb:.0f} MB, so no more students are added")


@dataclass
class Plan:
    """What every simulated student does."""

    repo: str  # clone URL of the published course (file:// on this machine)
    branch: str
    target: str  # folder nbgitpuller clones into
    lesson_path: str  # e.g. "<target>/01-regional-gap/01-regional-gap.ipynb"
    link: str  # the lesson's nbgitpuller link: path and query on the hub
    cells: str = "first"
    timeout: float = 300.0


def simulate(hub: LocalHub, name: str, plan: Plan, go: threading.Event,
             ran: threading.Barrier | None, deadline: float,
             capacity: Capacity | None = None) -> tuple[StudentResult, Kernel | None]:
    """One student's morning; returns the result and (if it got that far) a live kernel."""
    result = StudentResult(name)
    guard = capacity.check if capacity is not None else (lambda what: None)
    kernel = None
    try:
        hub.api("POST", f"/users/{name}", timeout=60)  # 201 created, or 409 if it exists
        token = hub.user_token(name)
        go.wait(timeout=max(0.0, deadline - time.monotonic()))
        t0 = time.monotonic()
        session = login(hub, name, next_url=plan.link)
        location = check_link(hub, session, name, plan.link)
        result.login_s = time.monotonic() - t0
        left = lambda: max(1.0, min(plan.timeout, deadline - time.monotonic()))  # noqa: E731
        page = location if location.startswith(f"/hub/spawn/{name}") else None
        if page is None:  # the link went straight to a running server (started ahead)
            result.spawn_s = 0.0
        else:
            guard("started")
            result.spawn_s = spawn(hub, name, token, left(), session, page)
        result.pull_s = pull(hub, name, token, plan.repo, plan.branch, plan.target, left())
        cells = lesson_cells(hub, name, token, plan.lesson_path, plan.cells)
        guard("given a kernel")
        t1 = time.monotonic()
        kernel = Kernel(hub, name, token, left())
        for index, code in enumerate(cells):
            guard(f"past cell {index}")
            kernel.execute(code, left())
            if index == 0:
                result.first_cell_s = time.monotonic() - t1
                result.login_to_first_cell_s = time.monotonic() - t0
        result.run_s = time.monotonic() - t1
        result.login_to_last_cell_s = time.monotonic() - t0
        result.cells = len(cells)
        result.ok = True
    except StepError as exc:
        result.stage, result.error = exc.stage, str(exc)
    except Exception as exc:  # noqa: BLE001 - a failure of one student is data, not a crash
        result.stage, result.error = "unexpected", f"{type(exc).__name__}: {exc}"
    finally:
        if ran is not None:
            try:
                ran.wait(timeout=max(0.0, deadline - time.monotonic()))
            except threading.BrokenBarrierError:
                pass
    return result, kernel


# --------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------


class MemorySampler(threading.Thread):
    """PSS per user (server + kernels) and of the hub + proxy, once a second, until stopped."""

    def __init__(self, hub: LocalHub, interval: float = 1.0, max_seconds: float = 1800,
                 capacity: Capacity | None = None) -> None:
        super().__init__(daemon=True)
        self.hub, self.interval, self.max_seconds = hub, interval, max_seconds
        self.capacity = capacity
        self.stop_event = threading.Event()
        self.peak_total_kb = 0
        self.peak_users: dict[str, int] = {}  # per-user PSS at the moment of the total peak
        self.peak_user_kb: dict[str, int] = {}  # each user's own peak
        self.peak_hub_kb = 0
        self.template_kb_at_peak = 0  # the warm kernel template's PSS at the total peak
        self.samples = 0

    def run(self) -> None:
        t0 = time.monotonic()
        while not self.stop_event.is_set() and time.monotonic() - t0 < self.max_seconds:
            if self.capacity is not None:
                self.capacity.sample()
            users, core, _ = self.hub._processes()
            per_user: dict[str, int] = {}
            for pid, user in users.items():
                per_user[user] = per_user.get(user, 0) + (_pss_kb(pid) or 0)
            template = self.hub.template_pids
            template_kb = sum(_pss_kb(p) or 0 for p in core if p in template)
            hub_kb = sum(_pss_kb(p) or 0 for p in core if p not in template)
            total = sum(per_user.values())
            if total > self.peak_total_kb:
                self.peak_total_kb, self.peak_users = total, dict(per_user)
                self.template_kb_at_peak = template_kb
            for user, kb in per_user.items():
                self.peak_user_kb[user] = max(kb, self.peak_user_kb.get(user, 0))
            self.peak_hub_kb = max(self.peak_hub_kb, hub_kb)
            self.samples += 1
            self.stop_event.wait(self.interval)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo), 2)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for dist in ("jupyterhub", "jupyter_server", "jupyterlab", "ipykernel", "nbgitpuller",
                 "pandas", "altair", "ipywidgets"):
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            found[dist] = "missing"
    try:
        out = subprocess.run(["configurable-http-proxy", "--version"], capture_output=True,
                             text=True, timeout=30)
        found["configurable-http-proxy"] = out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        found["configurable-http-proxy"] = "missing"
    return found


def _machine() -> dict:
    mem_total = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_total = int(line.split()[1])
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "mem_total_gb": round(mem_total / 1024**2, 1),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(), "kernel": platform.release()}


def _prespawn_module():
    spec = importlib.util.spec_from_file_location("pp_prespawn", HERE.parent / "prespawn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_load(hub: LocalHub, users: int, plan: Plan, *, prefix: str = "l",
             deadline_s: float = 900, reserve_mb: float = 1536.0,
             prespawn: int = 0) -> dict:
    """``users`` students at once against a running hub; returns the report as a dict.

    Students are turned away once available memory falls below ``reserve_mb`` (see
    :class:`Capacity`); the report's ``capacity`` says how many the machine held. With
    ``prespawn`` > 0, every student's server is started before the wave, that many at a time
    (``deploy/prespawn.py``, as a host would at 8:45), and the wave's clock starts after.
    """
    deadline = time.monotonic() + deadline_s
    capacity = Capacity(reserve_mb)
    names = [f"{prefix}{i:03d}" for i in range(1, users + 1)]
    ahead = None
    if prespawn > 0:
        t_ahead = time.monotonic()
        started = _prespawn_module().prespawn(hub.api, names, prespawn, timeout=min(600, deadline_s))
        ahead = {"parallel": prespawn, "seconds": round(time.monotonic() - t_ahead, 1),
                 "failed": sorted(n for n, (_, error) in started.items() if error)}
        deadline = time.monotonic() + deadline_s
    go, release = threading.Event(), threading.Event()
    ran = threading.Barrier(users)
    results: dict[str, StudentResult] = {}

    def worker(name: str) -> None:
        result, kernel = simulate(hub, name, plan, go, ran, deadline, capacity)
        results[name] = result
        release.wait(timeout=max(0.0, deadline - time.monotonic()) + 30)
        try:  # clean up in parallel: end the kernel, stop the server
            if kernel is not None:
                kernel.close()
            hub.api("DELETE", f"/users/{name}/server", timeout=120)
        except Exception:  # noqa: BLE001 - best effort; stopping the hub stops everything anyway
            pass

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in names]
    sampler = MemorySampler(hub, max_seconds=deadline_s + 60, capacity=capacity)
    machine = _machine()
    sampler.start()
    for t in threads:
        t.start()
    time.sleep(1.0)  # let every student create their user and token first
    t0 = time.monotonic()
    go.set()
    while len(results) < users and time.monotonic() < deadline:
        time.sleep(0.2)
    wall = time.monotonic() - t0
    # One whole sample more with every kernel still alive, however slowly the sampler runs.
    seen = sampler.samples
    while sampler.samples < seen + 2 and sampler.is_alive():
        time.sleep(0.2)
    sampler.stop_event.set()
    sampler.join(timeout=10)
    release.set()
    for t in threads:
        t.join(timeout=150)

    students = [results.get(n) or StudentResult(n, stage="deadline", error="did not finish")
                for n in names]
    ok = [s for s in students if s.ok]
    spawn = [s.spawn_s for s in ok if s.spawn_s is not None]
    first = [s.first_cell_s for s in ok if s.first_cell_s is not None]
    pull_t = [s.pull_s for s in ok if s.pull_s is not None]
    to_first = [s.login_to_first_cell_s for s in ok if s.login_to_first_cell_s is not None]
    # measured from the same instant as login_to_first_cell (a sum of the stages would leave out
    # the steps between them: reading the lesson, asking for a kernel)
    total_t = [s.login_to_last_cell_s for s in ok if s.login_to_last_cell_s is not None]
    per_user_mb = [kb / 1024 for kb in sampler.peak_users.values()]
    return {
        "users": users,
        "ok": len(ok),
        "failures": [asdict(s) for s in students if not s.ok],
        "cells_run_per_student": max((s.cells for s in ok), default=0),
        "cells": plan.cells,
        "wall_s": round(wall, 1),
        "spawn_s": {"p50": _pct(spawn, 0.5), "p95": _pct(spawn, 0.95), "max": _pct(spawn, 1.0)},
        "pull_s": {"p50": _pct(pull_t, 0.5), "p95": _pct(pull_t, 0.95)},
        "first_cell_s": {"p50": _pct(first, 0.5), "p95": _pct(first, 0.95)},
        "login_to_first_cell_s": {"p50": _pct(to_first, 0.5), "p95": _pct(to_first, 0.95)},
        "login_to_last_cell_s": {"p50": _pct(total_t, 0.5), "p95": _pct(total_t, 0.95)},
        "memory": {
            "method": "PSS from /proc/<pid>/smaps_rollup, summed per user over server + kernel",
            "samples": sampler.samples,
            "peak_all_users_mb": round(sampler.peak_total_kb / 1024, 1),
            "users_at_peak": len(sampler.peak_users),
            "per_user_at_peak_mean_mb": round(statistics.mean(per_user_mb), 1) if per_user_mb else None,
            "per_user_at_peak_max_mb": round(max(per_user_mb), 1) if per_user_mb else None,
            "per_user_own_peak_max_mb": round(max(sampler.peak_user_kb.values(), default=0) / 1024, 1),
            "hub_and_proxy_peak_mb": round(sampler.peak_hub_kb / 1024, 1),
            # the warm kernel template (0 without one): its PSS is what the kernels forked from
            # it do not carry themselves, so a fair cost per student adds its share
            "template_at_peak_mb": round(sampler.template_kb_at_peak / 1024, 1),
            "per_user_with_template_share_mb": (
                round(statistics.mean(per_user_mb) + sampler.template_kb_at_peak / 1024
                      / len(per_user_mb), 1) if per_user_mb else None),
        },
        "prespawn": ahead,
        "template_ready": hub.template_ready,
        "capacity": {
            "reserve_mb": reserve_mb,
            "lowest_available_mb": None if capacity.lowest_mb is None else round(capacity.lowest_mb),
            "tripped_after_s": capacity.tripped_after_s,
            "turned_away": sum(1 for s in students if s.stage == "capacity"),
            "held": len(ok),
        },
        "students": [asdict(s) for s in students],
        "machine": machine,
        "versions": _versions(),
    }


def markdown(report: dict) -> str:
    """The report as a short Markdown page."""
    m = report["memory"]
    lines = [
        "# Local JupyterHub load run",
        "",
        f"{report['users']} simulated students, all starting at the same instant (the worst case), "
        f"on {report['machine']['cpus']} CPUs / {report['machine']['mem_total_gb']} GB "
        f"(load average at start {report['machine']['load_average_at_start']}).",
        "Each logs in through the form, opens the lesson's nbgitpuller link, starts a server, pulls "
        f"the published course with nbgitpuller and runs {report['cells_run_per_student']} code "
        f"cells of the lesson ({report['cells']!r}) in a new kernel.",
        "",
        "| users | ok | failures | spawn p50 / p95 / max s | pull p50 / p95 s "
        "| first cell p50 / p95 s | login to first cell p50 / p95 s "
        "| login to last cell p50 / p95 s | wall s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| {report['users']} | {report['ok']} | {len(report['failures'])} "
        f"| {report['spawn_s']['p50']} / {report['spawn_s']['p95']} / {report['spawn_s']['max']} "
        f"| {report['pull_s']['p50']} / {report['pull_s']['p95']} "
        f"| {report['first_cell_s']['p50']} / {report['first_cell_s']['p95']} "
        f"| {report.get('login_to_first_cell_s', {}).get('p50')} / "
        f"{report.get('login_to_first_cell_s', {}).get('p95')} "
        f"| {report['login_to_last_cell_s']['p50']} / {report['login_to_last_cell_s']['p95']} "
        f"| {report['wall_s']} |",
        "",
        f"Memory ({m['method']}; {m['samples']} samples):",
        "",
        f"- all {m['users_at_peak']} users at the peak: {m['peak_all_users_mb']} MB",
        f"- per user at that peak: mean {m['per_user_at_peak_mean_mb']} MB, "
        f"max {m['per_user_at_peak_max_mb']} MB (largest single-user peak "
        f"{m['per_user_own_peak_max_mb']} MB)",
        f"- hub + proxy: {m['hub_and_proxy_peak_mb']} MB",
    ]
    if report.get("template_ready") is False:
        lines.append("- the warm kernel template did not answer before the wave: kernels started "
                     "the ordinary way until it did")
    if m.get("template_at_peak_mb"):
        lines.append(f"- warm kernel template: {m['template_at_peak_mb']} MB at that peak; per user "
                     f"with its share: {m['per_user_with_template_share_mb']} MB")
    ahead = report.get("prespawn")
    if ahead:
        lines += ["", f"Servers started before the wave, {ahead['parallel']} at a time: "
                      f"{ahead['seconds']} s for all ({len(ahead['failed'])} failed); their "
                      "spawn time in the wave is 0."]
    cap = report.get("capacity")
    if cap:
        lines.append(f"- lowest available memory: {cap['lowest_available_mb']} MB "
                     f"(students are turned away below {cap['reserve_mb']:.0f} MB)")
        if cap["turned_away"]:
            lines += ["", f"**Memory ran low after {cap['tripped_after_s']} s: the machine held "
                          f"{cap['held']} students and turned {cap['turned_away']} away.**"]
    for key, extra in report.get("extra", {}).items():
        lines += ["", f"{key}: {json.dumps(extra)}"]
    if report["failures"]:
        lines += ["", "Failures:", ""]
        lines += [f"- {f['name']} at {f['stage']}: {f['error']}" for f in report["failures"]]
    lines += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()), ""]
    return "\n".join(lines)


def write_report(report: dict, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "report.json", out_dir / "report.md"
    json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown(report), encoding="utf-8")
    return json_path, md_path


# --------------------------------------------------------------------------------------------
# the published course as a git repository on this machine
# --------------------------------------------------------------------------------------------


def published_repo(lessons_dir: Path, workdir: Path, lesson_ids: list[str] | None = None,
                   branch: str = "main") -> str:
    """``course publish`` the lessons into a new git repository under ``workdir``; its URL."""
    from course.publish import publish

    source = lessons_dir
    if lesson_ids is not None:  # publish only these lessons (copied, so others cannot interfere)
        source = workdir / "lessons"
        for lesson_id in lesson_ids:
            shutil.copytree(lessons_dir / lesson_id, source / lesson_id)
    repo = workdir / "productive-places-student"
    publish(source, repo)
    git = ["git", "-c", "user.name=course publish", "-c", "user.email=publish@localhost",
           "-c", "init.defaultBranch=" + branch]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Publish lessons"]):
        subprocess.run([*git, *args], cwd=repo, check=True, capture_output=True, timeout=60)
    return repo.as_uri()


def make_plan(repo_url: str, lesson_id: str, *, branch: str = "main", cells: str = "first",
              timeout: float = 300.0) -> Plan:
    from course.publish import links

    (lid, link), = links("http://hub.invalid", repo_url, branch, [lesson_id],
                         lessons_dir=Path(urlsplit(repo_url).path))
    link = link.removeprefix("http://hub.invalid")
    target = urlsplit(repo_url).path.rstrip("/").split("/")[-1].removesuffix(".git")
    return Plan(repo=repo_url, branch=branch, target=target,
                lesson_path=f"{target}/{lid}/{lid}.ipynb", link=link, cells=cells,
                timeout=timeout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("PP_HUB_USERS", "20")))
    parser.add_argument("--lesson", default="01-regional-gap")
    parser.add_argument("--lessons", type=Path, default=REPO / "lessons")
    parser.add_argument("--cells", choices=["first", "examples"], default="first")
    parser.add_argument("--deadline", type=float, default=900, help="seconds for the whole run")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "hub-report")
    parser.add_argument("--reserve-mb", type=float, default=1536,
                        help="turn students away once available memory falls below this")
    parser.add_argument("--prespawn", type=int, default=0, metavar="K",
                        help="start every server before the wave, K at a time (0: no)")
    parser.add_argument("--zygote", action=argparse.BooleanOptionalAction, default=None,
                        help="fork kernels from the hub's warm template (default: the hub "
                             "configuration's, which does)")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 200:
        parser.error("--users must be between 1 and 200")
    with tempfile.TemporaryDirectory(prefix="pp-hubload-") as tmp:
        repo_url = published_repo(args.lessons, Path(tmp), [args.lesson])
        plan = make_plan(repo_url, args.lesson, cells=args.cells)
        protect_from_oom_killer()
        with LocalHub(zygote=args.zygote) as hub:
            report = run_load(hub, args.users, plan, deadline_s=args.deadline,
                              reserve_mb=args.reserve_mb, prespawn=args.prespawn)
    json_path, md_path = write_report(report, args.out)
    print(md_path.read_text())
    return 0 if report["ok"] == report["users"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
