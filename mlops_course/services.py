"""What every local service of the course shares (the MLflow tracking server of week 08,
the model server of week 09): the loopback host, free ports and clear errors (also for
the gradebook database, which may be a server)."""
from __future__ import annotations

import socket

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
