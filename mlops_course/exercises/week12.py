"""Week 12 exercises: version control, data versioning, CI for ML, containers and scaling.

The Git and DVC checks build a small repository, a bare remote and (for DVC) a local
remote in a temporary folder of their own, run the student's function on it and then
read the result the way a teammate would: ``git log`` and the remote's branches, or a
fresh clone followed by ``dvc pull``.
"""
from __future__ import annotations

import hashlib
import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from .. import vcs
from ..checks import Exercise, Incorrect, expect_callable, expect_number, register


# -- exercise 1: finish a merge that stopped on a conflict, push the branch ----------
def _g(repo, *args, check=True):
    return vcs.git(*args, repo=repo, check=check, show=False)


def _merge_scenario(root: Path, branch: str, base: list[str], at: int, ours: str, theirs: str,
                    pushed_before: bool) -> dict:
    """A clone on ``branch`` whose ``git merge origin/main`` stopped on a conflict in
    params.yaml: both sides added a different line at the same place."""
    remote = vcs.bare_remote(root / "origin.git")
    repo = vcs.new_repo(root / "work")
    (repo / "params.yaml").write_text("".join(base))
    (repo / "README.md").write_text("# churn model\n")
    _g(repo, "add", ".")
    _g(repo, "commit", "-q", "-m", "First parameters")
    _g(repo, "remote", "add", "origin", str(remote))
    _g(repo, "push", "-q", "origin", "main")
    _g(repo, "checkout", "-q", "-b", branch)
    (repo / "params.yaml").write_text("".join(base[:at] + [ours] + base[at:]))
    _g(repo, "commit", "-q", "-am", "Add a parameter on the branch")
    if pushed_before:
        _g(repo, "push", "-q", "origin", branch)
    ours_tip = vcs.out("rev-parse", "HEAD", repo=repo)
    _g(repo, "checkout", "-q", "main")
    (repo / "params.yaml").write_text("".join(base[:at] + [theirs] + base[at:]))
    _g(repo, "commit", "-q", "-am", "Add a parameter on main")
    _g(repo, "push", "-q", "origin", "main")
    main_tip = vcs.out("rev-parse", "HEAD", repo=repo)
    _g(repo, "checkout", "-q", branch)
    _g(repo, "merge", "origin/main", check=False)
    return {"repo": repo, "remote": remote, "branch": branch, "ours": ours_tip, "main": main_tip,
            "good": [base[:at] + [ours, theirs] + base[at:], base[:at] + [theirs, ours] + base[at:]]}


_MERGES = [
    ("tune-trees", ["learning_rate: 0.1\n", "max_depth: 3\n", "n_estimators: 200\n"], 2,
     "subsample: 0.8\n", "min_child_weight: 5\n", False),
    ("feature/regularise", ["# model parameters\n", "C: 1.0\n", "penalty: l2\n", "max_iter: 500\n"], 4,
     "class_weight: balanced\n", "tol: 0.0001\n", True),
]


def _keep_both_sides(repo):
    path = Path(repo) / "params.yaml"
    kept = [line for line in path.read_text().splitlines(keepends=True)
            if not line.startswith(vcs.CONFLICT_MARKERS)]
    path.write_text("".join(kept))


def _finish(repo, resolve, push=("push", "origin", "HEAD"), commit=("commit", "--no-edit")):
    resolve(repo)
    _g(repo, "add", "params.yaml")
    _g(repo, *commit)
    if push:
        _g(repo, *push)


def _union_with_merge_file(repo):
    """Valid alternative: rebuild the file from the three index stages with --union."""
    folder = Path(repo)
    for stage, name in ((1, "base"), (2, "ours"), (3, "theirs")):
        (folder / f".{name}.yaml").write_text(vcs.out("show", f":{stage}:params.yaml", repo=repo) + "\n")
    merged = _g(repo, "merge-file", "-p", "--union", ".ours.yaml", ".base.yaml", ".theirs.yaml").stdout
    (folder / "params.yaml").write_text(merged)
    for name in ("base", "ours", "theirs"):
        (folder / f".{name}.yaml").unlink()
    _g(repo, "add", "params.yaml")
    _g(repo, "commit", "-m", "Merge origin/main: keep both new parameters")
    branch = vcs.out("branch", "--show-current", repo=repo)
    _g(repo, "push", "-u", "origin", branch)


class FinishMerge(Exercise):
    title = "Resolve a merge conflict, commit the merge and push the branch"
    hints = (
        "Read the file first: the lines between `<<<<<<<` and `=======` are your side, those between "
        "`=======` and `>>>>>>>` the other side. Here both sides are wanted, so resolving means keeping "
        "both lines and deleting the three marker lines. Then Git needs `add`, `commit` and `push`.",
        "Write params.yaml back without the lines that start with a marker. Then three Git commands: "
        "stage the file (that marks the conflict resolved), commit (Git already knows it is finishing a "
        "merge, so `--no-edit` keeps its message) and push to origin the branch you are on; `HEAD` "
        "names it, so your function need not know the branch's name.",
    )
    solution = """```python
def finish_merge(repo):
    path = Path(repo) / "params.yaml"
    lines = path.read_text().splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(("<<<<<<<", "=======", ">>>>>>>"))]
    path.write_text("".join(kept))
    git("add", "params.yaml", repo=repo)
    git("commit", "--no-edit", repo=repo)
    git("push", "origin", "HEAD", repo=repo)
```
`git add` marks the conflict as resolved and `git commit` records a merge commit with
two parents (your branch and `origin/main`). Pushing `HEAD` sends the branch you are on,
whatever its name; `git push -u origin tune-trees` names it explicitly. Note that Git
lets you commit a file that still holds markers: checking for them is your job."""
    wrong_answer = staticmethod(lambda repo: _finish(repo, lambda r: None))  # markers committed
    wrong_answers = (
        # keeps one side only (the whole file from one side drops the other new line)
        lambda repo: _finish(repo, lambda r: _g(r, "checkout", "--ours", "params.yaml")),
        lambda repo: _finish(repo, lambda r: _g(r, "checkout", "--theirs", "params.yaml")),
        # resolves and commits, but never pushes
        lambda repo: _finish(repo, _keep_both_sides, push=None),
        # pushes main instead of the branch being merged
        lambda repo: _finish(repo, _keep_both_sides, push=("push", "origin", "main")),
        # pushes the merge onto main on the remote
        lambda repo: _finish(repo, _keep_both_sides, push=("push", "origin", "HEAD:main")),
        # gives up on the merge: no two-parent commit
        lambda repo: (_g(repo, "merge", "--abort"), _g(repo, "push", "origin", "HEAD")),
        # writes the file from memory: the lesson's values, not this repository's
        lambda repo: _finish(repo, lambda r: (Path(r) / "params.yaml").write_text(
            "learning_rate: 0.1\nmax_depth: 5\nsubsample: 0.8\nmin_child_weight: 5\n")),
    )
    right_answers = (
        lambda repo: _finish(repo, _keep_both_sides),
        lambda repo: _finish(repo, _keep_both_sides, commit=("commit", "-m", "Merge origin/main"),
                             push=("push", "-u", "origin", vcs.out("rev-parse", "--abbrev-ref", "HEAD", repo=repo))),
        _union_with_merge_file,
    )
    check_budget = 1.5  # two real repositories with a remote each: about 40 git commands

    def evaluate(self, fn) -> None:
        expect_callable(fn, "finish_merge")
        for branch, base, at, ours, theirs, pushed in _MERGES:
            with tempfile.TemporaryDirectory(prefix="week12_merge_") as tmp:
                case = _merge_scenario(Path(tmp), branch, base, at, ours, theirs, pushed)
                fn(case["repo"])
                self._judge(case)

    @staticmethod
    def _judge(case) -> None:
        repo, branch = case["repo"], case["branch"]
        where = f"In a repository on branch {branch!r}"
        if (repo / ".git" / "MERGE_HEAD").exists():
            raise Incorrect(f"{where} the merge is still open: `git add` the resolved file, then `git commit`.")
        if vcs.out("branch", "--show-current", repo=repo) != branch:
            raise Incorrect(f"{where} your function left another branch checked out: finish the merge on it.")
        found = vcs.parents(repo)
        if sorted(found) != sorted([case["ours"], case["main"]]) or found[0] != case["ours"]:
            raise Incorrect(f"{where} the last commit has {len(found)} parent(s) and is not the merge of the "
                            "branch with origin/main: finish the merge that stopped rather than starting over.")
        if vcs.files_with_markers(repo):
            raise Incorrect(f"{where} the merge commit still holds conflict markers in "
                            f"{vcs.files_with_markers(repo)}: delete the marker lines before `git add`.")
        text = vcs.out("show", "HEAD:params.yaml", repo=repo) + "\n"
        if text.splitlines(keepends=True) not in case["good"]:
            raise Incorrect(f"{where} params.yaml in the merge commit is not right: both sides added a "
                            "parameter and both must stay; every other line stays as it was.")
        if vcs.out("status", "--porcelain", "--untracked-files=no", repo=repo):
            raise Incorrect(f"{where} changes to tracked files are left uncommitted.")
        heads = vcs.remote_heads(case["remote"])
        if heads.get("main") != case["main"]:
            raise Incorrect(f"{where} main on the remote changed: push the branch you are on, not main.")
        if heads.get(branch) != vcs.out("rev-parse", "HEAD", repo=repo):
            raise Incorrect(f"{where} the remote does not have your merge on {branch!r}: push that branch "
                            "(`git push origin HEAD` pushes the branch you are on).")


# -- exercise 3: put a data file under DVC and share it ---------------------------------
def _dvc_scenario(root: Path, relpath: str, data: bytes) -> dict:
    """A Git repository with DVC initialised, a local DVC remote as default, pushed to a
    bare origin, and one new data file that nothing tracks yet."""
    remote = vcs.bare_remote(root / "origin.git")
    storage = root / "dvc-storage"
    repo = vcs.new_repo(root / "work")
    # What `dvc init` writes, written directly (one dvc call less per check), plus a default remote.
    vcs.write(repo / ".dvc" / ".gitignore", "/config.local\n/tmp\n/cache\n")
    (repo / ".dvcignore").write_text("# files DVC should ignore\n")
    (repo / ".dvc" / "config").write_text(
        f"[core]\n    remote = storage\n['remote \"storage\"']\n    url = {storage}\n")
    (repo / "README.md").write_text("# churn data\n")
    _g(repo, "add", ".")
    _g(repo, "commit", "-q", "-m", "Start tracking data with DVC")
    _g(repo, "remote", "add", "origin", str(remote))
    _g(repo, "push", "-q", "-u", "origin", "main")
    vcs.write(repo / relpath, "")
    (repo / relpath).write_bytes(data)
    return {"repo": repo, "remote": remote, "path": relpath, "data": data, "clone": root / "teammate"}


def _share(repo, path, steps):
    for tool, *args in steps:
        vcs.run(tool, *[a.format(path=path, folder=str(Path(path).parent)) for a in args], repo=repo, show=False)


_DVC_WAY = [("dvc", "add", "{path}"), ("git", "add", "{path}.dvc", "{folder}/.gitignore"),
            ("git", "commit", "-m", "Track {path} with DVC"), ("dvc", "push"), ("git", "push", "origin", "main")]


class TrackAndShare(Exercise):
    title = "Version a data file with DVC and share it through the remotes"
    hints = (
        "Four commands, two tools: DVC puts the file in its cache and writes a small pointer "
        "(`dvc add`); Git records the pointer (`git add`, `git commit`); each tool then sends its part to "
        "its own remote (`dvc push` for the data, `git push` for the commit).",
        "`dvc add` prints which two files to `git add`: `PATH.dvc` and the `.gitignore` next to the "
        "data (so nobody commits the data by accident). The DVC remote is already the default, so "
        "`dvc push` needs no arguments; the Git branch is `main`.",
    )
    solution = """```python
def track_and_share(repo, path):
    dvc("add", path, repo=repo)
    git("add", f"{path}.dvc", str(Path(path).parent / ".gitignore"), repo=repo)
    git("commit", "-m", f"Track {path} with DVC", repo=repo)
    dvc("push", repo=repo)
    git("push", "origin", "main", repo=repo)
```
A teammate who clones the repository gets the pointer from Git and the bytes from
`dvc pull`; both pushes are needed. Forgetting `dvc push` is the classic mistake: the
commit names data that only your laptop has."""
    wrong_answer = staticmethod(lambda repo, path: _share(repo, path, [s for s in _DVC_WAY if s[:2] != ("dvc", "push")]))
    wrong_answers = (
        # the data itself goes into Git
        lambda repo, path: _share(repo, path, [("git", "add", "{path}"), ("git", "commit", "-m", "data"),
                                               ("git", "push", "origin", "main")]),
        # the pointer is never committed, only the data pushed
        lambda repo, path: _share(repo, path, [("dvc", "add", "{path}"), ("dvc", "push"),
                                               ("git", "push", "origin", "main")]),
        # committed but the commit never reaches origin
        lambda repo, path: _share(repo, path, _DVC_WAY[:-1]),
        # the pointer is committed without the .gitignore DVC wrote
        lambda repo, path: _share(repo, path, [("dvc", "add", "{path}"), ("git", "add", "{path}.dvc"),
                                               ("git", "commit", "-m", "data"), ("dvc", "push"),
                                               ("git", "push", "origin", "main")]),
    )
    right_answers = (
        lambda repo, path: _share(repo, path, _DVC_WAY),
        # another order, DVC staging for Git itself, and the remote named explicitly
        lambda repo, path: _share(repo, path, [("dvc", "config", "core.autostage", "true"), ("dvc", "add", "{path}"),
                                               ("dvc", "push", "-r", "storage"),
                                               ("git", "commit", "-am", "Track data with DVC"),
                                               ("git", "push", "-u", "origin", "HEAD")]),
    )
    # A real DVC round trip (the student's add and push, then a clone and dvc pull): about 1.5 s on
    # an idle 2-core machine, 9 s measured with the machine shared by four other jobs.
    check_budget = 15.0
    time_limit = 30.0

    def evaluate(self, fn) -> None:
        expect_callable(fn, "track_and_share")
        rng = np.random.default_rng(12)
        frame = pd.DataFrame({"tenure": rng.integers(1, 72, 40), "charges": rng.normal(60, 15, 40).round(2)})
        with tempfile.TemporaryDirectory(prefix="week12_dvc_") as tmp:
            case = _dvc_scenario(Path(tmp), "raw/customers.csv", frame.to_csv(index=False).encode())
            fn(case["repo"], case["path"])
            self._judge(case)

    @staticmethod
    def _judge(case) -> None:
        path, clone = case["path"], case["clone"]
        done = vcs.git("clone", "-q", str(case["remote"]), str(clone), repo=clone.parent, check=False, show=False)
        if done.returncode != 0:
            raise Incorrect("The Git remote could not be cloned after your function ran.")
        if vcs.out("ls-files", "--", path, repo=clone):
            raise Incorrect(f"A fresh clone has {path} itself in Git's history: Git should hold only the "
                            "small pointer file, DVC the data.")
        if not (clone / f"{path}.dvc").exists():
            raise Incorrect(f"A fresh clone of origin has no {path}.dvc: commit the pointer and push the commit.")
        if vcs.git("check-ignore", "-q", path, repo=clone, check=False, show=False).returncode != 0:
            raise Incorrect(f"In a fresh clone Git would not ignore {path}: commit the .gitignore that "
                            "`dvc add` wrote next to it.")
        pulled = vcs.dvc("pull", "-q", repo=clone, check=False, show=False)
        if pulled.returncode != 0 or not (clone / path).exists():
            raise Incorrect("In a fresh clone `dvc pull` could not fetch the data: the DVC remote does not "
                            "have it yet.")
        if (clone / path).read_bytes() != case["data"]:
            raise Incorrect(f"In a fresh clone `dvc pull` brought back another version of {path}.")

_BLOBS = [b"", b"sepal_length,species\n5.1,setosa\n", b"model weights v2", bytes(range(256)) * 3]


class CachePath(Exercise):
    title = "Where a content-addressed cache stores a file"
    hints = (
        "hashlib.md5(data).hexdigest() gives the 32-character hex digest of the bytes.",
        "Slice the digest after its first two characters and join the two parts with a '/'.",
    )
    solution = """```python
def cache_path(data):
    digest = hashlib.md5(data).hexdigest()
    return f"{digest[:2]}/{digest[2:]}"
```
The name of a cached file is derived from its content, not from its file name: two
identical files share one cache entry and any change gives a new entry. The first two
characters become a folder so that no folder holds millions of files."""
    wrong_answer = staticmethod(lambda data: hashlib.md5(data).hexdigest())
    wrong_answers = (
        lambda data: (lambda d: f"{d[:2]}/{d[2:]}")(hashlib.sha256(data).hexdigest()),  # Git LFS's hash, not DVC's
        lambda data: (lambda d: f"{d[:2]}/{d}")(hashlib.md5(data).hexdigest()),  # the whole digest repeated
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "cache_path")
        for blob in _BLOBS:
            got = fn(blob)
            if not isinstance(got, str):
                raise Incorrect(f"cache_path should return a string, got {type(got).__name__}.")
            digest = hashlib.md5(blob).hexdigest()
            if got != f"{digest[:2]}/{digest[2:]}":
                if got.replace("/", "") == digest:
                    raise Incorrect("The digest is right but the folder split is not: two characters, a slash, the rest.")
                raise Incorrect(f"For {len(blob)} bytes of data the path {got!r} is not right: "
                                "hash the content with MD5 (hex digest).")


SCHEMA = {"age": (0, 120), "income": (0, 1_000_000), "score": (0.0, 1.0)}


def _bad_columns(df, schema):
    bad = []
    for col, (low, high) in schema.items():
        if col not in df.columns or df[col].isna().any() or ((df[col] < low) | (df[col] > high)).any():
            bad.append(col)
    return sorted(bad)


class ValidateFrame(Exercise):
    title = "A data-validation check for CI"
    hints = (
        "Loop over schema.items(): each column name maps to a (low, high) pair of allowed values.",
        "A column fails when it is missing from df, holds a missing value (df[col].isna().any()) or a value "
        "below low or above high. Return the failing column names as a sorted list (empty when all is well).",
    )
    solution = """```python
def failing_columns(df, schema):
    bad = []
    for col, (low, high) in schema.items():
        if col not in df.columns or df[col].isna().any() or not df[col].between(low, high).all():
            bad.append(col)
    return sorted(bad)
```
A CI test then asserts that the list is empty; when it is not, the message names the
columns to look at. Note the order of the checks: a missing column must not raise a
KeyError."""
    wrong_answer = staticmethod(lambda df, schema: sorted(c for c, (lo, hi) in schema.items()
                                                          if c in df and ((df[c] < lo) | (df[c] > hi)).any()))
    wrong_answers = (
        # exclusive bounds: a value equal to low or high is allowed
        lambda df, schema: sorted(c for c, (lo, hi) in schema.items()
                                  if c not in df or df[c].isna().any() or not ((df[c] > lo) & (df[c] < hi)).all()),
        # the right columns, but not sorted (here in reverse order)
        lambda df, schema: [c for c, (lo, hi) in schema.items()
                            if c not in df.columns or df[c].isna().any() or not df[c].between(lo, hi).all()][::-1],
        # forgets that a missing column fails (and raises KeyError on it)
        lambda df, schema: sorted(c for c, (lo, hi) in schema.items()
                                  if df[c].isna().any() or not df[c].between(lo, hi).all()),
    )
    right_answers = (
        lambda df, schema: sorted(c for c, (lo, hi) in schema.items()
                                  if c not in df.columns or not df[c].notna().all() or df[c].lt(lo).any()
                                  or df[c].gt(hi).any()),
    )

    _GOOD = pd.DataFrame({"age": [25, 40, 67], "income": [30_000, 52_000, 0], "score": [0.1, 0.5, 1.0]})
    _CASES = [
        _GOOD,
        _GOOD.assign(age=[25, -3, 67]),
        _GOOD.assign(score=[0.2, np.nan, 0.9], income=[10, 2_000_000, 5]),
        _GOOD.drop(columns="income"),
        _GOOD.assign(age=[25, 40, np.nan], score=[0.1, 0.5, 1.2]),
    ]
    _WANT = [_bad_columns(df, SCHEMA) for df in _CASES]

    def evaluate(self, fn) -> None:
        expect_callable(fn, "failing_columns")
        for df, want in zip(self._CASES, self._WANT):
            got = fn(df.copy(), dict(SCHEMA))
            if not isinstance(got, (list, tuple)):
                raise Incorrect(f"failing_columns should return a list, got {type(got).__name__}.")
            if sorted(got) != want:
                raise Incorrect(f"On a test frame with columns {list(df.columns)} and "
                                f"{int(df.isna().sum().sum())} missing value(s), you reported {sorted(got)}, which is not "
                                "right. Check missing columns, missing values and the range.")
            if list(got) != want:
                raise Incorrect("The right columns, but not in sorted order: return sorted(...) so that a CI "
                                "message always lists them the same way.")


class QualityGate(Exercise):
    title = "A model-quality gate"
    hints = (
        "Two conditions: every metric in `minimums` must reach its minimum in `new`, and the new "
        "model's `key` metric may be at most `max_drop` below the production model's.",
        "Build two booleans and combine them with `and`: `all(...)` over `minimums.items()` for the "
        "floors, and one comparison of `new[key]` with production's value less `max_drop` (an absolute "
        "difference, not a percentage). Return a plain bool.",
    )
    solution = """```python
def quality_gate(new, prod, minimums, key="f1", max_drop=0.01):
    meets_floor = all(new[name] >= low for name, low in minimums.items())
    no_regression = new[key] >= prod[key] - max_drop
    return bool(meets_floor and no_regression)
```
A fixed floor catches a broken model; the comparison with production catches a model
that is fine in absolute terms but worse than what users already have."""
    wrong_answer = staticmethod(lambda new, prod, minimums, key="f1", max_drop=0.01:
                                all(new[n] >= v for n, v in minimums.items()))
    wrong_answers = (
        # strict comparisons: a model exactly at the floor or exactly max_drop below is rejected
        lambda new, prod, minimums, key="f1", max_drop=0.01: bool(
            all(new[n] > v for n, v in minimums.items()) and new[key] > prod[key] - max_drop),
        # no tolerance: the new model must match production
        lambda new, prod, minimums, key="f1", max_drop=0.01: bool(
            all(new[n] >= v for n, v in minimums.items()) and new[key] >= prod[key]),
        # only the comparison with production, no floor
        lambda new, prod, minimums, key="f1", max_drop=0.01: bool(new[key] >= prod[key] - max_drop),
        # a relative drop (max_drop as a fraction of production's value) instead of an absolute one
        lambda new, prod, minimums, key="f1", max_drop=0.01: bool(
            all(new[n] >= v for n, v in minimums.items()) and new[key] >= prod[key] * (1 - max_drop)),
        # the metric compared with production hard-coded as f1, whatever `key` says
        lambda new, prod, minimums, key="f1", max_drop=0.01: bool(
            all(new[n] >= v for n, v in minimums.items()) and new["f1"] >= prod["f1"] - max_drop),
        # every metric compared with production, not only `key`
        lambda new, prod, minimums, key="f1", max_drop=0.01: bool(
            all(new[n] >= v for n, v in minimums.items()) and all(new[m] >= prod[m] - max_drop for m in prod)),
    )
    right_answers = (
        lambda new, prod, minimums, key="f1", max_drop=0.01: not (
            any(new[n] < v for n, v in minimums.items()) or prod[key] - new[key] > max_drop),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "quality_gate")
        mins = {"accuracy": 0.9, "f1": 0.7}
        cases = [
            ({"accuracy": 0.95, "f1": 0.80}, {"accuracy": 0.94, "f1": 0.79}, "f1", 0.01, True),
            ({"accuracy": 0.95, "f1": 0.69}, {"accuracy": 0.94, "f1": 0.60}, "f1", 0.01, False),
            ({"accuracy": 0.89, "f1": 0.90}, {"accuracy": 0.94, "f1": 0.80}, "f1", 0.01, False),
            ({"accuracy": 0.96, "f1": 0.75}, {"accuracy": 0.96, "f1": 0.80}, "f1", 0.01, False),
            ({"accuracy": 0.96, "f1": 0.75}, {"accuracy": 0.96, "f1": 0.80}, "f1", 0.10, True),
            ({"accuracy": 0.90, "f1": 0.70}, {"accuracy": 0.90, "f1": 0.70}, "f1", 0.0, True),
            # max_drop is absolute: 0.71 is 0.09 below 0.80 (a relative 10 % would allow only 0.08)
            ({"accuracy": 0.95, "f1": 0.71}, {"accuracy": 0.95, "f1": 0.80}, "f1", 0.10, True),
            # the comparison uses `key`: here accuracy, which fell too far, while f1 improved
            ({"accuracy": 0.91, "f1": 0.85}, {"accuracy": 0.96, "f1": 0.80}, "accuracy", 0.02, False),
            # only `key` is compared with production: accuracy fell, f1 (the key) did not
            ({"accuracy": 0.91, "f1": 0.85}, {"accuracy": 0.96, "f1": 0.80}, "f1", 0.02, True),
        ]
        for new, prod, key, drop, want in cases:
            got = fn(dict(new), dict(prod), dict(mins), key=key, max_drop=drop)
            if not isinstance(got, (bool, np.bool_)):
                raise Incorrect(f"quality_gate should return True or False, got {type(got).__name__}.")
            if bool(got) != want:
                raise Incorrect(f"New {new} vs production {prod} with key={key!r}, max_drop={drop}: your gate says "
                                f"{bool(got)}, which is not right.")


def _rebuilt(lines, changed):
    for i, line in enumerate(lines):
        parts = line.split()
        if parts and parts[0].upper() in ("COPY", "ADD"):
            for src in parts[1:-1]:
                src = src.rstrip("/")
                if src in (".", "./") or changed == src or changed.startswith(src + "/"):
                    return len(lines) - i
    return 0


def _miss_only_layers(lines, changed):
    """Mistake: counts only RUN/COPY/ADD after the first miss (metadata steps are cache steps too)."""
    total = _rebuilt(lines, changed)
    rest = lines[len(lines) - total:] if total else []
    return sum(line.split()[0].upper() in ("RUN", "COPY", "ADD") for line in rest)


def _exact_source_only(lines, changed):
    """Mistake: a COPY of a folder or of '.' is not seen as copying the file."""
    for i, line in enumerate(lines):
        parts = line.split()
        if parts[0].upper() in ("COPY", "ADD") and changed in [p.rstrip("/") for p in parts[1:-1]]:
            return len(lines) - i
    return 0


def _last_copy_only(lines, changed):
    """Mistake: counts from the last COPY/ADD of the file, not the first (the earlier copy already missed)."""
    found = 0
    for i, line in enumerate(lines):
        parts = line.split()
        if parts[0].upper() in ("COPY", "ADD") and any(
                s.rstrip("/") in (".", changed) or changed.startswith(s.rstrip("/") + "/") for s in parts[1:-1]):
            found = len(lines) - i
    return found


class StepsRebuilt(Exercise):
    title = "Which build steps a change sends past the Docker cache"
    hints = (
        "Walk through the lines in order. Only COPY and ADD read files from the build context; "
        "their sources are every word between the instruction and the last word (the destination).",
        "The first COPY/ADD whose source is the changed file, a folder containing it (src + '/') or '.' "
        "misses the cache, and so does every step after it, whatever its instruction: return "
        "len(lines) - index. Return 0 if no line copies the file.",
    )
    solution = """```python
def steps_rebuilt(lines, changed):
    for i, line in enumerate(lines):
        parts = line.split()
        if parts[0].upper() in ("COPY", "ADD"):
            for src in parts[1:-1]:
                src = src.rstrip("/")
                if src == "." or changed == src or changed.startswith(src + "/"):
                    return len(lines) - i
    return 0
```
Docker reuses a cached step only while its instruction and every file it copies are
unchanged and all steps before it came from the cache; from the first miss on, every
step runs again, ENV and CMD included (they are quick, RUN pip install is not). That is
why rarely changing steps (system packages, `pip install`) go first and the
often-edited source code goes last."""
    wrong_answer = staticmethod(lambda lines, changed: 1)
    wrong_answers = (
        _miss_only_layers,
        _exact_source_only,
        lambda lines, changed: max(0, _rebuilt(lines, changed) - 1),  # the missed step itself not counted
        _last_copy_only,
    )

    _FILES = [
        ["FROM python:3.11-slim", "WORKDIR /app", "COPY requirements.txt .", "RUN pip install -r requirements.txt",
         "COPY src/ src/", "ENV PYTHONUNBUFFERED=1", "CMD python src/train.py"],
        ["FROM python:3.11-slim", "WORKDIR /app", "COPY . .", "RUN pip install -r requirements.txt",
         "CMD python src/train.py"],
        ["FROM python:3.11-slim", "RUN apt-get update", "COPY requirements.txt constraints.txt ./",
         "RUN pip install -r requirements.txt", "COPY data/params.yaml params.yaml", "COPY src src",
         "USER trainer", "ENTRYPOINT [\"python\", \"src/train.py\"]"],
        # src/train.py is copied twice: the first copy ('.') is where the cache misses
        ["FROM python:3.11-slim", "COPY requirements.txt .", "RUN pip install -r requirements.txt", "COPY . .",
         "RUN python -m pytest -q", "COPY src/train.py /app/train.py", "CMD python /app/train.py"],
    ]

    def evaluate(self, fn) -> None:
        expect_callable(fn, "steps_rebuilt")
        for lines in self._FILES:
            for changed in ("src/train.py", "requirements.txt", "constraints.txt", "data/params.yaml", "README.md"):
                got = expect_number(fn(list(lines), changed), "The number of steps")
                want = _rebuilt(lines, changed)
                if got != want:
                    raise Incorrect(f"For a Dockerfile of {len(lines)} lines with {lines[2]!r} (third line) and a "
                                    f"change to {changed!r}, {int(got)} steps is not right.")


class ReplicasNeeded(Exercise):
    title = "Horizontal scaling: how many replicas"
    hints = (
        "One replica should run at no more than `target` of its capacity, so it can take "
        "capacity * target requests per second.",
        "Divide the load by that, round up with math.ceil, and never go below min_replicas.",
    )
    solution = """```python
def replicas_needed(load_rps, capacity_rps, target=0.7, min_replicas=2):
    return max(min_replicas, math.ceil(load_rps / (capacity_rps * target)))
```
Autoscalers (the Kubernetes horizontal pod autoscaler, cloud autoscaling groups) do this
sum continuously; the headroom below 100 % absorbs bursts while new replicas start,
and the minimum keeps the service up if one replica dies."""
    wrong_answer = staticmethod(lambda load_rps, capacity_rps, target=0.7, min_replicas=2:
                                max(min_replicas, round(load_rps / capacity_rps)))
    wrong_answers = (
        lambda load_rps, capacity_rps, target=0.7, min_replicas=2:
            max(min_replicas, int(load_rps / (capacity_rps * target))),  # rounds down
        lambda load_rps, capacity_rps, target=0.7, min_replicas=2:
            math.ceil(load_rps / (capacity_rps * target)),  # no minimum
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "replicas_needed")
        for load, cap, target, low in [(1800, 250, 0.7, 2), (100, 250, 0.7, 2), (1000, 100, 0.5, 1),
                                       (0, 50, 0.8, 1), (701, 100, 0.7, 3)]:
            got = fn(load, cap, target=target, min_replicas=low)
            if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
                raise Incorrect(f"replicas_needed should return a whole number (int), got {type(got).__name__}.")
            want = max(low, math.ceil(load / (cap * target)))
            if got != want:
                raise Incorrect(f"For {load} requests/s, {cap} requests/s per replica, target {target} and at least "
                                f"{low} replicas, {got} is not right.")


finish_merge = FinishMerge()
cache_path = CachePath()
track_and_share = TrackAndShare()
failing_columns = ValidateFrame()
quality_gate = QualityGate()
steps_rebuilt = StepsRebuilt()
replicas_needed = ReplicasNeeded()
EXERCISES = register(globals())
