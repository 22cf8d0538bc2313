"""Week 10 quiz: the code tasks accept every correct method and reject the plausible
mistakes (ASSESSMENT.md, "Code and numeric tasks").

Each answer replaces the task's answer cell; ``helpers.judge_answer`` runs the quiz's
setup and data cells, the answer, then the item's tests (visible checks and hidden tests).
"""
from __future__ import annotations

import pytest

from helpers import assert_judged, judged_named

WEEK = "10_monitoring_drift"

ACCEPTED = {
    # Q9: Jensen-Shannon distance per categorical column
    ("q9", "scipy jensenshannon on aligned shares"): """
from scipy.spatial import distance
js, drifted = {}, []
for col in COLUMNS:
    cats = reference[col].value_counts().index.union(current[col].value_counts().index)
    p = reference[col].value_counts(normalize=True).reindex(cats, fill_value=0)
    q = current[col].value_counts(normalize=True).reindex(cats, fill_value=0)
    js[col] = float(distance.jensenshannon(p, q))
    if js[col] >= THRESHOLD:
        drifted.append(col)
""",
    ("q9", "crosstab of counts, numpy KL by hand"): """
import pandas as pd
js = {}
for col in COLUMNS:
    both = pd.concat([reference[col], current[col]], keys=["ref", "cur"])
    table = pd.crosstab(both.index.get_level_values(0), both.values)
    p, q = (table.loc[k].to_numpy() / table.loc[k].sum() for k in ("ref", "cur"))
    m = (p + q) / 2
    kl = lambda a: np.sum(np.where(a > 0, a * np.log(np.where(a > 0, a, 1) / m), 0))
    js[col] = float(np.sqrt(0.5 * kl(p) + 0.5 * kl(q)))
drifted = [c for c, v in js.items() if v >= THRESHOLD]
""",
    ("q9", "scipy entropy on counts (it normalizes)"): """
js = {}
for col in COLUMNS:
    cats = sorted(set(reference[col]) | set(current[col]))
    p = reference[col].value_counts().reindex(cats, fill_value=0).to_numpy(float)
    q = current[col].value_counts().reindex(cats, fill_value=0).to_numpy(float)
    p, q = p / p.sum(), q / q.sum()
    js[col] = float(np.sqrt(0.5 * stats.entropy(p, (p + q) / 2) + 0.5 * stats.entropy(q, (p + q) / 2)))
drifted = [c for c in COLUMNS if js[c] >= 0.1]
""",
    # Q10: prevalence under label shift
    ("q10", "means of boolean masks"): """
tpr = pred_val[y_val == 1].mean()
fpr = pred_val[y_val == 0].mean()
prevalence_live = float((pred_live.mean() - fpr) / (tpr - fpr))
""",
    ("q10", "sklearn confusion matrix, clipped"): """
from sklearn.metrics import confusion_matrix
tn, fp, fn, tp = confusion_matrix(y_val, pred_val).ravel()
tpr, fpr = tp / (tp + fn), fp / (fp + tn)
prevalence_live = float(np.clip((np.mean(pred_live) - fpr) / (tpr - fpr), 0, 1))
""",
    ("q10", "recall_score for both rates"): """
from sklearn.metrics import recall_score
tpr = recall_score(y_val, pred_val)
fpr = 1 - recall_score(y_val, pred_val, pos_label=0)
prevalence_live = (pred_live.sum() / len(pred_live) - fpr) / (tpr - fpr)
""",
    # Q11: p-chart alert
    ("q11", "pandas rolling sum of flags"): """
import pandas as pd
share = positives / volumes
out = np.abs(share - P_REF) > 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)
flagged = np.flatnonzero(out).tolist()
runs = pd.Series(out.astype(int)).rolling(3).sum()
hits = np.flatnonzero(runs.to_numpy() == 3)
alert_day = int(hits[0]) if hits.size else None
""",
    ("q11", "plain loop with a counter"): """
import math
flagged, alert_day, streak = [], None, 0
for d in range(N_DAYS):
    se = math.sqrt(P_REF * (1 - P_REF) / volumes[d])
    if abs(positives[d] / volumes[d] - P_REF) > 3 * se:
        flagged.append(d)
        streak += 1
        if streak == 3 and alert_day is None:
            alert_day = d
    else:
        streak = 0
""",
    ("q9", "Evidently itself, with cat_method jensenshannon"): """
from evidently import Report
from evidently.presets import DataDriftPreset
snapshot = Report([DataDriftPreset(cat_method="jensenshannon")]).run(
    reference_data=reference[COLUMNS], current_data=current[COLUMNS])
js = {m["config"]["column"]: float(m["value"]) for m in snapshot.dict()["metrics"] if "column" in m["config"]}
drifted = [c for c in COLUMNS if js[c] >= THRESHOLD]
""",
    ("q9", "Series.align of normalized counts, strict >"): """
from scipy.spatial import distance
js = {}
for col in COLUMNS:
    p, q = reference[col].value_counts(normalize=True).align(current[col].value_counts(normalize=True), fill_value=0)
    js[col] = float(distance.jensenshannon(p.to_numpy(), q.to_numpy()))
drifted = [c for c in COLUMNS if js[c] > THRESHOLD]
""",
    ("q9", "an OrderedDict of distances"): """
from collections import OrderedDict
from scipy.spatial import distance
js = OrderedDict()
for col in COLUMNS:
    p, q = reference[col].value_counts(normalize=True).align(current[col].value_counts(normalize=True), fill_value=0)
    js[col] = float(distance.jensenshannon(p, q))
drifted = [c for c in js if js[c] >= THRESHOLD]
""",
    ("q11", "limits reached count as flagged (>=)"): """
share = positives / volumes
limit = 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)
flagged = np.flatnonzero(np.abs(share - P_REF) >= limit).tolist()
alert_day = next((d for d in flagged if d - 1 in flagged and d - 2 in flagged), None)
""",
}

REJECTED = {
    ("q9", "logarithm base 2"): """
from scipy.spatial import distance
js = {}
for col in COLUMNS:
    cats = sorted(set(reference[col]) | set(current[col]))
    p = reference[col].value_counts(normalize=True).reindex(cats, fill_value=0)
    q = current[col].value_counts(normalize=True).reindex(cats, fill_value=0)
    js[col] = float(distance.jensenshannon(p, q, base=2))
drifted = [c for c in COLUMNS if js[c] >= THRESHOLD]
""",
    ("q9", "divergence instead of distance (no square root)"): """
from scipy.spatial import distance
js = {}
for col in COLUMNS:
    cats = sorted(set(reference[col]) | set(current[col]))
    p = reference[col].value_counts(normalize=True).reindex(cats, fill_value=0)
    q = current[col].value_counts(normalize=True).reindex(cats, fill_value=0)
    js[col] = float(distance.jensenshannon(p, q) ** 2)
drifted = [c for c in COLUMNS if js[c] >= THRESHOLD]
""",
    ("q9", "only the categories both samples share"): """
from scipy.spatial import distance
js = {}
for col in COLUMNS:
    cats = sorted(set(reference[col]) & set(current[col]))
    p = reference[col].value_counts().reindex(cats).to_numpy(float)
    q = current[col].value_counts().reindex(cats).to_numpy(float)
    js[col] = float(distance.jensenshannon(p / p.sum(), q / q.sum()))
drifted = [c for c in COLUMNS if js[c] >= THRESHOLD]
""",
    ("q9", "shares not aligned by category"): """
from scipy.spatial import distance
js = {}
for col in COLUMNS:
    p = reference[col].value_counts(normalize=True).to_numpy()
    q = current[col].value_counts(normalize=True).to_numpy()
    k = max(len(p), len(q))
    p, q = np.pad(p, (0, k - len(p))), np.pad(q, (0, k - len(q)))
    js[col] = float(distance.jensenshannon(p, q))
drifted = [c for c in COLUMNS if js[c] >= THRESHOLD]
""",
    ("q9", "KL of current from reference instead of JS"): """
js = {}
for col in COLUMNS:
    cats = sorted(set(reference[col]) | set(current[col]))
    p = reference[col].value_counts(normalize=True).reindex(cats, fill_value=1e-4).to_numpy()
    q = current[col].value_counts(normalize=True).reindex(cats, fill_value=1e-4).to_numpy()
    js[col] = float(stats.entropy(q, p))
drifted = [c for c in COLUMNS if js[c] >= THRESHOLD]
""",
    ("q9", "drift when the distance is below the threshold"): """
from scipy.spatial import distance
js = {}
for col in COLUMNS:
    cats = sorted(set(reference[col]) | set(current[col]))
    p = reference[col].value_counts(normalize=True).reindex(cats, fill_value=0)
    q = current[col].value_counts(normalize=True).reindex(cats, fill_value=0)
    js[col] = float(distance.jensenshannon(p, q))
drifted = [c for c in COLUMNS if js[c] < THRESHOLD]
""",
    ("q10", "raw share of positive predictions (classify and count)"): """
tpr = pred_val[y_val == 1].mean()
fpr = pred_val[y_val == 0].mean()
prevalence_live = float(pred_live.mean())
""",
    ("q10", "false positive rate over the predicted positives"): """
tpr = pred_val[y_val == 1].mean()
fpr = 1 - y_val[pred_val == 1].mean()
prevalence_live = float((pred_live.mean() - fpr) / (tpr - fpr))
""",
    ("q10", "true positive rate over all validation rows"): """
tpr = float(np.mean((pred_val == 1) & (y_val == 1)))
fpr = float(np.mean((pred_val == 1) & (y_val == 0)))
prevalence_live = float((pred_live.mean() - fpr) / (tpr - fpr))
""",
    ("q10", "validation prevalence carried over"): """
tpr = pred_val[y_val == 1].mean()
fpr = pred_val[y_val == 0].mean()
prevalence_live = float(y_val.mean())
""",
    ("q10", "equation solved with the rates swapped"): """
tpr = pred_val[y_val == 1].mean()
fpr = pred_val[y_val == 0].mean()
prevalence_live = float((pred_live.mean() - tpr) / (fpr - tpr))
""",
    ("q11", "one limit from the mean volume"): """
share = positives / volumes
limit = 3 * np.sqrt(P_REF * (1 - P_REF) / volumes.mean())
flagged = np.flatnonzero(np.abs(share - P_REF) > limit).tolist()
alert_day = next((d for d in flagged if d - 1 in flagged and d - 2 in flagged), None)
""",
    ("q11", "only days above the reference"): """
share = positives / volumes
limit = 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)
flagged = np.flatnonzero(share - P_REF > limit).tolist()
alert_day = next((d for d in flagged if d - 1 in flagged and d - 2 in flagged), None)
""",
    ("q11", "two standard errors"): """
share = positives / volumes
limit = 2 * np.sqrt(P_REF * (1 - P_REF) / volumes)
flagged = np.flatnonzero(np.abs(share - P_REF) > limit).tolist()
alert_day = next((d for d in flagged if d - 1 in flagged and d - 2 in flagged), None)
""",
    ("q11", "spread of the daily shares instead of the binomial error"): """
share = positives / volumes
limit = 3 * share.std()
flagged = np.flatnonzero(np.abs(share - P_REF) > limit).tolist()
alert_day = next((d for d in flagged if d - 1 in flagged and d - 2 in flagged), None)
""",
    ("q11", "alert on the first flagged day"): """
share = positives / volumes
flagged = np.flatnonzero(np.abs(share - P_REF) > 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)).tolist()
alert_day = flagged[0] if flagged else None
""",
    ("q11", "alert dated at the start of the run"): """
share = positives / volumes
flagged = np.flatnonzero(np.abs(share - P_REF) > 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)).tolist()
alert_day = next((d - 2 for d in flagged if d - 1 in flagged and d - 2 in flagged), None)
""",
    ("q11", "days counted from 1"): """
share = positives / volumes
flagged = (np.flatnonzero(np.abs(share - P_REF) > 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)) + 1).tolist()
alert_day = next((d for d in flagged if d - 1 in flagged and d - 2 in flagged), None)
""",
    ("q9", "missing categories given a small share, as for PSI"): """
from scipy.spatial import distance
js = {}
for col in COLUMNS:
    p, q = reference[col].value_counts(normalize=True).align(current[col].value_counts(normalize=True), fill_value=0.0001)
    js[col] = float(distance.jensenshannon(p.to_numpy(), q.to_numpy()))
drifted = [c for c in COLUMNS if js[c] >= THRESHOLD]
""",
    ("q10", "false positives ignored (q / TPR)"): """
tpr = pred_val[y_val == 1].mean()
fpr = pred_val[y_val == 0].mean()
prevalence_live = float(pred_live.mean() / tpr)
""",
    ("q11", "standard error from the day's own share"): """
share = positives / volumes
limit = 3 * np.sqrt(share * (1 - share) / volumes)
flagged = np.flatnonzero(np.abs(share - P_REF) > limit).tolist()
alert_day = next((d for d in flagged if d - 1 in flagged and d - 2 in flagged), None)
""",
    ("q11", "alert on the third flagged day, consecutive or not"): """
share = positives / volumes
flagged = np.flatnonzero(np.abs(share - P_REF) > 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)).tolist()
alert_day = flagged[2] if len(flagged) > 2 else None
""",
}


@pytest.mark.parametrize("item, answer, right", judged_named(ACCEPTED, REJECTED))
def test_each_answer_is_judged_as_an_expert_would(item, answer, right):
    assert_judged(WEEK, item, answer, right)
