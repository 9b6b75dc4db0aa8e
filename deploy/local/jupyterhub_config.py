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
PP_HUB_LEAN                0: start servers and kernels the stock way (default 1).
PP_HUB_ZYGOTE              0: start each kernel as its own process instead of forking it from
                           the warm template (default 1; needs PP_HUB_LEAN).

The settings every deployment shares (reserved server ports and Unix-socket kernels, which fix
two races that stock settings lose when a class logs in at once; student and instructor Jupyter
settings) come from ../jupyterhub_config.d/productive_places.py, loaded at the end.
"""

import os
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
# Lean start-up (course._student): the server and each kernel defer one costly import.
# PP_HUB_LEAN=0 starts them the stock way, to measure the difference.
LEAN = os.environ.get("PP_HUB_LEAN", "1") != "0"
if LEAN:
    from course._student import SERVER_LAUNCH

    c.Spawner.cmd = [sys.executable, "-c", SERVER_LAUNCH]
else:
    c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.args = ["--allow-root"] if os.geteuid() == 0 else []
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 240
c.JupyterHub.concurrent_spawn_limit = 200
c.Spawner.environment = {
    "COURSE_ID": "productive-places",
    "NBGRADER_EXCHANGE_ROOT": str(EXCHANGE),
}
if LEAN:  # the python3 kernelspec that starts kernels through course._kernel
    c.Spawner.environment["JUPYTER_PATH"] = str(HERE.parent / "jupyter")

# Kernels forked from a warm template (course/_zygote.py): one template process, a managed
# service the hub starts with itself and restarts if it dies, imports pandas, Altair, ipywidgets
# and ipykernel once; each student's kernel is a fork of it, so those pages are shared
# copy-on-write. The kernelspec in local/jupyter selects the provisioner that asks it; without a
# running template the provisioner starts kernels the ordinary way. Only this hub does this: its
# students already share one Unix user (see deploy/README.md, "Kernels forked from a template",
# for what is shared and why TLJH and Kubernetes do not). PP_HUB_ZYGOTE=0 switches it off.
ZYGOTE = LEAN and os.environ.get("PP_HUB_ZYGOTE", "1") != "0"
SERVICES = []
if ZYGOTE:
    from course._zygote import ENV_SOCKET, ZYGOTE_LAUNCH

    zygote_socket = str(STATE / "z" / "sock")  # the template makes "z" private (0700)
    SERVICES.append({"name": "kernel-template", "command": [sys.executable, "-c", ZYGOTE_LAUNCH],
                     "environment": {ENV_SOCKET: zygote_socket,
                                     "COURSE_CACHE_DIR": str(STATE / "cache")},
                     "cwd": str(STATE)})
    c.Spawner.environment[ENV_SOCKET] = zygote_socket
    c.Spawner.environment["JUPYTER_PATH"] = os.pathsep.join(
        [str(HERE / "jupyter"), str(HERE.parent / "jupyter")])

# Ports handed out in turn, kernels on Unix sockets, student/instructor settings: the settings
# every deployment shares. The student settings come from the repository here (TLJH and the
# Kubernetes image install them for the whole environment instead).
os.environ.setdefault("PP_STUDENT_JUPYTER_CONFIG", str(STUDENT_CONFIG))
os.environ.setdefault("PP_INSTRUCTOR_JUPYTER_CONFIG", str(INSTRUCTOR_CONFIG))
os.environ.setdefault("PP_SERVER_PORTS", os.environ.get("PP_HUB_PORTS", "20000-32000"))
load_subconfig(str(HERE.parent / "jupyterhub_config.d" / "productive_places.py"))  # noqa: F821

# -- the load run's service account -----------------------------------------------------------
if os.environ.get("PP_HUB_SERVICE_TOKEN"):
    SERVICES.append({"name": "loadtest", "api_token": os.environ["PP_HUB_SERVICE_TOKEN"]})
    c.JupyterHub.load_roles = [{
        "name": "loadtest",
        "scopes": ["admin:users", "admin:servers", "tokens", "read:users", "list:users",
                   "admin:groups"],
        "services": ["loadtest"],
    }]
c.JupyterHub.services = SERVICES
