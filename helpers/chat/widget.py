"""ChatWidget: a chat on top of a Conversation, built with ipywidgets 8; every button calls a plain method.

Invariant: the bubbles show exactly `conversation.messages`. A failed turn leaves both unchanged, and
its error appears inline with a Retry button; a stopped reply is kept, marked as cut off.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..blocks import exchange_start
from ..conversation import Conversation
from ..history import check_text
from ..reply import Reply
from .access import access_script
from .branching import BranchActions
from .chatlog import STYLE, Bubble, ChatLog, footer_for, text_of
from .panel import PanelActions, button, error_note
from .status import StatusActions
from .store import ChatStore, new_id
from .streaming import stream_turn

BUSY = "A reply is still streaming: wait for it, or press Stop."
KEPT = "A reply is still streaming: your message stays in the box; press Send once it is done (or press Stop first)."


class ChatWidget(BranchActions, PanelActions, StatusActions):
    """A chat you keep open while you experiment, kept as it goes in `store` (store=False keeps nothing)."""

    def __init__(self, conversation: Conversation | None = None, *, suggestions: Sequence[str] = (),
                 background: bool = True, window: int | None = None, store: ChatStore | bool = True) -> None:
        self.conversation = conversation if conversation is not None else Conversation()
        self.store = store if isinstance(store, ChatStore) else ChatStore() if store else None
        self.chat_id, self.editing, self._filling = new_id(), None, False
        self._made = {self.chat_id}  # the chats this widget started
        self.conversation.listeners.append(self._save_now)  # kept as it goes: after every change
        self.suggestions, self.background, self.chunks = list(suggestions), background, 0
        self._stop, self._lock = threading.Event(), threading.Lock()
        self._retry: Callable[[], object] | None = None
        self._windows: dict[str, int] = {self.conversation.model: window} if window else {}
        self._streaming: Bubble | None = None
        self.last_note = ""  # the note under the chat, as plain text
        self.conversation.notice = lambda line: self.show_note(line)  # a blank reply's notice goes under the chat
        self.conversation.listeners.append(self._history_changed)  # a cell's send, undo or reset shows up here too
        self.chat = ChatLog()
        self.chat.on_switch, self.chat.on_edit = self.switch, self.edit
        self.chat.versions = lambda: self.conversation.tree.versions()  # each message's (version, versions): `< 2/3 >`
        self.chat.show(self.conversation.messages, self.conversation.replies)
        self._build_controls()
        self.view = widgets.VBox([widgets.HTML(STYLE), access_script(), self.chat, self.note_box, self.suggestion_box,
                                  self.input_row, self.action_row, self.meter, self.fullness, self.panels])
        self.view.add_class("ck-chat")
        self.meter.add_class("ck-meter")
        self.refresh()

    def _build_controls(self) -> None:
        """Make the input row, the action buttons, the meter and the settings."""
        self.box = widgets.Text(placeholder="Type a message and press Enter", continuous_update=False, description="Message",
                                layout=widgets.Layout(flex="1"), style={"description_width": "auto"})
        self.box.observe(lambda change: self._on_enter(change["new"]), "value")
        self.send_button = button("Send", "Send the message (Enter)", self._on_send_click, button_style="primary")
        self.stop_button = button("Stop", "Stop the reply; keep what arrived (Escape)", self.stop, disabled=True)
        self.cancel_button = button("Cancel edit", "Send at the end of the branch instead", self.cancel_edit,
                                    layout=widgets.Layout(display="none", width="auto"))
        self.input_row = widgets.HBox([self.box, self.send_button, self.stop_button, self.cancel_button])
        self.undo_button = button("Undo", "Remove the last exchange", self.undo)
        self.regenerate_button = button("Regenerate", "Ask for the last reply again", lambda: self._launch(self.regenerate))
        self.new_button = button("New chat", "Forget every turn", self.new_chat)
        self.action_row = widgets.HBox([self.undo_button, self.regenerate_button, self.new_button])
        self.note = widgets.HTML()
        self.retry_button = button("Retry", "Try the failed request again", lambda: self._launch(self.retry),
                                   button_style="warning")
        self.note_box = widgets.HBox([self.note, self.retry_button], layout=widgets.Layout(display="none"))
        self.note_box.add_class("ck-note")
        self.suggestion_box = widgets.HBox([])
        self.meter = widgets.HTML()
        self.fullness = widgets.FloatProgress(min=0.0, max=1.0, description="Context")
        self.panels = self._panels()

    # The callbacks: plain methods, so tests (and you) can call them without a browser.

    def send(self, text: str | None = None) -> Reply | None:
        """Send a message (the input box's text by default) and stream the reply into a new bubble."""
        if text is None:
            return self._turn(self.box.value, from_box=True)
        return self._turn(text)

    def send_suggestion(self) -> Reply | None:
        """Send the next suggested message (one whose reply is recorded), if there is one."""
        suggestion = self.next_suggestion()
        if suggestion is None:
            self.show_note("No suggested message fits this chat now: press New chat to start the suggested path again.")
            return None
        return self.send(suggestion)

    def stop(self) -> None:
        """Stop the reply that is streaming; the text that arrived is kept and marked as cut off."""
        self._stop.set()

    def undo(self) -> None:
        """Remove the last exchange (your message and the reply)."""
        if not self._claim():
            return
        try:
            before = len(self.conversation.messages)
            self.conversation.undo()
            self.chat.pop(before - len(self.conversation.messages))  # two bubbles, or more after a tool round
            self.show_note("")
        except ValueError as error:
            self.show_note(str(error))
        finally:
            self._release()
        self.refresh()

    def regenerate(self) -> Reply | None:
        """Ask again for the last reply; if that fails or is stopped before any text, the old reply stays."""
        if not self._claim():  # held from the undo to the new reply: a second click cannot undo another exchange
            return None
        try:
            return self._regenerate()
        finally:
            self._release()

    def _regenerate(self) -> Reply | None:
        """Regenerate, with this widget's turn already claimed."""
        conv = self.conversation
        start = exchange_start(conv.messages)
        if len(conv.messages) < 2 or not isinstance(conv.messages[start]["content"], str):
            self.show_note("There is no reply to regenerate yet: send a message first.")
            return None
        return self._forked_turn(start, str(conv.messages[start]["content"]), self.regenerate)  # the old reply stays

    def new_chat(self) -> None:
        """Forget every turn; the system prompt, model and settings stay."""
        if not self._claim():
            return
        try:
            self._new_chat_id()  # the chat so far stays in the store
            self.cancel_edit()
            self.conversation.reset()
            self.chat.show([], [])
            self.show_note("")
        finally:
            self._release()
        self.refresh()

    def retry(self) -> Reply | None:
        """Repeat the request that failed."""
        again, self._retry = self._retry, None
        if again is None:
            self.show_note("")
            return None
        result = again()
        return result if isinstance(result, Reply) else None

    # The parts behind the callbacks.

    def _turn(self, text: str, *, from_box: bool = False) -> Reply | None:
        """One streamed turn, if the text is a message and no other reply is streaming (the box keeps its text if not)."""
        try:
            check_text(text)
        except (TypeError, ValueError) as error:
            self.show_note(str(error))
            return None
        if not self._claim(KEPT if from_box else BUSY):
            return None
        try:
            if from_box and self.box.value == text:
                self.box.value = ""  # only now that the message is on its way
            if self.editing is not None:
                return self._edited_turn(text)
            return self._stream_turn(text, again=lambda: self._turn(text))
        finally:
            self._release()

    def _stream_turn(self, text: str, *, restore: Callable[[], None] | None = None,
                     again: Callable[[], object] | None = None) -> Reply | None:
        """Two new bubbles, the reply streamed into the second, the meter updated (the turn already claimed)."""
        self._stop.clear()
        self.show_note("")
        self.chat.add("user", text)
        self._streaming, self.chunks = self.chat.add("assistant", footer="streaming..."), 0
        try:
            reply = stream_turn(self.conversation, text, on_text=self._show_chunk, stopped=self._stop.is_set)
        except Exception as error:
            self.chat.pop(2)
            self._streaming = None
            if restore:
                restore()
            self._fail(error, again)
            return None
        self._finish(reply, restore)
        return reply

    def _show_chunk(self, piece: str) -> None:
        """Add one streamed piece to the last bubble (only that bubble changes)."""
        assert self._streaming is not None
        self._streaming.append(piece)
        self.chunks += 1

    def _finish(self, reply: Reply | None, restore: Callable[[], None] | None) -> None:
        """After a turn: label the reply, or take the bubbles back if Stop came before any text."""
        if reply is None or reply.note:
            self.chat.pop(2)
            if restore:
                restore()
            self.show_note(reply.note if reply else "Stopped before any text arrived, so nothing was stored.")
        elif self._streaming is not None:
            self._streaming.parts = [text_of(self.conversation.messages[-1])]  # every block of the stored reply
            self._streaming.render()
            self._streaming.set_footer(footer_for(reply))
            self.chat.decorate(self.conversation.messages, 2)  # Edit, and `< n/n >` where the turn has versions
        self._streaming = None
        self.refresh()

    def _fail(self, error: BaseException, again: Callable[[], object] | None = None) -> None:
        """Show an error inline (never a traceback), with Retry when trying again can help."""
        note, plain = error_note(error)
        self._retry = again
        self.show_note(note, retry=again is not None, escape=False)
        self.last_note = plain

    def show_note(self, message: str, *, retry: bool = False, escape: bool = True) -> None:
        """Show a note under the chat (an empty message hides it)."""
        self.note.value = html.escape(message) if escape else message
        self.last_note = message
        self.note_box.layout.display = "flex" if message else "none"
        self.retry_button.layout.display = "inline-block" if retry else "none"
        if not retry:
            self._retry = None

    def _claim(self, busy_note: str = BUSY) -> bool:
        """Take this widget's one turn at a time and disable the buttons; False (with a note) while another runs."""
        if not self._lock.acquire(blocking=False):
            self.show_note(busy_note)
            return False
        self._set_busy(True)
        return True

    def _history_changed(self) -> None:
        """Show the history again after a change made outside this widget (its own turns end in _release)."""
        if not self._lock.locked():
            self.chat.show(self.conversation.messages, self.conversation.replies)
            self.refresh()

    def _release(self) -> None:
        """Give the turn back, enable the buttons, and show the history again if anything else changed it."""
        self._set_busy(False)
        if self.chat.texts() != [text_of(m) for m in self.conversation.messages]:
            self.chat.show(self.conversation.messages, self.conversation.replies)
        self._lock.release()

    def _set_busy(self, busy: bool) -> None:
        """Enable Stop while streaming, and the other buttons otherwise."""
        for control in (self.send_button, self.undo_button, self.regenerate_button, self.new_button, *self.suggestion_box.children):
            control.disabled = busy
        self.stop_button.disabled = not busy

    def _on_enter(self, text: str) -> None:
        """Enter in the input box sends its text."""
        if self._filling or not text.strip():
            return
        if self._lock.locked():
            self.show_note(KEPT)  # the text stays in the box
            return
        self._launch(lambda: self._turn(text, from_box=True))

    def _on_send_click(self) -> None:
        """Send sends the input box's text."""
        self._on_enter(self.box.value)

    def _launch(self, action: Callable[[], object]) -> None:
        """Run a click's work in the background, so Stop can be clicked while a reply streams."""
        def guarded() -> None:
            """Run the action; any error becomes a note, never a traceback in the page."""
            try:
                action()
            except Exception as error:
                self._fail(error)

        if self.background:
            threading.Thread(target=guarded, daemon=True).start()
        else:
            guarded()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """Show the chat in Jupyter and Voila; plain-text displays get the short summary."""
        bundle: dict[str, Any] = self.view._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        """A short, stable summary for plain-text displays."""
        conv = self.conversation
        return f"ChatWidget({len(conv.messages)} messages, model {conv.model!r}, max_tokens {conv.max_tokens})"
