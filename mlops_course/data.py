"""Load the course's data sets, verified against ``data/manifest.json``.

Notebooks read data only through :func:`load_dataset`; nothing is downloaded.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .paths import DATA_DIR

#: Data sets bundled with scikit-learn (installed with it, no download).
SKLEARN_SETS = ("digits", "breast_cancer", "wine", "diabetes", "iris")


class DataFileError(RuntimeError):
    """A data file is missing, corrupt or unknown; the message says how to fix it."""


def manifest(data_dir: Path = DATA_DIR) -> dict:
    path = data_dir / "manifest.json"
    if not path.exists():
        raise DataFileError(f"{path} is missing. Rebuild the data with `make data`.")
    return json.loads(path.read_text())


def available() -> list[str]:
    """Names accepted by :func:`load_dataset`."""
    return sorted(manifest()) + list(SKLEARN_SETS)


@lru_cache(maxsize=None)
def _verified(path: Path, expected: str, mtime: float) -> None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        raise DataFileError(
            f"{path} does not match its checksum in data/manifest.json (the file is corrupt "
            "or was edited). Restore it with `make data` (or `git checkout data/`)."
        )


def data_path(name: str, data_dir: Path = DATA_DIR) -> Path:
    """Path of a data file after checking that it exists and matches the manifest."""
    entries = manifest(data_dir)
    if name not in entries:
        raise DataFileError(f"Unknown data set {name!r}. Available: {', '.join(available())}.")
    entry = entries[name]
    path = data_dir / entry["file"]
    if not path.exists():
        raise DataFileError(f"{path} is missing. Rebuild the data with `make data`.")
    _verified(path, entry["sha256"], path.stat().st_mtime)
    return path


def load_dataset(name: str, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return a course data set as a DataFrame.

    File-backed sets (``ames``, ``diamonds``, ``churn``, ``machine_failure``) are
    checked against their SHA-256 in the manifest. scikit-learn's bundled sets
    (``digits``, ``breast_cancer``, ``wine``, ``diabetes``, ``iris``) come back as one
    frame with the target in the last column, named ``target``.
    """
    if name in SKLEARN_SETS:
        from sklearn import datasets

        bunch = getattr(datasets, f"load_{name}")(as_frame=True)
        return bunch.frame
    return pd.read_csv(data_path(name, data_dir))
