"""Week 08: the real MLflow tracking server the lesson starts (mlops_course.tracking).

Each test that starts a server costs about 10 s (MLflow creates its SQLite tables),
so the life cycle is tested in as few starts as possible.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from mlops_course import tracking
from mlops_course.tracking import PortInUseError, ServerStartError, TrackingServer

pytestmark = pytest.mark.xdist_group("08_tracking")


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_until(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_server_starts_logs_a_run_and_stops_without_leftovers(tmp_path):
    """Protects: the lesson's server takes runs, params, metrics, an artifact and a registered
    model, and stop() leaves no process, no listening port and no files behind."""
    import mlflow
    from mlflow import MlflowClient

    children_before = {p.pid for p in psutil.Process().children(recursive=True)}
    server = TrackingServer(root=tmp_path)
    with server:
        assert server.running and tracking.port_in_use(server.port)
        pgid, port, folder = server.process.pid, server.port, server.folder
        assert folder.parent == tmp_path and (folder / "mlflow.db").exists()
        assert "127.0.0.1" in server.url and f"--port {port}" in " ".join(server.command())

        mlflow.set_tracking_uri(server.url)
        try:
            experiment = mlflow.set_experiment("week08-test")
            with mlflow.start_run(run_name="smoke") as run:
                mlflow.log_param("n_estimators", 10)
                mlflow.log_metric("accuracy", 0.9)
                mlflow.log_text("hello", "notes/hello.txt")
            runs = mlflow.search_runs([experiment.experiment_id])
            assert list(runs["params.n_estimators"]) == ["10"]
            assert list(runs["metrics.accuracy"]) == [0.9]
            client = MlflowClient()
            assert [a.path for a in client.list_artifacts(run.info.run_id, "notes")] == ["notes/hello.txt"]
            # proxied artifact storage: the file lands in the server's artifact folder
            assert list(server.artifacts.rglob("hello.txt"))
            # the model registry lives in the same SQLite store
            client.create_registered_model("week08-model")
            version = client.create_model_version("week08-model", f"runs:/{run.info.run_id}/notes", run.info.run_id)
            client.set_registered_model_alias("week08-model", "champion", version.version)
            assert client.get_model_version_by_alias("week08-model", "champion").version == version.version
        finally:
            mlflow.set_tracking_uri(None)

    assert not server.running
    assert not group_alive(pgid), "a process of the server's group survived stop()"
    assert not tracking.port_in_use(port), "the port still has a listener"
    assert not folder.exists() and list(tmp_path.iterdir()) == []
    leftover = {p.pid for p in psutil.Process().children(recursive=True)} - children_before
    assert wait_until(lambda: not [pid for pid in leftover if psutil.pid_exists(pid)], 10), leftover
    server.stop()  # a second stop is harmless


def test_taken_port_gives_a_clear_error_and_starts_nothing(tmp_path):
    """Protects: asking for a port that has a listener fails at once with a message that says so."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        children_before = psutil.Process().children(recursive=True)
        with pytest.raises(PortInUseError, match=rf"Port {port} .* already in use"):
            TrackingServer(port=port, root=tmp_path).start()
        assert psutil.Process().children(recursive=True) == children_before
    assert list(tmp_path.iterdir()) == []


def test_a_server_that_does_not_answer_in_time_is_stopped_and_its_log_quoted(tmp_path):
    """Protects: a start that times out raises with the server's last log lines and cleans up."""
    server = TrackingServer(root=tmp_path, timeout=0.3)
    (tmp_path / "probe").mkdir()
    with pytest.raises(ServerStartError, match="did not answer .* within") as info:
        server.start()
    assert "Last lines of its log" in str(info.value)
    assert not server.running and not group_alive(server.process.pid)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["probe"]


def test_server_dies_with_a_killed_kernel(tmp_path):
    """Protects: when the process that started the server is killed (a kernel that dies,
    no atexit), the watchdog stops the server's process group and removes its folder."""
    script = textwrap.dedent(f"""
        import sys, time
        from mlops_course.tracking import TrackingServer
        server = TrackingServer(root={str(tmp_path)!r}).start(wait=False).wait_until_ready()
        print(server.process.pid, server.port, server.folder, flush=True)
        time.sleep(600)
    """)
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        line = owner.stdout.readline().split()
        assert len(line) == 3, "the owner process did not report a running server"
        pgid, port, folder = int(line[0]), int(line[1]), Path(line[2])
        assert group_alive(pgid) and folder.exists()
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=10)
        assert wait_until(lambda: not group_alive(pgid), 20), "the server outlived its owner"
        assert wait_until(lambda: not folder.exists(), 10), "the server folder was not removed"
        assert not tracking.port_in_use(port)
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()
