"""Helpers the tests share: per-week parametrization, scratch course roots and running
the course's command line in them, writing a student's submission."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mlops_course import paths
from mlops_course.services import child_env

ROOT = paths.ROOT


def by_week(weeks: list[str]) -> list:
    """Parametrize over weeks, keeping each week's tests on one xdist worker."""
    return [pytest.param(w, id=w, marks=pytest.mark.xdist_group(w)) for w in weeks]


DEEP_FOLDER = "a_course_checkout_nested_in_a_deliberately_long_folder_name_" * 2


def make_course_root(target: Path) -> Path:
    from mlops_course.instructor.build import scratch_course_root

    return scratch_course_root(target)


def course_env(root: Path) -> dict:
    env = child_env(MLOPS_COURSE_ROOT=str(root))
    # A scratch course keeps its own gradebook (build/gradebook.db), even when the shell
    # running the tests points the course at a server database.
    env.pop("MLOPS_GRADEBOOK_URL", None)
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
