"""``make bench``: notebook run times against their budgets, and grading at class scale.

Figures are medians over repeated runs, with ratios; results are also written to
``build/bench/``.

* Notebooks: every lesson and quiz source, executed with nbclient.
* Grading: N submissions of one quiz (mostly right, some half done) graded three ways
  in one scratch course root: stock nbgrader one by one, the course's parallel sandboxed
  grading, and the floor, bare nbclient execution of the same notebooks on as many
  workers as the course's grading uses.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .. import paths, variant
from ..services import child_env
from .execute import budget as budget_of, execute, kind


def notebooks(only: str | None = None) -> list[Path]:
    found = [paths.SOLUTIONS_DIR / f"{w}.ipynb" for w in paths.weeks()]
    found += [paths.QUIZZES_DIR / w / "quiz.ipynb" for w in paths.quiz_weeks()]
    if only:
        found = [p for p in found if p.stem.startswith(only) or p.parent.name.startswith(only)]
    return found


def bench_notebooks(repeats: int, only: str | None) -> list[dict]:
    print(f"{'notebook':<42} {'median s':>9} {'min s':>7} {'budget s':>9} {'ratio':>6}")
    rows = []
    for path in notebooks(only):
        # A quiz source runs as written (its source variant), as its author sees it.
        env = {**os.environ, variant.AUTHOR_ENV: variant.SOURCE} if kind(path) == "quiz" else None
        times = [execute(path, env=env)[1] for _ in range(repeats)]
        budget = budget_of(path)
        median = statistics.median(times)
        name = str(path.relative_to(paths.ROOT))
        flag = "  OVER BUDGET" if median > budget else ""
        print(f"{name:<42} {median:>9.1f} {min(times):>7.1f} {budget:>9} {median / budget:>6.2f}{flag}", flush=True)
        rows.append({"notebook": name, "median_s": median, "runs_s": times, "budget_s": budget})
    over = sum(r["median_s"] > r["budget_s"] for r in rows)
    print(f"{over} notebook(s) over budget ({repeats} runs each)\n")
    return rows


# -- grading at class scale ---------------------------------------------------------------
_BENCH_SCRIPT = r"""
import json, sys, time
from pathlib import Path
mode, week, n, workers = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
from mlops_course.instructor import bench
print(json.dumps({"seconds": bench._run_mode(mode, week, n, workers)}))
"""


def _execute_bare(path: str) -> None:
    from nbclient import NotebookClient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=60, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()


def _students(n: int) -> list[str]:
    return [f"student{i:03d}" for i in range(n)]


def _prepare(week: str, n: int) -> None:
    """Release the quiz and write N submissions (about 3 in 4 right, the rest half done)."""
    import nbformat

    from . import examples, grading
    from .variants import with_typed_id

    grading.api().generate_assignment(week, force=True, create=True)
    source = nbformat.read(paths.QUIZZES_DIR / week / "quiz.ipynb", as_version=4)
    release = nbformat.read(grading.build_path("release") / week / "quiz.ipynb", as_version=4)
    ids = examples.answer_ids(source)
    for i, student in enumerate(_students(n)):
        # Each answers their own variant and types their id (so the bare and stock runs,
        # which pin nothing, execute the same notebook as the course's grading).
        nb = examples.answered(source, release, set(ids[: len(ids) // 2] if i % 4 == 3 else ids), student)
        folder = grading.build_path("submitted") / student / week
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(with_typed_id(nb, student), folder / "quiz.ipynb")
        (folder / "timestamp.txt").write_text(examples.TIMESTAMP)


def _run_mode(mode: str, week: str, n: int, workers: int) -> float:
    """Time one grading mode in the current course root (set by MLOPS_COURSE_ROOT)."""
    import warnings

    from . import grading

    warnings.filterwarnings("ignore")
    students = _students(n)
    start = time.perf_counter()
    if mode == "bare":
        files = [str(grading.build_path("submitted") / s / week / "quiz.ipynb") for s in students]
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_execute_bare, files))
    elif mode == "nbgrader":  # stock nbgrader: its own preprocessors and kernel, one by one
        from nbgrader.converters import Autograde

        config = grading.load_config().copy()
        stock = Autograde.class_traits()
        config.Autograde.autograde_preprocessors = stock["autograde_preprocessors"].default()
        config.Autograde.sanitize_preprocessors = stock["sanitize_preprocessors"].default()
        config.Execute.kernel_name = ""
        config.KernelManager.transport = "tcp"
        nbapi = grading.api(config)
        for student in students:
            nbapi.autograde(week, student, force=True, create=True)
    elif mode == "course":
        grading.autograde(week, students, workers=workers)
    return time.perf_counter() - start


#: The grading modes, in the order each repeat runs them.
MODES = ("bare", "nbgrader", "course")


def bench_grading(week: str, n: int, repeats: int, workers: int = 2, modes: tuple[str, ...] = MODES) -> dict:
    """Grade N submissions up to three ways (``modes``; the floor and the course's grading
    always), ``repeats`` times each, in a scratch course root."""
    unknown = set(modes) - set(MODES)
    if unknown:
        raise ValueError(f"unknown grading mode(s) {sorted(unknown)}: choose among {', '.join(MODES)}")
    modes = tuple(m for m in MODES if m in {*modes, "bare", "course"})
    import shutil

    from .build import scratch_course_root

    scratch = paths.BUILD_DIR / "bench" / "course"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch_course_root(scratch)
    env = child_env(MLOPS_COURSE_ROOT=str(scratch))
    prep = "from mlops_course.instructor import bench; bench._prepare(%r, %d)" % (week, n)
    subprocess.run([sys.executable, "-c", prep], env=env, cwd=scratch, check=True, capture_output=True)
    times = {mode: [] for mode in modes}
    for _ in range(repeats):
        for mode in times:
            done = subprocess.run([sys.executable, "-c", _BENCH_SCRIPT, mode, week, str(n), str(workers)],
                                  env=env, cwd=scratch, check=True, capture_output=True, text=True)
            times[mode].append(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])
    med = {mode: statistics.median(values) for mode, values in times.items()}
    result = {
        "week": week, "submissions": n, "repeats": repeats, "workers": workers, "runs_s": times,
        "median_s": med,
        "course_over_bare": med["course"] / med["bare"],
    }
    print(f"Grading {n} submissions of {week} ({repeats} runs each, medians):")
    print(f"  bare nbclient execution, {workers} workers : {med['bare']:7.1f} s   (floor)")
    stock = ""
    if "nbgrader" in med:
        result["nbgrader_over_course"] = med["nbgrader"] / med["course"]
        print(f"  stock nbgrader, one by one         : {med['nbgrader']:7.1f} s   ({med['nbgrader'] / med['bare']:.2f} x floor)")
        stock = f"; stock nbgrader takes {result['nbgrader_over_course']:.2f} x as long"
    print(f"  course grading, {workers} workers, sandboxed: {med['course']:7.1f} s   "
          f"({result['course_over_bare']:.2f} x floor{stock})")
    return result


def grading_submissions(submissions: int | None) -> int:
    """How many submissions the grading benchmark grades: ``submissions`` when given (0
    skips it), else ``BENCH_SUBMISSIONS``, else 100."""
    if submissions is None:
        submissions = int(os.environ.get("BENCH_SUBMISSIONS", "100"))
    if submissions < 0:
        raise ValueError(f"--submissions must be 0 (skip grading) or more, not {submissions}")
    return submissions


def main(repeats: int = 3, only: str | None = None, submissions: int | None = None,
         modes: tuple[str, ...] = MODES) -> int:
    out = paths.BUILD_DIR / "bench"
    out.mkdir(parents=True, exist_ok=True)
    results = {"notebooks": bench_notebooks(repeats, only)}
    n = grading_submissions(submissions)
    if n > 0:
        week = next((w for w in paths.quiz_weeks() if not only or w.startswith(only)), paths.quiz_weeks()[0])
        results["grading"] = bench_grading(week, n, repeats, modes=modes)
    # One file per run: a week's bench does not overwrite another week's figures.
    for name in ("results.json", f"results_{only or 'all'}.json"):
        (out / name).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {(out / 'results.json').relative_to(paths.ROOT)} (and results_{only or 'all'}.json)")
    return 0
