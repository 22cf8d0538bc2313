"""Week 07 quiz: the hidden tests of each code task accept every correct method and
reject the plausible mistakes (helpers.judge_answer runs the quiz's setup and data
cells, the answer, then the item's graded tests)."""
from __future__ import annotations

import pytest

from helpers import assert_judged, judged_named

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


# Q10: a search, then a score on the test part.
Q10 = """s = GridSearchCV(knn, param_grid, scoring={scoring}, cv={cv}).fit({X}, {y})
best_params = {params}
best_cv_f1 = float(s.best_score_)
test_f1 = {test}
"""
F1_TEST = ("float(__import__('sklearn.metrics', fromlist=['f1_score']).f1_score("
           "y_test, s.best_estimator_.predict(X_test), average='{avg}'))")


def q10(scoring='"f1_macro"', cv="inner_cv", X="X_train", y="y_train", params="s.best_params_",
        test=F1_TEST.format(avg="macro")):
    return Q10.format(scoring=scoring, cv=cv, X=X, y=y, params=params, test=test)


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

ACCEPTED = {
    "q9 cross_validate with the MAE scorer": ("q9", q9()),
    "q9 a fresh splitter equal to cv": ("q9", q9(cv="KFold(5, shuffle=True, random_state=0)")),
    "q9 manual folds with mean_absolute_error": ("q9", Q9_MANUAL),
    "q9 a pandas table and idxmin": ("q9", Q9_PANDAS),
    "q9 validation_curve over max_depth": ("q9", Q9_VALIDATION_CURVE),
    "q9 GridSearchCV's cv_results_ with train scores": ("q9", Q9_GRID),
    "q10 best_params_ and f1_score on the test part": ("q10", q10()),
    "q10 the search's own scorer on the test part": ("q10", q10(test="float(s.score(X_test, y_test))")),
    "q10 refitted by hand from best_params_": ("q10", q10(
        test="float(__import__('sklearn.metrics', fromlist=['f1_score']).f1_score(y_test, make_pipeline("
             "StandardScaler(), KNeighborsClassifier()).set_params(**s.best_params_).fit(X_train, y_train)"
             ".predict(X_test), average='macro'))")),
    "q10 make_scorer(f1_score, average='macro')": ("q10", q10(
        scoring="__import__('sklearn.metrics', fromlist=['make_scorer']).make_scorer("
                "__import__('sklearn.metrics', fromlist=['f1_score']).f1_score, average='macro')")),
    "q10 multi-metric search refitted on macro F1": ("q10", q10(
        scoring='{"f1": "f1_macro", "acc": "accuracy"}, refit="f1"', test=F1_TEST.format(avg="macro"))),
    "q11 sklearn macro average": ("q11", Q11_SKLEARN.format(avg="macro")),
    "q11 a loop over the labels with precision and recall": ("q11", Q11_LOOP),
}
REJECTED = {
    "q9 the highest MAE (sign not flipped before argmax)": ("q9", q9(pick="argmax")),
    "q9 the default R2 scorer": ("q9", q9(scoring="None", pick="argmin")),
    "q9 gap with the wrong sign": ("q9", q9(gap="train[i] - val[i]")),
    "q9 training and validation swapped": ("q9", q9(gap="val[i] - train[i]").replace('-r["test_score"]', "TMP")
                                           .replace('-r["train_score"]', '-r["test_score"]').replace("TMP", '-r["train_score"]')),
    "q9 folds without shuffling": ("q9", q9(cv="5")),
    "q9 the depth with the smallest gap": ("q9", q9().replace("i = int(np.argmin(val))",
                                                             "i = int(np.argmin(np.array(val) - np.array(train)))")),
    "q9 RMSE instead of MAE": ("q9", q9(scoring='"neg_root_mean_squared_error"')),
    "q9 training MAE of one model fitted on all rows": ("q9", Q9_FULL_FIT_TRAIN),
    "q10 chosen by accuracy (default scoring)": ("q10", q10(scoring="None")),
    "q10 searched on all rows (test leak)": ("q10", q10(X="X_wine", y="y_wine")),
    "q10 other folds": ("q10", q10(cv="5")),
    "q10 a setting that is not best": ("q10", q10(
        params="{'kneighborsclassifier__n_neighbors': 1, 'kneighborsclassifier__weights': 'uniform'}")),
    "q10 the runner-up setting": ("q10", q10(
        params="{'kneighborsclassifier__n_neighbors': 25, 'kneighborsclassifier__weights': 'uniform'}")),
    "q10 chosen by weighted F1": ("q10", q10(scoring='"f1_weighted"', test=F1_TEST.format(avg="weighted"))),
    "q10 test F1 on the training part": ("q10", q10(
        test="float(__import__('sklearn.metrics', fromlist=['f1_score']).f1_score(y_train, s.predict(X_train), average='macro'))")),
    "q10 weighted F1 on the test part": ("q10", q10(test=F1_TEST.format(avg="weighted"))),
    "q10 the CV score reported as the test score": ("q10", q10(test="float(s.best_score_)")),
    "q11 micro average (pooled counts)": ("q11", Q11_MICRO),
    "q11 sklearn micro average": ("q11", Q11_SKLEARN.format(avg="micro")),
    "q11 sklearn weighted average": ("q11", Q11_SKLEARN.format(avg="weighted")),
    "q11 F1 of the macro precision and recall": ("q11", Q11_P_R_FIRST),
    "q11 averaged over examples instead of labels": ("q11", Q11_BY_ROW),
    "q11 sklearn samples average": ("q11", Q11_SKLEARN.format(avg="samples")),
}


@pytest.mark.parametrize("item, answer, right", judged_named(ACCEPTED, REJECTED))
def test_each_answer_is_judged_as_an_expert_would(item, answer, right):
    assert_judged(WEEK, item, answer, right)
