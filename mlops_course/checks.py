"""Instant self-checks for lesson exercises.

Each week declares its exercises in ``mlops_course.exercises.weekNN``: one small
:class:`Exercise` subclass per exercise with its check, staged hints and a worked
solution. A lesson cell holds the starter code and one line that runs the check::

    def f1_score(precision, recall):
        ...
    ex.f1.check(f1_score)

A check never raises into the student's notebook and never shows the expected
value. It reports one of three verdicts: correct, incorrect (with a hint of what
is wrong) or not attempted (the starter placeholder or stub is still there).
"""
from __future__ import annotations

import html
import math
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Sequence


class _Placeholder:
    """The blank students replace: ``answer = ____``."""

    def __repr__(self) -> str:
        return "____"


#: Placeholder for values in starter code; a check reports it as not attempted.
____ = _Placeholder()

CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not attempted"

_STYLE = {
    CORRECT: ("#1b7f3b", "✔ Correct"),
    INCORRECT: ("#b3261e", "✘ Not yet"),
    NOT_ATTEMPTED: ("#6b6b6b", "○ Not attempted"),
}


class Incorrect(Exception):
    """Raised inside :meth:`Exercise.evaluate` with a message for the student."""


class NotAttempted(Exception):
    """Raised inside :meth:`Exercise.evaluate` when the answer is still a stub."""


@dataclass(frozen=True)
class Verdict:
    """Outcome of one check; renders as a coloured line in JupyterLab."""

    exercise: str
    status: str
    message: str = ""

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    def __repr__(self) -> str:
        label = _STYLE[self.status][1]
        text = f"{label}: {self.exercise}"
        return f"{text}. {self.message}" if self.message else text

    def _repr_mimebundle_(self, include=None, exclude=None):
        colour, label = _STYLE[self.status]
        body = f"<b>{html.escape(label)}</b> &middot; {html.escape(self.exercise)}"
        if self.message:
            body += f"<br>{html.escape(self.message)}"
        data = {
            "text/plain": repr(self),
            "text/html": (
                f'<div class="mlops-verdict" data-status="{self.status}" '
                f'style="border-left:4px solid {colour};padding:4px 8px;color:{colour}">'
                f"{body}</div>"
            ),
        }
        # Tests and the browser check read the verdict from the output metadata.
        return data, {"mlops_course": {"exercise": self.exercise, "status": self.status}}


def is_placeholder(answer: Any) -> bool:
    """True for an untouched starter value (``____``, ``...`` or ``None``)."""
    return answer is ____ or answer is Ellipsis or answer is None


class Exercise:
    """Base class of a lesson exercise.

    Subclasses set ``title``, ``hints`` and ``solution`` and implement
    :meth:`evaluate`, which returns quietly for a correct answer and raises
    :class:`Incorrect` with a helpful message otherwise. The test suite feeds the check
    ``wrong_answer`` and every entry of ``wrong_answers`` (plausible mistakes: each must
    be judged incorrect) and every entry of ``right_answers`` (valid alternatives to the
    worked solution, e.g. another library's function: each must be judged correct).
    A check that runs longer than ``time_limit`` seconds (a student's loop that never
    ends) is stopped and reported as incorrect.
    """

    title: ClassVar[str] = ""
    hints: ClassVar[Sequence[str]] = ()
    solution: ClassVar[str] = ""
    wrong_answer: ClassVar[Any] = None
    wrong_answers: ClassVar[Sequence[Any]] = ()
    right_answers: ClassVar[Sequence[Any]] = ()
    time_limit: ClassVar[float] = 10.0
    #: Seconds the check may take on ``wrong_answer`` (tests/test_exercises.py): instant
    #: for most; a check that must build a small Keras model for the student's function
    #: to work on says so with a larger budget.
    check_budget: ClassVar[float] = 0.1

    def __init__(self) -> None:
        self._hints_shown = 0

    # -- to implement ------------------------------------------------------
    def evaluate(self, answer: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- student API -------------------------------------------------------
    def check(self, answer: Any = ____) -> Verdict:
        """Check an answer and return a verdict; never raises."""
        if is_placeholder(answer):
            return Verdict(self.title, NOT_ATTEMPTED, "Replace the placeholder, then run the cell again.")
        try:
            with _time_limit(self.time_limit):
                self.evaluate(answer)
        except CheckTimeout:
            return Verdict(self.title, INCORRECT, f"The check stopped your code after {self.time_limit:g} s: "
                           f"look for a loop that never ends. Try ex.{self.name}.hint() if you are stuck.")
        except NotImplementedError:
            return Verdict(self.title, NOT_ATTEMPTED, "Write the body of the function, then run the cell again.")
        except NotAttempted as exc:
            return Verdict(self.title, NOT_ATTEMPTED, str(exc))
        except Incorrect as exc:
            return Verdict(self.title, INCORRECT, f"{exc} Try ex.{self.name}.hint() if you are stuck.")
        except Exception as exc:  # the student's code raised: report, do not crash
            return Verdict(self.title, INCORRECT, f"Your code raised {type(exc).__name__}: {exc}")
        return Verdict(self.title, CORRECT)

    def hint(self, number: int | None = None) -> "Hint":
        """Show the next hint (or hint ``number``, counting from 1)."""
        if not self.hints:
            return Hint(self.title, "There is no hint for this exercise.")
        if number is None:
            self._hints_shown = min(self._hints_shown + 1, len(self.hints))
            number = self._hints_shown
        number = max(1, min(number, len(self.hints)))
        return Hint(f"{self.title}: hint {number} of {len(self.hints)}", self.hints[number - 1])

    def show_solution(self) -> "Hint":
        """Show a worked solution with the reasoning behind it."""
        return Hint(f"{self.title}: solution", self.solution or "No solution text yet.")

    @property
    def name(self) -> str:
        return getattr(self, "_name", type(self).__name__)


class CheckTimeout(BaseException):
    """Raised by :func:`_time_limit` (a BaseException, so student code's ``except
    Exception`` cannot swallow it)."""


@contextmanager
def _time_limit(seconds: float):
    """Stop the block after ``seconds`` with CheckTimeout (main thread only, where
    Jupyter runs cells; elsewhere the block runs unbounded)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum, frame):
        raise CheckTimeout()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Hint:
    """Markdown text shown in the notebook."""

    heading: str
    text: str

    def __repr__(self) -> str:
        return f"{self.heading}\n{self.text}"

    def _repr_markdown_(self) -> str:
        return f"**{self.heading}**\n\n{self.text}"


def register(module_globals: dict) -> list[Exercise]:
    """Name each exercise instance in a week module after its variable; return them."""
    found = []
    for key, value in list(module_globals.items()):
        if isinstance(value, Exercise):
            value._name = key
            found.append(value)
    return found


# -- helpers for writing checks ---------------------------------------------
def expect_number(answer: Any, what: str) -> float:
    """Return ``answer`` as a float or raise Incorrect if it is not a real number."""
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) and not _is_numpy_real(answer):
        raise Incorrect(f"{what} should be a number, got {type(answer).__name__}.")
    value = float(answer)
    if math.isnan(value):
        raise Incorrect(f"{what} is NaN: check for a division by zero.")
    return value


def expect_close(value: float, expected: float, what: str, tol: float = 1e-3, advice: str = "") -> None:
    """Raise Incorrect (without revealing ``expected``) unless the two agree within ``tol``."""
    if not math.isclose(value, expected, rel_tol=tol, abs_tol=tol):
        raise Incorrect(f"{what} is {value:.4g}, which is not right yet. {advice}".strip())


def expect_callable(answer: Any, what: str) -> Callable:
    if not callable(answer):
        raise Incorrect(f"Pass the function {what} itself (no parentheses), not {type(answer).__name__}.")
    return answer


def _is_numpy_real(x: Any) -> bool:
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        return False
    return isinstance(x, (np.integer, np.floating))


def timed_check(exercise: Exercise, answer: Any) -> tuple[Verdict, float]:
    """Run a check and return the verdict with its wall time in seconds (used by tests)."""
    start = time.perf_counter()
    verdict = exercise.check(answer)
    return verdict, time.perf_counter() - start
