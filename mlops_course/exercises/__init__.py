"""Lesson exercises, one module per week (``week01``, ``week02``...).

A lesson imports its week as ``from mlops_course.exercises import week01 as ex``
and calls ``ex.<exercise>.check(answer)``, ``.hint()`` and ``.show_solution()``.
"""
from __future__ import annotations

import importlib
import pkgutil

from ..checks import Exercise


def week_modules() -> list[str]:
    """Names of the week modules in this package (``week01``...)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("week"))


def all_exercises() -> list[tuple[str, str, Exercise]]:
    """(module, name, exercise) for every exercise of every week."""
    found = []
    for module_name in week_modules():
        module = importlib.import_module(f"{__name__}.{module_name}")
        for name, value in vars(module).items():
            if isinstance(value, Exercise):
                found.append((module_name, name, value))
    return found
