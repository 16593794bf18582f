"""The rulebook's rules about content blocks and request options: thinking, tools, stop sequences."""

from __future__ import annotations

import re
from typing import Any

from ..api_facts import DOCS, MAX_CACHE_BREAKPOINTS, SDK, THINKING_BLOCK_ERROR, TOOL_RESULT_RULE
from .content import THINKING_TYPES, blocks_of, ids, messages_of, role, thinking_on
from .rulebook import Request, Rule

HI = {"role": "user", "content": "Hi"}
BASE = {"model": "claude-haiku-4-5", "max_tokens": 2048}
THINKING_DOC = f"{DOCS}/build-with-claude/extended-thinking"
TOOLS_DOC = f"{DOCS}/agents-and-tools/tool-use/implement-tool-use"
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # the API reference's Tool.name pattern (see the rule's source)
INTERLEAVED = "interleaved-thinking-2025-05-14"  # SDK: types/anthropic_beta_param.py
TOOL = {"name": "add", "description": "Add two numbers.", "input_schema": {"type": "object", "properties": {}}}
USE = {"type": "tool_use", "id": "toolu_1", "name": "add", "input": {}}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "5"}


def _thinking(request: Request) -> dict[str, Any]:
    """The request's thinking config (an empty dict when there is none)."""
    found = request.body.get("thinking")
    return found if isinstance(found, dict) else {}


def _budget_min(request: Request) -> str | None:
    """Manual thinking with a budget under 1,024 tokens."""
    config = _thinking(request)
    budget = config.get("budget_tokens")
    if config.get("type") == "enabled" and not (isinstance(budget, int) and budget >= 1024):
        return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
    return None


def _budget_max(request: Request) -> str | None:
    """A thinking budget not below max_tokens (allowed with interleaved thinking and tools, as documented)."""
    config, limit = _thinking(request), request.body.get("max_tokens")
    budget = config.get("budget_tokens")
    interleaved = INTERLEAVED in request.betas and bool(request.body.get("tools"))
    if config.get("type") == "enabled" and isinstance(budget, int) and isinstance(limit, int) and budget >= limit \
            and not interleaved:
        return "`max_tokens` must be greater than `thinking.budget_tokens`"
    return None


def _forced_tool(request: Request) -> str | None:
    """Thinking with a tool_choice that forces tool use."""
    choice = request.body.get("tool_choice")
    forced = isinstance(choice, dict) and choice.get("type") in ("any", "tool")
    return "Thinking may not be enabled when tool_choice forces tool use." if forced and thinking_on(request.body) else None


def _each_block(request: Request, kind: str) -> list[tuple[int, int, dict[str, Any]]]:
    """Every block of one type in the messages, with its message and block index."""
    return [(i, j, b) for i, m in enumerate(messages_of(request.body))
            for j, b in enumerate(blocks_of(m.get("content"))) if b.get("type") == kind]


def _unsigned(request: Request) -> str | None:
    """A thinking block without its signature."""
    bad = [(i, j) for i, j, b in _each_block(request, "thinking") if not (isinstance(b.get("signature"), str) and b["signature"])]
    return f"messages.{bad[0][0]}.content.{bad[0][1]}.thinking.signature: Field required" if bad else None


def _altered(request: Request) -> str | None:
    """A thinking or redacted_thinking block that is not as the API returned it."""
    for kind in THINKING_TYPES:
        bad = [(i, j) for i, j, b in _each_block(request, kind) if not request.unmodified(b)]
        if bad:
            field = "signature" if kind == "thinking" else "data"
            return f"messages.{bad[0][0]}.content.{bad[0][1]}: Invalid `{field}` in `{kind}` block"
    return None


def _loop_lost_thinking(request: Request) -> str | None:
    """Thinking on, and the assistant turn that asked for the tool being answered does not start with its thinking."""
    messages = messages_of(request.body)
    last = next((i for i in range(len(messages) - 1, -1, -1) if role(messages[i]) == "assistant"), None)
    if not thinking_on(request.body) or last is None or role(messages[-1]) != "user":
        return None
    lead = blocks_of(messages[last].get("content"))
    if ids(messages[last].get("content"), "tool_use", "id") and lead[0].get("type") not in THINKING_TYPES:
        return f"messages.{last}.content.0.type: {THINKING_BLOCK_ERROR.value}"
    return None


def _asked(messages: list[Any], i: int) -> list[str]:
    """The tool_use ids the turn before message i asks for."""
    return ids(messages[i - 1].get("content"), "tool_use", "id") if i and role(messages[i - 1]) == "assistant" else []


def _unanswered(request: Request) -> str | None:
    """A tool_use not answered by a tool_result in the very next user turn."""
    messages = messages_of(request.body)
    for i, message in enumerate(messages):
        answered = ids(message.get("content"), "tool_result", "tool_use_id")
        missing = [a for a in _asked(messages, i) if a not in answered] if role(message) == "user" else []
        if missing:
            return (f"messages.{i - 1}: `tool_use` ids were found without `tool_result` blocks immediately after: "
                    f"{', '.join(missing)}. Each `tool_use` block must have a corresponding `tool_result` block in the next message.")
    return None


def _stray(request: Request) -> str | None:
    """A tool_result that answers no tool_use of the turn just before it."""
    messages = messages_of(request.body)
    for i, message in enumerate(messages):
        answered = ids(message.get("content"), "tool_result", "tool_use_id") if role(message) == "user" else []
        stray = [a for a in answered if a not in _asked(messages, i)]
        if stray:
            return (f"messages.{i}.content: unexpected `tool_use_id` found in `tool_result` blocks: {stray[0]}. "
                    "Each `tool_result` block must have a corresponding `tool_use` block in the previous message.")
    return None


def _results_first(request: Request) -> str | None:
    """A user turn answering tools whose tool_result blocks do not come first."""
    messages = messages_of(request.body)
    for i, message in enumerate(messages):
        asked, lead = _asked(messages, i), blocks_of(message.get("content"))
        if role(message) == "user" and asked and any(b.get("type") != "tool_result" for b in lead[: len(asked)]):
            return (f"messages.{i}: Did not find {len(asked)} `tool_result` block(s) at the beginning of this message. "
                    "Messages following `tool_use` blocks must begin with a matching number of `tool_result` blocks.")
    return None


def _needs_tools(request: Request) -> str | None:
    """Tool blocks in the history of a request that defines no tools."""
    used = any(_each_block(request, kind) for kind in ("tool_use", "tool_result"))
    return "Requests which include `tool_use` or `tool_result` blocks must define tools." if used and not request.body.get("tools") else None


def _tool_names(request: Request) -> str | None:
    """A client tool whose name does not match the documented pattern."""
    for i, tool in enumerate(request.body.get("tools") or []):
        if isinstance(tool, dict) and "input_schema" in tool and not TOOL_NAME.match(str(tool.get("name", ""))):
            return f"tools.{i}.custom.name: String should match pattern '{TOOL_NAME.pattern}'"
    return None


def _tool_choice(request: Request) -> str | None:
    """A tool_choice that is not one of the SDK's shapes."""
    choice = request.body.get("tool_choice")
    if choice is None:
        return None
    kind = choice.get("type") if isinstance(choice, dict) else None
    if kind not in ("auto", "any", "tool", "none"):
        return f"tool_choice: Input tag {kind!r} found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'"
    return "tool_choice.tool.name: Field required" if kind == "tool" and not isinstance(choice.get("name"), str) else None


def _marks(content: Any) -> int:
    """How many cache_control markers a system prompt, message content or tool list carries."""
    return sum(1 for b in content if isinstance(b, dict) and b.get("cache_control")) if isinstance(content, list) else 0


def _breakpoints(request: Request) -> str | None:
    """More cache breakpoints than the API allows (the top-level one counts when the last block has none)."""
    messages = messages_of(request.body)
    marks = _marks(request.body.get("system")) + _marks(request.body.get("tools")) + sum(_marks(m.get("content")) for m in messages)
    marks += 1 if request.body.get("cache_control") and not (messages and _marks(messages[-1].get("content"))) else 0
    limit = MAX_CACHE_BREAKPOINTS.value
    return f"A maximum of {limit} blocks with cache_control may be provided. Found {marks}." if marks > limit else None


def _stop_list(request: Request) -> str | None:
    """stop_sequences that is not a list of strings."""
    stops = request.body.get("stop_sequences")
    if stops is None or (isinstance(stops, list) and all(isinstance(s, str) for s in stops)):
        return None
    return "stop_sequences: Input should be a valid list of strings"


def _stop_blank(request: Request) -> str | None:
    """A stop sequence that is the empty string (whitespace such as '\\n\\n' is a real sequence and is kept)."""
    stops = request.body.get("stop_sequences")
    blank = [s for s in stops if s == ""] if isinstance(stops, list) else []
    return f"stop_sequences holds {blank[0]!r}." if blank else None


THINK = {"type": "enabled", "budget_tokens": 1024}
SIGNED = {"type": "thinking", "thinking": "2 + 3 is 5.", "signature": "sig"}
BLOCK_RULES = (
    Rule("thinking.budget_minimum", "thinking budget_tokens is at least 1,024", _budget_min, "refused",
         f"{SDK}: types/thinking_config_enabled_param.py (budget_tokens: 'Must be ≥1024 and less than max_tokens')",
         "refuse", "Set budget_tokens to 1024 or more.", {**BASE, "thinking": {"type": "enabled", "budget_tokens": 500},
                                                             "messages": [HI]}),
    Rule("thinking.budget_below_max", "budget_tokens is below max_tokens (except interleaved thinking with tools)",
         _budget_max, "refused", f"{SDK}: types/thinking_config_enabled_param.py; {THINKING_DOC} (interleaved thinking: "
         "the budget may exceed max_tokens)", "refuse", "Raise max_tokens above budget_tokens (thinking counts toward it).",
         {**BASE, "max_tokens": 1024, "thinking": THINK, "messages": [HI]}),
    Rule("thinking.forced_tool", "thinking is not combined with tool_choice any or tool", _forced_tool, "refused",
         f"{THINKING_DOC} (feature compatibility: forced tool use); error text as anthropics/claude-code issue 19414 and "
         "run-llama/llama_index issue 19641 quote it", "refuse",
         "With thinking on, use tool_choice {'type': 'auto'} or {'type': 'none'}, or turn thinking off to force a tool.",
         {**BASE, "thinking": THINK, "tools": [TOOL], "tool_choice": {"type": "any"}, "messages": [HI]},
         wording="reported"),
    Rule("thinking.signature", "every thinking block keeps its signature", _unsigned, "refused",
         f"{SDK}: types/thinking_block_param.py (signature: Required)", "refuse",
         "Keep the reply's blocks as they came (conv.messages keeps them): a thinking block goes back with its signature.",
         {**BASE, "messages": [HI, {"role": "assistant", "content": [{"type": "thinking", "thinking": "Hm."}, {"type": "text", "text": "Hi!"}]},
                               {"role": "user", "content": "And?"}]}, wording="sdk"),
    Rule("thinking.unmodified", "thinking and redacted_thinking blocks go back exactly as returned", _altered, "refused",
         f"{SDK}: types/thinking_block_param.py ('a modified block results in a 400'), types/redacted_thinking_block_param.py "
         "('pass it back unchanged')", "refuse",
         "Undo the edit, or undo the exchange and send it again: thinking blocks must go back unmodified.",
         {**BASE, "messages": [HI, {"role": "assistant", "content": [SIGNED, {"type": "text", "text": "5"}]},
                               {"role": "user", "content": "And?"}]}, wording="reported"),
    Rule("thinking.tool_loop", "in a tool loop, the turn that asked for the tool starts with its thinking",
         _loop_lost_thinking, "refused", THINKING_BLOCK_ERROR.source, "refuse",
         "The turn that asked for the tool lost its thinking block: keep the reply's blocks as they came.",
         {**BASE, "thinking": THINK, "tools": [TOOL], "messages": [HI, {"role": "assistant", "content": [USE]},
                                                                    {"role": "user", "content": [RESULT]}]},
         wording="documented"),
    Rule("tools.answered", "every tool_use is answered in the very next user turn", _unanswered, "refused",
         TOOL_RESULT_RULE.source, "refuse",
         "Run the tool and send its result first in your next turn: [{'type': 'tool_result', 'tool_use_id': ..., 'content': '...'}].",
         {**BASE, "tools": [TOOL], "messages": [HI, {"role": "assistant", "content": [USE]}, {"role": "user", "content": "Never mind"}]},
         wording="reported"),
    Rule("tools.stray_result", "every tool_result answers a tool_use of the turn just before", _stray, "refused",
         TOOL_RESULT_RULE.source, "refuse", "Check the tool_use_id: it must name a tool_use of Claude's last turn.",
         {**BASE, "tools": [TOOL], "messages": [HI, {"role": "assistant", "content": "Hello"},
                                                {"role": "user", "content": [RESULT]}]}, wording="reported"),
    Rule("tools.results_first", "tool_result blocks come first in the user turn that answers", _results_first, "refused",
         f"{TOOL_RESULT_RULE.source}; error text as anthropics/anthropic-sdk-typescript issue 653 quotes it", "refuse",
         "Put the tool_result blocks first, before any text.",
         {**BASE, "tools": [TOOL], "messages": [HI, {"role": "assistant", "content": [USE]},
                                                {"role": "user", "content": [{"type": "text", "text": "Here:"}, RESULT]}]},
         wording="reported"),
    Rule("tools.defined", "a history holding tool blocks is sent with its tools", _needs_tools, "refused",
         "error text as anthropics/anthropic-sdk-python issue 494 quotes the API (2024); the docs say no more", "refuse",
         "Send the tools again with this history (conv.tools = [...]): the API refuses tool blocks without them.",
         {**BASE, "messages": [HI, {"role": "assistant", "content": [USE]}, {"role": "user", "content": [RESULT]}]},
         wording="reported"),
    Rule("tools.name", "a tool's name matches ^[a-zA-Z0-9_-]{1,64}$", _tool_names, "refused",
         f"{DOCS}/api/messages (Tool.name: 'Must match the regex ^[a-zA-Z0-9_-]{{1,64}}$', as schemas.apis.io/schemas/claude/claude-tool mirrors it)",
         "refuse", "Name the tool with letters, digits, _ and - only (at most 64), e.g. 'get_weather'.",
         {**BASE, "tools": [{**TOOL, "name": "get weather"}], "messages": [HI]}),
    Rule("tools.choice", "tool_choice is auto, any, tool (with a name) or none", _tool_choice, "refused",
         f"{SDK}: types/tool_choice_param.py", "refuse",
         "Use {'type': 'auto'}, {'type': 'any'}, {'type': 'tool', 'name': '...'} or {'type': 'none'}.",
         {**BASE, "tools": [TOOL], "tool_choice": {"type": "required"}, "messages": [HI]}),
    Rule("stop_sequences.list", "stop_sequences is a list of strings", _stop_list, "refused",
         f"{SDK}: resources/messages/messages.py (stop_sequences: SequenceNotStr[str], a list, never one str)", "refuse",
         "Give stop_sequences as a list, e.g. stop_sequences=['END'].", {**BASE, "stop_sequences": "END", "messages": [HI]}),
    Rule("kit.stop_sequences", "no stop sequence is the empty string", _stop_blank, "undocumented",
         f"{SDK}: resources/messages/messages.py (stop_sequences docstring; it says nothing about empty strings)", "refuse",
         "The kit refuses an empty stop sequence (its own rule: the docs do not say what the API does with one).",
         {**BASE, "stop_sequences": [""], "messages": [HI]}, kit_rule=True),
    Rule("cache.breakpoints", "at most 4 cache_control breakpoints", _breakpoints, "refused", MAX_CACHE_BREAKPOINTS.source,
         "refuse", "Keep at most 4 cache_control markers (the top-level cache_control counts as one).",
         {**BASE, "system": [{"type": "text", "text": f"Part {n}.", "cache_control": {"type": "ephemeral"}} for n in range(5)],
          "messages": [HI]}, wording="reported"),
)
