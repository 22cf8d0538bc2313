"""The corruption step of week 04 (mlops_course.dirty): seeded, reproducible, documented."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mlops_course as mc
from mlops_course.dirty import COLUMNS, COUNTS, OUTLIER_FACTOR, VARIANTS, expected_counts, make_dirty

# The counts the module docstring documents for Ames (n = 2930) and the lesson relies on.
DOCUMENTED = {
    "missing_Garage_Area": 146, "missing_Year_Built": 88, "missing_Heating_QC": 59,
    "negative_Lot_Area": 44, "outlier_Gr_Liv_Area": 23, "fragment_Central_Air": 586,
    "fragment_Heating_QC": 440, "duplicates": 59,
}


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    return mc.load_dataset("ames")[COLUMNS]


def one_per_row(dirty: pd.DataFrame) -> pd.DataFrame:
    return dirty[~dirty.index.duplicated()]


def test_documented_counts_match_the_shares():
    """Protects: the table in the module docstring is what the shares give for Ames."""
    assert set(COUNTS) == set(DOCUMENTED)
    assert expected_counts(2930) == DOCUMENTED


@pytest.mark.parametrize("seed", [42, 0, 7])
def test_each_kind_of_damage_hits_the_documented_number_of_rows(clean, seed):
    """Protects: every kind of damage is present in the documented amount, for any seed."""
    dirty = make_dirty(clean, seed=seed)
    assert len(dirty) == len(clean) + DOCUMENTED["duplicates"]
    assert dirty.index.duplicated().sum() == DOCUMENTED["duplicates"]
    rows = one_per_row(dirty).loc[clean.index]
    for column in ("Garage_Area", "Year_Built", "Heating_QC"):
        assert rows[column].isnull().sum() == DOCUMENTED[f"missing_{column}"]
    assert (rows["Lot_Area"] < 0).sum() == DOCUMENTED["negative_Lot_Area"]
    ratio = rows["Gr_Liv_Area"] / clean["Gr_Liv_Area"]
    assert (ratio == OUTLIER_FACTOR).sum() == DOCUMENTED["outlier_Gr_Liv_Area"]
    for column in ("Central_Air", "Heating_QC"):
        respelled = rows[column].notna() & (rows[column] != clean[column])
        assert respelled.sum() == DOCUMENTED[f"fragment_{column}"]


def test_same_seed_same_frame_other_seed_other_frame(clean):
    """Protects: the dirty copy is reproducible from its seed (lesson and quiz numbers stay fixed)."""
    pd.testing.assert_frame_equal(make_dirty(clean, seed=42), make_dirty(clean, seed=42))
    assert not make_dirty(clean, seed=42).equals(make_dirty(clean, seed=1))


def test_clean_input_is_not_modified(clean):
    """Protects: the lesson can compare each repair with the untouched original."""
    before = clean.copy()
    make_dirty(clean, seed=3)
    pd.testing.assert_frame_equal(clean, before)


def test_damage_is_reversible_against_the_original(clean):
    """Protects: each damage is what the docstring says, so the lesson's repairs can recover the truth."""
    rows = one_per_row(make_dirty(clean, seed=42)).loc[clean.index]
    assert (rows["Lot_Area"].abs() == clean["Lot_Area"]).all()
    canonical = {v.strip().lower(): k for col in VARIANTS.values() for k, vs in col.items() for v in [k, *vs]}
    for column in ("Central_Air", "Heating_QC"):
        merged = rows[column].dropna().map(lambda v: canonical[v.strip().lower()])
        assert (merged == clean.loc[merged.index, column]).all()
    kept = rows["Garage_Area"].notna()
    assert np.array_equal(rows.loc[kept, "Garage_Area"], clean.loc[kept, "Garage_Area"].astype(float))
    untouched = [c for c in COLUMNS if c not in {"Garage_Area", "Year_Built", "Heating_QC", "Lot_Area",
                                                 "Gr_Liv_Area", "Central_Air"}]
    pd.testing.assert_frame_equal(rows[untouched], clean[untouched])


def test_default_seed_duplicates_are_exactly_the_copies(clean):
    """Protects: the lesson's claim that drop_duplicates() removes exactly the 59 copies (seed 42)."""
    dirty = make_dirty(clean, seed=42)
    assert dirty.duplicated().sum() == DOCUMENTED["duplicates"]
    assert len(dirty.drop_duplicates()) == len(clean)


def test_missing_columns_give_a_clear_error(clean):
    with pytest.raises(KeyError, match="COLUMNS"):
        make_dirty(clean.drop(columns="Lot_Area"))
