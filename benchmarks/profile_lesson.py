"""Where a lesson's Run-All time goes: cProfile inside its kernel, one run.

    python -m benchmarks.profile_lesson lessons/04-clusters [--top 25] [--prelude CODE]

Prints the functions with the largest cumulative time (what ``python -m benchmarks`` reports
only per cell). ``--prelude`` runs code in the kernel before the lesson, unprofiled: a way to try
a fix (for example a patched setup) before changing the package.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from benchmarks.kernel import run_notebook, stdout_of

_START = "import cProfile as _cp\n_bench_prof = _cp.Profile()\n_bench_prof.enable()"
_STOP = (
    "_bench_prof.disable()\n"
    "import io as _io, pstats as _ps\n"
    "_s = _io.StringIO()\n"
    "_ps.Stats(_bench_prof, stream=_s).sort_stats('cumulative').print_stats({top})\n"
    "print('@@PROFILE@@')\n"
    "print(_s.getvalue())"
)


def profile(lesson_dir: Path, *, top: int = 25, prelude: str | None = None) -> str:
    nb_path = lesson_dir / f"{lesson_dir.name}.ipynb"
    if not nb_path.exists():
        nb_path = sorted(lesson_dir.glob("*.ipynb"))[0]
    nb = nbformat.read(nb_path, as_version=4)
    first = [nbformat.v4.new_code_cell(prelude)] if prelude else []
    nb.cells = [*first, nbformat.v4.new_code_cell(_START), *nb.cells,
                nbformat.v4.new_code_cell(_STOP.format(top=int(top)))]
    with tempfile.TemporaryDirectory(prefix="pp-bench-prof-") as tmp:
        work = Path(tmp) / "work"
        shutil.copytree(lesson_dir, work)
        run = run_notebook(nb, work)
    text = stdout_of(run.nb)
    return text.split("@@PROFILE@@", 1)[-1]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.profile_lesson")
    p.add_argument("lesson_dir")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--prelude", default=None)
    args = p.parse_args(argv)
    print(profile(Path(args.lesson_dir), top=args.top, prelude=args.prelude))
    return 0


if __name__ == "__main__":
    sys.exit(main())
