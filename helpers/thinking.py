"""Thinking as each model takes it, chosen from the Models API capabilities the kit serves (helpers.api.models).

Adaptive thinking (`{"type": "adaptive"}`, steered by `output_config.effort`) where the model has it; manual thinking
with a `budget_tokens` where it has only that (the rulebook's thinking.type_model and effort.model rules say why).
"""

from __future__ import annotations

import typing
from typing import Any

from anthropic.types import OutputConfigParam

from .api.models import capability

BUDGET_TOKENS = 2048  # the kit's choice for manual thinking (the API's minimum, 1,024, is the rulebook's)
EFFORTS: tuple[str, ...] = typing.get_args(typing.get_args(typing.get_type_hints(OutputConfigParam)["effort"])[0])


def thinking_for(model: str, effort: str = "medium", display: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `thinking` config and the other request fields (effort) that turn thinking on for this model."""
    if capability(model, "thinking.types.adaptive"):
        thinking: dict[str, Any] = {"type": "adaptive"}
    elif capability(model, "thinking.types.enabled"):
        thinking = {"type": "enabled", "budget_tokens": BUDGET_TOKENS}
    else:
        raise ValueError(f"The kit has no thinking type for {model!r}: check capability({model!r}, 'thinking.types.adaptive').")
    if display is not None:
        thinking["display"] = display
    options = {"output_config": {"effort": effort}} if capability(model, f"effort.{effort}") else {}
    return thinking, options


def capability_rows(models: typing.Iterable[str]) -> list[dict[str, Any]]:
    """One row per model: its thinking types and the effort levels it has, as the Models API data says."""
    rows = []
    for model in models:
        types = [kind for kind in ("adaptive", "enabled") if capability(model, f"thinking.types.{kind}")]
        efforts = [level for level in EFFORTS if capability(model, f"effort.{level}")]
        rows.append({"model": model, "thinking": " + ".join(types) or "none", "effort": ", ".join(efforts) or "none"})
    return rows
