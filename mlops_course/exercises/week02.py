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


def _absence_frame(prefix: str) -> pd.DataFrame:
    """Six rows with gaps (NaN/None) and absences coded as text starting with ``prefix``."""
    return pd.DataFrame({
        "price": [100.0, 250.0, np.nan, 320.0, 90.0, 150.0],
        "pool": [f"{prefix}Pool", f"{prefix}Pool", "Good", f"{prefix}Pool", np.nan, f"{prefix}Pool"],
        "fence": ["Wood", None, f"{prefix}Fence", "Wire", "Wood", "Wood"],
        "garage": [f"{prefix}Garage", "Attchd", "Detchd", "Attchd", "Attchd", "Attchd"],
        "rooms": [3, 4, 5, 2, 3, 4],
        "note": [f"Has_{prefix}Shed", "Shed", "Shed", None, "Shed", "Shed"],  # the code inside, not at the start
        # text that starts like the code but is not it ("Normal", "North_Ames" in Ames)
        "sale": ["Normal", prefix.rstrip("_"), f"{prefix}Sale", "Partial", f"{prefix.rstrip('_')}rth", "Normal"],
    })


def _absence(df: pd.DataFrame, prefix: str) -> pd.Series:
    return pd.Series({c: (df[c].isnull() | df[c].astype(str).str.startswith(prefix)).mean() for c in df.columns})


class AbsenceShare(Exercise):
    title = "Share of missing or coded-absent values per column"
    hints = (
        "Two masks per column, combined with |: the gaps that isnull() sees, and the text values that start with "
        "the code (pandas' string methods live under .str).",
        "Turn a column into text with .astype(str) before using .str, so numeric columns work too; the mean of a "
        "True/False mask is a share. Return one share per column as a Series indexed by column name.",
    )
    solution = """```python
def absence_share(df, prefix="No_"):
    coded = df.apply(lambda col: col.astype(str).str.startswith(prefix))
    return (df.isnull() | coded).mean()
```
`isnull()` alone reports `Pool_QC` as complete; counting the `"No_..."` codes as well
shows how little information some columns hold. Whether a code means *absent* (keep it
as a category) or *unknown* (a gap) is then a decision column by column."""
    wrong_answer = staticmethod(lambda df, prefix="No_": df.isnull().mean())
    wrong_answers = (
        # counts instead of shares
        staticmethod(lambda df, prefix="No_": _absence(df, prefix) * len(df)),
        # only the codes, not the real gaps
        staticmethod(lambda df, prefix="No_": df.apply(lambda c: c.astype(str).str.startswith(prefix)).mean()),
        # the code anywhere in the text
        staticmethod(lambda df, prefix="No_": (df.isnull() | df.apply(lambda c: c.astype(str).str.contains(prefix,
                                                                                                      regex=False))).mean()),
        # ignores the prefix argument
        staticmethod(lambda df, prefix="No_": _absence(df, "No_")),
        # the underscore of the code dropped: "Normal" and "North_Ames" count as absent
        staticmethod(lambda df, prefix="No_": _absence(df, prefix.rstrip("_"))),
    )
    right_answers = (
        staticmethod(lambda df, prefix="No_": pd.Series(
            {c: sum(pd.isna(v) or (isinstance(v, str) and v.startswith(prefix)) for v in df[c]) / len(df)
             for c in df.columns})),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "absence_share")
        for prefix in ("No_", "None_"):
            df = _absence_frame(prefix)
            got = fn(df.copy(), prefix=prefix)
            if not isinstance(got, pd.Series):
                raise Incorrect(f"absence_share should return a pandas Series, got {type(got).__name__}.")
            want = _absence(df, prefix)
            if set(got.index) != set(want.index):
                raise Incorrect("The Series should have one entry per column of the frame, indexed by column name.")
            for col in want.index:
                value = expect_number(got[col], f"the share for column {col!r}")
                if not 0 <= value <= 1:
                    raise Incorrect(f"The value for column {col!r} is {value:.4g}: a share must lie between 0 and 1.")
                expect_close(value, want[col], f"With prefix={prefix!r} the share for column {col!r}", tol=1e-9,
                             advice="Count a value when it is missing OR its text starts with the prefix.")


class DropSparseColumns(Exercise):
    title = "Drop columns that are mostly empty"
    hints = (
        "Start from the share of gaps per column (a mean of isnull()), then decide per column: keep or drop.",
        "A boolean filter on that Series gives the names to drop; DataFrame.drop accepts them as columns. "
        "Mind the word 'exceeds': a column exactly at the threshold stays.",
    )
    solution = """```python
def drop_sparse_columns(df, threshold=0.3):
    null_share = df.isnull().mean()
    return df.drop(columns=null_share[null_share > threshold].index)
```
Only whole columns go: rows with a few gaps are kept, and a column at exactly the
threshold stays because the rule says *exceeds*."""
    wrong_answer = staticmethod(lambda df, threshold=0.3: df.dropna())
    wrong_answers = (
        # drops a column that sits exactly at the threshold
        staticmethod(lambda df, threshold=0.3: df.loc[:, df.isnull().mean() < threshold]),
        # always uses 0.3
        staticmethod(lambda df, threshold=0.3: df.loc[:, df.isnull().mean() <= 0.3]),
        # keeps the sparse columns and drops the others
        staticmethod(lambda df, threshold=0.3: df.loc[:, df.isnull().mean() > threshold]),
    )
    right_answers = (
        staticmethod(lambda df, threshold=0.3: df.dropna(axis=1, thresh=int(np.ceil(len(df) * (1 - threshold))))),
        staticmethod(lambda df, threshold=0.3: df[[c for c in df.columns if df[c].isna().mean() <= threshold]]),
    )

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


def _split_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "area": [50, 80, 120], "price": [1.5, 2.0, 3.1], "street": ["Pave", "Grvl", "Pave"],
        "rooms": np.array([2, 3, 4], dtype="int32"), "central_air": [True, False, True],
        "zone": pd.Categorical(["RL", "RM", "RL"]), "has_pool": np.array([False, False, True]),
        "style": ["1Story", "2Story", "1Story"], "lat": np.array([42.0, 42.1, 42.2], dtype="float32"),
    })


class SplitColumns(Exercise):
    title = "Numerical, boolean and categorical columns"
    hints = (
        "select_dtypes picks columns by stored dtype; try it on a frame with a True/False column and see whether "
        "'number' takes the flag or not.",
        "Three calls with include= give the three lists: numbers (without flags), 'bool', and text together "
        "with pandas' 'category' dtype (include accepts a list). Turn each .columns into a list.",
    )
    solution = """```python
def split_columns(df):
    numeric = list(df.select_dtypes(include="number").columns)
    flags = list(df.select_dtypes(include="bool").columns)
    categorical = list(df.select_dtypes(include=["object", "category"]).columns)
    return numeric, flags, categorical
```
`select_dtypes(include="number")` leaves bool columns out, although
`df.corr(numeric_only=True)` takes them in (True counts as 1). `exclude="object"` is not
the same as "numeric": it lets flags and categories through."""
    wrong_answer = staticmethod(lambda df: (list(df.select_dtypes(exclude="object").columns), [],
                                            list(df.select_dtypes(include="object").columns)))
    wrong_answers = (
        # floats only
        staticmethod(lambda df: (list(df.select_dtypes(include="float").columns),
                                 list(df.select_dtypes(include="bool").columns),
                                 list(df.select_dtypes(include=["object", "category"]).columns))),
        # the category dtype forgotten
        staticmethod(lambda df: (list(df.select_dtypes(include="number").columns),
                                 list(df.select_dtypes(include="bool").columns),
                                 list(df.select_dtypes(include="object").columns))),
        # flags counted as numbers (and listed twice)
        staticmethod(lambda df: (list(df.select_dtypes(include=["number", "bool"]).columns),
                                 list(df.select_dtypes(include="bool").columns),
                                 list(df.select_dtypes(include=["object", "category"]).columns))),
    )
    right_answers = (
        staticmethod(lambda df: (
            [c for c in df if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])],
            [c for c in df if pd.api.types.is_bool_dtype(df[c])],
            [c for c in df if df[c].dtype == object or isinstance(df[c].dtype, pd.CategoricalDtype)])),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "split_columns")
        df = _split_frame()
        got = fn(df.copy())
        if not isinstance(got, tuple) or len(got) != 3:
            raise Incorrect("split_columns should return a tuple (numeric, flags, categorical) of three lists.")
        numeric, flags, categorical = (list(part) for part in got)
        if sorted(numeric) != ["area", "lat", "price", "rooms"]:
            raise Incorrect(f"Your numeric list is {numeric}: it should hold every int and float column (of any "
                            "width) and nothing else.")
        if sorted(flags) != ["central_air", "has_pool"]:
            raise Incorrect(f"Your flags list is {flags}: it should hold the True/False columns.")
        if sorted(categorical) != ["street", "style", "zone"]:
            raise Incorrect(f"Your categorical list is {categorical}: it should hold the text and the "
                            "'category' columns.")


def _skews(values) -> tuple[float, float]:
    """pandas' bias-corrected sample skewness and the plain moment skewness (scipy's default, bias=True)."""
    x = np.asarray(values, dtype=float)
    n, d = len(x), x - x.mean()
    g1 = np.mean(d**3) / np.mean(d**2) ** 1.5
    return float(g1 * np.sqrt(n * (n - 1)) / (n - 2)), float(g1)


def _scipy_log_skew(s):
    from scipy.stats import skew

    return float(skew(s)), float(skew(np.log1p(s)))


class LogSkew(Exercise):
    title = "Skewness before and after a log transform of a column with zeros"
    hints = (
        "np.log(0) is minus infinity, so a plain log breaks on a column with zeros; NumPy has a logarithm of 1 + x "
        "for exactly this case (week 04 uses it too).",
        "Measure the skewness twice, on the values and on the transformed values; pandas' .skew() and "
        "scipy.stats.skew both do (they differ by a small-sample correction, and either is accepted).",
    )
    solution = """```python
def log_skew(s):
    return float(s.skew()), float(np.log1p(s).skew())
```
`np.log1p(x)` is `log(1 + x)`: 0 stays 0 and large values are compressed as by the log.
pandas' `skew` corrects for the sample size; `scipy.stats.skew` with its default
`bias=True` does not, so its values are slightly smaller in absolute value; both are
fine."""
    wrong_answer = staticmethod(lambda s: (float(s.skew()), float(np.sqrt(s).skew())))
    wrong_answers = (
        # plain log: minus infinity at the zeros
        staticmethod(lambda s: (float(s.skew()), float(np.log(s).skew()))),
        # before and after swapped
        staticmethod(lambda s: (float(np.log1p(s).skew()), float(s.skew()))),
        # the log of the skewness instead of the skewness of the log
        staticmethod(lambda s: (float(s.skew()), float(np.log1p(s.skew())))),
        # kurtosis instead of skewness
        staticmethod(lambda s: (float(s.kurt()), float(np.log1p(s).kurt()))),
    )
    right_answers = (
        staticmethod(_scipy_log_skew),                                  # scipy.stats.skew, bias=True
        staticmethod(lambda s: (float(s.skew()), float(np.log(s + 1).skew()))),
        staticmethod(lambda s: (float(s.skew()), float(s.apply(np.log1p).skew()))),
        # a list instead of a tuple; log10 only rescales, which skewness ignores
        staticmethod(lambda s: [s.skew(), np.log10(1 + s).skew()]),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "log_skew")
        rng = np.random.default_rng(2)
        for sigma, zeros in ((0.6, 40), (1.0, 10)):
            values = np.r_[np.round(np.exp(rng.normal(5, sigma, 60))), np.zeros(zeros)]
            s = pd.Series(rng.permutation(values))
            got = fn(s.copy())
            if not isinstance(got, (tuple, list)) or len(got) != 2:
                raise Incorrect("log_skew should return a tuple (skew_before, skew_after).")
            for name, value, want in zip(("skew_before", "skew_after"), got, (_skews(s), _skews(np.log1p(s)))):
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    raise Incorrect(f"{name} should be a number, got {type(value).__name__}.") from None
                if not np.isfinite(number):
                    raise Incorrect(f"{name} is not a finite number: the column has zeros; what does a plain log "
                                    "make of them?")
                if not any(np.isclose(number, w, rtol=1e-6, atol=1e-9) for w in want):
                    raise Incorrect(f"On a column of {len(s)} values with {zeros} zeros, {name} is {number:.4g}, "
                                    "which is not right yet.")


class IqrOutliers(Exercise):
    title = "Outliers by the IQR rule"
    hints = (
        "The fences are built from the first and third quartiles (Series.quantile) and their distance, the IQR.",
        "The lower fence lies k IQRs below Q1, the upper one k IQRs above Q3; a value strictly beyond either "
        "fence is an outlier. Use the k you are given (1.5 is only the box plot's default).",
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
    wrong_answers = (
        # ignores k: always the box plot's 1.5
        staticmethod(lambda s, k=1.5: (s < s.quantile(0.25) - 1.5 * (s.quantile(0.75) - s.quantile(0.25)))
                     | (s > s.quantile(0.75) + 1.5 * (s.quantile(0.75) - s.quantile(0.25)))),
        # fences around the median instead of the quartiles
        staticmethod(lambda s, k=1.5: (s - s.median()).abs() > k * (s.quantile(0.75) - s.quantile(0.25))),
        # only the upper fence
        staticmethod(lambda s, k=1.5: s > s.quantile(0.75) + k * (s.quantile(0.75) - s.quantile(0.25))),
    )
    right_answers = (
        staticmethod(lambda s, k=1.5: pd.Series(
            (lambda q1, q3: (s.to_numpy() < q1 - k * (q3 - q1)) | (s.to_numpy() > q3 + k * (q3 - q1)))(
                *np.percentile(s.to_numpy(), [25, 75])), index=s.index)),
        staticmethod(lambda s, k=1.5: ~s.between(s.quantile(0.25) - k * (s.quantile(0.75) - s.quantile(0.25)),
                                                 s.quantile(0.75) + k * (s.quantile(0.75) - s.quantile(0.25)))),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "iqr_outliers")
        rng = np.random.default_rng(3)
        cases = [
            pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 30, -20], dtype=float),
            pd.Series(np.r_[rng.normal(200, 30, 200), [420, 450, 5, 390]]),
            pd.Series(np.r_[rng.lognormal(0, 0.5, 150), [6.0, 7.5]]),
        ]
        for s, k in zip(cases + cases[1:], (1.5, 1.5, 1.5, 3.0, 0.8)):
            got = fn(s.copy(), k=k)
            mask = np.asarray(got)
            if mask.shape != (len(s),) or mask.dtype != bool:
                raise Incorrect(f"Return one boolean per value (length {len(s)}); got {type(got).__name__} "
                                f"of shape {mask.shape} and dtype {mask.dtype}.")
            q1, q3 = s.quantile(0.25), s.quantile(0.75)
            want = ((s < q1 - k * (q3 - q1)) | (s > q3 + k * (q3 - q1))).to_numpy()
            if not np.array_equal(mask, want):
                raise Incorrect(f"On a series of {len(s)} values with k={k} you flagged {int(mask.sum())} outliers, "
                                "which is not right yet.")


class TopCorrelated(Exercise):
    title = "Features most correlated with the target"
    hints = (
        "df.corr(numeric_only=True)[target] gives the correlation of every numeric column with the target.",
        "The target correlates 1 with itself: leave it out. Rank the rest by the size of the correlation, "
        "whatever its sign, strongest first, and keep k names as a list.",
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
    wrong_answers = (
        # signed sort: strong negative links are missed
        staticmethod(lambda df, target, k=5: list(df.corr(numeric_only=True)[target].drop(target)
                                                  .sort_values(ascending=False).index[:k])),
        # the target itself is kept (it comes first)
        staticmethod(lambda df, target, k=5: list(df.corr(numeric_only=True)[target].abs()
                                                  .sort_values(ascending=False).index[:k])),
        # weakest first
        staticmethod(lambda df, target, k=5: list(df.corr(numeric_only=True)[target].drop(target).abs()
                                                  .sort_values().index[:k])),
        # ignores k
        staticmethod(lambda df, target, k=5: list(df.corr(numeric_only=True)[target].drop(target).abs()
                                                  .sort_values(ascending=False).index[:5])),
    )
    right_answers = (
        staticmethod(lambda df, target, k=5: list(df.select_dtypes("number").corrwith(df[target]).drop(target)
                                                  .abs().nlargest(k).index)),
        # a pandas Index of names (not converted to a list)
        staticmethod(lambda df, target, k=5: df.corr(numeric_only=True)[target].drop(target).abs()
                     .sort_values(ascending=False).index[:k]),
    )

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
        for k in (2, 3, 4):
            got = fn(df.copy(), "target", k=k)
            if isinstance(got, pd.Index):
                got = list(got)
            if not isinstance(got, (list, tuple)) or not all(isinstance(c, str) for c in got):
                raise Incorrect("top_correlated should return a list of column names.")
            got = list(got)
            if "target" in got:
                raise Incorrect("Your list contains the target itself: drop it before ranking.")
            want = list(df.drop(columns="label").corr()["target"].drop("target").abs()
                        .sort_values(ascending=False).index[:k])
            if got != want:
                raise Incorrect(f"For k={k} you returned {got}, which is not right yet (order matters: strongest first).")


def _groups_frame(seed: int) -> pd.DataFrame:
    """Houses in six areas with distinct medians; means rank the areas differently (one mansion each)."""
    rng = np.random.default_rng(seed)
    areas = ["Oak", "Elm", "Ash", "Pine", "Birch", "Cedar"]
    centre = dict(zip(areas, rng.permutation([120, 150, 180, 210, 240, 270])))
    rows = []
    for area in areas:
        n = int(rng.integers(5, 9))
        prices = centre[area] + rng.normal(0, 8, n)
        if area in ("Oak", "Ash"):
            prices[0] = 900  # a mansion: moves the mean, not the median
        rows += [{"area": area, "zone": rng.choice(["A", "B", "C"]), "price": p * 1000, "lot": p * 30 + rng.normal(0, 50)}
                 for p in prices]
    return pd.DataFrame(rows)


def _median_by(df, column, target):
    return df.groupby(column)[target].median().sort_values(ascending=False)


class MedianBy(Exercise):
    title = "Median of the target per category"
    hints = (
        "Group the rows by the category column and summarise the target in each group; the median resists the "
        "odd mansion that drags a mean.",
        "groupby(...)[target] followed by an aggregation gives one value per category; sort the result so that "
        "the most expensive category comes first.",
    )
    solution = """```python
def median_by(df, column, target="Sale_Price"):
    return df.groupby(column)[target].median().sort_values(ascending=False)
```
A mean per neighbourhood would be pulled up by one or two very expensive sales; the
median describes the typical house. `df.pivot_table(index=column, values=target,
aggfunc="median")[target]` gives the same values."""
    wrong_answer = staticmethod(lambda df, column, target="Sale_Price":
                                df.groupby(column)[target].mean().sort_values(ascending=False))
    wrong_answers = (
        # cheapest first
        staticmethod(lambda df, column, target="Sale_Price": _median_by(df, column, target).sort_values()),
        # not sorted
        staticmethod(lambda df, column, target="Sale_Price": df.groupby(column)[target].median()),
        # ignores the target argument
        staticmethod(lambda df, column, target="Sale_Price": _median_by(df, column, "price")),
        # number of sales instead of the median
        staticmethod(lambda df, column, target="Sale_Price": df[column].value_counts()),
    )
    right_answers = (
        staticmethod(lambda df, column, target="Sale_Price": df.pivot_table(index=column, values=target,
                                                                            aggfunc="median")[target]
                     .sort_values(ascending=False)),
        staticmethod(lambda df, column, target="Sale_Price": df.groupby(column).agg(m=(target, "median"))["m"]
                     .nlargest(df[column].nunique())),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "median_by")
        for seed, column, target in ((1, "area", "price"), (2, "area", "lot"), (3, "zone", "price")):
            df = _groups_frame(seed)
            got = fn(df.copy(), column, target)
            if not isinstance(got, pd.Series):
                raise Incorrect(f"median_by should return a pandas Series, got {type(got).__name__}.")
            want = _median_by(df, column, target)
            if set(got.index) != set(want.index):
                raise Incorrect(f"Grouping by {column!r}, the Series should have one entry per category, indexed by "
                                "the category.")
            values = got.reindex(want.index).to_numpy(dtype=float)
            if not np.allclose(values, want.to_numpy(), rtol=1e-9):
                raise Incorrect(f"Grouping by {column!r}, the values for {target!r} are not right yet: one mansion "
                                "should not move them.")
            if list(got.index) != list(want.index):
                raise Incorrect(f"Grouping by {column!r}, the values are right but the order is not: highest first.")


def _bars(ax) -> dict:
    """{category label: bar length} of a bar chart, vertical or horizontal."""
    patches = [p for p in ax.patches if p.get_width() != 0 and p.get_height() != 0]
    if not patches:
        return {}
    vertical = all(abs(p.get_y()) < 1e-12 for p in patches)
    axis = ax.xaxis if vertical else ax.yaxis
    ticks = np.asarray(axis.get_ticklocs(), dtype=float)
    labels = [t.get_text() for t in axis.get_ticklabels()]
    found = {}
    for p in patches:
        centre = p.get_x() + p.get_width() / 2 if vertical else p.get_y() + p.get_height() / 2
        if len(ticks) == 0:
            continue
        i = int(np.argmin(np.abs(ticks - centre)))
        found[labels[i] if i < len(labels) else str(i)] = float(p.get_height() if vertical else p.get_width())
    return found


def _plot_median_by(df, column, target="Sale_Price", top=10, scale=1.0):
    import matplotlib.pyplot as plt

    medians = _median_by(df, column, target).head(top)
    fig, ax = plt.subplots()
    ax.barh(medians.index[::-1], medians.to_numpy()[::-1] * scale)
    ax.set(title=f"Median {target} by {column}", xlabel=f"median {target}", ylabel=column)
    return ax


class PlotMedianBy(Exercise):
    title = "Plot: the most expensive categories"
    time_limit = 20.0
    hints = (
        "Reuse the idea of the previous exercise (median per category, highest first), keep the first `top`, and "
        "draw them as bars with matplotlib (ax.bar or ax.barh on a fresh plt.subplots()) or seaborn.",
        "A reader needs a title and both axis labels (with the unit of the target). Return the Axes you drew on; "
        "long category names read better on horizontal bars.",
    )
    solution = """```python
def plot_median_by(df, column, target="Sale_Price", top=10):
    medians = df.groupby(column)[target].median().sort_values(ascending=False).head(top)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.barh(medians.index[::-1], medians.values[::-1] / 1000)
    ax.set(title=f"Median {target} of the {top} highest {column} groups",
           xlabel=f"median {target} (thousand USD)", ylabel=column)
    return ax
```
Horizontal bars keep long names readable; plotting the values in thousands is fine as
long as the axis label says so. `sns.barplot` works too, but it draws the *mean* unless
you pass `estimator="median"`."""
    # means instead of medians (a labelled, sorted chart that only looks right)
    wrong_answer = staticmethod(lambda df, column, target="Sale_Price", top=10: (
        df.groupby(column)[target].mean().sort_values(ascending=False).head(top)[::-1]
        .plot.barh(title=f"Mean {target} by {column}", xlabel=column, ylabel=f"mean {target}")))
    wrong_answers = (
        # seaborn's default estimator (the mean) over every category, without a title
        staticmethod(lambda df, column, target="Sale_Price", top=10: __import__("seaborn").barplot(
            x=df[column], y=df[target], errorbar=None)),
        # no title or axis labels
        staticmethod(lambda df, column, target="Sale_Price", top=10: (
            lambda ax: (ax.set(title="", xlabel="", ylabel=""), ax)[1])(_plot_median_by(df, column, target, top))),
        # ignores top
        staticmethod(lambda df, column, target="Sale_Price", top=10: _plot_median_by(df, column, target, 10)),
        # means instead of medians
        staticmethod(lambda df, column, target="Sale_Price", top=10: _plot_median_by(
            df.assign(**{target: df.groupby(column)[target].transform("mean")}), column, target, top)),
    )
    right_answers = (
        staticmethod(lambda df, column, target="Sale_Price", top=10: _plot_median_by(df, column, target, top,
                                                                                    scale=1 / 1000)),
        staticmethod(lambda df, column, target="Sale_Price", top=10: __import__("seaborn").barplot(
            x=_median_by(df, column, target).head(top).index, y=_median_by(df, column, target).head(top).values,
            ax=__import__("matplotlib.pyplot").pyplot.subplots()[1]).set(
            title="Median by group", xlabel=column, ylabel=f"median {target} (USD)")[0].axes),
    )

    def evaluate(self, fn) -> None:
        import matplotlib.pyplot as plt
        from matplotlib.axes import Axes

        expect_callable(fn, "plot_median_by")
        for seed, column, target, top in ((1, "area", "price", 3), (4, "area", "lot", 5)):
            df = _groups_frame(seed)
            ax = fn(df.copy(), column, target, top=top)
            try:
                if not isinstance(ax, Axes):
                    raise Incorrect(f"plot_median_by should return the matplotlib Axes it drew on, got "
                                    f"{type(ax).__name__}.")
                for what, text in (("title", ax.get_title()), ("x-axis label", ax.get_xlabel()),
                                   ("y-axis label", ax.get_ylabel())):
                    if not text.strip():
                        raise Incorrect(f"The plot has no {what}: a reader must know what is shown, in which unit.")
                bars = _bars(ax)
                want = _median_by(df, column, target).head(top)
                if len(bars) != top:
                    raise Incorrect(f"With top={top} the plot should have {top} bars; it has {len(bars)}.")
                if set(bars) != set(want.index):
                    raise Incorrect(f"With top={top} the bars should be the {top} categories with the highest "
                                    f"median; yours are {sorted(bars)}.")
                drawn = np.array([bars[name] for name in want.index])
                if not any(np.allclose(drawn, want.to_numpy() * scale, rtol=1e-6) for scale in (1, 1e-3, 1e-6)):
                    raise Incorrect("The bars have the right categories but not the right lengths: each should be the "
                                    "median of its group (in the target's unit or in thousands).")
            finally:
                if isinstance(ax, Axes):
                    plt.close(ax.figure)


absence_share = AbsenceShare()
drop_sparse_columns = DropSparseColumns()
split_columns = SplitColumns()
log_skew = LogSkew()
iqr_outliers = IqrOutliers()
top_correlated = TopCorrelated()
median_by = MedianBy()
plot_median_by = PlotMedianBy()
EXERCISES = register(globals())
