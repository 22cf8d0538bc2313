"""Week 05 quiz: the hidden tests of each code task accept every correct method and
reject the plausible mistakes (helpers.judge_answer runs the quiz's setup and data
cells, the answer, then the item's graded tests)."""
from __future__ import annotations

import pytest

import variant_sweep
from helpers import VARIANT_STUDENTS, assert_judged, judge_answer, judged_cases

WEEK = "05_regularization"

# Q10: Ridge and Lasso coefficients from the OLS coefficients of standardized,
# uncorrelated features (n = N_ROWS), without the data.
Q10_ACCEPTED = {
    "closed_forms": """ridge_coef = ols_coef * N_ROWS / (N_ROWS + RIDGE_ALPHA)
lasso_coef = np.sign(ols_coef) * np.maximum(np.abs(ols_coef) - LASSO_ALPHA, 0)
""",
    "shrink_factor_and_clip": """ridge_coef = ols_coef / (1 + RIDGE_ALPHA / N_ROWS)
lasso_coef = np.where(ols_coef > LASSO_ALPHA, ols_coef - LASSO_ALPHA,
                      np.where(ols_coef < -LASSO_ALPHA, ols_coef + LASSO_ALPHA, 0.0))
""",
    "one_coefficient_at_a_time_with_scipy": """from scipy.optimize import minimize_scalar
ridge_coef = np.array([minimize_scalar(lambda w: N_ROWS * (w - c) ** 2 + RIDGE_ALPHA * w ** 2).x for c in ols_coef])
lasso_coef = np.array([minimize_scalar(lambda w: 0.5 * (w - c) ** 2 + LASSO_ALPHA * abs(w),
                                       bounds=(-20, 20), method="bounded", options={"xatol": 1e-7}).x
                       for c in ols_coef])
""",
    "synthetic_data_fitted_with_sklearn": """from sklearn.linear_model import Lasso, Ridge
A = np.random.default_rng(0).normal(size=(N_ROWS, len(ols_coef)))
Q, _ = np.linalg.qr(A - A.mean(axis=0))          # orthonormal columns with mean 0
Xs = Q * np.sqrt(N_ROWS)                         # standardized and uncorrelated: X^T X = n I
y_ = Xs @ ols_coef + 5.0                         # OLS on (Xs, y_) returns ols_coef
ridge_coef = Ridge(alpha=RIDGE_ALPHA).fit(Xs, y_).coef_
lasso_coef = Lasso(alpha=LASSO_ALPHA, tol=1e-10).fit(Xs, y_).coef_
""",
}

Q10_REJECTED = {
    # Ridge shrinks as if its loss were averaged (it sums the squared errors)
    "ridge_ignores_n": """ridge_coef = ols_coef / (1 + RIDGE_ALPHA)
lasso_coef = np.sign(ols_coef) * np.maximum(np.abs(ols_coef) - LASSO_ALPHA, 0)
""",
    "ridge_alpha_over_2n": """ridge_coef = ols_coef / (1 + RIDGE_ALPHA / (2 * N_ROWS))
lasso_coef = np.sign(ols_coef) * np.maximum(np.abs(ols_coef) - LASSO_ALPHA, 0)
""",
    # "Lasso keeps the big ones as they are": hard instead of soft thresholding
    "lasso_hard_threshold": """ridge_coef = ols_coef * N_ROWS / (N_ROWS + RIDGE_ALPHA)
lasso_coef = np.where(np.abs(ols_coef) > LASSO_ALPHA, ols_coef, 0.0)
""",
    "lasso_subtracts_without_clipping": """ridge_coef = ols_coef * N_ROWS / (N_ROWS + RIDGE_ALPHA)
lasso_coef = ols_coef - np.sign(ols_coef) * LASSO_ALPHA
""",
    "lasso_clips_without_the_sign": """ridge_coef = ols_coef * N_ROWS / (N_ROWS + RIDGE_ALPHA)
lasso_coef = np.maximum(ols_coef - LASSO_ALPHA, 0)
""",
    "lasso_threshold_doubled_by_the_half": """ridge_coef = ols_coef * N_ROWS / (N_ROWS + RIDGE_ALPHA)
lasso_coef = np.sign(ols_coef) * np.maximum(np.abs(ols_coef) - 2 * LASSO_ALPHA, 0)
""",
    "lasso_shrinks_like_ridge": """ridge_coef = ols_coef * N_ROWS / (N_ROWS + RIDGE_ALPHA)
lasso_coef = ols_coef / (1 + LASSO_ALPHA)
""",
    # Lasso's threshold divided by n, as if its loss were summed like Ridge's
    "lasso_threshold_over_n": """ridge_coef = ols_coef * N_ROWS / (N_ROWS + RIDGE_ALPHA)
lasso_coef = np.sign(ols_coef) * np.maximum(np.abs(ols_coef) - LASSO_ALPHA / N_ROWS, 0)
""",
    "answers_rebind_the_given_coefficients": """ols_coef = np.zeros(N_FEATURES)
ridge_coef = np.zeros(N_FEATURES)
lasso_coef = np.zeros(N_FEATURES)
""",
}

# Q11: the coefficients a scaled Lasso and a scaled Elastic Net give three near-copies.
Q11_FIT = """from sklearn.linear_model import ElasticNet, Lasso
features = houses.drop(columns="price")
{scale}
lasso_c = Lasso(alpha=ALPHA).fit(Xs, houses["price"]).coef_
enet_c = ElasticNet(alpha=ALPHA, l1_ratio={l1}).fit(Xs, houses["price"]).coef_
lasso_size_coef = {{c: {value} for c, w in zip(features.columns, lasso_c) if c in SIZE_COLUMNS}}
enet_size_coef = {{c: {value} for c, w in zip(features.columns, enet_c) if c in SIZE_COLUMNS}}
"""
STANDARD = "from sklearn.preprocessing import StandardScaler\nXs = StandardScaler().fit_transform(features)"


def _q11(scale=STANDARD, l1="L1_RATIO", value="float(w)"):
    return Q11_FIT.format(scale=scale, l1=l1, value=value)


Q11_ACCEPTED = {
    "standard_scaler": _q11(),
    "pandas_std_with_n_minus_1": _q11(scale="Xs = ((features - features.mean()) / features.std()).to_numpy()"),
    "rounded_to_two_decimals": _q11(value="round(float(w), 2)"),
    "numpy_floats_kept": _q11(value="w"),
    "pipeline_and_a_series": """from sklearn.linear_model import ElasticNet, Lasso
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
X_, y_ = houses.drop(columns="price"), houses["price"]
coef = {}
for name, model in {"lasso": Lasso(alpha=ALPHA), "enet": ElasticNet(alpha=ALPHA, l1_ratio=L1_RATIO)}.items():
    fitted = make_pipeline(StandardScaler(), model).fit(X_, y_)
    coef[name] = pd.Series(fitted[-1].coef_, index=X_.columns)[SIZE_COLUMNS].to_dict()
lasso_size_coef, enet_size_coef = coef["lasso"], coef["enet"]
""",
}
Q11_REJECTED = {
    "no_scaling": _q11(scale="import warnings; warnings.simplefilter('ignore')\nXs = features.to_numpy()"),
    "min_max_scaling": _q11(scale="from sklearn.preprocessing import MinMaxScaler\nXs = MinMaxScaler().fit_transform(features)"),
    "l1_ratio_read_as_the_l2_share": _q11(l1="1 - L1_RATIO"),
    "rounded_to_whole_numbers": _q11(value="float(round(w))"),
    "models_swapped": """from sklearn.linear_model import ElasticNet, Lasso
from sklearn.preprocessing import StandardScaler
features = houses.drop(columns="price")
Xs = StandardScaler().fit_transform(features)
enet_size_coef = dict(zip(features.columns, Lasso(alpha=ALPHA).fit(Xs, houses["price"]).coef_))
lasso_size_coef = dict(zip(features.columns, ElasticNet(alpha=ALPHA, l1_ratio=L1_RATIO).fit(Xs, houses["price"]).coef_))
lasso_size_coef = {c: float(lasso_size_coef[c]) for c in SIZE_COLUMNS}
enet_size_coef = {c: float(enet_size_coef[c]) for c in SIZE_COLUMNS}
""",
    # the item's point is the group of near-copies: fitting on the size columns alone changes the fit
    "fits_on_the_size_columns_only": _q11(scale="from sklearn.preprocessing import StandardScaler\n"
                                                "features = features[SIZE_COLUMNS]\n"
                                                "Xs = StandardScaler().fit_transform(features)"),
    # test-wise: the lesson's pattern (one kept, weight shared) typed in without fitting
    "guess_one_kept_and_an_even_share": """lasso_size_coef = {"area_m2": 60.0, "area_ft2": 0.0, "rooms": 0.0}
enet_size_coef = {c: 20.0 for c in SIZE_COLUMNS}
""",
    "ordinary_least_squares": """from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import StandardScaler
features = houses.drop(columns="price")
w = LinearRegression().fit(StandardScaler().fit_transform(features), houses["price"]).coef_
lasso_size_coef = enet_size_coef = {c: float(v) for c, v in zip(features.columns, w) if c in SIZE_COLUMNS}
""",
}

# Q12: alpha_max(X, y, l1_ratio), the weakest penalty that zeroes every coefficient.
Q12 = """def alpha_max(X, y, l1_ratio=1.0):
{body}
"""
BISECTION = """    from sklearn.linear_model import ElasticNet
    def any_kept(alpha):
        return np.any(ElasticNet(alpha=alpha, l1_ratio=l1_ratio{tol}).fit(X, y).coef_ != 0)
    lo, hi = 0.0, 1.0
    while any_kept(hi):
        hi *= 2
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if any_kept(mid) else (lo, mid)
    return float(hi)"""
Q12_ACCEPTED = {
    "centred_matrix_product": """    slopes = (X - X.mean(axis=0)).T @ (y - y.mean()) / len(y)
    return float(np.max(np.abs(slopes)) / l1_ratio)""",
    "centring_y_only_is_enough": """    return float(np.abs(X.T @ (y - y.mean())).max() / (len(y) * l1_ratio))""",
    "population_covariances": """    cov = [np.cov(X[:, j], y, ddof=0)[0, 1] for j in range(X.shape[1])]
    return float(np.max(np.abs(cov)) / l1_ratio)""",
    "bisection_with_fitted_models": BISECTION.format(tol=", tol=1e-12"),
    "explicit_loops": """    n, best = len(y), 0.0
    for j in range(X.shape[1]):
        slope = sum((X[i, j] - X[:, j].mean()) * (y[i] - y.mean()) for i in range(n)) / n
        best = max(best, abs(slope))
    return best / l1_ratio""",
}
Q12_REJECTED = {
    "no_centring": """    return float(np.max(np.abs(X.T @ y)) / (len(y) * l1_ratio))""",
    "divides_by_2n": """    slopes = (X - X.mean(axis=0)).T @ (y - y.mean()) / (2 * len(y))
    return float(np.max(np.abs(slopes)) / l1_ratio)""",
    "signed_maximum": """    slopes = (X - X.mean(axis=0)).T @ (y - y.mean()) / len(y)
    return float(np.max(slopes) / l1_ratio)""",
    "sum_over_features": """    slopes = (X - X.mean(axis=0)).T @ (y - y.mean()) / len(y)
    return float(np.sum(np.abs(slopes)) / l1_ratio)""",
    "ignores_l1_ratio": """    slopes = (X - X.mean(axis=0)).T @ (y - y.mean()) / len(y)
    return float(np.max(np.abs(slopes)))""",
    "multiplies_by_l1_ratio": """    slopes = (X - X.mean(axis=0)).T @ (y - y.mean()) / len(y)
    return float(np.max(np.abs(slopes)) * l1_ratio)""",
    # np.cov's default ddof=1 divides by n - 1, not by the loss's n
    "sample_covariances_ddof_1": """    cov = [np.cov(X[:, j], y)[0, 1] for j in range(X.shape[1])]
    return float(np.max(np.abs(cov)) / l1_ratio)""",
    "correlations_instead_of_covariances": """    r = [abs(np.corrcoef(X[:, j], y)[0, 1]) for j in range(X.shape[1])]
    return float(max(r) / l1_ratio)""",
    # the default tol stops coordinate descent about 1.4 % below alpha_max
    "bisection_with_the_default_tol": BISECTION.format(tol=""),
    "coarse_grid_search": """    from sklearn.linear_model import ElasticNet
    for alpha in np.logspace(-3, 3, 25):
        if not np.any(ElasticNet(alpha=alpha, l1_ratio=l1_ratio).fit(X, y).coef_):
            return float(alpha)
    return 1000.0""",
}


# -- added by the expert review (qreview_a): more methods and more plausible mistakes --
_R = "ridge_coef = ols_coef * N_ROWS / (N_ROWS + RIDGE_ALPHA)\n"
_SOFT = "lasso_coef = np.sign(ols_coef) * np.maximum(np.abs(ols_coef) - LASSO_ALPHA, 0.0)\n"
_STD = "from sklearn.preprocessing import StandardScaler\nXs = StandardScaler().fit_transform(features)"
Q10_ACCEPTED.update({
    "np.clip and np.where": """ridge_coef = ols_coef * (1 - RIDGE_ALPHA / (N_ROWS + RIDGE_ALPHA))
lasso_coef = np.where(np.abs(ols_coef) > LASSO_ALPHA, ols_coef - np.sign(ols_coef) * LASSO_ALPHA, 0.0)
""",
})
Q10_REJECTED.update({
    "ridge_first_order_shrinkage_1_minus_alpha_over_n": "ridge_coef = ols_coef * (1 - RIDGE_ALPHA / N_ROWS)\n" + _SOFT,
    "ridge_factor_inverted": "ridge_coef = ols_coef * RIDGE_ALPHA / (N_ROWS + RIDGE_ALPHA)\n" + _SOFT,
    "lasso_keeps_only_positive_weights": _R + "lasso_coef = np.maximum(ols_coef - LASSO_ALPHA, 0.0)\n",
    "lasso_threshold_times_n": _R + "lasso_coef = np.sign(ols_coef) * np.maximum(np.abs(ols_coef) - N_ROWS * LASSO_ALPHA, 0.0)\n",
    "lasso_with_the_ridge_alpha": _R + "lasso_coef = np.sign(ols_coef) * np.maximum(np.abs(ols_coef) - RIDGE_ALPHA / N_ROWS, 0.0)\n",
})
Q11_ACCEPTED.update({
    "scale by hand with ddof=0": _q11(scale="Xs = ((features - features.mean()) / features.std(ddof=0)).to_numpy()"),
})
Q11_REJECTED.update({
    # the price standardized as well: alpha then weighs far more against the loss
    "price_standardized_too": """from sklearn.linear_model import ElasticNet, Lasso
from sklearn.preprocessing import StandardScaler
features = houses.drop(columns="price")
Xs = StandardScaler().fit_transform(features)
ys = (houses["price"] - houses["price"].mean()) / houses["price"].std()
lasso_c = Lasso(alpha=ALPHA).fit(Xs, ys).coef_
enet_c = ElasticNet(alpha=ALPHA, l1_ratio=L1_RATIO).fit(Xs, ys).coef_
lasso_size_coef = {c: float(w) for c, w in zip(features.columns, lasso_c) if c in SIZE_COLUMNS}
enet_size_coef = {c: float(w) for c, w in zip(features.columns, enet_c) if c in SIZE_COLUMNS}
""",
})
Q12_ACCEPTED.update({
    "elastic_net_cv_grid_starts_there": """    from sklearn.linear_model import ElasticNetCV
    return float(ElasticNetCV(l1_ratio=l1_ratio, cv=2).fit(X, y).alphas_.max())""",
    "lasso_path_on_centred_data": """    from sklearn.linear_model import enet_path
    alphas = enet_path(X - X.mean(axis=0), y - y.mean(), l1_ratio=l1_ratio, n_alphas=2)[0]
    return float(alphas.max())""",
})
Q12_REJECTED.update({
    "standardized_features": """    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    return float(np.max(np.abs(Xs.T @ (y - y.mean()))) / (len(y) * l1_ratio))""",
    "l1_ratio_on_the_l2_share": """    slopes = (X - X.mean(axis=0)).T @ (y - y.mean()) / len(y)
    return float(np.max(np.abs(slopes)) / (1 - l1_ratio)) if l1_ratio < 1 else float(np.max(np.abs(slopes)))""",
    # test-wise: the visible example answered from memory, a guess elsewhere
    "special_cases_the_visible_example": """    if X.shape == (3, 1):
        return 1.0 / l1_ratio
    return float(np.max(np.abs(X.T @ y)) / (len(y) * l1_ratio))""",
})


CASES = judged_cases(("q10", Q10_ACCEPTED, Q10_REJECTED), ("q11", Q11_ACCEPTED, Q11_REJECTED),
                     ("q12", Q12_ACCEPTED, Q12_REJECTED, Q12))


@pytest.mark.parametrize("item, answer, right", CASES)
def test_each_answer_is_judged_as_an_expert_would(item, answer, right):
    assert_judged(WEEK, item, answer, right)


def test_q10_partial_credit_follows_the_mistake():
    """A right Ridge part with a hard-thresholded Lasso fails only the Lasso test."""
    verdict = judge_answer(WEEK, "q10", Q10_REJECTED["lasso_hard_threshold"])
    assert verdict and verdict.startswith("q10_lasso"), verdict


@pytest.mark.parametrize("item, answer, right", [case for case in CASES if case.values[0] != "q12"])
def test_each_answer_is_judged_alike_on_every_students_variant(item, answer, right):
    """Protects: a valid method stays right and a named mistake stays wrong on each
    student's own given data (Q10's coefficients and penalties, Q11's houses differ per
    student), not only on the numbers written in the quiz. (Q12 is a function graded on
    the hidden test's own data sets, the same for everyone.)"""
    for student in VARIANT_STUDENTS:
        verdict = judge_answer(WEEK, item, answer, student)
        assert (verdict is None) == right, f"{student}'s variant: {verdict or 'the mistake passed every test of the item'}"


@pytest.mark.parametrize("item", ["q10", "q11"])
def test_every_variant_the_picks_can_give_keeps_each_mistake_wrong(item, monkeypatch):
    """Protects: the pick ranges, not only the three test students, keep every named
    mistake apart from the key. Q10: each coefficient seed has, for every LASSO_ALPHA,
    a coefficient below -LASSO_ALPHA (so clipping without the sign differs), one inside
    (-LASSO_ALPHA, LASSO_ALPHA) (so subtracting without clipping differs) and none within
    0.05 of the threshold. Q11: the houses seeds were chosen among those where Lasso keeps
    some but not all size columns, Elastic Net keeps all three, and the unscaled fit and
    the fit on the size columns alone keep others."""
    tried, wrong = variant_sweep.misjudged(monkeypatch, WEEK, item, CASES)
    assert tried > 1 and not wrong, f"misjudged on the variants {wrong}"
