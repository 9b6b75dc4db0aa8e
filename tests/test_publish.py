"""`course publish` and `course links` (course/publish.py)."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest
from conftest import REPO
from test_student_environments import secret_lines

from course.grading import ReleaseError, find_folder_leaks
from course.publish import MARKER, PublishError, add_subcommands, links, publish

FIXTURE_LESSONS = REPO / "tests" / "fixtures" / "lessons"
FIXTURE = "zz-fixture"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("pub") / "student-course"
    written = publish(FIXTURE_LESSONS, dest)
    assert written == [dest / FIXTURE]
    return dest


def test_publish_writes_the_student_course_and_nothing_else(published):
    files = sorted(str(p.relative_to(published)) for p in published.rglob("*") if p.is_file())
    assert files == sorted([".gitignore", MARKER, "README.md", f"{FIXTURE}/{FIXTURE}.ipynb",
                            f"{FIXTURE}/regions.csv"])
    assert json.loads((published / MARKER).read_text())["lessons"] == [FIXTURE]
    readme = (published / "README.md").read_text()
    assert f"{FIXTURE}/{FIXTURE}.ipynb" in readme
    nbformat.validate(nbformat.read(published / FIXTURE / f"{FIXTURE}.ipynb", as_version=4))


def test_published_course_holds_no_solution_hidden_test_or_rubric(published):
    assert find_folder_leaks(published) == []
    secrets = secret_lines(FIXTURE_LESSONS / FIXTURE / f"{FIXTURE}.ipynb")
    assert secrets, "the fixture has instructor content to look for"
    for path in published.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="ignore")
            if path.suffix == ".ipynb":
                text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
            found = {" ".join(x.split()) for x in text.splitlines()} & secrets
            assert not found, f"{path.name} contains instructor lines: {sorted(found)[:3]}"
    assert not (published / FIXTURE / "instructor_notes.md").exists()


def test_publish_again_replaces_the_course_and_keeps_git(published, tmp_path):
    dest = tmp_path / "clone"
    shutil.copytree(published, dest)
    (dest / ".git").mkdir()
    (dest / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (dest / "stale-lesson").mkdir()
    (dest / "stale-lesson" / "old.ipynb").write_text("{}")
    publish(FIXTURE_LESSONS, dest)
    assert (dest / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert not (dest / "stale-lesson").exists()
    assert (dest / FIXTURE / f"{FIXTURE}.ipynb").is_file()


def test_publish_into_a_fresh_clone_holding_only_git(tmp_path):
    dest = tmp_path / "fresh"
    (dest / ".git").mkdir(parents=True)
    publish(FIXTURE_LESSONS, dest)
    assert (dest / ".git").is_dir() and (dest / "README.md").is_file()


def test_publish_refuses_a_folder_it_did_not_make_unless_forced(tmp_path):
    dest = tmp_path / "someone-elses"
    dest.mkdir()
    (dest / "notes.txt").write_text("keep me")
    with pytest.raises(PublishError, match="--force"):
        publish(FIXTURE_LESSONS, dest)
    assert (dest / "notes.txt").read_text() == "keep me"
    publish(FIXTURE_LESSONS, dest, force=True)
    assert not (dest / "notes.txt").exists() and (dest / MARKER).is_file()


@pytest.mark.parametrize("where", ["inside", "same", "parent"])
def test_publish_refuses_to_overlap_the_sources(tmp_path, where):
    lessons = tmp_path / "repo" / "lessons"
    shutil.copytree(FIXTURE_LESSONS / FIXTURE, lessons / FIXTURE)
    dest = {"inside": lessons / "out", "same": lessons, "parent": tmp_path / "repo"}[where]
    with pytest.raises(PublishError, match="overlaps"):
        publish(lessons, dest)
    assert (lessons / FIXTURE / "instructor_notes.md").is_file()


def test_publish_refuses_a_leaking_lesson_and_writes_nothing(tmp_path, published):
    lessons = tmp_path / "lessons"
    shutil.copytree(FIXTURE_LESSONS / FIXTURE, lessons / FIXTURE)
    nb_path = lessons / FIXTURE / f"{FIXTURE}.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    # A rubric typed into an ordinary markdown cell: nbgrader keeps it, so the release leaks.
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("**Rubric (instructor only)**: 2 points if..."))
    nbformat.write(nb, nb_path)
    dest = tmp_path / "previous"
    shutil.copytree(published, dest)
    before = sorted(p.relative_to(dest) for p in dest.rglob("*"))
    with pytest.raises(ReleaseError, match="(?i)rubric"):
        publish(lessons, dest)
    assert sorted(p.relative_to(dest) for p in dest.rglob("*")) == before
    assert not any(p.name.startswith(".publish-") for p in tmp_path.iterdir())


def test_links_one_per_lesson_with_the_nbgitpuller_parameters():
    found = links("https://hub.example.org", "https://github.com/org/pp-student.git", "main",
                  lessons_dir=FIXTURE_LESSONS)
    assert [lesson for lesson, _ in found] == [FIXTURE]
    url = urlsplit(found[0][1])
    assert (url.scheme, url.netloc, url.path) == ("https", "hub.example.org",
                                                  "/hub/user-redirect/git-pull")
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query == {
        "repo": "https://github.com/org/pp-student.git",
        "branch": "main",
        "targetpath": "pp-student",
        "urlpath": f"lab/tree/pp-student/{FIXTURE}/{FIXTURE}.ipynb",
    }


@pytest.mark.parametrize("hub,base", [
    ("https://hub.example.org/", "https://hub.example.org/hub/user-redirect/git-pull"),
    ("https://hub.example.org/hub", "https://hub.example.org/hub/user-redirect/git-pull"),
    ("https://example.org/jupyter/hub/", "https://example.org/jupyter/hub/user-redirect/git-pull"),
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000/hub/user-redirect/git-pull"),
])
def test_links_accept_the_usual_ways_of_writing_a_hub_address(hub, base):
    (_, url), = links(hub, "https://github.com/o/r", "main", [FIXTURE], lessons_dir=FIXTURE_LESSONS)
    assert url.split("?")[0] == base


def test_links_for_notebook_and_for_a_published_course(published):
    (_, url), = links("https://h.org", "git@github.com:o/course.git", "spring", app="notebook",
                      lessons_dir=published)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["urlpath"] == f"notebooks/course/{FIXTURE}/{FIXTURE}.ipynb"
    assert query["branch"] == "spring" and query["targetpath"] == "course"


@pytest.mark.parametrize("kwargs,message", [
    ({"hub_url": "hub.example.org"}, "not a hub address"),
    ({"hub_url": "https://h.org/?x=1"}, "must not carry"),
    ({"branch": " "}, "branch"),
    ({"repo": "https://github.com/"}, "folder name"),
    ({"lessons": ["zz-fixtur"]}, "'zz-fixture'"),
    ({"app": "classic"}, "Unknown app"),
])
def test_links_errors_say_what_to_do(kwargs, message):
    args = {"hub_url": "https://h.org", "repo": "https://github.com/o/r", "branch": "main",
            **kwargs}
    with pytest.raises(PublishError, match=message):
        links(args.pop("hub_url"), args.pop("repo"), args.pop("branch"), **args,
              lessons_dir=FIXTURE_LESSONS)


def test_subcommands_register_and_run(tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="course")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["links", "--hub", "https://h.org", "--repo", "https://g/o/r",
                              "--lessons", str(FIXTURE_LESSONS), "--format", "markdown"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("| Lesson | Link |") and "git-pull?repo=" in out
    dest = tmp_path / "out"
    args = parser.parse_args(["publish", str(dest), "--lessons", str(FIXTURE_LESSONS)])
    assert args.func(args) == 0
    assert (dest / FIXTURE / f"{FIXTURE}.ipynb").is_file()
    assert "Published 1 lessons" in capsys.readouterr().out
    args = parser.parse_args(["publish", str(dest / FIXTURE), "--lessons", str(FIXTURE_LESSONS)])
    assert args.func(args) == 1  # a friendly error, not a traceback
    assert "course publish:" in capsys.readouterr().err
