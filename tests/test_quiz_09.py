"""Week 09 quiz: the code tasks accept every correct method and reject the plausible
mistakes (ASSESSMENT.md, "Code and numeric tasks"), on the quiz as written and on every
student variant of ``helpers.VARIANT_STUDENTS``.

Each answer replaces the task's answer cell; ``helpers.judge_answer`` runs the quiz's
setup and data cells (for that student's variant), the answer, then the item's tests
(visible checks and hidden tests). Q10 is graded on the artifact: the hidden tests build
the student's FastAPI service with a probe model and limits of their own and call it in
process with starlette's own ``TestClient``; the hostile cases below are services and
fakes that a student could hand in without writing a working service.
"""
from __future__ import annotations

import pytest

from helpers import VARIANT_STUDENTS, judge_answer, judged_named

WEEK = "09_deployment"
STUDENTS = ("source",) + VARIANT_STUDENTS

# -- Q10: the fare service ---------------------------------------------------------------
# One service with named parts, so each mistake below is the correct service with one part
# changed (``service(status="400")``): the mistakes stay as close to right as a student's would.
_SERVICE = '''
def build_fare_service(model, limits, version):
    from fastapi import Body, FastAPI
    from fastapi.responses import JSONResponse
    app = FastAPI()
<<setup>>
    @app.get("/version")
    def version_route():
        return {"model_version": <<version>>}

    @app.post("/fare")
    def fare(trip: dict = Body(...)):
        problems = []
<<before>>
<<missing>>
<<unknown>>
        for name, (low, high) in limits.items():
            if name in trip:
                v = trip[name]
<<types>>
<<range>>
<<after>>
        if problems:
            return JSONResponse(status_code=<<status>>, content={"detail": <<detail>>})
        row = <<row>>
        return {"fare": <<fare>>, "model_version": <<version>>}

    return app
'''
_PARTS = dict(
    setup="",
    version="version",
    before="",
    missing='''        problems += [f"{name} is missing" for name in limits if name not in trip]''',
    unknown='''        problems += [f"{name} is unknown" for name in trip if name not in limits]''',
    types='''                if type(v) not in (int, float):
                    problems.append(f"{name} must be a number")''',
    range='''                elif v < low or v > high:
                    problems.append(f"{name} = {v} is out of range")''',
    after="",
    status="422",
    detail="problems",
    row="[[trip[name] for name in limits]]",
    fare="float(model.predict(row)[0])",
)


def service(**changed) -> str:
    """The Q10 answer with some of its parts replaced."""
    text = _SERVICE
    for name, part in {**_PARTS, **changed}.items():
        text = text.replace(f"<<{name}>>", part)
    return text


Q10_ACCEPTED = {
    "JSONResponse with type() excluding bool": service(),
    "numbers module, fare rounded to cents": service(
        types='''                import numbers
                if isinstance(v, bool) or not isinstance(v, numbers.Real):
                    problems.append(f"{name}: not a number")''',
        fare="round(float(model.predict(row)[0]), 2)"),
    "a pandas row in the limits' order": service(
        row="__import__('pandas').DataFrame([trip], columns=list(limits)).astype(float)"),
    "numpy row, 400 for a body that is not an object": """
def build_fare_service(model, limits, version):
    from fastapi import FastAPI, HTTPException, Request
    app = FastAPI()

    @app.get("/version")
    def version_info():
        return {"model_version": version}

    @app.post("/fare")
    async def fare(request: Request):
        trip = await request.json()
        if not isinstance(trip, dict):
            raise HTTPException(status_code=400, detail="send one trip as a JSON object")
        problems = []
        for name in set(limits) | set(trip):
            if name not in trip:
                problems.append(f"{name}: missing")
            elif name not in limits:
                problems.append(f"{name}: unexpected")
            elif isinstance(trip[name], bool) or not isinstance(trip[name], (int, float)):
                problems.append(f"{name}: not numeric")
            elif not limits[name][0] <= trip[name] <= limits[name][1]:
                problems.append(f"{name}: outside its limits")
        if problems:
            raise HTTPException(status_code=422, detail=sorted(problems))
        x = np.array([[trip[name] for name in limits]], dtype=float)
        return {"fare": float(model.predict(x)[0]), "model_version": version}

    return app
""",
    "pydantic model with strict types and Field limits (FastAPI's own 422)": """
__name__ = "__main__"   # a notebook's namespace has it, judge_answer's does not (pydantic reads it)
def build_fare_service(model, limits, version):
    from fastapi import FastAPI
    from pydantic import ConfigDict, Field, StrictFloat, StrictInt, create_model
    fields = {name: (StrictInt | StrictFloat, Field(ge=low, le=high)) for name, (low, high) in limits.items()}
    Trip = create_model("Trip", __config__=ConfigDict(extra="forbid"), **fields)
    app = FastAPI()

    @app.get("/version")
    def show_version():
        return {"model_version": version}

    def fare(trip: Trip):
        values = trip.model_dump()
        return {"fare": float(model.predict([[values[name] for name in limits]])[0]), "model_version": version}

    app.post("/fare")(fare)
    return app
""",
}

Q10_ACCEPTED.update({
    "numpy fare without float() (np.float64 is a float)": service(fare="model.predict(row)[0]"),
    "routes on an APIRouter, problems sorted by field, HTTPException(422)": """
def build_fare_service(model, limits, version):
    from fastapi import APIRouter, Body, FastAPI, HTTPException
    router = APIRouter()

    @router.get("/version")
    def ver():
        return {"model_version": version}

    @router.post("/fare")
    def fare(trip: dict = Body(...)):
        bad = []
        for k in sorted(set(limits) | set(trip)):
            if k not in limits:
                bad.append(f"{k}: not allowed")
            elif k not in trip:
                bad.append(f"{k}: field required")
            elif type(trip[k]) not in (int, float):
                bad.append(f"{k}: must be a number")
            elif not limits[k][0] <= trip[k] <= limits[k][1]:
                bad.append(f"{k}: must lie within {limits[k]}")
        if bad:
            raise HTTPException(422, detail=bad)
        return {"fare": float(model.predict([[trip[k] for k in limits]])[0]), "model_version": version}

    app = FastAPI()
    app.include_router(router)
    return app
""",
})

Q10_REJECTED = {
    "no range check (types only)": service(range=""),
    "limits treated as exclusive": service(
        range='''                elif v <= low or v >= high:
                    problems.append(f"{name} = {v} is out of range")'''),
    "bool accepted as a number": service(
        types='''                if not isinstance(v, (int, float)):
                    problems.append(f"{name} must be a number")'''),
    "ints refused in number fields": service(
        types='''                if type(v) is not float:
                    problems.append(f"{name} must be a float")'''),
    "no type check (text crashes the range test: 500)": service(
        types="", range='''                if v < low or v > high:
                    problems.append(f"{name} = {v} is out of range")'''),
    "missing fields not reported (KeyError: 500)": service(
        missing="", row="[[trip[name] for name in limits]]",
        types='''                if type(v) not in (int, float):
                    problems.append(f"{name} must be a number")'''.replace("", "")) .replace(
        "            if name in trip:\n", "            if True:\n"),
    "unknown fields ignored": service(unknown=""),
    "only the first problem reported": service(after="        problems = problems[:1]"),
    "422 without naming the field": service(detail='["invalid trip"] if problems else []'),
    "every problem joined into one message": service(detail='"; ".join(problems)'),
    "400 instead of 422 for a trip that does not fit": service(status="400"),
    "200 with an error body (OK to everything)": service(status="200"),
    "the row in the caller's key order": service(row="[list(trip.values())]"),
    "the global fare_model instead of the model argument": service(fare="float(fare_model.predict(row)[0])"),
    "the variant's MODEL_VERSION hard-coded": service(version="MODEL_VERSION"),
    "the given LIMITS instead of the limits argument": service(setup="    limits = LIMITS"),
    "fare sent as a list": service(fare="model.predict(row).tolist()"),
    "the model scores the trip before it is validated": service(
        before='''        scored = model.predict([[float(trip.get(n) or 0) if not isinstance(trip.get(n), str) else 0.0 for n in limits]])'''),
}

Q10_REJECTED.update({
    "pydantic model with lax float fields (text and true coerced to numbers)": """
def build_fare_service(model, limits, version):
    from fastapi import FastAPI
    from pydantic import ConfigDict, Field, create_model
    Trip = create_model("Trip", __config__=ConfigDict(extra="forbid"),
                        **{k: (float, Field(ge=lo, le=hi)) for k, (lo, hi) in limits.items()})
    app = FastAPI()

    @app.get("/version")
    def ver():
        return {"model_version": version}

    def fare(trip: Trip):
        values = trip.model_dump()
        return {"fare": float(model.predict([[values[k] for k in limits]])[0]), "model_version": version}

    app.post("/fare")(fare)
    return app
""",
    "values parsed with float() (text that looks like a number accepted)": service(
        types='''                try:
                    v = float(v)
                except (TypeError, ValueError):
                    problems.append(f"{name} must be a number")
                    continue''', range='''                if v < low or v > high:
                    problems.append(f"{name} = {v} is out of range")'''),
    "the row in alphabetical key order": service(row="[[trip[name] for name in sorted(trip)]]"),
    "a pandas row in the caller's key order": service(row="__import__('pandas').DataFrame([trip])"),
    "problems under detail as a dict keyed by field": service(
        detail="{p.split()[0]: p for p in problems}"),
    "the upper limit excluded": service(
        range='''                elif not low <= v < high:
                    problems.append(f"{name} = {v} is out of range")'''),
    "a field sent as 0 reported missing (trip.get as the test)": service(
        missing='''        problems += [f"{name} is missing" for name in limits if not trip.get(name)]'''),
    "trick: the visible example served from the given model, everything else refused": """
def build_fare_service(model, limits, version):
    from fastapi import Body, FastAPI
    from fastapi.responses import JSONResponse
    app = FastAPI()
    app.get("/version")(lambda: {"model_version": version})
    @app.post("/fare")
    def fare(trip=Body(...)):
        if trip == EXAMPLE_TRIP:
            return {"fare": float(fare_model.predict([[EXAMPLE_TRIP[k] for k in LIMITS]])[0]), "model_version": version}
        names = list(limits) + (list(trip) if isinstance(trip, dict) else [])
        return JSONResponse(status_code=422, content={"detail": [f"{n}: bad" for n in names]})
    return app
""",
})

# Hostile: answers that imitate a service, or the grader's client, without being one.
Q10_HOSTILE = {
    "canned answers in a dict, no app": """
def build_fare_service(model, limits, version):
    return {"GET /version": {"model_version": version}, "POST /fare": {"fare": 12.5, "model_version": version}}
""",
    "an object that looks like an app (router, routes) but is not ASGI": """
class _LooksLikeAnApp:
    def __init__(self, version):
        self.router, self.routes, self.version = object(), ["/version", "/fare"], version
    def __call__(self, *args, **kwargs):
        return {"status": 200}
def build_fare_service(model, limits, version):
    return _LooksLikeAnApp(version)
""",
    "a FastAPI app that answers 200 OK to every path and body": """
def build_fare_service(model, limits, version):
    from fastapi import FastAPI, Request
    app = FastAPI()
    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def anything(path: str, request: Request):
        return {"status": "OK", "fare": 0.0, "model_version": version}
    return app
""",
    "a service that never refuses (model errors turned into fare 0)": """
def build_fare_service(model, limits, version):
    from fastapi import Body, FastAPI
    app = FastAPI()
    app.get("/version")(lambda: {"model_version": version})
    @app.post("/fare")
    def fare(trip: dict = Body(...)):
        try:
            return {"fare": float(model.predict([[float(trip[n]) for n in limits]])[0]), "model_version": version}
        except Exception:
            return {"fare": 0.0, "model_version": version}
    return app
""",
    "422 to everything, naming every field it saw": """
def build_fare_service(model, limits, version):
    from fastapi import Body, FastAPI
    from fastapi.responses import JSONResponse
    app = FastAPI()
    app.get("/version")(lambda: {"model_version": version})
    @app.post("/fare")
    def fare(trip=Body(...)):
        names = list(limits) + (list(trip) if isinstance(trip, dict) else [])
        return JSONResponse(status_code=422, content={"detail": [f"{n}: rejected" for n in names]})
    return app
""",
    "a fake test client planted where the grader imports it": """
import fastapi.testclient, starlette.testclient
class _FakeReply:
    def __init__(self, status, body):
        self.status_code, self._body = status, body
        self.text = __import__("json").dumps(body)
    def json(self):
        return self._body
class _FakeClient:
    def __init__(self, app, *args, **kwargs):
        self.limits, self.version = app
    def get(self, path, **kwargs):
        return _FakeReply(200, {"model_version": self.version})
    def post(self, path, json=None, **kwargs):
        return _FakeReply(422, {"detail": [f"{n}: bad" for n in list(self.limits) + ["tip_usd"]] + ["x", "y"]})
fastapi.testclient.TestClient = starlette.testclient.TestClient = _FakeClient
def build_fare_service(model, limits, version):
    return (limits, version)
""",
}

Q10_REJECTED.update({f"hostile: {name}": answer for name, answer in Q10_HOSTILE.items()})

# -- Q11 (latency objective) and Q12 (A/B sample size): values from the variant's data --------
VALUE_ACCEPTED = {
    ("q11", "numpy percentile and mean"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 99))
slow_share = float(np.mean(ms > SLO_MS))
meets_slo = bool(slow_share <= 0.01)
""",
    ("q11", "nearest-rank percentile, verdict from p99"): """
ms = np.sort(latencies_s * 1000)
p99_ms = float(ms[int(np.ceil(0.99 * len(ms))) - 1])
slow_share = float(np.count_nonzero(ms > SLO_MS) / len(ms))
meets_slo = bool(slow_share <= 0.01)
""",
    ("q11", "pandas quantile"): """
import pandas as pd
s = pd.Series(latencies_s) * 1000
p99_ms = float(s.quantile(0.99))
slow_share = float((s > SLO_MS).mean())
meets_slo = slow_share <= 0.01
""",
    ("q12", "classic formula with scipy"): """
import math
from scipy import stats
za, zb = stats.norm.ppf(1 - ALPHA / 2), stats.norm.ppf(POWER)
pm = (BASELINE + TARGET) / 2
n = (za * math.sqrt(2 * pm * (1 - pm)) + zb * math.sqrt(BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET))) ** 2
n_per_group = math.ceil(n / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q12", "unpooled variance under both hypotheses"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
var = BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)
n_per_group = math.ceil(z ** 2 * var / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(n_per_group / (DAILY_VISITORS / 2))
""",
    ("q12", "statsmodels NormalIndPower with Cohen's h"): """
import math
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize
h = proportion_effectsize(TARGET, BASELINE)
n_per_group = math.ceil(NormalIndPower().solve_power(h, alpha=ALPHA, power=POWER, alternative="two-sided"))
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q11", "weibull percentile, verdict from p99 and >= 40"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 99, method="weibull"))
slow_share = float(np.mean(ms >= SLO_MS))
meets_slo = bool(p99_ms <= SLO_MS)
""",
    ("q12", "pooled variance under both hypotheses"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
pm = (BASELINE + TARGET) / 2
n_per_group = math.ceil(z ** 2 * 2 * pm * (1 - pm) / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
}

VALUE_REJECTED = {
    ("q11", "latencies left in seconds"): """
p99_ms = float(np.percentile(latencies_s, 99))
slow_share = float(np.mean(latencies_s > SLO_MS / 1000))
meets_slo = bool(slow_share <= 0.01)
""",
    ("q11", "95th instead of 99th percentile"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 95))
slow_share = float(np.mean(ms > SLO_MS))
meets_slo = bool(slow_share <= 0.01)
""",
    ("q11", "mean plus two standard deviations"): """
ms = latencies_s * 1000
p99_ms = float(ms.mean() + 2 * ms.std())
slow_share = float(np.mean(ms > SLO_MS))
meets_slo = bool(slow_share <= 0.01)
""",
    ("q11", "share of fast requests"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 99))
slow_share = float(np.mean(ms <= SLO_MS))
meets_slo = bool(slow_share >= 0.99)
""",
    ("q11", "share in percent"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 99))
slow_share = float(np.mean(ms > SLO_MS) * 100)
meets_slo = bool(slow_share <= 1)
""",
    ("q11", "verdict from the median"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 99))
slow_share = float(np.mean(ms > SLO_MS))
meets_slo = bool(np.median(ms) <= SLO_MS)
""",
    ("q12", "one-sided z"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA) + NormalDist().inv_cdf(POWER)
var = BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)
n_per_group = math.ceil(z ** 2 * var / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q12", "power ignored"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2)
var = BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)
n_per_group = math.ceil(z ** 2 * var / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q12", "both groups counted as one"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
var = BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)
n_per_group = 2 * math.ceil(z ** 2 * var / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(n_per_group / DAILY_VISITORS)
""",
    ("q12", "Cohen's h without the factor 2 of two groups"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
h = 2 * math.asin(math.sqrt(TARGET)) - 2 * math.asin(math.sqrt(BASELINE))
n_per_group = math.ceil((z / h) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q12", "days from one group's traffic"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
var = BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)
n_per_group = math.ceil(z ** 2 * var / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(n_per_group / DAILY_VISITORS)
""",
    ("q12", "days rounded down"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
var = BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)
n_per_group = math.ceil(z ** 2 * var / (TARGET - BASELINE) ** 2)
days_needed = math.floor(2 * n_per_group / DAILY_VISITORS)
""",
    ("q11", "np.percentile given the fraction 0.99"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 0.99))
slow_share = float(np.mean(ms > SLO_MS))
meets_slo = bool(slow_share <= 0.01)
""",
    ("q11", "slow share over the normal-path requests only"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 99))
slow_share = float(np.sum(ms > SLO_MS) / N_FAST)
meets_slo = bool(slow_share <= 0.01)
""",
    ("q12", "continuity correction added (not the formula asked for)"): """
import math
from statistics import NormalDist
za, zb = NormalDist().inv_cdf(1 - ALPHA / 2), NormalDist().inv_cdf(POWER)
pm, d = (BASELINE + TARGET) / 2, TARGET - BASELINE
n = (za * math.sqrt(2 * pm * (1 - pm)) + zb * math.sqrt(BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET))) ** 2 / d ** 2
n_per_group = math.ceil(n / 4 * (1 + math.sqrt(1 + 4 / (n * d))) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q12", "z of the power taken at 1 - POWER"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(1 - POWER)
var = BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)
n_per_group = math.ceil(z ** 2 * var / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
}

VALUE_ACCEPTED.update({
    ("q11", "statistics.quantiles on plain floats"): """
import statistics
ms = sorted(float(x) * 1000 for x in latencies_s)
p99_ms = statistics.quantiles(ms, n=100)[98]
slow_share = sum(x > SLO_MS for x in ms) / len(ms)
meets_slo = bool(slow_share <= 0.01)
""",
    ("q12", "scipy's isf, days from half the daily traffic"): """
import math
from scipy.stats import norm
d, pbar = TARGET - BASELINE, (BASELINE + TARGET) / 2
n = (norm.isf(ALPHA / 2) * math.sqrt(2 * pbar * (1 - pbar))
     + norm.ppf(POWER) * math.sqrt(BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET))) ** 2 / d ** 2
n_per_group = int(math.ceil(n))
days_needed = int(math.ceil(n_per_group / (DAILY_VISITORS / 2)))
""",
    ("q12", "statsmodels zt_ind_solve_power with Cohen's h"): """
import math
from statsmodels.stats.power import zt_ind_solve_power
from statsmodels.stats.proportion import proportion_effectsize
n_per_group = math.ceil(zt_ind_solve_power(effect_size=proportion_effectsize(TARGET, BASELINE), alpha=ALPHA,
                                           power=POWER, alternative="two-sided"))
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
})

VALUE_REJECTED.update({
    ("q11", "milliseconds converted the wrong way (divided by 1000)"): """
ms = latencies_s / 1000
p99_ms = float(np.percentile(ms, 99))
slow_share = float(np.mean(ms > SLO_MS))
meets_slo = bool(slow_share <= 0.01)
""",
    ("q11", "the maximum instead of the 99th percentile"): """
ms = latencies_s * 1000
p99_ms = float(ms.max())
slow_share = float(np.mean(ms > SLO_MS))
meets_slo = bool(slow_share <= 0.01)
""",
    ("q11", "slow requests counted, not their share"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 99))
slow_share = float(np.sum(ms > SLO_MS))
meets_slo = bool(slow_share <= 0.01 * len(ms))
""",
    ("q11", "verdict from the mean latency"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 99))
slow_share = float(np.mean(ms > SLO_MS))
meets_slo = bool(ms.mean() <= SLO_MS)
""",
    ("q11", "slow share taken from the simulation's N_SLOW"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 99))
slow_share = float(N_SLOW / len(ms))
meets_slo = bool(slow_share <= 0.01)
""",
    ("q12", "z of the power taken two-sided"): """
import math
from statistics import NormalDist
za, zb = NormalDist().inv_cdf(1 - ALPHA / 2), NormalDist().inv_cdf(1 - (1 - POWER) / 2)
pm = (BASELINE + TARGET) / 2
n_per_group = math.ceil((za * math.sqrt(2 * pm * (1 - pm)) + zb * math.sqrt(BASELINE * (1 - BASELINE)
                        + TARGET * (1 - TARGET))) ** 2 / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q12", "the baseline's variance for both groups"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
n_per_group = math.ceil(z ** 2 * 2 * BASELINE * (1 - BASELINE) / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q12", "the difference not squared"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
n_per_group = math.ceil(z ** 2 * (BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)) / (TARGET - BASELINE))
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q12", "days from half the traffic for twice the users"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
n_per_group = math.ceil(z ** 2 * (BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)) / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(2 * n_per_group / (DAILY_VISITORS / 2))
""",
    ("q12", "the lift read as relative (TARGET = BASELINE * (1 + LIFT))"): """
import math
from statistics import NormalDist
pb = BASELINE * (1 + LIFT)
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
n_per_group = math.ceil(z ** 2 * (BASELINE * (1 - BASELINE) + pb * (1 - pb)) / (pb - BASELINE) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q12", "trick: the example's numbers hard-coded"): """
import math
n_per_group = 2943
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
})

def as_in_a_notebook(answer: str):
    """``answer`` compiled as a notebook cell is: without this module's (and helpers')
    ``from __future__ import annotations``, which exec would pass on and which would turn
    the annotations FastAPI reads (``request: Request``, a pydantic body) into strings."""
    return compile(answer, "<answer cell>", "exec", dont_inherit=True)


ACCEPTED = {**{("q10", name): answer for name, answer in Q10_ACCEPTED.items()}, **VALUE_ACCEPTED}
REJECTED = {**{("q10", name): answer for name, answer in Q10_REJECTED.items()}, **VALUE_REJECTED}


@pytest.mark.parametrize("item, answer, right", judged_named(ACCEPTED, REJECTED))
@pytest.mark.parametrize("student", STUDENTS)
def test_each_answer_is_judged_as_an_expert_would(item, answer, right, student):
    """Protects: on the quiz as written and on each student's variant, every correct
    method earns every test of its item and every plausible mistake (or fake) fails one."""
    verdict = judge_answer(WEEK, item, as_in_a_notebook(answer), student)
    assert (verdict is None) == right, verdict or f"the mistake passed every test of {item} on {student}'s variant"


def test_the_fake_client_is_gone_after_grading():
    """Protects: the hidden tests reload starlette's client, so a client planted by an
    answer cell never judges a later item (or a later submission in the same process)."""
    judge_answer(WEEK, "q10", as_in_a_notebook(Q10_HOSTILE["a fake test client planted where the grader imports it"]))
    import starlette.testclient

    assert starlette.testclient.TestClient.__module__ == "starlette.testclient"
    assert starlette.testclient.TestClient.__name__ == "TestClient"


def test_the_q12_example_is_no_variant():
    """Protects: the question's worked example (BASELINE 0.20, TARGET 0.23, ALPHA 0.05,
    POWER 0.8) is not a variant anyone gets, so the example never hands a student the
    2-point n_per_group (it once quoted 0.10 / 0.12 / 0.05 / 0.8, which 1 student in 48 got)."""
    import nbformat

    from mlops_course import paths, quizcells, variant

    nb = nbformat.read(paths.QUIZZES_DIR / WEEK / "quiz.ipynb", as_version=4)
    data = next(c.source for c in nb.cells if quizcells.grade_id(c) == "q12_data")
    question = next(c.source for c in nb.cells if quizcells.grade_id(c) == "q12_question")
    assert "BASELINE = 0.20" in question and "TARGET = 0.23" in question
    seen = set()
    for i in range(300):
        ns = {"quiz": variant.QuizVariant(WEEK, f"student{i}"), "__name__": "__main__"}
        exec(compile(data, "<q12_data>", "exec", dont_inherit=True), ns)
        seen.add((ns["BASELINE"], ns["TARGET"], ns["ALPHA"], ns["POWER"]))
    assert len(seen) > 20
    assert not any(abs(b - 0.20) < 1e-9 and abs(t - 0.23) < 1e-9 for b, t, _, _ in seen)
