"""What the chat widget shows besides the bubbles: the meter, the context bar and the suggested message."""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..conversation import Conversation
from ..memory import context_window
from .meter import read
from .panel import button


class StatusActions:
    """The meter, the context bar and the suggested message, brought up to date by `refresh()`."""

    conversation: Conversation
    suggestions: list[str]
    meter: widgets.HTML
    fullness: widgets.FloatProgress
    suggestion_box: widgets.HBox
    _windows: dict[str, int]
    _launch: Callable[[Callable[[], object]], None]
    send_suggestion: Callable[[], object]

    def next_suggestion(self) -> str | None:
        """The next suggested message, while the chat follows the suggested path."""
        said = [m["content"] for m in self.conversation.messages if m["role"] == "user"]
        if said != self.suggestions[: len(said)] or len(said) >= len(self.suggestions):
            return None
        return self.suggestions[len(said)]

    def context_window(self) -> int:
        """The model's context window (asked once per model; the documented figure if that fails)."""
        model = self.conversation.model
        if model not in self._windows:  # no key, a replay miss, no network: the documented figure
            self._windows[model] = context_window(self.conversation.client, model)[0]
        return self._windows[model]

    def refresh(self) -> None:
        """Update the meter and the suggested message."""
        reading = read(self.conversation, self.context_window())
        self.meter.value = f"<small>{html.escape(reading.text())}</small>"
        self.fullness.value = reading.share
        suggestion = self.next_suggestion()
        self.suggestion_box.children = [button(f"Try: {suggestion}", "A message whose reply is recorded",
                                               lambda: self._launch(self.send_suggestion),
                                               layout=widgets.Layout(width="auto"))] if suggestion else []
