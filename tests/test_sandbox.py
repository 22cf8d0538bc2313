"""mlops_course.instructor.sandbox: the grader kernel's launcher and file system."""
from __future__ import annotations

import os
import shutil

import pytest

from mlops_course import paths
from mlops_course.instructor import build


def test_kernel_launcher_starts_without_heavy_imports():
    """Protects: grading speed. The sandbox launcher runs once per submission; importing
    the package for it must not pull in pandas or scikit-learn (about 0.6 s of CPU each)."""
    import subprocess
    import sys

    probe = "import sys, mlops_course.instructor.sandbox; print(sorted(m for m in ('pandas', 'sklearn', 'numpy') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_sandbox_starts_for_a_course_inside_the_checkout(tmp_path):
    """Protects: `make bench` grades in a scratch course under the checkout's build/; the
    sandbox must start there too (nested hidden folders once made every kernel die)."""
    import subprocess
    import sys

    from mlops_course.instructor import sandbox

    if sandbox.bwrap() is None:
        pytest.skip("bubblewrap is not installed (make system-deps)")
    root = paths.BUILD_DIR / "test-nested-course"
    shutil.rmtree(root, ignore_errors=True)
    build.scratch_course_root(root)
    work = root / "build" / "autograded" / "someone" / "week"
    work.mkdir(parents=True)
    probe = (
        "import json, pathlib, subprocess, sys\n"
        "from mlops_course.instructor import sandbox\n"
        f"conn = pathlib.Path({str(tmp_path)!r}) / 'kernel.json'\n"
        "conn.write_text(json.dumps({'transport': 'tcp', 'ip': '127.0.0.1'}))\n"
        f"cmd = sandbox.bwrap_command(str(conn), pathlib.Path({str(work)!r}))\n"
        "cmd = cmd[: cmd.index('-m')] + ['-c', 'import mlops_course.quiz, os; print(sorted(os.listdir(\".\")))']\n"
        f"sys.exit(subprocess.run(cmd, cwd={str(work)!r}).returncode)\n"
    )
    try:
        (work / "answer.txt").write_text("mine")
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              env={**os.environ, "MLOPS_COURSE_ROOT": str(root)})
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip() == "['answer.txt']"
    finally:
        shutil.rmtree(root, ignore_errors=True)
