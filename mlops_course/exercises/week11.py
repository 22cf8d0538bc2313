"""Week 11 exercises: data pipelines and orchestration."""
from __future__ import annotations

import json
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from ..checks import Exercise, Incorrect, expect_callable, register

_DAGS = [
    {"ingest": [], "validate": ["ingest"], "features": ["validate"], "train": ["features"],
     "evaluate": ["train"], "register": ["evaluate"]},
    {"extract_a": [], "extract_b": [], "join": ["extract_a", "extract_b"], "report": ["join"],
     "train": ["join"], "notify": ["report", "train"]},
    {"d": ["b", "c"], "c": ["a"], "b": ["a"], "a": [], "e": []},
]


#: Graphs with a cycle; the second has a start task, so some tasks are ready at first; the
#: third's cycle runs through three tasks (a check of two-task loops alone misses it).
_CYCLES = [{"a": ["b"], "b": ["a"]}, {"a": [], "b": ["a", "c"], "c": ["b"]},
           {"start": [], "x": ["start", "z"], "y": ["x"], "z": ["y"]}]


def _dfs_without_cycle_check(deps):
    # Plausible mistake: a depth-first sort that marks tasks visited but never notices a cycle.
    order, seen = [], set()

    def visit(t):
        if t in seen:
            return
        seen.add(t)
        for u in deps[t]:
            visit(u)
        order.append(t)

    for t in deps:
        visit(t)
    return order


def _ready_then_the_rest(deps):
    # Plausible mistake: when nothing is ready any more, append what is left instead of raising.
    done, order = set(), []
    while len(order) < len(deps):
        ready = [t for t, ups in deps.items() if t not in done and set(ups) <= done]
        if not ready:
            ready = [t for t in deps if t not in done]
        order += ready
        done |= set(ready)
    return order


def _cycle_only_without_start(deps):
    # Plausible mistake: "a DAG needs a start task", so only a graph without one is called cyclic.
    if not any(not ups for ups in deps.values()):
        raise ValueError("no start task")
    return _ready_then_the_rest(deps)


def _two_task_cycles_only(deps):
    # Plausible mistake: looking for a task and its upstream task listing each other, which
    # misses a longer loop such as x -> y -> z -> x.
    for task, ups in deps.items():
        if task in ups or any(task in deps.get(u, []) for u in ups):
            raise ValueError("cycle")
    return _ready_then_the_rest(deps)


def _graphlib_order(deps):
    # A valid alternative: the standard library's topological sorter (CycleError is a ValueError).
    from graphlib import TopologicalSorter

    return list(TopologicalSorter(deps).static_order())


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
    wrong_answers = (
        staticmethod(_dfs_without_cycle_check),
        staticmethod(_ready_then_the_rest),
        staticmethod(_cycle_only_without_start),
        staticmethod(_two_task_cycles_only),
    )
    right_answers = (staticmethod(_kahn), staticmethod(_graphlib_order))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "run_order")
        for deps in _DAGS:
            try:
                got = fn({k: list(v) for k, v in deps.items()})
            except ValueError:
                raise Incorrect(f"The graph {deps} has no cycle, but your code raised ValueError: a task "
                                "reached by two paths is not a cycle.") from None
            if not isinstance(got, list):
                raise Incorrect(f"run_order should return a list of task names, got {type(got).__name__}.")
            problem = _is_valid_order(got, deps)
            if problem:
                raise Incorrect(f"For the DAG {deps}: {problem}.")
        for cyclic in _CYCLES:
            try:
                fn({k: list(v) for k, v in cyclic.items()})
            except ValueError:
                continue
            except Exception as exc:  # noqa: BLE001 - any other exception is the wrong kind
                raise Incorrect(f"For a cycle, raise ValueError, not {type(exc).__name__}.") from None
            raise Incorrect(f"The graph {cyclic} has a cycle, so no order is valid: raise ValueError.")


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
        {"rows": 120, "missing_values": 0, "out_of_range": 3},
        {"rows": 499, "missing_values": 0, "out_of_range": 0},
        {"rows": 10_000, "missing_values": 1, "out_of_range": 0},
        {"rows": 800, "missing_values": 0, "out_of_range": 1},
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
    wrong_answers = (
        # Missing values first, then the size, then the range: a small batch with
        # out-of-range values waits instead of being quarantined.
        staticmethod(lambda r: "quarantine" if r["missing_values"] else
                     ("wait_for_more_data" if r["rows"] < 500 else
                      ("quarantine" if r["out_of_range"] else "features"))),
        # Only missing values count as broken.
        staticmethod(lambda r: "quarantine" if r["missing_values"] else
                     ("wait_for_more_data" if r["rows"] < 500 else "features")),
        # A single bad value tolerated (> 1 instead of > 0).
        staticmethod(lambda r: "quarantine" if r["missing_values"] > 1 or r["out_of_range"] > 1 else
                     ("wait_for_more_data" if r["rows"] < 500 else "features")),
        # 500 rows judged too few (<= instead of <).
        staticmethod(lambda r: "quarantine" if r["missing_values"] or r["out_of_range"] else
                     ("wait_for_more_data" if r["rows"] <= 500 else "features")),
    )
    right_answers = (
        staticmethod(lambda r: "quarantine" if r["missing_values"] + r["out_of_range"] > 0 else
                     "features" if r["rows"] >= 500 else "wait_for_more_data"),
    )

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

    @staticmethod
    def _raise_first(task, retries):
        # Plausible mistake: remembering the first error and raising it, not the last one.
        first = None
        for attempt in range(1, retries + 2):
            try:
                return task(), attempt
            except Exception as exc:  # noqa: BLE001
                first = first or exc
        raise first

    @staticmethod
    def _one_attempt_too_many(task, retries):
        # Plausible mistake: retries + 2 attempts (range(retries + 2) counted from 1).
        for attempt in range(1, retries + 3):
            try:
                return task(), attempt
            except Exception:
                if attempt == retries + 2:
                    raise

    @staticmethod
    def _while_loop(task, retries):
        # A valid alternative: a while loop that counts the attempts.
        attempt = 0
        while True:
            attempt += 1
            try:
                return task(), attempt
            except Exception:
                if attempt > retries:
                    raise

    wrong_answers = (_raise_first, _one_attempt_too_many)
    right_answers = (_while_loop,)

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
        except ConnectionError as exc:
            if task.calls != 3:
                raise Incorrect(f"With retries=2 a failing task gets 3 attempts, not {task.calls}.") from None
            if str(exc) != "attempt 3 failed":
                raise Incorrect("When every attempt fails, re-raise the last attempt's own exception "
                                "(not an earlier one, nor a new one).") from None
            return
        except Exception as exc:  # noqa: BLE001
            raise Incorrect(f"Re-raise the task's own exception, not {type(exc).__name__}.") from None
        if task.calls > 3:
            raise Incorrect(f"With retries=2 a task gets 3 attempts in all; your code called it {task.calls} times.")
        raise Incorrect("When every attempt fails, raise the last exception so the task ends up failed.")


def _backfill_options(argv) -> dict | str:
    """The options of an `airflow backfill create` command line, or what is wrong with it."""
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        return "backfill_command should return a list of strings, e.g. ['airflow', ...]"
    if argv[:3] == ["airflow", "dags", "backfill"]:
        return "`airflow dags backfill` is Airflow 2's command; Airflow 3 has a command group of its own for backfills"
    if argv[:3] != ["airflow", "backfill", "create"]:
        return "the command should start with Airflow 3's backfill command group and its subcommand that creates one"
    options, rest = {}, argv[3:]
    while rest:
        item = rest.pop(0)
        if "=" in item and item.startswith("--"):
            key, value = item.split("=", 1)
        elif item.startswith("--") and rest:
            key, value = item, rest.pop(0)
        else:
            return f"{item!r} is not an option with a value"
        options[key] = value
    return options


class BackfillCommand(Exercise):
    title = "The Airflow 3 command of a backfill"
    hints = (
        "Airflow 3 moved backfills out of `airflow dags` into a command group of their own, "
        "`airflow backfill`; `airflow backfill --help` lists its subcommands.",
        "The subcommand is `create`; it needs the DAG's id and the first and last logical dates, "
        "each as an option with a value. Return the command as a list, one word per item.",
    )
    solution = """```python
def backfill_command(dag_id, start, end):
    return ["airflow", "backfill", "create", "--dag-id", dag_id,
            "--from-date", start, "--to-date", end]
```
Both dates are included. Airflow 3 only *creates* the backfill's runs (one per interval of
the schedule); the scheduler runs them, like any other run. `airflow dags backfill` was the
Airflow 2 command, which ran the tasks itself."""
    # Plausible mistake: the Airflow 2 command.
    wrong_answer = staticmethod(lambda dag_id, start, end: ["airflow", "dags", "backfill", "-s", start, "-e", end, dag_id])
    wrong_answers = (
        staticmethod(lambda dag_id, start, end: ["airflow", "backfill", "create", "--dag-id", dag_id,
                                                 "--from-date", end, "--to-date", start]),
        staticmethod(lambda dag_id, start, end: ["airflow", "backfill", "create", dag_id,
                                                 "--from-date", start, "--to-date", end]),
        staticmethod(lambda dag_id, start, end: f"airflow backfill create --dag-id {dag_id} "
                                                f"--from-date {start} --to-date {end}"),
        staticmethod(lambda dag_id, start, end: ["airflow", "dags", "trigger", dag_id, "--logical-date", start]),
    )
    right_answers = (
        staticmethod(lambda dag_id, start, end: ["airflow", "backfill", "create", f"--dag-id={dag_id}",
                                                 f"--from-date={start}", f"--to-date={end}"]),
        staticmethod(lambda dag_id, start, end: ["airflow", "backfill", "create", "--from-date", start,
                                                 "--to-date", end, "--dag-id", dag_id]),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "backfill_command")
        for dag_id, start, end in [("machine_failure_training", "2026-02-17", "2026-02-19"),
                                   ("nightly_report", "2025-12-01", "2025-12-31")]:
            options = _backfill_options(fn(dag_id, start, end))
            if isinstance(options, str):
                raise Incorrect(options + ".")
            if options.get("--dag-id") != dag_id:
                raise Incorrect("Name the DAG with its option (the DAG id is not a positional argument here).")
            if options.get("--from-date") != start or options.get("--to-date") != end:
                raise Incorrect(f"For the window {start} to {end}, the first and last dates are not given right: "
                                "each has its own option, and the window runs forward in time.")
            unexpected = set(options) - {"--dag-id", "--from-date", "--to-date", "--max-active-runs",
                                         "--reprocess-behavior"}
            if unexpected:
                raise Incorrect(f"Unexpected options: {sorted(unexpected)}.")


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

    @staticmethod
    def _no_last_poke(condition, timeout, poke_interval, sleep):
        # Plausible mistake: the loop stops when the time is up without poking once more, so a
        # condition that turns true exactly at the timeout is missed.
        pokes, waited = 0, 0.0
        while waited < timeout:
            pokes += 1
            if condition():
                return pokes
            sleep(poke_interval)
            waited += poke_interval
        raise TimeoutError("condition not met in time")

    @staticmethod
    def _counts_sleeps(condition, timeout, poke_interval, sleep):
        # Plausible mistake: returning the number of sleeps instead of the number of pokes.
        sleeps, waited = 0, 0.0
        while not condition():
            if waited >= timeout:
                raise TimeoutError("condition not met in time")
            sleep(poke_interval)
            waited += poke_interval
            sleeps += 1
        return sleeps

    @staticmethod
    def _by_number_of_pokes(condition, timeout, poke_interval, sleep):
        # A valid alternative: the number of pokes the timeout allows, worked out up front.
        allowed = int(timeout // poke_interval) + 1
        for number in range(1, allowed + 1):
            if condition():
                return number
            if number < allowed:
                sleep(poke_interval)
        raise TimeoutError("condition not met in time")

    wrong_answers = (_no_last_poke, _counts_sleeps)
    right_answers = (_by_number_of_pokes,)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "poke")
        # (4, 3, 1): true on the poke made when the time slept reaches the timeout.
        for true_after, timeout, interval in [(1, 10, 1), (4, 10, 1), (3, 30, 5), (4, 3, 1)]:
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


class _Dag:
    """Variants of the reference DAG (each a function whose source Airflow parses)."""

    @staticmethod
    def variants(changes):
        from .. import pipeline as pl

        source = pl.REFERENCE_DAG
        for old, new in changes:
            assert old in source, old
            source = source.replace(old, new)
        return pl.function_from_source(source)

    @staticmethod
    def variant(old: str, new: str):
        return _Dag.variants([(old, new)])


_REQUIRED_TASKS = ["ingest", "validate", "check_quality", "quarantine", "train", "register"]


def _downstream(tasks: dict, task: str) -> set:
    found, todo = set(), [task]
    while todo:
        current = todo.pop()
        for t, info in tasks.items():
            if current in info["upstream"] and t not in found:
                found.add(t)
                todo.append(t)
    return found


class TrainingDag(Exercise):
    title = "The pipeline as an Airflow TaskFlow DAG"
    time_limit = 120.0
    check_budget = 60.0  # Airflow itself parses the DAG, in its own environment (a few seconds)
    hints = (
        "Inside the function, decorate a function with @dag(dag_id=..., schedule=..., start_date=..., "
        "catchup=..., default_args=...) and each step with @task; call the DAG function at the end and "
        "return what it returns. Each task calls one step of `p` (mlops_course.pipeline).",
        "Passing one task's return value to another (`report = validate(raw)`) makes the dependency. The "
        "branch is `@task.branch`: it returns the task id to follow, and `branch >> [a, b]` puts both "
        "paths right after it. Retries for every task: default_args={'retries': 2, 'retry_delay': "
        "timedelta(seconds=2)}.",
        "Look at Airflow's own message first: an import error quotes the line that failed.",
    )
    solution = "```python\n" + __import__("mlops_course.pipeline", fromlist=["REFERENCE_DAG"]).REFERENCE_DAG + """```
Airflow parses the file, finds the DAG `machine_failure_training` and its six tasks; the
arrows come from the values passed between tasks plus `check_quality >> [...]`. `catchup=False`
stops Airflow from creating a run for every day since `start_date`; missed days are
backfilled on purpose instead."""
    wrong_answer = _Dag.variant("@task.branch\n", "@task\n")  # the branch as a plain task: nothing is skipped
    wrong_answers = (
        _Dag.variant('default_args={"retries": 2, "retry_delay": timedelta(seconds=2)}', "default_args={}"),
        _Dag.variant("@task.branch\n", "@task.brnch\n"),  # a typo: an import error
        _Dag.variant("check_quality(report) >> [trained, quarantine(raw, report)]",
                     "check_quality(report) >> trained\n        quarantine(raw, report)"),
        _Dag.variant("catchup=False", "catchup=True"),
        # the branch returns the name of the step function, not a task id of this DAG
        _Dag.variant("return p.choose_branch(report)", 'return "train_and_evaluate" if report["ok"] else "quarantine"'),
        # retries without a delay: Airflow's default waits five minutes between attempts
        _Dag.variant('default_args={"retries": 2, "retry_delay": timedelta(seconds=2)}', 'default_args={"retries": 2}'),
        # register waits for quarantine too (a join after the branch)
        _Dag.variant("        check_quality(report) >> [trained, quarantine(raw, report)]\n        register(trained)\n",
                     "        quarantined = quarantine(raw, report)\n"
                     "        check_quality(report) >> [trained, quarantined]\n"
                     "        quarantined >> register(trained)\n"),
        _Dag.variant('schedule="@daily"', "schedule=None"),
        _Dag.variant("        register(trained)\n", "        register(trained)\n        report >> trained\n"
                     "        trained >> report\n"),  # a cycle
    )
    right_answers = (
        # Retries set on each task instead of in default_args.
        _Dag.variants([('default_args={"retries": 2, "retry_delay": timedelta(seconds=2)}', "default_args={}"),
                       ("@task\n", "@task(retries=2, retry_delay=timedelta(seconds=2))\n"),
                       ("@task.branch\n", "@task.branch(retries=2, retry_delay=timedelta(seconds=2))\n")]),
        # The branch's arrows drawn one at a time.
        _Dag.variant("check_quality(report) >> [trained, quarantine(raw, report)]",
                     "branch = check_quality(report)\n        branch >> trained\n"
                     "        branch >> quarantine(raw, report)"),
    )

    def evaluate(self, fn) -> None:
        from .. import pipeline as pl

        import inspect

        expect_callable(fn, "training_dag")
        try:
            source = inspect.getsource(fn)
        except (OSError, TypeError):
            raise Incorrect("Define training_dag with `def` in a notebook cell, so its source can go "
                            "into a DAG file.") from None
        if "raise NotImplementedError" in source:
            raise NotImplementedError  # the starter code: not attempted yet
        folder = Path(tempfile.mkdtemp(prefix="week11_dag_check_"))
        try:
            path = pl.write_dag(folder, fn)
            parsed = pl.parse_dag_file(path)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if parsed["import_errors"]:
            error = next(iter(parsed["import_errors"].values())).strip().splitlines()[-1]
            raise Incorrect(f"Airflow could not import the DAG file: {error}.")
        if pl.DAG_ID not in parsed["dags"]:
            raise Incorrect(f"Airflow found the DAG(s) {sorted(parsed['dags'])}, not {pl.DAG_ID!r}.")
        dag = parsed["dags"][pl.DAG_ID]
        tasks = dag["tasks"]
        missing = [t for t in _REQUIRED_TASKS if t not in tasks]
        if missing:
            raise Incorrect(f"The DAG has no task(s) {missing}.")
        if dag["schedule"] != "@daily":
            raise Incorrect(f"The schedule is {dag['schedule']}: the pipeline should run once a day.")
        if dag["catchup"]:
            raise Incorrect("catchup is on: Airflow would create a run for every day since start_date.")
        if "Branch" not in tasks["check_quality"]["operator"]:
            raise Incorrect("check_quality is not a branch task, so neither path would ever be skipped.")
        for report, want in (("good", "train"), ("bad", "quarantine")):
            chosen = (dag.get("branch") or {}).get(report)
            if chosen is not None and chosen not in (want, [want]):
                raise Incorrect(f"Called on a report that {'passed' if report == 'good' else 'failed'} validation, "
                                f"check_quality returned {chosen!r}, which is not the id of the task that should "
                                "run next (p.choose_branch(report) gives it).")
        if "validate" not in tasks["check_quality"]["upstream"] or "ingest" not in tasks["validate"]["upstream"]:
            raise Incorrect("The data must flow ingest -> validate -> check_quality.")
        for path_task in ("train", "quarantine"):
            if "check_quality" not in tasks[path_task]["upstream"]:
                raise Incorrect(f"{path_task} must come right after the branch (directly downstream of "
                                "check_quality), or the branch cannot skip it.")
        if "train" not in tasks["register"]["upstream"] or "register" in _downstream(tasks, "quarantine"):
            raise Incorrect("register must follow train, and only train.")
        few = [t for t, info in tasks.items() if info["retries"] < 2 or info["retry_delay"] > 10]
        if few:
            raise Incorrect(f"Task(s) {few} lack 2 retries a few seconds apart.")


def _register_reference(result, registry, logical_date):
    target = Path(registry) / str(logical_date)
    if result["metrics"]["recall"] < 0.7:
        return None
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy(result["model"], target / "model.joblib")
    (target / "metrics.json").write_text(json.dumps(result["metrics"]))
    return str(target)


def _register_versions(result, registry, logical_date):
    # Plausible mistake: a new version number per call, as a registry for people does.
    if result["metrics"]["recall"] < 0.7:
        return None
    registry = Path(registry)
    registry.mkdir(parents=True, exist_ok=True)
    target = registry / f"v{1 + len(list(registry.iterdir()))}"
    target.mkdir()
    shutil.copy(result["model"], target / "model.joblib")
    (target / "metrics.json").write_text(json.dumps(result["metrics"]))
    return str(target)


def _register_by_clock(result, registry, logical_date):
    # Plausible mistake: the folder named by the time the task runs, not the run's logical date.
    return _register_reference(result, registry, datetime.now().strftime("%Y-%m-%dT%H%M%S%f"))


def _register_ignoring_gate(result, registry, logical_date):
    # Plausible mistake: registering every model, whatever its recall.
    return _register_reference({**result, "metrics": {**result["metrics"], "recall": 1.0}}, registry, logical_date)


def _register_keep_first(result, registry, logical_date):
    # Plausible mistake: skip when the entry exists, so a re-run after a fix keeps the old model.
    if (Path(registry) / str(logical_date)).exists():
        return str(Path(registry) / str(logical_date))
    return _register_reference(result, registry, logical_date)


def _register_no_return(result, registry, logical_date):
    # Plausible mistake: the entry is written but its path is not returned.
    _register_reference(result, registry, logical_date)


def _register_model_only(result, registry, logical_date):
    # Plausible mistake: the model is copied, its metrics are not written.
    if result["metrics"]["recall"] < 0.7:
        return None
    target = Path(registry) / str(logical_date)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy(result["model"], target / "model.joblib")
    return str(target)


def _register_gate_inclusive(result, registry, logical_date):
    # Plausible mistake: a recall of exactly 0.7 ("at least 0.7") is turned away.
    if result["metrics"]["recall"] <= 0.7:
        return None
    return _register_reference(result, registry, logical_date)


def _register_entry_before_gate(result, registry, logical_date):
    # Plausible mistake: the entry's folder is made before the gate, so a weak model leaves an empty entry.
    (Path(registry) / str(logical_date)).mkdir(parents=True, exist_ok=True)
    return _register_reference(result, registry, logical_date)


def _register_overwrite_in_place(result, registry, logical_date):
    # A valid alternative: overwrite the entry's two files in place (same names every time).
    if result["metrics"]["recall"] < 0.7:
        return None
    target = Path(registry) / str(logical_date)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(result["model"], target / "model.joblib")
    with open(target / "metrics.json", "w") as f:
        json.dump(result["metrics"], f, indent=2)
    return target


def _snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} \
        if folder.exists() else {}


class IdempotentRegister(Exercise):
    title = "An idempotent register step"
    hints = (
        "Idempotent: running the step twice with the same inputs leaves the same result as running it once. "
        "Name the registry entry after something that is the same on every re-run of the run.",
        "Use registry/<logical_date>/ for the entry; if it exists (an earlier attempt), replace it; copy the "
        "model to model.joblib and write the metrics to metrics.json. Below the recall gate of 0.7, "
        "register nothing and return None.",
    )
    solution = """```python
def register_model(result, registry, logical_date):
    if result["metrics"]["recall"] < 0.7:
        return None
    target = Path(registry) / logical_date
    if target.exists():
        shutil.rmtree(target)          # an earlier attempt of the same run
    target.mkdir(parents=True)
    shutil.copy(result["model"], target / "model.joblib")
    (target / "metrics.json").write_text(json.dumps(result["metrics"]))
    return str(target)
```
The logical date is the same for every attempt, retry and re-run of one DAG run, so the
entry's name is too: a re-run overwrites rather than adds. A version counter or the clock
makes a new entry at every attempt."""
    wrong_answer = staticmethod(_register_versions)
    wrong_answers = (staticmethod(_register_by_clock), staticmethod(_register_ignoring_gate),
                     staticmethod(_register_keep_first), staticmethod(_register_no_return),
                     staticmethod(_register_model_only), staticmethod(_register_gate_inclusive),
                     staticmethod(_register_entry_before_gate))
    right_answers = (staticmethod(_register_reference), staticmethod(_register_overwrite_in_place))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "register_model")
        work = Path(tempfile.mkdtemp(prefix="week11_register_check_"))
        try:
            models = work / "models"
            models.mkdir()
            for name in ("a", "b"):
                (models / f"{name}.joblib").write_bytes(f"model {name}".encode())
            good = {"model": str(models / "a.joblib"), "metrics": {"recall": 0.82, "f1": 0.4}}
            fixed = {"model": str(models / "b.joblib"), "metrics": {"recall": 0.9, "f1": 0.5}}
            weak = {"model": str(models / "b.joblib"), "metrics": {"recall": 0.41, "f1": 0.2}}
            registry = work / "registry"
            got = fn(dict(good), str(registry), "2026-02-17")
            once = _snapshot(registry)
            if not once:
                raise Incorrect("A model above the recall gate should be registered: the registry is empty.")
            entry = registry / "2026-02-17"
            if not (entry / "model.joblib").is_file():
                raise Incorrect("Copy the model into the registry entry registry/<logical_date>/ as model.joblib.")
            try:
                metrics = json.loads((entry / "metrics.json").read_text())
            except (OSError, ValueError):
                raise Incorrect("Write the metrics into the entry as metrics.json, in JSON (json.dumps).") from None
            if metrics != good["metrics"]:
                raise Incorrect("metrics.json should hold the run's metrics as they were given.")
            if not isinstance(got, (str, Path)) or Path(got).resolve() != entry.resolve():
                raise Incorrect("Return the path of the registry entry (the folder of that logical date) as a string.")
            fn(dict(good), str(registry), "2026-02-17")
            if _snapshot(registry) != once:
                raise Incorrect("Running the step a second time for the same logical date changed the registry: "
                                "it is not idempotent yet.")
            fn(dict(good), str(registry), "2026-02-18")
            if len({Path(n).parts[0] for n in _snapshot(registry)}) != 2:
                raise Incorrect("Two logical dates should give two registry entries.")
            fn(dict(fixed), str(registry), "2026-02-17")
            if _snapshot(registry) == once or b"model b" not in b"".join(
                    v for k, v in _snapshot(registry).items() if k.startswith("2026-02-17")):
                raise Incorrect("A re-run with a new model (after a fix) should replace that date's entry.")
            edge = {"model": str(models / "a.joblib"), "metrics": {"recall": 0.7, "f1": 0.3}}
            if fn(dict(edge), str(registry), "2026-02-20") is None or not (registry / "2026-02-20").exists():
                raise Incorrect("A recall of exactly 0.7 passes the gate (at least 0.7): register that model.")
            other = work / "registry_weak"
            got = fn(dict(weak), str(other), "2026-02-19")
            if _snapshot(other) or got is not None or (other / "2026-02-19").exists():
                raise Incorrect("A model below the recall gate of 0.7 must not be registered (return None, "
                                "and leave no entry behind).")
        finally:
            shutil.rmtree(work, ignore_errors=True)


run_order = RunOrder()
choose_next = Branch()
run_with_retries = Retries()
backfill_command = BackfillCommand()
training_dag = TrainingDag()
register_model = IdempotentRegister()
poke = Sensor()
EXERCISES = register(globals())
