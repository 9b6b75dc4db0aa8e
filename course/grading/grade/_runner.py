"""Call a student's functions for the hidden tests, in a sandbox that holds no expected values.

Started by the checker (``python -I -m course.grading.grade._runner``, inside the bubblewrap sandbox when
there is one). It reads one JSON request per line on stdin and answers on the stdout it was given;
the student's own printing goes nowhere.

Requests::

    {"op": "define", "ns": "<grade id>", "functions": {...}, "globals": {...}}
    {"op": "call", "id": 3, "ns": "<grade id>", "fn": "gap", "args": <encoded>, "kwargs": <encoded>}

``define`` rebuilds the student's functions from their source (each exactly one ``def`` of its own
name, as the checker shows it to the tests), with the globals they use, in one namespace per test cell (as the notebook had them when that test cell ran). ``call`` runs one,
with the hidden test's inputs, and returns the encoded result (exact types only, see ``_codec``) or
the exception's name and message. The runner never receives an expected value, so a function that
inspects its caller, the stack or the garbage collector finds nothing to copy.
"""

from __future__ import annotations

import json
import os
import sys


def _quiet_stdout():
    """Keep the protocol's stdout for ourselves; send fd 1 and sys.stdout to /dev/null."""
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as we do
    return proto


def main() -> int:
    from course.grading.kernel._codec import (
        ALLOWED_MODULES,
        Decoder,
        TooLarge,
        _Budget,
        _encode,
        one_def,
    )

    proto = _quiet_stdout()
    spaces: dict[str, dict] = {}

    def reply(data: dict) -> None:
        proto.write(json.dumps(data, allow_nan=True) + "\n")
        proto.flush()

    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            continue
        op = request.get("op")
        if op == "define":
            ns: dict = {"__name__": "__main__", "__builtins__": __builtins__}
            spaces[str(request.get("ns"))] = ns
            functions = request.get("functions") or {}

            def factory(name: str, ns=ns):
                return ns.get(name)

            decoder = Decoder(ALLOWED_MODULES, factory)
            problems = {}
            for name, record in functions.items():
                source = record.get("source") if isinstance(record, dict) else None
                if not source:
                    continue
                if not one_def(source, name):
                    # Only what the checker shows the tests may run: one definition, of this name.
                    problems[name] = "the recorded source is not one function definition"
                    continue
                try:
                    exec(compile(source, f"<{name}>", "exec"), ns)  # noqa: S102 - sandboxed student code
                except BaseException as exc:  # noqa: BLE001
                    problems[name] = f"{type(exc).__name__}: {exc}"[:300]
            for name, data in (request.get("globals") or {}).items():
                if name not in functions:
                    try:
                        ns[name] = decoder(data)
                    except Exception as exc:  # noqa: BLE001
                        problems[name] = f"could not be rebuilt: {exc}"[:300]
            reply({"op": "defined", "ns": request.get("ns"), "problems": problems})
        elif op == "call":
            ns = spaces.get(str(request.get("ns")), {})
            fn = ns.get(str(request.get("fn")))
            decoder = Decoder(ALLOWED_MODULES, lambda name, ns=ns: ns.get(name))
            if not callable(fn):
                reply({"id": request.get("id"), "error": ["NameError",
                       f"{request.get('fn')} could not be rebuilt from the submission"]})
                continue
            try:
                args = decoder(request.get("args"))
                kwargs = decoder(request.get("kwargs"))
                result = fn(*args, **kwargs)
                try:
                    encoded = _encode(result, _Budget(32 * 1024 * 1024), 0, None, None)
                except TooLarge:
                    reply({"id": request.get("id"), "error": ["ValueError", "the result is too large to check"]})
                    continue
                reply({"id": request.get("id"), "ok": encoded})
            except BaseException as exc:  # noqa: BLE001 - the student's exception, reported by name
                if isinstance(exc, KeyboardInterrupt):
                    raise
                reply({"id": request.get("id"), "error": [type(exc).__name__, str(exc)[:500]]})
        elif op == "quit":
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
