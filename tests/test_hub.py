"""A class on a real JupyterHub with nbgrader's exchange, end to end (``make test-hub``).

One hub (``hub/jupyterhub_config.py``, LocalProcessSpawner, configurable-http-proxy) with
an instructor and two students as real Unix accounts, a fresh exchange folder, free
loopback ports; everything is stopped and the accounts are removed afterwards.

How the test acts as each user (chosen for robustness, no browser):
* students use their own server's REST API: nbgrader's assignment-list handlers
  (``/assignments/fetch``, ``submit``, ``fetch_feedback``: what the Assignments tab calls)
  and Jupyter's contents API to open and save the quiz;
* the instructor types commands in a terminal of their own server (Jupyter's terminal
  websocket), so ``nbgrader`` and ``python -m mlops_course`` run as the instructor with
  the environment the hub gives them; the formgrader's REST API is read back;
* "as another student" checks run in that student's own terminal.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest

from mlops_course import paths

from mlops_course.instructor import examples, hub

pytestmark = [pytest.mark.hub, pytest.mark.xdist_group("hub")]

WEEK = "01_ml_systems"
COURSE = "mlops-course"
USERS = hub.Users(instructor="mlops-t-instructor", students=["mlops-t-student1", "mlops-t-student2"])
GOOD, IDLE = USERS.students  # answers with the solutions / hands the quiz in untouched


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "needs root: the hub creates Unix users and switches to them (run `sudo make test-hub`)"
    if not shutil.which("npm"):
        return "needs npm to install configurable-http-proxy (apt-get install npm)"
    if not hub.SYSTEM_PYTHON.exists():
        return f"needs Debian's {hub.SYSTEM_PYTHON} for an environment every user can run"
    return None


def _leftover_processes(user: str) -> list[int]:
    done = subprocess.run(["pgrep", "-u", user], capture_output=True, text=True)
    return [int(pid) for pid in done.stdout.split()]


def _end_processes_of_test_users() -> None:
    """Processes the test's hub started for its users (by pid), if the hub left any."""
    for user in USERS.all:
        try:
            pids = _leftover_processes(user)
        except FileNotFoundError:
            return
        for pid in pids:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass


def _ok(result: tuple[int, str], what: str) -> str:
    code, output = result
    assert code == 0, f"{what} failed (exit {code}):\n{output[-3000:]}"
    return output


def _feedback_score(html: str) -> float:
    found = re.search(r"Your feedback: ([\d.]+) / ([\d.]+) points", html)
    assert found, "the feedback does not start with the course's score summary"
    return float(found.group(1))


@pytest.fixture(scope="module")
def class_run():
    """Run one week of a class on the hub; return what each step produced."""
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    work = Path(tempfile.mkdtemp(prefix="mlops-hub-test-"))
    work.chmod(0o755)  # the exchange inside must be reachable by every user
    exchange = work / "exchange"
    hub.remove_users(USERS.all)  # accounts of an earlier, interrupted run
    hub.setup(USERS, exchange)
    run: dict = {"exchange": exchange}
    the_hub = hub.Hub(USERS, work / "state", exchange, service_token=True)
    started = time.monotonic()
    try:
        the_hub.start()
        run["hub"] = the_hub
        the_hub.start_server(USERS.instructor)
        # 1. the instructor generates the release and puts it in the exchange
        _ok(the_hub.run_as(USERS.instructor, f"cd ~/{COURSE} && python -m mlops_course release --week {WEEK[:2]} "
                                             f"&& nbgrader release_assignment {WEEK}"), "release")
        # 2. each student fetches, answers (or not) and submits
        source = nbformat.read(paths.QUIZZES_DIR / WEEK / "quiz.ipynb", as_version=4)
        target = {"course_id": COURSE, "assignment_id": WEEK}
        for student in USERS.students:
            the_hub.start_server(student)
            the_hub.server(student, "POST", "assignments/fetch", params=target)
            path = f"api/contents/{WEEK}/quiz.ipynb"
            fetched = nbformat.from_dict(the_hub.server(student, "GET", path)["content"])
            if student == GOOD:
                answered = examples.answered(source, fetched, set(examples.answer_ids(source)), student)
                the_hub.server(student, "PUT", path, json={"type": "notebook", "format": "json", "content": answered})
            outcome = the_hub.server(student, "POST", "assignments/submit", params=target)
            assert outcome.get("success", True), f"{student} could not submit: {outcome}"
        # 3. the instructor collects, grades with the course's grading, releases feedback
        run["grading"] = _ok(the_hub.run_as(
            USERS.instructor,
            f"cd ~/{COURSE} && nbgrader collect {WEEK} && python -m mlops_course autograde --strict --week {WEEK[:2]} "
            f"&& python -m mlops_course feedback --week {WEEK[:2]} && nbgrader release_feedback {WEEK}"), "grading")
        home = Path(f"~{USERS.instructor}").expanduser() / COURSE
        run["report"] = {r["student"]: r for r in json.loads(
            (home / "build" / "reports" / f"autograde_{WEEK}.json").read_text())}
        run["formgrader"] = {s["student"]: s for s in the_hub.server(
            USERS.instructor, "GET", f"formgrader/api/submissions/{WEEK}")}
        # 4. each student fetches their feedback
        run["feedback"] = {}
        for student in USERS.students:
            the_hub.server(student, "POST", "assignments/fetch_feedback", params=target)
            folder = the_hub.server(student, "GET", f"api/contents/{WEEK}/feedback")["content"]
            files = [the_hub.server(student, "GET", "api/contents/" + quote(f"{entry['path']}/quiz.html"))
                     for entry in folder]
            run["feedback"][student] = [f["content"] for f in files]
        run["seconds"] = time.monotonic() - started
        print(f"\nhub flow (setup excluded): {run['seconds']:.0f} s")
        yield run
    finally:
        the_hub.stop()
        _end_processes_of_test_users()
        hub.remove_users(USERS.all)
        shutil.rmtree(work, ignore_errors=True)


def test_solutions_get_full_marks_and_an_untouched_quiz_less(class_run):
    """Protects: a class on the hub is graded by the course's own grading, with isolation:
    the student who submitted the solutions through the exchange gets full marks, the one
    who handed in the untouched quiz fewer; the formgrader shows the same scores."""
    report, expected = class_run["report"], examples.expected_outcome(WEEK)
    assert set(report) == set(USERS.students), f"collected: {sorted(report)}"
    assert report[GOOD]["score"] == expected["all_correct"][1] > 0, report[GOOD]
    assert report[IDLE]["score"] < report[GOOD]["score"], report[IDLE]
    for student in USERS.students:
        assert report[student]["status"] == "graded", report[student]
        assert not any("WITHOUT isolation" in p for p in report[student]["problems"]), report[student]
        assert class_run["formgrader"][student]["score"] == report[student]["score"]


def test_each_student_fetches_only_their_own_feedback(class_run):
    """Protects: after release_feedback, each student's fetch brings back one feedback file,
    their own (its score is theirs), without the quiz's hidden tests."""
    report = class_run["report"]
    for student in USERS.students:
        pages = class_run["feedback"][student]
        assert len(pages) == 1, f"{student} fetched {len(pages)} feedback files"
        assert _feedback_score(pages[0]) == report[student]["score"]
        assert "BEGIN HIDDEN TESTS" not in pages[0] and "expect_choice" not in pages[0]


@pytest.mark.parametrize("what, command", [
    ("list the exchange's inbound (everyone's submissions)", "ls {exchange}/mlops-course/inbound"),
    ("list the exchange's released feedback", "ls {exchange}/mlops-course/feedback"),
    ("read the other student's feedback", f"cat ~{GOOD}/{WEEK}/feedback/*/quiz.html"),
    ("read the other student's submitted notebook", f"cat ~{GOOD}/{WEEK}/quiz.ipynb"),
    ("read the instructor's quiz source (hidden tests)", f"cat ~{USERS.instructor}/{COURSE}/quizzes/{WEEK}/quiz.ipynb"),
    ("read the instructor's collected submissions", f"ls ~{USERS.instructor}/{COURSE}/build/submitted"),
])
def test_a_student_cannot_reach_another_students_work(class_run, what, command):
    """Protects: on the shared machine a student cannot see other students' submissions or
    feedback (nbgrader's exchange permissions, private homes), nor the instructor's hidden
    tests; tried as that student's own Unix user, in their own terminal."""
    code, output = class_run["hub"].run_as(IDLE, command.format(exchange=class_run["exchange"]))
    assert code != 0 and "Permission denied" in output, f"{IDLE} could {what}:\n{output[-1500:]}"
