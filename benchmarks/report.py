"""Write the results: a markdown report and the full JSON, with the machine beside every table."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from benchmarks import TARGETS
from benchmarks.machine import one_line

_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\s'\"()\\/:]+)+[\\/]([^\s'\"()\\/:]+)")


def clean(text: str) -> str:
    """An error message without this machine's absolute paths (only the file names stay).

    >>> clean("cannot import x (" + "/home" + "/me/repo/benchmarks/lessons.py)")
    'cannot import x (lessons.py)'
    """
    return _PATH.sub(r"\1", str(text))


def _f(value, digits: int = 2, suffix: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{suffix}"


def _x(value) -> str:
    return "–" if value is None else f"{value:.2f}×"


def _mib(kb) -> str:
    return "–" if kb is None else f"{kb / 1024:,.0f}"


def _kib(n) -> str:
    return "–" if n is None else f"{n / 1024:,.1f}"


def _verdict(checks: list[tuple[str, float | None, float]]) -> str:
    """'yes', or what misses: checks are (name, measured, limit)."""
    missing = [name for name, value, _ in checks if value is None]
    misses = [name for name, value, limit in checks if value is not None and value > limit]
    if misses:
        return "**misses: " + ", ".join(misses) + "**"
    if missing:
        return "not measured"
    return "yes"


def _machine_note(section: dict) -> str:
    start, end = section.get("load_start"), section.get("load_end")
    load = (f"load average {'/'.join(map(str, start))} → {'/'.join(map(str, end))}"
            if start and end else "load average unknown")
    when = section.get("started") or section.get("run_started")
    when = f"measured from {when}; " if when else ""
    return f"_{when}{load} (1/5/15 min, start → end of this section); {section.get('seconds', 0):.0f} s._"


def lessons_table(res: dict, repeat: int) -> list[str]:
    floor = res["floor"]
    lines = [
        f"Run-All of each lesson's source notebook in a fresh kernel, median of {repeat} "
        "(kernel start-up not included). Floor: a fresh kernel that only imports pandas, altair "
        "and ipywidgets. Kernel CPU is the kernel process's own CPU time over Run-All, which "
        "other work on the machine disturbs far less than wall time. Targets: time "
        f"≤ {TARGETS['lesson_time_ratio']}× the floor, peak memory ≤ {TARGETS['lesson_memory_ratio']}×.",
        "",
        "| notebook | Run-All s | × floor | kernel CPU s | × floor | peak RSS MiB | × floor | within target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        f"| floor | {_f(floor.get('median_run_s'))} | 1.00× | {_f(floor.get('median_cpu_s'))} | 1.00× "
        f"| {_mib(floor.get('median_peak_rss_kb'))} | 1.00× | |",
    ]
    notes = []
    for lesson_id, s in res["lessons"].items():
        if s.get("n", 0) == 0:
            lines.append(f"| {lesson_id} | error | | | | | | {clean(s.get('error', ''))} |")
            continue
        verdict = _verdict([("time", s.get("time_ratio"), TARGETS["lesson_time_ratio"]),
                            ("memory", s.get("memory_ratio"), TARGETS["lesson_memory_ratio"])])
        lines.append(
            f"| {lesson_id} | {_f(s.get('median_run_s'))} | {_x(s.get('time_ratio'))} "
            f"| {_f(s.get('median_cpu_s'))} | {_x(s.get('cpu_ratio'))} "
            f"| {_mib(s.get('median_peak_rss_kb'))} | {_x(s.get('memory_ratio'))} | {verdict} |"
        )
        if s.get("slowest_cells"):
            cells = "; ".join(f"cell {c['index']} {c['s']:.2f} s (`{c['first_line']}`)"
                              for c in s["slowest_cells"])
            notes.append(f"- {lesson_id}: slowest cells {cells}")
        if s.get("memory_steps"):
            steps = "; ".join(f"cell {c['index']} +{c['mib']:.0f} MiB (`{c['first_line']}`)"
                              for c in s["memory_steps"])
            notes.append(f"  largest rises of peak memory: {steps}")
    retries = sum(s.get("retries", 0) for s in [floor, *res["lessons"].values()])
    if retries:
        lines += ["", f"{retries} run(s) were repeated in a new kernel after a cell never "
                      "finished while its kernel sat idle (a reply lost between ipykernel 7 and "
                      "nbclient, not the lesson's doing)."]
    if notes:
        lines += ["", "Where the time and memory go (one run, per code cell):", "", *notes]
    return lines


def _browser_cells(b: dict | None) -> str:
    if not b:
        return " | | not measured"
    if "error" in b or not b.get("ms"):
        return f" | | {clean(b.get('error', 'no repaint seen'))[:120]}"
    ok = "yes" if b["ms"]["p95"] <= TARGETS.get("browser_p95_ms", 150) else "**misses: p95**"
    return f"{_f(b['ms']['p50'], 0)} | {_f(b['ms']['p95'], 0)} | {ok}"


def widgets_table(res: dict) -> list[str]:
    lines = [
        "Python time from setting a control's value to the chart updated (observers run "
        "synchronously), measured inside a kernel after `course.setup()`, after one warm-up change "
        f"per control. Target: p95 < {TARGETS['widget_p95_ms']:.0f} ms. Browser: JupyterLab in "
        "Chromium at 1366×768, from a keyboard change of the widget's first slider (or dropdown) "
        "to the chart repainted (the next frame after Vega changed the SVG). Target: p95 ≤ "
        f"{TARGETS.get('browser_p95_ms', 150):.0f} ms.",
        "",
        "| widget | build s | changes | p50 ms | p95 ms | max ms | slowest control (p95 ms) | script | within target "
        "| browser p50 ms | browser p95 ms | browser within target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | ---: | ---: | --- |",
    ]
    for name, r in res.items():
        if "error" in r:
            lines.append(f"| {name} | error | | | | | | | {clean(r['error'])} | | | |")
            continue
        worst = max(r["by_control"].items(), key=lambda kv: kv[1]["p95"])
        verdict = "yes" if r["ms"]["p95"] < TARGETS["widget_p95_ms"] else "**misses: p95**"
        script = "registry" if r["script"] == "registry" else "fallback"
        lines.append(
            f"| {name} | {_f(r['build_s'])} | {r['interactions']} | {_f(r['ms']['p50'], 1)} "
            f"| {_f(r['ms']['p95'], 1)} | {_f(r['ms']['max'], 1)} | {worst[0]} ({_f(worst[1]['p95'], 1)}) "
            f"| {script} | {verdict} | {_browser_cells(r.get('browser'))} |"
        )
    return lines


def imports_table(res: dict) -> list[str]:
    labels = {"deps": "numpy, pandas, altair, ipywidgets (the dependencies alone)",
              "course_widgets": "`import course, widgets` (submodules load lazily)",
              "course_widgets_full": "course and widgets with every submodule and widget module"}
    lines = [
        "Each in a fresh interpreter, timed inside it (interpreter start-up excluded), cases "
        "interleaved; median and fastest run. The modules' own time from `-X importtime` below "
        "is the figure a busy machine disturbs least.",
        "",
        "| import | median s | fastest s | × dependencies (median) | whole process s |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for case, r in res["cases"].items():
        lines.append(f"| {labels.get(case, case)} | {_f(r['median_import_s'], 3)} "
                     f"| {_f(r.get('min_import_s'), 3)} "
                     f"| {_x(r.get('ratio_to_deps'))} | {_f(r['median_wall_s'], 3)} |")
    extra = res.get("extra_modules")
    if extra:
        top = ", ".join(f"`{r['module']}` {r['self_us'] / 1000:.1f} ms" for r in extra["costliest"][:5])
        lines += ["", f"`-X importtime`: the full import adds {extra['count']} modules beyond the "
                      f"dependencies' own, {extra['self_s'] * 1000:.0f} ms of their own time in all"
                      + (f"; the costliest: {top}." if top else ".")]
    return lines


def grading_table(res: dict, repeat: int) -> list[str]:
    triv = res["trivial"]
    api = res.get("trivial_nbgrader_api") or {}
    tfloor = res.get("trivial_floor") or {}
    t = triv.get("median_s_per_submission")

    def full(summary: dict) -> str:
        bad = summary.get("not_full_marks")
        return "yes" if not bad else f"no ({len(bad)})"

    lines = [
        f"Engine: {res['engine']}. Each submission is the student release with every answer cell "
        "holding the instructor's code (full autograded marks expected), graded one at a time; "
        f"median seconds per submission over {repeat}. "
        "The trivial notebook has one answer cell and one autograded test cell; "
        "\"+ floor imports\" is the same notebook importing pandas, altair and ipywidgets first, "
        "as the lessons' floor does. "
        f"Target: ≤ {TARGETS['grading_ratio']}× the trivial notebook through the same pipeline. "
        "\"Cells\" is the time the notebook's own cells took in the grading kernel; \"pipeline\" "
        "is the rest (kernel start, nbgrader before and after, the checker), compared with the "
        "trivial notebook's pipeline in the last ratio column.",
        "",
        "| notebook | s per submission | × trivial | × trivial + floor imports | × trivial (nbgrader API alone) | cells s | pipeline s | pipeline × trivial's | full autograded marks | within target (as written) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        f"| trivial ({res['engine']}) | {_f(t)} | 1.00× "
        f"| {_x(_ratio(t, tfloor.get('median_s_per_submission')))} "
        f"| {_x(_ratio(t, api.get('median_s_per_submission')))} | {_f(triv.get('median_cells_s'))} "
        f"| {_f(triv.get('median_overhead_s'))} | 1.00× | {full(triv)} | |",
    ]
    if tfloor:
        tf = tfloor.get("median_s_per_submission")
        lines.append(f"| trivial + floor imports | {_f(tf)} | {_x(_ratio(tf, t))} | 1.00× "
                     f"| {_x(_ratio(tf, api.get('median_s_per_submission')))} "
                     f"| {_f(tfloor.get('median_cells_s'))} | {_f(tfloor.get('median_overhead_s'))} "
                     f"| {_x(_ratio(tfloor.get('median_overhead_s'), triv.get('median_overhead_s')))} "
                     f"| {full(tfloor)} | |")
    if api:
        lines.append(f"| trivial (nbgrader API alone, one process, no isolation) "
                     f"| {_f(api.get('median_s_per_submission'))} "
                     f"| {_x(_ratio(api.get('median_s_per_submission'), t))} | | 1.00× | | | "
                     f"| {full(api)} | |")
    for lesson_id, s in res["lessons"].items():
        if "error" in s:
            lines.append(f"| {lesson_id} | error | | | | | | | | {clean(s['error'])} |")
            continue
        verdict = _verdict([("time", s.get("ratio"), TARGETS["grading_ratio"])])
        if s.get("not_full_marks"):  # a timing of failed grading says nothing about the budget
            verdict = "**not measured: solutions lost marks**"
        lines.append(f"| {lesson_id} | {_f(s.get('median_s_per_submission'))} | {_x(s.get('ratio'))} "
                     f"| {_x(s.get('ratio_to_trivial_floor'))} | {_x(s.get('ratio_to_nbgrader_api'))} "
                     f"| {_f(s.get('median_cells_s'))} | {_f(s.get('median_overhead_s'))} "
                     f"| {_x(s.get('overhead_ratio'))} | {full(s)} | {verdict} |")
    sp = res.get("speedup")
    if sp:
        pairs = sp.get("pairs", 1)
        how = f" (median of {pairs} runs each, in alternating order)" if pairs > 1 else ""
        lines += ["", f"Parallel grading: {sp['class_size']} submissions of `{sp['lesson']}` took "
                      f"{sp['workers_1_s']:.1f} s with 1 worker and {sp['workers_2_s']:.1f} s with 2{how}: "
                      f"a speed-up of {sp['speedup']:.2f}× (2.00× would be linear on 2 cores; more "
                      "than that means the machine's load changed between runs)."]
    return lines


def _ratio(a, b):
    return None if a is None or not b else a / b


def sizes_table(res: dict) -> list[str]:
    lines = [
        "KiB. Executed = with cell outputs, as JupyterLab saves by default; widget state = "
        "the same saved with widget state as well (chart data and offline JavaScript).",
        "",
        "| notebook | source | release | executed | executed + widget state |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for lesson_id, r in res.items():
        lines.append(f"| {lesson_id} | {_kib(r.get('source'))} | {_kib(r.get('release'))} "
                     f"| {_kib(r.get('executed'))} | {_kib(r.get('executed_with_widget_state'))} |")
    return lines


def hub_table(res: dict) -> list[str]:
    from benchmarks.hub_bench import HUB_TARGETS

    t = HUB_TARGETS
    lines = [
        f"{res['users']} simulated students log in to a local JupyterHub at the same instant, open "
        f"the nbgitpuller link of {res['lesson']}, start a server, pull the course and run its "
        "cells in a new kernel (`deploy/local/hubload.py`). Memory is PSS per student (server + "
        "kernel) at the moment all of them were active"
        + (", plus an equal share of the warm template their kernels were forked from "
           "(`course/_zygote.py`). " if res.get("zygote") else ". ")
        + (f"Servers were started before the wave, {res['prespawn']} at a time "
           "(`deploy/prespawn.py`), so the wave's spawn time is the wait for a server already "
           "running." if res.get("prespawn") else "Servers start in the wave, at login."),
        "",
        "| cells | ok | spawn p95 s | first cell p95 s (from kernel start) | login to first cell p95 s "
        "| login to last cell p95 s | PSS per student mean / max MB | all students MB "
        "| hub + proxy MB | within target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for which, r in res["runs"].items():
        verdict = _verdict([("spawn", r["spawn_p95_s"], t["spawn_p95_s"]),
                            ("first cell", r.get("login_to_first_cell_p95_s", r["first_cell_p95_s"]),
                             t["first_cell_p95_s"]),
                            ("last cell", r["login_to_last_cell_p95_s"], t["login_to_last_cell_p95_s"]),
                            ("memory", r["pss_per_student_mb"], t["pss_per_student_mb"])])
        if r["ok"] < r["users"]:
            verdict = f"**{r['users'] - r['ok']} failed**; " + verdict
        lines.append(
            f"| {which} ({r['cells_run_per_student']}) | {r['ok']}/{r['users']} | {_f(r['spawn_p95_s'], 1)} "
            f"| {_f(r['first_cell_p95_s'], 1)} | {_f(r.get('login_to_first_cell_p95_s'), 1)} "
            f"| {_f(r['login_to_last_cell_p95_s'], 1)} "
            f"| {_f(r['pss_per_student_mb'], 0)} / {_f(r['pss_per_student_max_mb'], 0)} "
            f"| {_f(r['peak_all_users_mb'], 0)} | {_f(r['hub_and_proxy_mb'], 0)} | {verdict} |")
    lines += ["", f"Targets: spawn p95 ≤ {t['spawn_p95_s']:.0f} s, first cell p95 ≤ "
                  f"{t['first_cell_p95_s']:.0f} s, login to last cell p95 ≤ "
                  f"{t['login_to_last_cell_p95_s']:.0f} s, ≤ {t['pss_per_student_mb']:.0f} MB a student."]
    for which, r in res["runs"].items():
        ahead = r.get("prespawn")
        if ahead:
            lines.append(f"- {which}: starting the {r['users']} servers ahead took {ahead['seconds']} s "
                         f"({len(ahead['failed'])} failed).")
        cap = r.get("capacity") or {}
        if cap.get("turned_away"):
            lines.append(f"- {which}: memory ran low after {cap['tripped_after_s']} s; the machine "
                         f"held {cap['held']} students and turned {cap['turned_away']} away.")
        for failure in r["failures"]:
            lines.append(f"- {which}: {clean(failure)}")
    return lines


TITLES = {"lessons": "Lessons: Run-All against the floor", "widgets": "Widgets: control change to chart",
          "imports": "Import time", "grading": "Grading", "sizes": "Notebook sizes",
          "hub": "Workshop login wave on a local JupyterHub"}


def render(results: dict) -> str:
    """The markdown report for a results dict (as written to latest.json)."""
    machine = results["machine"]
    settings = results["settings"]
    lines = [
        "# Benchmark results",
        "",
        f"Measured {machine['started']} on: {one_line(machine)}.",
        f"Commit {machine.get('commit') or 'unknown'}. Settings of this run: repeat {settings['repeat']}, "
        f"{settings['interactions']} widget changes, sections {', '.join(settings['sections'])}"
        f"{' (quick)' if settings.get('quick') else ''}.",
        "",
        "Timings on a shared machine are noisy: compare ratios measured in the same run, and "
        "read the load average beside each table.",
    ]
    merged = results.get("merged_from")
    if merged:
        lines += ["", f"Sections {', '.join(merged['sections'])} come from earlier runs (each "
                      "table says when it was measured):"]
        lines += [f"- run of {m['started']}: {one_line(m)}" for m in merged.get("machines", [])]
    for name, section in results["sections"].items():
        used = {**settings, **section.get("settings", {})}  # a merged section keeps its own
        builders = {"lessons": lambda r, u=used: lessons_table(r, u["repeat"]),
                    "widgets": widgets_table, "imports": imports_table,
                    "grading": lambda r, u=used: grading_table(r, u["grading_repeat"]),
                    "sizes": sizes_table, "hub": hub_table}
        lines += ["", f"## {TITLES.get(name, name)}", "", _machine_note(section), ""]
        if "error" in section:
            lines.append(f"This section failed: {clean(section['error'])}")
            continue
        lines += builders[name](section["result"])
    return "\n".join(lines) + "\n"


def write(results: dict, out_dir: str | os.PathLike, name: str = "latest") -> tuple[Path, Path]:
    """Write ``<name>.md`` and ``<name>.json`` into ``out_dir``; return both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    md, js = out / f"{name}.md", out / f"{name}.json"
    md.write_text(render(results), encoding="utf-8")
    js.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    return md, js
