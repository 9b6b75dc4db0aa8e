"""Imported once by the grading fork server, so each worker and checker starts without paying for
nbgrader's, nbconvert's and pandas's imports (about a second of CPU per submission otherwise).

Nothing here runs student code or reads a submission: the fork server stays clean, and each
process forked from it is as fresh as a new interpreter for grading purposes.
"""

import os
import sys

# Numeric libraries must not start thread pools in the server: a fork keeps only one thread.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_name] = "1"

# jsonschema (through nbformat) compiles dozens of IRI grammars at import when rfc3987_syntax is
# installed, for a format check grading never uses.
sys.modules.setdefault("rfc3987_syntax", None)

import jupyter_client  # noqa: E402,F401
import nbclient  # noqa: E402,F401
import nbconvert.preprocessors  # noqa: E402,F401
import nbformat  # noqa: E402,F401
import nbgrader.api  # noqa: E402,F401
import nbgrader.converters  # noqa: E402,F401
import nbgrader.coursedir  # noqa: E402,F401
import nbgrader.preprocessors  # noqa: E402,F401
import nbgrader.utils  # noqa: E402,F401
import numpy  # noqa: E402,F401
import pandas  # noqa: E402,F401
import traitlets.config  # noqa: E402,F401

import course.checks  # noqa: E402,F401
import course.grading.grade._checker  # noqa: E402,F401
import course.grading.grade._worker  # noqa: E402,F401
import course.grading.releasing._lessons  # noqa: E402,F401
import course.grading.releasing._nbgrader  # noqa: E402,F401
