"""mlops_course.data: the verified loader's errors name the file and the fix."""
from __future__ import annotations

import shutil

import pytest

from mlops_course import data, paths


@pytest.fixture
def data_copy(tmp_path):
    shutil.copy2(paths.DATA_DIR / "manifest.json", tmp_path / "manifest.json")
    shutil.copy2(paths.DATA_DIR / "churn.csv", tmp_path / "churn.csv")
    return tmp_path


def test_loader_reports_missing_file_and_the_fix(data_copy):
    (data_copy / "churn.csv").unlink()
    with pytest.raises(data.DataFileError, match=r"churn.csv is missing.*make data"):
        data.load_dataset("churn", data_dir=data_copy)


def test_loader_rejects_a_corrupt_file(data_copy):
    with (data_copy / "churn.csv").open("a") as f:
        f.write("tampered\n")
    with pytest.raises(data.DataFileError, match=r"checksum.*make data"):
        data.load_dataset("churn", data_dir=data_copy)


def test_loader_names_available_sets_for_an_unknown_name():
    with pytest.raises(data.DataFileError, match=r"Unknown data set 'amez'.*ames"):
        data.load_dataset("amez")


def test_loader_reports_missing_manifest(tmp_path):
    with pytest.raises(data.DataFileError, match="manifest.json is missing"):
        data.load_dataset("churn", data_dir=tmp_path)
