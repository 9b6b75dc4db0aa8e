"""The workshop login wave: N simulated students against a real local JupyterHub.

Runs ``deploy/local/hubload.py`` (the same code as ``tests/test_hub.py``) twice: every student
runs the first cells of lesson 01, then, on a fresh hub, every example cell before the exercises.
The figures are the ones a workshop host lives with (DESIGN.md, "Performance budget").
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LESSON = "01-regional-gap"

#: Targets for the login wave on one 2-core, 24 GB machine (issue 19 and DESIGN.md).
HUB_TARGETS = {"spawn_p95_s": 60.0, "first_cell_p95_s": 120.0, "login_to_last_cell_p95_s": 150.0,
               "pss_per_student_mb": 200.0}


def load_hubload():
    """deploy/local/hubload.py as a module (it is a script, not part of a package)."""
    spec = importlib.util.spec_from_file_location("pp_hubload_bench", REPO / "deploy/local/hubload.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


def summary(report: dict) -> dict:
    """The figures of one load run that the hub table shows."""
    memory = report["memory"]
    # with kernels forked from the warm template, each student's share of it is counted too
    share = (memory.get("template_at_peak_mb") or 0) / max(1, memory["users_at_peak"])
    return {
        "users": report["users"], "ok": report["ok"], "cells": report["cells"],
        "cells_run_per_student": report["cells_run_per_student"],
        "spawn_p95_s": report["spawn_s"]["p95"],
        "first_cell_p95_s": report["first_cell_s"]["p95"],
        "login_to_first_cell_p95_s": report.get("login_to_first_cell_s", {}).get("p95"),
        "login_to_last_cell_p95_s": report["login_to_last_cell_s"]["p95"],
        "pss_per_student_mb": memory.get("per_user_with_template_share_mb")
        or memory["per_user_at_peak_mean_mb"],
        "pss_per_student_own_mb": memory["per_user_at_peak_mean_mb"],
        "template_mb": memory.get("template_at_peak_mb"),
        "template_ready": report.get("template_ready"),
        "pss_per_student_max_mb": None if memory["per_user_at_peak_max_mb"] is None
        else round(memory["per_user_at_peak_max_mb"] + share, 1),
        "peak_all_users_mb": memory["peak_all_users_mb"],
        "hub_and_proxy_mb": memory["hub_and_proxy_peak_mb"],
        "capacity": report.get("capacity"),
        "prespawn": report.get("prespawn"),
        "failures": [f"{f['name']} at {f['stage']}: {f['error']}" for f in report["failures"]][:10],
        "load_average_at_start": report["machine"]["load_average_at_start"],
        "wall_s": report["wall_s"],
    }


def bench(users: int, *, cells: tuple[str, ...] = ("first", "examples"), prespawn: int = 4,
          zygote: bool = True, deadline_s: float = 1500, log=print) -> dict:
    """Run the login wave for each of ``cells``; returns {"first": summary, "examples": ...}.

    ``prespawn`` > 0 starts every server before the wave, that many at a time, as
    ``deploy/prespawn.py`` does for a host (0: servers start in the wave, at login).
    ``zygote`` forks students' kernels from the hub's warm template (``course/_zygote.py``);
    False starts each kernel as its own process.
    """
    if shutil.which("configurable-http-proxy") is None:
        raise RuntimeError("configurable-http-proxy is not on PATH (.ci/system-deps.sh installs it)")
    hubload = load_hubload()
    hubload.protect_from_oom_killer()
    out = {"users": users, "lesson": LESSON, "prespawn": prespawn, "zygote": zygote, "runs": {}}
    with tempfile.TemporaryDirectory(prefix="pp-hubbench-") as tmp:
        repo_url = hubload.published_repo(REPO / "lessons", Path(tmp), [LESSON])
        for which in cells:
            log(f"  hub: {users} students, cells {which!r}, "
                f"kernels {'forked from the template' if zygote else 'started one by one'}")
            plan = hubload.make_plan(repo_url, LESSON, cells=which, timeout=deadline_s)
            with hubload.LocalHub(zygote=zygote) as hub:  # a fresh hub each time: no warm servers carried over
                report = hubload.run_load(hub, users, plan, deadline_s=deadline_s,
                                          prespawn=prespawn)
            out["runs"][which] = summary(report)
    return out
