#!/usr/bin/env bash
# Set up the course on a single machine running The Littlest JupyterHub (TLJH), after TLJH's own
# installer has run. Run as root on the hub machine, from a checkout of this repository:
#
#   sudo INSTRUCTORS="alice bob" bash deploy/tljh/install.sh
#
# Safe to run again (for example after an instructor's first login, to hand them the nbgrader
# exchange folder). UNTESTED HERE: CI has no TLJH machine. tests/test_deploy.py checks its syntax,
# the files it copies and the TLJH settings it uses; the hub settings it installs
# (deploy/jupyterhub_config.d/productive_places.py) are the ones the test hub runs under load.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"   # the repository checkout
USER_ENV="${USER_ENV:-/opt/tljh/user}"                          # TLJH's environment for users
HUB_CONFIG_D="${HUB_CONFIG_D:-/opt/tljh/config/jupyterhub_config.d}"
EXCHANGE="${EXCHANGE:-/srv/nbgrader/exchange}"
COURSE_ID="${COURSE_ID:-productive-places}"
INSTRUCTORS="${INSTRUCTORS:-}"          # hub user names (TLJH's Unix users are jupyter-<name>)
MEMORY="${MEMORY:-1G}"                  # per-user limit; see deploy/README.md "Sizing"
CPU="${CPU:-1}"
CULL_TIMEOUT="${CULL_TIMEOUT:-3600}"    # stop servers idle for an hour

if [ "$(id -u)" != "0" ]; then echo "install.sh: run as root (sudo)" >&2; exit 1; fi
command -v tljh-config >/dev/null || { echo "install.sh: install TLJH first (tljh.jupyter.org)" >&2; exit 1; }
"$USER_ENV/bin/python" -c 'import sys; assert sys.version_info >= (3, 11), sys.version' || {
  echo "install.sh: the course needs Python 3.11+ in $USER_ENV; use a newer TLJH" >&2; exit 1; }

# 1. Hub limits, idle culler, JupyterLab by default.
tljh-config set limits.memory "$MEMORY"
tljh-config set limits.cpu "$CPU"
tljh-config set services.cull.enabled true
tljh-config set services.cull.timeout "$CULL_TIMEOUT"
tljh-config set services.cull.every 300
tljh-config set services.cull.users false
tljh-config set user_environment.default_app jupyterlab

# 2. The course package (with its datasets) and nbgitpuller, pinned by the term's lock file.
#    The wheel holds course/, widgets/ and the datasets, never lessons/. The checkout itself
#    holds solutions, and students on TLJH have a terminal: it must not be readable by them.
if [ $(( 0$(stat -c %a "$here") & 05 )) -ne 0 ]; then
  echo "install.sh: $here is readable by every user (students have a terminal); run" >&2
  echo "install.sh:   chmod 700 '$here'   and keep instructor checkouts private" >&2
  exit 1
fi
"$USER_ENV/bin/pip" install --quiet -c "$here/requirements-lock.txt" "$here" nbgitpuller
"$USER_ENV/bin/python" -c 'import course; course.load("gva_per_hour")'

# 3. Jupyter settings: students everywhere (nbgrader's assignment list and validate button
#    only), instructors on top when the hub starts their server (group "instructors").
cp -R "$here/deploy/jupyter/student/." "$USER_ENV/etc/jupyter/"
mkdir -p "$USER_ENV/share/productive-places"
rm -rf "$USER_ENV/share/productive-places/jupyter-instructor"
cp -R "$here/deploy/jupyter/instructor" "$USER_ENV/share/productive-places/jupyter-instructor"
mkdir -p "$HUB_CONFIG_D"
cp "$here/deploy/jupyterhub_config.d/productive_places.py" "$HUB_CONFIG_D/"
{
  echo "# Written by deploy/tljh/install.sh: who gets the instructor tools."
  printf 'c.JupyterHub.load_groups = {"instructors": {"users": %s}}\n' \
    "$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' $INSTRUCTORS)"
  echo "# Lean start-up (course/_student.py): servers defer one costly import."
  printf 'c.Spawner.cmd = ["%s", "-c", %s]\n' "$USER_ENV/bin/python" \
    "$("$USER_ENV/bin/python" -c 'import json; from course._student import SERVER_LAUNCH as s; print(json.dumps(s))')"
} > "$HUB_CONFIG_D/productive_places_instructors.py"
# ... and kernels too: this python3 kernelspec replaces ipykernel's own in the users' environment.
cp -R "$here/deploy/jupyter/kernels/python3/." "$USER_ENV/share/jupyter/kernels/python3/"

# 4. The nbgrader exchange: everyone may write, nobody may delete or rename another's files
#    (sticky bit). The course folder belongs to the first instructor, made before students can
#    create it; nbgrader sets inbound/ and feedback/ so students cannot list each other's work.
mkdir -p "$EXCHANGE"
chmod 1777 "$EXCHANGE"
first="${INSTRUCTORS%% *}"
if [ -n "$first" ] && id "jupyter-$first" >/dev/null 2>&1; then
  mkdir -p "$EXCHANGE/$COURSE_ID/outbound" "$EXCHANGE/$COURSE_ID/inbound" "$EXCHANGE/$COURSE_ID/feedback"
  chown -R "jupyter-$first" "$EXCHANGE/$COURSE_ID"
  chmod 755 "$EXCHANGE/$COURSE_ID" "$EXCHANGE/$COURSE_ID/outbound"
  chmod 1733 "$EXCHANGE/$COURSE_ID/inbound" "$EXCHANGE/$COURSE_ID/feedback"
elif [ -n "$first" ]; then
  echo "install.sh: $first has not logged in yet; run this again after their first login" >&2
  echo "install.sh: (before students log in) so that the exchange course folder is theirs." >&2
fi

tljh-config reload hub
echo "Done. Instructors: clone the repository into ~/productive-places (chmod 700 ~ first),"
echo "publish the student course with \`course publish\` and share \`course links\` links."
