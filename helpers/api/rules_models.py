"""The rulebook's rules that depend on the model (thinking types, effort levels, the context window: Models API data),
and the shape of the thinking config those rules read (display, and no budget on adaptive thinking)."""

from __future__ import annotations

from typing import Any

from ..api_facts import DOCS, FALLBACK_CONTEXT_WINDOW, SDK, THINKING_DISPLAYS
from .bill import estimate_request_tokens
from .content import messages_of
from .edits import edited
from .models import capability, context_window
from .rulebook import Request, Rule, combined
from .rules_context import edits_of

HI = {"role": "user", "content": "Hi"}
MODELS_DOC = f"{DOCS}/about-claude/models/overview; the Models API's `capabilities` (helpers/api/models.py names each source)"


def _model(request: Request) -> str:
    """The request's model id."""
    return str(request.body.get("model"))


def _thinking_type(request: Request) -> str | None:
    """A thinking type the model does not accept (adaptive, enabled, disabled, between_tools)."""
    config = request.body.get("thinking")
    kind = config.get("type") if isinstance(config, dict) else None
    if kind and capability(_model(request), f"thinking.types.{kind}") is False:
        return f"thinking.type: '{kind}' is not supported on {_model(request)}"
    return None


def _effort(request: Request) -> str | None:
    """An output_config.effort the model does not have."""
    config = request.body.get("output_config")
    level = config.get("effort") if isinstance(config, dict) else None
    if level and (capability(_model(request), "effort.supported") is False or capability(_model(request), f"effort.{level}") is False):
        return f"output_config.effort: '{level}' is not supported on {_model(request)}"
    return None


def _display(request: Request) -> str | None:
    """A thinking display that is not one the SDK declares (summarized, omitted)."""
    config = request.body.get("thinking")
    if not isinstance(config, dict) or config.get("display") is None or config["display"] in THINKING_DISPLAYS.value:
        return None
    wanted = " or ".join(repr(d) for d in THINKING_DISPLAYS.value)
    return f"thinking.{config.get('type')}.display: Input should be {wanted}"


def _adaptive_budget(request: Request) -> str | None:
    """Adaptive thinking sent with a budget_tokens (adaptive has none: the model sets its own depth, effort steers it)."""
    config = request.body.get("thinking")
    if isinstance(config, dict) and config.get("type") == "adaptive" and "budget_tokens" in config:
        return "thinking.adaptive.budget_tokens: Extra inputs are not permitted"
    return None


def _compaction_model(request: Request) -> str | None:
    """A compact_20260112 edit on a model without compaction (Models data: context_management.compact_20260112)."""
    for i, edit in enumerate(edits_of(request)):
        if isinstance(edit, dict) and edit.get("type") == "compact_20260112" \
                and capability(_model(request), "context_management.compact_20260112") is False:
            return f"context_management.edits.{i}: compact_20260112 is not supported on {_model(request)}"
    return None


def input_size(body: dict[str, Any]) -> int:
    """The bill's estimate of a request's input: turns combined, then the server's context edits applied (edits.py)."""
    return estimate_request_tokens(edited({**body, "messages": combined(messages_of(body))}).body)


def _too_long(request: Request) -> str | None:
    """A prompt over the model's context window, by the bill's estimate."""
    window = context_window(_model(request)) or FALLBACK_CONTEXT_WINDOW.value
    size = input_size(dict(request.body))
    return f"prompt is too long: {size} tokens > {window} maximum" if size > window else None


ADAPTIVE_DOC = f"{DOCS}/build-with-claude/adaptive-thinking"
MODEL_RULES = (
    Rule("thinking.display", "thinking display is 'summarized' or 'omitted'", _display, "refused",
         f"{THINKING_DISPLAYS.source}", "refuse",
         "Set display to 'summarized' (thinking text shown) or 'omitted' (empty text, signature kept), or leave it out.",
         {"model": "claude-sonnet-4-6", "max_tokens": 2048, "thinking": {"type": "adaptive", "display": "full"},
          "messages": [HI]}),
    Rule("thinking.adaptive_budget", "adaptive thinking has no budget_tokens (effort steers it)", _adaptive_budget,
         "refused", f"{SDK}: types/thinking_config_adaptive_param.py (type and display only); {ADAPTIVE_DOC}; "
         f"{DOCS}/build-with-claude/effort", "refuse",
         "Drop budget_tokens from adaptive thinking and steer it with output_config={'effort': 'low'|'medium'|'high'|...}.",
         {"model": "claude-sonnet-4-6", "max_tokens": 4096, "thinking": {"type": "adaptive", "budget_tokens": 2048},
          "messages": [HI]}),
    Rule("thinking.type_model", "the thinking type is one the model accepts (per model)", _thinking_type, "refused",
         f"{MODELS_DOC}: thinking.types; {DOCS}/build-with-claude/adaptive-thinking", "refuse",
         "Use a thinking type this model has: helpers.api.models.capability(model, 'thinking.types.adaptive'); "
         "older models take {'type': 'enabled', 'budget_tokens': ...}.",
         {"model": "claude-haiku-4-5", "max_tokens": 2048, "thinking": {"type": "adaptive"}, "messages": [HI]},
         per_model="capability(model, 'thinking.types.<type>')"),
    Rule("effort.model", "output_config.effort only at levels the model has (per model)", _effort, "refused",
         f"{MODELS_DOC}: effort; {DOCS}/build-with-claude/effort", "refuse",
         "Leave out effort on this model, or pick a level it has: helpers.api.models.capability(model, 'effort.high').",
         {"model": "claude-haiku-4-5", "max_tokens": 256, "output_config": {"effort": "low"}, "messages": [HI]},
         per_model="capability(model, 'effort.<level>')"),
    Rule("compaction.model", "compact_20260112 only on a model that has compaction (per model)", _compaction_model,
         "refused", f"{MODELS_DOC}: context_management.compact_20260112; {DOCS}/build-with-claude/compaction", "refuse",
         "Compact on a model that has it: helpers.api.models.capability(model, 'context_management.compact_20260112') "
         "(Sonnet 4.6 and the Opus models from 4.6 on); on this model, trim or summarize on your side (notebook 04).",
         {"model": "claude-haiku-4-5", "max_tokens": 64, "context_management": {"edits": [
             {"type": "compact_20260112", "trigger": {"type": "input_tokens", "value": 50_000}}]}, "messages": [HI]},
         per_model="capability(model, 'context_management.compact_20260112')"),
    Rule("context.window", "the prompt fits the model's context window", _too_long, "refused",
         f"{DOCS}/build-with-claude/context-windows; the window per model in helpers/api/models.py; the count is the "
         "kit's estimate (helpers/api/bill.py), not the API's tokenizer", "api",
         "Trim the history (notebook 04) or use a model with a larger window.",
         {"model": "claude-haiku-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "word " * 210_000}]},
         wording="reported"),
)
