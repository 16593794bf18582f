"""JupyterHub for a class on one machine, with the class key gateway as a hub-managed service.

Start it with classroom/hub/start.sh (see its header). Every learner gets their own server, with the kit installed,
ANTHROPIC_BASE_URL pointing at the gateway and ANTHROPIC_API_KEY set to the learner's own JupyterHub API token; the
real key stays in a file only the gateway's process reads (CONVERSE_KIT_GATEWAY_KEY_FILE, root-owned, mode 0600).
Everything is read from CONVERSE_KIT_HUB_* variables so the same file runs the class and the tests.
"""

import os
import sys
from pathlib import Path

from helpers.classroom.homes import env_file_key, give_notebooks

c = get_config()  # type: ignore[name-defined]  # noqa: F821  (JupyterHub provides it)
env = os.environ.get

KIT = Path(__file__).resolve().parents[2]  # the kit's folder: notebooks, data, helpers
STATE = Path(env("CONVERSE_KIT_HUB_STATE", "/srv/converse-kit"))  # the hub's database, cookie secret, ledger
KEY_FILE = env("CONVERSE_KIT_GATEWAY_KEY_FILE", "/etc/converse-kit/anthropic.key")
GATEWAY_PORT = int(env("CONVERSE_KIT_GATEWAY_PORT", "9911"))
GATEWAY_URL = f"http://127.0.0.1:{GATEWAY_PORT}"
TESTING = env("CONVERSE_KIT_HUB_TEST") == "1"  # the dummy authenticator and a spawner without system users
STATE.mkdir(parents=True, exist_ok=True)
if env_file_key(KIT):  # learners' servers read the kit's folder: a key in its .env would be theirs
    sys.exit(f"Refusing to start the class hub: {env_file_key(KIT)} holds an API key, and learners can read the kit's "
             "folder. Move the key to the gateway's key file (see classroom/hub/start.sh) and delete that .env.")

# The hub, its proxy and its API on this machine only; a teacher puts TLS in front (see the facilitator guide).
c.JupyterHub.bind_url = env("CONVERSE_KIT_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env("CONVERSE_KIT_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('CONVERSE_KIT_HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")

# Who may log in: the learners listed in learners.txt (one name a line) and the teacher.
LEARNERS = STATE / "learners.txt"
allowed = {line.strip() for line in LEARNERS.read_text().splitlines() if line.strip()} if LEARNERS.exists() else set()
c.Authenticator.allowed_users = allowed
c.Authenticator.admin_users = {env("CONVERSE_KIT_HUB_TEACHER", "teacher")}
if TESTING:
    c.JupyterHub.authenticator_class = "dummy"
    c.JupyterHub.spawner_class = "simple"  # SimpleLocalProcessSpawner: homes in /tmp/<name>, no system users
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "homes" / "{username}")
    c.Authenticator.allow_all = True
    if os.getuid() == 0:  # CI runs as root; a real class runs each server as the learner's own account
        c.Spawner.args = ["--allow-root"]
else:
    # PAM with one system account per learner: each learner's server runs as that account, so it cannot read
    # the gateway's key file or another learner's files. The teacher makes the accounts (start.sh shows how).
    c.JupyterHub.authenticator_class = "pam"
    c.JupyterHub.spawner_class = "localprocess"

# Each learner's server: the kit's Python (the kit installed), the gateway as the API, their own token as the key.
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab/tree/notebooks/00_setup.ipynb"
c.Spawner.environment = {
    "ANTHROPIC_BASE_URL": GATEWAY_URL,
    "ANTHROPIC_API_KEY": lambda spawner: spawner.api_token,  # the learner's own hub token, never the real key
    "CONVERSE_KIT_MODE": "live",
}


def copy_the_kit(spawner) -> None:  # type: ignore[no-untyped-def]
    """Give a learner their own private copy of the notebooks (once); the recordings stay in the shared, read-only kit.

    In a class the copy runs as the learner and never follows a link (helpers/classroom/homes.py says why); the home is
    made 0700 at every spawn, so learners cannot read each other's notebooks and saved chats.
    """
    name = spawner.user.name
    home = Path(spawner.home_dir_template.format(username=name)) if TESTING else Path(os.path.expanduser(f"~{name}"))
    if TESTING:
        home.mkdir(parents=True, exist_ok=True)
    give_notebooks(KIT / "notebooks", home, None if TESTING else name)


c.Spawner.pre_spawn_hook = copy_the_kit

# The gateway: a hub-managed service (the hub starts, restarts and stops it). Its environment names the key file and
# holds no key; JupyterHub adds JUPYTERHUB_API_URL, which the gateway uses to check learners' tokens.
gateway = [sys.executable, "-m", "helpers.gateway", "--db", str(STATE / "gateway.sqlite"), "serve",
           "--port", str(GATEWAY_PORT), "--patience", env("CONVERSE_KIT_GATEWAY_PATIENCE", "90")]
if env("CONVERSE_KIT_GATEWAY_RATE"):
    gateway += ["--rate", env("CONVERSE_KIT_GATEWAY_RATE", "")]
c.JupyterHub.services = [
    {"name": "gateway", "url": GATEWAY_URL, "command": gateway, "cwd": str(KIT),
     "environment": {"CONVERSE_KIT_GATEWAY_KEY_FILE": KEY_FILE,
                     "CONVERSE_KIT_GATEWAY_UPSTREAM": env("CONVERSE_KIT_GATEWAY_UPSTREAM", "https://api.anthropic.com")}},
    # Idle culling: a server idle for an hour is stopped (jupyterhub-idle-culler).
    {"name": "idle-culler", "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                                        f"--timeout={env('CONVERSE_KIT_HUB_IDLE_SECONDS', '3600')}"]},
]
c.JupyterHub.load_roles = [
    {"name": "idle-culler", "services": ["idle-culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
]
if env("CONVERSE_KIT_HUB_ADMIN_TOKEN"):  # for scripts (and the tests) that start learners' servers
    c.JupyterHub.services.append({"name": "class-admin", "api_token": env("CONVERSE_KIT_HUB_ADMIN_TOKEN")})
    c.JupyterHub.load_roles.append({"name": "admin", "services": ["class-admin"]})
