"""The stand-in's context management and cache diagnostics: the prompt the model reads, and what the reply reports.

The edits themselves are the API's documented behaviour in helpers.api.edits (one place, also read by the cost
benchmark). Here: `applied_edits` in a BetaMessage's `context_management`; a compaction block first in the content,
followed by the reply (or alone, with stop_reason "compaction", under `pause_after_compaction`); `usage.iterations`
with the compaction's own usage, which the top-level usage leaves out (BetaUsage's docstring). With
pause_after_compaction nothing is sampled, so the stand-in bills no message iteration (its guess: the SDK does not
say). `diagnostics.cache_miss_reason` compares this request with the one that got `previous_message_id`, in the
order of CacheMissReason (the SDK's types, anthropic 2.13): `model_changed` (the model or `speed`), `system_changed`,
`tools_changed`; then `unavailable` when those match but another prompt-affecting parameter (`thinking`,
`tool_choice`) differs; then `messages_changed` when an earlier message differs (appending is no miss); null when
nothing diverged, and `previous_message_not_found` for an id the stand-in never answered.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..api.bill import request_units
from ..api.edits import Edited

DIAGNOSIS_FIELDS = {"model": ("model", "speed"), "system": ("system",), "tools": ("tools",)}  # reason: fields it covers
UNDIAGNOSED = ("thinking", "tool_choice")  # CacheMissUnavailable: 'other prompt-affecting parameters, such as ...'


def _same(body: Mapping[str, Any], earlier: Mapping[str, Any], fields: tuple[str, ...]) -> bool:
    """Whether the two requests agree on every one of the fields."""
    return all(json.dumps(body.get(f), sort_keys=True) == json.dumps(earlier.get(f), sort_keys=True) for f in fields)


def finish(reply: dict[str, Any], result: Edited, asked: bool = True) -> dict[str, Any]:
    """The BetaMessage with what context management did (null when the request asked for none), and any compaction."""
    reply = {**reply, "context_management": {"applied_edits": result.applied} if asked else None}
    if result.compaction is None:
        return reply
    block, used = result.compaction, result.compaction_usage or {}
    compaction = {"type": "compaction", "input_tokens": used.get("input_tokens", 0), "output_tokens":
                  used.get("output_tokens", 0), "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0,
                  "cache_creation": None}
    usage = reply["usage"]
    message = {"type": "message", "input_tokens": usage["input_tokens"], "output_tokens": usage["output_tokens"],
               "cache_read_input_tokens": usage.get("cache_read_input_tokens") or 0,
               "cache_creation_input_tokens": usage.get("cache_creation_input_tokens") or 0, "cache_creation": None,
               "model": reply["model"]}
    if result.pause:
        empty = {**usage, "input_tokens": 0, "output_tokens": 0, "cache_read_input_tokens": 0,
                 "cache_creation_input_tokens": 0, "iterations": [compaction]}
        return {**reply, "content": [block], "stop_reason": "compaction", "stop_sequence": None, "usage": empty}
    return {**reply, "content": [block, *reply["content"]], "usage": {**usage, "iterations": [compaction, message]}}


def _prefix_tokens(before: Mapping[str, Any], now: Mapping[str, Any]) -> int:
    """The tokens of the earlier request's units that this one no longer repeats (what the cache could have read)."""
    old, new = request_units(dict(before)), [json.dumps(m, sort_keys=True) for m in now.get("messages", [])]
    same = 0
    for m, n in zip(before.get("messages", []), new, strict=False):
        if json.dumps(m, sort_keys=True) != n:
            break
        same += 1
    return sum(old[1 + same:])


def diagnosis(body: Mapping[str, Any], earlier: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The `diagnostics` object for a request that asked for it: why its prefix missed the earlier request's cache."""
    if "diagnostics" not in body:
        return None
    if earlier is None:
        wanted = (body.get("diagnostics") or {}).get("previous_message_id")
        return {"cache_miss_reason": {"type": "previous_message_not_found"}} if wanted else None
    for name, fields in DIAGNOSIS_FIELDS.items():
        if not _same(body, earlier, fields):
            missed = sum(request_units(dict(earlier)))  # tools and system come first in the cache: all of it
            return {"cache_miss_reason": {"type": f"{name}_changed", "cache_missed_input_tokens": missed}}
    if not _same(body, earlier, UNDIAGNOSED):
        return {"cache_miss_reason": {"type": "unavailable"}}
    old, new = earlier.get("messages", []), body.get("messages", [])
    if json.dumps(new[: len(old)], sort_keys=True) != json.dumps(old, sort_keys=True):
        return {"cache_miss_reason": {"type": "messages_changed", "cache_missed_input_tokens": _prefix_tokens(earlier, body)}}
    return None  # only entries appended: the prefix could be reused
