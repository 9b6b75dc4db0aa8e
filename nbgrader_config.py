"""nbgrader configuration for instructors running nbgrader (formgrader, CLI) on this repository.

The repository root is the nbgrader course root; ``lessons/<id>/`` is the source of assignment
``<id>`` and releases go to ``build/release/``. Everything that holds personal data (submissions,
the autograded notebooks, feedback and the gradebook) lives in the *workspace*: ``coursework/`` at
the repository root, or the folder named by the ``COURSE_WORKSPACE`` environment variable. The
``course`` commands use the same folders, so formgrader shows what ``course grade`` graded and the
marks entered in formgrader count in ``course export``.

Use ``course grade`` to autograde, not formgrader's "autograde" button: nbgrader on its own runs the
hidden tests inside the student's kernel, where the student's code can interfere with them.

Students never read this file: ``course lab`` runs JupyterLab with a student-only Jupyter config,
and the ``course`` grading commands pass their own configuration to nbgrader.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

ROOT = Path(__file__).resolve().parent
BUILD = "build"
WORKSPACE = Path(os.environ.get("COURSE_WORKSPACE") or ROOT / "coursework").expanduser().resolve()

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.source_directory = "lessons"
c.CourseDirectory.release_directory = f"{BUILD}/release"
c.CourseDirectory.source_with_tests_directory = f"{BUILD}/source_with_tests"
c.CourseDirectory.solution_directory = f"{BUILD}/solution"
c.CourseDirectory.submitted_directory = str(WORKSPACE / "submitted")
c.CourseDirectory.autograded_directory = str(WORKSPACE / "autograded")
c.CourseDirectory.feedback_directory = str(WORKSPACE / "feedback")
c.CourseDirectory.db_url = f"sqlite:///{WORKSPACE / 'gradebook.db'}"

# nbgrader's defaults plus instructor-only files, which must never be released
# (mirrors course.grading.NBGRADER_IGNORE; tests/test_grading.py checks they agree).
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    "instructor_notes*",
    "instructor-notes*",
    "*.instructor.*",
    "solutions",
    "solution",
    "gradebook.db",
    "*.roster.csv",
    ".DS_Store",
]

# A cell that runs longer than this is interrupted and scores nothing.
c.Execute.timeout = 60

# nbgrader's own feedback shows hidden tests unless told not to; course feedback does the same.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
c.ClearHiddenTests.enforce_metadata = False
c.ClearMarkScheme.enforce_metadata = False
