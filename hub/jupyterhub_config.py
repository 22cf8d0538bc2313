"""JupyterHub configuration of the course hub (``make hub``; ``mlops_course/instructor/hub.py`` starts it).

One single-user JupyterLab per Unix user (JupyterHub's LocalProcessSpawner: no container
engine), run from the hub environment that ``make hub-setup`` builds in
``/opt/mlops-course/venv`` (the course's packages, nbgrader and the course package, made
from Debian's ``python3.11`` so that every user can execute it). nbgrader's exchange is a
shared folder; every user's nbgrader reads ``hub/nbgrader_config.py`` (copied into the
environment). Settings come from environment variables set by ``mlops_course.instructor.hub``:

MLOPS_HUB_PREFIX          where hub-setup installed the environment and the proxy
MLOPS_HUB_STATE           folder for the hub's database, cookie secret and log
MLOPS_HUB_PORT            public port on 127.0.0.1 (MLOPS_HUB_API_PORT, MLOPS_HUB_PROXY_API_PORT: internal)
MLOPS_HUB_INSTRUCTOR      the instructor's user name
MLOPS_HUB_STUDENTS        student user names, comma-separated
MLOPS_HUB_PASSWORD        the shared password of every user (loopback use only)
MLOPS_HUB_EXCHANGE        nbgrader's exchange folder
MLOPS_HUB_SERVICE_TOKEN   optional: API token of a service that manages users and servers
MLOPS_HUB_MLFLOW_URI      optional: the class's MLflow tracking server; users get it as
                          MLFLOW_TRACKING_URI (week 08 then logs there, one experiment per user)

Week 11's Airflow, when ``make hub-setup`` installed it in ``$MLOPS_HUB_PREFIX/airflow-venv``,
reaches every user as MLOPS_AIRFLOW_VENV (otherwise the lesson would install it per user).
"""
import os
import pwd

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

PREFIX = os.environ.get("MLOPS_HUB_PREFIX", "/opt/mlops-course")
STATE = os.environ["MLOPS_HUB_STATE"]
INSTRUCTOR = os.environ["MLOPS_HUB_INSTRUCTOR"]
STUDENTS = [s for s in os.environ["MLOPS_HUB_STUDENTS"].split(",") if s]
BIN = os.path.join(PREFIX, "venv", "bin")

# Network: everything on loopback, ports chosen by the launcher.
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ["MLOPS_HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ["MLOPS_HUB_API_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['MLOPS_HUB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [os.path.join(PREFIX, "proxy", "node_modules", ".bin", "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = os.path.join(STATE, "proxy.pid")
c.JupyterHub.db_url = "sqlite:///" + os.path.join(STATE, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(STATE, "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server
c.JupyterHub.cleanup_proxy = True

# Who may log in: one shared password (JupyterHub's SharedPasswordAuthenticator), fine on
# loopback; a real class uses the institution's login (OAuthenticator, LDAP...).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ["MLOPS_HUB_PASSWORD"]
c.Authenticator.allowed_users = {INSTRUCTOR, *STUDENTS}

# Spawner: the user's own Unix account, the hub environment's JupyterLab, the home folder.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [os.path.join(BIN, "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# Only the variables below reach users: not the administrator's PATH or PYTHONPATH,
# which point into folders other users cannot enter.
c.Spawner.env_keep = ["LANG", "LC_ALL"]
c.Spawner.environment = {
    "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",  # nbgrader runs alembic: the venv's bin first
    "MLOPS_COURSE_ROOT": lambda spawner: os.path.join(pwd.getpwnam(spawner.user.name).pw_dir, "mlops-course"),
    "MLOPS_EXCHANGE_ROOT": os.environ["MLOPS_HUB_EXCHANGE"],
    # hub/jupyter_server_config.py keeps the formgrader for the instructor
    "MLOPS_HUB_ROLE": lambda spawner: "instructor" if spawner.user.name == INSTRUCTOR else "student",
    "DO_NOT_TRACK": "true",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "TF_CPP_MIN_LOG_LEVEL": "2",
}
AIRFLOW_VENV = os.path.join(PREFIX, "airflow-venv")
if os.path.exists(os.path.join(AIRFLOW_VENV, ".installed")):
    c.Spawner.environment["MLOPS_AIRFLOW_VENV"] = AIRFLOW_VENV
if os.environ.get("MLOPS_HUB_MLFLOW_URI"):
    c.Spawner.environment["MLFLOW_TRACKING_URI"] = os.environ["MLOPS_HUB_MLFLOW_URI"]

# Optional service (tests, scripts): manage users' servers and reach them through the proxy.
if os.environ.get("MLOPS_HUB_SERVICE_TOKEN"):
    c.JupyterHub.services = [{"name": "mlops-course-admin", "api_token": os.environ["MLOPS_HUB_SERVICE_TOKEN"]}]
    c.JupyterHub.load_roles = [{
        "name": "mlops-course-admin",
        "scopes": ["admin:users", "admin:servers", "access:servers", "read:users"],
        "services": ["mlops-course-admin"],
    }]
