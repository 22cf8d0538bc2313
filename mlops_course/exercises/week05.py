"""Week 05 exercises: regularization, bias and variance."""
from __future__ import annotations

import numpy as np

from ..checks import Exercise, Incorrect, expect_callable, expect_close, expect_number, register


def _poly_data(seed: int, n: int = 40):
    """A noisy cubic-looking curve on [0, 1]: train and validation halves."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 1, n))
    y = np.sin(2 * np.pi * x) + rng.normal(0, 0.25, n)
    idx = rng.permutation(n)
    tr, va = idx[: n // 2], idx[n // 2:]
    return x[tr], y[tr], x[va], y[va]


def _poly_mse(x_tr, y_tr, x_va, y_va, degree):
    # Least squares on the Vandermonde matrix; same fit as PolynomialFeatures + LinearRegression.
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures

    model = make_pipeline(PolynomialFeatures(degree), LinearRegression())
    model.fit(x_tr.reshape(-1, 1), y_tr)
    mse = lambda x, y: float(np.mean((model.predict(x.reshape(-1, 1)) - y) ** 2))
    return mse(x_tr, y_tr), mse(x_va, y_va)


class PolyErrors(Exercise):
    title = "Train and validation error of a polynomial fit"
    hints = (
        "Chain PolynomialFeatures(degree) and LinearRegression() with make_pipeline, and fit it "
        "on x_train.reshape(-1, 1) and y_train.",
        "Both errors are mean squared errors: np.mean((model.predict(X) - y) ** 2), once on the "
        "training points and once on the validation points.",
        "Return a tuple (train_mse, val_mse) of two floats, training error first.",
    )
    solution = """```python
def poly_errors(x_train, y_train, x_val, y_val, degree):
    model = make_pipeline(PolynomialFeatures(degree), LinearRegression())
    model.fit(x_train.reshape(-1, 1), y_train)
    train_mse = mean_squared_error(y_train, model.predict(x_train.reshape(-1, 1)))
    val_mse = mean_squared_error(y_val, model.predict(x_val.reshape(-1, 1)))
    return train_mse, val_mse
```
The model only ever sees the training points; the validation points tell us how it does
on data it has not seen. The gap between the two numbers is the sign of overfitting."""
    # Plausible mistake: both errors measured on the training points.
    wrong_answer = staticmethod(lambda x_tr, y_tr, x_va, y_va, degree: (_poly_mse(x_tr, y_tr, x_va, y_va, degree)[0],) * 2)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "poly_errors")
        for seed, degree in [(1, 1), (2, 3), (3, 9)]:
            x_tr, y_tr, x_va, y_va = _poly_data(seed)
            got = fn(x_tr, y_tr, x_va, y_va, degree)
            if not isinstance(got, tuple) or len(got) != 2:
                raise Incorrect("poly_errors should return a tuple (train_mse, val_mse).")
            want = _poly_mse(x_tr, y_tr, x_va, y_va, degree)
            for name, value, target in zip(("train_mse", "val_mse"), got, want):
                expect_close(expect_number(value, name), target, f"For degree {degree}, {name}", tol=1e-4,
                             advice="Fit on the training points only, and square the errors before averaging.")


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


class _TinyRidge:
    """A minimal ridge regression with fit/predict (NumPy only), so the check stays fast."""

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, X, y):
        self.coef_, self.intercept_ = _ridge(np.asarray(X, float), np.asarray(y, float), self.alpha)
        return self

    def predict(self, X):
        return np.asarray(X, float) @ self.coef_ + self.intercept_


class KFoldMSE(Exercise):
    title = "k-fold cross-validation by hand"
    hints = (
        "KFold(n_splits=k) without shuffling cuts the rows into k consecutive blocks. "
        "np.array_split(np.arange(len(y)), k) gives the same blocks.",
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

    def evaluate(self, fn) -> None:
        expect_callable(fn, "kfold_mse")
        rng = np.random.default_rng(3)
        X = rng.normal(size=(60, 5))
        y = X @ np.array([1.0, 0.0, -2.0, 0.5, 0.0]) + rng.normal(0, 1.0, 60)
        for k, alpha in [(5, 1.0), (3, 10.0)]:
            make_model = lambda alpha=alpha: _TinyRidge(alpha=alpha)
            got = expect_number(fn(make_model, X, y, k), "the cross-validated MSE")
            expect_close(got, _kfold_mse(make_model, X, y, k), f"With k={k}, the mean validation MSE", tol=1e-6,
                         advice="Each fold's model must be scored on the rows it was not trained on.")


class LassoZeros(Exercise):
    title = "Count the coefficients Lasso zeroes"
    hints = (
        "Scale first: make_pipeline(StandardScaler(), Lasso(alpha=alpha)).fit(X, y).",
        "The fitted Lasso is the last step: model[-1].coef_. Count the entries that are exactly 0.",
        "Return an int, e.g. int(np.sum(coef == 0)).",
    )
    solution = """```python
def lasso_zeros(X, y, alpha):
    model = make_pipeline(StandardScaler(), Lasso(alpha=alpha)).fit(X, y)
    return int(np.sum(model[-1].coef_ == 0))
```
The L1 penalty has a corner at zero, so coordinate descent sets a coefficient to exactly
0 when its feature does not reduce the loss by more than alpha per unit of weight."""
    # Plausible mistake: Lasso on unscaled features.
    wrong_answer = staticmethod(lambda X, y, alpha: int(np.sum(_lasso_coef(X, y, alpha, scale=False) == 0)))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "lasso_zeros")
        rng = np.random.default_rng(8)
        X = rng.normal(size=(80, 8)) * np.array([1, 10, 100, 0.1, 1, 1000, 5, 0.5])
        y = 3 * X[:, 0] + 0.2 * X[:, 1] - 0.01 * X[:, 2] + 20 * X[:, 3] + rng.normal(0, 1, 80)
        for alpha in (0.05, 0.5, 2.0):
            got = fn(X, y, alpha)
            if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
                raise Incorrect(f"lasso_zeros should return an int, got {type(got).__name__}.")
            want = int(np.sum(_lasso_coef(X, y, alpha) == 0))
            if int(got) != want:
                raise Incorrect(f"With alpha={alpha}, {int(got)} zeroed coefficients is not right. "
                                "Did you scale the features first?")


def _lasso_coef(X, y, alpha, scale=True):
    from sklearn.linear_model import Lasso

    Xs = (X - X.mean(axis=0)) / X.std(axis=0) if scale else X
    return Lasso(alpha=alpha, max_iter=10_000).fit(Xs, y).coef_


poly_errors = PolyErrors()
diagnose = Diagnose()
elastic_net_objective = ElasticNetObjective()
ridge_closed_form = RidgeClosedForm()
kfold_mse = KFoldMSE()
lasso_zeros = LassoZeros()
EXERCISES = register(globals())
