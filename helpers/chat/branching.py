"""The chat's branches and kept chats: edit a turn and rerun it, `< 2/3 >` between versions, reopen a past chat."""

from __future__ import annotations

import os
from collections.abc import Callable

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..conversation import Conversation
from ..reply import Reply
from .chatlog import ChatLog
from .chatsettings import ChatSettings
from .store import ChatStore, ChatSummary, new_id

EDITING = "Editing message {number}: change it and press Enter to send it as a new branch (the old one stays; < > switches)."


class BranchActions:
    """Branches and the store, as plain methods the widget's controls call (tests call them too)."""

    conversation: Conversation
    chat: ChatLog
    store: ChatStore | None
    chat_id: str
    box: widgets.Text
    editing: int | None
    cancel_button: widgets.Button
    show_note: Callable[..., None]
    refresh: Callable[[], None]
    _claim: Callable[..., bool]
    _release: Callable[[], None]
    _stream_turn: Callable[..., Reply | None]
    _filling: bool
    _made: set[str]  # the chats this widget started (a Voila page lists only these)
    options: ChatSettings
    send: Callable[..., Reply | None]

    def _save_now(self) -> None:
        """Write the chat to the store (a listener of the conversation: after every change)."""
        if self.store is not None:
            self.store.write(self.chat_id, self.conversation)

    def edit(self, index: int) -> None:
        """Put your turn at `index` in the box: sending it then forks there, and the old branch stays."""
        messages = self.conversation.messages
        message = messages[index] if 0 <= index < len(messages) else None
        if message is None or message["role"] != "user" or not isinstance(message["content"], str):
            self.show_note(f"Message {index + 1} is not one of your text turns, so it cannot be edited.")
            return
        self.editing = index
        self._filling = True
        try:
            self.box.value = message["content"]
        finally:
            self._filling = False
        self.cancel_button.layout.display = "inline-block"
        self.show_note(EDITING.format(number=index + 1))

    def cancel_edit(self) -> None:
        """Stop editing: the next message is sent at the end of the branch again."""
        self.editing = None
        self.cancel_button.layout.display = "none"
        self.show_note("")

    def _forked_turn(self, index: int, text: str, again: Callable[[], object]) -> Reply | None:
        """Send `text` in place of your turn at `index` (the turn claimed); a failure puts the old branch back."""
        conv = self.conversation
        before = (list(conv.messages), list(conv.replies))
        conv.fork_at(index)
        self.chat.show(conv.messages, conv.replies)

        def restore() -> None:
            """Go back to the branch that was shown (the tree finds its messages again)."""
            conv.messages, conv.replies = before
            conv.tree.follow(conv.messages, conv.replies)
            self._save_now()
            self.chat.show(conv.messages, conv.replies)

        reply = self._stream_turn(text, restore=restore, again=again)
        if reply is not None and not reply.note:
            self.chat.show(conv.messages, conv.replies)  # the new `< n/n >` at the turn that split
        return reply

    def _edited_turn(self, text: str) -> Reply | None:
        """The turn being edited, sent as a new branch."""
        index = self.editing if self.editing is not None else 0
        self.cancel_edit()

        def again() -> object:
            """Retry the same edit."""
            self.editing = index
            return self.send(text)

        return self._forked_turn(index, text, again)

    def switch(self, index: int, step: int = 1) -> None:
        """Show the previous (step -1) or next (step 1) version of message `index`, and the branch below it."""
        if not self._claim():
            return
        try:
            self.conversation.switch(index, step)
            self.chat.show(self.conversation.messages, self.conversation.replies)
            self.show_note("")
        except (IndexError, ValueError) as error:
            self.show_note(str(error))
        finally:
            self._release()
        self.refresh()

    def chats(self) -> list[ChatSummary]:
        """The kept chats, the one changed last first; on a Voila page only this page's own (visitors share a store)."""
        found = self.store.chats() if self.store is not None else []
        return [c for c in found if c.id in self._made] if os.environ.get("VOILA_REQUEST_URL") else found

    def open_chat(self, chat_id: str) -> None:
        """Reopen a kept chat from the store: its branches, the one shown last current; it is saved as it goes."""
        if self.store is None:
            self.show_note("This chat keeps nothing (store=False): make it with ChatWidget(conversation) to keep chats.")
            return
        try:
            tree, settings = self.store.load(chat_id)
        except KeyError as error:
            self.show_note(str(error.args[0]))
            return
        if not self._claim():
            return
        try:
            conv = self.conversation
            self.chat_id = chat_id
            self.options.set_system(settings["system"] or "")
            self.options.set_model(settings["model"])
            self.options.set_max_tokens(settings["max_tokens"])
            conv.tree, conv.usage = tree, settings["usage"]
            self.chat.show(conv.messages, conv.replies)
            self.show_note(f"Reopened the chat with {len(conv.messages)} messages in this branch.")
        finally:
            self._release()
        self.refresh()

    def _new_chat_id(self) -> None:
        """Keep what comes next as a new chat (the old one stays in the store)."""
        self.chat_id = new_id()
        self._made.add(self.chat_id)
