"""Week 07 quiz: the source's solutions pass the visible form checks and the hidden tests
of their tasks, run in one namespace (no kernel). The accepted and rejected answers of
each code task live in tests/test_quiz_07.py."""
from __future__ import annotations

import nbformat
import pytest

from mlops_course import paths, quizcells
from mlops_course.quizcells import grade_id

QUIZ = paths.QUIZZES_DIR / "07_tuning" / "quiz.ipynb"
TASKS = ("q9", "q10", "q11")


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(QUIZ, as_version=4)


@pytest.mark.parametrize("task", TASKS)
def test_source_solutions_pass_the_form_checks_and_the_hidden_tests(nb, task):
    """Protects: a correct answer is well-formed for the visible check (which carries no
    points) and earns every point of the hidden tests."""
    from mlops_course.instructor.examples import solved

    from mlops_course import variant

    ns: dict = {"quiz": variant.QuizVariant("07_tuning", variant.SOURCE)}
    for cell in nb.cells:
        if cell.cell_type == "code" and (grade_id(cell) == "setup" or quizcells.is_data(cell)):
            exec(cell.source, ns)
    exec(solved(next(c for c in nb.cells if grade_id(c) == task)), ns)
    exec(next(c for c in nb.cells if grade_id(c) == f"{task}_form").source, ns)
    tests = quizcells.tests_of(nb, task)
    assert tests and sum(quizcells.points(t) for t in tests) == 3
    for test in tests:
        exec(test.source, ns)


@pytest.mark.parametrize("task", TASKS)
def test_the_form_check_carries_no_points(nb, task):
    """Protects: points only for correctness (a well-formed wrong answer earns nothing)."""
    form = next(c for c in nb.cells if grade_id(c) == f"{task}_form")
    assert not quizcells.is_test(form) and quizcells.is_locked(form) and quizcells.points(form) == 0
