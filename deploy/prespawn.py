"""Start students' servers before a workshop's login wave, a few at a time.

At 9:05 every student logs in at once, and starting a single-user server is the largest part of
what each login costs (about half of the CPU-seconds on the test machine). A host who starts the
servers at 8:45, a few at a time, moves that work out of the wave: when a student opens the
lesson link, the hub sends them straight to their running server.

    python deploy/prespawn.py --hub https://hub.example.org --token "$ADMIN_TOKEN" \
        --users roster.txt [--parallel 4]

``roster.txt`` holds one hub user name a line (``#`` comments allowed). The token needs the
``admin:users`` and ``admin:servers`` scopes (an admin user's token from the hub's token page, or
a service's). Users who do not exist yet are created. Idle servers are stopped by the hub's idle
culler after its timeout (``install.sh`` sets an hour), so start them at most that long ahead.

What it shares between students: nothing. Each server is the one the hub would have started at
login, as the student's own user, with the same limits; only the moment changes.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests


def read_roster(path: Path) -> list[str]:
    """User names, one a line; blank lines and ``#`` comments skipped; duplicates dropped."""
    names: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        name = line.split("#", 1)[0].strip()
        if name and name not in names:
            names.append(name)
    return names


def start_server(api, name: str, timeout: float) -> tuple[str, float | None, str]:
    """Start ``name``'s server and wait until the hub says it is ready.

    ``api(method, path, **kwargs)`` calls the hub's REST API with an admin token. Returns
    (name, seconds or None, "" or what went wrong).
    """
    t0 = time.monotonic()
    try:
        api("POST", f"/users/{name}", timeout=60)  # 201 created, or 409: exists already
        r = api("POST", f"/users/{name}/server", timeout=timeout)
        if r.status_code == 400 and "already running" in r.text:
            return name, 0.0, ""
        if r.status_code not in (201, 202):
            return name, None, f"HTTP {r.status_code}: {r.text[:200]}"
        with api("GET", f"/users/{name}/server/progress", stream=True,
                 timeout=(10, timeout)) as stream:
            for raw in stream.iter_lines(decode_unicode=True):
                if not raw or not raw.startswith("data:"):
                    continue
                event = json.loads(raw[5:])
                if event.get("failed"):
                    return name, None, f"failed: {event.get('message')}"
                if event.get("ready"):
                    return name, time.monotonic() - t0, ""
                if time.monotonic() - t0 > timeout:
                    break
        return name, None, f"not ready after {timeout:.0f} s"
    except requests.RequestException as exc:
        return name, None, f"{type(exc).__name__}: {exc}"


def prespawn(api, names: list[str], parallel: int = 4, timeout: float = 300,
             log=None) -> dict[str, tuple[float | None, str]]:
    """Start every server, at most ``parallel`` at a time; name -> (seconds, error)."""
    results: dict[str, tuple[float | None, str]] = {}
    lock = threading.Lock()

    def one(name: str) -> None:
        _, seconds, error = start_server(api, name, timeout)
        with lock:
            results[name] = (seconds, error)
            if log:
                state = f"ready in {seconds:.1f} s" if error == "" else error
                log(f"{len(results)}/{len(names)} {name}: {state}")

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        list(pool.map(one, names))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.org")
    parser.add_argument("--token", required=True, help="an API token with admin:users, admin:servers")
    parser.add_argument("--users", required=True, type=Path, help="a file of user names, one a line")
    parser.add_argument("--parallel", type=int, default=4,
                        help="servers starting at once (default 4: about two per core)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for each server")
    args = parser.parse_args(argv)
    if args.parallel < 1:
        parser.error("--parallel must be at least 1")
    try:
        names = read_roster(args.users)
    except OSError as exc:
        parser.error(f"cannot read {args.users}: {exc.strerror}")
    if not names:
        parser.error(f"{args.users} holds no user names")
    base = args.hub.rstrip("/") + "/hub/api"
    headers = {"Authorization": f"token {args.token}"}

    def api(method: str, path: str, **kwargs):
        return requests.request(method, base + path, headers=headers, **kwargs)

    t0 = time.monotonic()
    results = prespawn(api, names, args.parallel, args.timeout, log=print)
    failed = {n: e for n, (_, e) in results.items() if e}
    print(f"{len(names) - len(failed)} of {len(names)} servers running after "
          f"{time.monotonic() - t0:.0f} s" + (f"; not started: {', '.join(sorted(failed))}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
