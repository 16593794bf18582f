"""Reading message content: a message's blocks, and the ids its tool blocks carry (no rules here, only views)."""

from __future__ import annotations

from typing import Any

THINKING_TYPES = ("thinking", "redacted_thinking")  # the block types that carry thinking (SDK: types/*thinking_block*)


def blocks_of(content: object) -> list[dict[str, Any]]:
    """A message's content as a list of blocks (text becomes one text block)."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


def ids(content: object, kind: str, key: str) -> list[str]:
    """The ids of the blocks of one kind in a message's content (`tool_use` by `id`, `tool_result` by `tool_use_id`)."""
    return [str(b.get(key)) for b in blocks_of(content) if b.get("type") == kind]


def role(message: object) -> object:
    """A message's role, or None when the message is not a dict."""
    return message.get("role") if isinstance(message, dict) else None


def messages_of(body: object) -> list[Any]:
    """A request body's messages (an empty list when the body has none, or not as a list)."""
    found = body.get("messages") if isinstance(body, dict) else None
    return found if isinstance(found, list) else []


def output_format(body: object) -> Any:
    """A request body's output_config.format as sent (None when it asks for none, or output_config is not a dict)."""
    config = body.get("output_config") if isinstance(body, dict) else None
    return config.get("format") if isinstance(config, dict) else None


def thinking_on(body: object) -> bool:
    """Whether the request turns thinking on (`enabled` with a budget, or `adaptive`)."""
    thinking = body.get("thinking") if isinstance(body, dict) else None
    return isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")
