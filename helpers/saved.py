"""A conversation on disk and on screen: the saved JSON format, the Markdown transcript and the standalone HTML page."""

from __future__ import annotations

import html
import json
import re
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


PAGE_STYLE = """body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;background:#fff}
.msg{border-radius:10px;padding:.5rem .9rem;margin:.6rem 0;border:1px solid #bbb}.user{background:#e8f0fc}.assistant{background:#f6f6f6}
.who{font-weight:bold}.text{white-space:pre-wrap}small{color:#333}pre{white-space:pre-wrap;background:#fff;padding:.4rem}
img{max-width:100%;max-height:24rem}summary{cursor:pointer}"""
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")


def block_html(block: dict[str, Any]) -> str:
    """One content block as escaped HTML: text as it is, thinking and tool steps collapsed, images inline."""
    kind, source = block.get("type"), block.get("source") or {}

    def folded(summary: str, body: object) -> str:
        """A collapsed step."""
        text = body if isinstance(body, str) else json.dumps(body, indent=1, ensure_ascii=False)
        return f"<details><summary>{html.escape(summary)}</summary><pre>{html.escape(text)}</pre></details>"

    if kind == "text":
        return f'<div class="text">{html.escape(str(block.get("text", "")))}</div>'
    if kind == "thinking":
        return folded("Thinking", str(block.get("thinking", "")))
    if kind == "redacted_thinking":
        return folded("Thinking (redacted)", "(encrypted: sent back as it came)")
    if kind == "tool_use":
        return folded(f"Tool call: {block.get('name')}", block.get("input", {}))
    if kind == "tool_result":
        return folded("Tool result (error)" if block.get("is_error") else "Tool result", block.get("content", ""))
    data = str(source.get("data", ""))
    if kind == "image" and source.get("type") == "base64" and source.get("media_type") in IMAGE_TYPES and BASE64.fullmatch(data):
        return f'<img alt="image sent in this turn" src="data:{source["media_type"]};base64,{"".join(data.split())}">'
    if kind in ("image", "document"):
        return f"<p><em>{html.escape(str(kind))}: {html.escape(str(block.get('title') or source.get('url') or source.get('media_type') or 'attached'))}</em></p>"
    return folded(f"{kind} block", block)


def page(system: str | None, messages: Sequence[MessageDict], replies: Sequence[Reply], title: str, tail: str) -> str:
    """The conversation as one standalone HTML page (nothing loaded from elsewhere), each reply with its label."""
    parts = [f"<p><strong>System:</strong> {html.escape(system)}</p>"] if system else []
    for message, label in zip(messages, labels(messages, replies), strict=True):
        content = message["content"]
        body = "".join(block_html(b) for b in ([{"type": "text", "text": content}] if isinstance(content, str) else content))
        who = "You" if message["role"] == "user" else "Claude"
        parts.append(f'<section class="msg {message["role"]}"><div class="who">{who}</div>{body}'
                     + (f"<small>{label}</small>" if label else "") + "</section>")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{PAGE_STYLE}</style></head><body><main><h1>{html.escape(title)}</h1>{''.join(parts)}"
            f"<p><small>{html.escape(tail)}</small></p></main></body></html>\n")
