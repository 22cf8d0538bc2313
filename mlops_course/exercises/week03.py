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


def _pr_curve(y, scores):
    from sklearn.metrics import precision_recall_curve
    return precision_recall_curve(y, scores)


class BestF1Threshold(Exercise):
    title = "The threshold with the best F1"
    hints = (
        "sklearn.metrics.precision_recall_curve(y_true, scores) returns precision, recall and thresholds. "
        "The precision and recall arrays are one longer than thresholds: drop their last entry.",
        "Shape: one F1 value per threshold from the precision and recall arrays (mind a zero denominator), "
        "then the threshold at the position of the largest F1, returned as a float.",
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
    wrong_answers = (
        # precision/recall and thresholds misaligned: the first entry dropped instead of the last
        staticmethod(lambda y_true, scores: (lambda p, r, t: float(t[np.argmax(
            2 * p[1:] * r[1:] / np.maximum(p[1:] + r[1:], 1e-12))]))(*_pr_curve(y_true, scores))),
        # Youden's J on the ROC curve: another criterion than F1
        staticmethod(lambda y_true, scores: (lambda fpr, tpr, t: float(t[np.argmax(tpr - fpr)]))(
            *__import__("sklearn.metrics", fromlist=["roc_curve"]).roc_curve(y_true, scores))),
    )
    right_answers = (
        # a plain loop over every distinct score with sklearn's f1_score
        staticmethod(lambda y_true, scores: float(max(np.unique(scores), key=lambda t: _f1_at(y_true, scores, t)))),
    )

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


def _cost_at(y, scores, threshold, cost_fp, cost_fn) -> float:
    """Mean cost per case of the predictions scores >= threshold."""
    pred = scores >= threshold
    return float((cost_fp * np.sum(pred & (y == 0)) + cost_fn * np.sum(~pred & (y == 1))) / len(y))


def _min_cost_threshold(y, scores, cost_fp, cost_fn) -> float:
    candidates = np.append(np.unique(scores), np.inf)
    costs = [_cost_at(y, scores, t, cost_fp, cost_fn) for t in candidates]
    return float(candidates[int(np.argmin(costs))])


def _cost_answer(pick):
    """An answer that picks its threshold with ``pick`` and reports the mean test cost there."""
    def answer(y_val, scores_val, y_test, scores_test, cost_fp, cost_fn):
        t = pick(y_val, scores_val, y_test, scores_test, cost_fp, cost_fn)
        return t, _cost_at(np.asarray(y_test), np.asarray(scores_test), t, cost_fp, cost_fn)
    return answer


def _cost_cases():
    rng = np.random.default_rng(21)
    cases = []
    # the last case: weak scores and dear false alarms, so never alarming is the cheapest policy
    for n, rate, shift, cost_fp, cost_fn in [(400, 0.08, 2.0, 1.0, 20.0), (400, 0.3, 1.2, 5.0, 1.0),
                                             (300, 0.05, 2.5, 2.0, 60.0), (300, 0.04, 0.3, 10.0, 1.0)]:
        split = []
        for _ in range(2):  # a validation and a test split from the same process
            y = (rng.random(n) < rate).astype(int)
            y[:2] = 1
            split += [y, 1 / (1 + np.exp(-(rng.normal(-1.5, 1, n) + shift * y)))]
        cases.append((*split, cost_fp, cost_fn))
    return cases


def _vectorised_cost_threshold(y_val, scores_val, y_test, scores_test, cost_fp, cost_fn):
    # Sort by score: predicting positive from position i on flags every case at or above it.
    order = np.argsort(-scores_val, kind="stable")
    s, yv = scores_val[order], y_val[order]
    fp = np.cumsum(yv == 0)
    fn = yv.sum() - np.cumsum(yv == 1)
    last = np.r_[s[1:] != s[:-1], True]          # only thresholds between distinct scores
    cost = np.r_[cost_fn * yv.sum(), (cost_fp * fp + cost_fn * fn)[last]]
    thresholds = np.r_[np.inf, s[last]]
    t = float(thresholds[np.argmin(cost)])
    return t, _cost_at(y_test, scores_test, t, cost_fp, cost_fn)


class CostThreshold(Exercise):
    title = "A threshold chosen by expected cost on a validation split"
    hints = (
        "A cost matrix prices each kind of error: every false positive costs cost_fp, every false negative "
        "cost_fn. The mean cost per case at a threshold is (cost_fp * FP + cost_fn * FN) / number of cases. "
        "The validation split chooses, the test split only reports.",
        "Shape: loop over candidate thresholds (every distinct validation score, plus one above them all "
        "for 'never alarm'), compute the validation cost of each, keep the cheapest; then compute the mean "
        "cost per case on the test split at that one threshold and return both.",
    )
    solution = """```python
def cost_threshold(y_val, scores_val, y_test, scores_test, cost_fp, cost_fn):
    def mean_cost(y, scores, t):
        pred = scores >= t
        fp, fn = np.sum(pred & (y == 0)), np.sum(~pred & (y == 1))
        return (cost_fp * fp + cost_fn * fn) / len(y)

    candidates = np.append(np.unique(scores_val), np.inf)
    best = min(candidates, key=lambda t: mean_cost(y_val, scores_val, t))
    return float(best), float(mean_cost(y_test, scores_test, best))
```
The threshold is a parameter learned from data, so it must be learned on data the final
report does not use: choosing it on the test set makes the reported cost optimistic.
When a missed failure costs 20 times a false alarm, the cheapest threshold sits far below
0.5; when false alarms are the expensive error it moves above it."""
    wrong_answer = staticmethod(_cost_answer(lambda yv, sv, yt, st, cfp, cfn: 0.5))
    wrong_answers = (
        # chosen on the test split: its reported cost is optimistic
        staticmethod(_cost_answer(lambda yv, sv, yt, st, cfp, cfn: _min_cost_threshold(yt, st, cfp, cfn))),
        # the two costs swapped
        staticmethod(_cost_answer(lambda yv, sv, yt, st, cfp, cfn: _min_cost_threshold(yv, sv, cfn, cfp))),
        # the F1-best threshold: ignores the costs
        staticmethod(_cost_answer(lambda yv, sv, yt, st, cfp, cfn: max(np.unique(sv), key=lambda t: _f1_at(yv, sv, t)))),
        # right threshold, but the total test cost instead of the mean per case
        staticmethod(lambda yv, sv, yt, st, cfp, cfn: (
            _min_cost_threshold(yv, sv, cfp, cfn), len(yt) * _cost_at(yt, st, _min_cost_threshold(yv, sv, cfp, cfn), cfp, cfn))),
        # candidates are the validation scores only: "never alarm" is missing
        staticmethod(_cost_answer(lambda yv, sv, yt, st, cfp, cfn: min(
            np.unique(sv), key=lambda t: _cost_at(yv, sv, t, cfp, cfn)))),
        # the textbook threshold cost_fp / (cost_fp + cost_fn): right for calibrated scores only, not chosen on data
        staticmethod(_cost_answer(lambda yv, sv, yt, st, cfp, cfn: cfp / (cfp + cfn))),
        # right threshold, but the reported cost is the validation cost
        staticmethod(lambda yv, sv, yt, st, cfp, cfn: (
            _min_cost_threshold(yv, sv, cfp, cfn), _cost_at(yv, sv, _min_cost_threshold(yv, sv, cfp, cfn), cfp, cfn))),
    )
    right_answers = (
        staticmethod(_vectorised_cost_threshold),
        # roc_curve's thresholds: every distinct score plus one above them all
        staticmethod(_cost_answer(lambda yv, sv, yt, st, cfp, cfn: min(
            __import__("sklearn.metrics", fromlist=["roc_curve"]).roc_curve(yv, sv, drop_intermediate=False)[2],
            key=lambda t: _cost_at(yv, sv, t, cfp, cfn)))),
        # any threshold strictly between the same two neighbouring scores gives the same predictions
        staticmethod(_cost_answer(lambda yv, sv, yt, st, cfp, cfn: (
            lambda t: t if np.isinf(t) else float(np.nextafter(np.max(sv[sv < t], initial=-1.0), t)))(
                _min_cost_threshold(yv, sv, cfp, cfn)))),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "cost_threshold")
        for y_val, s_val, y_test, s_test, cost_fp, cost_fn in _cost_cases():
            got = fn(y_val.copy(), s_val.copy(), y_test.copy(), s_test.copy(), cost_fp, cost_fn)
            if not isinstance(got, tuple) or len(got) != 2:
                raise Incorrect("cost_threshold should return a tuple (threshold, mean test cost per case).")
            threshold = expect_number(got[0], "The threshold")
            reported = expect_number(got[1], "The test cost")
            where = f"With cost_fp={cost_fp:g}, cost_fn={cost_fn:g} and {y_val.sum()} positives in {len(y_val)} validation cases,"
            best = _cost_at(y_val, s_val, _min_cost_threshold(y_val, s_val, cost_fp, cost_fn), cost_fp, cost_fn)
            if _cost_at(y_val, s_val, threshold, cost_fp, cost_fn) > best + 1e-9:
                raise Incorrect(f"{where} another threshold gives a lower mean cost on the validation split. "
                                "Choose on validation only, over all candidate thresholds, with the costs the "
                                "right way round.")
            expect_close(reported, _cost_at(y_test, s_test, threshold, cost_fp, cost_fn),
                         f"{where} the test cost you report", tol=1e-9,
                         advice="Report the mean cost per case on the test split at your chosen threshold.")


def _leak_frame(seed: int, leak: bool):
    import pandas as pd

    rng = np.random.default_rng(seed)
    n = 200
    X = rng.normal(size=(n, 3))
    y = (rng.random(n) < 1 / (1 + np.exp(-(-1.8 + 1.2 * X[:, 0] + 0.6 * X[:, 1])))).astype(int)
    if leak:   # written down after the outcome, like failure_cause
        note = np.where(y == 1, rng.choice(["belt", "motor", "sensor"], n), "none")
    else:      # known before the outcome and unrelated to it
        note = rng.choice(["north", "south", "east"], n)
    return pd.DataFrame({"speed": X[:, 0], "load": X[:, 1], "humidity": X[:, 2], "note": note, "broke": y})


_LEAK_CASES = [  # (frame seed, leaky?, features, split seed)
    (31, True, ["speed", "load", "humidity"], 0),
    (32, False, ["load", "humidity"], 5),
]


def _leak_reference(df, target, features, suspect, seed=0, with_suspect=True, scale=True, metric=None,
                    stratify=True, hard=False):
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    metric = metric or (lambda y, s: average_precision_score(y, s))
    train, test = train_test_split(df, test_size=0.3, stratify=df[target] if stratify else None, random_state=seed)
    out = []
    for extra in ([False, True] if with_suspect else [False, False]):
        Xtr, Xte = train[features].to_numpy(float), test[features].to_numpy(float)
        if scale:
            sc = StandardScaler().fit(Xtr)
            Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
        if extra:
            dtr = pd.get_dummies(train[suspect], dtype=float)
            dte = pd.get_dummies(test[suspect], dtype=float).reindex(columns=dtr.columns, fill_value=0.0)
            Xtr, Xte = np.column_stack([Xtr, dtr]), np.column_stack([Xte, dte])
        clf = LogisticRegression(max_iter=1000).fit(Xtr, train[target])
        out.append(float(metric(test[target], clf.predict(Xte) if hard else clf.predict_proba(Xte)[:, 1])))
    return tuple(out)


_LEAK_REF: dict = {}


class LeakGap(Exercise):
    title = "Show the leak of a column written after the outcome"
    hints = (
        "Train the same classifier twice on the same split: once on the honest features, once on them plus "
        "the suspect column turned into 0/1 columns (pd.get_dummies, or OneHotEncoder). Score both on the "
        "test rows with average_precision_score on predicted probabilities.",
        "Shape: train_test_split of the whole frame (test_size=0.3, stratify on the target, random_state=seed); "
        "a small helper that fits a scaled LogisticRegression on given train/test matrices and returns the "
        "test AP; call it without and with the one-hot suspect and return the two APs as a tuple.",
    )
    solution = """```python
def leak_gap(df, target, features, suspect, seed=0):
    train, test = train_test_split(df, test_size=0.3, stratify=df[target], random_state=seed)

    def test_ap(Xtr, Xte):
        clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(Xtr, train[target])
        return average_precision_score(test[target], clf.predict_proba(Xte)[:, 1])

    honest = test_ap(train[features], test[features])
    dummies_tr = pd.get_dummies(train[suspect], dtype=float)
    dummies_te = pd.get_dummies(test[suspect], dtype=float).reindex(columns=dummies_tr.columns, fill_value=0)
    leaky = test_ap(pd.concat([train[features], dummies_tr], axis=1),
                    pd.concat([test[features], dummies_te], axis=1))
    return float(honest), float(leaky)
```
A column that is only written down after the outcome (a failure cause, a refund reason,
a discharge diagnosis) makes the test score near perfect, and the model is useless in
production, where the column is still empty when the prediction is needed. A harmless
column barely moves the score: the gap is the tell."""
    wrong_answer = staticmethod(lambda df, target, features, suspect, seed=0:
                                (_leak_reference(df, target, features, suspect, seed)[0],) * 2)
    wrong_answers = (
        # the suspect in both models
        staticmethod(lambda df, target, features, suspect, seed=0:
                     (_leak_reference(df, target, features, suspect, seed)[1],) * 2),
        # accuracy of the 0/1 predictions instead of AP: high for any model on a rare class
        staticmethod(lambda df, target, features, suspect, seed=0: _leak_reference(
            df, target, features, suspect, seed, metric=lambda y, s: float(np.mean((s >= 0.5) == y)))),
        # ROC AUC instead of average precision
        staticmethod(lambda df, target, features, suspect, seed=0: _leak_reference(
            df, target, features, suspect, seed,
            metric=lambda y, s: __import__("sklearn.metrics", fromlist=["x"]).roc_auc_score(y, s))),
        # AP of the 0/1 predictions instead of the probabilities
        staticmethod(lambda df, target, features, suspect, seed=0: _leak_reference(
            df, target, features, suspect, seed, hard=True)),
        # a split without stratify: another test set
        staticmethod(lambda df, target, features, suspect, seed=0: _leak_reference(
            df, target, features, suspect, seed, stratify=False)),
        # ignores the features argument: always all numeric columns
        staticmethod(lambda df, target, features, suspect, seed=0: _leak_reference(
            df, target, ["speed", "load", "humidity"], suspect, seed)),
    )
    right_answers = (
        # no scaler (the features are on one scale already), still a valid logistic regression
        staticmethod(lambda df, target, features, suspect, seed=0: _leak_reference(
            df, target, features, suspect, seed, scale=False)),
    )

    def evaluate(self, fn) -> None:
        from threadpoolctl import threadpool_limits

        expect_callable(fn, "leak_gap")
        with threadpool_limits(1):  # tiny models: extra BLAS threads only slow them down on a busy machine
            self._evaluate(fn)

    def _evaluate(self, fn) -> None:
        for frame_seed, leak, features, seed in _LEAK_CASES:
            df = _leak_frame(frame_seed, leak)
            key = (frame_seed, leak, seed)
            if key not in _LEAK_REF:
                _LEAK_REF[key] = _leak_reference(df, "broke", features, "note", seed)
            honest_ref, leaky_ref = _LEAK_REF[key]
            got = fn(df.copy(), "broke", list(features), "note", seed=seed)
            if not isinstance(got, tuple) or len(got) != 2:
                raise Incorrect("leak_gap should return a tuple (AP without the suspect, AP with it).")
            honest = expect_number(got[0], "The AP without the suspect")
            leaky = expect_number(got[1], "The AP with the suspect")
            what = (f"On a {len(df)}-row frame with features {features} and a "
                    f"{'post-outcome' if leak else 'harmless'} suspect column,")
            expect_close(honest, honest_ref, f"{what} the AP without the suspect", tol=0.03,
                         advice="Use only the given features, the split from the task and the test rows' AP.")
            expect_close(leaky, leaky_ref, f"{what} the AP with the suspect", tol=0.03,
                         advice="Add the suspect as one-hot columns to the same features and split.")


class RandomUndersample(Exercise):
    title = "Random undersampling of the majority class"
    hints = (
        "Find the row indices of each class with np.flatnonzero(y == 0) and np.flatnonzero(y == 1); "
        "the smaller group is the minority.",
        "Shape: a seeded generator draws, without replacement, as many majority indices as there are "
        "minority rows (Generator.choice has a replace argument); join them with all minority indices "
        "and index both X and y with the result.",
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
    wrong_answers = (
        # majority rows drawn with replacement
        staticmethod(lambda X, y, seed=0: (lambda idx: (X[idx], y[idx]))(np.concatenate([
            np.flatnonzero(y == np.argmin(np.bincount(y, minlength=2))),
            np.random.default_rng(seed).choice(np.flatnonzero(y != np.argmin(np.bincount(y, minlength=2))),
                                               np.bincount(y, minlength=2).min(), replace=True)]))),
        # assumes the minority is always class 1
        staticmethod(lambda X, y, seed=0: (lambda idx: (X[idx], y[idx]))(np.concatenate([
            np.flatnonzero(y == 1), np.random.default_rng(seed).choice(
                np.flatnonzero(y == 0), min((y == 1).sum(), (y == 0).sum()), replace=False)]))),
    )
    right_answers = (
        # pandas: the same number of rows sampled from each class
        staticmethod(lambda X, y, seed=0: (lambda idx: (X[idx], y[idx]))(np.sort(np.concatenate([
            __import__("pandas").Series(np.flatnonzero(y == c)).sample(
                np.bincount(y, minlength=2).min(), random_state=seed).to_numpy() for c in (0, 1)])))),
    )

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
    np.array([[1, -1, 1], [0, 0, -1], [-1, -1, -1], [1, 0, -1], [0, 1, 0], [-1, 1, -1], [1, 0, 1],
              [0, 1, -1], [1, 0, 0], [-1, 0, 1]]),
    np.random.default_rng(11).choice([-1, 0, 1], size=(40, 4), p=[0.5, 0.3, 0.2]),
]


def _weighted(L, w):
    L, w = np.asarray(L), np.asarray(w, dtype=float)
    ones = ((L == 1) * w).sum(axis=1)
    zeros = ((L == 0) * w).sum(axis=1)
    return np.where(ones > zeros, 1, np.where(zeros > ones, 0, -1))


# Weights per labeling function; the second makes one trusted LF outvote two weak ones.
_W_CASES = [np.array([0.9, 0.6, 0.7]), np.array([0.55, 2.0, 0.6, 0.5])]


class WeightedVote(Exercise):
    title = "Combine labeling functions by a weighted vote"
    hints = (
        "Each labeling function is a column of L and has one weight. A vote for 1 adds that column's weight "
        "to the row's 'ones' total, a vote for 0 to its 'zeros' total; -1 (abstain) adds nothing.",
        "Shape: two weighted totals per row (a boolean mask per label times the weights, broadcast over the "
        "columns, summed along each row), then the same three-way decision as a plain majority vote.",
    )
    solution = """```python
def weighted_vote(L, weights):
    L, w = np.asarray(L), np.asarray(weights, dtype=float)
    ones = ((L == 1) * w).sum(axis=1)      # w broadcasts over the rows: one weight per column
    zeros = ((L == 0) * w).sum(axis=1)
    return np.where(ones > zeros, 1, np.where(zeros > ones, 0, -1))
```
A plain majority lets two sloppy rules outvote one reliable rule; weighting each vote by
how much the rule is trusted (its accuracy on a small labelled set, say) fixes that. This
is, in a very simple form, what Snorkel's label model learns by itself."""
    wrong_answer = staticmethod(lambda L, weights: _majority(L))
    wrong_answers = (
        # abstentions counted as votes for 0
        staticmethod(lambda L, weights: _weighted(np.where(np.asarray(L) == -1, 0, L), weights)),
        # ties resolved as 0 instead of "no label"
        staticmethod(lambda L, weights: np.where(_weighted(L, weights) == -1, 0, _weighted(L, weights))),
        # sum(L * w): an abstention (-1) counts as a weighted vote against
        staticmethod(lambda L, weights: (lambda d: np.where(d > 0, 1, np.where(d < 0, 0, -1)))(
            (np.asarray(L) * np.asarray(weights, float)).sum(axis=1))),
        # weights applied, but abstentions still weighed in as "not 1"
        staticmethod(lambda L, weights: (((np.asarray(L) == 1) * np.asarray(weights)).sum(axis=1)
                                         > 0.5 * np.sum(weights)).astype(int)),
    )
    right_answers = (
        # matrix products instead of masks times weights
        staticmethod(lambda L, weights: (lambda d: np.where(d > 0, 1, np.where(d < 0, 0, -1)))(
            (np.asarray(L) == 1) @ np.asarray(weights, float) - (np.asarray(L) == 0) @ np.asarray(weights, float))),
        # weights normalised to sum to 1 first: the same decisions
        staticmethod(lambda L, weights: _weighted(L, np.asarray(weights, float) / np.sum(weights))),
        # a plain Python loop
        staticmethod(lambda L, weights: np.array([
            -1 if sum(w for v, w in zip(row, weights) if v == 1) == sum(w for v, w in zip(row, weights) if v == 0)
            else int(sum(w for v, w in zip(row, weights) if v == 1) > sum(w for v, w in zip(row, weights) if v == 0))
            for row in np.asarray(L)])),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "weighted_vote")
        for L, w in zip(_L_CASES, _W_CASES):
            got = np.asarray(fn(L.copy(), w.copy()))
            if got.shape != (len(L),):
                raise Incorrect(f"Return one label per row: shape ({len(L)},), got {got.shape}.")
            want = _weighted(L, w)
            bad = np.flatnonzero(got != want)
            if len(bad):
                raise Incorrect(f"Row {bad[0]} with votes {L[bad[0]].tolist()} and weights {w.tolist()} gets "
                                f"{got[bad[0]]}, which is not right. Remember: -1 abstains, and a tie or a row "
                                "without votes gets -1.")


def _label_stats(L, y_true):
    L, y_true = np.asarray(L), np.asarray(y_true)
    ones, zeros = (L == 1).sum(axis=1), (L == 0).sum(axis=1)
    vote = _majority(L)
    return {"coverage": float(((ones + zeros) > 0).mean()), "conflict": float(((ones > 0) & (zeros > 0)).mean()),
            "accuracy": float((vote[vote != -1] == y_true[vote != -1]).mean())}


class LabelStats(Exercise):
    title = "Coverage, conflicts and accuracy of weak labels"
    hints = (
        "coverage: share of rows where at least one function voted (L != -1 in any column). "
        "conflict: share of rows that hold both a 0-vote and a 1-vote.",
        "accuracy: first the majority vote of each row (as in the previous exercise), then a mask of "
        "the rows it decides; compare vote and truth on those rows only.",
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
    wrong_answers = (
        # accuracy over all rows: undecided rows (-1) counted as errors
        staticmethod(lambda L, y_true: {**_label_stats(L, y_true),
                                        "accuracy": float((_majority(L) == np.asarray(y_true)).mean())}),
        # conflict as a share of the covered rows instead of all rows
        staticmethod(lambda L, y_true: {**_label_stats(L, y_true), "conflict": float(
            (((np.asarray(L) == 1).any(axis=1) & (np.asarray(L) == 0).any(axis=1))
             [(np.asarray(L) != -1).any(axis=1)]).mean())}),
    )

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
        "For independent events, the probability that all of them happen is the product of their "
        "probabilities; here all n factors are equal.",
    )
    solution = """```python
def no_rare_probability(rate, n):
    return (1 - rate) ** n
```
At a 0.2 % fraud rate a random sample of 500 transactions holds no fraud at all about
37 % of the time: a model trained or tested on it could never learn or show fraud."""
    wrong_answer = staticmethod(lambda rate, n: max(0.0, 1 - rate * n))
    wrong_answers = (
        staticmethod(lambda rate, n: 1 - (1 - rate) ** n),     # the chance of at least one rare case
        staticmethod(lambda rate, n: float(np.exp(-rate * n))),  # the Poisson approximation
        staticmethod(lambda rate, n: rate ** n),                # every draw rare
    )
    right_answers = (
        staticmethod(lambda rate, n: float(np.exp(n * np.log1p(-rate)))),
        staticmethod(lambda rate, n: float(__import__("scipy.stats", fromlist=["binom"]).binom.pmf(0, n, rate))),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "no_rare_probability")
        for rate, n in [(0.002, 500), (0.01, 100), (0.3, 5), (0.0001, 20000)]:
            got = expect_number(fn(rate, n), f"no_rare_probability({rate}, {n})")
            expect_close(got, (1 - rate) ** n, f"For rate={rate} and n={n}, the probability", tol=1e-6)


def _mi_data():
    """A regression table: y depends on 'linear' in a straight line and on 'bowl' and 'wave' in ways
    a correlation cannot see (|r| of both is close to 0)."""
    import pandas as pd

    rng = np.random.default_rng(8)
    n = 300
    X = pd.DataFrame(rng.normal(size=(n, 6)), columns=["noise_a", "bowl", "noise_b", "linear", "wave", "noise_c"])
    y = pd.Series(1.0 * X["linear"] + 2.0 * X["bowl"] ** 2 + 2.0 * np.cos(2.5 * X["wave"]) + rng.normal(0, 0.3, n),
                  name="target")
    return X, y


def _mi_rank(score, k):
    def rank(X, y, k=k):
        import pandas as pd
        return pd.Series(score(X, y), index=X.columns).sort_values(ascending=False).index[:k].tolist()
    return rank


def _mi_reg(X, y, **kw):
    from sklearn.feature_selection import mutual_info_regression
    return mutual_info_regression(X, y, **kw)


def _selectkbest(X, y, k=3):
    from functools import partial

    from sklearn.feature_selection import SelectKBest, mutual_info_regression
    sel = SelectKBest(partial(mutual_info_regression, random_state=1), k=k).fit(X, y)
    order = np.argsort(-sel.scores_)[:k]
    return [X.columns[i] for i in order]


class TopMIFeatures(Exercise):
    title = "Rank features for a numeric target by mutual information"
    hints = (
        "The lesson ranked features for a class label with mutual_info_classif. For a numeric target "
        "scikit-learn has the regression twin in the same module, sklearn.feature_selection.",
        "Shape: one score per column, labelled with the column names (a pandas Series), sorted from the "
        "highest score down; return the first k names as a list.",
    )
    solution = """```python
from sklearn.feature_selection import mutual_info_regression

def top_mi_features(X, y, k=3):
    scores = pd.Series(mutual_info_regression(X, y, random_state=0), index=X.columns)
    return scores.sort_values(ascending=False).index[:k].tolist()
```
Mutual information measures any dependence between a feature and the target, not only
a straight line: the price of a U-shaped or wavy relation shows up in MI while the
correlation of such a feature with the target is close to zero.
`mutual_info_classif` would refuse a continuous target (it expects classes)."""
    wrong_answer = staticmethod(lambda X, y, k=3: X.corrwith(y).abs().sort_values(ascending=False).index[:k].tolist())
    wrong_answers = (
        # ranked lowest first
        staticmethod(lambda X, y, k=3: _mi_rank(lambda X, y: -_mi_reg(X, y, random_state=0), k)(X, y, k)),
        # ignores k
        staticmethod(lambda X, y, k=3: _mi_rank(lambda X, y: _mi_reg(X, y, random_state=0), 3)(X, y, 3)),
        # a linear F-test ranks like the correlation: blind to the U-shaped and wavy features
        staticmethod(lambda X, y, k=3: _mi_rank(
            lambda X, y: __import__("sklearn.feature_selection", fromlist=["x"]).f_regression(X, y)[0], k)(X, y, k)),
        # a rank (Spearman) correlation: still only monotonic relations
        staticmethod(lambda X, y, k=3: X.corrwith(y, method="spearman").abs().nlargest(k).index.tolist()),
        # the classification estimator on a continuous target
        staticmethod(lambda X, y, k=3: _mi_rank(
            lambda X, y: __import__("sklearn.feature_selection", fromlist=["x"]).mutual_info_classif(X, y), k)(X, y, k)),
    )
    right_answers = (
        staticmethod(lambda X, y, k=3: _mi_rank(lambda X, y: _mi_reg(X, y, random_state=7), k)(X, y, k)),
        staticmethod(lambda X, y, k=3: _mi_rank(lambda X, y: _mi_reg(X, y, random_state=0, n_neighbors=5), k)(X, y, k)),
        staticmethod(_selectkbest),
        # MI with the target cut into quintiles: a coarser, still valid estimate of the same dependence
        staticmethod(lambda X, y, k=3: _mi_rank(lambda X, y: __import__(
            "sklearn.feature_selection", fromlist=["x"]).mutual_info_classif(
                X, __import__("pandas").qcut(y, 5, labels=False), random_state=0), k)(X, y, k)),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "top_mi_features")
        X, y = _mi_data()
        for k, cols in ((3, X.columns), (2, ["noise_a", "bowl", "noise_b", "wave", "noise_c"])):
            got = fn(X[list(cols)].copy(), y.copy(), k=k)
            if not isinstance(got, (list, tuple)) or not all(isinstance(c, str) for c in got):
                raise Incorrect("top_mi_features should return a list of column names (strings).")
            if len(got) != k:
                raise Incorrect(f"With k={k} return {k} column names, got {len(got)}.")
            noise = [c for c in got if c.startswith("noise")]
            informative = [c for c in cols if not c.startswith("noise")]
            if set(got) != set(informative):
                raise Incorrect(f"On a test table with {k} informative and 3 noise columns, your top {k} "
                                f"are not the informative ones ({len(noise)} noise column(s) among them). "
                                "Rank by mutual information with the numeric target, highest first.")
            if k == 3 and got[-1] != "linear":
                raise Incorrect("The three names are right but not in order: highest mutual information first.")


best_f1_threshold = BestF1Threshold()
cost_threshold = CostThreshold()
leak_gap = LeakGap()
no_rare_probability = NoRareProbability()
random_undersample = RandomUndersample()
weighted_vote = WeightedVote()
label_stats = LabelStats()
top_mi_features = TopMIFeatures()
EXERCISES = register(globals())
