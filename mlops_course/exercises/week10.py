"""Week 10 exercises: monitoring and drift detection."""
from __future__ import annotations

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

    def evaluate(self, fn) -> None:
        expect_callable(fn, "ks_statistic")
        rng = np.random.default_rng(3)
        cases = [
            ("two samples of the same normal distribution", rng.normal(0, 1, 300), rng.normal(0, 1, 200)),
            ("a shifted sample", rng.normal(0, 1, 250), rng.normal(0.4, 1, 150)),
            ("same mean but a wider spread", rng.normal(0, 1, 200), rng.normal(0, 3, 220)),
            ("small integer samples with ties", rng.integers(0, 5, 40).astype(float), rng.integers(1, 6, 30).astype(float)),
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
        cases = [("a clean batch", good), ("a batch of 50 rows", few), ("a batch with 10% missing areas", holes),
                 ("a batch with a negative price", negative), ("a batch whose area arrives as text", text),
                 ("a batch without the area column", dropped)]
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


psi = PSI()
kl_divergence = KLDivergence()
ks_statistic = KSStatistic()
chi_square_drift = ChiSquareDrift()
adwin_drift_points = AdwinDriftPoints()
quality_checks = QualityChecks()
EXERCISES = register(globals())
