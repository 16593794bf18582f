"""The rulebook's rules about the newer request fields: context editing, compaction, structured outputs, strict tools, parallel tools.

Each shape comes from the SDK's types (anthropic 2.13, `types/beta/` for context management and compaction, `types/`
for output_config and tool_choice); the error texts are the kit's guess at the API's validation wording, in the style
the API uses for the shapes it checks (wording "guess"), except where the SDK's docstring says the rule in words.
"""

from __future__ import annotations

from typing import Any

from ..api_facts import COMPACTION_MIN_TRIGGER, DOCS, SDK
from .content import blocks_of, messages_of, output_format
from .rulebook import Request, Rule

HI = {"role": "user", "content": "Hi"}
BASE = {"model": "claude-haiku-4-5", "max_tokens": 64}
COMPACTOR = {"model": "claude-sonnet-4-6"}  # a model with compaction (rules_models: compaction.model)
BETA = f"{SDK}: types/beta/"
EDIT_TYPES = ("clear_tool_uses_20250919", "clear_thinking_20251015", "compact_20260112")
EDITING_DOC = f"{DOCS}/build-with-claude/context-editing"
COMPACTION_DOC = f"{DOCS}/build-with-claude/compaction"
STRUCTURED_DOC = f"{DOCS}/build-with-claude/structured-outputs"


def edits_of(request: Request) -> list[Any]:
    """The request's context_management edits (an empty list when there are none)."""
    config = request.body.get("context_management")
    edits = config.get("edits") if isinstance(config, dict) else None
    return edits if isinstance(edits, list) else []


def _counter(value: Any, kinds: tuple[str, ...]) -> bool:
    """Whether a value is {"type": one of kinds, "value": a whole number of 0 or more}."""
    return isinstance(value, dict) and value.get("type") in kinds and isinstance(value.get("value"), int) \
        and not isinstance(value.get("value"), bool) and value["value"] >= 0


def _edit_type(request: Request) -> str | None:
    """An edit whose type is not one of the three the SDK declares."""
    for i, edit in enumerate(edits_of(request)):
        kind = edit.get("type") if isinstance(edit, dict) else None
        if kind not in EDIT_TYPES:
            return (f"context_management.edits.{i}: Input tag {kind!r} found using 'type' does not match any of the "
                    f"expected tags: {', '.join(repr(t) for t in EDIT_TYPES)}")
    return None


def _trigger(request: Request) -> str | None:
    """A trigger that is not input_tokens (or, for clearing tool uses, tool_uses) with a whole-number value."""
    for i, edit in enumerate(edits_of(request)):
        kinds = ("input_tokens", "tool_uses") if edit.get("type") == "clear_tool_uses_20250919" else ("input_tokens",)
        if edit.get("type") != "clear_thinking_20251015" and edit.get("trigger") is not None \
                and not _counter(edit["trigger"], kinds):
            return f"context_management.edits.{i}.trigger: Input should be {' or '.join(kinds)} with a whole-number value"
    return None


def _compaction_trigger(request: Request) -> str | None:
    """A compact_20260112 trigger under the documented least value (50,000 input tokens)."""
    least = COMPACTION_MIN_TRIGGER.value
    for i, edit in enumerate(edits_of(request)):
        trigger = edit.get("trigger") if edit.get("type") == "compact_20260112" else None
        if isinstance(trigger, dict) and _counter(trigger, ("input_tokens",)) and trigger["value"] < least:
            return f"context_management.edits.{i}.trigger.value: Input should be greater than or equal to {least}"
    return None


def _keep(request: Request) -> str | None:
    """A keep that is not tool_uses (clearing tool uses) or thinking_turns / all (clearing thinking)."""
    for i, edit in enumerate(edits_of(request)):
        keep, kind = edit.get("keep"), edit.get("type")
        if keep is None or kind == "compact_20260112":
            continue
        ok = _counter(keep, ("tool_uses",)) if kind == "clear_tool_uses_20250919" else \
            keep == "all" or keep == {"type": "all"} or _counter(keep, ("thinking_turns",))
        if not ok:
            wanted = "{'type': 'tool_uses', 'value': N}" if kind == "clear_tool_uses_20250919" else \
                "{'type': 'thinking_turns', 'value': N}, {'type': 'all'} or 'all'"
            return f"context_management.edits.{i}.keep: Input should be {wanted}"
    return None


def _clear_options(request: Request) -> str | None:
    """clear_at_least that is not input_tokens with a value, or exclude_tools that is not a list of names."""
    for i, edit in enumerate(edits_of(request)):
        if edit.get("type") != "clear_tool_uses_20250919":
            continue
        least, exclude = edit.get("clear_at_least"), edit.get("exclude_tools")
        if least is not None and not _counter(least, ("input_tokens",)):
            return f"context_management.edits.{i}.clear_at_least: Input should be {{'type': 'input_tokens', 'value': N}}"
        if exclude is not None and not (isinstance(exclude, list) and all(isinstance(n, str) for n in exclude)):
            return f"context_management.edits.{i}.exclude_tools: Input should be a valid list of strings"
    return None


def _compaction_with_editing(request: Request) -> str | None:
    """A compaction request (top-level `compaction`) that also carries context_management."""
    body = request.body
    if body.get("compaction") is not None and body.get("context_management") is not None:
        return "compaction: cannot be combined with context_management"
    return None


def _empty_compaction(request: Request) -> str | None:
    """A compaction block sent back with empty-string content (null means a failed compaction; empty is not allowed)."""
    for i, message in enumerate(messages_of(request.body)):
        for j, block in enumerate(blocks_of(message.get("content") if isinstance(message, dict) else None)):
            if block.get("type") == "compaction" and block.get("content") == "":
                return f"messages.{i}.content.{j}.content: empty string content is not allowed for a compaction block"
    return None


def _output_format(request: Request) -> str | None:
    """output_config.format that is not {"type": "json_schema", "schema": {...}}."""
    shape = output_format(request.body)
    if shape is None:
        return None
    if not (isinstance(shape, dict) and shape.get("type") == "json_schema" and isinstance(shape.get("schema"), dict)):
        return "output_config.format: Input should be {'type': 'json_schema', 'schema': {...}}"
    return None


def _strict(request: Request) -> str | None:
    """A tool whose strict flag is not true or false."""
    for i, tool in enumerate(request.body.get("tools") or []):
        if isinstance(tool, dict) and "strict" in tool and not isinstance(tool["strict"], bool):
            return f"tools.{i}.custom.strict: Input should be a valid boolean"
    return None


def _parallel(request: Request) -> str | None:
    """disable_parallel_tool_use on a tool_choice that has no such field (none), or not a boolean."""
    choice = request.body.get("tool_choice")
    if not isinstance(choice, dict) or "disable_parallel_tool_use" not in choice:
        return None
    if choice.get("type") == "none":
        return "tool_choice.none.disable_parallel_tool_use: Extra inputs are not permitted"
    value = choice["disable_parallel_tool_use"]
    kind = choice.get("type")
    return None if isinstance(value, bool) else f"tool_choice.{kind}.disable_parallel_tool_use: Input should be a valid boolean"


EDITS = {"context_management": {"edits": [{"type": "clear_tool_uses_20250919"}]}}
TOOL = {"name": "add", "description": "Add two numbers.", "input_schema": {"type": "object", "properties": {}}}
CONTEXT_RULES = (
    Rule("context.edit_type", "each context_management edit is clear_tool_uses_20250919, clear_thinking_20251015 or "
         "compact_20260112", _edit_type, "refused", f"{BETA}beta_context_management_config_param.py (Edit); {EDITING_DOC}",
         "refuse", "Use one of the documented edit types: clear_tool_uses_20250919, clear_thinking_20251015, compact_20260112.",
         {**BASE, "context_management": {"edits": [{"type": "clear_everything"}]}, "messages": [HI]}),
    Rule("context.trigger", "an edit's trigger is {'type': 'input_tokens' (or 'tool_uses' when clearing tool uses), "
         "'value': N}", _trigger, "refused", f"{BETA}beta_input_tokens_trigger_param.py, beta_tool_uses_trigger_param.py, "
         "beta_compact_20260112_edit_param.py (trigger: input tokens only)", "refuse",
         "Give the trigger as {'type': 'input_tokens', 'value': 100000}; clear_tool_uses_20250919 also takes 'tool_uses'.",
         {**BASE, **COMPACTOR, "context_management": {"edits": [{"type": "compact_20260112", "trigger": {"type": "tool_uses", "value": 5}}]},
          "messages": [HI]}),
    Rule("compaction.trigger_min", f"a compact_20260112 trigger is at least {COMPACTION_MIN_TRIGGER.value:,} input tokens",
         _compaction_trigger, "refused", COMPACTION_MIN_TRIGGER.source, "refuse",
         f"Set the compaction trigger to at least {COMPACTION_MIN_TRIGGER.value:,} input tokens (the docs' least value; "
         "the default is 150,000); for a shorter conversation, trim or summarize on your side instead (notebook 04).",
         {**BASE, **COMPACTOR, "context_management": {"edits": [{"type": "compact_20260112", "trigger": {"type": "input_tokens",
          "value": 15_000}}]}, "messages": [HI]}),
    Rule("context.keep", "keep is tool_uses (clearing tool uses) or thinking_turns / all (clearing thinking)", _keep,
         "refused", f"{BETA}beta_tool_uses_keep_param.py, beta_clear_thinking_20251015_edit_param.py (Keep)", "refuse",
         "Keep tool uses as {'type': 'tool_uses', 'value': 3}; thinking as {'type': 'thinking_turns', 'value': 1} or 'all'.",
         {**BASE, "context_management": {"edits": [{"type": "clear_tool_uses_20250919", "keep": 3}]}, "messages": [HI]}),
    Rule("context.clear_options", "clear_at_least is {'type': 'input_tokens', 'value': N}; exclude_tools a list of names",
         _clear_options, "refused", f"{BETA}beta_input_tokens_clear_at_least_param.py, "
         "beta_clear_tool_uses_20250919_edit_param.py", "refuse",
         "Write clear_at_least as {'type': 'input_tokens', 'value': 5000} and exclude_tools as a list of tool names.",
         {**BASE, "context_management": {"edits": [{"type": "clear_tool_uses_20250919", "exclude_tools": "memory"}]},
          "messages": [HI]}),
    Rule("compaction.with_editing", "a compaction request (top-level compaction) carries no context_management",
         _compaction_with_editing, "refused", f"{BETA}message_create_params.py (compaction: 'Cannot be combined "
         "with `context_management`'); {COMPACTION_DOC}", "refuse",
         "Send either compaction={'type': 'summarize'} or context_management, not both.",
         {**BASE, "compaction": {"type": "summarize"}, **EDITS, "messages": [HI]}, wording="sdk"),
    Rule("compaction.empty_content", "a compaction block sent back has a summary or null content, never ''",
         _empty_compaction, "refused", f"{BETA}beta_compaction_block_param.py ('Empty string content is not allowed')",
         "refuse", "Send the compaction block back exactly as it came (null content marks a failed compaction).",
         {**BASE, "messages": [HI, {"role": "assistant", "content": [{"type": "compaction", "content": ""}]},
                               {"role": "user", "content": "And?"}]}),
    Rule("output.format", "output_config.format is {'type': 'json_schema', 'schema': {...}}", _output_format, "refused",
         f"{SDK}: types/output_config_param.py, types/json_output_format_param.py; {STRUCTURED_DOC}", "refuse",
         "Give the format as {'type': 'json_schema', 'schema': {...a JSON schema...}}.",
         {**BASE, "output_config": {"format": {"type": "json"}}, "messages": [HI]}),
    Rule("tools.strict", "a tool's strict flag is true or false", _strict, "refused",
         f"{SDK}: types/tool_param.py (strict: bool); {STRUCTURED_DOC} (strict tool use)", "refuse",
         "Set strict to True (inputs follow the schema exactly) or leave it out.",
         {**BASE, "tools": [{**TOOL, "strict": "yes"}], "messages": [HI]}),
    Rule("tools.parallel", "disable_parallel_tool_use is a boolean, on auto, any or tool (none has no such field)",
         _parallel, "refused", f"{SDK}: types/tool_choice_auto_param.py, tool_choice_none_param.py", "refuse",
         "Put disable_parallel_tool_use=True on tool_choice auto, any or tool; tool_choice none calls no tool at all.",
         {**BASE, "tools": [TOOL], "tool_choice": {"type": "none", "disable_parallel_tool_use": True}, "messages": [HI]}),
)
