"""Self-check contract of every lesson exercise (all weeks, picked up automatically)."""
from __future__ import annotations

import pytest

from mlops_course.checks import CORRECT, INCORRECT, NOT_ATTEMPTED, ____, timed_check
from mlops_course.exercises import all_exercises, week_modules

EXERCISES = all_exercises()
IDS = [f"{module}.{name}" for module, name, _ in EXERCISES]


@pytest.mark.parametrize("exercise", [e for _, _, e in EXERCISES], ids=IDS)
def test_wrong_answer_is_incorrect_fast_and_gives_a_hint(exercise):
    """Protects: a plausible mistake is judged incorrect, quickly, with a pointer to hints."""
    exercise.check(exercise.wrong_answer)  # warm up imports the check may need
    verdict, seconds = timed_check(exercise, exercise.wrong_answer)
    assert verdict.status == INCORRECT, verdict
    assert "hint()" in verdict.message
    # Like the notebook tests, stop only a gross regression (3x the budget): on a shared
    # machine a single timing is noise (the Keras check went over its 0.4 s once).
    assert seconds < 3 * exercise.check_budget, \
        f"check took {seconds * 1000:.0f} ms (budget {exercise.check_budget * 1000:.0f} ms)"


@pytest.mark.parametrize("exercise", [e for _, _, e in EXERCISES], ids=IDS)
def test_every_named_mistake_is_incorrect_and_every_valid_alternative_correct(exercise):
    """Protects: each plausible mistake a review named is judged incorrect, and each valid
    way of solving the exercise (another library, another formula) is judged correct."""
    for number, wrong in enumerate(exercise.wrong_answers):
        verdict = exercise.check(wrong)
        assert verdict.status == INCORRECT, f"wrong answer {number}: {verdict}"
    for number, right in enumerate(exercise.right_answers):
        verdict = exercise.check(right)
        assert verdict.status == CORRECT, f"valid alternative {number}: {verdict}"


def test_a_check_stops_an_answer_that_never_returns():
    """Protects: a student's endless loop is stopped and reported, never hangs the notebook."""
    _, _, exercise = EXERCISES[0]

    class Quick(type(exercise)):
        time_limit = 0.2

    def endless(*args, **kwargs):
        while True:
            try:
                pass
            except Exception:  # a student's catch-all must not swallow the stop
                pass

    verdict = Quick().check(endless)
    assert verdict.status == INCORRECT and "stopped" in verdict.message


@pytest.mark.parametrize("exercise", [e for _, _, e in EXERCISES], ids=IDS)
def test_placeholder_and_stub_are_not_attempted(exercise):
    """Protects: untouched starter code is 'not attempted', never 'incorrect' or a crash."""
    def stub(*args, **kwargs):
        raise NotImplementedError()

    assert exercise.check(____).status == NOT_ATTEMPTED
    assert exercise.check(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize("exercise", [e for _, _, e in EXERCISES], ids=IDS)
def test_hints_and_solution_exist(exercise):
    """Protects: every exercise has a title, staged hints and a worked solution."""
    assert exercise.title and exercise.solution
    assert len(exercise.hints) >= 2
    fresh = type(exercise)()
    first, second = fresh.hint(), fresh.hint()
    assert "hint 1" in first.heading and "hint 2" in second.heading
    assert "solution" in exercise.show_solution().heading


@pytest.mark.parametrize("module", week_modules())
def test_each_week_has_at_least_four_exercises(module):
    assert sum(1 for m, _, _ in EXERCISES if m == module) >= 4


def test_student_code_that_raises_is_reported_not_raised():
    """Protects: an exception in the student's function becomes a verdict, not a traceback."""
    _, _, exercise = EXERCISES[0]

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    verdict = exercise.check(broken)
    assert verdict.status == INCORRECT and "ZeroDivisionError" in verdict.message


def test_verdict_renders_html_with_machine_readable_metadata():
    _, _, exercise = EXERCISES[0]
    data, meta = exercise.check(____)._repr_mimebundle_()
    assert "Not attempted" in data["text/html"] and "Not attempted" in data["text/plain"]
    assert meta["mlops_course"]["status"] == NOT_ATTEMPTED
    assert CORRECT != INCORRECT
