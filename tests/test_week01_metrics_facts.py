"""Week 01: the figures the lesson's prose quotes for its worked metric cases hold.

The screening case (TP=270, FN=280, FP=2000, TN=12000) and the multilabel tagger
(TP=50, FP=10, FN=5) are printed by the lesson's cells; the prose around them repeats
the numbers, and these tests keep both in step with the arithmetic.
"""
from __future__ import annotations

import numpy as np
import pytest

TP, FN, FP, TN = 270, 280, 2000, 12000


def test_screening_case_figures():
    """Protects: accuracy 0.8433, sensitivity 0.4909, specificity 0.8571, precision 0.1189,
    F1 0.1915 (0.1914 from rounded inputs), balanced accuracy 0.6740, 'about 25 to 1',
    0.962 for calling everybody healthy, one healthy person in seven flagged."""
    accuracy = (TP + TN) / (TP + FN + FP + TN)
    sens, spec, prec = TP / (TP + FN), TN / (TN + FP), TP / (TP + FP)
    f1 = 2 * prec * sens / (prec + sens)
    assert [round(v, 4) for v in (accuracy, sens, spec, prec, f1)] == [0.8433, 0.4909, 0.8571, 0.1189, 0.1915]
    p4, r4 = round(prec, 4), round(sens, 4)
    assert round(2 * p4 * r4 / (p4 + r4), 4) == 0.1914
    assert round((sens + spec) / 2, 4) == 0.6740
    assert round((FP + TN) / (TP + FN)) == 25
    assert round((FP + TN) / (TP + FN + FP + TN), 3) == 0.962
    assert round((FP + TN) / FP) == 7


def test_micro_case_figures_and_single_label_identity():
    """Protects: micro P 0.833, R 0.909, F1 0.870 for the tagger; and the lesson's claim that
    for single-label data micro precision = recall = F1 = accuracy."""
    p, r = 50 / 60, 50 / 55
    assert [round(v, 3) for v in (p, r, 2 * p * r / (p + r))] == [0.833, 0.909, 0.870]
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, 300)
    y_pred = np.where(rng.random(300) < 0.6, y_true, rng.integers(0, 4, 300))
    micro = precision_recall_fscore_support(y_true, y_pred, average="micro")[:3]
    assert micro == pytest.approx([accuracy_score(y_true, y_pred)] * 3)


def test_out_of_bag_share():
    """Protects: 'roughly a third of the rows' are left out of a bootstrap sample."""
    for n in (100, 426, 10_000):
        assert 0.36 < (1 - 1 / n) ** n < 0.37


def test_diamond_line_claims():
    """Protects section 9's reading of the carat-only line (lesson seed and split): R² above 0.8,
    some cheap stones (all below the median price) get negative predictions, and the most
    expensive stones are predicted too low on average (not too high)."""
    import mlops_course as mc
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import r2_score
    from sklearn.model_selection import train_test_split

    seed = mc.setup()
    diamonds = mc.load_dataset("diamonds").sample(5_000, random_state=seed)
    X_tr, X_te, y_tr, y_te = train_test_split(diamonds[["carat"]], diamonds["price"], test_size=0.25,
                                              random_state=seed)
    pred = LinearRegression().fit(X_tr, y_tr).predict(X_te)
    assert r2_score(y_te, pred) > 0.8
    assert (pred < 0).sum() > 0 and y_te[pred < 0].max() < y_te.median()
    assert (y_te - pred)[y_te >= y_te.quantile(0.9)].mean() > 0
