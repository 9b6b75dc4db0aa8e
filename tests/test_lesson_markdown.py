"""Lesson markdown: no currency dollar pair that JupyterLab would typeset as maths.

JupyterLab renders text between two unescaped ``$`` signs as LaTeX, so "cost $504 million ... and
$60 million" becomes italic run-together maths ("504million∗∗intotal…"). A dollar amount must be
written ``\\$504``. Real maths (``$z_{ik}$``, ``$100 \\times (y_i / y_{UK} - 1)$``) stays.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import REPO

NOTEBOOKS = sorted((REPO / "lessons").glob("*/*.ipynb"))
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
_DISPLAY = re.compile(r"\$\$.*?\$\$", re.S)
# An unescaped $ (not \$, not part of $$), then the shortest run up to the next unescaped $.
_INLINE = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$(?!\$)", re.S)
_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


def currency_pairs(markdown: str) -> list[str]:
    """Spans between two unescaped ``$`` that read as money and prose, not maths.

    A span is flagged when it opens with a digit (``$504``) and holds three or more ordinary
    words outside LaTeX commands and ``\\text{...}``, or when it opens with a digit and closes
    before a digit (``$5 and $10``: the second sign starts an amount too).

    >>> currency_pairs("It cost $504 million in total, and Manchester got $60 million.")
    ['$504 million in total, and Manchester got $']
    >>> currency_pairs(r"A gap is $100 \\times (y_i / y_{\\text{UK}} - 1)$ and $z_{ik}$.")
    []
    >>> currency_pairs(r"Escaped: \\$5 and \\$10.")
    []
    """
    text = _DISPLAY.sub(" ", _CODE.sub(" ", markdown))
    found = []
    for m in _INLINE.finditer(text):
        body = m.group(1)
        if not body[:1].isdigit():
            continue
        plain = re.sub(r"\\text\{[^}]*\}|\\[A-Za-z]+", " ", body)
        after = text[m.end():m.end() + 1]
        if len(_WORD.findall(plain)) >= 3 or after.isdigit():
            found.append(m.group(0)[:60])
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.parent.name for p in NOTEBOOKS])
def test_no_unescaped_currency_dollars_in_lesson_markdown(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    bad = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        bad += [f"cell {index}: {span!r}" for span in currency_pairs(source)]
    assert not bad, ("These dollar signs would be typeset as maths in JupyterLab; write a dollar "
                     "amount as \\$504:\n" + "\n".join(bad))


def test_the_lint_catches_the_bug_it_is_for():
    """Lesson 07's opening paragraph before the fix (commit 3992ba0)."""
    before = ("The Build Back Better Regional Challenge awarded **$1 billion** to 21 coalitions; "
              "the Tech Hubs programme **$504 million** in total. Manchester, New Hampshire "
              "received $44 million.")
    assert currency_pairs(before)
    assert currency_pairs(before.replace("$", "\\$")) == []
