"""Week 07 exercises: model evaluation and hyperparameter tuning."""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..checks import Exercise, Incorrect, expect_callable, expect_close, expect_number, register


def _small_classification(n: int, positives: int, seed: int):
    """Rows numbered 0..n-1 in column 0 (so a split can be traced) and an imbalanced 0/1 label."""
    rng = np.random.default_rng(seed)
    y = np.zeros(n, dtype=int)
    y[rng.choice(n, size=positives, replace=False)] = 1
    X = np.column_stack([np.arange(n), rng.normal(size=n)])
    return X, y


# -- exercise 1 ----------------------------------------------------------------------------
def _split_unpacked_in_the_wrong_order(X, y, test_size, seed):
    from sklearn.model_selection import train_test_split

    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    return X_train, y_train, X_test, y_test


def _split_without_stratify(X, y, test_size, seed):
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=test_size, random_state=seed)


def _split_without_seed(X, y, test_size, seed):
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=test_size, stratify=y)


def _split_with_a_fixed_seed(X, y, test_size, seed):
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=test_size, random_state=42, stratify=y)


def _split_with_the_default_size(X, y, test_size, seed):
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, random_state=seed, stratify=y)


def _split_x_and_y_apart(X, y, test_size, seed):
    """X and y split by separate calls, only the y call stratified: the two shuffles differ."""
    from sklearn.model_selection import train_test_split

    X_train, X_test = train_test_split(X, test_size=test_size, random_state=seed)
    y_train, y_test = train_test_split(y, test_size=test_size, random_state=seed, stratify=y)
    return X_train, X_test, y_train, y_test


def _split_with_stratified_shuffle_split(X, y, test_size, seed):
    from sklearn.model_selection import StratifiedShuffleSplit

    train, test = next(StratifiedShuffleSplit(n_splits=1, test_size=test_size, random_state=seed).split(X, y))
    X, y = np.asarray(X), np.asarray(y)
    return X[train], X[test], y[train], y[test]


class StratifiedSplit(Exercise):
    title = "A reproducible, stratified hold-out split"
    hints = (
        "sklearn.model_selection.train_test_split does everything here; the question is which "
        "arguments to pass and in which order the four results come back.",
        "Three of its keyword arguments matter: one for the size of the test part, one that fixes the "
        "shuffle, one that keeps the class shares. It returns both X parts first, then both y parts.",
    )
    solution = """```python
def holdout_split(X, y, test_size, seed):
    from sklearn.model_selection import train_test_split
    return train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
```
`random_state` makes the shuffle repeatable, so the same seed always gives the same
split; `stratify=y` keeps the share of each class the same in both parts, which matters
when one class is rare (14 % churners, 4 % machine failures). The four outputs come back as
X_train, X_test, y_train, y_test. `StratifiedShuffleSplit(n_splits=1, ...)` gives the
same kind of split as a pair of index arrays."""
    wrong_answer = staticmethod(_split_unpacked_in_the_wrong_order)
    wrong_answers = (_split_without_stratify, _split_without_seed, _split_with_a_fixed_seed,
                     _split_with_the_default_size, _split_x_and_y_apart)
    right_answers = (_split_with_stratified_shuffle_split,)

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


# -- exercise 2 ----------------------------------------------------------------------------
def _folds_with_sklearn(n, k):
    from sklearn.model_selection import KFold

    return list(KFold(n_splits=k).split(np.zeros((n, 1))))


def _folds_in_a_loop(n, k):
    folds, start = [], 0
    for i in range(k):
        size = n // k + (1 if i < n % k else 0)
        test = list(range(start, start + size))
        folds.append(([j for j in range(n) if j not in test], test))
        start += size
    return folds


def _folds_shuffled(n, k):
    from sklearn.model_selection import KFold

    return list(KFold(n_splits=k, shuffle=True, random_state=0).split(np.zeros((n, 1))))


def _folds_with_the_remainder_in_the_last(n, k):
    size = n // k
    tests = [np.arange(i * size, (i + 1) * size if i < k - 1 else n) for i in range(k)]
    return [(np.setdiff1d(np.arange(n), test), test) for test in tests]


def _folds_that_drop_the_remainder(n, k):
    size = n // k
    tests = [np.arange(i * size, (i + 1) * size) for i in range(k)]
    return [(np.setdiff1d(np.arange(n), test), test) for test in tests]


class KFoldByHand(Exercise):
    title = "K-fold cross-validation indices by hand"
    hints = (
        "Cut the positions 0..n-1 into k consecutive blocks whose sizes differ by at most one; "
        "np.array_split(np.arange(n), k) does exactly that.",
        "For each block: the block is the test fold, and the training part is every position "
        "that is not in it (a set difference of arrays, or the other blocks joined).",
    )
    solution = """```python
def kfold_indices(n, k):
    blocks = np.array_split(np.arange(n), k)
    return [(np.setdiff1d(np.arange(n), test), test) for test in blocks]
```
Every position is in exactly one test fold, and a fold's training part never contains
its own test positions. This is what `KFold(n_splits=k)` (without shuffling) yields: the
first `n % k` folds get one row more than the others."""
    wrong_answer = staticmethod(lambda n, k: [(np.arange(n), block) for block in np.array_split(np.arange(n), k)])
    wrong_answers = (_folds_shuffled, _folds_with_the_remainder_in_the_last, _folds_that_drop_the_remainder)
    right_answers = (_folds_with_sklearn, _folds_in_a_loop)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "kfold_indices")
        for n, k in [(10, 5), (23, 4), (7, 7), (30, 4)]:
            folds = fn(n, k)
            try:
                folds = [(np.asarray(train).astype(int), np.asarray(test).astype(int)) for train, test in folds]
            except (TypeError, ValueError):
                raise Incorrect("kfold_indices should return a list of (train_indices, test_indices) pairs.") from None
            if len(folds) != k:
                raise Incorrect(f"For n={n}, k={k} there should be {k} folds, got {len(folds)}.")
            tests = np.concatenate([test for _, test in folds])
            if sorted(tests.tolist()) != list(range(n)):
                raise Incorrect(f"For n={n}, k={k} the test folds should cover every position exactly once.")
            sizes = [len(test) for _, test in folds]
            if max(sizes) - min(sizes) > 1:
                raise Incorrect(f"For n={n}, k={k} the test folds have sizes {sizes}: they should differ by at most one.")
            if tests.tolist() != list(range(n)) or sizes != sorted(sizes, reverse=True):
                raise Incorrect(f"For n={n}, k={k} the test folds are not consecutive blocks in row order "
                                "(larger blocks first, as KFold makes them): do not shuffle here.")
            for train, test in folds:
                if set(train.tolist()) & set(test.tolist()):
                    raise Incorrect("A training part contains positions of its own test fold: that leaks the answers.")
                if sorted(train.tolist() + test.tolist()) != list(range(n)):
                    raise Incorrect("Each training part should hold every position that is not in its test fold.")


# -- exercise 3 ----------------------------------------------------------------------------
def _sigmoid(s):
    return 1 / (1 + np.exp(-s))


def _loss_with_sklearn(w, b, X, y):
    from sklearn.metrics import log_loss

    return float(log_loss(y, _sigmoid(X @ w + b), labels=[0, 1]))


def _loss_stable(w, b, X, y):
    s = X @ w + b
    return float(np.mean(np.logaddexp(0, s) - y * s))


class LogisticLoss(Exercise):
    title = "Logistic regression's log loss by hand"
    hints = (
        "Two steps per example: a score from the weights (a dot product plus the bias), then a "
        "probability from the score through the logistic (sigmoid) function.",
        "An example's loss is minus the log of the probability the model gave the true class: p when "
        "y is 1, 1 - p when y is 0. Multiplying each term by y or by 1 - y picks the right one without "
        "an if; return the mean over the examples.",
    )
    solution = """```python
def log_loss_by_hand(w, b, X, y):
    s = X @ w + b
    p = 1 / (1 + np.exp(-s))
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
```
The sigmoid turns the score into a probability of class 1; the loss punishes a confident
wrong probability far more than a hesitant one. It is the binary cross-entropy of week 06
and what `sklearn.metrics.log_loss(y, p)` returns; `np.mean(np.logaddexp(0, s) - y * s)` is
the same number computed without overflow for large scores."""
    wrong_answer = staticmethod(lambda w, b, X, y: float(np.mean(-y * np.log(_sigmoid(X @ w + b)))))
    wrong_answers = (
        # summed instead of averaged
        lambda w, b, X, y: float(np.sum(-(y * np.log(_sigmoid(X @ w + b)) + (1 - y) * np.log(1 - _sigmoid(X @ w + b))))),
        # the minus sign forgotten
        lambda w, b, X, y: float(np.mean(y * np.log(_sigmoid(X @ w + b)) + (1 - y) * np.log(1 - _sigmoid(X @ w + b)))),
        # the intercept left out of the score
        lambda w, b, X, y: float(np.mean(-(y * np.log(_sigmoid(X @ w)) + (1 - y) * np.log(1 - _sigmoid(X @ w))))),
        # base-10 logarithms
        lambda w, b, X, y: float(np.mean(-(y * np.log10(_sigmoid(X @ w + b)) + (1 - y) * np.log10(1 - _sigmoid(X @ w + b))))),
    )
    right_answers = (_loss_with_sklearn, _loss_stable)

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
                         advice="Average the loss over the examples, with both the y = 1 and the y = 0 terms, "
                                "natural logarithms and the intercept in the score.")


# -- exercise 4 ----------------------------------------------------------------------------
def _fits_with_parameter_grid(param_grid, cv, refit=True):
    from sklearn.model_selection import ParameterGrid

    return len(ParameterGrid(param_grid)) * cv + int(bool(refit))


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
    wrong_answers = (
        # the refit forgotten
        lambda param_grid, cv, refit=True: math.prod(len(v) for v in param_grid.values()) * cv,
        # the refit counted even when refit=False
        lambda param_grid, cv, refit=True: math.prod(len(v) for v in param_grid.values()) * cv + 1,
        # folds added instead of multiplied
        lambda param_grid, cv, refit=True: math.prod(len(v) for v in param_grid.values()) + cv + int(refit),
        # the folds forgotten
        lambda param_grid, cv, refit=True: math.prod(len(v) for v in param_grid.values()) + int(refit),
    )
    right_answers = (_fits_with_parameter_grid,)

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


# -- exercise 5 ----------------------------------------------------------------------------
def _micro_by_f1_formula(per_class):
    tp, fp, fn = (sum(c[i] for c in per_class) for i in range(3))
    return tp / (tp + fp), tp / (tp + fn), 2 * tp / (2 * tp + fp + fn)


def _micro_with_arrays(per_class):
    tp, fp, fn = np.asarray(per_class, dtype=float).sum(axis=0)
    p, r = tp / (tp + fp), tp / (tp + fn)
    return float(p), float(r), float(2 * p * r / (p + r))


class MicroFromClasses(Exercise):
    title = "Micro-averaged precision, recall and F1 from per-label counts"
    hints = (
        "Micro-averaging pools the counts of every label before applying the formulas once. "
        "(Macro-averaging computes a score per label and averages the scores instead.)",
        "Each tuple holds one label's TP, FP and FN, in that order: total each kind over the labels, "
        "then compute precision, recall and F1 from the three totals exactly as for a single label.",
    )
    solution = """```python
def micro_prf(per_label):
    tp = sum(c[0] for c in per_label)
    fp = sum(c[1] for c in per_label)
    fn = sum(c[2] for c in per_label)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return precision, recall, 2 * precision * recall / (precision + recall)
```
For the lesson's three alarm labels the sums are TP=50, FP=10, FN=5, so precision 0.833,
recall 0.909 and F1 0.870. A frequent label weighs more in the micro average than in the
macro average. `2 * tp / (2 * tp + fp + fn)` is the same F1 in one step."""

    @staticmethod
    def wrong_answer(per_class):
        p = [tp / (tp + fp) for tp, fp, _ in per_class]
        r = [tp / (tp + fn) for tp, _, fn in per_class]
        mp, mr = float(np.mean(p)), float(np.mean(r))
        return mp, mr, 2 * mp * mr / (mp + mr)

    wrong_answers = (
        # F1 as the arithmetic mean of precision and recall
        lambda per: (lambda tp, fp, fn: (tp / (tp + fp), tp / (tp + fn), (tp / (tp + fp) + tp / (tp + fn)) / 2))(
            *(sum(c[i] for c in per) for i in range(3))),
        # precision and recall swapped (FP and FN confused)
        lambda per: (lambda tp, fp, fn: (tp / (tp + fn), tp / (tp + fp), 2 * tp / (2 * tp + fp + fn)))(
            *(sum(c[i] for c in per) for i in range(3))),
        # the mean of the per-label F1 scores (macro F1)
        lambda per: _micro_by_f1_formula(per)[:2] + (float(np.mean([2 * tp / (2 * tp + fp + fn) for tp, fp, fn in per])),),
    )
    right_answers = (_micro_by_f1_formula, _micro_with_arrays)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "micro_prf")
        for per_class in ([(30, 4, 2), (15, 5, 1), (5, 1, 2)], [(90, 1, 30), (2, 8, 1)], [(40, 10, 0), (1, 0, 9), (3, 3, 3)]):
            got = fn(per_class)
            if not isinstance(got, (tuple, list)) or len(got) != 3:
                raise Incorrect("micro_prf should return a tuple (precision, recall, f1).")
            tp, fp, fn_ = (sum(c[i] for c in per_class) for i in range(3))
            p, r = tp / (tp + fp), tp / (tp + fn_)
            for name, value, want in zip(("precision", "recall", "f1"), got, (p, r, 2 * p * r / (p + r))):
                expect_close(expect_number(value, name), want, f"For {len(per_class)} labels, micro {name}", tol=1e-6,
                             advice="Sum the counts over the labels before dividing; F1 is the harmonic mean.")


# -- exercise 7: a search on time-ordered machine hours --------------------------------------
#: The check's own window of machine hours (time order kept): 1,500 hours the lesson's
#: search is not run on alone.
_WINDOW = (1000, 2500)


@lru_cache(maxsize=1)
def _machine_features():
    """The lesson's features of the machine-failure data (time order kept): X, y."""
    import pandas as pd

    from .. import load_dataset

    machines = load_dataset("machine_failure")
    X = pd.get_dummies(machines.drop(columns=["timestamp", "failure", "failure_cause"]), dtype=float)
    return X, machines["failure"]


def _machine_window():
    X, y = _machine_features()
    lo, hi = _WINDOW
    return X.iloc[lo:hi].reset_index(drop=True), y.iloc[lo:hi].reset_index(drop=True)


def _search(kind, space, cv, scoring="f1", seed=0, n_iter=12):
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
    from sklearn.tree import DecisionTreeClassifier

    tree = DecisionTreeClassifier(random_state=seed)
    if kind == "grid":
        return GridSearchCV(tree, space, scoring=scoring, cv=cv)
    return RandomizedSearchCV(tree, space, n_iter=n_iter, scoring=scoring, cv=cv, random_state=seed)


def _tss(n=4, **kw):
    from sklearn.model_selection import TimeSeriesSplit

    return TimeSeriesSplit(n_splits=n, **kw)


def _log_alpha():
    from scipy.stats import loguniform

    return {"ccp_alpha": loguniform(1e-5, 1e-1)}


def _tune_with_uniform_draws(X, y, seed):
    from scipy.stats import uniform

    return _search("random", {"ccp_alpha": uniform(1e-5, 1e-1)}, _tss(), seed=seed).fit(X, y)


def _tune_on_shuffled_folds(X, y, seed):
    from sklearn.model_selection import StratifiedKFold

    return _search("random", _log_alpha(), StratifiedKFold(4, shuffle=True, random_state=seed), seed=seed).fit(X, y)


def _tune_on_default_folds(X, y, seed):
    return _search("random", _log_alpha(), 4, seed=seed).fit(X, y)


def _tune_on_unshuffled_kfold(X, y, seed):
    from sklearn.model_selection import KFold

    return _search("random", _log_alpha(), KFold(4), seed=seed).fit(X, y)


def _tune_by_accuracy(X, y, seed):
    return _search("random", _log_alpha(), _tss(), scoring=None, seed=seed).fit(X, y)


def _tune_by_macro_f1(X, y, seed):
    return _search("random", _log_alpha(), _tss(), scoring="f1_macro", seed=seed).fit(X, y)


def _tune_a_narrow_grid(X, y, seed):
    return _search("grid", {"ccp_alpha": [0.001, 0.002, 0.003]}, _tss(), seed=seed).fit(X, y)


def _tune_a_linear_grid(X, y, seed):
    """Ten values from 1e-5 to 1e-1 spaced evenly on a linear scale: nine of them above 0.01."""
    return _search("grid", {"ccp_alpha": np.linspace(1e-5, 1e-1, 10)}, _tss(), seed=seed).fit(X, y)


def _tune_a_narrow_log_uniform(X, y, seed):
    from scipy.stats import loguniform

    return _search("random", {"ccp_alpha": loguniform(1e-3, 1e-2)}, _tss(), seed=seed).fit(X, y)


def _tune_the_depth_instead(X, y, seed):
    return _search("grid", {"max_depth": [2, 4, 8, None]}, _tss(), seed=seed).fit(X, y)


def _tune_on_shuffled_rows(X, y, seed):
    order = np.random.default_rng(seed).permutation(len(X))
    return _search("random", _log_alpha(), _tss(), seed=seed).fit(X.iloc[order], y.iloc[order])


def _tune_with_two_draws(X, y, seed):
    """Two log-uniform draws: the right distribution, but hardly a search (the lesson asks for 12)."""
    return _search("random", _log_alpha(), _tss(), seed=seed, n_iter=2).fit(X, y)


def _tune_an_unseeded_tree(X, y, seed):
    """The tree without random_state: its splits on tied features change from fit to fit."""
    from scipy.stats import loguniform
    from sklearn.model_selection import RandomizedSearchCV
    from sklearn.tree import DecisionTreeClassifier

    return RandomizedSearchCV(DecisionTreeClassifier(), {"ccp_alpha": loguniform(1e-5, 1e-1)}, n_iter=12,
                              scoring="f1", cv=_tss(), random_state=seed).fit(X, y)


def _tune_by_a_list_of_scorers(X, y, seed):
    """Several scorers, refit on F1: best_score_ is then the F1 (a valid setup)."""
    from scipy.stats import loguniform
    from sklearn.model_selection import RandomizedSearchCV
    from sklearn.tree import DecisionTreeClassifier

    return RandomizedSearchCV(DecisionTreeClassifier(random_state=seed), {"ccp_alpha": loguniform(1e-5, 1e-1)},
                              n_iter=12, scoring=["f1", "recall"], refit="f1", cv=_tss(),
                              random_state=seed).fit(X, y)


def _tune_a_log_grid(X, y, seed):
    return _search("grid", {"ccp_alpha": np.logspace(-5, -1, 9)}, _tss(), seed=seed).fit(X, y)


def _tune_with_reciprocal_and_listed_folds(X, y, seed):
    from scipy.stats import reciprocal
    from sklearn.metrics import f1_score, make_scorer

    folds = list(_tss().split(X))
    return _search("random", {"ccp_alpha": reciprocal(1e-5, 1e-1)}, folds, scoring=make_scorer(f1_score),
                   seed=seed, n_iter=15).fit(X, y)


def _tune_in_a_pipeline_with_a_gap(X, y, seed):
    from scipy.stats import loguniform
    from sklearn.model_selection import RandomizedSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.tree import DecisionTreeClassifier

    pipe = make_pipeline(DecisionTreeClassifier(random_state=seed))
    return RandomizedSearchCV(pipe, {"decisiontreeclassifier__ccp_alpha": loguniform(1e-5, 1e-1)}, n_iter=12,
                              scoring="f1", cv=_tss(5, gap=24), random_state=seed).fit(X, y)


def _tune_with_other_draws(X, y, seed):
    """Ten log-uniform draws with a seed of the student's own: still a correct search."""
    return _search("random", _log_alpha(), _tss(), seed=0, n_iter=10).fit(X, y)


def _alpha_key(params: dict) -> str | None:
    return next((k for k in params if k == "ccp_alpha" or k.endswith("__ccp_alpha")), None)


class TimeOrderedSearch(Exercise):
    title = "Tune a tree's pruning on time-ordered folds"
    hints = (
        "Three choices make this search right: what is searched (ccp_alpha, drawn so that every "
        "order of magnitude gets tried: scipy.stats.loguniform), how it is validated (folds that "
        "always validate on later hours: TimeSeriesSplit) and what 'best' means (scoring='f1').",
        "The shape: one search object built from the tree, a dict {name: distribution}, n_iter, scoring, cv "
        "and random_state; then .fit(X, y), and return the fitted search itself (it carries best_params_ "
        "and best_score_).",
    )
    solution = """```python
def tune_pruning(X, y, seed):
    from scipy.stats import loguniform
    from sklearn.model_selection import RandomizedSearchCV, TimeSeriesSplit
    search = RandomizedSearchCV(
        DecisionTreeClassifier(random_state=seed),
        {"ccp_alpha": loguniform(1e-5, 1e-1)},     # even over the orders of magnitude
        n_iter=12, scoring="f1",                      # F1 of the failure class, not accuracy
        cv=TimeSeriesSplit(n_splits=4),               # validate on later hours only
        random_state=seed)
    return search.fit(X, y)
```
Pruning strength acts by orders of magnitude: `uniform(1e-5, 1e-1)` would put nine in ten
draws above 0.01, among the strongest prunings, while on the lesson's hours the best value
lies more than an order of magnitude lower. `TimeSeriesSplit` trains each
fold on the hours before its validation block, as the model will be used. A `GridSearchCV`
over `np.logspace(-5, -1, 9)` is just as right."""
    wrong_answer = staticmethod(_tune_with_uniform_draws)
    wrong_answers = (_tune_on_shuffled_folds, _tune_on_default_folds, _tune_on_unshuffled_kfold, _tune_by_accuracy,
                     _tune_by_macro_f1, _tune_a_narrow_grid, _tune_a_narrow_log_uniform, _tune_a_linear_grid, _tune_the_depth_instead,
                     _tune_on_shuffled_rows, _tune_with_two_draws, _tune_an_unseeded_tree)
    right_answers = (_tune_a_log_grid, _tune_with_reciprocal_and_listed_folds, _tune_in_a_pipeline_with_a_gap,
                     _tune_with_other_draws, _tune_by_a_list_of_scorers)
    time_limit = 30.0
    #: The student's own search runs inside the check (48 small tree fits, about 0.3 s).
    check_budget = 3.0

    def evaluate(self, fn) -> None:
        from sklearn.base import clone
        from sklearn.metrics import f1_score
        from sklearn.model_selection import check_cv

        expect_callable(fn, "tune_pruning")
        X, y = _machine_window()
        seed = 11
        search = fn(X.copy(), y.copy(), seed)
        if not all(hasattr(search, a) for a in ("best_params_", "best_score_", "cv_results_", "estimator", "cv")):
            raise Incorrect("tune_pruning should return the fitted GridSearchCV or RandomizedSearchCV "
                            "(call .fit(X, y) and return the search itself).")
        key = _alpha_key(search.best_params_)
        if key is None:
            raise Incorrect(f"The search tuned {sorted(search.best_params_)}, not the tree's ccp_alpha.")
        space = getattr(search, "param_distributions", None)
        dist = space.get(key) if isinstance(space, dict) else None
        name = getattr(getattr(dist, "dist", None), "name", "")
        if len(search.cv_results_["params"]) < 5:
            raise Incorrect(f"The search tried only {len(search.cv_results_['params'])} setting(s) of ccp_alpha: "
                            "with so few, whole orders of magnitude go untried. Draw about a dozen (n_iter).")
        if name == "uniform":
            raise Incorrect("ccp_alpha is drawn from a uniform distribution: almost every draw lands in the top "
                            "order of magnitude, so small values are never tried. Draw it log-uniformly.")
        if name in ("loguniform", "reciprocal"):
            low, high = dist.support()
            if not (low > 0 and high / low >= 10 ** 2.5):
                raise Incorrect("Your log-uniform distribution covers less than three orders of magnitude: "
                                "draw ccp_alpha from 1e-5 to 1e-1.")
        else:   # a grid or a list of values: judge the values tried
            tried = np.array([float(v) for v in search.cv_results_[f"param_{key}"]], dtype=float)
            positive = tried[tried > 0]
            if len(positive) < 5 or positive.max() / positive.min() < 10 ** 2.5:
                raise Incorrect(f"The search tried {len(tried)} value(s) of ccp_alpha that cover less than three "
                                "orders of magnitude: spread them from 1e-5 to 1e-1 (log-uniform draws or a "
                                "log-spaced grid, at least 5 values).")
            if np.mean(positive < math.sqrt(positive.min() * positive.max())) < 0.25:
                raise Incorrect("Most values of ccp_alpha you tried sit in the top order of magnitude of their range: "
                                "spread them evenly on a log scale (log-uniform draws or np.logspace), not a linear one.")
        splits = list(check_cv(search.cv, y, classifier=True).split(X, y))
        if len(splits) < 3:
            raise Incorrect("The check cannot see at least 3 folds in the search's cv: pass a splitter such as "
                            "TimeSeriesSplit(n_splits=4) (or a list of its splits), not a used-up generator.")
        for train, test in splits:
            if np.max(train) >= np.min(test):
                raise Incorrect("A fold trains on hours that come after the hours it validates on: on data in time "
                                "order, validate on later rows only (TimeSeriesSplit).")
        if search.scoring is None:
            raise Incorrect("No scoring given: the search ranked the settings by accuracy, which a model that never "
                            "predicts a failure already gets right 96 % of the time. Score by F1.")
        seeds = [v for k, v in search.estimator.get_params().items() if k == "random_state" or k.endswith("__random_state")]
        if not seeds or any(v is None for v in seeds):
            raise Incorrect("The tree has no random_state: its splits between equally good features change from fit "
                            "to fit, so the search cannot be repeated. Build it with random_state=seed.")
        best = clone(search.estimator).set_params(**search.best_params_)
        f1 = np.mean([f1_score(y.iloc[test], clone(best).fit(X.iloc[train], y.iloc[train]).predict(X.iloc[test]),
                               zero_division=0) for train, test in splits])
        if not math.isclose(float(search.best_score_), float(f1), abs_tol=1e-6):
            raise Incorrect("best_score_ is not the mean F1 of the failure class over the search's time-ordered "
                            "folds: check scoring= (F1 of the positive class) and that the search was fitted on "
                            "X and y as given, in time order.")


# -- exercise 6: a CV-RMSE comparison on diamonds --------------------------------------------
@lru_cache(maxsize=1)
def _stones():
    """800 diamonds (numeric columns only), drawn with a seed of the check's own."""
    from .. import load_dataset

    stones = load_dataset("diamonds").sample(800, random_state=123)
    return stones[["carat", "depth", "table", "x", "y", "z"]].reset_index(drop=True), stones["price"].reset_index(drop=True)


def _regressors(case: int) -> dict:
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.linear_model import LinearRegression
    from sklearn.tree import DecisionTreeRegressor

    if case == 0:
        return {"linear": LinearRegression(), "tree": DecisionTreeRegressor(max_depth=4, random_state=0)}
    return {"shallow tree": DecisionTreeRegressor(max_depth=2, random_state=0),
            "log-price linear": TransformedTargetRegressor(LinearRegression(), func=np.log, inverse_func=np.exp),
            "linear": LinearRegression()}


def _fold_scores(models, X, y, cv, scoring):
    from sklearn.model_selection import cross_val_score

    return {name: cross_val_score(model, X, y, cv=cv, scoring=scoring) for name, model in models.items()}


def _table(rows: dict):
    import pandas as pd

    return pd.DataFrame(rows, index=["rmse_mean", "rmse_std"]).T.sort_values("rmse_mean")


def _rmse_table_by_loop(models, X, y, cv):
    from sklearn.base import clone
    from sklearn.metrics import root_mean_squared_error

    rows = {}
    for name, model in models.items():
        rmses = [root_mean_squared_error(y.iloc[te], clone(model).fit(X.iloc[tr], y.iloc[tr]).predict(X.iloc[te]))
                 for tr, te in cv.split(X, y)]
        rows[name] = (np.mean(rmses), np.std(rmses, ddof=1))
    return _table(rows)


def _rmse_table_pooled(models, X, y, cv):
    scores = _fold_scores(models, X, y, cv, "neg_mean_squared_error")
    return _table({name: (np.sqrt(np.mean(-s)), np.std(np.sqrt(-s))) for name, s in scores.items()})


def _rmse_table_negated(models, X, y, cv):
    scores = _fold_scores(models, X, y, cv, "neg_root_mean_squared_error")
    return _table({name: (s.mean(), s.std()) for name, s in scores.items()})


def _rmse_table_by_r2(models, X, y, cv):
    scores = _fold_scores(models, X, y, cv, None)
    return _table({name: (s.mean(), s.std()) for name, s in scores.items()})


def _rmse_table_of_mse(models, X, y, cv):
    scores = _fold_scores(models, X, y, cv, "neg_mean_squared_error")
    return _table({name: (-s.mean(), s.std()) for name, s in scores.items()})


def _rmse_table_default_folds(models, X, y, cv):
    scores = _fold_scores(models, X, y, 5, "neg_root_mean_squared_error")
    return _table({name: (-s.mean(), s.std()) for name, s in scores.items()})


def _rmse_table_on_training_rows(models, X, y, cv):
    from sklearn.base import clone
    from sklearn.metrics import root_mean_squared_error

    return _table({name: (root_mean_squared_error(y, clone(m).fit(X, y).predict(X)), 0.0) for name, m in models.items()})


def _rmse_table_of_training_folds(models, X, y, cv):
    from sklearn.model_selection import cross_validate

    rows = {}
    for name, model in models.items():
        res = cross_validate(model, X, y, cv=cv, scoring="neg_root_mean_squared_error", return_train_score=True)
        rows[name] = (-res["train_score"].mean(), res["train_score"].std())
    return _table(rows)


def _rmse_table_worst_first(models, X, y, cv):
    scores = _fold_scores(models, X, y, cv, "neg_root_mean_squared_error")
    return _table({name: (-s.mean(), s.std()) for name, s in scores.items()}).iloc[::-1]


class RegressorComparison(Exercise):
    title = "Compare regressors by cross-validated RMSE"
    hints = (
        "cross_val_score gives one score per fold for a scoring name. scikit-learn maximizes scores, "
        "so its RMSE scorer is 'neg_root_mean_squared_error': flip the sign to get errors.",
        "For each model keep the mean and the standard deviation of its fold RMSEs: one row per model, "
        "indexed by the model's name, columns rmse_mean and rmse_std, lowest mean first.",
    )
    solution = """```python
def cv_rmse_table(models, X, y, cv):
    rows = {}
    for name, model in models.items():
        rmse = -cross_val_score(model, X, y, cv=cv, scoring="neg_root_mean_squared_error")
        rows[name] = {"rmse_mean": rmse.mean(), "rmse_std": rmse.std()}
    return pd.DataFrame(rows).T.sort_values("rmse_mean")
```
Every model is scored on the same folds (the same `cv` object), so the comparison is fair;
the spread tells whether the gap between two models is larger than the fold-to-fold noise.
The pooled RMSE `sqrt(mean of the fold MSEs)` is accepted as well."""
    wrong_answer = staticmethod(_rmse_table_negated)
    wrong_answers = (_rmse_table_by_r2, _rmse_table_of_mse, _rmse_table_default_folds, _rmse_table_on_training_rows,
                     _rmse_table_of_training_folds, _rmse_table_worst_first)
    right_answers = (_rmse_table_by_loop, _rmse_table_pooled)
    time_limit = 30.0
    #: The student's cross-validation of 5 small models runs inside the check (about 0.15 s).
    check_budget = 1.0

    def evaluate(self, fn) -> None:
        import pandas as pd
        from sklearn.model_selection import KFold

        expect_callable(fn, "cv_rmse_table")
        X, y = _stones()
        for case, (n_splits, seed) in enumerate([(4, 5), (5, 9)]):
            models = _regressors(case)
            cv = KFold(n_splits, shuffle=True, random_state=seed)
            got = fn(models, X.copy(), y.copy(), cv)
            if not isinstance(got, pd.DataFrame) or not {"rmse_mean", "rmse_std"} <= set(got.columns):
                raise Incorrect("cv_rmse_table should return a DataFrame with the columns 'rmse_mean' and 'rmse_std'.")
            if sorted(map(str, got.index)) != sorted(models):
                raise Incorrect(f"The table's index should hold the model names {sorted(models)}, "
                                f"got {list(map(str, got.index))}.")
            mse = _fold_scores(models, X, y, cv, "neg_mean_squared_error")
            for name, fold_mse in mse.items():
                rmse = np.sqrt(-fold_mse)
                mean = expect_number(got.loc[name, "rmse_mean"], f"rmse_mean of {name!r}")
                spread = expect_number(got.loc[name, "rmse_std"], f"rmse_std of {name!r}")
                if mean <= 0 and math.isclose(-mean, rmse.mean(), rel_tol=1e-6):
                    raise Incorrect(f"rmse_mean of {name!r} is negative: the scorer returns negated errors, flip the sign.")
                if not any(math.isclose(mean, want, rel_tol=1e-6) for want in (rmse.mean(), np.sqrt(np.mean(-fold_mse)))):
                    raise Incorrect(f"rmse_mean of {name!r} is {mean:.4g}, which is not the mean validation RMSE over the "
                                    "folds of cv (in the price's units, dollars): check the scoring and pass cv=cv.")
                if not any(math.isclose(spread, rmse.std(ddof=d), rel_tol=1e-6) for d in (0, 1)):
                    raise Incorrect(f"rmse_std of {name!r} is {spread:.4g}, which is not the spread of the fold RMSEs.")
            if list(got["rmse_mean"]) != sorted(got["rmse_mean"]):
                raise Incorrect("Sort the table best first (smallest rmse_mean at the top).")


holdout_split = StratifiedSplit()
kfold_indices = KFoldByHand()
log_loss_by_hand = LogisticLoss()
grid_search_fits = SearchCost()
micro_prf = MicroFromClasses()
tune_pruning = TimeOrderedSearch()
cv_rmse_table = RegressorComparison()
EXERCISES = register(globals())
