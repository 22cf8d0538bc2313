"""Data files: what the manifest promises is what ships, and the script rebuilds it."""
from __future__ import annotations

import hashlib
import runpy

import pandas as pd
import pytest

from mlops_course import paths
from mlops_course.data import SKLEARN_SETS, load_dataset, manifest

MANIFEST = manifest()


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_file_matches_manifest(name):
    """Protects: every shipped file has the checksum, rows and columns of its manifest entry."""
    entry = MANIFEST[name]
    path = paths.DATA_DIR / entry["file"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    frame = load_dataset(name)
    assert frame.shape == (entry["rows"], entry["columns"])
    for key in ("source", "source_version", "licence", "description"):
        assert entry[key], f"{name}: manifest lacks {key}"


def test_rebuild_reproduces_every_file(tmp_path):
    """Protects: `make data` rebuilds byte-identical files offline from installed packages."""
    script = runpy.run_path(str(paths.DATA_DIR / "build_data.py"))
    rebuilt = script["build"](tmp_path)
    assert {k: v["sha256"] for k, v in rebuilt.items()} == {k: v["sha256"] for k, v in MANIFEST.items()}


@pytest.mark.parametrize("name", SKLEARN_SETS)
def test_bundled_sklearn_sets_load_offline(name):
    frame = load_dataset(name)
    assert isinstance(frame, pd.DataFrame) and "target" in frame.columns and len(frame) > 100


def test_machine_failure_is_rare_and_documented():
    """Protects: the generated telemetry keeps the rare positive class the lessons teach with."""
    frame = load_dataset("machine_failure")
    assert 0.02 < frame["failure"].mean() < 0.06
    assert set(frame.loc[frame.failure == 1, "failure_cause"]) <= {
        "heat_dissipation", "power", "overstrain", "tool_wear", "random"}
