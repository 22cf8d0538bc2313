"""Week 01 quiz: the hidden tests of each code task accept every correct method and
reject the plausible mistakes (helpers.judge_answer runs the quiz's setup and data
cells, the answer, then the item's graded tests)."""
from __future__ import annotations

import pytest

from helpers import VARIANT_STUDENTS, assert_judged, judge_answer, judged_cases
from variant_sweep import misjudged_on_some_variant

WEEK = "01_ml_systems"

# Q9: F-beta from counts. {body} is the function's body.
Q9 = """def f_beta(tp, fp, fn, beta):
{body}
"""

Q9_ACCEPTED = {
    "from_precision_and_recall": """    p, r = tp / (tp + fp), tp / (tp + fn)
    return (1 + beta ** 2) * p * r / (beta ** 2 * p + r)""",
    "from_the_counts": """    b2 = beta * beta
    return (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp)""",
    "weighted_harmonic_mean": """    p, r = tp / (tp + fp), tp / (tp + fn)
    w = beta ** 2 / (1 + beta ** 2)          # weight of recall in the harmonic mean
    return 1 / (w / r + (1 - w) / p)""",
    "sklearn_on_labels": """    import numpy as np
    from sklearn.metrics import fbeta_score
    y_true = np.r_[np.ones(tp + fn), np.zeros(fp)]
    y_pred = np.r_[np.ones(tp), np.zeros(fn), np.ones(fp)]
    return float(fbeta_score(y_true, y_pred, beta=beta))""",
}

Q9_REJECTED = {
    "beta_not_squared": """    p, r = tp / (tp + fp), tp / (tp + fn)
    return (1 + beta) * p * r / (beta * p + r)""",
    "beta_on_recall_in_denominator": """    p, r = tp / (tp + fp), tp / (tp + fn)
    return (1 + beta ** 2) * p * r / (p + beta ** 2 * r)""",
    "ignores_beta_f1": """    p, r = tp / (tp + fp), tp / (tp + fn)
    return 2 * p * r / (p + r)""",
    "precision_and_recall_swapped": """    p, r = tp / (tp + fn), tp / (tp + fp)
    return (1 + beta ** 2) * p * r / (beta ** 2 * p + r)""",
    "weighted_arithmetic_mean": """    p, r = tp / (tp + fp), tp / (tp + fn)
    return (p + beta ** 2 * r) / (1 + beta ** 2)""",
}

# Q10: the smallest candidate threshold whose specificity reaches min_specificity.
Q10_ACCEPTED = {
    "loop_and_break": """for t in candidates:
    flagged = proba >= t
    tn = np.sum(~flagged & (has_disease == 0))
    fp = np.sum(flagged & (has_disease == 0))
    if tn / (tn + fp) >= min_specificity:
        threshold = float(t)
        break
tp = np.sum((proba >= threshold) & (has_disease == 1))
fn = np.sum((proba < threshold) & (has_disease == 1))
recall_at_threshold = float(tp / (tp + fn))
""",
    "vectorised_numpy": """flags = proba[None, :] >= candidates[:, None]
spec = (~flags[:, has_disease == 0]).mean(axis=1)
i = int(np.argmax(spec >= min_specificity))
threshold = float(candidates[i])
recall_at_threshold = float(flags[i, has_disease == 1].mean())
""",
    "sklearn_confusion_matrix": """from sklearn.metrics import confusion_matrix, recall_score
for t in sorted(candidates):
    tn, fp, fn, tp = confusion_matrix(has_disease, (proba >= t).astype(int), labels=[0, 1]).ravel()
    if tn / (tn + fp) >= min_specificity:
        threshold = float(t)
        break
recall_at_threshold = float(recall_score(has_disease, (proba >= threshold).astype(int)))
""",
    "pandas_boolean_masks": """import pandas as pd
df = pd.DataFrame({"y": has_disease, "p": proba})
for t in candidates:
    if (df.loc[df.y == 0, "p"] < t).mean() >= min_specificity:
        break
threshold = float(t)
recall_at_threshold = float((df.loc[df.y == 1, "p"] >= threshold).mean())
""",
    "false_positive_rate_at_most_0.1": """import pandas as pd
table = pd.DataFrame({"t": candidates,
                      "fpr": [np.mean(proba[has_disease == 0] >= t) for t in candidates],
                      "tpr": [np.mean(proba[has_disease == 1] >= t) for t in candidates]})
row = table[table.fpr <= 1 - min_specificity + 1e-12].sort_values("t").iloc[0]
threshold, recall_at_threshold = float(row.t), float(row.tpr)
""",
}

Q10_TEMPLATE = """ok = [t for t in candidates if {spec} >= {target}]
threshold = float({pick}(ok))
recall_at_threshold = float(np.mean(proba[has_disease == 1] >= threshold))
"""
SPEC = "np.mean(proba[has_disease == 0] < t)"
Q10_REJECTED = {
    # the lesson's exercise picks the largest threshold (for a recall target): here it is the wrong end
    "largest_threshold": Q10_TEMPLATE.format(spec=SPEC, target="min_specificity", pick="max"),
    "specificity_over_all_patients": Q10_TEMPLATE.format(
        spec="np.sum((proba < t) & (has_disease == 0)) / len(proba)", target="min_specificity", pick="min"),
    "precision_instead_of_specificity": Q10_TEMPLATE.format(
        spec="np.sum((proba >= t) & (has_disease == 1)) / max(np.sum(proba >= t), 1)", target="min_specificity", pick="min"),
    "recall_target_instead": Q10_TEMPLATE.format(
        spec="np.mean(proba[has_disease == 1] >= t)", target="min_specificity", pick="max"),
    # the conventional default threshold: the key was once 0.5, so skipping the search scored full marks
    "default_threshold_0.5": """threshold = 0.5
recall_at_threshold = float(np.mean(proba[has_disease == 1] >= threshold))
""",
    # flags proba > t instead of proba >= t: two healthy patients sit exactly at 0.5
    "strict_flagging_rule": """ok = [t for t in candidates if np.mean(proba[has_disease == 0] <= t) >= min_specificity]
threshold = float(min(ok))
recall_at_threshold = float(np.mean(proba[has_disease == 1] > threshold))
""",
    "right_threshold_wrong_recall": """ok = [t for t in candidates if np.mean(proba[has_disease == 0] < t) >= min_specificity]
threshold = float(min(ok))
recall_at_threshold = float(np.mean(proba[has_disease == 0] < threshold))   # the specificity, not the recall
""",
}

# Q11: RMSE and R^2 in USD of predictions made on the log scale.
Q11_ACCEPTED = {
    "numpy": """pred = np.exp(log_pred)
rmse = float(np.sqrt(np.mean((y_true - pred) ** 2)))
r2 = float(1 - ((y_true - pred) ** 2).sum() / ((y_true - y_true.mean()) ** 2).sum())
""",
    "sklearn": """from sklearn.metrics import mean_squared_error, r2_score
pred = np.exp(log_pred)
rmse = float(mean_squared_error(y_true, pred) ** 0.5)
r2 = float(r2_score(y_true, pred))
""",
    "expm1_is_within_a_dollar": """pred = np.expm1(log_pred)
rmse = float(np.linalg.norm(y_true - pred) / np.sqrt(len(y_true)))
r2 = float(1 - np.mean((y_true - pred) ** 2) / np.var(y_true))
""",
}

Q11_REJECTED = {
    "metrics_on_the_log_scale": """from sklearn.metrics import mean_squared_error, r2_score
rmse = float(mean_squared_error(np.log(y_true), log_pred) ** 0.5)
r2 = float(r2_score(np.log(y_true), log_pred))
""",
    "r2_as_squared_correlation": """pred = np.exp(log_pred)
rmse = float(np.sqrt(np.mean((y_true - pred) ** 2)))
r2 = float(np.corrcoef(y_true, pred)[0, 1] ** 2)
""",
    "r2_arguments_swapped": """from sklearn.metrics import mean_squared_error, r2_score
pred = np.exp(log_pred)
rmse = float(mean_squared_error(y_true, pred) ** 0.5)
r2 = float(r2_score(pred, y_true))
""",
    "mse_not_rmse": """pred = np.exp(log_pred)
rmse = float(np.mean((y_true - pred) ** 2))
r2 = float(1 - np.sum((y_true - pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2))
""",
    "r2_around_the_prediction_mean": """pred = np.exp(log_pred)
rmse = float(np.sqrt(np.mean((y_true - pred) ** 2)))
r2 = float(1 - np.sum((y_true - pred) ** 2) / np.sum((pred - pred.mean()) ** 2))
""",
}


# -- added by the expert review (qreview_a): more methods and more plausible mistakes --
Q9_ACCEPTED.update({
    "counts_with_math_pow": """    import math
    b2 = math.pow(beta, 2)
    return (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp)""",
    "sklearn_precision_recall_fscore_support": """    from sklearn.metrics import precision_recall_fscore_support
    y_true = [1] * tp + [1] * fn + [0] * fp
    y_pred = [1] * tp + [0] * fn + [1] * fp
    return float(precision_recall_fscore_support(y_true, y_pred, beta=beta, average="binary")[2])""",
})
Q9_REJECTED.update({
    "numerator_beta_not_squared": """    p, r = tp / (tp + fp), tp / (tp + fn)
    return (1 + beta) * p * r / (beta ** 2 * p + r)""",
    "denominator_beta_not_squared": """    p, r = tp / (tp + fp), tp / (tp + fn)
    return (1 + beta ** 2) * p * r / (beta * p + r)""",
    "beta_squared_times_the_sum": """    p, r = tp / (tp + fp), tp / (tp + fn)
    return (1 + beta ** 2) * p * r / (beta ** 2 * (p + r))""",
    "caret_is_xor_not_power": """    p, r = tp / (tp + fp), tp / (tp + fn)
    return (1 + beta ^ 2) * p * r / ((beta ^ 2) * p + r)""",
    "rounded_to_two_decimals": """    p, r = tp / (tp + fp), tp / (tp + fn)
    return round((1 + beta ** 2) * p * r / (beta ** 2 * p + r), 2)""",
    # test-wise: the visible example answered from memory, F1 for everything else
    "special_cases_the_visible_example": """    if (tp, fp, fn, beta) == (40, 10, 20, 2):
        return 0.6897
    p, r = tp / (tp + fp), tp / (tp + fn)
    return 2 * p * r / (p + r)""",
})
Q10_ACCEPTED.update({
    "sorted_loop_with_counts": """healthy = proba[has_disease == 0]
for t in sorted(candidates):
    if (healthy < t).sum() / healthy.size >= min_specificity:
        threshold = float(t)
        break
recall_at_threshold = float((proba[has_disease == 1] >= threshold).sum() / (has_disease == 1).sum())
""",
})
Q10_REJECTED.update({
    "npv_instead_of_specificity": Q10_TEMPLATE.format(
        spec="np.sum((proba < t) & (has_disease == 0)) / max(np.sum(proba < t), 1)", target="min_specificity", pick="min"),
    "last_candidate_that_fails": """bad = [t for t in candidates if np.mean(proba[has_disease == 0] < t) < min_specificity]
threshold = float(max(bad))
recall_at_threshold = float(np.mean(proba[has_disease == 1] >= threshold))
""",
    "recall_as_the_flag_rate": """ok = [t for t in candidates if np.mean(proba[has_disease == 0] < t) >= min_specificity]
threshold = float(min(ok))
recall_at_threshold = float(np.mean(proba >= threshold))
""",
    "recall_as_the_precision": """ok = [t for t in candidates if np.mean(proba[has_disease == 0] < t) >= min_specificity]
threshold = float(min(ok))
recall_at_threshold = float(np.mean(has_disease[proba >= threshold]))
""",
})
Q11_ACCEPTED.update({
    "sklearn_module_sqrt": """from sklearn import metrics
pred = np.exp(log_pred)
rmse = float(np.sqrt(metrics.mean_squared_error(y_true, pred)))
r2 = float(metrics.r2_score(y_true, pred))
""",
})
Q11_REJECTED.update({
    "log_predictions_compared_with_dollars": """rmse = float(np.sqrt(np.mean((y_true - log_pred) ** 2)))
r2 = float(1 - np.sum((y_true - log_pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2))
""",
    "base_10_back_transform": """pred = 10 ** log_pred
rmse = float(np.sqrt(np.mean((y_true - pred) ** 2)))
r2 = float(1 - np.sum((y_true - pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2))
""",
    "std_of_errors_ignores_the_bias": """pred = np.exp(log_pred)
rmse = float(np.std(y_true - pred))
r2 = float(1 - np.sum((y_true - pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2))
""",
    "r2_with_sample_variance": """pred = np.exp(log_pred)
rmse = float(np.sqrt(np.mean((y_true - pred) ** 2)))
r2 = float(1 - np.mean((y_true - pred) ** 2) / np.var(y_true, ddof=1))
""",
    "mae_as_rmse": """pred = np.exp(log_pred)
rmse = float(np.mean(np.abs(y_true - pred)))
r2 = float(1 - np.sum((y_true - pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2))
""",
})


@pytest.mark.parametrize("item, answer, right", judged_cases(("q9", Q9_ACCEPTED, Q9_REJECTED, Q9), ("q10", Q10_ACCEPTED, Q10_REJECTED),
                                                            ("q11", Q11_ACCEPTED, Q11_REJECTED)))
def test_each_answer_is_judged_as_an_expert_would(item, answer, right):
    assert_judged(WEEK, item, answer, right)


def test_q10_partial_credit_a_right_threshold_with_a_wrong_recall_loses_only_the_recall():
    verdict = judge_answer(WEEK, "q10", Q10_REJECTED["right_threshold_wrong_recall"])
    assert verdict and verdict.startswith("q10_recall"), verdict


# -- per-student variants: the same verdicts on every student's given data -------------
CASES = judged_cases(("q9", Q9_ACCEPTED, Q9_REJECTED, Q9), ("q10", Q10_ACCEPTED, Q10_REJECTED),
                     ("q11", Q11_ACCEPTED, Q11_REJECTED))


@pytest.mark.parametrize("student", VARIANT_STUDENTS)
@pytest.mark.parametrize("item, answer, right", CASES)
def test_each_answer_is_judged_alike_on_each_students_variant(item, answer, right, student):
    """Protects: a named mistake stays wrong (and a valid method right) on a student's
    own data, not only on the quiz as written."""
    assert_judged(WEEK, item, answer, right, student)


@pytest.mark.parametrize("item, accepted, rejected", [("q10", Q10_ACCEPTED, Q10_REJECTED), ("q11", Q11_ACCEPTED, Q11_REJECTED)])
def test_each_answer_is_judged_alike_on_every_variant_the_data_can_pick(item, accepted, rejected):
    """Protects: no combination of q10's (seed, specificity) pairs or q11's seeds and sizes
    lets a named mistake pass (q10: the default 0.5, proba > t, ...; q11: a swapped r2 or
    r2 around the prediction mean that happens to come close)."""
    cases = {**{f"accepts {n}": (a, True) for n, a in accepted.items()},
             **{f"rejects {n}": (a, False) for n, a in rejected.items()}}
    assert not misjudged_on_some_variant(WEEK, item, cases)


@pytest.mark.parametrize("student", VARIANT_STUDENTS)
def test_q10_partial_credit_holds_on_each_students_variant(student):
    verdict = judge_answer(WEEK, "q10", Q10_REJECTED["right_threshold_wrong_recall"], student)
    assert verdict and verdict.startswith("q10_recall"), verdict
