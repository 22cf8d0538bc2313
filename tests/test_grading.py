"""Release integrity and autograding, per week, in a temporary course root.

For every quiz: the nbgrader release leaks no solution and no hidden test; the
example submissions generated from the quiz grade as expected (full marks for the
solutions, zero for the untouched release, failures reported per student); feedback
HTML contains no hidden test; grades are exported.
"""
from __future__ import annotations

import csv
import json

import nbformat
import pytest

from nbgrader.utils import is_grade

from mlops_course import paths, quizcells
from mlops_course.instructor.examples import expected_outcome
from mlops_course.quizcells import answer_ids, grade_id, item_of
from mlops_course.instructor.grading import GRADED

from helpers import by_week
from hostile import BEGIN_HID, BEGIN_SOL, END_HID, END_SOL, regions, secret_lines

pytestmark = pytest.mark.grading
WEEKS = paths.quiz_weeks()

@pytest.fixture
def graded(graded_course):
    """Root of the week's graded scratch course (see conftest.graded_course)."""
    return lambda week: graded_course(week)[0]


def source_nb(week):
    return nbformat.read(paths.QUIZZES_DIR / week / "quiz.ipynb", as_version=4)


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_release_contains_no_solution_or_hidden_test(graded, week):
    """Protects: nothing of a solution or a hidden test reaches students."""
    release = (graded(week) / "build/release" / week / "quiz.ipynb").read_text()
    release_nb = nbformat.reads(release, as_version=4)
    release_sources = "\n".join(c.source for c in release_nb.cells)
    for cell in source_nb(week).cells:
        for region in regions(cell.source, BEGIN_SOL, END_SOL) + regions(cell.source, BEGIN_HID, END_HID):
            for line in (l.strip() for l in region.split("\n")):
                if len(line) > 12 and not line.startswith("#"):
                    assert line not in release_sources, f"{week}: release leaks {line!r}"
    assert BEGIN_HID not in release and BEGIN_SOL not in release


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_release_metadata_does_not_reveal_keys(graded, week):
    """Protects: the multiple-choice key is in no cell metadata or output of the release."""
    release_nb = nbformat.read(graded(week) / "build/release" / week / "quiz.ipynb", as_version=4)
    for cell in release_nb.cells:
        assert not cell.get("outputs"), f"{week}: release cell has outputs"
        text = json.dumps(cell.metadata)
        assert "BEGIN" not in text and "expect_choice" not in text


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_examples_grade_as_expected(graded, week):
    """Protects: solutions score full marks, the untouched release 0, partial answers their
    share, and broken submissions are reported per student (never silently zero)."""
    report = json.loads((graded(week) / "build/reports" / f"autograde_{week}.json").read_text())
    got = {r["student"]: r for r in report}
    for student, (status, score) in expected_outcome(week).items():
        assert got[student]["status"] == status, f"{week}/{student}: {got[student]}"
        if status == GRADED:
            assert got[student]["score"] == pytest.approx(score), f"{week}/{student}: {got[student]}"
        else:
            assert got[student]["problems"], f"{week}/{student}: failure without a reason"
    assert got["renamed_notebook"]["problems"], "renamed notebook graded without a note"
    assert expected_outcome(week)["all_correct"][1] > expected_outcome(week)["half_correct"][1] > 0


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_feedback_hides_hidden_tests(graded, week):
    """Protects: feedback shows scores and messages, never hidden tests or their keys."""
    root = graded(week)
    hidden_lines = secret_lines(source_nb(week), keys=False)
    for student in ("all_correct", "half_correct", "untouched"):
        html_file = root / "build/feedback" / student / week / "quiz.html"
        assert html_file.exists(), f"no feedback for {student}"
        page = html_file.read_text()
        for line in hidden_lines:
            import html as _html

            assert line not in page and _html.escape(line) not in page, f"{week}/{student}: feedback shows {line!r}"
        assert "Your feedback" in page, f"{week}/{student}: no summary at the top of the feedback"
    half = (root / "build/feedback/half_correct" / week / "quiz.html").read_text()
    assert "What to review" in half and f"notebooks/{week}.ipynb" in half


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_grades_exported(graded, week):
    """Protects: the grade export lists every graded student with the gradebook's score."""
    rows = list(csv.DictReader((graded(week) / "build/grades.csv").open()))
    by_student = {r["student_id"]: r for r in rows if r["assignment"] == week}
    expected = expected_outcome(week)
    for student in ("all_correct", "half_correct", "untouched"):
        assert float(by_student[student]["raw_score"]) == pytest.approx(expected[student][1])


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_validator_passes_solution_and_fails_release(graded, week):
    """Protects: nbgrader's own validator (Python API; the CLI always exits 0) agrees."""
    from nbgrader.validator import Validator

    root = graded(week)
    validator = Validator()
    solved = validator.validate(str(root / "build/submitted/all_correct" / week / "quiz.ipynb"))
    untouched = validator.validate(str(root / "build/release" / week / "quiz.ipynb"))
    assert not solved.get("failed") and not solved.get("type_changed"), f"{week}: {solved}"
    assert untouched.get("failed"), f"{week}: the untouched release passes validation"


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_student_release_is_self_contained(graded, week):
    """Protects: build/student_release has what a student needs and nothing secret."""
    out = graded(week) / "build/student_release"
    for name in ("README.md", "pyproject.toml", "requirements.lock", "environment.yml",
                 f"quizzes/{week}/quiz.ipynb", "data/manifest.json", "mlops_course/__init__.py"):
        assert (out / name).exists(), f"student release lacks {name}"
    assert not (out / "solutions").exists()
    assert sorted(p.name for p in (out / "notebooks").glob("*.ipynb")) == [f"{w}.ipynb" for w in paths.weeks()]


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_quiz_structure(week):
    """Protects: every quiz follows DESIGN.md (item counts, points, ids the examples rely on)."""
    nb = source_nb(week)
    answers = answer_ids(nb)
    tests = [grade_id(c) for c in nb.cells if quizcells.is_test(c)]
    mc = [t for t in tests if t.endswith(quizcells.KEY_SUFFIX)]
    code_tasks = {item_of(t) for t in tests} - {item_of(t) for t in mc}
    assert 6 <= len(mc) <= 10, f"{week}: {len(mc)} multiple-choice items"
    assert 2 <= len(code_tasks) <= 4, f"{week}: {len(code_tasks)} code tasks"
    assert len(answers) == len(set(answers)), f"{week}: duplicate answer grade_ids"
    for cell in nb.cells:
        if is_grade(cell):
            assert quizcells.points(cell) > 0, f"{week}: {grade_id(cell)} has no points"
    for t in tests:
        assert any(t.startswith(a + "_") for a in answers), f"{week}: {t} tests no answer cell"
    keys = []
    for cell in nb.cells:
        if grade_id(cell).endswith(quizcells.KEY_SUFFIX):
            keys += [line.split('"')[3] for line in cell.source.split("\n") if "expect_choice(" in line]
    assert len(set(keys)) >= 3, f"{week}: keys {keys} use too few letters"


def test_kernel_sockets_get_a_short_private_folder():
    """Protects: grading works from a deep course folder (a CI checkout): the kernel's
    Unix sockets live where their path fits the 107-byte limit, one folder per run."""
    import shutil

    from mlops_course.instructor.grading import SOCKET_PATH_MAX, socket_dir

    first, second = socket_dir(), socket_dir()
    try:
        assert first != second and first.is_dir() and second.is_dir()
        assert len(str(first / "w1234567" / "kernel-9999")) <= SOCKET_PATH_MAX
        assert oct(first.stat().st_mode & 0o777) == "0o700"
    finally:
        shutil.rmtree(first), shutil.rmtree(second)
