"""Week 07 quiz: the hidden tests of each code task accept every correct method and
reject the plausible mistakes (helpers.judge_answer runs the quiz's setup and data
cells, the answer, then the item's graded tests)."""
from __future__ import annotations

import pytest

import variant_sweep
from helpers import VARIANT_STUDENTS, assert_judged, judge_answer, judged_cases

WEEK = "07_tuning"

# Q9: one loop over DEPTHS; {cv}, {scoring}, {pick} and {gap} are the parts students get wrong.
Q9 = """val, train = [], []
for depth in DEPTHS:
    r = cross_validate(DecisionTreeRegressor(max_depth=depth, random_state=0), X_dia, y_dia, cv={cv},
                       scoring={scoring}, return_train_score=True)
    val.append(-r["test_score"].mean()); train.append(-r["train_score"].mean())
i = int(np.{pick}(val))
best_depth = int(DEPTHS[i])
best_gap = float({gap})
"""
Q9_MANUAL = """from sklearn.metrics import mean_absolute_error
val, train = [], []
for depth in DEPTHS:
    v, t = [], []
    for tr, te in cv.split(X_dia):
        m = DecisionTreeRegressor(max_depth=depth, random_state=0).fit(X_dia.iloc[tr], y_dia.iloc[tr])
        v.append(mean_absolute_error(y_dia.iloc[te], m.predict(X_dia.iloc[te])))
        t.append(mean_absolute_error(y_dia.iloc[tr], m.predict(X_dia.iloc[tr])))
    val.append(np.mean(v)); train.append(np.mean(t))
best_depth = DEPTHS[int(np.argmin(val))]
best_gap = val[int(np.argmin(val))] - train[int(np.argmin(val))]
"""
Q9_PANDAS = """import pandas as pd
rows = {d: cross_validate(DecisionTreeRegressor(max_depth=d, random_state=0), X_dia, y_dia, cv=cv,
                          scoring="neg_mean_absolute_error", return_train_score=True) for d in DEPTHS}
table = pd.DataFrame({d: {"val": -r["test_score"].mean(), "train": -r["train_score"].mean()} for d, r in rows.items()}).T
best_depth = int(table["val"].idxmin())
best_gap = float(table.loc[best_depth, "val"] - table.loc[best_depth, "train"])
"""


Q9_VALIDATION_CURVE = """from sklearn.model_selection import validation_curve
tr, va = validation_curve(DecisionTreeRegressor(random_state=0), X_dia, y_dia, param_name="max_depth",
                          param_range=DEPTHS, cv=cv, scoring="neg_mean_absolute_error")
v, t = -va.mean(axis=1), -tr.mean(axis=1)
k = int(np.argmin(v))
best_depth, best_gap = DEPTHS[k], float(v[k] - t[k])
"""
Q9_GRID = """g = GridSearchCV(DecisionTreeRegressor(random_state=0), {"max_depth": DEPTHS}, cv=cv,
                 scoring="neg_mean_absolute_error", return_train_score=True).fit(X_dia, y_dia)
best_depth = g.best_params_["max_depth"]
best_gap = float(g.cv_results_["mean_train_score"][g.best_index_] - g.cv_results_["mean_test_score"][g.best_index_])
"""
Q9_FULL_FIT_TRAIN = """from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import cross_val_score
val = [-cross_val_score(DecisionTreeRegressor(max_depth=d, random_state=0), X_dia, y_dia, cv=cv,
                        scoring="neg_mean_absolute_error").mean() for d in DEPTHS]
k = int(np.argmin(val))
best_depth = DEPTHS[k]
full = DecisionTreeRegressor(max_depth=best_depth, random_state=0).fit(X_dia, y_dia)
best_gap = float(val[k] - mean_absolute_error(y_dia, full.predict(X_dia)))
"""


def q9(cv="cv", scoring='"neg_mean_absolute_error"', pick="argmin", gap="val[i] - train[i]"):
    return Q9.format(cv=cv, scoring=scoring, pick=pick, gap=gap)


# Q10: the student's search object is the artifact. {make} builds `search`, {test} sets test_f1.
Q10 = """{make}
test_f1 = {test}
"""
SEARCH = 'GridSearchCV(knn, param_grid, scoring={scoring}, cv={cv}{extra}).fit({X}, {y})'
F1_TEST = ("float(__import__('sklearn.metrics', fromlist=['f1_score']).f1_score("
           "y_test, search.best_estimator_.predict(X_test), average='{avg}'))")


def q10(scoring='"f1_macro"', cv="inner_cv", X="X_train", y="y_train", extra="", make=None,
        test="float(search.score(X_test, y_test))"):
    make = make or "search = " + SEARCH.format(scoring=scoring, cv=cv, X=X, y=y, extra=extra)
    return Q10.format(make=make, test=test)


MACRO_SCORER = ("__import__('sklearn.metrics', fromlist=['make_scorer']).make_scorer("
                "__import__('sklearn.metrics', fromlist=['f1_score']).f1_score, average='macro')")
OWN_PIPELINE = """from sklearn.pipeline import Pipeline
steps = Pipeline([("scale", StandardScaler()), ("knn", KNeighborsClassifier())])
grid = {"knn__weights": ["distance", "uniform"], "knn__n_neighbors": sorted(NEIGHBOURS, reverse=True)}
search = GridSearchCV(steps, grid, scoring="f1_macro", cv=StratifiedKFold(5, shuffle=True, random_state=CV_SEED_10))
search.fit(X_train.to_numpy(), y_train.to_numpy())"""
RANDOMIZED_ALL = """from sklearn.model_selection import RandomizedSearchCV
search = RandomizedSearchCV(knn, param_grid, n_iter=2 * len(NEIGHBOURS), scoring="f1_macro", cv=inner_cv,
                            random_state=0).fit(X_train, y_train)"""
LAMBDA_SCORER = """from sklearn.metrics import f1_score
def macro(estimator, X, y):
    return f1_score(y, estimator.predict(X), average="macro")
search = GridSearchCV(knn, param_grid, scoring=macro, cv=inner_cv, n_jobs=1, return_train_score=True).fit(X_train, y_train)"""
BY_HAND_TEST = ("float(__import__('sklearn.metrics', fromlist=['f1_score']).f1_score(y_test, make_pipeline("
                "StandardScaler(), KNeighborsClassifier()).set_params(**search.best_params_).fit(X_train, y_train)"
                ".predict(X_test), average='macro'))")

# Hostile artifacts: a search faked without running the tool, or a tool configured to say "fine" to everything.
FAKE_CLASS = """class GridSearchCV:
    def __init__(self, *args, **kwargs): pass
    def fit(self, X, y):
        self.best_params_ = {"kneighborsclassifier__n_neighbors": NEIGHBOURS[2], "kneighborsclassifier__weights": "uniform"}
        self.cv_results_ = {"params": [self.best_params_], "mean_test_score": [1.0]}
        return self
    def score(self, X, y): return 1.0
search = GridSearchCV(knn, param_grid).fit(X_train, y_train)"""
SUBCLASS_FIT = """import sklearn.model_selection as _ms
class Search(_ms.GridSearchCV):
    def fit(self, X, y, **kw):
        self.best_params_ = {"kneighborsclassifier__n_neighbors": NEIGHBOURS[2], "kneighborsclassifier__weights": "uniform"}
        return self
search = Search(knn, param_grid, scoring="f1_macro", cv=inner_cv).fit(X_train, y_train)"""
FORGED_ATTRIBUTES = """search = GridSearchCV(knn, param_grid, scoring="f1_macro", cv=inner_cv)   # configured, never fitted
search.cv_results_ = {"params": [{"kneighborsclassifier__n_neighbors": k, "kneighborsclassifier__weights": w}
                                 for k in NEIGHBOURS for w in ("uniform", "distance")], "mean_test_score": [0.97] * 8}
search.best_params_ = search.cv_results_["params"][0]"""
UNFITTED = 'search = GridSearchCV(knn, param_grid, scoring="f1_macro", cv=inner_cv)'
SAYS_FINE = """def fine(estimator, X, y):
    return 1.0                       # every setting scores "perfect": the first one is chosen
search = GridSearchCV(knn, param_grid, scoring=fine, cv=inner_cv).fit(X_train, y_train)"""
ONE_SETTING = """from sklearn.model_selection import cross_val_score
scores = {(k, w): cross_val_score(make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=k, weights=w)),
                                  X_train, y_train, cv=inner_cv, scoring="f1_macro").mean()
          for k in NEIGHBOURS for w in ("uniform", "distance")}
k, w = max(scores, key=scores.get)
search = GridSearchCV(knn, {"kneighborsclassifier__n_neighbors": [k], "kneighborsclassifier__weights": [w]},
                      scoring="f1_macro", cv=inner_cv).fit(X_train, y_train)   # a "search" of the answer only"""
DUMMY = """from sklearn.dummy import DummyClassifier
search = GridSearchCV(make_pipeline(StandardScaler(), DummyClassifier()), {}, scoring="f1_macro", cv=inner_cv).fit(X_train, y_train)"""
STRING = 'search = "GridSearchCV(knn, param_grid, scoring=\'f1_macro\', cv=inner_cv).fit(X_train, y_train)"'
OVERWRITTEN_BEST = """search = GridSearchCV(knn, param_grid, scoring="f1_macro", cv=inner_cv).fit(X_train, y_train)
search.best_params_ = {"kneighborsclassifier__n_neighbors": NEIGHBOURS[0], "kneighborsclassifier__weights": "uniform"}"""

Q10_ACCEPTED = {
    "the search's own scorer on the test part": q10(),
    "f1_score of best_estimator_ on the test part": q10(test=F1_TEST.format(avg="macro")),
    "refitted by hand from best_params_": q10(test=BY_HAND_TEST),
    "make_scorer(f1_score, average='macro')": q10(scoring=MACRO_SCORER),
    "multi-metric search refitted on macro F1": q10(scoring='{"f1": "f1_macro", "acc": "accuracy"}', extra=', refit="f1"',
                                                    test=F1_TEST.format(avg="macro")),
    "a fresh splitter equal to inner_cv": q10(cv="StratifiedKFold(n_splits=5, shuffle=True, random_state=CV_SEED_10)"),
    "its own pipeline and step names, grid in another order, NumPy arrays": q10(make=OWN_PIPELINE,
                                                                                  test=F1_TEST.format(avg="macro")),
    "RandomizedSearchCV drawing every setting of the grid": q10(make=RANDOMIZED_ALL),
    "a scorer function of its own for macro F1": q10(make=LAMBDA_SCORER),
}
Q10_REJECTED = {
    "chosen by accuracy (default scoring)": q10(scoring="None"),
    "chosen by weighted F1": q10(scoring='"f1_weighted"', test=F1_TEST.format(avg="weighted")),
    "searched on all rows (test leak)": q10(X="X_wine", y="y_wine"),
    "searched on the test part": q10(X="X_test", y="y_test"),
    "other folds (unshuffled)": q10(cv="5"),
    "k nearest neighbours without scaling": q10(make="from sklearn.neighbors import KNeighborsClassifier as K\n"
                                                "search = GridSearchCV(K(), {'n_neighbors': NEIGHBOURS, 'weights': "
                                                "['uniform', 'distance']}, scoring='f1_macro', cv=inner_cv).fit(X_train, y_train)"),
    "uniform weights only": q10(make="search = GridSearchCV(knn, {'kneighborsclassifier__n_neighbors': NEIGHBOURS}, "
                                     "scoring='f1_macro', cv=inner_cv).fit(X_train, y_train)"),
    "test F1 on the training part": q10(test="float(search.score(X_train, y_train))"),
    "weighted F1 on the test part": q10(test=F1_TEST.format(avg="weighted")),
    "the CV score reported as the test score": q10(test="float(search.best_score_)"),
    "hostile: a hand-written class that imitates GridSearchCV": q10(make=FAKE_CLASS),
    "hostile: a GridSearchCV subclass whose fit runs nothing": q10(make=SUBCLASS_FIT, test="0.97"),
    "hostile: results written by hand on a search never fitted": q10(make=FORGED_ATTRIBUTES, test=BY_HAND_TEST),
    "hostile: configured right but never fitted": q10(make=UNFITTED, test="0.97"),
    "hostile: a scorer that answers 'perfect' to every setting": q10(make=SAYS_FINE),
    "hostile: the answer found elsewhere, then a grid of that one setting": q10(make=ONE_SETTING),
    "hostile: a model that predicts one class for everything": q10(make=DUMMY, test="0.97"),
    "hostile: the search's code as a string": q10(make=STRING, test="0.97"),
    "hostile: best_params_ overwritten after fitting": q10(make=OVERWRITTEN_BEST, test=BY_HAND_TEST),
}


Q11_SKLEARN = """from sklearn.metrics import f1_score
def macro_f1(Y_true, Y_pred):
    return float(f1_score(Y_true, Y_pred, average="{avg}"))
"""
Q11_LOOP = """def macro_f1(Y_true, Y_pred):
    Y_true, Y_pred = np.asarray(Y_true), np.asarray(Y_pred)
    scores = []
    for j in range(Y_true.shape[1]):
        tp = np.sum((Y_true[:, j] == 1) & (Y_pred[:, j] == 1))
        p = tp / np.sum(Y_pred[:, j] == 1)
        r = tp / np.sum(Y_true[:, j] == 1)
        scores.append(2 * p * r / (p + r))
    return float(np.mean(scores))
"""
Q11_P_R_FIRST = """def macro_f1(Y_true, Y_pred):
    Y_true, Y_pred = np.asarray(Y_true), np.asarray(Y_pred)
    tp = (Y_true * Y_pred).sum(axis=0)
    p = np.mean(tp / Y_pred.sum(axis=0)); r = np.mean(tp / Y_true.sum(axis=0))
    return float(2 * p * r / (p + r))
"""
Q11_MICRO = """def macro_f1(Y_true, Y_pred):
    Y_true, Y_pred = np.asarray(Y_true), np.asarray(Y_pred)
    tp = (Y_true * Y_pred).sum(); fp = ((1 - Y_true) * Y_pred).sum(); fn = (Y_true * (1 - Y_pred)).sum()
    return float(2 * tp / (2 * tp + fp + fn))
"""
Q11_BY_ROW = """def macro_f1(Y_true, Y_pred):
    Y_true, Y_pred = np.asarray(Y_true), np.asarray(Y_pred)
    tp = (Y_true * Y_pred).sum(axis=1); fp = ((1 - Y_true) * Y_pred).sum(axis=1); fn = (Y_true * (1 - Y_pred)).sum(axis=1)
    return float(np.mean(2 * tp / np.maximum(2 * tp + fp + fn, 1)))
"""

Q9_ACCEPTED = {
    "cross_validate with the MAE scorer": q9(),
    "a fresh splitter equal to cv": q9(cv="KFold(5, shuffle=True, random_state=CV_SEED)"),
    "manual folds with mean_absolute_error": Q9_MANUAL,
    "a pandas table and idxmin": Q9_PANDAS,
    "validation_curve over max_depth": Q9_VALIDATION_CURVE,
    "GridSearchCV's cv_results_ with train scores": Q9_GRID,
}
Q9_REJECTED = {
    "the highest MAE (sign not flipped before argmax)": q9(pick="argmax"),
    "the default R2 scorer": q9(scoring="None", pick="argmin"),
    "gap with the wrong sign": q9(gap="train[i] - val[i]"),
    "training and validation swapped": q9(gap="val[i] - train[i]").replace('-r["test_score"]', "TMP")
                                       .replace('-r["train_score"]', '-r["test_score"]').replace("TMP", '-r["train_score"]'),
    "folds without shuffling": q9(cv="5"),
    "the source's fold seed instead of the variant's": q9(cv="KFold(5, shuffle=True, random_state=0 if CV_SEED else 1)"),
    "the depth with the smallest gap": q9().replace("i = int(np.argmin(val))",
                                                    "i = int(np.argmin(np.array(val) - np.array(train)))"),
    "RMSE instead of MAE": q9(scoring='"neg_root_mean_squared_error"'),
    "training MAE of one model fitted on all rows": Q9_FULL_FIT_TRAIN,
}
Q11_ACCEPTED = {
    "sklearn macro average": Q11_SKLEARN.format(avg="macro"),
    "a loop over the labels with precision and recall": Q11_LOOP,
}
Q11_REJECTED = {
    "micro average (pooled counts)": Q11_MICRO,
    "sklearn micro average": Q11_SKLEARN.format(avg="micro"),
    "sklearn weighted average": Q11_SKLEARN.format(avg="weighted"),
    "F1 of the macro precision and recall": Q11_P_R_FIRST,
    "averaged over examples instead of labels": Q11_BY_ROW,
    "sklearn samples average": Q11_SKLEARN.format(avg="samples"),
}
GROUPS = {"q9": (Q9_ACCEPTED, Q9_REJECTED), "q10": (Q10_ACCEPTED, Q10_REJECTED), "q11": (Q11_ACCEPTED, Q11_REJECTED)}
CASES = judged_cases(*((item, accepted, rejected) for item, (accepted, rejected) in GROUPS.items()))


@pytest.mark.parametrize("item, answer, right", CASES)
def test_each_answer_is_judged_as_an_expert_would(item, answer, right):
    assert_judged(WEEK, item, answer, right)


def _verdict(item: str, answer: str, student: str) -> str | None:
    """judge_answer, with an answer that raises on this variant counted as failing (in a
    kernel its names would stay undefined)."""
    try:
        return judge_answer(WEEK, item, answer, student)
    except Exception as exc:
        return f"the answer itself raised {type(exc).__name__}: {exc}"


@pytest.mark.parametrize("student", VARIANT_STUDENTS)
@pytest.mark.parametrize("item, answer, right", CASES)
def test_each_answer_is_judged_alike_on_each_students_variant(item, answer, right, student):
    """Protects: a named mistake or a faked artifact stays wrong (and a valid method right)
    on a student's own data, not only on the quiz as written."""
    verdict = _verdict(item, answer, student)
    assert (verdict is None) == right, f"{student}: " + (verdict or "the mistake passed every test of the item")


# -- every variant the data cells can pick -------------------------------------------
@pytest.mark.parametrize("item", sorted(GROUPS))
def test_each_answer_is_judged_alike_on_every_variant_the_data_can_pick(item):
    """Protects: no setting a data cell can pick lets a named mistake pass or fails a
    valid method (q9: the unshuffled folds or the smallest gap that happen to agree; q10:
    weighted and macro F1 equal on a test part classified perfectly; q11: micro and macro
    close on a draw)."""
    accepted, rejected = GROUPS[item]
    # The hostile artifacts fail on their form, whatever the data: the source and each
    # student's variant judge them above; here only what the data can change.
    cases = {**{f"accepts {n}": (a, True) for n, a in accepted.items()},
             **{f"rejects {n}": (a, False) for n, a in rejected.items() if not n.startswith("hostile")}}
    # The source is judged by test_each_answer_is_judged_as_an_expert_would.
    wrong = variant_sweep.misjudged_on_some_variant(WEEK, item, cases, source=False)
    assert not wrong, "\n".join(wrong)


def test_q10_a_right_search_with_a_wrong_test_score_loses_only_the_test_point():
    """Protects: partial credit follows the parts: the search earns its 2 points even
    when test_f1 is measured on the training part."""
    verdict = judge_answer(WEEK, "q10", Q10_REJECTED["test F1 on the training part"])
    assert verdict and verdict.startswith("q10_test"), verdict
