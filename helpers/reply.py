"""The reply type: what one turn returns, with its text, usage and where it came from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from . import session
from .wire import LIVE_LABEL, log_of

REFUSAL_NOTE = ("Claude declined this turn (stop_reason: refusal; category: {category}). The docs say to reset the context "
                "after a refusal, so the kit did not add this exchange to the history; its tokens are counted. Rephrase "
                "your turn, or go back to an earlier point (conv.undo(), or conv.fork()).")
BLANK_NOTE = ("Claude's reply had no text (stop_reason: {stop}), so this exchange was not added to the history "
              "(the API refuses an empty assistant turn before the last message); its tokens are counted. Send it again.")


@dataclass(frozen=True)
class Usage:
    """Token counts of one turn, or of many added up."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    @classmethod
    def from_api(cls, usage: Any) -> Usage:
        """Read the SDK's usage object (missing cache fields count as 0)."""
        return cls(*(int(getattr(usage, name, 0) or 0) for name in cls.__dataclass_fields__))

    def __add__(self, other: Usage) -> Usage:
        """Add two usages field by field."""
        return Usage(*(a + b for a, b in zip(asdict(self).values(), asdict(other).values(), strict=True)))

    @property
    def total_input(self) -> int:
        """All input tokens: uncached, written to the cache, and read from it."""
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    def __str__(self) -> str:
        """A short summary such as `12 in, 30 out`."""
        text = f"{self.input_tokens} in, {self.output_tokens} out"
        if self.cache_read_input_tokens or self.cache_creation_input_tokens:
            text += f", cache: {self.cache_creation_input_tokens} written, {self.cache_read_input_tokens} read"
        return text


@dataclass(frozen=True)
class Reply:
    """One assistant reply: `.text`, `.usage`, `.stop_reason`, and an honest `.source` label."""

    text: str
    usage: Usage
    stop_reason: str | None
    model: str
    id: str = ""
    source: str = field(default="")
    note: str = ""  # one line for the learner when the reply was not stored (e.g. it had no text)
    stop_sequence: str | None = None  # which of your stop_sequences ended the reply (stop_reason "stop_sequence")
    stop_details: dict[str, Any] | None = None  # what the API says about a refusal (stop_reason "refusal")

    @classmethod
    def from_message(cls, message: Any, client: object = None) -> Reply:
        """Build a reply from the SDK's Message (joining its text blocks), labelled by the client that got it."""
        text = "".join(getattr(block, "text", "") for block in message.content or [] if getattr(block, "type", "") == "text")
        source, details = label_for(message.id, client), getattr(message, "stop_details", None)
        return cls(text, Usage.from_api(message.usage), message.stop_reason, message.model, message.id, source,
                   stop_sequence=getattr(message, "stop_sequence", None), stop_details=details.to_dict() if details else None)

    def with_note(self, note: str) -> Reply:
        """The same reply with a note for the learner."""
        return replace(self, note=note)

    def __str__(self) -> str:
        """The reply's text."""
        return self.text

    def footer(self) -> str:
        """One line under a reply: where it came from, the stop reason and the tokens."""
        return f"[{self.source} | stop_reason: {self.stop_reason} | tokens: {self.usage}]"

    def _repr_markdown_(self) -> str:
        """Show the reply as Markdown with its label underneath."""
        note = f"**Note:** {self.note}\n\n" if self.note else ""
        return f"{note}{self.text}\n\n<small>{self.footer()}</small>"

    def __repr__(self) -> str:
        """The text and the footer, for plain-text displays."""
        return (f"Note: {self.note}\n" if self.note else "") + f"{self.text}\n{self.footer()}"


def label_for(reply_id: str | None, client: object = None) -> str:
    """Where a reply came from, by its id, as the client that got it (the session's by default) logged it."""
    log = log_of(client if client is not None else session.current().client)
    return log.label(reply_id) if log else LIVE_LABEL


def refusal_note(reply: Reply) -> str | None:
    """The note for a refused reply (with its category, if the API named one), or None for any other reply."""
    if reply.stop_reason != "refusal":
        return None
    return REFUSAL_NOTE.format(category=(reply.stop_details or {}).get("category") or "none named")
