"""Week 11 quiz: the code tasks accept every correct method and reject the plausible
mistakes (ASSESSMENT.md, "Code and numeric tasks"), judged by the quiz's own tests.

Q9 is graded on the artifact: the DAG file the student writes, read back by the quiz's
stand-in of ``airflow.sdk`` (``read_dag`` in the q9_data cell; the grader has no Airflow).
Every case is judged on the source variant and on each of helpers.VARIANT_STUDENTS, the
way the grader judges: the item's data cells run again after the answer, just before its
tests, in a scratch working folder (the DAG file lands there, never in the checkout).
"""
from __future__ import annotations

import os
import shutil

import pytest

from helpers import VARIANT_STUDENTS, judged_named, quiz_namespace, source_solution

WEEK = "11_pipelines"
STUDENTS = ("source", *VARIANT_STUDENTS)


@pytest.fixture(scope="module", autouse=True)
def scratch_folder(tmp_path_factory):
    """The quiz writes its DAG file into the working folder: a scratch one here."""
    before = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("quiz11"))
    yield
    os.chdir(before)


def judge(item: str, answer: str, student: str = "source") -> str | None:
    """helpers.judge_answer as the grader runs it: a fresh folder (no DAG file from an
    earlier case), the answer, then the item's data cells again, then its tests."""
    from mlops_course import quizcells

    shutil.rmtree("dags", ignore_errors=True)
    nb, ns = quiz_namespace(WEEK, student)
    exec(answer, ns)
    for cell in nb.cells:
        if cell.cell_type == "code" and quizcells.is_data(cell) and quizcells.item_of(quizcells.grade_id(cell)) == item:
            exec(cell.source, ns)
    for test in quizcells.tests_of(nb, item):
        try:
            exec(test.source, ns)
        except Exception as exc:  # AssertionError (a test's verdict) or the answer's own error
            return f"{quizcells.grade_id(test)}: {type(exc).__name__}: {exc}"
    return None


# -- Q9: the scoring DAG file, read back by the stand-in of airflow.sdk ------------------
SOLUTION_Q9 = source_solution(WEEK, "q9").rstrip("\n") + "\n"
WRITE = "Path(DAG_FILE).parent.mkdir(parents=True, exist_ok=True)\nPath(DAG_FILE).write_text(DAG_SOURCE)\n"


def q9(*edits) -> str:
    """The source solution with (old, new) text replacements; each must apply."""
    text = SOLUTION_Q9
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return text


def dag_file(body: str) -> str:
    """An answer that writes ``body`` (an f-string over the given settings) as the DAG file."""
    return f'DAG_SOURCE = f"""{body}"""\n' + WRITE


RULE = '''        if report["missing_share"] > {MAX_MISSING_SHARE} or report["out_of_range"] > 0:
            return "quarantine_batch"
        if report["rows"] < {MIN_ROWS}:
            return "wait_for_more_rows"
        return "score_batch"'''
WIRING = '''    route_batch(validate_batch(batch)) >> [scores, quarantine_batch(batch), wait_for_more_rows()]'''
DEFAULTS = '''default_args={{"retries": {RETRIES}, "retry_delay": timedelta(minutes={RETRY_MINUTES})}}'''

CONTEXT_AND_CHAIN = dag_file('''
import datetime as dt

from airflow.sdk import DAG, chain, task

with DAG({DAG_ID!r}, schedule={SCHEDULE!r}, start_date=dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)):
    @task(retries={RETRIES}, retry_delay={RETRY_MINUTES * 60})
    def extract_batch():
        return "batch.csv"

    @task(retries={RETRIES}, retry_delay={RETRY_MINUTES * 60})
    def validate_batch():
        return {{"rows": 0, "missing_share": 0.0, "out_of_range": 0}}

    @task.branch(task_id="route_batch", retries={RETRIES}, retry_delay={RETRY_MINUTES * 60})
    def pick_path(report):
        broken = report["out_of_range"] > 0 or not report["missing_share"] <= {MAX_MISSING_SHARE}
        return "quarantine_batch" if broken else ("score_batch" if report["rows"] >= {MIN_ROWS} else "wait_for_more_rows")

    @task(retries={RETRIES}, retry_delay=dt.timedelta(seconds={RETRY_MINUTES * 60}))
    def step():
        return None

    report = validate_batch()
    chain(extract_batch(), report)
    branch = pick_path(report)
    score = step.override(task_id="score_batch")()
    branch >> [score, step.override(task_id="quarantine_batch")(), step.override(task_id="wait_for_more_rows")()]
    score >> step.override(task_id="publish_scores")()
''')

BARE_DAG_AND_ARROWS = dag_file('''
from datetime import datetime, timedelta
from airflow.decorators import dag, task

LIMITS = {{"share": {MAX_MISSING_SHARE}, "rows": {MIN_ROWS}}}


def rule(report):
    if report["out_of_range"]:
        return "quarantine_batch"
    if report["missing_share"] > LIMITS["share"]:
        return "quarantine_batch"
    return "wait_for_more_rows" if report["rows"] < LIMITS["rows"] else "score_batch"


@dag(schedule={SCHEDULE!r}, start_date=datetime(2025, 3, 1),
     default_args={{"retries": {RETRIES}, "retry_delay": timedelta(minutes={RETRY_MINUTES})}})
def {DAG_ID}():
    @task
    def extract_batch(): return "b"
    @task
    def validate_batch(): return {{}}
    @task.branch()
    def route_batch(report): return rule(report)
    @task
    def score_batch(): return "s"
    @task
    def quarantine_batch(): return None
    @task
    def wait_for_more_rows(): return None
    @task
    def publish_scores(): return None
    report = validate_batch()
    extract_batch() >> report
    branch = route_batch(report)
    scores = score_batch()
    branch >> scores >> publish_scores()
    branch >> [quarantine_batch(), wait_for_more_rows()]


{DAG_ID}()
''')

Q9_ACCEPTED = {
    "the source solution (TaskFlow, default_args, data passed between tasks)": SOLUTION_Q9,
    "a DAG context, chain, per-task retries in seconds, task ids from override": CONTEXT_AND_CHAIN,
    "bare @dag named after the dag_id, airflow.decorators, arrows without data": BARE_DAG_AND_ARROWS,
    "the rule with elif and a helper function": q9((RULE, '''        return _route(report)'''),                                                   ("\n\n@dag(", f'''\n\ndef _route(report):
    if report["out_of_range"] > 0:
        return "quarantine_batch"
    elif report["missing_share"] > {{MAX_MISSING_SHARE}}:
        return "quarantine_batch"
    elif report["rows"] >= {{MIN_ROWS}}:
        return "score_batch"
    return "wait_for_more_rows"


@dag(''')),
    "catch-up left at Airflow 3's default (off)": q9((" catchup=False,", "")),
    "extra arrow that follows from the others (extract_batch >> publish_scores)": q9(("    publish_scores(scores)\n", "    batch >> publish_scores(scores)\n")),
    "a time zone on the start date": q9(("start_date=datetime(2025, 1, 1)", "start_date=datetime(2025, 1, 1, tzinfo=timezone.utc)"),
                                        ("from datetime import datetime, timedelta", "from datetime import datetime, timedelta, timezone")),
}

Q9_REJECTED = {
    "the issue's order: rows checked first (120 rows, 0 missing, 3 out of range waits)": q9((RULE, '''        if report["rows"] < {MIN_ROWS}:
            return "wait_for_more_rows"
        if report["missing_share"] > {MAX_MISSING_SHARE} or report["out_of_range"] > 0:
            return "quarantine_batch"
        return "score_batch"''')),
    "any missing value quarantines (the share limit ignored)": q9(('report["missing_share"] > {MAX_MISSING_SHARE}', 'report["missing_share"] > 0')),
    "a share at the limit is quarantined (>= instead of >)": q9(('report["missing_share"] > {MAX_MISSING_SHARE}', 'report["missing_share"] >= {MAX_MISSING_SHARE}')),
    "a batch of exactly MIN_ROWS rows waits (<= instead of <)": q9(('report["rows"] < {MIN_ROWS}', 'report["rows"] <= {MIN_ROWS}')),
    "out-of-range values ignored": q9((' or report["out_of_range"] > 0', "")),
    "the branch as a plain @task (returns a string, skips nothing)": q9(("    @task.branch\n", "    @task\n")),
    "publish_scores straight after the branch": q9((WIRING, '''    route_batch(validate_batch(batch)) >> [scores, quarantine_batch(batch), wait_for_more_rows(), publish_scores(scores)]'''),
                                                  ("    publish_scores(scores)\n", "")),
    "quarantine_batch after validate_batch, outside the branch": q9((WIRING, '''    report = validate_batch(batch)
    route_batch(report) >> [scores, wait_for_more_rows()]
    report >> quarantine_batch(batch)''')),
    "score_batch not under the branch (only data from extract_batch)": q9((WIRING, '''    route_batch(validate_batch(batch)) >> [quarantine_batch(batch), wait_for_more_rows()]''')),
    "a task id that differs from the one asked for": q9(("def wait_for_more_rows():", "def wait_for_data():"),
                                                       ("wait_for_more_rows()]", "wait_for_data()]")),
    "retries only on extract_batch": q9(('"retries": {RETRIES}, ', ''),
                                        ("    @task\n    def extract_batch", "    @task(retries={RETRIES})\n    def extract_batch")),
    "retries counted as attempts (one too many)": q9(('"retries": {RETRIES}', '"retries": {RETRIES + 1}')),
    "retry_delay as a bare number of minutes (Airflow reads seconds)": q9(("timedelta(minutes={RETRY_MINUTES})", "{RETRY_MINUTES}")),
    "Airflow 2's schedule_interval (an import error in Airflow 3)": q9(("schedule={SCHEDULE!r}", "schedule_interval={SCHEDULE!r}")),
    "catch-up switched on": q9(("catchup=False", "catchup=True")),
    "no schedule": q9(("schedule={SCHEDULE!r}", "schedule=None")),
    "a start date in the future": q9(("datetime(2025, 1, 1)", "datetime(2099, 1, 1)")),
    "the DAG function never called (Airflow registers no DAG)": q9(("\n\nscoring()\n", "\n")),
    "the DAG source built but never saved as DAG_FILE": q9((WRITE, "")),
    # hostile: artifacts that imitate a DAG without being one
    "hostile: a dict that lists the tasks and arrows, no DAG": dag_file('''
DAG = {{"dag_id": {DAG_ID!r}, "schedule": {SCHEDULE!r}, "catchup": False, "default_args": {{"retries": {RETRIES}}},
       "tasks": ["extract_batch", "validate_batch", "route_batch", "score_batch", "quarantine_batch",
                 "wait_for_more_rows", "publish_scores"]}}
'''),
    "hostile: the arrows as text, not code": dag_file('''
# extract_batch >> validate_batch >> route_batch >> [score_batch, quarantine_batch, wait_for_more_rows]
# score_batch >> publish_scores, retries={RETRIES}, schedule={SCHEDULE!r}
'''),
    "hostile: home-made dag and task decorators, no airflow.sdk": q9(("from airflow.sdk import dag, task\n", '''
def task(f=None, **kw):
    return f if f else (lambda g: g)
task.branch = task
def dag(**kw):
    return lambda f: f
''')),
    "hostile: a planted airflow.sdk that registers a perfect DAG, the file none": '''
import sys, types
from datetime import datetime, timedelta
_fake = types.ModuleType("airflow.sdk")
_fake.dag = _fake.task = lambda *a, **k: (lambda f: f)
sys.modules["airflow.sdk"] = _fake
DAG_SOURCE = "from airflow.sdk import dag, task\\n"
''' + WRITE,
    "hostile: read_dag rebound to return the expected DAG": '''
from datetime import datetime, timedelta
DAG_SOURCE = "# nothing here\\n"
''' + WRITE + '''
def read_dag(path):
    names = ["extract_batch", "validate_batch", "route_batch", "score_batch", "quarantine_batch", "wait_for_more_rows", "publish_scores"]
    ups = {"extract_batch": [], "validate_batch": ["extract_batch"], "route_batch": ["validate_batch"], "score_batch": ["route_batch"],
           "quarantine_batch": ["route_batch"], "wait_for_more_rows": ["route_batch"], "publish_scores": ["score_batch"]}
    rule = lambda r: "quarantine_batch" if r["missing_share"] > MAX_MISSING_SHARE or r["out_of_range"] else (
        "wait_for_more_rows" if r["rows"] < MIN_ROWS else "score_batch")
    return {DAG_ID: {"schedule": SCHEDULE, "catchup": False, "start_date": datetime(2025, 1, 1),
                     "tasks": {t: {"upstream": ups[t], "branch": t == "route_batch", "retries": RETRIES,
                                   "retry_delay": timedelta(minutes=RETRY_MINUTES), "function": rule} for t in names}}}
''',
    "hostile: a branch that answers score_batch to everything": q9((RULE, '        return "score_batch"')),
    "hostile: a branch that returns a string equal to anything": q9((RULE, '''        class Anything(str):
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            def __hash__(self): return 0
        return Anything("score_batch")''')),
    "hostile: a correct DAG_SOURCE, but the file holds something else": SOLUTION_Q9 + 'Path(DAG_FILE).write_text("# not a DAG\\n")\n',
}

# -- Q10: the critical path, and no run for a graph with a cycle -------------------------
KAHN = '''def wall_time(durations, upstream):
    ends = {{}}
    while len(ends) < len(upstream):
        ready = [t for t, ups in upstream.items() if t not in ends and all(u in ends for u in ups)]
        if not ready:
            raise ValueError("cycle")
        for t in ready:
            ends[t] = {finish}
    return {total}


wall_minutes = wall_time(durations, upstream)
'''


def q10(finish="durations[t] + max((ends[u] for u in upstream[t]), default=0)", total="max(ends.values())") -> str:
    return KAHN.format(finish=finish, total=total)


Q10_ACCEPTED = {
    "q10 the source solution (waves, a cycle when no task can be placed)": source_solution(WEEK, "q10"),
    "q10 graphlib order (CycleError is a ValueError), then one pass": ("q10", """
from graphlib import TopologicalSorter
def wall_time(durations, upstream):
    finish = {}
    for t in TopologicalSorter(upstream).static_order():
        finish[t] = durations[t] + max([finish[u] for u in upstream[t]] + [0])
    return float(max(finish.values()))
wall_minutes = wall_time(durations, upstream)
"""),
    "q10 depth-first with a cache and an on-the-path set": ("q10", """
def wall_time(durations, upstream):
    ends, on_path = {}, set()
    def end(t):
        if t in on_path:
            raise ValueError(f"cycle through {t}")
        if t not in ends:
            on_path.add(t)
            ends[t] = durations[t] + max((end(u) for u in upstream[t]), default=0)
            on_path.discard(t)
        return ends[t]
    return max(end(t) for t in upstream)
wall_minutes = wall_time(durations, upstream)
"""),
    "q10 Kahn with in-degree counts and a deque": ("q10", """
from collections import deque
def wall_time(durations, upstream):
    waiting = {t: len(set(ups)) for t, ups in upstream.items()}
    children = {t: [] for t in upstream}
    for t, ups in upstream.items():
        for u in set(ups):
            children[u].append(t)
    start = {t: 0 for t in upstream}
    queue, done = deque(t for t, n in waiting.items() if n == 0), 0
    while queue:
        t = queue.popleft()
        done += 1
        for c in children[t]:
            start[c] = max(start[c], start[t] + durations[t])
            waiting[c] -= 1
            if waiting[c] == 0:
                queue.append(c)
    if done < len(upstream):
        raise ValueError("the graph has a cycle")
    return max(start[t] + durations[t] for t in upstream)
wall_minutes = wall_time(durations, upstream)
"""),
}
Q10_ACCEPTED["q10 the source solution (waves, a cycle when no task can be placed)"] = ("q10", Q10_ACCEPTED["q10 the source solution (waves, a cycle when no task can be placed)"])

Q10_REJECTED = {
    "q10 every task one after the other (no parallelism)": ("q10", q10(total="sum(durations.values())")),
    "q10 the longest single task": ("q10", q10(total="max(durations.values())")),
    "q10 a join waits for its fastest upstream task": ("q10", q10(finish="durations[t] + min((ends[u] for u in upstream[t]), default=0)")),
    "q10 the start of the last task instead of its end": ("q10", q10(total="max(ends[t] - durations[t] for t in ends)")),
    "q10 the path with the most tasks, not the longest in minutes": ("q10", """
def wall_time(durations, upstream):
    from graphlib import TopologicalSorter
    list(TopologicalSorter(upstream).static_order())
    def paths(t):
        return [[t]] if not upstream[t] else [p + [t] for u in upstream[t] for p in paths(u)]
    every = [p for t in upstream for p in paths(t)]
    most = max(len(p) for p in every)
    return max(sum(durations[x] for x in p) for p in every if len(p) == most)
wall_minutes = wall_time(durations, upstream)
"""),
    "q10 level by level, each level waiting for its slowest task": ("q10", """
def wall_time(durations, upstream):
    level = {}
    while len(level) < len(upstream):
        ready = [t for t, ups in upstream.items() if t not in level and all(u in level for u in ups)]
        if not ready:
            raise ValueError("cycle")
        for t in ready:
            level[t] = 1 + max((level[u] for u in upstream[t]), default=-1)
    return sum(max(durations[t] for t in upstream if level[t] == k) for k in set(level.values()))
wall_minutes = wall_time(durations, upstream)
"""),
    "q10 the issue's mistake: a cycle counts only when no task is a start task": ("q10", """
def wall_time(durations, upstream):
    if all(upstream[t] for t in upstream):
        raise ValueError("no start task: a cycle")
    ends = {}
    for _ in upstream:
        for t, ups in upstream.items():
            ends[t] = durations[t] + max((ends.get(u, 0) for u in ups), default=0)
    return max(ends.values())
wall_minutes = wall_time(durations, upstream)
"""),
    "q10 no cycle check: a fixed number of sweeps": ("q10", """
def wall_time(durations, upstream):
    ends = {}
    for _ in upstream:
        for t, ups in upstream.items():
            ends[t] = durations[t] + max((ends.get(u, 0) for u in ups), default=0)
    return max(ends.values())
wall_minutes = wall_time(durations, upstream)
"""),
    "q10 recursion without a guard (RecursionError, not ValueError)": ("q10", """
def wall_time(durations, upstream):
    def end(t):
        return durations[t] + max((end(u) for u in upstream[t]), default=0)
    return max(end(t) for t in upstream)
wall_minutes = wall_time(durations, upstream)
"""),
    "q10 sweeps until nothing changes (never ends on a cycle: stopped by the test's timer)": ("q10", """
def wall_time(durations, upstream):
    ends, changed = {t: 0 for t in upstream}, True
    while changed:
        changed = False
        for t, ups in upstream.items():
            new = durations[t] + max((ends[u] for u in ups), default=0)
            if new != ends[t]:
                ends[t], changed = new, True
    return max(ends.values())
wall_minutes = wall_time(durations, upstream)
"""),
    "q10 a ValueError for every graph": ("q10", """
def wall_time(durations, upstream):
    raise ValueError("cycle")
wall_minutes = 1.0
"""),
    "q10 hostile: the source variant's number typed in, a function that only raises": ("q10", """
def wall_time(durations, upstream):
    if len(upstream) == 9:
        return 120
    raise ValueError("cycle")
wall_minutes = 120
"""),
}

# -- Q11: trigger rules of a join ---------------------------------------------------
Q11_ACCEPTED = {
    "q11 if chain with all() and any()": ("q11", """
def join_decision(rule, states):
    if rule == "all_success":
        ok = all(s == "success" for s in states)
    elif rule == "all_done":
        ok = True
    elif rule == "none_failed":
        ok = not any(s == "failed" for s in states)
    else:
        ok = "failed" not in states and any(s == "success" for s in states)
    return "run" if ok else "skip"
"""),
    "q11 a match statement with list.count": ("q11", """
def join_decision(rule, states):
    match rule:
        case "all_success":
            ok = states.count("success") == len(states)
        case "all_done":
            ok = True
        case "none_failed":
            ok = states.count("failed") == 0
        case _:
            ok = states.count("failed") == 0 and states.count("success") >= 1
    return "run" if ok else "skip"
"""),
    "q11 counting with a Counter": ("q11", """
from collections import Counter
def join_decision(rule, states):
    n = Counter(states)
    ok = {"all_success": n["success"] == len(states), "all_done": True,
          "none_failed": n["failed"] == 0, "none_failed_min_one_success": n["failed"] == 0 and n["success"] > 0}[rule]
    return ["skip", "run"][ok]
"""),
}

Q11_REJECTED = {
    "q11 min_one_success treated like none_failed": ("q11", """
def join_decision(rule, states):
    if rule == "all_success":
        return "run" if set(states) == {"success"} else "skip"
    if rule == "all_done":
        return "run"
    return "skip" if "failed" in states else "run"
"""),
    "q11 all_success lets a skipped upstream through": ("q11", """
def join_decision(rule, states):
    failed = "failed" in states
    if rule in ("all_success", "none_failed"):
        return "skip" if failed else "run"
    if rule == "all_done":
        return "run"
    return "run" if not failed and "success" in states else "skip"
"""),
    "q11 none_failed counts a skip as a failure": ("q11", """
def join_decision(rule, states):
    if rule in ("all_success", "none_failed"):
        return "run" if all(s == "success" for s in states) else "skip"
    if rule == "all_done":
        return "run"
    return "run" if "failed" not in states and "success" in states else "skip"
"""),
    "q11 all_done only when nothing failed": ("q11", """
def join_decision(rule, states):
    failed = "failed" in states
    ok = {"all_success": set(states) == {"success"}, "all_done": not failed,
          "none_failed": not failed, "none_failed_min_one_success": not failed and "success" in states}[rule]
    return "run" if ok else "skip"
"""),
    "q11 min_one_success ignores failures": ("q11", """
def join_decision(rule, states):
    failed = "failed" in states
    ok = {"all_success": set(states) == {"success"}, "all_done": True,
          "none_failed": not failed, "none_failed_min_one_success": "success" in states}[rule]
    return "run" if ok else "skip"
"""),
    "q11 returns a bool instead of 'run' / 'skip'": ("q11", """
def join_decision(rule, states):
    failed = "failed" in states
    return {"all_success": set(states) == {"success"}, "all_done": True,
            "none_failed": not failed, "none_failed_min_one_success": not failed and "success" in states}[rule]
"""),
}


ACCEPTED = {**{name: ("q9", a) for name, a in Q9_ACCEPTED.items()}, **Q10_ACCEPTED, **Q11_ACCEPTED}
REJECTED = {**{name: ("q9", a) for name, a in Q9_REJECTED.items()}, **Q10_REJECTED, **Q11_REJECTED}


def cases() -> list:
    params = []
    for base in judged_named(ACCEPTED, REJECTED):
        item, answer, right = base.values
        for student in STUDENTS:
            params.append(pytest.param(item, answer, right, student, id=f"{base.id}-{student}"))
    return params


@pytest.mark.parametrize("item, answer, right, student", cases())
def test_each_answer_is_judged_as_an_expert_would(item, answer, right, student):
    """Protects: every correct method earns every point of the item on each student's
    variant; each plausible mistake and each faked artifact fails a hidden test."""
    verdict = judge(item, answer, student)
    assert (verdict is None) == right, verdict or "the mistake passed every test of the item"


@pytest.mark.parametrize("item", ["q9", "q10", "q11"])
def test_the_source_solution_passes(item):
    """Protects: the solution in the quiz source earns the item's points."""
    assert judge(item, source_solution(WEEK, item)) is None


def test_the_issues_branch_order_fails_the_branch_test_only():
    """Protects: checking the size first (120 rows, 0 missing, 3 out of range -> waits)
    loses the branch point and keeps the structure and settings points."""
    verdict = judge("q9", Q9_REJECTED["the issue's order: rows checked first (120 rows, 0 missing, 3 out of range waits)"])
    assert verdict and verdict.startswith("q9_branch:"), verdict


def test_the_cycle_behind_a_start_task_fails_the_cycle_test_only():
    verdict = judge("q10", Q10_REJECTED["q10 the issue's mistake: a cycle counts only when no task is a start task"][1])
    assert verdict and verdict.startswith("q10_cycle:"), verdict


def test_the_picks_keep_every_named_q10_mistake_wrong():
    """Protects: on every seed and duration range the picks can produce, the critical
    path differs from each named mistake's number by at least 2 minutes."""
    import numpy as np

    _, ns = quiz_namespace(WEEK)
    upstream = ns["upstream"]

    def paths(t):
        return [[t]] if not upstream[t] else [p + [t] for u in upstream[t] for p in paths(u)]

    every = [p for t in upstream for p in paths(t)]
    most = max(len(p) for p in every)
    for seed in (1013, 5, 23, 27, 40, 46, 47, 74):
        for low, high in ((2, 30), (3, 40), (1, 20)):
            rng = np.random.default_rng(seed)
            d = {t: int(rng.integers(low, high + 1)) for t in upstream}

            def end(t, pick=max):
                return d[t] + pick([end(u, pick) for u in upstream[t]], default=0)

            right = max(end(t) for t in upstream)
            level = {}
            for _ in upstream:
                for t, ups in upstream.items():
                    level[t] = 1 + max((level.get(u, 0) for u in ups), default=-1)
            wrong = [sum(d.values()), max(d.values()), max(end(t, min) for t in upstream),
                     max(end(t) - d[t] for t in upstream),
                     max(sum(d[x] for x in p) for p in every if len(p) == most),
                     sum(max(d[t] for t in upstream if level[t] == k) for k in set(level.values()))]
            assert all(abs(w - right) >= 2 for w in wrong), (seed, low, high, right, wrong)
