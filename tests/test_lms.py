"""Hand-in through an LMS: Canvas and Moodle zips imported with nbgrader's zip_collect,
graded by the normal autograde, grades exported for Canvas's gradebook import.

The zips are built here, in each LMS's own naming scheme (see mlops_course/instructor/lms.py), from
the week-01 example submissions: an on-time and a late hand-in, a resubmission, a
student missing from the roster, a file that is not a notebook. One scratch course root
serves every test; only three submissions are graded.
"""
from __future__ import annotations

import csv
import json
import zipfile
from datetime import datetime

import nbformat
import pytest

from mlops_course import paths
from mlops_course.instructor.examples import half_ids, answered, expected_outcome
from mlops_course.instructor.variants import with_typed_id
from mlops_course.quizcells import answer_ids
from mlops_course.instructor.grading import GRADED, due_dates
from mlops_course.instructor.lms import LmsError, Roster, collect_zip

from helpers import make_course_root, run_course

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("lms")]
WEEK = paths.quiz_weeks()[0]
ZIP_TIME = (2026, 9, 20, 10, 0, 0)  # Canvas stamps every entry with the time it built the zip
ROSTER = """student_id,canvas_id,moodle_id,name,email,sis_user_id,sis_login_id,section
ada,1001,,"Lovelace, Ada",ada@example.org,S1001,ada.lovelace,Section A
grace,1002,,"Hopper, Grace",grace@example.org,S1002,grace.hopper,Section A
alan,1003,,"Turing, Alan",alan@example.org,S1003,alan.turing,Section B
bob,1004,,"Builder, Bob",bob@example.org,S1004,bob.builder,Section B
kath,,501,"Johnson, Katherine",kath@example.org,,,
edsger,,601;502,"Dijkstra, Edsger",edsger@example.org,,,
barbara,,503,"Liskov, Barbara",barbara@example.org,,,
"""
CANVAS = {  # zip entry -> (example notebook it holds, the student who answered it)
    "lovelaceada_1001_5001_quiz.ipynb": ("all_correct", "ada"),
    "hoppergrace_LATE_1002_5002_quiz.ipynb": ("all_correct", "grace"),
    "turingalan_1003_5003_quiz.ipynb": ("untouched", "alan"),  # first upload ...
    "turingalan_1003_5010_quiz-1.ipynb": ("half_correct", "alan"),  # ... and the resubmission Canvas renamed
    "strangerstan_1999_5004_quiz.ipynb": ("all_correct", "stan"),  # not on the roster
    "lovelaceada_1001_5005_notes.pdf": (None, None),  # not a notebook
}
MOODLE = {  # zip entry -> ((example notebook, who answered it), upload time in the zip)
    "Katherine Johnson_501_assignsubmission_file/quiz.ipynb": (("all_correct", "kath"), (2026, 9, 10, 12, 0, 0)),
    "Katherine Johnson_501_assignsubmission_onlinetext_/onlinetext.html": ((None, None), (2026, 9, 10, 12, 0, 0)),
    "Edsger Dijkstra_502_assignsubmission_file_/quiz.ipynb": (("untouched", "edsger"), (2026, 9, 13, 9, 0, 0)),
    "Edsger Dijkstra_502_assignsubmission_file_/quiz (1).ipynb": (("all_correct", "edsger"), (2026, 9, 16, 8, 0, 0)),
    "Barbara Liskov_777_assignsubmission_file_quiz.ipynb": (("half_correct", "barbara"), (2026, 9, 12, 8, 0, 0)),
    "Nobody Known_999_assignsubmission_file/quiz.ipynb": (("all_correct", "nobody"), (2026, 9, 12, 8, 0, 0)),
}


def write_zip(path, entries: dict, examples) -> None:
    """A zip laid out as the LMS exports it: ``entries`` maps entry -> ((example, student), time)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for entry, ((example, student), when) in entries.items():
            data = examples(example, student) if example else b"<p>see attached</p>" if entry.endswith("html") else b"%PDF-1.4"
            zf.writestr(zipfile.ZipInfo(entry, when), data)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A released week, the example notebooks, a roster and both LMS zips; the Canvas
    zip imported, graded and its grades exported. Returns a dict of what tests read."""
    root = make_course_root(tmp_path_factory.mktemp("lms") / "course")
    run_course(root, "release", "--week", WEEK)
    source = nbformat.read(root / "quizzes" / WEEK / "quiz.ipynb", as_version=4)
    release = nbformat.read(root / "build/release" / WEEK / "quiz.ipynb", as_version=4)
    ids = answer_ids(source)

    def examples(example: str, student: str) -> bytes:
        """The example notebook as ``student`` fills it in off the hub: their own variant
        and their id typed into my_id."""
        if example == "untouched":
            return nbformat.writes(release).encode()
        chosen = set(ids) if example == "all_correct" else half_ids(source)
        return nbformat.writes(with_typed_id(answered(source, release, chosen, student), student)).encode()

    (root / "roster.csv").write_text(ROSTER)
    canvas_zip, moodle_zip = root / "course-quiz_1 submissions.zip", root / "moodle-quiz-1.zip"
    write_zip(canvas_zip, {e: (x, ZIP_TIME) for e, x in CANVAS.items()}, examples)
    write_zip(moodle_zip, MOODLE, examples)
    collected = run_course(root, "collect-zip", "--zip", str(canvas_zip), "--week", WEEK[:2])
    run_course(root, "autograde", "--week", WEEK)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'build/gradebook.db'}") as gb:
        gb.update_or_create_student("walkin")  # graded elsewhere, never put on the roster
    grades = run_course(root, "grades")
    return {"root": root, "examples": examples, "collect_out": collected.stdout, "grades_out": grades.stdout,
            "moodle_zip": moodle_zip, "canvas_zip": canvas_zip}


def collect_report(root) -> dict:
    data = json.loads((root / "build/reports" / f"lms_collect_{WEEK}.json").read_text())
    return {f["entry"]: f for f in data["files"]}


def landed(root, student: str):
    return root / "build/submitted" / student / WEEK / "quiz.ipynb"


def test_canvas_files_land_as_quiz_ipynb_and_every_file_is_reported(course):
    """Protects: each Canvas file lands as build/submitted/<roster id>/<week>/quiz.ipynb, the
    newest resubmission wins, and a stranger, a PDF and the superseded upload are reported
    (printed and in the JSON report), never dropped silently."""
    root, examples = course["root"], course["examples"]
    assert landed(root, "ada").read_bytes() == examples("all_correct", "ada")
    assert landed(root, "grace").read_bytes() == examples("all_correct", "grace")
    assert landed(root, "alan").read_bytes() == examples("half_correct", "alan")  # quiz-1.ipynb, the newer upload
    roster_ids = {line.split(",")[0] for line in ROSTER.splitlines()[1:]}
    assert {p.name for p in (root / "build/submitted").iterdir()} <= roster_ids  # nobody else got a folder
    report = collect_report(root)
    assert set(report) == set(CANVAS)
    status = {entry: f["status"] for entry, f in report.items()}
    assert status == {
        "lovelaceada_1001_5001_quiz.ipynb": "collected",
        "hoppergrace_LATE_1002_5002_quiz.ipynb": "collected",
        "turingalan_1003_5003_quiz.ipynb": "superseded",
        "turingalan_1003_5010_quiz-1.ipynb": "collected",
        "strangerstan_1999_5004_quiz.ipynb": "not in roster",
        "lovelaceada_1001_5005_notes.pdf": "not a notebook",
    }
    assert "turingalan_1003_5010_quiz-1.ipynb" in " ".join(report["turingalan_1003_5003_quiz.ipynb"]["notes"])
    assert "1999" in " ".join(report["strangerstan_1999_5004_quiz.ipynb"]["notes"])
    for entry in CANVAS:
        assert entry in course["collect_out"]


def test_canvas_late_marker_becomes_nbgrader_lateness(course):
    """Protects: a file Canvas marked LATE is graded as late (timestamp after the due date),
    on-time files are not, whatever time Canvas wrote into the zip."""
    root = course["root"]
    due = due_dates()[WEEK]
    stamps = {s: datetime.fromisoformat((root / "build/submitted" / s / WEEK / "timestamp.txt").read_text().strip())
              for s in ("ada", "grace", "alan")}
    assert stamps["grace"] > due >= stamps["ada"] and due >= stamps["alan"]
    graded = {r["student"]: r for r in json.loads((root / "build/reports" / f"autograde_{WEEK}.json").read_text())}
    assert graded["grace"]["late"] and not graded["ada"]["late"] and not graded["alan"]["late"]


def test_imported_submissions_grade_as_the_examples_expect(course):
    """Protects: imported submissions grade with the normal autograde: the kept notebook's
    score is the one its example should get (not the superseded upload's)."""
    expected = expected_outcome(WEEK)
    graded = {r["student"]: r for r in json.loads((course["root"] / "build/reports" / f"autograde_{WEEK}.json").read_text())}
    assert set(graded) == {"ada", "grace", "alan"}
    for student, example in (("ada", "all_correct"), ("grace", "all_correct"), ("alan", "half_correct")):
        assert graded[student]["status"] == GRADED == expected[example][0]
        assert graded[student]["score"] == pytest.approx(expected[example][1])


def test_canvas_gradebook_csv(course):
    """Protects: build/grades_canvas.csv has Canvas's gradebook layout (header, Points Possible
    row), one row per roster student with a grade, the gradebook's scores; a gradebook student
    missing from the roster is named; nbgrader's own grades.csv keeps its format."""
    root = course["root"]
    rows = list(csv.reader((root / "build/grades_canvas.csv").open(newline="")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", WEEK]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'build/gradebook.db'}") as gb:
        max_score = gb.find_assignment(WEEK).max_score
        scores = {s: gb.find_submission(WEEK, s).score for s in ("ada", "grace", "alan")}
    assert rows[1] == ["    Points Possible", "", "", "", "", f"{max_score:.2f}"]
    body = {row[1]: row for row in rows[2:]}
    assert set(body) == {"1001", "1002", "1003"}  # bob handed nothing in; walkin is not on the roster
    assert body["1001"] == ["Lovelace, Ada", "1001", "S1001", "ada.lovelace", "Section A", f"{scores['ada']:.2f}"]
    assert body["1003"][5] == f"{scores['alan']:.2f}" and body["1002"][5] == f"{scores['grace']:.2f}"
    assert "walkin" in course["grades_out"]
    moodle = list(csv.reader((root / "build/grades_moodle.csv").open(newline="")))
    assert moodle[0] == ["Email address", "ID number", "Full name", WEEK]
    assert ["ada@example.org", "S1001", "Lovelace, Ada", f"{scores['ada']:.2f}"] in moodle
    header = (root / "build/grades.csv").read_text().splitlines()[0]
    assert header.startswith("assignment,duedate,timestamp,student_id,")


def test_moodle_zip_uses_upload_times_and_roster(course):
    """Protects: a Moodle "download all submissions" zip (folders with and without the trailing
    _, and the flat layout) lands by roster; upload times become timestamps (late after the due
    date); the later of two notebooks wins; a participant id not on the roster is matched by a
    unique name and says so; an unknown participant and online text are reported; without
    WEEK the only released quiz is used."""
    root = course["root"]
    out = run_course(root, "collect-zip", "--zip", str(course["moodle_zip"])).stdout  # the only released week
    examples = course["examples"]
    assert landed(root, "kath").read_bytes() == examples("all_correct", "kath")
    assert landed(root, "edsger").read_bytes() == examples("all_correct", "edsger")  # quiz (1).ipynb, uploaded later
    assert landed(root, "barbara").read_bytes() == examples("half_correct", "barbara")
    timestamp = lambda s: (root / "build/submitted" / s / WEEK / "timestamp.txt").read_text().strip()
    assert timestamp("kath") == "2026-09-10 12:00:00"
    assert timestamp("edsger") == "2026-09-16 08:00:00"
    report = collect_report(root)
    assert report["Katherine Johnson_501_assignsubmission_file/quiz.ipynb"]["late"] is False
    assert report["Edsger Dijkstra_502_assignsubmission_file_/quiz (1).ipynb"]["late"] is True
    assert report["Edsger Dijkstra_502_assignsubmission_file_/quiz.ipynb"]["status"] == "superseded"
    assert report["Nobody Known_999_assignsubmission_file/quiz.ipynb"]["status"] == "not in roster"
    assert report["Katherine Johnson_501_assignsubmission_onlinetext_/onlinetext.html"]["status"] == "not a notebook"
    by_name = report["Barbara Liskov_777_assignsubmission_file_quiz.ipynb"]
    assert by_name["student_id"] == "barbara" and "matched by name" in " ".join(by_name["notes"])
    assert "Nobody Known" in out and "matched by name" in out
    assert not (root / "build/submitted/Nobody Known").exists()


@pytest.mark.parametrize("roster, message", [
    ("id,canvas_id\nada,1001\n", "no 'student_id' column"),
    ("student_id,canvas_id\nada,1001\ngrace,1001\n", "canvas_id '1001' on lines 2 and 3"),
    ("student_id,canvas_id\n,1001\n", "line 2: empty student_id"),
    ("student_id,canvas_id\nada/../x,1001\n", "cannot be a folder name"),
    ("student_id,canvas_id,team\nada,1001,red\n", "unknown column(s) ['team']"),
    ("student_id,moodle_id\nada,12;x\n", "moodle_id 'x' is not a number"),
    ("student_id,name\nada,Lovelace, Ada\n", "line 2: more cells than the header"),
])
def test_bad_roster_is_explained(tmp_path, roster, message):
    """Protects: a broken roster is refused with the file, the line and what to fix (the
    import reads it before copying anything)."""
    bad = tmp_path / "roster.csv"
    bad.write_text(roster)
    with pytest.raises(LmsError) as error:
        Roster(bad)
    assert str(bad) in str(error.value) and message in str(error.value)


def test_bad_zip_or_week_is_explained(course, tmp_path):
    """Protects: a file that is not a zip, a missing file and an unknown week are refused
    (exit code 2) with what to do, and nothing is imported."""
    root = course["root"]
    before = sorted((root / "build/submitted").rglob("*"))
    not_zip = tmp_path / "export.zip"
    not_zip.write_text("not a zip")
    done = run_course(root, "collect-zip", "--zip", str(not_zip), check=False)
    assert done.returncode == 2 and "is not a zip file" in done.stderr
    done = run_course(root, "collect-zip", "--zip", str(course["canvas_zip"]), "--week", "13", check=False)
    assert done.returncode == 2 and "WEEK=13" in done.stderr and WEEK in done.stderr
    with pytest.raises(LmsError, match="does not exist"):
        collect_zip(tmp_path / "missing.zip")
    assert sorted((root / "build/submitted").rglob("*")) == before
