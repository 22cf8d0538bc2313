"""The student's and the instructor's real experience: JupyterLab in headless Chromium.

JupyterLab runs from the course environment on 127.0.0.1 with token auth; Debian's
Chromium is driven through Playwright (no browser download). The test opens a student
lesson and runs all cells (the self-check verdicts must render), opens the released
quiz and runs its visible tests, loads the formgrader, and fetches the quiz from
nbgrader's exchange in the students' assignment list. Each page has its own JupyterLab
workspace, and a page waits for its kernel as the server reports it before Run All.
Screenshots go to build/browser/ for a person to look at (timeout.png when a wait fails).
Week 11's Apache Airflow UI is opened too: its API server on 127.0.0.1, one DAG run in its grid.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from helpers import course_env, run_course
from mlops_course import paths, quizcells
from mlops_course.services import free_port
from mlops_course.instructor.build import scratch_course_root

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]  # one JupyterLab, one worker
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = paths.BUILD_DIR / "browser"
WEEK = paths.weeks()[0]
ACTIVE = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on show


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a scratch course folder with copies of a lesson and a quiz."""
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed (make system-deps installs Debian's chromium)")
    root = scratch_course_root(tmp_path_factory.mktemp("lab"))
    run_course(root, "release", "--week", WEEK)
    # nbgrader's exchange, set up as on the course hub: hub/nbgrader_config.py (the exchange
    # from MLOPS_EXCHANGE_ROOT plus the course's grader_config.py), and the instructor's
    # own `nbgrader release_assignment`, so the students' assignment list has a quiz to offer.
    exchange = root / "exchange"
    exchange.mkdir(mode=0o777)
    shutil.copy2(paths.ROOT / "hub" / "nbgrader_config.py", root / "nbgrader_config.py")
    env = dict(course_env(root), MLOPS_EXCHANGE_ROOT=str(exchange))
    released = subprocess.run([sys.executable, "-m", "nbgrader", "release_assignment", WEEK],
                              cwd=root, env=env, capture_output=True, text=True)
    assert released.returncode == 0 and (exchange / "mlops-course/outbound" / WEEK / "quiz.ipynb").exists(), \
        released.stderr[-3000:]
    work = root / "student"
    work.mkdir()
    shutil.copy2(paths.NOTEBOOKS_DIR / f"{WEEK}.ipynb", work / "lesson.ipynb")  # copies: the repo stays untouched
    # The quiz as a student would leave it: every answer filled in, but q1 given as a number.
    import nbformat

    from mlops_course.instructor.examples import answered
    from mlops_course.instructor.variants import with_typed_id
    from mlops_course.quizcells import answer_ids, grade_id

    source = nbformat.read(paths.QUIZZES_DIR / WEEK / "quiz.ipynb", as_version=4)
    quiz = answered(source, nbformat.read(root / "build/release" / WEEK / "quiz.ipynb", as_version=4),
                    set(answer_ids(source)), "browser_student")
    with_typed_id(quiz, "browser_student")  # off the hub, the student types their id
    for cell in quiz.cells:
        if grade_id(cell) == "q1":
            cell.source = "q1 = 5"
    nbformat.write(quiz, work / "quiz.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    # Render every cell: JupyterLab's default windowing keeps off-screen cells out of the
    # page, and the checks below read verdicts and messages all down the notebook.
    settings = root / "lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    notices = root / "lab-settings" / "@jupyterlab" / "apputils-extension"  # no news prompt over the screenshots
    notices.mkdir(parents=True)
    (notices / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    log = (root / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", f"--config={root / 'grader_config.py'}",
         f"--LabApp.workspaces_dir={root / 'lab-workspaces'}"]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        cwd=root, env=dict(env, JUPYTERLAB_SETTINGS_DIR=str(root / "lab-settings")), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited: {(root / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not answer within 90 s")
    yield base, token, root
    os.killpg(server.pid, 15)
    server.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield chromium
        chromium.close()


def _run_all(page) -> None:
    """Run > Run All Cells, through the menu bar a student would use."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click(timeout=30_000)
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click(timeout=30_000)


def _kernel_state(base: str, token: str, path: str) -> str | None:
    """The execution state JupyterLab's server reports for the kernel of the notebook at path."""
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=10) as answer:
        sessions = json.load(answer)
    states = [s["kernel"]["execution_state"] for s in sessions if s.get("path") == path and s.get("kernel")]
    return states[0] if states else None


def _open(browser, lab, path: str):
    """Open a notebook and wait until its kernel has started and is idle (asked of the server:
    the page's own indicator can read 'idle' before the kernel is connected, and Run All
    clicked then does nothing)."""
    base, token, _ = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A workspace of its own per page: JupyterLab reopens the tabs of its last session,
    # and a second notebook panel would answer the selectors below.
    page.goto(f"{base}/lab/workspaces/{Path(path).stem}/tree/{path}?token={token}", timeout=120_000)
    page.wait_for_selector(f"{ACTIVE} .jp-Notebook", timeout=120_000)
    deadline = time.time() + 120
    while _kernel_state(base, token, path) != "idle":
        if time.time() > deadline:
            pytest.fail(f"the kernel of {path} was not idle within 120 s (state: {_kernel_state(base, token, path)})")
        time.sleep(0.5)
    page.wait_for_selector(f"{ACTIVE} .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    return page, errors


def _wait_in_page(page, lab, condition: str, what: str, timeout_s: int) -> None:
    """Wait for a JavaScript condition; on time-out, fail with what the page and the server show."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(condition, timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "timeout.png"), full_page=True)
        prompts = page.eval_on_selector_all(".jp-InputArea-prompt", "els => els.map(e => e.innerText.trim())")
        errors = page.eval_on_selector_all(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']",
            "els => els.map(e => e.innerText.slice(0, 400))")
        log = (lab[2] / "lab.log").read_text(errors="replace")[-1500:]
        pytest.fail(f"no {what} within {timeout_s} s. Prompts: {prompts}. Error outputs: {errors}. "
                    f"Screenshot: {SHOTS / 'timeout.png'}. JupyterLab log: {log}")


def test_lesson_runs_in_the_browser_and_shows_verdicts(lab, browser):
    """Protects: a student opening the lesson and running all cells sees every self-check."""
    import nbformat

    lesson = nbformat.read(lab[2] / "student/lesson.ipynb", as_version=4)
    checks = sum(".check(" in cell.source for cell in lesson.cells if cell.cell_type == "code")
    assert checks >= 4
    page, errors = _open(browser, lab, "student/lesson.ipynb")
    _run_all(page)
    _wait_in_page(page, lab, f"document.querySelectorAll('{ACTIVE} .mlops-verdict').length >= {checks}",
                  f"{checks} self-check verdicts", 180)
    statuses = page.eval_on_selector_all(f"{ACTIVE} .mlops-verdict", "els => els.map(e => e.dataset.status)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".mlops-verdict").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "lesson_verdicts.png"))
    assert len(statuses) == checks and set(statuses) == {"not attempted"}, statuses
    assert not errors, errors
    page.close()


def test_quiz_visible_tests_run_in_the_browser(lab, browser):
    """Protects: the released quiz opens, its visible tests run, and a malformed answer
    gets a message that names the variable and what is wrong with it."""
    page, errors = _open(browser, lab, "student/quiz.ipynb")
    _run_all(page)
    active = f"{ACTIVE} .jp-Notebook"
    _wait_in_page(page, lab,
                  f"[...document.querySelectorAll('{active} .jp-OutputArea-output')].some(e => e.innerText.includes('q1 must be a string'))",
                  "message about q1", 120)
    text = page.inner_text(active)
    page.get_by_text("q1 must be a string").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "quiz_visible_tests.png"))
    assert "q1 must be a string such as 'A', got int: 5" in text
    assert "expect_choice" not in text  # hidden tests are not in the release
    # the student's own variant: whose it is, and the options lettered in its order
    assert "variant of student 'browser_student'" in text
    from mlops_course.variant import QuizVariant
    from mlops_course.instructor.variants import course_id

    first = QuizVariant(WEEK, "browser_student", course_id()).order("q1")[0]
    source = nbformat.read(paths.QUIZZES_DIR / WEEK / "quiz.ipynb", as_version=4)
    options = quizcells.options(next(c for c in source.cells if quizcells.grade_id(c) == "q1_question"))
    assert f"A. {list(options.values())[first]}" in text
    assert not errors, errors
    page.close()


def test_nbgrader_extensions_load(lab, browser):
    """Protects: the instructor's formgrader and the students' assignment list load, and
    the list offers the quiz released to nbgrader's exchange and fetches it."""
    base, token, _ = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/formgrader?token={token}", timeout=60_000)
    page.wait_for_selector(f"text={WEEK}", timeout=60_000)
    page.screenshot(path=str(SHOTS / "formgrader.png"))
    page.goto(f"{base}/lab/workspaces/instructor?token={token}", timeout=60_000)
    page.wait_for_selector(".jp-LabShell", timeout=120_000)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click(timeout=30_000)
    page.get_by_role("menuitem", name=re.compile(r"^Assignment List")).click(timeout=30_000)
    page.wait_for_selector("text=Released assignments", timeout=60_000)
    page.wait_for_selector(f"#released_assignments_list >> text={WEEK}", timeout=60_000)
    assert "exchange directory does not exist" not in page.inner_text("body")
    page.locator("#released_assignments_list").get_by_role("button", name="Fetch").click(timeout=30_000)
    page.wait_for_selector(f"#fetched_assignments_list >> text={WEEK}", timeout=60_000)  # a student fetched it
    page.screenshot(path=str(SHOTS / "assignment_list.png"))
    assert (lab[2] / WEEK / "quiz.ipynb").exists()
    assert not errors, errors
    page.close()


def test_airflow_ui_shows_the_dags_run(browser, tmp_path):
    """Protects: week 11's real Airflow: its API server on 127.0.0.1 serves the UI, which shows
    the DAG of the lesson and the run `airflow dags test` made (task by task in the grid)."""
    import datetime

    from mlops_course import pipeline as pl

    af = pl.Airflow(tmp_path / "airflow")
    af.migrate()
    pl.write_dag(af.dags)
    pl.publish_source(af.data)
    assert af.run("dags", "reserialize").returncode == 0
    today = datetime.date.today().isoformat()  # near today: the UI measures run durations from it
    tested = af.run("dags", "test", pl.DAG_ID, today)
    assert tested.returncode == 0, tested.stderr[-2000:]
    [run] = af.runs()
    with af:
        url = af.start()
        assert url.startswith("http://127.0.0.1:")
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/dags/{pl.DAG_ID}/runs/{run['run_id']}", timeout=120_000)
        for task_id in pl.TASK_ORDER:
            page.wait_for_selector(f"text={task_id}", timeout=120_000)
        page.wait_for_selector(f"text={pl.DAG_ID}", timeout=60_000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "airflow_run.png"), full_page=True)
        text = page.inner_text("body")
        assert "Sign in" not in text and "Login" not in text
        assert "success" in text.lower()
        page.close()
    assert not af._processes  # both servers stopped
