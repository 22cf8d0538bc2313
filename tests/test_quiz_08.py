"""Week 08 quiz: the hidden tests of each code task read back what the student built with
MLflow (a run, a search, a registered version and its alias) and accept every correct
method while rejecting the plausible mistakes and artifacts faked without running MLflow.

helpers.judge_answer runs the quiz's setup and data cells, the answer, then the item's
graded tests in this process; every case is judged on the source variant and on each of
helpers.VARIANT_STUDENTS. The quiz's store (``./mlruns/quiz08.db``) lands in a scratch
folder of this module, never in the checkout.
"""
from __future__ import annotations

import pytest

from helpers import VARIANT_STUDENTS, judge_answer, judged_cases

WEEK = "08_tracking"
STUDENTS = ("source", *VARIANT_STUDENTS)


@pytest.fixture(scope="module", autouse=True)
def scratch_folder(tmp_path_factory):
    """The quiz writes its MLflow store in the working folder: a scratch one here."""
    import os

    import mlflow

    import tempfile

    before, uri = os.getcwd(), mlflow.get_tracking_uri()
    memory = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # SQLite commits cost little there
    os.chdir(tempfile.mkdtemp(prefix="quiz08-", dir=memory) if memory else tmp_path_factory.mktemp("quiz08"))
    yield
    here = os.getcwd()
    os.chdir(before)
    mlflow.set_tracking_uri(uri)
    if memory:
        import shutil

        shutil.rmtree(here, ignore_errors=True)


# -- Q10: a run logged by hand ---------------------------------------------------------
Q10 = """mlflow.set_experiment(EXPERIMENT)
with mlflow.start_run(run_name={name}) as q10_run:
    ridge = Ridge(alpha={alpha}).fit({fit_x}, {fit_y})
    residuals = {score_y} - ridge.predict({score_x})
    score = {score}
    mlflow.log_param("alpha", {alpha})
    mlflow.log_metric({metric}, float(score))
    {log_model}
q10_run_id = q10_run.info.run_id
"""
RMSE_OR_MAE = "np.sqrt(np.mean(residuals ** 2)) if METRIC == 'val_rmse' else np.mean(np.abs(residuals))"
LOG_MODEL = ('mlflow.sklearn.log_model(ridge, name="model", signature=infer_signature(X_val, ridge.predict(X_val)), '
             'pip_requirements=[f"scikit-learn=={sklearn.__version__}"])')


def q10(name="RUN_NAME", alpha="ALPHA", fit_x="X_train", fit_y="y_train", score_x="X_val", score_y="y_val",
        score=RMSE_OR_MAE, metric="METRIC", log_model=LOG_MODEL):
    return Q10.format(name=name, alpha=alpha, fit_x=fit_x, fit_y=fit_y, score_x=score_x, score_y=score_y,
                      score=score, metric=metric, log_model=log_model)


Q10_CLIENT = """from sklearn.metrics import mean_absolute_error, mean_squared_error
client = MlflowClient()
experiment = client.get_experiment_by_name(EXPERIMENT) or client.get_experiment(client.create_experiment(EXPERIMENT))
run = client.create_run(experiment.experiment_id, run_name=RUN_NAME)
model = Ridge(alpha=ALPHA).fit(X_train, y_train)
pred = model.predict(X_val)
value = mean_squared_error(y_val, pred) ** 0.5 if METRIC == "val_rmse" else mean_absolute_error(y_val, pred)
client.log_param(run.info.run_id, "alpha", ALPHA)
client.log_metric(run.info.run_id, METRIC, value)
with mlflow.start_run(run_id=run.info.run_id):
    mlflow.sklearn.log_model(model, name="model", input_example=X_val.head(3), serialization_format="cloudpickle",
                             pip_requirements=["scikit-learn"])
client.set_terminated(run.info.run_id)
q10_run_id = run.info.run_id
"""
Q10_AUTOLOG = """mlflow.set_experiment(EXPERIMENT)
mlflow.sklearn.autolog(log_models=False, log_datasets=False, silent=True)
with mlflow.start_run(run_name=RUN_NAME) as q10_run:
    ridge = Ridge(alpha=ALPHA).fit(X_train, y_train)
    errors = np.asarray(y_val) - ridge.predict(X_val)
    mlflow.log_metric(METRIC, float(np.sqrt((errors ** 2).mean()) if METRIC.endswith("rmse") else np.abs(errors).mean()))
    mlflow.sklearn.log_model(ridge, name="model", signature=infer_signature(X_train, ridge.predict(X_train)),
                             pip_requirements=[f"scikit-learn=={sklearn.__version__}"])
mlflow.sklearn.autolog(disable=True)
q10_run_id = q10_run.info.run_id
"""
# Hostile: a run whose folder is written by hand in MLflow's file-store layout, no MLflow call.
Q10_HAND_WRITTEN = """import os, uuid
q10_run_id = uuid.uuid4().hex
folder = os.path.join("mlruns", "0", q10_run_id)
for sub in ("params", "metrics", "artifacts/model", "tags"):
    os.makedirs(os.path.join(folder, sub), exist_ok=True)
with open(os.path.join(folder, "meta.yaml"), "w") as f:
    f.write(f"run_id: {q10_run_id}\\nrun_name: {RUN_NAME}\\nstatus: 3\\nexperiment_id: '0'\\n")
with open(os.path.join(folder, "params", "alpha"), "w") as f:
    f.write(str(ALPHA))
with open(os.path.join(folder, "metrics", METRIC), "w") as f:
    f.write("0 50.0 0\\n")
with open(os.path.join(folder, "artifacts", "model", "MLmodel"), "w") as f:
    f.write("flavors:\\n  sklearn: {}\\n")
"""
# Hostile: the right run's metric typed in (no model fitted), and an "OK to everything" model.
Q10_TYPED_METRIC = q10(score="55.0")
Q10_NO_MODEL = q10(log_model="pass")
Q10_YES_MODEL = q10(log_model="""import sklearn.dummy
    mlflow.sklearn.log_model(sklearn.dummy.DummyRegressor().fit(X_train, y_train), name="model",
                             signature=infer_signature(X_val, ridge.predict(X_val)), pip_requirements=["scikit-learn"])""")
Q10_ANYTHING_ID = """class Anything(str):
    def __eq__(self, other): return True
    def __hash__(self): return 0
q10_run_id = Anything("x")
"""

Q10_ACCEPTED = {
    "start_run, log_param, log_metric, log_model with a signature": q10(),
    "MlflowClient calls, sklearn.metrics, an input example instead of a signature, cloudpickle": Q10_CLIENT,
    "autologged parameters plus the metric and model by hand": Q10_AUTOLOG,
    "the metric from sklearn.metrics' root_mean_squared_error": "from sklearn.metrics import root_mean_squared_error\n" + q10(
        score="root_mean_squared_error(y_val, ridge.predict(X_val)) if METRIC == 'val_rmse' else np.mean(np.abs(residuals))"),
}
Q10_REJECTED = {
    "scored on the test rows": q10(score_x="X_test", score_y="y_test"),
    "scored on the training rows": q10(score_x="X_train", score_y="y_train"),
    "fitted on the training and validation rows": q10(fit_x="X_rest", fit_y="y_rest"),
    "no square root for RMSE (MSE), no absolute value for MAE": q10(
        score="np.mean(residuals ** 2) if METRIC == 'val_rmse' else abs(np.mean(residuals))"),
    "RMSE and MAE swapped": q10(score="np.mean(np.abs(residuals)) if METRIC == 'val_rmse' else np.sqrt(np.mean(residuals ** 2))"),
    "the metric under another name": q10(metric='"rmse"'),
    "Ridge with its default alpha": q10(alpha="1.0 if ALPHA != 1.0 else 2.0"),
    "the run left unnamed": q10(name="None"),
    "hostile: a run folder written by hand, no MLflow call": Q10_HAND_WRITTEN,
    "hostile: the metric typed in, not computed": Q10_TYPED_METRIC,
    "hostile: params and metric logged, no model": Q10_NO_MODEL,
    "hostile: a model that predicts the mean for everything": Q10_YES_MODEL,
    "hostile: an id that equals anything": Q10_ANYTHING_ID,
}

# -- Q11: a search the student writes --------------------------------------------------
Q11 = """FILTER = {filter}
ORDER_BY = {order}
"""
GOOD_FILTER = ('f"attributes.status = \'FINISHED\' and metrics.fit_seconds <= {BUDGET_SECONDS} '
               'and metrics.val_roc_auc > 0.5"')
GOOD_ORDER = '["metrics.val_roc_auc DESC"]'


def q11(filter=GOOD_FILTER, order=GOOD_ORDER):
    return Q11.format(filter=filter, order=order)


Q11_ACCEPTED = {
    "status, budget and baseline, descending": q11(),
    "status without the attributes prefix, conditions in another order": q11(
        filter='f"metrics.val_roc_auc > 0.5 AND status = \'FINISHED\' AND metrics.fit_seconds <= {BUDGET_SECONDS}"'),
    "a tie-break on time after the score": q11(order='["metrics.val_roc_auc DESC", "metrics.fit_seconds ASC"]'),
    "status != FAILED (every run here ended)": q11(
        filter='f"attributes.status != \'FAILED\' and metrics.fit_seconds <= {BUDGET_SECONDS} and metrics.val_roc_auc > 0.5"'),
    "the budget as a plain number in the f-string": q11(
        filter='"attributes.status = \'FINISHED\' and metrics.fit_seconds <= " + str(BUDGET_SECONDS) + " and metrics.val_roc_auc > 0.50"'),
}
Q11_REJECTED = {
    "failed runs kept": q11(filter='f"metrics.fit_seconds <= {BUDGET_SECONDS} and metrics.val_roc_auc > 0.5"'),
    "the time budget ignored": q11(filter='"attributes.status = \'FINISHED\' and metrics.val_roc_auc > 0.5"'),
    "the limit itself excluded (< instead of <=)": q11(
        filter='f"attributes.status = \'FINISHED\' and metrics.fit_seconds < {BUDGET_SECONDS} and metrics.val_roc_auc > 0.5"'),
    "the baseline kept (>= 0.5)": q11(
        filter='f"attributes.status = \'FINISHED\' and metrics.fit_seconds <= {BUDGET_SECONDS} and metrics.val_roc_auc >= 0.5"'),
    "runs without a validation score kept": q11(
        filter='f"attributes.status = \'FINISHED\' and metrics.fit_seconds <= {BUDGET_SECONDS}"'),
    "ascending order (worst first)": q11(order='["metrics.val_roc_auc ASC"]'),
    "no order (the store's default: newest first)": q11(order="[]"),
    "ordered by the training score": q11(order='["metrics.train_roc_auc DESC"]'),
    "hostile: the given runs' names hard-coded": """names = " , ".join(repr(n) for n in list(search_spec[(search_spec.status == "FINISHED") & (search_spec.fit_seconds <= BUDGET_SECONDS) & (search_spec.val_roc_auc > 0.5)].sort_values("val_roc_auc", ascending=False).run_name))
FILTER = f"attributes.run_name IN ({names})"
ORDER_BY = ["metrics.val_roc_auc DESC"]
""",
    "hostile: the given runs' ids hard-coded": """ids = mlflow.search_runs([search_experiment_id], filter_string=f"attributes.status = 'FINISHED' and metrics.fit_seconds <= {BUDGET_SECONDS} and metrics.val_roc_auc > 0.5")["run_id"]
FILTER = "attributes.run_id IN (" + ", ".join(repr(i) for i in ids) + ")"
ORDER_BY = ["metrics.val_roc_auc DESC"]
""",
    "hostile: a string that equals anything": """class Anything(str):
    def __eq__(self, other): return True
    def __hash__(self): return 0
FILTER = Anything("")
ORDER_BY = [Anything("metrics.val_roc_auc DESC")]
""",
    "hostile: the filter as a pandas query, not an MLflow filter": q11(
        filter='f"status == \'FINISHED\' and fit_seconds <= {BUDGET_SECONDS} and val_roc_auc > 0.5"'),
}

# -- Q12: register the champion and load it by its alias --------------------------------
Q12 = """ranked = mlflow.search_runs([registry_experiment_id], filter_string="attributes.status = 'FINISHED'",
                            order_by=[{order}], max_results=1)
new_version = mlflow.register_model(f"runs:/{{ranked['run_id'].iloc[0]}}/model", MODEL_NAME)
MlflowClient().set_registered_model_alias(MODEL_NAME, {alias}, new_version.version)
q12_version = int(new_version.version)
q12_model = {load}
"""


def q12(order='"metrics.val_roc_auc DESC"', alias='"champion"', load='mlflow.sklearn.load_model(f"models:/{MODEL_NAME}@champion")'):
    return Q12.format(order=order, alias=alias, load=load)


Q12_CLIENT = """client = MlflowClient()
runs = client.search_runs([registry_experiment_id], max_results=100)
best = max(runs, key=lambda r: r.data.metrics["val_roc_auc"])
version = mlflow.register_model(f"runs:/{best.info.run_id}/model", MODEL_NAME)
client.set_registered_model_alias(MODEL_NAME, "champion", version.version)
q12_version = int(client.get_model_version_by_alias(MODEL_NAME, "champion").version)
q12_model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}@champion").get_raw_model()
"""
Q12_PANDAS = """runs = mlflow.search_runs(experiment_names=[REGISTRY_EXPERIMENT])
best_id = runs.loc[runs["metrics.val_roc_auc"].idxmax(), "run_id"]
mv = mlflow.register_model(f"runs:/{best_id}/model", MODEL_NAME)
MlflowClient().set_registered_model_alias(MODEL_NAME, "champion", mv.version)
q12_version = int(mv.version)
q12_model = mlflow.sklearn.load_model(f"models:/{MODEL_NAME}@champion")
"""
Q12_BOTH_LATEST_ALIAS = """runs = mlflow.search_runs([registry_experiment_id], order_by=["metrics.val_roc_auc DESC"])
for run_id in runs["run_id"]:
    mv = mlflow.register_model(f"runs:/{run_id}/model", MODEL_NAME)
MlflowClient().set_registered_model_alias(MODEL_NAME, "champion", mv.version)
q12_version = int(mv.version)
q12_model = mlflow.sklearn.load_model(f"models:/{MODEL_NAME}@champion")
"""
Q12_OWN_FIT = """runs = mlflow.search_runs([registry_experiment_id], order_by=["metrics.val_roc_auc DESC"])
mv = mlflow.register_model(f"runs:/{runs['run_id'].iloc[0]}/model", MODEL_NAME)
MlflowClient().set_registered_model_alias(MODEL_NAME, "champion", mv.version)
q12_version = int(mv.version)
q12_model = candidate(100.0 if runs["tags.mlflow.runName"].iloc[0] != "logreg_C_100" else 0.01).fit(Xc_train, yc_train)
"""
# Hostile: no registry call at all, a version number made up and a model fitted locally.
Q12_NO_REGISTRY = """runs = mlflow.search_runs([registry_experiment_id], order_by=["metrics.val_roc_auc DESC"])
q12_version = 1
q12_model = candidate(CANDIDATES[runs["tags.mlflow.runName"].iloc[0]]).fit(Xc_train, yc_train)
"""
# Hostile: the alias set on a version whose model was swapped for one that says "malignant" to everything.
Q12_YES_MODEL = """import sklearn.dummy
with mlflow.start_run(experiment_id=registry_experiment_id, run_name="logreg_C_1") as fake:
    stub = sklearn.dummy.DummyClassifier(strategy="constant", constant=1).fit(Xc_train, yc_train)
    mlflow.sklearn.log_model(stub, name="model", pip_requirements=["scikit-learn"])
mv = mlflow.register_model(f"runs:/{fake.info.run_id}/model", MODEL_NAME)
MlflowClient().set_registered_model_alias(MODEL_NAME, "champion", mv.version)
q12_version = int(mv.version)
q12_model = mlflow.sklearn.load_model(f"models:/{MODEL_NAME}@champion")
"""

Q12_ACCEPTED = {
    "search_runs, register_model, set alias, load by alias": q12(),
    "MlflowClient search and alias calls, pyfunc's raw model": Q12_CLIENT,
    "search by experiment name, idxmax in pandas": Q12_PANDAS,
    "loaded by version number (the same model as the alias)": q12(
        load='mlflow.sklearn.load_model(f"models:/{MODEL_NAME}/{new_version.version}")'),
}
Q12_REJECTED = {
    "chosen on the test ROC AUC": q12(order='"metrics.test_roc_auc DESC"'),
    "the worst candidate (ascending order)": q12(order='"metrics.val_roc_auc ASC"'),
    "the alias under another name": q12(alias='"Champion"',
                                        load='mlflow.sklearn.load_model(f"models:/{MODEL_NAME}/{new_version.version}")'),
    "every candidate registered, the alias on the last one": Q12_BOTH_LATEST_ALIAS,
    "q12_model fitted locally with other settings": Q12_OWN_FIT,
    "hostile: no registry call, a made-up version": Q12_NO_REGISTRY,
    "hostile: a model that answers 1 to everything behind the alias": Q12_YES_MODEL,
}

GROUPS = [("q10", Q10_ACCEPTED, Q10_REJECTED), ("q11", Q11_ACCEPTED, Q11_REJECTED), ("q12", Q12_ACCEPTED, Q12_REJECTED)]


def cases() -> list:
    params = []
    for base in judged_cases(*GROUPS):
        item, answer, right = base.values
        for student in STUDENTS:
            params.append(pytest.param(item, answer, right, student, id=f"{base.id}-{student}"))
    return params


def _forget_registered_model() -> None:
    """Each Q12 case starts from a registry without the quiz's model (the grader's store
    is fresh too), so no case passes on an alias an earlier case set."""
    import os

    from mlflow import MlflowClient

    if os.path.exists("mlruns/quiz08.db"):
        client = MlflowClient("sqlite:///" + os.path.abspath("mlruns/quiz08.db"))
        if client.search_registered_models("name = 'quiz08-tumour-classifier'"):
            client.delete_registered_model("quiz08-tumour-classifier")


@pytest.mark.parametrize("item, answer, right, student", cases())
def test_each_answer_is_judged_as_an_expert_would(item, answer, right, student):
    """Protects: every correct method earns every point of the item on each student's
    variant; each plausible mistake and each faked artifact fails a hidden test."""
    if item == "q12":
        _forget_registered_model()
    verdict = judge_answer(WEEK, item, answer, student)
    assert (verdict is None) == right, verdict or "the mistake passed every test of the item"


def test_reversed_order_keeps_the_filter_point_only():
    """Protects: Q11's right runs in the wrong order fail the order test (2 points) and
    keep the filter test's point."""
    import nbformat

    from mlops_course import paths, quizcells

    verdict = judge_answer(WEEK, "q11", q11(order='["metrics.val_roc_auc ASC"]'))
    assert verdict and verdict.startswith("q11_order:"), verdict
    nb = nbformat.read(paths.QUIZZES_DIR / WEEK / "quiz.ipynb", as_version=4)
    order = next(c for c in quizcells.tests_of(nb, "q11") if quizcells.grade_id(c) == "q11_order")
    assert quizcells.points(order) == 2


def test_the_picks_keep_every_named_mistake_wrong():
    """Protects: on every value the picks can produce, Q11's eligible runs include one at
    the limit that is the champion and one that the training score ranks elsewhere, and
    Q12's champion on validation rows differs from the one on test rows."""
    import numpy as np

    from helpers import quiz_namespace

    _, ns = quiz_namespace(WEEK)
    for seed in (0, 5, 9, 14, 23):
        for budget in (10.0, 8.0, 12.0, 9.0, 7.5, 11.0):
            for extra in (0, 1000):
                spec = ns["make_runs"](seed + extra, budget)
                ok = spec[(spec.status == "FINISHED") & (spec.fit_seconds <= budget) & (spec.val_roc_auc > 0.5)]
                best = ok.sort_values("val_roc_auc", ascending=False)
                assert best.fit_seconds.iloc[0] == budget
                assert best.train_roc_auc.idxmax() != best.index[0]
                assert list(best.index) != list(ok.index[::-1])  # not the store's default order (newest first)
                assert len(ok) >= 3
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    X, y = ns["Xc"], ns["yc"]
    for seed in (1, 4, 6, 7, 9, 11, 15, 17, 19, 20, 21, 25, 27, 31, 39):
        rest_x, test_x, rest_y, test_y = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
        train_x, val_x, train_y, val_y = train_test_split(rest_x, rest_y, test_size=1 / 3, random_state=seed, stratify=rest_y)
        val, test = {}, {}
        for name, C in ns["CANDIDATES"].items():
            model = ns["candidate"](C).fit(train_x, train_y)
            val[name] = roc_auc_score(val_y, model.predict_proba(val_x)[:, 1])
            test[name] = roc_auc_score(test_y, model.predict_proba(test_x)[:, 1])
        assert len(set(np.round(list(val.values()), 9))) == 3, seed
        assert max(val, key=val.get) != max(test, key=test.get), seed
