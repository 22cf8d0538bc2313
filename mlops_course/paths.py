"""Where things live. Every path is derived from the package location, so the
same code works in the instructor repository and in the student release."""
from __future__ import annotations

import os
from pathlib import Path

#: Root of the course checkout (or of the unpacked student release).
ROOT = Path(os.environ.get("MLOPS_COURSE_ROOT", Path(__file__).resolve().parent.parent))
DATA_DIR = ROOT / "data"
SOLUTIONS_DIR = ROOT / "solutions"
NOTEBOOKS_DIR = ROOT / "notebooks"
QUIZZES_DIR = ROOT / "quizzes"
BUILD_DIR = ROOT / "build"


def weeks() -> list[str]:
    """Week slugs (``01_ml_systems``...) that have a solutions notebook, in order."""
    return sorted(p.stem for p in SOLUTIONS_DIR.glob("[0-9][0-9]_*.ipynb"))


def quiz_weeks() -> list[str]:
    """Week slugs that have a quiz source, in order."""
    return sorted(p.parent.name for p in QUIZZES_DIR.glob("[0-9][0-9]_*/quiz.ipynb"))
