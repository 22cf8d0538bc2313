"""Week 11: a small training pipeline, as plain functions and as an Apache Airflow DAG.

The steps (ingest -> validate -> [quarantine | train] -> register) are plain Python
functions that take and return JSON-friendly values (paths as strings, dicts), so that

* the lesson can run them one after another without any orchestrator, and
* an Airflow DAG (a function the student writes, turned into a DAG file by
  :func:`write_dag`) calls the very same functions as TaskFlow tasks and passes their
  return values between tasks as XComs.

Nothing here imports Airflow: it runs in a virtual environment of its own
(:func:`ensure_airflow`, installed by ``make setup`` or on first use), because its pins
conflict with the course lock's fastapi. :class:`Airflow` keeps one installation's home,
SQLite metadata database, DAGs folder and logs in one folder and drives the ``airflow`` CLI.
"""
from __future__ import annotations

import inspect
import json
import linecache
import os
import shutil
import subprocess
import sys
import sqlite3
import textwrap
import time
from pathlib import Path
from typing import Callable

from . import paths
from .services import HOST, child_env, free_port, wait_until_healthy

DAG_ID = "machine_failure_training"
#: The tasks of the week's DAG, in a valid run order.
TASK_ORDER = ["ingest", "validate", "check_quality", "quarantine", "train", "register"]
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


# -- the steps ------------------------------------------------------------------
def publish_source(workdir: str | Path, corrupt: bool = False) -> str:
    """Play the upstream system: drop the raw export into ``workdir/source``.

    ``corrupt=True`` writes a broken export (negative torque in 50 rows, missing air
    temperatures in 30) so that the validation branch has something to catch.
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
    return "train" if report.get("ok") else "quarantine"


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


def train_and_evaluate(raw_path: str, workdir: str | Path, seed: int = 42) -> dict:
    """The DAG's ``train`` task: features, a model and its held-out scores, in one step.

    Returns {"model": path, "metrics": {...}} (small, JSON-friendly: an XCom).
    """
    feats = features(raw_path, workdir)
    model = train(feats, workdir, seed)
    return {"model": model, "metrics": evaluate(model, feats, seed)}


def register(result: dict, workdir: str | Path, logical_date: str, min_recall: float = 0.7) -> dict:
    """A file-based model registry, idempotent per logical date.

    The model of the run for ``logical_date`` goes to ``registry/<logical_date>/`` if it passes
    the gate, replacing what an earlier attempt of the same run left there: re-running a run
    (a retry, a cleared task, a backfill run again) gives the same registry, not one more entry.
    """
    metrics = result["metrics"]
    if metrics.get("recall", 0.0) < min_recall:
        return {"registered": False, "reason": f"recall {metrics.get('recall', 0):.3f} < {min_recall}"}
    target = Path(workdir) / "registry" / str(logical_date)[:10]
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    shutil.copy(result["model"], partial / "model.joblib")
    (partial / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True))
    shutil.rmtree(target, ignore_errors=True)
    os.replace(partial, target)  # the entry appears whole or not at all
    return {"registered": True, "path": str(target)}


# -- running the steps without an orchestrator --------------------------------------
def run_plain(workdir: str | Path, logical_date: str = "2026-02-21", seed: int = 42) -> list[dict]:
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

    raw = step("ingest", ingest, workdir, logical_date)
    report = step("validate", validate, raw)
    branch = step("check_quality", choose_branch, report)
    if branch == "quarantine":
        step("quarantine", quarantine, raw, report, workdir)
        log += [{"task": t, "state": "skipped", "seconds": 0.0} for t in ("train", "register")]
        return log
    log.append({"task": "quarantine", "state": "skipped", "seconds": 0.0})
    result = step("train", train_and_evaluate, raw, workdir, seed)
    decision = step("register", register, result, workdir, logical_date)
    log[-1]["note"] = json.dumps({**result["metrics"], **decision}, default=str)
    return log


# -- Apache Airflow, in an environment of its own ------------------------------------
#: Airflow 3.3 pins fastapi < 0.137 and the course lock a newer one, so Airflow lives in a
#: virtual environment of its own, installed from this lock (exact versions, Airflow 3.3.2).
AIRFLOW_LOCK = Path(__file__).with_name("airflow.lock")
#: SQLite lets one writer in at a time; Airflow's processes wait up to 30 s for the lock
#: (sqlite3's default is 5 s) instead of failing with "database is locked".
SQLITE_CONNECT_ARGS = {"timeout": 30}


def backfill_command(dag_id: str, start: str, end: str) -> list[str]:
    """Airflow 3's command line that creates a backfill of ``dag_id`` for the logical dates
    ``start`` to ``end`` (both included; the lesson's reference for exercise 5)."""
    return ["airflow", "backfill", "create", "--dag-id", dag_id, "--from-date", start, "--to-date", end]


def airflow_venv() -> Path:
    """Where week 11's Airflow environment lives: ``$MLOPS_AIRFLOW_VENV`` or ``.venv-airflow``
    in the course folder."""
    return Path(os.environ.get("MLOPS_AIRFLOW_VENV") or paths.ROOT / ".venv-airflow")


def airflow_available() -> bool:
    """True when the Airflow environment is completely installed (nothing is imported)."""
    return (airflow_venv() / ".installed").exists()


def ensure_airflow(quiet: bool = True, venv: Path | None = None, python: str | Path | None = None) -> Path:
    """Install Apache Airflow into its own environment on first use; return its ``airflow``.

    ``make setup`` calls this, and so does the lesson, so a student without the Makefile
    gets the same environment; ``make hub-setup`` installs one for the whole class
    (``venv``, made from ``python``). Installing needs the package index once; afterwards
    everything runs offline. Quick when the environment is already there.
    """
    venv = Path(venv) if venv else airflow_venv()
    airflow = venv / "bin" / "airflow"
    stamp = venv / ".installed"
    if stamp.exists() and stamp.read_text() == AIRFLOW_LOCK.read_text():
        return airflow
    print(f"Installing Apache Airflow into {venv} (first time: about a minute)...", flush=True)
    base = python or getattr(sys, "_base_executable", None) or sys.executable
    if not (venv / "bin" / "python").exists():
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", *(["--quiet"] if quiet else []),
                           "--disable-pip-version-check", "-r", str(AIRFLOW_LOCK)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"installing Airflow failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    stamp.write_text(AIRFLOW_LOCK.read_text())
    return airflow


def workdir() -> str:
    """The pipeline's data folder, inside a DAG's task (set by :class:`Airflow`)."""
    return os.environ["MLOPS_PIPELINE_DIR"]


# -- DAG files from functions ------------------------------------------------------------
#: The week's DAG, as the lesson's exercise asks for it (the reference answer).
REFERENCE_DAG = '''def training_dag():
    """The week's pipeline as an Airflow TaskFlow DAG; returns the DAG."""
    from datetime import timedelta

    import pendulum
    from airflow.sdk import dag, task

    from mlops_course import pipeline as p

    @dag(dag_id="machine_failure_training", schedule="@daily",
         start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), catchup=False,
         default_args={"retries": 2, "retry_delay": timedelta(seconds=2)})
    def machine_failure_training():
        @task
        def ingest(ds=None):
            return p.ingest(p.workdir(), ds)

        @task
        def validate(raw):
            return p.validate(raw)

        @task.branch
        def check_quality(report):
            return p.choose_branch(report)  # "train" or "quarantine"

        @task
        def quarantine(raw, report):
            return p.quarantine(raw, report, p.workdir())

        @task
        def train(raw):
            return p.train_and_evaluate(raw, p.workdir())

        @task
        def register(result, ds=None):
            return p.register(result, p.workdir(), ds)

        raw = ingest()
        report = validate(raw)
        trained = train(raw)
        check_quality(report) >> [trained, quarantine(raw, report)]
        register(trained)

    return machine_failure_training()
'''


def function_from_source(source: str, name: str = "training_dag"):
    """Define the function ``name`` from source text, keeping its source readable by
    :func:`inspect.getsource` (as a notebook cell's functions are)."""
    filename = f"<dag-source-{abs(hash(source))}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict = {}
    exec(compile(source, filename, "exec"), namespace)  # defines the function; its body does not run
    return namespace[name]


def dag_source(fn) -> str:
    """The text of a DAG file that defines the DAG of ``fn`` (a function returning a DAG)."""
    lines = inspect.getsource(fn).splitlines(keepends=True)
    body = textwrap.dedent("".join(line for line in lines if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")))
    return (f'"""DAG file written from the function {fn.__name__} (mlops_course.pipeline.write_dag)."""\n\n'
            f"{body}\n\ndag_object = {fn.__name__}()\n")


def write_dag(dags_folder: str | Path, fn=None, file_name: str | None = None) -> Path:
    """Write the DAG file of ``fn`` (default: the reference DAG) into ``dags_folder``."""
    fn = fn or function_from_source(REFERENCE_DAG)
    path = Path(dags_folder) / (file_name or f"{DAG_ID}.py")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dag_source(fn))
    return path


_PARSE = r"""
import json, logging, sys
logging.disable(logging.CRITICAL)
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1], safe_mode=False)
dags = {}
for dag_id, d in bag.dags.items():
    dags[dag_id] = {"schedule": str(getattr(d, "schedule", None)), "catchup": bool(d.catchup), "tasks": {
        t.task_id: {"upstream": sorted(t.upstream_task_ids), "retries": t.retries,
                    "retry_delay": t.retry_delay.total_seconds(), "operator": type(t).__name__}
        for t in d.tasks}}
    # The branch's own function, called on a passing and a failing report (without Airflow's
    # context: a branch that needs it is not judged on this).
    branch = d.task_dict.get("check_quality")
    for name, report in (("good", {"ok": True, "rows": 10000, "problems": []}),
                         ("bad", {"ok": False, "rows": 10000, "problems": ["30 missing values"]})):
        try:
            chosen = branch.python_callable(report)
        except Exception:
            chosen = None
        dags[dag_id].setdefault("branch", {})[name] = chosen if isinstance(chosen, (str, list)) else None
print("\n" + json.dumps({"import_errors": dict(bag.import_errors), "dags": dags}))
"""


def parse_dag_file(path: str | Path, timeout: float = 60) -> dict:
    """Let Airflow parse one DAG file (its own DagBag, in the Airflow environment).

    Returns {"import_errors": {file: traceback}, "dags": {dag_id: {"schedule", "catchup",
    "tasks": {task_id: {"upstream", "retries", "retry_delay", "operator"}}, "branch": {"good",
    "bad"}}}}: "branch" holds what the function of a ``check_quality`` task returns for a passing
    and a failing validation report (None where it raised or returned no task id).
    """
    python = ensure_airflow().with_name("python")
    folder = Path(path).resolve().parent
    done = subprocess.run([str(python), "-c", _PARSE, str(Path(path).resolve())], env=Airflow.base_env(folder),
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"Airflow could not parse {path}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- an Airflow installation in a folder ---------------------------------------------------
class Airflow:
    """Apache Airflow with everything in one folder: ``AIRFLOW_HOME``, a SQLite metadata
    database, the DAGs folder, task logs, and the pipeline's data (``data/``).

    :meth:`run` calls the ``airflow`` CLI; :meth:`start` starts the API server (UI, REST API
    and the tasks' execution API) and the scheduler on 127.0.0.1, :meth:`stop` stops them.
    The metadata database is read directly (:meth:`runs`, :meth:`task_instances`): it holds
    what the UI shows.
    """

    def __init__(self, folder: str | Path, port: int | None = None):
        self.folder = Path(folder).resolve()
        self.home, self.dags, self.data = self.folder / "airflow", self.folder / "dags", self.folder / "data"
        for d in (self.home, self.dags, self.data):
            d.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.airflow = str(ensure_airflow())
        self.env = self.base_env(self.dags, self.home, self.data)
        self.env.update({
            "AIRFLOW__API__HOST": HOST, "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": self.url,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # runs only when asked for (trigger, backfill)
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__PARALLELISM": "2",  # two cores
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",  # local and single-user: no login page
            "AIRFLOW__API__WORKERS": "1",
        })
        self._processes: list[subprocess.Popen] = []

    @staticmethod
    def base_env(dags: Path, home: Path | None = None, data: Path | None = None) -> dict:
        """The environment of an ``airflow`` command whose files all live beside ``dags``."""
        home = home or dags.parent / "airflow"
        root = Path(__file__).resolve().parent.parent
        env = child_env()
        env.update({
            "PATH": os.pathsep.join([str(airflow_venv() / "bin"), env.get("PATH", "")]),
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS": "mlops_course.pipeline.SQLITE_CONNECT_ARGS",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "MLOPS_PIPELINE_DIR": str(data or dags.parent / "data"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH", "")])),
            "SCARF_ANALYTICS": "false",
        })
        return env

    # -- the CLI ---------------------------------------------------------------------
    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """``airflow <args>`` in this folder's set-up; the result, whatever its exit code.

        SQLite admits one writer at a time: a command that met the scheduler's lock
        ("database is locked") is tried again, up to three times in all.
        """
        for _ in range(3):
            done = subprocess.run([self.airflow, *args], env=self.env, capture_output=True, text=True,
                                  timeout=timeout, cwd=self.folder)
            if done.returncode == 0 or "database is locked" not in done.stderr:
                break
            time.sleep(1)
        return done

    def migrate(self) -> None:
        """Create (or upgrade) the metadata database."""
        done = self.run("db", "migrate")
        if done.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed:\n{done.stderr[-2000:]}")

    # -- the metadata database -----------------------------------------------------------
    def _query(self, sql: str, args=()) -> list[dict]:
        db = sqlite3.connect(f"file:{self.home / 'airflow.db'}?mode=ro", uri=True, timeout=10)
        try:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute(sql, args)]
        finally:
            db.close()

    def runs(self, dag_id: str = DAG_ID) -> list[dict]:
        """The DAG runs Airflow recorded: run_id, logical date, type, state, start and end."""
        return self._query("SELECT run_id, logical_date, run_type, state, start_date, end_date FROM dag_run "
                           "WHERE dag_id = ? ORDER BY logical_date, run_id", (dag_id,))

    def backfills(self, dag_id: str = DAG_ID) -> list[dict]:
        """The backfills created for the DAG (id, window, reprocess behaviour, completion)."""
        return self._query("SELECT id, from_date, to_date, reprocess_behavior, completed_at FROM backfill "
                           "WHERE dag_id = ? ORDER BY id", (dag_id,))

    def task_instances(self, run_id: str | None = None, dag_id: str = DAG_ID) -> list[dict]:
        """Task instances (one per task and run) with state, try_number and times."""
        sql = ("SELECT run_id, task_id, state, try_number, start_date, end_date FROM task_instance "
               "WHERE dag_id = ?" + (" AND run_id = ?" if run_id else "") + " ORDER BY run_id, start_date")
        return self._query(sql, (dag_id, run_id) if run_id else (dag_id,))

    def log_files(self, run_id: str, task_id: str, dag_id: str = DAG_ID) -> list[Path]:
        """The log file of each attempt of one task instance (written by the scheduler's workers)."""
        folder = self.home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
        return sorted(folder.glob("attempt=*.log"), key=lambda p: int(p.stem.split("=")[1]))

    # -- scheduler and API server ----------------------------------------------------------
    def start(self, timeout: float = 120) -> str:
        """Start the API server and the scheduler; return the UI's address."""
        if self._processes:
            return self.url
        started = time.monotonic()
        for name in ("api-server", "scheduler"):
            log = (self.home / f"{name}.log").open("w")
            args = ["api-server", "--host", HOST, "--port", str(self.port)] if name == "api-server" else [name]
            self._processes.append(subprocess.Popen([self.airflow, *args], env=self.env, stdout=log,
                                                    stderr=subprocess.STDOUT, start_new_session=True))
            log.close()
        wait_until_healthy(self._processes[0], f"{self.url}/api/v2/monitor/health", "Airflow's API server",
                           self.home / "api-server.log", timeout=timeout, started=started)
        return self.url

    def stop(self) -> None:
        """Stop the scheduler and the API server (with the processes they started)."""
        import signal

        for process in self._processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self._processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self._processes = []

    def wait_for_runs(self, timeout: float = 240, dag_id: str = DAG_ID) -> list[dict]:
        """Wait until every run of the DAG has finished (success or failed) and the scheduler has
        closed every backfill (Airflow allows one open backfill per DAG); return the runs."""
        deadline = time.time() + timeout
        while True:
            runs = self.runs(dag_id)
            open_backfills = self._query("SELECT COUNT(*) AS n FROM backfill WHERE dag_id = ? AND completed_at IS NULL",
                                         (dag_id,))[0]["n"]
            if runs and all(r["state"] in ("success", "failed") for r in runs) and not open_backfills:
                return runs
            if time.time() > deadline:
                raise TimeoutError(f"runs still unfinished after {timeout:.0f} s: {runs}")
            if any(p.poll() is not None for p in self._processes):
                raise RuntimeError(f"the scheduler or the API server stopped; its log is in {self.home}")
            time.sleep(1)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def log_events(path: str | Path) -> list[dict]:
    """The events of an Airflow 3 task log (one JSON object per line)."""
    events = []
    for line in Path(path).read_text().splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            events.append({"event": line})
    return events
