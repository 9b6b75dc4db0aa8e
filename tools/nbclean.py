"""Strip outputs and execution counts from notebooks and normalise their kernelspec.

    python tools/nbclean.py lessons            # clean in place
    python tools/nbclean.py --check lessons    # exit 1 and list notebooks that need cleaning

Used by the pre-commit hook and by CI (tests/test_notebooks_clean.py). nbgrader cell metadata
is kept as it is.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
KEEP_NB_METADATA = {"kernelspec", "language_info"}
KEEP_CELL_METADATA = {"nbgrader", "tags", "editable", "deletable"}


def clean(nb: dict) -> dict:
    """Return a cleaned copy of a notebook dictionary."""
    out = json.loads(json.dumps(nb))
    meta = {k: v for k, v in out.get("metadata", {}).items() if k in KEEP_NB_METADATA}
    meta["kernelspec"] = dict(KERNELSPEC)
    meta["language_info"] = {"name": "python"}
    out["metadata"] = meta
    for cell in out.get("cells", []):
        cell["metadata"] = {
            k: v for k, v in cell.get("metadata", {}).items() if k in KEEP_CELL_METADATA
        }
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        if "attachments" in cell and not cell["attachments"]:
            del cell["attachments"]
    return out


def dumps(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def notebooks(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(q for q in sorted(p.rglob("*.ipynb")) if ".ipynb_checkpoints" not in q.parts)
        elif p.suffix == ".ipynb":
            found.append(p)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["lessons"])
    parser.add_argument("--check", action="store_true", help="report, do not change files")
    args = parser.parse_args(argv)
    dirty = []
    for path in notebooks(args.paths):
        text = path.read_text(encoding="utf-8")
        cleaned = dumps(clean(json.loads(text)))
        if cleaned != text:
            dirty.append(path)
            if not args.check:
                path.write_text(cleaned, encoding="utf-8")
    if args.check and dirty:
        print("Notebooks with outputs or unnormalised metadata (run: python tools/nbclean.py):")
        for p in dirty:
            print(f"  {p}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
