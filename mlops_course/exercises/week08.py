"""Week 08 exercises: experiment tracking, model choice, ensembles and semantic search."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..checks import Exercise, Incorrect, expect_callable, expect_close, expect_number, register


@lru_cache(maxsize=None)
def _runs_frame(seed: int, n: int = 6) -> pd.DataFrame:
    """A small frame shaped like the one ``mlflow.search_runs`` returns."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "run_id": [f"{seed:02d}{i:02d}" + "ab" * 15 for i in range(n)],
        "status": "FINISHED",
        "metrics.roc_auc": rng.uniform(0.6, 0.95, n).round(4),
        "metrics.log_loss": rng.uniform(0.2, 0.7, n).round(4),
        "params.model": rng.choice(["logreg", "forest", "boosting"], n),
        "tags.mlflow.runName": [f"run-{i}" for i in range(n)],
    })
    frame.loc[rng.integers(0, n), "metrics.roc_auc"] = np.nan  # a run that crashed before logging
    return frame


class BestRun(Exercise):
    title = "Pick the best run from search_runs"
    hints = (
        "The metric's column is named 'metrics.' + metric. Runs that never logged it hold NaN there: drop them.",
        "For a metric where higher is better use idxmax on the column, else idxmin; then read 'run_id' on that row.",
        "Or sort: runs.dropna(subset=[col]).sort_values(col, ascending=not higher_is_better).iloc[0]['run_id'].",
    )
    solution = """```python
def best_run(runs, metric, higher_is_better=True):
    column = f"metrics.{metric}"
    scored = runs.dropna(subset=[column])
    best = scored[column].idxmax() if higher_is_better else scored[column].idxmin()
    return scored.loc[best, "run_id"]
```
`search_runs` returns one row per run with a `metrics.<name>` column per metric; a run
that failed before logging has NaN. The direction matters: the best ROC AUC is the
largest, the best log loss the smallest."""
    wrong_answer = staticmethod(lambda runs, metric, higher_is_better=True: runs.loc[runs[f"metrics.{metric}"].idxmax(), "run_id"])

    def evaluate(self, fn) -> None:
        expect_callable(fn, "best_run")
        for seed in (1, 2):
            runs = _runs_frame(seed)  # cached: callers get a copy
            for metric, higher in (("roc_auc", True), ("log_loss", False)):
                column = f"metrics.{metric}"
                scored = runs.dropna(subset=[column])
                want = scored.loc[scored[column].idxmax() if higher else scored[column].idxmin(), "run_id"]
                got = fn(runs.copy(), metric, higher_is_better=higher)
                if not isinstance(got, str):
                    raise Incorrect(f"best_run should return the run_id as a string, got {type(got).__name__}.")
                if got != want:
                    direction = "higher" if higher else "lower"
                    raise Incorrect(f"For the metric {metric!r} ({direction} is better) you picked run {got[:6]}..., "
                                    "which is not the best run. Mind the direction and runs without the metric.")


class BootstrapSample(Exercise):
    title = "A bootstrap sample for bagging"
    hints = (
        "Bagging trains each model on n rows drawn from the n training rows *with replacement*.",
        "rng.integers(0, n, size=n) gives n row numbers with repeats; index X and y with the same numbers.",
        "Return (X[idx], y[idx]); the rows never drawn (about 37 %) are the out-of-bag rows.",
    )
    solution = """```python
def bootstrap_sample(X, y, rng):
    idx = rng.integers(0, len(X), size=len(X))
    return X[idx], y[idx]
```
Drawing with replacement makes every model see a slightly different data set: some
rows twice or more, about 1 - 1/e = 37 % not at all. The models' errors then differ,
and averaging them lowers the variance. A permutation (no replacement) would give every
model the same data."""
    wrong_answer = staticmethod(lambda X, y, rng: (X[(p := rng.permutation(len(X)))], y[p]))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "bootstrap_sample")
        n = 400
        X = np.arange(n * 2, dtype=float).reshape(n, 2)
        y = np.arange(n) % 3
        out_of_bag = []
        for seed in range(3):
            got = fn(X, y, np.random.default_rng(seed))
            if not isinstance(got, tuple) or len(got) != 2:
                raise Incorrect("bootstrap_sample should return a tuple (X_sample, y_sample).")
            Xs, ys = np.asarray(got[0]), np.asarray(got[1])
            if Xs.shape != X.shape or ys.shape != y.shape:
                raise Incorrect(f"A bootstrap sample has as many rows as the data: expected shapes {X.shape} "
                                f"and {y.shape}, got {Xs.shape} and {ys.shape}.")
            rows = (Xs[:, 0] / 2).astype(int)
            if not np.array_equal(Xs, X[rows]) or not np.array_equal(ys, y[rows]):
                raise Incorrect("Each sampled row of X must come with its own label from y (use the same indices).")
            out_of_bag.append(1 - len(np.unique(rows)) / n)
        share = float(np.mean(out_of_bag))
        if share < 0.25:
            raise Incorrect(f"Only {share:.0%} of the rows are left out of your samples: "
                            "draw the rows with replacement, so some repeat and others are missing.")
        if share > 0.5:
            raise Incorrect(f"{share:.0%} of the rows are left out: draw n rows, each uniformly from all n.")


class _FittedStub:
    def __init__(self, importances):
        self.feature_importances_ = np.asarray(importances, dtype=float)


class TopFeatures(Exercise):
    title = "The most important features"
    hints = (
        "A fitted random forest has the attribute feature_importances_: one number per column, summing to 1.",
        "np.argsort sorts ascending; reverse it ([::-1]) to get the largest first, then keep k positions.",
        "Return a list of names: [feature_names[i] for i in order[:k]].",
    )
    solution = """```python
def top_features(model, feature_names, k=3):
    order = np.argsort(model.feature_importances_)[::-1]
    return [feature_names[i] for i in order[:k]]
```
Impurity-based importances say how much each feature's splits reduced the impurity,
averaged over the trees. They explain the model, not the world, and favour features
with many distinct values, so check them with permutation importance."""
    wrong_answer = staticmethod(lambda model, feature_names, k=3: [feature_names[i] for i in np.argsort(model.feature_importances_)[:k]])

    def evaluate(self, fn) -> None:
        expect_callable(fn, "top_features")
        rng = np.random.default_rng(8)
        for size, k in ((6, 3), (10, 4), (4, 1)):
            weights = rng.permutation(np.arange(1, size + 1)).astype(float)
            names = [f"feature_{chr(97 + i)}" for i in range(size)]
            model = _FittedStub(weights / weights.sum())
            got = fn(model, names, k=k)
            if not isinstance(got, list):
                raise Incorrect(f"top_features should return a list of names, got {type(got).__name__}.")
            want = [names[i] for i in np.argsort(weights)[::-1][:k]]
            if len(got) != k:
                raise Incorrect(f"Asked for k={k} features, got {len(got)}.")
            if [str(g) for g in got] != want:
                raise Incorrect(f"With {size} features and k={k} the names or their order are not right yet: "
                                "the most important feature comes first.")


class CosineScores(Exercise):
    title = "Cosine similarity of a query with every document"
    hints = (
        "Cosine similarity is the dot product of two vectors divided by the product of their lengths.",
        "Divide each document row by its norm: docs / np.linalg.norm(docs, axis=1, keepdims=True); "
        "divide the query by its norm too.",
        "Then one matrix product gives all scores: docs_unit @ query_unit.",
    )
    solution = """```python
def cosine_scores(query, docs):
    docs = np.asarray(docs, dtype=float)
    query = np.asarray(query, dtype=float)
    docs_unit = docs / np.linalg.norm(docs, axis=1, keepdims=True)
    return docs_unit @ (query / np.linalg.norm(query))
```
Cosine similarity only compares directions, so a long document (a long vector) gets no
bonus for its length; the plain dot product grows with the length and favours long
documents."""
    wrong_answer = staticmethod(lambda query, docs: np.asarray(docs, dtype=float) @ np.asarray(query, dtype=float))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "cosine_scores")
        rng = np.random.default_rng(5)
        for n_docs, dim in ((5, 3), (8, 6)):
            docs = rng.normal(size=(n_docs, dim)) * rng.uniform(0.5, 6, size=(n_docs, 1))
            query = rng.normal(size=dim) * 3
            got = np.asarray(fn(query, docs), dtype=float)
            if got.shape != (n_docs,):
                raise Incorrect(f"Return one score per document: expected shape ({n_docs},), got {got.shape}.")
            want = (docs / np.linalg.norm(docs, axis=1, keepdims=True)) @ (query / np.linalg.norm(query))
            if np.any(np.abs(got) > 1 + 1e-9):
                raise Incorrect("Some scores lie outside [-1, 1]: normalise both the documents and the query.")
            for i in range(n_docs):
                expect_close(expect_number(float(got[i]), f"score {i}"), float(want[i]),
                             f"The score of document {i} of {n_docs}", tol=1e-6)


class CheapestThreshold(Exercise):
    title = "A threshold that weighs false positives against false negatives"
    hints = (
        "For each threshold t, predict positive where scores >= t, then count false positives "
        "(predicted 1, truly 0) and false negatives (predicted 0, truly 1).",
        "The cost of a threshold is cost_fp * FP + cost_fn * FN. Keep the threshold with the smallest cost.",
        "Loop over thresholds (or use NumPy broadcasting) and return float(thresholds[np.argmin(costs)]).",
    )
    solution = """```python
def cheapest_threshold(y_true, scores, cost_fp, cost_fn, thresholds):
    y_true, scores = np.asarray(y_true), np.asarray(scores)
    costs = []
    for t in thresholds:
        pred = scores >= t
        fp = np.sum(pred & (y_true == 0))
        fn = np.sum(~pred & (y_true == 1))
        costs.append(cost_fp * fp + cost_fn * fn)
    return float(thresholds[int(np.argmin(costs))])
```
When a missed churner (FN) costs more than a needless retention offer (FP), the best
threshold moves down: the model flags more customers and accepts more false alarms."""
    wrong_answer = staticmethod(lambda y_true, scores, cost_fp, cost_fn, thresholds: 0.5)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "cheapest_threshold")
        rng = np.random.default_rng(11)
        thresholds = np.round(np.arange(0.05, 1.0, 0.05), 2)
        y = (rng.random(300) < 0.2).astype(int)
        scores = np.clip(0.3 * y + rng.normal(0.35, 0.18, 300), 0, 1)
        for cost_fp, cost_fn in ((1, 10), (1, 1), (5, 1)):
            pred = scores[None, :] >= thresholds[:, None]
            fp = (pred & (y == 0)).sum(axis=1)
            fn_ = (~pred & (y == 1)).sum(axis=1)
            costs = cost_fp * fp + cost_fn * fn_
            got = expect_number(fn(y, scores, cost_fp, cost_fn, thresholds), "The threshold")
            if not np.isclose(costs[np.argmin(costs)], costs[np.argmin(np.abs(thresholds - got))]) or \
                    np.min(np.abs(thresholds - got)) > 1e-9:
                raise Incorrect(f"With cost_fp={cost_fp} and cost_fn={cost_fn} your threshold {got:.2f} "
                                "does not have the lowest total cost among the candidates.")


best_run = BestRun()
bootstrap_sample = BootstrapSample()
top_features = TopFeatures()
cosine_scores = CosineScores()
cheapest_threshold = CheapestThreshold()
EXERCISES = register(globals())
