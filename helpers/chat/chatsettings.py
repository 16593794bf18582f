"""The chat's settings panel: system prompt, model, max_tokens and memory strategy, applied from the next turn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..conversation import Conversation
from ..memory import PRICES, BlockTrim, SlidingWindow, SummarizeOlder, TokenBudget
from ..sendable import check_max_tokens

MEMORY_CHOICES: dict[str, Callable[[], Any]] = {
    "full history": lambda: None,
    "sliding window (3 exchanges)": lambda: SlidingWindow(3),
    "token budget (2,000 tokens)": lambda: TokenBudget(2000),
    "block trim (2,000 tokens, blocks of 4)": lambda: BlockTrim(2000, 4),
    "summarize older (2,000 tokens, blocks of 4)": lambda: SummarizeOlder(2000, 4),
}


class ChatSettings:
    """Controls that edit a conversation's settings; `on_change` runs after each change."""

    def __init__(self, conversation: Conversation, on_change: Callable[[], None] = lambda: None) -> None:
        self.conversation, self.on_change = conversation, on_change
        self.memory_choices = dict(MEMORY_CHOICES)
        if conversation.memory is not None:
            given = conversation.memory
            self.memory_choices = {f"{getattr(given, 'label', type(given).__name__)} (given)": lambda: given, **MEMORY_CHOICES}
        self.system_box = widgets.Textarea(value=conversation.system or "", description="System",
                                           continuous_update=False, layout=widgets.Layout(width="95%"))
        self.model_box = widgets.Dropdown(options=list(dict.fromkeys([conversation.model, *PRICES])),
                                          value=conversation.model, description="Model")
        self.max_tokens_box = widgets.BoundedIntText(value=conversation.max_tokens, min=1, max=64_000, description="max_tokens")
        self.memory_box = widgets.Dropdown(options=list(self.memory_choices), description="Memory")
        self.system_box.observe(lambda change: self.set_system(change["new"]), "value")
        self.model_box.observe(lambda change: self.set_model(change["new"]), "value")
        self.max_tokens_box.observe(lambda change: self.set_max_tokens(change["new"]), "value")
        self.memory_box.observe(lambda change: self.set_memory(change["new"]), "value")
        self.view = widgets.VBox([self.system_box, self.model_box, self.max_tokens_box, self.memory_box])

    def set_system(self, text: str) -> None:
        """Use this system prompt from the next turn on (empty means none)."""
        self.conversation.system = text.strip() or None
        self.system_box.value = text
        self.on_change()

    def set_model(self, model: str) -> None:
        """Use this model from the next turn on."""
        self.conversation.model = model
        if model not in self.model_box.options:
            self.model_box.options = [*self.model_box.options, model]
        self.model_box.value = model
        self.on_change()

    def set_max_tokens(self, value: int) -> None:
        """Cap the length of the next replies."""
        self.conversation.max_tokens = check_max_tokens(value)
        self.max_tokens_box.value = value
        self.on_change()

    def set_memory(self, label: str) -> None:
        """Use one of the memory strategies of notebook 04 (by its label in the selector)."""
        if label not in self.memory_choices:
            raise ValueError(f"Unknown memory strategy {label!r}. Choose one of: {', '.join(self.memory_choices)}.")
        self.conversation.memory = self.memory_choices[label]()
        self.memory_box.value = label
        self.on_change()

    def take(self, other: Conversation) -> None:
        """Apply another conversation's system prompt, model and max_tokens (after loading a saved chat)."""
        self.set_system(other.system or "")
        self.set_model(other.model)
        self.set_max_tokens(other.max_tokens)
