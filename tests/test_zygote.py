"""Kernels forked from a warm template (course/_zygote.py), driven through jupyter_client's own
KernelManager with the local hub's kernelspec (deploy/local/jupyter/kernels/python3): no hub.

Nothing here depends on the machine's speed: every wait polls with a generous deadline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import REPO

from course import _zygote

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open"),
                                reason="the template uses fork, pidfds and /proc (Linux)")

KERNELS = REPO / "deploy/local/jupyter/kernels"
DEADLINE_S = 300


def _until(what: str, check, deadline_s: float = DEADLINE_S):
    """Poll ``check`` until it returns something true; fail with ``what`` at the deadline."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {deadline_s} s: {what}")


def _status(pid: int) -> dict[str, str]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        out[key] = value.strip()
    return out


def _gone(pid: int) -> bool:
    """The process has ended and been reaped (no /proc entry), or is a zombie awaiting reaping."""
    try:
        return _status(pid)["State"].startswith("Z")
    except FileNotFoundError:
        return True


def _pss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    raise AssertionError(f"no Pss line for {pid}")


@pytest.fixture(scope="module")
def template():
    """A template on a socket in a private folder; its environment carries a fake secret."""
    folder = Path(tempfile.mkdtemp(prefix="zg", dir="/tmp"))  # short: Unix socket paths
    socket_path = str(folder / "z" / "sock")
    env = {**os.environ, _zygote.ENV_SOCKET: socket_path, "PP_TEST_API_TOKEN": "not-for-kernels"}
    proc = subprocess.Popen([sys.executable, "-c", _zygote.ZYGOTE_LAUNCH], env=env, cwd=folder,
                            start_new_session=True)

    def ping():
        if proc.poll() is not None:
            raise AssertionError(f"the template exited with {proc.returncode}")
        try:
            return _zygote.ask(socket_path, {"op": "ping"}, timeout=30)[0]
        except _zygote.ZygoteUnavailable:
            return None

    info = _until("the template answers", ping)
    yield {"proc": proc, "socket": socket_path, "ping": ping, "pid": info["pid"], "folder": folder}
    proc.terminate()
    proc.wait(timeout=60)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def kernels(template, monkeypatch):
    """Start kernels through the kernelspec's provisioner; every one is shut down afterwards."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    monkeypatch.setenv(_zygote.ENV_SOCKET, template["socket"])
    started = []

    def start(cwd: Path, **env: str):
        km = KernelManager(kernel_name="python3",
                           kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(KERNELS)]))
        km.start_kernel(cwd=str(cwd), env={**os.environ, **env})
        started.append(km)
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=DEADLINE_S)
        return km, kc

    yield start
    for km in started:
        if km.has_kernel:
            km.shutdown_kernel(now=True)


def run(kc, code: str) -> tuple[dict, list[str]]:
    """Execute ``code``; return the reply's content and the text of its outputs."""
    outputs: list[str] = []

    def hook(msg):
        content = msg["content"]
        if msg["msg_type"] == "stream":
            outputs.append(content["text"])
        elif msg["msg_type"] == "execute_result":
            outputs.append(content["data"]["text/plain"])

    reply = kc.execute_interactive(code, timeout=DEADLINE_S, output_hook=hook)
    return reply["content"], outputs


def test_a_forked_kernel_runs_code_and_is_the_templates_child(template, kernels, tmp_path):
    km, kc = kernels(tmp_path)
    assert km.provisioner.forked
    reply, out = run(kc, "import os\nprint(os.getppid())\nsum(range(10))")
    assert reply["status"] == "ok"
    assert out == [f"{template['pid']}\n", "45"]
    assert Path(f"/proc/{km.provisioner.pid}/comm").read_text().strip() == "pp-kernel"


def test_two_kernels_are_separate_processes_with_their_own_folder_and_environment(kernels, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    km_a, kc_a = kernels(tmp_path / "a", PP_WHO="ada")
    km_b, kc_b = kernels(tmp_path / "b", PP_WHO="bob")
    code = "import os\nprint(os.getpid(), os.getcwd(), os.environ.get('PP_WHO'), os.getsid(0))"
    pid_a, cwd_a, who_a, sid_a = run(kc_a, code)[1][0].split()
    pid_b, cwd_b, who_b, sid_b = run(kc_b, code)[1][0].split()
    assert (pid_a, pid_b) == (str(km_a.provisioner.pid), str(km_b.provisioner.pid))
    assert pid_a != pid_b
    assert (cwd_a, cwd_b) == (str(tmp_path / "a"), str(tmp_path / "b"))
    assert (who_a, who_b) == ("ada", "bob")
    assert (sid_a, sid_b) == (pid_a, pid_b)  # each leads its own session
    # what one kernel sets stays in it
    run(kc_a, "import numpy\nshared = numpy.random.random()\nprint(shared)")
    assert run(kc_b, "print('shared' in globals())")[1] == ["False\n"]


def test_kernels_do_not_share_the_templates_random_seed(kernels, tmp_path):
    code = "import numpy, random\nprint(numpy.random.random(), random.random())"
    first = run(kernels(tmp_path)[1], code)[1][0]
    second = run(kernels(tmp_path)[1], code)[1][0]
    a, b = first.split(), second.split()
    assert a[0] != b[0] and a[1] != b[1]


def test_interrupt_stops_a_loop(kernels, tmp_path):
    km, kc = kernels(tmp_path)
    # stop_on_error=False: ipykernel sends the error reply, then aborts whatever request reaches it
    # in the next moment; "1 + 1" below, sent on that reply, was aborted in a clean-clone CI run.
    msg_id = kc.execute("print('looping', flush=True)\nwhile True:\n    pass", stop_on_error=False)

    def looping():  # the loop has started once its first output arrives
        msg = kc.get_iopub_msg(timeout=DEADLINE_S)
        return msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream"

    _until("the loop starts", looping)
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=DEADLINE_S)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    after, out = run(kc, "1 + 1")  # and the kernel carries on
    assert (after["status"], out) == ("ok", ["2"])


@pytest.mark.parametrize("now", [False, True], ids=["shutdown", "kill"])
def test_shutdown_leaves_no_process(template, kernels, tmp_path, now):
    km, kc = kernels(tmp_path)
    pid = km.provisioner.pid
    assert pid in template["ping"]()["children"]
    kc.stop_channels()
    km.shutdown_kernel(now=now)
    assert not km.has_kernel
    _until(f"kernel {pid} has ended", lambda: _gone(pid))
    _until(f"the template reaped {pid}", lambda: pid not in template["ping"]()["children"])
    assert not Path(f"/proc/{pid}").exists()


def test_a_restarted_kernel_is_a_new_fork(template, kernels, tmp_path):
    km, kc = kernels(tmp_path)
    before = km.provisioner.pid
    run(kc, "x = 1")
    km.restart_kernel(now=True)
    kc.wait_for_ready(timeout=DEADLINE_S)
    assert km.provisioner.forked and km.provisioner.pid != before
    _until(f"the old kernel {before} has ended", lambda: _gone(before))
    assert run(kc, "print('x' in globals())")[1] == ["False\n"]


def test_the_template_holds_one_thread_and_no_secret(template, kernels, tmp_path):
    info = template["ping"]()
    assert info["threads"] == 1
    assert _status(template["pid"])["Threads"] == "1"  # no native threads either (BLAS)
    assert {"pandas", "altair", "ipywidgets", "ipykernel.kernelapp", "course"} <= set(info["preloaded"])
    environ = Path(f"/proc/{template['pid']}/environ").read_bytes()
    assert b"PP_TEST_API_TOKEN" not in environ and _zygote.ENV_SOCKET.encode() in environ
    km, kc = kernels(tmp_path)  # forking a kernel adds none to the template
    assert _status(template["pid"])["Threads"] == "1"
    assert template["ping"]()["threads"] == 1


def test_the_socket_is_private(template):
    socket_path = Path(template["socket"])
    assert socket_path.is_socket()
    assert socket_path.stat().st_mode & 0o777 == 0o600
    assert socket_path.parent.stat().st_mode & 0o777 == 0o700


def test_a_refused_request_is_an_error_and_the_template_carries_on(template, tmp_path):
    with pytest.raises(_zygote.ZygoteUnavailable, match="refused"):
        _zygote.ask(template["socket"], {"op": "spawn", "args": [], "env": {},
                                         "cwd": str(tmp_path / "missing"),
                                         "executable": sys.executable}, [0, 1, 2])
    assert template["ping"]()["pid"] == template["pid"]


def test_without_a_template_kernels_start_the_ordinary_way(kernels, tmp_path, monkeypatch):
    monkeypatch.setenv(_zygote.ENV_SOCKET, str(tmp_path / "no-template" / "sock"))
    km, kc = kernels(tmp_path)
    assert not km.provisioner.forked and km.provisioner.process is not None
    reply, out = run(kc, "import os\nprint(os.getppid())\n6 * 7")
    assert out == [f"{os.getpid()}\n", "42"]
    pid = km.provisioner.pid
    km.shutdown_kernel(now=True)
    _until(f"kernel {pid} has ended", lambda: _gone(pid))


def test_a_forked_kernel_holds_less_memory_than_one_started_normally(template, kernels, tmp_path,
                                                                    monkeypatch):
    code = "import pandas, altair, ipywidgets\nprint(len(pandas.DataFrame({'a': [1, 2]})))"
    km_fork, kc_fork = kernels(tmp_path)
    assert run(kc_fork, code)[1] == ["2\n"]
    monkeypatch.setenv(_zygote.ENV_SOCKET, str(tmp_path / "no-template" / "sock"))
    km_plain, kc_plain = kernels(tmp_path)
    assert run(kc_plain, code)[1] == ["2\n"]
    assert km_fork.provisioner.forked and not km_plain.provisioner.forked
    forked, plain = _pss_kb(km_fork.provisioner.pid), _pss_kb(km_plain.provisioner.pid)
    # the forked kernel's share of the imported libraries is split with the template
    assert forked < plain, (forked, plain)


def test_a_kernel_command_other_than_the_course_kernel_is_not_forked():
    assert _zygote.kernel_args(["python", "-c", "import os", "-f", "x.json"]) is None
    assert _zygote.kernel_args(["python", "-m", "ipykernel_launcher", "-f", "x.json"]) is None
    from course._kernel import LAUNCH

    assert _zygote.kernel_args(["python", "-c", LAUNCH, "-f", "x.json"]) == ["-f", "x.json"]
