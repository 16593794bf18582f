"""The chat's bubbles: one Markdown bubble a message; a streamed reply changes only the last bubble.

Each piece of a streamed reply updates one bubble's Markdown output, so a piece costs the same
however many bubbles are above it (the rest of the chat is never rendered again).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
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
.ck-chat small {color: #333;}
.ck-chat .jupyter-button.mod-primary {background: #1a56b0; color: #fff;}
.ck-chat .jupyter-button.mod-warning {background: #8a4b00; color: #fff;}
.ck-chat button:focus-visible, .ck-chat input:focus-visible, .ck-chat textarea:focus-visible, .ck-chat select:focus-visible,
.ck-chat [tabindex]:focus-visible {outline: 3px solid #1a56b0; outline-offset: 2px;}
.ck-chat .jupyter-widget-Collapse-header, .ck-chat .p-Collapse-header {color: #1a1a1a;}
.ck-versions {align-items: center; gap: 2px;}
.ck-top {gap: 8px;}
.ck-versions .jupyter-button, .ck-edit {height: 22px; line-height: 20px; padding: 0 6px; width: auto;}
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
        self.name = widgets.HTML(f"<b>{NAMES[role]}</b>")
        side = "flex-end" if role == "user" else "flex-start"
        super().__init__([self.name, self.body, self.footer], layout=widgets.Layout(align_self=side))
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

    def set_controls(self, controls: Sequence[widgets.Widget]) -> None:
        """Put small controls beside the name: the `< 2/3 >` versions of this turn, Edit."""
        top = widgets.HBox([self.name, *controls], layout=widgets.Layout(align_items="center")) if controls else self.name
        if controls:
            top.add_class("ck-top")
        self.children = (top, self.body, self.footer)

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
        self.versions: Callable[[], list[tuple[int, int]]] | None = None  # each message's (version, versions)
        self.on_switch: Callable[[int, int], object] | None = None  # (message index, step): show another version
        self.on_edit: Callable[[int], object] | None = None  # (message index): edit one of your turns

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
        versions = self.versions() if self.versions else []
        for index, (bubble, message) in enumerate(zip(bubbles, messages, strict=True)):
            bubble.set_controls(self.controls(index, message, versions[index] if index < len(versions) else (1, 1)))
        self.children = tuple(bubbles)

    def decorate(self, messages: Sequence[MessageDict], count: int) -> None:
        """Give the last `count` bubbles their controls (after a streamed turn added them)."""
        versions, bubbles = self.versions() if self.versions else [], self.bubbles
        for index in range(max(0, len(messages) - count), min(len(messages), len(bubbles))):
            version = versions[index] if index < len(versions) else (1, 1)
            bubbles[index].set_controls(self.controls(index, messages[index], version))

    def controls(self, index: int, message: MessageDict, version: tuple[int, int]) -> list[widgets.Widget]:
        """The controls of one bubble: `< 2/3 >` where this turn has other versions, Edit on your text turns."""
        found: list[widgets.Widget] = []
        position, count = version
        if count > 1 and self.on_switch is not None:
            switch = self.on_switch
            back = small_button("<", f"Show version {position - 1} of {count} of this message", lambda: switch(index, -1))
            ahead = small_button(">", f"Show version {position + 1} of {count} of this message", lambda: switch(index, 1))
            back.disabled, ahead.disabled = position == 1, position == count
            row = widgets.HBox([back, widgets.HTML(f"<small>{position}/{count}</small>"), ahead])
            row.add_class("ck-versions")
            found.append(row)
        if message["role"] == "user" and isinstance(message["content"], str) and self.on_edit is not None:
            edit = self.on_edit
            found.append(small_button("Edit", "Edit this message and send it again as a new branch (the old one stays)",
                                      lambda: edit(index)))
        return found


def small_button(label: str, tip: str, action: Callable[[], object]) -> widgets.Button:
    """A small button beside a bubble's name."""
    made = widgets.Button(description=label, tooltip=tip, layout=widgets.Layout(width="auto"))
    made.add_class("ck-edit")
    made.on_click(lambda _: action())
    return made
