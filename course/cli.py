"""The ``course`` command: release lessons, build the student view, open it, grade, check data.

Run ``course --help`` for the subcommands. Heavy modules (nbgrader, pandas) are imported inside
each subcommand, so ``course --help`` stays instant.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PROG = "course"


class _Failure(Exception):
    """A user-facing failure: print the message, exit non-zero, no traceback."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _default_lessons() -> Path:
    """``./lessons`` when run from a checkout, else the lessons beside the installed package."""
    here = Path.cwd() / "lessons"
    if here.is_dir():
        return here
    beside = Path(__file__).resolve().parents[1] / "lessons"
    return beside if beside.is_dir() else here


def _lessons_arg(value: str | None) -> Path:
    return Path(value) if value else _default_lessons()


# --------------------------------------------------------------------------------------------
# Subcommands
# --------------------------------------------------------------------------------------------


def cmd_lessons(args: argparse.Namespace) -> int:
    from course.grading import lesson_ids, lesson_title

    lessons_dir = _lessons_arg(args.lessons)
    ids = lesson_ids(lessons_dir)
    if not ids:
        print(f"No lessons in {lessons_dir}.", file=sys.stderr)
        return 0
    width = max(len(i) for i in ids)
    for lesson_id in ids:
        print(f"{lesson_id:<{width}}  {lesson_title(lessons_dir / lesson_id)}")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from course.grading import ReleaseError, release

    lessons_dir = _lessons_arg(args.lessons)
    try:
        written = release(lessons_dir, args.dest, lesson_ids=args.lesson or None)
    except ReleaseError as exc:
        for path in getattr(exc, "released", []):
            print(f"Released {path}")
        raise _Failure(str(exc)) from None
    for path in written:
        print(f"Released {path}")
    return 0


def cmd_student_view(args: argparse.Namespace) -> int:
    from course.grading import ReleaseError, student_view

    try:
        folders = student_view(_lessons_arg(args.lessons), args.dest)
    except ReleaseError as exc:
        raise _Failure(
            f"{exc}\n\nThe other lessons are in {args.dest}; fix the refused ones and run again."
        ) from None
    print(f"Student view with {len(folders)} lesson(s) in {args.dest}. Open it with: course lab {args.dest}")
    return 0


def cmd_lab(args: argparse.Namespace) -> int:
    from course.grading import lab

    return lab(args.dest, port=args.port, open_browser=not args.no_browser)


def cmd_grade(args: argparse.Namespace) -> int:
    from course.grading import autograde

    frame = autograde(
        args.lesson,
        args.submitted,
        lessons_dir=_lessons_arg(args.lessons),
        out_dir=args.out,
        workers=args.workers,
        timeout_per_cell=args.timeout_cell,
        timeout_per_submission=args.timeout,
        memory_mb=args.memory_mb,
        force=args.force,
    )
    if len(frame):
        print(frame.to_string(index=False))
    else:
        print(f"No submissions in {args.submitted}.", file=sys.stderr)
    return 0


def _data_module():
    try:
        from course import data
    except ImportError as exc:
        raise _Failure(f"The data module (course.data) is not available: {exc}.") from None
    return data


def _datasets_readme(data) -> Path:
    """Where course.data writes the README by default (beside datapackage.json)."""
    finder = getattr(data, "datasets_dir", None)
    if callable(finder):
        return Path(finder()) / "README.md"
    return Path(__file__).resolve().parents[1] / "datasets" / "README.md"


def cmd_data_validate(args: argparse.Namespace) -> int:
    data = _data_module()
    ok, text = data.validate_report(strict=True)
    print(text)
    if not ok:
        print("Data validation failed (see above).", file=sys.stderr)
        return 1
    return 0


def cmd_data_readme(args: argparse.Namespace) -> int:
    import tempfile

    data = _data_module()
    if not args.check:
        data.write_readme()
        print(f"Wrote {_datasets_readme(data)}")
        return 0
    current_path = _datasets_readme(data)
    with tempfile.TemporaryDirectory(prefix="pp-readme-") as tmp:
        fresh_path = Path(tmp) / "README.md"
        text = data.write_readme(fresh_path)
        fresh = fresh_path.read_text(encoding="utf-8") if fresh_path.exists() else text
    current = current_path.read_text(encoding="utf-8") if current_path.exists() else None
    if current != fresh:
        what = "is missing" if current is None else "is out of date"
        print(f"{current_path} {what}. Regenerate it with: course data readme", file=sys.stderr)
        return 1
    print(f"{current_path} is up to date.")
    return 0


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Productive Places course tools: release lessons, open the student view, "
        "autograde submissions and check the datasets.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    lessons_help = "folder with one sub-folder per lesson (default: ./lessons)"

    p = sub.add_parser("lessons", help="list the lessons (ids and titles)")
    p.add_argument("--lessons", metavar="DIR", help=lessons_help)
    p.set_defaults(func=cmd_lessons)

    p = sub.add_parser(
        "release",
        help="generate the student version of lessons (solutions, hidden tests, rubrics removed)",
        description="Generate the student version of each lesson with nbgrader, leak-check it, "
        "and copy it to DEST/<lesson>/. A lesson that fails the leak check is not written.",
    )
    p.add_argument("lesson", nargs="*", metavar="LESSON", help="lesson ids (default: all)")
    p.add_argument("--lessons", metavar="DIR", help=lessons_help)
    p.add_argument("--dest", metavar="DIR", default="build/release", help="default: build/release")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser(
        "student-view",
        help="build the student course: released lessons, a lesson index and student Jupyter config",
    )
    p.add_argument("dest", metavar="DEST")
    p.add_argument("--lessons", metavar="DIR", help=lessons_help)
    p.set_defaults(func=cmd_student_view)

    p = sub.add_parser("lab", help="open JupyterLab on a student view (never on the sources)")
    p.add_argument("dest", metavar="DEST")
    p.add_argument("--port", type=_positive_int, metavar="N")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.set_defaults(func=cmd_lab)

    p = sub.add_parser(
        "grade",
        help="autograde every submission of a lesson, each in isolation",
        description="Autograde SUBMITTED/<student>/LESSON/*.ipynb. Each submission runs in its own "
        "process and temporary nbgrader course with time and memory limits; results go to "
        "OUT/LESSON/<student>.json and scores.csv, and a rerun skips students already graded.",
    )
    p.add_argument("lesson", metavar="LESSON")
    p.add_argument("--submitted", required=True, metavar="DIR", help="<student>/<lesson>/ folders")
    p.add_argument("--out", default="build/grades", metavar="DIR", help="default: build/grades")
    p.add_argument("--lessons", metavar="DIR", help=lessons_help)
    p.add_argument("--workers", type=_positive_int, default=2, metavar="N", help="default: 2")
    p.add_argument("--force", action="store_true", help="regrade students already graded")
    p.add_argument("--timeout-cell", type=_positive_int, default=60, metavar="S",
                   help="seconds per cell (default: 60)")
    p.add_argument("--timeout", type=_positive_int, default=300, metavar="S",
                   help="seconds per submission (default: 300)")
    p.add_argument("--memory-mb", type=_positive_int, default=2048, metavar="MB",
                   help="memory per submission (default: 2048)")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("data", help="check the datasets")
    data_sub = p.add_subparsers(dest="data_command", metavar="ACTION")
    q = data_sub.add_parser("validate", help="validate every dataset against datapackage.json")
    q.set_defaults(func=cmd_data_validate)
    q = data_sub.add_parser("readme", help="regenerate datasets/README.md")
    q.add_argument("--check", action="store_true", help="exit 1 if the README is out of date")
    q.set_defaults(func=cmd_data_readme)
    p.set_defaults(func=None, subparser=p)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``course`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        (getattr(args, "subparser", None) or parser).print_help(sys.stderr)
        return 2
    from course.errors import CourseError

    try:
        return int(func(args) or 0)
    except _Failure as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.code
    except CourseError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; finished results are kept.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
