"""Per-student quiz variants: given data and option order drawn from the student id.

A variant is a pure function of (course, quiz, student id): the same each time a
student reopens or re-runs the quiz, different between students. Each quiz's second
code cell makes one::

    my_id = ""                                    # the cell the student fills in
    quiz = mc.quiz_variant("01_ml_systems", my_id)

and its cells ask it for what differs:

* ``quiz.pick("q10", n=[500, 600, 700], ...)``: one value from each list of choices;
  ``quiz.rng("q10")``: a NumPy generator seeded for that item and student;
* ``quiz.choices("q3", [...])``: the options of a multiple-choice item, lettered in
  this student's order (the release build writes these cells from the question text).

The hidden tests keep the source's keys (``expect_choice(q3, "D", "q3")``): the quiz
helpers translate a source letter into the letter this student saw.

Who the student is: the hub's user (``JUPYTERHUB_USER``) when there is one, else the id
typed into ``my_id``. At grading the grader pins nbgrader's own student id (the
submission's folder) before any student code runs (:func:`pin`); a typed id that
differs is then ignored, said so in the notebook and flagged for review. The quiz
source itself, run by its author, gets the *source variant* (``MLOPS_COURSE_VARIANT=
source``): the numbers and letters written in the notebook.
"""
from __future__ import annotations

import hashlib
import os
import re

CHOICES = ("A", "B", "C", "D")
DEFAULT_COURSE = "mlops-course"
SOURCE = "source"  # the author's variant: first choices, fixed seeds, options as written
AUTHOR_ENV = "MLOPS_COURSE_VARIANT"  # set to "source" to run a quiz source as written
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")  # ids nbgrader accepts as folder names
ITEM = re.compile(r"^q\d+$")  # the items of a quiz: q1, q2, ...
MISMATCH = "typed id differs from the submitter"  # marker the grader's report looks for

_pinned: dict = {}  # {"student": ..., "course": ...}: set by the grader's first cell
_current = None  # the QuizVariant the notebook made last (used by the quiz helpers)


class VariantError(ValueError):
    """The student id is missing or malformed; shown as one line in JupyterLab."""

    def _render_traceback_(self) -> list[str]:
        return [f"VariantError: {self}"]


def digest(course: str, quiz: str, student: str, item: str = "") -> bytes:
    """The SHA-256 of (course, quiz, student, item): everything a variant derives from."""
    return hashlib.sha256("\x1f".join((course, quiz, student, item)).encode()).digest()


def roster_digest(course: str, student: str) -> str:
    """A short digest of a roster id, so a release can check ids without listing them."""
    return hashlib.sha256(f"{course}\x1froster\x1f{student}".encode()).hexdigest()[:12]


def order(course: str, quiz: str, student: str, item: str, n: int = len(CHOICES)) -> list[int]:
    """Source positions of the options in the order this student sees them."""
    if student == SOURCE:
        return list(range(n))
    keyed = sorted(range(n), key=lambda i: digest(course, quiz, student, f"{item}/option/{i}"))
    return keyed


def shown_letter(course: str, quiz: str, student: str, item: str, source_letter: str) -> str:
    """The letter under which this student saw the source's option ``source_letter``."""
    return CHOICES[order(course, quiz, student, item).index(CHOICES.index(source_letter))]


def source_letter(course: str, quiz: str, student: str, item: str, shown: str) -> str:
    """The source's letter of the option this student saw as ``shown``."""
    return CHOICES[order(course, quiz, student, item)[CHOICES.index(shown)]]


def pin(student: str, course: str) -> None:
    """Grader only: grade this kernel's notebook as ``student``'s, whatever it says."""
    _pinned.clear()
    _pinned.update(student=str(student), course=str(course))


def pinned() -> str:
    """The student id the grader pinned ("" outside grading)."""
    return _pinned.get("student", "")


def current():
    """The QuizVariant this notebook made (None when there is none: a lesson, a test)."""
    return _current


def _who(typed: str, roster: tuple[str, ...], course: str) -> tuple[str, str]:
    """(student id, how it was found) outside grading."""
    hub = os.environ.get("JUPYTERHUB_USER", "").strip()
    if hub:
        return hub, "from the course hub"
    if not typed and os.environ.get(AUTHOR_ENV, "") == SOURCE:
        return SOURCE, "the quiz as written (author's view)"
    if not typed:
        raise VariantError('type your student id between the quotes of my_id in the cell above '
                           '(for example my_id = "jdoe42"), run that cell, then this one')
    if not ID_PATTERN.match(typed):
        raise VariantError(f"my_id = {typed!r} is not a student id: use letters, digits and . _ - @ + only, "
                           "no spaces, as your instructor registered you")
    if roster and roster_digest(course, typed) not in roster:
        raise VariantError(f"my_id = {typed!r} is not on this class's list: check it against the id your "
                           "instructor gave you (letters and case count)")
    return typed, "as typed in my_id"


def quiz_variant(quiz: str, typed_id="", course: str = DEFAULT_COURSE, roster: tuple[str, ...] = ()):
    """This student's variant of ``quiz``; prints whose it is."""
    global _current
    if type(typed_id) is not str:
        raise VariantError(f"my_id must be a string in quotes, got {type(typed_id).__name__}: {typed_id!r}")
    typed = typed_id.strip()
    if _pinned:
        student, course = _pinned["student"], _pinned["course"]
        how = "pinned by the grader (the submitter)"
        if typed and typed != student:
            print(f"Note for the grader: {MISMATCH} (my_id = {typed!r}, submitted by {student!r}); "
                  f"this notebook is graded on {student!r}'s variant. Flagged for review.")
    else:
        student, how = _who(typed, tuple(roster), course)
    _current = QuizVariant(quiz, student, course)
    print(f"Quiz {quiz}, variant of student {student!r} ({how}). Your given data and the order of "
          "the options are your own: answer this notebook, not a classmate's.")
    return _current


class QuizVariant:
    """One student's variant of one quiz."""

    def __init__(self, quiz: str, student: str, course: str = DEFAULT_COURSE):
        self.quiz, self.student, self.course = quiz, student, course

    def __repr__(self) -> str:
        return f"QuizVariant({self.quiz!r}, student={self.student!r})"

    @property
    def is_source(self) -> bool:
        return self.student == SOURCE

    def seed(self, item: str, salt: str = "") -> int:
        """A 63-bit seed for ``item`` (the source variant's seed is the same for everyone)."""
        student = SOURCE if self.is_source else self.student
        return int.from_bytes(digest(self.course, self.quiz, student, f"{item}/seed/{salt}")[:8], "big") >> 1

    def rng(self, item: str, salt: str = ""):
        """A NumPy generator for ``item``: draw an item's random data from it."""
        import numpy as np

        return np.random.default_rng(self.seed(item, salt))

    def pick(self, item: str, **choices):
        """One value from each list of ``choices``, as a tuple in the order given (the
        source variant takes the first of each: the numbers written in the quiz)."""
        picked = []
        for name, options in choices.items():
            options = list(options)
            if not options:
                raise ValueError(f"pick({item!r}): no choices for {name}")
            index = 0 if self.is_source else self.seed(item, f"pick/{name}") % len(options)
            picked.append(options[index])
        return picked[0] if len(picked) == 1 else tuple(picked)

    def order(self, item: str, fixed: bool = False) -> list[int]:
        return list(range(len(CHOICES))) if fixed else order(self.course, self.quiz, self.student, item)

    def shown(self, item: str, source: str, fixed: bool = False) -> str:
        """The letter this student sees for the source's option ``source``."""
        return source if fixed else shown_letter(self.course, self.quiz, self.student, item, source)

    def source_of(self, item: str, shown: str, fixed: bool = False) -> str:
        """The source's letter of the option this student saw as ``shown``."""
        return shown if fixed else source_letter(self.course, self.quiz, self.student, item, shown)

    def choices(self, item: str, options: list[str], fixed: bool = False):
        """Show the options of ``item`` lettered in this student's order."""
        from IPython.display import Markdown, display

        if len(options) != len(CHOICES):
            raise ValueError(f"{item} needs {len(CHOICES)} options, got {len(options)}")
        number = item.lstrip("q")
        lines = [f"**Q{number}: your options** (answer with the letter shown here)", ""]
        lines += [f"- **{CHOICES[i]}.** {options[source]}" for i, source in enumerate(self.order(item, fixed))]
        display(Markdown("\n".join(lines)))


def expected_letter(item: str, source: str, fixed: bool = False) -> str:
    """The key of ``item`` as this notebook's student saw it (the source letter when no
    variant is active). The quiz helpers call it; a grader's pin always wins."""
    variant = _current
    if variant is None or source not in CHOICES or not ITEM.match(item):
        return source
    if _pinned:  # at grading: the submitter's variant, whatever the notebook made
        variant = QuizVariant(variant.quiz, _pinned["student"], _pinned["course"])
    return variant.shown(item, source, fixed)


def fingerprint(probe_id: str, course: str, quiz: str) -> str:
    """What the grader's probe reads from the kernel after the student's code ran: the
    pin, the notebook's variant and, for an id the probe makes up, option orders, seeds
    and picks. The grader computes :func:`expected_fingerprint` on its side; any change
    to this module's functions or state makes the two differ."""
    variant = QuizVariant(quiz, probe_id, course)
    state = [pinned(), _pinned.get("course", ""),
             _current.student if _current is not None else "", _current.quiz if _current is not None else ""]
    return _fingerprint(state, variant, [expected_letter(item, "B") for item in _PROBED])


def expected_fingerprint(probe_id: str, course: str, quiz: str, submitter: str) -> str:
    """The fingerprint an untouched kernel gives when grading ``submitter``'s notebook."""
    mine = QuizVariant(quiz, submitter, course)
    return _fingerprint([submitter, course, submitter, quiz], QuizVariant(quiz, probe_id, course),
                        [mine.shown(item, "B") for item in _PROBED])


_PROBED = ("q1", "q2", "q5", "q9", "q11")


def _fingerprint(state: list[str], variant: QuizVariant, letters: list[str]) -> str:
    parts = list(state) + letters
    for item in _PROBED:
        parts += [str(variant.order(item)), str(variant.seed(item)), str(variant.pick(item, x=range(97))),
                  variant.shown(item, "C"), variant.source_of(item, "A")]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()
