"""nbgrader configuration for instructors running nbgrader (formgrader, CLI) on this repository.

The repository root is the nbgrader course root; ``lessons/<id>/`` is the source of assignment
``<id>``, and every working folder (release, submitted, autograded, feedback, the gradebook) lives
under ``build/``, which git ignores (gradebooks and submissions are personal data).

Students never read this file: ``course lab`` runs JupyterLab with a student-only Jupyter config,
and the ``course`` grading commands pass their own configuration to nbgrader.
"""

from pathlib import Path

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

ROOT = Path(__file__).resolve().parent
BUILD = "build"

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.source_directory = "lessons"
c.CourseDirectory.release_directory = f"{BUILD}/release"
c.CourseDirectory.source_with_tests_directory = f"{BUILD}/source_with_tests"
c.CourseDirectory.submitted_directory = f"{BUILD}/submitted"
c.CourseDirectory.autograded_directory = f"{BUILD}/autograded"
c.CourseDirectory.feedback_directory = f"{BUILD}/feedback"
c.CourseDirectory.solution_directory = f"{BUILD}/solution"
c.CourseDirectory.db_url = f"sqlite:///{ROOT / BUILD / 'gradebook.db'}"

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
