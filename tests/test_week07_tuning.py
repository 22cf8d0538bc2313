"""Week 07 quiz: the hidden value tests accept any correct method and reject plausible mistakes.

The code tasks are checked against values the hidden tests recompute, with tight
tolerances. These tests run the quiz's own cells in one namespace (no kernel): each
alternative answer goes through the visible form test and the hidden value test of its task.
"""
from __future__ import annotations

import nbformat
import pytest

from mlops_course import paths
from mlops_course.quizcells import grade_id

QUIZ = paths.QUIZZES_DIR / "07_tuning" / "quiz.ipynb"

CV_FOLDS = "cross_validate(DecisionTreeClassifier(max_depth=4, random_state=0), X_cancer, y_cancer, cv={cv}, return_train_score=True)"
Q9 = "_s = " + CV_FOLDS + "\nmean_train_score = float(_s['{a}'].mean()); mean_val_score = float(_s['{b}'].mean())"
Q10 = ("_g = GridSearchCV(svm, param_grid, cv={cv}).fit({X}, {y})\nbest_params = {params}\n"
       "best_cv_score = float(_g.best_score_)\n"
       "test_accuracy = float(svm.set_params(**best_params).fit(X_train, y_train).score(X_test, y_test))")
Q11 = ("from sklearn.metrics import precision_recall_fscore_support\n"
       "def micro_scores(a, b):\n    p, r, f, _ = precision_recall_fscore_support(a, b, average='{avg}', zero_division=0)\n"
       "    return float(p), float(r), float(f)")

ACCEPTED = {
    "q9 with cross_validate": ("q9", Q9.format(cv="cv", a="train_score", b="test_score")),
    "q9 with a fresh equal splitter": ("q9", Q9.format(cv="StratifiedKFold(5, shuffle=True, random_state=0)",
                                                      a="train_score", b="test_score")),
    "q10 best_params_ of the search": ("q10", Q10.format(cv="inner_cv", X="X_train", y="y_train", params="_g.best_params_")),
    "q10 another tied best setting": ("q10", Q10.format(cv="inner_cv", X="X_train", y="y_train",
                                                       params="{'svc__C': 10, 'svc__gamma': 'auto', 'svc__kernel': 'rbf'}")),
    "q11 sklearn micro average": ("q11", Q11.format(avg="micro")),
}
REJECTED = {
    "q9 folds without shuffling": ("q9", Q9.format(cv="5", a="train_score", b="test_score")),
    "q9 train and validation swapped": ("q9", Q9.format(cv="cv", a="test_score", b="train_score")),
    "q10 searched on all rows (test leak)": ("q10", Q10.format(cv="inner_cv", X="X_wine", y="y_wine", params="_g.best_params_")),
    "q10 other folds": ("q10", Q10.format(cv="5", X="X_train", y="y_train", params="_g.best_params_")),
    "q10 a setting that is not best": ("q10", Q10.format(cv="inner_cv", X="X_train", y="y_train",
                                                        params="{'svc__C': 1, 'svc__gamma': 'scale', 'svc__kernel': 'rbf'}")),
    "q11 macro average": ("q11", Q11.format(avg="macro")),
    "q11 samples average": ("q11", Q11.format(avg="samples")),
}


@pytest.fixture(scope="module")
def cells() -> dict[str, str]:
    nb = nbformat.read(QUIZ, as_version=4)
    return {grade_id(c): c.source for c in nb.cells}


def run(cells: dict[str, str], task: str, answer: str) -> None:
    ns: dict = {}
    for gid in ("setup", "q9_data", "q10_data"):
        exec(cells[gid], ns)
    exec(answer, ns)
    exec(cells[f"{task}_form"], ns)
    exec(cells[f"{task}_values"], ns)


@pytest.mark.parametrize("name", ACCEPTED)
def test_correct_methods_are_accepted(cells, name):
    """Protects: any correct way of computing a code task's answer gets the points."""
    task, answer = ACCEPTED[name]
    run(cells, task, answer)


@pytest.mark.parametrize("name", REJECTED)
def test_plausible_mistakes_are_rejected(cells, name):
    """Protects: a plausible wrong answer loses the value points (AssertionError from a test cell)."""
    task, answer = REJECTED[name]
    with pytest.raises(AssertionError):
        run(cells, task, answer)


def test_source_solutions_pass(cells):
    """Protects: the quiz's own solutions pass their form and value tests in this harness too."""
    from mlops_course.instructor.examples import solved

    nb = nbformat.read(QUIZ, as_version=4)
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in ("q9", "q10", "q11"):
            run(cells, gid, solved(cell))
