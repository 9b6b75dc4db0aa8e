"""What the browser tests share (tests/test_browser.py, tests/test_site.py): the system's
Chromium, axe-core from npm, and a browser context that can reach 127.0.0.1 only.

Debian's Chromium, driven by Playwright, never a downloaded browser. Every request to another
host is aborted and recorded, so a test can assert that nothing tried to leave the machine.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from conftest import REPO, require

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1"}


def require_browser() -> None:
    """Skip (fail under CI) without Debian's Chromium or the playwright package."""
    require(Path(CHROMIUM).is_file(),
            f"Debian chromium at {CHROMIUM} (as root: apt-get install -y chromium; "
            ".ci/system-deps.sh does it)")
    require(importlib.util.find_spec("playwright") is not None,
            "the playwright package (pip install -e '.[dev]'; never `playwright install`)")


def axe_script() -> Path:
    """axe-core's browser script from npm (.ci/system-deps.sh installs it; as root, so does this),
    or from a node_modules folder in the repository."""
    npm = shutil.which("npm")
    candidates = [REPO / "node_modules" / "axe-core" / "axe.min.js"]
    if npm:
        root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True,
                              timeout=60).stdout.strip()
        candidates.insert(0, Path(root) / "axe-core" / "axe.min.js")
        if not any(p.is_file() for p in candidates) and hasattr(os, "geteuid") \
                and os.geteuid() == 0:
            subprocess.run([npm, "install", "-g", "--silent", "axe-core"], capture_output=True,
                           timeout=300)
    found = next((p for p in candidates if p.is_file()), None)
    require(found is not None,
            "axe-core from npm (npm install -g axe-core; .ci/system-deps.sh does it)")
    return found


def local_only(context) -> list[str]:
    """Let ``context`` (a Playwright browser context) reach 127.0.0.1 only: every other request
    is aborted and its address appended to the list returned."""
    blocked: list[str] = []

    def route(r):
        if urlsplit(r.request.url).hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return blocked


def is_local(url: str) -> bool:
    """Whether ``url`` (a request or a web socket) goes to 127.0.0.1."""
    return urlsplit(url).hostname in LOCAL_HOSTS
