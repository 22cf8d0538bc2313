"""Run a real MLflow tracking server on localhost for a lesson or a test (week 08), or use
the class's shared one.

::

    from mlops_course.tracking import tracking_server

    server = tracking_server().start()        # MLFLOW_TRACKING_URI set: that server; else a private one
    mlflow.set_tracking_uri(server.url)
    mlflow.set_experiment(server.name("week08-churn"))   # "week08-churn-<user>" on a shared server
    ...
    server.stop()                             # a shared server is left running

A class that shares one server sets ``MLFLOW_TRACKING_URI`` (e.g. in the hub's spawner
environment). :class:`SharedServer` then only points at it: it never starts or stops it,
and :meth:`SharedServer.name` suffixes experiment and model names with the user
(``JUPYTERHUB_USER``, else the operating-system user), so students stay apart.
Without the variable, :class:`TrackingServer` starts the lesson's private server:

    from mlops_course.tracking import TrackingServer

    with TrackingServer() as server:          # mlflow server on 127.0.0.1, a free port
        mlflow.set_tracking_uri(server.url)
        ...                                   # log runs, register models
    # stopped: process group killed, its folder (SQLite store, artifacts) removed

In a notebook, where the server must outlive one cell, call ``server = tracking_server().start()``
and ``server.stop()`` in the last cell. The server does not outlive the notebook either way:

* :meth:`TrackingServer.stop` (also run by ``with`` and by a ``weakref`` finalizer,
  which Python calls at exit) kills the server's whole process group and deletes its folder;
* a small watchdog process holds a pipe from the notebook's kernel. When the kernel dies
  without running ``atexit`` (killed, crashed), the pipe closes and the watchdog kills
  the server's process group and deletes the folder.

The backend store is SQLite (``<folder>/mlflow.db``, runs and the model registry) and
artifacts go to ``<folder>/artifacts``, uploaded through the server (``--serve-artifacts``).
The folder is a new temporary directory unless ``root`` is given, in which case a new
sub-folder of ``root`` is used (and removed on stop). Telemetry is switched off, and the
virtual environment's ``bin/`` comes first on the server's PATH (MLflow starts uvicorn).
"""
from __future__ import annotations

import getpass
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path

from .services import (HOST, PortInUseError, ServerError, ServerStartError, answers_http, child_env, free_port,
                       log_tail, port_in_use, wait_until_healthy)

#: Kept for callers of the week 08 API; the same class as ``services.ServerError``.
TrackingServerError = ServerError

#: Seconds to wait for a new server to answer /health (a first start creates the tables).
START_TIMEOUT = 90.0
#: Lines of the server's log quoted in an error message.
LOG_TAIL = 15


def user_name() -> str:
    """Who runs the lesson: ``JUPYTERHUB_USER`` on a hub, else the operating-system user
    (letters, digits, ``_`` and ``-`` only, so it fits in an experiment or model name)."""
    raw = os.environ.get("JUPYTERHUB_USER") or ""
    if not raw:
        try:
            raw = getpass.getuser()
        except (KeyError, OSError):  # pragma: no cover - a user id without a passwd entry
            raw = f"uid{os.getuid()}"
    return re.sub(r"[^A-Za-z0-9_-]+", "_", raw).strip("_") or "user"


def per_user(name: str) -> str:
    """``name`` suffixed with the user, e.g. ``week08-churn-alice``: one name per student on a shared server."""
    return f"{name}-{user_name()}"


def server_env() -> dict:
    """The environment of the server: telemetry off, the venv's bin/ first on PATH, no job runner."""
    env = child_env(PYTHONUNBUFFERED="1")
    # MLflow 3 also starts a job runner with several huey consumers (for GenAI jobs);
    # the course needs none of it, and it costs seconds and memory on a small machine.
    env.setdefault("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
    return env


# The watchdog: a tiny Python process (no imports beyond the standard library) that
# waits until its standard input closes, then kills the server's process group and
# removes the folder. Its stdin is a pipe the kernel holds, so it closes when the
# kernel exits for any reason.
_WATCHDOG = r"""
import os, shutil, signal, sys, time
pgid, folder = int(sys.argv[1]), sys.argv[2]
try:
    sys.stdin.buffer.read()
except BaseException:
    pass
for sig in (signal.SIGTERM, signal.SIGKILL):
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        break
    deadline = time.time() + 5
    while time.time() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
shutil.rmtree(folder, ignore_errors=True)
"""


def _kill_group(process: subprocess.Popen, grace: float = 3.0) -> None:
    """SIGTERM the process group of ``process``, then SIGKILL whatever is left."""
    pgid = process.pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            process.poll()  # reap the leader so the group can disappear
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL was sent
        pass


def _cleanup(process, watchdog, folder: Path, log_file) -> None:
    """Stop the server and the watchdog and remove the folder (idempotent)."""
    if process is not None:
        _kill_group(process)
    if log_file is not None and not log_file.closed:
        log_file.close()
    if watchdog is not None:
        try:
            watchdog.stdin.close()  # the watchdog finds the group gone and exits
        except OSError:
            pass
        try:
            watchdog.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            watchdog.kill()
            watchdog.wait()
    shutil.rmtree(folder, ignore_errors=True)


class TrackingServer:
    """The lesson's private ``mlflow server`` with a SQLite store and an artifact folder, on localhost.

    ``port=None`` picks a free port; a given port that is taken raises
    :class:`PortInUseError`. ``timeout`` bounds the wait for the server to answer;
    :class:`ServerStartError` (with the server's last log lines) is raised when it
    does not. ``root`` is the parent of the server's folder (default: the system's
    temporary directory).
    """

    def __init__(self, port: int | None = None, host: str = HOST, root: str | Path | None = None,
                 timeout: float = START_TIMEOUT, workers: int = 1) -> None:
        self.host = host
        self.requested_port = port
        self.port: int | None = None
        self.root = Path(root) if root is not None else None
        self.timeout = timeout
        self.workers = workers
        self.folder: Path | None = None
        self.process: subprocess.Popen | None = None
        self._watchdog: subprocess.Popen | None = None
        self._finalizer = None
        self._started_at = 0.0

    #: A private server: nobody else logs to it.
    shared = False

    def name(self, base: str) -> str:
        """The experiment or registered-model name to use for ``base`` (unchanged on a private server)."""
        return base

    def forget_earlier_runs(self, experiment_id: str) -> int:
        """Nothing to forget on a fresh private server; returns 0 (see :meth:`SharedServer.forget_earlier_runs`)."""
        return 0

    # -- paths and addresses ---------------------------------------------------------
    @property
    def url(self) -> str:
        """The tracking URI to pass to ``mlflow.set_tracking_uri``."""
        if self.port is None:
            raise TrackingServerError("The server is not running: call start() first.")
        return f"http://{self.host}:{self.port}"

    @property
    def backend_store_uri(self) -> str:
        return f"sqlite:///{self.folder / 'mlflow.db'}"

    @property
    def artifacts(self) -> Path:
        return self.folder / "artifacts"

    @property
    def log_path(self) -> Path:
        return self.folder / "server.log"

    def command(self) -> list[str]:
        """The ``mlflow server`` command line (the lesson prints it)."""
        return [
            str(Path(sys.executable).parent / "mlflow"), "server",
            "--backend-store-uri", self.backend_store_uri,
            "--artifacts-destination", str(self.artifacts),
            "--host", self.host, "--port", str(self.port), "--workers", str(self.workers),
        ]

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # -- life cycle ------------------------------------------------------------------
    def start(self, wait: bool = True) -> "TrackingServer":
        """Start the server and (unless ``wait=False``) wait until it answers; return ``self``.

        With ``wait=False`` the server boots in the background while the caller goes on;
        call :meth:`wait_until_ready` before using it.
        """
        if self.running:
            return self
        port = self.requested_port if self.requested_port is not None else free_port(self.host)
        if port_in_use(port, self.host):
            raise PortInUseError(
                f"Port {port} on {self.host} is already in use (another MLflow server or program "
                "listens there). Stop it, or pass port=None to pick a free port."
            )
        self.port = port
        if self.root is not None:
            self.root.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix="mlflow-server-", dir=self.root))
        self.artifacts.mkdir()
        log_file = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            self.command(), cwd=self.folder, env=server_env(), stdin=subprocess.DEVNULL,
            stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(self.process.pid), str(self.folder)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # A weakref finalizer runs once: on stop(), when the object is collected, or at exit.
        self._finalizer = weakref.finalize(self, _cleanup, self.process, self._watchdog, self.folder, log_file)
        self._started_at = time.monotonic()
        if wait:
            self.wait_until_ready()
        return self

    def wait_until_ready(self) -> "TrackingServer":
        """Block until the server answers /health; on failure stop it and raise ServerStartError."""
        if self.process is None:
            raise TrackingServerError("The server was never started: call start() first.")
        try:
            self._wait()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait(self) -> None:
        wait_until_healthy(self.process, f"{self.url}/health", "mlflow server", self.log_path if self.folder else None,
                           self.timeout, interval=0.25, started=self._started_at)

    def log_tail(self, lines: int = LOG_TAIL) -> str:
        """The last ``lines`` lines of the server's log (empty if there is none)."""
        return log_tail(self.log_path if self.folder else None, lines)

    def stop(self) -> None:
        """Kill the server's process group and remove its folder (safe to call twice)."""
        if self._finalizer is not None:
            self._finalizer()  # runs _cleanup once; later calls do nothing
            self._finalizer = None

    def __enter__(self) -> "TrackingServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"running at {self.url}" if self.running else "stopped"
        return f"<TrackingServer {state}>"


class SharedServer:
    """A tracking server someone else runs (``MLFLOW_TRACKING_URI``): used, never started or stopped.

    It has the same methods as :class:`TrackingServer`, so a lesson works with either.
    """

    shared = True

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self._url = url.rstrip("/")
        self.timeout = timeout

    @property
    def url(self) -> str:
        return self._url

    @property
    def running(self) -> bool:
        return answers_http(f"{self._url}/health") if self._url.startswith("http") else True

    def name(self, base: str) -> str:
        """``base`` suffixed with the user, so students sharing the server keep their own experiments and models."""
        return per_user(base)

    def command(self) -> list[str]:
        return []

    def start(self, wait: bool = True) -> "SharedServer":
        return self.wait_until_ready() if wait else self

    def wait_until_ready(self) -> "SharedServer":
        """Wait until an HTTP server answers /health; raise :class:`ServerError` if it does not."""
        if not self._url.startswith("http"):
            return self  # a database or folder URI: nothing to wait for
        deadline = time.monotonic() + self.timeout
        while not self.running:
            if time.monotonic() > deadline:
                raise TrackingServerError(
                    f"The shared tracking server {self._url} (from MLFLOW_TRACKING_URI) did not answer /health "
                    f"within {self.timeout:.0f} s. Ask whoever runs it, or unset MLFLOW_TRACKING_URI to use a "
                    "private server.")
            time.sleep(0.25)
        return self

    def forget_earlier_runs(self, experiment_id: str) -> int:
        """Soft-delete the runs a previous session logged to ``experiment_id`` (they stay in the
        server's trash, where the UI can restore them), so a re-run of the lesson compares only
        its own runs. Returns how many were deleted."""
        from mlflow import MlflowClient

        client = MlflowClient(self._url)
        runs = client.search_runs([experiment_id], max_results=5000)
        for run in runs:
            client.delete_run(run.info.run_id)
        return len(runs)

    def stop(self) -> None:
        """Leave the shared server running (it is not ours to stop)."""

    def __repr__(self) -> str:
        return f"<SharedServer {self._url}, names suffixed with -{user_name()}>"


def tracking_server(**kwargs) -> TrackingServer | SharedServer:
    """The server a lesson should log to: the shared one ``MLFLOW_TRACKING_URI`` names, else
    a new private :class:`TrackingServer` (``kwargs`` go to it). Call ``.start()`` on the result."""
    uri = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    if uri:
        return SharedServer(uri)
    return TrackingServer(**kwargs)


if __name__ == "__main__":  # pragma: no cover - manual use: python -m mlops_course.tracking
    with TrackingServer(port=int(sys.argv[1]) if len(sys.argv) > 1 else None) as srv:
        print(f"MLflow tracking server at {srv.url} (folder {srv.folder}); Ctrl+C stops it.")
        try:
            srv.process.wait()
        except KeyboardInterrupt:
            pass
