"""The stand-in's reading of tool_choice and thinking display: which tool calls a reply may hold, and what thinking shows.

Sources (values in helpers/api_facts.py): TOOL_USE_COUNTS (none: no tool_use; any and tool: at least one, exactly
one with disable_parallel_tool_use; auto with it: at most one) and THINKING_DISPLAYS / THINKING_DISPLAY_DEFAULT
(omitted: empty thinking text, the signature kept). A reply written for the stand-in that breaks them is refused
loudly (`ImpossibleReply`), since the API never sends one. The kit's own choices, marked as guesses: a forced
tool_choice whose reply holds no call gets the forced tool called with sample inputs (as the stand-in's default reply
does); an omitted block's signature is the stand-in's digest of the full text, marked so it can check it later.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from ..api_facts import THINKING_DISPLAY_DEFAULT, TOOL_USE_COUNTS

SAMPLES = {"string": "example", "integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}
OMITTED = "standin-sig-omitted-"  # the stand-in's signature of a thinking block sent with display omitted (a guess)


class ImpossibleReply(ValueError):
    """A reply written for the stand-in that the API could not send for this request (fix the sample)."""


def choice_of(body: dict[str, Any]) -> tuple[str, bool, str | None]:
    """The request's tool_choice type, whether parallel tool use is off, and the forced tool's name."""
    found = body.get("tool_choice")
    choice: dict[str, Any] = found if isinstance(found, dict) else {}
    kind = str(choice.get("type") or "auto") if body.get("tools") else "none"
    return kind, bool(choice.get("disable_parallel_tool_use")), choice.get("name") if kind == "tool" else None


def offered(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The client tools a reply may call under the request's tool_choice (none: no tool; tool: the named one)."""
    kind, _, name = choice_of(body)
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict) and "input_schema" in t]
    return [] if kind == "none" else [t for t in tools if name is None or t.get("name") == name]


def sample_call(tool: dict[str, Any]) -> dict[str, Any]:
    """A tool_use of a tool with its required inputs filled with sample values (the stand-in's own, not a model's)."""
    schema = tool.get("input_schema") or {}
    sample = {k: SAMPLES.get(schema.get("properties", {}).get(k, {}).get("type", "string"), "example")
              for k in schema.get("required", [])}
    return {"type": "tool_use", "name": tool["name"], "input": sample}


Fill = Callable[[dict[str, Any], int, dict[str, Any]], dict[str, Any]]  # a block completed with its id (replies.filled)


def chosen(content: list[dict[str, Any]], stops: dict[str, Any], body: dict[str, Any], fill: Fill) -> list[dict[str, Any]]:
    """The reply's content under the request's tool_choice; ImpossibleReply when it holds calls the API never sends."""
    kind, single, name = choice_of(body)
    uses = [b for b in content if b.get("type") == "tool_use"]
    fewest, most = TOOL_USE_COUNTS.value[(kind, single and kind != "none")]
    wrong = [str(b.get("name")) for b in uses if name is not None and b.get("name") != name]
    if wrong:
        raise ImpossibleReply(f"tool_choice forces the tool {name!r}, and the reply calls {', '.join(wrong)}")
    if most is not None and len(uses) > most:
        raise ImpossibleReply(f"tool_choice {kind}{' with disable_parallel_tool_use' if single else ''} allows at most "
                              f"{most} tool_use block(s), and the reply has {len(uses)}")
    if len(uses) < fewest and stops.get("stop_reason") in ("end_turn", "tool_use") and offered(body):
        stops["stop_reason"] = "tool_use"  # a forced tool_choice: the call comes whatever the reply's text
        return [*content, fill(sample_call(offered(body)[0]), len(content), body)]
    return content


def display_of(body: dict[str, Any]) -> str:
    """How thinking shows for this request: its display, or the model's default (summarized where none is known)."""
    found = body.get("thinking")
    config: dict[str, Any] = found if isinstance(found, dict) else {}
    return str(config.get("display") or THINKING_DISPLAY_DEFAULT.value.get(str(body.get("model")), "summarized"))


def omitted_signature(thinking: str) -> str:
    """The stand-in's signature for a thinking block whose text it leaves out: a digest of the full text."""
    return OMITTED + hashlib.sha256(thinking.encode()).hexdigest()[:32]


def displayed(content: list[dict[str, Any]], body: dict[str, Any]) -> list[dict[str, Any]]:
    """The reply's thinking blocks as the request's display shows them (omitted: empty text, the signature kept)."""
    if display_of(body) != "omitted":
        return content
    return [{**b, "thinking": "", "signature": omitted_signature(str(b["thinking"]))} if b.get("type") == "thinking" else b
            for b in content]


def signed_omitted(block: dict[str, Any]) -> bool:
    """Whether a thinking block is one the stand-in sent with its text omitted, still as it came (empty, signed)."""
    signature = str(block.get("signature", ""))
    return block.get("thinking") == "" and signature.startswith(OMITTED) and len(signature) == len(OMITTED) + 32
