"""Shared code of the MLOps course: data loading, self-checks, notebook setup,
quiz test helpers and the build and grading tooling.

Lessons start with::

    import mlops_course as mc
    SEED = mc.setup()
    df = mc.load_dataset("ames")

Importing the package has no side effects; :func:`setup` does the work. The names
below load their module on first use, so tools that only need a small part (the
grader's kernel launcher starts once per submission) do not pay for pandas.
"""
import importlib

_LAZY = {"____": "checks", "DataFileError": "data", "load_dataset": "data", "quiz_variant": "variant",
         "setup": "notebook"}

__all__ = sorted(_LAZY)
__version__ = "1.0.0"


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
