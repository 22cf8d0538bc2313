"""Environment, Makefile, README and CI wiring."""
from __future__ import annotations

import re
import subprocess
import tomllib

import yaml
from packaging.requirements import Requirement

from mlops_course import paths

ROOT = paths.ROOT


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version.strip()
    return pins


def test_environment_yml_names_the_same_pins_as_the_lock():
    """Protects: conda users get exactly the versions pip users get."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pins = lock_pins()
    named = {}
    for item in pip_section:
        if item.startswith("-"):
            continue
        name, version = item.split("==")
        named[name.lower()] = version
        assert pins.get(name.lower()) == version, f"{name}: environment.yml {version} vs lock {pins.get(name.lower())}"
    assert "python=3.11" in env["dependencies"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for dep in project["dependencies"] + project["optional-dependencies"]["test"]:
        req = Requirement(dep)
        if req.marker and not req.marker.evaluate():
            continue
        assert req.name.lower() in named, f"{req.name} is in pyproject.toml but not in environment.yml"


def test_lock_satisfies_pyproject_ranges():
    """Protects: the package metadata's ranges admit the tested, locked versions."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = lock_pins()
    for dep in project["dependencies"] + project["optional-dependencies"]["test"]:
        req = Requirement(dep)
        if req.marker and not req.marker.evaluate():
            continue
        key = re.sub(r"[-_.]+", "-", req.name).lower()
        assert key in pins, f"{req.name} not locked"
        assert req.specifier.contains(pins[key], prereleases=True), f"{req.name} {pins[key]} outside {req.specifier}"


def test_make_help_lists_every_workflow_target():
    out = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True).stdout
    for target in ("setup", "data", "notebooks", "release", "collect-zip", "autograde", "feedback", "grades",
                   "lab", "test", "bench", "clean", "course"):
        assert re.search(rf"^\s+{target}\s+\S", out, re.M), f"make help lacks {target}"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert "make course" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci/run").read_text()


def test_telemetry_is_off_in_notebooks_and_make():
    import os

    from mlops_course import setup

    setup()
    assert os.environ["DO_NOT_TRACK"] == "true" and os.environ["MLFLOW_DISABLE_TELEMETRY"] == "true"
    makefile = (ROOT / "Makefile").read_text()
    assert "export DO_NOT_TRACK" in makefile and "export MLFLOW_DISABLE_TELEMETRY" in makefile


def test_xdist_keeps_a_week_on_one_worker(tmp_path):
    """Protects: the suite's run time. Each week's graded course is built once, by the one
    worker that runs all of that week's tests (`--dist loadgroup`); a pytest/xdist pair that
    ignores the groups silently builds everything twice."""
    import subprocess
    import sys

    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_groups.py").write_text(
        "import os, pathlib, pytest\n"
        "WEEKS = [pytest.param(w, marks=pytest.mark.xdist_group(w)) for w in 'abcd']\n"
        "def ran(week, test):\n"
        "    pathlib.Path(f'ran-{week}-{test}-{os.environ[\"PYTEST_XDIST_WORKER\"]}').touch()\n"
        "@pytest.mark.parametrize('week', WEEKS)\n"
        "def test_first(week):\n    ran(week, 'first')\n"
        "@pytest.mark.parametrize('week', WEEKS)\n"
        "def test_second(week):\n    ran(week, 'second')\n"
    )
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q", "-p", "no:cacheprovider",
                           "test_groups.py"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    workers: dict[str, set[str]] = {}
    for marker in tmp_path.glob("ran-*"):
        _, week, _, worker = marker.name.split("-")
        workers.setdefault(week, set()).add(worker)
    assert len(workers) == 4 and all(len(w) == 1 for w in workers.values()), workers


def _hub_spawner_environment(monkeypatch, tmp_path, **extra) -> dict:
    """The users' environment that hub/jupyterhub_config.py configures, for these variables."""
    from traitlets.config import Config

    env = {"MLOPS_HUB_PREFIX": str(tmp_path), "MLOPS_HUB_STATE": str(tmp_path), "MLOPS_HUB_INSTRUCTOR": "teach",
           "MLOPS_HUB_STUDENTS": "ada,grace", "MLOPS_HUB_PORT": "1", "MLOPS_HUB_API_PORT": "2",
           "MLOPS_HUB_PROXY_API_PORT": "3", "MLOPS_HUB_PASSWORD": "x", "MLOPS_HUB_EXCHANGE": str(tmp_path), **extra}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = Config()
    exec(compile((ROOT / "hub" / "jupyterhub_config.py").read_text(), "jupyterhub_config.py", "exec"),
         {"get_config": lambda: config})
    return dict(config.Spawner.environment)


def test_hub_users_get_the_class_airflow_and_mlflow_server_when_there_are_ones(monkeypatch, tmp_path):
    """Protects: on the hub, week 11 uses the Airflow environment hub-setup installed (not a
    per-user install) and week 08 the class's MLflow server when the hub names one."""
    monkeypatch.delenv("MLOPS_HUB_MLFLOW_URI", raising=False)
    plain = _hub_spawner_environment(monkeypatch, tmp_path)
    assert "MLOPS_AIRFLOW_VENV" not in plain and "MLFLOW_TRACKING_URI" not in plain
    assert plain["MLFLOW_DISABLE_TELEMETRY"] == "true"
    (tmp_path / "airflow-venv").mkdir()
    (tmp_path / "airflow-venv" / ".installed").write_text("lock\n")
    shared = _hub_spawner_environment(monkeypatch, tmp_path, MLOPS_HUB_MLFLOW_URI="http://127.0.0.1:5005")
    assert shared["MLOPS_AIRFLOW_VENV"] == str(tmp_path / "airflow-venv")
    assert shared["MLFLOW_TRACKING_URI"] == "http://127.0.0.1:5005"
