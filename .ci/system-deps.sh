#!/usr/bin/env bash
# The system tools the test suite needs beyond Python packages, on Debian or Ubuntu.
# Safe to run twice; installs only what is missing. Runs only as root; elsewhere the suites
# that need a missing tool skip with a loud reason, `make test` ends with one line saying
# which checks were skipped and why, and under CI (CI=true or COURSE_STRICT=1) they fail.
#
#   chromium                  headless browser for tests/test_browser.py and tests/test_site.py
#   bubblewrap (bwrap)        the grading sandbox: file and network isolation per submission
#   git                       the hub tests pull lessons with nbgitpuller
#   nodejs, npm               to install the two npm packages below
#   configurable-http-proxy   JupyterHub's proxy, for tests/test_hub.py
#   axe-core                  the accessibility checker the site's browser test injects
set -uo pipefail
if [ "$(id -u)" != "0" ]; then
  echo "system-deps: not root, skipping Debian/npm installs (run: sudo bash .ci/system-deps.sh)" >&2
  exit 0
fi
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v bwrap >/dev/null 2>&1 || need_apt+=(bubblewrap)
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null \
    || echo "system-deps: apt-get install ${need_apt[*]} failed" >&2
fi
if command -v npm >/dev/null 2>&1; then
  need_npm=()
  command -v configurable-http-proxy >/dev/null 2>&1 || need_npm+=(configurable-http-proxy)
  [ -f "$(npm root -g)/axe-core/axe.min.js" ] || need_npm+=(axe-core@4)
  if [ ${#need_npm[@]} -gt 0 ]; then
    npm install -g --silent "${need_npm[@]}" >/dev/null 2>&1 \
      || echo "system-deps: npm install -g ${need_npm[*]} failed" >&2
  fi
fi
exit 0
