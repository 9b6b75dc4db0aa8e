"""The grading kernel's deferred import (course._kernel)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PATIENCE, REPO, require

_SCRIPT = r"""
import json, sys, time
from course import _kernel
placed = _kernel.defer_rfc3987_syntax()
started = time.perf_counter()
import altair, jsonschema
before = type(sys.modules.get("rfc3987_syntax")).__name__
checker = jsonschema.FormatChecker()
checks = [checker.conforms("http://example.com/a b", "iri"),
          checker.conforms("http://example.com/ab", "iri")]
after = type(sys.modules.get("rfc3987_syntax")).__name__
print(json.dumps({"placed": placed, "again": _kernel.defer_rfc3987_syntax(), "before": before,
                  "checks": checks, "after": after}))
"""


def _run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         timeout=PATIENCE, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_the_stand_in_defers_the_import_until_a_check_needs_it():
    from importlib.util import find_spec

    require(find_spec("rfc3987_syntax") is not None,
            "rfc3987-syntax is not installed (jsonschema[format-nongpl] brings it)")
    got = _run(_SCRIPT)
    assert got["placed"] is True and got["again"] is False
    assert got["before"] == "_Deferred"  # altair and jsonschema imported without compiling it
    assert got["checks"] == [False, True]  # an IRI check still uses the real grammar
    assert got["after"] == "module"


def test_a_missing_module_is_left_missing():
    got = _run(
        "import json, sys\n"
        "from course import _kernel\n"
        "_kernel.DEFERRED = 'no_such_module_here'\n"
        "print(json.dumps({'placed': _kernel.defer_rfc3987_syntax(),\n"
        "                  'present': 'no_such_module_here' in sys.modules}))\n"
    )
    assert got == {"placed": False, "present": False}


def test_the_grading_kernelspec_starts_the_course_kernel(tmp_path):
    from course.grading.grade import _worker

    job = {"isolation": {"kind": "none", "detail": ""}}
    for name in ("answers", "sock", "tmp", "cwd"):
        (tmp_path / name).mkdir()
    _worker._write_kernelspec(job, tmp_path, tmp_path / "cwd", tmp_path / "answers",
                              tmp_path / "sock")
    spec = json.loads((tmp_path / "share/jupyter/kernels" / _worker.KERNEL_NAME
                       / "kernel.json").read_text())
    from course._kernel import ENV_CWD, LAUNCH

    assert spec["argv"][1:3] == ["-c", LAUNCH]
    # Without a sandbox the kernel moves itself into its own folder (the sandbox starts it there).
    assert spec["env"][ENV_CWD] == str(tmp_path / "cwd")


def test_the_kernel_works_in_its_own_folder(tmp_path, monkeypatch):
    """The grading kernel never works in the folder where the grader writes its results."""
    from course import _kernel

    monkeypatch.chdir(tmp_path)
    (tmp_path / "run").mkdir()
    monkeypatch.setenv(_kernel.ENV_CWD, str(tmp_path / "run"))
    assert _kernel.enter_folder() == str(tmp_path / "run")
    assert Path.cwd() == tmp_path / "run"
    monkeypatch.delenv(_kernel.ENV_CWD)
    assert _kernel.enter_folder() is None and Path.cwd() == tmp_path / "run"


@pytest.mark.slow
def test_the_kernel_starts_and_student_code_imports_from_its_folder(tmp_path):
    """A module beside the notebook imports (as in ipykernel); a ``course`` folder there does
    not replace the package while the kernel starts."""
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpec

    from course._kernel import LAUNCH

    (tmp_path / "helpermod.py").write_text("X = 42\n")
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "__init__.py").write_text("raise SystemExit('shadowed')\n")
    km = KernelManager()
    km._kernel_spec = KernelSpec(argv=[sys.executable, "-c", LAUNCH, "-f", "{connection_file}"],
                                 display_name="course", language="python")
    km.start_kernel(cwd=str(tmp_path))
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=PATIENCE)
        out: list[str] = []
        reply = kc.execute_interactive(
            "import sys, helpermod\n"
            "print(helpermod.X, type(sys.modules.get('rfc3987_syntax')).__name__)",
            output_hook=lambda m: out.append(m["content"].get("text", "")), timeout=PATIENCE)
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok"
    assert "".join(out).split() == ["42", "_Deferred"]


@pytest.mark.parametrize("name", ["is_valid_syntax", "anything_else"])
def test_attributes_load_the_real_module(name, monkeypatch):
    from course import _kernel

    monkeypatch.delitem(sys.modules, "rfc3987_syntax", raising=False)
    stand_in = _kernel._Deferred("rfc3987_syntax")
    monkeypatch.setitem(sys.modules, "rfc3987_syntax", stand_in)
    if name == "anything_else":
        with pytest.raises(AttributeError):
            stand_in.anything_else  # noqa: B018 - the real module has no such name
    else:
        assert callable(getattr(stand_in, name))
    assert sys.modules["rfc3987_syntax"] is not stand_in
