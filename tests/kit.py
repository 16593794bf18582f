"""Small builders shared by the unit tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import anthropic

from helpers import Conversation
from helpers.config import Settings
from helpers.replay import notebooks
from helpers.replay.client import make_client

DUMMY_KEY = "sk-ant-test-" + "0" * 24  # shaped like a key, never valid anywhere


def settings(mode: str, recordings: Path, cassette: str = "unit") -> Settings:
    """Settings for a mode, with recordings in a temporary folder."""
    return Settings(mode=mode, model="claude-haiku-4-5", reason="test", recordings=recordings,  # type: ignore[arg-type]
                    cassette=cassette, has_key=mode != "replay")


def client(mode: str, recordings: Path, base_url: str | None = None, key: str = DUMMY_KEY) -> anthropic.Anthropic:
    """A kit client for a mode; live and record clients talk to `base_url` (a local stand-in)."""
    made = make_client(settings(mode, recordings))
    if mode == "replay":
        return made
    return made.with_options(api_key=key, base_url=base_url, max_retries=0)


def stand_in_client(base_url: str, retries: int = 0, timeout: float = 10.0) -> anthropic.Anthropic:
    """A plain SDK client pointed at a local stand-in."""
    return anthropic.Anthropic(api_key=DUMMY_KEY, base_url=base_url, max_retries=retries, timeout=timeout)


def snapshot(conversation: Conversation) -> tuple[Any, ...]:
    """Everything a failed turn must leave unchanged: the history, the replies, the usage."""
    return copy.deepcopy(conversation.messages), list(conversation.replies), conversation.usage


def live_environment(base_url: str) -> dict[str, str]:
    """This environment in live mode against a local stand-in, for notebooks, scripts and benchmarks run as processes."""
    return notebooks.environment(CONVERSE_KIT_MODE="live", ANTHROPIC_BASE_URL=base_url,
                                 ANTHROPIC_API_KEY="dummy-key-for-the-local-stand-in", CONVERSE_KIT_HITS_LOG=None)
