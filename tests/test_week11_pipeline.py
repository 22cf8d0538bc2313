"""Week 11: the pipeline steps as plain functions, and the same pipeline on a real Apache
Airflow 3 (its own environment, .venv-airflow, installed by `make setup`)."""
from __future__ import annotations

import json
import re
import subprocess

import pytest

from mlops_course import pipeline as pl
from mlops_course.exercises import week11

from helpers import by_week


def test_good_export_is_trained_evaluated_and_registered(tmp_path):
    """Protects: the plain pipeline runs end to end and registers the run's model."""
    pl.publish_source(tmp_path)
    log = pl.run_plain(tmp_path, "2026-02-21")
    states = {r["task"]: r["state"] for r in log}
    assert [r["task"] for r in log] == pl.TASK_ORDER
    assert states["quarantine"] == "skipped"
    assert all(states[t] == "success" for t in ("ingest", "validate", "check_quality", "train", "register"))
    assert (tmp_path / "registry" / "2026-02-21" / "model.joblib").exists()


def test_corrupt_export_goes_to_quarantine(tmp_path):
    """Protects: the branch: a batch failing validation is quarantined and not trained on."""
    pl.publish_source(tmp_path, corrupt=True)
    states = {r["task"]: r["state"] for r in pl.run_plain(tmp_path, "2026-02-21")}
    assert states["quarantine"] == "success"
    assert all(states[t] == "skipped" for t in ("train", "register"))
    assert not (tmp_path / "registry").exists()
    assert list((tmp_path / "quarantine").glob("*_report.json"))


def test_register_is_idempotent_per_logical_date(tmp_path):
    """Protects: re-running a run (retry, clear, backfill again) leaves the registry as it was."""
    pl.publish_source(tmp_path)
    raw = pl.ingest(tmp_path, "2026-02-19")
    result = pl.train_and_evaluate(raw, tmp_path)
    pl.register(result, tmp_path, "2026-02-19")
    first = {p.name: p.read_bytes() for p in (tmp_path / "registry").rglob("*") if p.is_file()}
    pl.register(result, tmp_path, "2026-02-19")
    assert {p.name: p.read_bytes() for p in (tmp_path / "registry").rglob("*") if p.is_file()} == first
    assert [p.name for p in (tmp_path / "registry").iterdir()] == ["2026-02-19"]


def test_sensor_times_out_without_source(tmp_path):
    slept = []
    with pytest.raises(TimeoutError):
        pl.wait_for_source(tmp_path, timeout=1.0, poke_interval=0.25, sleep=slept.append)
    assert sum(slept) <= 1.0


def test_airflow_environment_is_the_pinned_airflow_3():
    """Protects: `make setup` (or first use) gives Apache Airflow 3.3.2 in its own environment,
    from the lock, beside a course environment whose fastapi it does not touch."""
    assert "apache-airflow==3.3.2" in pl.AIRFLOW_LOCK.read_text().splitlines()
    airflow = pl.ensure_airflow()
    assert pl.airflow_available()
    version = subprocess.run([str(airflow), "version"], capture_output=True, text=True,
                             env=pl.Airflow.base_env(pl.airflow_venv() / "unused_dags"), timeout=120)
    assert version.stdout.strip().splitlines()[-1] == "3.3.2", version.stderr[-1000:]


def test_reference_dag_parses_in_airflow_as_the_check_expects(tmp_path):
    """Protects: the DAG the lesson falls back on is what exercise 6 asks for, as Airflow sees it."""
    parsed = pl.parse_dag_file(pl.write_dag(tmp_path))
    assert parsed["import_errors"] == {}
    tasks = parsed["dags"][pl.DAG_ID]["tasks"]
    assert sorted(tasks) == sorted(pl.TASK_ORDER)
    assert "Branch" in tasks["check_quality"]["operator"]
    assert week11.training_dag.check(pl.function_from_source(pl.REFERENCE_DAG)).correct


def test_airflow_dags_test_runs_the_branch(tmp_path):
    """Protects: `airflow dags test` runs the DAG on good data to success, quarantine skipped,
    and the run and its task instances are in Airflow's metadata database."""
    af = pl.Airflow(tmp_path)
    af.migrate()
    pl.write_dag(af.dags)
    pl.publish_source(af.data)
    assert af.run("dags", "reserialize").returncode == 0
    done = af.run("dags", "test", pl.DAG_ID, "2026-02-21")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Branch into train" in re.sub(r"\x1b\[[0-9;]*m", "", done.stdout)
    [run] = af.runs()
    assert run["state"] == "success"
    states = {t["task_id"]: t["state"] for t in af.task_instances(run["run_id"])}
    assert states == {"ingest": "success", "validate": "success", "check_quality": "success",
                      "quarantine": "skipped", "train": "success", "register": "success"}
    assert json.loads((af.data / "registry" / "2026-02-21" / "metrics.json").read_text())["recall"] >= 0.7


@pytest.mark.notebook
@pytest.mark.parametrize("week", by_week(["11_pipelines"]))
def test_lesson_outputs_match_its_prose(week, executed_lesson):
    """Protects: what the prose says the executed lesson shows on a real Airflow: the import
    error of the DAG without its timedelta import, the branch into train, the triggered run's
    ingest failed after 3 attempts (one log file each, FileNotFoundError) with everything
    downstream upstream_failed, three backfill runs, and a re-run that runs register again
    and leaves the registry unchanged."""
    from mlops_course.instructor.execute import output_text

    nb, _ = executed_lesson(week)
    text = output_text(nb)
    assert "NameError: name 'timedelta' is not defined" in text and "DAGs found: []" in text
    assert "Branch into train" in text and "Skipping tasks [('quarantine', -1)]" in text
    assert re.search(r"ingest\s+failed\s+3", text)
    assert len(re.findall(r"upstream_failed", text)) >= 5
    assert [f"attempt={n}.log" in text for n in (1, 2, 3)] == [True] * 3 and "attempt=4.log" not in text
    assert text.count("-> FileNotFoundError") == 3
    assert "[('2026-02-17', 'success'), ('2026-02-18', 'success'), ('2026-02-19', 'success')]" in text
    assert "backfill runs: 3 | register ran [2, 2, 2] times per run" in text
    assert "registry unchanged by the re-run: True" in text
