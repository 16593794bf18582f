"""The notebooks' exercise checks and hints (solutions are in each notebook's <details> block)."""

from __future__ import annotations

from typing import Any

from .checks import check, exercise, valid_history
from .config import choose_mode

__all__ = ["check"]


# 00_setup
@exercise("00.1")
def _mode_with_key(answer: Any) -> str | None:
    """The mode chosen for a key in .env and no CONVERSE_KIT_MODE."""
    expected, _ = choose_mode({"ANTHROPIC_API_KEY": "sk-ant-example"})
    return None if answer == expected else "With a key and no CONVERSE_KIT_MODE, which mode does choose_mode() pick?"


@exercise("00.2")
def _model_variable(answer: Any) -> str | None:
    """The variable that overrides the model."""
    return None if answer == "CONVERSE_KIT_MODEL" else "Look for MODEL_VAR in helpers/config.py (helpers.config.MODEL_VAR)."


# 01_single_turn_prompting
@exercise("01.1")
def _translation_request(body: Any) -> str | None:
    """A request body for a short translation with a system prompt."""
    if not isinstance(body, dict):
        return "Build a dict with the keys model, max_tokens, system and messages."
    missing = {"model", "max_tokens", "system", "messages"} - set(body)
    if missing:
        return f"Your request is missing: {', '.join(sorted(missing))}."
    if not isinstance(body["max_tokens"], int) or not 1 <= body["max_tokens"] <= 100:
        return "A translation of a few words needs few tokens: set max_tokens between 1 and 100."
    hint = valid_history(body["messages"])
    if hint:
        return hint
    if len(body["messages"]) != 1 or "good morning" not in str(body["messages"][0]["content"]).lower():
        return "A single-turn prompt has one user message; ask for 'Good morning' to be translated."
    return None


@exercise("01.2")
def _cut_off_reason(answer: Any) -> str | None:
    """The stop_reason of a reply cut off by max_tokens."""
    return None if answer == "max_tokens" else "Look at stop_reason of the reply that was cut off in this notebook."
