"""``python -m benchmarks [--quick] [--only lessons,widgets,...] [--repeat N]``."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from benchmarks import SECTIONS, machine, report

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure lessons, widgets, imports, grading and notebook sizes against the "
                    "floors in DESIGN.md; write benchmarks/results/latest.md and latest.json.",
    )
    p.add_argument("--quick", action="store_true",
                   help="a fast look: 2 runs per lesson, 60 widget changes, 2 graded submissions "
                        "(too few for the budget's medians; for development)")
    p.add_argument("--only", default=",".join(SECTIONS),
                   help=f"comma-separated sections to run, from: {', '.join(SECTIONS)}")
    p.add_argument("--repeat", type=int, default=None,
                   help="fresh-kernel runs per lesson, and graded submissions per lesson (default 5)")
    p.add_argument("--interactions", type=int, default=None,
                   help="simulated control changes per widget (default 400, at least 200 for the budget)")
    p.add_argument("--class-size", type=int, default=None,
                   help="submissions in the class graded with 1 and 2 workers (default 6)")
    p.add_argument("--hub-users", type=int, default=None,
                   help="simulated students in the hub section's login wave (default 75; quick 10)")
    p.add_argument("--hub-prespawn", type=int, default=4, metavar="K",
                   help="hub section: start servers before the wave, K at a time (0: at login)")
    p.add_argument("--hub-cells", default="first,examples", metavar="LIST",
                   help="hub section: which waves to run, from first,examples (default both)")
    p.add_argument("--hub-zygote", action=argparse.BooleanOptionalAction, default=True,
                   help="hub section: fork students' kernels from a warm template "
                        "(course/_zygote.py); --no-hub-zygote starts each kernel on its own")
    p.add_argument("--lessons-dir", default=str(REPO / "lessons"),
                   help="folder of lesson folders (default: the repository's lessons/)")
    p.add_argument("--lesson", action="append", default=None, metavar="ID",
                   help="only this lesson (repeatable); default every lesson found")
    p.add_argument("--out", default=str(HERE / "results"), help="where latest.md and latest.json go")
    p.add_argument("--merge", action="store_true",
                   help="keep the other sections of the existing latest.json in --out and replace "
                        "only the sections run now (e.g. re-run one section that failed)")
    p.add_argument("--reference", action="store_true",
                   help="also copy the report to benchmarks/REFERENCE.md (the committed reference)")
    args = p.parse_args(argv)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        p.error(f"unknown section {unknown[0]!r}: choose from {', '.join(SECTIONS)}")
    args.sections = [s for s in SECTIONS if s in sections]  # always run in the same order
    if args.repeat is None:
        args.repeat = 2 if args.quick else 5
    if args.interactions is None:
        args.interactions = 60 if args.quick else 400
    if args.class_size is None:
        args.class_size = 4 if args.quick else 6
    if args.hub_users is None:
        args.hub_users = 10 if args.quick else 75
    if not 1 <= args.hub_users <= 200:
        p.error("--hub-users must be between 1 and 200")
    args.hub_cells = tuple(c.strip() for c in args.hub_cells.split(",") if c.strip())
    if not args.hub_cells or set(args.hub_cells) - {"first", "examples"}:
        p.error("--hub-cells takes first, examples or both (comma-separated)")
    if args.repeat < 1 or args.interactions < 1 or args.class_size < 1:
        p.error("--repeat, --interactions and --class-size must be at least 1")
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from benchmarks import lessons as lesson_bench

    lessons_dir = Path(args.lessons_dir).resolve()
    found = lesson_bench.discover(lessons_dir)
    if args.lesson:
        wanted = set(args.lesson)
        found = [les for les in found if les.lesson_id in wanted or les.folder.name in wanted]
        if not found:
            log(f"No lesson matches {sorted(wanted)} in the lessons folder.")
            return 2
    grading_repeat = max(2, args.repeat) if not args.quick else 2
    info = machine.describe()
    results = {
        "machine": info,
        "settings": {"repeat": args.repeat, "interactions": args.interactions,
                     "class_size": args.class_size, "grading_repeat": grading_repeat,
                     "quick": args.quick, "sections": args.sections,
                     "lessons": [les.lesson_id for les in found]},
        "sections": {},
    }
    previous = Path(args.out) / "latest.json"
    if args.merge and previous.exists():
        import json

        old = json.loads(previous.read_text(encoding="utf-8"))
        kept = {k: v for k, v in old.get("sections", {}).items() if k not in args.sections}
        for section in kept.values():  # each keeps the settings and start of the run it was in
            section.setdefault("settings", old.get("settings", {}))
            section.setdefault("run_started", old["machine"]["started"])
        earlier = [old["machine"], *old.get("merged_from", {}).get("machines", [])]
        runs = {section["run_started"] for section in kept.values()}
        earlier = [m for m in earlier if m["started"] in runs]  # only runs that still count
        results["merged_from"] = {"machines": earlier, "sections": sorted(kept)}
        results["sections"] = kept
        results["settings"]["sections"] = [s for s in SECTIONS if s in kept or s in args.sections]
    log(f"benchmarks: {machine.one_line(info)}")
    log(f"benchmarks: {len(found)} lesson notebook(s); sections {', '.join(args.sections)}; "
        f"repeat {args.repeat}")
    executed: dict = {}

    def run_section(name: str, fn) -> None:
        section = {"load_start": machine.load_average(),
                   "started": machine.now(),
                   "settings": {k: results["settings"][k] for k in
                                ("repeat", "interactions", "class_size", "grading_repeat", "quick")}}
        t0 = time.perf_counter()
        try:
            section["result"] = fn()
        except Exception as exc:  # noqa: BLE001 - one broken section must not lose the others
            section["error"] = f"{type(exc).__name__}: {exc}"[:500]
            log(f"benchmarks: section {name} failed: {section['error']}")
        section["seconds"] = time.perf_counter() - t0
        section["load_end"] = machine.load_average()
        results["sections"][name] = section
        results["sections"] = {k: results["sections"][k] for k in SECTIONS if k in results["sections"]}
        # Write after every section, so an interrupted run keeps what it measured.
        machine.finish(info)
        report.write(results, args.out)

    if "lessons" in args.sections:
        run_section("lessons", lambda: lesson_bench.bench(found, args.repeat, log=log,
                                                          keep_executed=executed))
    if "widgets" in args.sections:
        from benchmarks import widget_bench

        run_section("widgets", lambda: widget_bench.bench_with_browser(args.interactions,
                                                                        cwd=str(REPO), log=log))
    if "imports" in args.sections:
        from benchmarks import imports

        run_section("imports", lambda: imports.bench(args.repeat, log=log))
    if "grading" in args.sections:
        from benchmarks import grading_bench

        run_section("grading", lambda: grading_bench.bench(
            found, grading_repeat, class_size=args.class_size,
            speedup_pairs=1 if args.quick else 2, log=log))
    if "sizes" in args.sections:
        from benchmarks import sizes

        def run_sizes():
            for les in found:
                if les.lesson_id not in executed:
                    try:
                        executed[les.lesson_id] = lesson_bench.run_once(les)[1]
                    except Exception as exc:  # noqa: BLE001
                        log(f"  sizes: {les.lesson_id} did not run: {type(exc).__name__}")
            return sizes.bench(found, executed, lessons_dir=lessons_dir, log=log)

        run_section("sizes", run_sizes)
    if "hub" in args.sections:
        from benchmarks import hub_bench

        run_section("hub", lambda: hub_bench.bench(args.hub_users, prespawn=args.hub_prespawn,
                                                   cells=args.hub_cells, zygote=args.hub_zygote,
                                                   log=log))

    results["machine"] = machine.finish(info)
    md, js = report.write(results, args.out)
    if args.reference:
        shutil.copyfile(md, HERE / "REFERENCE.md")
    log(f"benchmarks: wrote {md.name} and {js.name} in {args.out}")
    print(md.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
