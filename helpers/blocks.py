"""Content blocks in a history: what a reply keeps, and the block rules a request must keep before it is sent.

Invariant: a reply's blocks are stored exactly as the API returned them (`reply_content`), and `check_blocks_sendable`
refuses, before anything is sent, a history the API would reject: an unanswered `tool_use`, a `tool_result` that
answers nothing, a thinking block that was altered or dropped where the docs require it back (sources in api_facts).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from anthropic.types import TextBlock

from .api_facts import PREFILL_ERROR, THINKING_RULE, TOOL_RESULT_RULE, capabilities
from .history import MessageDict, check_text

Content = str | list[dict[str, Any]]
THINKING_TYPES = ("thinking", "redacted_thinking")
T = TypeVar("T")


class UnsendableHistoryError(ValueError):
    """A history the API would refuse; nothing was sent and the history is unchanged."""


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


def blocks_of(content: object) -> list[dict[str, Any]]:
    """A message's content as a list of blocks (text becomes one text block)."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


def ids(content: object, kind: str, key: str) -> list[str]:
    """The ids of the blocks of one kind in a message's content (`tool_use` by `id`, `tool_result` by `tool_use_id`)."""
    return [str(b.get(key)) for b in blocks_of(content) if b.get("type") == kind]


def exchange_start(messages: Sequence[Mapping[str, Any]]) -> int:
    """Where the last exchange starts: the last user turn that is not a tool_result turn (0 if none)."""
    plain = [i for i, m in enumerate(messages) if m.get("role") == "user" and not ids(m.get("content"), "tool_result", "tool_use_id")]
    return plain[-1] if plain else 0


def signed_thinking(messages: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Every thinking block's signature mapped to its text, as the history holds them now."""
    return {str(b["signature"]): str(b.get("thinking", "")) for m in messages for b in blocks_of(m.get("content"))
            if b.get("type") == "thinking" and b.get("signature")}


def check_tool_pairs(messages: Sequence[Mapping[str, Any]]) -> None:
    """Refuse a tool_use not answered in the very next user turn, and a tool_result that answers nothing."""
    for i, message in enumerate(messages):
        before = messages[i - 1] if i else None
        asked = ids(before["content"], "tool_use", "id") if before and before.get("role") == "assistant" else []
        answered = ids(message.get("content"), "tool_result", "tool_use_id") if message.get("role") == "user" else []
        stray = [a for a in answered if a not in asked]
        if stray:
            raise UnsendableHistoryError(f"Message {i} has a tool_result for {stray[0]!r}, which no tool_use in the turn "
                                         f"just before it asked for. {TOOL_RESULT_RULE.value} Check the tool_use_id.")
        missing = [a for a in asked if a not in answered] if message.get("role") == "user" else []
        if missing:
            raise UnsendableHistoryError(f"Message {i - 1} asks for a tool ({missing[0]!r}) that message {i} does not answer. "
                                         f"{TOOL_RESULT_RULE.value} Run the tool and send "
                                         f"[{{'type': 'tool_result', 'tool_use_id': {missing[0]!r}, 'content': '...'}}].")
        lead = blocks_of(message.get("content"))
        if answered and any(b.get("type") != "tool_result" for b in lead[: len(answered)]):
            raise UnsendableHistoryError(f"Message {i}: put its tool_result blocks first, before any text. {TOOL_RESULT_RULE.value}")
    if messages and messages[-1].get("role") == "assistant" and ids(messages[-1]["content"], "tool_use", "id"):
        raise UnsendableHistoryError(f"The last turn asks for a tool. {TOOL_RESULT_RULE.value} Answer it with tool_result blocks.")


def check_thinking(messages: Sequence[Mapping[str, Any]], received: Mapping[str, str], thinking_on: bool) -> None:
    """Refuse an altered thinking block, one without its signature, or a tool-use turn that lost its thinking."""
    for i, message in enumerate(messages):
        for block in blocks_of(message.get("content")):
            if block.get("type") == "thinking" and not (isinstance(block.get("signature"), str) and block["signature"]):
                raise UnsendableHistoryError(f"Message {i} has a thinking block without its signature. {THINKING_RULE.value}")
            if block.get("type") == "thinking" and received.get(block["signature"], block.get("thinking")) != block.get("thinking"):
                raise UnsendableHistoryError(f"Message {i} has a thinking block whose text was changed. {THINKING_RULE.value} "
                                             "Undo the edit, or undo the exchange and send it again.")
    last = next((m for m in reversed(messages) if m.get("role") == "assistant"), None)
    if thinking_on and last is not None and ids(last["content"], "tool_use", "id") and messages[-1].get("role") == "user" \
            and blocks_of(last["content"])[0].get("type") not in THINKING_TYPES:
        raise UnsendableHistoryError("The turn that asked for the tool lost its thinking block. "
                                     f"{THINKING_RULE.value} Keep the reply's blocks as they came (conv.messages keeps them).")


def check_prefill(model: str, messages: Sequence[MessageDict]) -> None:
    """Refuse a final assistant turn (prefill) on a model the facts say does not accept it."""
    if messages and messages[-1]["role"] == "assistant" and capabilities(model).prefill is False:
        raise UnsendableHistoryError(f"{model} does not accept prefill (the API answers 400: {PREFILL_ERROR.value!r}). "
                                     "Leave out prefill=..., or use a model that supports it (helpers.api_facts.capabilities).")


def check_blocks_sendable(body: Mapping[str, Any], received: Mapping[str, str]) -> None:
    """Refuse, before sending, a request body whose blocks the API would reject."""
    messages = body["messages"]
    check_tool_pairs(messages)
    check_thinking(messages, received, (body.get("thinking") or {}).get("type") in ("enabled", "adaptive"))
    check_prefill(str(body["model"]), messages)


def text_of(content: object) -> str:
    """The text blocks of a message's content, joined (the convenience view)."""
    return "".join(str(b.get("text", "")) for b in blocks_of(content) if b.get("type") == "text")
