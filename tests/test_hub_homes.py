"""Learners' homes on the class hub: private modes, a copy that never follows a learner's link, no key in the kit's .env.

The spawn hook runs as root while a learner's processes may be alive, so the tests plant the links a learner could
swap in at the worst moment, and check the gateway's key file is neither written, read into a home, nor re-owned.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from helpers.classroom import homes
from helpers.config import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """The gateway's key file, root's and 0600."""
    folder = tmp_path / "etc"
    folder.mkdir(mode=0o700)
    key = folder / "anthropic.key"
    key.write_text("sk-ant-the-real-key\n")
    key.chmod(0o600)
    return key


def untouched(key: Path) -> tuple[Any, ...]:
    """What must not change about the key file: content, mode, owner."""
    info = key.stat()
    return key.read_text(), stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid


def test_a_home_gets_a_private_copy_and_a_private_mode(tmp_path: Path) -> None:
    home = tmp_path / "ana"
    home.mkdir(mode=0o755)  # what Debian's useradd makes
    assert homes.give_notebooks(NOTEBOOKS, home) is True
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    copied = sorted((home / "notebooks").iterdir())
    assert [p.name for p in copied] == sorted(p.name for p in NOTEBOOKS.iterdir() if not p.is_symlink())
    assert {stat.S_IMODE(p.stat().st_mode) for p in copied} == {0o600}
    assert stat.S_IMODE((home / "notebooks").stat().st_mode) == 0o700
    assert homes.give_notebooks(NOTEBOOKS, home) is False, "copied once: a learner's edits are kept"


def test_a_link_swapped_in_for_a_notebook_is_refused_not_followed(
        tmp_path: Path, secret: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, before, real_mkdir = tmp_path / "ben", untouched(secret), os.mkdir
    home.mkdir()

    def swap(path: Any, mode: int = 0o777, *, dir_fd: int | None = None) -> None:
        real_mkdir(path, mode, dir_fd=dir_fd)
        first = sorted(NOTEBOOKS.iterdir())[0].name
        os.symlink(secret, home / "notebooks" / first)  # the learner's process, at the worst moment

    monkeypatch.setattr(homes.os, "mkdir", swap)
    with pytest.raises(homes.UnsafeHome, match="appeared while the notebooks were copied"):
        homes.give_notebooks(NOTEBOOKS, home)
    assert untouched(secret) == before
    assert all(secret.read_bytes() not in p.read_bytes() for p in home.rglob("*") if p.is_file() and not p.is_symlink())


def test_a_link_swapped_in_for_the_notebooks_folder_is_refused_not_followed(
        tmp_path: Path, secret: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, before, real_mkdir = tmp_path / "cy", untouched(secret), os.mkdir
    home.mkdir()

    def swap(path: Any, mode: int = 0o777, *, dir_fd: int | None = None) -> None:
        real_mkdir(path, mode, dir_fd=dir_fd)
        os.rmdir(home / "notebooks")
        os.symlink(secret.parent, home / "notebooks")

    monkeypatch.setattr(homes.os, "mkdir", swap)
    with pytest.raises(homes.UnsafeHome, match="swapped for a link"):
        homes.give_notebooks(NOTEBOOKS, home)
    assert untouched(secret) == before and sorted(p.name for p in secret.parent.iterdir()) == ["anthropic.key"]


def test_a_home_that_is_a_link_is_refused(tmp_path: Path, secret: Path) -> None:
    (tmp_path / "dee").symlink_to(secret.parent)
    before = stat.S_IMODE(secret.parent.stat().st_mode)
    with pytest.raises(homes.UnsafeHome, match="is a link"):
        homes.give_notebooks(NOTEBOOKS, tmp_path / "dee")
    assert stat.S_IMODE(secret.parent.stat().st_mode) == before and not (secret.parent / "notebooks").exists()


@pytest.mark.skipif(os.getuid() != 0, reason="copying as another user needs root (CI runs as root)")
def test_the_copy_runs_as_the_learner() -> None:
    nobody = pwd.getpwnam("nobody")
    root = Path(tempfile.mkdtemp(prefix="converse-kit-homes-"))  # like /home: reachable by every user
    try:
        root.chmod(0o755)
        home = root / "nobody"
        home.mkdir()
        assert homes.give_notebooks(NOTEBOOKS, home, "nobody") is True
        assert (home.stat().st_uid, stat.S_IMODE(home.stat().st_mode)) == (nobody.pw_uid, 0o700)
        owners = {(p.stat().st_uid, stat.S_IMODE(p.stat().st_mode)) for p in (home / "notebooks").iterdir()}
        assert owners == {(nobody.pw_uid, 0o600)} and (home / "notebooks").stat().st_uid == nobody.pw_uid
    finally:
        shutil.rmtree(root)


@pytest.mark.parametrize(("text", "found"), [
    ("ANTHROPIC_API_KEY=sk-ant-abc\n", True),
    ('export ANTHROPIC_API_KEY="sk-ant-abc"\n', True),
    ("ANTHROPIC_AUTH_TOKEN='tok'\n", True),
    ("# ANTHROPIC_API_KEY=sk-ant-abc\n", False),
    ("ANTHROPIC_API_KEY=\n", False),
    ("CONVERSE_KIT_MODE=live\n", False),
])
def test_a_key_in_the_kits_env_file_is_found(tmp_path: Path, text: str, found: bool) -> None:
    (tmp_path / ".env").write_text(text)
    assert (homes.env_file_key(tmp_path) is not None) is found


def test_start_sh_refuses_to_start_with_a_key_in_the_kits_env(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    (kit / "classroom" / "hub").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "classroom" / "hub" / "start.sh", kit / "classroom" / "hub" / "start.sh")
    (kit / ".env").write_text('ANTHROPIC_API_KEY="sk-ant-a-teachers-key"\n')
    done = subprocess.run(["bash", str(kit / "classroom" / "hub" / "start.sh")], capture_output=True, text=True,
                          timeout=30, env={"PATH": os.environ["PATH"], "CONVERSE_KIT_HUB_STATE": str(tmp_path / "state"),
                                           "CONVERSE_KIT_GATEWAY_KEY_FILE": str(tmp_path / "missing.key")})
    assert done.returncode == 1 and "Refusing to start" in done.stdout and ".env holds an API key" in done.stdout
    assert sorted(p.name for p in kit.iterdir()) == [".env", "classroom"], "nothing was installed or changed"
    assert not (tmp_path / "state").exists()


def test_the_hub_config_refuses_to_start_with_a_key_in_the_kits_env() -> None:
    text = (REPO_ROOT / "classroom" / "hub" / "jupyterhub_config.py").read_text()
    assert "if env_file_key(KIT):" in text and "sys.exit(" in text.split("if env_file_key(KIT):")[1][:200]
