"""History checks: the message list must be valid before anything is sent."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

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
    if not text.strip():
        raise ValueError("A message cannot be empty or only whitespace. Type what you want to ask.")
    return text


def check_message(message: object, index: int) -> MessageDict:
    """Return one history message if it is a valid role/content dict, or raise a clear error."""
    if not isinstance(message, dict) or set(message) - {"role", "content"} or "role" not in message:
        raise ValueError(f"Message {index} must be a dict like {{'role': 'user', 'content': 'Hi'}}, got {message!r:.80}.")
    if message["role"] not in ROLES:
        raise ValueError(
            f"Message {index} has role {message['role']!r}. The kit's history holds 'user' and 'assistant' turns "
            "(its own rule: some models also accept 'system' messages, see helpers.api_facts): put instructions in the system prompt, Conversation(system=...)."
        )
    content = message.get("content")
    if isinstance(content, str):
        check_text(content)
    elif not (isinstance(content, list) and content and all(isinstance(b, dict) for b in content)):
        raise TypeError(f"Message {index} content must be text or a list of content blocks, not {type(content).__name__}.")
    else:
        check_blocks(content, index)
    return message  # type: ignore[return-value]


def check_blocks(blocks: list[dict[str, Any]], index: int) -> None:
    """Raise a clear error unless each block has a type, and each text block has text that is not blank."""
    for block in blocks:
        if not isinstance(block.get("type"), str):
            raise ValueError(f"Message {index} has a content block without a 'type': {block!r:.80}.")
        text = block.get("text")
        if block["type"] == "text" and not (isinstance(text, str) and text.strip()):
            raise ValueError(f"Message {index} has an empty text block: the API accepts only text that is not blank.")


def check_history(messages: object) -> list[MessageDict]:
    """Return a valid history: it starts with a user turn and the roles alternate."""
    if not isinstance(messages, list):
        raise TypeError(f"The history must be a list of messages, not {type(messages).__name__}.")
    checked = [check_message(m, i) for i, m in enumerate(messages)]
    if checked and checked[0]["role"] != "user":
        raise ValueError("The history must start with a user turn: the model answers; it never speaks first.")
    for i in range(1, len(checked)):
        if checked[i]["role"] == checked[i - 1]["role"]:
            raise ValueError(
                f"Messages {i - 1} and {i} are both {checked[i]['role']!r} turns. The kit keeps turns alternating "
                "(its own rule; the API would combine them into one turn): merge the two or add the missing turn."
            )
    return checked


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
