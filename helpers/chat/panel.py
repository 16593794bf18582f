"""The chat widget's panels (settings; your kept chats; save, load, export), its buttons, and how it words an error."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..branches import Tree
from ..conversation import Conversation
from ..errors import NetworkError, NoKeyError, RateLimitedError, ReplayMissError
from .chatlog import ChatLog
from .chatsettings import ChatSettings
from .exports import export, exports_folder
from .store import ChatStore, ChatSummary

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
    past_box: widgets.Dropdown
    store: ChatStore | None
    chats: Callable[[], list[ChatSummary]]
    open_chat: Callable[[str], None]
    _new_chat_id: Callable[[], None]
    show_note: Callable[..., None]
    refresh: Callable[[], None]
    _fail: Callable[..., None]
    _claim: Callable[..., bool]
    _release: Callable[[], None]

    def _panels(self) -> widgets.Accordion:
        """The settings panel, the kept chats, and save / load / export."""
        self.options = ChatSettings(self.conversation, on_change=self.refresh)
        self.path_box = widgets.Text(value="chat.json", description="File name")
        self.past_box = widgets.Dropdown(options=[], description="Past chats", layout=widgets.Layout(width="auto"))
        kept = widgets.HBox([self.past_box, button("Open", "Reopen the chat chosen in the list", self._open_chosen),
                             button("Refresh list", "List the kept chats again", self._list_chats)])
        files = widgets.HBox([self.path_box, button("Save JSON", "Save the branch as JSON (Conversation.load reads it)", self.save),
                              button("Load JSON", "Load a saved chat", self.load),
                              button("Export Markdown", "Write the branch as a Markdown transcript", self.export_markdown),
                              button("Export HTML", "Write the branch as a standalone web page", self.export_html)])
        self._list_chats()
        return widgets.Accordion([self.options.view, kept, files], titles=("Settings", "Your chats", "Save, load, export"))

    def _list_chats(self) -> None:
        """Fill the list of kept chats (title and date, the one changed last first)."""
        self.past_box.options = [(summary.label(), summary.id) for summary in self.chats()]

    def _open_chosen(self) -> None:
        """Reopen the chat chosen in the list."""
        if self.past_box.value:
            self.open_chat(str(self.past_box.value))
        else:
            self.show_note("No kept chat is chosen: send a message first, or press Refresh list.")

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

    def _export(self, name: str | Path | None, kind: str) -> Path | None:
        """Write the current branch into your exports folder; a note says where, or why not."""
        if self.store is None:
            self.show_note("This chat keeps nothing (store=False), so it cannot tell its own files: use conversation.save(path).")
            return None
        try:
            written = export(self.store, self.conversation, name or self.path_box.value, kind)
        except (OSError, ValueError) as error:
            self.show_note(str(error))
            return None
        self.show_note(f"Wrote {len(self.conversation.messages)} messages to {written}.")
        return written

    def save(self, name: str | Path | None = None) -> Path | None:
        """Save the branch as JSON that `Conversation.load` reads, in your exports folder."""
        return self._export(name, "json")

    def export_markdown(self, name: str | Path | None = None) -> Path | None:
        """Write the branch as a Markdown transcript, in your exports folder."""
        return self._export(Path(name or self.path_box.value).with_suffix(".md"), "markdown")

    def export_html(self, name: str | Path | None = None) -> Path | None:
        """Write the branch as a standalone HTML page (steps collapsed, every reply labelled), in your exports folder."""
        return self._export(Path(name or self.path_box.value).with_suffix(".html"), "html")

    def load(self, path: str | Path | None = None) -> None:
        """Replace the chat with one saved by `save()` (a plain name is looked for in your exports folder)."""
        wanted = Path(path or self.path_box.value)
        if not wanted.is_absolute() and self.store is not None:
            wanted = exports_folder(self.store) / wanted
        try:
            loaded = Conversation.load(wanted, client=self.conversation._client)
        except Exception as error:
            self._fail(error)
            return
        if not self._claim():
            return
        try:
            self._new_chat_id()
            conv = self.conversation
            tree = Tree()
            tree.follow(loaded.messages, [])
            conv.tree, conv.usage = tree, loaded.usage
            self.options.take(loaded)
            self.chat.show(conv.messages, conv.replies)
            self.show_note(f"Loaded {len(conv.messages)} messages from {wanted}.")
        finally:
            self._release()
        self.refresh()
