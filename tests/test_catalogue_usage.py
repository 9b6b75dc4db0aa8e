"""The catalogue's `lessons` metadata names every lesson that loads a dataset directly."""

from __future__ import annotations

import json
import re

from conftest import REPO

LOAD = re.compile(r"""load\(\s*\\?["']([a-z0-9_]+)\\?["']""")


def test_every_direct_load_is_recorded_in_the_catalogue():
    package = json.loads((REPO / "datasets" / "datapackage.json").read_text())
    lessons_of = {r["name"]: set(r.get("lessons", [])) for r in package["resources"]}
    missing = []
    for nb in sorted((REPO / "lessons").glob("*/*.ipynb")):
        for name in set(LOAD.findall(nb.read_text(encoding="utf-8"))):
            # an unknown name is a deliberate error demonstration (lesson 00): the notebooks
            # execute in test_lessons.py, so a real typo fails there
            if name in lessons_of and nb.parent.name not in lessons_of[name]:
                missing.append(f"{name} <- {nb.parent.name}")
    assert not missing, (
        "datapackage.json 'lessons' is missing these uses (edit tools/build_datasets.py and rebuild): "
        f"{missing}"
    )
