"""The one home of the API facts the kit relies on: each with its source and the date it was checked.

Values the installed SDK states are read from it (never retyped); values only Anthropic's docs state
are written here once, with the page. A value neither settles is `None` and shown as "unverified".
Rules that are the kit's own choice are in `KIT_RULES`, each saying what the API itself does.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from importlib.metadata import metadata
from types import MappingProxyType
from typing import Generic, TypeVar

import anthropic
from anthropic import _constants
from anthropic._data import DEPRECATED_MODELS as _SDK_DEPRECATED
from anthropic.types import (
    RefusalStopDetails,
    StopReason,
    ThinkingConfigAdaptiveParam,
    ToolChoiceAnyParam,
    ToolChoiceAutoParam,
    ToolChoiceNoneParam,
    ToolChoiceToolParam,
)
from anthropic.types.anthropic_beta_param import AnthropicBetaParam
from anthropic.types.model import Model

T = TypeVar("T")
CHECKED = "2026-11-26"  # the day every fact below was checked against the sources named
SDK = f"anthropic {anthropic.__version__}"
DOCS = "https://platform.claude.com/docs/en"
UNVERIFIED = "unverified"


@dataclass(frozen=True)
class Fact(Generic[T]):
    """One fact the kit relies on: its value, where it comes from, and when that was checked."""

    value: T
    source: str
    checked: str = CHECKED


def _literals(alias: object) -> tuple[str, ...]:
    """The string literals of an SDK type alias (nested unions and Literals flattened)."""
    found: list[str] = []
    for arg in typing.get_args(alias):
        found.extend([arg] if isinstance(arg, str) else _literals(arg))
    return tuple(dict.fromkeys(found))


# --- read from the installed SDK -------------------------------------------------------------------
STOP_REASONS = Fact(_literals(StopReason), f"{SDK}: types/stop_reason.py (StopReason)")
REFUSAL_CATEGORIES = Fact(_literals(RefusalStopDetails.model_fields["category"].annotation),
                          f"{SDK}: types/refusal_stop_details.py (category: cyber, bio, frontier_llm, reasoning_extraction, "
                          "general_harms; null when the refusal maps to no named category)")
REFUSAL_RESET = Fact("After stop_reason 'refusal', reset the conversation context (drop or rewrite the refused turn) before "
                     "continuing.", f"{DOCS}/test-and-evaluate/strengthen-guardrails/handle-streaming-refusals "
                                    "(reset context after refusal)", "2026-12-01")
MODEL_IDS = Fact(_literals(Model), f"{SDK}: types/model.py (Model)")
BETA_NAMES = Fact(_literals(AnthropicBetaParam), f"{SDK}: types/anthropic_beta_param.py")
DEPRECATED_MODELS = Fact(MappingProxyType(dict(_SDK_DEPRECATED)), f"{SDK}: _data/deprecated_models.py")
MAX_RETRIES = Fact(_constants.DEFAULT_MAX_RETRIES, f"{SDK}: _constants.py (DEFAULT_MAX_RETRIES)")
RETRY_DELAY_SECONDS = Fact((_constants.INITIAL_RETRY_DELAY, _constants.MAX_RETRY_DELAY),
                           f"{SDK}: _constants.py (INITIAL_RETRY_DELAY, MAX_RETRY_DELAY); 0.5 * 2**n, capped, with jitter")
SDK_READ_TIMEOUT_SECONDS = Fact(float(_constants.DEFAULT_TIMEOUT.read or 600), f"{SDK}: _constants.py (DEFAULT_TIMEOUT)")
MIN_MAX_TOKENS = Fact(0, f"{SDK}: resources/messages/messages.py, max_tokens: 'Set to 0 to populate the prompt cache'")
CONSECUTIVE_TURNS = Fact("combined", f"{SDK}: resources/messages/messages.py, messages: 'Consecutive user or assistant "
                         "turns in your request will be combined into a single turn'")
PYTHON_REQUIRED = Fact(metadata("httpx2")["Requires-Python"] or UNVERIFIED, "httpx2 package metadata (Requires-Python)")

# --- from Anthropic's documentation ----------------------------------------------------------------
CACHING_DOCS = f"{DOCS}/build-with-claude/prompt-caching"
CACHE_MINIMUM_TOKENS = Fact(MappingProxyType({
    "claude-haiku-4-5": 4096, "claude-haiku-4-5-20251001": 4096,
    "claude-opus-4-5": 4096, "claude-opus-4-5-20251101": 4096, "claude-opus-4-6": 4096,
    "claude-sonnet-4-5": 1024, "claude-sonnet-4-5-20250929": 1024, "claude-sonnet-4-6": 1024,
    "claude-opus-4-1": 1024, "claude-opus-4-0": 1024, "claude-3-5-haiku-20241022": 2048, "claude-3-haiku-20240307": 2048,
}), f"{CACHING_DOCS} (minimum cacheable prompt length; quoted in anthropics/anthropic-sdk-python issue 1194)")
CACHE_WRITE_MULTIPLIER = Fact(MappingProxyType({"5m": 1.25, "1h": 2.0}), f"{CACHING_DOCS} (pricing)")
CACHE_READ_MULTIPLIER = Fact(0.10, f"{CACHING_DOCS} (pricing)")
CACHE_TTL_SECONDS = Fact(MappingProxyType({"5m": 300, "1h": 3600}), f"{CACHING_DOCS} (cache lifetime, refreshed on each use)")
MAX_CACHE_BREAKPOINTS = Fact(4, f"{CACHING_DOCS} (up to 4 cache breakpoints)")
CACHE_LOOKBACK_BLOCKS = Fact(20, f"{CACHING_DOCS} (hits are checked at block boundaries up to about 20 blocks before a breakpoint)")
FALLBACK_CONTEXT_WINDOW = Fact(200_000, f"{DOCS}/build-with-claude/context-windows (200K for the Claude 4.5 models)")
CONTEXT_EXCEEDED = Fact("model_context_window_exceeded",
                        f"{SDK}: types/message.py, stop_reason: 'we exceeded the model's context window'")
PREFILL_ERROR = Fact("This model does not support assistant message prefill. The conversation must end with a user message.",
                     f"{DOCS}/api/errors#prefill-not-supported (linked from the SDK's messages docstring); text as the API returns it")
SYSTEM_ROLE_ERROR = Fact("role 'system' is not supported on this model",
                         f"{UNVERIFIED}: text reported by third-party gateways; the docs say only that older models reject it")
TOOL_RESULT_RULE = Fact("Each tool_use must be answered by a tool_result with its id in the very next user turn, "
                        "tool_result blocks first; a reply that asks for several tools gets all their results together "
                        "in that one user message.",
                        f"{DOCS}/agents-and-tools/tool-use/implement-tool-use (handling tool use and tool result blocks); "
                        f"{DOCS}/agents-and-tools/tool-use/parallel-tool-use ('return one tool_result for each tool_use "
                        "block, all together in the next user message')", "2026-12-02")
THINKING_RULE = Fact("When thinking is on and Claude uses a tool, its thinking blocks must go back unmodified, with their "
                     "signatures, in the assistant turn that asked for the tool.",
                     f"{DOCS}/build-with-claude/extended-thinking (preserving thinking blocks; extended thinking with tool use)")
THINKING_BLOCK_ERROR = Fact("Expected `thinking` or `redacted_thinking`, but found `tool_use`. When `thinking` is enabled, a final "
                            "`assistant` message must start with a thinking block.",
                            f"{DOCS}/build-with-claude/extended-thinking (the error quoted for a dropped thinking block)")
IMAGE_TOKENS_DIVISOR = Fact(750, f"{DOCS}/build-with-claude/vision (calculate image costs: tokens = (width px * height px)/750)")
IMAGE_MAX_EDGE = Fact(1568, f"{DOCS}/build-with-claude/vision (images with a long edge over 1568 px are scaled down first)")
THINKING_BILLED = Fact("Thinking is billed as output tokens: the full thinking, even where the reply shows a summary.",
                       f"{DOCS}/build-with-claude/extended-thinking (summarized thinking; pricing)")
THREADS_BETA = Fact("message-threads-2026-08-12", f"{SDK}: lib/threads (the header every thread turn sends)")
COMPACTION_BETA = Fact("compact-2026-09-04", f"{SDK}: the tool runner's docstring for top-level compaction")
CONTEXT_EDITING_BETA = Fact("context-management-2025-06-27", f"{DOCS}/build-with-claude/context-editing (the beta header)",
                            "2026-12-02")
COMPACT_EDIT_BETA = Fact("compact-2026-01-12", f"{SDK}: types/anthropic_beta_param.py (the beta of compact_20260112)", "2026-12-02")
_EDITING = "https://docs.claude.com/en/docs/build-with-claude/context-editing"
CLEAR_TOOL_USES_TRIGGER = Fact(100_000, f"{_EDITING} (configuration options: trigger, default '100,000 input tokens')",
                               "2026-12-02")
CLEAR_TOOL_USES_KEEP = Fact(3, "the docs' default for keep as third-party SDKs quote it (adk-rust ContextEdit: 'defaults to 3'; "
                            "LangChain ClearToolUsesEdit keep=3); the docs' own table row was not read: unverified there", "2026-12-02")
CLEAR_THINKING_KEEP = Fact(1, f"{_EDITING} ('Default behavior': with thinking on and no clear_thinking_20251015 edit the API "
                           "keeps only the last assistant turn's thinking, as keep: {type: 'thinking_turns', value: 1})",
                           "2026-12-02")
COMPACT_TRIGGER = Fact(150_000, f"{SDK}: types/beta/beta_compact_20260112_edit_param.py (trigger: 'Defaults to 150000 input "
                       "tokens')", "2026-12-02")
COMPACTION_MIN_TRIGGER = Fact(50_000, f"{DOCS}/build-with-claude/compaction (the parameters table, compact_20260112 trigger: 'value must be at "
                              "least 50,000 tokens', read in a copy of the page fetched 2026-09-20; the SDK types it as a bare int)",
                              "2026-12-02")


@dataclass(frozen=True)
class Capabilities:
    """What one model accepts beyond the Models API data (helpers/api/models.py): prefill and system turns (None: unverified)."""

    prefill: bool | None
    system_messages: bool | None  # role "system" messages inside `messages`
    source: str


_MIGRATION = f"{DOCS}/about-claude/models/migration-guide ('Prefilling assistant messages returns a 400 error on Claude 4.6 models')"
_OPUS_48 = f"{DOCS}/about-claude/models/whats-new-claude-4-8 (mid-conversation system messages, Opus 4.8 on)"
CAPABILITIES = Fact(MappingProxyType({
    "claude-haiku-4-5": Capabilities(True, False, f"{_MIGRATION}; {_OPUS_48}"),
    "claude-sonnet-4-5": Capabilities(True, False, f"{_MIGRATION}; {_OPUS_48}"),
    "claude-opus-4-5": Capabilities(True, False, f"{_MIGRATION}; {_OPUS_48}"),
    "claude-sonnet-4-6": Capabilities(False, False, f"{_MIGRATION}; {_OPUS_48}"),
    "claude-opus-4-6": Capabilities(False, False, f"{_MIGRATION}; {_OPUS_48}"),
    "claude-opus-4-7": Capabilities(None, False, f"{_OPUS_48}; prefill {UNVERIFIED}"),
    "claude-opus-4-8": Capabilities(None, True, f"{_OPUS_48}; prefill {UNVERIFIED}"),
}), "per model, see each entry's source")

STOP_ADVICE = Fact(MappingProxyType({
    "end_turn": "Claude finished: read the reply, send your next turn.",
    "max_tokens": "The reply hit max_tokens and is cut: raise max_tokens, or ask Claude to continue.",
    "stop_sequence": "One of your stop_sequences appeared (named in reply.stop_sequence); the text before it is the reply.",
    "tool_use": "Claude asks for a tool: run it and answer every tool_use with a tool_result in your next turn.",
    "pause_turn": "A long server-tool turn was paused: pass the paused reply back as it is, unmodified, in your next request, "
                  "and Claude continues.",
    "refusal": "Claude declined (stop_details.category says why: one of REFUSAL_CATEGORIES, or none). The docs say to "
               "reset the context before going on: the kit does not keep the refused exchange; rephrase your turn, or "
               "go back to an earlier point (undo, or a fork).",
    "model_context_window_exceeded": "The context window is full: the reply is cut; trim the history (notebook 04).",
}), f"{DOCS}/build-with-claude/handling-stop-reasons; {SDK}: types/message.py (stop_reason docstring)")

# --- the kit's own rules: each says what the API itself does ------------------------------------------
KIT_RULES = MappingProxyType({
    "alternating turns": "The kit refuses two user or two assistant turns in a row, to keep the history easy to read. "
                         "The API itself combines consecutive same-role turns into one turn.",
    "two roles in a history": "The kit's history holds only 'user' and 'assistant' messages. The API also accepts "
                              "role 'system' messages on models that support them (see capabilities()).",
    "max_tokens at least 1": "The kit asks for at least 1 output token, because every turn should get a reply. "
                             "The API accepts max_tokens=0, which only writes the prompt cache.",
    "cut_off": "'cut_off' is the kit's own marker for a reply you stopped mid-stream; the API never sends it "
               "(its stop reasons are in STOP_REASONS).",
})


def cache_minimum(model: str) -> int | None:
    """The model's minimum cacheable prefix in tokens, or None where the docs give none (unverified)."""
    return CACHE_MINIMUM_TOKENS.value.get(model)


def capabilities(model: str) -> Capabilities:
    """What a model accepts; every field None (unverified) for a model the facts do not cover."""
    return CAPABILITIES.value.get(model, Capabilities(None, None, UNVERIFIED))


def cache_write_multiplier(ttl: str = "5m") -> float:
    """The price of a cache write relative to plain input, for a TTL of '5m' or '1h'."""
    return float(CACHE_WRITE_MULTIPLIER.value[ttl])


def longest_wait_seconds(timeout: float, retries: int = MAX_RETRIES.value) -> float:
    """How long a call can wait in the worst case: every attempt times out, plus the longest backoffs."""
    first, cap = RETRY_DELAY_SECONDS.value
    return (retries + 1) * timeout + sum(min(first * 2.0**n, cap) for n in range(retries))


def shown(value: object) -> str:
    """A fact's value for a notebook: 'unverified' where the sources do not settle it."""
    return UNVERIFIED if value is None else str(value)


def all_facts() -> dict[str, Fact[object]]:
    """Every Fact in this module by name, for tables and tests."""
    return {name: value for name, value in globals().items() if isinstance(value, Fact)}


# --- the token bill (helpers/api/bill.py) and the Models API data (helpers/api/models.py); checked 2026-12-01 ---------
BILL_CHECKED = "2026-12-01"
_VISION = f"{DOCS}/build-with-claude/vision"
_TOOL_PRICING = f"{DOCS}/docs/tool-use-pricing-and-tokens (copies at docs.anthropic.com/<lang>/docs/tool-use-pricing-and-tokens)"
_CONTEXT = f"{DOCS}/build-with-claude/context-windows (the context window with extended thinking, and with thinking and tool use)"
_THREADS = f"{DOCS}/build-with-claude/message-threads"
CHARS_PER_TOKEN = Fact(4.0, "the kit's rule of thumb for English text (about 4 characters a token): an estimate, not the API's "
                            "tokenizer; count_tokens on the live API is the real measure", BILL_CHECKED)
MESSAGE_OVERHEAD_TOKENS = Fact(4, "the kit's guess for each message's role and framing tokens (no documented figure)", BILL_CHECKED)
IMAGE_MAX_TOKENS = Fact(1600, f"{_VISION} (an image whose long edge is over 1568 px, or which would be over about 1,600 "
                              "tokens, about 1.15 megapixels, is scaled down first keeping its aspect ratio): the kit scales to "
                              "at most 1,600 tokens (1.2 megapixels), the token figure, since the two figures differ slightly",
                        BILL_CHECKED)
IMAGE_UNKNOWN_SIZE_TOKENS = Fact(1600, f"the kit's upper bound for an image whose size cannot be read offline (a URL or Files "
                                       f"API image, an unreadable header): the resize cap of {_VISION}", BILL_CHECKED)
PDF_TOKENS_PER_PAGE = Fact(3000, f"the kit's estimate per PDF page: {DOCS}/build-with-claude/pdf-support bills each page as its "
                                 "text plus an image of it; no per-page figure was found in the docs checked, so the kit takes an "
                                 "image at the resize cap (about 1,600) plus a dense page of text, rounded up", BILL_CHECKED)
TOOL_SYSTEM_PROMPT_TOKENS = Fact(MappingProxyType({"auto": 530, "none": 530, "any": 340, "tool": 340}),
                                 f"{_TOOL_PRICING}: the table gives Claude 3 models only (auto 159 to 530, any/tool 235 to 340); "
                                 "for the newer models the kit uses the largest figure per tool_choice as an upper bound, and "
                                 "bills 'none' like 'auto' (no figure given for it)", BILL_CHECKED)
EARLIER_THINKING_COUNTED = Fact(False, f"{_CONTEXT}: thinking blocks from previous turns are stripped from the context window "
                                       "calculation; inside a tool loop the thinking of the assistant turn being answered counts "
                                       "as input", BILL_CHECKED)
KEEPS_EARLIER_THINKING: Fact[MappingProxyType[str, bool]] = Fact(MappingProxyType({}), f"{DOCS}/build-with-claude/preserved-thinking (from Claude Fable 5.1 on): no "
                                                    "page found saying claude-haiku-4-5, claude-sonnet-4-6, claude-opus-4-7 or "
                                                    "claude-opus-4-8 keep earlier thinking, so the general rule applies to them",
                              BILL_CHECKED)
THREAD_BILLING = Fact("A continued thread turn is billed for the conversation the API rebuilds (the stored system, tools and "
                      "messages plus the new ones), as if it had been sent in full; prompt caching applies as usual.",
                      f"{_THREADS} ('The API rebuilds the conversation before calling the model'); the billing sentence is the "
                      "kit's reading of that page", BILL_CHECKED)
THREAD_EXPIRY_SECONDS = Fact(300, f"{_THREADS} (a thread expires 5 minutes after its last request, the timer restarting with "
                                  "each stored response; continuing an expired thread returns 404)", BILL_CHECKED)
THREAD_DELETED_WITHIN_SECONDS = Fact(3600, f"{_THREADS} (a thread's contents are deleted within 1 hour of its last use)",
                                     BILL_CHECKED)
IMAGE_MIN_EDGE = Fact(200, f"{DOCS}/build-with-claude/vision ('Very small images under 200 pixels on any given edge may "
                           "degrade performance')", "2026-12-01")
THREAD_EXPIRED_STATUS = Fact(404, f"{DOCS}/build-with-claude/message-threads (continuing a thread the API can no longer "
                                  "continue returns 404: send the whole conversation again with a new create)", "2026-12-01")
SERVER_TOOL_PAUSE = Fact("pause_turn", f"{DOCS}/agents-and-tools/tool-use/server-tools (with server tools such as web search "
                                       "the API may pause a long-running turn with stop_reason pause_turn)", "2026-12-01")

# --- structured outputs (JSON outputs and strict tool use); checked 2026-12-02 ----------------------------------------
STRUCTURED_CHECKED = "2026-12-02"
_STRUCTURED = f"{DOCS}/build-with-claude/structured-outputs"
STRUCTURED_MAY_NOT_MATCH = Fact(("refusal", "max_tokens"),
                                f"{_STRUCTURED} (invalid outputs: after stop_reason 'refusal' or 'max_tokens' the output "
                                "may not match the schema; retry a cut reply with a higher max_tokens)", STRUCTURED_CHECKED)
STRUCTURED_GRAMMAR_SCOPE = Fact("Grammars apply only to Claude's direct output, not to tool use calls, tool results or "
                                "thinking: Claude thinks freely and the final text follows the schema.",
                                f"{_STRUCTURED} (feature compatibility, grammar scope)", STRUCTURED_CHECKED)
STRUCTURED_FORMAT_PROMPT = Fact("With structured outputs Claude receives an additional system prompt explaining the "
                                "expected output format: input tokens are slightly higher, and changing "
                                "output_config.format invalidates the prompt cache for that conversation.",
                                f"{_STRUCTURED} (prompt modification and token costs; no size given)", STRUCTURED_CHECKED)
STRUCTURED_LIMITS = Fact(MappingProxyType({"strict_tools": 20, "optional_parameters": 24, "union_parameters": 16}),
                         f"{_STRUCTURED} (schema complexity limits, combined over every strict schema in one request: "
                         "tools with strict true; parameters not in required; parameters with anyOf or a type array)",
                         STRUCTURED_CHECKED)

# --- tool_choice, parallel tool use, thinking display (checked 2026-12-02) --------------------------
_CHOICE_TYPES = {"auto": ToolChoiceAutoParam, "any": ToolChoiceAnyParam, "tool": ToolChoiceToolParam, "none": ToolChoiceNoneParam}
TOOL_CHOICES = Fact(MappingProxyType({kind: str(cls.__doc__).strip() for kind, cls in _CHOICE_TYPES.items()}),
                    f"{SDK}: types/tool_choice_*_param.py (each class's docstring); {DOCS}/agents-and-tools/tool-use/"
                    "implement-tool-use (forcing tool use)", "2026-12-02")
TOOL_USE_COUNTS = Fact(MappingProxyType({  # (tool_choice type, disable_parallel_tool_use): (fewest, most) tool_use blocks
    ("auto", False): (0, None), ("auto", True): (0, 1), ("any", False): (1, None), ("any", True): (1, 1),
    ("tool", False): (1, None), ("tool", True): (1, 1), ("none", False): (0, 0)}),
    f"{SDK}: types/tool_choice_auto_param.py (disable_parallel_tool_use: 'at most one tool use'), tool_choice_any_param.py "
    "and tool_choice_tool_param.py ('exactly one tool use'), tool_choice_none_param.py ('not allowed to use tools'); "
    f"{DOCS}/agents-and-tools/tool-use/parallel-tool-use ('By default, Claude may call multiple tools in a single "
    "response')", "2026-12-02")
THINKING_DISPLAYS = Fact(MappingProxyType(dict(zip(
    _literals(typing.get_type_hints(ThinkingConfigAdaptiveParam)["display"]),
    ("the thinking text comes back as usual (a summary of the full thinking)",
     "the thinking text comes back empty; the signature still comes, for the next turns"), strict=True))),
    f"{SDK}: types/thinking_config_adaptive_param.py and thinking_config_enabled_param.py (display: 'When set to "
    "`summarized`, thinking is returned normally. When set to `omitted`, thinking content is redacted but a signature is "
    f"returned'); {DOCS}/build-with-claude/extended-thinking#controlling-thinking-display", "2026-12-02")
THINKING_DISPLAY_DEFAULT = Fact(MappingProxyType({
    "claude-haiku-4-5": "summarized", "claude-sonnet-4-6": "summarized", "claude-opus-4-7": "omitted",
    "claude-opus-4-8": "omitted"}),
    f"{SDK}: the display docstring ('The default depends on the model'); the per-model defaults as copies and reports of "
    f"{DOCS}/build-with-claude/extended-thinking#controlling-thinking-display give them (summarized on the Claude 4 "
    "models before Opus 4.7, omitted from Opus 4.7 on: docker/docker-agent pull requests 2451 and 3415, BerriAI/litellm "
    "issue 25965); the page itself was not read here", "2026-12-02")
