"""Item analysis on a simulated class answering through the real week-01 quiz.

Sixty students with known abilities answer each multiple-choice item correctly with a
probability that rises with ability (a two-parameter logistic model); code tasks are
solved by the stronger students. One item is planted with a wrong key in the quiz
source and one item is made almost impossible to miss. The report must flag both.
"""
from __future__ import annotations

import csv
import re
import shutil

import nbformat
import numpy as np
import pytest

from helpers import run_course, write_submission
from mlops_course import paths
from mlops_course.quizcells import answer_ids, grade_id
from mlops_course.variant import DEFAULT_COURSE, QuizVariant
from mlops_course.instructor.build import scratch_course_root
from mlops_course.instructor.examples import answered

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("report")]  # one simulated class, built once
WEEK = paths.quiz_weeks()[0]
KEY = re.compile(r'expect_choice\((q\d+), "([A-D])"')


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    root = scratch_course_root(tmp_path_factory.mktemp("simulated_class"))
    (root / "quizzes").unlink()  # a private copy of the quiz, where one key is planted wrong
    shutil.copytree(paths.QUIZZES_DIR, root / "quizzes", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    source_path = root / "quizzes" / WEEK / "quiz.ipynb"
    source = nbformat.read(source_path, as_version=4)
    keys = {m.group(1): m.group(2) for c in source.cells for m in KEY.finditer(c.source)}
    mc_items = sorted(keys, key=lambda q: int(q[1:]))
    easy, planted = mc_items[0], mc_items[1]
    wrong = next(letter for letter in "ABCD" if letter != keys[planted])
    for cell in source.cells:
        cell.source = cell.source.replace(f'expect_choice({planted}, "{keys[planted]}"', f'expect_choice({planted}, "{wrong}"')
    nbformat.write(source, source_path)
    run_course(root, "release", "--week", WEEK)
    release = nbformat.read(root / "build/release" / WEEK / "quiz.ipynb", as_version=4)

    rng = np.random.default_rng(7)
    abilities = np.linspace(-2.5, 2.5, 60)
    difficulty = {q: b for q, b in zip(mc_items, np.linspace(-1.0, 1.0, len(mc_items)))}
    difficulty[easy] = -6.0
    code_items = [q for q in answer_ids(source) if q not in keys and any(
        c.cell_type == "code" and grade_id(c) == q for c in source.cells)]
    thresholds = dict(zip(code_items, np.linspace(-1.0, 1.0, len(code_items))))
    for i, theta in enumerate(abilities):
        solved = {q for q, t in thresholds.items() if theta > t}
        student = f"sim{i:02d}"
        nb = answered(source, release, solved, student)
        mine = QuizVariant(WEEK, student, DEFAULT_COURSE)
        for cell in nb.cells:
            q = grade_id(cell)
            if q in keys:  # the option chosen, in source letters, written as this student sees it
                p_right = 1 / (1 + np.exp(-1.7 * (theta - difficulty[q])))
                letter = keys[q] if rng.random() < p_right else rng.choice([l for l in "ABCD" if l != keys[q]])
                cell.source = f'{q} = "{mine.shown(q, letter)}"'
        write_submission(root, student, WEEK, nb)
    run_course(root, "autograde", "--week", WEEK)
    run_course(root, "report")
    return root, easy, planted, keys


def _items(root):
    return {row["item"]: row for row in csv.DictReader((root / "build/reports" / f"items_{WEEK}.csv").open())}


def test_planted_wrong_key_is_flagged(simulated):
    """Protects: a wrong key shows up as negative discrimination and is flagged."""
    root, _, planted, _ = simulated
    row = _items(root)[planted]
    assert float(row["discrimination_r"]) < 0 and "negative discrimination" in row["flags"], row


def test_easy_item_is_flagged_and_sound_items_are_not(simulated):
    """Protects: too-easy items are flagged; items that work are not called broken."""
    root, easy, planted, keys = simulated
    items = _items(root)
    assert "too easy" in items[easy]["flags"]
    for q in keys:
        if q not in (easy, planted):
            assert "negative" not in items[q]["flags"], items[q]
            assert float(items[q]["discrimination_r"]) > 0.15, items[q]


def test_option_counts_show_the_real_key_was_popular(simulated):
    """Protects: the options table lets the instructor see which answer students chose."""
    root, _, planted, keys = simulated
    rows = {r[""]: r for r in csv.DictReader((root / "build/reports" / f"options_{WEEK}.csv").open())}
    counts = {letter: int(rows[planted][letter]) for letter in "ABCD" if letter in rows[planted]}
    assert max(counts, key=counts.get) == keys[planted]
    assert sum(counts.values()) == 60


def test_report_html_and_totals(simulated):
    """Protects: one HTML page with plots, and per-student totals for all 60 students."""
    root, _, _, _ = simulated
    page = (root / "build/reports/index.html").read_text()
    assert page.count("data:image/png;base64") >= 2 and WEEK in page
    with (root / "build/reports/students.csv").open() as f:
        assert len(list(csv.DictReader(f))) == 60
