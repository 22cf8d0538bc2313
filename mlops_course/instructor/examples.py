"""Example submissions, generated from the quiz itself so they never go stale.

For each week, ``make_examples`` fills the released quiz the way different students
would and saves the result under ``build/submitted/<student>/<week>/``:

==================  ===========================================================
all_correct         every answer cell holds the source's solution (letters of its own variant)
half_correct        the first half of the answer cells answered, the rest untouched
untouched           the release as downloaded
renamed_notebook    all correct, but saved as ``quiz (1).ipynb``
kernel_crash        all correct, but the first answer also kills the kernel
malformed_json      all correct, but the file is cut off (not valid JSON)
late_submission     all correct, handed in after the due date
==================  ===========================================================

``expected_outcome`` gives what each should score, computed from the quiz's
nbgrader metadata: a test cell's ``grade_id`` starts with the ``grade_id`` of the
answer cell it tests (``q3`` -> ``q3_form``, ``q3_value``).
"""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from .. import paths
from .grading import FAILED, GRADED, NOTEBOOK, build_path
from ..quizcells import answer_ids, grade_id, is_answer, is_test, is_written_answer, item_of, points

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
TIMESTAMP = "2026-01-01 09:00:00.000000 UTC"  # before every due date in quizzes/schedule.csv
LATE_TIMESTAMP = "2027-06-30 09:00:00.000000 UTC"  # after every due date
CRASH = "\nimport os\nos._exit(1)  # simulates a student's kernel dying\n"

STUDENTS = ("all_correct", "half_correct", "untouched", "renamed_notebook", "kernel_crash", "malformed_json",
            "late_submission")


def solved(cell) -> str:
    """The solution text of a source cell with the region delimiters removed; for a
    written answer, the model answer without its rubric (a student writes no rubric)."""
    lines = []
    for line in cell.source.split("\n"):
        if is_written_answer(cell) and line.lstrip().startswith("**Rubric"):
            break
        if BEGIN not in line and END not in line:
            lines.append(line)
    return "\n".join(lines).rstrip()


def answered(source_nb, release_nb, ids: set[str], student: str, crash: bool = False):
    """The release with the answer cells in ``ids`` filled from the source, as
    ``student`` answers them (multiple-choice letters in that student's order)."""
    from .variants import answers_for, quiz_name

    solutions = answers_for(source_nb, student, quiz_name(source_nb))
    nb = copy.deepcopy(release_nb)
    first = True
    for cell in nb.cells:
        gid = grade_id(cell)
        if is_answer(cell) and gid in ids:
            cell.source = solutions[gid]
            if crash and first and cell.cell_type == "code":
                cell.source += CRASH
                first = False
    return nb


def _auto_points(source_nb) -> dict[str, float]:
    """Points of every autograded test cell, by grade_id."""
    return {grade_id(c): points(c) for c in source_nb.cells if is_test(c)}


def _points_for(source_nb, answered_ids: set[str]) -> float:
    tests = _auto_points(source_nb)
    return sum(p for gid, p in tests.items() if item_of(gid) in answered_ids)


def half_ids(source_nb) -> set[str]:
    ids = answer_ids(source_nb)
    return set(ids[: (len(ids) + 1) // 2])


def expected_outcome(week: str) -> dict[str, tuple[str, float]]:
    """student -> (status, autograded score) that the example should get."""
    source = nbformat.read(paths.QUIZZES_DIR / week / NOTEBOOK, as_version=4)
    full = _points_for(source, set(answer_ids(source)))
    return {
        "all_correct": (GRADED, full),
        "half_correct": (GRADED, _points_for(source, half_ids(source))),
        "untouched": (GRADED, 0.0),
        "renamed_notebook": (GRADED, full),
        "kernel_crash": (FAILED, 0.0),
        "malformed_json": (FAILED, 0.0),
        "late_submission": (GRADED, full),
    }


def make_examples(week: str) -> list[Path]:
    """Write the example submissions of ``week`` and return their paths."""
    source = nbformat.read(paths.QUIZZES_DIR / week / NOTEBOOK, as_version=4)
    release_file = build_path("release") / week / NOTEBOOK
    if not release_file.exists():
        raise FileNotFoundError(f"{release_file} is missing: run `make release` first.")
    release = nbformat.read(release_file, as_version=4)
    every = set(answer_ids(source))
    notebooks = {
        "all_correct": answered(source, release, every, "all_correct"),
        "half_correct": answered(source, release, half_ids(source), "half_correct"),
        "untouched": release,
        "renamed_notebook": answered(source, release, every, "renamed_notebook"),
        "kernel_crash": answered(source, release, every, "kernel_crash", crash=True),
        "malformed_json": answered(source, release, every, "malformed_json"),
        "late_submission": answered(source, release, every, "late_submission"),
    }
    written = []
    for student, nb in notebooks.items():
        folder = build_path("submitted") / student / week
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.ipynb"):
            old.unlink()
        name = "quiz (1).ipynb" if student == "renamed_notebook" else NOTEBOOK
        text = nbformat.writes(nb)
        if student == "malformed_json":
            text = text[: len(text) // 2]
        (folder / name).write_text(text)
        (folder / "timestamp.txt").write_text(LATE_TIMESTAMP if student == "late_submission" else TIMESTAMP)
        written.append(folder / name)
    return written
