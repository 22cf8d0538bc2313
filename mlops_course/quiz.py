"""Assertions for quiz test cells (visible form checks and hidden value checks).

Visible tests call the ``check_*`` functions: they look at type and shape only and
explain what is wrong. Hidden tests call the ``expect_*`` functions: they compare
values. Every failure message names the variable and the student's value, never
the expected one.

The checks are strict about types on purpose: an answer must be a real ``str``,
``int``/``float`` (or a NumPy scalar), list... of the exact type, so an object that
overrides ``__eq__`` to equal anything, or a subclass that lies about its value,
cannot pass. Builtins are captured when this module is imported, so rebinding
``isinstance`` or ``abs`` in the notebook does not change how answers are judged.
"""
from __future__ import annotations

import builtins
import math as _math

from . import variant as _variant

_type = builtins.type
_float = builtins.float
_len = builtins.len
_sorted = builtins.sorted
_str_strip = str.strip
_str_upper = str.upper
_isfinite = _math.isfinite
_isclose = _math.isclose
_expected_letter = _variant.expected_letter

CHOICES = ("A", "B", "C", "D")


class AnswerError(AssertionError):
    """A quiz answer failed a check (an AssertionError, as nbgrader expects).

    JupyterLab shows it as one line, what is wrong with which answer, instead of a
    traceback through this module (IPython renders ``_render_traceback_`` when an
    exception has one).
    """

    def _render_traceback_(self) -> list[str]:
        return [f"AnswerError: {self}"]


def _fail(message: str) -> None:
    raise AnswerError(message)


def _real_types() -> tuple:
    import numpy as np

    return (int, float, np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8,
            np.uint64, np.uint32, np.uint16, np.uint8)


def _shown(value) -> str:
    text = object.__repr__(value) if _type(value) not in (str, int, float, list, tuple) else repr(value)
    return text if _len(text) <= 80 else text[:77] + "..."


# -- multiple choice ----------------------------------------------------------
def check_choice(answer, name: str) -> None:
    """Visible: ``answer`` is one letter A-D as a plain string."""
    if _type(answer) is not str:
        _fail(f"{name} must be a string such as 'A', got {_type(answer).__name__}: {_shown(answer)}")
    if _str_upper(_str_strip(answer)) not in CHOICES:
        _fail(f"{name} must be one of 'A', 'B', 'C' or 'D', got {answer!r}")


def expect_choice(answer, key: str, name: str, fixed: bool = False) -> None:
    """Hidden: ``answer`` is the key (case and surrounding spaces ignored).

    ``key`` is the source's letter; in a per-student variant it is translated into the
    letter this student saw (``fixed`` items keep the source's order)."""
    check_choice(answer, name)
    if _str_upper(_str_strip(answer)) != _expected_letter(name, key, fixed):
        _fail(f"{name} = {answer!r} is not the best option.")


# -- numbers ------------------------------------------------------------------
def check_number(value, name: str) -> None:
    """Visible: ``value`` is a finite real number (not a bool, not an array)."""
    if _type(value) not in _real_types():
        _fail(f"{name} must be a number (int or float), got {_type(value).__name__}: {_shown(value)}")
    if not _isfinite(_float(value)):
        _fail(f"{name} must be a finite number, got {value!r}")


def expect_number(value, expected: float, name: str, tol: float = 1e-3) -> None:
    """Hidden: ``value`` equals ``expected`` within an absolute/relative ``tol``."""
    check_number(value, name)
    if not _isclose(_float(value), _float(expected), rel_tol=tol, abs_tol=tol):
        _fail(f"{name} = {_float(value):.6g} is not correct.")


# -- functions, sequences and frames -------------------------------------------
def check_callable(func, name: str) -> None:
    """Visible: ``func`` is a plain Python function."""
    import types

    if _type(func) is not types.FunctionType:
        _fail(f"{name} must be a function defined with def, got {_type(func).__name__}")


def check_list_of_str(value, name: str) -> None:
    """Visible: ``value`` is a list (or tuple) of plain strings."""
    if _type(value) not in (list, tuple):
        _fail(f"{name} must be a list of strings, got {_type(value).__name__}")
    for item in value:
        if _type(item) is not str:
            _fail(f"{name} must contain only strings, found {_type(item).__name__}: {_shown(item)}")


def expect_same_items(value, expected, name: str) -> None:
    """Hidden: ``value`` holds the same strings as ``expected``, in any order."""
    check_list_of_str(value, name)
    if _sorted(value) != _sorted(expected):
        _fail(f"{name} does not hold the right items yet ({_len(value)} given).")


def check_array(value, name: str, shape: tuple | None = None) -> None:
    """Visible: ``value`` is a NumPy array (or a list convertible to one) of numbers."""
    import numpy as np

    if _type(value) not in (list, tuple, np.ndarray):
        _fail(f"{name} must be a NumPy array or a list, got {_type(value).__name__}")
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.number):
        _fail(f"{name} must contain numbers, got dtype {array.dtype}")
    if shape is not None and array.shape != tuple(shape):
        _fail(f"{name} has shape {array.shape}; the task asks for shape {tuple(shape)}")


def expect_array(value, expected, name: str, tol: float = 1e-3) -> None:
    """Hidden: ``value`` matches ``expected`` element-wise within ``tol``."""
    import numpy as np

    expected = np.asarray(expected)
    check_array(value, name, expected.shape)
    if not np.allclose(np.asarray(value, dtype=float), expected.astype(float), rtol=tol, atol=tol):
        _fail(f"{name} has the right shape but not the right values.")


def check_dataframe(value, name: str, columns=None) -> None:
    """Visible: ``value`` is a pandas DataFrame (with the given columns, if any)."""
    import pandas as pd

    if _type(value) is not pd.DataFrame:
        _fail(f"{name} must be a pandas DataFrame, got {_type(value).__name__}")
    if columns is not None:
        missing = [c for c in columns if c not in value.columns]
        if missing:
            _fail(f"{name} lacks the column(s) {missing}")
