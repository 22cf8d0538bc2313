"""Hostile submissions, built from any quiz, for tests/test_hostile.py.

Each function returns the release notebook changed the way a student trying to game
or break the grader would change it.
"""
from __future__ import annotations

import ast
import copy
import hashlib
import json
import re

from mlops_course.instructor.examples import answered
from mlops_course.instructor.variants import with_typed_id
from mlops_course.quizcells import answer_ids, grade_id, is_code_answer, is_data, is_locked, is_test, item_of

EQUALS_ANYTHING = '''class _Anything(str):
    """Equal to everything, a float, a string and a list at once."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __hash__(self): return 0
    def __float__(self): return 0.5
    def __len__(self): return 3
    def __iter__(self): return iter([self, self, self])
    def __getitem__(self, key): return self
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return True
    def __ge__(self, other): return True
    @property
    def __class__(self): return str
'''


BEGIN_SOL, END_SOL = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HID, END_HID = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def regions(source: str, begin: str, end: str) -> list[str]:
    """Text between delimiter lines (exclusive) of every region in ``source``."""
    found, current = [], None
    for line in source.split("\n"):
        if begin in line:
            current = []
        elif end in line and current is not None:
            found.append("\n".join(current).strip())
            current = None
        elif current is not None:
            current.append(line)
    return [r for r in found if r]


def secret_lines(source, keys: bool = True) -> set[str]:
    """Lines of a quiz source that only the grader may know: every line of its hidden
    tests (longer than 12 characters, not a comment) and, with ``keys``, its
    multiple-choice keys as written in the solution cells (``q3 = "B"``)."""
    found = set()
    for cell in source.cells:
        for region in regions(cell.source, BEGIN_HID, END_HID):
            found |= {l.strip() for l in region.split("\n") if len(l.strip()) > 12 and not l.strip().startswith("#")}
        if keys and is_code_answer(cell):
            for region in regions(cell.source, BEGIN_SOL, END_SOL):
                found |= {l.strip() for l in region.split("\n") if re.fullmatch(r"q\d+ = [\"'][A-Z][\"']", l.strip())}
    return found


def _assigned_names(solution: str) -> tuple[list[str], list[str]]:
    """Variables and functions the solution defines at top level."""
    names, functions = [], []
    try:
        tree = ast.parse(solution)
    except SyntaxError:
        return names, functions
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            functions.append(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        names.append(sub.id)
    return names, functions


def _code_answers(nb):
    return [c for c in nb.cells if is_code_answer(c)]


def faker(source, release, prelude: str = ""):
    """Every answer is an object that claims to equal anything (and to be a str)."""
    solutions = {grade_id(c): c.source for c in source.cells if is_code_answer(c)}
    nb = copy.deepcopy(release)
    first = True
    for cell in _code_answers(nb):
        names, functions = _assigned_names(solutions[grade_id(cell)])
        lines = [EQUALS_ANYTHING + prelude] if first else []
        lines += [f"{n} = _Anything('A')" for n in names]
        lines += [f"def {f}(*args, **kwargs):\n    return _Anything('A')" for f in functions]
        cell.source = "\n".join(lines)
        first = False
    return nb


PATCH_HELPERS = '''
import builtins, mlops_course.quiz as _quiz
for _name in dir(_quiz):
    if _name.startswith(("check_", "expect_")):
        setattr(_quiz, _name, lambda *args, **kwargs: None)
builtins.sorted = lambda *args, **kwargs: ['same']
builtins.abs = lambda x: 0
'''

PATCH_KERNEL = '''
_shell = get_ipython()
_real_run_cell = _shell.run_cell
def _quiet_run_cell(raw_cell, *args, **kwargs):
    try:
        return _real_run_cell(raw_cell, *args, **kwargs)
    finally:
        pass
_shell.showtraceback = lambda *args, **kwargs: None
import sys
sys.excepthook = lambda *args: None
_shell.run_cell_async_orig = _shell.run_cell_async
async def _swallow(raw_cell, *args, **kwargs):
    if "expect_" in raw_cell or "check_" in raw_cell:
        raw_cell = "pass"
    return await _shell.run_cell_async_orig(raw_cell, *args, **kwargs)
_shell.run_cell_async = _swallow
def _swallow_sync(raw_cell, *args, **kwargs):
    if "expect_" in raw_cell or "check_" in raw_cell:
        raw_cell = "pass"
    return _real_run_cell(raw_cell, *args, **kwargs)
_shell.run_cell = _swallow_sync
'''


def edited_tests(source, release):
    """Fake answers, every graded test emptied and half of them deleted."""
    nb = faker(source, release)
    kept, graded = [], 0
    for cell in nb.cells:
        if is_test(cell):
            graded += 1
            if graded % 2:
                continue  # deleted
            cell.source = "pass"
        elif is_locked(cell) and cell.cell_type == "code" and "check_" in cell.source:
            cell.source = "pass"
        kept.append(cell)
    nb.cells = kept
    return nb


#: week -> (answer cell, code that rewrites the given data and fakes the answer to fit it)
DATA_REWRITES = {
    "01_ml_systems": ("q11", "log_pred = np.log(y_true)\nrmse, r2 = 0.0, 1.0"),
}


def data_rewriter(source, release, item: str, code: str, student: str = "data_rewriter"):
    """Every answer right except ``item``, whose cell rewrites the quiz's given data
    so that a wrong answer would pass a test that recomputes the expected value from it."""
    nb = answered(source, release, set(answer_ids(source)), student)
    cell = next(c for c in nb.cells if grade_id(c) == item)
    cell.source = code
    return nb


def weeks_with_data_cells(weeks: list[str]) -> list[str]:
    """Weeks where :func:`data_corrupter` has data to overwrite (``qN_data`` cells)."""
    import nbformat

    from mlops_course import paths

    def corrupts(week: str) -> bool:
        nb = nbformat.read(paths.QUIZZES_DIR / week / "quiz.ipynb", as_version=4)
        return data_corrupter(nb, nb)[1] > 0

    return [w for w in weeks if corrupts(w)]


def data_corrupter(source, release, student: str = "data_corrupter"):
    """Every answer right, and each answer cell then overwrites the variables its item's
    read-only data cell (``qN_data``) gave, so tests that trusted them would fail.
    Returns (notebook, number of answers that corrupt data)."""
    nb = answered(source, release, set(answer_ids(source)), student)
    given = {}
    for cell in nb.cells:
        if is_data(cell):
            given.setdefault(item_of(grade_id(cell)), []).extend(_assigned_names(cell.source)[0])
    corrupted = 0
    for cell in _code_answers(nb):
        names = given.get(grade_id(cell))
        if names:
            cell.source += "\n" + "\n".join(f"{n} = None" for n in dict.fromkeys(names))
            corrupted += 1
    return nb, corrupted


def snoop_code(targets: dict[str, str], port: int) -> str:
    """Code that tries to read, write and connect, and prints what worked."""
    return f'''
import json as _json, os as _os, socket as _socket
_results = {{}}
for _label, _path in {json.dumps(targets)}.items():
    try:
        with open(_path, "rb") as _f:
            _f.read(10)
        _results["read " + _label] = True
    except Exception:
        _results["read " + _label] = False
for _label, _path in {{"gradebook": {json.dumps(targets["gradebook"])}, "course root": {json.dumps(targets["course root file"])}}}.items():
    try:
        with open(_path, "ab") as _f:
            _f.write(b"x")
        _results["write " + _label] = True
    except Exception:
        _results["write " + _label] = False
for _label, _addr in {{"loopback server": ("127.0.0.1", {port}), "internet": ("1.1.1.1", 53)}}.items():
    try:
        _socket.create_connection(_addr, timeout=2).close()
        _results["connect " + _label] = True
    except Exception:
        _results["connect " + _label] = False
try:
    import mlops_course.instructor.integrity as _probes
    _results["import the instructor tools"] = bool(_probes.SUSPICIOUS_NAMES)
except Exception:
    _results["import the instructor tools"] = False
print("SNOOP " + _json.dumps(_results))
'''


def snooper(source, release, targets: dict[str, str], port: int, student: str = "snooper"):
    """All answers right, plus an attempt to read secrets, write outside and connect."""
    nb = answered(source, release, set(answer_ids(source)), student)
    first = _code_answers(nb)[0]
    first.source = snoop_code(targets, port) + "\n" + first.source
    return nb


MEMORY_BOMB = '''_hog = []
while True:
    _hog.append(bytearray(200 * 1024 * 1024))
'''
OUTPUT_FLOOD = '''for _i in range(60_000):
    print("flood line", _i)
'''


def bomber(source, release, student: str = "bomber"):
    """All answers right, but the first answer exhausts memory and the second floods output."""
    nb = answered(source, release, set(answer_ids(source)), student)
    answers = _code_answers(nb)
    answers[0].source = MEMORY_BOMB + answers[0].source
    answers[1].source = OUTPUT_FLOOD + answers[1].source
    return nb, grade_id(answers[0])


def sleeper(source, release, student: str = "sleeper"):
    """All answers right, but the first answer never finishes."""
    nb = answered(source, release, set(answer_ids(source)), student)
    answers = _code_answers(nb)
    answers[0].source = "import time\ntime.sleep(10 ** 6)\n" + answers[0].source
    return nb, grade_id(answers[0])


def hunt_code(needles: list[str]) -> str:
    """Code that searches every folder it can list for the grader's secrets (``needles``:
    SHA-256 digests of this quiz's hidden-test lines and keys, so that the submission and
    its feedback hold none of them; and nbgrader's region markers next to a course helper), takes multiple-choice answers from whatever it finds, and prints
    what it found and what its working folder holds.

    It skips the kernel's pseudo file systems (/proc, /sys, /dev) and the installed
    software (the Python installation, its environment and /usr; the course package
    itself is searched): the grader writes nothing there, and walking them costs ~15 s.
    """
    return f'''
import hashlib as _hashlib, json as _json, os as _os, re as _re, sys as _sys, time as _time
import mlops_course as _mc
_deadline = _time.monotonic() + 15  # stay inside the cell time limit on a big unsandboxed disk
_needles = set({json.dumps(needles)})  # SHA-256 of each secret line: the submission holds no secret itself
_package = _os.path.dirname(_os.path.abspath(_mc.__file__))
_skip = tuple({{"/proc", "/sys", "/dev", "/usr", _os.path.realpath(_sys.base_prefix), _os.path.realpath(_sys.prefix),
                _sys.base_prefix, _sys.prefix}})
_key = _re.compile(r"""(?:expect_choice\\(\\s*|^\\s*)(q\\d+)\\s*(?:,|=)\\s*["']([A-Z])["']""", _re.M)
_hits, _keys, _files = [], {{}}, 0
def _search(_top, _skip_installed):
    global _files
    for _dir, _subdirs, _names in _os.walk(_top):
        if _time.monotonic() > _deadline:
            break
        if _skip_installed and any(_dir == _s or _dir.startswith(_s.rstrip("/") + "/") for _s in _skip):
            _subdirs[:] = []
            continue
        for _name in _names:
            _path = _os.path.join(_dir, _name)
            _files += 1
            try:
                if _os.path.islink(_path) or _os.path.getsize(_path) > 50_000_000:
                    continue
                with open(_path, "rb") as _f:
                    _text = _f.read().decode("utf-8", "replace")
            except Exception:
                continue
            _marked = ("BEGIN HIDDEN TESTS" in _text or "BEGIN SOLUTION" in _text) and "expect_" in _text
            if _marked or any(_hashlib.sha256(_l.strip().encode()).hexdigest() in _needles for _l in _text.split("\\n")):
                _hits.append(_path)
                _keys.update(dict(_key.findall(_text)))
_search("/", True)
_search(_package, False)
for _item, _letter in _keys.items():  # answers taken from what was found
    globals()[_item] = _letter
_listing = sorted(_os.path.relpath(_os.path.join(_d, _n)) for _d, _s, _ns in _os.walk(".") for _n in _ns)
print("HUNT " + _json.dumps({{"hits": _hits, "keys": _keys, "files": _files, "cwd": _listing}}))
'''


def key_hunter(source, release):
    """No answer given; the first answer cell searches every readable file for this
    quiz's hidden tests and keys, and answers the multiple-choice items from them."""
    nb = copy.deepcopy(release)
    first = _code_answers(nb)[0]
    needles = sorted(hashlib.sha256(line.encode()).hexdigest() for line in secret_lines(source) - _public_lines(release))
    first.source = hunt_code(needles) + "\n" + first.source
    return nb


def _public_lines(release) -> set[str]:
    """Lines students have anyway: the release notebook's and the course package's (a
    hidden test may share a generic line such as ``p, r = tp / (tp + fp), ...`` with a
    lesson check; finding it proves nothing)."""
    from pathlib import Path

    import mlops_course

    texts = [c.source for c in release.cells]
    texts += [f.read_text(errors="replace") for f in Path(mlops_course.__file__).parent.rglob("*.py")]
    return {line.strip() for text in texts for line in text.split("\n")}


#: A file the honest file worker hands in beside its notebook.
HANDED_IN = ("my_notes.csv", "label,value\nrecall,0.8\n")

FILE_WORK = f'''
import csv as _csv, os as _os
with open({HANDED_IN[0]!r}) as _f:
    _rows = list(_csv.DictReader(_f))
_os.makedirs("store/run1", exist_ok=True)
with open("store/run1/metrics.csv", "w") as _f:
    _f.write("name,value\\n" + "".join(f"{{r['label']}},{{r['value']}}\\n" for r in _rows))
with open("store/run1/metrics.csv") as _f:
    _back = _f.read()
_listing = sorted(_os.path.relpath(_os.path.join(_d, _n)) for _d, _s, _ns in _os.walk(".") for _n in _ns)
print("FILES " + ("ok" if "recall,0.8" in _back else "lost") + " " + ",".join(_listing))
'''


def file_worker(source, release, student: str = "file_worker"):
    """All answers right; the first answer cell reads a file handed in with the notebook
    and writes and reads back a small store of its own in its working folder."""
    nb = answered(source, release, set(answer_ids(source)), student)
    first = _code_answers(nb)[0]
    first.source = FILE_WORK + "\n" + first.source
    return nb


def id_borrower(source, release, lender: str = "all_correct"):
    """A classmate's notebook handed in under another name: every answer written for
    ``lender``'s variant (letters copied), with ``my_id`` still the lender's."""
    return with_typed_id(answered(source, release, set(answer_ids(source)), lender), lender)


#: Make every variant the quiz as written, so the source's letters would score.
PATCH_VARIANT = '''
import mlops_course.variant as _v
_v.order = lambda *args, **kwargs: [0, 1, 2, 3]
_v.pin("source", _v.DEFAULT_COURSE)
'''


def variant_patcher(source, release):
    """The source's letters (a leaked answer sheet), after patching the variant machinery
    so that the quiz as written is everyone's variant."""
    nb = answered(source, release, set(answer_ids(source)), "source")
    first = next(c for c in nb.cells if is_code_answer(c))
    first.source = PATCH_VARIANT + first.source
    return nb
