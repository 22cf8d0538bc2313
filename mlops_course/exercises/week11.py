"""Week 11 exercises: data pipelines and orchestration."""
from __future__ import annotations

from datetime import date, timedelta

from ..checks import Exercise, Incorrect, expect_callable, register

_DAGS = [
    {"ingest": [], "validate": ["ingest"], "features": ["validate"], "train": ["features"],
     "evaluate": ["train"], "register": ["evaluate"]},
    {"extract_a": [], "extract_b": [], "join": ["extract_a", "extract_b"], "report": ["join"],
     "train": ["join"], "notify": ["report", "train"]},
    {"d": ["b", "c"], "c": ["a"], "b": ["a"], "a": [], "e": []},
]


def _is_valid_order(order, deps) -> str | None:
    if sorted(order) != sorted(deps):
        return "the order must list every task exactly once"
    position = {task: i for i, task in enumerate(order)}
    for task, upstream in deps.items():
        for up in upstream:
            if position[up] > position[task]:
                return f"{task!r} runs before its upstream task {up!r}"
    return None


def _kahn(deps):
    remaining = {t: set(u) for t, u in deps.items()}
    order = []
    while remaining:
        ready = sorted(t for t, u in remaining.items() if not u)
        if not ready:
            raise ValueError("cycle")
        for t in ready:
            order.append(t)
            del remaining[t]
        for u in remaining.values():
            u.difference_update(ready)
    return order


class RunOrder(Exercise):
    title = "An order in which the DAG can run"
    hints = (
        "A task may run once all of its upstream tasks have run. Start with the tasks that have "
        "no upstream tasks at all.",
        "Repeat: pick every task whose upstream tasks are all done, append it, mark it done; stop "
        "when every task is placed (this is Kahn's algorithm, a topological sort).",
        "If no task is ready but some remain, the graph has a cycle: raise ValueError. A DAG is "
        "acyclic by definition.",
    )
    solution = """```python
def run_order(deps):
    done, order = set(), []
    while len(order) < len(deps):
        ready = [t for t, ups in deps.items() if t not in done and set(ups) <= done]
        if not ready:
            raise ValueError("the graph has a cycle")
        order += ready
        done |= set(ready)
    return order
```
Each pass adds the tasks whose upstream tasks have all finished. A scheduler does the same
continuously: tasks in one pass could even run in parallel on different workers."""
    # Plausible mistake: alphabetical order, which ignores the dependencies.
    wrong_answer = staticmethod(lambda deps: sorted(deps))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "run_order")
        for deps in _DAGS:
            got = fn({k: list(v) for k, v in deps.items()})
            if not isinstance(got, list):
                raise Incorrect(f"run_order should return a list of task names, got {type(got).__name__}.")
            problem = _is_valid_order(got, deps)
            if problem:
                raise Incorrect(f"For the DAG {deps}: {problem}.")
        try:
            fn({"a": ["b"], "b": ["a"]})
        except ValueError:
            return
        except Exception as exc:  # noqa: BLE001 - any other exception is the wrong kind
            raise Incorrect(f"For a cycle, raise ValueError, not {type(exc).__name__}.") from None
        raise Incorrect("For the cycle {'a': ['b'], 'b': ['a']} there is no valid order: raise ValueError.")


def _branch(report):
    if report["missing_values"] > 0 or report["out_of_range"] > 0:
        return "quarantine"
    if report["rows"] < 500:
        return "wait_for_more_data"
    return "features"


class Branch(Exercise):
    title = "A branch on the validation result"
    _cases = [
        {"rows": 10_000, "missing_values": 0, "out_of_range": 0},
        {"rows": 10_000, "missing_values": 3, "out_of_range": 0},
        {"rows": 10_000, "missing_values": 0, "out_of_range": 12},
        {"rows": 120, "missing_values": 0, "out_of_range": 0},
        {"rows": 120, "missing_values": 5, "out_of_range": 0},
        {"rows": 500, "missing_values": 0, "out_of_range": 0},
    ]
    hints = (
        "Return one of three task ids as a string: 'quarantine', 'wait_for_more_data' or 'features'.",
        "Check the broken-data cases first: any missing value or any out-of-range value sends the batch "
        "to 'quarantine', however many rows it has.",
        "Only a clean batch is judged on its size: fewer than 500 rows -> 'wait_for_more_data'; "
        "otherwise 'features'.",
    )
    solution = """```python
def choose_next(report):
    if report["missing_values"] > 0 or report["out_of_range"] > 0:
        return "quarantine"
    if report["rows"] < 500:
        return "wait_for_more_data"
    return "features"
```
A branch task returns the id of the task (or tasks) to run next; Airflow marks the other
branches *skipped*. Broken data is checked first, because a small broken batch must still be
quarantined rather than waited on."""
    # Plausible mistake: checking the size first, so a small broken batch is not quarantined.
    wrong_answer = staticmethod(lambda r: "wait_for_more_data" if r["rows"] < 500 else
                                ("quarantine" if r["missing_values"] or r["out_of_range"] else "features"))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "choose_next")
        for report in self._cases:
            got = fn(dict(report))
            if not isinstance(got, str):
                raise Incorrect(f"choose_next should return a task id (a string), got {type(got).__name__}.")
            if got != _branch(report):
                raise Incorrect(f"For the report {report}, {got!r} is not the right next task.")


class _Flaky:
    """Fails ``failures`` times, then returns ``value``; counts calls."""

    def __init__(self, failures, value="ok", error=ConnectionError):
        self.failures, self.value, self.error, self.calls = failures, value, error, 0

    def __call__(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error(f"attempt {self.calls} failed")
        return self.value


class Retries(Exercise):
    title = "Retry a failing task"
    hints = (
        "With retries=2 a task gets 3 attempts in all: the first try plus two retries.",
        "Loop over the attempts; call task() inside try/except. Return its result as soon as a call "
        "succeeds; remember the exception when it fails.",
        "After the last failed attempt, raise the last exception again (a bare `raise` inside the "
        "except block, or `raise last_error`). Return a tuple (result, attempts_used).",
    )
    solution = """```python
def run_with_retries(task, retries):
    for attempt in range(1, retries + 2):
        try:
            return task(), attempt
        except Exception:
            if attempt == retries + 1:
                raise
```
`retries` counts the *extra* attempts, as Airflow's `retries` argument does. Re-raising at
the end matters: the task must end up *failed* so the scheduler and people notice."""

    @staticmethod
    def wrong_answer(task, retries):
        # Plausible mistake: `retries` attempts in all instead of 1 + retries.
        for attempt in range(1, retries + 1):
            try:
                return task(), attempt
            except Exception:
                if attempt == retries:
                    raise
        return None, 0

    def evaluate(self, fn) -> None:
        expect_callable(fn, "run_with_retries")
        for failures, retries in [(0, 2), (1, 2), (2, 2), (3, 5)]:
            task = _Flaky(failures, value=f"done after {failures}")
            try:
                got = fn(task, retries)
            except ConnectionError:
                raise Incorrect(f"With {failures} failure(s) and retries={retries} the task should end up "
                                f"succeeding, but the error came through after {task.calls} attempt(s).") from None
            if not isinstance(got, tuple) or len(got) != 2:
                raise Incorrect("run_with_retries should return a tuple (result, attempts_used).")
            if got[0] != task.value:
                raise Incorrect(f"With {failures} failure(s) and retries={retries}, return the task's own result.")
            if got[1] != failures + 1 or task.calls != failures + 1:
                raise Incorrect(f"With {failures} failure(s) and retries={retries}, the task should run "
                                f"{failures + 1} time(s); it ran {task.calls} time(s) and you reported {got[1]}.")
        task = _Flaky(3)
        try:
            fn(task, 2)
        except ConnectionError:
            if task.calls != 3:
                raise Incorrect(f"With retries=2 a failing task gets 3 attempts, not {task.calls}.") from None
            return
        except Exception as exc:  # noqa: BLE001
            raise Incorrect(f"Re-raise the task's own exception, not {type(exc).__name__}.") from None
        raise Incorrect("When every attempt fails, raise the last exception so the task ends up failed.")


def _runs(start, end, every_days):
    out, day = [], start
    while day <= end:
        out.append(day)
        day += timedelta(days=every_days)
    return out


class Backfill(Exercise):
    title = "The runs a backfill creates"
    hints = (
        "Start at `start` and step forward by `every_days` days (datetime.timedelta(days=...)).",
        "Keep every date up to and including `end`; return them as a list of datetime.date objects.",
    )
    solution = """```python
def backfill_dates(start, end, every_days=1):
    dates, day = [], start
    while day <= end:
        dates.append(day)
        day += timedelta(days=every_days)
    return dates
```
A backfill creates one DAG run per missed interval, each with its own logical date, so
every run processes exactly the data of its interval, as if it had run on time."""
    # Plausible mistake: leaving out the last date.
    wrong_answer = staticmethod(lambda start, end, every_days=1: _runs(start, end, every_days)[:-1])

    def evaluate(self, fn) -> None:
        expect_callable(fn, "backfill_dates")
        for start, end, every in [(date(2026, 1, 1), date(2026, 1, 5), 1),
                                  (date(2026, 2, 26), date(2026, 3, 3), 1),
                                  (date(2026, 1, 1), date(2026, 1, 31), 7),
                                  (date(2026, 3, 1), date(2026, 3, 1), 1)]:
            got = fn(start, end, every)
            if not isinstance(got, list):
                raise Incorrect(f"backfill_dates should return a list, got {type(got).__name__}.")
            want = _runs(start, end, every)
            if len(got) != len(want):
                raise Incorrect(f"From {start} to {end} every {every} day(s): {len(got)} runs is not right. "
                                "Are both ends included?")
            if [str(d)[:10] for d in got] != [str(d) for d in want]:
                raise Incorrect(f"From {start} to {end} every {every} day(s) the dates are not right yet.")


class Sensor(Exercise):
    title = "A sensor that pokes"
    hints = (
        "Call condition() first; if it is true, you are done after 1 poke.",
        "Otherwise sleep(poke_interval) and try again. Keep a count of pokes and of the time waited "
        "(add poke_interval after each sleep).",
        "When the time waited reaches timeout and the condition is still false, raise TimeoutError. "
        "Return the number of pokes when it becomes true.",
    )
    solution = """```python
def poke(condition, timeout, poke_interval, sleep):
    pokes, waited = 0, 0.0
    while True:
        pokes += 1
        if condition():
            return pokes
        if waited >= timeout:
            raise TimeoutError("condition not met in time")
        sleep(poke_interval)
        waited += poke_interval
```
This is what a sensor in *poke* mode does: check, sleep, check again, and fail after
`timeout`. (In *reschedule* mode it frees its worker slot between checks.)"""
    # Plausible mistake: never giving up.
    wrong_answer = staticmethod(lambda condition, timeout, poke_interval, sleep: 1)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "poke")
        for true_after, timeout, interval in [(1, 10, 1), (4, 10, 1), (3, 30, 5)]:
            calls = {"n": 0}
            slept = []

            def condition(calls=calls, true_after=true_after):
                calls["n"] += 1
                return calls["n"] >= true_after

            got = fn(condition, timeout, interval, slept.append)
            if got != true_after:
                raise Incorrect(f"The condition became true on poke {true_after}; you returned {got!r}.")
            if slept != [interval] * (true_after - 1):
                raise Incorrect(f"Between {true_after} pokes, sleep({interval}) should be called "
                                f"{true_after - 1} time(s); it was called {len(slept)} time(s).")
        slept = []
        try:
            fn(lambda: False, 3, 1, slept.append)
        except TimeoutError:
            if sum(slept) > 3:
                raise Incorrect(f"The sensor slept {sum(slept)} s in all, longer than its timeout of 3 s.") from None
            return
        except Exception as exc:  # noqa: BLE001
            raise Incorrect(f"Raise TimeoutError when the time is up, not {type(exc).__name__}.") from None
        raise Incorrect("A condition that never becomes true must end in TimeoutError after the timeout.")


run_order = RunOrder()
choose_next = Branch()
run_with_retries = Retries()
backfill_dates = Backfill()
poke = Sensor()
EXERCISES = register(globals())
