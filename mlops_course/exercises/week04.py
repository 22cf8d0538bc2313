"""Week 04 exercises: data cleansing and feature engineering."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..checks import Exercise, Incorrect, expect_callable, expect_close, expect_number, register


class DropNegativeRows(Exercise):
    title = "Remove rows with impossible negative values"
    hints = (
        "A boolean mask selects rows: df[mask]. Which rows must go? Those where the column is below 0.",
        "df[df[column] >= 0] also throws away the rows where the value is missing (NaN >= 0 is False). "
        "Keep everything that is *not* negative: df[~(df[column] < 0)].",
    )
    solution = """```python
def drop_negative_rows(df, column):
    return df[~(df[column] < 0)]
```
Comparisons with NaN are always False, so `~(df[column] < 0)` keeps the missing values
for the imputation step instead of silently deleting those rows as well."""
    wrong_answer = staticmethod(lambda df, column: df[df[column] >= 0])

    def evaluate(self, fn) -> None:
        expect_callable(fn, "drop_negative_rows")
        df = pd.DataFrame({
            "amount": [120.0, -40.0, np.nan, 0.0, 75.5, -3.0, np.nan, 300.0],
            "branch": list("ABCDEFGH"),
        })
        got = fn(df.copy(), "amount")
        if not isinstance(got, pd.DataFrame):
            raise Incorrect(f"drop_negative_rows should return a DataFrame, got {type(got).__name__}.")
        want = ["A", "C", "D", "E", "G", "H"]
        kept = list(got["branch"]) if "branch" in got else []
        if list(got.columns) != ["amount", "branch"]:
            raise Incorrect("Keep every column; only rows should go.")
        if (got["amount"] < 0).any():
            raise Incorrect("Your result still holds negative amounts.")
        if sorted(kept) != want:
            raise Incorrect(f"On an 8-row frame with 2 negative amounts you kept {len(kept)} rows. "
                            "Rows with a missing amount are not negative: keep them.")


class MergeCategories(Exercise):
    title = "Merge fragmented spellings of a category"
    hints = (
        "Normalise first: s.str.strip().str.lower() turns ' Yes', 'YES' and 'yes' into one spelling.",
        "Build a lookup from every normalised spelling (the canonical name included) to its canonical "
        "name, then s.str.strip().str.lower().map(lookup). Missing values stay missing.",
    )
    solution = """```python
def merge_categories(s, variants):
    lookup = {}
    for canonical, spellings in variants.items():
        for spelling in [canonical, *spellings]:
            lookup[spelling.strip().lower()] = canonical
    return s.str.strip().str.lower().map(lookup)
```
Normalising case and spaces removes most variants at once; the lookup then handles
real synonyms such as abbreviations ("TA" for "Typical")."""
    wrong_answer = staticmethod(lambda s, variants: s.replace(
        {v: k for k, vs in variants.items() for v in vs}))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "merge_categories")
        s = pd.Series(["Engineer", " engineer", "ENG", "Data Scientist", "data scientist ", np.nan,
                       "DS", "Engineer ", "eng", "Analyst", "analyst"])
        variants = {"Engineer": ["eng", "Engineer"], "Data Scientist": ["DS"], "Analyst": []}
        got = fn(s.copy(), variants)
        if not isinstance(got, pd.Series) or len(got) != len(s):
            raise Incorrect(f"merge_categories should return a Series of the same length ({len(s)}).")
        want = ["Engineer", "Engineer", "Engineer", "Data Scientist", "Data Scientist", None,
                "Data Scientist", "Engineer", "Engineer", "Analyst", "Analyst"]
        for position, (value, expected) in enumerate(zip(got, want)):
            if expected is None:
                if not pd.isna(value):
                    raise Incorrect(f"A missing value became {value!r}: keep it missing.")
            elif value != expected:
                raise Incorrect(f"{s.iloc[position]!r} became {value!r}, which is not right yet "
                                "(ignore case and surrounding spaces).")


class ClipPercentiles(Exercise):
    title = "Clip outliers to the 1st and 99th percentile"
    hints = (
        "np.nanpercentile(s, [low, high]) gives the two bounds and ignores missing values.",
        "np.clip(s, lower, upper) replaces values below lower by lower and above upper by upper; "
        "NaN stays NaN. Return a Series with the same index.",
    )
    solution = """```python
def clip_percentiles(s, low=1, high=99):
    lower, upper = np.nanpercentile(s, [low, high])
    return np.clip(s, lower, upper)
```
Clipping keeps every row (unlike deleting outliers) but caps the extreme values, so a
unit slip of a factor 10 cannot dominate a mean or a squared-error loss."""
    wrong_answer = staticmethod(lambda s, low=1, high=99: np.clip(s, s.min(), s.max()))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "clip_percentiles")
        rng = np.random.default_rng(5)
        values = rng.normal(1500, 400, 500)
        values[[3, 70, 200]] = [15000, 21000, -9000]
        values[[10, 11]] = np.nan
        s = pd.Series(values, index=np.arange(500) * 2)
        for low, high in ((1, 99), (5, 95)):
            got = fn(s.copy(), low=low, high=high)
            if not isinstance(got, pd.Series) or len(got) != len(s):
                raise Incorrect(f"clip_percentiles should return a Series of length {len(s)}.")
            if not got.index.equals(s.index):
                raise Incorrect("Keep the index of the input Series.")
            if got.isnull().sum() != 2:
                raise Incorrect("Missing values should stay missing (use np.nanpercentile for the bounds).")
            lower, upper = np.nanpercentile(s, [low, high])
            expect_close(expect_number(got.max(), "the largest clipped value"), upper,
                         f"With low={low}, high={high}, the largest value after clipping", tol=1e-6)
            expect_close(expect_number(got.min(), "the smallest clipped value"), lower,
                         f"With low={low}, high={high}, the smallest value after clipping", tol=1e-6)


class MaxAbsScale(Exercise):
    title = "MaxAbs scaling by hand"
    hints = (
        "Work column by column: np.abs(X).max(axis=0) is the largest absolute value of each column.",
        "Divide X by that, and nothing else: MaxAbs scaling does not subtract the mean.",
    )
    solution = """```python
def max_abs_scale(X):
    X = np.asarray(X, dtype=float)
    return X / np.abs(X).max(axis=0)
```
Every column ends up within [-1, 1] and zeros stay zeros (good for sparse data), but
the data is not centred: a column of positive values stays positive."""
    wrong_answer = staticmethod(lambda X: (np.asarray(X, float) - np.asarray(X, float).mean(axis=0))
                                / np.abs(np.asarray(X, float) - np.asarray(X, float).mean(axis=0)).max(axis=0))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "max_abs_scale")
        X = np.array([[10.0, -4.0, 0.0], [20.0, 2.0, 3.0], [40.0, 1.0, -6.0], [30.0, -1.0, 0.0]])
        got = fn(X.copy())
        got = np.asarray(got, dtype=float)
        if got.shape != X.shape:
            raise Incorrect(f"Return an array of the same shape as X {X.shape}, got {got.shape}.")
        want = X / np.abs(X).max(axis=0)
        if np.abs(got).max() > 1 + 1e-9:
            raise Incorrect("Some scaled values lie outside [-1, 1].")
        if not np.allclose(got, want, atol=1e-9):
            if (got[:, 0] < 0).any():
                raise Incorrect("Your first column, all positive in X, has negative values after scaling: "
                                "MaxAbs scaling does not centre the data.")
            raise Incorrect("The scaled values are not right yet (divide each column by its largest |value|).")


class EncodeOrdinal(Exercise):
    title = "Ordinal encoding in a given order"
    hints = (
        "An ordinal code keeps the order of the categories: the first in `order` gets 0, the next 1, ...",
        "Build {category: position for position, category in enumerate(order)} and pass it to s.map.",
    )
    solution = """```python
def encode_ordinal(s, order):
    return s.map({category: code for code, category in enumerate(order)})
```
Alphabetical codes (what `astype("category").cat.codes` gives by default) would put
"high" before "low"; a model could then learn nonsense from the order."""
    wrong_answer = staticmethod(lambda s, order: s.astype("category").cat.codes)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "encode_ordinal")
        s = pd.Series(["medium", "low", "high", "high", "low", "medium", "low"])
        for order in (["low", "medium", "high"], ["high", "medium", "low"]):
            got = fn(s.copy(), order)
            if not isinstance(got, pd.Series) or len(got) != len(s):
                raise Incorrect(f"encode_ordinal should return a Series of length {len(s)}.")
            want = s.map({c: i for i, c in enumerate(order)})
            if not np.array_equal(np.asarray(got, dtype=float), want.to_numpy(dtype=float)):
                raise Incorrect(f"With order={order}, you encoded {list(s)} as {list(got)}, which is not right yet.")


class TrendFeatures(Exercise):
    title = "Long-term and short-term trend features"
    hints = (
        "The values run from oldest to newest. M0 is the newest (values[-1]), M1 and M2 the two before it.",
        "Long-term: the slope of a straight line through (0, v0), (1, v1), ...: np.polyfit(np.arange(n), values, 1)[0]. "
        "Short-term: T = M0 - (M1 + M2) / 2.",
    )
    solution = """```python
def trend_features(values):
    values = np.asarray(values, dtype=float)
    slope = np.polyfit(np.arange(len(values)), values, 1)[0]
    short = values[-1] - (values[-2] + values[-3]) / 2
    return float(slope), float(short)
```
The slope summarises the whole window; T compares the latest value with the mean of
the two before it, so it reacts to a recent jump that the slope barely notices."""
    wrong_answer = staticmethod(lambda values: (
        float(np.polyfit(np.arange(len(values)), np.asarray(values, float), 1)[0]),
        float(values[0] - (values[1] + values[2]) / 2)))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "trend_features")
        rng = np.random.default_rng(6)
        cases = [[10, 12, 11, 13, 15, 14, 30], list(100 + 2.5 * np.arange(12) + rng.normal(0, 3, 12)), [5, 4, 3, 2, 1]]
        for values in cases:
            got = fn(list(values))
            if not isinstance(got, tuple) or len(got) != 2:
                raise Incorrect("trend_features should return a tuple (slope, short_term).")
            v = np.asarray(values, dtype=float)
            slope = np.polyfit(np.arange(len(v)), v, 1)[0]
            short = v[-1] - (v[-2] + v[-3]) / 2
            expect_close(expect_number(got[0], "slope"), slope, f"For {len(v)} values the slope", tol=1e-6)
            expect_close(expect_number(got[1], "short_term"), short, f"For {len(v)} values the short-term trend",
                         tol=1e-6, advice="M0 is the newest value, the last in the list.")


drop_negative_rows = DropNegativeRows()
merge_categories = MergeCategories()
clip_percentiles = ClipPercentiles()
max_abs_scale = MaxAbsScale()
encode_ordinal = EncodeOrdinal()
trend_features = TrendFeatures()
EXERCISES = register(globals())
