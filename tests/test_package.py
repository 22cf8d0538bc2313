"""Unit tests of the package: data loader errors, quiz helpers, build and intake tools."""
from __future__ import annotations

import json
import os
import shutil

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from mlops_course import build, data, grading, paths, quiz


# -- data loader ----------------------------------------------------------------
@pytest.fixture
def data_copy(tmp_path):
    shutil.copy2(paths.DATA_DIR / "manifest.json", tmp_path / "manifest.json")
    shutil.copy2(paths.DATA_DIR / "churn.csv", tmp_path / "churn.csv")
    return tmp_path


def test_loader_reports_missing_file_and_the_fix(data_copy):
    (data_copy / "churn.csv").unlink()
    with pytest.raises(data.DataFileError, match=r"churn.csv is missing.*make data"):
        data.load_dataset("churn", data_dir=data_copy)


def test_loader_rejects_a_corrupt_file(data_copy):
    with (data_copy / "churn.csv").open("a") as f:
        f.write("tampered\n")
    with pytest.raises(data.DataFileError, match=r"checksum.*make data"):
        data.load_dataset("churn", data_dir=data_copy)


def test_loader_names_available_sets_for_an_unknown_name():
    with pytest.raises(data.DataFileError, match=r"Unknown data set 'amez'.*ames"):
        data.load_dataset("amez")


def test_loader_reports_missing_manifest(tmp_path):
    with pytest.raises(data.DataFileError, match="manifest.json is missing"):
        data.load_dataset("churn", data_dir=tmp_path)


# -- quiz helpers ------------------------------------------------------------------
class EqualsAnything:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class SneakyStr(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


@pytest.mark.parametrize("fake", [EqualsAnything(), SneakyStr("Z"), 1, None, ["B"]])
def test_choice_rejects_fakes_and_wrong_types(fake):
    with pytest.raises(AssertionError):
        quiz.expect_choice(fake, "B", "q1")


def test_choice_accepts_the_key_case_insensitively_and_hides_it():
    quiz.expect_choice(" b", "B", "q1")
    with pytest.raises(AssertionError) as info:
        quiz.expect_choice("C", "B", "q1")
    assert "'B'" not in str(info.value) and "q1" in str(info.value)


@pytest.mark.parametrize("fake", [EqualsAnything(), True, "0.5", np.array([0.5]), float("nan")])
def test_number_rejects_fakes(fake):
    with pytest.raises(AssertionError):
        quiz.expect_number(fake, 0.5, "x")


def test_number_tolerance_and_message():
    quiz.expect_number(np.float64(0.85714), 12000 / 14000, "spec")
    with pytest.raises(AssertionError) as info:
        quiz.expect_number(0.9, 0.8571428, "spec")
    assert "0.857" not in str(info.value)


def test_patched_builtins_do_not_change_the_verdict():
    """Protects: rebinding builtins in the student's kernel cannot pass a test."""
    import builtins

    saved = builtins.type, builtins.float, builtins.isinstance
    outcomes = []
    builtins.type, builtins.float, builtins.isinstance = (lambda o: str), (lambda o: 0.5), (lambda o, t: True)
    try:
        for call in (lambda: quiz.expect_choice(EqualsAnything(), "B", "q1"),
                     lambda: quiz.expect_number(EqualsAnything(), 0.5, "x")):
            try:
                call()
                outcomes.append("passed")
            except AssertionError:
                outcomes.append("failed")
    finally:
        builtins.type, builtins.float, builtins.isinstance = saved
    assert outcomes == ["failed", "failed"]


def test_array_and_items_helpers():
    quiz.expect_array([1.0, 2.0], np.array([1.0, 2.0]), "a")
    with pytest.raises(AssertionError, match="shape"):
        quiz.expect_array([1.0, 2.0, 3.0], np.array([1.0, 2.0]), "a")
    quiz.expect_same_items(["b", "a"], ["a", "b"], "cols")
    with pytest.raises(AssertionError):
        quiz.expect_same_items(["a"], ["a", "b"], "cols")


# -- build tools -------------------------------------------------------------------
def test_student_version_replaces_solution_regions_and_clears_outputs():
    cell = new_code_cell("def f(x):\n    \"\"\"Doc.\"\"\"\n    ### BEGIN SOLUTION\n    return 42 * x\n    ### END SOLUTION")
    cell.outputs = [nbformat.v4.new_output("stream", text="hi")]
    cell.execution_count = 3
    student = build.student_version(new_notebook(cells=[cell]))
    src = student.cells[0].source
    assert "42" not in src and "raise NotImplementedError()" in src and '"""Doc."""' in src
    assert student.cells[0].outputs == [] and student.cells[0].execution_count is None
    assert "    raise NotImplementedError()" in src  # indentation kept


# -- intake --------------------------------------------------------------------------
@pytest.fixture
def submitted(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "BUILD_DIR", tmp_path / "build")
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    folder = tmp_path / "build/submitted/ann/01_ml_systems"
    folder.mkdir(parents=True)
    return folder


def test_intake_grades_a_renamed_notebook_and_keeps_the_original(submitted):
    nbformat.write(new_notebook(), submitted / "quiz (1).ipynb")
    sub = grading.intake("01_ml_systems", "ann")
    assert sub.status == grading.GRADED and "quiz (1).ipynb" in sub.problems[0]
    assert (submitted / "quiz (1).ipynb").exists() and (submitted / "quiz.ipynb").exists()


def test_intake_reports_malformed_json(submitted):
    (submitted / "quiz.ipynb").write_text('{"cells": [')
    sub = grading.intake("01_ml_systems", "ann")
    assert sub.status == grading.FAILED and "not valid JSON" in sub.problems[0]
    assert (submitted / "quiz.ipynb").read_text() == '{"cells": ['  # nothing lost


def test_intake_reports_missing_and_ambiguous_notebooks(submitted):
    assert grading.intake("01_ml_systems", "ann").status == grading.MISSING
    for name in ("a.ipynb", "b.ipynb"):
        nbformat.write(new_notebook(), submitted / name)
    sub = grading.intake("01_ml_systems", "ann")
    assert sub.status == grading.MISSING and "several candidates" in sub.problems[0]


def test_hide_tracebacks_keeps_only_the_error_line():
    cell = new_code_cell("expect_choice(q1, 'B', 'q1')")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "q1_key", "points": 1}
    cell.outputs = [nbformat.v4.new_output("error", ename="AnswerError", evalue="q1 = 'C' is not the best option.",
                                           traceback=["----> 1 expect_choice(q1, 'B', 'q1')"])]
    nb, _ = grading.HideTracebacks().preprocess(new_notebook(cells=[cell]), {})
    assert json.dumps(nb.cells[0].outputs).count("'B'") == 0


def test_answers_that_replace_imported_modules_or_their_functions_are_flagged():
    from mlops_course.integrity import suspicious_code

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


def test_kernel_launcher_starts_without_heavy_imports():
    """Protects: grading speed. The sandbox launcher runs once per submission; importing
    the package for it must not pull in pandas or scikit-learn (about 0.6 s of CPU each)."""
    import subprocess
    import sys

    probe = "import sys, mlops_course.sandbox; print(sorted(m for m in ('pandas', 'sklearn', 'numpy') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_package_names_load_on_first_use():
    """Protects: the lesson idiom `import mlops_course as mc; mc.setup(); mc.load_dataset(...)`
    and `from mlops_course import ____` keep working with lazy loading."""
    import mlops_course as mc
    from mlops_course import ____, load_dataset

    assert callable(mc.setup) and load_dataset is mc.load_dataset and repr(____) == "____"
    assert issubclass(mc.DataFileError, Exception)
    with pytest.raises(AttributeError):
        mc.no_such_name


def test_sandbox_starts_for_a_course_inside_the_checkout(tmp_path):
    """Protects: `make bench` grades in a scratch course under the checkout's build/; the
    sandbox must start there too (nested hidden folders once made every kernel die)."""
    import subprocess
    import sys

    from mlops_course import sandbox

    if sandbox.bwrap() is None:
        pytest.skip("bubblewrap is not installed (make system-deps)")
    root = paths.BUILD_DIR / "test-nested-course"
    shutil.rmtree(root, ignore_errors=True)
    build.scratch_course_root(root)
    work = root / "build" / "autograded" / "someone" / "week"
    work.mkdir(parents=True)
    probe = (
        "import json, pathlib, subprocess, sys\n"
        "from mlops_course import sandbox\n"
        f"conn = pathlib.Path({str(tmp_path)!r}) / 'kernel.json'\n"
        "conn.write_text(json.dumps({'transport': 'tcp', 'ip': '127.0.0.1'}))\n"
        f"cmd = sandbox.bwrap_command(str(conn), pathlib.Path({str(work)!r}))\n"
        "cmd = cmd[: cmd.index('-m')] + ['-c', 'import mlops_course.quiz, os; print(sorted(os.listdir(\".\")))']\n"
        f"sys.exit(subprocess.run(cmd, cwd={str(work)!r}).returncode)\n"
    )
    try:
        (work / "answer.txt").write_text("mine")
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              env={**os.environ, "MLOPS_COURSE_ROOT": str(root)})
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip() == "['answer.txt']"
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_grader_kills_the_kernel_when_a_notebook_is_done():
    """Protects grading speed: a polite kernel shutdown waited for the sandbox to wind
    down (up to seconds per submission); the grader's kernel state is thrown away."""
    from mlops_course import grading

    assert grading.load_config().Execute.shutdown_kernel == "immediate"
