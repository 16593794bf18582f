"""The chat's bubbles: one Markdown bubble a message; a streamed reply changes only the last bubble.

Each piece of a streamed reply updates one bubble's Markdown output, so a piece costs the same
however many bubbles are above it (the rest of the chat is never rendered again).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any, Literal

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..conversation import CUT_OFF
from ..history import MessageDict
from ..reply import Reply

Role = Literal["user", "assistant"]
NAMES = {"user": "You", "assistant": "Claude"}
STYLE = """<style>
.ck-log > * {flex: 0 0 auto;}
.ck-bubble {border-radius: 12px; padding: 2px 12px; margin: 4px 0; max-width: 85%; overflow: visible;}
.ck-bubble > * {flex: 0 0 auto; overflow: visible;}
.ck-user {background: #e3edfb; border: 1px solid #9bbbe8;}
.ck-assistant {background: #f5f5f5; border: 1px solid #d0d0d0;}
.ck-note {background: #fff4e5; border: 1px solid #f0b46a; border-radius: 8px; padding: 4px 10px;}
.ck-bubble .jp-RenderedMarkdown p, .ck-bubble .jp-RenderedHTMLCommon p {margin: 4px 0;}
</style>"""


def markdown_output(text: str) -> dict[str, Any]:
    """A display_data output that Jupyter and Voila render as Markdown."""
    return {"output_type": "display_data", "data": {"text/markdown": text, "text/plain": text}, "metadata": {}}


def text_of(message: MessageDict) -> str:
    """A message as the bubble's Markdown: text as it is; thinking, tool calls and results collapsed; images as thumbnails."""
    content = message["content"]
    if isinstance(content, str):
        return content
    return "\n\n".join(block_markdown(b) for b in content)


def folded(summary: str, body: str) -> str:
    """A collapsed section: the summary shows, the body opens on a click."""
    return f"<details><summary>{html.escape(summary)}</summary>\n\n{body}\n\n</details>"


def block_markdown(block: dict[str, Any]) -> str:
    """One content block as Markdown for a bubble."""
    kind, source = block.get("type"), block.get("source") or {}
    if kind == "text":
        return str(block.get("text", ""))
    if kind == "thinking":
        return folded("Thinking", html.escape(str(block.get("thinking", ""))))
    if kind == "redacted_thinking":
        return folded("Thinking (redacted)", "(encrypted: sent back as it came)")
    if kind == "tool_use":
        return folded(f"Tool call: {block.get('name')}", f"```json\n{json.dumps(block.get('input', {}), indent=1)}\n```")
    if kind == "tool_result":
        label = "Tool result (error)" if block.get("is_error") else "Tool result"
        return folded(label, f"```\n{block.get('content') if isinstance(block.get('content'), str) else json.dumps(block.get('content'))}\n```")
    if kind == "image" and source.get("type") == "base64":
        return f'<img src="data:{source.get("media_type")};base64,{source.get("data")}" alt="image" style="max-height: 96px">'
    if kind == "document":
        return f"*document: {html.escape(str(block.get('title') or source.get('media_type') or 'attached'))}*"
    return f"`{json.dumps(block)}`"


class Bubble(widgets.VBox):  # type: ignore[misc]
    """One message: who said it, the text as Markdown, and a footer (where a reply came from)."""

    def __init__(self, role: Role, text: str = "", footer: str = "") -> None:
        self.role = role
        self.parts: list[str] = [text] if text else []
        self.body = widgets.Output()
        self.footer = widgets.HTML()
        name = widgets.HTML(f"<b>{NAMES[role]}</b>")
        side = "flex-end" if role == "user" else "flex-start"
        super().__init__([name, self.body, self.footer], layout=widgets.Layout(align_self=side))
        self.add_class("ck-bubble")
        self.add_class(f"ck-{role}")
        self.render()
        self.set_footer(footer)

    @property
    def text(self) -> str:
        """The text shown so far."""
        return "".join(self.parts)

    def render(self) -> None:
        """Show the current text as Markdown (only this bubble is sent to the page)."""
        self.body.outputs = (markdown_output(self.text),)

    def append(self, piece: str) -> None:
        """Add one streamed piece to this bubble."""
        self.parts.append(piece)
        self.render()

    def set_footer(self, footer: str) -> None:
        """Set the small line under the text."""
        self.footer.value = f"<small>{html.escape(footer)}</small>" if footer else ""

    def __repr__(self) -> str:
        """Who said it and the start of the text, for plain-text displays."""
        return f"Bubble({self.role}: {self.text[:60]!r})"


def footer_for(reply: Reply | None) -> str:
    """The line under a reply: where it came from, why it stopped, its tokens."""
    if reply is None:
        return ""
    if reply.stop_reason == CUT_OFF:
        return f"[{reply.source} | cut off: you pressed Stop | tokens: {reply.usage}]"
    return reply.footer()


class ChatLog(widgets.VBox):  # type: ignore[misc]
    """The bubbles of a conversation, in order; the log scrolls as one, no bubble is squeezed (see STYLE)."""

    children: tuple[Any, ...]

    def __init__(self) -> None:
        super().__init__([], layout=widgets.Layout(max_height="460px", overflow="auto", padding="4px"))
        self.add_class("ck-log")

    @property
    def bubbles(self) -> list[Bubble]:
        """Every bubble, oldest first."""
        return [child for child in self.children if isinstance(child, Bubble)]

    def texts(self) -> list[str]:
        """The text of every bubble (what the learner sees), oldest first."""
        return [bubble.text for bubble in self.bubbles]

    def add(self, role: Role, text: str = "", footer: str = "") -> Bubble:
        """Add a bubble at the bottom and return it."""
        bubble = Bubble(role, text, footer)
        self.children = (*self.children, bubble)
        return bubble

    def pop(self, count: int = 1) -> None:
        """Remove the last `count` bubbles."""
        self.children = self.children[: max(0, len(self.children) - count)]

    def __repr__(self) -> str:
        """How many bubbles, for plain-text displays."""
        return f"ChatLog({len(self.children)} bubbles)"

    def show(self, messages: Sequence[MessageDict], replies: Sequence[Reply]) -> None:
        """Show a whole history (replies belong to the last assistant turns, newest last)."""
        assistant_turns = sum(m["role"] == "assistant" for m in messages)
        offset, seen, bubbles = assistant_turns - len(replies), 0, []
        for message in messages:
            reply = None
            if message["role"] == "assistant":
                reply = replies[seen - offset] if seen >= offset else None
                seen += 1
            bubbles.append(Bubble(message["role"], text_of(message), footer_for(reply)))
        self.children = tuple(bubbles)
