"""The Models API data per model the kit knows: names, dates, limits and every capability key, each with its source.

The stand-in's /v1/models answers from `model_info`; `capability(model, "thinking.types.adaptive")` is the lookup
other code uses (the rulebook's per-model rules). Where the docs checked do not settle a value, its source says so
and the value is the kit's conservative choice (documented in `models_capabilities`).
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from anthropic.types.model_capabilities import ModelCapabilities
from pydantic import BaseModel

from ..api_facts import DEPRECATED_MODELS, DOCS, Fact
from .models_capabilities import CAPABILITIES, SOURCES

CHECKED = "2026-12-01"
_OVERVIEW = f"{DOCS}/models/{{}}/overview"


@dataclass(frozen=True)
class ModelData:
    """What the Models API says of one model, besides its capabilities."""

    display_name: str
    created_at: str  # the release day (RFC 3339), as ModelInfo.created_at
    max_input_tokens: int  # the context window
    max_tokens: int  # the largest max_tokens
    line: str


MODEL_DATA = Fact(MappingProxyType({
    "claude-haiku-4-5": ModelData("Claude Haiku 4.5", "2025-10-15T00:00:00Z", 200_000, 64_000, "haiku"),
    "claude-sonnet-4-6": ModelData("Claude Sonnet 4.6", "2026-02-17T00:00:00Z", 1_000_000, 128_000, "sonnet"),
    "claude-opus-4-7": ModelData("Claude Opus 4.7", "2026-04-16T00:00:00Z", 1_000_000, 128_000, "opus"),
    "claude-opus-4-8": ModelData("Claude Opus 4.8", "2026-05-28T00:00:00Z", 1_000_000, 128_000, "opus"),
}), f"{_OVERVIEW.format('haiku-4-5')}, {_OVERVIEW.format('sonnet-4-6')}, {_OVERVIEW.format('opus-4-8')} (released, "
    "context window, max output); claude-opus-4-7: its Anthropic page was not found in the docs checked, so its values "
    "are from docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-opus-4-7 (launch Apr 16, 2026; "
    "1M tokens; 128K output); the display names follow those pages' titles", CHECKED)


def capability_keys(model: type[BaseModel] = ModelCapabilities, prefix: str = "") -> list[str]:
    """Every capability key ModelCapabilities declares, dotted ('thinking.types.adaptive'), read from the SDK."""
    keys: list[str] = []
    for name, field in model.model_fields.items():
        nested = next((t for t in (field.annotation, *typing.get_args(field.annotation))
                       if isinstance(t, type) and issubclass(t, BaseModel)), None)
        if nested is None or set(nested.model_fields) == {"supported"}:
            keys.append(prefix + name)
        else:
            keys.extend(capability_keys(nested, f"{prefix}{name}."))
    return keys


def known(model: str) -> bool:
    """Whether the kit has Models API data for this model."""
    return model in MODEL_DATA.value


def capability(model: str, key: str) -> bool | None:
    """Whether a model has a capability ('thinking.types.adaptive', 'effort.max', ...); None for an unknown model or key."""
    values = CAPABILITIES.value.get(model)
    return None if values is None else values.get(key)


def source(model: str, key: str) -> str:
    """Where a capability value comes from (or why it is the kit's choice)."""
    return SOURCES.get(key, "unverified") if model in CAPABILITIES.value else "unverified: a model the kit has no data for"


def capabilities_object(model: str) -> dict[str, Any]:
    """The model's `capabilities` as the Models API nests them (every key the SDK declares)."""
    tree: dict[str, Any] = {}
    for key in capability_keys():
        *parents, leaf = key.split(".")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        value = bool(capability(model, key))
        node[leaf] = value if leaf == "supported" else {"supported": value}
    return tree


def model_info(model: str) -> dict[str, Any]:
    """A complete `ModelInfo` for a model the kit knows (KeyError for one it does not)."""
    data = MODEL_DATA.value[model]
    return {"type": "model", "id": model, "display_name": data.display_name, "created_at": data.created_at,
            "max_input_tokens": data.max_input_tokens, "max_tokens": data.max_tokens,
            "lifecycle": "deprecated" if model in DEPRECATED_MODELS.value else "active", "line": data.line,
            "deprecated_at": None, "retires_at": None, "capabilities": capabilities_object(model)}


def context_window(model: str) -> int | None:
    """The model's context window in tokens, or None for a model the kit does not know."""
    data = MODEL_DATA.value.get(model)
    return data.max_input_tokens if data else None
