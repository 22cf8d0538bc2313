"""The gradebook on a PostgreSQL server (README: "Running a class on JupyterHub" -> Gradebook).

A throwaway PostgreSQL cluster (Debian's `postgresql`; `make system-deps` installs it) is
started on 127.0.0.1 for the session; week 01 is released, its example submissions are
autograded by the course's parallel workers writing to that server, then feedback and the
grade export run against it, and a second autograde must give the same scores.
"""
from __future__ import annotations

import csv
import json
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest

from mlops_course.instructor.examples import LATE_TIMESTAMP, expected_outcome
from mlops_course.instructor.grading import GRADED, due_dates
from mlops_course.services import HOST, free_port

from helpers import make_course_root, run_course, write_submission

WEEK = "01_ml_systems"
DATABASE = "mlops_course"
DB_USER = "grader"  # the cluster's superuser; trust authentication on loopback only


def postgres_bin_dir() -> Path | None:
    """``bin/`` of the newest PostgreSQL server installed the Debian way, or the one on PATH."""
    versions = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()]
    if versions:
        return max(versions, key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0))
    found = shutil.which("initdb") and shutil.which("pg_ctl")
    return Path(found).parent if found else None


@pytest.fixture(scope="session")
def postgres_url():
    """SQLAlchemy URL of an empty database on a private PostgreSQL cluster, stopped and
    removed after the session. As root, the server runs as the ``postgres`` user
    (PostgreSQL refuses to run as root)."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found: "
                    "run `make system-deps` as root or `apt-get install postgresql`")
    as_server_user: list[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root but there is no `postgres` Unix user to run the server as "
                        "(Debian's postgresql package creates it)")
        as_server_user = ["runuser", "-u", "postgres", "--"]

    # Directly under /tmp: pytest's own temporary folders are private to root, and the
    # socket path must stay short.
    folder = Path(tempfile.mkdtemp(prefix="mcpg-", dir="/tmp"))
    data, sockets, log = folder / "data", folder / "sockets", folder / "server.log"
    sockets.mkdir()
    if owner is not None:
        for path in (folder, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = free_port()
    pg_ctl = [*as_server_user, str(bin_dir / "pg_ctl"), "-D", str(data)]

    def run(cmd: list[str]) -> None:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            server_log = log.read_text()[-3000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}\n{server_log}")

    try:
        run([*as_server_user, str(bin_dir / "initdb"), "-D", str(data), "-U", DB_USER, "--auth=trust",
             "--encoding=UTF8", "--no-locale", "--no-sync"])
        # fsync off: a throwaway cluster, nothing to keep after a crash. A server time zone
        # far from UTC: due dates and lateness must not depend on it.
        options = f"-c listen_addresses={HOST} -p {port} -k {sockets} -c fsync=off -c timezone=Asia/Kolkata"
        run([*pg_ctl, "start", "-w", "-t", "60", "-l", str(log), "-o", options])
        run([str(bin_dir / "createdb"), "-h", HOST, "-p", str(port), "-U", DB_USER, DATABASE])
        yield f"postgresql+psycopg://{DB_USER}@{HOST}:{port}/{DATABASE}"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*pg_ctl, "stop", "-m", "fast", "-w", "-t", "60"], capture_output=True, timeout=90)
        shutil.rmtree(folder, ignore_errors=True)


ENV_PROBE = "import os\nprint('gradebook url:', os.environ.get('MLOPS_GRADEBOOK_URL'))"


def graded_scores(root: Path) -> dict[str, tuple[str, float, bool]]:
    """student -> (status, score, late) from the course's autograde report of WEEK."""
    report = json.loads((root / "build/reports" / f"autograde_{WEEK}.json").read_text())
    return {r["student"]: (r["status"], r["score"], r["late"]) for r in report}


@pytest.mark.grading
@pytest.mark.xdist_group("postgres")
def test_week01_grades_with_the_gradebook_on_postgres(postgres_url, tmp_path):
    """Protects: with MLOPS_GRADEBOOK_URL set to a PostgreSQL server, a week is released,
    autograded in parallel, given feedback and exported with the expected scores and
    lateness, student code never sees the URL, nothing is written to the SQLite file,
    and re-grading gives the same scores."""
    from nbgrader.api import Gradebook
    from nbgrader.utils import parse_utc

    root = make_course_root(tmp_path / "course")
    env = {"MLOPS_GRADEBOOK_URL": postgres_url}
    run_course(root, "release", "--week", WEEK, env=env)
    run_course(root, "examples", "--week", WEEK, env=env)
    # One more student whose code looks for the database's address in its environment.
    snoop = nbformat.read(root / "build/release" / WEEK / "quiz.ipynb", as_version=4)
    snoop.cells.append(nbformat.v4.new_code_cell(ENV_PROBE))
    write_submission(root, "env_reader", WEEK, snoop)
    run_course(root, "autograde", "--week", WEEK, env=env)
    first = graded_scores(root)
    expected = {**expected_outcome(WEEK), "env_reader": (GRADED, 0.0)}
    graded = sorted(s for s, (status, _) in expected.items() if status == GRADED)
    for student, (status, score) in expected.items():
        assert first[student][0] == status, f"{student}: {first[student]}"
        if status == GRADED:
            assert first[student][1] == pytest.approx(score), f"{student}: {first[student]}"
    late = {student for student, (status, _, is_late) in first.items() if is_late}
    assert late == {"late_submission"}, f"late according to the gradebook: {late}"

    seen = (root / "build/autograded/env_reader" / WEEK / "quiz.ipynb").read_text()
    assert "gradebook url: None" in seen and postgres_url not in seen, "student code saw the gradebook's URL"

    run_course(root, "feedback", "--week", WEEK, env=env)
    for student in graded:
        assert (root / "build/feedback" / student / WEEK / "quiz.html").exists(), f"no feedback for {student}"
    run_course(root, "grades", env=env)
    rows = [r for r in csv.DictReader((root / "build/grades.csv").open()) if r["assignment"] == WEEK]
    with Gradebook(postgres_url) as gb:
        in_gradebook = sorted(s.id for s in gb.students)
        scores = {s.student_id: s.score for s in gb.assignment_submissions(WEEK)}
        due = gb.find_assignment(WEEK).duedate
        seconds_late = gb.find_submission(WEEK, "late_submission").total_seconds_late
    assert due == due_dates()[WEEK], "the due date moved on its way through the server"
    assert seconds_late == (parse_utc(LATE_TIMESTAMP) - due).total_seconds(), "lateness depends on the server's time zone"
    assert sorted(r["student_id"] for r in rows) == in_gradebook, "grades.csv is not one row per student"
    for student in graded:
        assert scores[student] == pytest.approx(expected[student][1]), f"gradebook score of {student}"
        row = next(r for r in rows if r["student_id"] == student)
        assert float(row["raw_score"]) == pytest.approx(expected[student][1]), f"grades.csv row of {student}"
    assert not (root / "build/gradebook.db").exists(), "the SQLite gradebook was used instead of PostgreSQL"

    run_course(root, "autograde", "--week", WEEK, env=env)
    assert graded_scores(root) == first, "a second autograde changed the scores"


def test_unreachable_gradebook_is_one_clear_error(tmp_path):
    """Protects: a gradebook URL that cannot be used stops the course tools with one message
    naming the database (password hidden), where it was set and what to check."""
    root = make_course_root(tmp_path / "course")
    url = f"postgresql+psycopg://grader:s3cret-pw@{HOST}:{free_port()}/{DATABASE}"  # nothing listens there
    done = run_course(root, "release", "--week", WEEK, check=False, env={"MLOPS_GRADEBOOK_URL": url})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "cannot open the gradebook" in done.stderr and "MLOPS_GRADEBOOK_URL" in done.stderr, done.stderr
    assert "Connection refused" in done.stderr and "s3cret-pw" not in done.stderr, done.stderr
    assert not (root / "build/release" / WEEK).exists(), "released although the gradebook was unreachable"
