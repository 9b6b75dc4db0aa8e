"""Release: build the student version of lessons, prove it leaks nothing, and serve it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from course.grading.releasing._content import (
    RUBRIC_RE,
    Delimiters,
    nbgrader_delimiters,
    nbgrader_meta,
    norm,
    parse_notebook,
    text_of,
)
from course.grading.releasing._lessons import (
    GradingError,
    ReleaseError,
    check_lesson_ids,
    copy_lesson,
    is_instructor_only,
    lesson_notebooks,
    lesson_title,
)
from course.grading.releasing._nbgrader import generate_assignment, nbgrader_config

STUDENT_CONFIG_DIR = ".jupyter-student"
MANIFEST = "manifest.json"

# nbgrader's JupyterLab plugins that students must never see (ids from the installed
# @jupyter/nbgrader labextension). validate-assignment stays: it is the students' "Validate" button.
NBGRADER_LAB_EXTENSIONS = [
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:menu",
]
# JupyterLab's own plugins that go online: "Would you like to get notified about official
# Jupyter news?" (a "Yes" makes the lab fetch news and check for updates, and workshop labs are
# offline). Ids from the installed JupyterLab 4 core bundle.
OFFLINE_LAB_EXTENSIONS = [
    "@jupyterlab/apputils-extension:announcements",
]
DISABLED_LAB_EXTENSIONS = NBGRADER_LAB_EXTENSIONS + OFFLINE_LAB_EXTENSIONS
# JupyterLab settings the student view sets, {plugin id: settings}. The announcements plugin
# reads fetchNews and checkForUpdates from the notification plugin's settings: "false" (never)
# keeps the lab offline even if the announcements plugin is switched back on.
STUDENT_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    # Open the lesson list (README.md) rendered rather than as source.
    "@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Markdown Preview"}},
}
# The matching server extensions (enabled for everyone by nbgrader's jupyter_server_config.d file).
DISABLED_SERVER_EXTENSIONS = [
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.assignment_list",
]


# --------------------------------------------------------------------------------------------
# Leak check
# --------------------------------------------------------------------------------------------


def _cell_label(index: int, cell: dict) -> str:
    grade_id = nbgrader_meta(cell).get("grade_id")
    return f"cell {index + 1}" + (f" ({grade_id})" if grade_id else "")


def _read_nb(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        nb = json.load(fh)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("not a Jupyter notebook (no list of cells)")
    return nb


def _output_text(output: dict) -> str:
    parts = [text_of(output.get("text", "")), str(output.get("evalue", ""))]
    parts += [text_of(t) for t in output.get("traceback", [])]
    data = output.get("data", {})
    if isinstance(data, dict):
        parts += [text_of(v) for k, v in data.items() if str(k).startswith("text/")]
    return "\n".join(parts)


def find_leaks(
    released_nb_path: str | os.PathLike,
    source_nb_path: str | os.PathLike | None = None,
    *,
    check_folder: bool = True,
    delimiters: Delimiters | None = None,
) -> list[str]:
    """Look for instructor-only content in a released (student) notebook.

    Parameters
    ----------
    released_nb_path : path
        The student version of a notebook.
    source_nb_path : path, optional
        The instructor source it was made from. When given, every identifying line of the
        source's solution regions, hidden tests and mark schemes (and of whole solution cells,
        such as written answers with a model answer and rubric) is searched for in the release:
        the static equivalent of ``nbgrader validate --invert``.
    check_folder : bool
        Also report instructor-only files (instructor notes, solutions) beside the notebook.
    delimiters : Delimiters, optional
        nbgrader's delimiters (its defaults unless given); the source is split by the same parser
        that grading and feedback use (``_content``), and any delimiter left in the release, in
        any case or spacing, is reported.

    Returns
    -------
    list of str
        Human-readable reasons; empty when nothing leaked.
    """
    released_nb_path = Path(released_nb_path)
    reasons: list[str] = []
    try:
        nb = _read_nb(released_nb_path)
    except (OSError, ValueError) as exc:
        return [f"{released_nb_path.name}: cannot be read as a notebook ({exc})"]

    d = delimiters or nbgrader_delimiters()
    delimiter_re = d.loose_pattern()
    name = released_nb_path.name
    for index, cell in enumerate(nb["cells"]):
        label = f"{name} {_cell_label(index, cell)}"
        source = text_of(cell.get("source"))
        for line in source.splitlines():
            if delimiter_re.search(line):
                reasons.append(f"{label}: nbgrader delimiter left in: {line.strip()!r}")
            if RUBRIC_RE.search(line):
                reasons.append(f"{label}: instructor rubric left in: {line.strip()!r}")
        outputs = cell.get("outputs") or []
        if outputs:
            reasons.append(
                f"{label}: has {len(outputs)} output(s); a release must carry none "
                "(outputs can show answers)"
            )
        for output in outputs:
            text = _output_text(output)
            if delimiter_re.search(text) or RUBRIC_RE.search(text):
                reasons.append(f"{label}: an output contains instructor content")
        if cell.get("attachments"):
            blob = json.dumps(cell["attachments"])
            if RUBRIC_RE.search(blob) or delimiter_re.search(blob):
                reasons.append(f"{label}: an attachment contains instructor content")

    meta_blob = json.dumps(nb.get("metadata", {}))
    if delimiter_re.search(meta_blob) or RUBRIC_RE.search(meta_blob):
        reasons.append(f"{name}: notebook metadata contains instructor content")

    if source_nb_path is not None:
        try:
            secrets = parse_notebook(_read_nb(Path(source_nb_path)), d).secrets
        except (OSError, ValueError) as exc:  # RegionError is a ValueError
            reasons.append(f"{name}: the source notebook cannot be read for comparison ({exc})")
            secrets = {}
        for index, cell in enumerate(nb["cells"]):
            texts = [text_of(cell.get("source"))] + [_output_text(o) for o in cell.get("outputs") or []]
            seen = set()
            for text in texts:
                for line in text.splitlines():
                    key = norm(line)
                    if key in secrets and key not in seen:
                        seen.add(key)
                        reasons.append(
                            f"{name} {_cell_label(index, cell)}: contains a line from "
                            f"{secrets[key]} in the source: {line.strip()!r}"
                        )

    if check_folder:
        folder = released_nb_path.parent
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if any(is_instructor_only(part) for part in rel.parts):
                reasons.append(f"instructor-only file in the release folder: {rel}")
    return reasons


def find_folder_leaks(folder: str | os.PathLike) -> list[str]:
    """Leak-check every notebook and file name under a released or student-view folder."""
    folder = Path(folder)
    reasons = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if rel.parts[0] == STUDENT_CONFIG_DIR or ".ipynb_checkpoints" in rel.parts:
            continue
        if any(is_instructor_only(part) for part in rel.parts):
            reasons.append(f"instructor-only file: {rel}")
        elif path.suffix == ".ipynb" and path.is_file():
            reasons += [f"{rel.parent}/{r}" for r in find_leaks(path, check_folder=False)]
    return reasons


# --------------------------------------------------------------------------------------------
# Release
# --------------------------------------------------------------------------------------------


def _generate(lesson_dir: Path, work: Path) -> Path:
    """Generate the student version of one lesson in a private nbgrader course under ``work``."""
    lesson_id = lesson_dir.name
    if not lesson_notebooks(lesson_dir):
        raise ReleaseError(
            f"Lesson {lesson_id!r} has no notebook: expected {lesson_dir / (lesson_id + '.ipynb')}. "
            "Add the notebook or remove the folder."
        )
    copy_lesson(lesson_dir, work / "source" / lesson_id)
    detail = generate_assignment(nbgrader_config(work), lesson_id)
    if detail is not None:
        raise ReleaseError(
            f"nbgrader could not generate the student version of {lesson_id!r}: {detail} "
            "Check the cells' nbgrader metadata and delimiters in the source notebook."
        )
    return work / "release" / lesson_id


def _check_release(lesson_dir: Path, released: Path) -> list[str]:
    reasons = []
    for source_nb in lesson_notebooks(lesson_dir):
        out_nb = released / source_nb.name
        if not out_nb.exists():
            reasons.append(f"{source_nb.name} is missing from the release")
            continue
        reasons += find_leaks(out_nb, source_nb, check_folder=False)
    for path in sorted(released.rglob("*")):
        rel = path.relative_to(released)
        if any(is_instructor_only(part) for part in rel.parts):
            reasons.append(f"instructor-only file in the release: {rel}")
    return reasons


def _replace_dir(staged: Path, target: Path) -> None:
    """Copy ``staged`` to ``target`` so that ``target`` is either the old or the new version."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        shutil.copytree(staged, tmp / "new")
        if target.exists():
            target.rename(tmp / "old")
        (tmp / "new").rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def build_releases(lessons_dir: Path, ids: list[str], staging: Path) -> tuple[dict[str, Path], dict[str, str]]:
    """Generate and leak-check each lesson under ``staging``; return (released, refused reasons)."""
    released: dict[str, Path] = {}
    refused: dict[str, str] = {}
    for lesson_id in ids:
        work = staging / lesson_id
        work.mkdir(parents=True)
        try:
            out = _generate(lessons_dir / lesson_id, work)
        except ReleaseError as exc:
            refused[lesson_id] = str(exc)
            continue
        reasons = _check_release(lessons_dir / lesson_id, out)
        if reasons:
            shown = "\n  - ".join(reasons[:20])
            more = f"\n  ... and {len(reasons) - 20} more" if len(reasons) > 20 else ""
            refused[lesson_id] = (
                f"Refused to release {lesson_id!r}: the student version would contain "
                f"instructor content:\n  - {shown}{more}"
            )
        else:
            released[lesson_id] = out
    return released, refused


def release(
    lessons_dir: str | os.PathLike,
    dest: str | os.PathLike,
    lesson_ids: list[str] | None = None,
) -> list[Path]:
    """Generate the student version of lessons and copy each to ``dest/<id>/``.

    Each lesson is generated by nbgrader in its own temporary course (the repository's build
    state is never touched), with instructor-only files ignored, and then leak-checked
    (:func:`find_leaks` against its source). A lesson that fails is not written at all; the others
    are, and :class:`ReleaseError` is raised at the end naming every refused lesson.

    Parameters
    ----------
    lessons_dir : path
        Folder with one sub-folder per lesson (``<id>/<id>.ipynb``).
    dest : path
        Where the student versions go (``dest/<id>/``); an existing ``dest/<id>`` is replaced.
    lesson_ids : list of str, optional
        Which lessons; default every folder in ``lessons_dir``.

    Returns
    -------
    list of Path
        The released lesson folders.
    """
    lessons_dir = Path(lessons_dir).resolve()
    dest = Path(dest).resolve()
    ids = check_lesson_ids(lessons_dir, lesson_ids)
    if not ids:
        raise ReleaseError(f"There are no lessons in {str(lessons_dir)!r} to release.")
    if dest == lessons_dir or lessons_dir in dest.parents:
        raise ReleaseError("The release folder must not be inside the lessons folder.")
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="pp-release-") as tmp:
        released, refused = build_releases(lessons_dir, ids, Path(tmp))
        for lesson_id, out in released.items():
            _replace_dir(out, dest / lesson_id)
            written.append(dest / lesson_id)
    if refused:
        error = ReleaseError("\n\n".join(refused.values()))
        error.released = written
        error.refused = refused
        raise error
    return written


# --------------------------------------------------------------------------------------------
# Student view and lab
# --------------------------------------------------------------------------------------------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_student_config(dest: Path) -> Path:
    """Write the Jupyter config folder that hides nbgrader's instructor tools from students."""
    config_dir = dest / STUDENT_CONFIG_DIR
    _write_json(
        config_dir / "labconfig" / "page_config.json",
        {"disabledExtensions": {name: True for name in DISABLED_LAB_EXTENSIONS}},
    )
    from course.charts_saving import pre_save_hook  # standard library only

    _write_json(
        config_dir / "jupyter_server_config.json",
        {"ServerApp": {"jpserver_extensions": {name: False for name in DISABLED_SERVER_EXTENSIONS}},
         # a saved lesson shows each chart's picture, not "model not found", once its kernel is gone
         "ContentsManager": {"pre_save_hook": f"{pre_save_hook.__module__}.{pre_save_hook.__name__}"}},
    )
    # JupyterLab reads user settings from <config dir>/lab/user-settings/<package>/<plugin>.
    for plugin_id, settings in STUDENT_LAB_SETTINGS.items():
        package, plugin = plugin_id.split(":")
        _write_json(
            config_dir / "lab" / "user-settings" / package / f"{plugin}.jupyterlab-settings",
            settings,
        )
    return config_dir


def _readme(dest: Path, ids: list[str]) -> str:
    lines = [
        "# Productive Places: your lessons",
        "",
        "A hands-on course in place-based industrial policy. Open a lesson's notebook to start;",
        "your work is saved in its folder. Run the test cell after each exercise to check your answer.",
        "",
        "| Lesson | Notebook |",
        "| --- | --- |",
    ]
    for lesson_id in ids:
        folder = dest / lesson_id
        title = lesson_title(folder).replace("|", "\\|")
        nb = folder / f"{lesson_id}.ipynb"
        if not nb.exists():
            found = sorted(folder.glob("*.ipynb"))
            nb = found[0] if found else nb
        rel = nb.relative_to(dest).as_posix()
        lines.append(f"| {title} | [{rel}]({rel}) |")
    lines += ["", "The data come from published sources named in each lesson.", ""]
    return "\n".join(lines)


def student_view(lessons_dir: str | os.PathLike, dest: str | os.PathLike) -> list[Path]:
    """Build the student course in ``dest``: released lessons, a README index and Jupyter config.

    Safe to run again on the same folder: a file the student has changed since it was written is
    kept (and reported on stderr), not overwritten. Refuses to write into a non-empty folder that
    is not a student view.

    Returns
    -------
    list of Path
        The lesson folders in the student view.
    """
    lessons_dir = Path(lessons_dir).resolve()
    dest = Path(dest).resolve()
    config_dir = dest / STUDENT_CONFIG_DIR
    if dest.exists() and any(dest.iterdir()) and not config_dir.is_dir():
        raise GradingError(
            f"{str(dest)!r} already holds files and is not a student view made by "
            "`course student-view`. Choose a new or empty folder."
        )
    ids = check_lesson_ids(lessons_dir, None)
    if not ids:
        raise ReleaseError(f"There are no lessons in {str(lessons_dir)!r}.")
    dest.mkdir(parents=True, exist_ok=True)
    manifest_path = config_dir / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}

    kept: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pp-student-") as tmp:
        released, refused = build_releases(lessons_dir, ids, Path(tmp))
        for lesson_id, out in released.items():
            for path in sorted(out.rglob("*")):
                if not path.is_file():
                    continue
                rel = (Path(lesson_id) / path.relative_to(out)).as_posix()
                target = dest / rel
                new_sha = _sha(path)
                if target.exists():
                    old_sha = _sha(target)
                    if old_sha != new_sha and old_sha != manifest.get(rel):
                        kept.append(rel)
                        continue
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                manifest[rel] = new_sha

    write_student_config(dest)
    _write_json(manifest_path, manifest)
    present = [i for i in ids if (dest / i).is_dir()]
    (dest / "README.md").write_text(_readme(dest, present), encoding="utf-8")
    for rel in kept:
        print(f"Kept your changed copy of {rel} (the lesson has a newer version).", file=sys.stderr)
    if refused:
        error = ReleaseError("\n\n".join(refused.values()))
        error.released = [dest / i for i in released]
        error.refused = refused
        raise error
    return [dest / i for i in present]


def lab_command(
    dest: str | os.PathLike, port: int | None = None, open_browser: bool = True
) -> tuple[list[str], dict[str, str]]:
    """The command and environment :func:`lab` runs (checked, but not started)."""
    dest = Path(dest).resolve()
    config_dir = dest / STUDENT_CONFIG_DIR
    if not config_dir.is_dir():
        raise GradingError(
            f"{str(dest)!r} is not a student view. Make one first with "
            f"`course student-view {dest}`, then run `course lab {dest}`."
        )
    leaks = find_folder_leaks(dest)
    if leaks:
        raise ReleaseError(
            f"Refusing to open {str(dest)!r}: it holds instructor content:\n  - "
            + "\n  - ".join(leaks[:20])
        )
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={dest}",
        "--LabApp.default_url=/lab/tree/README.md",
    ]
    if port is not None:
        cmd.append(f"--ServerApp.port={int(port)}")
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI run as root; jupyter_server refuses otherwise
    env = dict(os.environ)
    # Only the student config: the repository's nbgrader_config.py and ~/.jupyter are never read.
    env["JUPYTER_CONFIG_DIR"] = str(config_dir)
    env.pop("JUPYTER_CONFIG_PATH", None)
    return cmd, env


def lab(
    dest: str | os.PathLike,
    port: int | None = None,
    open_browser: bool = True,
    extra_args: list[str] | None = None,
) -> int:
    """Run JupyterLab on a student view (cwd and root = ``dest``, student Jupyter config only).

    Returns JupyterLab's exit code.
    """
    cmd, env = lab_command(dest, port=port, open_browser=open_browser)
    cmd += list(extra_args or [])
    try:
        return subprocess.call(cmd, cwd=Path(dest).resolve(), env=env)
    except KeyboardInterrupt:
        return 0
