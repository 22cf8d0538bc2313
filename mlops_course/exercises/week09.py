"""Week 09 exercises: deployment (request validation, a prediction service, a Dockerfile,
int8 quantization, A/B tests, bandits).

Three exercises hand their worked solution on as code (``Worked.code``): when a
student's own ``validate_record``, ``build_service`` or ``dockerfile_for`` is not correct
yet, the lesson ships the worked one instead (``mine_or_worked``), so the rest of the
lesson still has a service to start. No ``from __future__ import annotations`` here:
FastAPI reads the annotations of the services below at run time.
"""
import fnmatch
import linecache
import math
import re
from functools import cached_property

import numpy as np

from ..checks import Exercise, Incorrect, expect_callable, expect_close, expect_number, register
from ..serving import SERVICE_HEADER, DockerfileError, command_words, copy_parts, parse_dockerfile

_SCHEMA = {"minutes": "number", "calls": "integer", "plan": "string"}
_GOOD = {"minutes": 181.5, "calls": 3, "plan": "no"}


class Worked:
    """An exercise whose worked solution is real code (``code``, one function) that the
    lesson may use in place of a student's unfinished one."""

    code = ""
    function_name = ""

    @cached_property
    def worked(self):
        """The worked solution as a function (its source registered, so inspect can read it)."""
        filename = f"<worked solution: {self.function_name}>"
        linecache.cache[filename] = (len(self.code), None, self.code.splitlines(True), filename)
        namespace: dict = {}
        exec(compile(SERVICE_HEADER + "\n" * 3, "<header>", "exec", dont_inherit=True), namespace)
        exec(compile(self.code, filename, "exec", dont_inherit=True), namespace)
        return namespace[self.function_name]

    def mine_or_worked(self, fn):
        """``fn`` when the check judges it correct, else the worked solution (and say so)."""
        if self.check(fn).correct:
            print(f"{self.function_name}: yours")
            return fn
        print(f"{self.function_name}: not correct yet, so the worked solution stands in "
              f"(ex.{self.name}.show_solution() shows it)")
        return self.worked


def _problems(got, what: str) -> list:
    if not isinstance(got, list) or not all(isinstance(p, str) for p in got):
        raise Incorrect(f"validate_record should return a list of strings for {what}, got {type(got).__name__}.")
    return got


# -- 1. validate a record ---------------------------------------------------------------
_VALIDATE_CODE = '''\
def validate_record(record, schema):
    """Return a list of problems (missing or unknown columns, wrong types); [] if valid."""
    problems = [f"missing column: {c}" for c in schema if c not in record]
    problems += [f"unknown column: {c}" for c in record if c not in schema]
    accepts = {"number": (int, float), "integer": (int,), "string": (str,)}
    for column, kind in schema.items():
        if column in record:
            value = record[column]
            if isinstance(value, bool) or not isinstance(value, accepts[kind]):
                problems.append(f"{column}: expected a {kind}, got {type(value).__name__}")
    return problems
'''


def _v_missing_only(record, schema):
    return [f"missing column: {c}" for c in schema if c not in record]


def _v_bool_slips_through(record, schema):
    accepts = {"number": (int, float), "integer": (int,), "string": (str,)}
    problems = [f"missing column: {c}" for c in schema if c not in record]
    problems += [f"unknown column: {c}" for c in record if c not in schema]
    problems += [f"{c}: wrong type" for c, k in schema.items() if c in record and not isinstance(record[c], accepts[k])]
    return problems


def _v_float_only(record, schema):
    accepts = {"number": (float,), "integer": (int,), "string": (str,)}
    problems = [f"missing column: {c}" for c in schema if c not in record]
    problems += [f"unknown column: {c}" for c in record if c not in schema]
    problems += [f"{c}: wrong type" for c, k in schema.items()
                 if c in record and (isinstance(record[c], bool) or not isinstance(record[c], accepts[k]))]
    return problems


def _worked_validate(record, schema):
    namespace: dict = {}
    exec(_VALIDATE_CODE, namespace)
    return namespace["validate_record"](record, schema)


def _v_no_unknown(record, schema):
    return [p for p in _worked_validate(record, schema) if not p.startswith("unknown")]


def _v_first_problem_only(record, schema):
    return _worked_validate(record, schema)[:1]


def _v_no_column_names(record, schema):
    return ["invalid record"] if _worked_validate(record, schema) else []


def _v_skips_null(record, schema):
    """Lets a JSON null through: the model then meets a NaN and the service answers 500."""
    return [p for p in _worked_validate(record, schema) if "NoneType" not in p]


def _v_converts(record, schema):
    """Tries float()/int() instead of checking the type: "181.5" and True pass as numbers."""
    problems = [f"missing column: {c}" for c in schema if c not in record]
    problems += [f"unknown column: {c}" for c in record if c not in schema]
    for column, kind in schema.items():
        if column in record:
            value = record[column]
            try:
                if kind == "number":
                    float(value)
                elif kind == "integer" and (isinstance(value, bool) or int(value) != value):
                    raise ValueError
                elif kind == "string" and not isinstance(value, str):
                    raise ValueError
            except (TypeError, ValueError):
                problems.append(f"{column}: expected a {kind}")
    return problems


def _v_bool_only_for_integers(record, schema):
    accepts = {"number": (int, float), "integer": (int,), "string": (str,)}
    problems = [f"missing column: {c}" for c in schema if c not in record]
    problems += [f"unknown column: {c}" for c in record if c not in schema]
    problems += [f"{c}: wrong type" for c, k in schema.items() if c in record and (
        (k == "integer" and isinstance(record[c], bool)) or not isinstance(record[c], accepts[k]))]
    return problems


def _v_numbers_module(record, schema):
    import numbers

    accepts = {"number": numbers.Real, "integer": numbers.Integral, "string": str}
    problems = [f"{c} is missing" for c in schema if c not in record]
    problems += [f"{c} is not in the schema" for c in record if c not in schema]
    problems += [f"{c} should be a {k}" for c, k in schema.items()
                 if c in record and (type(record[c]) is bool or not isinstance(record[c], accepts[k]))]
    return problems


def _v_exact_types(record, schema):
    accepts = {"number": (int, float), "integer": (int,), "string": (str,)}
    problems = []
    for column in set(schema) | set(record):
        if column not in record:
            problems.append(f"{column}: required")
        elif column not in schema:
            problems.append(f"{column}: not allowed")
        elif type(record[column]) not in accepts[schema[column]]:
            problems.append(f"{column}: wrong type {type(record[column]).__name__}")
    return problems


class ValidateRecord(Worked, Exercise):
    title = "Validate a request before it reaches the model"
    function_name = "validate_record"
    code = _VALIDATE_CODE
    hints = (
        "Return a list of strings, one per problem, and an empty list for a valid record. "
        "Look for three kinds of problem: columns the schema asks for but the record lacks, "
        "columns the record has but the schema does not know, and values of the wrong type.",
        "Missing: the columns of schema that are not in record. Unknown: the other way round. Put the "
        "column name into each message so the caller knows what to fix.",
        "Types: 'number' accepts int or float, 'integer' only int, 'string' only str. "
        "bool is a subclass of int in Python, so rule it out explicitly: "
        "isinstance(v, (int, float)) and not isinstance(v, bool).",
    )
    solution = f"""```python
{_VALIDATE_CODE}```
A server that checks every request against the schema can answer a bad one with a 4xx and a
message that names the column, instead of crashing inside the model with a 500 (or, worse,
silently predicting from garbage)."""
    wrong_answer = staticmethod(_v_missing_only)
    wrong_answers = (_v_bool_slips_through, _v_float_only, _v_no_unknown, _v_first_problem_only,
                     _v_no_column_names, _v_skips_null, _v_converts, _v_bool_only_for_integers)
    right_answers = (_v_numbers_module, _v_exact_types)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "validate_record")
        if _problems(fn(dict(_GOOD), dict(_SCHEMA)), "a valid record"):
            raise Incorrect("A valid record should give an empty list, but yours reports problems.")
        if _problems(fn({**_GOOD, "minutes": 180}, dict(_SCHEMA)), "a valid record"):
            raise Incorrect("An int is a fine value for a 'number' column; your function rejects it.")
        cases = [
            ({"minutes": 181.5, "plan": "no"}, "calls", "a missing column"),
            ({**_GOOD, "region": "north"}, "region", "an unknown column"),
            ({**_GOOD, "minutes": "lots"}, "minutes", "text in a number column"),
            ({**_GOOD, "calls": 2.5}, "calls", "a float in an integer column"),
            ({**_GOOD, "plan": 1}, "plan", "a number in a string column"),
            ({**_GOOD, "calls": True}, "calls", "a bool in an integer column"),
            ({**_GOOD, "minutes": False}, "minutes", "a bool in a number column"),
            ({**_GOOD, "minutes": "181.5"}, "minutes", "a number sent as text"),
            ({**_GOOD, "minutes": None}, "minutes", "a null value"),
        ]
        for record, column, what in cases:
            problems = _problems(fn(record, dict(_SCHEMA)), what)
            if not problems:
                raise Incorrect(f"A record with {what} ({column!r}) should be reported, but your list is empty.")
            if not any(column in p for p in problems):
                raise Incorrect(f"For {what}, name the column {column!r} in the message.")
        many = _problems(fn({"minutes": "x", "extra": 1}, dict(_SCHEMA)), "several problems")
        if len(many) < 4:
            raise Incorrect("A record with a wrong type, an unknown column and two missing columns should "
                            f"give one message per problem; yours gives {len(many)}.")


# -- 2. the prediction service -----------------------------------------------------------
_SERVICE_CODE = '''\
def build_service(model, schema, validate):
    """A FastAPI app: GET /health, and POST /predict for {"records": [{column: value, ...}, ...]}."""
    app = FastAPI(title="Churn model service")

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.post("/predict")
    def predict(body: dict = Body(...)):
        records = body.get("records")
        if not isinstance(records, list) or not records:
            return JSONResponse(status_code=422, content={
                "detail": ['send {"records": [{"column": value, ...}, ...]} with at least one record']})
        problems = [f"record {i}: {problem}" for i, record in enumerate(records)
                    for problem in (validate(record, schema) if isinstance(record, dict) else ["not an object"])]
        if problems:            # refuse the whole request before the model sees any of it
            return JSONResponse(status_code=422, content={"detail": problems})
        frame = pd.DataFrame(records, columns=list(schema))
        return {"predictions": model.predict(frame).tolist(),
                "probabilities": model.predict_proba(frame)[:, 1].round(6).tolist()}

    return app
'''


class _FakeModel:
    """A stand-in for the churn pipeline: it scores from ``minutes`` and ``calls`` and
    needs a DataFrame with every column of the schema, like the real one."""

    def __init__(self) -> None:
        self.calls = 0

    def _score(self, frame):
        import pandas as pd

        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"the model needs a pandas DataFrame, got {type(frame).__name__}")
        missing = [c for c in _SCHEMA if c not in frame.columns]
        if missing:
            raise KeyError(f"columns are missing: {missing}")
        values = frame[list(_SCHEMA)]
        if values.isna().any().any():
            raise ValueError("Input X contains NaN.")            # what scikit-learn says
        self.calls += 1
        z = (frame["minutes"].to_numpy(float) - 170) / 20 + 0.3 * frame["calls"].to_numpy(float) - 1
        return 1 / (1 + np.exp(-z))

    def predict_proba(self, frame):
        p = self._score(frame)
        return np.c_[1 - p, p]

    def predict(self, frame):
        return (self._score(frame) >= 0.5).astype(np.int64)


class _ServiceRaised(Exception):
    pass


def _app_variant(respond, health=True):
    """A build_service whose POST /predict answers ``respond(body, model, schema, validate)``,
    a (status, content) pair: the shape of most of the mistakes below."""
    def build_service(model, schema, validate):
        from fastapi import Body, FastAPI
        from fastapi.responses import JSONResponse

        app = FastAPI()
        if health:
            app.get("/health")(lambda: {"status": "ok"})

        def predict(body=Body(...)):
            status, content = respond(body, model, schema, validate)
            return JSONResponse(status_code=status, content=content)

        app.post("/predict")(predict)
        return app
    return build_service


def _predict(model, records, schema):
    import pandas as pd

    frame = pd.DataFrame(records, columns=list(schema))
    return {"predictions": model.predict(frame).tolist(), "probabilities": model.predict_proba(frame)[:, 1].tolist()}


def _problems_of(body, schema, validate, first_only=False):
    records = body["records"]
    return [p for r in (records[:1] if first_only else records) for p in validate(r, schema)]


def _s_no_validation(body, model, schema, validate):
    return 200, _predict(model, body["records"], schema)


def _s_200_with_errors(body, model, schema, validate):
    problems = _problems_of(body, schema, validate)
    return (200, {"errors": problems}) if problems else (200, _predict(model, body["records"], schema))


def _s_400(body, model, schema, validate):
    problems = _problems_of(body, schema, validate)
    return (400, {"detail": problems}) if problems else (200, _predict(model, body["records"], schema))


def _s_422_no_message(body, model, schema, validate):
    problems = _problems_of(body, schema, validate)
    return (422, {"detail": "invalid request"}) if problems else (200, _predict(model, body["records"], schema))


def _s_raises(body, model, schema, validate):
    problems = _problems_of(body, schema, validate)
    if problems:
        raise ValueError("; ".join(problems))
    return 200, _predict(model, body["records"], schema)


def _s_first_record_only(body, model, schema, validate):
    problems = _problems_of(body, schema, validate, first_only=True)
    return (422, {"detail": problems}) if problems else (200, _predict(model, body["records"], schema))


def _s_one_prediction(body, model, schema, validate):
    problems = _problems_of(body, schema, validate)
    if problems:
        return 422, {"detail": problems}
    answer = _predict(model, body["records"][:1], schema)
    return 200, {"predictions": answer["predictions"][0], "probabilities": answer["probabilities"][0]}


def _s_always_200(body, model, schema, validate):
    try:
        return 200, _predict(model, body["records"], schema)
    except Exception:
        return 200, {"predictions": [], "probabilities": []}


def _s_crashes_on_envelope(body, model, schema, validate):
    problems = [p for r in body["records"] for p in validate(r, schema)]   # KeyError without "records"
    return (422, {"detail": problems}) if problems else (200, _predict(model, body["records"], schema))


def _r_http_exception(model, schema, validate):
    from fastapi import FastAPI, HTTPException, Request

    app = FastAPI()

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.post("/predict")
    async def predict(request: Request):
        body = await request.json()
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            raise HTTPException(status_code=400, detail="expected a JSON object with a 'records' list")
        problems = [p for r in body["records"] for p in validate(r, schema)]
        if problems:
            raise HTTPException(status_code=422, detail=problems)
        return _predict(model, body["records"], schema)

    return app


def _r_pydantic(model, schema, validate):
    """FastAPI's own validation: a strict pydantic model per record (a valid alternative)."""
    from fastapi import FastAPI
    from pydantic import ConfigDict, StrictFloat, StrictInt, StrictStr, create_model

    kinds = {"number": StrictFloat | StrictInt, "integer": StrictInt, "string": StrictStr}
    Record = create_model("Record", __config__=ConfigDict(extra="forbid"),
                          **{c: (kinds[k], ...) for c, k in schema.items()})
    Request = create_model("Request", records=(list[Record], ...))
    app = FastAPI()
    app.get("/health")(lambda: {"status": "ok"})

    def predict(body: Request):
        return _predict(model, [r.model_dump() for r in body.records], schema)

    app.post("/predict")(predict)
    return app


class BuildService(Worked, Exercise):
    title = "A prediction service around your validation"
    function_name = "build_service"
    code = _SERVICE_CODE
    hints = (
        "Create app = FastAPI(), declare two routes with the decorators @app.get('/health') and "
        "@app.post('/predict'), and return app. A route function's return value (a dict) becomes the "
        "JSON answer with status 200.",
        "In predict, take the body as a dict (def predict(body: dict = Body(...))), read body.get('records'), "
        "collect validate(record, schema) for every record, and if there is any problem return "
        "JSONResponse(status_code=422, content={'detail': problems}) before the model is called. "
        "A body without a 'records' list is a client error too (a 4xx, not a crash).",
        "Only for a clean request: frame = pd.DataFrame(records, columns=list(schema)), then "
        "model.predict(frame).tolist() and model.predict_proba(frame)[:, 1].tolist(): .tolist() turns "
        "NumPy values into plain numbers that JSON can carry.",
    )
    solution = f"""```python
{_SERVICE_CODE}```
Every request is checked against the schema *before* the model runs, and a request with any
bad record is refused as a whole with **422** and one message per problem, so the caller
learns what to fix and the model never predicts from a half-filled row. 422 says "I could
read your JSON, but it does not fit"; a crash inside the model would give 500 and blame the
server. `raise HTTPException(status_code=422, detail=problems)` is an equally good way to
answer."""
    wrong_answer = staticmethod(_app_variant(_s_no_validation))
    wrong_answers = tuple(_app_variant(r) for r in (
        _s_200_with_errors, _s_400, _s_422_no_message, _s_raises, _s_first_record_only, _s_one_prediction,
        _s_always_200, _s_crashes_on_envelope)) + (_app_variant(_s_no_validation, health=False),)
    right_answers = (_r_http_exception, _r_pydantic)
    check_budget = 0.25  # about ten in-process requests through FastAPI's test client (about 40 ms)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "build_service")
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # starlette's note about its httpx successor
            from fastapi.testclient import TestClient

        model = _FakeModel()
        app = fn(model, dict(_SCHEMA), _worked_validate)
        if app is None or not hasattr(app, "router"):
            raise Incorrect(f"build_service should return the FastAPI app it built (return app), "
                            f"got {type(app).__name__}.")
        client = TestClient(app)

        def call(what, method, path, **kwargs):
            try:
                return client.request(method, path, **kwargs)
            except NotImplementedError:
                raise
            except Exception as exc:
                raise _ServiceRaised(f"For {what}, your service raised {type(exc).__name__}: {exc}") from None

        try:
            self._judge(call, model)
        except _ServiceRaised as exc:
            raise Incorrect(f"{str(exc).rstrip('.')}. A service answers every request; a bad one gets a 4xx, not a crash (500).")

    @staticmethod
    def _judge(call, model) -> None:
        reply = call("GET /health", "GET", "/health")
        if reply.status_code != 200:
            raise Incorrect(f"GET /health answered {reply.status_code}; a health endpoint answers 200 while the "
                            "service is up (load balancers and Kubernetes ask it).")
        records = [dict(_GOOD), {**_GOOD, "minutes": 240.0, "calls": 7, "plan": "yes"}]
        reply = call("a valid request", "POST", "/predict", json={"records": records})
        if reply.status_code != 200:
            raise Incorrect(f"A valid request with two records got status {reply.status_code}; it should get 200 "
                            "with the predictions.")
        body = reply.json()
        if not isinstance(body, dict) or not {"predictions", "probabilities"} <= set(body):
            raise Incorrect("The answer to a valid request should be a JSON object with 'predictions' and "
                            "'probabilities'.")
        predictions, probabilities = body["predictions"], body["probabilities"]
        if not isinstance(predictions, list) or not isinstance(probabilities, list) or \
                len(predictions) != 2 or len(probabilities) != 2:
            raise Incorrect("For two records, 'predictions' and 'probabilities' should each be a list of two "
                            "values, one per record, in order.")
        want = model.predict_proba(__import__("pandas").DataFrame(records))[:, 1]
        if not all(isinstance(p, (int, float)) for p in probabilities) or \
                not np.allclose(probabilities, want, atol=1e-4):
            raise Incorrect("The probabilities are not the model's predict_proba(...)[:, 1] for these records.")
        if [int(p) for p in predictions] != [int(w >= 0.5) for w in want]:
            raise Incorrect("The predictions are not the model's predict(...) for these records.")
        bad = [
            ({"records": [{"minutes": 181.5, "plan": "no"}]}, "calls", "a record without 'calls'"),
            ({"records": [{**_GOOD, "minutes": "lots"}]}, "minutes", "text in the number column 'minutes'"),
            ({"records": [{**_GOOD, "region": "north"}]}, "region", "an unknown column 'region'"),
            ({"records": [dict(_GOOD), {**_GOOD, "calls": 2.5}]}, "calls",
             "a request whose second record has a float in 'calls'"),
        ]
        for payload, column, what in bad:
            before = model.calls
            reply = call(what, "POST", "/predict", json=payload)
            if reply.status_code != 422:
                raise Incorrect(f"For {what} your service answered {reply.status_code}; a request that is valid "
                                "JSON but does not fit the schema should get 422 (Unprocessable Content).")
            if column not in reply.text:
                raise Incorrect(f"For {what} the 422 answer should name the column {column!r}, so the caller knows "
                                "what to fix: put the problems into the body, e.g. under 'detail'.")
            if model.calls != before:
                raise Incorrect(f"For {what} the model was called although the request was refused: validate "
                                "every record first.")
        for payload, what in [({"rows": [dict(_GOOD)]}, "a body without 'records'"),
                              ([dict(_GOOD)], "a JSON list instead of an object")]:
            reply = call(what, "POST", "/predict", json=payload)
            if not 400 <= reply.status_code < 500 or reply.status_code in (404, 405):
                raise Incorrect(f"For {what} your service answered {reply.status_code}; it is the client's "
                                "mistake, so answer 400 or 422 with a message.")


# -- 3. a Dockerfile that caches the slow layer -------------------------------------------
#: What the lesson's build context (the folder ``docker build`` would read) holds.
_CONTEXT = ("requirements.txt", "service.py", "model.joblib", "schema.json", "train.py")
_NEEDED = ("service.py", "model.joblib", "schema.json")

_DOCKERFILE_CODE = '''\
def dockerfile_for(port):
    """A Dockerfile for service.py whose slow pip layer survives a retrained model."""
    return f"""\\
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY service.py model.joblib schema.json ./
EXPOSE {port}
CMD ["uvicorn", "service:app", "--host", "0.0.0.0", "--port", "{port}"]
"""
'''

_SLOW = """\
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
EXPOSE {port}
CMD ["uvicorn", "service:app", "--host", "0.0.0.0", "--port", "{port}"]
"""


def _dockerfile(template: str):
    return lambda port: template.replace("{port}", str(port))


_GOOD_BODY = """\
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
{copies}
EXPOSE {port}
{cmd}
"""
_CMD = 'CMD ["uvicorn", "service:app", "--host", "0.0.0.0", "--port", "{port}"]'


def _variant(copies="COPY service.py model.joblib schema.json ./", cmd=_CMD, body=_GOOD_BODY):
    return _dockerfile(body.replace("{copies}", copies).replace("{cmd}", cmd))


_PIP = re.compile(r"\bpip3?\b.*\binstall\b")


def _unpinned(arguments: str) -> list[str]:
    """Packages a ``RUN ... pip install`` names outside a requirements file (pip itself aside)."""
    loose = []
    for command in re.split(r"&&|;|\|\|", arguments):
        words = command.split()
        if "install" not in words or not _PIP.search(command):
            continue
        after, skip = words[words.index("install") + 1:], False
        for word in after:
            if skip:
                skip = False
            elif word in ("-r", "--requirement", "-c", "--constraint"):
                skip = True
            elif not word.startswith("-") and not (word == "pip" and ("--upgrade" in after or "-U" in after)):
                loose.append(word)
    return loose


def _copies_requirements(arguments: str) -> bool:
    return bool(re.search(r"(-r|--requirement)[ =]+\S*requirements\.txt", arguments))


class CacheFriendlyDockerfile(Worked, Exercise):
    title = "Order a Dockerfile for the layer cache"
    function_name = "dockerfile_for"
    code = _DOCKERFILE_CODE
    hints = (
        "The builder reuses a layer only while that instruction and all before it are unchanged, and a COPY "
        "counts as changed when any file it copies changed. Which files change at every retraining, and "
        "which step is slow?",
        "Copy requirements.txt alone, run pip install -r requirements.txt, and only then copy service.py, "
        "model.joblib and schema.json. Every file must come from the build context (no mlops_course/ here).",
        "Inside a container 127.0.0.1 is the container itself: start uvicorn service:app with --host 0.0.0.0 "
        "and --port set to the port argument, and EXPOSE that port. Use an f-string for the port.",
    )
    solution = f"""```python
{_DOCKERFILE_CODE}```
Retraining changes `model.joblib` (and editing the service changes `service.py`), but not
`requirements.txt`. With `requirements.txt` copied alone before `pip install`, both of those
layers stay in the cache and a rebuild only redoes the last `COPY`: seconds instead of
minutes. The packages come only from the pinned requirements file, so the image runs the
versions the model was trained with; `--host 0.0.0.0` makes the service reachable through
`docker run -p {{port}}:{{port}}`."""
    wrong_answer = staticmethod(_dockerfile(_SLOW))
    wrong_answers = (
        _variant(body=_GOOD_BODY.replace("COPY requirements.txt .", "COPY requirements.txt model.joblib ./")),
        _variant(copies="COPY mlops_course/ ./mlops_course/\nCOPY service.py model.joblib schema.json ./"),
        _variant(cmd=_CMD.replace("0.0.0.0", "127.0.0.1")),
        _variant(cmd='CMD ["uvicorn", "service:app", "--port", "{port}"]'),
        lambda port: _variant()(8000),
        _variant(body=_GOOD_BODY.replace("-r requirements.txt", "-r requirements.txt fastapi uvicorn")),
        _variant(body=_GOOD_BODY.replace("RUN pip install -r requirements.txt",
                                         "RUN pip install scikit-learn pandas joblib fastapi uvicorn")),
        _variant(copies="COPY service.py schema.json ./"),
        _variant(body=_GOOD_BODY.replace("COPY requirements.txt .\n", "")),
    )
    right_answers = (
        _variant(copies="COPY . .", cmd="CMD uvicorn service:app --host 0.0.0.0 --port {port}",
                 body=_GOOD_BODY.replace("RUN pip install", "RUN pip install --no-cache-dir")),
        _variant(copies="COPY *.py *.json model.joblib ./"),
        _variant(copies="COPY service.py .\nCOPY model.joblib .\nCOPY schema.json .",
                 cmd='ENTRYPOINT ["python", "-m", "uvicorn", "service:app", "--host=0.0.0.0", "--port={port}"]'),
        _variant(body="# the churn service\n" + _GOOD_BODY.replace(
            "RUN pip install -r requirements.txt", "RUN python -m pip install --upgrade pip && \\\n"
                                                    "    pip install -r requirements.txt")),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "dockerfile_for")
        for port in (8000, 8080):
            text = fn(port)
            if not isinstance(text, str):
                raise Incorrect(f"dockerfile_for should return the Dockerfile as a string, got {type(text).__name__}.")
            try:
                self._judge(text, port)
            except DockerfileError as error:
                raise Incorrect(f"The Dockerfile cannot be read: {error}.") from None

    @staticmethod
    def _judge(text: str, port: int) -> None:
        steps = parse_dockerfile(text)
        kinds = [k for k, _ in steps]
        if "FROM" not in kinds or any(k not in ("FROM", "ARG") for k in kinds[:kinds.index("FROM")]):
            raise Incorrect("A Dockerfile starts FROM a base image, e.g. FROM python:3.11-slim.")
        installs = [i for i, (k, a) in enumerate(steps) if k == "RUN" and _PIP.search(a)]
        pinned = [i for i in installs if _copies_requirements(steps[i][1])]
        if not pinned:
            raise Incorrect("Install the packages from the pinned file, pip install -r requirements.txt, so the "
                            "image gets the versions the model was trained with.")
        for i in installs:
            loose = _unpinned(steps[i][1])
            if loose:
                raise Incorrect(f"pip install also names {', '.join(loose)} without a version: pin every package "
                                "in requirements.txt, or the image gets whatever is newest on the day it is built.")
        first = pinned[0]
        copied_before, copied_after = [], []
        for i, (kind, arguments) in enumerate(steps):
            if kind not in ("COPY", "ADD"):
                continue
            sources, _ = copy_parts(arguments)
            for source in sources:
                name = source.rstrip("/") or "."
                if name in (".", "./"):
                    names = ["."]
                else:                                        # a pattern such as *.py matches like docker's
                    names = [c for c in _CONTEXT if fnmatch.fnmatchcase(c, name.removeprefix("./"))]
                if not names:
                    raise Incorrect(f"COPY {source}: the build context holds only {', '.join(_CONTEXT)}, so "
                                    "docker build would stop here. Copy only what is in the folder you build from.")
                (copied_before if i < first else copied_after).extend(names)
        if "requirements.txt" not in copied_before and "." not in copied_before:
            raise Incorrect("pip install -r requirements.txt runs before requirements.txt is copied into the image.")
        slow = [n for n in copied_before if n != "requirements.txt"]
        if slow:
            what = "The whole folder (COPY .)" if "." in slow else ", ".join(slow)
            raise Incorrect(f"{what} is copied before pip install: every retrained model or edited service then "
                            "invalidates the cache from that layer on and reinstalls all packages. Copy only "
                            "requirements.txt before installing.")
        missing = [n for n in _NEEDED if n not in copied_after and "." not in copied_after]
        if missing:
            raise Incorrect(f"The image lacks {', '.join(missing)}: the service needs it when it starts.")
        starts = [a for k, a in steps if k in ("CMD", "ENTRYPOINT")]
        if not starts:
            raise Incorrect("Say what the container runs when it starts: CMD [\"uvicorn\", \"service:app\", ...].")
        words = command_words(starts[-1])
        if "service:app" not in words or not any("uvicorn" in w for w in words):
            raise Incorrect("The container should start the service: uvicorn service:app (service.py's app).")
        options = {}
        for j, word in enumerate(words):
            name, _, value = word.partition("=")
            if name in ("--host", "--port"):
                options[name] = value or (words[j + 1] if j + 1 < len(words) else "")
        if options.get("--host") != "0.0.0.0":
            raise Incorrect("uvicorn listens on 127.0.0.1 unless told otherwise, and inside a container that is "
                            "the container itself: pass --host 0.0.0.0 so docker run -p can forward requests.")
        if options.get("--port") != str(port):
            raise Incorrect(f"For dockerfile_for({port}) the service should listen on port {port} (--port).")
        exposed = " ".join(a for k, a in steps if k == "EXPOSE").split()
        if str(port) not in [e.split("/")[0] for e in exposed]:
            raise Incorrect(f"For dockerfile_for({port}), EXPOSE the port the service listens on.")



class QuantizeInt8(Exercise):
    title = "Symmetric int8 quantization of a weight tensor"
    hints = (
        "Return a tuple (q, scale): q an int8 array of the same shape as the weights, scale a float.",
        "Symmetric quantization maps the largest absolute weight to 127: scale = max(|w|) / 127.",
        "q = round(w / scale), clipped to [-127, 127], then .astype(np.int8). Round before casting: "
        "astype alone truncates towards zero and doubles the error.",
    )
    solution = """```python
def quantize_int8(weights):
    w = np.asarray(weights, dtype=np.float32)
    scale = float(np.abs(w).max()) / 127
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale
```
Each weight now takes one byte instead of four, and `q * scale` recovers it to within half a
step (`scale / 2`). This is what TensorFlow Lite's dynamic-range quantization does to the
weights of each layer."""
    wrong_answer = staticmethod(lambda w: ((np.asarray(w) / (np.abs(w).max() / 127)).astype(np.int8),
                                           float(np.abs(w).max() / 127)))
    wrong_answers = (
        # 128 steps: the largest weight overflows int8 (or is clipped) and the scale is off
        lambda w: (np.clip(np.round(np.asarray(w) / (np.abs(w).max() / 128)), -128, 127).astype(np.int8),
                   float(np.abs(w).max() / 128)),
        # the rounded values, but left as floats
        lambda w: (np.round(np.asarray(w) / (np.abs(w).max() / 127)), float(np.abs(w).max() / 127)),
        # the scale from the range (max - min), as for asymmetric quantization, without a zero point
        lambda w: (np.clip(np.round(np.asarray(w) / (np.ptp(w) / 254)), -127, 127).astype(np.int8),
                   float(np.ptp(w) / 254)),
        # 255 levels (as for uint8): scale = 2 max|w| / 255, so the largest weight lands on 127.5
        lambda w: (np.clip(np.round(np.asarray(w) / (2 * np.abs(w).max() / 255)), -127, 127).astype(np.int8),
                   float(2 * np.abs(w).max() / 255)),
        # the scale from the largest weight, not the largest magnitude
        lambda w: (np.clip(np.round(np.asarray(w) / (np.max(w) / 127)), -127, 127).astype(np.int8),
                   float(np.max(w) / 127)),
    )
    right_answers = (
        lambda w: (np.rint(np.asarray(w) * 127 / np.abs(w).max()).astype(np.int8), float(np.abs(w).max()) / 127),
        lambda w: ((np.asarray(w, np.float64) / (np.max(np.abs(w)) / 127)).round().clip(-127, 127).astype("int8"),
                   np.float32(np.max(np.abs(w)) / 127)),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "quantize_int8")
        rng = np.random.default_rng(3)
        for weights in [rng.normal(0, 0.05, (16, 8)).astype(np.float32), np.array([-2.0, -0.5, 0.0, 0.26, 1.0]),
                        rng.uniform(-3, 1, 50)]:
            got = fn(weights.copy())
            if not isinstance(got, tuple) or len(got) != 2:
                raise Incorrect("quantize_int8 should return a tuple (q, scale).")
            q, scale = np.asarray(got[0]), expect_number(got[1], "scale")
            if q.dtype != np.int8 or q.shape != weights.shape:
                raise Incorrect(f"q should be an int8 array of shape {weights.shape}; got dtype {q.dtype}, shape {q.shape}.")
            want = float(np.abs(weights).max()) / 127
            if not math.isclose(scale, want, rel_tol=1e-5, abs_tol=0.0):   # relative: the weights are small
                raise Incorrect(f"scale is {scale:.4g}, which is not right yet. Map the largest absolute weight to 127.")
            error = np.abs(q.astype(np.float64) * scale - weights).max()
            if error > scale / 2 + 1e-6:
                raise Incorrect(f"q * scale is up to {error / scale:.2f} steps away from the weights; "
                                "round to the nearest step instead of truncating.")


def _ztest(conv_a, n_a, conv_b, n_b):
    p_a, p_b = conv_a / n_a, conv_b / n_b
    pooled = (conv_a + conv_b) / (n_a + n_b)
    z = (p_b - p_a) / math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    return z, math.erfc(abs(z) / math.sqrt(2))


def _z_from_se(ca, na, cb, nb, se, numerator=None):
    z = (cb / nb - ca / na if numerator is None else numerator) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def _z_statsmodels(ca, na, cb, nb):
    from statsmodels.stats.proportion import proportions_ztest

    z, p = proportions_ztest([cb, ca], [nb, na])
    return float(z), float(p)


def _z_chi_square(ca, na, cb, nb):
    from scipy.stats import chi2_contingency

    chi2, p, _, _ = chi2_contingency([[ca, na - ca], [cb, nb - cb]], correction=False)
    return math.copysign(math.sqrt(chi2), cb / nb - ca / na), float(p)


class TwoProportionZ(Exercise):
    title = "A/B test: two-proportion z-test"
    hints = (
        "Return a tuple (z, p_value). z is positive when B converts better than A; the p-value is two-sided.",
        "Pool the two groups for the standard error: p = (conv_a + conv_b) / (n_a + n_b), "
        "se = sqrt(p * (1 - p) * (1/n_a + 1/n_b)), and z = (conv_b/n_b - conv_a/n_a) / se.",
        "Two-sided p-value: 2 * scipy.stats.norm.sf(abs(z)).",
    )
    solution = """```python
def two_proportion_z(conv_a, n_a, conv_b, n_b):
    from scipy.stats import norm
    pooled = (conv_a + conv_b) / (n_a + n_b)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = (conv_b / n_b - conv_a / n_a) / se
    return float(z), float(2 * norm.sf(abs(z)))
```
Under the null hypothesis both variants convert at the same rate, so the pooled rate is the
best estimate of it. A two-sided test asks whether B differs at all, better or worse; this
z-test gives the same p-value as a chi-square test on the 2x2 table without continuity correction."""
    wrong_answer = staticmethod(lambda ca, na, cb, nb: (
        _ztest(ca, na, cb, nb)[0], _ztest(ca, na, cb, nb)[1] / 2))
    wrong_answers = (
        # unpooled standard error (the confidence-interval one, not the test's)
        lambda ca, na, cb, nb: _z_from_se(ca, na, cb, nb, math.sqrt(ca / na * (1 - ca / na) / na
                                                                   + cb / nb * (1 - cb / nb) / nb)),
        # the sign the wrong way round (A minus B)
        lambda ca, na, cb, nb: (-_ztest(ca, na, cb, nb)[0], _ztest(ca, na, cb, nb)[1]),
        # counts instead of rates in the numerator
        lambda ca, na, cb, nb: _z_from_se(ca, na, cb, nb, 1.0, numerator=cb - ca),
    )
    right_answers = (
        _z_statsmodels,
        _z_chi_square,
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "two_proportion_z")
        for case in [(200, 2000, 245, 2000), (50, 400, 38, 420), (1000, 10000, 1010, 10000), (12, 80, 150, 2400)]:
            got = fn(*case)
            if not isinstance(got, tuple) or len(got) != 2:
                raise Incorrect("two_proportion_z should return a tuple (z, p_value).")
            z, p = expect_number(got[0], "z"), expect_number(got[1], "p_value")
            want_z, want_p = _ztest(*case)
            label = f"For A={case[0]}/{case[1]} and B={case[2]}/{case[3]},"
            expect_close(z, want_z, f"{label} z", tol=2e-3,
                         advice="Use the pooled rate in the standard error; z > 0 when B is better.")
            expect_close(p, want_p, f"{label} the p-value", tol=2e-3, advice="The p-value is two-sided.")


class EpsilonGreedy(Exercise):
    title = "Choose an arm, epsilon-greedy"
    hints = (
        "Return one arm index (an int). With probability epsilon explore: pick any arm uniformly at "
        "random with rng.integers(n_arms). Otherwise exploit: pick the arm with the best observed rate.",
        "The observed rate of arm i is successes[i] / trials[i]; np.argmax of that array is the greedy arm. "
        "Use rng.random() < epsilon to decide whether to explore.",
    )
    solution = """```python
def epsilon_greedy(successes, trials, epsilon, rng):
    successes, trials = np.asarray(successes, float), np.asarray(trials, float)
    if rng.random() < epsilon:
        return int(rng.integers(len(trials)))          # explore
    return int(np.argmax(successes / np.maximum(trials, 1)))  # exploit
```
Exploring a fixed share of the time keeps learning about arms that looked bad early on;
exploiting the rest of the time sends most traffic to the arm that looks best so far."""
    wrong_answer = staticmethod(lambda s, t, eps, rng: int(np.argmax(np.asarray(s) / np.asarray(t))))
    wrong_answers = (
        # the most successes, not the best rate
        lambda s, t, eps, rng: int(rng.integers(len(t))) if rng.random() < eps else int(np.argmax(s)),
        # explores only among the other arms
        lambda s, t, eps, rng: (int(rng.choice([a for a in range(len(t)) if a != int(np.argmax(np.divide(s, t)))]))
                                if rng.random() < eps else int(np.argmax(np.divide(s, t)))),
        # epsilon the wrong way round: explores most of the time
        lambda s, t, eps, rng: int(rng.integers(len(t))) if rng.random() > eps else int(np.argmax(np.divide(s, t))),
    )
    right_answers = (
        lambda s, t, eps, rng: int(rng.choice(len(t))) if rng.uniform() < eps else
        int(np.argmax(np.divide(s, t, out=np.zeros(len(t)), where=np.asarray(t) > 0))),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "epsilon_greedy")
        successes, trials = np.array([30, 80, 15, 45]), np.array([300, 400, 100, 500])  # rates .10 .20 .15 .09
        rng = np.random.default_rng(0)
        greedy = {fn(successes.copy(), trials.copy(), 0.0, rng) for _ in range(20)}
        greedy |= {fn(np.array([50, 30]), np.array([1000, 100]), 0.0, rng) + 10 for _ in range(5)}
        if greedy != {1, 11}:
            raise Incorrect("With epsilon = 0 the function should always pick the arm with the best "
                            "observed rate (successes / trials), but it picks other arms.")
        picks = np.array([fn(successes, trials, 1.0, rng) for _ in range(600)])
        shares = np.bincount(picks.astype(int), minlength=4) / len(picks)
        if len(shares) != 4 or shares.min() < 0.17:
            raise Incorrect("With epsilon = 1 every arm should be picked about equally often; "
                            f"your shares are {np.round(shares, 2).tolist()}.")
        picks = np.array([fn(successes, trials, 0.2, rng) for _ in range(600)])
        best = float(np.mean(picks == 1))
        if not 0.79 <= best <= 0.91:
            raise Incorrect(f"With epsilon = 0.2 and 4 arms the best arm should get about 85% of the picks "
                            f"(80% exploit + 5% explore); yours gets {best:.0%}.")


validate_record = ValidateRecord()
build_service = BuildService()
dockerfile_for = CacheFriendlyDockerfile()
quantize_int8 = QuantizeInt8()
two_proportion_z = TwoProportionZ()
epsilon_greedy = EpsilonGreedy()
EXERCISES = register(globals())
