"""Week 02 quiz: the hidden tests of each code task accept every correct method and
reject the plausible mistakes (helpers.judge_answer runs the quiz's setup and data
cells, the answer, then the item's graded tests)."""
from __future__ import annotations

import pytest

from helpers import VARIANT_STUDENTS, assert_judged, judge_answer, judged_cases
from variant_sweep import misjudged_on_some_variant

WEEK = "02_eda"

# Q9: columns whose most frequent value, NaN included, fills more than `share` of the rows.
Q9 = """def near_constant(df, share=0.95):
{body}
"""

Q9_ACCEPTED = {
    "value_counts_normalized_with_nan": """    top = df.apply(lambda c: c.value_counts(dropna=False, normalize=True).iloc[0])
    return list(top[top > share].index)""",
    "loop_with_max_count": """    out = []
    for col in df.columns:
        if df[col].value_counts(dropna=False).max() / len(df) > share:
            out.append(col)
    return out""",
    "mode_or_nan_share": """    out = []
    for col in df.columns:
        s = df[col]
        nan_share = s.isna().mean()
        top_value_share = s.value_counts().max() / len(s) if s.notna().any() else 0.0
        if max(nan_share, top_value_share) > share:
            out.append(col)
    return out""",
    "groupby_size_keeps_nan": """    out = []
    for col in df.columns:
        if df.groupby(col, dropna=False).size().max() / len(df) > share:
            out.append(col)
    return out""",
    "fillna_sentinel_then_describe_like": """    import numpy as np
    filled = df.astype(object).where(df.notna(), "<NA>")
    freq = filled.apply(lambda c: c.value_counts().iloc[0]) / len(df)
    return [c for c in df.columns if freq[c] > share]""",
}

Q9_REJECTED = {
    # value_counts drops NaN by default and normalize then divides by the non-missing rows only
    "nan_ignored_wrong_denominator": """    top = df.apply(lambda c: c.value_counts(normalize=True).iloc[0] if c.notna().any() else 1.0)
    return list(top[top > share].index)""",
    "nan_ignored_right_denominator": """    out = []
    for col in df.columns:
        counts = df[col].value_counts()
        if len(counts) and counts.iloc[0] / len(df) > share:
            out.append(col)
    return out""",
    # NaN counted as a value of its own, but the top non-missing value is measured on the non-missing rows
    "nan_share_or_top_share_of_non_missing": """    out = []
    for col in df.columns:
        s = df[col]
        if s.isna().mean() > share or (s.notna().any() and s.value_counts(normalize=True).iloc[0] > share):
            out.append(col)
    return out""",
    "text_columns_only": """    text = df.select_dtypes(include="object")
    top = text.apply(lambda c: c.value_counts(dropna=False, normalize=True).iloc[0])
    return list(top[top > share].index)""",
    "at_least_instead_of_more_than": """    top = df.apply(lambda c: c.value_counts(dropna=False, normalize=True).iloc[0])
    return list(top[top >= share].index)""",
    "strictly_constant_only": """    return [c for c in df.columns if df[c].nunique(dropna=False) == 1]""",
    "missing_share_instead": """    share_missing = df.isnull().mean()
    return list(share_missing[share_missing > share].index)""",
}

# Q10: the TOP_K names with the largest |r| with Log_Price, strongest first.
Q10_ACCEPTED = {
    "abs_sort_values": """c = houses.corr(numeric_only=True)["Log_Price"].drop("Log_Price")
strongest = list(c.abs().sort_values(ascending=False).index[:TOP_K])
""",
    "corrwith": """num = houses.select_dtypes(include=["number", "bool"])
c = num.drop(columns="Log_Price").corrwith(num["Log_Price"])
strongest = list(c.abs().nlargest(TOP_K).index)
""",
    "sort_by_key_keeps_sign": """c = houses.corr(numeric_only=True)["Log_Price"].drop("Log_Price")
strongest = list(c.sort_values(key=abs, ascending=False).index[:TOP_K])
""",
    "numpy_corrcoef_loop": """num = houses.select_dtypes(include="number")
r = {col: np.corrcoef(num[col], num["Log_Price"])[0, 1] for col in num.columns if col != "Log_Price"}
strongest = sorted(r, key=lambda col: -abs(r[col]))[:TOP_K]
""",
}

Q10_REJECTED = {
    # the key once accepted this: on plain Ames a signed sort gave the same five names
    "signed_sort_without_abs": """c = houses.corr(numeric_only=True)["Log_Price"].drop("Log_Price")
strongest = list(c.sort_values(ascending=False).index[:TOP_K])
""",
    "signed_sort_target_skipped_by_position": """strongest = list(houses.corr(numeric_only=True)["Log_Price"].sort_values(ascending=False).index[1:TOP_K + 1])
""",
    "target_not_dropped": """c = houses.corr(numeric_only=True)["Log_Price"]
strongest = list(c.abs().nlargest(TOP_K).index)
""",
    "weakest_first": """c = houses.corr(numeric_only=True)["Log_Price"].drop("Log_Price")
strongest = list(c.abs().sort_values().index[:TOP_K])
""",
    "spearman_not_pearson": """c = houses.corr(method="spearman", numeric_only=True)["Log_Price"].drop("Log_Price")
strongest = list(c.abs().nlargest(TOP_K).index)
""",
    "right_names_alphabetical_order": """c = houses.corr(numeric_only=True)["Log_Price"].drop("Log_Price")
strongest = sorted(c.abs().nlargest(TOP_K).index)
""",
}

# Q11: IQR outliers of the price within each neighbourhood.
Q11_ACCEPTED = {
    "groupby_transform": """g = sales.groupby(GROUP)[VALUE]
q1, q3 = g.transform(lambda s: s.quantile(0.25)), g.transform(lambda s: s.quantile(0.75))
iqr = q3 - q1
n_outliers = int(((sales[VALUE] < q1 - K * iqr) | (sales[VALUE] > q3 + K * iqr)).sum())
""",
    "loop_over_groups_numpy": """n_outliers = 0
for _, s in sales.groupby(GROUP)[VALUE]:
    q1, q3 = np.percentile(s, [25, 75])
    iqr = q3 - q1
    n_outliers += int(((s < q1 - K * iqr) | (s > q3 + K * iqr)).sum())
""",
    "quartile_table_merged_back": """qs = sales.groupby(GROUP)[VALUE].quantile([0.25, 0.75]).unstack()
qs.columns = ["q1", "q3"]
m = sales.join(qs, on=GROUP)
iqr = m.q3 - m.q1
n_outliers = int((~m[VALUE].between(m.q1 - K * iqr, m.q3 + K * iqr)).sum())
""",
    "groupby_apply_flags_other_interpolation": """def flags(s):
    q1, q3 = s.quantile(0.25, interpolation="midpoint"), s.quantile(0.75, interpolation="midpoint")
    return (s < q1 - K * (q3 - q1)) | (s > q3 + K * (q3 - q1))
n_outliers = int(sales.groupby(GROUP)[VALUE].apply(flags).sum())
""",
}

Q11_TEMPLATE = """g = sales.groupby(GROUP)[VALUE]
q1, q3 = g.transform("quantile", 0.25), g.transform("quantile", 0.75)
iqr = q3 - q1
n_outliers = int(({flag}).sum())
"""
Q11_REJECTED = {
    "global_quartiles_ignore_the_groups": """s = sales[VALUE]
q1, q3 = s.quantile(0.25), s.quantile(0.75)
iqr = q3 - q1
n_outliers = int(((s < q1 - K * iqr) | (s > q3 + K * iqr)).sum())
""",
    "upper_fence_only": Q11_TEMPLATE.format(flag="sales[VALUE] > q3 + K * iqr"),
    "far_out_k_3": Q11_TEMPLATE.format(flag="(sales[VALUE] < q1 - 3 * iqr) | (sales[VALUE] > q3 + 3 * iqr)"),
    "fences_around_the_median": """g = sales.groupby(GROUP)[VALUE]
med, iqr = g.transform("median"), g.transform("quantile", 0.75) - g.transform("quantile", 0.25)
n_outliers = int(((sales[VALUE] < med - K * iqr) | (sales[VALUE] > med + K * iqr)).sum())
""",
    "counts_groups_with_an_outlier": """g = sales.groupby(GROUP)[VALUE]
q1, q3 = g.transform("quantile", 0.25), g.transform("quantile", 0.75)
iqr = q3 - q1
flag = (sales[VALUE] < q1 - K * iqr) | (sales[VALUE] > q3 + K * iqr)
n_outliers = int(sales.loc[flag, GROUP].nunique())
""",
}


# -- added by the expert review (qreview_a): more methods and more plausible mistakes --
Q9_ACCEPTED.update({
    "placeholder_for_nan_then_max": """    keep = []
    for c in df:
        counts = df[c].astype(object).fillna("__nan__").value_counts()
        if counts.max() / len(df) > share:
            keep.append(c)
    return keep""",
    "collections_counter": """    import collections, math
    out = []
    for c in df.columns:
        vals = ["NaN" if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in df[c].tolist()]
        if collections.Counter(vals).most_common(1)[0][1] / len(vals) > share:
            out.append(c)
    return out""",
})
Q9_REJECTED.update({
    # NaN "counted" by filling it with 0, which merges it with the real zeros
    "nan_filled_with_zero_first": """    top = df.fillna(0).apply(lambda c: c.value_counts(normalize=True).iloc[0])
    return list(top[top > share].index)""",
    "mode_share_ignores_nan": """    return [c for c in df.columns if df[c].notna().any() and (df[c] == df[c].mode()[0]).mean() > share]""",
    "few_distinct_values": """    return [c for c in df.columns if df[c].nunique(dropna=False) / len(df) < 1 - share]""",
    "describe_freq_over_count": """    d = df.astype(object).describe()
    return [c for c in df.columns if d.loc["count", c] > 0 and d.loc["freq", c] / d.loc["count", c] > share]""",
    "top_with_nan_over_non_missing_rows": """    return [c for c in df.columns if df[c].value_counts(dropna=False).iloc[0] / max(df[c].count(), 1) > share]""",
    "numeric_columns_only": """    num = df.select_dtypes("number")
    top = num.apply(lambda c: c.value_counts(dropna=False, normalize=True).iloc[0])
    return list(top[top > share].index)""",
    # test-wise: the Ames answer read off the try-it cell, a guess elsewhere
    "hard_codes_the_ames_answer": """    if df.shape == (2930, 74):
        return (["Condition_2", "Heating", "Kitchen_AbvGr", "Land_Slope", "Misc_Feature", "Misc_Val", "Pool_Area",
                 "Pool_QC", "Roof_Matl", "Street", "Three_season_porch", "Utilities"] if share == 0.95
                else ["Pool_Area", "Pool_QC", "Street", "Utilities"])
    return [c for c in df.columns if df[c].nunique(dropna=False) == 1]""",
})
Q10_ACCEPTED.update({
    "rank_by_r_squared": """num = houses.select_dtypes("number")
r2 = num.corr()["Log_Price"].pow(2).drop("Log_Price")
strongest = r2.sort_values(ascending=False).head(TOP_K).index.tolist()
""",
})
Q10_REJECTED.update({
    "covariance_not_correlation": """c = houses.cov(numeric_only=True)["Log_Price"].drop("Log_Price")
strongest = list(c.abs().nlargest(TOP_K).index)
""",
    "price_in_dollars_not_log": """h = houses.assign(P=np.exp(houses["Log_Price"])).drop(columns="Log_Price")
c = h.corr(numeric_only=True)["P"].drop("P")
strongest = list(c.abs().nlargest(TOP_K).index)
""",
    "ames_instead_of_houses": """a = ames.assign(Log_Price=np.log(ames["Sale_Price"])).drop(columns="Sale_Price")
c = a.corr(numeric_only=True)["Log_Price"].drop("Log_Price")
strongest = list(c.abs().nlargest(TOP_K).index)
""",
    "kendall_not_pearson": """c = houses.corr(method="kendall", numeric_only=True)["Log_Price"].drop("Log_Price")
strongest = list(c.abs().nlargest(TOP_K).index)
""",
})
Q11_ACCEPTED.update({
    "loop_over_group_frames": """n_outliers = 0
for _, part in sales.groupby(GROUP):
    v = part[VALUE]
    a, b = v.quantile([0.25, 0.75])
    n_outliers += int((v.lt(a - K * (b - a)) | v.gt(b + K * (b - a))).sum())
""",
})
Q11_REJECTED.update({
    "mean_and_k_standard_deviations": """g = sales.groupby(GROUP)[VALUE]
m, s = g.transform("mean"), g.transform("std")
n_outliers = int(((sales[VALUE] < m - K * s) | (sales[VALUE] > m + K * s)).sum())
""",
    "group_quartiles_global_iqr": """g = sales.groupby(GROUP)[VALUE]
q1, q3 = g.transform("quantile", 0.25), g.transform("quantile", 0.75)
iqr = sales[VALUE].quantile(0.75) - sales[VALUE].quantile(0.25)
n_outliers = int(((sales[VALUE] < q1 - K * iqr) | (sales[VALUE] > q3 + K * iqr)).sum())
""",
    "lower_fence_only": Q11_TEMPLATE.format(flag="sales[VALUE] < q1 - K * iqr"),
    "outlying_neighbourhood_means": """means = sales.groupby(GROUP)[VALUE].mean()
q1, q3 = means.quantile(0.25), means.quantile(0.75)
iqr = q3 - q1
n_outliers = int(((means < q1 - K * iqr) | (means > q3 + K * iqr)).sum())
""",
})


@pytest.mark.parametrize("item, answer, right", judged_cases(("q9", Q9_ACCEPTED, Q9_REJECTED, Q9), ("q10", Q10_ACCEPTED, Q10_REJECTED),
                                                            ("q11", Q11_ACCEPTED, Q11_REJECTED)))
def test_each_answer_is_judged_as_an_expert_would(item, answer, right):
    assert_judged(WEEK, item, answer, right)


def test_q10_the_signed_sort_now_loses_the_name_points():
    """The old key accepted a sort without .abs(); on `houses` it names First_Flr_SF
    instead of House_Age, so it fails the names test itself, not only the order."""
    verdict = judge_answer(WEEK, "q10", Q10_REJECTED["signed_sort_without_abs"])
    assert verdict and verdict.startswith("q10_names"), verdict


def test_q10_right_names_in_the_wrong_order_keep_the_name_points():
    verdict = judge_answer(WEEK, "q10", Q10_REJECTED["right_names_alphabetical_order"])
    assert verdict and verdict.startswith("q10_order"), verdict


# -- per-student variants: the same verdicts on every student's given data -------------
CASES = judged_cases(("q9", Q9_ACCEPTED, Q9_REJECTED, Q9), ("q10", Q10_ACCEPTED, Q10_REJECTED),
                     ("q11", Q11_ACCEPTED, Q11_REJECTED))


@pytest.mark.parametrize("student", VARIANT_STUDENTS)
@pytest.mark.parametrize("item, answer, right", CASES)
def test_each_answer_is_judged_alike_on_each_students_variant(item, answer, right, student):
    """Protects: a named mistake stays wrong (and a valid method right) on a student's
    own data, not only on the quiz as written."""
    assert_judged(WEEK, item, answer, right, student)


@pytest.mark.parametrize("item, accepted, rejected", [("q10", Q10_ACCEPTED, Q10_REJECTED), ("q11", Q11_ACCEPTED, Q11_REJECTED)])
def test_each_answer_is_judged_alike_on_every_variant_the_data_can_pick(item, accepted, rejected):
    """Protects: no TOP_K and span of sale years (q10), no VALUE column and K (q11) lets a
    named mistake pass: a top-K without a negative r would let the signed sort through, a
    K of 3 the far-out rule."""
    cases = {**{f"accepts {n}": (a, True) for n, a in accepted.items()},
             **{f"rejects {n}": (a, False) for n, a in rejected.items()}}
    assert not misjudged_on_some_variant(WEEK, item, cases)


@pytest.mark.parametrize("student", VARIANT_STUDENTS)
def test_q10_partial_credit_holds_on_each_students_variant(student):
    """The signed sort loses the name points and right names in the wrong order keep them,
    on each student's data too."""
    verdict = judge_answer(WEEK, "q10", Q10_REJECTED["signed_sort_without_abs"], student)
    assert verdict and verdict.startswith("q10_names"), verdict
    verdict = judge_answer(WEEK, "q10", Q10_REJECTED["right_names_alphabetical_order"], student)
    assert verdict and verdict.startswith("q10_order"), verdict
