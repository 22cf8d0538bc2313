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

:class:`AppServer` runs an app of the student's own instead (``service.py`` in a folder,
as ``uvicorn service:app`` would), and :func:`assemble_image` lays out the files a
Dockerfile's ``COPY`` lines would put into an image, so a lesson can start the service
from exactly what the image would hold.

The server never outlives the notebook: started by :class:`ModelServer` or
:class:`AppServer` it watches its standard input, which the parent holds open, and exits
when the parent goes away (a kernel restart, a crash, a failed run); ``atexit`` and
``stop()`` stop it earlier.

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
_RUNNING: "set[_LocalServer]" = set()


def _stop_all() -> None:
    for server in list(_RUNNING):
        server.stop()


atexit.register(_stop_all)


class _LocalServer:
    """What every server process of this module shares: a free port on loopback, start
    and wait for ``GET /health``, stop, the log, and dying with its parent."""

    #: How the process is named in errors ("The model server did not answer ...").
    kind = "The server"

    def __init__(self, *, host: str = HOST, port: int | None = None, startup_timeout: float = 60.0,
                 workdir: str | os.PathLike | None = None) -> None:
        self.host = host
        self.requested_port = port
        self.port: int | None = None
        self.startup_timeout = startup_timeout
        self._workdir = Path(workdir) if workdir else None
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._proc: subprocess.Popen | None = None
        self._log_handle = None
        self.log_path: Path | None = None

    # -- what a subclass says ----------------------------------------------
    def _check_before_start(self) -> None:
        """Raise :class:`ServerError` when the server cannot start (a missing file)."""

    def _arguments(self, workdir: Path) -> list[str]:  # pragma: no cover - abstract
        """Arguments of ``python -m mlops_course.serving`` (host, port and watcher are added)."""
        raise NotImplementedError

    def _cwd(self, workdir: Path) -> Path:
        return workdir

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

    def _state(self) -> str:
        return f"running at {self.url} (pid {self.pid})" if self.running else "stopped"

    # -- life cycle --------------------------------------------------------
    def start(self) -> "_LocalServer":
        """Start the server process and wait until it answers; return ``self``."""
        if self.running:
            return self
        self._check_before_start()
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
        self.log_path = workdir / "server.log"
        self._log_handle = open(self.log_path, "wb")
        env = dict(os.environ)
        package_parent = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        command = [sys.executable, "-m", "mlops_course.serving", *self._arguments(workdir),
                   "--host", self.host, "--port", str(port), "--watch-stdin"]
        self._proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=self._log_handle, stderr=subprocess.STDOUT,
            cwd=self._cwd(workdir), env=env,
        )
        self.port = port
        _RUNNING.add(self)
        try:
            wait_until_healthy(self._proc, f"http://{self.host}:{port}/health", self.kind, self.log_path,
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

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __del__(self) -> None:  # pragma: no cover - best effort at garbage collection
        try:
            self.stop()
        except Exception:
            pass


class ModelServer(_LocalServer):
    """The course's model server for a joblib file; start it, call ``server.url``, stop it.

    ``schema`` maps every input column to ``"number"``, ``"integer"`` or ``"string"``.
    ``port=None`` picks a free port; a given port that is taken raises
    :class:`PortInUseError`. If the server does not answer ``GET /health`` within
    ``startup_timeout`` seconds, :meth:`start` stops it and raises
    :class:`ServerStartError` with the server's log.
    """

    kind = "The model server"

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
        super().__init__(host=host, port=port, startup_timeout=startup_timeout, workdir=workdir)
        self.model_path = Path(model_path).resolve()
        self.schema = dict(schema)
        self.model_version = model_version

    def __repr__(self) -> str:
        return f"<ModelServer {self.model_path.name}: {self._state()}>"

    def _check_before_start(self) -> None:
        if not self.model_path.is_file():
            raise ServerError(f"No model file at {self.model_path}.")

    def _arguments(self, workdir: Path) -> list[str]:
        schema_path = workdir / "schema.json"
        schema_path.write_text(json.dumps(self.schema, indent=1))
        return ["--model", str(self.model_path), "--schema", str(schema_path), "--model-version", self.model_version]


class AppServer(_LocalServer):
    """Serve an ASGI app that lives in a folder (``service.py`` with ``app = ...``), as
    ``uvicorn service:app`` would from that folder, on localhost.

    The app must answer ``GET /health`` with 200: :meth:`start` waits for it. The log goes
    to a temporary folder, so ``folder`` holds only what a container image would.
    """

    kind = "The service"

    def __init__(self, folder: str | os.PathLike, app: str = "service:app", *, host: str = HOST,
                 port: int | None = None, startup_timeout: float = 60.0) -> None:
        if ":" not in app:
            raise ValueError(f"app must read 'module:attribute', like 'service:app'; got {app!r}")
        super().__init__(host=host, port=port, startup_timeout=startup_timeout)
        self.folder = Path(folder).resolve()
        self.app = app

    def __repr__(self) -> str:
        return f"<AppServer {self.app} in {self.folder.name}/: {self._state()}>"

    def _check_before_start(self) -> None:
        module = self.folder / (self.app.split(":")[0].replace(".", "/") + ".py")
        if not module.is_file():
            raise ServerError(f"No {module.name} in {self.folder}.")

    def _arguments(self, workdir: Path) -> list[str]:
        return ["--app", self.app]

    def _cwd(self, workdir: Path) -> Path:
        return self.folder


# --------------------------------------------------------------------------- the service as a file
#: The first lines of ``service.py``: the names a lesson's service functions may use.
SERVICE_HEADER = '''"""Churn prediction service (course week 09). Start it with: uvicorn service:app"""
import json
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from fastapi import Body, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
'''

#: The last lines of ``service.py``: load the artifacts next to it and build the app.
SERVICE_FOOTER = '''
HERE = Path(__file__).resolve().parent
app = build_service(joblib.load(HERE / "model.joblib"), json.loads((HERE / "schema.json").read_text()),
                    validate_record)
'''


def service_module(*functions) -> str:
    """The text of ``service.py``: :data:`SERVICE_HEADER`, the source of each function
    (a function defined in a notebook cell, or its source as a string), then
    :data:`SERVICE_FOOTER`, which calls ``build_service(model, schema, validate_record)``."""
    import inspect
    import textwrap

    parts = [SERVICE_HEADER]
    for function in functions:
        source = function if isinstance(function, str) else inspect.getsource(function)
        parts.append("\n" + textwrap.dedent(source).strip() + "\n")
    parts.append(SERVICE_FOOTER)
    return "\n".join(parts)


# --------------------------------------------------------------------------- Dockerfiles
class DockerfileError(ValueError):
    """A Dockerfile that cannot be read or built as written; the message says where."""


def parse_dockerfile(text: str) -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` for each instruction, in order: comments and blank
    lines skipped, lines ending in a backslash joined with the next."""
    instructions, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        word, _, rest = line.partition(" ")
        instructions.append((word.upper(), rest.strip()))
    if pending:
        instructions.append(tuple(pending.strip().partition(" ")[::2]))  # type: ignore[arg-type]
    return instructions


def command_words(arguments: str) -> list[str]:
    """The words of a ``CMD`` / ``ENTRYPOINT`` / ``RUN``: its JSON (exec) form or its shell form."""
    import shlex

    if arguments.lstrip().startswith("["):
        try:
            words = json.loads(arguments)
        except json.JSONDecodeError as error:
            raise DockerfileError(f"{arguments!r} is not a valid JSON list: {error}") from None
        return [str(w) for w in words]
    return shlex.split(arguments)


def copy_parts(arguments: str) -> tuple[list[str], str]:
    """The sources and the destination of a ``COPY`` / ``ADD`` (``--flags`` left out)."""
    words = command_words(arguments)
    words = [w for w in words if not w.startswith("--")]
    if len(words) < 2:
        raise DockerfileError(f"COPY {arguments}: needs at least one source and a destination")
    return words[:-1], words[-1]


def assemble_image(dockerfile: str, context: str | os.PathLike, root: str | os.PathLike) -> Path:
    """Do what the Dockerfile's ``WORKDIR`` and ``COPY`` lines would do to an image, into
    the folder ``root`` (the image's ``/``), taking files only from the build ``context``;
    return the folder of the last ``WORKDIR``. A source missing from the context raises
    :class:`DockerfileError`, as ``docker build`` would fail."""
    import shutil

    context, root = Path(context).resolve(), Path(root).resolve()
    workdir = Path("/")
    for instruction, arguments in parse_dockerfile(dockerfile):
        if instruction == "WORKDIR":
            workdir = workdir / arguments.strip()
            (root / str(workdir).lstrip("/")).mkdir(parents=True, exist_ok=True)
        elif instruction in ("COPY", "ADD"):
            sources, dest = copy_parts(arguments)
            target = root / str(workdir / dest).lstrip("/")
            into_folder = dest.endswith("/") or dest in (".", "./") or len(sources) > 1
            matches = []
            for source in sources:                   # a pattern (*.py) stands for every file it matches
                hits = sorted(context.glob(source)) if any(ch in source for ch in "*?[") else [context / source]
                if not hits:
                    raise DockerfileError(f"COPY {source}: no file of the build context {context} matches")
                matches += [(source, hit) for hit in hits]
            into_folder = into_folder or len(matches) > 1
            for source, hit in matches:
                found = hit.resolve()
                if not found.exists() or context not in (found, *found.parents):
                    raise DockerfileError(f"COPY {source}: not in the build context {context}")
                if found.is_dir():
                    shutil.copytree(found, target, dirs_exist_ok=True)
                else:
                    place = target / found.name if into_folder else target
                    place.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(found, place)
    return root / str(workdir).lstrip("/")


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

    parser = argparse.ArgumentParser(description="Serve a joblib model, or an app in a folder, over HTTP "
                                                 "(course week 09).")
    served = parser.add_mutually_exclusive_group(required=True)
    served.add_argument("--model", help="a joblib model file (with --schema): the course's model server")
    served.add_argument("--app", help="module:attribute of an ASGI app in the current folder, e.g. service:app")
    parser.add_argument("--schema", help="JSON file mapping columns to number/integer/string")
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model-version", default="1")
    parser.add_argument("--watch-stdin", action="store_true",
                        help="exit when standard input closes (set by the lesson's servers; leave off in a container)")
    args = parser.parse_args(argv)
    if args.model and not args.schema:
        parser.error("--model needs --schema")

    import uvicorn

    if args.app:  # what `uvicorn service:app` does: import the module from the current folder
        import importlib

        sys.path.insert(0, os.getcwd())
        module, _, attribute = args.app.partition(":")
        app = getattr(importlib.import_module(module), attribute)  # a broken service fails here, with a traceback
        served_what = args.app
    else:
        schema = json.loads(Path(args.schema).read_text())
        app = build_app(args.model, schema, args.model_version)  # a broken model fails here, with a traceback
        served_what = args.model
    if args.watch_stdin:
        threading.Thread(target=_exit_when_parent_goes, daemon=True).start()
    print(f"serving {served_what} on http://{args.host}:{args.port}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    print("server stopped", flush=True)
    sys.stdout.flush()
    os._exit(0)  # do not wait for the stdin watcher thread at interpreter shutdown


if __name__ == "__main__":
    main()
