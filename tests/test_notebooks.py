"""Every notebook executes offline with nbclient, within a generous ceiling of its budget.

Budgets (90 s lesson, 30 s quiz; week 11's lesson, which runs a real Airflow, has its own
in execute.LESSON_BUDGET) are reported by `make bench`; here a notebook only
fails when it takes more than CEILING x its budget, which stops a runaway notebook
without failing CI on a slow machine.
"""
from __future__ import annotations

import nbformat
import pytest

from mlops_course import paths, variant

from mlops_course.instructor import build
from mlops_course.instructor.execute import CEILING, budget, execute, verdicts

from helpers import by_week

LESSONS = paths.weeks()
QUIZZES = paths.quiz_weeks()


@pytest.mark.notebook
@pytest.mark.parametrize("week", by_week(LESSONS))
def test_solution_lesson_runs_and_every_check_passes(week, executed_lesson):
    """Protects: the lesson runs top to bottom and every exercise's answer is correct."""
    nb, seconds = executed_lesson(week)
    found = verdicts(nb)
    assert len(found) >= 4, f"{week}: only {len(found)} self-checks ran"
    wrong = [v for v in found if v["status"] != "correct"]
    assert not wrong, f"{week}: solutions judged not correct: {wrong}"
    path = paths.SOLUTIONS_DIR / f"{week}.ipynb"
    assert seconds < budget(path) * CEILING


@pytest.mark.notebook
@pytest.mark.parametrize("week", by_week(LESSONS))
def test_student_lesson_runs_and_reports_not_attempted(week, student_room_env):
    """Protects: a student's untouched notebook runs to the end with the student release's
    package (no instructor tools), and every check says 'not attempted' (not
    'incorrect', not a crash)."""
    nb, _ = execute(paths.NOTEBOOKS_DIR / f"{week}.ipynb", env=student_room_env)
    found = verdicts(nb)
    assert len(found) >= 4
    assert {v["status"] for v in found} == {"not attempted"}, f"{week}: {found}"


@pytest.mark.notebook
@pytest.mark.parametrize("week", by_week(QUIZZES))
def test_quiz_source_runs(week, student_room_env, tmp_path):
    """Protects: the quiz with its solutions and hidden tests executes without error, with
    the student release's package (hidden tests use only the student room's helpers)."""
    source_view = {**student_room_env, variant.AUTHOR_ENV: variant.SOURCE}  # the quiz as written
    # In a scratch folder: files the solutions write (a DAG file, an MLflow store) must not
    # land in quizzes/, where nbgrader's release would copy them to every student.
    _, seconds = execute(paths.QUIZZES_DIR / week / "quiz.ipynb", env=source_view, cwd=tmp_path)
    assert seconds < budget(paths.QUIZZES_DIR / week / "quiz.ipynb") * CEILING


def test_student_notebooks_in_sync():
    """Protects: notebooks/ is exactly what `make notebooks` generates from solutions/."""
    assert build.sync_problems() == []


def test_every_week_has_all_three_artifacts():
    """Protects: a week is lesson + student twin + quiz, with the same slug everywhere."""
    assert LESSONS == QUIZZES
    assert sorted(p.stem for p in paths.NOTEBOOKS_DIR.glob("*.ipynb")) == LESSONS


@pytest.mark.parametrize(
    "path",
    [paths.SOLUTIONS_DIR / f"{w}.ipynb" for w in LESSONS]
    + [paths.NOTEBOOKS_DIR / f"{w}.ipynb" for w in LESSONS]
    + [paths.QUIZZES_DIR / w / "quiz.ipynb" for w in QUIZZES],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_committed_notebook_is_valid_and_clean(path):
    """Protects: committed notebooks validate and carry no outputs or execution counts."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert build.is_clean(nb), f"{path}: run `make notebooks` to clear outputs"


@pytest.mark.parametrize("week", LESSONS)
def test_lesson_frame(week):
    """Protects: the shared frame students rely on (goals, setup cell, recap, exercises)."""
    nb = nbformat.read(paths.SOLUTIONS_DIR / f"{week}.ipynb", as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# Week {week[:2]}")
    assert "learning goals" in first.source.lower()
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert "import mlops_course as mc" in code[0] and "mc.setup()" in code[0]
    assert f"exercises import week{week[:2]} as ex" in code[0]
    last_md = [c.source for c in nb.cells if c.cell_type == "markdown"][-1]
    assert "recap" in last_md.lower()
    assert 30 <= len(nb.cells) <= 110, f"{week}: {len(nb.cells)} cells"
    assert sum("### BEGIN SOLUTION" in s for s in code) >= 4
