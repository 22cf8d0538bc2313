"""The quizzes measure knowledge (ASSESSMENT.md), checked on the sources so that an item
is held to the standard as soon as it is written:

* no test-wise cues: the key is rarely the strictly longest option, every letter is
  keyed about as often as the others, no two quizzes share their key sequence, no
  "all / none of the above";
* points only for correctness: visible form checks carry none, hidden tests all;
* the header's and the questions' point counts are true;
* every written answer carries a rubric;
* code tasks transfer: no line of a quiz's solutions stands verbatim in that week's lesson.
"""
from __future__ import annotations

import re
from collections import Counter

import nbformat
import pytest

from helpers import ROOT
from mlops_course import paths, quizcells
from mlops_course.quizcells import grade_id, item_of

WEEKS = paths.quiz_weeks()
BEGIN_SOL, END_SOL = "### BEGIN SOLUTION", "### END SOLUTION"


def source(week: str):
    return nbformat.read(ROOT / "quizzes" / week / "quiz.ipynb", as_version=4)


def choice_items(nb) -> list[tuple[str, dict[str, str], str]]:
    """(item, options by letter, key letter) of every multiple-choice item, in order."""
    questions = {item_of(grade_id(c)): c for c in nb.cells if quizcells.is_question(c)}
    found = []
    for cell in nb.cells:
        gid = grade_id(cell)
        if quizcells.is_test(cell) and gid.endswith(quizcells.KEY_SUFFIX):
            key = re.search(r"expect_choice\(\s*\w+\s*,\s*[\"']([A-Z])[\"']", cell.source)
            assert key, f"{gid}: no expect_choice with a literal key"
            found.append((item_of(gid), quizcells.options(questions[item_of(gid)]), key.group(1)))
    return found


ITEMS = {week: choice_items(source(week)) for week in WEEKS}


def strictly_longest(options: dict[str, str], key: str) -> bool:
    return all(len(options[key]) > len(text) for letter, text in options.items() if letter != key)


def test_every_choice_item_has_four_options_and_a_key_among_them():
    for week, items in ITEMS.items():
        for item, options, key in items:
            assert sorted(options) == list("ABCD"), f"{week} {item}: options {sorted(options)}"
            assert key in options, f"{week} {item}: key {key} is not an option"


def test_the_key_is_rarely_the_longest_option():
    """Protects: picking the longest option must not beat knowing (it scored 67 % once)."""
    per_quiz = {week: sum(strictly_longest(o, k) for _, o, k in items) / len(items) for week, items in ITEMS.items()}
    total = sum(strictly_longest(o, k) for items in ITEMS.values() for _, o, k in items)
    count = sum(len(items) for items in ITEMS.values())
    assert total / count <= 0.30, f"the key is the strictly longest option in {total} of {count} items"
    over = {w: f"{share:.0%}" for w, share in per_quiz.items() if share > 0.40}
    assert not over, f"quizzes where the key is the longest option in more than 40 % of items: {over}"


def test_every_letter_is_keyed_about_as_often_as_the_others():
    keys = Counter(k for items in ITEMS.values() for _, _, k in items)
    count = sum(keys.values())
    shares = {letter: keys[letter] / count for letter in "ABCD"}
    assert all(0.15 <= s <= 0.35 for s in shares.values()), {k: f"{v:.0%}" for k, v in shares.items()}


def test_no_two_quizzes_share_their_key_sequence():
    """Protects: answering by position (the letter most often keyed at that position in
    the other quizzes) must not beat guessing."""
    sequences = {week: "".join(k for _, _, k in items) for week, items in ITEMS.items()}
    for a in WEEKS:
        for b in WEEKS:
            if a < b:
                n = min(len(sequences[a]), len(sequences[b]))
                assert sequences[a][:n] != sequences[b][:n], f"{a} and {b} share the key sequence {sequences[a][:n]}"
    right = total = 0
    for week, items in ITEMS.items():
        for position, (_, _, key) in enumerate(items):
            others = Counter(sequences[w][position] for w in WEEKS if w != week and len(sequences[w]) > position)
            right += others.most_common(1)[0][0] == key if others else 0
            total += 1
    assert right / total <= 0.35, f"answering by position scores {right} of {total}"


def test_no_all_or_none_of_the_above():
    pattern = re.compile(r"\b(all|none|both|neither) of (the above|these|them)\b|\bboth [A-D] and [A-D]\b", re.I)
    for week, items in ITEMS.items():
        for item, options, _ in items:
            for letter, text in options.items():
                assert not pattern.search(text), f"{week} {item}{letter}: {text!r}"


@pytest.mark.parametrize("week", WEEKS)
def test_points_only_for_correctness(week):
    """Protects: a well-formed wrong answer earns nothing: every graded test is a hidden
    test, and the visible checks carry no points."""
    nb = source(week)
    for cell in nb.cells:
        if quizcells.is_test(cell):
            assert "### BEGIN HIDDEN TESTS" in cell.source, (
                f"{week} {grade_id(cell)}: a visible check carries {quizcells.points(cell):g} point(s); "
                "make it a locked cell without points")


@pytest.mark.parametrize("week", WEEKS)
def test_the_point_counts_in_the_text_are_true(week):
    nb = source(week)
    total = sum(quizcells.points(c) for c in nb.cells)
    header = next(c for c in nb.cells if grade_id(c) == "header")
    stated = re.search(r"\*\*(\d+(?:\.\d+)?) points\.\*\*", header.source)
    assert stated and float(stated.group(1)) == total, f"{week}: header says {stated and stated.group(1)}, cells give {total:g}"
    by_item = Counter()
    for cell in nb.cells:
        by_item[item_of(grade_id(cell))] += quizcells.points(cell)
    for cell in nb.cells:
        if quizcells.is_question(cell):
            said = re.search(r"\bQ\d+\b\**\s*\((\d+(?:\.\d+)?) points?\b", cell.source)
            item = item_of(grade_id(cell))
            assert said, f"{week} {item}: the question does not say its points"
            assert float(said.group(1)) == by_item[item], f"{week} {item}: says {said.group(1)}, tests give {by_item[item]:g}"


def _solution_text(cell) -> str:
    lines, inside = [], False
    for line in cell.source.splitlines():
        if BEGIN_SOL in line:
            inside = True
        elif END_SOL in line:
            inside = False
        elif inside:
            lines.append(line)
    return "\n".join(lines) if lines else cell.source


@pytest.mark.parametrize("week", WEEKS)
def test_every_written_answer_has_a_rubric(week):
    """Protects: a hand-graded answer comes with points per criterion that add up to the
    item's points, what a full and a partial answer look like, and common wrong answers."""
    written = [c for c in source(week).cells if quizcells.is_written_answer(c)]
    assert written, f"{week}: no written answer"
    for cell in written:
        text = _solution_text(cell)
        assert re.search(r"\*\*Rubric", text), f"{week} {grade_id(cell)}: no rubric"
        criteria = [float(p) for p in re.findall(r"^\s*-\s*\*?\*?(\d+(?:\.\d+)?) points?\b", text, flags=re.M)]
        assert criteria and sum(criteria) == quizcells.points(cell), (
            f"{week} {grade_id(cell)}: criteria give {sum(criteria):g} points, the cell {quizcells.points(cell):g}")
        for part in ("Full answer", "Partial answer", "Common wrong answers"):
            assert part in text, f"{week} {grade_id(cell)}: the rubric has no '{part}'"


TRIVIAL = re.compile(r"^(#.*|import .*|from \S+ import .*|return \w+|pass|else:|try:|\w+ = \w+|[)\]}]+,?|"
                     r"q\d+ = [\"'][A-Z][\"'])$")


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines()
            if len(line.strip()) >= 16 and not TRIVIAL.match(line.strip())}


@pytest.mark.parametrize("week", WEEKS)
def test_quiz_tasks_do_not_repeat_the_lesson(week):
    """Protects (transfer): a quiz task applies the week's idea to something the lesson
    did not show, so no line of the quiz's solutions stands in that week's lesson."""
    lesson = nbformat.read(ROOT / "solutions" / f"{week}.ipynb", as_version=4)
    lesson_lines = _lines("\n".join(c.source for c in lesson.cells))
    repeated = {}
    for cell in source(week).cells:
        if quizcells.is_code_answer(cell):
            same = _lines(_solution_text(cell)) & lesson_lines
            if same:
                repeated[grade_id(cell)] = sorted(same)
    assert not repeated, f"{week}: quiz solution lines found verbatim in the lesson: {repeated}"
