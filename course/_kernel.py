"""The grading kernel: ipykernel, started with one slow import deferred (``course.grading`` is
not imported: it would add 50 ms).

Usage (in the grading kernelspec): ``python -c LAUNCH -f CONNECTION_FILE``, LAUNCH being
:data:`LAUNCH`. Like ``ipykernel_launcher``, it takes the working folder (the submission) off
``sys.path`` while the kernel starts, so a folder named ``course`` there cannot stand in for this
module; IPython puts it back for the student's code, so a notebook can still import a module
that sits beside it.

Why: ``import altair`` imports jsonschema, whose format module imports ``rfc3987_syntax`` when it is
installed (it comes with ``jsonschema[format-nongpl]``, which jupyter-events asks for), and that
compiles a grammar of IRIs at import: 0.75-0.8 s of the 1.3 s that ``import pandas, altair,
ipywidgets`` takes on the benchmark machine, paid by every graded submission for a format check
that grading never makes. Here the module is a stand-in that imports the real one the first time
anything in it is used, so a check that does need it still gets it.
"""

from __future__ import annotations

import importlib
import sys
import types

DEFERRED = "rfc3987_syntax"
#: The folder the kernel works in (grading: the submission's own run folder, never the folder
#: where the grader writes its results). The sandbox starts the kernel there already; without one
#: the kernel manager starts it elsewhere and the kernel moves itself.
ENV_CWD = "COURSE_KERNEL_CWD"
#: The ``-c`` code that starts the kernel (``sys.path[0]`` is the working folder under ``-c``).
LAUNCH = "import sys; del sys.path[0]; from course._kernel import main; main()"


class _Deferred(types.ModuleType):
    """Stands in for a module until one of its attributes is used."""

    def __getattr__(self, name: str):
        # Dunder names are not forwarded: ``from x import y`` asks for ``x.__path__``, and
        # answering would load the module at the very import this stand-in is there to defer.
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(_load(self.__name__), name)


def _load(name: str) -> types.ModuleType:
    stand_in = sys.modules.get(name)
    if isinstance(stand_in, _Deferred):
        del sys.modules[name]
    try:
        return importlib.import_module(name)
    except ImportError:
        if stand_in is not None:
            sys.modules[name] = stand_in
        raise


def _deferred_function(module: str, name: str):
    def call(*args, **kwargs):
        return getattr(_load(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def defer_rfc3987_syntax() -> bool:
    """Put the stand-in in place; False when the module is missing or already imported."""
    if DEFERRED in sys.modules:
        return False
    from importlib.util import find_spec

    if find_spec(DEFERRED) is None:
        return False
    stand_in = _Deferred(DEFERRED)
    # What jsonschema imports from it by name (``from rfc3987_syntax import is_valid_syntax``).
    stand_in.is_valid_syntax = _deferred_function(DEFERRED, "is_valid_syntax")
    sys.modules[DEFERRED] = stand_in
    return True


def enter_folder() -> str | None:
    """Move into the folder named by ``COURSE_KERNEL_CWD``, if any; return it."""
    import os

    folder = os.environ.get(ENV_CWD)
    if folder:
        os.chdir(folder)
    return folder


def main() -> None:
    enter_folder()
    defer_rfc3987_syntax()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
