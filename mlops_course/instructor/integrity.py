"""Defences against submissions that try to defeat the tests instead of answering.

* :class:`GuardedExecute` replaces nbgrader's ``Execute`` during autograding. It caps
  the output a cell may produce, and after the notebook has run it executes a probe
  cell that must fail. If the failure does not come back (the student replaced how the
  kernel runs or reports cells), every autograded test of the notebook is marked
  failed and the submission is reported as tampered. Before an item's tests it also
  runs the item's read-only data cells (``qN_data``) again, so the tests judge the
  answers against the data the quiz gave, not against what an answer cell left there.
* :func:`suspicious_code` scans the student's answer cells for code that reaches into
  the grading machinery (builtins, the quiz helpers, IPython's internals...), so the
  instructor can review it.
* :class:`RestoreMissingTests` is nbgrader's ``OverwriteCells`` (edited tests get their
  source back) with a fix for restoring deleted tests next to read-only cells.
* :func:`working_folder` gives the kernel a fresh folder holding only the student's own
  files: nbgrader saves the notebook it grades, hidden tests restored, in the
  submission's autograded folder, where student code could otherwise read them.
"""
from __future__ import annotations

import ast
import os
import secrets
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_output
from nbgrader.preprocessors import Execute, OverwriteCells
from traitlets import Integer

from .. import variant
from ..quizcells import VARIANT_ID, grade_id, is_answer, is_code_answer, is_data, is_locked, is_test, item_of

INSERTED = "mlops_course_inserted"  # metadata of cells the grader adds: "pin", "probe" or "data"
TAMPERED = "GradingIntegrityError"
TRUNCATED = "[output truncated by the grader]"
OVERTIME = "NotebookTimeLimit"


class GuardedExecute(Execute):
    """nbgrader's Execute with an output cap and an honesty probe."""

    max_output_bytes = Integer(
        200_000, help="Text a single cell may print before the rest is dropped."
    ).tag(config=True)
    max_notebook_seconds = Integer(
        240, help="Wall time for the whole notebook; later cells are skipped once it is spent "
        "(a kernel that ignores interrupts would otherwise cost the cell timeout once per cell)."
    ).tag(config=True)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if time.monotonic() - self._started > self.max_notebook_seconds:
            if cell.cell_type == "code" and not cell.metadata.get(INSERTED):
                cell.outputs = [new_output("error", ename=OVERTIME, evalue=(
                    f"not run: the notebook used up its {self.max_notebook_seconds} s"), traceback=[])]
            self._overtime = True
            return cell
        return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

    def output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] == "error":  # errors always count: they decide the grade
            return super().output(outs, msg, display_id, cell_index)
        limit = self.max_output_bytes
        used = sum(len(str(o.get("text", ""))) + len(str(o.get("data", ""))) for o in outs)
        if used >= limit:
            self._note_truncation(outs)
            return None
        out = super().output(outs, msg, display_id, cell_index)
        if out is not None and out.get("output_type") == "stream" and used + len(out.text) > limit:
            out.text = out.text[: limit - used]
            self._note_truncation(outs)
        return out

    def _note_truncation(self, outs) -> None:
        if not any(TRUNCATED in str(o.get("text", "")) for o in outs):
            outs.append(new_output("stream", name="stderr", text=f"{TRUNCATED} after {self.max_output_bytes // 1000} kB\n"))

    def preprocess(self, nb: NotebookNode, resources=None, km=None):
        # A probe cell calls every quiz helper with a wrong value and must fail with its
        # random token. Only student code can tamper, so a probe goes before each graded
        # test that follows student code (an answer cell or a cell the student added),
        # and one at the end. Locked cells were restored from the source by nbgrader.
        # After the probe, the item's data cells run again (an answer cell could have
        # rebound y_true so that a wrong answer fits it).
        # The submitter's id is pinned in a first cell, before any student code runs, so
        # the notebook is graded on its submitter's variant whatever it typed; the probes
        # also check that the variant machinery still computes what the grader computes.
        data = _data_cells(nb)
        who = _Submitter.of(nb, resources, self.config)
        tokens, cells, student_code_ran = [], [_inserted(who.pin_source(), "pin")], False
        for cell in nb.cells:
            if is_test(cell):
                if student_code_ran:
                    tokens.append(secrets.token_hex(6))
                    cells.append(_probe(tokens[-1], who))
                    cells += [_inserted(who.data_source(source), "data") for source in data.get(item_of(grade_id(cell)), [])]
                student_code_ran = False
            elif cell.cell_type == "code" and not is_locked(cell):  # an answer, or a cell the student added
                student_code_ran = True
            cells.append(cell)
        tokens.append(secrets.token_hex(6))
        cells.append(_probe(tokens[-1], who))
        nb.cells = cells
        self._started, self._overtime = time.monotonic(), False
        metadata = resources.setdefault("metadata", {})
        graded_in = metadata.get("path") or os.getcwd()
        try:
            with working_folder(Path(graded_in)) as folder:
                metadata["path"] = str(folder)  # where nbclient starts the kernel
                nb, resources = super().preprocess(nb, resources, km=km)
        finally:
            metadata["path"] = graded_in
            probes = [c for c in nb.cells if c.metadata.get(INSERTED) == "probe"]
            nb.cells = [c for c in nb.cells if not c.metadata.get(INSERTED)]
        honest = all(
            any(o.get("output_type") == "error" and f"probe_{token}" in str(o.get("evalue", ""))
                for o in probe.get("outputs", []))
            for token, probe in zip(tokens, probes)
        )
        if not honest and not self._overtime:  # a probe's failure never came back: tampering
            self._fail_all_tests(nb)
        return nb, resources

    @staticmethod
    def _fail_all_tests(nb: NotebookNode) -> None:
        message = ("the notebook changed how the kernel runs or reports cells, so no test result "
                   "can be trusted; ask your instructor to review it")
        for cell in nb.cells:
            if is_test(cell):
                cell.outputs.append(new_output("error", ename=TAMPERED, evalue=message, traceback=[f"{TAMPERED}: {message}"]))


#: Files nbgrader or the course's intake put beside the student's files: never shown to
#: the kernel (notebooks are the graded one, with hidden tests, or copies of it).
RENAMED_MARK = ".renamed_from"  # beside a quiz.ipynb the intake copied from a renamed notebook
GRADER_FILES = ("*.ipynb", "timestamp.txt", RENAMED_MARK, ".ipynb_checkpoints", "feedback")


@contextmanager
def working_folder(graded_in: Path):
    """A fresh private folder for the kernel, holding a copy of the student's own files.

    ``graded_in`` is the folder nbgrader grades in (``autograded/<student>/<week>``): the
    submitted files plus the notebook under grading, which nbgrader saved there with its
    hidden tests restored. The copy leaves out every notebook and the grader's
    bookkeeping, so student code finds in its working folder what it handed in (a CSV it
    reads, a store it writes) and nothing the grader added. Links are copied as links (a
    link to a grader file is not followed into the copy). Deleted afterwards.
    """
    folder = Path(tempfile.mkdtemp(prefix="mcg-work-", dir="/tmp" if os.path.isdir("/tmp") else None))
    try:
        if graded_in.is_dir():
            shutil.copytree(graded_in, folder, dirs_exist_ok=True, symlinks=True,
                            ignore=shutil.ignore_patterns(*GRADER_FILES))
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _data_cells(nb: NotebookNode) -> dict[str, list[str]]:
    """Sources of the read-only data cells (``qN_data``), by item."""
    found: dict[str, list[str]] = {}
    for cell in nb.cells:
        if is_data(cell):
            found.setdefault(item_of(grade_id(cell)), []).append(cell.source)
    return found


def _inserted(source: str, kind: str) -> NotebookNode:
    """A cell the grader runs and removes again before the notebook is saved."""
    cell = new_code_cell(source)
    cell.metadata[INSERTED] = kind
    return cell


class _Submitter:
    """Who is graded (nbgrader's student id), in which course and quiz, and whether the
    notebook has a per-student variant (a ``variant`` cell)."""

    def __init__(self, student: str, course: str, quiz: str, has_variant: bool):
        self.student, self.course, self.quiz, self.has_variant = student, course, quiz, has_variant

    @classmethod
    def of(cls, nb: NotebookNode, resources, config) -> "_Submitter":
        info = (resources or {}).get("nbgrader", {})
        course = config.CourseDirectory.course_id if "CourseDirectory" in config else ""
        return cls(str(info.get("student", "")), course or variant.DEFAULT_COURSE,
                   str(info.get("assignment", "")), any(grade_id(c) == VARIANT_ID for c in nb.cells))

    def pin_source(self) -> str:
        return f"import mlops_course.variant as _v_pin\n_v_pin.pin({self.student!r}, {self.course!r})\ndel _v_pin"

    def data_source(self, source: str) -> str:
        """A data cell as the grader re-runs it: on the submitter's variant, built here."""
        if not self.has_variant:
            return source
        return (f"import mlops_course.variant as _v_data\n"
                f"quiz = _v_data.QuizVariant({self.quiz!r}, {self.student!r}, {self.course!r})\n"
                f"del _v_data\n{source}")

    def fingerprint_check(self, token: str) -> str:
        """An expression true when the kernel's variant code and state are untouched."""
        probe_id = secrets.token_hex(4)
        if self.has_variant:
            expected = variant.expected_fingerprint(probe_id, self.course, self.quiz, self.student)
        else:  # no variant cell ran: the pin is set, no QuizVariant exists
            expected = variant._fingerprint([self.student, self.course, "", ""],
                                            variant.QuizVariant(self.quiz, probe_id, self.course), ["B"] * len(variant._PROBED))
        return (f"__import__('mlops_course.variant', fromlist=['_']).fingerprint({probe_id!r}, {self.course!r}, "
                f"{self.quiz!r}) == {expected!r}")


def _probe(token: str, who: _Submitter) -> NotebookNode:
    """A cell that must fail: every quiz helper called with a value that cannot pass,
    and the variant machinery unchanged."""
    a, b = secrets.randbelow(900) + 100, secrets.randbelow(900) + 1100
    return _inserted(
        f"import mlops_course.quiz as _q_{token}\n"
        f"for _f_{token}, _a_{token} in [(_q_{token}.expect_number, ({a}, {b})),\n"
        f"        (_q_{token}.expect_choice, ('A', 'B')), (_q_{token}.expect_same_items, (['a'], ['b'])),\n"
        f"        (_q_{token}.expect_array, ([{a}.0], [{b}.0]))]:\n"
        f"    try:\n"
        f"        _f_{token}(*_a_{token}, 'probe')\n"
        f"    except AssertionError:\n"
        f"        continue\n"
        f"    break\n"
        f"else:\n"
        f"    if {who.fingerprint_check(token)}:\n"
        f"        raise _q_{token}.AnswerError('probe_{token}')",
        "probe",
    )


#: Names and attributes whose use in an answer cell deserves a look by the instructor.
SUSPICIOUS_NAMES = {
    "get_ipython": "uses IPython's internals",
    "__builtins__": "touches the builtins",
    "builtins": "touches the builtins",
    "showtraceback": "changes how errors are shown",
    "excepthook": "changes how errors are shown",
    "run_cell": "changes how cells run",
    "settrace": "installs a tracer",
    "setprofile": "installs a profiler hook",
    "ctypes": "uses ctypes",
    "gc": "inspects the garbage collector",
    "__eq__": "defines equality (an object that equals anything?)",
    "__class__": "touches an object's class",
    "_exit": "ends the process",
    "modules": "touches sys.modules",
    "quiz": "reaches into the course's quiz helpers",
}


def parsed_code(nb: NotebookNode, keep):
    """(cell, syntax tree) of every code cell for which ``keep(cell)`` holds and that
    parses (a syntax error simply fails the tests)."""
    for cell in nb.cells:
        if cell.cell_type != "code" or not keep(cell):
            continue
        try:
            yield cell, ast.parse(cell.source)
        except SyntaxError:
            continue


def parsed_answers(nb: NotebookNode):
    """(grade_id, syntax tree) of every code answer cell that parses."""
    for cell, tree in parsed_code(nb, is_code_answer):
        yield grade_id(cell) or "?", tree


def _imports(nb: NotebookNode) -> dict[str, str]:
    """Names the quiz's own code cells import: bound name -> what it stands for."""
    bound = {}
    for _, tree in parsed_code(nb, lambda cell: not is_answer(cell)):
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                bound.update(_bindings(node))
    return bound


def _bindings(node: ast.Import | ast.ImportFrom) -> dict[str, str]:
    """name -> what it stands for, for one import (``import a.b`` binds ``a`` to ``a``)."""
    if isinstance(node, ast.Import):
        return {(a.asname or a.name.split(".")[0]): (a.name if a.asname else a.name.split(".")[0]) for a in node.names}
    return {(a.asname or a.name): f"{node.module}.{a.name}" for a in node.names}


def _replaced_imports(tree: ast.AST, imported: dict[str, str]) -> set[str]:
    """What an answer does to the quiz's imports: rebinding a name, or replacing a
    module's function (``np.mean = ...``, ``setattr(np, "mean", ...)``)."""
    found = set()
    for node in ast.walk(tree):
        rebound = None
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            rebound = node.id
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            rebound = node.name
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            rebound = next((name for name, origin in _bindings(node).items()
                            if name in imported and imported[name] != origin), None)
        if rebound in imported:
            found.add(f"rebinds {rebound}, which the notebook imports")
        target = None
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
            target = node
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr") \
                and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
            target = ast.Attribute(value=node.args[0], attr=str(node.args[1].value))
        if target is not None:
            base = target.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in imported:
                found.add(f"replaces {ast.unparse(target.value)}.{target.attr}, from a module the notebook imports")
    return found


def suspicious_code(nb: NotebookNode) -> list[str]:
    """Reasons to review the student's answer cells (empty if nothing stands out)."""
    reasons = []
    imported = _imports(nb)
    for answer, tree in parsed_answers(nb):
        found = {f"{answer}: {reason}" for reason in _replaced_imports(tree, imported)}
        for node in ast.walk(tree):
            name = None
            if isinstance(node, ast.Name):
                name = node.id
            elif isinstance(node, ast.Attribute):
                name = node.attr
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = node.name
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                modules = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                name = next((m.split(".")[-1] for m in modules if m.split(".")[-1] in SUSPICIOUS_NAMES), None)
            if name in SUSPICIOUS_NAMES:
                found.add(f"{answer}: {SUSPICIOUS_NAMES[name]} ({name})")
        reasons += sorted(found)
    return reasons


class RestoreMissingTests(OverwriteCells):
    """nbgrader's OverwriteCells, with deleted test cells put back wherever they were.

    nbgrader 0.9.6 re-inserts a deleted grade cell after the source cell just before
    it, and fails (KeyError) when that neighbour is a read-only cell, such as the
    visible form check in front of a hidden multiple-choice test. Here the deleted cell
    goes after the nearest earlier source cell that is still in the notebook.
    """

    def add_missing_grade_cells(self, nb, resources):
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        order = [cell.name for cell in source_nb.source_cells]
        source_by_id = {cell.name: cell for cell in source_nb.source_cells}
        max_scores = {cell.name: cell.max_score for cell in source_nb.grade_cells}
        solution_ids = {cell.name for cell in source_nb.solution_cells}

        def ids():
            return [grade_id(c) for c in nb.cells]

        for position, name in enumerate(order):
            if name not in max_scores or name in ids():
                continue
            self.log.warning("Test cell %s was deleted; restoring it", name)
            present = ids()
            anchor = next((p for p in reversed(order[:position]) if p in present), None)
            cell = self.missing_cell_transform(source_by_id[name], max_scores[name],
                                               is_solution=name in solution_ids)
            nb.cells.insert(present.index(anchor) + 1 if anchor else 0, cell)
        return nb, resources
