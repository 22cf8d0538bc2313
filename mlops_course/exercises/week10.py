"""Week 10 exercises: monitoring and drift detection."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..checks import Exercise, Incorrect, expect_callable, expect_close, expect_number, register


def _psi_reference(reference, current, edges):
    ref = np.histogram(reference, edges)[0] / len(reference)
    cur = np.histogram(current, edges)[0] / len(current)
    ref = np.where(ref == 0, 1e-4, ref)
    cur = np.where(cur == 0, 1e-4, cur)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


class PSI(Exercise):
    title = "Population Stability Index"
    hints = (
        "Count how many values fall in each bin with np.histogram(values, edges)[0] and divide by "
        "the number of values: that gives the share of each bin, once for reference and once for current.",
        "Replace shares that are exactly 0 by 0.0001 (np.where), otherwise the logarithm is infinite.",
        "PSI = sum over bins of (current share - reference share) * ln(current share / reference share).",
    )
    solution = """```python
def psi(reference, current, edges):
    ref = np.histogram(reference, edges)[0] / len(reference)
    cur = np.histogram(current, edges)[0] / len(current)
    ref = np.where(ref == 0, 1e-4, ref)
    cur = np.where(cur == 0, 1e-4, cur)
    return float(np.sum((cur - ref) * np.log(cur / ref)))
```
Each term is a difference of shares times the log of their ratio; both have the same
sign, so every bin adds a non-negative amount and PSI is 0 only when all shares agree."""
    wrong_answer = staticmethod(lambda reference, current, edges: float(np.sum(
        (np.histogram(current, edges)[0] / len(current) + 1e-4)
        * np.log((np.histogram(current, edges)[0] / len(current) + 1e-4)
                 / (np.histogram(reference, edges)[0] / len(reference) + 1e-4)))))
    wrong_answers = (
        lambda reference, current, edges: float(np.sum(                       # counts, not shares
            (np.maximum(np.histogram(current, edges)[0], 1e-4) - np.maximum(np.histogram(reference, edges)[0], 1e-4))
            * np.log(np.maximum(np.histogram(current, edges)[0], 1e-4)
                     / np.maximum(np.histogram(reference, edges)[0], 1e-4)))),
        lambda reference, current, edges: float(np.sum(                       # no floor: empty bins give NaN
            (np.histogram(current, edges)[0] / len(current) - np.histogram(reference, edges)[0] / len(reference))
            * np.log(np.histogram(current, edges)[0] / len(current) / (np.histogram(reference, edges)[0] / len(reference))))),
        lambda reference, current, edges: -_psi_reference(reference, current, edges),  # one factor's sign flipped
    )
    right_answers = (
        lambda reference, current, edges: _psi_reference(current, reference, edges),  # PSI is symmetric
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "psi")
        rng = np.random.default_rng(10)
        ref = rng.normal(0, 1, 800)
        edges = np.r_[-np.inf, np.quantile(ref, np.linspace(0.1, 0.9, 9)), np.inf]
        cases = [
            ("two samples of the same distribution", rng.normal(0, 1, 600), edges),
            ("a current sample shifted by 0.5", rng.normal(0.5, 1, 600), edges),
            ("a current sample with twice the spread", rng.normal(0, 2, 700), edges),
            ("a current sample that leaves some bins empty", rng.uniform(1.5, 3, 400), edges),
            ("equal-width bins", rng.normal(0.3, 1.2, 500), np.linspace(-4, 4, 9)),
        ]
        for what, cur, e in cases:
            got = expect_number(fn(ref, cur, e), "psi")
            expect_close(got, _psi_reference(ref, cur, e), f"For {what}, psi", tol=1e-3,
                         advice="Use shares (counts / sample size), replace zero shares by 0.0001 and sum "
                                "(current - reference) * ln(current / reference) over the bins.")


def _kl(p, q):
    p = np.asarray(p, float) / np.sum(p)
    q = np.asarray(q, float) / np.sum(q)
    return float(np.sum(p * np.log(p / q)))


class KLDivergence(Exercise):
    title = "KL divergence by hand"
    hints = (
        "Turn both inputs into probabilities first: divide each array by its sum.",
        "KL(P || Q) = sum of p * ln(p / q) with the natural logarithm (np.log). "
        "P is the live (current) distribution, Q the training one.",
    )
    solution = """```python
def kl_divergence(p, q):
    p = np.asarray(p, dtype=float) / np.sum(p)
    q = np.asarray(q, dtype=float) / np.sum(q)
    return float(np.sum(p * np.log(p / q)))
```
This is what `scipy.stats.entropy(p, q)` computes: it normalizes both inputs and uses
the natural logarithm. KL is not symmetric, so the order of the arguments matters."""
    wrong_answer = staticmethod(lambda p, q: _kl(q, p))
    wrong_answers = (
        lambda p, q: float(np.sum(np.asarray(p) * np.log(np.asarray(p) / np.asarray(q)))),   # not normalized
        lambda p, q: _kl(p, q) / np.log(2),                                                  # bits, not nats
    )
    right_answers = (
        lambda p, q: float(__import__("scipy.stats", fromlist=["entropy"]).entropy(p, q)),
        lambda p, q: float(np.sum(__import__("scipy.special", fromlist=["rel_entr"]).rel_entr(
            np.asarray(p) / np.sum(p), np.asarray(q) / np.sum(q)))),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "kl_divergence")
        cases = [
            ([0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]),
            ([0.7, 0.2, 0.1], [0.3, 0.3, 0.4]),
            ([30, 50, 20], [10, 10, 80]),
            ([0.25, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25]),
        ]
        for p, q in cases:
            got = expect_number(fn(np.array(p, dtype=float), np.array(q, dtype=float)), "kl_divergence")
            expect_close(got, _kl(p, q), f"For P={p} and Q={q}, kl_divergence", tol=1e-4,
                         advice="Normalize both inputs, use the natural log and keep P (live) first.")


def _ks(a, b):
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.max(np.abs(cdf_a - cdf_b)))


class KSStatistic(Exercise):
    title = "The Kolmogorov-Smirnov statistic with NumPy"
    hints = (
        "The statistic is the largest vertical gap between the two empirical CDFs.",
        "Evaluate both empirical CDFs at every observed value: sort each sample, then "
        "np.searchsorted(sorted_sample, points, side='right') / len(sample) is the share of values <= each point.",
        "Use the values of both samples as points, then take np.max(np.abs(cdf_a - cdf_b)).",
    )
    solution = """```python
def ks_statistic(a, b):
    a, b = np.sort(a), np.sort(b)
    points = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, points, side="right") / len(a)
    cdf_b = np.searchsorted(b, points, side="right") / len(b)
    return float(np.max(np.abs(cdf_a - cdf_b)))
```
Both empirical CDFs are step functions that only jump at observed values, so the largest
gap is always reached at one of the points of the two samples."""
    wrong_answer = staticmethod(lambda a, b: float(abs(np.mean(a) - np.mean(b)) / np.std(a)))
    wrong_answers = (
        lambda a, b: float(np.max(np.abs(                                     # evaluated only at a's values
            np.searchsorted(np.sort(a), np.sort(a), side="right") / len(a)
            - np.searchsorted(np.sort(b), np.sort(a), side="right") / len(b)))),
        lambda a, b: float(np.max(np.abs(                                     # a fixed grid of 50 points
            np.searchsorted(np.sort(a), g := np.linspace(min(np.min(a), np.min(b)), max(np.max(a), np.max(b)), 50),
                            side="right") / len(a)
            - np.searchsorted(np.sort(b), g, side="right") / len(b)))),
    )
    right_answers = (
        lambda a, b: float(__import__("scipy.stats", fromlist=["ks_2samp"]).ks_2samp(a, b).statistic),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "ks_statistic")
        rng = np.random.default_rng(3)
        cases = [
            ("two samples of the same normal distribution", rng.normal(0, 1, 300), rng.normal(0, 1, 200)),
            ("a shifted sample", rng.normal(0, 1, 250), rng.normal(0.4, 1, 150)),
            ("same mean but a wider spread", rng.normal(0, 1, 200), rng.normal(0, 3, 220)),
            ("small integer samples with ties", rng.integers(0, 5, 40).astype(float), rng.integers(1, 6, 30).astype(float)),
            ("a first sample lying entirely above the second", rng.normal(10, 1, 30), rng.normal(0, 1, 25)),
        ]
        for what, a, b in cases:
            got = expect_number(fn(a, b), "ks_statistic")
            expect_close(got, _ks(a, b), f"For {what}, ks_statistic", tol=1e-6,
                         advice="Compare the two empirical CDFs at every observed value of both samples.")


def _chi2(reference, current):
    from scipy import stats

    keys = sorted(set(reference) | set(current))
    ref_counts = np.array([np.sum(np.asarray(reference) == k) for k in keys], float)
    cur_counts = np.array([np.sum(np.asarray(current) == k) for k in keys], float)
    expected = ref_counts / ref_counts.sum() * cur_counts.sum()
    return float(stats.chisquare(cur_counts, expected).pvalue)


class ChiSquareDrift(Exercise):
    title = "Chi-square drift test for a categorical feature"
    hints = (
        "Count each category in both samples: reference.value_counts() and current.value_counts(), "
        "aligned on the same categories (reindex(..., fill_value=0)).",
        "Expected counts for the current sample are the reference shares times the size of the current sample.",
        "scipy.stats.chisquare(observed, expected).pvalue gives the p-value; drift when it is below alpha.",
    )
    solution = """```python
def chi_square_drift(reference, current, alpha=0.05):
    categories = sorted(set(reference) | set(current))
    observed = current.value_counts().reindex(categories, fill_value=0)
    ref_counts = reference.value_counts().reindex(categories, fill_value=0)
    expected = ref_counts / ref_counts.sum() * observed.sum()
    p_value = stats.chisquare(observed, expected).pvalue
    return float(p_value), bool(p_value < alpha)
```
The null hypothesis says the current categories follow the reference shares; a small
p-value means such a difference would be rare if that were true."""
    wrong_answer = staticmethod(lambda reference, current, alpha=0.05: (0.5, False))
    wrong_answers = (
        lambda reference, current, alpha=0.05: (_chi2(reference, current),       # the flag the wrong way round
                                                bool(_chi2(reference, current) > alpha)),
        lambda reference, current, alpha=0.05: (                                  # expected from the wrong side
            _chi2(current, reference), bool(_chi2(current, reference) < alpha)),
    )
    right_answers = (
        lambda reference, current, alpha=0.05: (lambda p: (p, p < alpha))(_chi2(list(reference), list(current))),
    )

    def evaluate(self, fn) -> None:
        import pandas as pd

        expect_callable(fn, "chi_square_drift")
        rng = np.random.default_rng(5)
        cats = np.array(["WD", "New", "COD", "Other"])
        ref = pd.Series(rng.choice(cats, 900, p=[0.80, 0.13, 0.04, 0.03]))
        cases = [
            ("current data with the same shares", pd.Series(rng.choice(cats, 500, p=[0.80, 0.13, 0.04, 0.03])), False),
            ("current data with far fewer new houses", pd.Series(rng.choice(cats, 500, p=[0.88, 0.04, 0.05, 0.03])), True),
            ("current data with a clear shift", pd.Series(rng.choice(cats, 300, p=[0.6, 0.3, 0.05, 0.05])), True),
        ]
        for what, cur, drift in cases:
            got = fn(ref, cur, 0.05)
            if not isinstance(got, tuple) or len(got) != 2:
                raise Incorrect("chi_square_drift should return a tuple (p_value, drifted).")
            p_value = expect_number(got[0], "the p-value")
            expect_close(p_value, _chi2(ref, cur), f"For {what}, the p-value", tol=1e-4,
                         advice="Expected counts are reference shares times the current sample size.")
            if not isinstance(got[1], (bool, np.bool_)) or bool(got[1]) != drift:
                raise Incorrect(f"For {what}, the drift flag should be a bool that is True exactly when p < alpha.")


def _adwin_points(stream, delta=0.002):
    from river import drift

    detector = drift.ADWIN(delta=delta)
    found = []
    for i, x in enumerate(stream):
        detector.update(float(x))
        if detector.drift_detected:
            found.append(i)
    return found


def _adwin_ignoring_delta(stream, delta=0.002):
    """A plausible mistake: the detector is built with river's default delta, whatever is asked."""
    return _adwin_points(stream)


class AdwinDriftPoints(Exercise):
    title = "Drift points of a stream with river's ADWIN"
    hints = (
        "Build one fresh detector per call with drift.ADWIN(delta=delta) and leave its other "
        "parameters at their defaults. A detector kept from an earlier call remembers the old stream.",
        "Loop with `for i, x in enumerate(stream):`, call detector.update(x), then read detector.drift_detected.",
        "Whenever drift_detected is True, append i, the 0-based position of the value you just fed in. "
        "Return the list after the loop.",
    )
    solution = """```python
from river import drift

def adwin_drift_points(stream, delta=0.002):
    detector = drift.ADWIN(delta=delta)
    found = []
    for i, x in enumerate(stream):
        detector.update(x)
        if detector.drift_detected:
            found.append(i)
    return found
```
`drift_detected` describes the update that was just made, so it must be read after every
`update`; it is False again after the next one. A new detector per call keeps two
streams from mixing."""
    wrong_answer = staticmethod(_adwin_ignoring_delta)
    wrong_answers = (
        lambda stream, delta=0.002: [i + 1 for i in _adwin_points(stream, delta)],     # 1-based positions
        lambda stream, delta=0.002: _adwin_points(np.asarray(stream)[::-1], delta),    # stream fed backwards
    )
    right_answers = (
        lambda stream, delta=0.002: [int(i) for i in _adwin_points(list(stream), delta)],
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "adwin_drift_points")
        rng = np.random.default_rng(10)
        small_shift = np.r_[rng.normal(0, 1, 400), rng.normal(0.6, 1, 400)]
        cases = [
            ("a stable stream", rng.normal(0, 1, 500), 0.002),
            ("a stream whose mean jumps from 0 to 2 at position 300",
             np.r_[rng.normal(0, 1, 300), rng.normal(2, 1, 200)], 0.002),
            ("a stream with changes at positions 200 and 400",
             np.r_[rng.normal(0, 1, 200), rng.normal(-2, 1, 200), rng.normal(1, 1, 200)], 0.002),
            ("a 0/1 error stream whose error rate rises from 10% to 40% at position 400",
             np.r_[rng.uniform(size=400) < 0.1, rng.uniform(size=300) < 0.4].astype(float), 0.01),
            ("a small shift at position 400 watched with a strict delta", small_shift, 1e-6),
            ("the same small shift watched with a loose delta", small_shift, 0.5),
        ]
        for what, stream, delta in cases:
            got = fn(stream, delta=delta)
            if isinstance(got, (str, bytes, dict)) or not hasattr(got, "__iter__"):
                raise Incorrect(f"adwin_drift_points should return a list of positions, got {type(got).__name__}.")
            got = list(got)
            if not all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in got):
                raise Incorrect("adwin_drift_points should return whole-number positions (ints).")
            got = [int(i) for i in got]
            want = _adwin_points(stream, delta)
            if got == want:
                continue
            if got == [i + 1 for i in want]:
                advice = "The positions are off by one: record the 0-based index of the value whose update raised the flag."
            elif got == _adwin_points(stream):
                advice = "These are the detections of the default delta: pass delta on to drift.ADWIN(delta=delta)."
            else:
                advice = ("Use a fresh drift.ADWIN(delta=delta) per call with its other parameters at their defaults, "
                          "and read drift_detected after every update.")
            raise Incorrect(f"For {what} (delta={delta}), the detections at positions {got} "
                            f"are not the ones ADWIN reports. {advice}")


_SCHEMA = {"price": (0, 1_000_000), "area": (10, 1_000)}


def pd_numeric(series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series)


def _quality(df, schema, min_rows, max_missing):
    import pandas as pd

    missing_cols = [c for c in schema if c not in df.columns]
    out_of_range = 0
    numeric_ok = True
    for col, (low, high) in schema.items():
        if col in df.columns:
            if not pd.api.types.is_numeric_dtype(df[col]):
                numeric_ok = False
                continue
            values = df[col].dropna()
            out_of_range += int(((values < low) | (values > high)).sum())
    return {
        "schema_ok": not missing_cols and numeric_ok,
        "volume_ok": len(df) >= min_rows,
        "missing_ok": bool(df[[c for c in schema if c in df.columns]].isna().mean().max() <= max_missing)
        if not missing_cols else False,
        "range_ok": out_of_range == 0,
    }


class QualityChecks(Exercise):
    title = "Data quality checks on a batch"
    hints = (
        "Return a dict with four booleans: 'schema_ok', 'volume_ok', 'missing_ok' and 'range_ok'.",
        "schema_ok: every column of the schema is present and numeric (pd.api.types.is_numeric_dtype). "
        "volume_ok: at least min_rows rows. missing_ok: every schema column has a missing share <= max_missing.",
        "range_ok: no non-missing value lies outside its (low, high) range, bounds included as valid. "
        "If a column is missing, report missing_ok as False too.",
    )
    solution = """```python
def quality_checks(df, schema, min_rows=100, max_missing=0.05):
    missing_cols = [c for c in schema if c not in df.columns]
    present = [c for c in schema if c in df.columns]
    numeric = all(pd.api.types.is_numeric_dtype(df[c]) for c in present)
    in_range = all(df[c].dropna().between(lo, hi).all() for c, (lo, hi) in schema.items()
                   if c in present and pd.api.types.is_numeric_dtype(df[c]))
    return {
        "schema_ok": not missing_cols and numeric,
        "volume_ok": len(df) >= min_rows,
        "missing_ok": not missing_cols and bool(df[present].isna().mean().max() <= max_missing),
        "range_ok": in_range,
    }
```
Each check is cheap and needs no label, so it can run on every batch before the model sees it."""
    wrong_answer = staticmethod(lambda df, schema, min_rows=100, max_missing=0.05: {
        "schema_ok": True, "volume_ok": len(df) > 0, "missing_ok": True, "range_ok": True})
    wrong_answers = (
        # NaN counted as out of range (between() is False for NaN)
        lambda df, schema, min_rows=100, max_missing=0.05: {
            **_quality(df, schema, min_rows, max_missing),
            "range_ok": all(df[c].between(lo, hi).all() for c, (lo, hi) in schema.items()
                            if c in df.columns and str(df[c].dtype) != "object")},
        # missing values counted, not their share
        lambda df, schema, min_rows=100, max_missing=0.05: {
            **_quality(df, schema, min_rows, max_missing),
            "missing_ok": all(c in df.columns for c in schema)
            and bool(df[list(schema)].isna().sum().max() <= max_missing)},
        # "at least min_rows" read as more than min_rows
        lambda df, schema, min_rows=100, max_missing=0.05: {
            **_quality(df, schema, min_rows, max_missing), "volume_ok": len(df) > min_rows},
        # the bounds themselves treated as out of range
        lambda df, schema, min_rows=100, max_missing=0.05: {
            **_quality(df, schema, min_rows, max_missing),
            "range_ok": all(df[c].dropna().between(lo, hi, inclusive="neither").all()
                            for c, (lo, hi) in schema.items()
                            if c in df.columns and pd_numeric(df[c]))},
        # only float columns count as numeric
        lambda df, schema, min_rows=100, max_missing=0.05: {
            **_quality(df, schema, min_rows, max_missing),
            "schema_ok": all(c in df.columns and df[c].dtype == float for c in schema)},
        # a missing column passes the completeness check
        lambda df, schema, min_rows=100, max_missing=0.05: {
            **_quality(df, schema, min_rows, max_missing),
            "missing_ok": bool(df[[c for c in schema if c in df.columns]].isna().mean().max() <= max_missing)},
    )
    right_answers = (
        # column by column with explicit loops (the check's own reference)
        lambda df, schema, min_rows=100, max_missing=0.05: _quality(df, schema, min_rows, max_missing),
    )

    def evaluate(self, fn) -> None:
        import pandas as pd

        expect_callable(fn, "quality_checks")
        rng = np.random.default_rng(2)
        good = pd.DataFrame({"price": rng.uniform(50_000, 400_000, 200), "area": rng.uniform(40, 300, 200)})
        few = good.head(50)
        holes = good.copy()
        holes.loc[holes.index[:20], "area"] = np.nan
        negative = good.copy()
        negative.loc[negative.index[3], "price"] = -5.0
        text = good.assign(area=good["area"].round(0).astype(int).astype(str))
        dropped = good.drop(columns="area")
        few_holes = good.copy()
        few_holes.loc[few_holes.index[:4], "area"] = np.nan            # 2%: within max_missing
        at_bounds = good.copy()
        at_bounds.loc[at_bounds.index[:2], ["price", "area"]] = [[0.0, 10.0], [1_000_000.0, 1_000.0]]
        whole = good.assign(area=good["area"].round(0).astype(int))
        cases = [("a clean batch", good), ("a batch of 50 rows", few), ("a batch with 10% missing areas", holes),
                 ("a batch with a negative price", negative), ("a batch whose area arrives as text", text),
                 ("a batch without the area column", dropped), ("a batch of exactly min_rows rows", good.head(100)),
                 ("a batch with 2% missing areas", few_holes), ("a batch with values on the bounds", at_bounds),
                 ("a batch whose area arrives as whole numbers (int)", whole)]
        for what, df in cases:
            got = fn(df.copy(), _SCHEMA, min_rows=100, max_missing=0.05)
            if not isinstance(got, dict):
                raise Incorrect(f"quality_checks should return a dict, got {type(got).__name__}.")
            want = _quality(df, _SCHEMA, 100, 0.05)
            lacking = set(want) - set(got)
            if lacking:
                raise Incorrect(f"The dict lacks the key(s) {sorted(lacking)}.")
            for key, value in want.items():
                if bool(got[key]) != value:
                    raise Incorrect(f"For {what}, {key!r} is {bool(got[key])}, which is not right yet.")


# -- Evidently, driven by the student -------------------------------------------------------
#: Methods whose score is a p-value: drift when the score is BELOW the threshold.
_P_VALUE_METHODS = {"ks", "chisquare", "z", "t_test", "mannw", "epps_singleton"}

#: The team's configuration of exercise 7, in one place (the check and its tests use it).
TEAM_PRESET = {"method": "psi", "threshold": 0.2,
               "per_column_method": {"Lot_Area": "ks"}, "per_column_threshold": {"Lot_Area": 0.01}}


def _evidently():
    import warnings

    warnings.filterwarnings("ignore", category=RuntimeWarning, module="scipy")
    from evidently import Report
    from evidently.presets import DataDriftPreset

    return Report, DataDriftPreset


def _snapshot(reference, current, include_tests=False, **preset):
    Report, DataDriftPreset = _evidently()
    return Report([DataDriftPreset(**preset)], include_tests=include_tests).run(
        reference_data=reference, current_data=current)


def _drift_from_tests(snapshot) -> tuple[list[str], float]:
    """Drifted columns as Evidently's own per-column tests judge them, and the share."""
    result = snapshot.dict()
    drifted = sorted(t["metric_config"]["params"]["column"] for t in result["tests"]
                     if "column" in t["metric_config"]["params"] and t["status"] == "FAIL")
    return drifted, float(result["metrics"][0]["value"]["share"])


def _drift_from_scores(snapshot, p_value_direction=True) -> tuple[list[str], float]:
    """Drifted columns from each column's score and threshold; p-value methods drift when
    the score is below the threshold (``p_value_direction=False``: the mistake of reading
    every score as a distance)."""
    result = snapshot.dict()
    drifted = []
    for metric in result["metrics"][1:]:
        config, score = metric["config"], metric["value"]
        below = config["method"] in _P_VALUE_METHODS and p_value_direction
        if (score < config["threshold"]) if below else (score >= config["threshold"]):
            drifted.append(config["column"])
    return sorted(drifted), float(result["metrics"][0]["value"]["share"])


def _houses(rng, n, area=1.0, lot=1.0, new_share=0.12, old=False) -> "pd.DataFrame":
    """A small Ames-like frame: living area, construction year, a heavy-tailed lot area
    and the sale type."""
    import pandas as pd

    years = rng.integers(1880, 1990, n) if old else np.clip(2008 - rng.gamma(1.6, 22, n), 1872, 2007)
    lots = rng.lognormal(np.log(9_000), 0.35, n) * lot
    lots[rng.uniform(size=n) < 0.03] *= rng.uniform(5, 20)          # a few estates: the heavy tail
    other = (1 - new_share) / 4
    return pd.DataFrame({
        "Gr_Liv_Area": rng.lognormal(np.log(1_450), 0.3, n) * area,
        "Year_Built": years.astype(int),
        "Lot_Area": lots.round(0),
        "Sale_Type": rng.choice(["WD", "New", "COD", "Oth"], n, p=[3 * other, new_share, other * 0.6, other * 0.4]),
    })


@lru_cache(maxsize=None)
def _config_cases():
    rng = np.random.default_rng(1010)
    reference = _houses(rng, 500)
    cases = (
        ("a chunk with bigger lots and fewer new houses", _houses(rng, 250, area=1.06, lot=1.2, new_share=0.02)),
        ("a chunk of older houses with slightly bigger lots", _houses(rng, 250, lot=1.04, old=True)),
        # the living area's PSI lies between 0.2 and 0.25: a threshold of 0.25 misses it
        ("a chunk of somewhat bigger houses", _houses(rng, 250, area=1.15)),
    )
    return reference, cases


@lru_cache(maxsize=None)
def _config_expected():
    reference, cases = _config_cases()
    return tuple(_drift_from_tests(_snapshot(reference, current, include_tests=True, **TEAM_PRESET))
                 for _, current in cases)


def _config_answer(preset: dict, read=_drift_from_tests, share_key="share"):
    """An answer to exercise 7 built from a preset and a way of reading the snapshot
    (used for the worked solution's alternatives and the named mistakes)."""
    def drifted_columns(reference, current):
        snapshot = _snapshot(reference, current, include_tests=True, **preset)
        drifted, share = read(snapshot)
        if share_key == "count":
            share = snapshot.dict()["metrics"][0]["value"]["count"]
        return drifted, share
    return drifted_columns


class EvidentlyConfig(Exercise):
    title = "Configure Evidently's drift preset and read the snapshot"
    hints = (
        "DataDriftPreset takes the method and threshold for every column (method=, threshold=) and overrides "
        "for single columns (per_column_method=, per_column_threshold=, dicts keyed by column name).",
        "A column override without its own threshold inherits threshold=0.2, which for a p-value test means "
        "'drift when p < 0.2'. Give Lot_Area both its method and its threshold. Run with "
        "Report([preset], include_tests=True).run(reference_data=..., current_data=...).",
        "snapshot.dict()['metrics'][0]['value'] holds the count and share of drifted columns. Per column, "
        "snapshot.dict()['tests'] has a status ('FAIL' = drift) and metric_config['params']['column']; or "
        "compare each ValueDrift score with its threshold, remembering that a p-value drifts when it is small.",
    )
    solution = """```python
def drifted_columns(reference, current):
    preset = DataDriftPreset(method="psi", threshold=0.2,
                             per_column_method={"Lot_Area": "ks"},
                             per_column_threshold={"Lot_Area": 0.01})
    snapshot = Report([preset], include_tests=True).run(reference_data=reference, current_data=current)
    result = snapshot.dict()
    drifted = sorted(t["metric_config"]["params"]["column"] for t in result["tests"]
                     if "column" in t["metric_config"]["params"] and t["status"] == "FAIL")
    return drifted, float(result["metrics"][0]["value"]["share"])
```
The override must name the method *and* the threshold: without `per_column_threshold`,
Lot_Area would inherit 0.2, and a K-S p-value below 0.2 is no evidence of drift.
Reading the verdicts from Evidently's own tests avoids a second trap: for a p-value
method the column drifts when the score is *below* the threshold, for a distance when
it is at or above it."""
    wrong_answer = staticmethod(_config_answer({}))
    wrong_answers = (
        _config_answer({"method": "psi"}),                                          # threshold left at PSI's 0.1
        _config_answer({"method": "psi", "threshold": 0.2}),                        # no override for Lot_Area
        _config_answer({"method": "psi", "threshold": 0.2, "per_column_method": {"Lot_Area": "ks"}}),  # inherits 0.2
        _config_answer({"method": "psi", "threshold": 0.2, "per_column_method": {"Lot_Area": "wasserstein"},
                        "per_column_threshold": {"Lot_Area": 0.01}}),              # another method for Lot_Area
        _config_answer(TEAM_PRESET, read=lambda s: _drift_from_scores(s, p_value_direction=False)),  # p-value read as a distance
        _config_answer(TEAM_PRESET, share_key="count"),                             # the count, not the share
        _config_answer({**TEAM_PRESET, "threshold": 0.25}),                         # the rule of thumb's 0.25, not 0.2
        _config_answer({**TEAM_PRESET, "per_column_threshold": {"Lot_Area": 0.05}}),  # K-S at the usual 0.05
        _config_answer({"method": "psi", "drift_share": 0.2, "per_column_method": {"Lot_Area": "ks"},
                        "per_column_threshold": {"Lot_Area": 0.01}}),              # drift_share set, not threshold
    )
    right_answers = (
        _config_answer(TEAM_PRESET, read=_drift_from_scores),                       # scores and thresholds, right direction
        _config_answer({"num_method": "psi", "cat_method": "psi", "num_threshold": 0.2, "cat_threshold": 0.2,
                        "per_column_method": {"Lot_Area": "ks"}, "per_column_threshold": {"Lot_Area": 0.01}}),
    )
    time_limit = 30.0
    #: The check runs the student's Evidently report on two chunks (about 0.3 s a report on
    #: an idle machine; the budget leaves room for a shared one).
    check_budget = 4.0

    def evaluate(self, fn) -> None:
        expect_callable(fn, "drifted_columns")
        reference, cases = _config_cases()
        for (what, current), (want_cols, want_share) in zip(cases, _config_expected()):
            got = fn(reference.copy(), current.copy())
            if not isinstance(got, tuple) or len(got) != 2:
                raise Incorrect("drifted_columns should return a tuple (list of drifted columns, share).")
            cols, share = got
            if isinstance(cols, (str, bytes)) or not hasattr(cols, "__iter__"):
                raise Incorrect(f"The first item should be a list of column names, got {type(cols).__name__}.")
            cols = [str(c) for c in cols]
            share = expect_number(share, "the share of drifted columns")
            if not 0 <= share <= 1:
                raise Incorrect(f"For {what}, the share is {share:g}: a share lies between 0 and 1 "
                                "(the count of drifted columns divided by the number of columns).")
            if sorted(cols) != want_cols:
                raise Incorrect(f"For {what}, the drifted columns {sorted(cols)} are not the ones the team's "
                                "configuration finds. Check the method and threshold of every column, the "
                                "Lot_Area override, and how you read a p-value.")
            expect_close(share, want_share, f"For {what}, the share of drifted columns", tol=1e-6,
                         advice="Read it from the DriftedColumnsCount metric, or divide the number of drifted "
                                "columns by the number of columns.")


# -- monitoring over time --------------------------------------------------------------------
@lru_cache(maxsize=None)
def _monitor_cases():
    """A reference and five batches whose shares of drifted columns (Evidently's defaults:
    K-S / chi-square at these sizes) run half, calm, all, half, all: with patience 2 the
    rule fires on the last two batches (a run longer than the patience keeps alerting);
    each named mistake changes that."""
    rng = np.random.default_rng(2021)
    reference = _houses(rng, 300)
    batches = {
        "week 1": _houses(rng, 120, area=1.35, lot=1.6),
        "week 2": _houses(rng, 120),
        "week 3": _houses(rng, 120, area=1.35, lot=1.6, new_share=0.5),
        "week 4": _houses(rng, 120, area=0.7, new_share=0.45),
        "week 5": _houses(rng, 120, area=1.35, lot=1.6, new_share=0.5),
    }
    return reference, batches


def _monitor_reference(reference, batches, alert_share=0.5, patience=2, strict=False, reset=True,
                       rolling=False, count=False, exact=False):
    """The worked solution, with switches for the named mistakes."""
    import pandas as pd

    rows, streak, previous = [], 0, reference
    for label, batch in batches.items():
        snapshot = _snapshot(previous, batch)
        value = snapshot.dict()["metrics"][0]["value"]
        share = float(value["count"] if count else value["share"])
        breach = share > alert_share if strict else share >= alert_share
        streak = streak + 1 if breach else (0 if reset else streak)
        rows.append({"batch": label, "drifted": int(value["count"]), "share": share, "alert": streak == patience if exact else streak >= patience})
        if rolling:
            previous = batch
    return pd.DataFrame(rows).set_index("batch")


@lru_cache(maxsize=None)
def _monitor_expected():
    reference, batches = _monitor_cases()
    return _monitor_reference(reference, batches, alert_share=0.5, patience=2)


def _monitor_mistake(**switches):
    return lambda reference, batches, alert_share=0.5, patience=2: _monitor_reference(
        reference, batches, alert_share, patience, **switches)


def _monitor_rolling_window(reference, batches, alert_share=0.5, patience=2):
    """Valid alternative: the alert looks back over the last ``patience`` shares."""
    frame = _monitor_reference(reference, batches, alert_share, patience=10**6)
    breach = (frame["share"] >= alert_share).astype(int)
    frame["alert"] = breach.rolling(patience).sum().eq(patience)
    return frame


class Monitor(Exercise):
    title = "Drift monitoring over a series of batches, with an alert rule"
    hints = (
        "Loop over batches.items() in their order; for each batch run "
        "Report([DataDriftPreset()]).run(reference_data=reference, current_data=batch): always the same reference.",
        "From each snapshot's dict, metrics[0]['value'] holds 'count' and 'share'. Keep a streak counter: "
        "+1 when share >= alert_share, back to 0 otherwise; alert when the streak reaches patience.",
        "Collect one dict per batch ({'batch': label, 'drifted': ..., 'share': ..., 'alert': ...}) and return "
        "pd.DataFrame(rows).set_index('batch').",
    )
    solution = """```python
def monitor(reference, batches, alert_share=0.5, patience=2):
    rows, streak = [], 0
    for label, batch in batches.items():
        snapshot = Report([DataDriftPreset()]).run(reference_data=reference, current_data=batch)
        value = snapshot.dict()["metrics"][0]["value"]
        streak = streak + 1 if value["share"] >= alert_share else 0
        rows.append({"batch": label, "drifted": int(value["count"]), "share": value["share"],
                     "alert": streak >= patience})
    return pd.DataFrame(rows).set_index("batch")
```
Every batch is compared with the same known-good reference: comparing with the batch
before would let a slow drift pass unseen, one small step at a time. The streak resets
on a calm batch, so one noisy batch does not page anyone, but a drift that lasts does."""
    wrong_answer = staticmethod(lambda reference, batches, alert_share=0.5, patience=2:  # ignores patience
                                _monitor_reference(reference, batches, alert_share, patience=1))
    wrong_answers = (
        _monitor_mistake(strict=True),       # share > alert_share: a half-drifted batch never counts
        _monitor_mistake(reset=False),       # breaches counted in total, not in a row
        _monitor_mistake(rolling=True),      # each batch compared with the one before
        _monitor_mistake(count=True),        # the count of drifted columns compared with a share
        _monitor_mistake(exact=True),        # streak == patience: a drift that lasts alerts once, then never
    )
    right_answers = (_monitor_rolling_window,)
    time_limit = 30.0
    #: The check runs the student's monitoring job on five batches, one Evidently report
    #: each (about 0.3 s a report on an idle machine; room for a shared one).
    check_budget = 6.0

    def evaluate(self, fn) -> None:
        import pandas as pd

        expect_callable(fn, "monitor")
        reference, batches = _monitor_cases()
        want = _monitor_expected()
        got = fn(reference.copy(), {k: v.copy() for k, v in batches.items()}, alert_share=0.5, patience=2)
        if not isinstance(got, pd.DataFrame):
            raise Incorrect(f"monitor should return a DataFrame, got {type(got).__name__}.")
        lacking = {"drifted", "share", "alert"} - set(got.columns)
        if lacking:
            raise Incorrect(f"The frame lacks the column(s) {sorted(lacking)}.")
        if [str(i) for i in got.index] != list(want.index):
            raise Incorrect("The frame should have one row per batch, indexed by the batch label, in the order "
                            "the batches were given.")
        for label in want.index:
            share = expect_number(got.loc[label, "share"], f"the share of {label}")
            if not 0 <= share <= 1:
                raise Incorrect(f"The share of {label} is {share:g}: a share lies between 0 and 1.")
            expect_close(share, float(want.loc[label, "share"]), f"The share of drifted columns in {label}",
                         tol=1e-6, advice="Compare every batch with the same reference, with the preset's defaults.")
            if int(got.loc[label, "drifted"]) != int(want.loc[label, "drifted"]):
                raise Incorrect(f"The number of drifted columns in {label} is not right yet.")
        alerts = [bool(a) for a in got["alert"]]
        if alerts != [bool(a) for a in want["alert"]]:
            raise Incorrect(f"The alerts {alerts} do not follow the rule: alert when the share has reached "
                            "alert_share (>=) in `patience` batches in a row, counting from 0 again after a calm batch.")


psi = PSI()
kl_divergence = KLDivergence()
ks_statistic = KSStatistic()
chi_square_drift = ChiSquareDrift()
adwin_drift_points = AdwinDriftPoints()
quality_checks = QualityChecks()
drifted_columns = EvidentlyConfig()
monitor = Monitor()
EXERCISES = register(globals())
