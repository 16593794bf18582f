"""Colab detection and the key from Colab's secrets, with no Colab and no network (fakes stand in)."""

from __future__ import annotations

import json
import re

from helpers.classroom.colab import colab_secret, in_colab, key_from_colab
from helpers.config import REPO_ROOT
from helpers.replay import notebooks


class SecretNotFoundError(Exception):
    """Like google.colab.userdata's: the secret does not exist."""


class FakeUserdata:
    """Stands in for google.colab.userdata."""

    def __init__(self, secrets: dict[str, str], error: Exception | None = None) -> None:
        self.secrets, self.error = secrets, error

    def get(self, name: str) -> str:
        """Return a secret, or raise like Colab does."""
        if self.error:
            raise self.error
        if name not in self.secrets:
            raise SecretNotFoundError(name)
        return self.secrets[name]


def test_colab_is_detected_by_its_module_or_its_environment() -> None:
    assert in_colab({"google.colab": object()}, {})
    assert in_colab({}, {"COLAB_RELEASE_TAG": "release-colab_20261101"})
    assert not in_colab({}, {})
    assert not in_colab()  # this test machine is not Colab


def test_the_key_comes_from_colab_secrets_when_none_is_set() -> None:
    env: dict[str, str] = {}
    assert key_from_colab(env, modules={"google.colab": 1}, userdata=FakeUserdata({"ANTHROPIC_API_KEY": "from-secrets"}))
    assert env == {"ANTHROPIC_API_KEY": "from-secrets"}


def test_a_key_already_set_wins_and_outside_colab_nothing_happens() -> None:
    env = {"ANTHROPIC_API_KEY": "mine"}
    assert not key_from_colab(env, modules={"google.colab": 1}, userdata=FakeUserdata({"ANTHROPIC_API_KEY": "other"}))
    assert env["ANTHROPIC_API_KEY"] == "mine"
    empty: dict[str, str] = {}
    assert not key_from_colab(empty, modules={}, userdata=FakeUserdata({"ANTHROPIC_API_KEY": "x"})) and empty == {}


def test_a_missing_or_forbidden_secret_means_replay() -> None:
    env: dict[str, str] = {}
    assert not key_from_colab(env, modules={"google.colab": 1}, userdata=FakeUserdata({}))
    assert not key_from_colab(env, modules={"google.colab": 1}, userdata=FakeUserdata({}, PermissionError("no access")))
    assert env == {} and colab_secret(userdata=FakeUserdata({"ANTHROPIC_API_KEY": ""})) is None


def test_the_colab_install_cell_badges_and_binder_agree_with_the_project() -> None:
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    repo = re.search(r'^Repository = "([^"]+)"', pyproject, flags=re.M)[1]  # type: ignore[index]
    for path in notebooks.kit_notebooks():  # on Colab every notebook runs in its own runtime
        cells = json.loads(path.read_text())["cells"]
        install = next(("".join(c["source"]) for c in cells if "google.colab" in "".join(c["source"])), "")
        assert repo in install and "pip install" in install, f"{path.name} has no Colab install cell"
    readme = (REPO_ROOT / "README.md").read_text()
    slug = repo.removeprefix("https://github.com/")
    assert f"colab.research.google.com/github/{slug}/blob/main/notebooks/00_setup.ipynb" in readme
    assert f"mybinder.org/v2/gh/{slug}/HEAD" in readme
    runtime = (REPO_ROOT / "runtime.txt").read_text().strip()
    minor = int(re.fullmatch(r"python-3\.(\d+)", runtime)[1])  # type: ignore[index]
    assert minor >= int(re.search(r'requires-python = ">=3\.(\d+)"', pyproject)[1])  # type: ignore[index]
    assert "-e ." in (REPO_ROOT / "requirements.txt").read_text().splitlines()
