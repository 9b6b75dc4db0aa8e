"""Lean start-up for students on a hub (course._student, deploy/jupyter/kernels) and the host's
pre-spawn tool (deploy/prespawn.py). The hub suite (tests/test_hub.py) runs both for real."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest
from conftest import REPO

from course import _kernel, _student


def _prespawn():
    spec = importlib.util.spec_from_file_location("pp_prespawn_unit", REPO / "deploy/prespawn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_students_kernelspec_starts_kernels_through_the_lean_launcher():
    spec = json.loads((REPO / "deploy/jupyter/kernels/python3/kernel.json").read_text())
    # "python" is replaced by the environment's own interpreter by jupyter_client
    assert spec["argv"] == ["python", "-c", _kernel.LAUNCH, "-f", "{connection_file}"]
    assert spec["language"] == "python" and spec["display_name"]


def test_the_server_launch_defers_the_iri_grammar_and_reaches_jupyterhub_singleuser():
    report = ("import atexit; atexit.register(lambda: print("
              "type(sys.modules.get('rfc3987_syntax')).__name__, "
              "'jupyter_server.serverapp' in sys.modules)); ")
    code = _student.SERVER_LAUNCH.replace("from course._student", report + "from course._student")
    out = subprocess.run([sys.executable, "-c", code, "--version"], capture_output=True, text=True,
                         timeout=300, cwd=REPO)
    assert out.returncode == 0, out.stderr[-2000:]
    version, state = out.stdout.strip().splitlines()[-2:]
    assert version.split(".")[0].isdigit()  # jupyterhub-singleuser itself answered
    has_grammar = importlib.util.find_spec("rfc3987_syntax") is not None
    # the whole server was imported, and the grammar was not compiled on the way
    assert state == ("_Deferred True" if has_grammar else "NoneType True"), out.stdout


def test_the_server_launch_ignores_a_course_folder_in_the_home(tmp_path):
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "__init__.py").write_text("raise SystemExit('the fake course ran')\n")
    code = _student.SERVER_LAUNCH.replace("singleuser()", "print(course.__file__)")
    out = subprocess.run([sys.executable, "-c", code.replace("from course._student import singleuser",
                                                             "import course; from course._student import singleuser")],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert str(tmp_path) not in out.stdout


def test_roster_reading(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("# morning group\nada\n\nbob  # late\nada\n")
    assert _prespawn().read_roster(roster) == ["ada", "bob"]


class _Response:
    def __init__(self, status: int, text: str = "", lines: tuple[str, ...] = ()) -> None:
        self.status_code, self.text, self._lines = status, text, lines

    def iter_lines(self, decode_unicode=True):
        yield from self._lines

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_prespawn_starts_each_server_once_and_reports_failures():
    calls: list[tuple[str, str]] = []

    def api(method, path, **kwargs):
        calls.append((method, path))
        if path.endswith("/server") and method == "POST":
            if "/carol/" in path:
                return _Response(400, "carol's server is already running")
            if "/dan/" in path:
                return _Response(403, "forbidden")
            return _Response(202)
        if path.endswith("/progress"):
            return _Response(200, lines=('data: {"progress": 50}', 'data: {"ready": true}'))
        return _Response(201)

    results = _prespawn().prespawn(api, ["ada", "bob", "carol", "dan"], parallel=2, timeout=60)
    assert results["ada"][1] == "" and results["ada"][0] is not None
    assert results["carol"] == (0.0, "")  # already running counts as started
    assert results["dan"][0] is None and "HTTP 403" in results["dan"][1]
    starts = [p for m, p in calls if m == "POST" and p.endswith("/server")]
    assert sorted(starts) == sorted(f"/users/{n}/server" for n in ("ada", "bob", "carol", "dan"))


def test_prespawn_refuses_an_empty_roster(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("# nobody yet\n")
    with pytest.raises(SystemExit):
        _prespawn().main(["--hub", "http://127.0.0.1:9", "--token", "t", "--users", str(empty)])
    assert "holds no user names" in capsys.readouterr().err
