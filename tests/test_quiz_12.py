"""Week 12 quiz: the code tasks accept every correct method and reject the plausible
mistakes (ASSESSMENT.md, "Code and numeric tasks"), judged by the quiz's own tests."""
from __future__ import annotations

import pytest

from helpers import assert_judged, judge_answer, judged_named, source_solution

WEEK = "12_versioning_cicd"

# -- Q11: rows that break a data contract ------------------------------------------
Q11_ACCEPTED = {
    "q11 one boolean mask, or-ed per rule": ("q11", """
def count_bad_rows(df, rules):
    bad = pd.Series(False, index=df.index)
    for name, rule in rules.items():
        if isinstance(rule, tuple):
            low, high = rule
            bad = bad | df[name].isna() | (df[name] < low) | (df[name] > high)
        else:
            bad = bad | ~df[name].isin(list(rule))
    return int(bad.sum())
"""),
    "q11 row by row with apply": ("q11", """
import math
def count_bad_rows(df, rules):
    def broken(row):
        for name, rule in rules.items():
            v = row[name]
            if v is None or (isinstance(v, float) and math.isnan(v)):
                return True
            if isinstance(rule, tuple):
                if not rule[0] <= v <= rule[1]:
                    return True
            elif v not in rule:
                return True
        return False
    return int(df.apply(broken, axis=1).sum())
"""),
    "q11 numpy masks and a numpy int": ("q11", """
def count_bad_rows(df, rules):
    masks = []
    for name, rule in rules.items():
        values = df[name]
        ok = values.between(rule[0], rule[1]) if type(rule) is tuple else values.isin(rule)
        masks.append(~ok.to_numpy())
    return np.logical_or.reduce(masks).sum()
"""),
    "q11 comparisons and membership with map": ("q11", """
def count_bad_rows(df, rules):
    ok = pd.Series(True, index=df.index)
    for name, rule in rules.items():
        if isinstance(rule, tuple):
            ok &= (df[name] >= rule[0]) & (df[name] <= rule[1])
        else:
            ok &= df[name].map(lambda v: v in rule).astype(bool)
    return int((~ok).sum())
"""),
    "q11 keep the good rows, count the rest": ("q11", """
def count_bad_rows(df, rules):
    good = df
    for name, rule in rules.items():
        good = good[good[name].between(*rule)] if isinstance(rule, tuple) else good[good[name].isin(rule)]
    return len(df) - len(good)
"""),
}

Q11_REJECTED = {
    "q11 a missing number passes (comparisons only)": ("q11", """
def count_bad_rows(df, rules):
    bad = pd.Series(False, index=df.index)
    for name, rule in rules.items():
        if isinstance(rule, tuple):
            bad |= (df[name] < rule[0]) | (df[name] > rule[1])
        else:
            bad |= ~df[name].isin(rule)
    return int(bad.sum())
"""),
    "q11 a missing category passes": ("q11", """
def count_bad_rows(df, rules):
    bad = pd.Series(False, index=df.index)
    for name, rule in rules.items():
        if isinstance(rule, tuple):
            bad |= ~df[name].between(*rule)
        else:
            bad |= df[name].notna() & ~df[name].isin(rule)
    return int(bad.sum())
"""),
    "q11 counts broken values, not rows": ("q11", """
def count_bad_rows(df, rules):
    total = 0
    for name, rule in rules.items():
        ok = df[name].between(*rule) if isinstance(rule, tuple) else df[name].isin(rule)
        total += int((~ok).sum())
    return total
"""),
    "q11 bounds excluded": ("q11", """
def count_bad_rows(df, rules):
    bad = pd.Series(False, index=df.index)
    for name, rule in rules.items():
        if isinstance(rule, tuple):
            bad |= ~df[name].between(*rule, inclusive="neither")
        else:
            bad |= ~df[name].isin(rule)
    return int(bad.sum())
"""),
    "q11 gaps filled with 0 before the range check": ("q11", """
def count_bad_rows(df, rules):
    bad = pd.Series(False, index=df.index)
    for name, rule in rules.items():
        if isinstance(rule, tuple):
            bad |= ~df[name].fillna(0).between(*rule)
        else:
            bad |= ~df[name].isin(rule)
    return int(bad.sum())
"""),
    "q11 rows with a gap dropped before checking": ("q11", """
def count_bad_rows(df, rules):
    kept = df.dropna(subset=list(rules))
    bad = pd.Series(False, index=kept.index)
    for name, rule in rules.items():
        bad |= ~kept[name].between(*rule) if isinstance(rule, tuple) else ~kept[name].isin(rule)
    return int(bad.sum())
"""),
    "q11 categories compared without case": ("q11", """
def count_bad_rows(df, rules):
    bad = pd.Series(False, index=df.index)
    for name, rule in rules.items():
        bad |= ~df[name].between(*rule) if isinstance(rule, tuple) else ~df[name].str.upper().isin(rule)
    return int(bad.sum())
"""),
    "q11 only the range rules are checked": ("q11", """
def count_bad_rows(df, rules):
    bad = pd.Series(False, index=df.index)
    for name, rule in rules.items():
        if isinstance(rule, tuple):
            bad |= ~df[name].between(*rule)
    return int(bad.sum())
"""),
    "q11 a gap in any column counts, ruled or not": ("q11", """
def count_bad_rows(df, rules):
    bad = df.isna().any(axis=1)
    for name, rule in rules.items():
        bad |= ~df[name].between(*rule) if isinstance(rule, tuple) else ~df[name].isin(rule)
    return int(bad.sum())
"""),
}

# -- Q12: what a content-addressed cache holds ---------------------------------------
Q12_ACCEPTED = {
    "q12 a set of the bytes themselves": ("q12", """
contents = {blob for snap in history.values() for blob in snap.values()}
n_cache_entries = len(contents)
cache_bytes = sum(len(b) for b in contents)
"""),
    "q12 md5 digests, as DVC does": ("q12", """
cache = {}
for snap in history.values():
    for blob in snap.values():
        cache[hashlib.md5(blob).hexdigest()] = len(blob)
n_cache_entries = len(cache)
cache_bytes = sum(cache.values())
"""),
    "q12 pandas drop_duplicates on the digests": ("q12", """
rows = pd.DataFrame([(hashlib.sha1(b).hexdigest(), len(b)) for s in history.values() for b in s.values()], columns=["h", "n"])
unique = rows.drop_duplicates("h")
n_cache_entries = len(unique)
cache_bytes = int(unique["n"].sum())
"""),
    "q12 a set of the decoded texts": ("q12", """
texts = {blob.decode() for snap in history.values() for blob in snap.values()}
n_cache_entries = len(texts)
cache_bytes = sum(len(t) for t in texts)
"""),
}

Q12_REJECTED = {
    "q12 no deduplication: every file of every commit": ("q12", """
n_cache_entries = sum(len(s) for s in history.values())
cache_bytes = sum(len(b) for s in history.values() for b in s.values())
"""),
    "q12 one entry per name and content (the backup counted twice)": ("q12", """
pairs = {(name, blob) for s in history.values() for name, blob in s.items()}
n_cache_entries = len(pairs)
cache_bytes = sum(len(blob) for _, blob in pairs)
"""),
    "q12 a new entry whenever a file differs from the previous commit": ("q12", """
n_cache_entries, cache_bytes, previous = 0, 0, {}
for s in history.values():
    for name, blob in s.items():
        if previous.get(name) != blob:
            n_cache_entries += 1
            cache_bytes += len(blob)
    previous = s
"""),
    "q12 distinct contents per commit, summed over the commits": ("q12", """
n_cache_entries = sum(len(set(s.values())) for s in history.values())
cache_bytes = sum(len(b) for s in history.values() for b in set(s.values()))
"""),
    "q12 distinct versions per file name (a copy under a new name counted again)": ("q12", """
names = {n for s in history.values() for n in s}
versions = [{s[n] for s in history.values() if n in s} for n in names]
n_cache_entries = sum(len(v) for v in versions)
cache_bytes = sum(len(b) for v in versions for b in v)
"""),
    "q12 only the last commit": ("q12", """
last = list(history.values())[-1]
n_cache_entries = len(last)
cache_bytes = sum(len(b) for b in last.values())
"""),
    "q12 bytes of the hex digests instead of the files": ("q12", """
cache = {hashlib.sha256(b).hexdigest() for s in history.values() for b in s.values()}
n_cache_entries = len(cache)
cache_bytes = sum(len(h) for h in cache)
"""),
}

# -- Q13: what autoscaling saves (scale up at once, down by one replica an hour) --------
Q13_ACCEPTED = {
    "q13 numpy for the need, a loop for the scale-down limit": ("q13", """
need = np.maximum(MIN_REPLICAS, np.ceil(load_rps / (CAPACITY_RPS * TARGET)))
run = need.copy()
for h in range(1, len(run)):
    run[h] = max(need[h], run[h - 1] - 1)
auto_replica_hours = run.sum()
fixed_replica_hours = need.max() * len(load_rps)
"""),
    "q13 a pandas Series, dividing in two steps, itertools.accumulate": ("q13", """
from itertools import accumulate
need = (pd.Series(load_rps) / CAPACITY_RPS / TARGET).apply(math.ceil).clip(lower=MIN_REPLICAS)
auto_replica_hours = int(sum(accumulate(need, lambda prev, n: max(n, prev - 1))))
fixed_replica_hours = int(need.max() * 24)
"""),
    "q13 one loop with an integer ceiling": ("q13", """
auto_replica_hours, peak, current = 0, 0, None
for rps in load_rps:
    n = max(MIN_REPLICAS, -(-int(rps) * 10 // int(CAPACITY_RPS * TARGET * 10)))
    current = n if current is None else max(n, current - 1)
    auto_replica_hours += current
    peak = max(peak, n)
fixed_replica_hours = 24 * peak
"""),
    "q13 the fixed fleet from the peak load directly": ("q13", """
need = [max(MIN_REPLICAS, math.ceil(x / (CAPACITY_RPS * TARGET))) for x in load_rps]
run = [need[0]]
for n in need[1:]:
    run.append(max(n, run[-1] - 1))
auto_replica_hours = sum(run)
fixed_replica_hours = 24 * math.ceil(load_rps.max() / (CAPACITY_RPS * TARGET))
"""),
}

_LIMITED = """
def _limited(need):
    run = [need[0]]
    for n in need[1:]:
        run.append(max(n, run[-1] - 1))
    return run
"""

Q13_REJECTED = {
    "q13 the scale-down limit ignored": ("q13", """
replicas = np.maximum(MIN_REPLICAS, np.ceil(load_rps / (CAPACITY_RPS * TARGET)))
auto_replica_hours = replicas.sum()
fixed_replica_hours = 24 * replicas.max()
"""),
    "q13 the limit applied to scaling up too": ("q13", """
need = [max(MIN_REPLICAS, math.ceil(x / (CAPACITY_RPS * TARGET))) for x in load_rps]
run = [need[0]]
for n in need[1:]:
    run.append(min(max(n, run[-1] - 1), run[-1] + 1))
auto_replica_hours = sum(run)
fixed_replica_hours = 24 * max(need)
"""),
    "q13 the limit counted from the previous hour's need, not the replicas running": ("q13", """
need = [max(MIN_REPLICAS, math.ceil(x / (CAPACITY_RPS * TARGET))) for x in load_rps]
run = [need[0]] + [max(need[h], need[h - 1] - 1) for h in range(1, len(need))]
auto_replica_hours = sum(run)
fixed_replica_hours = 24 * max(need)
"""),
    "q13 fractions of replicas (no ceiling)": ("q13", _LIMITED + """
need = np.maximum(MIN_REPLICAS, load_rps / (CAPACITY_RPS * TARGET))
auto_replica_hours = sum(_limited(list(need)))
fixed_replica_hours = 24 * np.ceil(need.max())
"""),
    "q13 rounding instead of rounding up": ("q13", _LIMITED + """
need = np.maximum(MIN_REPLICAS, np.round(load_rps / (CAPACITY_RPS * TARGET)))
auto_replica_hours = sum(_limited(list(need)))
fixed_replica_hours = 24 * need.max()
"""),
    "q13 the minimum of replicas ignored": ("q13", _LIMITED + """
need = np.ceil(load_rps / (CAPACITY_RPS * TARGET))
auto_replica_hours = sum(_limited(list(need)))
fixed_replica_hours = 24 * need.max()
"""),
    "q13 replicas run at full capacity (target ignored)": ("q13", _LIMITED + """
need = np.maximum(MIN_REPLICAS, np.ceil(load_rps / CAPACITY_RPS))
auto_replica_hours = sum(_limited(list(need)))
fixed_replica_hours = 24 * need.max()
"""),
    "q13 the load multiplied by the target instead of divided": ("q13", _LIMITED + """
need = np.maximum(MIN_REPLICAS, np.ceil(load_rps * TARGET / CAPACITY_RPS))
auto_replica_hours = sum(_limited(list(need)))
fixed_replica_hours = 24 * need.max()
"""),
    "q13 the fixed fleet sized for the average hour": ("q13", _LIMITED + """
need = np.maximum(MIN_REPLICAS, np.ceil(load_rps / (CAPACITY_RPS * TARGET)))
auto_replica_hours = sum(_limited(list(need)))
fixed_replica_hours = 24 * max(MIN_REPLICAS, math.ceil(load_rps.mean() / (CAPACITY_RPS * TARGET)))
"""),
}

ACCEPTED = {**Q11_ACCEPTED, **Q12_ACCEPTED, **Q13_ACCEPTED}
REJECTED = {**Q11_REJECTED, **Q12_REJECTED, **Q13_REJECTED}


@pytest.mark.parametrize("item, answer, right", judged_named(ACCEPTED, REJECTED))
def test_each_answer_is_judged_as_an_expert_would(item, answer, right):
    assert_judged(WEEK, item, answer, right)


@pytest.mark.parametrize("item", ["q11", "q12", "q13"])
def test_the_source_solution_passes(item):
    """Protects: the solution in the quiz source earns the item's points."""
    assert judge_answer(WEEK, item, source_solution(WEEK, item)) is None
