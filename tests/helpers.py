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


#: Students whose variants the tests try (besides the source's, the quiz as written).
VARIANT_STUDENTS = ("ada", "grace.h", "linus-t")


def run_cell(source, ns: dict) -> None:
    """Run ``source`` (text, or code already compiled) in ``ns`` as a notebook cell runs:
    in a ``__main__`` namespace and without this module's ``from __future__`` flags
    (annotations stay objects, as FastAPI and pydantic need)."""
    ns.setdefault("__name__", "__main__")
    exec(compile(source, "<cell>", "exec", dont_inherit=True) if isinstance(source, str) else source, ns)


def quiz_namespace(week: str, student: str = "source") -> tuple:
    """(source notebook, namespace) after the quiz's setup, ``student``'s variant and its
    given-data cells ran in this process (``"source"``: the quiz as written)."""
    import nbformat

    from mlops_course import quizcells, variant

    nb = nbformat.read(paths.QUIZZES_DIR / week / "quiz.ipynb", as_version=4)
    ns: dict = {"__name__": "__main__"}
    for cell in nb.cells:
        if cell.cell_type == "code" and quizcells.grade_id(cell) == "setup":
            run_cell(cell.source, ns)
        elif cell.cell_type == "code" and quizcells.grade_id(cell) == quizcells.VARIANT_ID:
            ns["quiz"] = variant._current = variant.QuizVariant(week, student, variant.DEFAULT_COURSE)
        elif cell.cell_type == "code" and quizcells.is_data(cell):
            run_cell(cell.source, ns)
    return nb, ns


def judge_answer(week: str, item: str, answer: str, student: str = "source") -> str | None:
    """Run a quiz source's setup, ``student``'s variant and the given-data cells, then
    ``answer`` in place of the answer cell of ``item`` (``q9``), then that item's tests,
    in one namespace (no kernel: fast). Returns None when every test of the item passes,
    else the first failure as ``grade_id: message``. Multiple-choice letters in
    ``answer`` are the student's (see ``variants.answers_for``)."""
    import contextlib
    import tempfile

    from mlops_course import quizcells

    # In a scratch folder, as the grader's working folder: files an answer writes (a DAG
    # file, an MLflow store) never land in the checkout.
    with tempfile.TemporaryDirectory(prefix="judge-") as folder, contextlib.chdir(folder):
        nb, ns = quiz_namespace(week, student)
        run_cell(answer, ns)
        for test in quizcells.tests_of(nb, item):
            try:
                run_cell(test.source, ns)
            except Exception as exc:  # AssertionError (a test's verdict) or the answer's own error
                return f"{quizcells.grade_id(test)}: {type(exc).__name__}: {exc}"
    return None


def judged_cases(*groups) -> list:
    """pytest params ``(item, answer, right)`` for tests of a quiz's hidden tests: each
    group is ``(item, accepted, rejected)`` or ``(item, accepted, rejected, template)``
    (dicts of name -> answer source; a template is a string whose ``{body}`` takes each
    answer, or a function of the answer)."""
    params = []
    for item, accepted, rejected, *template in groups:
        fill = template[0] if template and callable(template[0]) else (
            (lambda body: template[0].format(body=body)) if template else (lambda body: body))
        params += [pytest.param(item, fill(a), True, id=f"{item}-accepts-{name}") for name, a in accepted.items()]
        params += [pytest.param(item, fill(a), False, id=f"{item}-rejects-{name}") for name, a in rejected.items()]
    return params


def judged_named(accepted: dict, rejected: dict) -> list:
    """pytest params ``(item, answer, right)`` from dicts of ``name -> (item, answer)``
    or ``(item, name) -> answer``."""
    def params(cases, right):
        out = []
        for key, value in cases.items():
            (item, name), answer = (key, value) if isinstance(key, tuple) else ((value[0], key), value[1])
            out.append(pytest.param(item, answer, right, id=f"{item}-{'accepts' if right else 'rejects'}-{name}"))
        return out

    return params(accepted, True) + params(rejected, False)


def assert_judged(week: str, item: str, answer: str, right: bool, student: str = "source") -> None:
    """A valid method earns every test of the item on ``student``'s variant; a plausible
    mistake fails one (an answer that raises on that variant's data fails: in a kernel
    its names would stay undefined)."""
    try:
        verdict = judge_answer(week, item, answer, student)
    except Exception as exc:
        verdict = f"the answer itself raised {type(exc).__name__}: {exc}"
    assert (verdict is None) == right, f"{student}: " + (verdict or "the mistake passed every test of the item")


def source_solution(week: str, item: str) -> str:
    """The solution of ``item``'s answer cell in the quiz source, as a student would type it."""
    import nbformat

    from mlops_course import quizcells
    from mlops_course.instructor.examples import solved

    nb = nbformat.read(paths.QUIZZES_DIR / week / "quiz.ipynb", as_version=4)
    return solved(next(c for c in nb.cells if quizcells.grade_id(c) == item))
