"""Week 11: the pipeline steps run as plain functions, and the DAG file is well-formed.

Airflow is optional: the DAG itself is only run when Airflow is installed.
"""
from __future__ import annotations

import ast

import pytest

from mlops_course import pipeline as pl


def test_good_export_is_trained_evaluated_and_registered(tmp_path):
    """Protects: the plain pipeline runs end to end and registers a model."""
    pl.publish_source(tmp_path)
    log = pl.run_plain(tmp_path, "2026-02-28")
    states = {r["task"]: r["state"] for r in log}
    assert [r["task"] for r in log] == [t for t in pl.TASK_ORDER if t in states]
    assert states["quarantine"] == "skipped"
    assert all(states[t] == "success" for t in ("ingest", "validate", "features", "train", "evaluate", "register"))
    assert (tmp_path / "registry" / "v1" / "model.joblib").exists()


def test_corrupt_export_goes_to_quarantine(tmp_path):
    """Protects: the branch: a batch failing validation is quarantined and not trained on."""
    pl.publish_source(tmp_path, corrupt=True)
    states = {r["task"]: r["state"] for r in pl.run_plain(tmp_path, "2026-02-28")}
    assert states["quarantine"] == "success"
    assert all(states[t] == "skipped" for t in ("features", "train", "evaluate", "register"))
    assert not (tmp_path / "registry").exists()
    assert list((tmp_path / "quarantine").glob("*_report.json"))


def test_sensor_times_out_without_source(tmp_path):
    slept = []
    with pytest.raises(TimeoutError):
        pl.wait_for_source(tmp_path, timeout=1.0, poke_interval=0.25, sleep=slept.append)
    assert sum(slept) <= 1.0


def test_dag_file_is_valid_python_and_uses_the_package(tmp_path):
    """Protects: the DAG file the lesson prints parses and calls the package's steps."""
    source = pl.write_dag_file(tmp_path).read_text()
    tree = ast.parse(source)
    called = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
              and isinstance(n.func.value, ast.Name) and n.func.value.id == "p"}
    assert {"ingest", "validate", "choose_branch", "quarantine", "features", "train", "evaluate", "register"} <= called


@pytest.mark.skipif(not pl.airflow_available(), reason="Apache Airflow is an optional extra")
def test_airflow_dag_test_runs_the_branch_and_the_retry(tmp_path):
    """Protects: with Airflow installed, `airflow dags test` runs the DAG to success."""
    pl.publish_source(tmp_path / "run")
    result = pl.run_airflow_dag_test(tmp_path / "run", "2026-02-28", flaky=True)
    states = {s["task_id"]: s["state"] for s in result["states"]}
    assert states["quarantine"] == "skipped" and states["register"] == "success"
