"""Exercise checks of notebook 08 (context management): a context_management value, and when the cache is read."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..api.rulebook import UnsendableHistoryError, check_request
from .checks import Check

CLEAR = "clear_tool_uses_20250919"
CACHE_ANSWERS = {
    "the same history with one new turn added": "read",
    "the first request after clear_tool_uses cleared new results": "write",
    "the next turn, when no new results were cleared": "read",
    "a timestamp added to the start of the system prompt": "write",
}


def counter(value: Any, kind: str) -> int | None:
    """The N of {"type": kind, "value": N} (None for any other shape)."""
    if not isinstance(value, dict) or value.get("type") != kind:
        return None
    number = value.get("value")
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def rulebook_hint(config: Any) -> str | None:
    """The rulebook's refusal of a request carrying this context_management value, or None if it may be sent."""
    body = {"model": "claude-haiku-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}],
            "context_management": config}
    try:
        check_request(body)
    except UnsendableHistoryError as error:
        return str(error)
    return None


def _clearing(config: Any) -> str | None:
    """Clear tool results from 30,000 input tokens on, keep the 5 most recent uses, never clear the memory tool."""
    edits = config.get("edits") if isinstance(config, dict) else None
    if not isinstance(edits, list):
        return "context_management is a dict with a list of edits: {'edits': [{'type': 'clear_tool_uses_20250919', ...}]}."
    # before the rulebook, which would say only that claude-haiku-4-5 has no compaction
    if any(isinstance(e, dict) and e.get("type") == "compact_20260112" for e in edits):
        return "Compaction summarizes the whole conversation; the exercise asks only for clearing tool results."
    problem = rulebook_hint(config)
    if problem:
        return problem
    clearing = [e for e in edits if isinstance(e, dict) and e.get("type") == CLEAR]
    if len(clearing) != 1:
        return f"Give exactly one edit of type {CLEAR!r}."
    edit = clearing[0]
    if counter(edit.get("trigger"), "input_tokens") != 30_000:
        return "Set the trigger: 'trigger': {'type': 'input_tokens', 'value': 30000}."
    if counter(edit.get("keep"), "tool_uses") != 5:
        return "Keep the 5 most recent tool uses: 'keep': {'type': 'tool_uses', 'value': 5}."
    if "memory" not in (edit.get("exclude_tools") or []):
        return "Spare the memory tool: 'exclude_tools': ['memory']."
    return None


def _cache_reads(answers: Any) -> str | None:
    """Which requests read their prefix from the cache and which write it again."""
    if not isinstance(answers, dict):
        return 'Answer with the dict from the cell above, each ... replaced by "read" or "write".'
    for situation, expected in CACHE_ANSWERS.items():
        given = answers.get(situation)
        if not isinstance(given, str) or given.strip().lower() != expected:
            return f"Think again about: {situation!r}. Is the start of the prompt the same as in the request before it?"
    return None


# exercise id -> its check
CHECKS: Mapping[str, Check] = MappingProxyType({"08.1": _clearing, "08.2": _cache_reads})
