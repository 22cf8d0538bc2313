"""Shared fixtures (helpers that tests import live in ``helpers.py``). Grading tests work
in a temporary copy of the course root so they never touch an instructor's build/ folder
and weeks can run in parallel."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import DEEP_FOLDER, ROOT, make_course_root, run_course, write_submission
from mlops_course import paths
from mlops_course.instructor import integrity
from mlops_course.notebook import disable_telemetry

disable_telemetry()


@pytest.fixture(scope="session")
def student_room_env(tmp_path_factory) -> dict:
    """A kernel environment in which ``mlops_course`` is the student room alone, as in the
    student release (the instructor's subpackage absent), with the course's data."""
    import os

    from mlops_course.instructor.build import copy_student_room

    root = tmp_path_factory.mktemp("student_room")
    copy_student_room(root)
    (root / "data").symlink_to(ROOT / "data")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
            "MLOPS_COURSE_ROOT": str(root)}


@pytest.fixture(scope="session")
def executed_lesson():
    """The executed solutions notebook of a week, run once per test session (a week's
    tests share an xdist worker): (notebook with outputs, seconds it took)."""
    from mlops_course.instructor.execute import execute

    cache = {}

    def get(week: str):
        if week not in cache:
            cache[week] = execute(paths.SOLUTIONS_DIR / f"{week}.ipynb")
        return cache[week]

    return get


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory):
    """Per week, a scratch course root where the quiz was released and a class was graded:
    the example submissions plus hostile ones (tests/hostile.py), then feedback and grades.
    Returns (root, report by student, grade_id of the answer the bomber broke)."""
    import json
    import socket

    import nbformat

    import hostile

    cache = {}

    def get(week: str):
        if week in cache:
            return cache[week]
        # A deep root on purpose, like a CI checkout: kernel sockets must not overflow
        # the 107-byte Unix socket path limit (this once failed whole weeks).
        root = make_course_root(tmp_path_factory.mktemp(f"course_{week}") / DEEP_FOLDER)
        run_course(root, "release", "--week", week)
        run_course(root, "examples", "--week", week)
        source = nbformat.read(root / "quizzes" / week / "quiz.ipynb", as_version=4)
        release = nbformat.read(root / "build/release" / week / "quiz.ipynb", as_version=4)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        targets = {
            "quiz source": str(ROOT / "quizzes" / week / "quiz.ipynb"),
            "quiz source via course root": str(root / "quizzes" / week / "quiz.ipynb"),
            "solutions": str(ROOT / "solutions" / f"{week}.ipynb"),
            "gradebook": str(root / "build/gradebook.db"),
            "other student": str(root / "build/submitted/all_correct" / week / "quiz.ipynb"),
            "grader config": str(root / "grader_config.py"),
            "instructor tools": str(Path(integrity.__file__)),
            "course root file": str(root / "leak.txt"),
        }
        write_submission(root, "snooper", week, hostile.snooper(source, release, targets, listener.getsockname()[1]))
        write_submission(root, "faker", week, hostile.faker(source, release))
        write_submission(root, "helper_patcher", week, hostile.faker(source, release, prelude=hostile.PATCH_HELPERS))
        write_submission(root, "kernel_patcher", week, hostile.faker(source, release, prelude=hostile.PATCH_KERNEL))
        write_submission(root, "test_editor", week, hostile.edited_tests(source, release))
        bomb_nb, bombed = hostile.bomber(source, release)
        write_submission(root, "bomber", week, bomb_nb)
        (root / "build/submitted/no_notebook" / week).mkdir(parents=True)
        write_submission(root, "key_hunter", week, hostile.key_hunter(source, release))
        write_submission(root, "file_worker", week, hostile.file_worker(source, release))
        (root / "build/submitted/file_worker" / week / hostile.HANDED_IN[0]).write_text(hostile.HANDED_IN[1])
        write_submission(root, "id_borrower", week, hostile.id_borrower(source, release))
        write_submission(root, "variant_patcher", week, hostile.variant_patcher(source, release))
        corrupted_nb, _ = hostile.data_corrupter(source, release)
        write_submission(root, "data_corrupter", week, corrupted_nb)
        if week in hostile.DATA_REWRITES:
            write_submission(root, "data_rewriter", week, hostile.data_rewriter(source, release, *hostile.DATA_REWRITES[week]))
        try:
            run_course(root, "autograde", "--week", week)
        finally:
            listener.close()
        run_course(root, "feedback", "--week", week)
        run_course(root, "grades")
        report = {r["student"]: r for r in json.loads((root / "build/reports" / f"autograde_{week}.json").read_text())}
        cache[week] = root, report, bombed
        return cache[week]

    return get
