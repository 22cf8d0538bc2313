"""``make report``: how each quiz item performed, from the gradebook and autograded notebooks.

Per quiz: the score distribution, and per item its difficulty (mean share of points),
its discrimination (correlation of the item with the rest of the quiz, and the
upper-lower 27 % index) and, for multiple choice, how often each option was chosen.
Items that are too easy, too hard or discriminate negatively (often a wrong key or an
ambiguous question) are flagged. Across weeks: per-student totals and a heat map of
students x items. Output: ``build/reports/index.html`` plus CSV files beside it.
"""
from __future__ import annotations

import ast
import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths
from .grading import NOTEBOOK, build_path, open_gradebook
from ..quizcells import item_of

TOO_EASY, TOO_HARD, WEAK = 0.90, 0.20, 0.15
MIN_STUDENTS = 5  # fewer than this: statistics are printed but not flagged


def item_scores(assignment: str) -> pd.DataFrame:
    """Rows: students; columns: items; values: share of the item's points earned (0-1)."""
    from nbgrader.api import MissingEntry

    rows = {}
    with open_gradebook() as gb:
        try:
            submissions = gb.assignment_submissions(assignment)
        except MissingEntry:
            return pd.DataFrame()
        for sub in submissions:
            earned, possible = {}, {}
            for nb in sub.notebooks:
                for grade in nb.grades:
                    if grade.max_score and (grade.auto_score is not None or grade.manual_score is not None):
                        item = item_of(grade.name)
                        earned[item] = earned.get(item, 0) + float(grade.score or 0)
                        possible[item] = possible.get(item, 0) + float(grade.max_score)
            rows[sub.student_id] = {k: earned[k] / possible[k] for k in earned}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    return frame.reindex(columns=sorted(frame.columns, key=lambda q: int(q[1:]) if q[1:].isdigit() else 0))


def chosen_options(assignment: str) -> pd.DataFrame:
    """Rows: students; columns: multiple-choice items; values: the option each student
    chose, as the source's letter (each student saw the options in their own order)."""
    import nbformat

    from .. import variant
    from .variants import choice_items, course_id

    source = nbformat.read(paths.QUIZZES_DIR / assignment / NOTEBOOK, as_version=4)
    fixed, course = choice_items(source), course_id()
    rows = {}
    root = build_path("autograded")
    for folder in sorted(root.glob(f"*/{assignment}")):
        path = folder / NOTEBOOK
        if not path.exists():
            continue
        from .integrity import parsed_answers

        answers = {}
        for grade_id, tree in parsed_answers(nbformat.read(path, as_version=4)):
            for node in tree.body:
                if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                        and node.targets[0].id == grade_id and isinstance(node.value, ast.Constant)
                        and isinstance(node.value.value, str)):
                    answers[node.targets[0].id] = node.value.value.strip().upper()[:1] or "?"
        student = folder.parent.name
        mine = variant.QuizVariant(assignment, student, course)
        rows[student] = {item: mine.source_of(item, letter, fixed[item]) if item in fixed and letter in variant.CHOICES
                         else letter for item, letter in answers.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def analyse(scores: pd.DataFrame) -> pd.DataFrame:
    """Difficulty, discrimination and flags per item."""
    total = scores.sum(axis=1)
    n = len(scores)
    k = max(1, int(round(0.27 * n)))
    order = total.sort_values().index
    lower, upper = order[:k], order[-k:]
    rows = []
    for item in scores.columns:
        col = scores[item].fillna(0)
        rest = total - col
        r = float(np.corrcoef(col, rest)[0, 1]) if col.std() > 0 and rest.std() > 0 else float("nan")
        rows.append({
            "item": item,
            "difficulty": float(col.mean()),
            "discrimination_r": r,
            "upper_lower": float(col[upper].mean() - col[lower].mean()),
            "students": n,
        })
    table = pd.DataFrame(rows).set_index("item")
    flags = []
    for item, row in table.iterrows():
        reasons = []
        if n >= MIN_STUDENTS:
            if row.difficulty > TOO_EASY:
                reasons.append("too easy")
            if row.difficulty < TOO_HARD:
                reasons.append("too hard")
            if row.discrimination_r < 0 or row.upper_lower < 0:
                reasons.append("negative discrimination: check the key and the wording")
            elif row.discrimination_r < WEAK:
                reasons.append("weak discrimination")
        flags.append("; ".join(reasons))
    table["flags"] = flags
    return table


def _figure_html(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return f'<img alt="figure" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def build_report(out: Path | None = None) -> Path:
    """Write the HTML report and CSV files; return the HTML path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = out or build_path("reports")
    out.mkdir(parents=True, exist_ok=True)
    sections, totals, all_items = [], {}, {}
    for week in paths.quiz_weeks():
        scores = item_scores(week)
        if scores.empty:
            continue
        table = analyse(scores)
        options = chosen_options(week)
        option_counts = (options.apply(lambda c: c.value_counts()).T.fillna(0).astype(int)
                         if not options.empty else pd.DataFrame())
        table.to_csv(out / f"items_{week}.csv")
        option_counts.to_csv(out / f"options_{week}.csv")
        totals[week] = scores.sum(axis=1)
        for item in scores.columns:
            all_items[f"{week[:2]}:{item}"] = scores[item]
        fig, ax = plt.subplots(figsize=(6, 3.2))
        ax.hist(scores.sum(axis=1) / len(scores.columns) * 100, bins=10, range=(0, 100), color="#2b6cb0")
        ax.set(title=f"{week}: score distribution ({len(scores)} students)",
               xlabel="score (% of autograded items)", ylabel="students")
        flagged = table[table["flags"] != ""]
        sections.append(
            f"<h2>{html.escape(week)}</h2>{_figure_html(fig)}"
            f"<p>{len(flagged)} item(s) flagged.</p>"
            + table.round(3).to_html(classes="items")
            + ("<h3>Options chosen (multiple choice)</h3>" + option_counts.to_html() if not option_counts.empty else "")
        )
    if not totals:
        raise FileNotFoundError("The gradebook has no graded submissions: run `make autograde` first.")
    students = pd.DataFrame(totals).fillna(0)
    students["total"] = students.sum(axis=1)
    students.sort_values("total", ascending=False).to_csv(out / "students.csv")
    heat = pd.DataFrame(all_items).reindex(students.sort_values("total").index)
    fig, ax = plt.subplots(figsize=(max(6, 0.25 * heat.shape[1]), max(3, 0.2 * heat.shape[0])))
    image = ax.imshow(heat.to_numpy(dtype=float), aspect="auto", cmap="RdYlGn", vmin=0, vmax=1)
    ax.set(title="Students x items (share of points)", xlabel="item (week:question)", ylabel="student (by total)")
    ax.set_xticks(range(heat.shape[1]), heat.columns, rotation=90, fontsize=6)
    ax.set_yticks(range(heat.shape[0]), heat.index, fontsize=6)
    fig.colorbar(image, ax=ax, label="share of points")
    page = out / "index.html"
    page.write_text(
        "<!doctype html><meta charset='utf-8'><title>Item analysis</title>"
        "<style>body{font-family:sans-serif;margin:2em} table{border-collapse:collapse} "
        "td,th{border:1px solid #ccc;padding:2px 6px}</style>"
        "<h1>Item analysis</h1><p>Difficulty is the mean share of points (high = easy). "
        "discrimination_r correlates an item with the rest of the quiz; upper_lower compares the top and "
        f"bottom 27 %. Flags: difficulty above {TOO_EASY} or below {TOO_HARD}, negative or weak "
        f"(below {WEAK}) discrimination.</p>"
        + "".join(sections)
        + "<h2>All weeks</h2>" + _figure_html(fig)
        + students.sort_values("total", ascending=False).to_html()
    )
    return page
