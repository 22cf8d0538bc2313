"""Week 08 quiz: the hidden tests of each code task accept every correct method and
reject the plausible mistakes (helpers.judge_answer runs the quiz's setup and data
cells, the answer, then the item's graded tests)."""
from __future__ import annotations

import pytest

from helpers import assert_judged, judge_answer, judged_named

WEEK = "08_tracking"

Q10_MASK = """ok = runs[{status} & {budget}]
champion_id = str({pick})
"""
STATUS = '(runs["status"] == "FINISHED")'
BUDGET = '(runs["metrics.fit_seconds"] <= BUDGET_SECONDS)'
IDXMAX = 'ok.loc[ok["metrics.roc_auc"].idxmax(), "run_id"]'


def q10(status=STATUS, budget=BUDGET, pick=IDXMAX):
    return Q10_MASK.format(status=status, budget=budget, pick=pick)


Q11_GROUPBY = """forest = RandomForestClassifier(n_estimators=N_TREES, random_state=FOREST_SEED).fit(X, y)
imp = pd.Series(forest.feature_importances_, index=X.columns)
groups = imp.groupby(lambda n: n.replace("mean ", "").replace("worst ", "").replace(" error", "")).{agg}()
top3 = {pick}
"""
Q11_RESHAPE = """forest = RandomForestClassifier(n_estimators=N_TREES, random_state=FOREST_SEED).fit(X, y)
sums = forest.feature_importances_.reshape(3, 10).sum(axis=0)      # mean / error / worst blocks
top3 = [MEASUREMENTS[i] for i in np.argsort(-sums)[:3]]
"""
Q11_COLUMNS = """forest = RandomForestClassifier(n_estimators=N_TREES, random_state=FOREST_SEED).fit(X, y)
order = np.argsort(forest.feature_importances_)[::-1]
top3 = [X.columns[i].replace("mean ", "").replace("worst ", "").replace(" error", "") for i in order[:3]]
"""
Q11_MEAN_ONLY = """forest = RandomForestClassifier(n_estimators=N_TREES, random_state=FOREST_SEED).fit(X, y)
sums = forest.feature_importances_[:10]
top3 = [MEASUREMENTS[i] for i in np.argsort(-sums)[:3]]
"""


def q11(agg="sum", pick="list(groups.sort_values(ascending=False).index[:3])"):
    return Q11_GROUPBY.format(agg=agg, pick=pick)


Q12_MATRIX = """sim = {similarity}
{mask}
i, j = np.unravel_index(np.argmax(sim), sim.shape)
pair = {pair}
pair_cosine = float({value})
"""
COSINE = "(doc_vectors / np.linalg.norm(doc_vectors, axis=1, keepdims=True)) @ (doc_vectors / np.linalg.norm(doc_vectors, axis=1, keepdims=True)).T"


def q12(similarity=COSINE, mask="np.fill_diagonal(sim, -np.inf)", pair="(int(i), int(j))", value="sim[i, j]"):
    return Q12_MATRIX.format(similarity=similarity, mask=mask, pair=pair, value=value)


Q12_LOOP = """best = None
for i in range(len(doc_vectors)):
    for j in range(i + 1, len(doc_vectors)):
        c = np.dot(doc_vectors[i], doc_vectors[j]) / (np.linalg.norm(doc_vectors[i]) * np.linalg.norm(doc_vectors[j]))
        if best is None or c > best[0]:
            best = (c, i, j)
pair, pair_cosine = (best[1], best[2]), float(best[0])
"""
Q12_SCIPY = """from scipy.spatial.distance import pdist, squareform
sim = 1 - squareform(pdist(doc_vectors, metric="cosine"))
np.fill_diagonal(sim, -1)
i, j = divmod(int(np.argmax(sim)), len(doc_vectors))
pair, pair_cosine = [j, i], float(sim[i, j])
"""
Q12_EUCLID = """from scipy.spatial.distance import pdist, squareform
dist = squareform(pdist(doc_vectors))
np.fill_diagonal(dist, np.inf)
i, j = np.unravel_index(np.argmin(dist), dist.shape)
unit = doc_vectors / np.linalg.norm(doc_vectors, axis=1, keepdims=True)
pair, pair_cosine = (int(i), int(j)), float(unit[i] @ unit[j])
"""

ACCEPTED = {
    "q10 masks and idxmax": ("q10", q10()),
    "q10 query, then sort descending": ("q10", """ok = runs.query("status == 'FINISHED' and `metrics.fit_seconds` <= @BUDGET_SECONDS")
champion_id = str(ok.sort_values("metrics.roc_auc", ascending=False).iloc[0]["run_id"])
"""),
    "q10 dropna, then nlargest": ("q10", q10(pick='ok.dropna(subset=["metrics.roc_auc"]).nlargest(1, "metrics.roc_auc")["run_id"].iloc[0]')),
    "q10 every status but FAILED": ("q10", q10(status='(runs["status"] != "FAILED")')),
    "q10 the budget written as a number": ("q10", q10(budget='(runs["metrics.fit_seconds"] <= 10)')),
    "q11 groupby and sum": ("q11", q11()),
    "q11 groupby and mean (three versions each)": ("q11", q11(agg="mean")),
    "q11 groupby and nlargest": ("q11", q11(pick="list(groups.nlargest(3).index)")),
    "q11 reshape the three blocks of columns": ("q11", Q11_RESHAPE),
    "q12 unit rows and a masked diagonal": ("q12", q12()),
    "q12 sklearn cosine_similarity": ("q12", q12(
        similarity="__import__('sklearn.metrics.pairwise', fromlist=['cosine_similarity']).cosine_similarity(doc_vectors)")),
    "q12 a loop over the pairs": ("q12", Q12_LOOP),
    "q12 scipy pdist, larger row first, as a list": ("q12", Q12_SCIPY),
    "q12 the upper triangle only": ("q12", q12(mask="sim = np.triu(sim, k=1)")),
}
REJECTED = {
    "q10 failed runs kept": ("q10", q10(status="True")),
    "q10 the time budget ignored": ("q10", q10(budget="True")),
    "q10 the limit itself excluded (< instead of <=)": ("q10", q10(budget='(runs["metrics.fit_seconds"] < BUDGET_SECONDS)')),
    "q10 ascending sort and last row, NaN not dropped": ("q10", q10(pick='ok.sort_values("metrics.roc_auc").iloc[-1]["run_id"]')),
    "q10 the label from idxmax used as a position (iloc)": ("q10", q10(pick='ok.iloc[ok["metrics.roc_auc"].idxmax()]["run_id"]')),
    "q10 the lowest ROC AUC": ("q10", q10(pick='ok.loc[ok["metrics.roc_auc"].idxmin(), "run_id"]')),
    "q11 reversed order (least important of the three first)": ("q11", q11(pick="list(groups.sort_values().index[-3:])")),
    "q11 right three, alphabetical order": ("q11", q11(pick="sorted(groups.sort_values(ascending=False).index[:3])")),
    "q11 the three least important measurements": ("q11", q11(pick="list(groups.sort_values().index[:3])")),
    "q11 top single columns instead of sums": ("q11", Q11_COLUMNS),
    "q11 only the mean columns": ("q11", Q11_MEAN_ONLY),
    "q12 diagonal not masked (a row with itself)": ("q12", q12(mask="")),
    "q12 dot product instead of cosine": ("q12", q12(similarity="doc_vectors @ doc_vectors.T")),
    "q12 smallest Euclidean distance": ("q12", Q12_EUCLID),
    "q12 the cosine of the dot-product winner": ("q12", q12(
        similarity="doc_vectors @ doc_vectors.T",
        value="(doc_vectors[i] @ doc_vectors[j]) / (np.linalg.norm(doc_vectors[i]) * np.linalg.norm(doc_vectors[j]))")),
}


@pytest.mark.parametrize("item, answer, right", judged_named(ACCEPTED, REJECTED))
def test_each_answer_is_judged_as_an_expert_would(item, answer, right):
    assert_judged(WEEK, item, answer, right)


def test_reversed_ranking_loses_the_order_points_only():
    """Protects (issue 15): Q11 tests the order "most important first": the right three
    measurements in reversed order fail the order test but keep the point for the set."""
    import nbformat

    from mlops_course import paths, quizcells

    nb = nbformat.read(paths.QUIZZES_DIR / WEEK / "quiz.ipynb", as_version=4)
    verdict = judge_answer(WEEK, "q11", q11(pick="list(groups.sort_values().index[-3:])"))
    assert verdict and verdict.startswith("q11_order:"), verdict
    order = next(c for c in quizcells.tests_of(nb, "q11") if quizcells.grade_id(c) == "q11_order")
    assert quizcells.points(order) >= 2
