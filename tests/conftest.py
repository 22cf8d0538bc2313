"""Shared fixtures. Grading tests work in a temporary copy of the course root so they
never touch an instructor's build/ folder and weeks can run in parallel."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_course import paths
from mlops_course.notebook import disable_telemetry

ROOT = paths.ROOT

disable_telemetry()


def by_week(weeks: list[str]) -> list:
    """Parametrize over weeks, keeping each week's tests on one xdist worker."""
    return [pytest.param(w, id=w, marks=pytest.mark.xdist_group(w)) for w in weeks]


DEEP_FOLDER = "a_course_checkout_nested_in_a_deliberately_long_folder_name_" * 2


def make_course_root(target: Path) -> Path:
    from mlops_course.build import scratch_course_root

    return scratch_course_root(target)


def course_env(root: Path) -> dict:
    env = dict(os.environ)
    # A scratch course keeps its own gradebook (build/gradebook.db), even when the shell
    # running the tests points the course at a server database.
    env.pop("MLOPS_GRADEBOOK_URL", None)
    env["MLOPS_COURSE_ROOT"] = str(root)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_course(root: Path, *args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m mlops_course ARGS`` against the course root ``root`` (``env``: extra variables)."""
    done = subprocess.run(
        [sys.executable, "-m", "mlops_course", *args],
        cwd=root, env={**course_env(root), **(env or {})}, capture_output=True, text=True, timeout=1800,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"`mlops_course {' '.join(args)}` failed:\n{done.stdout}\n{done.stderr}")
    return done


def write_submission(root: Path, student: str, week: str, nb, timestamp: str = "2026-01-01 09:00:00.000000 UTC") -> None:
    import nbformat

    folder = root / "build/submitted" / student / week
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "quiz.ipynb")
    (folder / "timestamp.txt").write_text(timestamp)


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
