"""Build tooling: clean sources, generate student lessons, assemble the student release.

* ``solutions/NN.ipynb`` -> ``notebooks/NN.ipynb``: nbgrader's ``ClearSolutions``
  replaces each ``### BEGIN SOLUTION`` / ``### END SOLUTION`` region by the stub
  configured in ``grader_config.py``; outputs are cleared.
* ``sync_problems()`` reports student notebooks that drifted from their source.
* ``assemble_student_release()`` puts everything a student needs in one folder.
"""
from __future__ import annotations

import copy
import shutil
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .. import paths

NB_VERSION = 4
#: Cell metadata keys that front ends add while editing; never committed.
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled")


def read(path: Path) -> NotebookNode:
    return nbformat.read(path, as_version=NB_VERSION)


def write(nb: NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    nbformat.write(nb, path)


def clean(nb: NotebookNode) -> NotebookNode:
    """Clear outputs, execution counts and editor metadata in place; return ``nb``."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
    nb.metadata.pop("widgets", None)
    return nb


def is_clean(nb: NotebookNode) -> bool:
    return all(
        not (c.get("outputs") or c.get("execution_count"))
        for c in nb.cells
        if c.cell_type == "code"
    )


def _clear_solutions():
    from nbgrader.preprocessors import ClearSolutions

    from .grading import load_config

    # Lessons are not nbgrader assignments: regions need no cell metadata here.
    return ClearSolutions(config=load_config(), enforce_metadata=False)


def student_version(solution_nb: NotebookNode) -> NotebookNode:
    """The student twin of a lesson: solution regions replaced by stubs, outputs cleared."""
    nb = copy.deepcopy(solution_nb)
    nb, _ = _clear_solutions().preprocess(nb, {"language": "python"})
    return clean(nb)


def lesson_pairs() -> list[tuple[Path, Path]]:
    return [
        (paths.SOLUTIONS_DIR / f"{week}.ipynb", paths.NOTEBOOKS_DIR / f"{week}.ipynb")
        for week in paths.weeks()
    ]


def clean_sources() -> list[Path]:
    """Strip outputs from lesson and quiz sources; return the files that changed."""
    changed = []
    sources = [p for p, _ in lesson_pairs()] + [
        paths.QUIZZES_DIR / w / "quiz.ipynb" for w in paths.quiz_weeks()
    ]
    for path in sources:
        nb = read(path)
        if not is_clean(nb):
            write(clean(nb), path)
            changed.append(path)
    return changed


class NoLessonSources(FileNotFoundError):
    """``solutions/`` is missing or holds no lesson: nothing can be regenerated."""


def write_student_notebooks() -> list[Path]:
    """Regenerate ``notebooks/`` from ``solutions/``; return the files written.

    Refuses (``NoLessonSources``) where there are no lesson sources, as in the student
    release, and never deletes a notebook: one without a source is left in place and
    reported by :func:`sync_problems`.
    """
    pairs = lesson_pairs()
    if not pairs:
        raise NoLessonSources(
            f"no lesson sources in {paths.SOLUTIONS_DIR} (solutions/NN_topic.ipynb): nothing to regenerate, "
            "and notebooks/ was left as it is. This command is for the course repository, not the student release.")
    written = []
    for source, target in pairs:
        nb = student_version(read(source))
        if not target.exists() or read(target) != nb:
            write(nb, target)
            written.append(target)
    return written


def sync_problems() -> list[str]:
    """Describe every student notebook that is missing, stale or orphaned."""
    problems = []
    for source, target in lesson_pairs():
        if not target.exists():
            problems.append(f"{target.name}: missing (run `make notebooks`)")
        elif read(target) != student_version(read(source)):
            problems.append(f"{target.name}: out of sync with solutions/{source.name} (run `make notebooks`)")
    expected = {t.name for _, t in lesson_pairs()}
    for orphan in sorted(p.name for p in paths.NOTEBOOKS_DIR.glob("*.ipynb") if p.name not in expected):
        problems.append(f"{orphan}: has no source in solutions/ (left in place: delete it if it is obsolete)")
    return problems


STUDENT_FILES = ("pyproject.toml", "requirements.lock", "environment.yml")
#: What a scratch course root links from the real one (sources are read-only there).
SCRATCH_LINKS = ("quizzes", "data", "notebooks", "solutions") + STUDENT_FILES


def scratch_course_root(target: Path) -> Path:
    """A course root in ``target`` that links the sources and has its own empty build/.

    Tests and the benchmark grade there, so they never touch an instructor's build/.
    Use it by running the course tools with ``MLOPS_COURSE_ROOT=target``.
    """
    target.mkdir(parents=True, exist_ok=True)
    for name in SCRATCH_LINKS:
        (target / name).symlink_to(paths.ROOT / name)
    shutil.copy2(paths.ROOT / "grader_config.py", target / "grader_config.py")
    return target


def assemble_student_release(out: Path | None = None) -> Path:
    """Copy lessons, released quizzes, data, the package and environment files into
    ``build/student_release`` (a folder a student can use on its own)."""
    out = out or paths.BUILD_DIR / "student_release"
    from .grading import build_path

    release = build_path("release")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copytree(paths.NOTEBOOKS_DIR, out / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    quizzes = out / "quizzes"
    released = [release / week for week in paths.quiz_weeks() if (release / week).exists()]
    if not released:
        raise FileNotFoundError(f"no quiz released in {release}: run `make release` first.")
    for folder in released:  # weeks released so far (make release WEEK=NN adds one)
        shutil.copytree(folder, quizzes / folder.name)
    shutil.copytree(paths.DATA_DIR, out / "data", ignore=shutil.ignore_patterns("__pycache__"))
    copy_student_room(out)
    for name in STUDENT_FILES:
        shutil.copy2(paths.ROOT / name, out / name)
    (out / "pyproject.toml").write_text(student_pyproject((paths.ROOT / "pyproject.toml").read_text()))
    shutil.copy2(Path(__file__).resolve().parent / "student_readme.md", out / "README.md")
    return out


def copy_student_room(out: Path) -> Path:
    """Copy the package without the instructor's tools (grading, integrity probes, sandbox
    policy...) to ``out/mlops_course``: what lessons and quizzes import, and all of it."""
    tools = Path(__file__).resolve().parent
    package = tools.parent
    shutil.copytree(package, out / package.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", tools.name))
    return out / package.name


#: Lines of the course's pyproject.toml that name the instructor's subpackage.
TOOLS_PACKAGE = "mlops_course.instructor"


def student_pyproject(text: str) -> str:
    """The course's pyproject.toml for the student release: the same project and pins,
    without the instructor's subpackage (which the release does not contain)."""
    import tomllib

    lines = []
    for line in text.splitlines():
        if line.startswith(f'"{TOOLS_PACKAGE}"'):  # its package data
            continue
        lines.append(line.replace(f', "{TOOLS_PACKAGE}"', ""))
    result = "\n".join(lines) + "\n"
    packages = tomllib.loads(result)["tool"]["setuptools"]["packages"]
    if TOOLS_PACKAGE in packages or "mlops_course" not in packages:
        raise ValueError(f"pyproject.toml: cannot drop {TOOLS_PACKAGE} from [tool.setuptools] packages {packages}")
    return result
