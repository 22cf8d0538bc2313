"""Hostile submissions against the real grader, for every quiz (issue: untrusted grading).

Each week is graded in a scratch course root (the ``graded_course`` fixture) together
with submissions that try to read secrets, fake answers, patch the test helpers or
the kernel, edit or delete tests, exhaust memory or flood output; one more test makes
a cell that never finishes and re-grades with manual grades in the gradebook.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import nbformat
import pytest

import hostile
from helpers import by_week, make_course_root, run_course, write_submission
from mlops_course import paths, quizcells
from mlops_course.instructor import sandbox
from mlops_course.instructor.examples import expected_outcome
from mlops_course.instructor.grading import GRADED, MISSING, RUBRIC_CELL, rubric_of
from mlops_course.quizcells import grade_id, is_written_answer, points
from mlops_course.instructor.integrity import INSERTED

pytestmark = pytest.mark.grading
WEEKS = paths.quiz_weeks()


def _autograded_outputs(root: Path, student: str, week: str) -> str:
    nb = nbformat.read(root / "build/autograded" / student / week / "quiz.ipynb", as_version=4)
    return "\n".join(str(o.get("text", "")) for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_sandbox_hides_secrets_blocks_writes_and_network(graded_course, week):
    """Protects (isolation): student code cannot read quiz sources, solutions, the
    gradebook or other students' work, cannot write outside its folder, has no network."""
    if not sandbox.isolation_active():
        pytest.fail("bubblewrap is not installed: autograding would run without isolation "
                    "(install it with `make system-deps`)")
    root, report, _ = graded_course(week)
    line = next(l for l in _autograded_outputs(root, "snooper", week).splitlines() if l.startswith("SNOOP "))
    results = json.loads(line[len("SNOOP "):])
    assert results and not any(results.values()), f"{week}: sandbox let through {[k for k, v in results.items() if v]}"
    assert not (root / "leak.txt").exists()
    assert report["snooper"]["status"] == GRADED
    assert report["snooper"]["score"] == pytest.approx(expected_outcome(week)["all_correct"][1]), \
        "isolation must not break honest answers"


def _printed(root: Path, student: str, week: str, prefix: str) -> str:
    """What a hostile cell printed on its line starting with ``prefix``."""
    lines = [l for l in _autograded_outputs(root, student, week).splitlines() if l.startswith(prefix)]
    assert lines, f"{week}/{student}: the submission printed no {prefix.strip()} line"
    return lines[0][len(prefix):]


def _hunt_result(root: Path, student: str, week: str) -> dict:
    return json.loads(_printed(root, student, week, "HUNT "))


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_student_code_finds_no_hidden_test_or_key_anywhere(graded_course, week):
    """Protects (issue 13): while a submission is graded, no file its code can open holds
    a hidden test, a solution or a key of the quiz (not the notebook under grading, not a
    copy), so answers taken from files earn nothing, and its feedback shows no hidden test."""
    if not sandbox.isolation_active():
        pytest.fail("bubblewrap is not installed: autograding would run without isolation")
    root, report, _ = graded_course(week)
    found = _hunt_result(root, "key_hunter", week)
    assert found["files"] > 50, f"{week}: the search saw almost nothing ({found['files']} files)"
    assert found["hits"] == [] and found["keys"] == {}, f"{week}: student code read secrets in {found['hits']}"
    assert found["cwd"] == [], f"{week}: the working folder holds files the student did not hand in: {found['cwd']}"
    assert report["key_hunter"]["status"] == GRADED
    assert report["key_hunter"]["score"] == expected_outcome(week)["untouched"][1], report["key_hunter"]
    page = (root / "build/feedback/key_hunter" / week / "quiz.html").read_text()
    for line in hostile.secret_lines(nbformat.read(root / "quizzes" / week / "quiz.ipynb", as_version=4), keys=False):
        assert line not in page and html.escape(line) not in page, f"{week}: feedback shows {line!r}"


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_answers_that_read_and_write_their_own_files_still_work(graded_course, week):
    """Protects (issue 13): the kernel's working folder holds the files the student handed
    in and takes the files its code writes, so honest file work keeps full marks."""
    root, report, _ = graded_course(week)
    status, listing = _printed(root, "file_worker", week, "FILES ").split(" ", 1)
    assert status == "ok"
    assert set(listing.split(",")) == {hostile.HANDED_IN[0], "store/run1/metrics.csv"}, listing
    assert report["file_worker"]["status"] == GRADED
    assert report["file_worker"]["score"] == pytest.approx(expected_outcome(week)["all_correct"][1]), report["file_worker"]


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_fake_answers_and_patched_helpers_earn_nothing(graded_course, week):
    """Protects (no fake passes): objects equal to anything, patched helpers, builtins or
    kernel, and edited or deleted tests all score 0, and tampering is reported."""
    _, report, _ = graded_course(week)
    for student in ("faker", "helper_patcher", "kernel_patcher", "test_editor"):
        assert report[student]["status"] == GRADED, report[student]
        assert report[student]["score"] == 0, f"{week}/{student}: {report[student]}"
    for student in ("helper_patcher", "kernel_patcher"):
        problems = " ".join(report[student]["problems"])
        assert "tampered" in problems and "review:" in problems, f"{week}/{student}: {problems}"


@pytest.mark.parametrize("week", by_week(sorted(hostile.DATA_REWRITES)))
def test_rewriting_the_given_data_earns_nothing(graded_course, week):
    """Protects (no fake passes): an answer cell that rebinds the quiz's given data so a
    wrong answer fits it (week 01: y_pred = y_true, then rmse 0 and r2 1) loses exactly the
    points of the hidden value tests of that item, and nothing else."""
    _, report, _ = graded_course(week)
    source = nbformat.read(paths.QUIZZES_DIR / week / "quiz.ipynb", as_version=4)
    item = hostile.DATA_REWRITES[week][0]
    value_points = sum(points(c) for c in quizcells.tests_of(source, item) if "HIDDEN TESTS" in c.source)
    assert value_points > 0
    full = expected_outcome(week)["all_correct"][1]
    assert report["data_rewriter"]["status"] == GRADED
    assert report["data_rewriter"]["score"] == pytest.approx(full - value_points), report["data_rewriter"]


@pytest.mark.parametrize("week", by_week(hostile.weeks_with_data_cells(WEEKS)))
def test_tests_use_the_given_data_not_what_the_answers_left(graded_course, week):
    """Protects (no fake passes): the grader runs an item's read-only data cells again
    before its tests, so right answers whose cells then overwrite the given data
    (``y_true = None``...) still get every point; tests never judge against data an
    answer cell changed."""
    root, report, _ = graded_course(week)
    source = nbformat.read(root / "quizzes" / week / "quiz.ipynb", as_version=4)
    release = nbformat.read(root / "build/release" / week / "quiz.ipynb", as_version=4)
    assert hostile.data_corrupter(source, release)[1] > 0
    assert report["data_corrupter"]["status"] == GRADED, report["data_corrupter"]
    assert report["data_corrupter"]["score"] == pytest.approx(expected_outcome(week)["all_correct"][1]), \
        report["data_corrupter"]
    graded = nbformat.read(root / "build/autograded/data_corrupter" / week / "quiz.ipynb", as_version=4)
    assert not [c for c in graded.cells if INSERTED in c.metadata], "the grader's own cells were left in the notebook"
    # Beside the release's cells, only each written answer's rubric for the formgrader.
    assert len([c for c in graded.cells if RUBRIC_CELL not in c.metadata]) == len(release.cells)


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_memory_bomb_and_output_flood_are_bounded(graded_course, week):
    """Protects (bounded): a memory bomb and an output flood end that student's grading
    with a clear reason (or are contained and the rest still graded); nothing hangs and
    the stored notebook stays small."""
    root, report, bombed = graded_course(week)
    bomber = report["bomber"]
    problems = " ".join(bomber["problems"])
    # Under the address-space limit the bomb usually gets a MemoryError; when the limit is
    # hit inside a library that cannot fail cleanly, the kernel dies instead (also reported).
    # A kernel starved of memory can also hang (the cell time limit ends it) or, on a loaded
    # machine, use up the whole submission's time (the grader stops it).
    reasons = ("ran out of memory", "kernel died", "time limit", "output truncated", "total time",
               "longer than the grader allows", "garbled messages")
    assert any(reason in problems for reason in reasons), f"{bomber['status']}: {bomber['problems']}"
    if bomber["status"] == GRADED:
        assert bomber["score"] < expected_outcome(week)["all_correct"][1]
        size = (root / "build/autograded/bomber" / week / "quiz.ipynb").stat().st_size
        assert size < 3_000_000, f"autograded notebook is {size} bytes"
    else:
        assert bomber["status"] == "failed"


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_every_problem_is_reported_and_nobody_else_suffers(graded_course, week):
    """Protects (nothing lost): a missing notebook and a late submission are reported.
    (test_grading checks that the honest students around the hostile ones get exactly
    their expected scores.)"""
    _, report, _ = graded_course(week)
    assert report["no_notebook"]["status"] == MISSING and report["no_notebook"]["problems"]
    assert report["late_submission"]["late"] and "late by" in " ".join(report["late_submission"]["problems"])
    assert not report["all_correct"]["late"]


def test_regrading_is_stable_and_keeps_manual_grades(tmp_path):
    """Protects: re-running autograde gives the same grades, manual grades survive it, and
    a cell that never finishes is stopped at the time limit while grading goes on."""
    from nbgrader.api import Gradebook

    week = WEEKS[0]
    root = make_course_root(tmp_path / "course")
    run_course(root, "release", "--week", week)
    run_course(root, "examples", "--week", week)
    source = nbformat.read(root / "quizzes" / week / "quiz.ipynb", as_version=4)
    release = nbformat.read(root / "build/release" / week / "quiz.ipynb", as_version=4)
    sleeper_nb, _ = hostile.sleeper(source, release)
    write_submission(root, "sleeper", week, sleeper_nb)
    write_submission(root, "key_hunter", week, hostile.key_hunter(source, release))
    run_course(root, "autograde", "--week", week)
    first = {r["student"]: r for r in json.loads((root / "build/reports" / f"autograde_{week}.json").read_text())}
    assert "stopped at the time limit" in " ".join(first["sleeper"]["problems"])
    assert 0 < first["sleeper"]["score"] < first["all_correct"]["score"]

    manual = [c.metadata["nbgrader"] for c in source.cells if is_written_answer(c)]
    with Gradebook(f"sqlite:///{root}/build/gradebook.db") as gb:
        for meta in manual:
            grade = gb.find_grade(meta["grade_id"], "quiz", week, "all_correct")
            grade.manual_score = meta["points"]
        gb.db.commit()
    run_course(root, "autograde", "--week", week)
    if sandbox.isolation_active():  # the first grading's autograded notebooks exist now
        regraded = _hunt_result(root, "key_hunter", week)
        assert regraded["hits"] == [] and regraded["keys"] == {} and regraded["cwd"] == [], regraded
    second = {r["student"]: r for r in json.loads((root / "build/reports" / f"autograde_{week}.json").read_text())}
    # The grader reads each written answer's rubric beside it; a student sees it in the
    # feedback once the answer has been graded by hand.
    rubric_lines = [line for c in source.cells if is_written_answer(c)
                    for line in rubric_of(c.source).splitlines() if line.startswith("- ")]
    assert rubric_lines, f"{week}: no written answer with a rubric"
    graded_nb = (root / "build/autograded/sleeper" / week / "quiz.ipynb").read_text()
    assert all(line in graded_nb for line in rubric_lines)
    run_course(root, "feedback", "--week", week)
    graded_page = (root / "build/feedback/all_correct" / week / "quiz.html").read_text()
    ungraded_page = (root / "build/feedback/sleeper" / week / "quiz.html").read_text()
    assert all(html.escape(line[2:].split(":", 1)[-1].strip()) in graded_page for line in rubric_lines)
    headings = [f"How {grade_id(c)} is graded" for c in source.cells if is_written_answer(c)]
    assert all(h in graded_page for h in headings)
    assert not any(h in ungraded_page for h in headings) and not any(html.escape(line[2:].split(":", 1)[-1].strip()) in ungraded_page
                                                    for line in rubric_lines)
    bonus = sum(m["points"] for m in manual)
    for student, row in first.items():
        extra = bonus if student == "all_correct" else 0
        assert second[student]["score"] == pytest.approx(row["score"] + extra), student
        assert second[student]["status"] == row["status"]


def test_without_the_sandbox_the_working_folder_still_holds_only_the_students_files(tmp_path):
    """Protects (issue 13, no bubblewrap): the kernel still starts in a folder holding only
    what the student handed in (no notebook with hidden tests), honest file work keeps
    full marks, and the report says that the rest of the protection is weaker."""
    week = WEEKS[0]
    root = make_course_root(tmp_path / "course")
    off = {"MLOPS_GRADER_SANDBOX": "off"}
    run_course(root, "release", "--week", week, env=off)
    source = nbformat.read(root / "quizzes" / week / "quiz.ipynb", as_version=4)
    release = nbformat.read(root / "build/release" / week / "quiz.ipynb", as_version=4)
    write_submission(root, "key_hunter", week, hostile.key_hunter(source, release))
    write_submission(root, "file_worker", week, hostile.file_worker(source, release))
    (root / "build/submitted/file_worker" / week / hostile.HANDED_IN[0]).write_text(hostile.HANDED_IN[1])
    run_course(root, "autograde", "--week", week, env=off)
    report = {r["student"]: r for r in json.loads((root / "build/reports" / f"autograde_{week}.json").read_text())}
    assert _hunt_result(root, "key_hunter", week)["cwd"] == []
    status, listing = _printed(root, "file_worker", week, "FILES ").split(" ", 1)
    assert status == "ok" and set(listing.split(",")) == {hostile.HANDED_IN[0], "store/run1/metrics.csv"}
    assert report["file_worker"]["score"] == pytest.approx(expected_outcome(week)["all_correct"][1])
    for student in ("key_hunter", "file_worker"):
        problems = " ".join(report[student]["problems"])
        assert "WITHOUT isolation" in problems and "hidden tests" in problems, problems


def _choice_points(week: str) -> dict[str, tuple[str, float]]:
    """Multiple-choice item -> (source key, points of its hidden test)."""
    from mlops_course.instructor import variants

    source = nbformat.read(paths.QUIZZES_DIR / week / "quiz.ipynb", as_version=4)
    keys = variants._source_keys(source)
    return {item: (key, sum(points(c) for c in quizcells.tests_of(source, item))) for item, key in keys.items()}


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_a_classmates_notebook_handed_in_is_flagged_and_graded_on_the_submitters_variant(graded_course, week):
    """Protects (per-student variants): all_correct's notebook, letters and typed id
    included, handed in by id_borrower earns on multiple choice only the items where the
    two variants happen to share the key's letter (chance), keeps the code tasks (methods
    may be shared), and is flagged for review in the report and the feedback."""
    from mlops_course.variant import MISMATCH, QuizVariant
    from mlops_course.instructor.variants import choice_items, course_id

    root, report, _ = graded_course(week)
    mine, lender = QuizVariant(week, "id_borrower", course_id()), QuizVariant(week, "all_correct", course_id())
    fixed = choice_items(nbformat.read(paths.QUIZZES_DIR / week / "quiz.ipynb", as_version=4))
    choice = _choice_points(week)
    lost = sum(p for item, (key, p) in choice.items()
               if mine.shown(item, key, fixed[item]) != lender.shown(item, key, fixed[item]))
    assert report["id_borrower"]["score"] == pytest.approx(report["all_correct"]["score"] - lost)
    assert lost > 0, f"{week}: the two variants share every key letter"
    assert any(MISMATCH in p for p in report["id_borrower"]["problems"]), report["id_borrower"]["problems"]
    feedback = (root / "build/feedback/id_borrower" / week / "quiz.html").read_text()
    assert "Flagged for review" in feedback


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_patching_the_variant_machinery_is_caught_and_earns_nothing(graded_course, week):
    """Protects: a notebook that makes every variant the quiz as written (to use a leaked
    answer sheet) is reported as tampered and scores 0."""
    _, report, _ = graded_course(week)
    assert report["variant_patcher"]["score"] == 0
    assert any("tampered" in p for p in report["variant_patcher"]["problems"]), report["variant_patcher"]["problems"]
