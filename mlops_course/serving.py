"""Serve a scikit-learn model over HTTP on localhost (week 09).

The lesson starts a real web server in a separate process and talks to it with
HTTP requests::

    from mlops_course.serving import ModelServer

    server = ModelServer("model.joblib", {"age": "number", "plan": "string"}).start()
    requests.post(server.url + "/predict", json={"records": [{"age": 31, "plan": "yes"}]})
    server.stop()

The server is a small FastAPI app (FastAPI and uvicorn come with MLflow) run by
``python -m mlops_course.serving``. It validates every request against the
declared columns and answers bad ones with a 4xx status and a readable message.

The server never outlives the notebook: started by :class:`ModelServer` it watches its
standard input, which the parent holds open, and exits when the parent goes away (a kernel restart, a crash,
a failed run); ``atexit`` and :meth:`ModelServer.stop` stop it earlier.

Nothing here runs on import; FastAPI is imported only inside the server process.
"""
from __future__ import annotations

import atexit
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Mapping

from .services import (HOST, PortInUseError, ServerError, ServerStartError, free_port, log_tail, port_in_use,
                       wait_until_healthy)

#: Column types a schema may declare, and the Python type each one accepts.
COLUMN_TYPES = ("number", "integer", "string")
#: Largest number of records one request may carry (larger ones get HTTP 413).
MAX_RECORDS = 10_000


def file_sha256(path: str | os.PathLike) -> str:
    """Hex SHA-256 digest of a file (to verify an artifact before loading it)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- client side
_RUNNING: "set[ModelServer]" = set()


def _stop_all() -> None:
    for server in list(_RUNNING):
        server.stop()


atexit.register(_stop_all)


class ModelServer:
    """A model server process on localhost; start it, call ``server.url``, stop it.

    ``schema`` maps every input column to ``"number"``, ``"integer"`` or ``"string"``.
    ``port=None`` picks a free port; a given port that is taken raises
    :class:`PortInUseError`. If the server does not answer ``GET /health`` within
    ``startup_timeout`` seconds, :meth:`start` stops it and raises
    :class:`ServerStartError` with the server's log.
    """

    def __init__(
        self,
        model_path: str | os.PathLike,
        schema: Mapping[str, str],
        *,
        host: str = HOST,
        port: int | None = None,
        startup_timeout: float = 60.0,
        workdir: str | os.PathLike | None = None,
        model_version: str = "1",
    ) -> None:
        bad = {c: t for c, t in schema.items() if t not in COLUMN_TYPES}
        if not schema or bad:
            raise ValueError(f"schema must map column names to one of {COLUMN_TYPES}; got {bad or 'nothing'}")
        self.model_path = Path(model_path).resolve()
        self.schema = dict(schema)
        self.host = host
        self.requested_port = port
        self.port: int | None = None
        self.startup_timeout = startup_timeout
        self.model_version = model_version
        self._workdir = Path(workdir) if workdir else None
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._proc: subprocess.Popen | None = None
        self._log_handle = None
        self.log_path: Path | None = None

    # -- properties --------------------------------------------------------
    @property
    def url(self) -> str:
        if self.port is None:
            raise ServerError("The server is not started; call start() first.")
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __repr__(self) -> str:
        state = f"running at {self.url} (pid {self.pid})" if self.running else "stopped"
        return f"<ModelServer {self.model_path.name}: {state}>"

    # -- life cycle --------------------------------------------------------
    def start(self) -> "ModelServer":
        """Start the server process and wait until it answers; return ``self``."""
        if self.running:
            return self
        if not self.model_path.is_file():
            raise ServerError(f"No model file at {self.model_path}.")
        port = self.requested_port
        if port is not None and port_in_use(port, self.host):
            raise PortInUseError(
                f"Port {port} on {self.host} is already in use, probably by another server that is "
                "still running. Stop that one (server.stop()) or pass port=None to pick a free port."
            )
        port = port or free_port(self.host)
        if self._workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="model-server-")
            workdir = Path(self._tmp.name)
        else:
            workdir = self._workdir
            workdir.mkdir(parents=True, exist_ok=True)
        schema_path = workdir / "schema.json"
        schema_path.write_text(json.dumps(self.schema, indent=1))
        self.log_path = workdir / "server.log"
        self._log_handle = open(self.log_path, "wb")
        env = dict(os.environ)
        package_parent = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        command = [
            sys.executable, "-m", "mlops_course.serving",
            "--model", str(self.model_path), "--schema", str(schema_path),
            "--host", self.host, "--port", str(port), "--model-version", self.model_version, "--watch-stdin",
        ]
        self._proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=self._log_handle, stderr=subprocess.STDOUT,
            cwd=workdir, env=env,
        )
        self.port = port
        _RUNNING.add(self)
        try:
            wait_until_healthy(self._proc, f"http://{self.host}:{port}/health", "The model server", self.log_path,
                               self.startup_timeout, interval=0.1)
        except ServerStartError:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout`` s); safe to call twice."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        if proc is not None and proc.stdin:
            proc.stdin.close()
        if self._log_handle:
            self._log_handle.close()
            self._log_handle = None
        _RUNNING.discard(self)

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server's log (empty before start)."""
        return log_tail(self.log_path, lines)

    def __enter__(self) -> "ModelServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __del__(self) -> None:  # pragma: no cover - best effort at garbage collection
        try:
            self.stop()
        except Exception:
            pass


# --------------------------------------------------------------------------- server side
def _readable(error: dict) -> str:
    """One line per validation problem: where it is and what is wrong."""
    where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
    return f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg", "invalid"))


def build_app(model_path: str | os.PathLike, schema: Mapping[str, str], model_version: str = "1"):
    """The FastAPI app: ``GET /health``, ``GET /metadata`` and ``POST /predict``.

    ``POST /predict`` takes ``{"records": [{column: value, ...}, ...]}`` and returns
    ``{"predictions": [...], "probabilities": [...], "model_version": ...}``.
    Malformed JSON gets HTTP 400, a request that does not fit the schema (missing or
    unknown columns, wrong types) HTTP 422, too many records HTTP 413, each with a
    ``detail`` list of readable messages.
    """
    import joblib
    import pandas as pd
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from pydantic import ConfigDict, Field, StrictFloat, StrictInt, StrictStr, create_model

    python_type = {"number": StrictFloat, "integer": StrictInt, "string": StrictStr}
    fields = {name: (python_type[kind], ...) for name, kind in schema.items()}
    Record = create_model("Record", __config__=ConfigDict(extra="forbid"), **fields)

    PredictRequest = create_model(
        "PredictRequest", __config__=ConfigDict(extra="forbid"),
        records=(list[Record], Field(min_length=1)),  # type: ignore[valid-type]
    )

    sha256 = file_sha256(model_path)
    model = joblib.load(model_path)
    columns = list(schema)
    app = FastAPI(title="Churn model service", version=model_version)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        broken = [e for e in errors if e.get("type") == "json_invalid"]
        if broken:
            where = [p for p in broken[0].get("loc", ()) if isinstance(p, int)]
            reason = (broken[0].get("ctx") or {}).get("error", "JSON decode error")
            at = f" at character {where[0]}" if where else ""
            return JSONResponse(status_code=400, content={
                "error": "malformed JSON", "detail": [f"the body is not valid JSON{at}: {reason}"]})
        if all(tuple(e.get("loc", ())) == ("body",) for e in errors):
            return JSONResponse(status_code=400, content={
                "error": "the body must be a JSON object",
                "detail": ['send JSON like {"records": [{"column": value, ...}]} with Content-Type: application/json']})
        return JSONResponse(status_code=422, content={
            "error": "the request does not match the model's input schema",
            "detail": [_readable(e) for e in errors][:20]})

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.get("/metadata")
    def metadata():
        return {"model_version": model_version, "sha256": sha256, "schema": dict(schema),
                "max_records": MAX_RECORDS}

    def predict(body):
        if len(body.records) > MAX_RECORDS:
            return JSONResponse(status_code=413, content={
                "error": "too many records", "detail": [f"send at most {MAX_RECORDS} records per request"]})
        frame = pd.DataFrame([r.model_dump() for r in body.records], columns=columns)
        labels = model.predict(frame)
        result = {"predictions": [label.item() if hasattr(label, "item") else label for label in labels],
                  "model_version": model_version}
        if hasattr(model, "predict_proba"):
            result["probabilities"] = model.predict_proba(frame)[:, -1].round(6).tolist()
        return result

    # Annotations are strings in this module (``from __future__``), so the request
    # model is attached by hand: FastAPI reads it to parse and validate the body.
    predict.__annotations__ = {"body": PredictRequest}
    app.post("/predict")(predict)

    return app


def _exit_when_parent_goes() -> None:
    """Block until standard input closes (the parent died or stopped us), then exit."""
    try:
        sys.stdin.buffer.read()
    finally:
        os._exit(0)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Serve a joblib model over HTTP (course week 09).")
    parser.add_argument("--model", required=True)
    parser.add_argument("--schema", required=True, help="JSON file mapping columns to number/integer/string")
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model-version", default="1")
    parser.add_argument("--watch-stdin", action="store_true",
                        help="exit when standard input closes (set by ModelServer; leave off in a container)")
    args = parser.parse_args(argv)

    import uvicorn

    schema = json.loads(Path(args.schema).read_text())
    app = build_app(args.model, schema, args.model_version)  # a broken model fails here, with a traceback
    if args.watch_stdin:
        threading.Thread(target=_exit_when_parent_goes, daemon=True).start()
    print(f"serving {args.model} on http://{args.host}:{args.port}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    print("server stopped", flush=True)
    sys.stdout.flush()
    os._exit(0)  # do not wait for the stdin watcher thread at interpreter shutdown


if __name__ == "__main__":
    main()
