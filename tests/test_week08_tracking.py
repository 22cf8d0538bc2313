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


def test_the_helper_uses_the_server_mlflow_tracking_uri_names_with_names_per_user(monkeypatch):
    """Protects: with MLFLOW_TRACKING_URI set, tracking_server() points at that server (never
    starts or stops one) and suffixes experiment and model names with the hub user (else the
    OS user); without it, the lesson gets its own private server with plain names."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    private = tracking.tracking_server()
    assert isinstance(private, TrackingServer) and not private.shared
    assert private.name("week08-churn") == "week08-churn" and not private.running

    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:1/")
    monkeypatch.setenv("JUPYTERHUB_USER", "ada.lovelace@uni")
    shared = tracking.tracking_server()
    assert isinstance(shared, tracking.SharedServer) and shared.shared
    assert shared.url == "http://127.0.0.1:1"
    assert shared.name("week08-churn") == "week08-churn-ada_lovelace_uni"
    shared.stop()  # does nothing: not ours to stop
    shared.timeout = 0.3
    with pytest.raises(tracking.TrackingServerError, match="MLFLOW_TRACKING_URI"):
        shared.start()  # nothing listens there: a clear error, not a hang

    monkeypatch.delenv("JUPYTERHUB_USER")
    assert tracking.user_name() and tracking.per_user("x").startswith("x-")


@pytest.mark.notebook
def test_the_lesson_runs_against_an_external_shared_server(tmp_path):
    """Protects: a class can share one tracking server. The test starts an external `mlflow server`
    on 127.0.0.1, runs the week 08 lesson with MLFLOW_TRACKING_URI pointing at it (as a hub user),
    and reads back what the lesson logged: the user's experiment with the candidates' validation
    runs, the user's registered model with the alias champion on the best run, and the test score
    logged once, on that run. The lesson leaves the shared server running; the test stops it."""
    from mlflow import MlflowClient

    from mlops_course import paths
    from mlops_course.instructor.execute import execute, verdicts
    from mlops_course.services import free_port, wait_until_healthy

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    (tmp_path / "artifacts").mkdir()
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "mlflow"), "server", "--backend-store-uri", f"sqlite:///{tmp_path}/mlflow.db",
         "--artifacts-destination", str(tmp_path / "artifacts"), "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1"],
        cwd=tmp_path, env=tracking.server_env(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        wait_until_healthy(server, f"{url}/health", "mlflow server", tmp_path / "server.log", 120)
        env = {**os.environ, "MLFLOW_TRACKING_URI": url, "JUPYTERHUB_USER": "student-a"}
        nb, _ = execute(paths.SOLUTIONS_DIR / "08_tracking.ipynb", env=env)
        assert {v["status"] for v in verdicts(nb)} == {"correct"}
        assert server.poll() is None, "the lesson stopped a server it did not start"

        client = MlflowClient(url)
        experiment = client.get_experiment_by_name("week08-churn-student-a")
        assert experiment is not None and client.get_experiment_by_name("week08-churn") is None
        runs = client.search_runs([experiment.experiment_id], "metrics.val_roc_auc > 0.5")
        names = {r.info.run_name for r in runs}
        assert {"logistic_regression", "random_forest", "gradient_boosting", "stacking"} <= names
        champion = client.get_model_version_by_alias("churn-classifier-student-a", "champion")
        best = max(runs, key=lambda r: r.data.metrics["val_roc_auc"])
        assert champion.run_id == best.info.run_id, "the champion is not the best run by validation ROC AUC"
        tested = [r.info.run_name for r in client.search_runs([experiment.experiment_id], "metrics.test_roc_auc > 0")]
        assert tested == [best.info.run_name], "the test set was scored for another run than the champion, or twice"
        # the helper's checks log to the user's own check experiment, and clean up their registered models
        assert client.get_experiment_by_name("week08-checks-student-a") is not None
        assert [m.name for m in client.search_registered_models()] == ["churn-classifier-student-a"]
        # a second session of the same user starts its comparison afresh (runs go to the trash)
        assert tracking.SharedServer(url).forget_earlier_runs(experiment.experiment_id) >= len(runs)
        assert client.search_runs([experiment.experiment_id]) == []
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    assert wait_until(lambda: not group_alive(server.pid), 15)
    assert not tracking.port_in_use(port)


def test_a_candidate_that_ignores_experiment_id_fails_even_when_the_checks_experiment_is_active(monkeypatch):
    """Protects: the log_candidate check does not depend on what ran before in the process
    (it once passed the mistake after another check had made its experiment the active one)."""
    from mlflow.tracking import fluent

    from mlops_course.exercises import week08

    with week08._tracking() as (_, experiment_id):
        pass
    monkeypatch.setattr(fluent, "_active_experiment_id", experiment_id)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_ID", experiment_id)
    verdict = week08.log_candidate.check(week08._log_candidate_variant(experiment=False))
    assert not verdict.correct, verdict
    assert fluent._active_experiment_id == experiment_id  # the notebook's active experiment is given back
    assert week08.log_candidate.check(week08._log_candidate_solution).correct
