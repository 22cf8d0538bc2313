"""``make bench``: time every notebook against its budget (median of repeats)."""
from __future__ import annotations

import statistics

from . import paths
from .execute import BUDGET, execute, kind


def notebooks(only: str | None = None):
    found = [paths.SOLUTIONS_DIR / f"{w}.ipynb" for w in paths.weeks()]
    found += [paths.QUIZZES_DIR / w / "quiz.ipynb" for w in paths.quiz_weeks()]
    if only:
        found = [p for p in found if p.stem.startswith(only) or p.parent.name.startswith(only)]
    return found


def main(repeats: int = 3, only: str | None = None) -> int:
    print(f"{'notebook':<42} {'median s':>9} {'min s':>7} {'budget s':>9} {'ratio':>6}")
    over = 0
    for path in notebooks(only):
        times = [execute(path)[1] for _ in range(repeats)]
        budget = BUDGET[kind(path)]
        median = statistics.median(times)
        over += median > budget
        flag = "  OVER BUDGET" if median > budget else ""
        name = str(path.relative_to(paths.ROOT))
        print(f"{name:<42} {median:>9.1f} {min(times):>7.1f} {budget:>9} {median / budget:>6.2f}{flag}", flush=True)
    print(f"\n{over} notebook(s) over budget ({repeats} runs each)")
    return 0
