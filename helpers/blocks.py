"""Content blocks in a history: what a new turn may hold, and what the history keeps of a reply.

Invariant: a reply's blocks are stored exactly as the API returned them (`reply_content`; only blank text blocks are
left out, as the API refuses them in a request). The rules a history of blocks must keep live in the rulebook
(`helpers.api.rulebook`), which refuses, before anything is sent, a request the API would reject.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from anthropic.types import TextBlock

from .api.content import blocks_of as blocks_of
from .api.content import ids as ids
from .api.rulebook import (
    UnsendableHistoryError as UnsendableHistoryError,  # where learners and tests import it from
)
from .history import check_text

Content = str | list[dict[str, Any]]
T = TypeVar("T")


def check_content(content: object) -> Content:
    """Return a new user turn's content: text, or a non-empty list of blocks that each have a `type`."""
    if isinstance(content, str) or content is None or not isinstance(content, list):
        return check_text(content)
    if not content or not all(isinstance(b, dict) and isinstance(b.get("type"), str) for b in content):
        raise TypeError("A message must be text, or a list of content blocks such as "
                        "[{'type': 'text', 'text': 'What is in this image?'}, {'type': 'image', 'source': {...}}].")
    for block in content:
        if block["type"] == "text":
            check_text(block.get("text"))
    return copy.deepcopy(content)


def reply_content(message: Any) -> Content | None:
    """What the history keeps of a reply: its text when it is only plain text blocks, else every block as returned.

    Blank text blocks are left out (the API refuses them in a request); None when nothing is left.
    """
    blocks = [block.to_dict() for block in message.content or []]
    if all(b.get("type") == "text" and not b.get("citations") for b in blocks):
        text = "".join(str(b.get("text", "")) for b in blocks)
        return text if text.strip() else None
    kept = [b for b in blocks if b.get("type") != "text" or str(b.get("text", "")).strip()]
    return kept or None


def with_prefill(message: T, prefill: str | None) -> T:
    """The reply with its prefill put back in front of its first text block: the assistant turn as a whole."""
    if not prefill:
        return message
    content = list(getattr(message, "content", None) or [])
    first = next((i for i, b in enumerate(content) if getattr(b, "type", "") == "text"), None)
    if first is None:
        content.insert(0, TextBlock(type="text", text=prefill))
    else:
        content[first] = content[first].model_copy(update={"text": prefill + content[first].text})
    return message.model_copy(update={"content": content})  # type: ignore[attr-defined,no-any-return]


def exchange_start(messages: Sequence[Mapping[str, Any]]) -> int:
    """Where the last exchange starts: the last user turn that is not a tool_result turn (0 if none)."""
    plain = [i for i, m in enumerate(messages) if m.get("role") == "user" and not ids(m.get("content"), "tool_result", "tool_use_id")]
    return plain[-1] if plain else 0


def signed_thinking(messages: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Every thinking block's signature mapped to its text (a redacted block's data to itself), as the history holds them."""
    found = {str(b["signature"]): str(b.get("thinking", "")) for m in messages for b in blocks_of(m.get("content"))
             if b.get("type") == "thinking" and b.get("signature")}
    return found | {f"redacted:{b['data']}": str(b["data"]) for m in messages for b in blocks_of(m.get("content"))
                    if b.get("type") == "redacted_thinking" and isinstance(b.get("data"), str)}


def as_received(received: Mapping[str, str]) -> Callable[[Mapping[str, Any]], bool]:
    """The kit's test that a thinking block is exactly as a reply returned it (for the rulebook's thinking rules)."""
    def unmodified(block: Mapping[str, Any]) -> bool:
        """Whether this thinking or redacted_thinking block is one the kit received, unchanged."""
        if block.get("type") == "redacted_thinking":
            return f"redacted:{block.get('data')}" in received
        return received.get(str(block.get("signature"))) == block.get("thinking")
    return unmodified


def text_of(content: object) -> str:
    """The text blocks of a message's content, joined (the convenience view)."""
    return "".join(str(b.get("text", "")) for b in blocks_of(content) if b.get("type") == "text")
