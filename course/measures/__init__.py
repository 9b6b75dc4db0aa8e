"""Regional-economics measures used across the lessons.

Each topic lives in its own module and its public names are re-exported here, so lessons write
``from course.measures import theil`` or ``course.measures.theil``.
"""

from __future__ import annotations

from course.measures.inequality import *  # noqa: F403
from course.measures.inequality import __all__ as _inequality_all

__all__ = [*_inequality_all]
from course.measures.regression import *  # noqa: F403, E402
from course.measures.regression import __all__ as _regression_all  # noqa: E402

__all__ += [*_regression_all]
from course.measures.persistence import *  # noqa: F403, E402
from course.measures.persistence import __all__ as _persistence_all  # noqa: E402

__all__ += [*_persistence_all]
from course.measures.competition import *  # noqa: F403, E402
from course.measures.competition import __all__ as _competition_all  # noqa: E402

__all__ += [*_competition_all]
from course.measures.rnd import *  # noqa: F403, E402
from course.measures.rnd import __all__ as _rnd_all  # noqa: E402

__all__ += [*_rnd_all]
from course.measures.clusters import *  # noqa: E402,F403
from course.measures.clusters import __all__ as _clusters_all  # noqa: E402

__all__ += [*_clusters_all]
from course.measures.composite import *  # noqa: F403, E402
from course.measures.composite import __all__ as _composite_all  # noqa: E402

__all__ += [*_composite_all]
from course.measures.evaluation import *  # noqa: F403, E402
from course.measures.evaluation import __all__ as _evaluation_all  # noqa: E402

__all__ += [*_evaluation_all]
