"""The class hub on one machine: JupyterHub spawns learners' servers that reach the API only through the gateway.

Started as the facilitator guide says (classroom/hub/jupyterhub_config.py), with the dummy authenticator and
SimpleLocalProcessSpawner (CONVERSE_KIT_HUB_TEST=1), every port on 127.0.0.1, the kit's stand-in as the real API;
stopped by process id. Needs jupyterhub and configurable-http-proxy (.ci/run installs both).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from helpers.config import REPO_ROOT
from helpers.gateway.ledger import Ledger
from helpers.replay import notebooks
from helpers.standin import StandIn

CONFIG = REPO_ROOT / "classroom" / "hub" / "jupyterhub_config.py"
LEARNERS = ("ana", "ben")


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environ_of(pid: int) -> dict[str, str]:
    """A running process's environment, as /proc shows it."""
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


@dataclass
class Hub:
    """A running class hub and what the tests need to talk to it."""

    url: str
    api: str
    admin: dict[str, str]
    gateway_url: str
    real_key: str
    state: Path
    process: subprocess.Popen[bytes]

    def get(self, path: str) -> httpx2.Response:
        """GET from the hub's API as the class admin."""
        return httpx2.get(self.api + path, headers=self.admin, timeout=30.0)


ENABLE_HUB = ("JupyterHub or configurable-http-proxy is not installed, so the class hub tests did not run. To run them: "
              "pip install -r classroom/hub/requirements.txt && npm install -g configurable-http-proxy")


def missing_tools() -> str:
    """What the hub needs that is not installed, or ''."""
    needs = [tool for tool in ("jupyterhub", "configurable-http-proxy")
             if shutil.which(tool) is None and shutil.which(tool, path=str(Path(sys.executable).parent)) is None]
    return ", ".join(needs)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    missing = missing_tools()
    if missing and not (os.environ.get("CONVERSE_KIT_REQUIRE_HUB") == "1" or os.environ.get("CI")):  # .ci/run sets it
        pytest.skip(f"needs {missing}. {ENABLE_HUB}")
    assert not missing, f"CI must install {missing} (.ci/run)"
    state = tmp_path_factory.mktemp("hub")
    real_key = "sk-ant-hub-real-" + secrets.token_hex(16)
    key_file = state / "anthropic.key"
    key_file.write_text(real_key + "\n")
    key_file.chmod(0o600)
    admin_token = secrets.token_hex(24)
    port, gateway_port = free_port(), free_port()
    with StandIn() as upstream:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC", "CONVERSE_KIT"))}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env.update(CONVERSE_KIT_HUB_TEST="1", CONVERSE_KIT_HUB_STATE=str(state), CONVERSE_KIT_HUB_URL=f"http://127.0.0.1:{port}",
                   CONVERSE_KIT_HUB_API_PORT=str(free_port()), CONVERSE_KIT_HUB_PROXY_API_PORT=str(free_port()),
                   CONVERSE_KIT_GATEWAY_PORT=str(gateway_port), CONVERSE_KIT_GATEWAY_KEY_FILE=str(key_file),
                   CONVERSE_KIT_GATEWAY_UPSTREAM=upstream.url, CONVERSE_KIT_GATEWAY_RATE="20",
                   CONVERSE_KIT_HUB_ADMIN_TOKEN=admin_token)
        log = (state / "hub.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)], env=env, cwd=state,
                                   stdout=log, stderr=subprocess.STDOUT)
        running = Hub(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/hub/api",
                      {"Authorization": f"token {admin_token}"}, f"http://127.0.0.1:{gateway_port}", real_key, state, process)
        try:
            wait_for(lambda: running.get("/").status_code == 200, 60, "the hub to answer", state)
            wait_for(lambda: httpx2.get(running.gateway_url + "/v1/models", timeout=2).status_code == 401, 60,
                     "the gateway service to answer", state)
            yield running
        finally:
            process.send_signal(signal.SIGTERM)  # the hub stops learners' servers, its services and its proxy
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def wait_for(check: object, seconds: float, what: str, state: Path) -> None:
    """Wait until check() is true, or fail with the hub's log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}:\n" + (state / "hub.log").read_text()[-4000:])


def spawn(hub: Hub, name: str) -> int:
    """Create a learner and start their server (unless it runs already); return the server's process id."""
    httpx2.post(f"{hub.api}/users/{name}", headers=hub.admin, timeout=30)
    if hub.get(f"/users/{name}").json()["servers"].get("", {}).get("ready"):
        return int(hub.get(f"/users/{name}").json()["servers"][""]["state"]["pid"])
    started = httpx2.post(f"{hub.api}/users/{name}/server", headers=hub.admin, timeout=60)
    assert started.status_code in (201, 202), started.text
    wait_for(lambda: hub.get(f"/users/{name}").json()["servers"].get("", {}).get("ready"), 90, f"{name}'s server", hub.state)
    return int(hub.get(f"/users/{name}").json()["servers"][""]["state"]["pid"])


def test_learners_servers_point_at_the_gateway_and_hold_no_real_key(hub: Hub) -> None:
    pids = {name: spawn(hub, name) for name in LEARNERS}
    tokens = set()
    for name, pid in pids.items():
        seen = environ_of(pid)
        assert seen["ANTHROPIC_BASE_URL"] == hub.gateway_url and seen["CONVERSE_KIT_MODE"] == "live"
        assert seen["ANTHROPIC_API_KEY"] == seen["JUPYTERHUB_API_TOKEN"], "the learner's own hub token is their key"
        assert hub.real_key not in "\n".join(f"{k}={v}" for k, v in seen.items())
        assert "CONVERSE_KIT_GATEWAY_KEY_FILE" not in seen
        tokens.add(seen["ANTHROPIC_API_KEY"])
        home = hub.state / "homes" / name
        assert (home / "notebooks" / "02_multi_turn_conversations.ipynb").exists(), "each learner has the notebooks"
        assert stat.S_IMODE(home.stat().st_mode) == 0o700, "learners cannot read each other's homes"
        assert {stat.S_IMODE(p.stat().st_mode) for p in (home / "notebooks").iterdir()} == {0o600}
        for path in [*home.rglob("*"), *(REPO_ROOT / "data").rglob("*")]:
            if path.is_file():
                assert hub.real_key.encode() not in path.read_bytes(), path
    assert len(tokens) == len(LEARNERS), "each learner has a credential of their own"
    assert hub.real_key not in "\n".join(environ_of(hub.process.pid).values()), "not even the hub holds the key"
    services = hub.get("/services").json()
    assert {"gateway", "idle-culler"} <= set(services)
    gateway_pid = int(services["gateway"]["pid"])
    assert environ_of(gateway_pid)["CONVERSE_KIT_GATEWAY_KEY_FILE"].endswith("anthropic.key")
    assert hub.real_key not in "\n".join(environ_of(gateway_pid).values()), "the gateway reads the key from its file"
    assert environ_of(gateway_pid).get("JUPYTERHUB_API_TOKEN"), "the gateway checks learners' tokens with HubAuth"


def test_a_learner_on_the_hub_runs_notebook_02_live_through_the_gateway(hub: Hub) -> None:
    learner_env = environ_of(spawn(hub, "ana"))
    env = notebooks.environment(**{k: learner_env[k] for k in ("ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY", "CONVERSE_KIT_MODE")},
                                CONVERSE_KIT_HITS_LOG=None)
    nb = notebooks.execute(REPO_ROOT / "notebooks" / "02_multi_turn_conversations.ipynb", env)
    text = "".join(str(out.get("text", "")) for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)
    assert "Mode: live" in text and hub.real_key not in text
    report = Ledger(hub.state / "gateway.sqlite").report()
    ana = next(row for row in report if row["learner"] == "ana")
    assert int(ana["requests"]) > 0, "the gateway knew ana by her hub token and billed her"


def test_tokens_the_hub_did_not_issue_are_refused(hub: Hub) -> None:
    for token in ("made-up-token", secrets.token_hex(16), hub.real_key):
        answer = httpx2.post(hub.gateway_url + "/v1/messages", headers={"Authorization": f"Bearer {token}"},
                             json={"model": "claude-haiku-4-5", "max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}]})
        assert answer.status_code == 401 and "not one of this class's keys" in answer.json()["error"]["message"]


def test_the_zero_to_jupyterhub_values_have_the_same_pieces_and_say_they_were_not_tried() -> None:
    import yaml

    text = (REPO_ROOT / "classroom" / "hub" / "z2jh-values.yaml").read_text()
    values = yaml.safe_load(text)
    gateway = values["hub"]["services"]["gateway"]
    assert gateway["command"][:3] == ["python", "-m", "helpers.gateway"]
    assert gateway["environment"]["CONVERSE_KIT_GATEWAY_KEY_FILE"].startswith("/etc/converse-kit/")
    assert values["singleuser"]["extraEnv"]["ANTHROPIC_BASE_URL"] == gateway["url"]
    assert "spawner.api_token" in values["hub"]["extraConfig"]["converse-kit"]
    assert values["cull"]["enabled"] is True
    assert "NOT TRIED" in text and "sk-ant" not in text
