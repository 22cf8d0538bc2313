"""nbgrader configuration of the course.

nbgrader only reads ``nbgrader_config.py`` by itself, so every call made by the
Makefile and by ``mlops_course.instructor.grading`` passes this file explicitly
(``--JupyterApp.config_file_name=grader_config`` on the command line,
``mlops_course.instructor.grading.load_config()`` from Python).
"""
import os

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import GetGrades

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

ROOT = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(ROOT, "build")

# Sources live in quizzes/<week>/quiz.ipynb; everything nbgrader generates goes under build/.
c.CourseDirectory.root = ROOT
c.CourseDirectory.course_id = "mlops-course"
c.CourseDirectory.source_directory = "quizzes"
c.CourseDirectory.release_directory = os.path.join("build", "release")
c.CourseDirectory.submitted_directory = os.path.join("build", "submitted")
c.CourseDirectory.autograded_directory = os.path.join("build", "autograded")
c.CourseDirectory.feedback_directory = os.path.join("build", "feedback")
c.CourseDirectory.solution_directory = os.path.join("build", "solution")
# Gradebook: the SQLite file build/gradebook.db, unless the environment variable
# MLOPS_GRADEBOOK_URL names another database as an SQLAlchemy URL, e.g. a PostgreSQL server
# that several graders share: postgresql+psycopg://grader@db.example.org:5432/mlops_course
# (a password is better kept in ~/.pgpass than in the URL). SQLite's timeout makes parallel
# graders wait for its lock instead of failing; a server database needs none.
c.CourseDirectory.db_url = os.environ.get("MLOPS_GRADEBOOK_URL", "").strip() or (
    "sqlite:///" + os.path.join(BUILD, "gradebook.db") + "?timeout=60"
)
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# Release: per-student variants first (course id and roster into the variant cell, options
# lettered per student by code), then nbgrader's own steps.
c.GenerateAssignment.preprocessors = [
    "mlops_course.instructor.variants.ReleaseVariants",
    *GenerateAssignment().preprocessors,
]

# Student stubs: the same in quizzes and (via mlops_course.instructor.build) in lessons.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding: bounded cells, restored tests, capped output.
c.Execute.timeout = 30  # seconds per cell; the cell is interrupted and grading goes on
c.Execute.interrupt_on_timeout = True
c.Execute.startup_timeout = 120
# Kill the kernel when the notebook is done: its state is thrown away anyway, and a
# polite shutdown waited up to 2.6 s per submission for the sandbox to wind down.
c.Execute.shutdown_kernel = "immediate"
c.GuardedExecute.max_notebook_seconds = 180  # whole notebook; then remaining cells are skipped
c.OverwriteCells.add_missing_cells = True  # a deleted test cell is put back (RestoreMissingTests)
c.LimitOutput.max_lines = 500
c.LimitOutput.max_traceback = 50

# Feedback: nbgrader's default shows hidden tests; strip them and the tracebacks that
# would quote them (the error message of a failed test stays visible).
c.GenerateFeedback.preprocessors = [
    GetGrades,
    "mlops_course.instructor.grading.RubricsOnceGraded",  # a rubric shows once its answer is graded by hand
    "mlops_course.instructor.grading.ClearHiddenTestsInTests",  # nbgrader's ClearHiddenTests, in test cells only
    "mlops_course.instructor.grading.HideTracebacks",
    "mlops_course.instructor.grading.FeedbackSummary",  # score per item and what to review, at the top
    CSSHTMLHeaderPreprocessor,
]

# Grade export (`make grades`).
c.ExportApp.plugin_class = "nbgrader.plugins.export.CsvExportPlugin"
c.CsvExportPlugin.to = os.path.join(BUILD, "grades.csv")

# Autograding runs every submission in the sandboxed kernel (mlops_course/instructor/sandbox.py),
# over IPC sockets (the sandbox has no network), with an output cap and an honesty
# probe (mlops_course/instructor/integrity.py) in place of nbgrader's plain Execute.
c.Execute.kernel_name = "mlops-grader"
c.KernelManager.transport = "ipc"
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "mlops_course.instructor.integrity.RestoreMissingTests",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "mlops_course.instructor.integrity.GuardedExecute",
    "mlops_course.instructor.grading.AddRubrics",  # each written answer's rubric, for the formgrader
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
]
# CheckCellMetadata runs once, in the sanitize step above (nbgrader's default list runs
# it again here, but executing cells cannot change their metadata; it costs about
# 0.3 s of schema validation per submission).
