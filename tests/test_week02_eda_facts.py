"""Week 02 (EDA): every figure the lesson's prose quotes about Ames holds on the shipped data.

The lesson's markdown cells state numbers (shares, medians, percentiles, correlations)
that are not all printed next to the sentence; these tests pin them to the data, so a
new data build or an edit of the prose cannot make them drift apart unnoticed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mlops_course as mc


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return mc.load_dataset("ames")


@pytest.fixture(scope="module")
def clean(df) -> pd.DataFrame:
    share = df.isnull().mean()
    return df.drop(columns=share[share > 0.3].index)


def test_shape_types_and_gaps(df, clean):
    """Protects: '2,930 houses, 73 features', the two sparse columns (61 %, 96 %), 1,775 gaps,
    34 numeric and 38 text columns after the drop, and the dtype counts."""
    assert df.shape == (2930, 74)
    assert df.dtypes.value_counts().to_dict() == {np.dtype("O"): 40, np.dtype("int64"): 32, np.dtype("float64"): 2}
    share = df.isnull().mean()
    assert list(share[share > 0].sort_values().index) == ["Mas_Vnr_Type", "Misc_Feature"]
    assert round(share["Mas_Vnr_Type"], 2) == 0.61 and round(share["Misc_Feature"], 2) == 0.96
    assert df["Mas_Vnr_Type"].isnull().sum() == 1775
    empty = df["Mas_Vnr_Type"].isnull()
    assert (empty & df["Mas_Vnr_Area"].eq(0)).sum() / empty.sum() > 0.99  # "almost all"
    assert clean.select_dtypes("number").shape[1] == 34 and clean.select_dtypes("object").shape[1] == 38
    assert round(df["Pool_QC"].eq("No_Pool").mean(), 3) == 0.996


def test_describe_table_claims(clean):
    """Protects: mean about 180,800 and median 160,000 USD; Lot_Area up to 215,245 with 75 %
    below 11,600; which zero-heavy columns are 0 up to their 75th percentile (not the open porch)."""
    price = clean["Sale_Price"]
    assert round(price.mean(), -2) == 180_800 and price.median() == 160_000
    assert clean["Lot_Area"].max() == 215_245 and clean["Lot_Area"].quantile(0.75) < 11_600
    zero_at_q3 = ["Enclosed_Porch", "Three_season_porch", "Screen_Porch", "Pool_Area", "Misc_Val"]
    assert (clean[zero_at_q3].quantile(0.75) == 0).all()
    assert clean["Open_Porch_SF"].quantile(0.75) > 0 and clean["Open_Porch_SF"].gt(0).mean() > 0.5


def test_categorical_claims(clean):
    """Protects: 'more than half Average', Average has the highest median price, the mean lies
    far above the median for Poor and Excellent, and the near-constant text columns."""
    cond = clean["Overall_Cond"]
    assert cond.value_counts(normalize=True)["Average"] > 0.5
    stats = clean.groupby("Overall_Cond")["Sale_Price"].agg(["median", "mean"])
    assert stats["median"].idxmax() == "Average"
    for group in ("Poor", "Excellent"):
        assert stats.loc[group, "mean"] > 1.15 * stats.loc[group, "median"]
    top = clean.select_dtypes("object").describe().T.sort_values("freq", ascending=False)
    assert {"Utilities", "Street", "Condition_2"} <= set(top.index[:4])


def test_target_shape_and_outliers(clean):
    """Protects: skew about 1.7 and a nearly symmetric log; the histogram's peak between 130
    and 180 thousand with a tail to 755 thousand; the box from about 130 to 214 thousand."""
    price = clean["Sale_Price"]
    assert round(price.skew(), 1) == 1.7 and abs(np.log(price).skew()) < 0.1
    counts, edges = np.histogram(price / 1000, bins=50)
    peak = edges[counts.argmax()]
    assert 130 <= peak and edges[counts.argmax() + 1] <= 180
    assert price.max() == 755_000
    assert round(price.quantile(0.25) / 1000) == 130 and round(price.quantile(0.75) / 1000) == 214


def test_bivariate_claims(clean):
    """Protects: the three houses above 4,500 sq ft that sold below 200 thousand are all partial
    sales; Garage_Cars-Garage_Area at 0.89, Total_Bsmt_SF-First_Flr_SF about 0.8; the bool flag
    takes part in corr(numeric_only=True) (the slide's 'int and float' is corrected)."""
    big = clean[clean["Gr_Liv_Area"] > 4500]
    cheap = big[big["Sale_Price"] < 200_000]
    assert len(cheap) == 3 and cheap["Sale_Condition"].eq("Partial").all()
    corr = clean.corr(numeric_only=True)
    assert round(corr.loc["Garage_Cars", "Garage_Area"], 2) == 0.89
    assert round(corr.loc["Total_Bsmt_SF", "First_Flr_SF"], 1) == 0.8
    flagged = clean.assign(has_central_air=clean["Central_Air"].eq("Y"))
    assert "has_central_air" in flagged.corr(numeric_only=True).columns
    assert "has_central_air" not in flagged.select_dtypes(include="number").columns
    top = corr["Sale_Price"].drop("Sale_Price").abs().sort_values(ascending=False).index[:6]
    assert list(top) == ["Gr_Liv_Area", "Garage_Cars", "Garage_Area", "Total_Bsmt_SF", "First_Flr_SF", "Year_Built"]


def test_neighbourhood_finding(clean):
    """Protects: the worked finding: three neighbourhoods above 300 thousand, about twice the
    overall median, and the fourth (Green Hills) resting on two sales."""
    stats = clean.groupby("Neighborhood")["Sale_Price"].agg(["median", "size"]).sort_values("median", ascending=False)
    assert list(stats.index[:3]) == ["Stone_Brook", "Northridge_Heights", "Northridge"]
    assert (stats["median"].iloc[:3] > 300_000).all() and stats["median"].iloc[3] < 300_000
    assert 1.8 < stats["median"].iloc[:3].mean() / clean["Sale_Price"].median() < 2.1
    assert stats.index[3] == "Green_Hills" and stats["size"].iloc[3] == 2


def test_columns_named_for_the_log1p_exercise(clean):
    """Protects: the columns the log1p exercise names are right-skewed and contain zeros."""
    for col in ("Mas_Vnr_Area", "Wood_Deck_SF", "Open_Porch_SF", "Enclosed_Porch", "Three_season_porch", "Screen_Porch"):
        assert clean[col].skew() > 1 and clean[col].eq(0).any(), col
