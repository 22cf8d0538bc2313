"""Week 12 exercises: version control, data versioning, CI for ML, containers and scaling."""
from __future__ import annotations

import hashlib
import math

import numpy as np
import pandas as pd

from ..checks import Exercise, Incorrect, expect_callable, expect_number, register

_BLOBS = [b"", b"sepal_length,species\n5.1,setosa\n", b"model weights v2", bytes(range(256)) * 3]


class CachePath(Exercise):
    title = "Where a content-addressed cache stores a file"
    hints = (
        "hashlib.md5(data).hexdigest() gives the 32-character hex digest of the bytes.",
        "Split the digest after its first two characters: f\"{digest[:2]}/{digest[2:]}\".",
    )
    solution = """```python
def cache_path(data):
    digest = hashlib.md5(data).hexdigest()
    return f"{digest[:2]}/{digest[2:]}"
```
The name of a cached file is derived from its content, not from its file name: two
identical files share one cache entry and any change gives a new entry. The first two
characters become a folder so that no folder holds millions of files."""
    wrong_answer = staticmethod(lambda data: hashlib.md5(data).hexdigest())

    def evaluate(self, fn) -> None:
        expect_callable(fn, "cache_path")
        for blob in _BLOBS:
            got = fn(blob)
            if not isinstance(got, str):
                raise Incorrect(f"cache_path should return a string, got {type(got).__name__}.")
            digest = hashlib.md5(blob).hexdigest()
            if got != f"{digest[:2]}/{digest[2:]}":
                if got.replace("/", "") == digest:
                    raise Incorrect("The digest is right but the folder split is not: two characters, a slash, the rest.")
                raise Incorrect(f"For {len(blob)} bytes of data the path {got!r} is not right: "
                                "hash the content with MD5 (hex digest).")


class ChangedFiles(Exercise):
    title = "What changed between two versions of a data set"
    hints = (
        "Both arguments map a file name to its content hash. Added names are in new but not in old, "
        "removed names in old but not in new.",
        "Modified names are in both with different hashes. Return a dict of three sorted lists: "
        "{'added': ..., 'removed': ..., 'modified': ...}.",
    )
    solution = """```python
def changed_files(old, new):
    return {
        "added": sorted(set(new) - set(old)),
        "removed": sorted(set(old) - set(new)),
        "modified": sorted(name for name in set(old) & set(new) if old[name] != new[name]),
    }
```
Comparing hashes instead of contents is what makes `dvc status` or `git status` fast:
equal hashes mean equal files, so only the names with new hashes need attention."""
    wrong_answer = staticmethod(lambda old, new: {"added": sorted(set(new) - set(old)),
                                                  "removed": sorted(set(old) - set(new)), "modified": []})

    _CASES = [
        ({"a.csv": "11", "b.csv": "22", "c.csv": "33"}, {"a.csv": "11", "b.csv": "2f", "d.csv": "44"}),
        ({}, {"x.parquet": "aa"}),
        ({"m.pkl": "01", "n.pkl": "02", "o.pkl": "03"}, {"o.pkl": "30", "n.pkl": "02", "m.pkl": "10", "p.pkl": "9"}),
    ]

    def evaluate(self, fn) -> None:
        expect_callable(fn, "changed_files")
        for old, new in self._CASES:
            got = fn(dict(old), dict(new))
            if not isinstance(got, dict) or set(got) != {"added", "removed", "modified"}:
                raise Incorrect("changed_files should return a dict with exactly the keys 'added', 'removed' and 'modified'.")
            want = {"added": sorted(set(new) - set(old)), "removed": sorted(set(old) - set(new)),
                    "modified": sorted(n for n in set(old) & set(new) if old[n] != new[n])}
            for key in want:
                if list(got[key]) != want[key]:
                    raise Incorrect(f"For old={old} and new={new}, the list {key!r} is not right "
                                    "(it should also be sorted).")


SCHEMA = {"age": (0, 120), "income": (0, 1_000_000), "score": (0.0, 1.0)}


def _bad_columns(df, schema):
    bad = []
    for col, (low, high) in schema.items():
        if col not in df.columns or df[col].isna().any() or ((df[col] < low) | (df[col] > high)).any():
            bad.append(col)
    return sorted(bad)


class ValidateFrame(Exercise):
    title = "A data-validation check for CI"
    hints = (
        "Loop over schema.items(): each column name maps to a (low, high) pair of allowed values.",
        "A column fails when it is missing from df, holds a missing value (df[col].isna().any()) or a value "
        "below low or above high. Return the failing column names as a sorted list (empty when all is well).",
    )
    solution = """```python
def failing_columns(df, schema):
    bad = []
    for col, (low, high) in schema.items():
        if col not in df.columns or df[col].isna().any() or not df[col].between(low, high).all():
            bad.append(col)
    return sorted(bad)
```
A CI test then asserts that the list is empty; when it is not, the message names the
columns to look at. Note the order of the checks: a missing column must not raise a
KeyError."""
    wrong_answer = staticmethod(lambda df, schema: sorted(c for c, (lo, hi) in schema.items()
                                                          if c in df and ((df[c] < lo) | (df[c] > hi)).any()))

    _GOOD = pd.DataFrame({"age": [25, 40, 67], "income": [30_000, 52_000, 0], "score": [0.1, 0.5, 1.0]})
    _CASES = [
        _GOOD,
        _GOOD.assign(age=[25, -3, 67]),
        _GOOD.assign(score=[0.2, np.nan, 0.9], income=[10, 2_000_000, 5]),
        _GOOD.drop(columns="income"),
        _GOOD.assign(age=[25, 40, np.nan], score=[0.1, 0.5, 1.2]),
    ]
    _WANT = [_bad_columns(df, SCHEMA) for df in _CASES]

    def evaluate(self, fn) -> None:
        expect_callable(fn, "failing_columns")
        for df, want in zip(self._CASES, self._WANT):
            got = fn(df.copy(), dict(SCHEMA))
            if not isinstance(got, (list, tuple)):
                raise Incorrect(f"failing_columns should return a list, got {type(got).__name__}.")
            if sorted(got) != want:
                raise Incorrect(f"On a test frame with columns {list(df.columns)} and "
                                f"{int(df.isna().sum().sum())} missing value(s), you reported {sorted(got)}, which is not "
                                "right. Check missing columns, missing values and the range.")


class QualityGate(Exercise):
    title = "A model-quality gate"
    hints = (
        "Two conditions: every metric in `minimums` must reach its minimum in `new`, and the new "
        "model's `key` metric may be at most `max_drop` below the production model's.",
        "all(new[m] >= v for m, v in minimums.items()) and new[key] >= prod[key] - max_drop. "
        "Return a plain bool.",
    )
    solution = """```python
def quality_gate(new, prod, minimums, key="f1", max_drop=0.01):
    meets_floor = all(new[name] >= low for name, low in minimums.items())
    no_regression = new[key] >= prod[key] - max_drop
    return bool(meets_floor and no_regression)
```
A fixed floor catches a broken model; the comparison with production catches a model
that is fine in absolute terms but worse than what users already have."""
    wrong_answer = staticmethod(lambda new, prod, minimums, key="f1", max_drop=0.01:
                                all(new[n] >= v for n, v in minimums.items()))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "quality_gate")
        mins = {"accuracy": 0.9, "f1": 0.7}
        cases = [
            ({"accuracy": 0.95, "f1": 0.80}, {"accuracy": 0.94, "f1": 0.79}, 0.01, True),
            ({"accuracy": 0.95, "f1": 0.69}, {"accuracy": 0.94, "f1": 0.60}, 0.01, False),
            ({"accuracy": 0.89, "f1": 0.90}, {"accuracy": 0.94, "f1": 0.80}, 0.01, False),
            ({"accuracy": 0.96, "f1": 0.75}, {"accuracy": 0.96, "f1": 0.80}, 0.01, False),
            ({"accuracy": 0.96, "f1": 0.75}, {"accuracy": 0.96, "f1": 0.80}, 0.10, True),
            ({"accuracy": 0.90, "f1": 0.70}, {"accuracy": 0.90, "f1": 0.70}, 0.0, True),
        ]
        for new, prod, drop, want in cases:
            got = fn(dict(new), dict(prod), dict(mins), key="f1", max_drop=drop)
            if not isinstance(got, (bool, np.bool_)):
                raise Incorrect(f"quality_gate should return True or False, got {type(got).__name__}.")
            if bool(got) != want:
                raise Incorrect(f"New {new} vs production {prod} with max_drop={drop}: your gate says "
                                f"{bool(got)}, which is not right.")


def _rebuilt(lines, changed):
    for i, line in enumerate(lines):
        parts = line.split()
        if parts and parts[0].upper() in ("COPY", "ADD"):
            for src in parts[1:-1]:
                src = src.rstrip("/")
                if src in (".", "./") or changed == src or changed.startswith(src + "/"):
                    return len(lines) - i
    return 0


class LayersRebuilt(Exercise):
    title = "Which Docker layers a change rebuilds"
    hints = (
        "Walk through the lines in order. Only COPY and ADD lines read files from the build context; "
        "their sources are every word between the instruction and the last word (the destination).",
        "The first COPY/ADD whose source is the changed file, a folder containing it (src + '/') or '.' "
        "invalidates its layer and every layer after it: return len(lines) - index. Return 0 if no line uses the file.",
    )
    solution = """```python
def layers_rebuilt(lines, changed):
    for i, line in enumerate(lines):
        parts = line.split()
        if parts[0].upper() in ("COPY", "ADD"):
            for src in parts[1:-1]:
                src = src.rstrip("/")
                if src == "." or changed == src or changed.startswith(src + "/"):
                    return len(lines) - i
    return 0
```
Docker reuses a cached layer only while the instruction and every file it copies are
unchanged; the first changed layer and all layers after it are rebuilt. That is why
rarely changing steps (system packages, `pip install`) go first and the often-edited
source code goes last."""
    wrong_answer = staticmethod(lambda lines, changed: 1)

    _FILES = [
        ["FROM python:3.11-slim", "WORKDIR /app", "COPY requirements.txt .", "RUN pip install -r requirements.txt",
         "COPY src/ src/", "CMD python src/train.py"],
        ["FROM python:3.11-slim", "WORKDIR /app", "COPY . .", "RUN pip install -r requirements.txt",
         "CMD python src/train.py"],
        ["FROM python:3.11-slim", "RUN apt-get update", "COPY requirements.txt constraints.txt ./",
         "RUN pip install -r requirements.txt", "COPY data/params.yaml params.yaml", "COPY src src",
         "ENTRYPOINT [\"python\", \"src/train.py\"]"],
    ]

    def evaluate(self, fn) -> None:
        expect_callable(fn, "layers_rebuilt")
        for lines in self._FILES:
            for changed in ("src/train.py", "requirements.txt", "constraints.txt", "data/params.yaml", "README.md"):
                got = expect_number(fn(list(lines), changed), "The number of layers")
                want = _rebuilt(lines, changed)
                if got != want:
                    raise Incorrect(f"For a Dockerfile of {len(lines)} lines starting {lines[2]!r} (third line) and a "
                                    f"change to {changed!r}, {int(got)} layers is not right.")


class ReplicasNeeded(Exercise):
    title = "Horizontal scaling: how many replicas"
    hints = (
        "One replica should run at no more than `target` of its capacity, so it can take "
        "capacity * target requests per second.",
        "Divide the load by that, round up with math.ceil, and never go below min_replicas.",
    )
    solution = """```python
def replicas_needed(load_rps, capacity_rps, target=0.7, min_replicas=2):
    return max(min_replicas, math.ceil(load_rps / (capacity_rps * target)))
```
Autoscalers (the Kubernetes horizontal pod autoscaler, cloud autoscaling groups) do this
sum continuously; the headroom below 100 % absorbs bursts while new replicas start,
and the minimum keeps the service up if one replica dies."""
    wrong_answer = staticmethod(lambda load_rps, capacity_rps, target=0.7, min_replicas=2:
                                max(min_replicas, round(load_rps / capacity_rps)))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "replicas_needed")
        for load, cap, target, low in [(1800, 250, 0.7, 2), (100, 250, 0.7, 2), (1000, 100, 0.5, 1),
                                       (0, 50, 0.8, 1), (701, 100, 0.7, 3)]:
            got = fn(load, cap, target=target, min_replicas=low)
            if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
                raise Incorrect(f"replicas_needed should return a whole number (int), got {type(got).__name__}.")
            want = max(low, math.ceil(load / (cap * target)))
            if got != want:
                raise Incorrect(f"For {load} requests/s, {cap} requests/s per replica, target {target} and at least "
                                f"{low} replicas, {got} is not right.")


cache_path = CachePath()
changed_files = ChangedFiles()
failing_columns = ValidateFrame()
quality_gate = QualityGate()
layers_rebuilt = LayersRebuilt()
replicas_needed = ReplicasNeeded()
EXERCISES = register(globals())
