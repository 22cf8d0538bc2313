"""The grader's side of per-student variants (the student's side is ``mlops_course.variant``).

* :class:`ReleaseVariants` runs first in nbgrader's ``generate_assignment``. It writes the
  course id (and, with a roster, short digests of its ids) into the quiz's variant
  cell, and turns each multiple-choice question into its stem with the options as
  plain bullets, followed by a read-only cell that letters them in the student's order.
  The gradebook stores this released form, so at grading nbgrader restores it.
* :func:`answers_for` writes a source solution as a given student must answer it (the
  letters of that student's order): example submissions and tests use it.
* :func:`id_review` compares the id a notebook typed with the submitter's.
* :func:`describe` is the instructor's view of one student's variant.
"""
from __future__ import annotations

import ast
import contextlib
import copy
import io
import re

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell
from nbgrader.preprocessors import NbGraderPreprocessor

from .. import variant
from ..quizcells import OPTIONS_SUFFIX, VARIANT_ID, grade_id, is_answer, is_locked, is_question, item_of, options

FIXED_MARK = "<!-- fixed order -->"  # in a question whose options must keep their order
ID_NAME = "my_id"
OPTION_LINE = re.compile(r"^(\s*[-*]\s+)\*\*([A-D])\.\*\*\s*", flags=re.M)
CALL = re.compile(r"mc\.quiz_variant\((?P<args>[^)]*)\)")


def choice_items(nb: NotebookNode) -> dict[str, bool]:
    """Multiple-choice items of a quiz source: item -> options in fixed order?"""
    return {item_of(grade_id(c)): FIXED_MARK in c.source for c in nb.cells if is_question(c) and options(c)}


def quiz_name(nb: NotebookNode) -> str:
    """The quiz name the notebook's variant cell gives (``mc.quiz_variant("01_ml_systems", ...)``)."""
    for cell in nb.cells:
        if grade_id(cell) == VARIANT_ID:
            match = re.search(r"quiz_variant\(\s*[\"']([^\"']+)[\"']", cell.source)
            if match:
                return match.group(1)
    return ""


def course_id() -> str:
    from .grading import load_config

    return load_config().CourseDirectory.course_id or variant.DEFAULT_COURSE


def roster_ids() -> list[str]:
    """Student ids of the course roster (``roster.csv``), or none when there is no roster."""
    from . import lms

    path = lms.roster_path()
    if not path.exists():
        return []
    return sorted(lms.Roster(path).by_student())


def bake(source: str, course: str, roster: list[str]) -> str:
    """The variant cell with the course (and the roster's digests) written in."""
    match = CALL.search(source)
    if match is None:
        raise ValueError(f"the {VARIANT_ID!r} cell must call mc.quiz_variant(quiz, my_id)")
    args = match.group("args").strip()
    baked = f"{args}, course={course!r}"
    if roster:
        baked += ", roster=(" + ", ".join(repr(variant.roster_digest(course, s)) for s in roster) + ",)"
    return source[: match.start("args")] + baked + source[match.end("args"):]


def options_cell(item: str, texts: list[str], fixed: bool) -> NotebookNode:
    listed = "".join(f"    {text!r},\n" for text in texts)
    cell = new_code_cell(f'quiz.choices("{item}", [\n{listed}]{", fixed=True" if fixed else ""})')
    cell.metadata["nbgrader"] = {"grade_id": f"{item}{OPTIONS_SUFFIX}", "locked": True, "solution": False,
                                 "grade": False, "schema_version": 3}
    cell.metadata["jupyter"] = {"source_hidden": True}  # the student reads the output, not the list
    return cell


def unlettered(question: str, fixed: bool) -> str:
    """The question with its options as plain bullets and a line saying where the letters are."""
    text = OPTION_LINE.sub(r"\1", question.replace(FIXED_MARK, "").rstrip())
    where = "in the order written here" if fixed else "in your quiz's own order (it differs between students)"
    return text + f"\n\n*The cell below letters these options {where}; answer with its letters.*"


class ReleaseVariants(NbGraderPreprocessor):
    """generate_assignment: course id, roster digests and lettered options per student."""

    def preprocess(self, nb, resources):
        course, roster = course_id(), roster_ids()
        cells = []
        for cell in nb.cells:
            gid = grade_id(cell)
            if gid == VARIANT_ID:
                cell.source = bake(cell.source, course, roster)
            cells.append(cell)
            if is_question(cell) and options(cell):
                fixed = FIXED_MARK in cell.source
                texts = list(options(cell).values())
                cell.source = unlettered(cell.source, fixed)
                cells.append(options_cell(item_of(gid), texts, fixed))
        nb.cells = cells
        return nb, resources


def answers_for(source_nb: NotebookNode, student: str, quiz: str, course: str | None = None) -> dict[str, str]:
    """Each answer cell's solution as ``student`` must write it: a multiple-choice letter
    becomes the letter of that student's order; code is method, the same for everyone."""
    from .examples import solved

    course = course or course_id()
    fixed = choice_items(source_nb)
    mine = variant.QuizVariant(quiz, student, course)
    answers = {}
    for cell in source_nb.cells:
        if not is_answer(cell):
            continue
        gid, text = grade_id(cell), solved(cell)
        if gid in fixed:
            text = re.sub(rf"^(\s*{gid}\s*=\s*)([\"'])([A-D])\2",
                          lambda m: f"{m.group(1)}{m.group(2)}{mine.shown(gid, m.group(3), fixed[gid])}{m.group(2)}",
                          text, flags=re.M)
        answers[gid] = text
    return answers


def with_typed_id(nb: NotebookNode, typed: str) -> NotebookNode:
    """``nb`` with ``my_id = typed`` in its id cell (as a student off the hub types it)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and not cell.metadata.get("nbgrader") and re.search(rf"^{ID_NAME}\s*=", cell.source, re.M):
            cell.source = f"{ID_NAME} = {typed!r}"
            return nb
    raise ValueError(f"the notebook has no {ID_NAME} cell")


def typed_id(nb: NotebookNode):
    """What the notebook typed into ``my_id``: a string, "" when left empty, or None when
    it is not a plain string (computed, or assigned more than once)."""
    from .integrity import parsed_code

    values = []
    for _, tree in parsed_code(nb, lambda cell: not is_locked(cell)):
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == ID_NAME for t in targets):
                    value = node.value
                    values.append(value.value.strip() if isinstance(value, ast.Constant) and isinstance(value.value, str)
                                  else None)
    if not values:
        return ""
    return values[0] if len(values) == 1 else None


def id_review(nb: NotebookNode, student: str) -> str:
    """Why the notebook's id needs a look ("" when it is empty or the submitter's)."""
    typed = typed_id(nb)
    if typed is None:
        return f"{ID_NAME} is not a plain string; graded on the submitter's variant ({student!r})"
    if typed and typed != student:
        return (f"{variant.MISMATCH}: {ID_NAME} = {typed!r}, submitted by {student!r}; graded on the "
                f"submitter's variant (answers written for another variant score as guesses)")
    return ""


def describe(source_nb: NotebookNode, quiz: str, student: str, course: str | None = None) -> str:
    """The instructor's view of one student's variant: option order and key of every
    multiple-choice item, and the given data of every task (its data cells run here)."""
    course = course or course_id()
    mine = variant.QuizVariant(quiz, student, course)
    lines = [f"Quiz {quiz}, variant of student {student!r} (course {course!r})", ""]
    fixed = choice_items(source_nb)
    keys = _source_keys(source_nb)
    for item, is_fixed in fixed.items():
        shown = "".join(variant.CHOICES[i] for i in mine.order(item, is_fixed))
        key = keys.get(item)
        answer = mine.shown(item, key, is_fixed) if key else "?"
        lines.append(f"{item}: key {answer} (source key {key}); shown order of source options {shown}"
                     f"{' (fixed)' if is_fixed else ''}")
    given = _given_data(source_nb, quiz, student, course)
    if given:
        lines += ["", "Given data (the source solution's method applies; hidden tests compute from these):"]
        for item, names in given.items():
            lines.append(f"{item}: " + "; ".join(f"{name} = {value}" for name, value in names.items()))
    return "\n".join(lines)


def key_table(source_nb: NotebookNode, quiz: str, students: list[str], course: str | None = None) -> list[dict]:
    """One row per student: the letter of every multiple-choice key in that student's
    variant (for a class's answer sheet, ``variant --all``)."""
    course = course or course_id()
    fixed, keys = choice_items(source_nb), _source_keys(source_nb)
    rows = []
    for student in students:
        mine = variant.QuizVariant(quiz, student, course)
        rows.append({"student": student, **{item: mine.shown(item, key, fixed.get(item, False))
                                             for item, key in keys.items()}})
    return rows


def _source_keys(source_nb: NotebookNode) -> dict[str, str]:
    keys = {}
    for cell in source_nb.cells:
        match = re.search(r"expect_choice\(\s*(q\d+)\s*,\s*[\"']([A-D])[\"']", cell.source)
        if match:
            keys[match.group(1)] = match.group(2)
    return keys


def _given_data(source_nb: NotebookNode, quiz: str, student: str, course: str) -> dict[str, dict[str, str]]:
    """Run the quiz's setup and data cells as ``student``'s grader would; summarise what
    each data cell defines."""
    from ..quizcells import is_data

    nb = copy.deepcopy(source_nb)
    namespace: dict = {ID_NAME: ""}
    saved = dict(variant._pinned), variant._current
    variant.pin(student, course)
    try:
        given = {}
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            if grade_id(cell) in ("setup", VARIANT_ID):
                with contextlib.redirect_stdout(io.StringIO()):  # the variant cell's greeting
                    exec(compile(cell.source, "<quiz>", "exec"), namespace)
            elif is_data(cell):
                before = set(namespace)
                exec(compile(cell.source, "<quiz>", "exec"), namespace)
                given[item_of(grade_id(cell))] = {n: _summary(namespace[n]) for n in namespace
                                                   if n not in before and not n.startswith("_")}
        return given
    finally:
        variant._pinned.clear()
        variant._pinned.update(saved[0])
        variant._current = saved[1]


def _summary(value) -> str:
    text = repr(value).replace("\n", " ")
    shape = getattr(value, "shape", None)
    if shape is not None and len(text) > 60:
        return f"<{type(value).__name__} of shape {shape}>"
    return text if len(text) <= 60 else text[:57] + "..."
