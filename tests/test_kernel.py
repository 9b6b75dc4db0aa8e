"""The grading kernel's deferred import (course._kernel)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO, require

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
                         timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


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
    from course.grading import _worker

    job = {"isolation": {"kind": "none", "detail": ""}}
    for name in ("answers", "sock", "tmp", "cwd"):
        (tmp_path / name).mkdir()
    _worker._write_kernelspec(job, tmp_path, tmp_path / "cwd", tmp_path / "answers",
                              tmp_path / "sock")
    spec = json.loads((tmp_path / "share/jupyter/kernels" / _worker.KERNEL_NAME
                       / "kernel.json").read_text())
    assert spec["argv"][1:4] == ["-P", "-m", "course._kernel"]


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
