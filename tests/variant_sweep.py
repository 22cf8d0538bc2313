"""Judge a quiz item's answers on *every* variant its given data can take, not only on
the few students of ``helpers.VARIANT_STUDENTS``.

A data cell draws what differs with ``quiz.pick(item, name=[...], ...)``; the variants it
can produce are the product of those lists. :func:`every_variant` runs the quiz's setup
once, then the item's data cells once per combination, with a stand-in for ``quiz``
whose ``pick`` takes the combination's index for each name. A data cell that draws from
``quiz.rng`` cannot be enumerated this way and is reported as an error.
"""
from __future__ import annotations

import contextlib
import io
import itertools

import nbformat

from mlops_course import paths, quizcells


class _Combination:
    """Stands in for a QuizVariant in a data cell: ``pick`` returns the choice this
    combination sets for each (item, name) and records how many choices each list has."""

    def __init__(self, index: dict):
        self.index, self.sizes = index, {}

    def pick(self, item: str, **choices):
        picked = []
        for name, options in choices.items():
            options = list(options)
            self.sizes[(item, name)] = len(options)
            picked.append(options[self.index.get((item, name), 0)])
        return picked[0] if len(picked) == 1 else tuple(picked)

    def rng(self, item: str, salt: str = ""):
        raise AssertionError(f"{item}: data drawn from quiz.rng cannot be enumerated; draw a seed with quiz.pick")

    def seed(self, item: str, salt: str = ""):
        self.rng(item, salt)


def _cells(week: str, item: str):
    nb = nbformat.read(paths.QUIZZES_DIR / week / "quiz.ipynb", as_version=4)
    setup = [c.source for c in nb.cells if c.cell_type == "code" and quizcells.grade_id(c) == "setup"]
    data = [c.source for c in nb.cells if quizcells.is_data(c) and quizcells.item_of(quizcells.grade_id(c)) == item]
    return nb, setup, data


def _combinations(sizes: list[int], full: bool):
    """Index tuples: every combination (``full``), or each choice of each pick on its own
    plus each "all i-th choices" combination (enough when verdicts hang on the rules, not
    on how the picks combine, and every combination would take too long)."""
    if full:
        return list(itertools.product(*(range(n) for n in sizes)))
    alone = {tuple(i if k == j else 0 for k in range(len(sizes))) for j, n in enumerate(sizes) for i in range(n)}
    diagonal = {tuple(min(i, n - 1) for n in sizes) for i in range(max(sizes, default=1))}
    return sorted(alone | diagonal)


def every_variant(week: str, item: str, full: bool = True, source: bool = True):
    """Yield ``(label, namespace)``: the namespace after the quiz's setup and ``item``'s
    data cells ran with one combination of choices, for every combination (or, not
    ``full``, for each choice of each pick; see :func:`_combinations`). Without ``source``
    the quiz as written (every first choice) is left out, for callers that judge it
    elsewhere."""
    nb, setup, data = _cells(week, item)
    base: dict = {}
    for source in setup:
        exec(source, base)

    def run(index: dict) -> tuple[dict, dict]:
        ns = dict(base)
        ns["quiz"] = combination = _Combination(index)
        with contextlib.redirect_stdout(io.StringIO()):  # data cells may print the student's values
            for source in data:
                exec(source, ns)
        return ns, combination.sizes

    first, sizes = run({})
    keys = list(sizes)
    for choice in _combinations([sizes[k] for k in keys], full):
        if not source and not any(choice):
            continue
        index = dict(zip(keys, choice))
        label = ", ".join(f"{name}[{i}]" for (_, name), i in index.items()) or "the only variant"
        yield label, (first if not any(choice) else run(index)[0])


def verdict_in(nb, item: str, ns: dict, answer: str) -> str | None:
    """``answer`` then ``item``'s tests in a copy of ``ns``, as helpers.judge_answer does."""
    ns = dict(ns)
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            exec(answer, ns)
        except Exception as exc:  # a mistake that fails on this variant's data: its tests would fail too
            return f"the answer itself raised {type(exc).__name__}: {exc}"
        for test in quizcells.tests_of(nb, item):
            try:
                exec(test.source, ns)
            except Exception as exc:  # AssertionError (a test's verdict) or the answer's own error
                return f"{quizcells.grade_id(test)}: {type(exc).__name__}: {exc}"
    return None


def misjudged_on_some_variant(week: str, item: str, cases: dict[str, tuple[str, bool]],
                              full: bool = True, source: bool = True) -> list[str]:
    """Every (variant, case) where an accepted answer fails or a rejected one passes;
    ``cases`` maps a case's name to ``(answer source, right)``. Empty when all hold."""
    nb, _, _ = _cells(week, item)
    wrong, count = [], 0
    for label, ns in every_variant(week, item, full, source):
        count += 1
        for name, (answer, right) in cases.items():
            verdict = verdict_in(nb, item, ns, answer)
            if (verdict is None) != right:
                wrong.append(f"{item} [{label}] {name}: " + (verdict or "the mistake passed every test"))
    assert count > (1 if source else 0), f"{week} {item}: its data cell picks nothing, so it has one variant only"
    return wrong


def misjudged(monkeypatch, week: str, item: str, cases) -> tuple[int, dict[str, str]]:
    """(number of combinations tried, {case id: the first combination misjudging it}) for
    ``cases``, pytest params ``(item, answer, right)`` (helpers.judged_cases); cases of
    other items are ignored. ``monkeypatch`` is unused (kept for the callers' fixture)."""
    nb, _, _ = _cells(week, item)
    answers = [(case.id, case.values[1], case.values[2]) for case in cases if case.values[0] == item]
    wrong: dict[str, str] = {}
    count = 0
    for label, ns in every_variant(week, item):
        count += 1
        for case_id, answer, right in answers:
            if case_id not in wrong and (verdict_in(nb, item, ns, answer) is None) != right:
                wrong[case_id] = label
    return count, wrong
