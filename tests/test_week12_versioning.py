"""Week 12: the Git/DVC helpers behave as the lesson says, the local workflow runner is
red and green for the right reasons, and the figures the lesson's prose quotes hold."""
from __future__ import annotations

import os

import numpy as np
import pytest

from mlops_course import vcs

from helpers import by_week


def test_git_commands_never_see_or_change_the_global_configuration(tmp_path, monkeypatch):
    """Protects: the lesson's promise that nothing it does touches the user's Git config."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n    name = Someone Else\n")
    monkeypatch.setenv("HOME", str(home))
    repo = vcs.new_repo(tmp_path / "r", name="Ada Student", email="ada@example.org")
    assert vcs.tool_env(repo)["GIT_CONFIG_GLOBAL"] == os.devnull
    assert vcs.out("config", "user.name", repo=repo) == "Ada Student"
    assert "Ada Student" in (repo / ".git" / "config").read_text()
    assert (home / ".gitconfig").read_text() == "[user]\n    name = Someone Else\n"


def _project(tmp_path, test_body: str, pins: str):
    remote = vcs.bare_remote(tmp_path / "origin.git")
    repo = vcs.new_repo(tmp_path / "proj")
    vcs.write(repo / "tests/test_it.py", test_body)
    vcs.write(repo / "requirements.txt", pins)
    vcs.write(repo / ".github/workflows/ci.yml", """
        on: [push]
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: pip install -r requirements.txt
              - run: python -m pytest -q -p no:cacheprovider tests
    """)
    vcs.git("add", ".", repo=repo, show=False)
    vcs.git("commit", "-m", "project", repo=repo, show=False)
    vcs.git("remote", "add", "origin", str(remote), repo=repo, show=False)
    vcs.git("push", "origin", "main", repo=repo, show=False)
    return repo, remote


@pytest.mark.parametrize("body, pins, passed, where", [
    ("def test_ok():\n    assert 1 + 1 == 2\n", "pytest=={pytest}\n", True, "PASSED"),
    ("def test_bad():\n    assert 1 + 1 == 3\n", "pytest=={pytest}\n", False, "step 3"),
    ("def test_ok():\n    assert True\n", "pytest==0.0.1\n", False, "step 2"),
    ("import helper\n\ndef test_ok():\n    assert helper\n", "pytest=={pytest}\n", False, "step 3"),
], ids=["green", "failing-test", "pin-not-installed", "file-not-committed"])
def test_local_runner_is_red_and_green_for_the_right_reason(tmp_path, capsys, body, pins, passed, where):
    """Protects: the runner checks out only what was pushed (an uncommitted file is missing),
    a pin that is not installed fails the install step, a failing test fails the job."""
    from importlib.metadata import version

    repo, remote = _project(tmp_path, body, pins.format(pytest=version("pytest")))
    (repo / "helper.py").write_text("x = 1\n")  # present in the work tree only, never committed
    workflow = repo / ".github/workflows/ci.yml"
    assert vcs.run_workflow(workflow, remote, tmp_path / "runner") is passed
    assert where in capsys.readouterr().out


def test_a_failing_test_steps_reason_is_shown_whatever_else_pytest_prints():
    """Protects: the lesson's red run names the failing columns even when pytest prints
    warnings or long tracebacks around the one-line reason (the CI log was cut before)."""
    log = "\n".join([
        "..F", "/ci/tests/test_data.py:13: AssertionError: failing columns: ['a', 'b']",
        *[f"  DeprecationWarning: noise {i}" for i in range(30)],
        "FAILED tests/test_data.py::test_schema - AssertionError: failing colu...",
        "1 failed, 2 passed, 30 warnings in 1.10s"])
    shown = vcs._log_tail(log, pytest=True)
    assert shown[0].endswith("failing columns: ['a', 'b']")
    assert shown[-1].startswith("1 failed, 2 passed")
    assert not any("noise" in line for line in shown)
    assert vcs._log_tail("x\n" * 20 + "last", pytest=False)[-1] == "last"


def test_dvc_pointer_holds_the_md5_of_the_raw_bytes(tmp_path):
    """Protects: the lesson's reading of a DVC 3 pointer (md5 of the bytes, `hash: md5`)
    and the remote layout files/md5/xx/rest that exercise 2 computes."""
    import hashlib

    import yaml

    repo = vcs.new_repo(tmp_path / "r")
    vcs.dvc("init", "-q", repo=repo, show=False)
    vcs.dvc("remote", "add", "-d", "storage", str(tmp_path / "storage"), repo=repo, show=False)
    data = b"a,b\r\n1,2\r\n"  # Windows line endings: DVC 2 would have hashed a converted copy
    (repo / "d.csv").write_bytes(data)
    vcs.dvc("add", "d.csv", repo=repo, show=False)
    vcs.dvc("push", repo=repo, show=False)
    out = yaml.safe_load((repo / "d.csv.dvc").read_text())["outs"][0]
    assert out["md5"] == hashlib.md5(data).hexdigest() and out["hash"] == "md5" and out["size"] == len(data)
    assert (tmp_path / "storage" / vcs.md5_path(data)).read_bytes() == data


def test_autoscaling_figures():
    """Protects: 'peak ... 10 replicas; night: 2', 'about twice as much (2.1 times the
    replica-hours)' in the scaling section."""
    hours = np.arange(0, 24, 0.25)
    load = 300 + 1400 * np.exp(-((hours - 13) / 3.5) ** 2) + 200 * np.sin(hours / 24 * 2 * np.pi) ** 2
    replicas = np.maximum(2, np.ceil(load / (250 * 0.7))).astype(int)
    assert (replicas.max(), replicas.min()) == (10, 2)
    assert round(replicas.max() * 24 / (replicas.sum() * 0.25), 1) == 2.1


@pytest.mark.notebook
@pytest.mark.parametrize("week", by_week(["12_versioning_cicd"]))
def test_lesson_outputs_match_its_prose(week, executed_lesson):
    """Protects: what the prose says the executed lesson shows: a two-parent merge on the
    branch that reached the remote, a DVC 3 pointer, the workflow green on the first push,
    red at the test step on the broken data (data test naming the columns), green after the
    restore, and the 2.1 ratio of replica-hours."""
    from mlops_course.instructor.execute import output_text

    nb, _ = executed_lesson(week)
    text = output_text(nb)
    assert "branches on the remote: ['main', 'tune-trees']" in text
    assert "parents of the last commit on tune-trees: 2" in text
    assert "hash: md5" in text
    assert "{'first push': True, 'broken data': False, 'after the fix': True}" in text
    assert "job 'test': FAILED at step 5" in text
    assert "failing columns: ['mean radius', 'worst concavity']" in text
    assert "missing values now: 0" in text
    assert "(2.1 times as many)" in text
    assert "3 of 10 steps run again, pip install cached" in text
