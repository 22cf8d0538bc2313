"""Week 12 quiz: the code tasks accept every correct method and reject the plausible
mistakes (ASSESSMENT.md, "Code and numeric tasks"), judged by the quiz's own hidden tests
on the source variant, on each of helpers.VARIANT_STUDENTS and on the variants the given
data can pick.

Q11 is graded on what the student built (issue 18, item 5): the student's data test is run,
as CI runs it, on good deliveries (it must pass) and on broken ones (it must fail and name
the column). Its rejected cases include the hostile ones: a test that passes everything,
one that only asserts True, one that fails everything, one that recognises the given
delivery, one that skips itself, one that returns an object claiming to be anything, one
that rebinds the given data while the hidden tests run it.
"""
from __future__ import annotations

import pytest

import variant_sweep
from helpers import VARIANT_STUDENTS, assert_judged, judge_answer, judged_named, source_solution
from hostile import EQUALS_ANYTHING
from mlops_course import quizcells

WEEK = "12_versioning_cicd"

# -- Q11: the data test of a CI job, run on good and broken deliveries ---------------------
Q11_ACCEPTED = {
    "q11 one assert per rule, between and isin": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, f"delivery too short: {len(df)} rows"
    for col, rule in contract.items():
        assert col in df.columns, f"{col} is missing from the delivery"
        assert not df[col].isna().any(), f"{col} has gaps"
        ok = df[col].between(rule[0], rule[1]) if isinstance(rule, tuple) else df[col].isin(rule)
        assert ok.all(), f"{col} breaks its rule"
"""),
    "q11 every problem collected, one assert with the list": ("q11", """
def test_delivery(df, contract, min_rows):
    problems = [] if len(df) >= min_rows else [f"only {len(df)} rows"]
    for col, rule in contract.items():
        if col not in df:
            problems.append(f"{col}: absent")
            continue
        s = df[col]
        ok = s.between(*rule) if type(rule) is tuple else s.isin(rule)
        if not ok.all():
            problems.append(f"{col}: {int((~ok).sum())} bad or missing values")
    assert not problems, "; ".join(problems)
"""),
    "q11 an absent column left to raise KeyError, comparisons after a gap check": ("q11", """
def test_delivery(df, contract, min_rows):
    assert df.shape[0] >= min_rows, "too few rows"
    for col, rule in contract.items():
        s = df[col]                                   # KeyError names an absent column
        assert s.notna().all(), f"missing values in {col}"
        if isinstance(rule, tuple):
            assert ((s >= rule[0]) & (s <= rule[1])).all(), f"{col} out of range"
        else:
            assert s.isin(rule).all(), f"unknown category in {col}"
"""),
    "q11 min and max once the gaps are excluded": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, "delivery too short"
    missing = [c for c in contract if c not in df.columns]
    assert not missing, f"absent columns: {missing}"
    for col, rule in contract.items():
        assert df[col].isna().sum() == 0, f"{col}: missing values"
        if isinstance(rule, tuple):
            assert df[col].min() >= rule[0] and df[col].max() <= rule[1], f"{col}: out of range"
        else:
            assert set(df[col].unique()) <= set(rule), f"{col}: categories {set(df[col].unique()) - set(rule)}"
"""),
    "q11 a ValueError instead of an assert": ("q11", """
def test_delivery(df, contract, min_rows):
    if len(df) < min_rows:
        raise ValueError(f"{len(df)} rows < {min_rows}")
    for col, rule in contract.items():
        if col not in df.columns:
            raise ValueError(f"no column {col}")
        good = df[col].between(*rule) if isinstance(rule, tuple) else df[col].isin(rule)
        if not good.all():
            raise ValueError(f"{col}: {(~good).sum()} rows break the contract")
"""),
    "q11 pytest.fail with a message": ("q11", """
import pytest

def test_delivery(df, contract, min_rows):
    if len(df) < min_rows:
        pytest.fail("the delivery is too short")
    for col, rule in contract.items():
        if col not in df or df[col].isna().any():
            pytest.fail(f"{col} is absent or has gaps")
        inside = df[col].between(*rule) if isinstance(rule, tuple) else df[col].isin(rule)
        if not inside.all():
            pytest.fail(f"{col} has values outside {rule}")
"""),
    "q11 numpy arrays and plain membership": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df.index) >= min_rows, "not enough rows"
    for col, rule in contract.items():
        assert col in df, col + " absent"
        values = df[col].to_numpy()
        if isinstance(rule, tuple):
            v = values.astype(float)
            assert not np.isnan(v).any() and ((v >= rule[0]) & (v <= rule[1])).all(), col + " out of range"
        else:
            assert all(x in rule for x in values), col + " has a value not allowed"
"""),
    "q11 the ruled columns selected at once (KeyError lists the absent ones)": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, "short delivery"
    ruled = df.loc[:, list(contract)]
    gaps = ruled.columns[ruled.isna().any()].tolist()
    assert not gaps, f"gaps in {gaps}"
    for col, rule in contract.items():
        bad = ~(ruled[col].between(*rule) if isinstance(rule, tuple) else ruled[col].isin(rule))
        assert not bad.any(), f"{col}: {bad.sum()} values break the rule"
"""),
}

Q11_REJECTED = {
    # hostile: artifacts that imitate a test without testing anything
    "q11 a test that passes everything": ("q11", """
def test_delivery(df, contract, min_rows):
    pass
"""),
    "q11 only assert True (the issue's CI tests)": ("q11", """
def test_delivery(df, contract, min_rows):
    assert True
"""),
    "q11 a test that fails everything, naming every column": ("q11", """
def test_delivery(df, contract, min_rows):
    raise AssertionError(f"broken: {', '.join(contract)} (too short?)")
"""),
    "q11 a test that recognises the given delivery": ("q11", """
def test_delivery(df, contract, min_rows):
    assert df.equals(batch), "the delivery differs from the reference"
"""),
    "q11 a test that skips itself": ("q11", """
import pytest

def test_delivery(df, contract, min_rows):
    pytest.skip("data checks are slow")
"""),
    "q11 a test that returns an object claiming to be anything": ("q11", EQUALS_ANYTHING + """
def test_delivery(*args, **kwargs):
    return _Anything("A")
"""),
    "q11 a test that empties the given contract and size while it runs": ("q11", """
def test_delivery(df, contract, min_rows):
    globals().update(contract={}, MIN_ROWS=0, batch=df.head(0))   # what the hidden tests would read next
"""),
    "q11 the failures caught and printed": ("q11", """
def test_delivery(df, contract, min_rows):
    try:
        for col, rule in contract.items():
            ok = df[col].between(*rule) if isinstance(rule, tuple) else df[col].isin(rule)
            assert ok.all(), f"{col} breaks its rule"
    except Exception as exc:
        print("warning:", exc)
"""),
    "q11 a right test whose messages print the whole contract": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, f"too short for {contract}"
    for col, rule in contract.items():
        assert col in df, f"{col} absent"
        ok = df[col].between(*rule) if isinstance(rule, tuple) else df[col].isin(rule)
        assert ok.all(), f"the delivery breaks its contract {contract}"
"""),
    # plausible mistakes
    "q11 a check that returns False instead of failing": ("q11", """
def test_delivery(df, contract, min_rows):
    if len(df) < min_rows:
        return False
    for col, rule in contract.items():
        ok = df[col].between(*rule) if isinstance(rule, tuple) else df[col].isin(rule)
        if not ok.all():
            return False
"""),
    "q11 a missing number passes (comparisons only)": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, "too short"
    for col, rule in contract.items():
        assert col in df, f"{col} absent"
        if isinstance(rule, tuple):
            assert not ((df[col] < rule[0]) | (df[col] > rule[1])).any(), f"{col} out of range"
        else:
            assert df[col].isin(rule).all(), f"{col}: bad category"
"""),
    "q11 min and max, which skip the gaps": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, "too short"
    for col, rule in contract.items():
        assert col in df, f"{col} absent"
        if isinstance(rule, tuple):
            assert df[col].min() >= rule[0] and df[col].max() <= rule[1], f"{col} out of range"
        else:
            assert df[col].isin(rule).all(), f"{col}: bad category"
"""),
    "q11 a missing category passes (gaps dropped first)": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, "too short"
    for col, rule in contract.items():
        assert col in df, f"{col} absent"
        s = df[col] if isinstance(rule, tuple) else df[col].dropna()
        ok = s.between(*rule) if isinstance(rule, tuple) else s.isin(rule)
        assert ok.all(), f"{col} breaks its rule"
"""),
    "q11 categories compared without case": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, "too short"
    for col, rule in contract.items():
        assert col in df, f"{col} absent"
        ok = df[col].between(*rule) if isinstance(rule, tuple) else df[col].str.upper().isin(rule)
        assert ok.all(), f"{col} breaks its rule"
"""),
    "q11 bounds excluded": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, "too short"
    for col, rule in contract.items():
        assert col in df, f"{col} absent"
        ok = df[col].between(*rule, inclusive="neither") if isinstance(rule, tuple) else df[col].isin(rule)
        assert ok.all(), f"{col} breaks its rule"
"""),
    "q11 a delivery of exactly min_rows rows fails": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) > min_rows, "too short"
    for col, rule in contract.items():
        assert col in df, f"{col} absent"
        ok = df[col].between(*rule) if isinstance(rule, tuple) else df[col].isin(rule)
        assert ok.all(), f"{col} breaks its rule"
"""),
    "q11 the size not checked": ("q11", """
def test_delivery(df, contract, min_rows):
    for col, rule in contract.items():
        assert col in df, f"{col} absent"
        ok = df[col].between(*rule) if isinstance(rule, tuple) else df[col].isin(rule)
        assert ok.all(), f"{col} breaks its rule"
"""),
    "q11 the size compared with the given delivery's": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= N_ROWS, "too short"
    for col, rule in contract.items():
        assert col in df, f"{col} absent"
        ok = df[col].between(*rule) if isinstance(rule, tuple) else df[col].isin(rule)
        assert ok.all(), f"{col} breaks its rule"
"""),
    "q11 only the columns present are checked (an absent one passes)": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, "too short"
    for col in df.columns:
        if col in contract:
            rule = contract[col]
            ok = df[col].between(*rule) if isinstance(rule, tuple) else df[col].isin(rule)
            assert ok.all(), f"{col} breaks its rule"
"""),
    "q11 a gap in any column fails, ruled or not": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, "too short"
    assert not df.isna().any().any(), f"gaps in {df.columns[df.isna().any()].tolist()}"
    for col, rule in contract.items():
        assert col in df, f"{col} absent"
        ok = df[col].between(*rule) if isinstance(rule, tuple) else df[col].isin(rule)
        assert ok.all(), f"{col} breaks its rule"
"""),
    "q11 the given size instead of the argument": ("q11", """
def test_delivery(df, contract, n):
    assert len(df) >= MIN_ROWS, "too short"
    for col, rule in contract.items():
        assert col in df, f"{col} absent"
        ok = df[col].between(*rule) if isinstance(rule, tuple) else df[col].isin(rule)
        assert ok.all(), f"{col} breaks its rule"
"""),
    "q11 the given contract instead of the argument": ("q11", """
def test_delivery(df, rules, min_rows):
    assert len(df) >= min_rows, "too short"
    for col, rule in contract.items():
        assert col in df, f"{col} absent"
        ok = df[col].between(*rule) if isinstance(rule, tuple) else df[col].isin(rule)
        assert ok.all(), f"{col} breaks its rule"
"""),
    "q11 any() instead of all()": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, "too short"
    for col, rule in contract.items():
        assert col in df, f"{col} absent"
        ok = df[col].between(*rule) if isinstance(rule, tuple) else df[col].isin(rule)
        assert ok.any(), f"{col} breaks its rule"
"""),
    "q11 only the numeric rules are checked": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, "too short"
    for col, rule in contract.items():
        assert col in df, f"{col} absent"
        if isinstance(rule, tuple):
            assert df[col].between(*rule).all(), f"{col} breaks its rule"
"""),
    "q11 a schema test only: names and types (swapped columns pass)": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, "too short"
    for col, rule in contract.items():
        assert col in df, f"{col} absent"
        if isinstance(rule, tuple):
            assert pd.api.types.is_numeric_dtype(df[col]), f"{col} is not numeric"
        else:
            assert df[col].isin(rule).all(), f"{col} breaks its rule"
"""),
    "q11 the data repaired before the check (gaps dropped)": ("q11", """
def test_delivery(df, contract, min_rows):
    present = [c for c in contract if c in df]
    assert len(present) == len(contract), "a column is absent"
    df = df.dropna(subset=present)
    assert len(df) >= min_rows, "too short"
    for col, rule in contract.items():
        ok = df[col].between(*rule) if isinstance(rule, tuple) else df[col].isin(rule)
        assert ok.all(), f"{col} breaks its rule"
"""),
    "q11 the given delivery checked instead of df": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, "too short"
    for col, rule in contract.items():
        ok = batch[col].between(*rule) if isinstance(rule, tuple) else batch[col].isin(rule)
        assert ok.all(), f"{col} breaks its rule"
"""),
    "q11 bare asserts: the CI log does not say which column": ("q11", """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows
    for col, rule in contract.items():
        assert col in df
        assert (df[col].between(*rule) if isinstance(rule, tuple) else df[col].isin(rule)).all()
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
    "q13 one loop with a ceiling by floor division": ("q13", """
auto_replica_hours, peak, current = 0, 0, None
for rps in load_rps:
    n = max(MIN_REPLICAS, int(-(-rps // (CAPACITY_RPS * TARGET))))
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


# -- more answers judged in review (methods, mistakes not listed above) ---------------------
Q11_ACCEPTED['q11 a python predicate applied to each value'] = ('q11', """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, f"too short: {len(df)} rows < {min_rows}"
    for col, rule in contract.items():
        assert col in df.columns, f"{col} absent"
        s = df[col]
        assert not s.isna().any(), f"{col} has gaps"
        ok = s.apply(lambda v: (rule[0] <= v <= rule[1]) if isinstance(rule, tuple) else (v in rule))
        assert ok.all(), f"{col}: {int((~ok).sum())} bad values"
""")
Q11_REJECTED['q11 categories compared as the set of values (== rule)'] = ('q11', """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, f"too short: {len(df)} rows < {min_rows}"
    for col, rule in contract.items():
        assert col in df.columns, f"{col} absent"
        s = df[col]
        assert not s.isna().any(), f"{col} has gaps"
        if isinstance(rule, tuple):
            assert s.between(*rule).all(), f"{col} out of range"
        else:
            assert set(s.unique()) == set(rule), f"{col} categories differ"
""")
Q11_REJECTED['q11 category count only (nunique <= len(rule))'] = ('q11', """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, f"too short: {len(df)} rows < {min_rows}"
    for col, rule in contract.items():
        assert col in df.columns, f"{col} absent"
        s = df[col]
        assert not s.isna().any(), f"{col} has gaps"
        if isinstance(rule, tuple):
            assert s.between(*rule).all(), f"{col} out of range"
        else:
            assert s.nunique() <= len(rule), f"{col} has too many categories"
""")
Q11_REJECTED['q11 only the mean within range'] = ('q11', """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, f"too short: {len(df)} rows < {min_rows}"
    for col, rule in contract.items():
        assert col in df.columns, f"{col} absent"
        s = df[col]
        assert not s.isna().any(), f"{col} has gaps"
        if isinstance(rule, tuple):
            assert rule[0] <= s.mean() <= rule[1], f"{col} out of range"
        else:
            assert s.isin(rule).all(), f"{col} bad category"
""")
Q11_REJECTED['q11 range check with lower bound only'] = ('q11', """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, f"too short: {len(df)} rows < {min_rows}"
    for col, rule in contract.items():
        assert col in df.columns, f"{col} absent"
        s = df[col]
        assert not s.isna().any(), f"{col} has gaps"
        if isinstance(rule, tuple):
            assert (s >= rule[0]).all(), f"{col} below range"
        else:
            assert s.isin(rule).all(), f"{col} bad category"
""")
Q11_REJECTED['q11 ranges checked on the first rows only (head)'] = ('q11', """
def test_delivery(df, contract, min_rows):
    assert len(df) >= min_rows, f"too short: {len(df)} rows < {min_rows}"
    for col, rule in contract.items():
        assert col in df.columns, f"{col} absent"
        s = df[col]
        assert not s.isna().any(), f"{col} has gaps"
        inside = s.head(100).between(*rule) if isinstance(rule, tuple) else s.head(100).isin(rule)
        assert inside.all(), f"{col} bad"
""")
Q12_ACCEPTED['q12 python hash of the bytes'] = ('q12', """
c = {}
for snap in history.values():
    for b in snap.values():
        c[hash(b)] = len(b)
n_cache_entries = len(c); cache_bytes = sum(c.values())
""")
Q12_REJECTED['q12 entries deduped, bytes summed over every file'] = ('q12', """
n_cache_entries = len({b for s in history.values() for b in s.values()})
cache_bytes = sum(len(b) for s in history.values() for b in s.values())
""")
Q12_REJECTED['q12 sys.getsizeof'] = ('q12', """
import sys
blobs = {b for snap in history.values() for b in snap.values()}
n_cache_entries = len(blobs); cache_bytes = sum(sys.getsizeof(b) for b in blobs)
""")
Q12_REJECTED['q12 distinct names'] = ('q12', """
names = {n for s in history.values() for n in s}
n_cache_entries = len(names); cache_bytes = sum(len(history["c6"][n]) for n in names)
""")
Q12_REJECTED['q12 first commit plus changed files, revert counted again'] = ('q12', """
seen = []
prev = {}
for s in history.values():
    for n, b in s.items():
        if prev.get(n) != b: seen.append(b)
    prev = s
n_cache_entries = len(set(seen)) + 1; cache_bytes = sum(len(b) for b in set(seen))
""")
Q13_ACCEPTED['q13 numpy need, a loop for the limit'] = ('q13', """
per = CAPACITY_RPS * TARGET
need = np.maximum(MIN_REPLICAS, np.ceil(load_rps / per)).astype(int)
run = []
for n in need:
    run.append(int(n) if not run else max(int(n), run[-1] - 1))
auto_replica_hours = int(sum(run)); fixed_replica_hours = int(24 * need.max())
""")
Q13_ACCEPTED['q13 fixed from max(running)'] = ('q13', """
import math
need = [max(MIN_REPLICAS, math.ceil(x / CAPACITY_RPS / TARGET)) for x in load_rps]
run = [need[0]]
for n in need[1:]:
    run.append(n if n >= run[-1] else run[-1] - 1 if run[-1] - 1 > n else n)
auto_replica_hours = sum(run); fixed_replica_hours = max(run) * len(run)
""")
Q13_REJECTED['q13 the minimum lost on the way down'] = ('q13', """
import math
raw = [math.ceil(x / (CAPACITY_RPS * TARGET)) for x in load_rps]
run = [max(MIN_REPLICAS, raw[0])]
for n in raw[1:]:
    run.append(max(n, run[-1] - 1))
auto_replica_hours = sum(run); fixed_replica_hours = 24 * max(max(MIN_REPLICAS, r) for r in raw)
""")
Q13_REJECTED['q13 fixed fleet without the target'] = ('q13', """
import math
need = [max(MIN_REPLICAS, math.ceil(x / (CAPACITY_RPS * TARGET))) for x in load_rps]
run = [need[0]]
for n in need[1:]:
    run.append(max(n, run[-1] - 1))
auto_replica_hours = sum(run); fixed_replica_hours = 24 * math.ceil(max(load_rps) / CAPACITY_RPS)
""")
Q13_REJECTED['q13 scale down at most one, but start at the peak'] = ('q13', """
import math
need = [max(MIN_REPLICAS, math.ceil(x / (CAPACITY_RPS * TARGET))) for x in load_rps]
run = [max(need)]
for n in need[1:]:
    run.append(max(n, run[-1] - 1))
auto_replica_hours = sum(run); fixed_replica_hours = 24 * max(need)
""")
Q13_REJECTED['q13 floor division instead of rounding up'] = ('q13', """
import math
need = [max(MIN_REPLICAS, int(x // (CAPACITY_RPS * TARGET))) for x in load_rps]
run = [need[0]]
for n in need[1:]:
    run.append(max(n, run[-1] - 1))
auto_replica_hours = sum(run); fixed_replica_hours = 24 * max(need)
""")

ACCEPTED = {**Q11_ACCEPTED, **Q12_ACCEPTED, **Q13_ACCEPTED}
REJECTED = {**Q11_REJECTED, **Q12_REJECTED, **Q13_REJECTED, **{
    # hostile: values that claim to equal anything
    "q12 numbers that claim to be anything": ("q12", EQUALS_ANYTHING + """
n_cache_entries = cache_bytes = _Anything("A")
"""),
    "q13 numbers that claim to be anything": ("q13", EQUALS_ANYTHING + """
auto_replica_hours = fixed_replica_hours = _Anything("A")
"""),
}}


@pytest.mark.parametrize("item, answer, right", judged_named(ACCEPTED, REJECTED))
def test_each_answer_is_judged_as_an_expert_would(item, answer, right):
    assert_judged(WEEK, item, answer, right)


@pytest.mark.parametrize("student", VARIANT_STUDENTS)
@pytest.mark.parametrize("item, answer, right", judged_named(ACCEPTED, REJECTED))
def test_each_answer_is_judged_alike_on_each_students_variant(item, answer, right, student):
    """Protects: a variant neither makes a correct method fail nor lets a named mistake
    through (the tests compute from the student's own given data)."""
    verdict = judge_answer(WEEK, item, answer, student)
    assert (verdict is None) == right, f"{student}: " + (verdict or "the mistake passed every test of the item")


@pytest.mark.parametrize("item", ["q11", "q12", "q13"])
def test_the_source_solution_passes(item):
    """Protects: the solution in the quiz source earns the item's points."""
    assert judge_answer(WEEK, item, source_solution(WEEK, item)) is None


# -- every variant the given data can pick ---------------------------------------------
@pytest.mark.parametrize("item, full", [("q11", False), ("q12", True), ("q13", True)])
def test_each_answer_is_judged_alike_on_every_variant_the_data_can_pick(item, full):
    """Protects: the ranges of the picks keep every named mistake wrong and every method
    right on all the variants a student can get (q12, q13: every combination; q11: each
    choice of each pick)."""
    cases = {name: (answer, True) for name, (i, answer) in ACCEPTED.items() if i == item}
    cases |= {name: (answer, False) for name, (i, answer) in REJECTED.items() if i == item}
    cases["source solution"] = (source_solution(WEEK, item), True)
    wrong = variant_sweep.misjudged_on_some_variant(WEEK, item, cases, full=full)
    assert not wrong, "\n".join(wrong[:20])


def test_q11_partial_credit_follows_what_the_test_gets_right():
    """Protects: a data test without messages keeps the points for telling good from broken
    deliveries; one that passes everything earns nothing."""
    from helpers import quiz_namespace

    nb, ns = quiz_namespace(WEEK)

    def failed(answer):
        space = dict(ns)
        exec(answer, space)
        out = set()
        for test in quizcells.tests_of(nb, "q11"):
            try:
                exec(test.source, space)
            except AssertionError:
                out.add(quizcells.grade_id(test))
        return out

    assert failed(Q11_REJECTED["q11 bare asserts: the CI log does not say which column"][1]) == {"q11_message"}
    assert failed(Q11_REJECTED["q11 a right test whose messages print the whole contract"][1]) == {"q11_message"}
    assert failed(Q11_REJECTED["q11 a test that passes everything"][1]) == {"q11_values", "q11_structure", "q11_message"}
    assert failed(Q11_REJECTED["q11 a test that fails everything, naming every column"][1]) == {
        "q11_values", "q11_structure", "q11_message"}
