"""Week 09 exercises: deployment (request validation, latency, quantization, A/B tests, bandits)."""
from __future__ import annotations

import math

import numpy as np

from ..checks import Exercise, Incorrect, expect_callable, expect_close, expect_number, register

_SCHEMA = {"minutes": "number", "calls": "integer", "plan": "string"}


def _as_problems(got, what: str) -> list[str]:
    if not isinstance(got, list) or not all(isinstance(p, str) for p in got):
        raise Incorrect(f"validate_record should return a list of strings for {what}, got {type(got).__name__}.")
    return got


class ValidateRecord(Exercise):
    title = "Validate a request before it reaches the model"
    hints = (
        "Return a list of strings, one per problem, and an empty list for a valid record. "
        "Look for three kinds of problem: columns the schema asks for but the record lacks, "
        "columns the record has but the schema does not know, and values of the wrong type.",
        "Missing: set(schema) - set(record). Unknown: set(record) - set(schema). Put the column "
        "name into each message so the caller knows what to fix.",
        "Types: 'number' accepts int or float, 'integer' only int, 'string' only str. "
        "bool is a subclass of int in Python, so rule it out explicitly: "
        "isinstance(v, (int, float)) and not isinstance(v, bool).",
    )
    solution = """```python
def validate_record(record, schema):
    problems = [f"missing column: {c}" for c in schema if c not in record]
    problems += [f"unknown column: {c}" for c in record if c not in schema]
    accepts = {"number": (int, float), "integer": (int,), "string": (str,)}
    for column, kind in schema.items():
        if column in record:
            value = record[column]
            if isinstance(value, bool) or not isinstance(value, accepts[kind]):
                problems.append(f"{column}: expected a {kind}, got {type(value).__name__}")
    return problems
```
A server that checks every request against the schema can answer a bad one with a 4xx and a
message that names the column, instead of crashing inside the model with a 500 (or, worse,
silently predicting from garbage)."""
    wrong_answer = staticmethod(lambda record, schema: [f"missing column: {c}" for c in schema if c not in record])

    def evaluate(self, fn) -> None:
        expect_callable(fn, "validate_record")
        good = {"minutes": 181.5, "calls": 3, "plan": "no"}
        if _as_problems(fn(dict(good), _SCHEMA), "a valid record"):
            raise Incorrect("A valid record should give an empty list, but yours reports problems.")
        if _as_problems(fn({**good, "minutes": 180}, _SCHEMA), "a valid record"):
            raise Incorrect("An int is a fine value for a 'number' column; your function rejects it.")
        cases = [
            ({"minutes": 181.5, "plan": "no"}, "calls", "a missing column"),
            ({**good, "region": "north"}, "region", "an unknown column"),
            ({**good, "minutes": "lots"}, "minutes", "text in a number column"),
            ({**good, "calls": 2.5}, "calls", "a float in an integer column"),
            ({**good, "plan": 1}, "plan", "a number in a string column"),
            ({**good, "calls": True}, "calls", "a bool in an integer column"),
        ]
        for record, column, what in cases:
            problems = _as_problems(fn(record, _SCHEMA), what)
            if not problems:
                raise Incorrect(f"A record with {what} ({column!r}) should be reported, but your list is empty.")
            if not any(column in p for p in problems):
                raise Incorrect(f"For {what}, name the column {column!r} in the message.")
        many = _as_problems(fn({"minutes": "x", "extra": 1}, _SCHEMA), "several problems")
        if len(many) < 4:
            raise Incorrect("A record with a wrong type, an unknown column and two missing columns should "
                            f"give one message per problem; yours gives {len(many)}.")


class LatencySummary(Exercise):
    title = "Median and p95 latency"
    hints = (
        "Return a dict with the keys 'median_ms' and 'p95_ms'. The input is in seconds, the output in milliseconds.",
        "np.median(x) and np.percentile(x, 95) do the work; multiply by 1000 for milliseconds.",
    )
    solution = """```python
def latency_summary(seconds):
    ms = np.asarray(seconds) * 1000
    return {"median_ms": float(np.median(ms)), "p95_ms": float(np.percentile(ms, 95))}
```
The median is the latency of a typical request; the 95th percentile says that one request
in twenty is slower than this. Service-level objectives are written on percentiles because
the mean hides the slow tail that users notice."""
    wrong_answer = staticmethod(lambda s: {"median_ms": float(np.mean(s) * 1000),
                                           "p95_ms": float((np.mean(s) + 2 * np.std(s)) * 1000)})

    def evaluate(self, fn) -> None:
        expect_callable(fn, "latency_summary")
        rng = np.random.default_rng(9)
        samples = [rng.lognormal(np.log(0.004), 0.5, 400), np.r_[np.full(90, 0.002), np.full(10, 0.050)],
                   rng.uniform(0.01, 0.02, 57)]
        for seconds in samples:
            got = fn(seconds.copy())
            if not isinstance(got, dict) or not {"median_ms", "p95_ms"} <= set(got):
                raise Incorrect("latency_summary should return a dict with the keys 'median_ms' and 'p95_ms'.")
            ms = seconds * 1000
            median = expect_number(got["median_ms"], "median_ms")
            p95 = expect_number(got["p95_ms"], "p95_ms")
            expect_close(median, float(np.median(ms)), "median_ms", tol=1e-3,
                         advice="Use the median (middle value), in milliseconds.")
            low, high = np.percentile(ms, 95, method="lower"), np.percentile(ms, 95, method="higher")
            if not low - 1e-6 <= p95 <= high + 1e-6:
                raise Incorrect(f"p95_ms is {p95:.4g}, which is not the 95th percentile of these latencies "
                                "(in milliseconds).")


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
            expect_close(scale, want, "scale", tol=1e-4, advice="Map the largest absolute weight to 127.")
            error = np.abs(q.astype(np.float64) * scale - weights).max()
            if error > scale / 2 + 1e-6:
                raise Incorrect(f"q * scale is up to {error / scale:.2f} steps away from the weights; "
                                "round to the nearest step instead of truncating.")


def _ztest(conv_a, n_a, conv_b, n_b):
    p_a, p_b = conv_a / n_a, conv_b / n_b
    pooled = (conv_a + conv_b) / (n_a + n_b)
    z = (p_b - p_a) / math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    return z, math.erfc(abs(z) / math.sqrt(2))


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

    def evaluate(self, fn) -> None:
        expect_callable(fn, "two_proportion_z")
        for case in [(200, 2000, 245, 2000), (50, 400, 38, 420), (1000, 10000, 1010, 10000)]:
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

    def evaluate(self, fn) -> None:
        expect_callable(fn, "epsilon_greedy")
        successes, trials = np.array([30, 80, 15, 45]), np.array([300, 400, 100, 500])  # rates .10 .20 .15 .09
        rng = np.random.default_rng(0)
        greedy = {fn(successes.copy(), trials.copy(), 0.0, rng) for _ in range(20)}
        if greedy != {1}:
            raise Incorrect("With epsilon = 0 the function should always pick the arm with the best "
                            f"observed rate; it picked {sorted(int(g) for g in greedy)}.")
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
latency_summary = LatencySummary()
quantize_int8 = QuantizeInt8()
two_proportion_z = TwoProportionZ()
epsilon_greedy = EpsilonGreedy()
EXERCISES = register(globals())
