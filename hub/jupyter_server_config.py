"""Jupyter Server configuration of every user of the course hub.

``make hub-setup`` copies this file into the hub environment
(``/opt/mlops-course/venv/etc/jupyter/``); ``hub/jupyterhub_config.py`` tells each server
its user's role in ``MLOPS_HUB_ROLE``.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

# Terminals run a plain bash: a login shell would reset PATH from /etc/profile and lose
# the course environment (python, nbgrader, jupyter) that the hub puts first.
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash"]}

# Students get nbgrader's assignment list only; the formgrader is the instructor's.
if os.environ.get("MLOPS_HUB_ROLE") != "instructor":
    c.ServerApp.jpserver_extensions = {
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.create_assignment": False,
    }
