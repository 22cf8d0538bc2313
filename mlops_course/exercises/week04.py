"""Week 04 exercises: data cleansing and feature engineering."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..checks import Exercise, Incorrect, NotAttempted, expect_callable, expect_close, expect_number, register


class DropNegativeRows(Exercise):
    title = "Remove rows with impossible negative values"
    hints = (
        "A boolean mask selects rows: df[mask]. Which rows must go? Those where the column is below 0.",
        "Careful with gaps: every comparison with NaN is False, so a mask that keeps 'values >= 0' also "
        "throws away the missing ones. Build the mask of the rows to remove and keep its complement.",
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
        "Shape: a dict from every normalised spelling (the canonical name itself included) to its canonical "
        "name; normalise the Series the same way and map it through the dict. Missing values stay missing.",
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


def _clipper_class(bounds="fit", axis=0, fixed=None, nan=True, returns_self=True, pandas=False):
    """Build clipping transformers for the check's own tests (right and wrong variants)."""
    from sklearn.base import BaseEstimator, TransformerMixin

    pct = np.nanpercentile if nan else np.percentile

    class Clipper(BaseEstimator, TransformerMixin):
        def __init__(self, low=1, high=99):
            self.low, self.high = low, high

        def _bounds(self, X):
            low, high = fixed or (self.low, self.high)
            if pandas:
                frame = pd.DataFrame(np.asarray(X, dtype=float))
                return frame.quantile(low / 100).to_numpy(), frame.quantile(high / 100).to_numpy()
            return pct(np.asarray(X, dtype=float), low, axis=axis), pct(np.asarray(X, dtype=float), high, axis=axis)

        def fit(self, X, y=None):
            self.lower_, self.upper_ = self._bounds(X)
            return self if returns_self else None

        def transform(self, X):
            lower, upper = self._bounds(X) if bounds == "transform" else (self.lower_, self.upper_)
            return np.clip(np.asarray(X, dtype=float), lower, upper)

    return Clipper


def _clip_data():
    rng = np.random.default_rng(5)
    train = rng.normal([1500, 40], [400, 12], size=(200, 2))
    train[[3, 70]] = [[15000, 41], [-9000, 39]]
    train[[10, 11], 0] = np.nan
    train[150, 1] = np.nan
    test = np.array([[30000.0, 200.0], [1400.0, np.nan], [-50000.0, -80.0], [1600.0, 45.0], [np.nan, 10.0]])
    return train, test


class PercentileClipper(Exercise):
    title = "A clipping transformer that learns its bounds from the training data"
    hints = (
        "A scikit-learn transformer learns in fit and applies in transform. Subclass BaseEstimator and "
        "TransformerMixin, store the constructor arguments under their own names (low, high), and in fit "
        "store what you learned in attributes ending with _ (lower_, upper_), then return self.",
        "fit: one lower and one upper bound per column from the training rows, ignoring NaN "
        "(np.nanpercentile has an axis argument). transform: np.clip the new rows to those stored bounds; "
        "never recompute them from the rows being transformed.",
    )
    solution = """```python
class PercentileClipper(BaseEstimator, TransformerMixin):
    def __init__(self, low=1, high=99):
        self.low, self.high = low, high

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=float)
        self.lower_ = np.nanpercentile(X, self.low, axis=0)
        self.upper_ = np.nanpercentile(X, self.high, axis=0)
        return self

    def transform(self, X):
        return np.clip(np.asarray(X, dtype=float), self.lower_, self.upper_)
```
The percentiles are learned, like a scaler's minimum and maximum, so they come from the
training rows only; new rows are clipped to those bounds, even if they hold values far
outside them. BaseEstimator gives `get_params`, so the class works in `Pipeline`, `clone`
and cross-validation."""
    # bounds recomputed from the rows being transformed: the test rows leak into the clipping
    wrong_answer = _clipper_class(bounds="transform")
    wrong_answers = (
        _clipper_class(fixed=(1, 99)),       # ignores low and high
        _clipper_class(axis=None),           # one pair of bounds for all columns
        _clipper_class(nan=False),           # np.percentile: NaN bounds
        _clipper_class(returns_self=False),  # fit returns None: breaks pipelines
    )
    right_answers = (_clipper_class(pandas=True),)  # pandas quantile instead of nanpercentile

    def evaluate(self, cls) -> None:
        from sklearn.base import clone

        if not isinstance(cls, type):
            if callable(cls):
                cls()  # a stub raises NotImplementedError: reported as not attempted
            raise Incorrect("Pass the class PercentileClipper itself (not an instance) to the check.")
        train, test = _clip_data()
        for low, high in ((1, 99), (5, 95)):
            clipper = cls(low=low, high=high)
            try:
                copy = clone(clipper)
            except Exception:
                raise Incorrect("scikit-learn cannot clone your transformer: subclass BaseEstimator and store "
                                "the arguments of __init__ under their own names.") from None
            if (copy.get_params().get("low"), copy.get_params().get("high")) != (low, high):
                raise Incorrect("get_params() does not return low and high: store them as self.low and self.high.")
            for kind, fit_X in (("an array", train.copy()), ("a DataFrame", pd.DataFrame(train, columns=["area", "age"]))):
                if clipper.fit(fit_X) is not clipper:
                    raise Incorrect("fit should return self, so that fit(X).transform(X) and pipelines work.")
                out = np.asarray(clipper.transform(test.copy() if kind == "an array" else
                                                   pd.DataFrame(test, columns=["area", "age"])), dtype=float)
                if out.shape != test.shape:
                    raise Incorrect(f"transform should keep the shape {test.shape} of its input, got {out.shape}.")
                if not np.array_equal(np.isnan(out), np.isnan(test)):
                    raise Incorrect("Missing values should stay missing, and only they (ignore NaN when "
                                    "learning the bounds).")
                lower, upper = np.nanpercentile(train, [low, high], axis=0)
                want = np.clip(test, lower, upper)
                if not np.allclose(out, want, equal_nan=True, rtol=1e-9, atol=1e-6):
                    raise Incorrect(f"With low={low}, high={high}, fitted on 200 training rows (as {kind}) and applied "
                                    "to 5 new rows, the clipped values are not right yet: one pair of bounds per "
                                    "column, learned in fit from the training rows, used unchanged in transform.")


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
        "Shape: a dict from each category to its position in `order` (enumerate gives the positions), "
        "applied to the Series with map.",
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
        "Long-term: fit a polynomial of degree 1 through the points (position, value) with np.polyfit; its "
        "first coefficient is the slope. Short-term: combine the last three values as the formula says.",
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


QC_LEVELS = ("Excellent", "Good", "Typical", "Fair", "Poor")
RULES = ("duplicate_rows", "missing_values", "negative_Lot_Area", "implausible_Gr_Liv_Area",
         "unknown_Central_Air", "unknown_Heating_QC")


def _validate(df, dup_keep="first", missing="rows", negative="lt", area="gt", nan_unknown=False, normalise=False,
              distinct=False):
    cat = (lambda s: s.str.strip().str.lower()) if normalise else (lambda s: s)
    air_ok, qc_ok = ({"y", "n"}, {v.lower() for v in QC_LEVELS}) if normalise else ({"Y", "N"}, set(QC_LEVELS))

    def unknown(column, allowed):
        bad = ~cat(df[column]).isin(allowed)
        bad = bad if nan_unknown else bad & df[column].notna()
        return pd.Series([True] * df.loc[bad, column].nunique()) if distinct else bad

    return {
        "duplicate_rows": int(df.duplicated(keep=dup_keep).sum()),
        "missing_values": int(df.isnull().any(axis=1).sum() if missing == "rows" else df.isnull().sum().sum()),
        "negative_Lot_Area": int((df["Lot_Area"] < 0).sum() if negative == "lt" else (~(df["Lot_Area"] >= 0)).sum()),
        "implausible_Gr_Liv_Area": int((df["Gr_Liv_Area"] > 6000).sum() if area == "gt" else (df["Gr_Liv_Area"] >= 6000).sum()),
        "unknown_Central_Air": int(unknown("Central_Air", air_ok).sum()),
        "unknown_Heating_QC": int(unknown("Heating_QC", qc_ok).sum()),
    }


def _validate_frames():
    ok = pd.DataFrame({
        "Lot_Area": [8000.0, 12000.0, 9500.0, 15000.0, 7000.0, 11000.0],
        "Gr_Liv_Area": [1200.0, 2400.0, 6000.0, 900.0, 1750.0, 3100.0],
        "Central_Air": ["Y", "Y", "N", "Y", "Y", "N"],
        "Heating_QC": ["Excellent", "Typical", "Good", "Fair", "Poor", "Typical"],
        "Neighborhood": ["A", "B", "C", "A", "B", "C"],
    })
    bad = pd.DataFrame({
        "Lot_Area": [8000.0, -12000.0, np.nan, 15000.0, 7000.0, -300.0, 9000.0, 9000.0, 5000.0, 6100.0],
        "Gr_Liv_Area": [1200.0, 24000.0, 6000.0, 900.0, np.nan, 3100.0, 1500.0, 1500.0, 6001.0, 1000.0],
        "Central_Air": ["Y", " Y", "yes", np.nan, "N", "N", "Y", "Y", "Y", "n"],
        "Heating_QC": ["Excellent", "TA", np.nan, "Fair", "typical", "Good", np.nan, np.nan, "Typical", "Good "],
        "Neighborhood": ["A", "B", "C", "A", "B", "C", "D", "D", "A", "B"],
    })
    # a second "yes" and a second "TA": a count of distinct bad spellings is not a count of rows
    extra = pd.DataFrame({"Lot_Area": [7200.0], "Gr_Liv_Area": [1300.0], "Central_Air": ["yes"],
                          "Heating_QC": ["TA"], "Neighborhood": ["C"]})
    bad = pd.concat([bad, extra, bad.iloc[[6, 0]]], ignore_index=True)   # rows 6 and 7 are equal too
    return ok, bad


class Validate(Exercise):
    title = "Rule checks: validate a table before it is used"
    hints = (
        "Each rule is a boolean mask with one entry per row; its count is mask.sum(). Rules about values "
        "judge only the values that are there: a missing value breaks the 'missing_values' rule, not the "
        "category or range rules (isin and notna are the tools).",
        "Shape: a dict with the six rule names as keys and integer counts as values. duplicated() marks the "
        "repeats of an earlier row, not the first copy; isnull().any(axis=1) marks rows with at least one gap.",
    )
    solution = """```python
def validate(df):
    known_air, known_qc = df["Central_Air"].notna(), df["Heating_QC"].notna()
    return {
        "duplicate_rows": int(df.duplicated().sum()),
        "missing_values": int(df.isnull().any(axis=1).sum()),
        "negative_Lot_Area": int((df["Lot_Area"] < 0).sum()),
        "implausible_Gr_Liv_Area": int((df["Gr_Liv_Area"] > 6000).sum()),
        "unknown_Central_Air": int((known_air & ~df["Central_Air"].isin(["Y", "N"])).sum()),
        "unknown_Heating_QC": int((known_qc & ~df["Heating_QC"].isin(
            ["Excellent", "Good", "Typical", "Fair", "Poor"])).sum()),
    }
```
A validation rule states a fact about the domain (a lot area is not negative, a code is
one of five), not a statistic of this batch, so it can run on every new batch before
anything is trained on it. Each rule counts one kind of problem, so a gap is counted once
(as missing) and not again as an unknown category."""
    wrong_answer = staticmethod(lambda df: _validate(df, dup_keep=False))
    wrong_answers = (
        staticmethod(lambda df: _validate(df, missing="cells")),      # counts cells, not rows
        staticmethod(lambda df: _validate(df, negative="not_ge")),    # NaN counted as negative
        staticmethod(lambda df: _validate(df, area="ge")),            # 6000 itself is allowed
        staticmethod(lambda df: _validate(df, nan_unknown=True)),     # NaN counted as unknown
        staticmethod(lambda df: _validate(df, normalise=True)),       # " Y" and "yes" are not valid codes
        staticmethod(lambda df: _validate(df, distinct=True)),        # distinct bad spellings, not rows
    )
    right_answers = (
        staticmethod(lambda df: pd.Series(_validate(df))),            # a Series is fine too
        staticmethod(lambda df: {k: np.int64(v) for k, v in _validate(df).items()}),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "validate")
        for name, frame in zip(("clean", "dirty"), _validate_frames()):
            got = fn(frame.copy())
            if isinstance(got, pd.Series):
                got = got.to_dict()
            if not isinstance(got, dict):
                raise Incorrect(f"validate should return a dict (or Series) of counts, got {type(got).__name__}.")
            missing = [r for r in RULES if r not in got]
            if missing:
                raise Incorrect(f"The result misses the rule(s) {missing}.")
            want = _validate(frame)
            for rule in RULES:
                value = expect_number(got[rule], f"The count of {rule}")
                if value != want[rule]:
                    raise Incorrect(f"On a small {name} test table ({len(frame)} rows) your count for {rule} "
                                    f"is {value:g}, which is not right yet. Re-read the rule: which rows break it, "
                                    "and what about missing values and repeated rows?")


def _pipeline_frames(seed):
    rng = np.random.default_rng(seed)
    n = 80
    train = pd.DataFrame({
        "area": rng.normal(1500, 300, n), "age": rng.normal(40, 15, n),
        "deck": np.where(rng.random(n) < 0.5, 0.0, rng.gamma(2.0, 120.0, n)).round(),
        "quality": rng.choice(["low", "mid", "high"], n, p=[0.2, 0.5, 0.3]).astype(object),
        "style": rng.choice(["ranch", "duplex", "loft"], n).astype(object),
        "colour": rng.choice(["red", "blue"], n).astype(object),
        "condition": rng.choice(["poor", "fair", "good"], n, p=[0.3, 0.3, 0.4]).astype(object),
    })
    train.loc[[3, 40], "area"] = [16000.0, -8000.0]     # outliers
    train.loc[[5, 17, 33, 60], "area"] = np.nan          # gaps
    train.loc[[8, 9], "quality"] = np.nan
    test = pd.DataFrame({
        "area": [30000.0, np.nan, 1400.0, -5000.0, 1600.0], "age": [10.0, 300.0, 35.0, 50.0, -40.0],
        "deck": [0.0, 250.0, 4000.0, 0.0, 12.0], "quality": ["high", np.nan, "low", "mid", "mid"],
        "style": ["ranch", "castle", "loft", "duplex", "ranch"], "colour": ["red", "blue", "green", "red", "blue"],
        "condition": ["good", "poor", np.nan, "fair", "good"],
    })
    return train, test


_PIPELINE_CASES = [  # numeric, skewed, ordinal, nominal
    (["area", "age"], ["deck"], {"quality": ["low", "mid", "high"]}, ["style"]),
    (["area"], ["deck"], {"quality": ["high", "mid", "low"], "condition": ["poor", "fair", "good"]}, ["style", "colour"]),
]


def _expected_columns(train, test, numeric, skewed, ordinal, nominal, low=1, high=99):
    cols = []
    for c in numeric:
        lo, hi = np.nanpercentile(train[c], [low, high])
        clipped_train = np.clip(train[c].to_numpy(float), lo, hi)
        cols.append((f"{c} clipped and filled", np.nan_to_num(np.clip(test[c].to_numpy(float), lo, hi),
                                                            nan=np.nanmedian(clipped_train))))
    for c in numeric:
        if train[c].isnull().any():
            cols.append((f"missing indicator of {c}", test[c].isnull().to_numpy(float)))
    for c in skewed:
        cols.append((f"log1p of {c}", np.log1p(test[c].to_numpy(float))))
    for c, order in ordinal.items():
        filled = test[c].fillna(train[c].mode()[0])
        cols.append((f"ordinal code of {c}", filled.map({v: i for i, v in enumerate(order)}).to_numpy(float)))
    for c in nominal:
        for v in sorted(train[c].dropna().unique()):
            cols.append((f"one-hot column {c}={v}", (test[c] == v).to_numpy(float)))
    return cols


def _pipeline_answer(clipper=None, indicator=True, log=np.log1p, ordinal_categories=True, handle_unknown="ignore",
                     strategy="median", impute_ordinal=True, order_blocks=("num", "skew", "ord", "nom"),
                     sparse=False, wrap=False, impute_first=False, one_order=False, drop=None):
    """A cleaning-pipeline builder with switchable mistakes, for the check's own tests."""
    def build(numeric, skewed, ordinal, nominal):
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import Pipeline, make_pipeline
        from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder

        clip = (clipper or _clipper_class())()
        orders = [next(iter(ordinal.values()))] * len(ordinal) if one_order else [ordinal[c] for c in ordinal]
        ord_steps = ([SimpleImputer(strategy="most_frequent")] if impute_ordinal else []) + [
            OrdinalEncoder(categories=orders) if ordinal_categories else OrdinalEncoder()]
        onehot = (OneHotEncoder(handle_unknown=handle_unknown, sparse_output=sparse, drop=drop) if handle_unknown
                  else OneHotEncoder(sparse_output=sparse))
        imputer = SimpleImputer(strategy=strategy, add_indicator=indicator)
        blocks = {
            "num": ("num", make_pipeline(*((imputer, clip) if impute_first else (clip, imputer))), list(numeric)),
            "skew": ("skew", FunctionTransformer(log), list(skewed)),
            "ord": ("ord", make_pipeline(*ord_steps), list(ordinal)),
            "nom": ("nom", onehot, list(nominal)),
        }
        ct = ColumnTransformer([blocks[b] for b in order_blocks], sparse_threshold=1.0 if sparse else 0.0)
        return Pipeline([("clean", ct)]) if wrap else ct
    return build


class CleaningPipeline(Exercise):
    title = "The full leak-free cleaning pipeline"
    hints = (
        "A ColumnTransformer takes a list of (name, transformer, columns) triples: one triple per group of "
        "columns. Each group's steps are chained with make_pipeline. The pieces: your PercentileClipper, "
        "SimpleImputer (its add_indicator argument), FunctionTransformer (wraps a NumPy function), "
        "OrdinalEncoder (its categories argument takes one list per column) and OneHotEncoder.",
        "Shape: four triples. Numeric: clipper, then a median imputer with indicator. Skewed: log1p. "
        "Ordinal: a most-frequent imputer, then the encoder with [ordinal[c] for c in ordinal] as categories. "
        "Nominal: one-hot that ignores categories it never saw. Return the ColumnTransformer unfitted: "
        "fitting is the caller's job, on the training rows.",
    )
    solution = """```python
def make_cleaning_pipeline(numeric, skewed, ordinal, nominal):
    return ColumnTransformer([
        ("num", make_pipeline(PercentileClipper(1, 99), SimpleImputer(strategy="median", add_indicator=True)), numeric),
        ("skew", FunctionTransformer(np.log1p), skewed),
        ("ord", make_pipeline(SimpleImputer(strategy="most_frequent"),
                              OrdinalEncoder(categories=[ordinal[c] for c in ordinal])), list(ordinal)),
        ("nom", OneHotEncoder(handle_unknown="ignore"), nominal),
    ])
```
Every step that learns (the clipping bounds, the medians, the most frequent level, the
one-hot categories) learns in `fit`, so `fit(X_train)` then `transform(X_test)` applies
training-set knowledge to the test rows and nothing flows back. The indicator keeps the
fact that a value was missing, which is often informative itself; `handle_unknown` keeps
a new category in production from crashing the pipeline."""
    # clipping bounds recomputed on whatever is transformed: the test rows set their own bounds
    wrong_answer = staticmethod(_pipeline_answer(clipper=_clipper_class(bounds="transform")))
    wrong_answers = (
        staticmethod(_pipeline_answer(indicator=False)),                 # no missing indicator
        staticmethod(_pipeline_answer(log=np.log)),                      # log of 0 is -inf
        staticmethod(_pipeline_answer(ordinal_categories=False)),        # alphabetical codes
        staticmethod(_pipeline_answer(handle_unknown=None)),             # crashes on a new category
        staticmethod(_pipeline_answer(strategy="mean")),                 # mean instead of median
        staticmethod(_pipeline_answer(impute_ordinal=False)),            # NaN codes reach the model
        staticmethod(_pipeline_answer(clipper=_clipper_class(fixed=(5, 95)))),  # other percentiles
        staticmethod(_pipeline_answer(impute_first=True)),   # imputer first: fills and 0/1 indicators get clipped
        staticmethod(_pipeline_answer(one_order=True)),      # the first column's order used for every ordinal column
        staticmethod(_pipeline_answer(drop="first")),        # one-hot without the first level
    )
    right_answers = (
        staticmethod(_pipeline_answer(sparse=True)),                                     # sparse output
        staticmethod(_pipeline_answer(order_blocks=("nom", "ord", "skew", "num"))),      # another column order
        staticmethod(_pipeline_answer(wrap=True)),                                       # wrapped in a Pipeline
        staticmethod(_pipeline_answer(clipper=_clipper_class(pandas=True))),             # pandas quantiles
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "make_cleaning_pipeline")
        for case, (numeric, skewed, ordinal, nominal) in enumerate(_PIPELINE_CASES):
            train, test = _pipeline_frames(40 + case)
            pipe = fn(list(numeric), list(skewed), dict(ordinal), list(nominal))
            if not (hasattr(pipe, "fit") and hasattr(pipe, "transform")):
                raise Incorrect("make_cleaning_pipeline should return an unfitted ColumnTransformer (or Pipeline) "
                                "with fit and transform.")
            try:
                pipe.fit(train.copy())
                out = pipe.transform(test.copy())
            except NotImplementedError:
                raise NotAttempted("A step of your pipeline is still a stub (is PercentileClipper from exercise 3 "
                                   "finished?). Complete it, run its cell, then run this cell again.") from None
            out = np.asarray(out.toarray() if hasattr(out, "toarray") else out, dtype=float)
            want = _expected_columns(train, test, numeric, skewed, ordinal, nominal)
            where = (f"With numeric={numeric}, skewed={skewed}, ordinal={list(ordinal)} and nominal={nominal}, "
                     "fitted on 80 training rows and applied to 5 new rows,")
            if out.ndim != 2 or out.shape[0] != len(test):
                raise Incorrect(f"{where} the output should have one row per new row; got shape {out.shape}.")
            if not np.isfinite(out).all():
                raise Incorrect(f"{where} the output holds NaN or infinite values (a log of 0? a gap no step filled?).")
            unused = list(range(out.shape[1]))
            for label, column in want:
                match = next((j for j in unused if np.allclose(out[:, j], column, rtol=1e-6, atol=1e-6)), None)
                if match is None:
                    raise Incorrect(f"{where} your output has no column equal to the {label}. Check that step: "
                                    "what it learns in fit (from the training rows only) and how it is applied.")
                unused.remove(match)
            if unused:
                raise Incorrect(f"{where} your output has {out.shape[1]} columns, {len(unused)} more than the four "
                                "groups of steps should give.")


drop_negative_rows = DropNegativeRows()
merge_categories = MergeCategories()
percentile_clipper = PercentileClipper()
max_abs_scale = MaxAbsScale()
encode_ordinal = EncodeOrdinal()
trend_features = TrendFeatures()
validate = Validate()
cleaning_pipeline = CleaningPipeline()
EXERCISES = register(globals())
