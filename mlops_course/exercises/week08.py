"""Week 08 exercises: experiment tracking, model choice, ensembles and semantic search.

The four MLflow exercises run the student's function against the tracking server the
lesson set with ``mlflow.set_tracking_uri`` and read the result back with ``MlflowClient``
on that server: the run, its params and metrics, the logged model and its signature, the
registered versions and the alias. Their own runs go to the experiment
``week08-checks`` (suffixed with the user on a shared server); the registered models a
check creates are deleted again. Without a tracking URI (the test suite), a check uses a
private SQLite store in a temporary folder instead, so it never writes ``mlflow.db`` into
the working folder. MLflow is imported only when such a check runs.
"""
from __future__ import annotations

import atexit
import contextlib
import inspect
import io
import logging
import os
import shutil
import tempfile
import textwrap
import uuid
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
import pandas as pd

from ..checks import ____, Exercise, Incorrect, expect_callable, expect_close, expect_number, register

#: Requirements written into every model the checks log (MLflow guessing them costs seconds).
_CHECK_REQUIREMENTS = ["scikit-learn"]
#: The skops types the check's small stacked tree model needs (the lesson's TRUSTED_TYPES).
_TREE_TYPES = ["sklearn.tree._tree.Tree", "sklearn.utils._bunch.Bunch"]


# -- where the checks log ------------------------------------------------------------
@lru_cache(maxsize=1)
def _private_folder() -> str:
    folder = tempfile.mkdtemp(prefix="week08-checks-")
    atexit.register(shutil.rmtree, folder, True)
    return folder


@contextmanager
def _tracking():
    """Yield (MlflowClient, experiment_id) of the checks' experiment on the current tracking
    server; without a tracking URI, on a private temporary SQLite store (restored after)."""
    import mlflow
    from mlflow import MlflowClient
    from mlflow.tracking._tracking_service.utils import is_tracking_uri_set

    from ..tracking import per_user

    from mlflow.tracking import fluent

    private = not is_tracking_uri_set()
    saved = None
    quiet = contextlib.ExitStack()  # MLflow's notices ("Successfully registered...", run links) stay out of the notebook
    quiet.enter_context(contextlib.redirect_stderr(io.StringIO()))
    quiet.enter_context(contextlib.redirect_stdout(io.StringIO()))
    mlflow_logger = logging.getLogger("mlflow")
    level = mlflow_logger.level
    mlflow_logger.setLevel(logging.ERROR)
    if private:
        folder = _private_folder()
        # Relative paths (MLflow's default ./mlruns of the Default experiment) land in the private folder.
        quiet.enter_context(contextlib.chdir(folder))
        mlflow.set_tracking_uri(f"sqlite:///{folder}/mlflow.db")
    try:
        client = MlflowClient()
        name = per_user("week08-checks")
        experiment = client.get_experiment_by_name(name)
        if experiment is None:
            experiment_id = client.create_experiment(
                name, artifact_location=f"{_private_folder()}/artifacts" if private else None)
        else:
            experiment_id = experiment.experiment_id
            if experiment.lifecycle_stage == "deleted":
                client.restore_experiment(experiment_id)
        # While the student's code runs, the active experiment is another one, so that code
        # which ignores experiment_id shows it (whatever set_experiment ran before in this
        # process); the notebook's own active experiment comes back afterwards.
        decoy_name = per_user("week08-checks-elsewhere")
        decoy = client.get_experiment_by_name(decoy_name)
        decoy_id = decoy.experiment_id if decoy else client.create_experiment(
            decoy_name, artifact_location=f"{_private_folder()}/artifacts-elsewhere" if private else None)
        saved = fluent._active_experiment_id, os.environ.get("MLFLOW_EXPERIMENT_ID")
        fluent._active_experiment_id = decoy_id
        os.environ["MLFLOW_EXPERIMENT_ID"] = decoy_id
        yield client, experiment_id
    finally:
        while mlflow.active_run() is not None:  # a student's run left open
            mlflow.end_run()
        if saved is not None:
            fluent._active_experiment_id = saved[0]
            if saved[1] is None:
                os.environ.pop("MLFLOW_EXPERIMENT_ID", None)
            else:
                os.environ["MLFLOW_EXPERIMENT_ID"] = saved[1]
        if private:
            mlflow.set_tracking_uri(None)
        mlflow_logger.setLevel(level)
        quiet.close()


def _unique(prefix: str) -> str:
    from ..tracking import user_name

    return f"{prefix}-{user_name()}-{uuid.uuid4().hex[:8]}"


def _churn_like(seed: int, n: int):
    """A small churn-shaped table: three numeric columns, a noisy 0/1 target."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"day_minutes": rng.normal(180, 50, n).round(1), "service_calls": rng.integers(0, 8, n).astype(float),
                      "intl_plan": rng.integers(0, 2, n).astype(float)})
    logit = 0.02 * (X["day_minutes"] - 180) + 0.6 * (X["service_calls"] - 2) + 1.2 * X["intl_plan"] - 1
    y = pd.Series((rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int), name="churn")
    return X, y


def _log_reference_model(client, experiment_id: str, model, X, y, run_name: str) -> str:
    """Log ``model`` fitted on (X, y) to a new run of the checks' experiment; return the run id."""
    import mlflow
    from mlflow.models import infer_signature

    model.fit(X, y)
    with mlflow.start_run(experiment_id=experiment_id, run_name=run_name) as run:
        mlflow.sklearn.log_model(model, name="model", signature=infer_signature(X, model.predict(X)),
                                 pip_requirements=_CHECK_REQUIREMENTS)
    return run.info.run_id


def _source(fn) -> str:
    """A reference function's source as a Markdown code block (the worked solution shows it)."""
    return "```python\n" + textwrap.dedent(inspect.getsource(fn)) + "```"


class MlflowExercise(Exercise):
    """An exercise whose check talks to the tracking server: slower than an in-memory check
    (logging a model through the server takes a few hundred milliseconds), so a wider time
    limit and timing budget. ``reference`` is the worked solution as code; after the check,
    :meth:`yours_or_ours` lets the lesson go on with the student's function if it was judged
    correct, and with the reference otherwise (so an unfinished exercise never blocks the lesson)."""

    time_limit = 60.0
    check_budget = 5.0
    reference = None

    def check(self, answer=____):
        verdict = super().check(answer)
        if verdict.correct:
            self._passed = answer
        return verdict

    def yours_or_ours(self, answer):
        """``answer`` if it passed this exercise's check, else the worked solution (and say which)."""
        if getattr(self, "_passed", None) is answer and answer is not None:
            print(f"Using your {self.name}: it passed the check.")
            return answer
        print(f"Using the worked solution of {self.name} (yours has not passed the check yet).")
        return self.reference


# -- exercise: log a candidate -------------------------------------------------------
def _log_candidate_solution(name, model, params, data, experiment_id):
    import mlflow
    import sklearn
    from mlflow.models import infer_signature
    from sklearn.metrics import roc_auc_score

    X_train, y_train, X_val, y_val = data
    with mlflow.start_run(experiment_id=experiment_id, run_name=name) as run:
        model.fit(X_train, y_train)
        proba = model.predict_proba(X_val)[:, 1]           # scored on the validation rows only
        mlflow.log_params(params)
        mlflow.log_metric("val_roc_auc", roc_auc_score(y_val, proba))
        mlflow.sklearn.log_model(model, name="model", signature=infer_signature(X_val, model.predict(X_val)),
                                 pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
                                 skops_trusted_types=["sklearn.tree._tree.Tree", "sklearn.utils._bunch.Bunch"])
    return run.info.run_id


def _log_candidate_variant(score_on="val", signature=True, proba=True, fit_on="train", params=True,
                           returns="run_id", metric="val_roc_auc", experiment=True, trusted=tuple(_TREE_TYPES)):
    """A plausible mistake (or a valid alternative) of log_candidate, for the test suite."""
    def log_candidate(name, model, params_, data, experiment_id):
        import mlflow
        from mlflow.models import infer_signature
        from sklearn.metrics import roc_auc_score

        X_train, y_train, X_val, y_val = data
        X_fit, y_fit = {"train": (X_train, y_train), "val": (X_val, y_val),
                        "both": (pd.concat([X_train, X_val]), pd.concat([y_train, y_val]))}[fit_on]
        X_score, y_score = (X_val, y_val) if score_on == "val" else (X_train, y_train)
        with mlflow.start_run(experiment_id=experiment_id if experiment else None, run_name=name) as run:
            model.fit(X_fit, y_fit)
            scores = model.predict_proba(X_score)[:, 1] if proba else model.predict(X_score)
            if params:
                for key, value in params_.items():
                    mlflow.log_param(key, value)
            mlflow.log_metric(metric, roc_auc_score(y_score, scores))
            kwargs = {"signature": infer_signature(X_val, model.predict(X_val))} if signature == True else (  # noqa: E712
                {"input_example": X_val.head(3)} if signature == "example" else {})
            info = mlflow.sklearn.log_model(model, name="model", pip_requirements=_CHECK_REQUIREMENTS,
                                            skops_trusted_types=list(trusted), **kwargs)
        return {"run_id": run.info.run_id, "name": name, "model_uri": info.model_uri}[returns]
    return log_candidate


class LogCandidate(MlflowExercise):
    title = "Log a candidate: params, a validation metric and the model with its signature"
    hints = (
        "Open a run with `with mlflow.start_run(experiment_id=experiment_id, run_name=name) as run:`; "
        "everything logged inside belongs to that run, and the run ends (FINISHED) when the block ends.",
        "Inside: fit on the training rows, score `predict_proba(X_val)[:, 1]` with `roc_auc_score`, then "
        "`mlflow.log_params(params)` and `mlflow.log_metric('val_roc_auc', ...)`.",
        "Last, still inside the run: `mlflow.sklearn.log_model` under the name 'model', with a signature that "
        "`infer_signature` builds from the validation features and the model's predictions, and the lesson's "
        "REQUIREMENTS and TRUSTED_TYPES. The run object of the `with` line knows its id.",
    )
    solution = _source(_log_candidate_solution).replace("_log_candidate_solution", "log_candidate") + """
The metric comes from rows the model never saw in training (the validation split), so
comparing runs by it does not reward over-fitting, and the test split stays untouched for
the one final report. The signature stores the input columns and types with the model;
`pip_requirements` pins the library instead of letting MLflow guess it (slow)."""
    reference = staticmethod(_log_candidate_solution)
    # Plausible mistake: the metric is computed on the training rows (optimistic).
    wrong_answer = staticmethod(_log_candidate_variant(score_on="train"))
    wrong_answers = (
        staticmethod(_log_candidate_variant(signature=False)),       # model without a signature
        staticmethod(_log_candidate_variant(proba=False)),           # ROC AUC of hard 0/1 labels
        staticmethod(_log_candidate_variant(fit_on="val")),          # fitted on the validation rows
        staticmethod(_log_candidate_variant(fit_on="both")),         # fitted on train + validation
        staticmethod(_log_candidate_variant(params=False)),          # params never logged
        staticmethod(_log_candidate_variant(returns="name")),        # returns the run name
        staticmethod(_log_candidate_variant(returns="model_uri")),   # returns the model's URI
        staticmethod(_log_candidate_variant(metric="roc_auc")),      # metric under another name
        staticmethod(_log_candidate_variant(experiment=False)),      # ignores experiment_id
        staticmethod(_log_candidate_variant(trusted=_TREE_TYPES[:1])),  # trusts the tree type only (stacking fails)
    )
    right_answers = (
        staticmethod(_log_candidate_solution),
        staticmethod(_log_candidate_variant()),                      # log_param one by one, labels in the signature
        staticmethod(_log_candidate_variant(signature="example")),   # signature inferred from an input example
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "log_candidate")
        from sklearn.base import clone
        from sklearn.ensemble import StackingClassifier
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import roc_auc_score
        from sklearn.tree import DecisionTreeClassifier

        X_train, y_train = _churn_like(81, 240)
        X_val, y_val = _churn_like(82, 120)
        # A small stacked tree: its skops file needs both of the lesson's TRUSTED_TYPES, as the lesson's models do.
        model = StackingClassifier([("tree", DecisionTreeClassifier(max_depth=4, min_samples_leaf=5, random_state=0))],
                                   final_estimator=LogisticRegression(), cv=3)
        params = {"max_depth": 4, "min_samples_leaf": 5, "cv": 3}
        reference = clone(model).fit(X_train, y_train)
        with _tracking() as (client, experiment_id):
            import mlflow

            name = _unique("check-candidate")
            got = fn(name, model, dict(params), (X_train.copy(), y_train.copy(), X_val.copy(), y_val.copy()),
                     experiment_id)
            if not isinstance(got, str):
                raise Incorrect(f"log_candidate should return the run id (a string), got {type(got).__name__}.")
            try:
                run = client.get_run(got)
            except Exception:
                raise Incorrect("The value returned is not the id of a run on the tracking server: "
                                "return run.info.run_id.") from None
            if run.info.experiment_id != experiment_id:
                raise Incorrect("The run was logged to another experiment: pass experiment_id to mlflow.start_run.")
            if run.info.status != "FINISHED":
                raise Incorrect(f"The run's status is {run.info.status}: end it (a `with mlflow.start_run(...)` block does).")
            if run.info.run_name != name:
                raise Incorrect("Give the run the name passed in (run_name=name).")
            for key, value in params.items():
                if run.data.params.get(key) != str(value):
                    raise Incorrect(f"The parameter {key!r} is missing from the run or has another value: log params.")
            if "val_roc_auc" not in run.data.metrics:
                raise Incorrect(f"The run has no metric 'val_roc_auc' (it has {sorted(run.data.metrics)}).")
            logged = run.data.metrics["val_roc_auc"]
            if np.isclose(logged, roc_auc_score(y_train, reference.predict_proba(X_train)[:, 1]), atol=1e-9):
                raise Incorrect("The logged val_roc_auc is the score on the training rows: score the validation rows.")
            try:
                info = mlflow.models.get_model_info(f"runs:/{got}/model")
            except Exception:
                raise Incorrect("No model named 'model' was logged in the run: mlflow.sklearn.log_model(model, name='model', ...).") from None
            if info.signature is None:
                raise Incorrect("The model was logged without a signature: pass signature=infer_signature(...).")
            if info.signature.inputs.input_names() != list(X_train.columns):
                raise Incorrect("The signature's inputs are not the feature columns: infer it from X_val (a DataFrame).")
            loaded = mlflow.sklearn.load_model(f"runs:/{got}/model")
            if not np.allclose(loaded.predict_proba(X_val), reference.predict_proba(X_val)):
                raise Incorrect("The logged model predicts differently from one fitted on the training rows: "
                                "fit on X_train, y_train only.")
            expect_close(logged, roc_auc_score(y_val, reference.predict_proba(X_val)[:, 1]),
                         "The logged val_roc_auc", tol=1e-6,
                         advice="Compute ROC AUC from predict_proba(X_val)[:, 1], not from 0/1 predictions.")


# -- exercise: register and alias ----------------------------------------------------
def _register_champion_solution(run_id, model_name):
    import mlflow
    from mlflow import MlflowClient

    version = mlflow.register_model(f"runs:/{run_id}/model", model_name)   # a new numbered version
    MlflowClient().set_registered_model_alias(model_name, "champion", version.version)
    return int(version.version)


def _register_with_client(run_id, model_name):
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient()
    try:
        client.create_registered_model(model_name)
    except MlflowException:
        pass  # already registered: add a version
    version = client.create_model_version(model_name, source=f"runs:/{run_id}/model", run_id=run_id)
    client.set_registered_model_alias(model_name, "champion", version.version)
    return str(version.version)


def _register_variant(alias="champion", version_of=None, run="given", set_alias=True):
    def register_champion(run_id, model_name):
        import mlflow
        from mlflow import MlflowClient

        chosen = mlflow.last_active_run().info.run_id if run == "last" else run_id
        version = mlflow.register_model(f"runs:/{chosen}/model", model_name)
        if set_alias:
            MlflowClient().set_registered_model_alias(model_name, alias, version_of or version.version)
        return int(version.version)
    return register_champion


@lru_cache(maxsize=None)
def _register_fixture(tracking_uri: str) -> tuple:
    """Two runs with a logged model each on the current server (their ids)."""
    from sklearn.linear_model import LogisticRegression

    X, y = _churn_like(83, 150)
    with _tracking() as (client, experiment_id):
        return tuple(_log_reference_model(client, experiment_id, LogisticRegression(C=c), X, y, f"check-register-{c}")
                     for c in (0.1, 1.0))


class RegisterChampion(MlflowExercise):
    title = "Register a run's model and give it the alias champion"
    hints = (
        "`mlflow.register_model(model_uri, name)` adds a new numbered version to the registered model "
        "(and creates the name the first time). A run's model has the URI f'runs:/{run_id}/model'.",
        "An alias is set through the client: `MlflowClient().set_registered_model_alias(name, 'champion', version)`, "
        "with the version number that register_model returned (its .version), never a fixed number.",
    )
    solution = _source(_register_champion_solution).replace("_register_champion_solution", "register_champion") + """
Registering twice gives versions 1 and 2; the alias moves to the newest call's version,
so deployment code that loads `models:/<name>@champion` follows without a change.
(Stages such as "Production" are the old mechanism; aliases replace them.)"""
    reference = staticmethod(_register_champion_solution)
    # Plausible mistake: the alias always points at version 1.
    wrong_answer = staticmethod(_register_variant(version_of="1"))
    wrong_answers = (
        staticmethod(_register_variant(alias="Champion")),     # aliases are case-sensitive
        staticmethod(_register_variant(alias="production")),   # another alias
        staticmethod(_register_variant(set_alias=False)),      # registered, no alias
        staticmethod(_register_variant(run="last")),           # registers the last active run, not the given one
    )
    right_answers = (staticmethod(_register_champion_solution), staticmethod(_register_with_client))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "register_champion")

        import mlflow

        with _tracking() as (client, experiment_id):
            runs = _register_fixture(mlflow.get_tracking_uri())
            name = _unique("check-register")
            try:
                for expected, run_id in enumerate(runs, start=1):
                    got = fn(run_id, name)
                    if isinstance(got, bool) or not isinstance(got, (int, str, np.integer)) or not str(got).isdigit():
                        raise Incorrect(f"register_champion should return the version number, got {got!r:.40}.")
                    try:
                        version = client.get_model_version(name, str(got))
                    except Exception:
                        raise Incorrect(f"There is no version {got} of the registered model passed in.") from None
                    if version.run_id != run_id:
                        raise Incorrect("The version you registered comes from another run than the run_id passed in.")
                    if int(got) != expected:
                        raise Incorrect("Each call should add one new version of the model.")
                    aliases = client.get_registered_model(name).aliases
                    if "champion" not in aliases:
                        raise Incorrect(f"The registered model has no alias 'champion' (its aliases: {sorted(aliases)}).")
                    if str(aliases["champion"]) != str(got):
                        raise Incorrect(f"After registering version {got}, the alias champion should point at it, "
                                        "not at another version.")
            finally:
                try:
                    client.delete_registered_model(name)
                except Exception:
                    pass


# -- exercise: load by alias ---------------------------------------------------------
def _load_champion_solution(model_name):
    import mlflow

    return mlflow.sklearn.load_model(f"models:/{model_name}@champion")   # whatever version the alias names


def _load_through_version(model_name):
    import mlflow
    from mlflow import MlflowClient

    version = MlflowClient().get_model_version_by_alias(model_name, "champion")
    return mlflow.pyfunc.load_model(f"models:/{model_name}/{version.version}")


@lru_cache(maxsize=None)
def _champion_runs(tracking_uri: str) -> tuple:
    """Three runs with different logged models on the current server: (run ids, predictions of each, X)."""
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression

    X, y = _churn_like(84, 150)
    with _tracking() as (client, experiment_id):
        models = (DummyClassifier(strategy="constant", constant=0), LogisticRegression(),
                  DummyClassifier(strategy="constant", constant=1))
        run_ids = tuple(_log_reference_model(client, experiment_id, model, X, y, f"check-load-{number}")
                        for number, model in enumerate(models, start=1))
    return run_ids, tuple(model.predict(X) for model in models), X


class LoadChampion(MlflowExercise):
    title = "Load the model the alias champion points at"
    hints = (
        "A registered model's alias has its own model URI: f'models:/{model_name}@champion'.",
        "`mlflow.sklearn.load_model(uri)` gives the scikit-learn object back; `mlflow.pyfunc.load_model(uri)` "
        "a generic one with .predict. Neither 'latest' nor a version number follows the alias.",
    )
    solution = _source(_load_champion_solution).replace("_load_champion_solution", "load_champion") + """
The alias is the contract between training and serving: whoever moves it decides which
version runs, and this code never changes."""
    reference = staticmethod(_load_champion_solution)
    # Plausible mistake: the newest version instead of the champion.
    wrong_answer = staticmethod(lambda model_name: __import__("mlflow").sklearn.load_model(f"models:/{model_name}/latest"))
    wrong_answers = (
        staticmethod(lambda model_name: __import__("mlflow").sklearn.load_model(f"models:/{model_name}/1")),
        staticmethod(lambda model_name: __import__("mlflow").sklearn.load_model(f"models:/{model_name}/2")),
    )
    right_answers = (
        staticmethod(_load_champion_solution),
        staticmethod(lambda model_name: __import__("mlflow").pyfunc.load_model(f"models:/{model_name}@champion")),
        staticmethod(_load_through_version),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "load_champion")
        import mlflow

        with _tracking() as (client, _):
            run_ids, predictions, X = _champion_runs(mlflow.get_tracking_uri())
            name = _unique("check-load")
            try:
                for run_id in run_ids:  # versions 1, 2, 3
                    mlflow.register_model(f"runs:/{run_id}/model", name)
                for version in (2, 3):
                    client.set_registered_model_alias(name, "champion", str(version))
                    model = fn(name)
                    if not hasattr(model, "predict"):
                        raise Incorrect(f"load_champion should return a model with .predict, got {type(model).__name__}.")
                    got = np.asarray(model.predict(X.copy())).ravel()
                    if got.shape != predictions[0].shape or not np.array_equal(got, predictions[version - 1]):
                        raise Incorrect("The model you loaded is not the version the alias champion points at "
                                        "(the check moves the alias between calls).")
            finally:
                try:
                    client.delete_registered_model(name)
                except Exception:
                    pass


# -- exercise: the best child run of a search ----------------------------------------
def _best_child_solution(experiment_id, parent_run_id, metric):
    import mlflow

    children = mlflow.search_runs(
        experiment_ids=[experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{parent_run_id}'",   # this search's runs only
        order_by=[f"metrics.{metric} DESC"], max_results=1)
    return children["run_id"].iloc[0]


def _best_child_client(experiment_id, parent_run_id, metric):
    from mlflow import MlflowClient

    runs = MlflowClient().search_runs([experiment_id], f"tags.mlflow.parentRunId = '{parent_run_id}'",
                                      order_by=[f"metrics.{metric} DESC"])
    return runs[0].info.run_id


def _best_child_pandas(experiment_id, parent_run_id, metric):
    import mlflow

    runs = mlflow.search_runs([experiment_id])
    children = runs[runs["tags.mlflow.parentRunId"] == parent_run_id]
    return children.loc[children[f"metrics.{metric}"].idxmax(), "run_id"]


def _best_child_variant(parent_filter=True, order="DESC", tag="mlflow.parentRunId"):
    def best_child_run(experiment_id, parent_run_id, metric):
        import mlflow

        runs = mlflow.search_runs([experiment_id], filter_string=f"tags.{tag} = '{parent_run_id}'" if parent_filter else "",
                                  order_by=[f"metrics.{metric} {order}"])
        return runs["run_id"].iloc[0]
    return best_child_run


@lru_cache(maxsize=None)
def _search_fixture(tracking_uri: str) -> tuple:
    """Two parent runs with child runs; returns (experiment_id, {parent_id: best child id})."""
    rng = np.random.default_rng(85)
    best = {}
    with _tracking() as (client, experiment_id):
        for search in range(2):
            parent = client.create_run(experiment_id, run_name=f"check-search-{search}")
            client.log_metric(parent.info.run_id, "mean_test_score", 0.99)  # the parent is not a candidate
            scores = rng.uniform(0.6, 0.9, 4) + 0.05 * search  # the second search scores higher
            ids = []
            for number, score in enumerate(scores):
                child = client.create_run(experiment_id, run_name=f"check-search-{search}-{number}",
                                          tags={"mlflow.parentRunId": parent.info.run_id})
                client.log_metric(child.info.run_id, "mean_test_score", float(score))
                client.set_terminated(child.info.run_id)
                ids.append(child.info.run_id)
            crashed = client.create_run(experiment_id, run_name=f"check-search-{search}-crashed",
                                        tags={"mlflow.parentRunId": parent.info.run_id})
            client.set_terminated(crashed.info.run_id, "FAILED")
            client.set_terminated(parent.info.run_id)
            best[parent.info.run_id] = ids[int(np.argmax(scores))]
    return experiment_id, best


class BestChildRun(MlflowExercise):
    title = "The best child run of a search, with search_runs"
    hints = (
        "`mlflow.search_runs(experiment_ids=[...], filter_string=..., order_by=[...])` returns a DataFrame "
        "with a 'run_id' column. Autologging tags each child run with the tag 'mlflow.parentRunId'.",
        "Filter on that tag: a filter_string compares tags.mlflow.parentRunId with the parent's id (string "
        "values go in single quotes). Then order by the metric, highest first (metrics.<name> DESC), and take "
        "the first run_id. Runs without the metric sort last.",
    )
    solution = _source(_best_child_solution).replace("_best_child_solution", "best_child_run") + """
The filter keeps this search's children only (the experiment holds other searches and the
parent itself); DESC puts the highest score first. The filter runs on the server, so
this scales to thousands of runs."""
    # Plausible mistake: no filter on the parent, so another search's child (or the parent) wins.
    wrong_answer = staticmethod(_best_child_variant(parent_filter=False))
    wrong_answers = (
        staticmethod(_best_child_variant(order="ASC")),                 # lowest score first
        staticmethod(_best_child_variant(tag="parentRunId")),           # a tag that does not exist
        staticmethod(lambda experiment_id, parent_run_id, metric: parent_run_id),  # the parent itself
    )
    right_answers = (staticmethod(_best_child_solution), staticmethod(_best_child_client),
                     staticmethod(_best_child_pandas))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "best_child_run")
        import mlflow

        with _tracking():
            experiment_id, best = _search_fixture(mlflow.get_tracking_uri())
            for parent_id, child_id in best.items():
                got = fn(experiment_id, parent_id, "mean_test_score")
                if not isinstance(got, str):
                    raise Incorrect(f"best_child_run should return a run id (a string), got {type(got).__name__}.")
                if got == parent_id:
                    raise Incorrect("That is the parent run: return one of its child runs.")
                if got != child_id:
                    raise Incorrect("That run is not the best child of the given parent: filter on the parent's "
                                    "tag and mind the order.")


def _bootstrap_ignoring_rng(X, y, rng):
    idx = np.random.randint(0, len(X), size=len(X))
    return X[idx], y[idx]


def _bootstrap_with_a_fixed_seed(X, y, rng):
    idx = np.random.default_rng(0).integers(0, len(X), size=len(X))
    return X[idx], y[idx]


def _bootstrap_never_the_last_row(X, y, rng):
    idx = rng.integers(0, len(X) - 1, size=len(X))
    return X[idx], y[idx]


def _bootstrap_with_resample(X, y, rng):
    from sklearn.utils import resample

    return tuple(resample(X, y, replace=True, random_state=int(rng.integers(2**31))))


class BootstrapSample(Exercise):
    title = "A bootstrap sample for bagging"
    hints = (
        "Bagging trains each model on n rows drawn from the n training rows *with replacement*.",
        "Draw n row numbers with the generator you are given (its integers method; mind that the upper "
        "bound is exclusive), so some numbers repeat.",
        "Index X and y with the same row numbers, so every row keeps its label; the rows never drawn "
        "(about 37 %) are the out-of-bag rows.",
    )
    solution = """```python
def bootstrap_sample(X, y, rng):
    idx = rng.integers(0, len(X), size=len(X))
    return X[idx], y[idx]
```
Drawing with replacement makes every model see a slightly different data set: some
rows twice or more, about 1 - 1/e = 37 % not at all. The models' errors then differ,
and averaging them lowers the variance. A permutation (no replacement) would give every
model the same data."""
    wrong_answer = staticmethod(lambda X, y, rng: (X[(p := rng.permutation(len(X)))], y[p]))
    wrong_answers = (
        staticmethod(_bootstrap_ignoring_rng),          # NumPy's global generator, not the one passed in
        staticmethod(_bootstrap_with_a_fixed_seed),     # a new generator with a fixed seed on every call
        staticmethod(_bootstrap_never_the_last_row),    # rng.integers(0, n - 1): the upper bound is exclusive
        staticmethod(lambda X, y, rng: (X[rng.integers(0, len(X), len(X))], y[rng.integers(0, len(X), len(X))])),
    )
    right_answers = (
        staticmethod(lambda X, y, rng: (X[(i := rng.choice(len(X), size=len(X)))], y[i])),
        staticmethod(_bootstrap_with_resample),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "bootstrap_sample")
        n = 400
        X = np.arange(n * 2, dtype=float).reshape(n, 2)
        y = np.arange(n) % 3
        out_of_bag = []
        for seed in range(3):
            got = fn(X, y, np.random.default_rng(seed))
            if not isinstance(got, tuple) or len(got) != 2:
                raise Incorrect("bootstrap_sample should return a tuple (X_sample, y_sample).")
            Xs, ys = np.asarray(got[0]), np.asarray(got[1])
            if Xs.shape != X.shape or ys.shape != y.shape:
                raise Incorrect(f"A bootstrap sample has as many rows as the data: expected shapes {X.shape} "
                                f"and {y.shape}, got {Xs.shape} and {ys.shape}.")
            rows = (Xs[:, 0] / 2).astype(int)
            if not np.array_equal(Xs, X[rows]) or not np.array_equal(ys, y[rows]):
                raise Incorrect("Each sampled row of X must come with its own label from y (use the same indices).")
            out_of_bag.append(1 - len(np.unique(rows)) / n)
            again = fn(X, y, np.random.default_rng(seed))
            if not np.array_equal(np.asarray(again[0]), Xs):
                raise Incorrect("Two generators with the same seed gave different samples: draw the rows with the "
                                "rng passed in, so a bagging run can be repeated.")
            if seed and np.array_equal(Xs, previous):
                raise Incorrect("Generators with different seeds gave the same sample: draw with the rng passed in, "
                                "not with a generator of your own.")
            previous = Xs
        share = float(np.mean(out_of_bag))
        if share < 0.25:
            raise Incorrect(f"Only {share:.0%} of the rows are left out of your samples: "
                            "draw the rows with replacement, so some repeat and others are missing.")
        if share > 0.5:
            raise Incorrect(f"{share:.0%} of the rows are left out: draw n rows, each uniformly from all n.")
        # Every row can be drawn: on 5 rows, 30 samples together leave none out.
        X5, y5 = np.arange(10, dtype=float).reshape(5, 2), np.arange(5)
        drawn = set()
        for seed in range(30):
            drawn |= set((np.asarray(fn(X5, y5, np.random.default_rng(seed))[0])[:, 0] / 2).astype(int).tolist())
        if drawn != set(range(5)):
            raise Incorrect("Some rows never appear in any of 30 samples of 5 rows: draw from all n rows "
                            "(the upper bound of rng.integers is exclusive).")


class _FittedStub:
    def __init__(self, importances):
        self.feature_importances_ = np.asarray(importances, dtype=float)


class TopFeatures(Exercise):
    title = "The most important features"
    hints = (
        "A fitted random forest has the attribute feature_importances_: one number per column, summing to 1.",
        "np.argsort gives the positions that would sort the importances, smallest first: turn that order "
        "around and keep k positions.",
        "Look the k positions up in feature_names and return them as a plain Python list.",
    )
    solution = """```python
def top_features(model, feature_names, k=3):
    order = np.argsort(model.feature_importances_)[::-1]
    return [feature_names[i] for i in order[:k]]
```
Impurity-based importances say how much each feature's splits reduced the impurity,
averaged over the trees. They explain the model, not the world, and favour features
with many distinct values, so check them with permutation importance."""
    wrong_answer = staticmethod(lambda model, feature_names, k=3: [feature_names[i] for i in np.argsort(model.feature_importances_)[:k]])
    wrong_answers = (
        # the positions, not the names
        staticmethod(lambda model, feature_names, k=3: [int(i) for i in np.argsort(model.feature_importances_)[::-1][:k]]),
        # the right k names in alphabetical order: "most important first" is lost
        staticmethod(lambda model, feature_names, k=3: sorted(
            feature_names[i] for i in np.argsort(model.feature_importances_)[::-1][:k])),
        # k ignored: every feature, most important first
        staticmethod(lambda model, feature_names, k=3: [feature_names[i] for i in np.argsort(model.feature_importances_)[::-1]]),
    )
    right_answers = (
        staticmethod(lambda model, feature_names, k=3: [name for _, name in sorted(
            zip(model.feature_importances_, feature_names), reverse=True)[:k]]),
        staticmethod(lambda model, feature_names, k=3: __import__("pandas").Series(
            model.feature_importances_, index=feature_names).nlargest(k).index.tolist()),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "top_features")
        rng = np.random.default_rng(8)
        for size, k in ((6, 3), (10, 4), (4, 1)):
            weights = rng.permutation(np.arange(1, size + 1)).astype(float)
            names = [f"feature_{chr(97 + i)}" for i in range(size)]
            model = _FittedStub(weights / weights.sum())
            got = fn(model, names, k=k)
            if not isinstance(got, list):
                raise Incorrect(f"top_features should return a list of names, got {type(got).__name__}.")
            want = [names[i] for i in np.argsort(weights)[::-1][:k]]
            if len(got) != k:
                raise Incorrect(f"Asked for k={k} features, got {len(got)}.")
            if [str(g) for g in got] != want:
                raise Incorrect(f"With {size} features and k={k} the names or their order are not right yet: "
                                "the most important feature comes first.")


class CosineScores(Exercise):
    title = "Cosine similarity of a query with every document"
    hints = (
        "Cosine similarity is the dot product of two vectors divided by the product of their lengths.",
        "Make every vector unit length: each document row divided by its own length (np.linalg.norm along "
        "the right axis, keeping that axis so the division broadcasts), and the query by its length.",
        "Then one matrix product of the unit documents with the unit query gives every score at once.",
    )
    solution = """```python
def cosine_scores(query, docs):
    docs = np.asarray(docs, dtype=float)
    query = np.asarray(query, dtype=float)
    docs_unit = docs / np.linalg.norm(docs, axis=1, keepdims=True)
    return docs_unit @ (query / np.linalg.norm(query))
```
Cosine similarity only compares directions, so a long document (a long vector) gets no
bonus for its length; the plain dot product grows with the length and favours long
documents."""
    wrong_answer = staticmethod(lambda query, docs: np.asarray(docs, dtype=float) @ np.asarray(query, dtype=float))
    wrong_answers = (
        # the documents normalised, the query not: scores scaled by the query's length
        staticmethod(lambda query, docs: (np.asarray(docs, float) / np.linalg.norm(docs, axis=1, keepdims=True))
                     @ np.asarray(query, float)),
        # the query normalised, the documents not: long documents still win
        staticmethod(lambda query, docs: np.asarray(docs, float) @ (np.asarray(query, float) / np.linalg.norm(query))),
        # each column (feature) normalised instead of each row (document)
        staticmethod(lambda query, docs: (np.asarray(docs, float) / np.linalg.norm(docs, axis=0))
                     @ (np.asarray(query, float) / np.linalg.norm(query))),
        # one norm for the whole matrix
        staticmethod(lambda query, docs: (np.asarray(docs, float) / np.linalg.norm(docs))
                     @ (np.asarray(query, float) / np.linalg.norm(query))),
    )
    right_answers = (
        staticmethod(lambda query, docs: __import__("sklearn.metrics.pairwise", fromlist=["x"]).cosine_similarity(
            np.asarray(docs, float), np.asarray(query, float).reshape(1, -1)).ravel()),
        staticmethod(lambda query, docs: 1 - __import__("scipy.spatial.distance", fromlist=["x"]).cdist(
            np.asarray(docs, float), np.asarray(query, float)[None, :], "cosine").ravel()),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "cosine_scores")
        rng = np.random.default_rng(5)
        for n_docs, dim in ((5, 3), (8, 6)):
            docs = rng.normal(size=(n_docs, dim)) * rng.uniform(0.5, 6, size=(n_docs, 1))
            query = rng.normal(size=dim) * 3
            got = np.asarray(fn(query, docs), dtype=float)
            if got.shape != (n_docs,):
                raise Incorrect(f"Return one score per document: expected shape ({n_docs},), got {got.shape}.")
            want = (docs / np.linalg.norm(docs, axis=1, keepdims=True)) @ (query / np.linalg.norm(query))
            if np.any(np.abs(got) > 1 + 1e-9):
                raise Incorrect("Some scores lie outside [-1, 1]: normalise both the documents and the query.")
            for i in range(n_docs):
                expect_close(expect_number(float(got[i]), f"score {i}"), float(want[i]),
                             f"The score of document {i} of {n_docs}", tol=1e-6)


def _costs(y_true, scores, cost_fp, cost_fn, thresholds, errors_only=False):
    """The total cost of every candidate threshold (broadcast: thresholds x examples)."""
    y_true, scores = np.asarray(y_true), np.asarray(scores)
    pred = scores[None, :] >= np.asarray(thresholds)[:, None]
    fp = (pred & (y_true == 0)).sum(axis=1)
    fn = (~pred & (y_true == 1)).sum(axis=1)
    return fp + fn if errors_only else cost_fp * fp + cost_fn * fn


def _cheapest(y_true, scores, cost_fp, cost_fn, thresholds, pick=np.argmin, errors_only=False):
    return float(np.asarray(thresholds)[int(pick(_costs(y_true, scores, cost_fp, cost_fn, thresholds, errors_only)))])


def _cheapest_with_confusion_matrix(y_true, scores, cost_fp, cost_fn, thresholds):
    """Valid alternative: scikit-learn's confusion matrix per threshold, in a loop."""
    from sklearn.metrics import confusion_matrix

    best, best_cost = None, None
    for t in thresholds:
        tn, fp, fn, tp = confusion_matrix(y_true, np.asarray(scores) >= t, labels=[0, 1]).ravel()
        cost = cost_fp * fp + cost_fn * fn
        if best_cost is None or cost < best_cost:
            best, best_cost = float(t), cost
    return best


class CheapestThreshold(Exercise):
    title = "A threshold that weighs false positives against false negatives"
    hints = (
        "For each threshold t, predict positive where scores >= t, then count false positives "
        "(predicted 1, truly 0) and false negatives (predicted 0, truly 1).",
        "The cost of a threshold is cost_fp * FP + cost_fn * FN. Keep the threshold with the smallest cost.",
        "Compute the cost of every candidate (a loop, or NumPy broadcasting of the scores against the "
        "thresholds) and return the candidate with the lowest cost, as a float.",
    )
    solution = """```python
def cheapest_threshold(y_true, scores, cost_fp, cost_fn, thresholds):
    y_true, scores = np.asarray(y_true), np.asarray(scores)
    costs = []
    for t in thresholds:
        pred = scores >= t
        fp = np.sum(pred & (y_true == 0))
        fn = np.sum(~pred & (y_true == 1))
        costs.append(cost_fp * fp + cost_fn * fn)
    return float(thresholds[int(np.argmin(costs))])
```
When a missed churner (FN) costs more than a needless retention offer (FP), the best
threshold moves down: the model flags more customers and accepts more false alarms."""
    wrong_answer = staticmethod(lambda y_true, scores, cost_fp, cost_fn, thresholds: 0.5)
    wrong_answers = (
        staticmethod(lambda y, s, cost_fp, cost_fn, thresholds: _cheapest(y, s, cost_fn, cost_fp, thresholds)),  # costs swapped
        staticmethod(lambda y, s, cost_fp, cost_fn, thresholds: _cheapest(y, s, cost_fp, cost_fn, thresholds,
                                                                          pick=np.argmax)),  # the dearest
        staticmethod(lambda y, s, cost_fp, cost_fn, thresholds: float(np.argmin(
            _costs(y, s, cost_fp, cost_fn, thresholds)))),  # the position, not the threshold
        staticmethod(lambda y, s, cost_fp, cost_fn, thresholds: _cheapest(y, s, cost_fp, cost_fn, thresholds,
                                                                          errors_only=True)),  # FP + FN, costs ignored
    )
    right_answers = (
        staticmethod(lambda y, s, cost_fp, cost_fn, thresholds: _cheapest(y, s, cost_fp, cost_fn, thresholds)),
        staticmethod(_cheapest_with_confusion_matrix),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "cheapest_threshold")
        rng = np.random.default_rng(11)
        thresholds = np.round(np.arange(0.05, 1.0, 0.05), 2)
        y = (rng.random(300) < 0.2).astype(int)
        scores = np.clip(0.3 * y + rng.normal(0.35, 0.18, 300), 0, 1)
        for cost_fp, cost_fn in ((1, 10), (1, 1), (5, 1)):
            costs = _costs(y, scores, cost_fp, cost_fn, thresholds)
            got = expect_number(fn(y, scores, cost_fp, cost_fn, thresholds), "The threshold")
            if not np.isclose(costs[np.argmin(costs)], costs[np.argmin(np.abs(thresholds - got))]) or \
                    np.min(np.abs(thresholds - got)) > 1e-9:
                raise Incorrect(f"With cost_fp={cost_fp} and cost_fn={cost_fn} your threshold {got:.2f} "
                                "does not have the lowest total cost among the candidates.")


log_candidate = LogCandidate()
register_champion = RegisterChampion()
load_champion = LoadChampion()
best_child_run = BestChildRun()
bootstrap_sample = BootstrapSample()
top_features = TopFeatures()
cosine_scores = CosineScores()
cheapest_threshold = CheapestThreshold()
EXERCISES = register(globals())
