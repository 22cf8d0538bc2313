"""The student room (``mlops_course`` outside ``instructor/``): what lessons and quizzes
import, and nothing of the instructor's tools."""
from __future__ import annotations

import pytest


def test_package_names_load_on_first_use():
    """Protects: the lesson idiom `import mlops_course as mc; mc.setup(); mc.load_dataset(...)`
    and `from mlops_course import ____` keep working with lazy loading."""
    import mlops_course as mc
    from mlops_course import ____, load_dataset

    assert callable(mc.setup) and load_dataset is mc.load_dataset and repr(____) == "____"
    assert issubclass(mc.DataFileError, Exception)
    with pytest.raises(AttributeError):
        mc.no_such_name


def test_the_student_room_never_imports_the_instructor_tools():
    """Protects (two rooms): no module that lessons or quizzes import refers to
    ``mlops_course.instructor`` (the command-line entry point only dispatches to it)."""
    import ast
    from pathlib import Path

    import mlops_course

    package = Path(mlops_course.__file__).parent
    offenders = []
    for path in package.rglob("*.py"):
        if "instructor" in path.relative_to(package).parts or path.name == "__main__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")] + [a.name for a in node.names]
            if any("instructor" in n for n in names):
                offenders.append(f"{path.relative_to(package)}:{node.lineno}")
    assert not offenders, offenders
