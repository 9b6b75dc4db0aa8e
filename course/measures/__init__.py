"""Regional-economics measures used across the lessons.

Each topic lives in its own module and its public names are re-exported here, so lessons write
``from course.measures import theil`` or ``course.measures.theil``.
"""

from __future__ import annotations

from course.measures.inequality import *  # noqa: F403
from course.measures.inequality import __all__ as _inequality_all

__all__ = [*_inequality_all]
