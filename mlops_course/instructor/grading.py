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

import csv
import json
import logging
import re
import os
import shutil
import time
import warnings
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from nbgrader.utils import is_grade, is_locked, is_solution
from traitlets.config import Config, PyFileConfigLoader

from .. import paths
from . import sandbox
from ..services import GradebookError
from ..variant import MISMATCH
from ..quizcells import OPTIONS_SUFFIX, grade_id, is_answer, is_question, is_written_answer, item_of, points
from .integrity import OVERTIME, RENAMED_MARK, TAMPERED, TRUNCATED, suspicious_code
from .variants import id_review

log = logging.getLogger(__name__)

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


def api(config: Config | None = None):
    """An ``NbGraderAPI`` bound to the course configuration (or ``config``).

    The gradebook is opened once first, so that an unreachable database is one clear
    error (``GradebookError``) instead of a failure per week or per student.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = config or load_config()
    paths.BUILD_DIR.mkdir(parents=True, exist_ok=True)  # nbgrader's folders (and the SQLite gradebook)
    open_gradebook(config.CourseDirectory.db_url).close()
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def open_gradebook(url: str | None = None):
    """nbgrader's ``Gradebook`` on the course database (use it in a ``with`` block).

    The database is ``CourseDirectory.db_url`` of ``grader_config.py``: the SQLite file
    ``build/gradebook.db``, or the server named by ``MLOPS_GRADEBOOK_URL``.
    """
    from nbgrader.api import Gradebook
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    url = url or load_config().CourseDirectory.db_url
    try:
        return Gradebook(url)
    except (SQLAlchemyError, ImportError) as exc:
        try:
            shown = make_url(url).render_as_string(hide_password=True)
        except SQLAlchemyError:
            shown = repr(url)
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        where = "MLOPS_GRADEBOOK_URL" if os.environ.get("MLOPS_GRADEBOOK_URL", "").strip() else "grader_config.py"
        raise GradebookError(
            f"cannot open the gradebook {shown} (set by {where}): {cause}. Check the URL "
            "(postgresql+psycopg://user@host:port/database for PostgreSQL, with psycopg installed), "
            "that the database server is running and that this user may connect to it."
        ) from exc


#: nbgrader's folders, by the name of their ``CourseDirectory`` setting.
NBGRADER_FOLDERS = ("source", "release", "submitted", "autograded", "feedback", "solution")


def build_path(kind: str) -> Path:
    """Absolute path of one of nbgrader's folders (``release``, ``submitted``...), as
    ``grader_config.py`` sets them in ``CourseDirectory``, or of another generated file
    or folder under ``build/`` (``reports``, ``grades.csv``)."""
    if kind in NBGRADER_FOLDERS:
        course = load_config().CourseDirectory
        return Path(course.root) / getattr(course, f"{kind}_directory")
    return paths.BUILD_DIR / kind


class ClearHiddenTestsInTests(ClearHiddenTests):
    """nbgrader's ClearHiddenTests, applied to the quiz's own test cells only.

    nbgrader looks for the region markers in every cell, so a student's answer that
    merely mentions ``BEGIN HIDDEN TESTS`` (in a string, a comment) made their whole
    feedback fail ("No end hidden tests statement found"). Hidden tests only ever live
    in locked cells, which nbgrader restored from the source before grading.
    """

    def preprocess_cell(self, cell, resources, index):
        if is_solution(cell) and not is_locked(cell):
            return cell, resources
        return super().preprocess_cell(cell, resources, index)


#: Metadata key of the rubric cell the grader inserts after a written answer.
RUBRIC_CELL = "mlops_course_rubric"


def rubric_of(solution_source: str) -> str:
    """The rubric part of a written answer's solution (from its ``**Rubric`` line to the
    end of the solution region; "" when it has none)."""
    lines, inside = [], False
    for line in solution_source.splitlines():
        if "### END SOLUTION" in line:
            break
        inside = inside or line.lstrip().startswith("**Rubric")
        if inside:
            lines.append(line)
    return "\n".join(lines).strip()


class AddRubrics(NbGraderPreprocessor):
    """Autograde: after each written answer, the rubric from the quiz source, so that the
    grader reads it beside the student's answer in the formgrader. Feedback keeps it
    only once the item has been graded by hand (:class:`RubricsOnceGraded`)."""

    def preprocess(self, nb, resources):
        from nbformat.v4 import new_markdown_cell

        info = resources.get("nbgrader", {})
        # The quiz source itself: nbgrader's gradebook keeps only the released text
        # ("YOUR ANSWER HERE") of an answer cell.
        path = build_path("source") / info["assignment"] / f"{info['notebook']}.ipynb"
        if not path.exists():
            return nb, resources
        rubrics = {grade_id(c): rubric_of(c.source) for c in nbformat.read(path, as_version=4).cells
                   if is_written_answer(c)}
        cells = []
        for cell in nb.cells:
            cells.append(cell)
            rubric = rubrics.get(grade_id(cell)) if is_written_answer(cell) else None
            if rubric:
                quoted = "\n".join("> " + line if line else ">" for line in rubric.splitlines())
                cells.append(new_markdown_cell(f"> **How {grade_id(cell)} is graded**\n>\n{quoted}",
                                               metadata={RUBRIC_CELL: grade_id(cell)}))
        nb.cells = cells
        return nb, resources


class RubricsOnceGraded(NbGraderPreprocessor):
    """Feedback: a written answer's rubric stays only when the answer has a manual grade."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook, MissingEntry

        info = resources.get("nbgrader", {})
        rubric_cells = [c for c in nb.cells if c.metadata.get(RUBRIC_CELL)]
        if not rubric_cells:
            return nb, resources
        graded = set()
        with Gradebook(info["db_url"]) as gb:
            for cell in rubric_cells:
                name = cell.metadata[RUBRIC_CELL]
                try:
                    grade = gb.find_grade(name, info["notebook"], info["assignment"], info["student"])
                except MissingEntry:
                    continue
                if grade.manual_score is not None:
                    graded.add(name)
        nb.cells = [c for c in nb.cells if not c.metadata.get(RUBRIC_CELL) or c.metadata[RUBRIC_CELL] in graded]
        return nb, resources


class HideTracebacks(NbGraderPreprocessor):
    """Feedback preprocessor: keep only the error line of failed graded cells.

    A traceback quotes the failing source line, which for a hidden test would show
    the expected answer. The error name and message stay (course test messages
    never contain expected values).
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


class FeedbackSummary(NbGraderPreprocessor):
    """Feedback preprocessor: a summary at the top, item by item, with what to review.

    Runs after nbgrader's GetGrades, which puts each graded cell's score in its
    metadata. Items (``q3`` for ``q3_form`` and ``q3_values``) not fully earned point to
    the question's heading in this notebook and to the week's lesson.
    """

    def preprocess(self, nb, resources):
        from nbformat.v4 import new_markdown_cell

        week = resources.get("nbgrader", {}).get("assignment", "")
        headings, items = {}, {}
        for cell in nb.cells:
            gid = grade_id(cell)
            if gid.endswith(OPTIONS_SUFFIX):  # the student reads the lettered options, not the code
                cell.metadata["transient"] = {"remove_source": True}
            if is_question(cell):
                titled = [line for line in cell.source.splitlines() if re.search(r"\bQ\d+\b", line)]
                headings[item_of(gid)] = (titled or [gid])[0].lstrip("#* ").split(".")[0].strip("* ")
            if points(cell):
                item = item_of(gid)
                score = cell.metadata["nbgrader"].get("score")  # put there by nbgrader's GetGrades
                earned, possible, by_hand = items.get(item, (0.0, 0.0, False))
                items[item] = (earned + float(score or 0), possible + points(cell), by_hand or is_answer(cell))
        total = resources.get("nbgrader", {}).get("score")
        maximum = resources.get("nbgrader", {}).get("max_score")
        lines = [f"# Your feedback: {total:g} / {maximum:g} points" if total is not None else "# Your feedback", "",
                 "| item | points | status |", "| --- | --- | --- |"]
        review = []
        for item, (earned, possible, by_hand) in items.items():
            status = "full marks" if earned >= possible else ("graded by your instructor" if by_hand else "review")
            label = headings.get(item, item)
            lines.append(f"| {label} | {earned:g} / {possible:g} | {status} |")
            if status == "review":
                review.append(label)
        if review:
            lines += ["", f"**What to review:** {', '.join(review)}. Reread the matching sections of the "
                      f"lesson `notebooks/{week}.ipynb`, then try its exercises again (their checks and "
                      "hints are instant). Failed test messages below say what was wrong with your answer."]
        if any(MISMATCH in str(out.get("text", "")) for cell in nb.cells for out in cell.get("outputs", [])):
            lines += ["", "**Flagged for review:** the student id typed in `my_id` is not the one this "
                      "notebook was submitted under. It was graded on the submitter's own variant (given data "
                      "and option order); your instructor will look at it."]
        nb.cells.insert(0, new_markdown_cell("\n".join(lines)))
        return nb, resources


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
    late: bool = False


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
    renamed = folder / RENAMED_MARK
    if target.exists() and renamed.exists():  # renamed on an earlier run: keep saying so
        sub.problems.append(f"notebook was named {renamed.read_text().strip()!r}; graded it as {NOTEBOOK}")
    elif not target.exists():
        others = sorted(p for p in folder.glob("*.ipynb")) if folder.exists() else []
        if len(others) == 1:
            shutil.copy2(others[0], target)
            renamed.write_text(others[0].name)
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
    if "Invalid Signature" in text:  # jupyter_client could not verify a message: it arrived cut or garbled
        return "the kernel sent garbled messages (as when a notebook ran out of memory while sending output)"
    if "GradingTimeLimit" in text:
        return "grading stopped: the submission took longer than the grader allows (stuck kernel?)"
    if "CellTimeoutError" in text or "TimeoutError" in text:
        return "a cell ran past the time limit"
    # nbgrader ends its log with "see the above traceback": quote the exception instead.
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    causes = [line for line in lines if re.match(r"^[\w.]*(Error|Exception)\b", line) and "Please see" not in line]
    return "autograde failed: " + (causes[-1] if causes else (lines[-1] if lines else "no message from nbgrader"))[:300]


def _save_log(assignment: str, student: str, outcome: dict) -> None:
    """Keep nbgrader's full log of a failed submission for the instructor."""
    folder = build_path("reports") / f"autograde_{assignment}_logs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{student}.txt").write_text((outcome.get("log") or "") + "\n" + (outcome.get("error") or ""))


def _gradebook_state(assignment: str) -> dict[str, dict]:
    """student -> score, max_score and seconds late, from the gradebook."""
    from nbgrader.api import MissingEntry
    from sqlalchemy.exc import SQLAlchemyError

    state = {}
    with open_gradebook() as gb:
        try:
            submissions = gb.assignment_submissions(assignment)
        except MissingEntry:  # the assignment is not in the gradebook yet
            return state
        except SQLAlchemyError as exc:  # never report students as "graded, 0" on a read error
            raise GradebookError(f"cannot read the grades of {assignment} from the gradebook "
                                 f"{load_config().CourseDirectory.db_url}: {str(exc).splitlines()[0]}") from exc
        for s in submissions:
            state[s.student_id] = {
                "score": float(s.score or 0), "max_score": float(s.max_score or 0),
                "late_seconds": float(s.total_seconds_late or 0),
            }
    return state


def gradebook_students() -> list[str]:
    """Ids of every student in the gradebook."""
    with open_gradebook() as gb:
        return sorted(s.id for s in gb.students)


def _ensure_students(students: list[str]) -> None:
    """Create missing students up front, so parallel workers only write grades."""
    with open_gradebook() as gb:
        for student in students:
            gb.update_or_create_student(student)


# -- parallel workers ------------------------------------------------------------------
_WORKER_API = None


def _init_worker(root: str, jupyter_path: str, runtime: str) -> None:
    """Each worker: its own nbgrader API and its own folder for kernel sockets."""
    global _WORKER_API
    os.environ["MLOPS_COURSE_ROOT"] = root
    os.environ["JUPYTER_PATH"] = jupyter_path
    warnings.filterwarnings("ignore")
    worker_dir = Path(runtime) / f"w{os.getpid()}"
    worker_dir.mkdir(parents=True, exist_ok=True)
    os.environ["JUPYTER_RUNTIME_DIR"] = str(worker_dir)
    config = load_config().copy()
    config.KernelManager.ip = str(worker_dir / "kernel")  # IPC socket prefix, bound into the sandbox
    _WORKER_API = api(config)


def _worker_loop(conn, root: str, jupyter_path: str, runtime: str) -> None:
    """A grading worker: autograde the (assignment, student) pairs it is sent, one by one.

    After a failed run it exits, so that the next submission starts in a fresh process
    (a dead kernel can leave ZeroMQ sockets behind that later hang garbage collection).
    """
    _init_worker(root, jupyter_path, runtime)
    while True:
        task = conn.recv()
        if task is None:
            return
        outcome = _grade_one(*task)
        conn.send({k: outcome.get(k) for k in ("success", "error", "log")})
        if not outcome.get("success"):
            return


def _grade_in_workers(assignment: str, students: list[str], workers: int, jupyter_path: str) -> dict[str, dict]:
    """Autograde ``students`` on ``workers`` processes with a wall-clock limit per submission.

    A submission that exceeds the limit (a stuck kernel, a hung library) has its worker
    killed, together with its sandboxed kernel, and is reported; the others go on.
    """
    from multiprocessing.connection import wait

    limit = _submission_limit()
    runtime = socket_dir()
    ctx = get_context("spawn")
    queue, outcomes, retried = list(students), {}, set()
    slots: list[dict | None] = [None] * workers

    def start() -> dict:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker_loop, args=(child, str(paths.ROOT), jupyter_path, str(runtime)), daemon=True)
        proc.start()
        child.close()
        return {"proc": proc, "conn": parent, "student": None, "since": 0.0}

    try:
        while queue or any(s and s["student"] for s in slots):
            for i, slot in enumerate(slots):
                if queue and (slot is None or slot["student"] is None):
                    if slot is None or not slot["proc"].is_alive():
                        slots[i] = slot = start()
                    slot["student"], slot["since"] = queue.pop(0), time.monotonic()
                    slot["conn"].send((assignment, slot["student"]))
            busy = [s for s in slots if s and s["student"]]
            for conn in wait([s["conn"] for s in busy], timeout=1.0):
                slot = next(s for s in busy if s["conn"] is conn)
                try:
                    outcome = conn.recv()
                except (EOFError, OSError):  # the worker died without answering
                    slot["proc"].join(timeout=5)
                    outcome = {"success": False, "error": f"the grading process crashed (exit code {slot['proc'].exitcode})"}
                student = slot["student"]
                slot["student"] = None
                if not outcome.get("success") and _infrastructure_failure(outcome) and student not in retried:
                    retried.add(student)  # not the student's doing: try once more in a fresh worker
                    queue.append(student)
                    log.info("%s %s: grading failed for a reason not the student's; trying once more", assignment, student)
                else:
                    outcomes[student] = outcome
                    _log_done(assignment, student, outcome, time.monotonic() - slot["since"], len(outcomes), len(students))
                if not outcome.get("success"):  # that worker is exiting: never reuse it
                    slot["proc"].join(timeout=10)
                    slots[slots.index(slot)] = None
            for slot in busy:
                if slot["student"] and time.monotonic() - slot["since"] > limit:
                    slot["proc"].kill()
                    outcomes[slot["student"]] = {"success": False, "error": f"GradingTimeLimit: stopped at the time limit for a whole submission ({limit:.0f} s)"}
                    _log_done(assignment, slot["student"], outcomes[slot["student"]], limit, len(outcomes), len(students))
                    slot["student"] = None
            for i, slot in enumerate(slots):  # workers exit after a failure: replace them lazily
                if slot and slot["student"] is None and not slot["proc"].is_alive():
                    slots[i] = None
    finally:
        for slot in slots:
            if slot and slot["proc"].is_alive():
                try:
                    slot["conn"].send(None)
                except (BrokenPipeError, OSError):
                    pass
                slot["proc"].join(timeout=10)
                if slot["proc"].is_alive():
                    slot["proc"].kill()
        shutil.rmtree(runtime, ignore_errors=True)
    return outcomes


def _log_done(assignment: str, student: str, outcome: dict, seconds: float, done: int, total: int) -> None:
    """One progress line as a submission finishes (its score comes from the gradebook)."""
    if outcome.get("success"):
        status = "graded"
        try:
            with open_gradebook() as gb:
                sub = gb.find_submission(assignment, student)
                status = f"graded {float(sub.score or 0):g} / {float(sub.max_score or 0):g}"
        except Exception:  # progress only: the summary reads the gradebook again and says what failed
            pass
    else:
        status = f"failed: {_failure_reason(outcome)}"
    log.info("[%d/%d] %s %s: %s (%.1f s)", done, total, assignment, student, status, seconds)


# A Unix socket path may hold at most 107 bytes (sun_path); a course under a deep folder
# (a CI checkout, a pytest tmp_path) would overflow it, so kernel sockets live in /tmp.
SOCKET_PATH_MAX = 107


def socket_dir() -> Path:
    """A fresh, short, private folder for the workers' kernel sockets."""
    import tempfile

    base = "/tmp" if os.path.isdir("/tmp") else None
    folder = Path(tempfile.mkdtemp(prefix="mcg-", dir=base))
    longest = folder / f"w{'9' * 7}" / "kernel-9999"  # worker pid, kernel socket suffix
    if len(str(longest)) > SOCKET_PATH_MAX:
        shutil.rmtree(folder, ignore_errors=True)
        raise OSError(f"no short folder for kernel sockets: {longest} is longer than {SOCKET_PATH_MAX} bytes")
    return folder


def _infrastructure_failure(outcome: dict) -> bool:
    """True when a failed run does not look caused by the submission (worth one retry)."""
    text = (outcome.get("error") or "") + (outcome.get("log") or "")
    student_caused = ("DeadKernelError", "Kernel died", "UnresponsiveKernelError", "CellTimeoutError",
                      "GradingTimeLimit", "TimeoutError")
    return not any(marker in text for marker in student_caused)


def _submission_limit() -> float:
    """Seconds one submission may take in all: the notebook's budget plus start-up slack."""
    config = load_config()
    return float(config.GuardedExecute.get("max_notebook_seconds", 240)) + float(config.Execute.get("startup_timeout", 120))


# Gradebook errors that another worker's transaction causes and that go away when the
# submission is graded again: SQLite's lock (held longer than the URL's timeout);
# PostgreSQL's deadlock and serialization failures (its manual says to retry those).
TRANSIENT_GRADEBOOK_ERRORS = ("database is locked", "deadlock detected", "could not serialize access")


def _grade_one(assignment: str, student: str) -> dict:
    """Autograde one submission; retry when another worker's transaction got in the way."""
    for attempt in range(4):
        outcome = _WORKER_API.autograde(assignment, student, force=True, create=True)
        text = (outcome.get("error") or "") + (outcome.get("log") or "")
        if outcome.get("success") or not any(marker in text for marker in TRANSIENT_GRADEBOOK_ERRORS):
            return outcome
        time.sleep(0.5 * (attempt + 1))
    return outcome


def _notebook_notes(assignment: str, student: str) -> list[str]:
    """Problems visible in the autograded notebook: time-outs, memory, output, tampering."""
    path = build_path("autograded") / student / assignment / NOTEBOOK
    if not path.exists():
        return []
    nb = nbformat.read(path, as_version=4)
    notes = set()
    for index, cell in enumerate(nb.cells):
        gid = grade_id(cell) or f"cell {index + 1}"
        for out in cell.get("outputs", []):
            ename = out.get("ename", "")
            if ename == TAMPERED:
                notes.add("tampered: the notebook changed how the kernel runs or reports cells; all tests failed (review)")
            elif ename in ("CellTimeoutError", "KeyboardInterrupt"):
                notes.add(f"{gid}: stopped at the time limit")
            elif ename == OVERTIME:
                notes.add("the notebook ran out of its total time; the remaining cells were not run")
            elif ename == "MemoryError":
                notes.add(f"{gid}: ran out of memory (limit {sandbox.MEMORY_MB} MB)")
            elif TRUNCATED in str(out.get("text", "")):
                notes.add(f"{gid}: output truncated")
    return sorted(notes)


def autograde(assignment: str, students: list[str] | None = None, workers: int | None = None) -> list[Submission]:
    """Autograde every submission of ``assignment`` in parallel; never stops at a bad one.

    Each submission runs in the sandboxed ``mlops-grader`` kernel (see ``sandbox``).
    Problems are collected per student: intake problems, nbgrader failures with their
    reason, time-outs, memory, truncated output, tampering, code to review, lateness.
    """
    warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy session noise
    jupyter_path = str(sandbox.install_kernelspec())
    os.environ["JUPYTER_PATH"] = jupyter_path
    record_due_date(assignment)
    results = [intake(assignment, s) for s in (students or submitted_students(assignment))]
    todo = [r.student for r in results if r.status == GRADED]
    outcomes = {}
    if todo:
        _ensure_students(todo)
        workers = workers or min(len(todo), os.cpu_count() or 1)
        outcomes = _grade_in_workers(assignment, todo, workers, jupyter_path)
    state = _gradebook_state(assignment)
    for sub in results:
        if sub.status != GRADED:
            continue
        outcome = outcomes[sub.student]
        if not outcome.get("success"):
            sub.status = FAILED
            sub.problems.append(_failure_reason(outcome))
            _save_log(assignment, sub.student, outcome)
            continue
        info = state.get(sub.student, {})
        sub.score, sub.max_score = info.get("score", 0.0), info.get("max_score", 0.0)
        if info.get("late_seconds", 0) > 0:
            sub.late = True
            sub.problems.append(f"late by {info['late_seconds'] / 3600:.1f} h")
        sub.problems += _notebook_notes(assignment, sub.student)
        submitted = nbformat.read(build_path("submitted") / sub.student / assignment / NOTEBOOK, as_version=4)
        sub.problems += [f"review: {reason}" for reason in suspicious_code(submitted)]
        wrong_id = id_review(submitted, sub.student)
        if wrong_id:
            sub.problems.append(f"review: {wrong_id}")
        if not sandbox.isolation_active():
            sub.problems.append(f"graded WITHOUT isolation ({sandbox.why_not_isolated()}): the student's code ran "
                                "with the grader's rights and could read the course's files, hidden tests included")
    write_report(assignment, results)
    return results


# -- due dates -------------------------------------------------------------------------
def due_dates() -> dict[str, datetime]:
    """Due dates by week from ``quizzes/schedule.csv`` (columns ``week,due_utc``)."""
    path = paths.QUIZZES_DIR / "schedule.csv"
    if not path.exists():
        return {}
    with path.open() as f:
        return {row["week"].strip(): datetime.fromisoformat(row["due_utc"].strip()) for row in csv.DictReader(f)}


def record_due_date(assignment: str) -> None:
    """Store the week's due date in the gradebook, where nbgrader computes lateness."""
    due = due_dates().get(assignment)
    if due is not None:
        with open_gradebook() as gb:
            gb.update_or_create_assignment(assignment, duedate=due)


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


def format_summary(results: list[Submission]) -> str:
    """One line per week: how many submissions were graded, failed or missing, the
    median score, and how many carry a problem to look at."""
    import statistics

    lines = []
    for week in dict.fromkeys(r.assignment for r in results):
        rows = [r for r in results if r.assignment == week]
        graded = [r for r in rows if r.status == GRADED]
        counts = ", ".join(f"{sum(r.status == s for r in rows)} {s}" for s in (GRADED, FAILED, MISSING))
        median = f"median {statistics.median(r.score for r in graded):g} / {graded[0].max_score:g}" if graded else "no scores"
        flagged = sum(bool(r.problems) for r in rows)
        lines.append(f"{week}: {len(rows)} submission(s): {counts}; {median}; {flagged} with a problem to look at")
    return "\n".join(lines)


def generate_feedback(assignment: str) -> tuple[list[str], dict[str, str]]:
    """Feedback HTML for every autograded student; returns (students done, student ->
    why their feedback failed). nbgrader's full log of a failure is kept in
    ``build/reports/feedback_<week>_logs/``."""
    nbapi = api()
    done, failed = [], {}
    autograded = build_path("autograded")
    students = sorted(p.name for p in autograded.iterdir() if (p / assignment).is_dir()) if autograded.exists() else []
    for student in students:
        outcome = nbapi.generate_feedback(assignment, student)
        if outcome.get("success"):
            done.append(student)
            continue
        failed[student] = _failure_reason(outcome).replace("autograde failed", "feedback failed")
        folder = build_path("reports") / f"feedback_{assignment}_logs"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{student}.txt").write_text((outcome.get("log") or "") + "\n" + (outcome.get("error") or ""))
    return done, failed
