"""Week 02 exercises: exploratory data analysis of the Ames housing data."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..checks import Exercise, Incorrect, expect_callable, expect_close, expect_number, register


def _small_frame() -> pd.DataFrame:
    """A tiny frame with known gaps: shares 0, 0.2, 0.4, 0.8 and 1.0 (five rows)."""
    return pd.DataFrame({
        "price": [100.0, 250.0, 175.0, 320.0, 90.0],
        "rooms": [3, np.nan, 4, 5, 2],
        "garage": ["yes", None, "no", np.nan, "yes"],
        "pool": [np.nan, np.nan, np.nan, 1.0, np.nan],
        "notes": [None, None, None, None, None],
    })


class MissingShare(Exercise):
    title = "Share of missing values per column"
    hints = (
        "df.isnull() gives a frame of True/False, one cell per value.",
        "The mean of booleans is the share of True values: take it column by column.",
    )
    solution = """```python
def missing_share(df):
    return df.isnull().mean()
```
`isnull()` marks each gap with True; the mean of a column of True/False values is the
fraction of True, so every share lies between 0 and 1."""
    wrong_answer = staticmethod(lambda df: df.isnull().sum())

    def evaluate(self, fn) -> None:
        expect_callable(fn, "missing_share")
        for df in (_small_frame(), _small_frame().iloc[:4], pd.DataFrame({"a": [1.0, 2.0], "b": [np.nan, 3.0]})):
            got = fn(df.copy())
            if not isinstance(got, pd.Series):
                raise Incorrect(f"missing_share should return a pandas Series, got {type(got).__name__}.")
            want = df.isnull().mean()
            if set(got.index) != set(want.index):
                raise Incorrect("The Series should have one entry per column of the frame, indexed by column name.")
            for col in want.index:
                value = expect_number(got[col], f"the share for column {col!r}")
                if not 0 <= value <= 1:
                    raise Incorrect(f"The value for column {col!r} is {value:.4g}: a share must lie between 0 and 1 "
                                    "(did you count instead of averaging?).")
                expect_close(value, want[col], f"On a {len(df)}-row frame the share for column {col!r}", tol=1e-9)


class DropSparseColumns(Exercise):
    title = "Drop columns that are mostly empty"
    hints = (
        "Compute the missing share per column first (the previous exercise).",
        "Select the index of the shares that are strictly greater than the threshold and pass it to "
        "df.drop(columns=...). A column at exactly the threshold stays.",
    )
    solution = """```python
def drop_sparse_columns(df, threshold=0.3):
    null_share = df.isnull().mean()
    return df.drop(columns=null_share[null_share > threshold].index)
```
Only whole columns go: rows with a few gaps are kept, and a column at exactly the
threshold stays because the rule says *exceeds*."""
    wrong_answer = staticmethod(lambda df, threshold=0.3: df.dropna())

    def evaluate(self, fn) -> None:
        expect_callable(fn, "drop_sparse_columns")
        df = _small_frame()
        for threshold in (0.3, 0.4, 0.9):
            got = fn(df.copy(), threshold=threshold)
            if not isinstance(got, pd.DataFrame):
                raise Incorrect(f"drop_sparse_columns should return a DataFrame, got {type(got).__name__}.")
            share = df.isnull().mean()
            keep = list(share[share <= threshold].index)
            if len(got) != len(df):
                raise Incorrect(f"With threshold={threshold} your frame has {len(got)} rows instead of {len(df)}: "
                                "drop columns, not rows.")
            if list(got.columns) != keep:
                raise Incorrect(f"With threshold={threshold} you kept the columns {list(got.columns)}, which is not "
                                "right yet (the rule drops a column only when its share is strictly above the threshold).")


class SplitColumns(Exercise):
    title = "Numerical and categorical columns"
    hints = (
        "df.select_dtypes(include='number') keeps the int and float columns.",
        "Return two lists of column names: list(df.select_dtypes(include='number').columns) and the same "
        "for include='object'.",
    )
    solution = """```python
def split_columns(df):
    numeric = list(df.select_dtypes(include="number").columns)
    categorical = list(df.select_dtypes(include="object").columns)
    return numeric, categorical
```
`select_dtypes` looks at the stored type, not at the values: a numeric code stored as
text (like `MS_SubClass` in Ames) ends up with the categorical columns."""
    wrong_answer = staticmethod(lambda df: (list(df.select_dtypes(include="float").columns),
                                            list(df.select_dtypes(include="object").columns)))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "split_columns")
        df = pd.DataFrame({
            "area": [50, 80, 120], "price": [1.5, 2.0, 3.1], "street": ["Pave", "Grvl", "Pave"],
            "rooms": np.array([2, 3, 4], dtype="int32"), "zone": ["RL", "RM", "RL"],
        })
        got = fn(df.copy())
        if not isinstance(got, tuple) or len(got) != 2:
            raise Incorrect("split_columns should return a tuple (numeric, categorical) of two lists.")
        numeric, categorical = (list(part) for part in got)
        if sorted(numeric) != ["area", "price", "rooms"]:
            raise Incorrect(f"Your numeric list is {numeric}: it should hold every int and float column.")
        if sorted(categorical) != ["street", "zone"]:
            raise Incorrect(f"Your categorical list is {categorical}: it should hold every text (object) column.")


class LogSkew(Exercise):
    title = "Skewness before and after a log transform"
    hints = (
        "pandas Series have a .skew() method.",
        "Return (s.skew(), np.log(s).skew()) as two floats. The log pulls in the long right tail.",
    )
    solution = """```python
def log_skew(s):
    return float(s.skew()), float(np.log(s).skew())
```
A right-skewed price has a long tail of expensive houses; the logarithm shrinks large
values more than small ones, so the skewness moves towards 0."""
    wrong_answer = staticmethod(lambda s: (float(s.skew()), float(np.sqrt(s).skew())))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "log_skew")
        rng = np.random.default_rng(2)
        for sigma in (0.4, 0.8):
            s = pd.Series(np.exp(rng.normal(12, sigma, 300)))
            got = fn(s.copy())
            if not isinstance(got, tuple) or len(got) != 2:
                raise Incorrect("log_skew should return a tuple (skew_before, skew_after).")
            before = expect_number(got[0], "skew_before")
            after = expect_number(got[1], "skew_after")
            expect_close(before, float(s.skew()), "skew_before", tol=1e-6)
            expect_close(after, float(np.log(s).skew()), "skew_after", tol=1e-6,
                         advice="Use the natural logarithm np.log of the values.")


class IqrOutliers(Exercise):
    title = "Outliers by the IQR rule"
    hints = (
        "Q1 = s.quantile(0.25), Q3 = s.quantile(0.75), IQR = Q3 - Q1.",
        "A value is an outlier when it lies below Q1 - 1.5 * IQR or above Q3 + 1.5 * IQR "
        "(the ends of the box plot's whiskers). Return a boolean Series.",
    )
    solution = """```python
def iqr_outliers(s, k=1.5):
    q1, q3 = s.quantile(0.25), s.quantile(0.75)
    iqr = q3 - q1
    return (s < q1 - k * iqr) | (s > q3 + k * iqr)
```
The fences sit 1.5 box heights beyond the quartiles, exactly where a box plot stops
its whiskers and starts drawing points; quartiles are barely moved by the outliers
themselves, unlike the mean and standard deviation."""
    wrong_answer = staticmethod(lambda s, k=1.5: (s - s.mean()).abs() > 3 * s.std())

    def evaluate(self, fn) -> None:
        expect_callable(fn, "iqr_outliers")
        rng = np.random.default_rng(3)
        cases = [
            pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 30, -20], dtype=float),
            pd.Series(np.r_[rng.normal(200, 30, 200), [420, 450, 5, 390]]),
            pd.Series(np.r_[rng.lognormal(0, 0.5, 150), [6.0, 7.5]]),
        ]
        for s in cases:
            got = fn(s.copy())
            mask = np.asarray(got)
            if mask.shape != (len(s),) or mask.dtype != bool:
                raise Incorrect(f"Return one boolean per value (length {len(s)}); got {type(got).__name__} "
                                f"of shape {mask.shape} and dtype {mask.dtype}.")
            q1, q3 = s.quantile(0.25), s.quantile(0.75)
            want = ((s < q1 - 1.5 * (q3 - q1)) | (s > q3 + 1.5 * (q3 - q1))).to_numpy()
            if not np.array_equal(mask, want):
                raise Incorrect(f"On a series of {len(s)} values you flagged {int(mask.sum())} outliers, which is "
                                "not right yet.")


class TopCorrelated(Exercise):
    title = "Features most correlated with the target"
    hints = (
        "df.corr(numeric_only=True)[target] gives the correlation of every numeric column with the target.",
        "Drop the target itself, rank by absolute value (a strong negative link counts too) with "
        ".abs().sort_values(ascending=False), and return the first k names as a list.",
    )
    solution = """```python
def top_correlated(df, target, k=5):
    corr = df.corr(numeric_only=True)[target].drop(target)
    return list(corr.abs().sort_values(ascending=False).index[:k])
```
The target correlates perfectly with itself, so it has to go; the absolute value keeps
features that push the price down as well as up."""
    wrong_answer = staticmethod(
        lambda df, target, k=5: list(df.corr(numeric_only=True)[target].sort_values(ascending=False).index[:k]))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "top_correlated")
        rng = np.random.default_rng(4)
        n = 200
        y = rng.normal(0, 1, n)
        df = pd.DataFrame({
            "weak": y * 0.2 + rng.normal(0, 1, n),
            "strong_neg": -y + rng.normal(0, 0.3, n),
            "strong_pos": y + rng.normal(0, 0.5, n),
            "medium": y + rng.normal(0, 1.2, n),
            "noise": rng.normal(0, 1, n),
            "label": rng.choice(["a", "b"], n),
            "target": y,
        })
        for k in (2, 3):
            got = fn(df.copy(), "target", k=k)
            if not isinstance(got, (list, tuple)) or not all(isinstance(c, str) for c in got):
                raise Incorrect("top_correlated should return a list of column names.")
            got = list(got)
            if "target" in got:
                raise Incorrect("Your list contains the target itself: drop it before ranking.")
            want = list(df.drop(columns="label").corr()["target"].drop("target").abs()
                        .sort_values(ascending=False).index[:k])
            if got != want:
                raise Incorrect(f"For k={k} you returned {got}, which is not right yet (order matters: strongest first).")


missing_share = MissingShare()
drop_sparse_columns = DropSparseColumns()
split_columns = SplitColumns()
log_skew = LogSkew()
iqr_outliers = IqrOutliers()
top_correlated = TopCorrelated()
EXERCISES = register(globals())
