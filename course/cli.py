"""The ``course`` command: release lessons, build the student view, run a term's grading, check data.

Run ``course --help`` for the subcommands, and see docs/INSTRUCTOR_GUIDE.md for a whole term.
Heavy modules (nbgrader, pandas) are imported inside each subcommand, so ``course --help`` stays
instant. Personal data (submissions, grades, feedback, the gradebook) lives in the workspace
(``./coursework``, ``$COURSE_WORKSPACE`` or ``--workspace DIR``), never in the repository.
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
    import webbrowser

    from course.grading import lab

    if not args.no_browser:
        try:
            webbrowser.get()
        except webbrowser.Error:
            return _lab_without_browser(args)
    return lab(args.dest, port=args.port, open_browser=not args.no_browser)


def _lab_without_browser(args: argparse.Namespace) -> int:
    """No browser here (a server, a container, SSH): print the address to open, then start."""
    import secrets
    import socket

    from course.grading import lab

    port, token = args.port or 8888, secrets.token_hex(24)
    while not args.port and port < 8988:  # the first free port, as JupyterLab would pick
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                break
        port += 1
    print(f"No web browser found on this machine. When JupyterLab has started, open this "
          f"address in a browser here (or through an SSH tunnel to port {port}):\n"
          f"    http://localhost:{port}/lab?token={token}\n", flush=True)
    return lab(args.dest, port=port, open_browser=False,
               extra_args=[f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0"])


def _workspace(args: argparse.Namespace):
    from course.grading import Workspace

    return Workspace(getattr(args, "workspace", None))


def cmd_collect(args: argparse.Namespace) -> int:
    from course.grading import collect_exchange, collect_lms

    workspace = _workspace(args)
    lessons_dir = _lessons_arg(args.lessons)
    if bool(args.source) == bool(args.exchange):
        raise _Failure(
            "Say where the submissions are: --from DIR_OR_ZIP (an LMS bulk download) or "
            "--exchange DIR --course-id ID (nbgrader's exchange), not both."
        )
    if args.exchange:
        if not args.course_id:
            raise _Failure("--exchange needs --course-id (the nbgrader course id students submit to).")
        report = collect_exchange(args.lesson, args.exchange, args.course_id, workspace=workspace,
                                  lessons_dir=lessons_dir, roster=args.roster)
    else:
        report = collect_lms(args.lesson, args.source, workspace=workspace, lessons_dir=lessons_dir,
                             roster=args.roster, pattern=args.pattern, timestamps=args.timestamps)
    print(report.summary())
    print(f"Submissions are in {workspace.submitted}. Next: course grade {report.lesson}")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    from course.grading import autograde, grade_lesson

    workspace = _workspace(args)
    lessons_dir = _lessons_arg(args.lessons)
    out = Path(args.out).resolve() if args.out else workspace.grades
    submitted = Path(args.submitted) if args.submitted else workspace.submitted
    options = {"workers": args.workers, "timeout_per_cell": args.timeout_cell,
               "timeout_per_submission": args.timeout, "memory_mb": args.memory_mb,
               "force": args.force, "students": args.student or None, "sandbox": args.sandbox}
    report = None
    if out == workspace.grades:
        # Results, gradebook and the table's messages kept in step by one library call.
        report = grade_lesson(workspace, lessons_dir, args.lesson, submitted=submitted, **options)
        frame = report.frame
    else:
        frame = autograde(args.lesson, submitted, lessons_dir=lessons_dir, out_dir=out, **options)
    if len(frame):
        shown = frame.drop(columns=["lesson"])
        shown["message"] = shown["message"].map(
            lambda text: text if len(text) <= 90 else text[:87] + "...")
        print(shown.to_string(index=False))
    else:
        print(f"No submissions in {submitted}.", file=sys.stderr)
    if report is not None and report.synced:
        print(f"Gradebook updated for {report.synced} student(s): {report.gradebook} "
              "(formgrader shows them; mark written answers there or with `course written`).",
              file=sys.stderr)
    review = frame[frame["status"] == "review"]
    if len(review):
        print(f"{len(review)} submission(s) need review before their marks count: "
              f"course review {args.lesson}", file=sys.stderr)
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from course.grading import generate_feedback

    workspace = _workspace(args)
    report = generate_feedback(workspace, _lessons_arg(args.lessons), args.lesson,
                               students=args.student or None, quiet=False)
    print(report.summary())
    if report.written:
        print(f"Feedback is in {workspace.feedback}/<student>/{args.lesson}/. Send each student "
              "only their own folder.")
    return 1 if report.refused else 0


def cmd_export(args: argparse.Namespace) -> int:
    from course.grading import LatePolicy, export_grades

    workspace = _workspace(args)
    policy = LatePolicy.parse(args.late_penalty, cap=args.late_cap, grace_minutes=args.grace)
    wide, long, rows = export_grades(
        workspace, _lessons_arg(args.lessons), lessons=args.lesson or None, roster=args.roster,
        due=args.due, policy=policy, include_review=args.include_review, out=args.out,
    )
    students = len({r["student_id"] for r in rows})
    held = sum(1 for r in rows if r["status"] == "review")
    late = sum(1 for r in rows if r["late_penalty"])
    unmarked = sum(1 for r in rows if r["ungraded_points"])
    print(f"Exported {students} student(s) x {len({r['lesson'] for r in rows})} lesson(s) to {wide} "
          f"(one row per student) and {long} (one row per lesson).")
    if late:
        print(f"  {late} late submission(s) penalised ({args.late_penalty}).")
    if held:
        print(f"  {held} mark(s) held back awaiting review (course review LESSON).")
    if unmarked:
        print(f"  {unmarked} submission(s) have written answers not marked yet.")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    import csv

    from course.grading import status_rows

    workspace = _workspace(args)
    rows = status_rows(workspace, _lessons_arg(args.lessons), lessons=args.lesson or None,
                       roster=args.roster)
    if not rows:
        print(f"Nothing collected or graded in {workspace.root} yet.")
        return 0
    if args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        return 0
    import pandas as pd

    frame = pd.DataFrame(rows)
    shown = frame.copy()
    shown["why"] = shown["why"].map(lambda text: text if len(text) <= 90 else text[:87] + "...")
    print(shown.to_string(index=False))
    for lesson, group in frame.groupby("lesson"):
        submitted = int((group["submitted"] != "no").sum())
        graded = int((group["graded"] == "yes").sum())
        problems = int(group["status"].isin(["timeout", "error", "invalid", "review"]).sum())
        print(f"{lesson}: {submitted} submitted, {graded} graded, {problems} with problems "
              f"(timeout, error, invalid or review).")
    return 0


def cmd_written(args: argparse.Namespace) -> int:
    from course.grading import export_written, import_marks

    workspace = _workspace(args)
    lessons_dir = _lessons_arg(args.lessons)
    if args.import_file:
        report = import_marks(workspace, lessons_dir, args.lesson, args.import_file)
        print(f"Imported {report.written} mark(s) into {workspace.gradebook} "
              f"({report.unchanged} unchanged, {report.blank} left blank). They count in "
              "`course export` and show in formgrader.")
        return 0
    result = export_written(workspace, lessons_dir, args.lesson, anonymous=args.anonymous, out=args.out)
    print(f"Wrote {len(result.files)} file(s) with {result.answers} answer(s):")
    for path in result.files:
        print(f"  {path}")
    print(f"Fill in the mark and comment columns, then: course written {args.lesson} --import FILE.csv")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from course.grading import decide_review, pending_reviews

    workspace = _workspace(args)
    (lesson,) = _check_lessons(args, [args.lesson])
    if not args.student:
        pending = pending_reviews(workspace, lesson)
        if not pending:
            print(f"No submission of {lesson} awaits review.")
            return 0
        for student, reasons in pending:
            print(f"{student}:")
            for reason in reasons:
                print(f"  - {reason}")
        print(f"Look at each notebook ({workspace.autograded}/<student>/{lesson}/), then: "
              f"course review {lesson} STUDENT --accept (the mark counts) or --reject (0).")
        return 0
    if args.accept == args.reject:
        raise _Failure("Say --accept (the computed mark counts) or --reject (the lesson scores 0).")
    decision = decide_review(workspace, lesson, args.student, "accept" if args.accept else "reject",
                             note=args.note or "")
    print(f"{args.student} / {lesson}: review {decision.decision}ed.")
    return 0


def _check_lessons(args: argparse.Namespace, ids: list[str]) -> list[str]:
    from course.grading import check_lesson_ids

    return check_lesson_ids(_lessons_arg(args.lessons), ids)


def cmd_purge(args: argparse.Namespace) -> int:
    from course.grading import parse_time, purge

    workspace = _workspace(args)
    before = parse_time(args.before)
    report = purge(workspace, before, apply=args.yes)
    print(report.summary())
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


LESSONS_HELP = "folder with one sub-folder per lesson (default: ./lessons)"
WORKSPACE_HELP = "the private folder for a term's personal data (default: $COURSE_WORKSPACE or ./coursework)"

# Options that several subcommands share, by name: (flag, keyword arguments of add_argument).
_SHARED_OPTIONS = {
    "lessons": ("--lessons", {"metavar": "DIR", "help": LESSONS_HELP}),
    "workspace": ("--workspace", {"metavar": "DIR", "help": WORKSPACE_HELP}),
    "roster": ("--roster", {"metavar": "CSV", "help": "default: WORKSPACE/roster.csv"}),
    "student": ("--student", {"action": "append", "metavar": "ID",
                              "help": "only this student (repeatable)"}),
}


def _subcommand(sub, name: str, func, summary: str, description: str | None = None, *,
                lesson: str | None = None) -> argparse.ArgumentParser:
    """Add the subcommand ``name`` that runs ``func`` (``summary``: its line in ``--help``).

    ``lesson``: ``"one"`` for a LESSON argument, else the help of an optional list of lessons
    (default all); None for no lesson argument.
    """
    p = sub.add_parser(name, help=summary, description=description)
    if lesson == "one":
        p.add_argument("lesson", metavar="LESSON")
    elif lesson is not None:
        p.add_argument("lesson", nargs="*", metavar="LESSON", help=lesson)
    p.set_defaults(func=func)
    return p


def _shared(p: argparse.ArgumentParser, *names: str) -> None:
    """Add the shared options ``names`` (keys of _SHARED_OPTIONS), in that order."""
    for name in names:
        flag, kwargs = _SHARED_OPTIONS[name]
        p.add_argument(flag, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Productive Places course tools: release lessons, open the student view, "
        "collect, grade, give feedback on and export a class's work, and check the datasets. "
        "See docs/INSTRUCTOR_GUIDE.md.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = _subcommand(sub, "lessons", cmd_lessons, "list the lessons (ids and titles)")
    _shared(p, "lessons")

    p = _subcommand(
        sub, "release", cmd_release,
        "generate the student version of lessons (solutions, hidden tests, rubrics removed)",
        "Generate the student version of each lesson with nbgrader, leak-check it, "
        "and copy it to DEST/<lesson>/. A lesson that fails the leak check is not written.",
        lesson="lesson ids (default: all)",
    )
    _shared(p, "lessons")
    p.add_argument("--dest", metavar="DIR", default="build/release", help="default: build/release")

    p = _subcommand(
        sub, "student-view", cmd_student_view,
        "build the student course: released lessons, a lesson index and student Jupyter config",
    )
    p.add_argument("dest", metavar="DEST")
    _shared(p, "lessons")

    p = _subcommand(sub, "lab", cmd_lab, "open JupyterLab on a student view (never on the sources)")
    p.add_argument("dest", metavar="DEST")
    p.add_argument("--port", type=_positive_int, metavar="N")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")

    p = _subcommand(
        sub, "collect", cmd_collect,
        "collect submissions (LMS download or nbgrader exchange) into the workspace",
        "Collect one lesson's submissions into WORKSPACE/submitted/<student>/LESSON/, "
        "matched to the roster, with a timestamp for late penalties. Files that match no student "
        "are copied to WORKSPACE/unmatched/LESSON/ and listed, never dropped.",
        lesson="one",
    )
    p.add_argument("--from", dest="source", metavar="DIR_OR_ZIP",
                   help="an LMS bulk download: the .zip file or the folder it unzips to")
    p.add_argument("--pattern", default="moodle", metavar="NAME_OR_REGEX",
                   help="file names: moodle (default), canvas, or a regular expression with "
                   "(?P<file>...) and (?P<id>...) or (?P<name>...)")
    p.add_argument("--timestamps", metavar="CSV",
                   help="submission times (student or lms id, and submitted_at); default: the "
                   "times stored in the download")
    p.add_argument("--exchange", metavar="DIR", help="nbgrader's exchange folder (instead of --from)")
    p.add_argument("--course-id", metavar="ID", help="the nbgrader course id (with --exchange)")
    _shared(p, "roster", "workspace", "lessons")

    p = _subcommand(
        sub, "grade", cmd_grade,
        "autograde every submission of a lesson, each in isolation",
        "Autograde SUBMITTED/<student>/LESSON/*.ipynb. Each submission runs in its own "
        "processes and temporary nbgrader course with time and memory limits, its kernel in a "
        "sandbox when bubblewrap is available; the answers are then checked, hidden tests "
        "included, in a fresh process. Results go to OUT/LESSON/ and the workspace gradebook; a "
        "rerun skips students already graded.",
        lesson="one",
    )
    p.add_argument("--submitted", metavar="DIR",
                   help="<student>/<lesson>/ folders (default: WORKSPACE/submitted)")
    p.add_argument("--out", metavar="DIR", help="results (default: WORKSPACE/grades)")
    _shared(p, "workspace", "lessons", "student")
    p.add_argument("--workers", type=_positive_int, default=2, metavar="N", help="default: 2")
    p.add_argument("--force", action="store_true", help="regrade students already graded")
    p.add_argument("--timeout-cell", type=_positive_int, default=60, metavar="S",
                   help="seconds per cell (default: 60)")
    p.add_argument("--timeout", type=_positive_int, default=300, metavar="S",
                   help="seconds per submission (default: 300)")
    p.add_argument("--memory-mb", type=_positive_int, default=2048, metavar="MB",
                   help="memory per submission (default: 2048)")
    p.add_argument("--sandbox", choices=["auto", "bubblewrap", "none"], default=None,
                   help="isolate student code with bubblewrap: auto (default: when available), "
                   "bubblewrap (required), none")

    p = _subcommand(
        sub, "feedback", cmd_feedback,
        "write each student's feedback HTML (hidden tests and rubrics removed)",
        "Write WORKSPACE/feedback/<student>/LESSON/*.html with nbgrader (hidden tests "
        "and mark schemes cleared, failures explained by the tests' own messages). Every page is "
        "checked for hidden tests, expected values, solutions and rubrics; one that contains any "
        "is refused.",
        lesson="one",
    )
    _shared(p, "student", "workspace", "lessons")

    p = _subcommand(
        sub, "export", cmd_export,
        "write the marks CSV: per student and lesson, with totals and late penalties",
        "Write WORKSPACE/exports/grades.csv (one row per student: each lesson, total) "
        "and grades-long.csv (one row per student and lesson, with auto and manual marks, lateness "
        "and penalty). Manual marks from formgrader or `course written --import` count; marks "
        "awaiting review are held back.",
        lesson="default: every graded lesson",
    )
    p.add_argument("--due", metavar="CSV", help="due dates: lesson,due[,student] (default: WORKSPACE/due.csv)")
    p.add_argument("--late-penalty", default=None, metavar="RATE",
                   help="e.g. 10%%/day (of the lesson's maximum, per started day), 5%%/hour, 2pt/day")
    p.add_argument("--late-cap", default=None, metavar="CAP", help="largest deduction, e.g. 50%% or 6pt")
    p.add_argument("--grace", type=float, default=0.0, metavar="MINUTES",
                   help="minutes after the due time before work counts as late (default: 0)")
    p.add_argument("--include-review", action="store_true",
                   help="count marks still awaiting review (they are held back by default)")
    _shared(p, "roster")
    p.add_argument("--out", metavar="DIR", help="default: WORKSPACE/exports")
    _shared(p, "workspace", "lessons")

    p = _subcommand(sub, "status", cmd_status, "who submitted, who is graded, who failed and why",
                    lesson="default: every lesson with submissions")
    p.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    _shared(p, "roster", "workspace", "lessons")

    p = _subcommand(
        sub, "written", cmd_written,
        "export written answers beside their rubric for marking, or import the marks",
        "Write WORKSPACE/written/LESSON/<question>.csv and .html: each student's answer "
        "beside the question and its rubric, with mark and comment columns. Fill them in and "
        "import the CSV with --import; the marks go into the gradebook.",
        lesson="one",
    )
    p.add_argument("--anonymous", action="store_true", help="show candidate codes, not student ids")
    p.add_argument("--import", dest="import_file", metavar="CSV", help="import marks from a filled-in CSV")
    p.add_argument("--out", metavar="DIR", help="default: WORKSPACE/written/LESSON")
    _shared(p, "workspace", "lessons")

    p = _subcommand(
        sub, "review", cmd_review,
        "list submissions awaiting review, or accept or reject one",
        "A submission whose code touches the grading machinery (IPython hooks, "
        "builtins, files outside the submission...) is graded but held back with status review. "
        "Without STUDENT, list them with the reasons; with it, record your decision.",
        lesson="one",
    )
    p.add_argument("student", nargs="?", metavar="STUDENT")
    p.add_argument("--accept", action="store_true", help="the computed mark counts")
    p.add_argument("--reject", action="store_true", help="the lesson scores 0")
    p.add_argument("--note", metavar="TEXT", help="why (kept with the decision)")
    _shared(p, "workspace", "lessons")

    p = _subcommand(
        sub, "purge", cmd_purge,
        "delete personal data submitted before a date (retention)",
        "Delete every submission submitted before DATE (its timestamp.txt, else when it was "
        "collected) and everything made from it (grades, feedback, gradebook entries), and other "
        "workspace files last changed before DATE. A dry run unless --yes.",
    )
    p.add_argument("--before", required=True, metavar="DATE",
                   help="e.g. 2026-09-01 (UK time; a date alone means its first minute)")
    p.add_argument("--yes", action="store_true", help="really delete (default: only list)")
    _shared(p, "workspace")

    p = sub.add_parser("data", help="check the datasets")
    data_sub = p.add_subparsers(dest="data_command", metavar="ACTION")
    _subcommand(data_sub, "validate", cmd_data_validate,
                "validate every dataset against datapackage.json")
    q = _subcommand(data_sub, "readme", cmd_data_readme, "regenerate datasets/README.md")
    q.add_argument("--check", action="store_true", help="exit 1 if the README is out of date")
    p.set_defaults(func=None, subparser=p)

    _add_publish(sub)
    return parser


def _add_publish(sub) -> None:
    """``course publish`` and ``course links`` (course/publish.py), when that module is present."""
    try:
        from course.publish import add_subcommands
    except ImportError:
        return
    add_subcommands(sub)


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
        code = int(func(args) or 0)
        sys.stdout.flush()  # a reader that went away is noticed here, not at interpreter exit
        return code
    except _Failure as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.code
    except CourseError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; finished results are kept.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_went_away()


def _reader_went_away() -> int:
    """Our output was piped into a program that stopped reading (``course status --csv | head``).

    That is not an error of ours: stop quietly, as Unix tools do, with the exit code of SIGPIPE.
    Standard output is pointed at the null device so that Python's own flush at exit does not
    report the broken pipe again.
    """
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 141


if __name__ == "__main__":
    sys.exit(main())
