"""Judge a quiz item's answers on EVERY variant its picks can give, not only on the test
students' (helpers.VARIANT_STUDENTS).

``quiz.pick("q9", a=[...], b=[...])`` draws each list's index from the student id, so the
variants an item can have are the combinations of its lists' indices. :func:`misjudged`
runs the quiz's setup and data cells once (source variant), then, for each combination,
the item's data cells with ``pick`` forced to that combination, each answer and the
item's tests, and returns the answers judged against their ``right`` flag. It runs in
one process (no kernel) and re-runs only the item's data cells, so a sweep over a few
thousand combinations of NumPy-sized data takes seconds.
"""
from __future__ import annotations

import contextlib
import io
import itertools

import nbformat

from mlops_course import paths, quizcells, variant


def _forced_pick(combo: dict, seen: dict):
    def pick(self, item, **choices):
        picked = []
        for name, options in choices.items():
            options = list(options)
            seen.setdefault(item, {})[name] = len(options)
            picked.append(options[combo.get((item, name), 0)])
        return picked[0] if len(picked) == 1 else tuple(picked)

    return pick


def misjudged(monkeypatch, week: str, item: str, cases) -> tuple[int, dict[str, dict]]:
    """(number of combinations tried, {case id: the first combination misjudging it}) for
    ``cases``, pytest params ``(item, answer, right)`` of ``item`` (helpers.judged_cases)."""
    combo, seen = {}, {}
    monkeypatch.setattr(variant.QuizVariant, "pick", _forced_pick(combo, seen))
    nb = nbformat.read(paths.QUIZZES_DIR / week / "quiz.ipynb", as_version=4)
    base: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in nb.cells:
            gid = quizcells.grade_id(cell)
            if cell.cell_type == "code" and gid == "setup":
                exec(cell.source, base)
            elif cell.cell_type == "code" and gid == quizcells.VARIANT_ID:
                base["quiz"] = variant.QuizVariant(week, "sweep", variant.DEFAULT_COURSE)
            elif cell.cell_type == "code" and quizcells.is_data(cell):
                exec(cell.source, base)
    data = [compile(c.source, f"{item}_data", "exec") for c in nb.cells
            if quizcells.is_data(c) and quizcells.item_of(quizcells.grade_id(c)) == item]
    tests = [compile(t.source, quizcells.grade_id(t), "exec") for t in quizcells.tests_of(nb, item)]
    answers = [(case.id, compile(case.values[1], case.id, "exec"), case.values[2])
               for case in cases if case.values[0] == item]
    names = list(seen.get(item, {}))
    combos = list(itertools.product(*(range(seen[item][name]) for name in names)))
    wrong: dict[str, dict] = {}
    for indices in combos:
        combo.clear()
        combo.update({(item, name): i for name, i in zip(names, indices)})
        given = dict(base)
        with contextlib.redirect_stdout(io.StringIO()):
            for cell in data:
                exec(cell, given)
        for case_id, answer, right in answers:
            if case_id in wrong:
                continue
            ns = dict(given)
            passed = True
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(answer, ns)
                    for test in tests:
                        exec(test, ns)
            except Exception:  # a test's verdict (AssertionError) or the answer's own error
                passed = False
            if passed != right:
                wrong[case_id] = dict(zip(names, indices))
    return len(combos), wrong
