"""What every local service of the course shares (the MLflow tracking server of week 08,
the model server of week 09, the class hub): the loopback host, free ports, waiting for
a server's health, its log's tail, the environment it starts with, and clear errors
(also for the gradebook database, which may be a server)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path

#: Services listen on loopback only.
HOST = "127.0.0.1"


class ServerError(RuntimeError):
    """A local server could not be started or used; the message says why."""


class PortInUseError(ServerError):
    """The requested port already has a listener."""


class ServerStartError(ServerError):
    """The server exited or did not answer in time; the message quotes its last log lines."""


class GradebookError(ServerError):
    """The gradebook database (SQLite file or server) cannot be opened; the message says
    which one and why."""


def port_in_use(port: int, host: str = HOST) -> bool:
    """True when something already accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port(host: str = HOST) -> int:
    """A TCP port on ``host`` that nothing listens on right now (chosen by the OS)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


#: An opener that ignores proxy settings: the course's servers are on this machine.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def answers_http(url: str, timeout: float = 2.0) -> bool:
    """True when ``GET url`` answers 200 (no proxy: the server is local)."""
    try:
        with _DIRECT.open(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def log_tail(path: Path | None, lines: int = 30) -> str:
    """The last ``lines`` lines of a server's log file ("" when there is none yet)."""
    if path is None or not Path(path).exists():
        return ""
    with open(path, "rb") as f:
        tail = deque(f, maxlen=lines)
    return "".join(line.decode("utf-8", "replace") for line in tail).rstrip()


def wait_until_healthy(process: subprocess.Popen, url: str, name: str, log: Path | None,
                       timeout: float, interval: float = 0.25, started: float | None = None) -> None:
    """Block until ``url`` answers 200, or raise :class:`ServerStartError` quoting the
    last lines of ``log`` when ``process`` exits first or ``timeout`` seconds (counted
    from ``started``, default now) pass."""
    deadline = (started if started is not None else time.monotonic()) + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerStartError(f"{name} exited with code {process.returncode} before it answered.\n"
                                   f"Last lines of its log:\n{log_tail(log)}")
        if answers_http(url):
            return
        time.sleep(interval)
    raise ServerStartError(f"{name} did not answer on {url} within {timeout:.0f} s.\n"
                           f"Last lines of its log:\n{log_tail(log)}")


def child_env(**extra: str) -> dict:
    """The environment for a program the course starts (a server, nbgrader, a course
    command): this one with third-party telemetry off and this Python's ``bin/`` first
    on ``PATH`` (nbgrader runs alembic, MLflow runs uvicorn, from there)."""
    from .notebook import disable_telemetry

    disable_telemetry()
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join(filter(None, [str(Path(sys.executable).parent), env.get("PATH", "")]))
    env.update(extra)
    return env
