"""Week 06 specifics: the quiz and the self-checks stay free of TensorFlow, and the
lesson's training runs are seeded."""
from __future__ import annotations

import ast
import subprocess
import sys

import nbformat

from mlops_course import paths

WEEK = "06_neural_networks"


def _imported_modules(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_quiz_does_not_import_tensorflow():
    """Protects: the quiz runs in seconds per submission (importing TensorFlow alone takes ~6 s)."""
    nb = nbformat.read(paths.QUIZZES_DIR / WEEK / "quiz.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not _imported_modules(code) & {"tensorflow", "keras", "torch"}


def test_exercise_checks_do_not_import_tensorflow():
    """Protects: the self-checks stay under 100 ms and never load a deep-learning framework."""
    script = ("import sys; from mlops_course.exercises import week06; "
              "print(any(m in sys.modules for m in ('tensorflow', 'keras')))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_model_builder_and_training_cell_is_seeded():
    """Protects: repeatable numbers; every cell that builds a Keras model sets the seed first."""
    nb = nbformat.read(paths.SOLUTIONS_DIR / f"{WEEK}.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    builders = [s for s in code if "keras.Sequential(" in s]
    assert builders
    for source in builders:
        assert "keras.utils.set_random_seed(SEED)" in source, source[:80]
    assert not any("keras.datasets" in s or "weights=\"imagenet\"" in s for s in code)
