"""The autograder's kernel sandbox: Linux namespaces via bubblewrap, plus resource limits.

nbgrader runs each submission in a kernel named ``mlops-grader``. Its kernelspec
(written under ``build/grader-kernel/`` by :func:`install_kernelspec`) starts this
module, which builds a ``bwrap`` command line for the kernel:

* a file system built from nothing: the system folders, the Python installation and
  environment, the package and ``data/`` (read-only) and the kernel's working folder
  (writable; a fresh copy of the submission's own files, see
  ``integrity.working_folder``); the course folder, the gradebook, the quiz sources and
  every other notebook on the machine are absent; the home folder and ``/tmp`` are empty;
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

from .. import paths
from ..notebook import TELEMETRY_OFF

KERNEL_NAME = "mlops-grader"


class SandboxError(RuntimeError):
    """The grading sandbox cannot be set up as configured; the message says what to do."""

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


def why_not_isolated() -> str:
    """Why grading runs without the sandbox, in a few words."""
    return "MLOPS_GRADER_SANDBOX=off" if policy() == "off" else "bubblewrap is not installed"


def kernelspec_root() -> Path:
    """Folder to put first on JUPYTER_PATH so nbgrader finds the grader kernel."""
    return paths.BUILD_DIR / "grader-kernel"


def install_kernelspec() -> Path:
    """Write the ``mlops-grader`` kernelspec and return the JUPYTER_PATH entry for it."""
    if policy() == "required" and bwrap() is None:
        raise SandboxError(
            "MLOPS_GRADER_SANDBOX=required but bubblewrap is not installed "
            "(Debian/Ubuntu: apt-get install bubblewrap)."
        )
    spec_dir = kernelspec_root() / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "mlops_course.instructor.sandbox", "{connection_file}"],
        "display_name": "Python 3 (course grader sandbox)",
        "language": "python",
        # Interrupt over the control channel: signals do not cross into the sandbox's session.
        "interrupt_mode": "message",
        "env": {"MLOPS_COURSE_ROOT": str(paths.ROOT), "MLOPS_GRADER_SANDBOX": policy(), **TELEMETRY_OFF},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return kernelspec_root()


#: The system folders the kernel sees, read-only (those that exist; a symlinked one, as
#: /bin -> usr/bin on Debian, is recreated as the same link). Nothing else of the host's
#: file system is mounted: not the course, not another checkout of it, not /srv, /home,
#: /var or /work.
SANDBOX_HOME = "/tmp/home"
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")


def bwrap_command(connection_file: str, workdir: Path) -> list[str]:
    """The bubblewrap command line that runs an IPython kernel for ``workdir``.

    The kernel's file system is built up from nothing: the system folders, the Python
    installation and environment, the course package's student room (its instructor
    subpackage is an empty folder) and ``data/`` (all read-only), the
    connection file and socket folder, and ``workdir`` (the submission's own files,
    writable). ``/tmp`` and the home folder (``/tmp/home``) start empty.
    """
    tools = Path(__file__).resolve().parent
    package = tools.parent
    info = json.loads(Path(connection_file).read_text())
    cmd = [bwrap()]
    for folder in SYSTEM_FOLDERS:
        path = Path(folder)
        if path.is_symlink():
            cmd += ["--symlink", os.readlink(path), folder]
        elif path.is_dir():
            cmd += ["--ro-bind", folder, folder]
    cmd += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    # What the kernel needs to run, read-only, under the names it is known by and the
    # real ones (a venv's python is a link into the base installation).
    readable = {Path(sys.base_prefix): Path(sys.base_prefix).resolve(), Path(sys.prefix): Path(sys.prefix).resolve(),
                package: package, paths.DATA_DIR: paths.DATA_DIR.resolve()}
    # A folder bound deep inside /tmp (a scratch course's data/) gets read-only parents:
    # its first folder below /tmp is a tmpfs of its own, made read-only once bound.
    anchors = sorted({Path(*t.parts[:3]) for pair in readable.items() for t in pair
                      if t.is_relative_to("/tmp") and len(t.parts) > 3})
    for anchor in anchors:
        cmd += ["--tmpfs", str(anchor)]
    for seen, real in readable.items():
        for target in dict.fromkeys((seen, real)):
            cmd += ["--ro-bind", str(real), str(target)]
    # The instructor's tools (this module, the integrity probes, grading) are not the
    # kernel's business: an empty, read-only folder stands in their place.
    cmd += ["--tmpfs", str(tools), "--remount-ro", str(tools)]
    if info.get("transport") == "ipc":
        sockets = Path(info["ip"]).parent
        cmd += ["--bind", str(sockets), str(sockets)]
    cmd += [
        "--ro-bind", connection_file, connection_file,
        "--bind", str(workdir), str(workdir),
        # Nothing but /tmp, the working folder and the socket folder is writable: not the
        # skeleton bwrap builds the mounts in (the parents of every folder bound above).
        *[arg for anchor in anchors for arg in ("--remount-ro", str(anchor))],
        "--remount-ro", "/",
        "--chdir", str(workdir),
        # An empty home of its own, so IPython's profile and library caches (~/.keras,
        # ~/.config/matplotlib) stay out of the working folder.
        "--dir", SANDBOX_HOME, "--setenv", "HOME", SANDBOX_HOME,
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
    """Kernel launcher (``python -m mlops_course.instructor.sandbox CONNECTION_FILE``)."""
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
