"""A real JupyterHub on one machine, for the test suite, load runs and trying a workshop locally.

Not for production: anyone can log in (DummyAuthenticator) and every user's server runs as the
hub's own Unix user (SimpleLocalProcessSpawner). The production set-ups are ../tljh and
../kubernetes. Everything listens on 127.0.0.1 only.

Run it (from the repository root, with configurable-http-proxy on PATH)::

    PP_HUB_DIR=$(mktemp -d /tmp/pphub.XXXX) jupyterhub -f deploy/local/jupyterhub_config.py

Settings come from environment variables:

PP_HUB_DIR (required)      state: database, cookie secret, homes (<dir>/h/<user>), exchange.
                           Keep it short: kernel sockets live under it (107-character limit).
PP_HUB_PORT                public port (default 8000); the hub API uses +1, the proxy API +2.
PP_HUB_PASSWORD            if set, the shared password every user must give.
PP_HUB_INSTRUCTORS         comma-separated user names who get the instructor tools.
PP_HUB_SERVICE_TOKEN       if set, registers a "loadtest" service with this token and the
                           admin scopes the load run needs.
PP_HUB_PORTS               range of single-user server ports (default 20000-32000).

Two settings fix failures that stock settings produce when many students start at once
(measured: 2 of 25 simultaneous spawns failed without them):

1. each server gets its port from a reserved range, handed out in turn (``pre_spawn_hook``),
   instead of "bind port 0 and release it", which let two servers race for one port;
2. kernels talk over Unix sockets (``--KernelManager.transport=ipc``) instead of TCP ports,
   which raced the same way inside kernels.
"""

import itertools
import os
import socket
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

HERE = Path(__file__).resolve().parent
STUDENT_CONFIG = HERE.parent / "jupyter" / "student"
INSTRUCTOR_CONFIG = HERE.parent / "jupyter" / "instructor"

if not os.environ.get("PP_HUB_DIR"):
    raise SystemExit("Set PP_HUB_DIR to a short, empty folder (e.g. $(mktemp -d /tmp/pphub.XXXX))")
STATE = Path(os.environ["PP_HUB_DIR"]).resolve()
STATE.mkdir(parents=True, exist_ok=True)
PORT = int(os.environ.get("PP_HUB_PORT", "8000"))
EXCHANGE = STATE / "exchange"
EXCHANGE.mkdir(exist_ok=True)
EXCHANGE.chmod(0o1777)  # as on TLJH: everyone writes, only owners delete (sticky bit)
INSTRUCTORS = sorted(u.strip() for u in os.environ.get("PP_HUB_INSTRUCTORS", "").split(",") if u.strip())

# -- network: 127.0.0.1 only ------------------------------------------------------------------
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = PORT
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = PORT + 1
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 2}"
c.Spawner.ip = "127.0.0.1"

# -- state ------------------------------------------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server

# -- who may log in ---------------------------------------------------------------------------
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
if os.environ.get("PP_HUB_PASSWORD"):
    c.DummyAuthenticator.password = os.environ["PP_HUB_PASSWORD"]
c.JupyterHub.load_groups = {"instructors": {"users": INSTRUCTORS}}

# -- single-user servers ----------------------------------------------------------------------
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "h" / "{username}")
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.args = ["--KernelManager.transport=ipc"] + (["--allow-root"] if os.geteuid() == 0 else [])
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 240
c.JupyterHub.concurrent_spawn_limit = 200
c.Spawner.environment = {
    "COURSE_ID": "productive-places",
    "NBGRADER_EXCHANGE_ROOT": str(EXCHANGE),
}

_lo, _hi = (int(p) for p in os.environ.get("PP_HUB_PORTS", "20000-32000").split("-"))
_ports = itertools.cycle(range(_lo, _hi))


def _next_free_port() -> int:
    """The next port of the reserved range that nothing is listening on."""
    for _ in range(_hi - _lo):
        port = next(_ports)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port in {_lo}-{_hi}")


def pre_spawn_hook(spawner):
    """Hand out a port in turn, and the student or instructor Jupyter configuration."""
    spawner.port = _next_free_port()
    home = Path(spawner.home_dir)
    home.mkdir(parents=True, exist_ok=True)
    is_instructor = any(g.name == "instructors" for g in spawner.user.groups)
    # Same layering as on TLJH: the student config for everyone, the instructor's on top.
    config_path = [INSTRUCTOR_CONFIG, STUDENT_CONFIG] if is_instructor else [STUDENT_CONFIG]
    spawner.environment = {
        **spawner.environment,
        "JUPYTER_CONFIG_PATH": os.pathsep.join(str(p) for p in config_path),
        # Short kernel socket paths (Unix sockets are limited to about 107 characters).
        "JUPYTER_RUNTIME_DIR": str(home / ".r"),
    }


c.Spawner.pre_spawn_hook = pre_spawn_hook

# -- the load run's service account -----------------------------------------------------------
if os.environ.get("PP_HUB_SERVICE_TOKEN"):
    c.JupyterHub.services = [{"name": "loadtest", "api_token": os.environ["PP_HUB_SERVICE_TOKEN"]}]
    c.JupyterHub.load_roles = [{
        "name": "loadtest",
        "scopes": ["admin:users", "admin:servers", "tokens", "read:users", "list:users",
                   "admin:groups"],
        "services": ["loadtest"],
    }]
