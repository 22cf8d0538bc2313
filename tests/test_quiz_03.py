"""Week 03 quiz: the code tasks accept every valid method and reject the plausible mistakes.

Each answer replaces the item's answer cell and is judged by the item's own tests
(helpers.judge_answer): accepted answers must pass them all, rejected ones must fail one.
"""
from __future__ import annotations

import textwrap

import pytest

from helpers import VARIANT_STUDENTS, assert_judged, judged_cases
from variant_sweep import misjudged_on_some_variant

WEEK = "03_training_data"


def _src(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


# -- Q9: oversample every class up to the largest --------------------------------
Q9_ACCEPTED = {
    "numpy, one draw per class": """
        def oversample_all(X, y, seed=0):
            X, y = np.asarray(X), np.asarray(y)
            rng = np.random.default_rng(seed)
            labels, counts = np.unique(y, return_counts=True)
            rows = list(range(len(y)))
            for label, count in zip(labels, counts):
                rows += list(rng.choice(np.flatnonzero(y == label), counts.max() - count))
            rows = np.array(rows, dtype=int)
            return X[rows], y[rows]
    """,
    "pandas groupby sample": """
        def oversample_all(X, y, seed=0):
            X, y = np.asarray(X), np.asarray(y)
            frame = pd.DataFrame({"row": np.arange(len(y)), "label": y})
            top = frame["label"].value_counts().max()
            extra = [group.sample(top - len(group), replace=True, random_state=seed)["row"]
                     for _, group in frame.groupby("label")]
            rows = np.concatenate([frame["row"].to_numpy(), *[e.to_numpy() for e in extra]]).astype(int)
            return X[rows], y[rows]
    """,
    "sklearn.utils.resample per class": """
        from sklearn.utils import resample

        def oversample_all(X, y, seed=0):
            X, y = np.asarray(X), np.asarray(y)
            labels, counts = np.unique(y, return_counts=True)
            parts_X, parts_y = [X], [y]
            for label, count in zip(labels, counts):
                if count < counts.max():
                    Xe, ye = resample(X[y == label], y[y == label], replace=True,
                                      n_samples=counts.max() - count, random_state=seed)
                    parts_X.append(Xe)
                    parts_y.append(ye)
            return np.concatenate(parts_X), np.concatenate(parts_y)
    """,
    "shuffled output, Python lists as input": """
        def oversample_all(X, y, seed=0):
            X, y = np.asarray(X), np.asarray(y)
            rng = np.random.default_rng(seed)
            labels, counts = np.unique(y, return_counts=True)
            extra = [rng.integers(0, c, size=counts.max() - c) for c in counts]
            extra = [np.flatnonzero(y == label)[e] for label, e in zip(labels, extra)]
            rows = rng.permutation(np.concatenate([np.arange(len(y)), *extra]))
            return X[rows], y[rows]
    """,
}

Q9_REJECTED = {
    "tops up only the smallest class (binary thinking)": """
        def oversample_all(X, y, seed=0):
            X, y = np.asarray(X), np.asarray(y)
            rng = np.random.default_rng(seed)
            labels, counts = np.unique(y, return_counts=True)
            small = labels[np.argmin(counts)]
            extra = rng.choice(np.flatnonzero(y == small), counts.max() - counts.min(), replace=True)
            rows = np.concatenate([np.arange(len(y)), extra])
            return X[rows], y[rows]
    """,
    "redraws every class instead of keeping the rows": """
        def oversample_all(X, y, seed=0):
            X, y = np.asarray(X), np.asarray(y)
            rng = np.random.default_rng(seed)
            labels, counts = np.unique(y, return_counts=True)
            rows = np.concatenate([rng.choice(np.flatnonzero(y == label), counts.max(), replace=True) for label in labels])
            return X[rows], y[rows]
    """,
    "extra rows drawn from all rows, not from the class": """
        def oversample_all(X, y, seed=0):
            X, y = np.asarray(X), np.asarray(y)
            rng = np.random.default_rng(seed)
            labels, counts = np.unique(y, return_counts=True)
            extra = rng.choice(len(y), counts.max() * len(labels) - len(y), replace=True)
            rows = np.concatenate([np.arange(len(y)), extra])
            return X[rows], y[rows]
    """,
    "draws without replacement": """
        def oversample_all(X, y, seed=0):
            X, y = np.asarray(X), np.asarray(y)
            rng = np.random.default_rng(seed)
            labels, counts = np.unique(y, return_counts=True)
            extra = [rng.choice(np.flatnonzero(y == label), counts.max() - count, replace=False)
                     for label, count in zip(labels, counts)]
            rows = np.concatenate([np.arange(len(y)), *extra])
            return X[rows], y[rows]
    """,
    "repeats rows in a fixed cycle, not at random": """
        def oversample_all(X, y, seed=0):
            X, y = np.asarray(X), np.asarray(y)
            labels, counts = np.unique(y, return_counts=True)
            rows = np.concatenate([np.resize(np.flatnonzero(y == label), counts.max()) for label in labels])
            return X[rows], y[rows]
    """,
    "undersamples to the smallest class": """
        def oversample_all(X, y, seed=0):
            X, y = np.asarray(X), np.asarray(y)
            rng = np.random.default_rng(seed)
            labels, counts = np.unique(y, return_counts=True)
            rows = np.concatenate([rng.choice(np.flatnonzero(y == label), counts.min(), replace=False) for label in labels])
            return X[rows], y[rows]
    """,
}

# -- Q10: at least k rare cases in a sample ----------------------------------------
Q10_ACCEPTED = {
    "math.comb and a loop": """
        from math import comb
        def p_at_least(size):
            return 1 - sum(comb(size, i) * rate ** i * (1 - rate) ** (size - i) for i in range(k))
        p_enough = p_at_least(n)
        n_needed = 1
        while p_at_least(n_needed) < goal:
            n_needed += 1
    """,
    "scipy binom.sf, vectorised search": """
        from scipy.stats import binom
        p_enough = float(binom.sf(k - 1, n, rate))
        sizes = np.arange(1, 20_000)
        n_needed = int(sizes[np.argmax(binom.sf(k - 1, sizes, rate) >= goal)])
    """,
    "scipy binom.cdf complement, bisection": """
        from scipy.stats import binom
        p_enough = 1 - binom.cdf(k - 1, n, rate)
        low, high = 1, 100_000
        while low < high:
            mid = (low + high) // 2
            if 1 - binom.cdf(k - 1, mid, rate) >= goal:
                high = mid
            else:
                low = mid + 1
        n_needed = low
    """,
}

Q10_REJECTED = {
    "more than k instead of at least k": """
        from scipy.stats import binom
        p_enough = float(binom.sf(k, n, rate))
        sizes = np.arange(1, 20_000)
        n_needed = int(sizes[np.argmax(binom.sf(k, sizes, rate) >= goal)])
    """,
    "at least one rare case (the lesson's formula)": """
        p_enough = 1 - (1 - rate) ** n
        n_needed = int(np.ceil(np.log(1 - goal) / np.log(1 - rate)))
    """,
    "Poisson approximation": """
        from math import exp, factorial
        def p_at_least(size):
            mean = size * rate
            return 1 - exp(-mean) * sum(mean ** i / factorial(i) for i in range(k))
        p_enough = p_at_least(n)
        n_needed = 1
        while p_at_least(n_needed) < goal:
            n_needed += 1
    """,
    "off by one: the last size below the goal": """
        from scipy.stats import binom
        p_enough = float(binom.sf(k - 1, n, rate))
        sizes = np.arange(1, 20_000)
        n_needed = int(sizes[np.argmax(binom.sf(k - 1, sizes, rate) >= goal)]) - 1
    """,
    "sample size from the expected count k / rate": """
        from scipy.stats import binom
        p_enough = float(binom.sf(k - 1, n, rate))
        n_needed = int(np.ceil(k / rate))
    """,
}

# -- Q11: a labeling function on the total bill ----------------------------------
_BILL = 'bill = churn[["total_day_charge", "total_eve_charge", "total_night_charge", "total_intl_charge"]].sum(axis=1)'
Q11_ACCEPTED = {
    "boolean masks": f"""
        {_BILL}
        votes, churned = bill >= min_bill, churn["churn"] == "yes"
        lf_coverage = float(votes.mean())
        lf_precision = float(churned[votes].mean())
        lf_recall = float((votes & churned).sum() / churned.sum())
    """,
    "sklearn precision_score and recall_score": f"""
        from sklearn.metrics import precision_score, recall_score
        {_BILL}
        votes, churned = (bill >= min_bill).astype(int), (churn["churn"] == "yes").astype(int)
        lf_coverage = float(votes.mean())
        lf_precision = float(precision_score(churned, votes))
        lf_recall = float(recall_score(churned, votes))
    """,
    "crosstab counts, columns added by hand": """
        bill = churn.total_day_charge + churn.total_eve_charge + churn.total_night_charge + churn.total_intl_charge
        table = pd.crosstab(bill >= min_bill, churn["churn"])
        tp, fp, fn = table.loc[True, "yes"], table.loc[True, "no"], table.loc[False, "yes"]
        lf_coverage = float((tp + fp) / table.to_numpy().sum())
        lf_precision = float(tp / (tp + fp))
        lf_recall = float(tp / (tp + fn))
    """,
}

Q11_REJECTED = {
    "recall divided by the votes (that is precision)": f"""
        {_BILL}
        votes, churned = bill >= min_bill, churn["churn"] == "yes"
        lf_coverage = float(votes.mean())
        lf_precision = float(churned[votes].mean())
        lf_recall = float((votes & churned).sum() / votes.sum())
    """,
    "precision over all customers": f"""
        {_BILL}
        votes, churned = bill >= min_bill, churn["churn"] == "yes"
        lf_coverage = float(votes.mean())
        lf_precision = float((votes & churned).mean())
        lf_recall = float((votes & churned).sum() / churned.sum())
    """,
    "coverage among the churners only": f"""
        {_BILL}
        votes, churned = bill >= min_bill, churn["churn"] == "yes"
        lf_coverage = float(votes[churned].mean())
        lf_precision = float(churned[votes].mean())
        lf_recall = float((votes & churned).sum() / churned.sum())
    """,
    "the day charge alone instead of the total": """
        votes, churned = churn["total_day_charge"] >= min_bill, churn["churn"] == "yes"
        lf_coverage = float(votes.mean())
        lf_precision = float(churned[votes].mean()) if votes.any() else 0.0
        lf_recall = float((votes & churned).sum() / churned.sum())
    """,
    "minutes summed instead of charges": """
        bill = churn[["total_day_minutes", "total_eve_minutes", "total_night_minutes", "total_intl_minutes"]].sum(axis=1)
        votes, churned = bill >= min_bill, churn["churn"] == "yes"
        lf_coverage = float(votes.mean())
        lf_precision = float(churned[votes].mean())
        lf_recall = float((votes & churned).sum() / churned.sum())
    """,
}


# -- cases added in review (quiz_review_03) -------------------------------------------
Q9_ACCEPTED.update({
    "Python's random.Random(seed), one draw at a time": """
        import random

        def oversample_all(X, y, seed=0):
            X, y = np.asarray(X), np.asarray(y)
            draw = random.Random(seed)
            labels, counts = np.unique(y, return_counts=True)
            rows = list(range(len(y)))
            for label, count in zip(labels, counts):
                members = np.flatnonzero(y == label).tolist()
                rows += [draw.choice(members) for _ in range(counts.max() - count)]
            return X[rows], y[rows]
    """,
})
Q9_REJECTED.update({
    "seed ignored (unseeded global np.random)": """
        def oversample_all(X, y, seed=0):
            X, y = np.asarray(X), np.asarray(y)
            labels, counts = np.unique(y, return_counts=True)
            extra = [np.random.choice(np.flatnonzero(y == label), counts.max() - count)
                     for label, count in zip(labels, counts)]
            rows = np.concatenate([np.arange(len(y)), *extra])
            return X[rows], y[rows]
    """,
    "one random row per class, repeated for every copy": """
        def oversample_all(X, y, seed=0):
            X, y = np.asarray(X), np.asarray(y)
            rng = np.random.default_rng(seed)
            labels, counts = np.unique(y, return_counts=True)
            extra = [np.repeat(rng.choice(np.flatnonzero(y == label)), counts.max() - count)
                     for label, count in zip(labels, counts)]
            rows = np.concatenate([np.arange(len(y)), *extra]).astype(int)
            return X[rows], y[rows]
    """,
})
Q10_ACCEPTED.update({
    "searchsorted on binom.sf, n_needed as a float": """
        from scipy.stats import binom
        p_enough = binom.sf(k - 1, n, rate)
        sizes = np.arange(0, 5000)
        n_needed = float(sizes[np.searchsorted(binom.sf(k - 1, sizes, rate), goal)])
    """,
    "next() over sizes, NumPy scalars": """
        from scipy.stats import binom
        p_enough = np.float64(1 - binom.cdf(k - 1, n, rate))
        n_needed = np.int64(next(m for m in range(1, 10 ** 5) if binom.sf(k - 1, m, rate) >= goal))
    """,
})
Q10_REJECTED.update({
    "normal approximation with continuity correction": """
        from scipy.stats import norm
        def p_at_least(size):
            return 1 - norm.cdf((k - 0.5 - size * rate) / (size * rate * (1 - rate)) ** 0.5)
        p_enough = float(p_at_least(n))
        n_needed = 1
        while p_at_least(n_needed) < goal:
            n_needed += 1
    """,
    "probability of exactly k": """
        from scipy.stats import binom
        p_enough = float(binom.pmf(k, n, rate))
        n_needed = 1
        while binom.sf(k - 1, n_needed, rate) < goal:
            n_needed += 1
    """,
})
Q11_ACCEPTED.update({
    "charge columns picked with filter(like=...)": """
        bill = churn.filter(like="_charge").sum(axis=1)
        votes, churned = bill >= min_bill, churn["churn"] == "yes"
        lf_coverage = float(votes.mean())
        lf_precision = float(churned[votes].mean())
        lf_recall = float((votes & churned).sum() / churned.sum())
    """,
})
Q11_REJECTED.update({
    "international charge left out": """
        bill = churn[["total_day_charge", "total_eve_charge", "total_night_charge"]].sum(axis=1)
        votes, churned = bill >= min_bill, churn["churn"] == "yes"
        lf_coverage = float(votes.mean())
        lf_precision = float(churned[votes].mean())
        lf_recall = float((votes & churned).sum() / churned.sum())
    """,
    "coverage as a count, not a share": f"""
        {_BILL}
        votes, churned = bill >= min_bill, churn["churn"] == "yes"
        lf_coverage = float(votes.sum())
        lf_precision = float(churned[votes].mean())
        lf_recall = float((votes & churned).sum() / churned.sum())
    """,
})


# -- added by the expert review (qreview_a): more methods and more plausible mistakes --
_B = 'bill = churn[["total_day_charge", "total_eve_charge", "total_night_charge", "total_intl_charge"]].sum(axis=1)\n'
_OVERSAMPLE = """def oversample_all(X, y, seed=0):
    X, y = np.asarray(X), np.asarray(y)
    g = np.random.default_rng({seed})
    labels, counts = np.unique(y, return_counts=True)
    rows = np.concatenate([np.arange(len(y))] + [g.choice(np.flatnonzero(y == l), {size}) for l, c in zip(labels, counts) if c < counts.max()])
    return X[rows], {labels}
"""
Q9_ACCEPTED.update({
    "integers_indexing_each_class": """
def oversample_all(X, y, seed=0):
    X, y = np.asarray(X), np.asarray(y)
    g = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    idx = [np.arange(len(y))]
    for c, m in zip(classes, counts):
        pos = np.where(y == c)[0]
        idx.append(pos[g.integers(0, len(pos), size=counts.max() - m)])
    idx = np.concatenate(idx)
    return X[idx], y[idx]
""",
    "global np.random.seed(seed)": _OVERSAMPLE.replace("g = np.random.default_rng({seed})", "np.random.seed(seed)").replace(
        "g.choice", "np.random.choice").format(size="counts.max() - c", labels="y[rows]"),
})
Q9_REJECTED.update({
    "seed argument ignored, fixed seed 0": _OVERSAMPLE.format(seed=0, size="counts.max() - c", labels="y[rows]"),
    "draws as many extra rows as the largest class": _OVERSAMPLE.format(seed="seed", size="counts.max()", labels="y[rows]"),
    "labels sorted apart from their rows": _OVERSAMPLE.format(seed="seed", size="counts.max() - c", labels="np.sort(y[rows])"),
    "np.bincount for the class sizes (integer labels only)": """
def oversample_all(X, y, seed=0):
    X, y = np.asarray(X), np.asarray(y)
    g = np.random.default_rng(seed)
    counts = np.bincount(y)
    rows = np.concatenate([np.arange(len(y))] + [g.choice(np.flatnonzero(y == l), counts.max() - c) for l, c in enumerate(counts) if c])
    return X[rows], y[rows]
""",
    "rows drawn from anywhere, labelled with the class": """
def oversample_all(X, y, seed=0):
    X, y = np.asarray(X), np.asarray(y)
    g = np.random.default_rng(seed)
    labels, counts = np.unique(y, return_counts=True)
    Xs, ys = [X], [y]
    for l, c in zip(labels, counts):
        pick = g.choice(len(y), counts.max() - c)
        Xs.append(X[pick]); ys.append(np.full(len(pick), l))
    return np.concatenate(Xs), np.concatenate(ys)
""",
    # test-wise: passes the visible form check (a tuple of two arrays of one length) and does nothing
    "returns the input unchanged": """
def oversample_all(X, y, seed=0):
    return np.asarray(X), np.asarray(y)
""",
})
Q10_ACCEPTED.update({
    "binom.pmf summed from k to n": """
from scipy.stats import binom
p_enough = float(binom.pmf(np.arange(k, n + 1), n, rate).sum())
n_needed = int(next(m for m in range(k, 100000) if binom.pmf(np.arange(k, m + 1), m, rate).sum() >= goal))
""",
})
Q10_REJECTED.update({
    "at most k (binom.cdf(k))": """
from scipy.stats import binom
p_enough = float(binom.cdf(k, n, rate))
n_needed = next(m for m in range(1, 100000) if binom.cdf(k, m, rate) >= goal)
""",
    "n_needed from k / (rate * goal)": """
from scipy.stats import binom
p_enough = float(binom.sf(k - 1, n, rate))
n_needed = int(np.ceil(k / (rate * goal)))
""",
    "at least one case, to the power k": """
p_enough = float((1 - (1 - rate) ** n) ** k)
n_needed = 1
while (1 - (1 - rate) ** n_needed) ** k < goal:
    n_needed += 1
""",
})
Q11_ACCEPTED.update({
    "DataFrame.eval for the bill": """
b = churn.eval("total_day_charge + total_eve_charge + total_night_charge + total_intl_charge")
v, y = b >= min_bill, churn["churn"] == "yes"
lf_coverage, lf_precision, lf_recall = (float(v.sum() / len(churn)), float((v & y).sum() / v.sum()),
                                        float((v & y).sum() / y.sum()))
""",
})
Q11_REJECTED.update({
    "mean of the four charges, not their sum": _B.replace(".sum(axis=1)", ".mean(axis=1)") + """
v, y = bill >= min_bill, churn["churn"] == "yes"
lf_coverage = float(v.mean()); lf_precision = float(y[v].mean()) if v.any() else 0.0; lf_recall = float((v & y).sum() / y.sum())
""",
    "every numeric column summed": """
bill = churn.sum(axis=1, numeric_only=True)
v, y = bill >= min_bill, churn["churn"] == "yes"
lf_coverage = float(v.mean()); lf_precision = float(y[v].mean()); lf_recall = float((v & y).sum() / y.sum())
""",
    "the non-churners counted as the positive class": _B + """
v, y = bill >= min_bill, churn["churn"] == "no"
lf_coverage = float(v.mean()); lf_precision = float(y[v].mean()); lf_recall = float((v & y).sum() / y.sum())
""",
    "votes below the threshold": _B + """
v, y = bill < min_bill, churn["churn"] == "yes"
lf_coverage = float(v.mean()); lf_precision = float(y[v].mean()); lf_recall = float((v & y).sum() / y.sum())
""",
    "recall over all customers": _B + """
v, y = bill >= min_bill, churn["churn"] == "yes"
lf_coverage = float(v.mean()); lf_precision = float(y[v].mean()); lf_recall = float((v & y).mean())
""",
})


@pytest.mark.parametrize("item, answer, right", judged_cases(
    ("q9", Q9_ACCEPTED, Q9_REJECTED, _src), ("q10", Q10_ACCEPTED, Q10_REJECTED, _src),
    ("q11", Q11_ACCEPTED, Q11_REJECTED, _src)))
def test_each_answer_is_judged_as_an_expert_would(item, answer, right):
    assert_judged(WEEK, item, answer, right)


# -- per-student variants: the same verdicts on every student's given data -------------
CASES = judged_cases(("q9", Q9_ACCEPTED, Q9_REJECTED, _src), ("q10", Q10_ACCEPTED, Q10_REJECTED, _src),
                     ("q11", Q11_ACCEPTED, Q11_REJECTED, _src))


@pytest.mark.parametrize("student", VARIANT_STUDENTS)
@pytest.mark.parametrize("item, answer, right", CASES)
def test_each_answer_is_judged_alike_on_each_students_variant(item, answer, right, student):
    """Protects: a named mistake stays wrong (and a valid method right) on a student's
    own data, not only on the quiz as written."""
    assert_judged(WEEK, item, answer, right, student)


@pytest.mark.parametrize("item, accepted, rejected", [("q10", Q10_ACCEPTED, Q10_REJECTED), ("q11", Q11_ACCEPTED, Q11_REJECTED)])
def test_each_answer_is_judged_alike_on_every_variant_the_data_can_pick(item, accepted, rejected):
    """Protects: no (rate, n, k, goal) of q10's lists and no min_bill of q11's lets a named
    mistake pass (k = 1 would make the lesson's formula right; a goal near 0.5 could make
    k / rate right; a min_bill below the largest day charge could let the day charge
    alone come close)."""
    cases = {**{f"accepts {n}": (_src(a), True) for n, a in accepted.items()},
             **{f"rejects {n}": (_src(a), False) for n, a in rejected.items()}}
    assert not misjudged_on_some_variant(WEEK, item, cases)
