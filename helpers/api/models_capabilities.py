"""Each model's capabilities (every key ModelCapabilities declares), with the source of each value; checked 2026-12-02.

Where the docs checked do not settle a value, the source says so and the value is the kit's conservative choice:
false for an optional feature the kit does not teach (so nothing claims support the docs do not show), true for
the inputs every lesson uses (images, PDFs, citations, batches, server tools), labelled as assumed.
"""

from __future__ import annotations

from types import MappingProxyType

from ..api_facts import DOCS, Fact

CHECKED = "2026-12-02"
MODELS = ("claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-7", "claude-opus-4-8")
_EFFORT = f"{DOCS}/build-with-claude/effort (supportedModels: claude-opus-4-8, claude-opus-4-7, claude-sonnet-4-6, not claude-haiku-4-5; levels low, medium, high, max)"
_THINKING_MODELS = f"{DOCS}/about-claude/models/extended-thinking-models (claude-haiku-4-5-20251001; claude-sonnet-4-6 supports manual extended thinking and adaptive thinking)"
_ADAPTIVE_AWS = ("docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-adaptive-thinking (adaptive on Opus 4.7, Opus 4.6, Sonnet 4.6; "
                 "Opus 4.7 only adaptive: enabled and, in the newer copy, disabled return a 400)")
_OPUS5 = (f"{DOCS}/about-claude/models/whats-new-opus-5 ('On Claude Opus 4.8, requests run without thinking unless you set "
          "thinking: adaptive'); enabled on Opus 4.8 not settled: false, as on Opus 4.7 (conservative)")
_STRUCTURED = (f"{DOCS}/build-with-claude/structured-outputs (checked 2026-12-02: JSON outputs and strict tool use are GA on "
               "the Claude API for Mythos Preview, Opus 4.7, Opus 4.6, Sonnet 4.6, Sonnet 4.5, Opus 4.5 and Haiku 4.5); "
               "Opus 4.8 not listed in the copies checked: false (conservative)")
_COMPACTION = (f"{DOCS}/build-with-claude/compaction (supported models, checked 2026-12-02 in copies of the page: Opus 4.6 "
               "and Sonnet 4.6 in the oldest, then Opus 4.7, then Opus 4.8; claude-haiku-4-5 in none)")
_CONTEXT_EDITING = (f"{DOCS}/build-with-claude/context-editing (checked 2026-12-02: the page's supportedModels, in its "
                    "zh-CN copy, list claude-haiku-4-5-20251001, claude-sonnet-4-6, claude-opus-4-7 and claude-opus-4-8; "
                    "older copies on docs.claude.com list Claude Haiku 4.5 too; the two strategies are not listed apart)")
_ASSUMED = "not settled per model by the docs checked; assumed true (the kit's lessons use it on every model)"
_NOT_SETTLED = "not settled by the docs checked; false (conservative: the kit claims no support the docs do not show)"

_TRUE_ALL = dict.fromkeys(MODELS, True)
_FALSE_ALL = dict.fromkeys(MODELS, False)
_BY_KEY: MappingProxyType[str, tuple[dict[str, bool], str]] = MappingProxyType({
    "batch": (_TRUE_ALL, f"{_ASSUMED}: {DOCS}/build-with-claude/batch-processing"),
    "citations": (_TRUE_ALL, f"{_ASSUMED}: {DOCS}/build-with-claude/citations"),
    "code_execution": (_FALSE_ALL, f"programmatic tool calling: {_NOT_SETTLED}"),
    "context_management.supported": (_TRUE_ALL, f"{_CONTEXT_EDITING}; {_COMPACTION}"),
    "context_management.clear_thinking_20251015": (_TRUE_ALL, _CONTEXT_EDITING),
    "context_management.clear_tool_uses_20250919": (_TRUE_ALL, _CONTEXT_EDITING),
    "context_management.compact_20260112": ({**_TRUE_ALL, "claude-haiku-4-5": False}, _COMPACTION),
    "effort.supported": ({**_TRUE_ALL, "claude-haiku-4-5": False}, _EFFORT),
    "effort.low": ({**_TRUE_ALL, "claude-haiku-4-5": False}, _EFFORT),
    "effort.medium": ({**_TRUE_ALL, "claude-haiku-4-5": False}, _EFFORT),
    "effort.high": ({**_TRUE_ALL, "claude-haiku-4-5": False}, _EFFORT),
    "effort.max": ({**_TRUE_ALL, "claude-haiku-4-5": False}, _EFFORT),
    "effort.xhigh": (_FALSE_ALL, f"{DOCS}/build-with-claude/effort#effort-levels (xhigh marked for some models only; which "
                                 f"not read): {_NOT_SETTLED}"),
    "image_input": (_TRUE_ALL, f"{_ASSUMED}: {DOCS}/build-with-claude/vision"),
    "pdf_input": (_TRUE_ALL, f"{_ASSUMED}: {DOCS}/build-with-claude/pdf-support"),
    "server_tools.supported": (_TRUE_ALL, f"{_ASSUMED}: {DOCS}/agents-and-tools/tool-use/overview"),
    "server_tools.code_execution": (_TRUE_ALL, f"{_ASSUMED}: the code execution tool page"),
    "server_tools.web_search": (_TRUE_ALL, f"{_ASSUMED}: the web search tool page"),
    "structured_outputs": ({**_TRUE_ALL, "claude-opus-4-8": False}, _STRUCTURED),
    "thinking.supported": (_TRUE_ALL, f"{_THINKING_MODELS}; {_ADAPTIVE_AWS}; {_OPUS5}"),
    "thinking.types.adaptive": ({**_TRUE_ALL, "claude-haiku-4-5": False},
                                f"{_ADAPTIVE_AWS}; {_OPUS5}; claude-haiku-4-5 not in the adaptive lists: false"),
    "thinking.types.enabled": ({"claude-haiku-4-5": True, "claude-sonnet-4-6": True, "claude-opus-4-7": False,
                                "claude-opus-4-8": False}, f"{_THINKING_MODELS}; {_ADAPTIVE_AWS}; {_OPUS5}"),
    "thinking.types.disabled": ({**_TRUE_ALL, "claude-opus-4-7": False},
                                "SDK types/thinking_types.py ('True on a model that does not support thinking'); "
                                f"thinking is opt-in on Haiku 4.5 and Sonnet 4.6 ({_THINKING_MODELS}); {_ADAPTIVE_AWS}; {_OPUS5}"),
    "thinking.types.between_tools": (_FALSE_ALL, f"a newer thinking type ({DOCS}/models/opus-5-5/whats-new-opus-5-5, text "
                                                 f"between tool calls): {_NOT_SETTLED}"),
})

CAPABILITIES = Fact(MappingProxyType({model: MappingProxyType({key: values[model] for key, (values, _) in _BY_KEY.items()})
                                      for model in MODELS}), "per key, see SOURCES", CHECKED)
SOURCES = MappingProxyType({key: src for key, (_, src) in _BY_KEY.items()})  # one source per key, for every model
