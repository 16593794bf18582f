"""The request rules the stand-in applies, each as the SDK or the docs state it (api_facts names the source).

`check(body)` returns the 400 the API would give, or None; `combined(messages)` merges consecutive
same-role turns the way the SDK's docstring says the API does. Error texts marked "guess" below are
the kit's best wording where no source gives the API's exact text.
"""

from __future__ import annotations

from typing import Any

from ..api_facts import PREFILL_ERROR, SYSTEM_ROLE_ERROR, capabilities
from .replies import block_problem

ROLES = ("user", "assistant", "system")


def _blocks(content: Any) -> list[Any]:
    """Message content as a list of blocks."""
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content)


def combined(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive user (or assistant) turns merged into one turn, as the API does (SDK messages docstring)."""
    merged: list[dict[str, Any]] = []
    for message in messages:
        if merged and merged[-1]["role"] == message["role"] and message["role"] != "system":
            merged[-1] = {"role": message["role"], "content": _blocks(merged[-1]["content"]) + _blocks(message["content"])}
        else:
            merged.append(dict(message))
    return merged


def _empty(content: Any) -> bool:
    """Whether message content is empty: an empty string, no blocks, or an empty text block."""
    if isinstance(content, str):
        return not content
    return not content or any(isinstance(b, dict) and b.get("type") == "text" and not b.get("text") for b in content)


def _shape(body: Any) -> str | None:
    """Missing or mistyped top-level fields."""
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    for field in ("model", "messages", "max_tokens"):
        if field not in body:
            return f"{field}: Field required"
    if not isinstance(body["max_tokens"], int) or isinstance(body["max_tokens"], bool) or body["max_tokens"] < 0:
        return "max_tokens: Input should be greater than or equal to 0"  # 0 is valid: SDK max_tokens docstring
    if not isinstance(body["messages"], list) or not body["messages"]:
        return "messages: at least one message is required"  # guess at the wording
    return None


def _messages(body: dict[str, Any]) -> str | None:
    """Roles, empty content, system-role placement and prefill, per model."""
    messages, model = body["messages"], str(body["model"])
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ROLES:
            return f"messages.{i}.role: Input should be 'user', 'assistant' or 'system'"  # the roles MessageParam allows
        last = i == len(messages) - 1
        if _empty(message.get("content")) and not (last and role == "assistant"):
            return f"messages.{i}: all messages must have non-empty content except for the optional final assistant message"  # guess
        if role == "system":
            if capabilities(model).system_messages is False:
                return f"messages.{i}: {SYSTEM_ROLE_ERROR.value}"
            if i == 0 or messages[i - 1].get("role") != "user":
                return f"messages.{i}: a system message must come right after a user turn"  # placement rule; guess at wording
    if messages[-1].get("role") == "assistant" and capabilities(model).prefill is False:
        return PREFILL_ERROR.value
    return None


def check(body: Any) -> str | None:
    """Why the API would refuse this messages request with a 400, or None."""
    return _shape(body) or _messages(body) or block_problem(body["messages"], body)
