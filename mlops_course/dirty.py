"""A seeded, documented way to make a dirty copy of the real Ames housing data.

Week 04 repairs data. To judge a repair we need the truth, so instead of a data set
that is dirty for unknown reasons we take the clean Ames data and damage a copy in
known ways. Every row of the dirty copy keeps the index label of the clean row it came
from, so each repair can be compared with the original::

    import mlops_course as mc
    from mlops_course.dirty import COLUMNS, make_dirty

    clean = mc.load_dataset("ames")[COLUMNS]
    dirty = make_dirty(clean, seed=42)
    dirty.loc[label]  # compare with clean.loc[label]

What :func:`make_dirty` does, in this order, on the ``n`` rows of the clean frame
(rows are drawn without replacement with ``numpy.random.default_rng(seed)``; each
kind of damage hits rows that no earlier damage touched, so the kinds never overlap):

=====================  ==========================================================  ==================
kind                   what                                                        rows (n = 2930)
=====================  ==========================================================  ==================
missing values         ``Garage_Area`` set to NaN (5 %)                            146
                       ``Year_Built`` set to NaN (3 %)                             88
                       ``Heating_QC`` set to NaN (2 %)                             59
impossible negatives   ``Lot_Area`` sign flipped (1.5 %): a negative lot area     44
extreme outliers       ``Gr_Liv_Area`` multiplied by 10 (0.8 %): a unit slip       23
fragmented categories  ``Central_Air`` "Y"/"N" respelled (20 %): "yes", " y", ...  586
                       ``Heating_QC`` respelled (15 %): "TA", "excellent ", ...    440
duplicates             exact copies of dirty rows appended (2 %)                   59
=====================  ==========================================================  ==================

The dirty frame therefore has ``n + round(0.02 n)`` rows (2989 for Ames), in a
shuffled order. The counts are those of the clean rows hit; the appended copies
repeat some of them; ``dirty[~dirty.index.duplicated()]`` keeps one row per clean row.
With the default seed 42, ``dirty.drop_duplicates()`` removes exactly the 59 copies too.
(Ames itself holds two pairs of sales that agree on all twelve columns, rows 762/763 and
810/811; with another seed a value-based duplicate check may also catch one of them.)
``COUNTS`` maps each kind to its share; :func:`expected_counts` turns the shares into
row counts for any ``n``. The numbers in the table are the ones the
week 04 lesson and ``tests/test_week04_dirty.py`` rely on.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: The Ames columns the week 04 lesson works with.
COLUMNS = [
    "Neighborhood", "House_Style", "Central_Air", "Heating_QC", "Lot_Area", "Gr_Liv_Area",
    "Garage_Area", "Year_Built", "Wood_Deck_SF", "Year_Sold", "Mo_Sold", "Sale_Price",
]

#: Share of rows for each kind of damage (see the module docstring).
COUNTS = {
    "missing_Garage_Area": 0.05,
    "missing_Year_Built": 0.03,
    "missing_Heating_QC": 0.02,
    "negative_Lot_Area": 0.015,
    "outlier_Gr_Liv_Area": 0.008,
    "fragment_Central_Air": 0.20,
    "fragment_Heating_QC": 0.15,
    "duplicates": 0.02,
}

#: Factor applied to the outlier rows (square metres read as square feet, and worse).
OUTLIER_FACTOR = 10

#: Spellings that replace a clean category; the first key is the clean value.
VARIANTS = {
    "Central_Air": {"Y": ["y", "Yes", "yes", " Y", "YES"], "N": ["n", "No", "no", "N "]},
    "Heating_QC": {
        "Excellent": ["Ex", "excellent", "EXCELLENT", "Excellent "],
        "Good": ["Gd", "good", "Good "],
        "Typical": ["TA", "typical", "Typ"],
        "Fair": ["Fa", "fair"],
        "Poor": ["Po", "poor"],
    },
}


def expected_counts(n: int) -> dict[str, int]:
    """Rows hit by each kind of damage for a clean frame of ``n`` rows."""
    return {kind: int(round(share * n)) for kind, share in COUNTS.items()}


def make_dirty(clean: pd.DataFrame, seed: int = 42) -> pd.DataFrame:
    """Return a dirty copy of ``clean`` (Ames rows with at least the columns in ``COLUMNS``).

    The copy has missing values, impossible negatives, extreme outliers, fragmented
    category spellings and duplicated rows, as documented in the module docstring.
    ``clean`` is not modified. The same ``seed`` always gives the same dirty frame;
    index labels are kept, so ``dirty.loc[i]`` is the damaged version of ``clean.loc[i]``
    (a duplicated row appears twice under its label).
    """
    missing = [c for c in COLUMNS if c not in clean.columns]
    if missing:
        raise KeyError(f"make_dirty needs the columns {missing}; pass mc.load_dataset('ames')[COLUMNS].")
    rng = np.random.default_rng(seed)
    dirty = clean.copy()
    n = len(dirty)
    counts = expected_counts(n)
    pool = rng.permutation(n)  # positions, consumed in turn so the kinds never overlap
    taken = 0

    def take(kind: str) -> pd.Index:
        nonlocal taken
        k = counts[kind]
        rows = dirty.index[np.sort(pool[taken:taken + k])]
        taken += k
        return rows

    # Numeric and categorical columns become floats / objects that can hold NaN.
    dirty["Garage_Area"] = dirty["Garage_Area"].astype(float)
    dirty["Year_Built"] = dirty["Year_Built"].astype(float)
    dirty["Gr_Liv_Area"] = dirty["Gr_Liv_Area"].astype(float)
    dirty.loc[take("missing_Garage_Area"), "Garage_Area"] = np.nan
    dirty.loc[take("missing_Year_Built"), "Year_Built"] = np.nan
    dirty.loc[take("missing_Heating_QC"), "Heating_QC"] = np.nan
    rows = take("negative_Lot_Area")
    dirty.loc[rows, "Lot_Area"] = -dirty.loc[rows, "Lot_Area"]
    rows = take("outlier_Gr_Liv_Area")
    dirty.loc[rows, "Gr_Liv_Area"] = dirty.loc[rows, "Gr_Liv_Area"] * OUTLIER_FACTOR
    for column in ("Central_Air", "Heating_QC"):
        rows = take(f"fragment_{column}")
        spellings = VARIANTS[column]
        dirty.loc[rows, column] = [
            spellings[value][rng.integers(len(spellings[value]))] for value in dirty.loc[rows, column]
        ]
    # Duplicates: exact copies of (possibly damaged) rows, then shuffle everything.
    copies = dirty.loc[dirty.index[np.sort(rng.choice(n, counts["duplicates"], replace=False))]]
    dirty = pd.concat([dirty, copies])
    return dirty.iloc[rng.permutation(len(dirty))]
