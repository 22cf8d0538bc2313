"""Week 09: the model server the deployment lesson starts (mlops_course.serving).

Each test names the property it protects: valid requests are answered, bad ones get a
clear 4xx, start-up problems raise a readable error, and no server outlives its owner.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import textwrap
import time

import joblib
import numpy as np
import pandas as pd
import pytest
import requests
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from helpers import by_week
from mlops_course.serving import (
    ModelServer, PortInUseError, ServerStartError, file_sha256, free_port, port_in_use,
)

SCHEMA = {"minutes": "number", "calls": "integer", "plan": "string"}


def _gone(pid: int, port: int, timeout: float = 10.0) -> bool:
    """True once the process ``pid`` has exited and nothing listens on ``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            alive = not _zombie(pid)
        except ProcessLookupError:
            alive = False
        if not alive and not port_in_use(port):
            return True
        time.sleep(0.1)
    return False


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"minutes": rng.normal(180, 50, 200), "calls": rng.integers(0, 9, 200),
                          "plan": rng.choice(["yes", "no"], 200)})
    target = ((frame["calls"] > 4) | (frame["plan"] == "yes")).astype(int)
    pipe = Pipeline([
        ("prep", ColumnTransformer([("num", StandardScaler(), ["minutes", "calls"]),
                                    ("cat", OneHotEncoder(handle_unknown="ignore"), ["plan"])])),
        ("clf", LogisticRegression()),
    ]).fit(frame, target)
    path = tmp_path_factory.mktemp("model") / "model.joblib"
    joblib.dump(pipe, path)
    return path


@pytest.fixture(scope="module")
def server(model_path):
    with ModelServer(model_path, SCHEMA) as running:
        yield running
    assert _gone(running_pid := running.pid, running.port), f"server {running_pid} still alive after stop()"


GOOD = {"minutes": 200.5, "calls": 6, "plan": "no"}


def test_valid_request_is_answered(server, model_path):
    """Protects: a well-formed request gets predictions and probabilities, one per record."""
    assert requests.get(server.url + "/health", timeout=5).json() == {"status": "ok"}
    reply = requests.post(server.url + "/predict", json={"records": [GOOD, {**GOOD, "calls": 0}]}, timeout=5)
    assert reply.status_code == 200
    body = reply.json()
    assert len(body["predictions"]) == 2 and len(body["probabilities"]) == 2
    assert all(0 <= p <= 1 for p in body["probabilities"])
    meta = requests.get(server.url + "/metadata", timeout=5).json()
    assert meta["sha256"] == file_sha256(model_path) and meta["schema"] == SCHEMA


@pytest.mark.parametrize("payload, status, words", [
    ({"records": [{"minutes": 200.5, "calls": 6}]}, 422, ["plan", "required"]),
    ({"records": [{**GOOD, "extra": 1}]}, 422, ["extra", "not permitted"]),
    ({"records": [{**GOOD, "minutes": "lots"}]}, 422, ["minutes", "number"]),
    ({"records": [{**GOOD, "plan": 1}]}, 422, ["plan", "string"]),
    ({"records": [{**GOOD, "calls": 2.5}]}, 422, ["calls", "integer"]),
    ({"rows": [GOOD]}, 422, ["records", "required"]),
    ({"records": []}, 422, ["records", "at least 1"]),
    ('{"records": [', 400, ["not valid json"]),
    ("", 400, ["json object"]),
    ("[1, 2]", 400, ["json object"]),
], ids=["missing-column", "unknown-column", "text-for-number", "number-for-text", "float-for-int",
        "wrong-key", "empty", "truncated-json", "empty-body", "json-array"])
def test_bad_request_gets_a_clear_4xx(server, payload, status, words):
    """Protects: bad requests are refused with the right 4xx and a message naming the problem."""
    if isinstance(payload, str):
        reply = requests.post(server.url + "/predict", data=payload,
                              headers={"Content-Type": "application/json"}, timeout=5)
    else:
        reply = requests.post(server.url + "/predict", json=payload, timeout=5)
    assert reply.status_code == status, reply.text
    message = " ".join([reply.json()["error"], *reply.json()["detail"]]).lower()
    for word in words:
        assert word.lower() in message, message


def test_taken_port_raises_a_clear_error(model_path):
    """Protects: a port that is in use is reported before anything starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"Port {port}.*already in use"):
            ModelServer(model_path, SCHEMA, port=port).start()


def test_server_that_does_not_come_up_reports_its_log(tmp_path):
    """Protects: a server that dies at start-up raises ServerStartError with its log, and is gone."""
    broken = tmp_path / "model.joblib"
    broken.write_text("this is not a joblib file")
    server = ModelServer(broken, SCHEMA, startup_timeout=30)
    with pytest.raises(ServerStartError, match="(?s)exited with code.*its log:.*Traceback"):
        server.start()
    assert not server.running


def test_schema_is_checked_before_start(model_path):
    with pytest.raises(ValueError, match="schema"):
        ModelServer(model_path, {"minutes": "float64"})


_OWNER = """
import os, signal, sys
from mlops_course.serving import AppServer, ModelServer
if sys.argv[3] == "app":   # a student's service.py in a folder
    server = AppServer(sys.argv[1]).start()
else:
    server = ModelServer(sys.argv[1], {"minutes": "number", "calls": "integer", "plan": "string"}).start()
print(server.pid, server.port, flush=True)
if sys.argv[2] == "kill":
    os.kill(os.getpid(), signal.SIGKILL)   # the kernel dies: no atexit, no finally
raise RuntimeError("a cell failed halfway")  # the run fails: atexit stops the server
"""


@pytest.mark.parametrize("kind", ["model", "app"])
@pytest.mark.parametrize("how", ["exception", "kill"])
def test_server_does_not_outlive_its_owner(model_path, image_app, tmp_path, how, kind):
    """Protects: when the notebook fails or its kernel is killed, the server process (the
    course's model server or the student's service) and its listening port are gone too."""
    script = tmp_path / "owner.py"
    script.write_text(textwrap.dedent(_OWNER))
    served = image_app if kind == "app" else model_path
    done = subprocess.run([sys.executable, str(script), str(served), how, kind],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    pid, port = (int(x) for x in done.stdout.split()[:2])
    assert _gone(pid, port), f"server {pid} on port {port} survived its owner ({how})"


def test_free_port_is_free():
    port = free_port()
    assert 1024 <= port <= 65535 and not port_in_use(port)


def test_server_is_gone_after_a_notebook_fails_halfway(model_path, tmp_path):
    """Protects: a lesson that starts a server and then fails in a later cell (so its stop
    cell never runs) leaves no server process and no listening port once nbclient is done."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    info = tmp_path / "server.txt"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(
            "from mlops_course.serving import ModelServer\n"
            f"server = ModelServer({str(model_path)!r}, {SCHEMA!r}).start()\n"
            f"open({str(info)!r}, 'w').write(f'{{server.pid}} {{server.port}}')"),
        nbformat.v4.new_code_cell("raise RuntimeError('a cell fails halfway')"),
        nbformat.v4.new_code_cell("server.stop()"),
    ])
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError, match="fails halfway"):
        client.execute()
    pid, port = (int(x) for x in info.read_text().split())
    assert _gone(pid, port), f"server {pid} on port {port} survived the failed notebook"


# --------------------------------------------------------------------------- the student's own service
@pytest.fixture(scope="module")
def image_app(model_path, tmp_path_factory):
    """The lesson's path: service.py from the worked validate_record and build_service, a
    build context with the artifacts, and the image's /app laid out by the worked Dockerfile."""
    import json

    from mlops_course.exercises import week09 as ex
    from mlops_course.serving import assemble_image, service_module

    context = tmp_path_factory.mktemp("context")
    (context / "model.joblib").write_bytes(model_path.read_bytes())
    (context / "schema.json").write_text(json.dumps(SCHEMA))
    (context / "requirements.txt").write_text("scikit-learn\n")
    (context / "notes.txt").write_text("not for the image")
    (context / "service.py").write_text(service_module(ex.validate_record.worked, ex.build_service.worked))
    return assemble_image(ex.dockerfile_for.worked(8000), context, tmp_path_factory.mktemp("image"))


def test_image_holds_only_what_the_dockerfile_copies(image_app):
    """Protects: the image's /app is laid out from the COPY lines alone (WORKDIR honoured,
    nothing else of the build context gets in)."""
    assert image_app.name == "app"
    assert sorted(p.name for p in image_app.iterdir()) == ["model.joblib", "requirements.txt", "schema.json",
                                                           "service.py"]


def test_students_service_answers_over_http_from_the_image_folder(image_app):
    """Protects (issue 17, week 09): the service written as in the lesson runs from the image's
    files on 127.0.0.1: /health, a good record gets a prediction, a missing column and a wrong
    type get 422 with a message naming the column; stopped, it leaves no process or port."""
    from mlops_course.serving import AppServer

    with AppServer(image_app) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert requests.get(server.url + "/health", timeout=5).status_code == 200
        reply = requests.post(server.url + "/predict", json={"records": [GOOD]}, timeout=5)
        assert reply.status_code == 200 and len(reply.json()["predictions"]) == 1
        assert 0 <= reply.json()["probabilities"][0] <= 1
        for record, column in [({"minutes": 200.5, "calls": 6}, "plan"), ({**GOOD, "calls": "six"}, "calls")]:
            reply = requests.post(server.url + "/predict", json={"records": [record]}, timeout=5)
            assert reply.status_code == 422 and column in " ".join(reply.json()["detail"]), reply.text
        pid, port = server.pid, server.port
    assert _gone(pid, port)


def test_a_service_that_fails_to_import_reports_its_log(tmp_path):
    """Protects: a service.py that raises at import (a name the student did not import)
    raises ServerStartError quoting the traceback, and no process is left."""
    from mlops_course.serving import AppServer

    (tmp_path / "service.py").write_text("app = build_service()\n")
    server = AppServer(tmp_path, startup_timeout=30)
    with pytest.raises(ServerStartError, match="(?s)NameError.*build_service"):
        server.start()
    assert not server.running


def test_copying_what_is_not_in_the_context_fails_like_docker_build(tmp_path):
    """Protects (issue 17): a Dockerfile that copies the course package, which is not in the
    build folder, is refused, as `docker build` would refuse it."""
    from mlops_course.serving import DockerfileError, assemble_image

    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "service.py").write_text("")
    with pytest.raises(DockerfileError, match="mlops_course/: not in the build context"):
        assemble_image("FROM python:3.11-slim\nWORKDIR /app\nCOPY mlops_course/ ./mlops_course/\n",
                       tmp_path / "ctx", tmp_path / "image")
    with pytest.raises(DockerfileError, match="not in the build context"):
        assemble_image("FROM python:3.11-slim\nCOPY ../secret.txt /app/\n", tmp_path / "ctx", tmp_path / "image2")


def test_dockerfile_parsing_joins_continuations_and_skips_comments(tmp_path):
    from mlops_course.serving import assemble_image, command_words, parse_dockerfile

    text = "# a comment\nFROM python:3.11-slim\n\nRUN pip install \\\n    -r requirements.txt\nCMD uvicorn service:app\n"
    assert parse_dockerfile(text) == [("FROM", "python:3.11-slim"), ("RUN", "pip install  -r requirements.txt"),
                                      ("CMD", "uvicorn service:app")]
    assert command_words('["uvicorn", "service:app"]') == command_words("uvicorn service:app")
    (tmp_path / "ctx").mkdir()
    for name in ("a.txt", "b.txt"):
        (tmp_path / "ctx" / name).write_text(name)
    app = assemble_image("FROM x\nWORKDIR /srv\nWORKDIR app\nCOPY . .\nCOPY a.txt renamed.txt\n",
                         tmp_path / "ctx", tmp_path / "root")
    assert app == tmp_path / "root" / "srv" / "app"
    assert sorted(p.name for p in app.iterdir()) == ["a.txt", "b.txt", "renamed.txt"]


def test_release_table_gives_recreate_a_fast_rollback_with_downtime():
    """Protects (issue 17): the lesson's strategy table says what its capacity model shows:
    recreate rolls back as fast as it releases but with downtime again, a rolling update
    rolls back slowly, blue-green at once. Runs the lesson's own cells for the model and the table."""
    import matplotlib
    import nbformat

    from mlops_course import paths

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nb = nbformat.read(paths.SOLUTIONS_DIR / "09_deployment.ipynb", as_version=4)
    namespace = {"np": np, "pd": pd, "plt": plt}
    for marker in ("START_S, INSTANCES =", "replacement = pd.DataFrame(", "strategies = pd.DataFrame("):
        exec(next(c.source for c in nb.cells if c.cell_type == "code" and marker in c.source), namespace)
    plt.close("all")
    replacement, strategies = namespace["replacement"], namespace["strategies"]
    took = replacement["rollback takes (s)"]
    assert replacement.loc["recreate", "downtime (s)"] > 0 == replacement.loc["rolling update", "downtime (s)"]
    assert took["blue-green"] < took["recreate"] < took["rolling update"]
    recreate = strategies.loc["recreate"]
    assert recreate["zero downtime"] == "no"
    assert "fast" in recreate["rollback speed"] and "downtime" in recreate["rollback speed"]
    assert "slow" in strategies.loc["rolling update", "rollback speed"]
    assert "instant" in strategies.loc["blue-green", "rollback speed"]


def _output_of(nb, marker: str) -> str:
    """The text output of the one code cell whose source contains ``marker``."""
    cells = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    assert len(cells) == 1, f"{len(cells)} cells contain {marker!r}"
    parts = []
    for output in cells[0].get("outputs", []):
        parts.append(output.get("text", "") if output.get("output_type") == "stream"
                     else output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def _number_after(text: str, label: str) -> float:
    found = re.search(re.escape(label) + r"\s*([-+0-9.e]+)", text)
    assert found, f"{label!r} not in {text!r}"
    return float(found.group(1).rstrip("."))


@pytest.mark.notebook
@pytest.mark.parametrize("week", by_week(["09_deployment"]))
def test_lesson_outputs_match_its_prose(week, executed_lesson):
    """Protects: what the prose of the week 09 lesson says its executed cells show: the
    student's own service and Dockerfile are used, the course package is refused by the
    build context, the image holds the four files, a retrain rebuilds the pip layer only with
    the slow Dockerfile, the service over HTTP gives the notebook's probabilities and 422 to
    every bad request, ONNX parity of the order of 1e-7, float16 about half and int8 about a
    quarter of the size at the same accuracy, the shadow challenger better on both metrics,
    Thompson sampling with the lowest regret, and far fewer requests on the faulty canary."""
    nb, _ = executed_lesson(week)
    shipped = _output_of(nb, "parts = [ex.validate_record")
    assert "validate_record: yours" in shipped and "build_service: yours" in shipped
    assert "dockerfile_for: yours" in _output_of(nb, "dockerfile = ex.dockerfile_for.mine_or_worked")
    assert "docker build would stop: COPY mlops_course/: not in the build context" in _output_of(
        nb, "COPY mlops_course/ ./mlops_course/")
    assert "RUN pip install" in _output_of(nb, 'rebuilt_when_changed(SLOW_DOCKERFILE, "model.joblib")')
    image = _output_of(nb, "image_app = assemble_image(")
    assert "['model.joblib', 'requirements.txt', 'schema.json', 'service.py']" in image
    assert "RUN pip install" not in image.split("service.py']", 1)[1]
    assert "the same probabilities as the pipeline in this notebook: True" in _output_of(nb, 'print("GET /health ->"')
    statuses = {}
    for line in _output_of(nb, "bad_requests = {").splitlines():   # rows "0  missing column  422 ..."
        found = re.match(r"(\d+)\s+[a-zA-Z][a-zA-Z ]*?\s+(\d{3})\b", line)
        if found:
            statuses.setdefault(found.group(1), found.group(2))
    assert list(statuses.values()) == ["422"] * 5, statuses
    parity = _number_after(_output_of(nb, "onnx_labels, onnx_proba = session_onnx.run"), "largest probability difference:")
    assert 1e-9 < parity < 1e-6
    sizes = {line.split()[0]: [float(x) for x in line.split()[1:]]
             for line in _output_of(nb, "quantized = pd.DataFrame(rows)").splitlines()
             if line.split()[:1] in (["float32"], ["float16"], ["int8"])}
    assert 0.45 < sizes["float16"][2] < 0.55 and 0.2 < sizes["int8"][2] < 0.3
    assert max(abs(sizes[m][1] - sizes["float32"][1]) for m in sizes) <= 0.01
    shadow = {line.split("  ")[0].strip(): [float(x) for x in line.split()[-2:]]
              for line in _output_of(nb, "shadow = challenger.predict(traffic)").splitlines() if "(s" in line}
    assert all(c > s for c, s in zip(shadow["challenger (shadow)"], shadow["champion (served)"]))
    regret = {line.rsplit(None, 1)[0].strip(): float(line.split()[-1])
              for line in _output_of(nb, "ax.set(title=\"Cumulative regret").splitlines()
              if line[:1].isalpha() and not line.startswith(("Name", "<Figure"))}
    assert min(regret, key=regret.get) == "Thompson sampling" and max(regret, key=regret.get) == "equal split"
    assert _number_after(_output_of(nb, "healthy, faulty = simulate_canary"), "requests exposed to the faulty v2:") < 2000
    assert _number_after(_output_of(nb, "throughput.iloc[0] / throughput.iloc[2]"), "one request per row:") > 10
