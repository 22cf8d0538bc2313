"""Week 10 (monitoring and drift): the facts the lesson states about Evidently's drift
methods hold for the installed Evidently, and the workspace the lesson writes is served by
Evidently's own UI on loopback, as the lesson tells students to open it."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial import distance

import mlops_course as mc
from mlops_course import services
from mlops_course.exercises import week10


@pytest.fixture(scope="module", autouse=True)
def telemetry_off():
    mc.setup()


def test_jensen_shannon_divergence_distance_and_bound():
    """Protects (issue 18): the JS divergence is the average KL to the mixture, the distance
    its square root, and with the natural log the distance lies in [0, sqrt(ln 2)] = [0, 0.83]."""
    P, Q = np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.4, 0.3, 0.2, 0.1])
    M = (P + Q) / 2
    jsd = 0.5 * stats.entropy(P, M) + 0.5 * stats.entropy(Q, M)
    assert distance.jensenshannon(P, Q) == pytest.approx(np.sqrt(jsd))
    assert distance.jensenshannon([1, 0], [0, 1]) == pytest.approx(np.sqrt(np.log(2)))
    assert round(np.sqrt(np.log(2)), 2) == 0.83


def test_evidently_defaults_the_lesson_states():
    """Protects: PSI's, the JS distance's and the normed Wasserstein distance's default
    threshold is 0.1, K-S's and chi-square's 0.05; Evidently's JS is the natural-log distance."""
    from evidently.legacy.calculations.stattests import (chi_stat_test, jensenshannon_stat_test, ks_stat_test,
                                                          psi_stat_test, wasserstein_stat_test)
    from evidently.legacy.calculations.stattests.jensenshannon import _jensenshannon
    from evidently.legacy.core import ColumnType

    assert psi_stat_test.default_threshold == 0.1
    assert jensenshannon_stat_test.default_threshold == 0.1
    assert wasserstein_stat_test.default_threshold == 0.1
    assert ks_stat_test.default_threshold == 0.05 and chi_stat_test.default_threshold == 0.05
    score, _ = _jensenshannon(pd.Series(["a"] * 50), pd.Series(["b"] * 50), ColumnType.Categorical, 0.1)
    assert score == pytest.approx(np.sqrt(np.log(2)))


def test_an_override_without_threshold_inherits_the_general_one():
    """Protects: the lesson's claim (and exercise 7's named mistake) that a per-column method
    without per_column_threshold keeps the general threshold."""
    reference, cases = week10._config_cases()
    preset = {"method": "psi", "threshold": 0.2, "per_column_method": {"Lot_Area": "ks"}}
    result = week10._snapshot(reference, cases[0][1], **preset).dict()
    lot = next(m for m in result["metrics"][1:] if m["config"]["column"] == "Lot_Area")
    assert lot["config"]["method"] == "ks" and lot["config"]["threshold"] == 0.2


def test_the_workspace_is_served_by_evidently_ui_on_loopback(tmp_path):
    """Protects: the lesson's `evidently ui --workspace ... --host 127.0.0.1` works offline on
    a workspace written as the lesson writes it (dated snapshots, a dashboard panel)."""
    from evidently import Report
    from evidently.presets import DataDriftPreset
    from evidently.sdk.models import PanelMetric
    from evidently.sdk.panels import line_plot_panel
    from evidently.ui.workspace import Workspace

    reference, batches = week10._monitor_cases()
    workspace = Workspace.create(str(tmp_path / "workspace"))
    project = workspace.create_project("monitoring test")
    for k, (label, batch) in enumerate(list(batches.items())[:2]):
        snapshot = Report([DataDriftPreset()]).run(reference_data=reference, current_data=batch,
                                                   timestamp=datetime(2024, 1, 7 * (k + 1)))
        workspace.add_run(project.id, snapshot, name=label)
    project.dashboard.add_panel(line_plot_panel(title="Share of drifted columns", values=[
        PanelMetric(legend="share", metric="DriftedColumnsCount", metric_labels={"value_type": "share"})]))

    port = services.free_port()
    log = tmp_path / "ui.log"
    with open(log, "w") as out:
        process = subprocess.Popen([str(Path(sys.executable).parent / "evidently"), "ui", "--workspace", str(tmp_path / "workspace"),
                                    "--host", services.HOST, "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT, env=services.child_env())
    try:
        base = f"http://{services.HOST}:{port}"
        services.wait_until_healthy(process, f"{base}/api/version", "evidently ui", log, timeout=60)
        import json
        import urllib.request

        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        projects = json.load(opener.open(f"{base}/api/projects", timeout=10))
        assert [p["name"] for p in projects] == ["monitoring test"]
        snapshots = json.load(opener.open(f"{base}/api/projects/{project.id}/snapshots", timeout=10))
        assert len(snapshots) == 2
        assert services.answers_http(f"{base}/")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
