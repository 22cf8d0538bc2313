"""mlops_course.instructor.integrity, in process: review flags, the guarded executor
(probes, data re-runs, the kernel's working folder) and the restorer of deleted tests."""
from __future__ import annotations

from nbformat.v4 import new_code_cell, new_notebook

from mlops_course.instructor.integrity import INSERTED, TAMPERED, GuardedExecute, RestoreMissingTests


def test_answers_that_replace_imported_modules_or_their_functions_are_flagged():
    from mlops_course.instructor.integrity import suspicious_code

    def answer(source: str, gid: str):
        cell = new_code_cell(source)
        cell.metadata["nbgrader"] = {"solution": True, "grade_id": gid}
        return cell

    setup = new_code_cell("import os\nimport numpy as np\nimport mlops_course as mc\nfrom sklearn.metrics import r2_score")
    setup.metadata["nbgrader"] = {"locked": True, "grade_id": "setup"}
    nb = new_notebook(cells=[
        setup,
        answer("import numpy as np\nimport os.path\nfrom sklearn.metrics import r2_score\n"
               "rmse = float(np.sqrt(np.mean((y_true - y_pred) ** 2)))", "q1"),
        answer("np.mean = lambda *a, **k: 0.0\nmc.load_dataset = lambda name: None", "q2"),
        answer("r2_score = lambda *a, **k: 1.0\nnp = None", "q3"),
        answer("import random as mc", "q4"),
    ])
    reasons = suspicious_code(nb)
    assert not [r for r in reasons if r.startswith("q1:")], reasons
    assert "q2: replaces np.mean, from a module the notebook imports" in reasons
    assert "q2: replaces mc.load_dataset, from a module the notebook imports" in reasons
    assert "q3: rebinds r2_score, which the notebook imports" in reasons
    assert "q3: rebinds np, which the notebook imports" in reasons
    assert "q4: rebinds mc, which the notebook imports" in reasons


# -- the guarded executor, with a plain kernel -------------------------------------------
def _cell(source: str, grade_id: str, **flags):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "schema_version": 3, "solution": False, "grade": False,
                                 "locked": False, "task": False, **flags}
    return cell


def _quiz(answer: str):
    """A one-item quiz: given data, an answer cell, a hidden test that reads both."""
    return new_notebook(cells=[
        _cell("import mlops_course.quiz as q\ny_true = [1, 2, 3]", "q1_data", locked=True),
        _cell(answer, "q1", solution=True),
        _cell("q.expect_number(total, 6, 'q1')", "q1_values", grade=True, locked=True, points=1),
    ])


def _run(nb, folder):
    executor = GuardedExecute(kernel_name="python3", timeout=60)
    nb, _ = executor.preprocess(nb, {"metadata": {"path": str(folder)}})
    return nb


def _errors(cell) -> list[str]:
    return [o.get("ename", "") for o in cell.outputs if o.get("output_type") == "error"]


def test_guarded_execute_reruns_the_data_and_removes_its_own_cells(tmp_path):
    """Protects: a test judges against the given data even when the answer rebinds it,
    and the grader's probe and data cells never stay in the graded notebook."""
    nb = _run(_quiz("total = sum(y_true)\ny_true = [0]"), tmp_path)
    assert len(nb.cells) == 3 and not [c for c in nb.cells if INSERTED in c.metadata]
    assert _errors(nb.cells[2]) == []


def test_guarded_execute_fails_every_test_when_the_helpers_are_patched(tmp_path):
    """Protects: patched quiz helpers make the probe pass, so every test is failed as tampered."""
    nb = _run(_quiz("import mlops_course.quiz as mq\nmq.expect_number = lambda *a, **k: None\ntotal = 0"), tmp_path)
    assert TAMPERED in _errors(nb.cells[2])


def test_guarded_execute_runs_the_kernel_in_a_folder_of_the_students_files_only(tmp_path):
    """Protects (issue 13): the kernel's working folder holds the files handed in, not the
    notebook under grading (which holds the hidden tests) nor nbgrader's bookkeeping."""
    (tmp_path / "quiz.ipynb").write_text("### BEGIN HIDDEN TESTS")
    (tmp_path / "timestamp.txt").write_text("2026-01-01 09:00:00 UTC")
    (tmp_path / "mine.csv").write_text("a\n1\n")
    answer = "import os\nprint('SEEN', sorted(os.listdir('.')), os.getcwd())\nopen('out.txt', 'w').write('x')\ntotal = 6"
    nb = _run(_quiz(answer), tmp_path)
    line = next(o["text"] for o in nb.cells[1].outputs if "SEEN" in o.get("text", ""))
    assert "['mine.csv']" in line and str(tmp_path) not in line
    assert _errors(nb.cells[2]) == []
    assert not (tmp_path / "out.txt").exists(), "the kernel wrote into the grader's folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.csv", "quiz.ipynb", "timestamp.txt"]


# -- the restorer of deleted tests ----------------------------------------------------------
class _SourceCell:
    def __init__(self, name, source, cell_type="code", locked=True):
        self.name, self.source, self.cell_type, self.locked, self.checksum = name, source, cell_type, locked, ""


class _Gradebook:
    """The part of nbgrader's Gradebook that the restorer reads."""

    def __init__(self, cells, points):
        self.cells, self.points = cells, points

    def find_notebook(self, notebook, assignment):
        class Notebook:
            source_cells = self.cells
            grade_cells = [type("Grade", (), {"name": n, "max_score": p}) for n, p in self.points.items()]
            solution_cells = [c for c in self.cells if c.name == "q1"]
        return Notebook


def test_deleted_tests_come_back_after_the_nearest_remaining_cell():
    """Protects: a deleted hidden test next to a read-only cell is put back where it was
    (nbgrader 0.9.6 fails with KeyError there), and a deleted first test goes first."""
    source = [_SourceCell("q1", "q1 = 'A'", locked=False), _SourceCell("q1_valid", "check_choice(q1)"),
              _SourceCell("q1_key", "expect_choice(q1, 'B')"), _SourceCell("q2_key", "expect(q2)")]
    restorer = RestoreMissingTests()
    restorer.gradebook = _Gradebook(source, {"q1_key": 1, "q2_key": 1})
    restorer.notebook_id, restorer.assignment_id = "quiz", "01"
    kept = new_notebook(cells=[_cell("q1 = 'C'", "q1", solution=True), _cell("check_choice(q1)", "q1_valid", locked=True)])
    nb, _ = restorer.add_missing_grade_cells(kept, {})
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells]
    assert ids == ["q1", "q1_valid", "q1_key", "q2_key"]
    assert "expect_choice(q1, 'B')" in nb.cells[2].source and nb.cells[2].metadata["nbgrader"]["points"] == 1
