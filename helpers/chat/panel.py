"""The chat widget's panels (settings; save, load, export Markdown), its buttons, and how it words an error."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..conversation import Conversation
from ..errors import NetworkError, NoKeyError, RateLimitedError, ReplayMissError
from ..files import write_atomic
from .chatlog import ChatLog
from .chatsettings import ChatSettings

HEADLINES: dict[type[BaseException], str] = {
    ReplayMissError: "No recorded reply for this message.",
    NoKeyError: "No API key.",
    RateLimitedError: "The API is busy.",
    NetworkError: "Network problem.",
}
REPLAY_HELP = (
    "Replay mode can answer only messages whose replies were recorded: click a suggested message, "
    "or undo your changes to the settings. To chat freely, put ANTHROPIC_API_KEY in .env (live mode) "
    "and restart the kernel."
)


def button(label: str, tip: str, action: Callable[[], object], **style: Any) -> widgets.Button:
    """A button that calls `action` when clicked."""
    made = widgets.Button(description=label, tooltip=tip, **style)
    made.on_click(lambda _: action())
    return made


def error_note(error: BaseException) -> tuple[str, str]:
    """An error as a note: the HTML shown under the chat (never a traceback), and the same as plain text."""
    headline = next((text for kind, text in HEADLINES.items() if isinstance(error, kind)), f"{type(error).__name__}:")
    detail = html.escape(str(error)).replace("\n", "<br>")
    if isinstance(error, ReplayMissError):
        detail = f"{html.escape(REPLAY_HELP)}<details><summary>details</summary>{detail}</details>"
    return f"<b>{html.escape(headline)}</b> {detail}", f"{headline} {error}"


class PanelActions:
    """The settings and files panels: plain methods the widget's controls call (tests call them too)."""

    conversation: Conversation
    chat: ChatLog
    options: ChatSettings
    path_box: widgets.Text
    show_note: Callable[..., None]
    refresh: Callable[[], None]
    _fail: Callable[..., None]
    _claim: Callable[..., bool]
    _release: Callable[[], None]

    def _panels(self) -> widgets.Accordion:
        """The settings panel, and save / load / export."""
        self.options = ChatSettings(self.conversation, on_change=self.refresh)
        self.path_box = widgets.Text(value="chat.json", description="File")
        files = widgets.HBox([self.path_box, button("Save", "Save as JSON", self.save), button("Load", "Load a saved chat", self.load),
                              button("Export Markdown", "Write a Markdown transcript", self.export_markdown)])
        return widgets.Accordion([self.options.view, files], titles=("Settings", "Save, load, export"))

    def set_system(self, text: str) -> None:
        """Use this system prompt from the next turn on (empty means none)."""
        self.options.set_system(text)

    def set_model(self, model: str) -> None:
        """Use this model from the next turn on."""
        self.options.set_model(model)

    def set_max_tokens(self, value: int) -> None:
        """Cap the length of the next replies."""
        self.options.set_max_tokens(value)

    def set_memory(self, label: str) -> None:
        """Use one of the memory strategies of notebook 04 (by its label in the selector)."""
        self.options.set_memory(label)

    def save(self, path: str | Path | None = None) -> Path | None:
        """Save the chat as JSON that `Conversation.load` reads."""
        try:
            saved = self.conversation.save(path or self.path_box.value)
        except Exception as error:
            self._fail(error)
            return None
        self.show_note(f"Saved {len(self.conversation.messages)} messages to {saved} (Conversation.load reads it).")
        return saved

    def load(self, path: str | Path | None = None) -> None:
        """Replace the chat with one saved by `save()`."""
        try:
            loaded = Conversation.load(path or self.path_box.value, client=self.conversation._client)
        except Exception as error:
            self._fail(error)
            return
        if not self._claim():
            return
        try:
            conv = self.conversation
            conv.messages, conv.replies, conv.usage = loaded.messages, [], loaded.usage
            self.options.take(loaded)
            self.chat.show(conv.messages, conv.replies)
            self.show_note(f"Loaded {len(conv.messages)} messages from {path or self.path_box.value}.")
        finally:
            self._release()
        self.refresh()

    def export_markdown(self, path: str | Path | None = None) -> Path | None:
        """Write the chat as a Markdown transcript (next to the JSON file by default)."""
        target = Path(path) if path else Path(self.path_box.value).with_suffix(".md")
        try:
            write_atomic(target, self.conversation.to_markdown() + "\n")
        except Exception as error:
            self._fail(error)
            return None
        self.show_note(f"Wrote the transcript to {target}.")
        return target
