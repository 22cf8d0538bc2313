"""Glue for running the course on JupyterHub with nbgrader's exchange (``make hub``).

JupyterHub, its LocalProcessSpawner, configurable-http-proxy and nbgrader do the work;
this module only prepares the machine and starts and stops the hub:

* :func:`setup` (``make hub-setup``, as root; idempotent, quick when done) builds the hub
  environment from Debian's ``/usr/bin/python3.11`` in ``/opt/mlops-course/venv`` (the
  administrator's own Python lives in a folder other users cannot enter), installs the
  proxy with ``npm ci``, writes the users' nbgrader configuration, creates nbgrader's
  exchange (world-writable with the sticky bit, as nbgrader documents) and the Unix
  accounts of the instructor and the students, each with a course folder.
* :class:`Hub` starts JupyterHub with ``hub/jupyterhub_config.py`` on free loopback
  ports, and talks to it and to users' servers over their REST APIs (with a service
  token); :meth:`Hub.run_as` runs a shell command in a user's own server through a
  Jupyter terminal, i.e. as that user, with that user's environment.
"""
from __future__ import annotations

import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from ..notebook import TELEMETRY_OFF
from ..services import HOST, PortInUseError, ServerStartError, free_port, log_tail, port_in_use, wait_until_healthy

PREFIX = Path(os.environ.get("MLOPS_HUB_PREFIX", "/opt/mlops-course"))
SYSTEM_PYTHON = Path(os.environ.get("MLOPS_HUB_PYTHON", "/usr/bin/python3.11"))
HUB_DIR = paths.ROOT / "hub"
DEFAULT_EXCHANGE = Path("/srv/nbgrader/exchange")
COURSE_FOLDER = "mlops-course"  # in each user's home; MLOPS_COURSE_ROOT of their server
NOT_COPIED = {".git", ".venv", "build", ".pytest_cache", "mlruns", "__pycache__", ".ipynb_checkpoints"}
STUDENT_FILES = ("notebooks", "data")  # lessons and their data; the package is in the environment


def instructor_files() -> tuple[str, ...]:
    """The course repository as the instructor works with it (sources, grader_config.py...)."""
    return tuple(sorted(p.name for p in paths.ROOT.iterdir()
                        if p.name not in NOT_COPIED and not p.name.endswith(".egg-info")))


class HubSetupError(RuntimeError):
    """The machine cannot host the course hub; the message says what to do."""


@dataclass
class Users:
    """Unix accounts of the class (nbgrader's student ids are the user names)."""

    instructor: str = "mlops-instructor"
    students: list[str] = field(default_factory=lambda: ["mlops-student1", "mlops-student2", "mlops-student3"])

    @property
    def all(self) -> list[str]:
        return [self.instructor, *self.students]


def venv_bin() -> Path:
    return PREFIX / "venv" / "bin"


# -- setup ---------------------------------------------------------------------------
def _run(cmd: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        noise = re.compile(r"^WARNING: Location|^npm warn Unknown user config")
        log = "\n".join(line for line in (done.stdout + done.stderr).splitlines() if not noise.search(line))
        raise HubSetupError(f"{what} failed ({' '.join(map(str, cmd[:3]))} ...):\n{log[-3000:]}")
    return done


def _digest(*files: Path) -> str:
    sha = hashlib.sha256()
    for f in files:
        sha.update(f.name.encode() + f.read_bytes())
    return sha.hexdigest()


def check_machine() -> None:
    """Root, Debian's python3.11 with venv, npm: install what is missing or say what to do."""
    if os.geteuid() != 0:
        raise HubSetupError("the course hub needs root: it creates Unix users, /opt/mlops-course and the "
                            "exchange, and JupyterHub's LocalProcessSpawner switches to each user. "
                            "Run `sudo make hub-setup` (or `sudo make hub`).")
    missing = []
    if not SYSTEM_PYTHON.exists() or subprocess.run([SYSTEM_PYTHON, "-c", "import ensurepip, venv"],
                                                    capture_output=True).returncode != 0:
        missing.append(f"python{SYSTEM_PYTHON.name[len('python'):]}-venv" if SYSTEM_PYTHON.exists() else "python3.11-venv")
    if not shutil.which("npm"):
        missing.append("npm")
    if not shutil.which("useradd") or not shutil.which("runuser"):
        missing.append("passwd util-linux")
    if not missing:
        return
    if not shutil.which("apt-get"):
        raise HubSetupError(f"missing system packages: {' '.join(missing)}; install them with your package manager.")
    print(f"installing {' '.join(missing)} with apt-get ...", flush=True)
    _run(["apt-get", "update", "-qq"], "apt-get update")
    _run(["apt-get", "install", "-y", "-qq", *" ".join(missing).split()], "apt-get install")


def lock_constraints(python_version: str) -> tuple[list[str], list[str]]:
    """Pins of ``requirements.lock`` that the hub's Python can install, and those it cannot.

    The lock is made with the administrator's Python; a pin whose ``Requires-Python``
    excludes Debian's (soupsieve 4.1.2 needs 3.11.5, Debian 12 has 3.11.2) is left to pip.
    The ``Requires-Python`` of each pinned version is read from this environment's
    metadata (the course environment is installed from the same lock).
    """
    import importlib.metadata as metadata

    from packaging.specifiers import SpecifierSet

    kept, dropped = [], []
    for line in (paths.ROOT / "requirements.lock").read_text().splitlines():
        if "==" not in line or line.startswith("#"):
            continue
        name = line.split("==")[0].strip()
        try:
            requires = metadata.metadata(name).get("Requires-Python")
        except metadata.PackageNotFoundError:
            requires = None
        if requires and not SpecifierSet(requires).contains(python_version):
            dropped.append(f"{line.strip()} (needs Python {requires})")
        else:
            kept.append(line.strip())
    return kept, dropped


def install_environment() -> None:
    """The hub environment: the course package with its dependencies and the ``hub`` extra."""
    venv = PREFIX / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv} from {SYSTEM_PYTHON} ...", flush=True)
        _run([SYSTEM_PYTHON, "-m", "venv", venv], "creating the hub environment")
    # Two stamps: the dependencies change with the lock, the course package more often.
    deps_stamp, package_stamp = venv / ".mlops-course-dependencies", venv / ".mlops-course-package"
    deps = _digest(paths.ROOT / "requirements.lock", paths.ROOT / "pyproject.toml")
    package_files = sorted((paths.ROOT / "mlops_course").rglob("*.py")) + sorted((paths.ROOT / "mlops_course").rglob("*.md"))
    package = _digest(*package_files)
    fresh_deps = deps_stamp.exists() and deps_stamp.read_text() == deps
    if fresh_deps and package_stamp.exists() and package_stamp.read_text() == package:
        return
    with tempfile.TemporaryDirectory() as tmp:
        # Build from a copy: an in-tree build would leave build/ and egg-info in the course folder.
        source = Path(tmp) / "src"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(paths.ROOT / name, source / name)
        shutil.copytree(paths.ROOT / "mlops_course", source / "mlops_course",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        if not fresh_deps:
            version = _run([python, "-c", "import platform; print(platform.python_version())"], "python").stdout.strip()
            kept, dropped = lock_constraints(version)
            constraints = Path(tmp) / "constraints.txt"
            constraints.write_text("\n".join(kept) + "\n")
            print(f"installing the course environment into {venv} (first time: about 3 minutes, 3 GB) ...", flush=True)
            if dropped:
                print(f"  not installable on Python {version}, pip picks another version: {', '.join(dropped)}")
            _run([*pip, "-c", constraints, f"{source}[hub]"], "installing the hub environment")
            _run([python, "-m", "pip", "check"], "pip check of the hub environment")
            deps_stamp.write_text(deps)
        _run([*pip, "--no-deps", "--force-reinstall", str(source)], "installing the course package")
    package_stamp.write_text(package)


def install_user_config() -> None:
    """Every user's nbgrader and Jupyter Server read the environment-wide configuration."""
    folder = PREFIX / "venv" / "etc" / "jupyter"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("nbgrader_config.py", "jupyter_server_config.py"):
        shutil.copy2(HUB_DIR / name, folder / name)
        (folder / name).chmod(0o644)


def install_proxy() -> None:
    """configurable-http-proxy from ``hub/proxy/package-lock.json`` with ``npm ci``."""
    folder = PREFIX / "proxy"
    binary = folder / "node_modules" / ".bin" / "configurable-http-proxy"
    lock = HUB_DIR / "proxy" / "package-lock.json"
    if binary.exists() and (folder / "package-lock.json").exists() and \
            (folder / "package-lock.json").read_bytes() == lock.read_bytes():
        return
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(HUB_DIR / "proxy" / name, folder / name)
    print(f"installing configurable-http-proxy into {folder} ...", flush=True)
    _run(["npm", "ci", "--no-audit", "--no-fund", "--omit=dev"], "npm ci of configurable-http-proxy", cwd=folder)


def make_exchange(exchange: Path) -> None:
    """nbgrader's exchange: everyone may create entries, nobody may delete others' (1777)."""
    exchange.mkdir(parents=True, exist_ok=True)
    for parent in reversed(exchange.parents):  # every user must be able to reach it
        if parent != Path("/") and parent.stat().st_mode & 0o005 != 0o005:
            raise HubSetupError(f"{parent} is not open to other users (mode {parent.stat().st_mode & 0o777:o}); "
                                f"choose an exchange folder that every user can reach")
    exchange.chmod(0o1777)


def _copy_owned(source: Path, target: Path, user: str) -> None:
    if target.exists():
        return  # the user's own copy: never overwritten
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(*NOT_COPIED, "*.egg-info"))
    else:
        shutil.copy2(source, target)
    _run(["chown", "-R", f"{user}:{user}", target], f"giving {target} to {user}")


def make_user(name: str, course_files: tuple[str, ...]) -> Path:
    """A Unix account with a private home and a course folder; returns the home."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        _run(["useradd", "--create-home", "--shell", "/bin/bash", "--user-group", name], f"creating user {name}")
    home = Path(pwd.getpwnam(name).pw_dir)
    home.chmod(0o700)  # other students (and their code) cannot read it
    course = home / COURSE_FOLDER
    if not course.exists():
        course.mkdir()
        _run(["chown", f"{name}:{name}", course], f"giving {course} to {name}")
    for item in course_files:
        _copy_owned(paths.ROOT / item, course / item, name)
    return home


def install() -> None:
    """The software of the course hub: environment, user configuration, proxy (no accounts)."""
    os.umask(0o022)  # everything installed must be readable by the users
    check_machine()
    PREFIX.mkdir(parents=True, exist_ok=True)
    PREFIX.chmod(0o755)
    install_environment()
    install_user_config()
    install_proxy()


#: Week 11's Airflow for every user of the hub (its pins conflict with the course lock, so
#: it has an environment of its own); the spawner points MLOPS_AIRFLOW_VENV at it.
AIRFLOW_VENV = PREFIX / "airflow-venv"


def install_airflow() -> None:
    """Week 11's Airflow environment, shared by the class (about a minute the first time)."""
    from ..pipeline import ensure_airflow

    os.umask(0o022)
    ensure_airflow(venv=AIRFLOW_VENV, python=SYSTEM_PYTHON)


def setup(users: Users, exchange: Path = DEFAULT_EXCHANGE) -> None:
    """Prepare the machine for the course hub (idempotent; quick when nothing changed)."""
    install()
    install_airflow()
    make_exchange(exchange)
    make_user(users.instructor, instructor_files())
    for student in users.students:
        make_user(student, STUDENT_FILES)


def remove_users(names: list[str]) -> None:
    """Delete accounts made for a test, with their homes."""
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        _run(["userdel", "--remove", name], f"removing user {name}")


# -- the running hub ---------------------------------------------------------------
class Hub:
    """A running JupyterHub; use as a context manager (stops the hub and every server)."""

    def __init__(self, users: Users, state: Path, exchange: Path = DEFAULT_EXCHANGE,
                 port: int | None = None, password: str | None = None, service_token: bool = False):
        self.users, self.state, self.exchange = users, state, exchange
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.password = password or secrets.token_urlsafe(12)
        self.token = secrets.token_hex(32) if service_token else None
        self.log = state / "jupyterhub.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> "Hub":
        self.state.mkdir(parents=True, exist_ok=True)
        self.state.chmod(0o700)
        env = {
            "PATH": f"{venv_bin()}:/usr/local/bin:/usr/bin:/bin", "HOME": str(self.state),
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "MLOPS_HUB_PREFIX": str(PREFIX), "MLOPS_HUB_STATE": str(self.state),
            "MLOPS_HUB_PORT": str(self.port), "MLOPS_HUB_API_PORT": str(free_port()),
            "MLOPS_HUB_PROXY_API_PORT": str(free_port()),
            "MLOPS_HUB_INSTRUCTOR": self.users.instructor, "MLOPS_HUB_STUDENTS": ",".join(self.users.students),
            "MLOPS_HUB_PASSWORD": self.password, "MLOPS_HUB_EXCHANGE": str(self.exchange),
            **TELEMETRY_OFF,
        }
        if self.token:
            env["MLOPS_HUB_SERVICE_TOKEN"] = self.token
        if os.environ.get("MLOPS_HUB_MLFLOW_URI"):  # the class's shared MLflow server (week 08)
            env["MLOPS_HUB_MLFLOW_URI"] = os.environ["MLOPS_HUB_MLFLOW_URI"]
        command = [str(venv_bin() / "jupyterhub"), "-f", str(HUB_DIR / "jupyterhub_config.py")]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=self.state, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        try:
            wait_until_healthy(self.process, f"{self.url}/hub/api/", "JupyterHub", self.log, timeout, interval=0.5)
        except BaseException:  # not up in time, or interrupted while starting: leave nothing behind
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM lets JupyterHub stop every user's server and the proxy; then make sure."""
        if not self.process or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> "Hub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- REST ------------------------------------------------------------------------
    def _headers(self) -> dict:
        if not self.token:
            raise RuntimeError("this hub was started without a service token (service_token=True)")
        return {"Authorization": f"token {self.token}"}

    def api(self, method: str, path: str, **kwargs):
        """Call the hub's REST API (``/hub/api/<path>``) as the service."""
        import requests

        response = requests.request(method, f"{self.url}/hub/api/{path}", headers=self._headers(), timeout=60, **kwargs)
        if not response.ok:
            raise RuntimeError(f"hub API {method} {path}: HTTP {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None

    def start_server(self, user: str, timeout: float = 150) -> None:
        """Spawn ``user``'s single-user server and wait until it is ready."""
        self.api("POST", f"users/{user}/server")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.api("GET", f"users/{user}")["servers"].get("", {})
            if server.get("ready"):
                return
            time.sleep(0.5)
        raise ServerStartError(f"the server of {user} was not ready within {timeout:.0f} s:\n{log_tail(self.log)}")

    def server(self, user: str, method: str, path: str, **kwargs):
        """Call ``user``'s single-user server (``/user/<user>/<path>``) through the proxy."""
        import requests

        response = requests.request(method, f"{self.url}/user/{user}/{path}", headers=self._headers(),
                                    timeout=300, **kwargs)
        if not response.ok:
            raise RuntimeError(f"{user}'s server {method} {path}: HTTP {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None

    def run_as(self, user: str, command: str, timeout: float = 300) -> tuple[int, str]:
        """Run ``command`` in a terminal of ``user``'s server; return (exit code, output)."""
        from tornado.httpclient import HTTPRequest
        from tornado.ioloop import IOLoop
        from tornado.websocket import websocket_connect

        name = self.server(user, "POST", "api/terminals")["name"]
        marker = "__MLOPS_EXIT"
        url = f"ws://{HOST}:{self.port}/user/{user}/terminals/websocket/{name}"

        async def talk() -> tuple[int, str]:
            conn = await websocket_connect(HTTPRequest(url, headers=self._headers()))
            # The echo of this line shows '$?', the output the number: only the output matches.
            conn.write_message(json.dumps(["stdin", f"{command}; echo {marker}_$?_\r"]))
            output, deadline = "", time.monotonic() + timeout
            while time.monotonic() < deadline:
                message = await conn.read_message()
                if message is None:
                    break
                kind, *data = json.loads(message)
                if kind == "stdout":
                    output += data[0]
                    found = re.search(rf"{marker}_(\d+)_", output)
                    if found:
                        conn.close()
                        return int(found.group(1)), output[: found.start()]
            conn.close()
            raise TimeoutError(f"`{command}` as {user} did not finish within {timeout:.0f} s; output:\n{output[-2000:]}")

        try:
            return IOLoop.current().run_sync(talk, timeout=timeout + 10)
        finally:
            self.server(user, "DELETE", f"api/terminals/{name}")


# -- make hub ------------------------------------------------------------------------
def serve(users: Users, port: int = 0, exchange: Path = DEFAULT_EXCHANGE) -> int:
    """``make hub``: start the hub, print how to log in, stop cleanly on Ctrl-C."""
    if port and port_in_use(port):
        raise PortInUseError(f"port {port} on {HOST} is in use: choose another (make hub HUB_PORT=8010)")
    # Ctrl-C (even when started from a shell that ignores it) and SIGTERM stop the hub cleanly.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    state = paths.BUILD_DIR / "hub"
    hub = Hub(users, state, exchange, port=port or None, password=os.environ.get("MLOPS_HUB_PASSWORD"))
    try:
        hub.start()
    except KeyboardInterrupt:
        return 0
    print(f"""
Course hub: {hub.url}   (loopback only; log: {hub.log.relative_to(paths.ROOT)})
  instructor: {users.instructor}   students: {', '.join(users.students)}
  password (shared by every user): {hub.password}
  JupyterHub's shared-password login is for a hub on this machine only; a class on a
  network needs a real authenticator (see README, "Running a class on JupyterHub").
  The instructor's course folder is ~/{COURSE_FOLDER} (grader_config.py, quizzes, build/);
  in a terminal there: python -m mlops_course release --week 01 && nbgrader release_assignment 01_ml_systems
Ctrl-C stops the hub and every user's server.""", flush=True)
    try:
        while hub.process.poll() is None:
            time.sleep(1)
        print(f"JupyterHub exited (code {hub.process.returncode}); see {hub.log}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping the hub and every user's server ...", flush=True)
        return 0
    finally:
        hub.stop()


def users_from_env() -> Users:
    """Users from ``HUB_INSTRUCTOR`` and ``HUB_STUDENTS`` (comma-separated), else the defaults."""
    users = Users()
    if os.environ.get("HUB_INSTRUCTOR"):
        users.instructor = os.environ["HUB_INSTRUCTOR"]
    if os.environ.get("HUB_STUDENTS"):
        users.students = [s.strip() for s in os.environ["HUB_STUDENTS"].split(",") if s.strip()]
    for name in users.all:
        if not re.fullmatch(r"[a-z_][a-z0-9_-]{0,31}", name):
            raise HubSetupError(f"{name!r} is not a valid Unix user name (lower case letters, digits, - and _)")
    return users

