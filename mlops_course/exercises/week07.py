"""Week 07 exercises: model evaluation and hyperparameter tuning."""
from __future__ import annotations

import math

import numpy as np

from ..checks import Exercise, Incorrect, expect_callable, expect_close, expect_number, register


def _small_classification(n: int, positives: int, seed: int):
    """Rows numbered 0..n-1 in column 0 (so a split can be traced) and an imbalanced 0/1 label."""
    rng = np.random.default_rng(seed)
    y = np.zeros(n, dtype=int)
    y[rng.choice(n, size=positives, replace=False)] = 1
    X = np.column_stack([np.arange(n), rng.normal(size=n)])
    return X, y


class StratifiedSplit(Exercise):
    title = "A reproducible, stratified hold-out split"
    hints = (
        "sklearn.model_selection.train_test_split does everything here; the question is which "
        "arguments to pass and in which order the four results come back.",
        "Pass test_size=test_size, random_state=seed and stratify=y. The function returns "
        "X_train, X_test, y_train, y_test: both X parts first, then both y parts.",
    )
    solution = """```python
def holdout_split(X, y, test_size, seed):
    from sklearn.model_selection import train_test_split
    return train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
```
`random_state` makes the shuffle repeatable, so the same seed always gives the same
split; `stratify=y` keeps the share of each class the same in both parts, which matters
when one class is rare (4 % machine failures). The four outputs come back as
X_train, X_test, y_train, y_test."""
    @staticmethod
    def wrong_answer(X, y, test_size, seed):
        """A common slip: the outputs unpacked as X_train, y_train, X_test, y_test."""
        from sklearn.model_selection import train_test_split

        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
        return X_train, y_train, X_test, y_test

    def evaluate(self, fn) -> None:
        expect_callable(fn, "holdout_split")
        for n, positives, test_size, seed in [(200, 10, 0.25, 0), (2000, 80, 0.25, 1), (150, 30, 0.2, 7)]:
            X, y = _small_classification(n, positives, seed)
            got = fn(X, y, test_size, seed)
            if not isinstance(got, (tuple, list)) or len(got) != 4:
                raise Incorrect("holdout_split should return four things: X_train, X_test, y_train, y_test.")
            X_train, X_test, y_train, y_test = (np.asarray(part) for part in got)
            if X_train.ndim != 2 or X_test.ndim != 2 or y_train.ndim != 1 or y_test.ndim != 1:
                raise Incorrect("The four results are not in the order X_train, X_test, y_train, y_test "
                                "(the X parts should be 2-D tables, the y parts 1-D).")
            n_test = math.ceil(test_size * n)
            if len(X_test) != n_test or len(y_test) != n_test or len(X_train) != n - n_test:
                raise Incorrect(f"With n={n} and test_size={test_size} the parts have the wrong sizes "
                                f"(got {len(X_train)} training and {len(X_test)} test rows); "
                                "check the order of the four outputs and pass test_size.")
            rows = np.concatenate([X_train[:, 0], X_test[:, 0]]).astype(int)
            if sorted(rows) != list(range(n)):
                raise Incorrect("Every row should land in exactly one of the two parts.")
            if not (np.array_equal(y[X_train[:, 0].astype(int)], y_train)
                    and np.array_equal(y[X_test[:, 0].astype(int)], y_test)):
                raise Incorrect("The labels no longer belong to their rows: split X and y together, in one call.")
            want = positives * test_size
            if abs(int(y_test.sum()) - want) > 1:
                raise Incorrect(f"The test part holds {int(y_test.sum())} of the {positives} positives: "
                                "the class shares differ between the parts. Stratify on y.")
            again = fn(X, y, test_size, seed)
            if not np.array_equal(np.asarray(again[1]), X_test):
                raise Incorrect("Two calls with the same seed gave different splits: pass random_state.")
        other = fn(X, y, test_size, seed + 1)
        if np.array_equal(np.asarray(other[1]), X_test):
            raise Incorrect("A different seed gave the very same split: use the seed argument as random_state.")


class KFoldByHand(Exercise):
    title = "K-fold cross-validation indices by hand"
    hints = (
        "Cut the positions 0..n-1 into k consecutive blocks whose sizes differ by at most one; "
        "np.array_split(np.arange(n), k) does exactly that.",
        "For each block: test = the block, train = every other position "
        "(np.setdiff1d(np.arange(n), test) or np.concatenate of the other blocks).",
    )
    solution = """```python
def kfold_indices(n, k):
    blocks = np.array_split(np.arange(n), k)
    return [(np.setdiff1d(np.arange(n), test), test) for test in blocks]
```
Every position is in exactly one test fold, and a fold's training part never contains
its own test positions. This is what `KFold(n_splits=k)` (without shuffling) yields."""
    wrong_answer = staticmethod(lambda n, k: [(np.arange(n), block) for block in np.array_split(np.arange(n), k)])

    def evaluate(self, fn) -> None:
        expect_callable(fn, "kfold_indices")
        for n, k in [(10, 5), (23, 4), (7, 7)]:
            folds = fn(n, k)
            try:
                folds = [(np.asarray(train), np.asarray(test)) for train, test in folds]
            except (TypeError, ValueError):
                raise Incorrect("kfold_indices should return a list of (train_indices, test_indices) pairs.") from None
            if len(folds) != k:
                raise Incorrect(f"For n={n}, k={k} there should be {k} folds, got {len(folds)}.")
            tests = np.concatenate([test for _, test in folds]).astype(int)
            if sorted(tests.tolist()) != list(range(n)):
                raise Incorrect(f"For n={n}, k={k} the test folds should cover every position exactly once.")
            sizes = [len(test) for _, test in folds]
            if max(sizes) - min(sizes) > 1:
                raise Incorrect(f"For n={n}, k={k} the test folds have sizes {sizes}: they should differ by at most one.")
            for train, test in folds:
                if set(train.tolist()) & set(test.tolist()):
                    raise Incorrect("A training part contains positions of its own test fold: that leaks the answers.")
                if sorted(train.tolist() + test.tolist()) != list(range(n)):
                    raise Incorrect("Each training part should hold every position that is not in its test fold.")


class LogisticLoss(Exercise):
    title = "Logistic regression's log loss by hand"
    hints = (
        "First the score s = X @ w + b, then the probability p = 1 / (1 + np.exp(-s)).",
        "The loss of one example is -log(p) when y = 1 and -log(1 - p) when y = 0; in one line "
        "-(y * log(p) + (1 - y) * log(1 - p)). Return the mean over all examples.",
    )
    solution = """```python
def log_loss_by_hand(w, b, X, y):
    s = X @ w + b
    p = 1 / (1 + np.exp(-s))
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
```
The sigmoid turns the score into a probability of class 1; the loss punishes a confident
wrong probability far more than a hesitant one. It is the binary cross-entropy of week 06
and what `sklearn.metrics.log_loss(y, p)` returns."""
    wrong_answer = staticmethod(lambda w, b, X, y: float(np.mean(-y * np.log(1 / (1 + np.exp(-(X @ w + b)))))))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "log_loss_by_hand")
        rng = np.random.default_rng(3)
        for n, d in [(30, 2), (50, 4)]:
            X = rng.normal(size=(n, d))
            w = rng.normal(size=d)
            b = float(rng.normal())
            y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(X @ w)))).astype(float)
            p = 1 / (1 + np.exp(-(X @ w + b)))
            want = float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
            got = expect_number(fn(w, b, X, y), "log_loss_by_hand")
            expect_close(got, want, f"For {n} examples with {d} features, the loss", tol=1e-6,
                         advice="Average the loss over the examples, with both the y = 1 and the y = 0 terms.")


class SearchCost(Exercise):
    title = "How many fits does a search cost?"
    hints = (
        "A grid search tries every combination: multiply the number of values of each "
        "hyperparameter. Each combination is fitted once per fold.",
        "Add one final fit for refit=True (the best setting retrained on all training data). "
        "sklearn.model_selection.ParameterGrid(param_grid) has a len() if you prefer not to multiply.",
    )
    solution = """```python
def grid_search_fits(param_grid, cv, refit=True):
    combinations = 1
    for values in param_grid.values():
        combinations *= len(values)
    return combinations * cv + (1 if refit else 0)
```
The cost multiplies: the week's SVC grid (3 values of C x 2 kernels x 2 gammas = 12
settings) with 5 folds is 60 fits plus one refit. One more hyperparameter with 4 values
would make it 241."""
    wrong_answer = staticmethod(lambda param_grid, cv, refit=True: sum(len(v) for v in param_grid.values()) * cv + int(refit))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "grid_search_fits")
        cases = [
            ({"C": [0.1, 1, 10], "kernel": ["linear", "rbf"], "gamma": ["scale", "auto"]}, 5, True),
            ({"alpha": [0.01, 0.1, 1, 10]}, 3, True),
            ({"max_depth": [2, 4, 8], "min_samples_leaf": [1, 5, 10, 20]}, 10, False),
            ({"C": [1], "penalty": ["l1", "l2"]}, 4, True),
        ]
        for grid, cv, refit in cases:
            got = expect_number(fn(grid, cv, refit=refit), "grid_search_fits")
            want = math.prod(len(v) for v in grid.values()) * cv + int(refit)
            expect_close(got, want, f"For {len(grid)} hyperparameter(s) with cv={cv} and refit={refit}, the count",
                         tol=1e-9, advice="Every combination is fitted once per fold.")


class MicroFromClasses(Exercise):
    title = "Micro-averaged precision, recall and F1 from per-class counts"
    hints = (
        "Micro-averaging sums TP, FP and FN over the classes first, then applies the usual "
        "formulas once. (Macro-averaging would average per-class scores instead.)",
        "tp = sum of the first numbers, fp = sum of the second, fn = sum of the third; "
        "precision = tp / (tp + fp), recall = tp / (tp + fn), f1 = 2 p r / (p + r).",
    )
    solution = """```python
def micro_prf(per_class):
    tp = sum(c[0] for c in per_class)
    fp = sum(c[1] for c in per_class)
    fn = sum(c[2] for c in per_class)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return precision, recall, 2 * precision * recall / (precision + recall)
```
For the lesson's three classes the sums are TP=50, FP=10, FN=5, so precision 0.833,
recall 0.909 and F1 0.870. A large class weighs more in the micro average than in the
macro average."""

    @staticmethod
    def wrong_answer(per_class):
        p = [tp / (tp + fp) for tp, fp, _ in per_class]
        r = [tp / (tp + fn) for tp, _, fn in per_class]
        mp, mr = float(np.mean(p)), float(np.mean(r))
        return mp, mr, 2 * mp * mr / (mp + mr)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "micro_prf")
        for per_class in ([(30, 4, 2), (15, 5, 1), (5, 1, 2)], [(90, 1, 30), (2, 8, 1)], [(40, 10, 0), (1, 0, 9), (3, 3, 3)]):
            got = fn(per_class)
            if not isinstance(got, (tuple, list)) or len(got) != 3:
                raise Incorrect("micro_prf should return a tuple (precision, recall, f1).")
            tp, fp, fn_ = (sum(c[i] for c in per_class) for i in range(3))
            p, r = tp / (tp + fp), tp / (tp + fn_)
            for name, value, want in zip(("precision", "recall", "f1"), got, (p, r, 2 * p * r / (p + r))):
                expect_close(expect_number(value, name), want, f"For {len(per_class)} classes, micro {name}", tol=1e-6,
                             advice="Sum the counts over the classes before dividing.")


holdout_split = StratifiedSplit()
kfold_indices = KFoldByHand()
log_loss_by_hand = LogisticLoss()
grid_search_fits = SearchCost()
micro_prf = MicroFromClasses()
EXERCISES = register(globals())
