"""mlops_course.instructor.build: student lessons from solutions, and the student release."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from helpers import ROOT, run_course
from mlops_course.instructor import build, integrity


def test_student_version_replaces_solution_regions_and_clears_outputs():
    cell = new_code_cell("def f(x):\n    \"\"\"Doc.\"\"\"\n    ### BEGIN SOLUTION\n    return 42 * x\n    ### END SOLUTION")
    cell.outputs = [nbformat.v4.new_output("stream", text="hi")]
    cell.execution_count = 3
    student = build.student_version(new_notebook(cells=[cell]))
    src = student.cells[0].source
    assert "42" not in src and "raise NotImplementedError()" in src and '"""Doc."""' in src
    assert student.cells[0].outputs == [] and student.cells[0].execution_count is None
    assert "    raise NotImplementedError()" in src  # indentation kept


# -- regenerating lessons never destroys work ------------------------------------------------
def _course(tmp_path, with_solutions: bool):
    """A small course root: one lesson source (or none) and student notebooks with work in them."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    (root / "solutions").mkdir()
    lesson = new_notebook(cells=[new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION")])
    if with_solutions:
        nbformat.write(lesson, root / "solutions/01_demo.ipynb")
    work = new_notebook(cells=[new_code_cell("my_answer = 42  # a student's work")])
    for name in ("01_demo.ipynb", "02_other.ipynb"):
        nbformat.write(work, root / "notebooks" / name)
    shutil.copy2(ROOT / "grader_config.py", root / "grader_config.py")
    return root


def test_regenerating_lessons_without_sources_refuses_and_deletes_nothing(tmp_path):
    """Protects (the student release, a hub student's folder): `python -m mlops_course
    notebooks` without solutions/ says so in one line, exits non-zero, and every lesson
    notebook is still there with the student's work."""
    root = _course(tmp_path, with_solutions=False)
    before = {p.name: p.read_text() for p in (root / "notebooks").iterdir()}
    done = run_course(root, "notebooks", check=False)
    assert done.returncode != 0
    assert "no lesson sources" in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert {p.name: p.read_text() for p in (root / "notebooks").iterdir()} == before


def test_regenerating_lessons_keeps_notebooks_it_did_not_generate(tmp_path):
    """Protects: a notebook in notebooks/ without a source is reported, never deleted."""
    root = _course(tmp_path, with_solutions=True)
    done = run_course(root, "notebooks")
    assert (root / "notebooks/02_other.ipynb").exists()
    assert "02_other.ipynb: has no source" in done.stdout
    assert "return 1" not in (root / "notebooks/01_demo.ipynb").read_text()


# -- the student release: the student room only -----------------------------------------------
@pytest.fixture(scope="module")
def student_release(tmp_path_factory):
    """A student release assembled from the real course, with one (placeholder) released quiz."""
    root = build.scratch_course_root(tmp_path_factory.mktemp("release") / "course")
    env = {"MLOPS_COURSE_ROOT": str(root)}
    released = root / "build/release/01_ml_systems"
    released.mkdir(parents=True)
    nbformat.write(new_notebook(), released / "quiz.ipynb")
    code = "from mlops_course.instructor import build; print(build.assemble_student_release())"
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True,
                          check=True)
    return Path(done.stdout.strip().splitlines()[-1])


def test_student_release_holds_no_instructor_tool(student_release):
    """Protects (two rooms): no module of the instructor's tools, and no line of the
    integrity probes, reaches students."""
    package = student_release / "mlops_course"
    assert (package / "__init__.py").exists() and (package / "quiz.py").exists()
    assert not (package / "instructor").exists()
    tools = Path(integrity.__file__).parent
    names = {p.stem for p in tools.glob("*.py")} - {"__init__"}
    shipped = {p.stem for p in student_release.rglob("*.py")}
    assert not names & shipped, f"instructor modules in the release: {names & shipped}"
    # Lines of the probes that the student room does not also have (generic code such as
    # `shutil.rmtree(folder, ignore_errors=True)` proves nothing).
    student_room = {l.strip() for p in tools.parent.rglob("*.py") if tools not in p.parents
                    for l in p.read_text().splitlines()}
    probe_lines = {l.strip() for l in Path(integrity.__file__).read_text().splitlines()
                   if len(l.strip()) > 25} - student_room
    for path in student_release.rglob("*"):
        if path.is_file() and path.suffix in (".py", ".md", ".toml", ".ipynb", ".json", ".txt", ".yml"):
            text = path.read_text(errors="replace")
            leaked = [l for l in probe_lines if l in text]
            assert not leaked, f"{path.relative_to(student_release)} holds integrity code: {leaked[:2]}"


def test_student_release_installs_without_the_instructor_tools(student_release, tmp_path):
    """Protects: the release's pyproject.toml builds a package of the student room only."""
    import zipfile

    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp_path), str(student_release)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    wheel = next(tmp_path.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "mlops_course/quiz.py" in names and "mlops_course/exercises/week01.py" in names
    assert not [n for n in names if "instructor" in n], names


def test_the_course_command_in_the_student_release_says_what_it_is_not(student_release):
    """Protects: `python -m mlops_course` in the student release is one clear line and a
    non-zero exit, not a traceback."""
    done = subprocess.run([sys.executable, "-m", "mlops_course", "notebooks"], cwd=student_release,
                          env={**os.environ, "PYTHONPATH": str(student_release)}, capture_output=True, text=True)
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1 and "not part of the student release" in done.stderr, done.stderr
