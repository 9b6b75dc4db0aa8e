"""Publish the student course for a hub or Binder, and make nbgitpuller links to its lessons.

``course publish DIR`` writes the student version of every lesson (nbgrader's release, made by
:func:`course.grading.student_view`, never by stripping of our own) into ``DIR``, ready to push
as the repository or branch that students pull from. ``course links`` prints one nbgitpuller
link per lesson: a student who clicks it logs in to the hub, gets the published course cloned
(or updated) in their home folder, and lands on that lesson in JupyterLab.

Typical workshop set-up::

    git clone https://github.com/ORG/productive-places-student.git published
    course publish published
    (cd published && git add -A && git commit -m "Publish lessons" && git push)
    course links --hub https://hub.example.org \\
        --repo https://github.com/ORG/productive-places-student --branch main
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from course.errors import CourseError, options_text
from course.grading import (
    STUDENT_CONFIG_DIR,
    ReleaseError,
    find_folder_leaks,
    find_leaks,
    lesson_ids,
    student_view,
)

__all__ = ["MARKER", "PublishError", "add_subcommands", "links", "publish"]

#: Written into every published folder: says what made it, so a later publish may replace it.
MARKER = ".productive-places-publish.json"
# Files of a published course besides the lesson folders.
_GITIGNORE = ".ipynb_checkpoints/\n__pycache__/\n*.pyc\n.DS_Store\n"
_EXTRA_FILES = ("README.md", ".gitignore", MARKER, "LICENSE-CONTENT.md")
_APPS = {"lab": "lab/tree/{path}", "notebook": "notebooks/{path}"}


class PublishError(CourseError):
    """``course publish`` or ``course links`` was asked for something it cannot do safely."""


# --------------------------------------------------------------------------------------------
# publish
# --------------------------------------------------------------------------------------------


def _lesson_notebook(folder: Path) -> Path | None:
    """``<id>/<id>.ipynb``, else the first notebook in the folder (as the student README does)."""
    main = folder / f"{folder.name}.ipynb"
    if main.is_file():
        return main
    found = sorted(folder.glob("*.ipynb"))
    return found[0] if found else None


def _check_published(stage: Path, lessons_dir: Path, ids: list[str]) -> list[str]:
    """Every reason the staged course is not safe to publish; empty when it is.

    Three independent checks: nbgrader's release leak check on every notebook against its
    instructor source (solutions, hidden tests, rubrics, outputs), the folder check for
    instructor-only file names, and an inventory: every file must be a released notebook, a
    file copied unchanged from its lesson folder, or one of the few files publish writes.
    """
    reasons = list(find_folder_leaks(stage))
    for lesson_id in ids:
        for released in sorted((stage / lesson_id).glob("*.ipynb")):
            source = lessons_dir / lesson_id / released.name
            if not source.is_file():
                reasons.append(f"{lesson_id}/{released.name}: no instructor source to check it against")
                continue
            reasons += [f"{lesson_id}/{r}" for r in find_leaks(released, source, check_folder=False)]
    for path in sorted(stage.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(stage)
        if len(rel.parts) == 1:
            if rel.name not in _EXTRA_FILES:
                reasons.append(f"unexpected file at the top of the published course: {rel}")
            continue
        if rel.parts[0] not in ids:
            reasons.append(f"unexpected file outside the lesson folders: {rel}")
        elif path.suffix != ".ipynb" or len(rel.parts) > 2:
            source = lessons_dir / rel
            if not source.is_file() or source.read_bytes() != path.read_bytes():
                reasons.append(f"{rel}: not a copy of a file in the lesson's folder")
    return reasons


def _clear(dest: Path) -> None:
    """Remove everything in ``dest`` except its ``.git`` folder."""
    for child in dest.iterdir():
        if child.name == ".git":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def publish(
    lessons_dir: str | os.PathLike, dest: str | os.PathLike, *, force: bool = False
) -> list[Path]:
    """Write the student version of the course into ``dest``, ready to push for students.

    The lessons are released by :func:`course.grading.student_view` (nbgrader, with its leak
    check) in a temporary folder; the result is checked again as a whole (see
    :func:`_check_published`) and only then copied into ``dest``. Nothing is written if any
    lesson fails. ``dest`` keeps its ``.git`` folder, so it can be a clone of the students'
    repository: publish, then commit and push.

    Parameters
    ----------
    lessons_dir : path
        The instructor sources (one folder per lesson).
    dest : path
        A new or empty folder, a clone holding only ``.git``, or an earlier publish.
    force : bool
        Replace a non-empty ``dest`` that was not made by ``course publish`` (its files other
        than ``.git`` are deleted).

    Returns
    -------
    list of Path
        The published lesson folders.
    """
    lessons_dir = Path(lessons_dir).resolve()
    dest = Path(dest).resolve()
    if not lessons_dir.is_dir():
        raise PublishError(
            f"The lessons folder {str(lessons_dir)!r} does not exist. Pass the folder of "
            "instructor sources (for example --lessons lessons)."
        )
    if dest == lessons_dir or lessons_dir in dest.parents or dest in lessons_dir.parents:
        raise PublishError(
            f"Refusing to publish into {str(dest)!r}: it overlaps the instructor sources in "
            f"{str(lessons_dir)!r}. Publish into a separate folder, such as a clone of the "
            "students' repository."
        )
    if dest.exists() and not dest.is_dir():
        raise PublishError(f"{str(dest)!r} is a file. Choose a folder to publish into.")
    if dest.is_dir() and not force:
        others = sorted(p.name for p in dest.iterdir() if p.name != ".git")
        if others and not (dest / MARKER).is_file():
            raise PublishError(
                f"{str(dest)!r} already holds files ({', '.join(others[:5])}) and was not made by "
                "`course publish`. Choose a new folder or a fresh clone of the students' "
                "repository, or pass --force to replace everything in it except .git."
            )
    ids = lesson_ids(lessons_dir)
    if not ids:
        raise PublishError(f"There are no lessons in {str(lessons_dir)!r} to publish.")

    parent = dest.parent
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".publish-", dir=parent) as tmp:
        stage = Path(tmp) / "course"
        student_view(lessons_dir, stage)  # raises ReleaseError (writing nothing here) on a leak
        shutil.rmtree(stage / STUDENT_CONFIG_DIR)  # the local `course lab` settings only
        (stage / ".gitignore").write_text(_GITIGNORE, encoding="utf-8")
        licence = lessons_dir.parent / "LICENSE-CONTENT.md"
        if licence.is_file():
            shutil.copyfile(licence, stage / licence.name)
        marker = {"made_by": "course publish", "lessons": ids}
        (stage / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")

        reasons = _check_published(stage, lessons_dir, ids)
        if reasons:
            shown = "\n  - ".join(reasons[:20])
            raise ReleaseError(
                f"Refused to publish: the student course would contain instructor content or "
                f"files it cannot account for:\n  - {shown}"
            )
        dest.mkdir(exist_ok=True)
        _clear(dest)
        for child in sorted(stage.iterdir()):
            shutil.move(str(child), str(dest / child.name))
    return [dest / i for i in ids]


# --------------------------------------------------------------------------------------------
# links
# --------------------------------------------------------------------------------------------


def _hub_base(hub_url: str) -> str:
    parts = urlsplit(str(hub_url).strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PublishError(
            f"{hub_url!r} is not a hub address. Give the address students open, starting with "
            "https:// (for example https://hub.example.org)."
        )
    if parts.query or parts.fragment:
        raise PublishError(f"The hub address {hub_url!r} must not carry '?...' or '#...'.")
    path = parts.path.rstrip("/")
    if path.endswith("/hub"):
        path = path[: -len("/hub")]
    return f"{parts.scheme}://{parts.netloc}{path}"


def _target_dir(repo: str) -> str:
    """The folder nbgitpuller clones into: the repository's name without ``.git``."""
    repo = str(repo).strip()
    if "://" in repo:
        path = urlsplit(repo).path
    elif ":" in repo.split("/")[0]:  # scp-like: git@github.com:org/name.git
        path = repo.split(":", 1)[1]
    else:
        path = repo
    name = path.strip("/").split("/")[-1].removesuffix(".git")
    if not name or name in (".", ".."):
        raise PublishError(
            f"Cannot tell the folder name from the repository {repo!r}. Give its clone URL, "
            "for example https://github.com/ORG/productive-places-student."
        )
    return name


def links(
    hub_url: str,
    repo: str,
    branch: str,
    lessons: list[str] | None = None,
    *,
    lessons_dir: str | os.PathLike = "lessons",
    app: str = "lab",
) -> list[tuple[str, str]]:
    """One nbgitpuller link per lesson, as ``(lesson_id, url)`` pairs.

    Each link clones (first time) or merges (later) ``repo`` at ``branch`` into the student's
    home folder as ``<repository name>/`` and opens the lesson's notebook there.

    Parameters
    ----------
    hub_url : str
        The hub's public address (``https://hub.example.org``; a trailing ``/hub`` is allowed).
    repo : str
        The clone URL of the published student course (made with :func:`publish`).
    branch : str
        The branch students pull.
    lessons : list of str, optional
        Lesson ids; default every lesson in ``lessons_dir``.
    lessons_dir : path
        The instructor sources or a published course (same ``<id>/<id>.ipynb`` layout).
    app : {"lab", "notebook"}
        Open the lesson in JupyterLab (default) or Notebook 7.

    Examples
    --------
    >>> (lesson, url), = links("https://hub.example.org", "https://github.com/o/pp-student",
    ...                        "main", ["01-regional-gap"])
    >>> print(url)  # doctest: +NORMALIZE_WHITESPACE
    https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fo%2Fpp-student&branch=main&targetpath=pp-student&urlpath=lab%2Ftree%2Fpp-student%2F01-regional-gap%2F01-regional-gap.ipynb
    """
    base = _hub_base(hub_url)
    if not str(branch or "").strip():
        raise PublishError("Give the branch students pull (for example --branch main).")
    if app not in _APPS:
        raise PublishError(f"Unknown app {app!r}. {options_text(app, list(_APPS))}")
    target = _target_dir(repo)
    folder = Path(lessons_dir)
    available = lesson_ids(folder) if folder.is_dir() else []
    if lessons is None:
        if not available:
            raise PublishError(
                f"There are no lessons in {str(folder)!r}. Run this in the course repository, "
                "or pass --lessons with the instructor sources or a published course."
            )
        chosen = available
    else:
        chosen = []
        for lesson_id in lessons:
            lesson_id = str(lesson_id).strip().rstrip("/").split("/")[-1]
            if available and lesson_id not in available:
                raise PublishError(
                    f"There is no lesson called {lesson_id!r}. "
                    f"{options_text(lesson_id, available)} Use `course lessons` to list them."
                )
            if not lesson_id or lesson_id.startswith("."):
                raise PublishError(f"{lesson_id!r} is not a lesson id.")
            chosen.append(lesson_id)
    result = []
    for lesson_id in chosen:
        notebook = _lesson_notebook(folder / lesson_id) if folder.is_dir() else None
        name = notebook.name if notebook else f"{lesson_id}.ipynb"
        path = f"{target}/{lesson_id}/{name}"
        query = urlencode(
            [("repo", str(repo).strip()), ("branch", str(branch).strip()), ("targetpath", target),
             ("urlpath", _APPS[app].format(path=path))],
            quote_via=quote, safe="",
        )
        result.append((lesson_id, f"{base}/hub/user-redirect/git-pull?{query}"))
    return result


# --------------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------------


def _cmd_publish(args: argparse.Namespace) -> int:
    try:
        written = publish(args.lessons, args.dest, force=args.force)
    except CourseError as exc:
        print(f"course publish: {exc}", file=sys.stderr)
        return 1
    dest = Path(args.dest)
    print(f"Published {len(written)} lessons to {dest}: " + ", ".join(p.name for p in written))
    print(f"Next: cd {dest} && git add -A && git commit -m 'Publish lessons' && git push")
    return 0


def _cmd_links(args: argparse.Namespace) -> int:
    try:
        found = links(args.hub, args.repo, args.branch, args.ids or None,
                      lessons_dir=args.lessons, app=args.app)
    except CourseError as exc:
        print(f"course links: {exc}", file=sys.stderr)
        return 1
    if args.format == "markdown":
        print("| Lesson | Link |\n| --- | --- |")
        for lesson_id, url in found:
            print(f"| {lesson_id} | [open {lesson_id} on the hub]({url}) |")
    else:
        for lesson_id, url in found:
            print(f"{lesson_id}\t{url}")
    return 0


def add_subcommands(subparsers) -> None:
    """Register ``publish`` and ``links`` on an argparse sub-parsers object.

    Each parser sets ``func``: call ``args.func(args)``, which returns the exit code.
    """
    pub = subparsers.add_parser(
        "publish",
        help="write the student course (no solutions) into DIR, ready to push for students",
        description=(
            "Write the student version of every lesson (released by nbgrader and leak-checked), "
            "a README and a .gitignore into DIR. DIR keeps its .git folder: publish into a clone "
            "of the students' repository, then commit and push."
        ),
    )
    pub.add_argument("dest", metavar="DIR", help="folder to publish into")
    pub.add_argument("--lessons", default="lessons",
                     help="the instructor sources (default: lessons)")
    pub.add_argument("--force", action="store_true",
                     help="replace a folder that was not made by `course publish` (keeps .git)")
    pub.set_defaults(func=_cmd_publish)

    lnk = subparsers.add_parser(
        "links",
        help="print an nbgitpuller link per lesson for a hub, repository and branch",
        description=(
            "Print one nbgitpuller link per lesson. A student who opens it logs in to the hub, "
            "gets the published course cloned or updated in their home folder, and lands on "
            "the lesson."
        ),
    )
    lnk.add_argument("ids", nargs="*", metavar="LESSON", help="lesson ids (default: all)")
    lnk.add_argument("--hub", required=True, help="the hub address, e.g. https://hub.example.org")
    lnk.add_argument("--repo", required=True, help="clone URL of the published student course")
    lnk.add_argument("--branch", default="main", help="branch students pull (default: main)")
    lnk.add_argument("--lessons", default="lessons",
                     help="instructor sources or a published course (default: lessons)")
    lnk.add_argument("--app", choices=sorted(_APPS), default="lab",
                     help="open lessons in JupyterLab (default) or Notebook 7")
    lnk.add_argument("--format", choices=["text", "markdown"], default="text",
                     help="tab-separated lines (default) or a Markdown table")
    lnk.set_defaults(func=_cmd_links)


def main(argv: list[str] | None = None) -> int:
    """``python -m course.publish {publish,links} ...`` (the same as ``course publish/links``)."""
    parser = argparse.ArgumentParser(prog="python -m course.publish")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
