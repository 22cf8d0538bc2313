"""Execute notebooks with nbclient (tests, benchmark) and read self-check verdicts."""
from __future__ import annotations

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from ..notebook import disable_telemetry

#: Time budgets in seconds (DESIGN.md); tests allow CEILING x the budget.
BUDGET = {"lesson": 90, "quiz": 30}
#: Lessons with a measured budget of their own. Week 11 runs a real Apache Airflow: about ten
#: `airflow` CLI calls of several seconds each, a scheduler and an API server, three failing
#: attempts and two three-day backfills (measured with `make bench WEEK=11`, see its report).
LESSON_BUDGET = {"11_pipelines": 240}
CEILING = 3


def kind(path: Path) -> str:
    return "quiz" if path.name == "quiz.ipynb" else "lesson"


def budget(path: Path) -> float:
    """Seconds the notebook at ``path`` may take (a lesson's own budget where it has one)."""
    if kind(path) == "lesson":
        return LESSON_BUDGET.get(Path(path).stem, BUDGET["lesson"])
    return BUDGET["quiz"]


def execute(path: Path, timeout: int | None = None, cwd: Path | None = None, env: dict | None = None):
    """Run a notebook top to bottom; return (executed notebook, wall seconds).

    ``env``: the kernel's environment (default: this process's). Raises nbclient's
    ``CellExecutionError`` on the first failing cell.
    """
    disable_telemetry()
    nb = nbformat.read(path, as_version=4)
    limit = timeout or budget(path) * CEILING
    client = NotebookClient(
        nb,
        timeout=limit,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd or path.parent)}},
    )
    start = time.perf_counter()
    client.execute(**({"env": env} if env is not None else {}))
    return nb, time.perf_counter() - start


def verdicts(nb) -> list[dict]:
    """Self-check verdicts found in an executed notebook's outputs, in order."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("mlops_course")
            if meta:
                found.append(dict(meta))
    return found


def output_text(nb) -> str:
    """All text/plain and stream output of an executed notebook, joined."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
            else:
                parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)
