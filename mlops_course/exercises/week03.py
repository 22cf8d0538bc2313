"""Week 03 exercises: training data, class imbalance, sampling and labeling."""
from __future__ import annotations

import numpy as np

from ..checks import Exercise, Incorrect, expect_callable, expect_close, expect_number, register


def _f1_at(y, scores, threshold) -> float:
    pred = scores >= threshold
    tp = np.sum(pred & (y == 1))
    fp = np.sum(pred & (y == 0))
    fn = np.sum(~pred & (y == 1))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


class BestF1Threshold(Exercise):
    title = "The threshold with the best F1"
    hints = (
        "sklearn.metrics.precision_recall_curve(y_true, scores) returns precision, recall and thresholds. "
        "The precision and recall arrays are one longer than thresholds: drop their last entry.",
        "Compute F1 = 2 * p * r / (p + r) for every threshold (guard against p + r == 0) and return "
        "the threshold at np.argmax of F1, as a float.",
    )
    solution = """```python
def best_f1_threshold(y_true, scores):
    precision, recall, thresholds = precision_recall_curve(y_true, scores)
    p, r = precision[:-1], recall[:-1]
    f1 = np.where(p + r > 0, 2 * p * r / np.maximum(p + r, 1e-12), 0)
    return float(thresholds[np.argmax(f1)])
```
Each point of the PR curve is one threshold; F1 summarises the point in one number, so
the best threshold is the one whose point has the highest F1. The default 0.5 is rarely
it on imbalanced data."""
    wrong_answer = staticmethod(lambda y_true, scores: 0.5)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "best_f1_threshold")
        rng = np.random.default_rng(3)
        for n, rate, shift in [(400, 0.05, 1.5), (300, 0.2, 1.0), (500, 0.02, 2.5)]:
            y = (rng.random(n) < rate).astype(int)
            y[:3] = 1
            scores = 1 / (1 + np.exp(-(rng.normal(-2.5, 1, n) + shift * 1.6 * y)))
            got = expect_number(fn(y, scores), "The threshold")
            best = max(_f1_at(y, scores, t) for t in np.unique(scores))
            expect_close(_f1_at(y, scores, got), best,
                         f"With {y.sum()} positives in {n} cases, F1 at your threshold", tol=1e-9,
                         advice="Another threshold gives a higher F1: search over all thresholds of the PR curve.")


class RandomUndersample(Exercise):
    title = "Random undersampling of the majority class"
    hints = (
        "Find the row indices of each class with np.flatnonzero(y == 0) and np.flatnonzero(y == 1); "
        "the smaller group is the minority.",
        "Draw as many majority indices as there are minority rows, without replacement: "
        "np.random.default_rng(seed).choice(majority_idx, size=len(minority_idx), replace=False). "
        "Concatenate with all minority indices and return X[idx], y[idx].",
    )
    solution = """```python
def random_undersample(X, y, seed=0):
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    minority, majority = (pos, neg) if len(pos) < len(neg) else (neg, pos)
    keep = rng.choice(majority, size=len(minority), replace=False)
    idx = np.concatenate([minority, keep])
    return X[idx], y[idx]
```
Every rare row is kept and the common class is thinned to the same size, so both classes
weigh the same in training; the price is that most majority rows are thrown away."""
    wrong_answer = staticmethod(lambda X, y, seed=0: (X, y))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "random_undersample")
        rng = np.random.default_rng(5)
        for n, rate in [(200, 0.1), (120, 0.85)]:
            X = np.column_stack([np.arange(n), rng.normal(size=n)])
            y = (rng.random(n) < rate).astype(int)
            got = fn(X, y, seed=1)
            if not isinstance(got, tuple) or len(got) != 2:
                raise Incorrect("random_undersample should return a tuple (X_balanced, y_balanced).")
            Xb, yb = np.asarray(got[0]), np.asarray(got[1])
            if Xb.ndim != 2 or Xb.shape[1] != 2 or len(Xb) != len(yb):
                raise Incorrect("X_balanced must keep the columns of X and have one row per label in y_balanced.")
            minority = min(int((y == 0).sum()), int((y == 1).sum()))
            counts = np.bincount(yb.astype(int), minlength=2)
            if counts[0] != counts[1]:
                raise Incorrect(f"After undersampling the classes should be equal in size; got {counts[0]} vs {counts[1]}.")
            if counts[0] != minority:
                raise Incorrect("Each class should keep exactly as many rows as the minority class had.")
            ids = Xb[:, 0].astype(int)
            if len(set(ids)) != len(ids):
                raise Incorrect("Some rows appear twice: undersampling draws without replacement.")
            if not np.array_equal(y[ids], yb) or not np.allclose(X[ids], Xb):
                raise Incorrect("The rows returned must be rows of X with their own labels from y.")
            minority_label = 1 if (y == 1).sum() < (y == 0).sum() else 0
            if set(np.flatnonzero(y == minority_label)) - set(ids):
                raise Incorrect("Keep every row of the minority class; only the majority is thinned.")


def _majority(L):
    L = np.asarray(L)
    ones = (L == 1).sum(axis=1)
    zeros = (L == 0).sum(axis=1)
    return np.where(ones > zeros, 1, np.where(zeros > ones, 0, -1))


_L_CASES = [
    np.array([[1, -1, 1], [0, 0, -1], [-1, -1, -1], [1, 0, -1], [0, 1, 0], [-1, 1, -1], [1, 0, 1]]),
    np.random.default_rng(11).choice([-1, 0, 1], size=(40, 4), p=[0.5, 0.3, 0.2]),
]


class MajorityVote(Exercise):
    title = "Combine labeling functions by majority vote"
    hints = (
        "In each row count the 1-votes and the 0-votes; -1 means the function abstained and is not a vote.",
        "Return 1 where ones > zeros, 0 where zeros > ones and -1 otherwise (a tie or no vote at all): "
        "np.where(ones > zeros, 1, np.where(zeros > ones, 0, -1)).",
    )
    solution = """```python
def majority_vote(L):
    L = np.asarray(L)
    ones, zeros = (L == 1).sum(axis=1), (L == 0).sum(axis=1)
    return np.where(ones > zeros, 1, np.where(zeros > ones, 0, -1))
```
Abstentions must not count as votes, and a tie gives no label: both keep the weak
labels honest about what the functions do not know."""
    wrong_answer = staticmethod(lambda L: (np.asarray(L).mean(axis=1) > 0).astype(int))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "majority_vote")
        for L in _L_CASES:
            got = np.asarray(fn(L.copy()))
            if got.shape != (len(L),):
                raise Incorrect(f"Return one label per row: shape ({len(L)},), got {got.shape}.")
            want = _majority(L)
            bad = np.flatnonzero(got != want)
            if len(bad):
                raise Incorrect(f"Row {bad[0]} with votes {L[bad[0]].tolist()} gets {got[bad[0]]}, which is not right. "
                                "Remember: -1 abstains, ties and rows without votes get -1.")


class LabelStats(Exercise):
    title = "Coverage, conflicts and accuracy of weak labels"
    hints = (
        "coverage: share of rows where at least one function voted (L != -1 in any column). "
        "conflict: share of rows that hold both a 0-vote and a 1-vote.",
        "accuracy: take the majority-vote labels, keep only rows where the vote gave 0 or 1 (not -1), and "
        "compare them with y_true there.",
    )
    solution = """```python
def label_stats(L, y_true):
    L, y_true = np.asarray(L), np.asarray(y_true)
    ones, zeros = (L == 1).sum(axis=1), (L == 0).sum(axis=1)
    vote = np.where(ones > zeros, 1, np.where(zeros > ones, 0, -1))
    decided = vote != -1
    return {"coverage": float(((ones + zeros) > 0).mean()),
            "conflict": float(((ones > 0) & (zeros > 0)).mean()),
            "accuracy": float((vote[decided] == y_true[decided]).mean())}
```
Coverage says how much data gets any weak label, conflict how often the functions
disagree, accuracy how good the labels are where the vote decides."""
    wrong_answer = staticmethod(lambda L, y_true: {
        "coverage": float((np.asarray(L) != -1).mean()), "conflict": 0.0,
        "accuracy": float((_majority(L) == np.asarray(y_true)).mean())})

    def evaluate(self, fn) -> None:
        expect_callable(fn, "label_stats")
        rng = np.random.default_rng(2)
        for L in _L_CASES:
            y = rng.integers(0, 2, len(L))
            got = fn(L.copy(), y.copy())
            if not isinstance(got, dict) or not {"coverage", "conflict", "accuracy"} <= set(got):
                raise Incorrect("label_stats should return a dict with keys 'coverage', 'conflict' and 'accuracy'.")
            ones, zeros = (L == 1).sum(axis=1), (L == 0).sum(axis=1)
            vote = _majority(L)
            want = {"coverage": ((ones + zeros) > 0).mean(), "conflict": ((ones > 0) & (zeros > 0)).mean(),
                    "accuracy": (vote[vote != -1] == y[vote != -1]).mean()}
            for key, value in want.items():
                expect_close(expect_number(got[key], key), value, f"On a {L.shape[0]}x{L.shape[1]} vote matrix, {key}",
                             tol=1e-9, advice="Re-read the definition in the hints.")


class NoRareProbability(Exercise):
    title = "Chance that a random sample misses every rare case"
    hints = (
        "Each draw misses the rare class with probability 1 - rate; the draws are independent.",
        "All n draws miss it with probability (1 - rate) ** n.",
    )
    solution = """```python
def no_rare_probability(rate, n):
    return (1 - rate) ** n
```
At a 0.2 % fraud rate a random sample of 500 transactions holds no fraud at all about
37 % of the time: a model trained or tested on it could never learn or show fraud."""
    wrong_answer = staticmethod(lambda rate, n: max(0.0, 1 - rate * n))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "no_rare_probability")
        for rate, n in [(0.002, 500), (0.01, 100), (0.3, 5), (0.0001, 20000)]:
            got = expect_number(fn(rate, n), f"no_rare_probability({rate}, {n})")
            expect_close(got, (1 - rate) ** n, f"For rate={rate} and n={n}, the probability", tol=1e-6)


def _mi_data():
    rng = np.random.default_rng(8)
    n = 300
    import pandas as pd

    X = pd.DataFrame(rng.normal(size=(n, 6)), columns=["noise_a", "linear", "noise_b", "ring", "noise_c", "step"])
    logit = 1.5 * X["linear"] + 3.0 * (np.abs(X["ring"]) > 1.0) - 2.0 + 3.0 * (X["step"] > 0.3)
    y = pd.Series((rng.random(n) < 1 / (1 + np.exp(-2 * logit))).astype(int), name="label")
    return X, y


class TopMIFeatures(Exercise):
    title = "Rank features by mutual information"
    hints = (
        "sklearn.feature_selection.mutual_info_classif(X, y, random_state=0) returns one score per column.",
        "Put the scores in a pandas Series indexed by X.columns, sort it in descending order and return "
        "the first k index labels as a list.",
    )
    solution = """```python
def top_mi_features(X, y, k=3):
    scores = pd.Series(mutual_info_classif(X, y, random_state=0), index=X.columns)
    return scores.sort_values(ascending=False).index[:k].tolist()
```
Mutual information measures any dependence between a feature and the label, not only
a straight line, so it also finds features whose effect is non-linear."""
    wrong_answer = staticmethod(lambda X, y, k=3: X.corrwith(y.astype(float)).abs()
                                .sort_values(ascending=False).index[:k].tolist())

    def evaluate(self, fn) -> None:
        expect_callable(fn, "top_mi_features")
        X, y = _mi_data()
        got = fn(X.copy(), y.copy(), k=3)
        if not isinstance(got, (list, tuple)) or not all(isinstance(c, str) for c in got):
            raise Incorrect("top_mi_features should return a list of column names (strings).")
        if len(got) != 3:
            raise Incorrect(f"With k=3 return three column names, got {len(got)}.")
        noise = [c for c in got if c.startswith("noise")]
        if set(got) != {"linear", "ring", "step"}:
            raise Incorrect(f"On a test table with three informative and three noise columns, your top 3 "
                            f"are not the informative ones ({len(noise)} noise column(s) among them). "
                            "Rank by mutual information, highest first.")


best_f1_threshold = BestF1Threshold()
no_rare_probability = NoRareProbability()
random_undersample = RandomUndersample()
majority_vote = MajorityVote()
label_stats = LabelStats()
top_mi_features = TopMIFeatures()
EXERCISES = register(globals())
