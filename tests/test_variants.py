"""Per-student quiz variants: pure, different between students, graded on the submitter's.

In-process tests of ``mlops_course.variant`` (the student's side) and of
``mlops_course.instructor.variants`` (release and grading side), and, for every quiz,
that each student's correct solution earns every point on that student's own variant
while a classmate's answers copied as literals earn no more than guessing.
"""
from __future__ import annotations

import ast
import contextlib
import copy
import itertools
import tempfile

import nbformat
import numpy as np
import pytest

from helpers import VARIANT_STUDENTS, by_week, judge_answer, quiz_namespace
from mlops_course import paths, quizcells, variant
from mlops_course.instructor import variants

WEEKS = paths.quiz_weeks()
COURSE = variant.DEFAULT_COURSE


@pytest.fixture(autouse=True)
def fresh_variant_state(monkeypatch):
    """Each test starts with no pin and no current variant, outside any hub."""
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv(variant.AUTHOR_ENV, raising=False)
    saved = dict(variant._pinned), variant._current
    variant._pinned.clear()
    variant._current = None
    yield
    variant._pinned.clear()
    variant._pinned.update(saved[0])
    variant._current = saved[1]


def source(week: str):
    return nbformat.read(paths.QUIZZES_DIR / week / "quiz.ipynb", as_version=4)


# -- the student's side ---------------------------------------------------------------
def test_a_variant_is_a_pure_function_of_course_quiz_and_student():
    """Protects: reopening or re-running a quiz gives the same variant; another student,
    quiz or course another one."""
    a1, a2 = variant.QuizVariant("01_x", "ada"), variant.QuizVariant("01_x", "ada")
    assert a1.order("q1") == a2.order("q1") and a1.seed("q9") == a2.seed("q9")
    assert a1.rng("q9").random(3).tolist() == a2.rng("q9").random(3).tolist()
    others = [variant.QuizVariant("01_x", "grace"), variant.QuizVariant("02_x", "ada"),
              variant.QuizVariant("01_x", "ada", course="mlops-2027")]
    for other in others:
        assert [other.order(f"q{i}") for i in range(1, 9)] != [a1.order(f"q{i}") for i in range(1, 9)]
        assert other.seed("q9") != a1.seed("q9")


def test_option_orders_are_uniform_over_students():
    """Protects: the key's letter is spread evenly, so no letter is a good guess."""
    counts = np.zeros(4)
    for i in range(4000):
        counts[variant.CHOICES.index(variant.shown_letter(COURSE, "01_x", f"s{i}", "q3", "C"))] += 1
    assert counts.min() > 0.21 * 4000 and counts.max() < 0.29 * 4000, counts


def test_letters_round_trip_and_pick_takes_from_the_choices():
    v = variant.QuizVariant("05_x", "ada")
    for letter in variant.CHOICES:
        assert v.source_of("q2", v.shown("q2", letter)) == letter
    assert sorted(v.order("q2")) == [0, 1, 2, 3]
    picks = {variant.QuizVariant("05_x", f"s{i}").pick("q9", n=[10, 20, 30]) for i in range(60)}
    assert picks == {10, 20, 30}
    assert variant.QuizVariant("05_x", variant.SOURCE).pick("q9", n=[10, 20, 30], k=["a", "b"]) == (10, "a")


def test_the_id_comes_from_the_hub_else_from_my_id(monkeypatch, capsys):
    """Protects: on the hub the student types nothing; elsewhere a missing or malformed
    id is a one-line error that says what to type."""
    monkeypatch.setenv("JUPYTERHUB_USER", "hubuser")
    assert variant.quiz_variant("01_x", "").student == "hubuser"
    monkeypatch.delenv("JUPYTERHUB_USER")
    assert variant.quiz_variant("01_x", "  jdoe42 ").student == "jdoe42"
    assert "jdoe42" in capsys.readouterr().out
    for bad, says in [("", "type your student id"), ("j doe", "not a student id"), (42, "must be a string")]:
        with pytest.raises(variant.VariantError, match=says):
            variant.quiz_variant("01_x", bad)
    assert variant.VariantError("x")._render_traceback_() == ["VariantError: x"]


def test_a_roster_rejects_ids_not_on_it():
    roster = tuple(variant.roster_digest(COURSE, s) for s in ("ada", "grace"))
    assert variant.quiz_variant("01_x", "grace", roster=roster).student == "grace"
    with pytest.raises(variant.VariantError, match="not on this class's list"):
        variant.quiz_variant("01_x", "Grace", roster=roster)


def test_the_graders_pin_wins_over_the_typed_id(capsys):
    """Protects: a notebook that types a classmate's id is graded on its submitter's
    variant, and says so in its output (which the feedback and the grader see)."""
    variant.pin("bob", COURSE)
    made = variant.quiz_variant("01_x", "alice")
    assert made.student == "bob"
    assert variant.MISMATCH in capsys.readouterr().out
    assert variant.expected_letter("q1", "A") == variant.QuizVariant("01_x", "bob").shown("q1", "A")


def test_the_fingerprint_changes_when_the_machinery_is_patched(monkeypatch):
    """Protects: the grader's probe notices a notebook that replaced how variants are
    computed, re-pinned itself or swapped the current variant."""
    variant.pin("bob", COURSE)
    variant.quiz_variant("01_x", "")
    honest = variant.expected_fingerprint("p1", COURSE, "01_x", "bob")
    assert variant.fingerprint("p1", COURSE, "01_x") == honest
    patches = [
        lambda: monkeypatch.setattr(variant, "order", lambda *a, **k: [0, 1, 2, 3]),
        lambda: monkeypatch.setattr(variant.QuizVariant, "shown", lambda self, item, s, fixed=False: s),
        lambda: monkeypatch.setattr(variant, "digest", lambda *a: b"\0" * 32),
        lambda: variant.pin("alice", COURSE),
        lambda: monkeypatch.setattr(variant, "_current", variant.QuizVariant("01_x", "alice")),
    ]
    for patch in patches:
        with monkeypatch.context():
            patch()
            assert variant.fingerprint("p1", COURSE, "01_x") != honest
        variant.pin("bob", COURSE)


# -- the release ----------------------------------------------------------------------
def test_release_letters_options_by_code_and_bakes_the_course_in():
    """Protects: the released question lists its options without letters, the cell
    after it letters them per student, and the variant cell carries the course id."""
    nb = source(WEEKS[0])
    items = variants.choice_items(nb)
    released, _ = variants.ReleaseVariants().preprocess(copy.deepcopy(nb), {})
    by_id = {quizcells.grade_id(c): c for c in released.cells}
    assert f"course={variants.course_id()!r}" in by_id[quizcells.VARIANT_ID].source
    for item in items:
        question, lettering = by_id[f"{item}_question"], by_id[f"{item}{quizcells.OPTIONS_SUFFIX}"]
        assert not quizcells.options(question), "letters left in the released question"
        assert released.cells.index(lettering) == released.cells.index(question) + 1
        assert quizcells.is_locked(lettering)
        texts = list(quizcells.options(next(c for c in nb.cells if quizcells.grade_id(c) == f"{item}_question")).values())
        assert all(repr(t) in lettering.source for t in texts)


def test_the_lettered_options_show_the_students_order(capsys):
    v = variant.QuizVariant("01_x", "ada")
    texts = ["first", "second", "third", "fourth"]
    from IPython.display import Markdown

    shown = []
    import IPython.display as display

    original = display.display
    display.display = lambda obj: shown.append(obj)
    try:
        v.choices("q1", texts)
    finally:
        display.display = original
    (markdown,) = shown
    assert isinstance(markdown, Markdown)
    for letter in variant.CHOICES:
        assert f"**{letter}.** {texts[variant.CHOICES.index(v.source_of('q1', letter))]}" in markdown.data


def test_roster_digests_are_baked_when_there_is_a_roster():
    baked = variants.bake('quiz = mc.quiz_variant("01_x", my_id)', "c1", ["ada", "bob"])
    assert "course='c1'" in baked and variant.roster_digest("c1", "ada") in baked and "'ada'" not in baked
    with pytest.raises(ValueError):
        variants.bake("quiz = 1", "c1", [])


def test_typed_id_review():
    nb = source(WEEKS[0])
    id_cell = next(c for c in nb.cells if "my_id =" in c.source and not quizcells.grade_id(c))
    assert variants.id_review(nb, "bob") == ""
    id_cell.source = 'my_id = "alice"'
    assert variant.MISMATCH in variants.id_review(nb, "bob")
    assert variants.id_review(nb, "alice") == ""
    id_cell.source = 'my_id = "al" + "ice"'
    assert "not a plain string" in variants.id_review(nb, "alice")


def test_describe_gives_the_instructor_keys_and_data():
    text = variants.describe(source(WEEKS[0]), WEEKS[0], "ada")
    mine = variant.QuizVariant(WEEKS[0], "ada", variants.course_id())
    keys = variants._source_keys(source(WEEKS[0]))
    for item, key in keys.items():
        assert f"{item}: key {mine.shown(item, key)} (source key {key})" in text


# -- every quiz -----------------------------------------------------------------------
def _answer_items(nb) -> list[str]:
    return [quizcells.grade_id(c) for c in nb.cells if quizcells.is_code_answer(c)]


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_every_students_solution_earns_every_point_of_their_own_variant(week):
    """Protects: a variant never makes the source's method wrong; multiple-choice keys
    follow each student's order."""
    nb = source(week)
    for student in VARIANT_STUDENTS:
        answers = variants.answers_for(nb, student, week, COURSE)
        for item in _answer_items(nb):
            verdict = judge_answer(week, item, answers[item], student)
            assert verdict is None, f"{student}'s variant, {item}: {verdict}"


def _literal_answers(week: str, item: str, student: str, answer: str) -> str | None:
    """``answer`` run on ``student``'s variant, its results written as literals (what a
    classmate would copy); None when the answer defines a function (a method, which
    copying is allowed to carry over)."""
    tree = ast.parse(answer)
    if any(isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda)) for n in ast.walk(tree)):
        return None
    names = [t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)]
    _, ns = quiz_namespace(week, student)
    # In a scratch folder, as the grader's working folder: an answer may write files
    # (week 11's DAG file), which must not land in the course checkout.
    with tempfile.TemporaryDirectory(prefix="literal-") as folder, contextlib.chdir(folder):
        exec(answer, ns)
    lines = []
    for name in dict.fromkeys(names):
        value = ns[name]
        if isinstance(value, np.ndarray):
            lines.append(f"{name} = np.array({value.tolist()!r})")
        elif isinstance(value, (np.generic,)):
            lines.append(f"{name} = {value.item()!r}")
        else:
            try:
                literal = repr(value)
                ast.literal_eval(literal)
            except (ValueError, SyntaxError):
                return None  # an object no one would type in (a fitted model, a frame)
            lines.append(f"{name} = {literal}")
    return "\n".join(lines)


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_a_classmates_values_copied_as_literals_earn_nothing(week):
    """Protects: values computed on student A's variant and typed into B's notebook fail
    B's value tests (B's given data differ)."""
    nb = source(week)
    value_items = 0
    for a, b in itertools.pairwise(VARIANT_STUDENTS):
        answers = variants.answers_for(nb, a, week, COURSE)
        for item in _answer_items(nb):
            if item in variants.choice_items(nb):
                continue
            literal = _literal_answers(week, item, a, answers[item])
            if literal is None:
                continue
            value_items += 1
            assert judge_answer(week, item, literal, b) is not None, f"{a}'s {item} values pass on {b}'s variant"
    assert value_items or week in METHOD_ONLY, f"{week} has no task whose values depend on the variant"


#: Quizzes whose code tasks are all functions (methods are what a student may share).
METHOD_ONLY: set[str] = set()


def test_a_classmates_letters_score_what_guessing_scores():
    """Protects: copying another student's multiple-choice letters earns about a quarter
    of the points (chance), over every item of every quiz."""
    right = total = 0
    for week in WEEKS:
        nb = source(week)
        keys = variants._source_keys(nb)
        fixed = variants.choice_items(nb)
        for a, b in itertools.pairwise(VARIANT_STUDENTS):
            va, vb = variant.QuizVariant(week, a), variant.QuizVariant(week, b)
            for item, key in keys.items():
                copied = va.shown(item, key, fixed[item])
                right += vb.shown(item, key, fixed[item]) == copied
                total += 1
    assert total >= 150 and right / total <= 0.35, f"{right} of {total} copied letters were right"
