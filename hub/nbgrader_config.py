"""nbgrader configuration of every user of the course hub.

``make hub-setup`` copies this file into the hub environment
(``/opt/mlops-course/venv/etc/jupyter/nbgrader_config.py``), where nbgrader finds it for
every user: students fetch and submit with it, the instructor releases and collects.

* ``course_id`` and the exchange folder are the same for everyone (the hub passes the
  exchange in ``MLOPS_EXCHANGE_ROOT``; nbgrader's default is ``/srv/nbgrader/exchange``).
* The instructor's course folder (``MLOPS_COURSE_ROOT``, holding ``grader_config.py``)
  adds the course's own configuration, so ``nbgrader release_assignment``, ``collect``,
  ``release_feedback`` and the formgrader use the course's folders under ``build/``.
  Students have no ``grader_config.py`` and only get the exchange settings.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.course_id = "mlops-course"
c.Exchange.root = os.environ.get("MLOPS_EXCHANGE_ROOT", "/srv/nbgrader/exchange")

_course_config = os.path.join(os.environ.get("MLOPS_COURSE_ROOT", ""), "grader_config.py")
if os.path.isfile(_course_config):
    load_subconfig(_course_config)  # noqa: F821 (provided by traitlets)
    c.Exchange.root = os.environ.get("MLOPS_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
