"""Week 09 quiz: the code tasks accept every correct method and reject the plausible
mistakes (ASSESSMENT.md, "Code and numeric tasks").

Each answer replaces the task's answer cell; ``helpers.judge_answer`` runs the quiz's
setup and data cells, the answer, then the item's tests (visible checks and hidden tests).
"""
from __future__ import annotations

import pytest

from helpers import assert_judged, judged_named

WEEK = "09_deployment"

ACCEPTED = {
    # Q10: the latency objective
    ("q10", "numpy percentile and mean"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 99))
slow_share = float(np.mean(ms > 40))
meets_slo = bool(slow_share <= 0.01)
""",
    ("q10", "nearest-rank percentile, verdict from p99"): """
ms = np.sort(latencies_s * 1000)
p99_ms = float(ms[int(np.ceil(0.99 * len(ms))) - 1])
slow_share = float(np.count_nonzero(ms > 40) / len(ms))
meets_slo = bool(slow_share <= 0.01)
""",
    ("q10", "pandas quantile"): """
import pandas as pd
s = pd.Series(latencies_s) * 1000
p99_ms = float(s.quantile(0.99))
slow_share = float((s > SLO_MS).mean())
meets_slo = slow_share <= 0.01
""",
    # Q11: sample size of an A/B test
    ("q11", "classic formula with scipy"): """
import math
from scipy import stats
za, zb = stats.norm.ppf(1 - ALPHA / 2), stats.norm.ppf(POWER)
pm = (BASELINE + TARGET) / 2
n = (za * math.sqrt(2 * pm * (1 - pm)) + zb * math.sqrt(BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET))) ** 2
n_per_group = math.ceil(n / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q11", "unpooled variance under both hypotheses"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
var = BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)
n_per_group = math.ceil(z ** 2 * var / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(n_per_group / (DAILY_VISITORS / 2))
""",
    ("q11", "statsmodels NormalIndPower with Cohen's h"): """
import math
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize
h = proportion_effectsize(TARGET, BASELINE)
n_per_group = math.ceil(NormalIndPower().solve_power(h, alpha=ALPHA, power=POWER, alternative="two-sided"))
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    # Q12: UCB1
    ("q12", "loop with math"): """
import math
def ucb1_arm(successes, trials):
    for i, t in enumerate(trials):
        if t == 0:
            return i
    n = sum(trials)
    scores = [s / t + math.sqrt(2 * math.log(n) / t) for s, t in zip(successes, trials)]
    return scores.index(max(scores))
""",
    ("q12", "numpy with argmin for the unseen arm"): """
def ucb1_arm(successes, trials):
    s, t = np.asarray(successes, float), np.asarray(trials, float)
    if np.any(t == 0):
        return int(np.argmin(t))
    return int(np.argmax(s / t + np.sqrt(2 * np.log(t.sum()) / t)))
""",
    ("q10", "weibull percentile, verdict from p99 and >= 40"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 99, method="weibull"))
slow_share = float(np.mean(ms >= SLO_MS))
meets_slo = bool(p99_ms <= SLO_MS)
""",
    ("q11", "pooled variance under both hypotheses"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
pm = (BASELINE + TARGET) / 2
n_per_group = math.ceil(z ** 2 * 2 * pm * (1 - pm) / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q12", "plain lists, max over indices with a key"): """
import math
def ucb1_arm(successes, trials):
    trials, successes = list(trials), list(successes)
    if 0 in trials:
        return trials.index(0)
    n = sum(trials)
    return max(range(len(trials)), key=lambda i: successes[i] / trials[i] + math.sqrt(2 * math.log(n) / trials[i]))
""",
}

REJECTED = {
    ("q10", "latencies left in seconds"): """
p99_ms = float(np.percentile(latencies_s, 99))
slow_share = float(np.mean(latencies_s > 0.040))
meets_slo = bool(slow_share <= 0.01)
""",
    ("q10", "95th instead of 99th percentile"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 95))
slow_share = float(np.mean(ms > 40))
meets_slo = bool(slow_share <= 0.01)
""",
    ("q10", "mean plus two standard deviations"): """
ms = latencies_s * 1000
p99_ms = float(ms.mean() + 2 * ms.std())
slow_share = float(np.mean(ms > 40))
meets_slo = bool(slow_share <= 0.01)
""",
    ("q10", "share of fast requests"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 99))
slow_share = float(np.mean(ms <= 40))
meets_slo = bool(slow_share >= 0.99)
""",
    ("q10", "share in percent"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 99))
slow_share = float(np.mean(ms > 40) * 100)
meets_slo = bool(slow_share <= 1)
""",
    ("q10", "verdict from the median"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 99))
slow_share = float(np.mean(ms > 40))
meets_slo = bool(np.median(ms) <= 40)
""",
    ("q11", "one-sided z"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA) + NormalDist().inv_cdf(POWER)
var = BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)
n_per_group = math.ceil(z ** 2 * var / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q11", "power ignored"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2)
var = BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)
n_per_group = math.ceil(z ** 2 * var / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q11", "both groups counted as one"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
var = BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)
n_per_group = 2 * math.ceil(z ** 2 * var / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(n_per_group / DAILY_VISITORS)
""",
    ("q11", "Cohen's h without the factor 2 of two groups"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
h = 2 * math.asin(math.sqrt(TARGET)) - 2 * math.asin(math.sqrt(BASELINE))
n_per_group = math.ceil((z / h) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q11", "days from one group's traffic"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
var = BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)
n_per_group = math.ceil(z ** 2 * var / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(n_per_group / DAILY_VISITORS)
""",
    ("q11", "days rounded down"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
var = BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)
n_per_group = math.ceil(z ** 2 * var / (TARGET - BASELINE) ** 2)
days_needed = math.floor(2 * n_per_group / DAILY_VISITORS)
""",
    ("q12", "greedy, no bonus"): """
def ucb1_arm(successes, trials):
    s, t = np.asarray(successes, float), np.asarray(trials, float)
    if np.any(t == 0):
        return int(np.flatnonzero(t == 0)[0])
    return int(np.argmax(s / t))
""",
    ("q12", "log of the arm's own trials"): """
def ucb1_arm(successes, trials):
    s, t = np.asarray(successes, float), np.asarray(trials, float)
    if np.any(t == 0):
        return int(np.flatnonzero(t == 0)[0])
    return int(np.argmax(s / t + np.sqrt(2 * np.log(t) / t)))
""",
    ("q12", "bonus without the square root"): """
def ucb1_arm(successes, trials):
    s, t = np.asarray(successes, float), np.asarray(trials, float)
    if np.any(t == 0):
        return int(np.flatnonzero(t == 0)[0])
    return int(np.argmax(s / t + 2 * np.log(t.sum()) / t))
""",
    ("q12", "log base 10"): """
def ucb1_arm(successes, trials):
    s, t = np.asarray(successes, float), np.asarray(trials, float)
    if np.any(t == 0):
        return int(np.flatnonzero(t == 0)[0])
    return int(np.argmax(s / t + np.sqrt(2 * np.log10(t.sum()) / t)))
""",
    ("q12", "unseen arms counted as shown once"): """
def ucb1_arm(successes, trials):
    s, t = np.asarray(successes, float), np.maximum(np.asarray(trials, float), 1)
    return int(np.argmax(s / t + np.sqrt(2 * np.log(t.sum()) / t)))
""",
    ("q12", "the last unseen arm first"): """
def ucb1_arm(successes, trials):
    s, t = np.asarray(successes, float), np.asarray(trials, float)
    if np.any(t == 0):
        return int(np.flatnonzero(t == 0)[-1])
    return int(np.argmax(s / t + np.sqrt(2 * np.log(t.sum()) / t)))
""",
    ("q10", "np.percentile given the fraction 0.99"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 0.99))
slow_share = float(np.mean(ms > 40))
meets_slo = bool(slow_share <= 0.01)
""",
    ("q10", "slow share over the normal-path requests only"): """
ms = latencies_s * 1000
p99_ms = float(np.percentile(ms, 99))
slow_share = float(np.sum(ms > 40) / N_FAST)
meets_slo = bool(slow_share <= 0.01)
""",
    ("q11", "continuity correction added (not the formula asked for)"): """
import math
from statistics import NormalDist
za, zb = NormalDist().inv_cdf(1 - ALPHA / 2), NormalDist().inv_cdf(POWER)
pm, d = (BASELINE + TARGET) / 2, TARGET - BASELINE
n = (za * math.sqrt(2 * pm * (1 - pm)) + zb * math.sqrt(BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET))) ** 2 / d ** 2
n_per_group = math.ceil(n / 4 * (1 + math.sqrt(1 + 4 / (n * d))) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q11", "z of the power taken at 1 - POWER"): """
import math
from statistics import NormalDist
z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(1 - POWER)
var = BASELINE * (1 - BASELINE) + TARGET * (1 - TARGET)
n_per_group = math.ceil(z ** 2 * var / (TARGET - BASELINE) ** 2)
days_needed = math.ceil(2 * n_per_group / DAILY_VISITORS)
""",
    ("q12", "the highest index on a tie"): """
def ucb1_arm(successes, trials):
    s, t = np.asarray(successes, float), np.asarray(trials, float)
    if np.any(t == 0):
        return int(np.flatnonzero(t == 0)[0])
    score = s / t + np.sqrt(2 * np.log(t.sum()) / t)
    return int(len(score) - 1 - np.argmax(score[::-1]))
""",
    ("q12", "bonus without the factor 2"): """
def ucb1_arm(successes, trials):
    s, t = np.asarray(successes, float), np.asarray(trials, float)
    if np.any(t == 0):
        return int(np.flatnonzero(t == 0)[0])
    return int(np.argmax(s / t + np.sqrt(np.log(t.sum()) / t)))
""",
    ("q12", "N taken as the total successes"): """
def ucb1_arm(successes, trials):
    s, t = np.asarray(successes, float), np.asarray(trials, float)
    if np.any(t == 0):
        return int(np.flatnonzero(t == 0)[0])
    return int(np.argmax(s / t + np.sqrt(2 * np.log(max(s.sum(), 2)) / t)))
""",
    ("q12", "N taken as the number of arms"): """
def ucb1_arm(successes, trials):
    s, t = np.asarray(successes, float), np.asarray(trials, float)
    if np.any(t == 0):
        return int(np.flatnonzero(t == 0)[0])
    return int(np.argmax(s / t + np.sqrt(2 * np.log(len(t)) / t)))
""",
}


@pytest.mark.parametrize("item, answer, right", judged_named(ACCEPTED, REJECTED))
def test_each_answer_is_judged_as_an_expert_would(item, answer, right):
    assert_judged(WEEK, item, answer, right)
