"""The autograder's kernel sandbox: Linux namespaces via bubblewrap, plus resource limits.

nbgrader runs each submission in a kernel named ``mlops-grader``. Its kernelspec
(written under ``build/grader-kernel/`` by :func:`install_kernelspec`) starts this
module, which builds a ``bwrap`` command line for the kernel:

* the whole file system read-only, with the course folder replaced by an empty one
  except the virtual environment, the package and ``data/`` (read-only) and the
  submission's own working folder (writable); the home folder and ``/tmp`` are empty;
* no network (a new network namespace has only its own loopback), its own process
  namespace (other processes are invisible), a new session;
* the kernel talks to the grader over ZeroMQ IPC sockets in a per-worker folder,
  which is the only other writable place;
* address-space and file-size limits (``resource.setrlimit``) before the kernel starts.

Without bubblewrap the kernel still gets the resource limits, and grading reports
that isolation was off (``MLOPS_GRADER_SANDBOX=required`` makes that an error).
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import sys
from pathlib import Path

from . import paths

KERNEL_NAME = "mlops-grader"
MEMORY_MB = int(os.environ.get("MLOPS_GRADER_MEMORY_MB", "2048"))
FILE_SIZE_MB = 200
# The kernel itself: plain tracebacks (IPython's verbose ones cost tens of milliseconds
# per error, and an unanswered quiz raises in every answer cell), no input history.
KERNEL = ["-m", "ipykernel_launcher", "--InteractiveShell.xmode=Plain", "--HistoryManager.enabled=False"]
# The grader's database address and password (a PostgreSQL gradebook) stay out of the
# kernel's environment, where student code could print them into its feedback.
GRADER_ONLY_ENV = ("MLOPS_GRADEBOOK_URL", "PGPASSWORD")


def bwrap() -> str | None:
    """Path of the bubblewrap binary, if installed and usable."""
    return shutil.which("bwrap")


def policy() -> str:
    """``auto`` (sandbox if bubblewrap exists), ``required`` or ``off``."""
    return os.environ.get("MLOPS_GRADER_SANDBOX", "auto")


def isolation_active() -> bool:
    return policy() != "off" and bwrap() is not None


def kernelspec_root() -> Path:
    """Folder to put first on JUPYTER_PATH so nbgrader finds the grader kernel."""
    return paths.BUILD_DIR / "grader-kernel"


def install_kernelspec() -> Path:
    """Write the ``mlops-grader`` kernelspec and return the JUPYTER_PATH entry for it."""
    if policy() == "required" and bwrap() is None:
        raise RuntimeError(
            "MLOPS_GRADER_SANDBOX=required but bubblewrap is not installed "
            "(Debian/Ubuntu: apt-get install bubblewrap)."
        )
    spec_dir = kernelspec_root() / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "mlops_course.sandbox", "{connection_file}"],
        "display_name": "Python 3 (course grader sandbox)",
        "language": "python",
        # Interrupt over the control channel: signals do not cross into the sandbox's session.
        "interrupt_mode": "message",
        "env": {"MLOPS_COURSE_ROOT": str(paths.ROOT), "MLOPS_GRADER_SANDBOX": policy(),
                "DO_NOT_TRACK": "true", "MLFLOW_DISABLE_TELEMETRY": "true"},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return kernelspec_root()


def bwrap_command(connection_file: str, workdir: Path) -> list[str]:
    """The bubblewrap command line that runs an IPython kernel for ``workdir``."""
    home = Path.home().resolve()
    package = Path(__file__).resolve().parent
    base = Path(sys.base_prefix).resolve()
    info = json.loads(Path(connection_file).read_text())
    cmd = [bwrap(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    # Hide the grader's home (keys, configs), the course root and the package's checkout
    # behind empty folders, made read-only once the binds below are in place. A package
    # installed in the environment (the course hub's) has no checkout to hide.
    environment = Path(sys.prefix).resolve()
    hidden: list[Path] = []
    for folder in sorted({home, paths.ROOT.resolve(), package.parent}, key=lambda p: len(p.parts)):
        # Outer folders first; one inside a folder already hidden (a scratch course in the
        # checkout's build/) is hidden with it, and mounting it again would fail.
        if folder != Path("/") and not folder.is_relative_to(environment) \
                and not any(folder.is_relative_to(h) for h in hidden):
            hidden.append(folder)
    hidden = [str(h) for h in hidden]
    for folder in hidden:
        cmd += ["--tmpfs", folder]
    # Then make visible again, read-only, what the kernel needs to run.
    readable = {base: base, Path(sys.prefix): Path(sys.prefix).resolve(), package: package,
                paths.DATA_DIR: paths.DATA_DIR.resolve()}
    for seen, real in readable.items():
        for target in {seen, real}:
            cmd += ["--ro-bind", str(real), str(target)]
    if info.get("transport") == "ipc":
        sockets = Path(info["ip"]).parent
        cmd += ["--bind", str(sockets), str(sockets)]
    cmd += [
        "--ro-bind", connection_file, connection_file,
        "--bind", str(workdir), str(workdir),
        *[arg for folder in hidden for arg in ("--remount-ro", folder)],
        "--chdir", str(workdir),
        "--setenv", "HOME", str(workdir),
        "--unsetenv", "JPY_PARENT_PID",  # the kernel's parent lives outside the PID namespace
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--new-session", "--die-with-parent",
        sys.executable, *KERNEL, "-f", connection_file,
    ]
    return cmd


def limit_resources() -> None:
    """Cap memory (address space) and the size of files the kernel may write."""
    memory = MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    size = FILE_SIZE_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def main(argv: list[str]) -> None:
    """Kernel launcher (``python -m mlops_course.sandbox CONNECTION_FILE``)."""
    connection_file = argv[0]
    workdir = Path.cwd()
    limit_resources()
    # ipykernel prints a connection banner on stdout when it has no parent handle; the
    # notebook's own output travels over ZeroMQ, so the kernel's stdout can go.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    for name in GRADER_ONLY_ENV:
        os.environ.pop(name, None)
    if isolation_active():
        cmd = bwrap_command(connection_file, workdir)
    else:
        cmd = [sys.executable, *KERNEL, "-f", connection_file]
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main(sys.argv[1:])
