"""Import time of ``course`` and ``widgets`` against their dependencies alone.

Each case runs in a fresh interpreter (nothing cached in the process), timed inside it with
``perf_counter`` around the import statements, so interpreter start-up is left out; the
process's whole wall time is kept too. One extra run with ``-X importtime`` names the modules
that cost most.
"""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.stats import median, ratio

DEPS = "import numpy, pandas, altair, ipywidgets"

#: case -> import statements. ``course`` and ``widgets`` load their submodules lazily, so
#: "import course, widgets" alone costs little; the "full" case is what a lesson ends up loading.
CASES = {
    "deps": DEPS,
    "course_widgets": "import course, widgets",
    "course_widgets_full": (
        "import course, widgets, importlib\n"
        "for _m in ('data', 'measures', 'charts', 'checks'):\n"
        "    importlib.import_module('course.' + _m)\n"
        "for _w in getattr(widgets, '_WIDGETS', {}).values():\n"
        "    try:\n"
        "        importlib.import_module(_w)\n"
        "    except ImportError as _e:  # a widget still being written: import the rest\n"
        "        print('@@MISSING@@', _w, _e)"
    ),
}

_PROBE = (
    "import time as _t\n"
    "_t0 = _t.perf_counter()\n"
    "{code}\n"
    "print('@@IMPORT@@', _t.perf_counter() - _t0)\n"
)


def time_import(code: str, *, python: str = sys.executable, importtime: bool = False,
                timeout: int = 300) -> tuple[float, float, str]:
    """Seconds inside a fresh interpreter to run ``code``, the process's wall time, and stderr."""
    import time

    args = [python]
    if importtime:
        args += ["-X", "importtime"]
    args += ["-c", _PROBE.format(code=code)]
    t0 = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"import failed: {out.stderr.strip().splitlines()[-1:]}")
    inner = next(float(line.split()[1]) for line in out.stdout.splitlines()
                 if line.startswith("@@IMPORT@@"))
    return inner, wall, out.stderr


def parse_importtime(stderr: str) -> list[dict]:
    """Rows of ``-X importtime`` output: module, self and cumulative microseconds, depth.

    >>> parse_importtime("import time: self [us] | cumulative | imported package\\n"
    ...                  "import time:       120 |        300 |   pandas")
    [{'module': 'pandas', 'self_us': 120, 'cumulative_us': 300, 'depth': 1}]
    """
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        parts = line.split(":", 1)[1].split("|")
        if len(parts) != 3:
            continue
        try:
            self_us, cum_us = int(parts[0]), int(parts[1])
        except ValueError:
            continue
        name = parts[2]
        # The name column is indented two spaces per level below one leading space.
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        rows.append({"module": name.strip(), "self_us": self_us, "cumulative_us": cum_us,
                     "depth": depth})
    return rows


def costliest(rows: list[dict], exclude_roots: set[str], top: int = 8) -> list[dict]:
    """Top-level-ish modules with the largest self time whose root package is not excluded."""
    picked = [r for r in rows if r["module"].split(".")[0] not in exclude_roots]
    return sorted(picked, key=lambda r: r["self_us"], reverse=True)[:top]


def bench(repeat: int, *, log=print) -> dict:
    results: dict = {"cases": {}}
    samples: dict[str, tuple[list[float], list[float]]] = {case: ([], []) for case in CASES}
    for _ in range(repeat):  # interleaved, so a change in the machine's load falls on every case
        for case, code in CASES.items():
            i, w, _ = time_import(code)
            samples[case][0].append(i)
            samples[case][1].append(w)
    for case, code in CASES.items():
        inner, wall = samples[case]
        results["cases"][case] = {"code": code, "import_s": inner, "wall_s": wall,
                                  "median_import_s": median(inner), "min_import_s": min(inner),
                                  "median_wall_s": median(wall)}
        log(f"  imports: {case}: median {median(inner):.3f} s in-process (min {min(inner):.3f}), "
            f"{median(wall):.3f} s whole process")
    deps = results["cases"]["deps"]["median_import_s"]
    for case in CASES:
        results["cases"][case]["ratio_to_deps"] = ratio(results["cases"][case]["median_import_s"], deps)
    # What the full load adds on top of the dependencies, by module.
    _, _, stderr = time_import(CASES["course_widgets_full"], importtime=True)
    rows = parse_importtime(stderr)
    dep_roots = {"numpy", "pandas", "altair", "ipywidgets"}
    _, _, dep_stderr = time_import(DEPS, importtime=True)
    dep_modules = {r["module"] for r in parse_importtime(dep_stderr)}
    extra = [r for r in rows if r["module"] not in dep_modules]
    results["extra_modules"] = {
        "count": len(extra),
        "self_s": sum(r["self_us"] for r in extra) / 1e6,
        "costliest": costliest(extra, dep_roots),
    }
    return results


if __name__ == "__main__":
    print(json.dumps(bench(int(sys.argv[1]) if len(sys.argv) > 1 else 3), indent=1))
