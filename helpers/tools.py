"""Tool use across turns: plain Python functions as tools, and a loop that runs them until Claude is done.

Invariant: each step is an ordinary `Conversation.send`, so the history keeps every block (thinking, tool_use)
and each tool_use is answered by its tool_result in the very next user turn; a tool that raises becomes a
`tool_result` with `is_error: true`, which Claude reads and can recover from (tool use docs, see api_facts).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Sequence
from typing import Any, get_type_hints

from .blocks import Content, blocks_of
from .conversation import Conversation
from .reply import Reply

JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", list: "array", dict: "object"}
MAX_STEPS = 8  # the kit's own cap on tool rounds in one run_tools call; the API sets none


def tool_spec(function: Callable[..., Any]) -> dict[str, Any]:
    """A tool definition for the API from a function: its name, its docstring's first line, its typed parameters."""
    hints = get_type_hints(function)
    params = inspect.signature(function).parameters
    properties = {name: {"type": JSON_TYPES.get(hints.get(name, str), "string")} for name in params}
    required = [name for name, p in params.items() if p.default is inspect.Parameter.empty]
    doc = (inspect.getdoc(function) or function.__name__).splitlines()[0]
    return {"name": function.__name__, "description": doc,
            "input_schema": {"type": "object", "properties": properties, "required": required}}


def tool_uses(content: object) -> list[dict[str, Any]]:
    """The tool_use blocks of a message's content."""
    return [b for b in blocks_of(content) if b.get("type") == "tool_use"]


def expected_block(conv: Conversation, kind: str, *, show: Callable[[str], None] = print) -> dict[str, Any] | None:
    """The last reply's first block of a kind ('tool_use', 'thinking'), or None after saying what Claude did instead.

    The model chooses whether to call a tool or think first: in live mode a cell that expects one must not crash.
    """
    last = conv.messages[-1] if conv.messages and conv.messages[-1]["role"] == "assistant" else None
    found = [b for b in blocks_of(last["content"]) if b.get("type") == kind] if last else []
    if found:
        return found[0]
    reply = conv.last_reply
    said = [str(b.get("type")) for b in blocks_of(last["content"])] if last else []
    show(f"This time Claude's reply has no {kind} block (stop_reason: {reply.stop_reason if reply else None}; "
         f"blocks: {said or 'none'}): the model chose to answer another way. Read its reply in conv.messages[-1], "
         f"then run the cell that sent the question again, or ask more directly.")
    return None


def run_tool(functions: dict[str, Callable[..., Any]], use: dict[str, Any]) -> dict[str, Any]:
    """Run one tool_use and return its tool_result block (`is_error` when the tool is unknown or raises)."""
    function = functions.get(str(use.get("name")))
    try:
        if function is None:
            raise LookupError(f"there is no tool named {use.get('name')!r}")
        output = function(**(use.get("input") or {}))
        text = output if isinstance(output, str) else json.dumps(output, default=as_json, ensure_ascii=False)
    except Exception as error:  # a tool that raises, or an output that cannot be text (a loop in a dict)
        return {"type": "tool_result", "tool_use_id": use["id"], "content": f"{type(error).__name__}: {error}", "is_error": True}
    return {"type": "tool_result", "tool_use_id": use["id"], "content": text}


def as_json(value: object) -> object:
    """A tool output JSON cannot hold as it is, as something it can: a date as ISO text, a set as a list, else str()."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


def run_tools(conv: Conversation, text: Content, functions: Sequence[Callable[..., Any]], *,
              show: Callable[[str], None] = print, max_steps: int = MAX_STEPS) -> Reply:
    """Send `text`, run each tool Claude asks for, send the results back, and repeat until Claude is done."""
    table = {f.__name__: f for f in functions}
    conv.tools = conv.tools or [tool_spec(f) for f in functions]
    reply = conv.send(text)
    for step in range(1, max_steps + 1):
        if reply.stop_reason != "tool_use":
            return reply
        results = [run_tool(table, use) for use in tool_uses(conv.messages[-1]["content"])]
        for use, result in zip(tool_uses(conv.messages[-1]["content"]), results, strict=True):
            flag = " (is_error)" if result.get("is_error") else ""
            show(f"step {step}: {use['name']}({json.dumps(use.get('input', {}))}) -> {result['content']}{flag}")
        reply = conv.send(results)
        show(f"step {step}: sent {len(results)} tool_result block(s) with the whole history "
             f"({len(conv.messages) - 1} messages); stop_reason: {reply.stop_reason}")
    raise RuntimeError(f"Claude still asked for tools after {max_steps} rounds (the kit's cap): the last reply is in "
                       "conv.messages; answer its tool_use blocks yourself, or call run_tools again with max_steps=...")
