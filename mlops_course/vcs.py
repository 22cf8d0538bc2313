"""Git and DVC in scratch folders (week 12): run a command in a repository without the
user's own Git configuration, make repositories and bare remotes, read what a history
holds, and run a GitHub Actions workflow's steps on this machine.

Lessons and checks call these; the Git and DVC commands of the week are the student's.
Nothing here touches the global Git configuration: each command sees an empty global
configuration (``GIT_CONFIG_GLOBAL``), and names and e-mails are set per repository.
"""
from __future__ import annotations

import hashlib
import itertools
import os
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

from .services import child_env

#: Markers Git writes into a file whose merge it could not finish.
CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")

# Terminal control sequences and progress-spinner lines that dvc prints even without a terminal.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_SPINNER = re.compile(r"^\s*[\u2800-\u28ff]")


def plain(text: str) -> str:
    """``text`` without colour codes and spinner lines: what a person reads in a log."""
    lines = (_ANSI.sub("", line) for line in text.splitlines())
    return "\n".join(line for line in lines if not _SPINNER.match(line)).strip()


# One fake minute per command: commit dates (and so ids) do not depend on the clock.
_clock = itertools.count(1_767_225_600, 60)


class CommandError(RuntimeError):
    """A git or dvc command exited with an error; the message quotes what it printed."""


def tool_env(repo: Path | str | None = None) -> dict:
    """The environment of a git or dvc command: telemetry off, the user's Git
    configuration hidden, no password prompts, DVC's site cache beside the repository."""
    stamp = f"{next(_clock)} +0000"
    env = child_env(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0",
                    GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp, DVC_NO_ANALYTICS="1")
    if repo is not None:
        env["DVC_SITE_CACHE_DIR"] = str(Path(repo).resolve().parent / ".dvc-site-cache")
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):  # never aim at another repository
        env.pop(key, None)
    return env


def run(tool: str, *args: str, repo: Path | str, check: bool = True, show: bool = True) -> subprocess.CompletedProcess:
    """Run ``tool ARGS`` (``git`` or ``dvc``) in ``repo``; print the command and its output
    when ``show``; raise :class:`CommandError` on a non-zero exit when ``check``."""
    exe = tool
    if tool == "dvc":  # the dvc of this Python's environment, also when its bin/ is not on PATH
        candidate = Path(sys.executable).parent / "dvc"
        exe = str(candidate) if candidate.exists() else "dvc"
    done = subprocess.run([exe, *map(str, args)], cwd=repo, env=tool_env(repo), capture_output=True, text=True)
    output = plain(done.stdout + done.stderr)
    if show:
        print("$", shlex.join([tool, *map(str, args)]))
        if output:
            print(textwrap.indent(output, "  "))
    if check and done.returncode != 0:
        raise CommandError(f"`{tool} {' '.join(map(str, args))}` exited with {done.returncode}:\n{output}")
    return done


def git(*args: str, repo: Path | str, check: bool = True, show: bool = True) -> subprocess.CompletedProcess:
    """Run one git command in ``repo`` (see :func:`run`)."""
    return run("git", *args, repo=repo, check=check, show=show)


def dvc(*args: str, repo: Path | str, check: bool = True, show: bool = True) -> subprocess.CompletedProcess:
    """Run one dvc command in ``repo`` (see :func:`run`)."""
    return run("dvc", *args, repo=repo, check=check, show=show)


def out(*args: str, repo: Path | str) -> str:
    """The stripped standard output of a git command that must succeed (quietly)."""
    return git(*args, repo=repo, show=False).stdout.strip()


def new_repo(path: Path | str, name: str = "Ada Student", email: str = "ada@example.org",
             branch: str = "main") -> Path:
    """``git init`` a repository at ``path`` with a local author (never the global one)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", branch, repo=path, show=False)
    set_author(path, name, email)
    return path


def set_author(repo: Path | str, name: str, email: str) -> None:
    """Author name and e-mail for this repository only (``git config`` without ``--global``)."""
    git("config", "user.name", name, repo=repo, show=False)
    git("config", "user.email", email, repo=repo, show=False)
    git("config", "commit.gpgsign", "false", repo=repo, show=False)


def bare_remote(path: Path | str) -> Path:
    """A bare repository at ``path``: it plays GitHub (``git push`` goes there)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "--bare", "-b", "main", repo=path, show=False)
    return path


def write(path: Path | str, text: str) -> Path:
    """Write ``text`` (dedented) to ``path``, creating its folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def parents(repo: Path | str, ref: str = "HEAD") -> list[str]:
    """The commit ids of ``ref``'s parents (two for a merge commit)."""
    return out("rev-list", "--parents", "-n", "1", ref, repo=repo).split()[1:]


def remote_heads(remote: Path | str) -> dict[str, str]:
    """Branch name -> commit id of every branch a remote (a path or URL) holds."""
    listing = git("ls-remote", "--heads", str(remote), repo=remote, show=False).stdout
    return {ref.removeprefix("refs/heads/"): sha for sha, ref in (line.split() for line in listing.splitlines())}


def files_with_markers(repo: Path | str, ref: str = "HEAD") -> list[str]:
    """Files in commit ``ref`` with a line that starts with a conflict marker."""
    done = git("grep", "-l", "-E", r"^(<<<<<<<|=======|>>>>>>>)", ref, "--", repo=repo, check=False, show=False)
    return sorted(line.split(":", 1)[1] for line in done.stdout.splitlines() if ":" in line)


def md5_path(data: bytes) -> str:
    """Where DVC 3 keeps content ``data`` in a cache or remote: ``files/md5/xx/yyyy...``."""
    digest = hashlib.md5(data).hexdigest()
    return f"files/md5/{digest[:2]}/{digest[2:]}"


def installed_pins(*names: str) -> list[str]:
    """``name==version`` of installed distributions: a requirements file for what ran here."""
    from importlib.metadata import version

    return [f"{name}=={version(name)}" for name in names]


def _log_tail(log: str, pytest: bool, lines: int = 12) -> list[str]:
    """The part of a step's log a person reads first: for pytest, each failure's one-line
    reason (``--tb=line``) and the summary, whatever else was printed around them;
    otherwise the last lines."""
    text = log.splitlines()
    if pytest:
        wanted = re.compile(r"^(\S.*:\d+: \w+(Error|Exception)\b|FAILED |ERROR |=+ .*(passed|failed|error)|\d+ (passed|failed))")
        picked = [line for line in text if wanted.search(line)]
        if picked:
            return picked[-lines:]
    return text[-lines:]


def run_workflow(workflow: Path | str, remote: Path | str, workdir: Path | str, job: str | None = None) -> bool:
    """Run the steps of one job of a GitHub Actions workflow on this machine, the way a
    runner would on a fresh virtual machine; return True when every step passed.

    ``actions/checkout`` becomes a fresh ``git clone`` of ``remote`` into ``workdir``;
    ``actions/setup-python`` checks this Python's version; a ``pip install -r FILE`` step
    checks that every pin in FILE is installed in this environment (no downloads here);
    every other ``run:`` step runs in bash in the clone. Like GitHub, the job stops at
    the first failing step. ``workflow`` is read from the committed file in the clone.
    """
    import yaml
    from importlib.metadata import PackageNotFoundError, version

    workdir = Path(workdir)
    spec = yaml.safe_load(Path(workflow).read_text())
    jobs = spec["jobs"]
    name = job or next(iter(jobs))
    clone = workdir / "checkout"
    env = {**tool_env(clone), "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
           "PY_COLORS": "0", "COLUMNS": "120"}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    print(f"job {name!r} on a fresh folder ({jobs[name].get('runs-on', '?')} on GitHub)")
    for number, step in enumerate(jobs[name]["steps"], 1):
        label = step.get("name") or step.get("uses") or step.get("run")
        ok, log = True, ""
        if "uses" in step and step["uses"].startswith("actions/checkout"):
            if clone.exists():
                import shutil

                shutil.rmtree(clone)
            done = subprocess.run(["git", "clone", "-q", str(remote), str(clone)], env=env,
                                  capture_output=True, text=True)
            ok, log = done.returncode == 0, done.stderr
        elif "uses" in step and step["uses"].startswith("actions/setup-python"):
            wanted = str(step.get("with", {}).get("python-version", ""))
            have = f"{sys.version_info.major}.{sys.version_info.minor}"
            ok, log = have == wanted, f"this Python is {have}, the workflow asks for {wanted}"
        elif "uses" in step:
            ok, log = True, "(an action this local runner does not know: skipped)"
        elif step["run"].split()[:3] == ["pip", "install", "-r"]:
            problems = []
            for line in (clone / step["run"].split()[3]).read_text().splitlines():
                line = line.split("#")[0].strip()
                if not line:
                    continue
                pkg, _, pinned = line.partition("==")
                try:
                    have = version(pkg)
                except PackageNotFoundError:
                    have = None
                if have != pinned:
                    problems.append(f"{pkg}: pinned {pinned or '(no pin)'}, installed {have}")
            ok, log = not problems, "\n".join(problems) or "every pin is installed here (no download needed)"
        else:
            done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=clone, env=env,
                                  capture_output=True, text=True)
            ok, log = done.returncode == 0, plain(done.stdout + done.stderr)
        print(f"  {'✓' if ok else '✗'} step {number}: {label}")
        if log and (not ok or "pytest" in str(step.get("run", ""))):
            print(textwrap.indent("\n".join(_log_tail(log, pytest="pytest" in str(step.get("run", "")))), "      "))
        if not ok:
            print(f"job {name!r}: FAILED at step {number}")
            return False
    print(f"job {name!r}: PASSED")
    return True
