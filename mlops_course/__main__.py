"""``python -m mlops_course``: the instructor's command line (``mlops_course.instructor.cli``).

The student release ships without the instructor's tools; there this says so in one
line and exits with status 2.
"""
import sys
from pathlib import Path

# The folder, not the import system: an instructor's editable install elsewhere must not
# make a student release look complete.
if not (Path(__file__).resolve().parent / "instructor" / "cli.py").exists():
    print("mlops_course: the instructor tools (release, grading, reports) are not part of the student "
          "release; open the lessons in notebooks/ and the quizzes in quizzes/ with JupyterLab.", file=sys.stderr)
    sys.exit(2)

from mlops_course.instructor.cli import main  # noqa: E402

sys.exit(main())
