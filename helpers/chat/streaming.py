"""A streamed turn that can be stopped, for the chat widget: each piece goes to a callback as it arrives.

Like `Conversation.send`, a turn is atomic: the user turn and the reply are added together once the reply
is complete, or once the learner pressed Stop after some text arrived (the reply is then marked `cut_off`);
an error, or a stop before any text, leaves the history exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from ..conversation import CUT_OFF, Conversation
from ..reply import Reply

__all__ = ["CUT_OFF", "stream_turn"]


def stream_turn(conversation: Conversation, text: str, *, on_text: Callable[[str], None],
                stopped: Callable[[], bool] = lambda: False) -> Reply | None:
    """Stream one turn, handing each piece to `on_text`; the reply, or None if stopped before any text.

    A reply with no text comes back with a `note` and is not stored.
    """
    pieces = conversation.stream(text, stopped=stopped)
    while True:
        try:
            on_text(next(pieces))
        except StopIteration as done:
            return done.value if isinstance(done.value, Reply) else None
