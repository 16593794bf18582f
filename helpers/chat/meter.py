"""The chat's meter: the last turn's tokens, the running total, the estimated cost, how full the context is."""

from __future__ import annotations

from dataclasses import dataclass

from ..conversation import Conversation
from ..memory import PRICES_AS_OF, cost, estimate_request_tokens


@dataclass(frozen=True)
class Reading:
    """One reading of the meter."""

    last_turn: str
    total: str
    cost: str
    context_used: int
    context_window: int
    estimated: bool

    @property
    def share(self) -> float:
        """How full the context window is, from 0 to 1."""
        return min(1.0, self.context_used / self.context_window) if self.context_window else 0.0

    def text(self) -> str:
        """The reading in one line."""
        about = "about " if self.estimated else ""
        return (f"Last turn: {self.last_turn} | Total: {self.total} | Est. cost: {self.cost} | "
                f"Context: {about}{self.context_used:,} of {self.context_window:,} tokens ({self.share:.1%})")


def estimated_cost(conversation: Conversation) -> str:
    """The running total priced with the price table, or why it cannot be."""
    try:
        return f"${cost(conversation.usage, conversation.model):.4f} (prices as of {PRICES_AS_OF})"
    except KeyError:
        return f"no price for {conversation.model} in helpers/memory/pricing.py"


def read(conversation: Conversation, window: int) -> Reading:
    """Read the meter: the context is the last request plus its reply, or an offline estimate before any."""
    last = conversation.last_reply
    if last is not None:
        used, estimated = last.usage.total_input + last.usage.output_tokens, False
    else:
        used, estimated = estimate_request_tokens({"system": conversation.system or "", "messages": conversation.messages}), True
    return Reading(
        last_turn=str(last.usage) if last else "none yet",
        total=str(conversation.usage),
        cost=estimated_cost(conversation),
        context_used=used,
        context_window=window,
        estimated=estimated,
    )
