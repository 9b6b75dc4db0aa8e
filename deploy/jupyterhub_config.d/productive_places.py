"""Hub settings every deployment of the course shares: the local test hub, TLJH and Kubernetes.

The local test hub (deploy/local/jupyterhub_config.py) loads this file, so what the test suite
runs under load is what a workshop hub runs. On TLJH copy it to
/opt/tljh/config/jupyterhub_config.d/; on Kubernetes the Helm values mount it into
/usr/local/etc/jupyterhub/jupyterhub_config.d/ (both load every file there).

1. Students and instructors: members of the hub group ``instructors`` (made in the admin panel,
   with the REST API, or ``c.JupyterHub.load_groups``) start their servers with
   the instructor Jupyter settings layered over the student ones (formgrader, create-assignment
   and the course list switched back on); everyone else gets the student settings only, which
   are installed for the whole environment (nbgrader's assignment list and validate button).
2. Two races that stock settings lose when a class logs in at once (measured: 2 of 25
   simultaneous spawns failed), for hubs whose user servers share one machine's network:
   each server gets its port from a reserved range handed out in turn, instead of "bind port 0
   and release it"; and kernels talk over Unix sockets (``--KernelManager.transport=ipc``)
   instead of racing for TCP ports. Socket paths are limited to about 107 characters, so each
   server keeps its runtime files in ``<home>/.r``.

Settings, from the hub's environment:

PP_INSTRUCTOR_JUPYTER_CONFIG   the instructor settings folder on the machine running user
                               servers (default: where deploy/tljh/install.sh puts it)
PP_STUDENT_JUPYTER_CONFIG      a student settings folder to add for everyone (default: none;
                               TLJH and the image install the student settings env-wide)
PP_SERVER_PORTS                reserved port range, e.g. 20000-32000 (default); "off" when each
                               server has its own network (Kubernetes)
"""

import itertools
import os
import socket

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

INSTRUCTOR_GROUP = "instructors"
INSTRUCTOR_CONFIG = os.environ.get(
    "PP_INSTRUCTOR_JUPYTER_CONFIG", "/opt/tljh/user/share/productive-places/jupyter-instructor"
)
STUDENT_CONFIG = os.environ.get("PP_STUDENT_JUPYTER_CONFIG", "")
PORTS = os.environ.get("PP_SERVER_PORTS", "20000-32000")

if PORTS != "off":
    _lo, _hi = (int(p) for p in PORTS.split("-"))
    _ports = itertools.cycle(range(_lo, _hi))
    c.Spawner.args.extend(["--KernelManager.transport=ipc"])
else:
    _lo = _hi = 0
    _ports = None


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


def _home(spawner) -> str:
    home = getattr(spawner, "home_dir", "")  # SimpleLocalProcessSpawner
    if home:
        return home
    import pwd

    for name in (getattr(spawner, "unix_username", None), f"jupyter-{spawner.user.name}",
                 spawner.user.name):
        if name:
            try:
                return pwd.getpwnam(name).pw_dir
            except KeyError:
                continue
    return ""


def _runtime_dir(spawner) -> str:
    """<home>/.r (short kernel socket paths); empty, so Jupyter's default, if unknown."""
    home = _home(spawner)
    return os.path.join(home, ".r") if home else ""


def productive_places_pre_spawn_hook(spawner):
    """Reserved port (shared machines) and the student or instructor Jupyter settings."""
    if _ports is not None:
        spawner.port = _next_free_port()
    is_instructor = any(g.name == INSTRUCTOR_GROUP for g in spawner.user.groups)
    layers = ([INSTRUCTOR_CONFIG] if is_instructor else []) + ([STUDENT_CONFIG] if STUDENT_CONFIG else [])
    env = dict(spawner.environment)
    if layers:
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(layers)
    else:
        env.pop("JUPYTER_CONFIG_PATH", None)
    if _ports is not None:
        env["JUPYTER_RUNTIME_DIR"] = _runtime_dir  # called by the spawner when it starts
    spawner.environment = env


c.Spawner.pre_spawn_hook = productive_places_pre_spawn_hook
