"""The quiz cell convention: what each cell of a quiz notebook is, from its nbgrader
metadata and its ``grade_id`` (AUTHORING.md, "Quiz").

| cell | grade_id | nbgrader flags |
| --- | --- | --- |
| question text (markdown) | ``qN_question`` | locked |
| answer (code, or markdown for a written answer) | ``qN`` | solution (+ grade when written) |
| given data (read-only code) | ``qN_data`` | locked |
| visible form check | ``qN_valid``, ``qN_form`` | locked (+ grade) |
| graded test | ``qN_<what>`` (``qN_key``, ``qN_values``) | grade, locked |
| the student's variant | ``variant`` | locked |
| lettered options (release only) | ``qN_options`` | locked |

The student's id (``my_id = ""``) sits in a plain code cell before ``variant``.

Everything that reads quizzes (grading, integrity probes, examples, the item report,
the tests) asks this module, so the convention lives in one place. The flags are read
with nbgrader's own predicates (``nbgrader.utils``), imported on first use: lessons
and the grading kernel never pay for them.
"""
from __future__ import annotations

QUESTION_SUFFIX = "_question"
DATA_SUFFIX = "_data"
KEY_SUFFIX = "_key"
OPTIONS_SUFFIX = "_options"  # the release's cell that letters an item's options per student
VARIANT_ID = "variant"  # the locked cell that makes the student's variant (mc.quiz_variant)


def _utils():
    from nbgrader import utils

    return utils


def grade_id(cell) -> str:
    """The cell's nbgrader ``grade_id`` ("" for a cell nbgrader does not track)."""
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


def item_of(grade_id: str) -> str:
    """The question a cell belongs to: ``q11`` for ``q11``, ``q11_values`` or ``q11_data``."""
    return grade_id.split("_")[0]


def points(cell) -> float:
    """The points a graded cell carries (0 for any other cell)."""
    return float(cell.metadata.get("nbgrader", {}).get("points", 0) or 0) if _utils().is_grade(cell) else 0.0


def is_answer(cell) -> bool:
    """A cell the student fills in (code, or markdown for a written answer)."""
    return _utils().is_solution(cell)


def is_code_answer(cell) -> bool:
    return cell.cell_type == "code" and is_answer(cell)


def is_written_answer(cell) -> bool:
    """A markdown answer graded by hand (it carries points and a rubric)."""
    return cell.cell_type == "markdown" and is_answer(cell) and _utils().is_grade(cell)


def is_test(cell) -> bool:
    """A graded, read-only test cell (visible check or hidden test)."""
    return cell.cell_type == "code" and _utils().is_grade(cell) and not is_answer(cell)


def is_data(cell) -> bool:
    """An item's read-only given-data cell (``qN_data``)."""
    utils = _utils()
    return (cell.cell_type == "code" and grade_id(cell).endswith(DATA_SUFFIX) and utils.is_locked(cell)
            and not utils.is_grade(cell) and not is_answer(cell))


def is_question(cell) -> bool:
    return cell.cell_type == "markdown" and grade_id(cell).endswith(QUESTION_SUFFIX)


def is_locked(cell) -> bool:
    return _utils().is_locked(cell)


def answer_ids(nb) -> list[str]:
    """grade_ids of the cells a student answers, in notebook order."""
    return [grade_id(c) for c in nb.cells if is_answer(c)]


def tests_of(nb, item: str) -> list:
    """The graded test cells of one item (``qN``)."""
    return [c for c in nb.cells if is_test(c) and item_of(grade_id(c)) == item and grade_id(c) != item]


def options(question_cell) -> dict[str, str]:
    """The options of a multiple-choice question, by letter, as written in its cell
    (lines ``- **A.** text``)."""
    import re

    return {m.group(1): m.group(2).strip()
            for m in re.finditer(r"^\s*[-*]\s+\*\*([A-Z])\.\*\*\s*(.+)$", question_cell.source, flags=re.M)}
