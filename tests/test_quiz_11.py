"""Week 11 quiz: the code tasks accept every correct method and reject the plausible
mistakes (ASSESSMENT.md, "Code and numeric tasks"), judged by the quiz's own tests."""
from __future__ import annotations

import pytest

from helpers import assert_judged, judge_answer, judged_named, source_solution

WEEK = "11_pipelines"

# -- Q9: the cleared task and everything downstream of it ----------------------------
Q9_ACCEPTED = {
    "q9 breadth-first with a deque": ("q9", """
from collections import deque
def to_rerun(deps, task):
    children = {t: [] for t in deps}
    for t, ups in deps.items():
        for u in ups:
            children[u].append(t)
    seen, queue = [task], deque([task])
    while queue:
        for child in children[queue.popleft()]:
            if child not in seen:
                seen.append(child)
                queue.append(child)
    return seen
"""),
    "q9 recursive depth-first with a set": ("q9", """
def to_rerun(deps, task):
    found = set()
    def visit(t):
        if t in found:
            return
        found.add(t)
        for other, ups in deps.items():
            if t in ups:
                visit(other)
    visit(task)
    return sorted(found)
"""),
    "q9 one sweep in topological order (graphlib)": ("q9", """
from graphlib import TopologicalSorter
def to_rerun(deps, task):
    found = []
    for t in TopologicalSorter(deps).static_order():
        if t == task or any(u in found for u in deps[t]):
            found.append(t)
    return found
"""),
    "q9 fixed point over sets, returned as a tuple": ("q9", """
def to_rerun(deps, task):
    found = {task}
    while True:
        more = {t for t, ups in deps.items() if set(ups) & found} - found
        if not more:
            return tuple(found)
        found |= more
"""),
}

Q9_REJECTED = {
    "q9 only the direct downstream tasks": ("q9", """
def to_rerun(deps, task):
    return [task] + [t for t, ups in deps.items() if task in ups]
"""),
    "q9 upstream instead of downstream": ("q9", """
def to_rerun(deps, task):
    found, stack = {task}, [task]
    while stack:
        for u in deps[stack.pop()]:
            if u not in found:
                found.add(u)
                stack.append(u)
    return list(found)
"""),
    "q9 leaves out the cleared task": ("q9", """
def to_rerun(deps, task):
    found, stack = set(), [task]
    while stack:
        current = stack.pop()
        for t, ups in deps.items():
            if current in ups and t not in found:
                found.add(t)
                stack.append(t)
    return list(found)
"""),
    "q9 only two levels down": ("q9", """
def to_rerun(deps, task):
    first = [t for t, ups in deps.items() if task in ups]
    second = [t for t, ups in deps.items() if any(u in first for u in ups)]
    return list(dict.fromkeys([task] + first + second))
"""),
    "q9 a task re-runs only when all of its upstream tasks are cleared": ("q9", """
def to_rerun(deps, task):
    found, changed = {task}, True
    while changed:
        changed = False
        for t, ups in deps.items():
            if t not in found and ups and all(u in found for u in ups):
                found.add(t)
                changed = True
    return list(found)
"""),
    "q9 no visited set: a diamond is listed twice": ("q9", """
def to_rerun(deps, task):
    out = [task]
    for t, ups in deps.items():
        if task in ups:
            out += to_rerun(deps, t)
    return out
"""),
    "q9 everything after the task in a run order": ("q9", """
def to_rerun(deps, task):
    done, order = set(), []
    while len(order) < len(deps):
        ready = [t for t, ups in deps.items() if t not in done and set(ups) <= done]
        order += ready
        done |= set(ready)
    return order[order.index(task):]
"""),
}

# -- Q10: the critical path --------------------------------------------------------
Q10_ACCEPTED = {
    "q10 recursion with a cache": ("q10", """
from functools import lru_cache
@lru_cache(maxsize=None)
def _end(t):
    return durations[t] + max((_end(u) for u in upstream[t]), default=0)
wall_minutes = max(_end(t) for t in upstream)
"""),
    "q10 graphlib order, then one pass": ("q10", """
from graphlib import TopologicalSorter
finish = {}
for t in TopologicalSorter(upstream).static_order():
    finish[t] = durations[t] + max([finish[u] for u in upstream[t]] + [0])
wall_minutes = float(max(finish.values()))
"""),
    "q10 longest over all paths from the end": ("q10", """
def _paths(t):
    if not upstream[t]:
        return [[t]]
    return [p + [t] for u in upstream[t] for p in _paths(u)]
wall_minutes = max(sum(durations[x] for x in p) for t in upstream for p in _paths(t))
"""),
}

Q10_REJECTED = {
    "q10 every task one after the other (no parallelism)": ("q10", "wall_minutes = sum(durations.values())"),
    "q10 the longest single task": ("q10", "wall_minutes = max(durations.values())"),
    "q10 a join waits for its fastest upstream task": ("q10", """
def _end(t):
    return durations[t] + min((_end(u) for u in upstream[t]), default=0)
wall_minutes = max(_end(t) for t in upstream)
"""),
    "q10 the start of the last task instead of its end": ("q10", """
def _end(t):
    return durations[t] + max((_end(u) for u in upstream[t]), default=0)
wall_minutes = max(_end(t) - durations[t] for t in upstream)
"""),
    "q10 the path with the most tasks, not the longest in minutes": ("q10", """
def _paths(t):
    if not upstream[t]:
        return [[t]]
    return [p + [t] for u in upstream[t] for p in _paths(u)]
_all = [p for t in upstream for p in _paths(t)]
_most = max(len(p) for p in _all)
wall_minutes = max(sum(durations[x] for x in p) for p in _all if len(p) == _most)
"""),
    "q10 level by level, each level waiting for its slowest task": ("q10", """
_level = {}
for _ in upstream:
    for t, ups in upstream.items():
        _level[t] = 1 + max((_level.get(u, 0) for u in ups), default=-1)
wall_minutes = sum(max(durations[t] for t in upstream if _level[t] == k) for k in set(_level.values()))
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

ACCEPTED = {**Q9_ACCEPTED, **Q10_ACCEPTED, **Q11_ACCEPTED}
REJECTED = {**Q9_REJECTED, **Q10_REJECTED, **Q11_REJECTED}


@pytest.mark.parametrize("item, answer, right", judged_named(ACCEPTED, REJECTED))
def test_each_answer_is_judged_as_an_expert_would(item, answer, right):
    assert_judged(WEEK, item, answer, right)


@pytest.mark.parametrize("item", ["q9", "q10", "q11"])
def test_the_source_solution_passes(item):
    """Protects: the solution in the quiz source earns the item's points."""
    assert judge_answer(WEEK, item, source_solution(WEEK, item)) is None
