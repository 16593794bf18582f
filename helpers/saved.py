"""A conversation on disk and on screen: the saved JSON format, and the Markdown transcript."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import SavedConversationError
from .history import MessageDict
from .reply import Reply

FORMAT = "converse-kit/conversation"
VERSION = 1


def read_saved(path: Path) -> dict[str, Any]:
    """Read a saved conversation's JSON and check its format and version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise SavedConversationError(f"{path} is nested too deeply to be a saved conversation.") from None
    except OSError as error:
        raise SavedConversationError(f"Cannot read {path}: {error.strerror}.") from None
    except ValueError:
        raise SavedConversationError(f"{path} is not JSON: it is corrupt or not a saved conversation.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SavedConversationError(f"{path} is not a converse-kit conversation (save one with conv.save(path)).")
    if not isinstance(data.get("version"), int) or data["version"] > VERSION:
        raise SavedConversationError(
            f"{path} was saved by a newer version of the kit (format {data.get('version')}; this kit reads {VERSION}).\n"
            "Update the kit: git pull, then pip install -r requirements.txt"
        )
    return data


def saved_settings(data: dict[str, Any]) -> dict[str, Any]:
    """The tools and thinking settings a saved conversation was sent with (None in files saved before they were kept)."""
    tools, thinking = data.get("tools"), data.get("thinking")
    if tools is not None and not (isinstance(tools, list) and all(isinstance(t, dict) for t in tools)):
        raise ValueError("tools must be a list of tool definitions (objects) or null")
    if thinking is not None and not isinstance(thinking, dict):
        raise ValueError("thinking must be an object such as {'type': 'enabled', 'budget_tokens': 1024} or null")
    return {"tools": tools, "thinking": thinking}


def transcript(system: str | None, messages: Sequence[MessageDict], replies: Sequence[Reply], tail: str) -> str:
    """The conversation as a Markdown transcript, each reply labelled with where it came from."""
    lines = [f"**System:** {system}\n"] if system else []
    for message, label in zip(messages, labels(messages, replies), strict=True):
        content = message["content"]
        text = content if isinstance(content, str) else json.dumps(content)
        lines.append(f"**{message['role'].capitalize()}:** {text}\n" + (f"\n<small>{label}</small>\n" if label else ""))
    lines.append(tail)
    return "\n".join(lines)


def labels(messages: Sequence[MessageDict], replies: Sequence[Reply]) -> list[str]:
    """Under each assistant message, where it came from (replies are the last assistant turns); '' for user turns."""
    assistant_turns = sum(m["role"] == "assistant" for m in messages)
    received = iter(replies[-assistant_turns:] if assistant_turns else [])
    skip, found = assistant_turns - min(len(replies), assistant_turns), []
    for message in messages:
        if message["role"] != "assistant":
            found.append("")
        elif skip:
            skip -= 1
            found.append("[from the starting history, not a reply received here]")
        else:
            found.append(html.escape(next(received).footer()))
    return found
