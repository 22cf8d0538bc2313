"""Week 01 exercises: ML systems, problem framing and metrics."""
from __future__ import annotations

import math

import numpy as np

from ..checks import Exercise, Incorrect, expect_callable, expect_close, expect_number, register


def _labels_case(seed: int, labels: tuple, n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    """Random true and predicted labels (about 70 % agreement) drawn from ``labels``."""
    rng = np.random.default_rng(seed)
    y_true = rng.choice(labels, size=n, p=[0.3] + [0.7 / (len(labels) - 1)] * (len(labels) - 1))
    y_pred = np.where(rng.random(n) < 0.7, y_true, rng.choice(labels, size=n))
    return y_true, y_pred


def _binary_metrics(y_true, y_pred, positive) -> dict:
    t, p = np.asarray(y_true) == positive, np.asarray(y_pred) == positive
    tp, fn, fp, tn = (t & p).sum(), (t & ~p).sum(), (~t & p).sum(), (~t & ~p).sum()
    with np.errstate(divide="ignore", invalid="ignore"):  # a wrong positive label can leave a group empty
        prec, rec = tp / (tp + fp), tp / (tp + fn)
    return {"accuracy": (tp + tn) / len(t), "sensitivity": rec, "specificity": tn / (tn + fp),
            "precision": prec, "f1": 2 * prec * rec / (prec + rec)}


def _sklearn_metrics(y_true, y_pred, positive):
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return {
        "accuracy": accuracy_score(y_true, y_pred),
        "sensitivity": recall_score(y_true == positive, y_pred == positive),
        "specificity": recall_score(y_true == positive, y_pred == positive, pos_label=False),
        "precision": precision_score(y_true == positive, y_pred == positive),
        "f1": f1_score(y_true == positive, y_pred == positive),
    }


class ClassificationMetrics(Exercise):
    title = "Metrics from predicted labels"
    hints = (
        "First count the four cells of the confusion matrix yourself: compare each true label and each "
        "prediction with `positive` (NumPy's == on an array gives True/False per row).",
        "Combine the two boolean arrays with & and ~ to get TP, FN, FP and TN as sums; then every metric is a "
        "count of correct decisions divided by the group it is about (all rows, real positives, real "
        "negatives, predicted positives).",
        "The label called `positive` may be a string such as 'Disease' or the number 0: never assume it is 1.",
    )
    solution = """```python
def classification_metrics(y_true, y_pred, positive):
    actual = np.asarray(y_true) == positive
    flagged = np.asarray(y_pred) == positive
    tp, fn = np.sum(actual & flagged), np.sum(actual & ~flagged)
    fp, tn = np.sum(~actual & flagged), np.sum(~actual & ~flagged)
    precision, sensitivity = tp / (tp + fp), tp / (tp + fn)
    return {"accuracy": (tp + tn) / len(actual), "sensitivity": sensitivity,
            "specificity": tn / (tn + fp), "precision": precision,
            "f1": 2 * precision * sensitivity / (precision + sensitivity)}
```
Which class is "positive" is a decision about the problem (the disease, the fraud), not
a property of the data; scikit-learn's `recall_score(..., pos_label=...)` and friends
give the same numbers."""
    wrong_answer = staticmethod(lambda y_true, y_pred, positive: _binary_metrics(
        y_true, y_pred, [v for v in np.unique(y_true) if v != positive][0]))  # the wrong class is positive
    wrong_answers = (
        # assumes the positive label is 1 whatever `positive` says
        staticmethod(lambda y_true, y_pred, positive: _binary_metrics(y_true, y_pred, 1)),
        # specificity over the predicted negatives, precision over the real positives
        staticmethod(lambda y_true, y_pred, positive: {
            **_binary_metrics(y_true, y_pred, positive),
            "specificity": _binary_metrics(y_pred, y_true, positive)["specificity"],
            "precision": _binary_metrics(y_true, y_pred, positive)["sensitivity"]}),
        # F1 as the arithmetic mean of precision and recall
        staticmethod(lambda y_true, y_pred, positive: {
            **_binary_metrics(y_true, y_pred, positive),
            "f1": (_binary_metrics(y_true, y_pred, positive)["precision"]
                   + _binary_metrics(y_true, y_pred, positive)["sensitivity"]) / 2}),
    )
    right_answers = (staticmethod(_sklearn_metrics),)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "classification_metrics")
        cases = [(_labels_case(1, ("Disease", "Normal")), "Disease"), (_labels_case(2, (0, 1)), 0),
                 (_labels_case(3, ("fraud", "ok")), "ok"), (_labels_case(4, (1, 0)), 1)]
        for (y_true, y_pred), positive in cases:
            got = fn(y_true.copy(), y_pred.copy(), positive)
            if not isinstance(got, dict):
                raise Incorrect(f"classification_metrics should return a dict, got {type(got).__name__}.")
            missing = {"accuracy", "sensitivity", "specificity", "precision", "f1"} - set(got)
            if missing:
                raise Incorrect(f"The dict lacks the key(s) {sorted(missing)}.")
            for key, value in _binary_metrics(y_true, y_pred, positive).items():
                expect_close(expect_number(got[key], key), float(value),
                             f"With labels {sorted(set(y_true.tolist()))} and positive={positive!r}, {key}",
                             tol=1e-6, advice="Check which label counts as positive and which count goes in "
                                              "the denominator.")


def _micro(Y_true, Y_pred):
    Y_true, Y_pred = np.asarray(Y_true, dtype=bool), np.asarray(Y_pred, dtype=bool)
    tp, fp, fn = (Y_true & Y_pred).sum(), (~Y_true & Y_pred).sum(), (Y_true & ~Y_pred).sum()
    p, r = tp / (tp + fp), tp / (tp + fn)
    return p, r, 2 * p * r / (p + r)


def _per_label(Y_true, Y_pred):
    Y_true, Y_pred = np.asarray(Y_true, dtype=bool), np.asarray(Y_pred, dtype=bool)
    tp, fp, fn = (Y_true & Y_pred).sum(0), (~Y_true & Y_pred).sum(0), (Y_true & ~Y_pred).sum(0)
    p, r = tp / (tp + fp), tp / (tp + fn)
    return p, r, 2 * p * r / (p + r)


def _sklearn_micro(Y_true, Y_pred):
    from sklearn.metrics import precision_recall_fscore_support

    return tuple(precision_recall_fscore_support(Y_true, Y_pred, average="micro", zero_division=0)[:3])


class MicroAverage(Exercise):
    title = "Micro-averaged precision, recall and F1 of a multilabel tagger"
    hints = (
        "Micro-averaging pools the decisions of all labels: count TP, FP and FN over every cell of the "
        "0/1 matrices (every row and every label column) before applying the usual formulas once.",
        "Turn both matrices into booleans; TP is where both are true, FP where only the prediction is, FN "
        "where only the truth is. Sum each over the whole matrix, then precision, recall and F1 as in section 7.",
    )
    solution = """```python
def micro_scores(Y_true, Y_pred):
    t, p = np.asarray(Y_true, dtype=bool), np.asarray(Y_pred, dtype=bool)
    tp, fp, fn = np.sum(t & p), np.sum(~t & p), np.sum(t & ~p)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return precision, recall, 2 * precision * recall / (precision + recall)
```
`sklearn.metrics.precision_recall_fscore_support(Y_true, Y_pred, average="micro")`
gives the same three numbers. Averaging per-label scores instead would be the *macro*
average, which lets a rare label weigh as much as a frequent one."""
    wrong_answer = staticmethod(lambda Y_true, Y_pred: tuple(float(np.mean(v)) for v in _per_label(Y_true, Y_pred)))
    wrong_answers = (
        # precision and recall swapped
        staticmethod(lambda Y_true, Y_pred: (_micro(Y_true, Y_pred)[1], _micro(Y_true, Y_pred)[0],
                                             _micro(Y_true, Y_pred)[2])),
        # exact-match (subset) accuracy reported for all three
        staticmethod(lambda Y_true, Y_pred: (np.mean(np.all(np.asarray(Y_true) == np.asarray(Y_pred), axis=1)),) * 3),
        # counts of the first label only
        staticmethod(lambda Y_true, Y_pred: _micro(np.asarray(Y_true)[:, :1], np.asarray(Y_pred)[:, :1])),
    )
    right_answers = (staticmethod(_sklearn_micro),)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "micro_scores")
        rng = np.random.default_rng(5)
        for n, labels, rates in [(40, 3, (0.6, 0.3, 0.1)), (60, 4, (0.5, 0.5, 0.2, 0.05))]:
            Y_true = (rng.random((n, labels)) < np.array(rates)).astype(int)
            noise = rng.random((n, labels)) < 0.2
            Y_pred = np.where(noise, 1 - Y_true, Y_true)
            Y_pred[:, -1] = np.where(rng.random(n) < 0.3, 1, Y_pred[:, -1])  # a label predicted too often
            got = fn(Y_true.copy(), Y_pred.copy())
            if not isinstance(got, (tuple, list)) or len(got) != 3:
                raise Incorrect("micro_scores should return a tuple (precision, recall, f1).")
            for name, value, want in zip(("precision", "recall", "f1"), got, _micro(Y_true, Y_pred)):
                expect_close(expect_number(value, name), float(want),
                             f"For a {n} x {labels} label matrix, micro {name}", tol=1e-6,
                             advice="Pool the counts of all labels before dividing.")


class PerClassRecall(Exercise):
    title = "Per-class accuracy (recall) from a multiclass confusion matrix"
    hints = (
        "A class's per-class accuracy is its recall: of the rows that really belong to the class, the share "
        "predicted as that class. In scikit-learn's confusion matrix the rows are the actual classes.",
        "Where in the matrix are a class's hits, and where are all of its real cases? NumPy can read the "
        "diagonal of an array and sum it along one axis; the plain mean of the recalls is the balanced accuracy.",
    )
    solution = """```python
def per_class_recall(cm):
    cm = np.asarray(cm)
    recall = np.diag(cm) / cm.sum(axis=1)
    return recall, recall.mean()
```
Dividing by the column totals instead gives each class's *precision*; dividing by the
grand total gives each class's share of correct decisions in the accuracy."""
    wrong_answer = staticmethod(lambda cm: ((r := np.diag(cm) / np.asarray(cm).sum(axis=0)), r.mean()))
    wrong_answers = (
        # diagonal over the grand total
        staticmethod(lambda cm: ((r := np.diag(cm) / np.asarray(cm).sum()), r.mean())),
        # balanced accuracy replaced by the plain accuracy
        staticmethod(lambda cm: (np.diag(cm) / np.asarray(cm).sum(axis=1), np.trace(cm) / np.asarray(cm).sum())),
    )
    right_answers = (
        staticmethod(lambda cm: ([cm[i][i] / sum(cm[i]) for i in range(len(cm))],
                                 sum(cm[i][i] / sum(cm[i]) for i in range(len(cm))) / len(cm))),
        # a list [recalls, balanced accuracy] instead of a tuple
        staticmethod(lambda cm: [cm.diagonal() / cm.sum(1), np.mean(cm.diagonal() / cm.sum(1))]),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "per_class_recall")
        cases = [np.array([[50, 3, 2], [10, 20, 5], [1, 1, 8]]),
                 np.array([[9, 1], [30, 60]]),
                 np.array([[5, 0, 0, 1], [2, 7, 1, 0], [0, 0, 40, 10], [3, 3, 0, 4]])]
        for cm in cases:
            got = fn(cm.copy())
            if not isinstance(got, (tuple, list)) or len(got) != 2:
                raise Incorrect("per_class_recall should return a tuple (recall per class, balanced accuracy).")
            recall = np.asarray(got[0], dtype=float)
            want = np.diag(cm) / cm.sum(axis=1)
            if recall.shape != want.shape:
                raise Incorrect(f"For a {len(cm)}-class matrix return {len(cm)} recalls, got shape {recall.shape}.")
            if not np.allclose(recall, want, atol=1e-9):
                raise Incorrect(f"For a {len(cm)}-class matrix the per-class recalls are not right yet: rows are the "
                                "actual classes.")
            expect_close(expect_number(got[1], "balanced accuracy"), float(want.mean()),
                         f"For a {len(cm)}-class matrix the balanced accuracy", tol=1e-9,
                         advice="It weighs every class equally, whatever its size.")


def _pick_threshold(y_true, proba, thresholds, min_recall=0.9):
    y_true, proba = np.asarray(y_true), np.asarray(proba)
    ok = [t for t in thresholds if (proba[y_true == 1] >= t).mean() >= min_recall]
    return max(ok)


def _pick_threshold_sklearn(y_true, proba, thresholds, min_recall=0.9):
    from sklearn.metrics import recall_score

    best = None
    for t in sorted(thresholds):
        if recall_score(y_true, (np.asarray(proba) >= t).astype(int)) >= min_recall:
            best = t
    return best


class ScreeningThreshold(Exercise):
    title = "Choose a screening threshold on predict_proba"
    hints = (
        "A threshold t turns probabilities into decisions: flag a case when its probability is at least t. "
        "Raising t flags fewer cases, so recall can only fall and false alarms too.",
        "For every candidate threshold compute the recall of the flags (the share of real positives flagged); "
        "keep the thresholds whose recall reaches min_recall and return the largest of them.",
    )
    solution = """```python
def screening_threshold(y_true, proba, thresholds, min_recall=0.9):
    y_true, proba = np.asarray(y_true), np.asarray(proba)
    good = [t for t in thresholds if np.mean(proba[y_true == 1] >= t) >= min_recall]
    return max(good)
```
Among the thresholds that still find enough of the sick, the largest raises the fewest
false alarms: recall is the constraint, precision what is left to gain."""
    # The smallest threshold that reaches the recall: safe, but with needless false alarms.
    wrong_answer = staticmethod(lambda y_true, proba, thresholds, min_recall=0.9: min(
        t for t in thresholds if (np.asarray(proba)[np.asarray(y_true) == 1] >= t).mean() >= min_recall))
    wrong_answers = (
        # ignores min_recall and keeps 0.5
        staticmethod(lambda y_true, proba, thresholds, min_recall=0.9: 0.5),
        # the threshold with the best accuracy, whatever its recall
        staticmethod(lambda y_true, proba, thresholds, min_recall=0.9: max(
            thresholds, key=lambda t: np.mean((np.asarray(proba) >= t) == (np.asarray(y_true) == 1)))),
        # precision instead of recall as the constraint
        staticmethod(lambda y_true, proba, thresholds, min_recall=0.9: max(
            [t for t in thresholds if (np.asarray(proba) >= t).any()
             and np.mean(np.asarray(y_true)[np.asarray(proba) >= t] == 1) >= min_recall] or [min(thresholds)])),
        # recall strictly above min_recall: rejects a threshold that meets the target exactly
        staticmethod(lambda y_true, proba, thresholds, min_recall=0.9: max(
            t for t in thresholds if (np.asarray(proba)[np.asarray(y_true) == 1] >= t).mean() > min_recall)),
    )
    right_answers = (staticmethod(_pick_threshold_sklearn),)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "screening_threshold")
        rng = np.random.default_rng(6)
        n = 400
        y = (rng.random(n) < 0.15).astype(int)
        proba = np.clip(rng.beta(2, 5, n) + 0.35 * y, 0.001, 0.999)
        proba = np.round(proba, 4) + 0.00005  # never exactly on a grid threshold
        grids = [np.round(np.arange(0.05, 1.0, 0.05), 2), np.round(np.arange(0.02, 1.0, 0.02), 2)]
        exact = float((proba[y == 1] >= 0.5).mean())  # a target met exactly: "at least" includes it
        for thresholds, min_recall in [(grids[0], 0.9), (grids[0], 0.6), (grids[1], 0.8), (grids[1], 0.98),
                                       (grids[0], exact)]:
            got = fn(y.copy(), proba.copy(), list(thresholds), min_recall=min_recall)
            value = expect_number(got, "the threshold")
            if not np.any(np.isclose(value, thresholds)):
                raise Incorrect("Return one of the candidate thresholds you were given.")
            recall = float((proba[y == 1] >= value).mean())
            if recall < min_recall:
                raise Incorrect(f"With min_recall={min_recall:.4g} your threshold {value:g} finds only {recall:.0%} "
                                "of the positives.")
            if not math.isclose(value, _pick_threshold(y, proba, thresholds, min_recall)):
                raise Incorrect(f"With min_recall={min_recall:.4g} your threshold {value:g} reaches the recall, but a "
                                "higher candidate does too and raises fewer false alarms.")


def _sklearn_regression(y_true, y_pred) -> dict:
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    mse = mean_squared_error(y_true, y_pred)
    return {"mae": mean_absolute_error(y_true, y_pred), "mse": mse, "rmse": mse ** 0.5,
            "r2": r2_score(y_true, y_pred)}


class RegressionMetrics(Exercise):
    title = "Regression metrics by hand"
    hints = (
        "Start from the residuals y_true - y_pred. MAE averages their absolute values, MSE their squares.",
        "RMSE is the square root of MSE. R^2 is 1 - SS_res / SS_tot, where SS_tot sums the squared "
        "distances of y_true from its own mean.",
    )
    solution = """```python
def regression_metrics(y_true, y_pred):
    residuals = np.asarray(y_true) - np.asarray(y_pred)
    mse = np.mean(residuals ** 2)
    ss_tot = np.sum((y_true - np.mean(y_true)) ** 2)
    return {"mae": np.mean(np.abs(residuals)), "mse": mse, "rmse": np.sqrt(mse),
            "r2": 1 - np.sum(residuals ** 2) / ss_tot}
```
RMSE is in the units of the target, which makes it easier to explain than MSE; R^2
compares the model with always predicting the mean."""
    wrong_answer = staticmethod(lambda y, p: {"mae": float(np.mean(y - p)), "mse": float(np.mean((y - p) ** 2)),
                                              "rmse": float(np.mean((y - p) ** 2)), "r2": 0.0})
    wrong_answers = (
        # R^2 with SS_tot taken around the mean of the predictions
        staticmethod(lambda y, p: {"mae": np.mean(np.abs(y - p)), "mse": np.mean((y - p) ** 2),
                                   "rmse": np.sqrt(np.mean((y - p) ** 2)),
                                   "r2": 1 - np.sum((y - p) ** 2) / np.sum((p - np.mean(p)) ** 2)}),
        # RMSE as the mean of the absolute errors' square roots
        staticmethod(lambda y, p: {"mae": np.mean(np.abs(y - p)), "mse": np.mean((y - p) ** 2),
                                   "rmse": np.mean(np.sqrt(np.abs(y - p))),
                                   "r2": 1 - np.sum((y - p) ** 2) / np.sum((y - np.mean(y)) ** 2)}),
    )
    right_answers = (staticmethod(_sklearn_regression),)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "regression_metrics")
        rng = np.random.default_rng(1)
        y_true = rng.normal(100, 20, 40)
        y_pred = y_true + rng.normal(3, 10, 40)
        got = fn(y_true, y_pred)
        if not isinstance(got, dict) or not {"mae", "mse", "rmse", "r2"} <= set(got):
            raise Incorrect("regression_metrics should return a dict with keys 'mae', 'mse', 'rmse' and 'r2'.")
        residuals = y_true - y_pred
        mse = np.mean(residuals**2)
        want = {
            "mae": np.mean(np.abs(residuals)), "mse": mse, "rmse": np.sqrt(mse),
            "r2": 1 - np.sum(residuals**2) / np.sum((y_true - y_true.mean()) ** 2),
        }
        for key, value in want.items():
            expect_close(expect_number(got[key], key), value, key, tol=1e-6)


#: The problems of the framing exercise; the lesson cell prints the same list.
PROBLEMS = (
    "estimate how many minutes a food delivery will take",
    "estimate the probability that a subscriber cancels next month",
    "route a support e-mail to one of eight teams",
    "mark every finding (fracture, nodule, effusion) visible on a chest X-ray",
    "sort a museum specimen into order, then family, then genus",
    "decide whether a machine needs maintenance this week",
)
_TASK_KEY = ("regression", "binary", "multiclass", "multilabel", "hierarchical", "binary")
_TASK_WORDS = ("regression", "binary", "multiclass", "multilabel", "hierarchical")


def _task_word(value) -> str:
    """'Binary classification', 'multi-class', 'Multi_Label' -> the bare task word."""
    word = str(value).strip().lower().replace("classification", "")
    return "".join(ch for ch in word if ch.isalpha())


class TaskTypes(Exercise):
    title = "Frame new problems: name the task type"
    hints = (
        "For each problem ask what ONE label looks like: a number, one of two classes, one of several "
        "classes, any subset of labels, or a path down a tree of labels.",
        "A predicted probability does not make a task a regression: look at what is being predicted. "
        "Return a dict whose keys are the strings of `problems` and whose values are task words.",
    )
    solution = "```python\nreturn {\n" + "\n".join(
        f"    {k!r}: {v!r}," for k, v in zip(PROBLEMS, _TASK_KEY)) + """
}
```
The delivery time is a number (regression). The cancellation probability is the output
of a binary classifier: the label is "cancels" or "stays". One team out of eight is
multiclass; several findings at once are multilabel; order, family, genus form a tree
(hierarchical); maintenance yes or no is binary."""
    wrong_answer = staticmethod(lambda problems: {k: "binary" for k in problems})
    wrong_answers = (
        # probability read as a regression target
        staticmethod(lambda problems: dict(zip(problems, ("regression", "regression", "multiclass", "multilabel",
                                                          "hierarchical", "binary")))),
        # multiclass and multilabel confused
        staticmethod(lambda problems: dict(zip(problems, ("regression", "binary", "multilabel", "multiclass",
                                                          "hierarchical", "binary")))),
        # the tree flattened into one class out of many
        staticmethod(lambda problems: dict(zip(problems, ("regression", "binary", "multiclass", "multilabel",
                                                          "multiclass", "binary")))),
        # one problem left out
        staticmethod(lambda problems: dict(zip(problems[:-1], _TASK_KEY))),
    )
    right_answers = (
        # the same key in other words and letter cases
        staticmethod(lambda problems: dict(zip(problems, ("Regression", "binary classification", "multi-class",
                                                          "Multi_Label", "hierarchical classification",
                                                          "Binary")))),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "task_types")
        got = fn(list(PROBLEMS))
        if not isinstance(got, dict):
            raise Incorrect(f"task_types(problems) should return a dict, got {type(got).__name__}.")
        missing = [k for k in PROBLEMS if k not in got]
        if missing:
            raise Incorrect(f"{len(missing)} problem(s) have no task type, for example {missing[0]!r}: use the "
                            "strings of `problems` as keys.")
        unknown = [k for k in PROBLEMS if _task_word(got[k]) not in _TASK_WORDS]
        if unknown:
            raise Incorrect(f"For {unknown[0]!r} you wrote {got[unknown[0]]!r}: use one of {list(_TASK_WORDS)}.")
        wrong = [k for k, v in zip(PROBLEMS, _TASK_KEY) if _task_word(got[k]) != v]
        if wrong:
            raise Incorrect(f"{len(wrong)} of {len(PROBLEMS)} are not right yet, for example {wrong[0]!r}.")


def _iforest_most_unusual(X, n):
    from sklearn.ensemble import IsolationForest

    scores = IsolationForest(n_estimators=100, random_state=0).fit(X).score_samples(X)
    return np.argsort(scores)[:n]


class MostUnusual(Exercise):
    title = "Anomaly detection without labels: the n most unusual rows"
    hints = (
        "fit_predict needs a contamination share; to rank rows instead, an IsolationForest also gives every row an "
        "anomaly score after fit (look at score_samples and decision_function: lower means more unusual).",
        "Sort the rows by that score (np.argsort sorts ascending) and keep the positions of the first n. Any "
        "sensible score is accepted, as long as it finds the rows that really are unlike the rest.",
    )
    solution = """```python
def most_unusual(X, n):
    forest = IsolationForest(random_state=0).fit(X)
    return np.argsort(forest.score_samples(X))[:n]
```
A ranking lets a team review a fixed number of cases a day (say the 20 most unusual
machine-hours) instead of choosing a contamination share in advance. No label is
used: this is unsupervised learning."""
    # the n most *central* rows: the ranking turned the wrong way round
    wrong_answer = staticmethod(lambda X, n: np.argsort(np.linalg.norm(np.asarray(X) - np.asarray(X).mean(0), axis=1))[:n])
    wrong_answers = (
        # highest isolation scores: the most normal rows
        staticmethod(lambda X, n: _iforest_most_unusual(X, len(X))[::-1][:n]),
        # ignores n: a fixed 10 rows
        staticmethod(lambda X, n: _iforest_most_unusual(X, 10)),
        # a boolean mask instead of positions
        staticmethod(lambda X, n: np.isin(np.arange(len(X)), _iforest_most_unusual(X, n))),
    )
    right_answers = (
        staticmethod(_iforest_most_unusual),
        # a plain distance from the centre also finds far-out rows
        staticmethod(lambda X, n: np.argsort(-np.linalg.norm(np.asarray(X) - np.median(X, axis=0), axis=1))[:n]),
        staticmethod(lambda X, n: list(__import__("sklearn.ensemble", fromlist=["IsolationForest"]).IsolationForest(
            random_state=1).fit(X).decision_function(X).argsort()[:n])),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "most_unusual")
        rng = np.random.default_rng(7)
        normal = rng.normal(0, 1, size=(232, 2))
        far = rng.uniform(6, 9, size=(8, 2)) * rng.choice([-1, 1], size=(8, 2))
        order = rng.permutation(240)
        X = np.vstack([normal, far])[order]
        planted = set(np.flatnonzero(order >= 232).tolist())
        for n in (5, 8):
            got = np.asarray(fn(X.copy(), n))
            if got.dtype == bool:
                raise Incorrect("Return the positions of the rows (integers, e.g. from np.argsort), not a mask.")
            if got.shape != (n,) or not np.issubdtype(got.dtype, np.integer):
                raise Incorrect(f"With n={n} return {n} row positions (integers); got {got.shape[0] if got.ndim else 1} "
                                f"values of dtype {got.dtype}.")
            if len(set(got.tolist())) != n:
                raise Incorrect(f"With n={n} some positions appear twice.")
            caught = len(set(got.tolist()) & planted)
            if caught < n:
                raise Incorrect(f"With n={n}, only {caught} of your {n} rows are among the 8 rows planted far from "
                                "the rest: is your ranking the right way round?")


classification_metrics = ClassificationMetrics()
screening_threshold = ScreeningThreshold()
per_class_recall = PerClassRecall()
micro_scores = MicroAverage()
regression_metrics = RegressionMetrics()
task_types = TaskTypes()
most_unusual = MostUnusual()
EXERCISES = register(globals())
