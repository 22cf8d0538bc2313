"""Hand-in through a learning-management system (Canvas, Moodle): import and grade export.

Import (``make collect-zip ZIP=export.zip``) runs nbgrader's own ``zip_collect``
(:class:`nbgrader.apps.ZipCollectApp`) with two small plugins: ``LmsExtractor`` (nbgrader's
extractor, plus the zip's file times kept on the extracted files) and ``LmsCollector`` (a
``FileNameCollectorPlugin`` whose ``named_regexp`` reads the LMS's naming scheme and maps
the LMS's user id to the course's student id through the roster). nbgrader then copies
each notebook to ``build/submitted/<student>/<week>/quiz.ipynb`` with a ``timestamp.txt``
and the normal ``make autograde`` grades it.

Naming schemes (paths inside the zip the LMS lets instructors download):

* Canvas ("Download Submissions"; ``lib/content_zipper.rb`` in canvas-lms), one flat folder:
  ``<sortable name>_[LATE_]<user id>_<file id>_<file name>``, for example
  ``lovelaceada_1001_5001_quiz.ipynb`` and ``hoppergrace_LATE_1002_5002_quiz.ipynb``.
  The name is the lower-cased "Last, First" with everything but letters, digits and
  ``_`` removed; ``LATE`` is inserted when Canvas considers the submission late (it
  applies the student's own due date and extensions). The third number identifies the
  uploaded file: Canvas numbers files in upload order, so a higher number is a newer
  upload. A notebook uploaded again under the same name is renamed by Canvas
  (``quiz-1.ipynb``, ``quiz-2.ipynb``). Anonymous grading writes ``anon_<id>`` instead of
  name and user id: such files cannot be mapped and are reported.
* Moodle ("Download all submissions"; ``mod/assign``), by default a folder per student
  and plugin: ``<Full Name>_<participant id>_assignsubmission_file[_]/<file name>`` (the
  trailing ``_`` depends on the Moodle version); without "download submissions in
  folders" a flat ``<Full Name>_<participant id>_assignsubmission_file_<file name>``.
  Online text arrives as ``..._assignsubmission_onlinetext_/onlinetext.html`` (not a
  notebook, reported). Moodle's participant id is per assignment (its
  ``assign_user_mapping`` table), so the roster may list several, and a file whose id is
  not listed is matched by the full name when exactly one roster row has that name (and
  the report says so). With blind marking the name is ``Participant``.

Any ``.ipynb`` a student handed in is taken as the quiz, whatever the LMS called it; it
lands as ``quiz.ipynb``. Other files are reported, never copied.

Roster (``roster.csv`` at the course root, or ``ROSTER=``; keep it out of git: it holds
personal data). Columns: ``student_id`` (required: the nbgrader id, a folder name),
``canvas_id`` (Canvas user id), ``moodle_id`` (Moodle participant ids, separated by
``;``), ``name`` ("Last, First"), ``email``, and for the Canvas gradebook optionally
``sis_user_id``, ``sis_login_id``, ``section``. Empty cells are allowed.

Timestamps (``timestamp.txt``, from which nbgrader computes lateness against the due date
in ``quizzes/schedule.csv``):

* Moodle: the zip entry's time. Moodle's packer adds each file from its file store
  (``file_system::add_storedfile_to_archive``), so the entry carries the time that content
  first reached the server: normally the upload, but byte-identical files share the first
  one's time and a restored or migrated file store resets it, so check a few against
  Moodle's grading table before a penalty depends on it. Zip times carry no time zone;
  they are read in ``--zip-timezone`` (default UTC: set it to the Moodle server's zone).
* Canvas: the zip entry times are when Canvas built the zip, not when students submitted,
  so Canvas's ``LATE`` marker decides: no marker -> the due date (on time); marker -> one
  second after the due date (late; Canvas gives no submission time, so "late by" is not
  the real delay: SpeedGrader has it). Without a due date the zip time is written and a
  ``LATE`` marker is reported as not recorded.

Duplicates (two notebooks for one student): the newest is kept, by Canvas's file number
(then its ``-N`` renaming) or by Moodle's file time (then a ``-N``/``(N)`` suffix); the
others are reported as superseded. Every file of the zip appears in the printed summary
and in ``build/reports/lms_collect_<week>.json``.

Export (``make grades``): ``build/grades_canvas.csv`` in the layout of Canvas's gradebook
export, which its gradebook import reads back: ``Student,ID,SIS User ID,SIS Login ID,
Section,<assignment>...`` and a second row ``    Points Possible``. Written from nbgrader's
gradebook through an nbgrader export plugin; students are mapped through the roster,
gradebook students missing from it are reported. A student with no submission gets an
empty cell (Canvas leaves the grade as it is). The column is the week name, or the
``canvas_assignment`` column of ``quizzes/schedule.csv`` when given (Canvas matches
``Title (id)`` to an existing assignment; a new title creates one). Also
``build/grades_moodle.csv`` (``Email address,ID number,Full name,<week>...``) for
Moodle's "Import grades from CSV", mapped on the email address.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import logging
import os
import re
import shutil
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from nbgrader.plugins import ExportPlugin, ExtractorPlugin, FileNameCollectorPlugin
from traitlets import Dict, Unicode, default

from .. import paths
from .grading import NOTEBOOK, build_path, due_dates, load_config, open_gradebook

LMS_DIR = "lms"  # build/lms/<week>/{archive,extracted}: nbgrader's zip_collect folders
ROSTER_COLUMNS = ("student_id", "canvas_id", "moodle_id", "name", "email", "sis_user_id", "sis_login_id", "section")

# Named groups: lms_id (user), name, late, file_no (Canvas file id), filename.
NAMING = {
    "canvas": r"^(?P<name>[^/]*?)_(?:(?P<late>LATE|late)_)?(?P<lms_id>\d+)_(?P<file_no>\d+)_(?P<filename>[^/]+)$",
    "moodle": r"^(?P<name>[^/_]+)_(?P<lms_id>\d+)_assignsubmission_(?P<plugin>[a-z]+)(?:_?/|_)(?P<filename>.+)$",
}
RESUBMISSION = re.compile(r"(?:-(\d+)| ?\((\d+)\))\.ipynb$")  # Canvas quiz-1.ipynb, desktop quiz (1).ipynb

COLLECTED = "collected"
SUPERSEDED = "superseded"
NOT_IN_ROSTER = "not in roster"
NOT_NOTEBOOK = "not a notebook"
UNRECOGNISED = "unrecognised name"


class LmsError(ValueError):
    """Bad input (zip, roster, week) with what to do about it."""


# -- roster -----------------------------------------------------------------------------
@dataclass
class Student:
    student_id: str
    canvas_id: str = ""
    moodle_ids: tuple[str, ...] = ()
    name: str = ""
    email: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""


def _name_key(name: str) -> str:
    """Order-free key of a name: "Lovelace, Ada" and "Ada Lovelace" agree."""
    return " ".join(sorted(re.findall(r"\w+", name.lower())))


class Roster:
    """The roster CSV: LMS ids -> course student ids (see the module docstring)."""

    def __init__(self, path: Path):
        self.path = path
        if not path.exists():
            raise LmsError(f"roster {path} is missing: create it with the columns {', '.join(ROSTER_COLUMNS)} "
                           "(student_id required) or pass ROSTER=path")
        with path.open(newline="", encoding="utf-8-sig") as f:  # utf-8-sig: spreadsheets add a BOM
            reader = csv.DictReader(f)
            header = [h.strip() for h in reader.fieldnames or []]
            if "student_id" not in header:
                raise LmsError(f"{path}: no 'student_id' column (header is {header}); expected columns "
                               f"{', '.join(ROSTER_COLUMNS)}")
            unknown = [h for h in header if h not in ROSTER_COLUMNS]
            if unknown:
                raise LmsError(f"{path}: unknown column(s) {unknown}; allowed: {', '.join(ROSTER_COLUMNS)}")
            self.students: list[Student] = []
            for line, row in enumerate(reader, start=2):
                if None in row:
                    raise LmsError(f"{path}, line {line}: more cells than the header has columns "
                                   "(a comma inside a name needs quotes: \"Last, First\")")
                row = {k.strip(): (v or "").strip() for k, v in row.items()}
                self.students.append(self._student(row, line))
        self._check_unique()

    def _student(self, row: dict, line: int) -> Student:
        sid = row.get("student_id", "")
        if not sid:
            raise LmsError(f"{self.path}, line {line}: empty student_id; every row needs the course's student id")
        if not re.fullmatch(r"[\w.@+-]+", sid):
            raise LmsError(f"{self.path}, line {line}: student_id {sid!r} cannot be a folder name; "
                           "use letters, digits and . _ - @ + only")
        for column in ("canvas_id",):
            if row.get(column) and not row[column].isdigit():
                raise LmsError(f"{self.path}, line {line}: {column} {row[column]!r} is not a number (Canvas user id)")
        moodle = tuple(m.strip() for m in row.get("moodle_id", "").split(";") if m.strip())
        for m in moodle:
            if not m.isdigit():
                raise LmsError(f"{self.path}, line {line}: moodle_id {m!r} is not a number (participant id)")
        fields = {k: row.get(k, "") for k in ("canvas_id", "name", "email", "sis_user_id", "sis_login_id", "section")}
        return Student(student_id=sid, moodle_ids=moodle, **fields)

    def _check_unique(self) -> None:
        for attr in ("student_id", "canvas_id"):
            seen: dict[str, int] = {}
            for line, s in enumerate(self.students, start=2):
                value = getattr(s, attr)
                if value and value in seen:
                    raise LmsError(f"{self.path}: {attr} {value!r} on lines {seen[value]} and {line}; ids must be unique")
                seen[value] = line
        owners: dict[str, str] = {}
        for s in self.students:
            for m in s.moodle_ids:
                if owners.setdefault(m, s.student_id) != s.student_id:
                    raise LmsError(f"{self.path}: moodle_id {m} is listed for {owners[m]} and {s.student_id}")

    def by_student(self) -> dict[str, Student]:
        return {s.student_id: s for s in self.students}

    def find(self, lms: str, lms_id: str, name: str) -> tuple[Student | None, str]:
        """The roster row of an LMS user, and how it was found ('' or a note for the report)."""
        if lms == "canvas":
            return next((s for s in self.students if s.canvas_id == lms_id), None), ""
        hit = next((s for s in self.students if lms_id in s.moodle_ids), None)
        if hit:
            return hit, ""
        same_name = [s for s in self.students if s.name and _name_key(s.name) == _name_key(name)]
        if len(same_name) == 1:
            return same_name[0], (f"Moodle participant {lms_id} matched by name {name!r}; "
                                  f"add {lms_id} to moodle_id of {same_name[0].student_id} to make it explicit")
        return None, ""


def roster_path(given: str | None = None) -> Path:
    return Path(given).resolve() if given else paths.ROOT / "roster.csv"


# -- nbgrader zip_collect plugins -------------------------------------------------------
@dataclass
class HandedIn:
    """One file of the LMS zip and what became of it."""

    entry: str  # path inside the zip
    status: str = UNRECOGNISED
    lms: str = ""
    lms_id: str = ""
    name: str = ""
    student_id: str | None = None
    timestamp: str | None = None  # UTC, as written to timestamp.txt
    late: bool | None = None
    notes: list[str] = field(default_factory=list)
    order: tuple = field(default=(), repr=False)  # newest-last sort key among one student's files


class LmsExtractor(ExtractorPlugin):
    """nbgrader's extractor, then each extracted file gets its zip entry's time.

    (nbgrader unpacks with setuptools, which gives every file the time of extraction;
    the LMS's time is what lateness is computed from.)
    """

    zip_timezone = Unicode("UTC", help="time zone of the times stored in the zip").tag(config=True)

    def extract(self, archive_path: str, extracted_path: str) -> None:
        super().extract(archive_path, extracted_path)
        zone = ZoneInfo(self.zip_timezone)
        for archive in Path(archive_path).rglob("*.zip"):
            folder = Path(extracted_path) / archive.relative_to(archive_path).with_suffix("")
            with zipfile.ZipFile(archive) as zf:
                for info in zf.infolist():
                    target = (folder / info.filename).resolve()
                    if target.is_relative_to(folder.resolve()) and not info.is_dir() and target.is_file():
                        stamp = datetime(*info.date_time, tzinfo=zone).timestamp()
                        os.utime(target, (stamp, stamp))


class LmsCollector(FileNameCollectorPlugin):
    """Reads an LMS file name with ``named_regexp`` and maps it through the roster.

    ``plan()`` sees every extracted file first (to report each and keep only the newest
    notebook per student); ``collect()``, nbgrader's per-file hook, then answers from the plan.
    """

    lms = Unicode("canvas", help="naming scheme of the zip: canvas or moodle").tag(config=True)
    week = Unicode("", help="the assignment being collected").tag(config=True)
    decisions = Dict()

    @default("named_regexp")
    def _lms_regexp(self) -> str:
        return NAMING[self.lms]

    def plan(self, extracted_root: Path, roster: Roster, due: datetime | None) -> list[HandedIn]:
        files = sorted(p for p in extracted_root.rglob("*") if p.is_file())
        handed = [self._read(p, extracted_root, roster, due) for p in files]
        newest: dict[str, HandedIn] = {}
        for item in handed:
            if item.status != COLLECTED:
                continue
            other = newest.get(item.student_id)
            if other is None or item.order > other.order:
                newest[item.student_id] = item
        for item in handed:
            keep = newest.get(item.student_id) if item.status == COLLECTED else None
            if keep is not None and keep is not item:
                item.status = SUPERSEDED
                item.notes.append(f"older than {keep.entry}, which was kept")
                keep.notes.append(f"newest of several notebooks; {item.entry} was not used")
        self.decisions = {str((extracted_root / h.entry).resolve()): h for h in handed}
        return handed

    def _read(self, path: Path, extracted_root: Path, roster: Roster, due: datetime | None) -> HandedIn:
        entry = path.relative_to(extracted_root).as_posix()
        item = HandedIn(entry=entry, lms=self.lms)
        match = self._match(entry)
        if not match:
            expected = "<name>_[LATE_]<user id>_<file id>_<file>" if self.lms == "canvas" else \
                "<Full Name>_<participant id>_assignsubmission_file/<file>"
            item.notes.append(f"not a {self.lms} submission name ({expected}); not imported")
            return item
        item.lms_id, item.name = match["lms_id"], match["name"]
        if path.suffix.lower() not in self.valid_ext:
            item.status = NOT_NOTEBOOK
            item.notes.append("only notebooks (.ipynb) are graded; the file was not imported")
            return item
        student, how = roster.find(self.lms, item.lms_id, item.name)
        if student is None:
            item.status = NOT_IN_ROSTER
            id_column = "canvas_id" if self.lms == "canvas" else "moodle_id"
            item.notes.append(f"{self.lms} id {item.lms_id} ({item.name}) is not in the roster's {id_column} "
                              f"column; add the student to {roster.path.name} and import again")
            return item
        item.status, item.student_id = COLLECTED, student.student_id
        if how:
            item.notes.append(how)
        self._timestamp(item, path, match, due)
        renamed = RESUBMISSION.search(match["filename"])
        resubmission = int(next(g for g in renamed.groups() if g)) if renamed else 0
        file_no = int(match.get("file_no") or 0)
        item.order = (file_no, resubmission) if self.lms == "canvas" else (item.timestamp, resubmission)
        return item

    def _timestamp(self, item: HandedIn, path: Path, match: dict, due: datetime | None) -> None:
        zip_time = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).replace(tzinfo=None, microsecond=0)
        late_marker = bool(match.get("late"))
        if self.lms == "canvas" and due is not None:
            stamp = due + timedelta(seconds=1) if late_marker else min(zip_time, due)
            if late_marker:
                item.notes.append("Canvas marked it LATE; Canvas gives no submission time, so it is recorded "
                                  "1 s after the due date (SpeedGrader shows the real time)")
        else:
            stamp = zip_time
            if late_marker:
                item.notes.append(f"Canvas marked it LATE, but {self.week} has no due date in "
                                  "quizzes/schedule.csv: lateness not recorded")
        item.timestamp = stamp.strftime("%Y-%m-%d %H:%M:%S")
        item.late = (stamp > due) if due is not None else None

    def collect(self, submitted_file: str):
        item = self.decisions.get(str(Path(submitted_file).resolve()))
        if item is None or item.status != COLLECTED:
            return None  # reported by plan()
        return {"student_id": item.student_id, "file_id": NOTEBOOK, "timestamp": item.timestamp + " UTC"}


# -- import -------------------------------------------------------------------------------
def resolve_week(week: str | None, zip_path: Path) -> str:
    """The released week to import into: ``week`` (a prefix), else the one the zip's name
    mentions, else the only released week."""
    released = sorted(p.name for p in build_path("release").glob("*") if (p / NOTEBOOK).exists())
    if not released:
        raise LmsError(f"no quiz released in {build_path('release')}: run `make release` first")
    if week:
        chosen = [w for w in released if w.startswith(week)]
        if len(chosen) != 1:
            raise LmsError(f"WEEK={week} matches {chosen or 'no'} released quiz; released: {', '.join(released)}")
        return chosen[0]
    stem = re.sub(r"[^a-z0-9]", "", zip_path.stem.lower())
    named = [w for w in released if re.sub(r"[^a-z0-9]", "", w.lower()) in stem]
    if len(named) == 1:
        return named[0]
    if len(released) == 1:
        return released[0]
    raise LmsError(f"which week is {zip_path.name}? Pass WEEK=NN (released: {', '.join(released)})")


def detect_lms(zip_path: Path) -> str:
    with zipfile.ZipFile(zip_path) as zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
    if any("_assignsubmission_" in n for n in names):
        return "moodle"
    if any(re.match(NAMING["canvas"], n) for n in names):
        return "canvas"
    raise LmsError(f"{zip_path} looks like neither a Canvas nor a Moodle submissions zip "
                   f"(first entries: {names[:3]}); pass --lms canvas|moodle")


@dataclass
class CollectReport:
    zip: str
    week: str
    lms: str
    roster: str
    due_utc: str | None
    files: list[HandedIn]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in self.files:
            counts[f.status] = counts.get(f.status, 0) + 1
        return counts


def collect_zip(zip_file: str | Path, week: str | None = None, roster: str | None = None,
                lms: str = "auto", zip_timezone: str = "UTC") -> CollectReport:
    """Import an LMS submissions zip into ``build/submitted`` with nbgrader's zip_collect."""
    from nbgrader.apps import ZipCollectApp
    from nbgrader.coursedir import CourseDirectory

    zip_path = Path(zip_file).resolve()
    if not zip_path.is_file():
        raise LmsError(f"{zip_path} does not exist: pass the zip the LMS exported as ZIP=path")
    if not zipfile.is_zipfile(zip_path):
        raise LmsError(f"{zip_path} is not a zip file: download the submissions again (Canvas: "
                       "'Download Submissions'; Moodle: 'Download all submissions')")
    try:
        ZoneInfo(zip_timezone)
    except Exception:
        raise LmsError(f"unknown time zone {zip_timezone!r}: use an IANA name such as UTC or Europe/Berlin") from None
    the_roster = Roster(roster_path(roster))
    week = resolve_week(week, zip_path)
    lms = detect_lms(zip_path) if lms == "auto" else lms
    if lms not in NAMING:
        raise LmsError(f"unknown LMS {lms!r}: use canvas, moodle or auto")
    due = due_dates().get(week)

    config = copy.deepcopy(load_config())
    # nbgrader's layout: build/lms/<week>/archive holds the zip, build/lms/<week>/extracted its files.
    config.ZipCollectApp.downloaded_directory = os.path.join("build", LMS_DIR)
    config.ZipCollectApp.force = True  # a new export replaces the earlier import of the same students
    config.ExtractorPlugin.force = True
    config.LmsExtractor.zip_timezone = zip_timezone
    config.LmsCollector.lms = lms
    config.LmsCollector.week = week
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = week
    app = ZipCollectApp(coursedir=coursedir, config=config)
    app.extractor_plugin, app.collector_plugin = LmsExtractor, LmsCollector
    archive = Path(app._format_collect_path(app.archive_directory))
    shutil.rmtree(archive, ignore_errors=True)
    archive.mkdir(parents=True)
    shutil.copy2(zip_path, archive / "export.zip")  # extracted into <extracted>/export/
    extracted = Path(app._format_collect_path(app.extracted_directory)) / "export"
    log = io.StringIO()  # nbgrader's log goes to build/lms/<week>/zip_collect.log; our summary is printed
    saved_handlers, app.log.handlers = app.log.handlers, [logging.StreamHandler(log)]
    app.log.setLevel(logging.INFO)
    try:
        app.init_plugins()
        app.extract_archive_files()
        handed = app.collector_plugin_inst.plan(extracted, the_roster, due)
        for item in handed:
            if item.status == COLLECTED and (build_path("submitted") / item.student_id / week).exists():
                item.notes.append("replaces the submission already in build/submitted")
        app.process_extracted_files()
    except SystemExit:  # nbgrader's app.fail() exits after logging why
        raise LmsError("nbgrader zip_collect stopped:\n" + log.getvalue()) from None
    finally:
        app.log.handlers = saved_handlers
        (archive.parent / "zip_collect.log").write_text(log.getvalue())
    for item in handed:
        if item.status == COLLECTED:
            landed = build_path("submitted") / item.student_id / week / NOTEBOOK
            if not landed.exists():
                raise LmsError(f"{item.entry} was not copied to {landed}; nbgrader's log:\n{log.getvalue()}")
    report = CollectReport(zip=str(zip_path), week=week, lms=lms, roster=str(the_roster.path),
                           due_utc=due.isoformat(sep=" ") if due else None, files=handed)
    write_collect_report(report)
    return report


def collect_report_path(week: str) -> Path:
    return build_path("reports") / f"lms_collect_{week}.json"


def write_collect_report(report: CollectReport) -> Path:
    out = collect_report_path(report.week)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(report)
    for f in data["files"]:
        f.pop("order", None)
    data["counts"] = report.counts()
    out.write_text(json.dumps(data, indent=2) + "\n")
    return out


def format_collect(report: CollectReport) -> str:
    """The import summary: one line per file of the zip."""
    width = max([len(f.entry) for f in report.files] + [4])
    lines = [f"{report.lms} zip {Path(report.zip).name} -> build/submitted/<student>/{report.week}/{NOTEBOOK}"
             f" (due {report.due_utc or 'not set'} UTC)",
             f"{'file':<{width}}  {'status':<17} {'student':<14} {'timestamp (UTC)':<20} {'late':<5} notes"]
    for f in report.files:
        late = "" if f.late is None else ("yes" if f.late else "no")
        lines.append(f"{f.entry:<{width}}  {f.status:<17} {f.student_id or '-':<14} {f.timestamp or '-':<20} "
                     f"{late:<5} {'; '.join(f.notes)}")
    counts = ", ".join(f"{n} {status}" for status, n in report.counts().items())
    lines.append(f"\n{counts}. Report: {collect_report_path(report.week).relative_to(paths.ROOT)}")
    return "\n".join(lines)


# -- grade export -----------------------------------------------------------------------
def _cell(value: str) -> str:
    """Keep a spreadsheet from reading a name as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _points(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def assignment_titles() -> dict[str, str]:
    """Week -> Canvas column title, from the optional ``canvas_assignment`` column of quizzes/schedule.csv."""
    path = paths.QUIZZES_DIR / "schedule.csv"
    if not path.exists():
        return {}
    with path.open() as f:
        return {row["week"].strip(): (row.get("canvas_assignment") or "").strip() for row in csv.DictReader(f)}


class LmsExportPlugin(ExportPlugin):
    """nbgrader export plugin: the gradebook's final scores per student and assignment,
    mapped through the roster into an LMS's grade import CSV (``lms`` = canvas or moodle)."""

    lms = Unicode("canvas").tag(config=True)
    roster = Unicode("").tag(config=True)

    def export(self, gradebook) -> list[str]:
        """Write ``self.to``; return the gradebook students left out (not in the roster, no id)."""
        from nbgrader.api import MissingEntry

        roster = Roster(Path(self.roster)).by_student()
        assignments = sorted(gradebook.assignments, key=lambda a: a.name)
        titles = assignment_titles()
        left_out, rows = [], []
        for student in sorted(gradebook.students, key=lambda s: s.id):
            entry = roster.get(student.id)
            key = entry and (entry.canvas_id if self.lms == "canvas" else entry.email)
            if not key:
                left_out.append(student.id if entry is None else
                                f"{student.id} (no {'canvas_id' if self.lms == 'canvas' else 'email'} in the roster)")
                continue
            scores = []
            for assignment in assignments:
                try:
                    sub = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:
                    scores.append(None)  # nothing handed in: leave the LMS's grade alone
                else:
                    scores.append(max(0.0, float(sub.score or 0) - float(sub.late_submission_penalty or 0)))
            rows.append((entry, scores))
        Path(self.to).parent.mkdir(parents=True, exist_ok=True)
        with open(self.to, "w", newline="") as f:
            out = csv.writer(f)
            if self.lms == "canvas":
                out.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
                             + [titles.get(a.name) or a.name for a in assignments])
                out.writerow(["    Points Possible", "", "", "", ""] + [_points(a.max_score) for a in assignments])
                for entry, scores in rows:
                    out.writerow([_cell(entry.name), entry.canvas_id, entry.sis_user_id, entry.sis_login_id,
                                  _cell(entry.section)] + [_points(s) for s in scores])
            else:
                out.writerow(["Email address", "ID number", "Full name"] + [a.name for a in assignments])
                for entry, scores in rows:
                    out.writerow([entry.email, entry.sis_user_id, _cell(entry.name)] + [_points(s) for s in scores])
        return left_out


def export_lms_grades(roster: str | None = None) -> dict[str, tuple[Path, list[str]]]:
    """Write build/grades_canvas.csv (roster with canvas_id values) and build/grades_moodle.csv
    (roster with emails); returns lms -> (file, students left out). Nothing without a roster.
    """
    path = roster_path(roster)
    if not path.exists():
        return {}
    students = Roster(path).students  # fails early, with the line, on a bad roster
    used = [lms for lms, column in (("canvas", "canvas_id"), ("moodle", "email"))
            if any(getattr(s, column) for s in students)]
    written = {}
    with open_gradebook() as gb:
        for lms in used:
            plugin = LmsExportPlugin(lms=lms, roster=str(path), to=str(build_path(f"grades_{lms}.csv")))
            written[lms] = (Path(plugin.to), plugin.export(gb))
    return written
