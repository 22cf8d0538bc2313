"""mlops_course.quiz: the hidden tests' helpers demand exact types, hide the key and
cannot be fooled by patched builtins."""
from __future__ import annotations

import numpy as np
import pytest

from mlops_course import quiz


class EqualsAnything:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class SneakyStr(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


@pytest.mark.parametrize("fake", [EqualsAnything(), SneakyStr("Z"), 1, None, ["B"]])
def test_choice_rejects_fakes_and_wrong_types(fake):
    with pytest.raises(AssertionError):
        quiz.expect_choice(fake, "B", "q1")


def test_choice_accepts_the_key_case_insensitively_and_hides_it():
    quiz.expect_choice(" b", "B", "q1")
    with pytest.raises(AssertionError) as info:
        quiz.expect_choice("C", "B", "q1")
    assert "'B'" not in str(info.value) and "q1" in str(info.value)


@pytest.mark.parametrize("fake", [EqualsAnything(), True, "0.5", np.array([0.5]), float("nan")])
def test_number_rejects_fakes(fake):
    with pytest.raises(AssertionError):
        quiz.expect_number(fake, 0.5, "x")


def test_number_tolerance_and_message():
    quiz.expect_number(np.float64(0.85714), 12000 / 14000, "spec")
    with pytest.raises(AssertionError) as info:
        quiz.expect_number(0.9, 0.8571428, "spec")
    assert "0.857" not in str(info.value)


def test_patched_builtins_do_not_change_the_verdict():
    """Protects: rebinding builtins in the student's kernel cannot pass a test."""
    import builtins

    saved = builtins.type, builtins.float, builtins.isinstance
    outcomes = []
    builtins.type, builtins.float, builtins.isinstance = (lambda o: str), (lambda o: 0.5), (lambda o, t: True)
    try:
        for call in (lambda: quiz.expect_choice(EqualsAnything(), "B", "q1"),
                     lambda: quiz.expect_number(EqualsAnything(), 0.5, "x")):
            try:
                call()
                outcomes.append("passed")
            except AssertionError:
                outcomes.append("failed")
    finally:
        builtins.type, builtins.float, builtins.isinstance = saved
    assert outcomes == ["failed", "failed"]


def test_array_and_items_helpers():
    quiz.expect_array([1.0, 2.0], np.array([1.0, 2.0]), "a")
    with pytest.raises(AssertionError, match="shape"):
        quiz.expect_array([1.0, 2.0, 3.0], np.array([1.0, 2.0]), "a")
    quiz.expect_same_items(["b", "a"], ["a", "b"], "cols")
    with pytest.raises(AssertionError):
        quiz.expect_same_items(["a"], ["a", "b"], "cols")


def test_a_failed_check_shows_the_student_one_line_in_jupyter():
    """Protects: a wrong type in q1 is one clear line in JupyterLab, not some 20 lines of
    the helpers' internals (IPython renders ``_render_traceback_``)."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shown = []
    shell._showtraceback = lambda etype, evalue, stb: shown.append(stb)
    shell.run_cell("from mlops_course.quiz import check_choice\nq1 = 5\ncheck_choice(q1, 'q1')")
    assert shown == [["AnswerError: q1 must be a string such as 'A', got int: 5"]], shown
