"""mlops_course.instructor.grading, in process: intake of submitted folders, feedback
preprocessors, kernel shutdown, gradebook errors, progress and summary lines."""
from __future__ import annotations

import json
import shutil
import subprocess

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from mlops_course import paths
from mlops_course.instructor import grading


@pytest.fixture
def submitted(tmp_path, monkeypatch):
    """A course root of its own (nbgrader's folders come from its grader_config.py)."""
    shutil.copy2(paths.ROOT / "grader_config.py", tmp_path / "grader_config.py")
    monkeypatch.setattr(paths, "BUILD_DIR", tmp_path / "build")
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    grading.load_config.cache_clear()
    folder = tmp_path / "build/submitted/ann/01_ml_systems"
    folder.mkdir(parents=True)
    yield folder
    grading.load_config.cache_clear()


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


def test_grader_kills_the_kernel_when_a_notebook_is_done():
    """Protects grading speed: a polite kernel shutdown waited for the sandbox to wind
    down (up to seconds per submission); the grader's kernel state is thrown away."""
    from mlops_course.instructor import grading

    assert grading.load_config().Execute.shutdown_kernel == "immediate"


# -- errors are never zeros ----------------------------------------------------------------
def _gradebook(**methods):
    """A stand-in for ``grading.open_gradebook``: a context manager with ``methods``."""
    class Gradebook:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    for name, method in methods.items():
        setattr(Gradebook, name, staticmethod(method))
    return lambda url=None: Gradebook()


def test_a_gradebook_that_cannot_be_read_stops_grading_with_its_name(monkeypatch):
    """Protects: a read error is one message naming the gradebook, never every student
    reported as graded with 0 points."""
    from sqlalchemy.exc import OperationalError

    from mlops_course.services import GradebookError

    def unreadable(assignment):
        raise OperationalError("SELECT ...", {}, Exception("no such table: submitted_assignment"))

    monkeypatch.setattr(grading, "open_gradebook", _gradebook(assignment_submissions=unreadable))
    with pytest.raises(GradebookError, match=r"cannot read the grades of 01_ml_systems from the gradebook .*no such table"):
        grading._gradebook_state("01_ml_systems")


def test_an_assignment_not_yet_in_the_gradebook_has_no_grades(monkeypatch):
    from nbgrader.api import MissingEntry

    def missing(assignment):
        raise MissingEntry()

    monkeypatch.setattr(grading, "open_gradebook", _gradebook(assignment_submissions=missing))
    assert grading._gradebook_state("01_ml_systems") == {}


def test_feedback_failures_exit_non_zero_with_each_reason(monkeypatch, capsys):
    """Protects: `feedback` prints why each student's feedback failed and exits 1."""
    from mlops_course.instructor import cli

    monkeypatch.setattr(grading, "generate_feedback", lambda week: (["ann"], {"bob": "feedback failed: RuntimeError: boom"}))
    assert cli.main(["feedback", "--week", "01"]) == 1
    err = capsys.readouterr().err
    assert "bob: feedback failed: RuntimeError: boom" in err and "feedback failed for 1 student" in err


def test_bench_with_zero_submissions_skips_grading(monkeypatch, tmp_path):
    """Protects: `bench --submissions 0` skips the grading benchmark, as its help says."""
    from mlops_course.instructor import bench

    monkeypatch.setattr(paths, "ROOT", tmp_path)
    monkeypatch.setattr(paths, "BUILD_DIR", tmp_path)
    monkeypatch.setattr(bench, "bench_notebooks", lambda repeats, only: [])
    monkeypatch.setattr(bench, "bench_grading", lambda *a: pytest.fail("grading benchmark ran"))
    assert bench.main(repeats=1, submissions=0) == 0
    assert "grading" not in json.loads((tmp_path / "bench/results.json").read_text())
    assert bench.grading_submissions(0) == 0 and bench.grading_submissions(5) == 5


def test_a_required_sandbox_without_bubblewrap_is_one_clear_error(monkeypatch, capsys):
    """Protects: MLOPS_GRADER_SANDBOX=required without bubblewrap stops `autograde` with
    one line that says how to install it, not a traceback."""
    from mlops_course.instructor import cli, sandbox

    monkeypatch.setenv("MLOPS_GRADER_SANDBOX", "required")
    monkeypatch.setattr(sandbox, "bwrap", lambda: None)
    assert cli.main(["autograde", "--week", "01"]) == 2
    err = capsys.readouterr().err
    assert "bubblewrap is not installed" in err and "Traceback" not in err


# -- progress on long work -------------------------------------------------------------------
def test_each_finished_submission_is_one_progress_line(caplog, monkeypatch):
    """Protects: `autograde` says as each submission finishes who, which week, the score,
    the seconds and the status (a class takes minutes)."""
    submission = type("Submission", (), {"score": 7.5, "max_score": 16})
    monkeypatch.setattr(grading, "open_gradebook", _gradebook(find_submission=lambda assignment, student: submission))
    with caplog.at_level("INFO", logger="mlops_course"):
        grading._log_done("01_ml_systems", "ann", {"success": True}, 2.34, 3, 60)
        grading._log_done("01_ml_systems", "bob", {"success": False, "error": "DeadKernelError"}, 1.0, 4, 60)
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "[3/60] 01_ml_systems ann: graded 7.5 / 16 (2.3 s)"
    assert lines[1].startswith("[4/60] 01_ml_systems bob: failed: the kernel died")


def test_the_summary_counts_statuses_and_problems():
    results = [grading.Submission("a", "01", score=10, max_score=16), grading.Submission("b", "01", score=6, max_score=16),
               grading.Submission("c", "01", status=grading.FAILED, problems=["not valid JSON"])]
    assert grading.format_summary(results) == ("01: 3 submission(s): 2 graded, 1 failed, 0 missing; median 8 / 16; "
                                               "1 with a problem to look at")


def test_the_rubric_is_the_solution_from_its_heading_on():
    source = ("### BEGIN SOLUTION\nModel answer: recall matters.\n\n**Rubric (2 points).**\n- 1 point: names recall\n"
              "- 1 point: says why\n\n**Full answer:** both.\n### END SOLUTION")
    rubric = grading.rubric_of(source)
    assert rubric.startswith("**Rubric (2 points).**") and rubric.endswith("**Full answer:** both.")
    assert "Model answer" not in rubric and grading.rubric_of("### BEGIN SOLUTION\nno rubric\n### END SOLUTION") == ""


def test_bench_grading_modes_keep_the_floor_and_the_course_and_refuse_unknown_ones(monkeypatch, tmp_path):
    """Protects: `bench --modes course` still times the floor (the ratio needs it), without
    stock nbgrader the summary has no stock ratio, and a typo is refused before any work."""
    from mlops_course.instructor import bench, build

    with pytest.raises(ValueError, match="unknown grading mode"):
        bench.bench_grading("01_ml_systems", 1, 1, modes=("cours",))
    ran = []
    monkeypatch.setattr(paths, "BUILD_DIR", tmp_path)
    monkeypatch.setattr(build, "scratch_course_root", lambda folder: folder.mkdir(parents=True))

    def fake_run(cmd, **kwargs):
        if "-c" in cmd and cmd[cmd.index("-c") + 1] == bench._BENCH_SCRIPT:
            ran.append(cmd[cmd.index("-c") + 2])
            return subprocess.CompletedProcess(cmd, 0, stdout='{"seconds": %d}\n' % (10 if ran[-1] == "bare" else 12))
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(bench.subprocess, "run", fake_run)
    result = bench.bench_grading("01_ml_systems", 2, 2, modes=("course",))
    assert ran == ["bare", "course", "bare", "course"]
    assert result["course_over_bare"] == pytest.approx(1.2) and "nbgrader_over_course" not in result


@pytest.mark.parametrize("error, says", [
    ("nbclient.exceptions.DeadKernelError: Kernel died", "the kernel died"),
    ("ValueError: Invalid Signature: b'a3fd'", "garbled messages"),
    ("GradingTimeLimit: stopped at the time limit for a whole submission (360 s)", "longer than the grader allows"),
    ("Traceback ...\nKeyError: 'q3'\nPlease see the above traceback", "autograde failed: KeyError: 'q3'"),
])
def test_a_failed_grading_says_why_in_words(error, says):
    """Protects: the report gives a reason an instructor can act on, not jupyter_client's
    internals (a garbled kernel message after a memory bomb was reported raw)."""
    assert says in grading._failure_reason({"error": error})
