"""Conversation: a message history that is sent whole with every request.

Invariant: `request()` shows exactly the body that is sent (the full history, unless a memory strategy trims it).
A turn is atomic: the user message and the reply are added together after the reply arrives, so a failed request
leaves the history exactly as before.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Generator, Iterator
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

import anthropic
from anthropic.types import TextBlock

from . import session
from .answers import check_message
from .api.rulebook import check_request
from .blocks import (
    Content,
    as_received,
    check_content,
    exchange_start,
    reply_content,
    signed_thinking,
    with_prefill,
)
from .branches import Branching, Tree
from .errors import HistoryChangedError, NetworkError, NotAMessageError, SavedConversationError, friendly
from .files import write_atomic
from .history import MessageDict, check_history, check_text
from .redact import REMOVED, env_secrets, header_secrets, scrub
from .reply import BLANK_NOTE, Reply, Usage, refusal_note
from .saved import FORMAT, VERSION, read_saved, saved_settings, transcript
from .sendable import check_max_tokens, check_model, check_saved, check_sendable, check_system, owned

CUT_OFF = "cut_off"  # the kit's own marker for a reply stopped mid-stream; not an API stop reason (api_facts.KIT_RULES)
T = TypeVar("T")


class Memory(Protocol):
    """A memory strategy: turns the full request body into the one actually sent."""

    def prepare(self, body: dict[str, Any], conversation: Conversation) -> dict[str, Any]:
        """Return the request body to send for this conversation's next turn."""
        ...


class Conversation(Branching):
    """A multi-turn conversation with Claude: history, system prompt, model and max_tokens."""

    def __init__(
        self,
        system: str | None = None,
        *,
        messages: list[MessageDict] | None = None,
        model: str | None = None,
        max_tokens: int = 1024,
        client: anthropic.Anthropic | None = None,
        memory: Memory | None = None,
        tools: list[dict[str, Any]] | None = None,
        thinking: dict[str, Any] | None = None,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.memory, self.tools, self.thinking = memory, tools, thinking  # tools and thinking: sent as given
        self.options: dict[str, Any] = dict(options or {})  # other request fields, sent as given: tool_choice, output_config...
        self.messages: list[MessageDict] = check_history(copy.deepcopy(messages or []))
        self.system = check_system(system)
        self.model = check_model(model) if model is not None else session.model()
        self.max_tokens = check_max_tokens(max_tokens)
        self.usage = Usage()
        self.replies: list[Reply] = []
        self._client = client
        self.notice: Callable[[str], None] = partial(print, flush=True)  # where a one-line notice goes (the chat shows a note)
        self._storing = threading.Lock()  # a reply is checked against the history and stored in one step
        self.listeners: list[Callable[[], None]] = []  # called after each change to the history (the chat widget's)
        self._received = signed_thinking(self.messages)  # each thinking block's text as it came: an edit is refused
        self._tree: Tree | None = None  # every branch this conversation has had (helpers.branches), made when first asked

    @property
    def client(self) -> anthropic.Anthropic:
        """The client this conversation sends with (the session's unless one was given)."""
        return self._client or session.current().client

    def request(self, text: Content, *, max_tokens: int | None = None, prefill: str | None = None,
                stop_sequences: list[str] | None = None) -> dict[str, Any]:
        """What Claude sees: the exact request body the next turn would send, without sending that turn.

        Only SummarizeOlder does more: when exchanges newly fall out, it calls the API once to update its
        summary (kept in `memory.summary`, so the turn then reuses it); every other strategy only reads.
        """
        ending = [{"role": "assistant", "content": check_text(prefill)}] if prefill is not None else []
        body: dict[str, Any] = {"model": check_model(self.model),  # max_tokens: the rulebook's two rules, below
                                "max_tokens": self.max_tokens if max_tokens is None else max_tokens}
        if check_system(self.system):
            body["system"] = self.system
        body["messages"] = copy.deepcopy([*self.messages, {"role": "user", "content": check_content(text)}, *ending])
        body.update(copy.deepcopy({key: value for key, value in self.options.items() if value is not None}))
        extra = {"tools": self.tools, "thinking": self.thinking, "stop_sequences": stop_sequences}
        body.update(copy.deepcopy({key: value for key, value in extra.items() if value}))
        check_request(check_sendable(body, "This request"), as_received(self._received))  # the rulebook, once
        sent = self.memory.prepare(body, self) if self.memory else body
        if sent is not body:  # a memory strategy never splits what must travel together
            check_request(check_sendable(sent, "The request the memory strategy made"), as_received(self._received))
        return sent

    def send(self, text: Content, *, max_tokens: int | None = None, prefill: str | None = None,
             stop_sequences: list[str] | None = None) -> Reply:
        """Send one user turn (text or blocks) with the whole history and return the reply (history updated only on success).

        With `prefill`, the reply continues that text, and the history keeps the two as one assistant turn.
        """
        sent_with = copy.deepcopy(self.messages)
        body = self.request(text, max_tokens=max_tokens, prefill=prefill, stop_sequences=stop_sequences)
        message = self._call(lambda: self.client.messages.create(**body))
        return self._commit(check_content(text), with_prefill(message, prefill), sent_with)

    def stream(self, text: Content, *, max_tokens: int | None = None, stopped: Callable[[], bool] | None = None,
               stop_sequences: list[str] | None = None) -> Iterator[str]:
        """Yield the reply's text as it arrives; the turn is stored once the whole reply is in.

        If `stopped()` turns true mid-stream, the text so far is kept as the reply, marked `cut_off`.
        """
        sent_with = copy.deepcopy(self.messages)
        body = self.request(text, max_tokens=max_tokens, stop_sequences=stop_sequences)
        return self._stream(check_content(text), body, stopped, sent_with)

    def _stream(self, text: Content, body: dict[str, Any], stopped: Callable[[], bool] | None,
                sent_with: list[MessageDict]) -> Generator[str, None, Reply | None]:
        """The generator behind stream(): nothing is stored if the stream fails or is abandoned.

        Its return value (StopIteration.value) is the reply, or None when stopped before any text.
        """
        pieces: list[str] = []
        try:
            with self.client.messages.stream(**body) as events:
                for piece in events.text_stream:
                    if stopped is not None and stopped():
                        return self._keep_partial(text, events.current_message_snapshot, "".join(pieces), sent_with)
                    pieces.append(piece)
                    yield piece
                message = events.get_final_message()
        except Exception as error:
            kit = friendly(error, model=self.model)
            if kit is error and isinstance(error, AssertionError | AttributeError | TypeError):  # events not a Message's
                kit = NotAMessageError(f"The streamed answer from {self.client.base_url} is not a Claude message "
                                       f"({type(error).__name__}), so nothing was stored. Run it again.")
            raise kit from error
        if message.stop_reason is None:  # the body ended before message_delta: the connection dropped
            raise NetworkError("The connection dropped before the reply was complete, so nothing was stored. Run it again.")
        return self._commit(text, message, sent_with)

    def _keep_partial(self, text: Content, snapshot: Any, partial: str, sent_with: list[MessageDict]) -> Reply | None:
        """Store the text that arrived before a stop as the reply, marked cut off (nothing if no text came)."""
        if not partial.strip():
            return None
        block = TextBlock(type="text", text=partial)
        return self._commit(text, snapshot.model_copy(update={"stop_reason": CUT_OFF, "content": [block]}), sent_with)

    def _call(self, call: Callable[[], T]) -> T:
        """Run one API call, turning SDK errors into short messages with the fix."""
        try:
            return call()
        except Exception as error:
            raise friendly(error, model=self.model) from error

    def _commit(self, text: Content, message: Any, sent_with: list[MessageDict]) -> Reply:
        """Store the turn and its reply together, if the history is still the one sent (a refusal or no text: a note)."""
        reply = Reply.from_message(check_message(message, str(self.client.base_url)), self.client)
        content = reply_content(message)  # every block as returned (plain text alone is kept as a string)
        usage = self.usage + reply.usage
        with self._storing:
            if self.messages != sent_with:
                raise HistoryChangedError()
            note = refusal_note(reply) or (BLANK_NOTE.format(stop=reply.stop_reason) if content is None else "")
            if note or content is None:  # a refused or empty exchange is not built on (api_facts.REFUSAL_RESET)
                self.usage = usage
                self.notice(note)
                return reply.with_note(note)
            self.messages += [{"role": "user", "content": text}, {"role": "assistant", "content": content}]
            self.replies.append(reply)
            self.usage = usage
            self._received.update(signed_thinking(self.messages[-1:]))
        self._changed()
        return reply

    @property
    def last_reply(self) -> Reply | None:
        """The most recent reply, if any."""
        return self.replies[-1] if self.replies else None

    def fork(self) -> Conversation:
        """An independent copy to try a different next turn; the original is untouched."""
        twin = Conversation(
            self.system,
            tools=self.tools,
            thinking=self.thinking,
            options=self.options,
            messages=self.messages,
            model=self.model,
            max_tokens=self.max_tokens,
            client=self._client,
            memory=owned(self.memory),  # each fork owns its strategy's state (a summary, what was dropped)
        )
        twin.usage, twin.replies = self.usage, list(self.replies)
        return twin

    def undo(self) -> MessageDict:
        """Remove the last exchange (your turn, its reply, and any tool round between) and return your turn."""
        if len(self.messages) < 2:
            raise ValueError("There is no exchange to undo: the conversation is empty.")
        start = exchange_start(self.messages)
        user, replies = self.messages[start], sum(m["role"] == "assistant" for m in self.messages[start:])
        del self.messages[start:]
        del self.replies[max(0, len(self.replies) - replies):]
        self._memory_forget()
        return user

    def reset(self) -> None:
        """Forget every turn, and the memory strategy's state (the system prompt, model and max_tokens stay)."""
        self.messages, self.replies, self.usage, self._tree = [], [], Usage(), None
        self._memory_forget()

    def _memory_forget(self) -> None:
        """Let the memory strategy drop state about turns that are no longer in the history; tell the listeners."""
        forget = getattr(self.memory, "forget", None)
        if callable(forget):
            forget(self.messages)
        self._changed()

    def _changed(self) -> None:
        """Tell each listener that the history changed (the branch tree first follows it)."""
        if self._tree is not None:
            self._tree.follow(self.messages, self.replies)
        for listener in list(self.listeners):
            listener()

    def to_dict(self) -> dict[str, Any]:
        """The conversation as versioned, JSON-safe data."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "system": self.system,
            "model": self.model,
            "max_tokens": self.max_tokens,
            "messages": copy.deepcopy(self.messages),
            "usage": vars(self.usage).copy(),
            "tools": copy.deepcopy(self.tools),  # a tool conversation's next turn needs its tools again
            "thinking": copy.deepcopy(self.thinking),
        }

    def save(self, path: str | Path) -> Path:
        """Save as JSON, atomically (a crash never leaves half a file); a key pasted into a turn is not written."""
        target, data = Path(path), self.to_dict()
        clean = scrub(data, env_secrets() + header_secrets({"x-api-key": str(getattr(self._client, "api_key", None) or "")}))
        if clean != data:
            self.notice(f"Your API key appears in this conversation; the saved file has {REMOVED} in its place.")
        write_atomic(target, json.dumps(clean, indent=1, ensure_ascii=False) + "\n")
        return target

    @classmethod
    def load(cls, path: str | Path, *, client: anthropic.Anthropic | None = None) -> Conversation:
        """Load a conversation saved with save(), with a clear error for a corrupt or foreign file."""
        data = read_saved(Path(path))
        try:
            saved = check_saved(data)
            conv = cls(saved["system"], messages=saved["messages"], model=saved["model"], max_tokens=saved["max_tokens"],
                       client=client, **saved_settings(data))
        except (KeyError, TypeError, ValueError, RecursionError) as error:
            raise SavedConversationError(f"{path} is not a valid saved conversation: {str(error)[:200]}") from None
        conv.usage = saved["usage"]
        return conv

    def to_markdown(self) -> str:
        """The conversation as a Markdown transcript."""
        tail = f"<small>{len(self.messages)} messages | model {self.model} | tokens so far: {self.usage}</small>"
        return transcript(self.system, self.messages, self.replies, tail)

    def _repr_markdown_(self) -> str:
        """Show the conversation as a transcript in a notebook."""
        return self.to_markdown()

    def __repr__(self) -> str:
        """A one-line summary for plain-text displays."""
        return f"Conversation({len(self.messages)} messages, model {self.model!r}, tokens so far: {self.usage})"

    def __len__(self) -> int:
        """The number of messages in the history."""
        return len(self.messages)


def ask(text: str, *, system: str | None = None, max_tokens: int = 1024) -> Reply:
    """A single-turn prompt: a conversation of one turn, forgotten afterwards."""
    return Conversation(system, max_tokens=max_tokens).send(text)

