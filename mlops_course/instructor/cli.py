"""Command line of the course tooling: ``python -m mlops_course <command>``.

The Makefile calls these; each command works from any state of ``build/``.
"""
from __future__ import annotations

import argparse
import logging
import subprocess
import sys
from pathlib import Path

from .. import paths
from .hub import HubSetupError
from .sandbox import SandboxError
from ..services import ServerError, child_env


def _count(text: str) -> int:
    """argparse type: a whole number, 0 or more."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _weeks(args) -> list[str]:
    chosen = paths.quiz_weeks()
    if getattr(args, "week", None):
        chosen = [w for w in chosen if w.startswith(args.week)]
        if not chosen:
            sys.exit(f"No quiz matches week {args.week!r}; quizzes: {', '.join(paths.quiz_weeks())}")
    return chosen


def cmd_notebooks(args) -> int:
    from . import build

    if args.check:
        problems = build.sync_problems()
        for line in problems:
            print("out of sync:", line)
        return 1 if problems else 0
    try:
        written = build.write_student_notebooks()
    except build.NoLessonSources as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in build.clean_sources():
        print(f"cleared outputs: {path.relative_to(paths.ROOT)}")
    for path in written:
        print(f"wrote {path.relative_to(paths.ROOT)}")
    print(f"student notebooks up to date ({len(paths.weeks())} lessons)")
    for line in build.sync_problems():
        print(f"note: {line}")
    return 0


def cmd_variant(args) -> int:
    import nbformat

    from . import variants

    weeks = _weeks(args)
    if len(weeks) != 1:
        sys.exit(f"--week {args.week!r} matches {len(weeks)} quizzes; give one")
    week = weeks[0]
    nb = nbformat.read(paths.QUIZZES_DIR / week / "quiz.ipynb", as_version=4)
    if args.all:  # every student of the roster, or else of the gradebook: one CSV of keys
        import csv

        from . import grading

        students = variants.roster_ids() or grading.gradebook_students()
        if not students:
            sys.exit("no students: put roster.csv at the course root, or grade a submission first")
        rows = variants.key_table(nb, week, students)
        out = grading.build_path("reports") / f"keys_{week}.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        print(f"multiple-choice keys of {len(rows)} students' variants: {out.relative_to(paths.ROOT)} (keep it private)")
        return 0
    if not args.student or not variants.variant.ID_PATTERN.match(args.student):
        sys.exit(f"--student {args.student!r} is not a student id (letters, digits and . _ - @ + only)")
    print(variants.describe(nb, week, args.student))
    return 0


def cmd_release(args) -> int:
    from . import build, grading

    nbapi = grading.api()
    failed = []
    for week in _weeks(args):
        outcome = nbapi.generate_assignment(week, force=True, create=True)
        if not outcome.get("success"):
            failed.append(week)
            print(outcome.get("log", ""), outcome.get("error", ""), file=sys.stderr)
        else:
            print(f"released {week}")
    if failed:
        print(f"release failed for: {', '.join(failed)}", file=sys.stderr)
        return 1
    out = build.assemble_student_release()
    print(f"student release: {out.relative_to(paths.ROOT)}/ (lessons, quizzes, data, package, environment files)")
    return 0


def cmd_examples(args) -> int:
    from . import examples

    for week in _weeks(args):
        written = examples.make_examples(week)
        print(f"{week}: {len(written)} example submissions")
    return 0


def cmd_collect_zip(args) -> int:
    from . import lms

    try:
        report = lms.collect_zip(args.zip, week=args.week, roster=args.roster, lms=args.lms,
                                 zip_timezone=args.zip_timezone)
    except lms.LmsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(lms.format_collect(report))
    if not report.counts().get(lms.COLLECTED):
        print("nothing was imported: see the notes above", file=sys.stderr)
        return 1
    print(f"next: make autograde WEEK={report.week}")
    return 0


def cmd_autograde(args) -> int:
    from . import grading

    all_results = []
    for week in _weeks(args):
        results = grading.autograde(week)
        all_results += results
    print(grading.format_table(all_results))
    print(grading.format_summary(all_results))
    problems = [r for r in all_results if r.status != grading.GRADED]
    if problems:
        print(f"\n{len(problems)} submission(s) need attention (see problems above); "
              f"details in {grading.build_path('reports').relative_to(paths.ROOT)}/autograde_<week>.json")
    return 1 if (problems and args.strict) else 0


def cmd_feedback(args) -> int:
    from . import grading

    failures = 0
    for week in _weeks(args):
        done, failed = grading.generate_feedback(week)
        print(f"feedback for {week}: {len(done)} student(s) in build/feedback/<student>/{week}/")
        for student, reason in failed.items():
            print(f"  {student}: {reason} (log: build/reports/feedback_{week}_logs/{student}.txt)", file=sys.stderr)
        failures += len(failed)
    if failures:
        print(f"feedback failed for {failures} student(s): see the reasons above", file=sys.stderr)
    return 1 if failures else 0


def cmd_grades(args) -> int:
    from . import grading

    grading.open_gradebook().close()  # an unusable gradebook URL: one clear error, not nbgrader's traceback
    env = child_env()
    cmd = ["nbgrader", "export", f"--JupyterApp.config_file_name={grading.CONFIG_NAME}"]
    done = subprocess.run(cmd, cwd=paths.ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
        return done.returncode
    print(f"grades exported to {grading.build_path('grades.csv').relative_to(paths.ROOT)}")
    from . import lms

    try:
        written = lms.export_lms_grades(args.roster)
    except lms.LmsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, (path, left_out) in written.items():
        print(f"{name} grade import file: {path.relative_to(paths.ROOT)}")
        if left_out:
            print(f"  not in it (add them to the roster): {', '.join(left_out)}")
    return 0


def cmd_report(args) -> int:
    from . import report

    page = report.build_report()
    print(f"item analysis: {page.relative_to(paths.ROOT)} (CSV files beside it)")
    return 0


def cmd_bench(args) -> int:
    from . import bench

    return bench.main(repeats=args.repeats, only=args.week, submissions=args.submissions,
                      modes=tuple(m.strip() for m in args.modes.split(",") if m.strip()))


def cmd_hub_setup(args) -> int:
    from . import hub

    if args.software_only:  # `make test` installs the hub's software; its test makes its own accounts
        hub.install()
        print(f"course hub software ready: environment {hub.PREFIX}/venv, proxy {hub.PREFIX}/proxy")
        return 0
    users = hub.users_from_env()
    hub.setup(users, Path(args.exchange))
    print(f"course hub ready: environment {hub.PREFIX}/venv, Airflow {hub.AIRFLOW_VENV}, proxy {hub.PREFIX}/proxy, "
          f"exchange {args.exchange}, "
          f"users {', '.join(users.all)}")
    return 0


def cmd_hub(args) -> int:
    from . import hub

    return hub.serve(hub.users_from_env(), args.port, Path(args.exchange))


def _show_progress() -> None:
    """Progress lines of the course tools (``logging``, INFO) on stderr, one per event;
    nbgrader's own log stays in its per-student logs."""
    logger = logging.getLogger("mlops_course")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def main(argv: list[str] | None = None) -> int:
    from ..notebook import disable_telemetry

    disable_telemetry()
    _show_progress()
    parser = argparse.ArgumentParser(prog="python -m mlops_course", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("notebooks", help="clean sources and regenerate notebooks/ from solutions/")
    p.add_argument("--check", action="store_true", help="only report drift; exit 1 if any")
    p.set_defaults(func=cmd_notebooks)
    for name, func, text in [
        ("release", cmd_release, "generate the nbgrader release and the student release folder"),
        ("examples", cmd_examples, "write the example submissions into build/submitted"),
        ("autograde", cmd_autograde, "autograde every submission and report problems per student"),
        ("feedback", cmd_feedback, "write feedback HTML without hidden tests"),
        ("grades", cmd_grades, "export grades to build/grades.csv (+ Canvas/Moodle CSV with a roster)"),
        ("report", cmd_report, "item analysis of every graded quiz (HTML and CSV)"),
    ]:
        p = sub.add_parser(name, help=text)
        if name != "report":
            p.add_argument("--week", help="only this week (prefix such as 01)")
        if name == "autograde":
            p.add_argument("--strict", action="store_true", help="exit 1 if any submission failed")
        if name == "grades":
            p.add_argument("--roster", help="roster CSV for the Canvas/Moodle files (default roster.csv)")
        p.set_defaults(func=func)
    p = sub.add_parser("variant", help="one student's variant of a quiz: option order, keys, given data")
    p.add_argument("--week", required=True, help="the quiz (prefix such as 01)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--student", help="the student id (as in the gradebook)")
    who.add_argument("--all", action="store_true", help="every student's keys as build/reports/keys_NN.csv")
    p.set_defaults(func=cmd_variant)
    p = sub.add_parser("collect-zip", help="import an LMS (Canvas, Moodle) submissions zip with nbgrader's zip_collect")
    p.add_argument("--zip", required=True, help="the zip exactly as the LMS exported it")
    p.add_argument("--week", help="the quiz (prefix such as 01); default: named in the zip, or the only one released")
    p.add_argument("--roster", help="roster CSV (default roster.csv at the course root)")
    p.add_argument("--lms", default="auto", choices=["auto", "canvas", "moodle"])
    p.add_argument("--zip-timezone", default="UTC", help="time zone of the zip's file times (Moodle's server)")
    p.set_defaults(func=cmd_collect_zip)
    p = sub.add_parser("bench", help="time every notebook against its budget")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--week", help="only this week (prefix such as 01)")
    p.add_argument("--submissions", type=_count, help="submissions for the grading benchmark (0 skips it; default 100)")
    p.add_argument("--modes", default="bare,nbgrader,course",
                   help="grading modes to time (bare and course always; drop nbgrader to halve the time)")
    p.set_defaults(func=cmd_bench)
    for name, func, text in [("hub-setup", cmd_hub_setup, "as root: hub environment, proxy, Unix users, exchange"),
                             ("hub", cmd_hub, "start the course's JupyterHub on 127.0.0.1 (Ctrl-C stops it)")]:
        p = sub.add_parser(name, help=text)
        p.add_argument("--exchange", default="/srv/nbgrader/exchange", help="nbgrader's exchange folder")
        if name == "hub-setup":
            p.add_argument("--software-only", action="store_true", help="install environment and proxy only")
        if name == "hub":
            p.add_argument("--port", type=int, default=0, help="public port (default: a free one)")
        p.set_defaults(func=func)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except FileNotFoundError as exc:  # a step run out of order: say which one to run
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (HubSetupError, ServerError, SandboxError) as exc:  # the hub, a server, the gradebook database
        # or the grading sandbox: the message says why
        print(f"error: {exc}", file=sys.stderr)
        return 2
