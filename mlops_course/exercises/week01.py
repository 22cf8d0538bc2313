"""Week 01 exercises: ML systems, problem framing and metrics."""
from __future__ import annotations

import numpy as np

from ..checks import Exercise, Incorrect, expect_callable, expect_close, expect_number, register

# (tp, fn, fp, tn) cases the metric checks run on: the lesson's screening case and others.
_CASES = [(270, 280, 2000, 12000), (50, 5, 10, 935), (8, 2, 1, 89)]


class ClassificationMetrics(Exercise):
    title = "Metrics from a confusion matrix"
    hints = (
        "Return a dict with the keys 'accuracy', 'sensitivity', 'specificity', 'precision' and 'f1'.",
        "Sensitivity (recall) divides TP by all real positives, TP + FN. Specificity divides TN "
        "by all real negatives, TN + FP. Precision divides TP by all predicted positives, TP + FP.",
        "F1 is the harmonic mean of precision and recall: 2 * p * r / (p + r).",
    )
    solution = """```python
def classification_metrics(tp, fn, fp, tn):
    precision = tp / (tp + fp)
    sensitivity = tp / (tp + fn)
    return {
        "accuracy": (tp + tn) / (tp + fn + fp + tn),
        "sensitivity": sensitivity,
        "specificity": tn / (tn + fp),
        "precision": precision,
        "f1": 2 * precision * sensitivity / (precision + sensitivity),
    }
```
Each metric divides a count of correct decisions by the group it is about: all cases
(accuracy), the real positives (sensitivity), the real negatives (specificity) or the
predicted positives (precision)."""
    wrong_answer = staticmethod(lambda tp, fn, fp, tn: {
        "accuracy": (tp + tn) / (tp + fn + fp + tn), "sensitivity": tp / (tp + fp),
        "specificity": tn / (tn + fn), "precision": tp / (tp + fn), "f1": 0.5,
    })

    def evaluate(self, fn) -> None:
        expect_callable(fn, "classification_metrics")
        for tp, fn_, fp, tn in _CASES:
            got = fn(tp, fn_, fp, tn)
            if not isinstance(got, dict):
                raise Incorrect(f"classification_metrics should return a dict, got {type(got).__name__}.")
            missing = {"accuracy", "sensitivity", "specificity", "precision", "f1"} - set(got)
            if missing:
                raise Incorrect(f"The dict lacks the key(s) {sorted(missing)}.")
            p, r = tp / (tp + fp), tp / (tp + fn_)
            want = {
                "accuracy": (tp + tn) / (tp + fn_ + fp + tn), "sensitivity": r,
                "specificity": tn / (tn + fp), "precision": p, "f1": 2 * p * r / (p + r),
            }
            for key, value in want.items():
                expect_close(expect_number(got[key], key), value, f"For TP={tp}, FN={fn_}, FP={fp}, TN={tn}, {key}",
                             tol=1e-6, advice="Check which count goes in the denominator.")


class MicroAverage(Exercise):
    title = "Micro-averaged precision, recall and F1"
    hints = (
        "Micro-averaging adds up TP, FP and FN over all classes first, then applies the usual formulas.",
        "Your function receives the summed counts, so precision = tp / (tp + fp) and recall = tp / (tp + fn).",
    )
    solution = """```python
def micro_scores(tp, fp, fn):
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    return precision, recall, 2 * precision * recall / (precision + recall)
```
With TP=50, FP=10, FN=5 this gives 0.833, 0.909 and 0.870. Summing counts first means
large classes weigh more, unlike the macro average of per-class scores."""
    wrong_answer = staticmethod(lambda tp, fp, fn: (tp / (tp + fn), tp / (tp + fp), (tp / (tp + fn) + tp / (tp + fp)) / 2))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "micro_scores")
        for tp, fp, fn_ in [(50, 10, 5), (10, 30, 2), (7, 1, 13)]:
            got = fn(tp, fp, fn_)
            if not isinstance(got, tuple) or len(got) != 3:
                raise Incorrect("micro_scores should return a tuple (precision, recall, f1).")
            p, r = tp / (tp + fp), tp / (tp + fn_)
            for name, value, want in zip(("precision", "recall", "f1"), got, (p, r, 2 * p * r / (p + r))):
                expect_close(expect_number(value, name), want, f"For TP={tp}, FP={fp}, FN={fn_}, {name}", tol=1e-6)


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


class TaskTypes(Exercise):
    title = "Name the task type"
    _answers = {
        "predict the sale price of a house": "regression",
        "decide whether a card payment is fraud": "binary",
        "recognise which digit 0-9 is in an image": "multiclass",
        "tag a film with all genres that apply": "multilabel",
        "file a product under department, then aisle, then shelf": "hierarchical",
    }
    hints = (
        "Use only the words 'regression', 'binary', 'multiclass', 'multilabel' and 'hierarchical'.",
        "Several labels at once is multilabel; labels that form a tree (a category inside a "
        "category) are hierarchical; one label out of more than two is multiclass.",
    )
    solution = "```python\n" + "\n".join(f"{k!r}: {v!r}," for k, v in _answers.items()) + "\n```"
    wrong_answer = staticmethod(lambda: {k: "binary" for k in TaskTypes._answers})

    def evaluate(self, fn) -> None:
        expect_callable(fn, "task_types")
        got = fn()
        if not isinstance(got, dict):
            raise Incorrect(f"task_types() should return a dict, got {type(got).__name__}.")
        missing = set(self._answers) - set(got)
        if missing:
            raise Incorrect(f"Give a task type for every description; {len(missing)} missing.")
        wrong = [k for k, v in self._answers.items() if str(got[k]).strip().lower() != v]
        if wrong:
            raise Incorrect(f"{len(wrong)} of {len(self._answers)} are not right yet, for example {wrong[0]!r}.")


class FlagAnomalies(Exercise):
    title = "Anomaly detection without labels"
    hints = (
        "sklearn.ensemble.IsolationForest(contamination=..., random_state=0).fit_predict(X) "
        "returns -1 for anomalies and 1 for normal points.",
        "Return a boolean NumPy array: (labels == -1).",
    )
    solution = """```python
def flag_anomalies(X, contamination=0.02):
    from sklearn.ensemble import IsolationForest
    labels = IsolationForest(contamination=contamination, random_state=0).fit_predict(X)
    return labels == -1
```
Isolation forests split the data at random; points that are isolated after few splits
are unusual. No label is needed, which is why this is unsupervised learning."""
    wrong_answer = staticmethod(lambda X, contamination=0.02: np.zeros(len(X), dtype=bool))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "flag_anomalies")
        rng = np.random.default_rng(7)
        normal = rng.normal(0, 1, size=(290, 2))
        outliers = rng.uniform(6, 9, size=(10, 2)) * rng.choice([-1, 1], size=(10, 2))
        X = np.vstack([normal, outliers])
        flags = np.asarray(fn(X, contamination=10 / 300))
        if flags.shape != (300,) or flags.dtype != bool:
            raise Incorrect(f"Return one boolean per row (shape (300,), dtype bool); got shape {flags.shape}, dtype {flags.dtype}.")
        caught = int(flags[-10:].sum())
        if caught < 9:
            raise Incorrect(f"Only {caught} of 10 planted outliers were flagged.")
        if int(flags.sum()) > 20:
            raise Incorrect(f"{int(flags.sum())} points flagged: far more than the contamination share asks for.")


classification_metrics = ClassificationMetrics()
micro_scores = MicroAverage()
regression_metrics = RegressionMetrics()
task_types = TaskTypes()
flag_anomalies = FlagAnomalies()
EXERCISES = register(globals())
