"""Week 10 quiz: the code tasks accept every correct method and reject the plausible
mistakes (ASSESSMENT.md, "Code and numeric tasks"), on the quiz as written and on each
student's variant.

Q9 is graded on the artifact: the student's Evidently ``DataDriftPreset`` is run by the
hidden tests on the variant's weekly batches (methods, thresholds and every score checked
against a recomputation from the given data), and the student's ``drifted_columns`` reads
those snapshots. Its hostile cases fake the artifact without running Evidently.

Each answer replaces the task's answer cell; ``helpers.judge_answer`` runs the quiz's
setup and data cells, the answer, then the item's tests (visible checks and hidden tests).
"""
from __future__ import annotations

import numpy as np
import pytest

import variant_sweep
from helpers import VARIANT_STUDENTS, assert_judged, judge_answer, judged_cases, source_solution

WEEK = "10_monitoring_drift"

# -- Q9: an Evidently drift configuration, run by the grader ----------------------------
AGREED = """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(num_method="wasserstein", num_threshold=NUM_THRESHOLD,
                         cat_method="jensenshannon", cat_threshold=CAT_THRESHOLD,
                         per_column_method={KPI_COLUMN: "chisquare"}, per_column_threshold={KPI_COLUMN: P_THRESHOLD})
"""
READ_TESTS = """
def drifted_columns(snapshot):
    tests = snapshot.dict()["tests"]
    return [t["metric_config"]["params"]["column"] for t in tests
            if "column" in t["metric_config"]["params"] and t["status"] == "FAIL"]
"""
READ_SCORES = """
def drifted_columns(snapshot):
    out = []
    for m in snapshot.dict()["metrics"][1:]:
        c = m["config"]
        out += [c["column"]] if ((m["value"] < c["threshold"]) if c["method"] == "chisquare" else (m["value"] >= c["threshold"])) else []
    return out
"""
# Every column's score, compared in its method's direction (p-values below, distances at or above).
READ_CONFIGS = """
def drifted_columns(snapshot):
    d = snapshot.dict()
    out = []
    for m in d["metrics"]:
        c = m["config"]
        if not c.get("column"):
            continue
        is_p = c["method"] in {"chisquare", "ks", "z", "fisher_exact", "g_test", "t_test", "mannw"}
        drift = m["value"] < c["threshold"] if is_p else m["value"] >= c["threshold"]
        if drift:
            out.append(c["column"])
    return out
"""

Q9_ACCEPTED = {
    "per type plus the KPI column, read from the tests": AGREED + READ_TESTS,
    "per type plus the KPI column, scores read in each method's direction": AGREED + READ_SCORES,
    "explicit columns and a threshold for every column": """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(columns=NUMERICAL + CATEGORICAL, num_method="wasserstein", cat_method="jensenshannon",
                         per_column_method={KPI_COLUMN: "chisquare"},
                         per_column_threshold={**{c: NUM_THRESHOLD for c in NUMERICAL},
                                               **{c: CAT_THRESHOLD for c in CATEGORICAL}, KPI_COLUMN: P_THRESHOLD})
""" + READ_TESTS,
    "every column named in per_column_method, strict > for distances": """
from evidently.presets import DataDriftPreset
methods = {c: "wasserstein" for c in NUMERICAL} | {c: "jensenshannon" for c in CATEGORICAL} | {KPI_COLUMN: "chisquare"}
limits = {c: NUM_THRESHOLD for c in NUMERICAL} | {c: CAT_THRESHOLD for c in CATEGORICAL} | {KPI_COLUMN: P_THRESHOLD}
preset = DataDriftPreset(per_column_method=methods, per_column_threshold=limits)
def drifted_columns(snapshot):
    found = []
    for m in snapshot.dict()["metrics"]:
        cfg = m["config"]
        if cfg.get("column") is None:
            continue
        p_value = cfg["method"] in ("chisquare", "ks", "z")
        if (p_value and m["value"] < cfg["threshold"]) or (not p_value and m["value"] > cfg["threshold"]):
            found.append(cfg["column"])
    return sorted(found)
""",
    "the tests' statuses through tests_results": AGREED + """
def drifted_columns(snapshot):
    names = []
    for t in snapshot.dict()["tests"]:
        params = t["metric_config"]["params"]
        if t["status"] != "SUCCESS" and "column" in params:
            names.append(params["column"])
    return tuple(names)
""",
}

Q9_REJECTED = {
    # the configuration
    "Evidently's defaults (no configuration)": "from evidently.presets import DataDriftPreset\npreset = DataDriftPreset()\n" + READ_TESTS,
    "the KPI's test without its threshold (inherits CAT_THRESHOLD)": """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(num_method="wasserstein", num_threshold=NUM_THRESHOLD, cat_method="jensenshannon",
                         cat_threshold=CAT_THRESHOLD, per_column_method={KPI_COLUMN: "chisquare"})
""" + READ_TESTS,
    "the KPI's threshold without its test (a JS distance below P_THRESHOLD)": """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(num_method="wasserstein", num_threshold=NUM_THRESHOLD, cat_method="jensenshannon",
                         cat_threshold=CAT_THRESHOLD, per_column_threshold={KPI_COLUMN: P_THRESHOLD})
""" + READ_TESTS,
    "one threshold for every column": """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(num_method="wasserstein", cat_method="jensenshannon", threshold=NUM_THRESHOLD,
                         per_column_method={KPI_COLUMN: "chisquare"}, per_column_threshold={KPI_COLUMN: P_THRESHOLD})
""" + READ_TESTS,
    "K-S for the numerical columns instead of Wasserstein": """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(num_method="ks", num_threshold=NUM_THRESHOLD, cat_method="jensenshannon",
                         cat_threshold=CAT_THRESHOLD, per_column_method={KPI_COLUMN: "chisquare"},
                         per_column_threshold={KPI_COLUMN: P_THRESHOLD})
""" + READ_TESTS,
    "chi-square for both categorical columns": """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(num_method="wasserstein", num_threshold=NUM_THRESHOLD, cat_method="chisquare",
                         cat_threshold=P_THRESHOLD)
""" + READ_TESTS,
    "the numerical and categorical thresholds swapped": """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(num_method="wasserstein", num_threshold=CAT_THRESHOLD, cat_method="jensenshannon",
                         cat_threshold=NUM_THRESHOLD, per_column_method={KPI_COLUMN: "chisquare"},
                         per_column_threshold={KPI_COLUMN: P_THRESHOLD})
""" + READ_TESTS,
    "the KPI's test on the other categorical column": """
from evidently.presets import DataDriftPreset
_wrong = [c for c in CATEGORICAL if c != KPI_COLUMN][0]
preset = DataDriftPreset(num_method="wasserstein", num_threshold=NUM_THRESHOLD, cat_method="jensenshannon",
                         cat_threshold=CAT_THRESHOLD, per_column_method={_wrong: "chisquare"},
                         per_column_threshold={_wrong: P_THRESHOLD})
""" + READ_TESTS,
    "only the KPI column checked": """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(columns=[KPI_COLUMN], method="chisquare", threshold=P_THRESHOLD)
""" + READ_TESTS,
    # reading the snapshot
    "every score read as a distance (large = drift)": AGREED + """
def drifted_columns(snapshot):
    return [m["config"]["column"] for m in snapshot.dict()["metrics"][1:] if m["value"] >= m["config"]["threshold"]]
""",
    "every score read as a p-value (small = drift)": AGREED + """
def drifted_columns(snapshot):
    return [m["config"]["column"] for m in snapshot.dict()["metrics"][1:] if m["value"] < m["config"]["threshold"]]
""",
    "passed tests read as drift": AGREED + READ_TESTS.replace('"FAIL"', '"SUCCESS"'),
    "the data set's own test counted as a column": AGREED + """
def drifted_columns(snapshot):
    return [t["metric_config"]["params"].get("column", "dataset") for t in snapshot.dict()["tests"] if t["status"] == "FAIL"]
""",
    "every checked column (the verdicts ignored)": AGREED + """
def drifted_columns(snapshot):
    return [m["config"]["column"] for m in snapshot.dict()["metrics"] if "column" in m["config"]]
""",
    # hostile: the artifact faked, or a reader that answers the same whatever it is given
    "a reader that reports no drift, whatever the snapshot": AGREED + "def drifted_columns(snapshot):\n    return []\n",
    "a reader that returns one fixed list": AGREED + "def drifted_columns(snapshot):\n    return ['basket_value']\n",
    "a dict that imitates the configuration": """
preset = {"num_method": "wasserstein", "num_threshold": NUM_THRESHOLD, "cat_method": "jensenshannon",
          "cat_threshold": CAT_THRESHOLD, "per_column_method": {KPI_COLUMN: "chisquare"},
          "per_column_threshold": {KPI_COLUMN: P_THRESHOLD}}
""" + READ_TESTS,
    "a subclass of the preset that yields no metrics": """
from evidently.presets import DataDriftPreset
class Quiet(DataDriftPreset):
    pass
preset = Quiet(num_method="wasserstein", num_threshold=NUM_THRESHOLD, cat_method="jensenshannon",
               cat_threshold=CAT_THRESHOLD, per_column_method={KPI_COLUMN: "chisquare"},
               per_column_threshold={KPI_COLUMN: P_THRESHOLD})
""" + READ_TESTS,
    "Report.run patched to return a hand-written snapshot": AGREED + READ_TESTS + """
import evidently
class _Fake:
    def dict(self):
        agreed = {c: ("wasserstein", NUM_THRESHOLD) for c in NUMERICAL} | {c: ("jensenshannon", CAT_THRESHOLD) for c in CATEGORICAL}
        agreed[KPI_COLUMN] = ("chisquare", P_THRESHOLD)
        metrics = [{"config": {"column": c, "method": m, "threshold": t}, "value": 0.5} for c, (m, t) in agreed.items()]
        return {"metrics": [{"config": {}, "value": {"count": 0, "share": 0.0}}] + metrics, "tests": []}
evidently.Report.run = lambda self, *args, **kwargs: _Fake()
""",
    "Evidently's preset class replaced by an imitation": """
import evidently.presets
class DataDriftPreset:
    def __init__(self, **kwargs):
        self.kwargs = kwargs
evidently.presets.DataDriftPreset = DataDriftPreset
preset = DataDriftPreset(num_method="wasserstein", num_threshold=NUM_THRESHOLD, cat_method="jensenshannon",
                         cat_threshold=CAT_THRESHOLD, per_column_method={KPI_COLUMN: "chisquare"},
                         per_column_threshold={KPI_COLUMN: P_THRESHOLD})
""" + READ_TESTS,
}

Q10_ACCEPTED = {
    'means of boolean masks': """
tpr = pred_val[y_val == 1].mean()
fpr = pred_val[y_val == 0].mean()
prevalence_live = float((pred_live.mean() - fpr) / (tpr - fpr))
""",
    'sklearn confusion matrix, clipped': """
from sklearn.metrics import confusion_matrix
tn, fp, fn, tp = confusion_matrix(y_val, pred_val).ravel()
tpr, fpr = tp / (tp + fn), fp / (fp + tn)
prevalence_live = float(np.clip((np.mean(pred_live) - fpr) / (tpr - fpr), 0, 1))
""",
    'recall_score for both rates': """
from sklearn.metrics import recall_score
tpr = recall_score(y_val, pred_val)
fpr = 1 - recall_score(y_val, pred_val, pos_label=0)
prevalence_live = (pred_live.sum() / len(pred_live) - fpr) / (tpr - fpr)
""",
}

Q10_REJECTED = {
    'raw share of positive predictions (classify and count)': """
tpr = pred_val[y_val == 1].mean()
fpr = pred_val[y_val == 0].mean()
prevalence_live = float(pred_live.mean())
""",
    'false positive rate over the predicted positives': """
tpr = pred_val[y_val == 1].mean()
fpr = 1 - y_val[pred_val == 1].mean()
prevalence_live = float((pred_live.mean() - fpr) / (tpr - fpr))
""",
    'true positive rate over all validation rows': """
tpr = float(np.mean((pred_val == 1) & (y_val == 1)))
fpr = float(np.mean((pred_val == 1) & (y_val == 0)))
prevalence_live = float((pred_live.mean() - fpr) / (tpr - fpr))
""",
    'validation prevalence carried over': """
tpr = pred_val[y_val == 1].mean()
fpr = pred_val[y_val == 0].mean()
prevalence_live = float(y_val.mean())
""",
    'equation solved with the rates swapped': """
tpr = pred_val[y_val == 1].mean()
fpr = pred_val[y_val == 0].mean()
prevalence_live = float((pred_live.mean() - tpr) / (fpr - tpr))
""",
    'false positives ignored (q / TPR)': """
tpr = pred_val[y_val == 1].mean()
fpr = pred_val[y_val == 0].mean()
prevalence_live = float(pred_live.mean() / tpr)
""",
}

# A correct alert rule, shared by the answers whose mistakes (if any) lie elsewhere.
FIRST_ALERT = """
def first_alert(days, run=3):
    return next((d for d in days if all(d - k in days for k in range(run))), None)

alert_day = first_alert(flagged)
"""

Q11_ACCEPTED = {
    'pandas rolling sum of flags': """
import pandas as pd
share = positives / volumes
out = np.abs(share - P_REF) > 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)
flagged = np.flatnonzero(out).tolist()

def first_alert(days, run=3):
    marks = pd.Series(1, index=days).reindex(range(max(days, default=0) + 1), fill_value=0)
    hits = np.flatnonzero(marks.rolling(run).sum().to_numpy() == run)
    return int(hits[0]) if hits.size else None

alert_day = first_alert(flagged)
""",
    'plain loop with a counter': """
import math
flagged = []
for d in range(N_DAYS):
    se = math.sqrt(P_REF * (1 - P_REF) / volumes[d])
    if abs(positives[d] / volumes[d] - P_REF) > 3 * se:
        flagged.append(d)

def first_alert(days, run=3):
    streak, last = 0, None
    for d in days:
        streak = streak + 1 if last is not None and d == last + 1 else 1
        last = d
        if streak == run:
            return d
    return None

alert_day = first_alert(flagged)
""",
    'limits reached count as flagged (>=)': """
share = positives / volumes
limit = 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)
flagged = np.flatnonzero(np.abs(share - P_REF) >= limit).tolist()
""" + FIRST_ALERT,
}

Q11_REJECTED = {
    'one limit from the mean volume': """
share = positives / volumes
limit = 3 * np.sqrt(P_REF * (1 - P_REF) / volumes.mean())
flagged = np.flatnonzero(np.abs(share - P_REF) > limit).tolist()
""" + FIRST_ALERT,
    'only days above the reference': """
share = positives / volumes
limit = 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)
flagged = np.flatnonzero(share - P_REF > limit).tolist()
""" + FIRST_ALERT,
    'two standard errors': """
share = positives / volumes
limit = 2 * np.sqrt(P_REF * (1 - P_REF) / volumes)
flagged = np.flatnonzero(np.abs(share - P_REF) > limit).tolist()
""" + FIRST_ALERT,
    'spread of the daily shares instead of the binomial error': """
share = positives / volumes
limit = 3 * share.std()
flagged = np.flatnonzero(np.abs(share - P_REF) > limit).tolist()
""" + FIRST_ALERT,
    'alert on the first flagged day': """
share = positives / volumes
flagged = np.flatnonzero(np.abs(share - P_REF) > 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)).tolist()

def first_alert(days, run=3):
    return days[0] if days else None

alert_day = first_alert(flagged)
""",
    'alert dated at the start of the run': """
share = positives / volumes
flagged = np.flatnonzero(np.abs(share - P_REF) > 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)).tolist()

def first_alert(days, run=3):
    return next((d - run + 1 for d in days if all(d - k in days for k in range(run))), None)

alert_day = first_alert(flagged)
""",
    'days counted from 1': """
share = positives / volumes
flagged = (np.flatnonzero(np.abs(share - P_REF) > 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)) + 1).tolist()
""" + FIRST_ALERT,
    "standard error from the day's own share": """
share = positives / volumes
limit = 3 * np.sqrt(share * (1 - share) / volumes)
flagged = np.flatnonzero(np.abs(share - P_REF) > limit).tolist()
""" + FIRST_ALERT,
    'alert on the third flagged day, consecutive or not': """
share = positives / volumes
flagged = np.flatnonzero(np.abs(share - P_REF) > 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)).tolist()

def first_alert(days, run=3):
    return days[run - 1] if len(days) >= run else None

alert_day = first_alert(flagged)
""",
}


# -- more answers judged in review: methods, mistakes and tricks not listed above --------------
Q9_ACCEPTED['methods per type, a threshold for every column by name, scores read per method'] = """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(method=None, num_method="wasserstein", cat_method="jensenshannon",
    per_column_method={KPI_COLUMN: "chisquare"},
    per_column_threshold={"basket_value": NUM_THRESHOLD, "delivery_days": NUM_THRESHOLD,
                          "channel": CAT_THRESHOLD, "region": CAT_THRESHOLD, KPI_COLUMN: P_THRESHOLD})
""" + READ_CONFIGS
Q9_REJECTED['P_THRESHOLD given to both categorical columns (cat_threshold)'] = """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(num_method="wasserstein", num_threshold=NUM_THRESHOLD, cat_method="jensenshannon",
                         cat_threshold=P_THRESHOLD, per_column_method={KPI_COLUMN: "chisquare"})


""" + READ_CONFIGS
Q9_REJECTED["the data set's count and share of drifted columns returned"] = """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(num_method="wasserstein", num_threshold=NUM_THRESHOLD,
                         cat_method="jensenshannon", cat_threshold=CAT_THRESHOLD,
                         per_column_method={KPI_COLUMN: "chisquare"}, per_column_threshold={KPI_COLUMN: P_THRESHOLD})

def drifted_columns(snapshot):
    return snapshot.dict()["metrics"][0]["value"]
"""
Q9_REJECTED['a large p-value read as drift'] = """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(num_method="wasserstein", num_threshold=NUM_THRESHOLD,
                         cat_method="jensenshannon", cat_threshold=CAT_THRESHOLD,
                         per_column_method={KPI_COLUMN: "chisquare"}, per_column_threshold={KPI_COLUMN: P_THRESHOLD})

def drifted_columns(snapshot):
    out = []
    for m in snapshot.dict()["metrics"][1:]:
        c = m["config"]
        if c["method"] == "chisquare":
            if m["value"] > c["threshold"]: out.append(c["column"])
        elif m["value"] >= c["threshold"]: out.append(c["column"])
    return out
"""
Q9_REJECTED['PSI instead of Jensen-Shannon for the categorical columns'] = """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(num_method="wasserstein", num_threshold=NUM_THRESHOLD, cat_method="psi",
                         cat_threshold=CAT_THRESHOLD, per_column_method={KPI_COLUMN: "chisquare"}, per_column_threshold={KPI_COLUMN: P_THRESHOLD})
""" + READ_CONFIGS
Q9_REJECTED['Wasserstein and NUM_THRESHOLD for every column but the KPI'] = """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(method="wasserstein", threshold=NUM_THRESHOLD, per_column_method={KPI_COLUMN: "chisquare"}, per_column_threshold={KPI_COLUMN: P_THRESHOLD})
""" + READ_CONFIGS
Q9_REJECTED['trick: the snapshot ignored, answers given in the order of the calls'] = """
from evidently.presets import DataDriftPreset
preset = DataDriftPreset(num_method="wasserstein", num_threshold=NUM_THRESHOLD,
                         cat_method="jensenshannon", cat_threshold=CAT_THRESHOLD,
                         per_column_method={KPI_COLUMN: "chisquare"}, per_column_threshold={KPI_COLUMN: P_THRESHOLD})

_seq = None
def drifted_columns(snapshot):
    global _seq
    if _seq is None:
        import evidently
        from evidently import Report
        res = {}
        for w, b in batches.items():
            s = Report([preset], include_tests=True).run(reference_data=reference, current_data=b)
            res[w] = [t["metric_config"]["params"]["column"] for t in s.dict()["tests"] if "column" in t["metric_config"]["params"] and t["status"] == "FAIL"]
        _seq = iter([res["week 1"], res["week 2"], res["week 3"]])
    return next(_seq)
"""
Q10_ACCEPTED['crosstab'] = """
ct = pd.crosstab(pd.Series(y_val, name="y"), pd.Series(pred_val, name="p"))
tpr = float(ct.loc[1, 1] / ct.loc[1].sum()); fpr = float(ct.loc[0, 1] / ct.loc[0].sum())
q = float(np.mean(pred_live))
prevalence_live = (q - fpr) / (tpr - fpr)
"""
Q10_ACCEPTED['linear solve'] = """
tpr = float(np.mean(pred_val[y_val == 1])); fpr = float(np.mean(pred_val[y_val == 0]))
prevalence_live = float(np.linalg.solve([[tpr - fpr]], [pred_live.mean() - fpr])[0])
"""
Q10_REJECTED['tpr as precision'] = """
tpr = float(y_val[pred_val == 1].mean()); fpr = float(pred_val[y_val == 0].mean())
prevalence_live = float((pred_live.mean() - fpr) / (tpr - fpr))
"""
Q10_REJECTED['fpr = 1 - tpr'] = """
tpr = float(pred_val[y_val == 1].mean()); fpr = 1 - tpr
prevalence_live = float((pred_live.mean() - fpr) / (tpr - fpr))
"""
Q10_REJECTED['fpr as false omission rate'] = """
tpr = float(pred_val[y_val == 1].mean()); fpr = float(y_val[pred_val == 0].mean())
prevalence_live = float((pred_live.mean() - fpr) / (tpr - fpr))
"""
Q10_REJECTED['ratio scaling of the validation prevalence'] = """
tpr = float(pred_val[y_val == 1].mean()); fpr = float(pred_val[y_val == 0].mean())
prevalence_live = float(y_val.mean() * pred_live.mean() / pred_val.mean())
"""
Q10_REJECTED['q from the validation predictions'] = """
tpr = float(pred_val[y_val == 1].mean()); fpr = float(pred_val[y_val == 0].mean())
prevalence_live = float((pred_val.mean() - fpr) / (tpr - fpr))
"""
Q10_REJECTED['trick: simulation constants'] = """
tpr, fpr, prevalence_live = TPR_SIM, FPR_SIM, SIM_SHIFT
"""
Q11_ACCEPTED['counts'] = """
z = (positives - P_REF * volumes) / np.sqrt(P_REF * (1 - P_REF) * volumes)
flagged = [i for i in range(len(z)) if abs(z[i]) > 3]

def first_alert(days, run=3):
    return next((d for d in days if {d - k for k in range(1, run)} <= set(days)), None)

alert_day = first_alert(flagged)
"""
Q11_REJECTED['se without the square root'] = """
share = positives / volumes
flagged = np.flatnonzero(np.abs(share - P_REF) > 3 * P_REF * (1 - P_REF) / volumes).tolist()
""" + FIRST_ALERT
Q11_REJECTED['se over the positives, not the volume'] = """
share = positives / volumes
flagged = np.flatnonzero(np.abs(share - P_REF) > 3 * np.sqrt(P_REF * (1 - P_REF) / positives)).tolist()
""" + FIRST_ALERT
Q11_REJECTED['alert_day as the position in the flagged list'] = """
share = positives / volumes
flagged = np.flatnonzero(np.abs(share - P_REF) > 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)).tolist()

def first_alert(days, run=3):
    return next((i for i, d in enumerate(days) if all(d - k in days for k in range(run))), None)

alert_day = first_alert(flagged)
"""
Q11_REJECTED['share compared with P_AFTER'] = """
share = positives / volumes
flagged = np.flatnonzero(np.abs(share - P_REF) > 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)).tolist()

def first_alert(days, run=3):
    return next((d for d in days if all(d + k in days for k in range(run))), None)

alert_day = first_alert(flagged)
"""
Q11_REJECTED['trick: alert = SHIFT_DAY + 2, flagged from the simulation'] = """
flagged = sorted([17, 29] + list(range(SHIFT_DAY, N_DAYS)))
first_alert = lambda days, run=3: SHIFT_DAY + 2
alert_day = SHIFT_DAY + 2
"""
Q11_REJECTED['trick: the rule written for three days only'] = """
share = positives / volumes
flagged = np.flatnonzero(np.abs(share - P_REF) > 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)).tolist()

def first_alert(days, run=3):
    return next((d for d in days if d - 1 in days and d - 2 in days), None)

alert_day = first_alert(flagged)
"""
Q11_REJECTED['first_alert returns a numpy bool-like stand-in'] = """
share = positives / volumes
flagged = np.flatnonzero(np.abs(share - P_REF) > 3 * np.sqrt(P_REF * (1 - P_REF) / volumes)).tolist()

class _Any:
    def __eq__(self, other):
        return True

first_alert = lambda days, run=3: _Any()
alert_day = _Any()
"""


@pytest.fixture(autouse=True)
def evidently_restored():
    """The hostile answers patch Evidently in this process: put it back after each case."""
    import evidently
    import evidently.presets

    saved = evidently.Report.run, evidently.presets.DataDriftPreset
    yield
    evidently.Report.run, evidently.presets.DataDriftPreset = saved


GROUPS = (("q9", Q9_ACCEPTED, Q9_REJECTED), ("q10", Q10_ACCEPTED, Q10_REJECTED), ("q11", Q11_ACCEPTED, Q11_REJECTED))


@pytest.mark.parametrize("item, answer, right", judged_cases(*GROUPS))
def test_each_answer_is_judged_as_an_expert_would(item, answer, right):
    assert_judged(WEEK, item, answer, right)


# -- per-student variants: the same verdicts on every student's given data -------------
@pytest.mark.parametrize("student", VARIANT_STUDENTS)
@pytest.mark.parametrize("item, answer, right", judged_cases(*GROUPS))
def test_each_answer_is_judged_alike_on_each_students_variant(item, answer, right, student):
    """Protects: a named mistake stays wrong (and a valid method right) on a student's
    own data, not only on the quiz as written."""
    verdict = judge_answer(WEEK, item, answer, student)
    assert (verdict is None) == right, f"{student}: " + (verdict or "the mistake passed every test of the item")


@pytest.mark.parametrize("item, accepted, rejected", [("q10", Q10_ACCEPTED, Q10_REJECTED),
                                                      ("q11", Q11_ACCEPTED, Q11_REJECTED)])
def test_each_answer_is_judged_alike_on_every_variant_the_data_can_pick(item, accepted, rejected):
    """Protects: no combination of the picks (q10: seed, prevalences, rates; q11: seed,
    reference share, shift day) lets a named mistake pass or a valid method fail."""
    cases = {**{name: (answer, True) for name, answer in accepted.items()},
             **{name: (answer, False) for name, answer in rejected.items()}}
    wrong = variant_sweep.misjudged_on_some_variant(WEEK, item, cases)
    assert not wrong, wrong[:10]


def _q9_scores(ns: dict) -> dict:
    """{(week, column, method): score} recomputed by hand, for every method a column may get."""
    from scipy import stats

    ref, out = ns["reference"], {}
    for week, cur in ns["batches"].items():
        for col in ns["NUMERICAL"]:
            out[week, col, "wasserstein"] = stats.wasserstein_distance(ref[col], cur[col]) / np.std(ref[col])
        for col in ns["CATEGORICAL"]:
            cats = sorted(set(ref[col]) | set(cur[col]))
            p = ref[col].value_counts().reindex(cats, fill_value=0).to_numpy() / len(ref)
            q = cur[col].value_counts().reindex(cats, fill_value=0).to_numpy() / len(cur)
            m = (p + q) / 2
            out[week, col, "jensenshannon"] = float(np.sqrt((stats.entropy(p, m) + stats.entropy(q, m)) / 2))
            out[week, col, "chisquare"] = float(stats.chisquare(q * len(cur), p * len(cur)).pvalue)
    return out


def test_q9_every_variant_has_clear_verdicts_that_differ_from_week_to_week():
    """Protects: on every combination of q9's picks each agreed score lies clearly on one
    side of its threshold (so Evidently and the recomputation agree on every verdict), the
    three weeks drift in different columns (a reader that returns one fixed list fails),
    every week but one flags a p-value column differently from its complement (reading a
    p-value as a distance fails), and the KPI column's small change drifts by its test but
    not by the Jensen-Shannon distance (forgetting its override changes the verdict)."""
    problems = []
    for label, ns in variant_sweep.every_variant(WEEK, "q9"):
        scores = _q9_scores(ns)
        kpi = ns["KPI_COLUMN"]
        agreed = {**{c: ("wasserstein", ns["NUM_THRESHOLD"]) for c in ns["NUMERICAL"]},
                  **{c: ("jensenshannon", ns["CAT_THRESHOLD"]) for c in ns["CATEGORICAL"]},
                  kpi: ("chisquare", ns["P_THRESHOLD"])}
        drifted = {}
        for week in ns["batches"]:
            drifted[week] = set()
            for col, (method, limit) in agreed.items():
                score = scores[week, col, method]
                margin = (score / limit) if method == "chisquare" else (score - limit)
                if method == "chisquare" and not (margin < 0.5 or margin > 2):
                    problems.append((label, week, col, score))
                if method != "chisquare" and abs(margin) < 0.03:
                    problems.append((label, week, col, score))
                if (score < limit) if method == "chisquare" else (score >= limit):
                    drifted[week].add(col)
        if len({frozenset(v) for v in drifted.values()}) != 3 or not all(drifted[w] for w in ("week 2", "week 3")):
            problems.append((label, "weeks", drifted))
        if kpi not in drifted["week 2"] or scores["week 2", kpi, "jensenshannon"] >= ns["CAT_THRESHOLD"]:
            problems.append((label, "kpi", scores["week 2", kpi, "jensenshannon"]))
    assert not problems, problems[:10]



def test_q11_example_in_the_question_is_what_the_rule_gives():
    """Protects: the question's example: days 3, 7, 8, 9, 10 flagged -> 9 (and 8 for run=2),
    by the source solution's rule."""
    import ast

    tree = ast.parse(source_solution(WEEK, "q11"))
    rule = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "first_alert")
    ns: dict = {}
    exec(ast.unparse(rule), ns)
    assert ns["first_alert"]([3, 7, 8, 9, 10]) == 9
    assert ns["first_alert"]([3, 7, 8, 9, 10], run=2) == 8
