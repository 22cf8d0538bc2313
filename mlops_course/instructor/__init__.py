"""The instructor's tools: build the lessons and the release, grade untrusted
submissions in a sandbox, write feedback, grade exports and item reports, run the
class hub and the benchmark (``python -m mlops_course --help``).

Nothing in the student room (``mlops_course`` outside this subpackage) imports it;
the student release and the grading kernel do not contain it.
"""
