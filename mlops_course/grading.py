"""Release, autograde, feedback and export on top of nbgrader's own API.

nbgrader does the work (``generate_assignment``, ``autograde``, ``generate_feedback``,
``export``, its gradebook); this module adds what a course needs around it:

* an intake step that looks at every student's folder first, so a malformed
  notebook, a missing one or one saved under another name (``quiz (1).ipynb``) is
  reported per student instead of scoring a silent zero;
* grading each student separately, so one failure never stops the others, with a
  summary table and a machine-readable report under ``build/reports/``;
* feedback with hidden tests and their tracebacks removed.
"""
from __future__ import annotations

import json
import shutil
import warnings
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets.config import Config, PyFileConfigLoader

from . import paths

CONFIG_NAME = "grader_config"
NOTEBOOK = "quiz.ipynb"

GRADED = "graded"
FAILED = "failed"
MISSING = "missing"


@lru_cache(maxsize=1)
def load_config() -> Config:
    """nbgrader configuration from ``grader_config.py`` at the course root."""
    config_file = paths.ROOT / f"{CONFIG_NAME}.py"
    if not config_file.exists():
        raise FileNotFoundError(f"{config_file} is missing; it configures nbgrader for the course.")
    return PyFileConfigLoader(config_file.name, path=str(paths.ROOT)).load_config()


def api():
    """An ``NbGraderAPI`` bound to the course configuration."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_config()
    paths.BUILD_DIR.mkdir(parents=True, exist_ok=True)  # the sqlite gradebook lives there
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def build_path(kind: str) -> Path:
    """Absolute path of one of nbgrader's folders (``release``, ``submitted``...)."""
    return paths.BUILD_DIR / kind


class HideTracebacks(NbGraderPreprocessor):
    """Feedback preprocessor: keep only the error line of failed graded cells.

    A traceback quotes the failing source line, which for a hidden test would show
    the expected answer. The error name and message stay (course test messages
    never contain expected values).
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


# -- intake -------------------------------------------------------------------
@dataclass
class Submission:
    """What the grader found for one student and one quiz."""

    student: str
    assignment: str
    status: str = GRADED
    score: float = 0.0
    max_score: float = 0.0
    problems: list[str] = field(default_factory=list)


def _check_notebook(path: Path) -> str | None:
    """Return why ``path`` cannot be graded, or None if it is a valid notebook."""
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except nbformat.reader.NotJSONError:
        return f"{path.name} is not valid JSON (cut off, or edited outside Jupyter); the file is kept as submitted"
    except Exception as exc:  # schema errors: report them, keep the file
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
        return f"{path.name} is not a valid notebook: {first_line}"
    return None


def intake(assignment: str, student: str) -> Submission:
    """Inspect one student's submitted folder and prepare it for nbgrader.

    A single notebook saved under another name is graded as ``quiz.ipynb`` (the
    original is kept) and the rename is reported.
    """
    sub = Submission(student, assignment)
    folder = build_path("submitted") / student / assignment
    target = folder / NOTEBOOK
    if not target.exists():
        others = sorted(p for p in folder.glob("*.ipynb")) if folder.exists() else []
        if len(others) == 1:
            shutil.copy2(others[0], target)
            sub.problems.append(f"notebook was named {others[0].name!r}; graded it as {NOTEBOOK}")
        elif others:
            sub.status = MISSING
            names = ", ".join(p.name for p in others)
            sub.problems.append(f"no {NOTEBOOK}, and several candidates ({names}): rename the right one")
            return sub
        else:
            sub.status = MISSING
            sub.problems.append(f"no notebook submitted in {folder.relative_to(paths.ROOT)}")
            return sub
    reason = _check_notebook(target)
    if reason:
        sub.status = FAILED
        sub.problems.append(reason)
    return sub


def submitted_students(assignment: str) -> list[str]:
    root = build_path("submitted")
    if not root.exists():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / assignment).is_dir())


def _failure_reason(result: dict) -> str:
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    if "DeadKernelError" in text or "Kernel died" in text or "UnresponsiveKernelError" in text:
        return "the kernel died while running the notebook (for example os._exit, a crash or running out of memory)"
    if "CellTimeoutError" in text or "TimeoutError" in text:
        return "a cell ran past the time limit"
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return "autograde failed: " + (lines[-1] if lines else "no message from nbgrader")


def _scores(assignment: str) -> dict[str, tuple[float, float]]:
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(load_config().CourseDirectory.db_url) as gb:
        try:
            submissions = gb.assignment_submissions(assignment)
        except Exception:
            return scores
        for s in submissions:
            scores[s.student_id] = (float(s.score or 0), float(s.max_score or 0))
    return scores


def autograde(assignment: str, students: list[str] | None = None) -> list[Submission]:
    """Autograde every submission of ``assignment``; never stops at a bad one."""
    nbapi = api()
    warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy session noise
    results = []
    for student in students or submitted_students(assignment):
        sub = intake(assignment, student)
        if sub.status == GRADED:
            outcome = nbapi.autograde(assignment, student, force=True, create=True)
            if not outcome.get("success"):
                sub.status = FAILED
                sub.problems.append(_failure_reason(outcome))
        results.append(sub)
    scores = _scores(assignment)
    for sub in results:
        if sub.status == GRADED and sub.student in scores:
            sub.score, sub.max_score = scores[sub.student]
    write_report(assignment, results)
    return results


def write_report(assignment: str, results: list[Submission]) -> Path:
    """Write ``build/reports/autograde_<assignment>.json`` and return its path."""
    out = build_path("reports") / f"autograde_{assignment}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return out


def format_table(results: list[Submission]) -> str:
    """A short plain-text table of the grading results."""
    lines = [f"{'student':<20} {'quiz':<22} {'status':<8} {'score':>11}  problems"]
    for r in results:
        score = f"{r.score:g} / {r.max_score:g}" if r.status == GRADED else "-"
        lines.append(f"{r.student:<20} {r.assignment:<22} {r.status:<8} {score:>11}  {'; '.join(r.problems)}")
    return "\n".join(lines)


def generate_feedback(assignment: str) -> list[str]:
    """Feedback HTML for every autograded student; returns students that failed."""
    nbapi = api()
    failed = []
    autograded = build_path("autograded")
    students = sorted(p.name for p in autograded.iterdir() if (p / assignment).is_dir()) if autograded.exists() else []
    for student in students:
        outcome = nbapi.generate_feedback(assignment, student)
        if not outcome.get("success"):
            failed.append(student)
    return failed
