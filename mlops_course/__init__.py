"""Shared code of the MLOps course: data loading, self-checks, notebook setup,
quiz test helpers and the build and grading tooling.

Lessons start with::

    import mlops_course as mc
    SEED = mc.setup()
    df = mc.load_dataset("ames")

Importing the package has no side effects; :func:`setup` does the work.
"""
from .checks import ____
from .data import DataFileError, load_dataset
from .notebook import setup

__all__ = ["____", "DataFileError", "load_dataset", "setup"]
__version__ = "1.0.0"
