"""Week 11: a small training pipeline, as plain functions and as an Apache Airflow DAG.

The steps (ingest -> validate -> features -> train -> evaluate -> register) are plain
Python functions that take and return JSON-friendly values (paths as strings, dicts),
so that

* the lesson can run them one after another without any orchestrator, and
* an Airflow DAG (written by :func:`write_dag_file`) can call the very same functions
  as TaskFlow tasks and pass their return values between tasks as XComs.

Nothing here imports Airflow. :func:`airflow_available` says whether it is installed;
:func:`run_airflow_dag_test` runs the DAG with ``airflow dags test`` against a SQLite
metadata database in a temporary folder and reads task states back from Airflow.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from .services import child_env

DAG_ID = "machine_failure_training"
TASK_ORDER = ["wait_for_source", "ingest", "validate", "check_quality", "quarantine",
              "features", "train", "evaluate", "register"]
REQUIRED_COLUMNS = ["timestamp", "machine_type", "air_temp_k", "process_temp_k",
                    "rotational_speed_rpm", "torque_nm", "tool_wear_min", "failure"]
#: Plausible ranges per sensor column (data-quality rules, as in week 10).
RANGES = {"air_temp_k": (280.0, 330.0), "process_temp_k": (280.0, 340.0),
          "rotational_speed_rpm": (500.0, 4000.0), "torque_nm": (0.0, 100.0),
          "tool_wear_min": (0.0, 300.0)}
MIN_ROWS = 500
FEATURES = ["air_temp_k", "process_temp_k", "rotational_speed_rpm", "torque_nm", "tool_wear_min",
            "temp_diff_k", "power_kw", "type_L", "type_M", "type_H"]
SOURCE_FILE = "source/machine_failure.csv"


def airflow_available() -> bool:
    """True when Apache Airflow can be imported in this environment (nothing is imported)."""
    return importlib.util.find_spec("airflow") is not None


# -- the steps ------------------------------------------------------------------
def publish_source(workdir: str | Path, corrupt: bool = False) -> str:
    """Play the upstream system: drop the raw export into ``workdir/source``.

    ``corrupt=True`` writes a broken export (a sensor column of text, impossible values)
    so that the validation branch has something to catch.
    """
    import mlops_course as mc

    df = mc.load_dataset("machine_failure")
    if corrupt:
        df = df.copy()
        df.loc[df.index[:50], "torque_nm"] = -1.0
        df.loc[df.index[50:80], "air_temp_k"] = None
    path = Path(workdir) / SOURCE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write under a temporary name, then rename: a reader never sees a half-written file.
    partial = path.with_suffix(".partial")
    df.to_csv(partial, index=False)
    os.replace(partial, path)
    return str(path)


def source_ready(workdir: str | Path) -> bool:
    """The sensor's condition: has the upstream export arrived?"""
    return (Path(workdir) / SOURCE_FILE).exists()


def wait_for_source(workdir: str | Path, timeout: float = 10.0, poke_interval: float = 0.2,
                    sleep: Callable[[float], None] = time.sleep) -> int:
    """Poke :func:`source_ready` until it is true (a sensor); return the number of pokes.

    Raises TimeoutError when the file has not arrived within ``timeout`` seconds.
    """
    pokes, waited = 0, 0.0
    while True:
        pokes += 1
        if source_ready(workdir):
            return pokes
        if waited >= timeout:
            raise TimeoutError(f"{SOURCE_FILE} did not arrive within {timeout} s")
        sleep(poke_interval)
        waited += poke_interval


def ingest(workdir: str | Path, logical_date: str = "2026-02-28") -> str:
    """Copy the rows known by ``logical_date`` (inclusive) from the source into ``raw/``."""
    import pandas as pd

    src = Path(workdir) / SOURCE_FILE
    df = pd.read_csv(src)
    cutoff = pd.Timestamp(logical_date) + pd.Timedelta(days=1)
    if "timestamp" in df:
        df = df[pd.to_datetime(df["timestamp"], errors="coerce") < cutoff]
    out = Path(workdir) / "raw" / f"machine_failure_{logical_date}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=False)
    return str(out)


def validate(raw_path: str) -> dict:
    """Data-quality checks on a raw batch; returns {"ok", "rows", "problems"}."""
    import pandas as pd

    df = pd.read_csv(raw_path)
    problems = []
    missing_cols = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing_cols:
        problems.append(f"missing columns: {missing_cols}")
    if len(df) < MIN_ROWS:
        problems.append(f"only {len(df)} rows (need {MIN_ROWS})")
    present = [c for c in REQUIRED_COLUMNS if c in df.columns]
    n_missing = int(df[present].isna().sum().sum())
    if n_missing:
        problems.append(f"{n_missing} missing values")
    for col, (low, high) in RANGES.items():
        if col in df:
            values = pd.to_numeric(df[col], errors="coerce")
            bad = int(((values < low) | (values > high)).sum())
            if bad:
                problems.append(f"{bad} values of {col} outside [{low}, {high}]")
    if "failure" in df and not set(df["failure"].dropna().unique()) <= {0, 1}:
        problems.append("failure is not 0/1")
    return {"ok": not problems, "rows": int(len(df)), "problems": problems}


def choose_branch(report: dict) -> str:
    """The branch: the task to run next, given a validation report."""
    return "features" if report.get("ok") else "quarantine"


def quarantine(raw_path: str, report: dict, workdir: str | Path) -> str:
    """Move a failed batch aside with its report, so nobody trains on it."""
    dest = Path(workdir) / "quarantine"
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / Path(raw_path).name
    shutil.move(raw_path, target)
    (dest / (target.stem + "_report.json")).write_text(json.dumps(report, indent=2))
    return str(target)


def features(raw_path: str, workdir: str | Path) -> str:
    """Cleanse (drop duplicates, leaking columns) and derive features; write ``features/``."""
    import numpy as np
    import pandas as pd

    df = pd.read_csv(raw_path).drop_duplicates()
    out = pd.DataFrame({c: df[c] for c in RANGES})
    out["temp_diff_k"] = df["process_temp_k"] - df["air_temp_k"]
    out["power_kw"] = df["torque_nm"] * df["rotational_speed_rpm"] * 2 * np.pi / 60 / 1000
    for kind in ("L", "M", "H"):
        out[f"type_{kind}"] = (df["machine_type"] == kind).astype(int)
    out["failure"] = df["failure"].astype(int)   # failure_cause is dropped: it leaks the label
    path = Path(workdir) / "features" / Path(raw_path).name
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False)
    return str(path)


def _split(features_path: str, seed: int):
    import pandas as pd
    from sklearn.model_selection import train_test_split

    df = pd.read_csv(features_path)
    return train_test_split(df[FEATURES], df["failure"], test_size=0.25, random_state=seed,
                            stratify=df["failure"])


def train(features_path: str, workdir: str | Path, seed: int = 42) -> str:
    """Fit a scaled logistic regression on the training part; save it with joblib."""
    import joblib
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from threadpoolctl import threadpool_limits

    X_train, _, y_train, _ = _split(features_path, seed)
    model = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=1000))
    with threadpool_limits(1):  # small data: one BLAS thread is faster than several competing ones
        model.fit(X_train, y_train)
    path = Path(workdir) / "models" / (Path(features_path).stem + ".joblib")
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path)
    return str(path)


def evaluate(model_path: str, features_path: str, seed: int = 42) -> dict:
    """Scores of the saved model on the held-out part of the same split."""
    import joblib
    from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score

    _, X_test, _, y_test = _split(features_path, seed)
    model = joblib.load(model_path)
    pred = model.predict(X_test)
    return {"recall": float(recall_score(y_test, pred)), "precision": float(precision_score(y_test, pred)),
            "f1": float(f1_score(y_test, pred)),
            "roc_auc": float(roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])),
            "test_rows": int(len(y_test))}


def register(model_path: str, metrics: dict, workdir: str | Path, min_recall: float = 0.7) -> dict:
    """A file-based model registry: keep the model as a new version if it passes the gate."""
    registry = Path(workdir) / "registry"
    if metrics.get("recall", 0.0) < min_recall:
        return {"registered": False, "reason": f"recall {metrics.get('recall', 0):.3f} < {min_recall}"}
    registry.mkdir(parents=True, exist_ok=True)
    version = 1 + sum(1 for p in registry.iterdir() if p.is_dir())
    target = registry / f"v{version}"
    target.mkdir()
    shutil.copy(model_path, target / "model.joblib")
    (target / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return {"registered": True, "version": version, "path": str(target)}


# -- running the steps without an orchestrator --------------------------------------
def run_plain(workdir: str | Path, logical_date: str = "2026-02-28", seed: int = 42) -> list[dict]:
    """Run the pipeline as plain function calls; return one record per task."""
    log: list[dict] = []

    def step(name, fn, *args):
        start = time.perf_counter()
        try:
            value = fn(*args)
        except Exception as exc:
            log.append({"task": name, "state": "failed", "seconds": time.perf_counter() - start, "note": repr(exc)})
            raise
        log.append({"task": name, "state": "success", "seconds": round(time.perf_counter() - start, 3)})
        return value

    step("wait_for_source", wait_for_source, workdir)
    raw = step("ingest", ingest, workdir, logical_date)
    report = step("validate", validate, raw)
    branch = step("check_quality", choose_branch, report)
    if branch == "quarantine":
        step("quarantine", quarantine, raw, report, workdir)
        log += [{"task": t, "state": "skipped", "seconds": 0.0} for t in ("features", "train", "evaluate", "register")]
        return log
    log.append({"task": "quarantine", "state": "skipped", "seconds": 0.0})
    feats = step("features", features, raw, workdir)
    model = step("train", train, feats, workdir, seed)
    metrics = step("evaluate", evaluate, model, feats, seed)
    result = step("register", register, model, metrics, workdir)
    log[-1]["note"] = json.dumps({**metrics, **result}, default=str)
    return log


# -- the Airflow DAG ------------------------------------------------------------------
DAG_SOURCE = '''"""Airflow DAG of the course's week 11 pipeline (written by mlops_course.pipeline)."""
import os
from datetime import timedelta

import pendulum
from airflow.sdk import PokeReturnValue, dag, task

from mlops_course import pipeline as p

WORKDIR = os.environ["MLOPS_PIPELINE_DIR"]


@dag(dag_id=p.DAG_ID, schedule="@daily", start_date=pendulum.datetime(2026, 2, 1, tz="UTC"),
     catchup=False, tags=["mlops-course"],
     default_args={"retries": 2, "retry_delay": timedelta(seconds=1)})
def machine_failure_training():
    @task.sensor(poke_interval=1, timeout=60, mode="poke")
    def wait_for_source() -> PokeReturnValue:
        return PokeReturnValue(is_done=p.source_ready(WORKDIR))

    @task
    def ingest(ds=None):
        # A flaky upstream: the first attempt fails once, the retry succeeds.
        marker = os.path.join(WORKDIR, "ingest_failed_once")
        if os.environ.get("MLOPS_FLAKY_INGEST") == "1" and not os.path.exists(marker):
            open(marker, "w").close()
            raise ConnectionError("source system timed out (simulated)")
        return p.ingest(WORKDIR, ds)

    @task
    def validate(raw):
        return p.validate(raw)

    @task.branch
    def check_quality(report):
        return p.choose_branch(report)

    @task
    def quarantine(raw, report):
        return p.quarantine(raw, report, WORKDIR)

    @task
    def features(raw):
        return p.features(raw, WORKDIR)

    @task
    def train(feats):
        return p.train(feats, WORKDIR)

    @task
    def evaluate(model, feats):
        return p.evaluate(model, feats)

    @task
    def register(model, metrics):
        return p.register(model, metrics, WORKDIR)

    waited = wait_for_source()
    raw = ingest()
    waited >> raw
    report = validate(raw)
    branch = check_quality(report)
    feats = features(raw)
    branch >> [feats, quarantine(raw, report)]
    model = train(feats)
    register(model, evaluate(model, feats))


machine_failure_training()
'''


def write_dag_file(dags_folder: str | Path) -> Path:
    """Write the DAG file into ``dags_folder`` and return its path."""
    path = Path(dags_folder) / f"{DAG_ID}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DAG_SOURCE)
    return path


def airflow_env(workdir: str | Path, flaky: bool = False) -> dict:
    """Environment for the ``airflow`` CLI: everything lives inside ``workdir``."""
    workdir = Path(workdir).resolve()
    root = Path(__file__).resolve().parent.parent
    env = child_env()
    env.update({
        "AIRFLOW_HOME": str(workdir / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(workdir / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{workdir / 'airflow' / 'airflow.db'}",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "MLOPS_PIPELINE_DIR": str(workdir),
        "MLOPS_FLAKY_INGEST": "1" if flaky else "0",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH", "")])),
    })
    return env


def _json_list(text: str) -> list:
    """The JSON list in a CLI's output (Airflow may print notices around it)."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[{") or line == "[]":
            return json.loads(line)
    return []


def run_airflow_dag_test(workdir: str | Path, logical_date: str = "2026-02-28", flaky: bool = True,
                         airflow: str | None = None, timeout: float = 300) -> dict:
    """Run the DAG once with ``airflow dags test`` and read the task states back from Airflow.

    Returns {"seconds": {step: wall time}, "states": [{"task_id", "state", "try_number", ...}],
    "output": tail of the CLI output}.
    """
    workdir = Path(workdir).resolve()
    airflow = airflow or shutil.which("airflow", path=str(Path(sys.executable).parent)) or "airflow"
    env = airflow_env(workdir, flaky=flaky)
    write_dag_file(workdir / "dags")
    (workdir / "airflow").mkdir(parents=True, exist_ok=True)
    if not source_ready(workdir):
        publish_source(workdir)
    seconds, outputs = {}, []

    def cli(name, *args):
        start = time.perf_counter()
        done = subprocess.run([airflow, *args], env=env, capture_output=True, text=True, timeout=timeout)
        seconds[name] = round(time.perf_counter() - start, 1)
        outputs.append(done.stdout[-3000:] + done.stderr[-3000:])
        if done.returncode != 0:
            raise RuntimeError(f"`airflow {' '.join(args)}` failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        return done.stdout

    cli("db migrate", "db", "migrate")
    cli("dags reserialize", "dags", "reserialize")
    cli("dags test", "dags", "test", DAG_ID, logical_date)
    runs = _json_list(cli("dags list-runs", "dags", "list-runs", DAG_ID, "-o", "json"))
    run_id = runs[0]["run_id"] if runs else None
    states = []
    if run_id:
        states = _json_list(cli("tasks states-for-dag-run", "tasks", "states-for-dag-run", DAG_ID, run_id,
                                "-o", "json"))
    return {"seconds": seconds, "run_id": run_id, "states": states, "output": "\n".join(outputs)[-4000:]}
