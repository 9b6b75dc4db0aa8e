"""Lean start-up for students' single-user servers and kernels on a workshop hub.

Both a Jupyter server and a kernel that imports Altair import jsonschema, whose format module
compiles a grammar of IRIs (``rfc3987_syntax``) at import: about 0.8 s of CPU each on an idle
2-core machine, paid twice by every student at 9:05, for format checks that neither ever makes
at start-up. Here, as in the grading kernel (:mod:`course._kernel`), the module is a stand-in
that loads the real one the first time anything in it is used, so a check that does need it
still gets it.

What this shares between students: nothing. Each student's server and kernel is still their
own process, started as their own user; only the order of one import changes.

Usage (what the hub configurations in ``deploy/`` do):

- server: ``python -c SERVER_LAUNCH [jupyterhub-singleuser options]``;
- kernel: the ``python3`` kernelspec in ``deploy/jupyter/kernels/python3``, which runs
  ``python -c course._kernel.LAUNCH -f {connection_file}`` (jupyter_client puts the
  environment's own interpreter in place of ``python``).
"""

from __future__ import annotations

import sys

from course._kernel import LAUNCH as KERNEL_LAUNCH
from course._kernel import defer_rfc3987_syntax

#: The ``-c`` code that starts a single-user server. Like ``ipykernel_launcher`` it takes the
#: working folder (the student's home) off ``sys.path`` first, so a folder named ``course``
#: there cannot stand in for this module.
SERVER_LAUNCH = "import sys; del sys.path[0]; from course._student import singleuser; singleuser()"

__all__ = ["KERNEL_LAUNCH", "SERVER_LAUNCH", "singleuser"]


def singleuser() -> None:
    """``jupyterhub-singleuser`` with the IRI grammar deferred (arguments from ``sys.argv``)."""
    defer_rfc3987_syntax()
    from jupyterhub.singleuser import main

    sys.exit(main())
