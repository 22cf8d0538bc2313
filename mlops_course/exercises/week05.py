"""Week 05 exercises: regularization, bias and variance."""
from __future__ import annotations

import math

import numpy as np

from ..checks import Exercise, Incorrect, expect_callable, expect_close, expect_number, register


def _resamples(seed: int, n_sets: int = 20, n_points: int = 15):
    """Training sets drawn again and again from one known curve (not the lesson's sine)."""
    rng = np.random.default_rng(seed)
    truth = lambda x: 1.5 * x ** 3 - x + 0.5 * np.cos(4 * x)
    sets = []
    for _ in range(n_sets):
        x = rng.uniform(-1, 1, n_points)
        sets.append((x, truth(x) + rng.normal(0, 0.3, n_points)))
    x_eval = np.linspace(-0.9, 0.9, 25)
    return sets, x_eval, truth(x_eval)


def _predictions(degree, train_sets, x_eval):
    """One row of predictions at x_eval per training set (least squares polynomial of that degree)."""
    return np.array([np.polyval(np.polyfit(x, y, degree), x_eval) for x, y in train_sets])


def _bias_variance(degree, train_sets, x_eval, f_eval):
    pred = _predictions(degree, train_sets, x_eval)
    return float(np.mean((pred.mean(axis=0) - f_eval) ** 2)), float(np.mean(pred.var(axis=0)))


def _sklearn_bias_variance(degree, train_sets, x_eval, f_eval):
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures

    pred = np.array([make_pipeline(PolynomialFeatures(degree), LinearRegression()).fit(x.reshape(-1, 1), y)
                     .predict(x_eval.reshape(-1, 1)) for x, y in train_sets])
    return float(np.mean((pred.mean(axis=0) - f_eval) ** 2)), float(np.mean(pred.var(axis=0)))


class BiasVariance(Exercise):
    title = "Bias and variance over resamples"
    hints = (
        "Fit one polynomial per training set (np.polyfit, or PolynomialFeatures + LinearRegression) and predict at "
        "x_eval: stack the predictions into an array with one row per training set, one column per point.",
        "The average fit is the mean over the rows (axis=0). Bias² compares the average fit with f_eval; variance "
        "measures how far the rows scatter around the average fit, point by point (np.var over axis=0). Average "
        "both over the points.",
        "Sanity check: bias² + variance must equal the mean of (prediction - f_eval)² over all rows and points.",
    )
    solution = """```python
def bias_variance(degree, train_sets, x_eval, f_eval):
    preds = np.array([np.polyval(np.polyfit(x, y, degree), x_eval) for x, y in train_sets])
    mean_fit = preds.mean(axis=0)                      # the average model, point by point
    bias_squared = np.mean((mean_fit - f_eval) ** 2)   # how far the average model is from the truth
    variance = np.mean(preds.var(axis=0))              # how much the fits scatter around it
    return bias_squared, variance
```
Bias is a property of the *average* fit, variance of the scatter of the fits around it,
so both need many training sets. Their sum is the expected squared error against the
truth; the noise in new observations comes on top."""
    # Plausible mistake: the variance taken along the points of each fit instead of across the fits.
    wrong_answer = staticmethod(lambda degree, sets, x_eval, f_eval: (
        _bias_variance(degree, sets, x_eval, f_eval)[0],
        float(np.mean(_predictions(degree, sets, x_eval).var(axis=1)))))
    wrong_answers = (
        # "bias" computed fit by fit: that is bias² + variance (the total error), not bias²
        staticmethod(lambda degree, sets, x_eval, f_eval: (
            float(np.mean((_predictions(degree, sets, x_eval) - f_eval) ** 2)),
            _bias_variance(degree, sets, x_eval, f_eval)[1])),
        # the mean error squared after averaging over the points: + and - errors cancel
        staticmethod(lambda degree, sets, x_eval, f_eval: (
            float(np.mean(_predictions(degree, sets, x_eval).mean(axis=0) - f_eval) ** 2),
            _bias_variance(degree, sets, x_eval, f_eval)[1])),
        # one model on all sets pooled: no scatter left to measure
        staticmethod(lambda degree, sets, x_eval, f_eval: _bias_variance(
            degree, [(np.concatenate([x for x, _ in sets]), np.concatenate([y for _, y in sets]))], x_eval, f_eval)),
        # the degree ignored (always a straight line)
        staticmethod(lambda degree, sets, x_eval, f_eval: _bias_variance(1, sets, x_eval, f_eval)),
        # the sample variance (ddof=1) instead of np.var's division by the number of sets
        staticmethod(lambda degree, sets, x_eval, f_eval: (
            _bias_variance(degree, sets, x_eval, f_eval)[0],
            float(np.mean(_predictions(degree, sets, x_eval).var(axis=0, ddof=1))))),
        # the standard deviation across the sets instead of the variance
        staticmethod(lambda degree, sets, x_eval, f_eval: (
            _bias_variance(degree, sets, x_eval, f_eval)[0],
            float(np.mean(_predictions(degree, sets, x_eval).std(axis=0))))),
    )
    right_answers = (staticmethod(_sklearn_bias_variance),
                     staticmethod(lambda degree, sets, x_eval, f_eval: _bias_variance(degree, list(sets), x_eval, f_eval)),
                     # a list instead of a tuple, variance as the total error minus bias²
                     staticmethod(lambda degree, sets, x_eval, f_eval: (lambda p: [
                         np.mean((p.mean(axis=0) - f_eval) ** 2),
                         np.mean((p - f_eval) ** 2) - np.mean((p.mean(axis=0) - f_eval) ** 2)])(
                         _predictions(degree, sets, x_eval))))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "bias_variance")
        for seed, degree in [(1, 3), (2, 1), (3, 5)]:
            sets, x_eval, f_eval = _resamples(seed)
            got = fn(degree, [(x.copy(), y.copy()) for x, y in sets], x_eval.copy(), f_eval.copy())
            if isinstance(got, np.ndarray):
                got = tuple(got.ravel())
            if not isinstance(got, (tuple, list)) or len(got) != 2:
                raise Incorrect("bias_variance should return a tuple (bias_squared, variance).")
            bias2, var = (expect_number(v, name) for v, name in zip(got, ("bias_squared", "variance")))
            want_bias2, want_var = _bias_variance(degree, sets, x_eval, f_eval)
            total = float(np.mean((_predictions(degree, sets, x_eval) - f_eval) ** 2))
            if math.isclose(bias2, total, rel_tol=1e-6) and not math.isclose(want_bias2, total, rel_tol=1e-3):
                raise Incorrect(f"For degree {degree}, bias_squared equals the total squared error of the fits: "
                                "bias² compares the *average* fit with the truth.")
            expect_close(bias2, want_bias2, f"For degree {degree}, bias_squared", tol=1e-6,
                         advice="Average the predictions over the training sets first, then compare with f_eval.")
            expect_close(var, want_var, f"For degree {degree}, the variance", tol=1e-6,
                         advice="The variance is taken across the training sets, at each point (axis=0), "
                                "with np.var (it divides by the number of sets), then averaged over the points.")


def _diagnose(train_loss, val_loss, target):
    train_loss, val_loss = np.asarray(train_loss, float), np.asarray(val_loss, float)
    if train_loss[-1] > target:
        return "underfitting"
    if val_loss[-1] > target:
        return "overfitting"
    return "good fit"


class Diagnose(Exercise):
    title = "Read a learning curve"
    _cases = [
        ([9.0, 8.5, 8.2, 8.0], [9.5, 9.0, 8.6, 8.4], 3.0),   # flat and high: underfitting
        ([0.5, 0.4, 0.35, 0.3], [6.0, 5.5, 5.2, 5.0], 2.0),  # big gap: overfitting
        ([1.0, 1.2, 1.3, 1.4], [3.0, 2.0, 1.7, 1.6], 2.0),   # curves meet below the target
        ([6.0, 5.0, 4.0, 3.0], [7.0, 6.0, 5.0, 4.0], 2.5),   # still falling, not there yet
        ([0.2, 0.2, 0.1, 0.1], [1.5, 1.9, 2.6, 3.4], 2.0),   # validation rises: overfitting
        ([0.9, 1.1, 1.2, 1.2], [1.8, 1.5, 1.4, 1.3], 1.0),   # close together but above target
        ([3.0, 2.6, 2.4, 2.2], [2.5, 2.1, 1.9, 1.8], 2.0),   # validation fine, training not: still underfitting
        ([4.0, 3.5, 3.2, 3.0], [9.0, 8.0, 7.5, 7.0], 2.0),   # a big gap, but training itself is too high
    ]
    hints = (
        "Look at the last value of each curve: where did training end up, and where did validation end up?",
        "If even the training loss is above the acceptable level, the model has not learned enough "
        "signal. If training is fine but validation is not, it learned noise.",
        "Return exactly one of the strings 'underfitting', 'overfitting' or 'good fit'.",
    )
    solution = """```python
def diagnose(train_loss, val_loss, target):
    if train_loss[-1] > target:
        return "underfitting"      # cannot even fit the data it has seen
    if val_loss[-1] > target:
        return "overfitting"       # fits the training data, fails on unseen data
    return "good fit"
```
Order matters: a model whose training loss is too high underfits, whatever the validation
loss does. Only when training is good does a high validation loss point to overfitting."""
    # Plausible mistake: judging from the gap alone, ignoring how high the training loss is.
    wrong_answer = staticmethod(
        lambda tr, va, target: "overfitting" if va[-1] - tr[-1] > 1 else "good fit")
    wrong_answers = (
        # validation checked first: a model that cannot fit its training data is called overfitting
        staticmethod(lambda tr, va, target: "overfitting" if va[-1] > target else
                     ("underfitting" if tr[-1] > target else "good fit")),
        # underfitting only when both curves are too high
        staticmethod(lambda tr, va, target: "underfitting" if tr[-1] > target and va[-1] > target else
                     ("overfitting" if va[-1] > target else "good fit")),
        # a large gap (validation more than twice training) called overfitting before looking at training
        staticmethod(lambda tr, va, target: "overfitting" if va[-1] > 2 * tr[-1] else
                     ("underfitting" if tr[-1] > target else ("overfitting" if va[-1] > target else "good fit"))),
        # judged on the best value of each curve instead of where training ended
        staticmethod(lambda tr, va, target: "underfitting" if min(tr) > target else
                     ("overfitting" if min(va) > target else "good fit")),
    )
    right_answers = (staticmethod(lambda tr, va, target: "Underfitting" if tr[-1] > target else
                                  ("Overfitting " if va[-1] > target else "Good fit")),
                     # >= at the boundary (no case sits exactly on the target)
                     staticmethod(lambda tr, va, target: "underfitting" if tr[-1] >= target else
                                  ("overfitting" if va[-1] >= target else "good fit")))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "diagnose")
        for train_loss, val_loss, target in self._cases:
            got = fn(np.array(train_loss), np.array(val_loss), target)
            if not isinstance(got, str):
                raise Incorrect(f"diagnose should return a string, got {type(got).__name__}.")
            if got.strip().lower() not in {"underfitting", "overfitting", "good fit"}:
                raise Incorrect(f"Return 'underfitting', 'overfitting' or 'good fit', not {got!r}.")
            if got.strip().lower() != _diagnose(train_loss, val_loss, target):
                raise Incorrect(
                    f"For final training loss {train_loss[-1]}, final validation loss {val_loss[-1]} and "
                    f"acceptable loss {target}, {got!r} is not the right diagnosis.")


def _enet_objective(X, y, coef, intercept, alpha, l1_ratio):
    residual = y - X @ coef - intercept
    return (np.sum(residual ** 2) / (2 * len(y)) + alpha * l1_ratio * np.sum(np.abs(coef))
            + 0.5 * alpha * (1 - l1_ratio) * np.sum(coef ** 2))


class ElasticNetObjective(Exercise):
    title = "Write out what Elastic Net minimizes"
    hints = (
        "scikit-learn's ElasticNet minimizes 1/(2n) * sum((y - X w - b)^2) "
        "+ alpha * l1_ratio * sum(|w|) + 0.5 * alpha * (1 - l1_ratio) * sum(w^2).",
        "n is the number of rows. The intercept b is not penalized: the penalty only uses coef.",
        "With l1_ratio=1 the formula must give the Lasso objective, with l1_ratio=0 a pure L2 penalty.",
    )
    solution = """```python
def elastic_net_objective(X, y, coef, intercept, alpha, l1_ratio):
    residual = y - X @ coef - intercept
    loss = np.sum(residual ** 2) / (2 * len(y))
    penalty = l1_ratio * np.sum(np.abs(coef)) + 0.5 * (1 - l1_ratio) * np.sum(coef ** 2)
    return loss + alpha * penalty
```
The data term is half the mean squared error; `alpha` sets how strong the penalty is and
`l1_ratio` how it is split between the L1 (absolute values) and L2 (squares) parts."""
    # Plausible mistake: the plain mean squared error (no 1/2) and no 0.5 on the L2 part.
    wrong_answer = staticmethod(lambda X, y, coef, intercept, alpha, l1_ratio: float(
        np.mean((y - X @ coef - intercept) ** 2) + alpha * (l1_ratio * np.abs(coef).sum()
                                                            + (1 - l1_ratio) * (coef ** 2).sum())))
    wrong_answers = (
        # the two knobs swapped: l1_ratio used as the share of L2
        staticmethod(lambda X, y, coef, intercept, alpha, l1_ratio: _enet_objective(X, y, coef, intercept, alpha, 1 - l1_ratio)),
        # the intercept left out of the residual
        staticmethod(lambda X, y, coef, intercept, alpha, l1_ratio: _enet_objective(X, y, coef, 0.0, alpha, l1_ratio)),
        # the intercept penalized along with the coefficients
        staticmethod(lambda X, y, coef, intercept, alpha, l1_ratio: _enet_objective(X, y, coef, intercept, alpha, l1_ratio)
                     + alpha * l1_ratio * abs(intercept) + 0.5 * alpha * (1 - l1_ratio) * intercept ** 2),
        # the L2 norm instead of the squared L2 norm
        staticmethod(lambda X, y, coef, intercept, alpha, l1_ratio: float(
            np.sum((y - X @ coef - intercept) ** 2) / (2 * len(y)) + alpha * l1_ratio * np.abs(coef).sum()
            + 0.5 * alpha * (1 - l1_ratio) * np.linalg.norm(coef))),
    )
    right_answers = (staticmethod(lambda X, y, coef, intercept, alpha, l1_ratio: float(
        0.5 * np.mean((y - X @ coef - intercept) ** 2) + alpha * l1_ratio * np.linalg.norm(coef, 1)
        + alpha * (1 - l1_ratio) / 2 * np.linalg.norm(coef) ** 2)),)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "elastic_net_objective")
        rng = np.random.default_rng(5)
        X = rng.normal(size=(30, 4))
        y = X @ np.array([2.0, -1.0, 0.0, 0.5]) + 3 + rng.normal(0, 0.3, 30)
        coef = np.array([1.5, -0.8, 0.1, 0.0])
        for alpha, l1_ratio, intercept in [(0.5, 1.0, 3.0), (0.3, 0.0, 2.5), (1.0, 0.4, 2.9), (0.0, 0.7, 3.1)]:
            got = expect_number(fn(X, y, coef, intercept, alpha, l1_ratio), "the objective")
            expect_close(got, _enet_objective(X, y, coef, intercept, alpha, l1_ratio),
                         f"With alpha={alpha}, l1_ratio={l1_ratio}, the objective", tol=1e-6,
                         advice="Check the 1/(2n) in front of the squared errors and the 0.5 on the L2 part.")


def _ridge(X, y, alpha):
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    coef = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ yc)
    return coef, y_mean - x_mean @ coef


class RidgeClosedForm(Exercise):
    title = "Ridge regression by hand"
    hints = (
        "Centre first: subtract the column means from X and the mean from y. The intercept is not "
        "penalized, and centring takes it out of the problem.",
        "On centred data, w = (Xc^T Xc + alpha * I)^(-1) Xc^T yc. Use np.linalg.solve rather than inverting.",
        "The intercept is then y.mean() - X.mean(axis=0) @ w. Return (coef, intercept).",
    )
    solution = """```python
def ridge_closed_form(X, y, alpha):
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    coef = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ yc)
    return coef, y_mean - x_mean @ coef
```
Setting the gradient of ||yc - Xc w||² + alpha ||w||² to zero gives
(Xc^T Xc + alpha I) w = Xc^T yc. The alpha I on the diagonal is what regularization adds to
ordinary least squares: it makes the system solvable even when features are collinear."""
    # Plausible mistake: penalizing without centring, so the intercept gets lost.
    wrong_answer = staticmethod(lambda X, y, alpha: (
        np.linalg.solve(X.T @ X + alpha * np.eye(X.shape[1]), X.T @ y), 0.0))
    wrong_answers = (
        # centred, but alpha left out: that is ordinary least squares
        staticmethod(lambda X, y, alpha: _ridge(X, y, 0.0)),
        # intercept penalized along with the weights (a column of ones in the penalized system)
        staticmethod(lambda X, y, alpha: (lambda w: (w[1:], w[0]))(np.linalg.solve(
            np.c_[np.ones(len(X)), X].T @ np.c_[np.ones(len(X)), X] + alpha * np.eye(X.shape[1] + 1),
            np.c_[np.ones(len(X)), X].T @ y))),
        # alpha multiplied by n, as if Ridge averaged the squared errors like Lasso
        staticmethod(lambda X, y, alpha: _ridge(X, y, alpha * len(y))),
        # right coefficients, but the intercept taken as the mean of y
        staticmethod(lambda X, y, alpha: (_ridge(X, y, alpha)[0], float(np.mean(y)))),
    )
    right_answers = (
        # no centring: a column of ones whose coefficient is left out of the penalty
        staticmethod(lambda X, y, alpha: (lambda A: (lambda w: (w[1:], w[0]))(np.linalg.solve(
            A.T @ A + alpha * np.diag([0.0] + [1.0] * X.shape[1]), A.T @ y)))(np.c_[np.ones(len(X)), X])),
        staticmethod(lambda X, y, alpha: (lambda m: (m.coef_, m.intercept_))(
            __import__("sklearn.linear_model").linear_model.Ridge(alpha=alpha).fit(X, y))),
        staticmethod(lambda X, y, alpha: (lambda xm, ym: (lambda w: (w, ym - xm @ w))(
            np.linalg.inv((X - xm).T @ (X - xm) + alpha * np.eye(X.shape[1])) @ (X - xm).T @ (y - ym)))(X.mean(0), y.mean())),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "ridge_closed_form")
        rng = np.random.default_rng(11)
        X = rng.normal(size=(50, 3)) + np.array([5.0, -2.0, 0.0])
        X[:, 2] = X[:, 0] + rng.normal(0, 0.05, 50)   # a near-copy: collinear features
        y = X @ np.array([1.0, 2.0, 1.0]) + 10 + rng.normal(0, 0.5, 50)
        for alpha in (0.1, 5.0, 100.0):
            got = fn(X, y, alpha)
            if not isinstance(got, tuple) or len(got) != 2:
                raise Incorrect("ridge_closed_form should return a tuple (coef, intercept).")
            coef = np.asarray(got[0], dtype=float)
            want_coef, want_intercept = _ridge(X, y, alpha)
            if coef.shape != want_coef.shape:
                raise Incorrect(f"coef should have one value per column of X, shape {want_coef.shape}; got {coef.shape}.")
            if not np.allclose(coef, want_coef, rtol=1e-4, atol=1e-4):
                raise Incorrect(f"With alpha={alpha} the coefficients do not match Ridge yet. "
                                "Did you centre X and y before solving?")
            expect_close(expect_number(got[1], "intercept"), want_intercept, f"With alpha={alpha}, the intercept", tol=1e-4)


def _kfold_mse(make_model, X, y, k):
    folds = np.array_split(np.arange(len(y)), k)
    scores = []
    for fold in folds:
        train = np.setdiff1d(np.arange(len(y)), fold)
        model = make_model().fit(X[train], y[train])
        scores.append(np.mean((model.predict(X[fold]) - y[fold]) ** 2))
    return float(np.mean(scores))


def _make_ridge(alpha):
    from sklearn.linear_model import Ridge

    return lambda: Ridge(alpha=alpha)


def _cross_val_score_answer(make_model, X, y, k=5):
    from sklearn.model_selection import cross_val_score

    return float(-cross_val_score(make_model(), X, y, cv=k, scoring="neg_mean_squared_error").mean())


def _kfold_mistake(make_model, X, y, k=5, shuffle=False, sqrt=False, negate=False, k_used=None):
    from sklearn.model_selection import KFold

    errors = []
    for train, val in KFold(n_splits=k_used or k, shuffle=shuffle, random_state=0 if shuffle else None).split(X):
        model = make_model().fit(X[train], y[train])
        mse = np.mean((model.predict(X[val]) - y[val]) ** 2)
        errors.append(np.sqrt(mse) if sqrt else mse)
    value = float(np.mean(errors))
    return -value if negate else value


class KFoldMSE(Exercise):
    title = "k-fold cross-validation by hand"
    hints = (
        "KFold(n_splits=k) without shuffling cuts the rows into k consecutive blocks (the check compares with "
        "exactly those folds, so do not shuffle). Splitting the row numbers into k nearly equal pieces by hand "
        "gives the same blocks; so does scikit-learn's cross_val_score with cv=k.",
        "For each block: fit a fresh model (make_model()) on all other rows, predict the block and "
        "compute the mean squared error there.",
        "Return the mean of the k validation errors as a float.",
    )
    solution = """```python
def kfold_mse(make_model, X, y, k=5):
    errors = []
    for train_idx, val_idx in KFold(n_splits=k).split(X):
        model = make_model().fit(X[train_idx], y[train_idx])
        errors.append(mean_squared_error(y[val_idx], model.predict(X[val_idx])))
    return float(np.mean(errors))
```
Every row is used for validation exactly once and for training k - 1 times, so the
estimate does not hang on one lucky or unlucky split."""
    # Plausible mistake: scoring each fold's model on its own training rows.
    wrong_answer = staticmethod(lambda make_model, X, y, k=5: float(np.mean(
        (make_model().fit(X, y).predict(X) - y) ** 2)))
    wrong_answers = (
        staticmethod(lambda make_model, X, y, k=5: _kfold_mistake(make_model, X, y, k, sqrt=True)),    # mean RMSE
        staticmethod(lambda make_model, X, y, k=5: _kfold_mistake(make_model, X, y, k, negate=True)),  # scikit-learn's sign kept
        staticmethod(lambda make_model, X, y, k=5: _kfold_mistake(make_model, X, y, k, k_used=5)),     # k ignored
        staticmethod(lambda make_model, X, y, k=5: _kfold_mistake(make_model, X, y, k, shuffle=True)),  # shuffled folds
        # interleaved folds (every k-th row) instead of consecutive blocks
        staticmethod(lambda make_model, X, y, k=5: float(np.mean([np.mean((make_model().fit(
            np.delete(X, np.s_[i::k], axis=0), np.delete(y, np.s_[i::k])).predict(X[i::k]) - y[i::k]) ** 2)
            for i in range(k)]))),
        staticmethod(lambda make_model, X, y, k=5: -float(np.mean(__import__("sklearn.model_selection").model_selection
                                                                 .cross_val_score(make_model(), X, y, cv=k)))),  # R², not MSE
    )
    right_answers = (
        staticmethod(_cross_val_score_answer),        # scikit-learn's own k-fold loop
        staticmethod(lambda make_model, X, y, k=5: _kfold_mse(make_model, X, y, k)),   # np.array_split by hand
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "kfold_mse")
        rng = np.random.default_rng(3)
        X = rng.normal(size=(60, 5))
        y = X @ np.array([1.0, 0.0, -2.0, 0.5, 0.0]) + rng.normal(0, 1.0, 60)
        for k, alpha in [(5, 1.0), (3, 10.0)]:
            make_model = _make_ridge(alpha)
            got = expect_number(fn(make_model, X, y, k), "the cross-validated MSE")
            expect_close(got, _kfold_mse(make_model, X, y, k), f"With k={k}, the mean validation MSE", tol=1e-6,
                         advice="Each fold's model must be scored on the rows it was not trained on; the folds are "
                                "consecutive blocks of rows, in order (no shuffling), and the result is the mean of "
                                "the folds' MSEs.")


def _standardize(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def _kept(X, y, alphas, scale=True):
    """Number of non-zero Lasso coefficients for each alpha, in the order given."""
    from sklearn.linear_model import lasso_path

    order = np.argsort(alphas)[::-1]                       # lasso_path works from large to small alphas
    _, coefs, _ = lasso_path(_standardize(X) if scale else X, y, alphas=np.asarray(alphas)[order], max_iter=10_000)
    kept = np.empty(len(alphas), dtype=int)
    kept[order] = (coefs != 0).sum(axis=0)
    return kept


def _budget_alpha(X, y, alphas, max_features, scale=True, strict=False, largest=False, first=False):
    kept = _kept(X, y, alphas, scale)
    ok = [a for a, k in zip(alphas, kept) if (k < max_features if strict else k <= max_features)]
    if first:
        return ok[0]
    return float(max(ok) if largest else min(ok))


def _pipeline_budget(X, y, alphas, max_features, count=lambda coef: np.sum(coef != 0)):
    from sklearn.linear_model import Lasso
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    for alpha in sorted(alphas):
        kept = count(make_pipeline(StandardScaler(), Lasso(alpha=alpha)).fit(X, y)[-1].coef_)
        if kept <= max_features:
            return alpha


def _path_budget(X, y, alphas, max_features):
    from sklearn.linear_model import lasso_path

    path_alphas, coefs, _ = lasso_path(_standardize(X), y, alphas=alphas)
    return min(a for a, k in zip(path_alphas, (coefs != 0).sum(axis=0)) if k <= max_features)


class LassoBudget(Exercise):
    title = "The weakest Lasso penalty within a feature budget"
    hints = (
        "Scale the features, fit a Lasso for each alpha and count the coefficients that are not exactly 0 "
        "(model[-1].coef_ of a StandardScaler + Lasso pipeline). lasso_path on standardized X does all alphas at once.",
        "A stronger penalty keeps fewer features. Among the alphas whose model keeps at most max_features "
        "coefficients, return the smallest one. Careful: the alphas may come in any order.",
    )
    solution = """```python
def lasso_alpha_for_budget(X, y, alphas, max_features):
    for alpha in sorted(alphas):                  # weakest penalty first
        model = make_pipeline(StandardScaler(), Lasso(alpha=alpha)).fit(X, y)
        if np.sum(model[-1].coef_ != 0) <= max_features:
            return alpha
```
The weakest penalty that meets the budget removes as little signal as possible while
still using no more than `max_features` features. Scaling first makes the choice depend
on the features' information, not on their units."""
    # Plausible mistake: Lasso on unscaled features.
    wrong_answer = staticmethod(lambda X, y, alphas, max_features: _budget_alpha(X, y, alphas, max_features, scale=False))
    wrong_answers = (
        staticmethod(lambda X, y, alphas, m: _budget_alpha(X, y, alphas, m, strict=True)),    # fewer than, not at most
        staticmethod(lambda X, y, alphas, m: _budget_alpha(X, y, alphas, m, largest=True)),   # strongest penalty
        staticmethod(lambda X, y, alphas, m: _budget_alpha(X, y, alphas, m, first=True)),     # first in list order
        # lasso_path's alphas come back sorted from large to small: pairing them with the input order is wrong
        staticmethod(lambda X, y, alphas, m: min(a for a, k in zip(alphas, (__import__("sklearn.linear_model")
                     .linear_model.lasso_path(_standardize(X), y, alphas=alphas)[1] != 0).sum(axis=0)) if k <= m)),
        # only the positive coefficients counted: a negative coefficient is a feature in use too
        staticmethod(lambda X, y, alphas, m: _pipeline_budget(X, y, alphas, m, count=lambda coef: np.sum(coef > 0))),
    )
    right_answers = (staticmethod(_pipeline_budget), staticmethod(_path_budget))

    def __init__(self) -> None:
        super().__init__()
        self._cases = None

    def _expected(self):
        if self._cases is None:        # computed once: the reference answers do not change
            rng = np.random.default_rng(8)
            X = rng.normal(size=(80, 8)) * np.array([1, 10, 100, 0.1, 1, 1000, 5, 0.5])
            y = 3 * X[:, 0] + 0.2 * X[:, 1] - 0.01 * X[:, 2] + 20 * X[:, 3] + rng.normal(0, 1, 80)
            grid = np.round(np.logspace(-2, 0.5, 11), 4)
            cases = [(grid, 5), (grid[::-1].copy(), 3), (grid[[4, 9, 0, 6, 2, 8]].copy(), 4)]
            self._cases = (X, y, [(alphas, m, _budget_alpha(X, y, alphas, m)) for alphas, m in cases])
        return self._cases

    def evaluate(self, fn) -> None:
        expect_callable(fn, "lasso_alpha_for_budget")
        X, y, cases = self._expected()
        for alphas, max_features, want in cases:
            got = expect_number(fn(X.copy(), y.copy(), alphas.copy(), max_features), "the alpha")
            expect_close(got, want, f"With at most {max_features} features and alphas [{', '.join(f'{a:g}' for a in alphas)}], alpha", tol=1e-9,
                         advice="Scale first, count the non-zero coefficients, and take the smallest alpha that fits.")


bias_variance = BiasVariance()
diagnose = Diagnose()
elastic_net_objective = ElasticNetObjective()
ridge_closed_form = RidgeClosedForm()
kfold_mse = KFoldMSE()
lasso_alpha_for_budget = LassoBudget()
EXERCISES = register(globals())
