"""Shared fixtures. Grading tests work in a temporary copy of the course root so they
never touch an instructor's build/ folder and weeks can run in parallel."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_course import paths
from mlops_course.notebook import disable_telemetry

ROOT = paths.ROOT
LINKED = ("quizzes", "data", "notebooks", "solutions", "pyproject.toml", "requirements.lock", "environment.yml")

disable_telemetry()


def by_week(weeks: list[str]) -> list:
    """Parametrize over weeks, keeping each week's tests on one xdist worker."""
    return [pytest.param(w, id=w, marks=pytest.mark.xdist_group(w)) for w in weeks]


def make_course_root(target: Path) -> Path:
    """A course root in ``target`` that links the sources and has an empty build/."""
    target.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        (target / name).symlink_to(ROOT / name)
    shutil.copy2(ROOT / "grader_config.py", target / "grader_config.py")
    return target


def course_env(root: Path) -> dict:
    env = dict(os.environ)
    env["MLOPS_COURSE_ROOT"] = str(root)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_course(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``python -m mlops_course ARGS`` against the course root ``root``."""
    done = subprocess.run(
        [sys.executable, "-m", "mlops_course", *args],
        cwd=root, env=course_env(root), capture_output=True, text=True, timeout=1800,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"`mlops_course {' '.join(args)}` failed:\n{done.stdout}\n{done.stderr}")
    return done
