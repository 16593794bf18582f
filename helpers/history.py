"""The history: its message type, a new turn's text, and the history check (the rules themselves are in the rulebook)."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from .api.rulebook import check_request

Role = Literal["user", "assistant"]
ROLES: tuple[Role, ...] = ("user", "assistant")


class MessageDict(TypedDict):
    """A `MessageParam`-shaped, JSON-safe message: a role and its content."""

    role: Role
    content: str | list[dict[str, Any]]


def check_text(text: object) -> str:
    """Return the text of a new user turn, or raise a clear error for empty or non-string input."""
    if text is None or not isinstance(text, str):
        raise TypeError(f"A message must be a string of text, not {type(text).__name__}. Example: conv.send('Hello')")
    check_request({"messages": [{"role": "user", "content": text}]}, scope="history")  # content.empty, content.blank_text
    return text


def check_history(messages: object) -> list[MessageDict]:
    """Return a valid history, or raise the first rule of the rulebook it breaks (history scope: helpers.api.rulebook)."""
    if not isinstance(messages, list):
        raise TypeError(f"The history must be a list of messages, not {type(messages).__name__}.")
    for i, message in enumerate(messages):
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(message, dict) and content is not None and not isinstance(content, str | list):
            raise TypeError(f"Message {i} content must be text or a list of content blocks, not {type(content).__name__}.")
    check_request({"messages": messages}, scope="history")
    return messages  # type: ignore[return-value]


def last_user_text(body: Any, width: int = 60) -> str:
    """The last user message of a request body, shortened for messages and file names."""
    for message in reversed(body.get("messages", []) if isinstance(body, dict) else []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, list):
            content = " ".join(str(b.get("text", b.get("content", ""))) for b in content if isinstance(b, dict))
        text = " ".join(str(content).split())
        return text if len(text) <= width else text[: width - 3] + "..."
    return ""
