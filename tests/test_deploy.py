"""The deployment files, checked as far as they can be without a TLJH machine or a cluster.

The hub settings (deploy/local, deploy/jupyterhub_config.d) are loaded exactly as JupyterHub
loads them and every setting is checked against the traits JupyterHub's classes declare; the
hook they install is called with stand-in spawners for each deployment. The Kubernetes values
are checked against the Zero to JupyterHub chart's own schema (tag 4.4.0, copied into
deploy/kubernetes/chart-schema-4.4.0 with its licence) and a stricter hand-written subset; the TLJH script for syntax, the
files it copies and the TLJH settings it uses. Whatever runs for real is in tests/test_hub.py.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import yaml
from conftest import PATIENCE, REPO

from course.grading import (
    DISABLED_LAB_EXTENSIONS,
    DISABLED_SERVER_EXTENSIONS,
    OFFLINE_LAB_EXTENSIONS,
)

DEPLOY = REPO / "deploy"
FRAGMENT = DEPLOY / "jupyterhub_config.d" / "productive_places.py"
K8S = DEPLOY / "kubernetes"
TLJH_INSTALL = DEPLOY / "tljh" / "install.sh"
# Settings of tljh-config that TLJH documents (limits, culler, default app, HTTPS).
TLJH_KEYS = {
    "limits.memory", "limits.cpu", "services.cull.enabled", "services.cull.timeout",
    "services.cull.every", "services.cull.users", "services.cull.max_age",
    "services.cull.concurrency", "user_environment.default_app", "https.enabled",
    "https.letsencrypt.email", "https.letsencrypt.domains",
}


def _load_hub_config(path: Path, env: dict[str, str], monkeypatch):
    """Load a JupyterHub config file as `jupyterhub -f` would, without starting anything."""
    from traitlets.config.loader import PyFileConfigLoader

    for key in ("PP_HUB_DIR", "PP_HUB_PORT", "PP_HUB_PASSWORD", "PP_HUB_INSTRUCTORS",
                "PP_HUB_SERVICE_TOKEN", "PP_HUB_PORTS", "PP_SERVER_PORTS",
                "PP_STUDENT_JUPYTER_CONFIG", "PP_INSTRUCTOR_JUPYTER_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return PyFileConfigLoader(path.name, str(path.parent)).load_config()


def _assert_known_traits(config) -> None:
    """Every `c.Class.trait` set is a configurable trait of that JupyterHub class."""
    from jupyterhub.app import JupyterHub

    classes = {cls.__name__: cls for cls in JupyterHub().classes}
    for section, values in config.items():
        assert section in classes, f"c.{section} is not a JupyterHub class: {sorted(classes)}"
        traits = classes[section].class_traits(config=True)
        unknown = sorted(set(values) - set(traits))
        assert not unknown, f"c.{section} has no setting(s) {unknown}"


def _args(config) -> list[str]:
    """Spawner.args as the hub will see it (a fragment extends it lazily)."""
    args = config.Spawner.args
    return args.get_value([]) if hasattr(args, "get_value") else list(args)


def _spawner(name: str, groups=(), home="/users/x"):
    user = SimpleNamespace(name=name, groups=[SimpleNamespace(name=g) for g in groups])
    return SimpleNamespace(user=user, environment={"COURSE_ID": "productive-places"}, port=0,
                           home_dir=home)


def test_local_hub_config_loads_with_known_settings_on_127_0_0_1(tmp_path, monkeypatch):
    config = _load_hub_config(DEPLOY / "local" / "jupyterhub_config.py",
                              {"PP_HUB_DIR": str(tmp_path / "hub"), "PP_HUB_PORT": "18500",
                               "PP_HUB_SERVICE_TOKEN": "x" * 32, "PP_HUB_INSTRUCTORS": "teacher"},
                              monkeypatch)
    _assert_known_traits(config)
    hub = config.JupyterHub
    assert hub.ip == hub.hub_ip == config.Spawner.ip == "127.0.0.1"
    assert config.ConfigurableHTTPProxy.api_url.startswith("http://127.0.0.1:")
    assert hub.authenticator_class == "dummy" and config.Authenticator.allow_all is True
    assert hub.spawner_class == "simple"
    assert "--KernelManager.transport=ipc" in _args(config)
    assert callable(config.Spawner.pre_spawn_hook)
    assert hub.load_groups == {"instructors": {"users": ["teacher"]}}
    assert oct((tmp_path / "hub" / "exchange").stat().st_mode & 0o7777) == "0o1777"


def test_shared_hub_settings_per_deployment(monkeypatch):
    # TLJH (defaults): reserved ports, Unix-socket kernels, instructor settings where
    # install.sh puts them.
    tljh = _load_hub_config(FRAGMENT, {}, monkeypatch)
    _assert_known_traits(tljh)
    assert "--KernelManager.transport=ipc" in _args(tljh)
    hook = tljh.Spawner.pre_spawn_hook
    student, teacher = _spawner("sam"), _spawner("ada", groups=["instructors"])
    hook(student)
    hook(teacher)
    assert 20000 <= student.port < 32000 and 20000 <= teacher.port < 32000
    assert student.port != teacher.port, "two servers were given the same port"
    assert "JUPYTER_CONFIG_PATH" not in student.environment  # env-wide student settings only
    installed = "/opt/tljh/user/share/productive-places/jupyter-instructor"
    assert teacher.environment["JUPYTER_CONFIG_PATH"] == installed
    assert '$USER_ENV/share/productive-places/jupyter-instructor' in TLJH_INSTALL.read_text()
    assert student.environment["JUPYTER_RUNTIME_DIR"](student) == "/users/x/.r"
    assert student.environment["COURSE_ID"] == "productive-places"  # kept

    # Kubernetes: no port range, no ipc; the instructor settings at the image's path.
    values = yaml.safe_load((K8S / "values.yaml").read_text())
    k8s = _load_hub_config(FRAGMENT, {k: str(v) for k, v in values["hub"]["extraEnv"].items()},
                           monkeypatch)
    assert "--KernelManager.transport=ipc" not in _args(k8s)
    teacher = _spawner("ada", groups=["instructors"])
    k8s.Spawner.pre_spawn_hook(teacher)
    assert teacher.port == 0
    image_path = values["hub"]["extraEnv"]["PP_INSTRUCTOR_JUPYTER_CONFIG"]
    assert teacher.environment["JUPYTER_CONFIG_PATH"] == image_path
    # ... which is where postBuild puts it under repo2docker's NB_PYTHON_PREFIX.
    assert image_path == "/srv/conda/envs/notebook/share/productive-places/jupyter-instructor"
    assert '"${NB_PYTHON_PREFIX}/share/productive-places/jupyter-instructor"' in (
        REPO / "postBuild").read_text()


def test_student_and_instructor_jupyter_settings_are_consistent():
    student, instructor = DEPLOY / "jupyter" / "student", DEPLOY / "jupyter" / "instructor"
    s_lab = json.loads((student / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    i_lab = json.loads((instructor / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    hidden = {k for k, v in s_lab.items() if v}
    nbgrader_hidden = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                       "@jupyter/nbgrader:course-list"}
    # Workshop labs are offline: no "Jupyter news?" prompt that goes online after a "Yes".
    assert hidden == nbgrader_hidden | {"@jupyterlab/apputils-extension:announcements"}
    assert set(OFFLINE_LAB_EXTENSIONS) <= hidden
    assert hidden <= set(DISABLED_LAB_EXTENSIONS)  # `make lab` hides these and more
    assert i_lab == {k: False for k in nbgrader_hidden}, (
        "instructors get back exactly the nbgrader tools students lose (and stay offline)")

    (s_file,) = (student / "jupyter_server_config.d").glob("*.json")
    (i_file,) = (instructor / "jupyter_server_config.d").glob("*.json")
    s_srv = json.loads(s_file.read_text())["ServerApp"]["jpserver_extensions"]
    i_srv = json.loads(i_file.read_text())["ServerApp"]["jpserver_extensions"]
    assert {k for k, v in s_srv.items() if v is False} == {
        "nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"}
    assert set(s_srv) <= set(DISABLED_SERVER_EXTENSIONS)
    assert i_srv == {k: True for k in s_srv}
    # Loaded after nbgrader's own file in the same folder ("zz-" sorts last).
    assert s_file.name.startswith("zz-") and i_file.name.startswith("zz-")

    # The plugin ids exist in the installed nbgrader JupyterLab extension.
    from jupyter_core.paths import jupyter_path

    bundles = [p for d in jupyter_path("labextensions")
               for p in Path(d, "@jupyter", "nbgrader", "static").glob("*.js")]
    if bundles:
        code = "".join(p.read_text(errors="ignore") for p in bundles)
        for plugin in nbgrader_hidden:
            assert f'"{plugin}"' in code, f"{plugin} is not a plugin of the installed nbgrader"
    # ... and the announcements plugin id exists in the installed JupyterLab.
    import jupyterlab

    core = "".join(p.read_text(errors="ignore")
                   for p in (Path(jupyterlab.__file__).parent / "static").glob("*.js"))
    for plugin in OFFLINE_LAB_EXTENSIONS:
        assert f'"{plugin}"' in core, f"{plugin} is not a plugin of the installed JupyterLab"


def test_kubernetes_values_match_the_chart_schema():
    schema = yaml.safe_load((K8S / "values.schema.yaml").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    for name in ("values.yaml", "values-ngshare.yaml"):
        values = yaml.safe_load((K8S / name).read_text())
        errors = [f"{'.'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(values)]
        assert not errors, f"{name}: {errors}"
    # The schema bites: a misspelt key or a wrong type is refused.
    values = yaml.safe_load((K8S / "values.yaml").read_text())
    values["singleuser"]["memroy"] = {"limit": "1G"}
    assert not validator.is_valid(values)
    values = yaml.safe_load((K8S / "values.yaml").read_text())
    values["cull"]["timeout"] = "an hour"
    assert not validator.is_valid(values)


CHART_SCHEMA = K8S / "chart-schema-4.4.0"


def _without_required(schema: dict) -> dict:
    """The schema less the ``required`` lists of the chart's own settings (the root object and
    every object reached through ``properties``): Helm validates the chart's defaults merged with
    a values file, and those defaults supply the keys a workshop's file leaves out. Required keys
    of entries the file itself adds (``extraFiles.<name>.mountPath``, the ``oneOf`` choices) stay.
    """
    schema = {k: v for k, v in schema.items() if k != "required"}
    if isinstance(schema.get("properties"), dict):
        schema["properties"] = {k: _without_required(v) if isinstance(v, dict) else v
                                for k, v in schema["properties"].items()}
    return schema


def _chart_validator() -> jsonschema.Draft7Validator:
    schema = yaml.safe_load((CHART_SCHEMA / "values.schema.yaml").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(_without_required(schema))


def test_chart_schema_copy_is_the_published_one_with_its_licence():
    import hashlib

    sources = (CHART_SCHEMA / "SOURCES.md").read_text()
    for name in ("values.schema.yaml", "LICENSE"):
        digest = hashlib.sha256((CHART_SCHEMA / name).read_bytes()).hexdigest()
        assert f"sha256 {digest}" in sources, f"{name} differs from the copy SOURCES.md describes"
    assert "tag 4.4.0" in sources and "BSD 3-Clause" in (CHART_SCHEMA / "LICENSE").read_text()
    # The chart version the README and values.yaml install accepts the schema's version.
    from packaging.version import Version

    (chart,) = set(re.findall(r'--version "([^"]+)"', (K8S / "README.md").read_text()))
    floor = Version(chart.lstrip("^~"))
    assert chart.startswith("^") and floor.major == 4 and floor <= Version("4.4.0"), chart


def test_kubernetes_values_validate_against_the_real_chart_schema():
    validator = _chart_validator()
    for name in ("values.yaml", "values-ngshare.yaml"):
        values = yaml.safe_load((K8S / name).read_text())
        errors = [f"{'.'.join(map(str, e.path)) or '(top)'}: {e.message}"
                  for e in validator.iter_errors(values)]
        assert not errors, f"{name} against the Zero to JupyterHub 4.4.0 schema: {errors}"


def test_real_chart_schema_refuses_unknown_keys_and_wrong_types():
    validator = _chart_validator()
    base = yaml.safe_load((K8S / "values.yaml").read_text())
    bad = {
        "a misspelt top-level key": ("singleuzer", None, {"memory": {"limit": "1G"}}),
        "a misspelt nested key": ("singleuser", "memroy", {"limit": "1G"}),
        "a key the chart does not have": ("hub", "concurrentSpawnLimits", 100),
        "a number given as text": ("hub", "concurrentSpawnLimit", "a hundred"),
        "a boolean given as text": ("cull", "enabled", "yes"),
        "seconds given as words": ("cull", "timeout", "an hour"),
        "a path given as a list": ("singleuser", "defaultUrl", ["/lab"]),
    }
    for what, (section, key, value) in bad.items():
        values = yaml.safe_load(yaml.safe_dump(base))
        if key is None:
            values[section] = value
        else:
            values.setdefault(section, {})[key] = value
        assert not validator.is_valid(values), f"the chart's schema accepted {what}"


def test_kubernetes_values_carry_the_course_settings():
    values = yaml.safe_load((K8S / "values.yaml").read_text())
    single = values["singleuser"]
    assert single["memory"] == {"guarantee": "512M", "limit": "1G"}
    assert re.search(r'MEMORY="\$\{MEMORY:-1G\}"', TLJH_INSTALL.read_text()), "same limit on TLJH"
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] == 3600
    assert values["prePuller"]["hook"]["enabled"] and values["prePuller"]["continuous"]["enabled"]
    assert single["storage"]["homeMountPath"] == "/home/jovyan"  # repo2docker's user
    # The shared hub settings go in with --set-file, into the folder the hub loads.
    (key, spec), = values["hub"]["extraFiles"].items()
    assert spec["mountPath"] == "/usr/local/etc/jupyterhub/jupyterhub_config.d/productive_places.py"
    flag = f"--set-file hub.extraFiles.{key}.stringData=deploy/jupyterhub_config.d/productive_places.py"
    for doc in (K8S / "README.md", K8S / "values.yaml"):
        assert flag in doc.read_text(), f"{doc.name} must show {flag}"
    assert (REPO / "deploy/jupyterhub_config.d/productive_places.py").is_file()
    assert values["hub"]["config"]["JupyterHub"]["load_groups"]["instructors"]["users"]


# Zero to JupyterHub chart major version -> the JupyterHub major version its hub runs
# (chart 3.x: JupyterHub 4.x; chart 4.x: JupyterHub 5.x, e.g. 4.2.0 ships 5.3 and 4.3.3 ships 5.4.4).
CHART_HUB_MAJOR = {3: 4, 4: 5}


def _majors(spec) -> set[int]:
    """The major versions of JupyterHub a version specifier lets in."""
    return {major for major in range(1, 12) for minor in range(10)
            if spec.contains(f"{major}.{minor}.0") or spec.contains(f"{major}.{minor}.9")}


def test_kubernetes_image_pins_jupyterhub_to_the_charts_hub_version():
    from packaging.requirements import Requirement

    readme, values = (K8S / "README.md").read_text(), (K8S / "values.yaml").read_text()
    charts = set(re.findall(r'--version "([^"]+)"', readme + values))
    assert len(charts) == 1, f"README.md and values.yaml must name the same chart version: {charts}"
    (chart,) = charts
    match = re.fullmatch(r"[\^~]?(\d+)\.\d+\.\d+", chart)
    assert match, f"chart version {chart!r}: an exact version or a ^/~ range within one major"
    hub_major = CHART_HUB_MAJOR[int(match.group(1))]

    # The image's jupyterhub: pinned in the repo2docker build command to the hub's major version.
    (pin,) = re.findall(r"--appendix '[^']*pip install[^']*\"(jupyterhub[^\"]+)\"'", readme)
    requirement = Requirement(pin)
    assert requirement.name == "jupyterhub"
    assert _majors(requirement.specifier) == {hub_major}, (
        f"the image pins {pin}, but chart {chart} runs JupyterHub {hub_major}.x in the hub")
    assert pin.replace(" ", "") in values.replace(" ", ""), "values.yaml names a different pin"
    # ... and the pin is one the course's own range (environment.yml, pyproject.toml) allows.
    (course_range,) = re.findall(r"^\s*- (jupyterhub[<>=!~].*)$",
                                 (REPO / "environment.yml").read_text(), re.M)
    course_spec = Requirement(course_range).specifier
    versions = [f"{major}.{minor}.{patch}" for major in range(1, 12) for minor in range(10)
                for patch in (0, 9)]
    pinned = [v for v in versions if requirement.specifier.contains(v)]
    assert pinned and all(course_spec.contains(v) for v in pinned), (
        f"the image's {pin} lets in versions environment.yml's {course_range} does not")


def test_tljh_install_script_syntax_files_and_settings():
    subprocess.run(["bash", "-n", str(TLJH_INSTALL)], check=True, timeout=PATIENCE)
    text = TLJH_INSTALL.read_text()
    for rel in re.findall(r'"\$here/([^"$]+)"', text):
        assert (REPO / rel.rstrip("/.")).exists(), f"install.sh copies {rel}, which is missing"
    keys = set()
    for line in text.splitlines():
        if line.strip().startswith("tljh-config set "):
            keys.add(shlex.split(line)[2])
    assert keys and keys <= TLJH_KEYS, f"unknown tljh-config settings: {keys - TLJH_KEYS}"
    assert "chmod 1777" in text and "chmod 1733" in text, "exchange permissions"
    assert "requirements-lock.txt" in text


def test_deploy_files_parse_and_hold_no_paths_of_this_machine():
    for path in sorted(DEPLOY.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        text = path.read_text()
        if path.suffix in (".yaml", ".yml"):
            yaml.safe_load(text)
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".py":
            compile(text, str(path), "exec")
        assert not re.search(r"(?<![\w.])/(work|root|tmp/pytest)/", text), f"a local path in {path}"
    for script in ("postBuild", "start"):
        assert not re.search(r"/(work|root)/", (REPO / script).read_text())
