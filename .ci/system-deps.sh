#!/usr/bin/env bash
# Debian and npm packages that the browser and hub suites need. Safe to run twice.
# Runs only as root; elsewhere those suites skip with a loud reason (and fail under CI).
set -uo pipefail
if [ "$(id -u)" != "0" ]; then
  echo "system-deps: not root, skipping Debian/npm installs" >&2
  # axe-core scans the lessons' content in tests/test_browser.py (a JavaScript file, no browser download)
if command -v npm >/dev/null 2>&1 && [ ! -f "$(npm root -g)/axe-core/axe.min.js" ]; then
  npm install -g --silent axe-core >/dev/null 2>&1 || echo "system-deps: npm install of axe-core failed" >&2
fi
exit 0
fi
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v bwrap >/dev/null 2>&1 || need_apt+=(bubblewrap)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if command -v npm >/dev/null 2>&1 && ! command -v configurable-http-proxy >/dev/null 2>&1; then
  npm install -g --silent configurable-http-proxy >/dev/null 2>&1 || echo "system-deps: npm install of configurable-http-proxy failed" >&2
fi
# axe-core scans the lessons' content in tests/test_browser.py (a JavaScript file, no browser download)
if command -v npm >/dev/null 2>&1 && [ ! -f "$(npm root -g)/axe-core/axe.min.js" ]; then
  npm install -g --silent axe-core >/dev/null 2>&1 || echo "system-deps: npm install of axe-core failed" >&2
fi
exit 0
