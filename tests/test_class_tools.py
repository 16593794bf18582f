"""Class tools that tell the truth: a key with spaces or a newline around it works (and is named), one with a bad
character inside gets one clear line; the model check fails clearly when there is nothing to check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from kit import DUMMY_KEY, settings

from helpers import Conversation
from helpers.config import REPO_ROOT, load_settings
from helpers.errors import NoKeyError
from helpers.replay.client import make_client
from helpers.standin import StandIn


@pytest.mark.parametrize("pasted", [DUMMY_KEY + "\n", DUMMY_KEY + " ", f"  {DUMMY_KEY}\r\n"])
def test_a_key_with_spaces_or_a_newline_around_it_is_used_without_them(
        pasted: str, recordings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with StandIn() as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", pasted)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        reply = Conversation(client=make_client(settings("live", recordings)), max_tokens=20).send("Hi")
        assert reply.text and server.requests[-1]["path"] == "/v1/messages"
    settings_seen = load_settings({"ANTHROPIC_API_KEY": pasted})
    assert settings_seen.mode == "live" and "spaces or newline around it are ignored" in settings_seen.reason


def test_a_key_of_only_spaces_is_no_key() -> None:
    assert load_settings({"ANTHROPIC_API_KEY": " \n"}).mode == "replay"
    assert not load_settings({"ANTHROPIC_API_KEY": " \n"}).has_key


@pytest.mark.parametrize("bad", ["sk-ant-abc def", "sk-ant-abc\u201d", "sk-ant-a\nb"])
def test_a_key_with_a_bad_character_inside_gets_one_clear_line(
        bad: str, recordings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", bad)
    with pytest.raises(NoKeyError, match="space or a character that is not plain ASCII inside it"):
        make_client(settings("live", recordings))


def models(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the model check as a teacher does."""
    return subprocess.run([sys.executable, "-m", "helpers.classroom.models", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


def test_the_model_check_fails_clearly_when_there_is_nothing_to_check(tmp_path: Path) -> None:
    typo = models("/typo/path")
    assert typo.returncode == 2 and "is not a folder" in typo.stdout and "ok " not in typo.stdout
    empty = models(str(tmp_path))
    assert empty.returncode == 2 and "Nothing to check" in empty.stdout and "ok " not in empty.stdout
    helped = models("--help")
    assert helped.returncode == 0 and "usage: python -m helpers.classroom.models" in helped.stdout
    kit = models()
    assert kit.returncode == 0 and "ok   claude-" in kit.stdout


def test_the_setup_line_names_a_server_in_between(monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers.replay.client import status_line

    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9911")
    line = status_line(load_settings({"ANTHROPIC_API_KEY": DUMMY_KEY}))
    assert "through http://127.0.0.1:9911 (not api.anthropic.com directly)" in line
    assert "through" not in status_line(load_settings({}))
