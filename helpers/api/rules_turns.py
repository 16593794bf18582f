"""The rulebook's rules about a request's shape, its turns and prefill (each entry says its source and the kit's stance)."""

from __future__ import annotations

from typing import Any

from ..api_facts import (
    CONSECUTIVE_TURNS,
    DOCS,
    MIN_MAX_TOKENS,
    PREFILL_ERROR,
    SDK,
    SYSTEM_ROLE_ERROR,
    capabilities,
)
from .content import blocks_of, messages_of, role, thinking_on
from .rulebook import Request, Rule

HI = {"role": "user", "content": "Hi"}
BASE = {"model": "claude-haiku-4-5", "max_tokens": 64}
MESSAGES_DOC = f"{SDK}: resources/messages/messages.py (the `messages` docstring)"
PREFILL_DOC = f"{DOCS}/build-with-claude/prompt-engineering/prefill-claudes-response"
MAX_MESSAGES = 100_000  # MESSAGES_DOC: 'There is a limit of 100,000 messages in a single request.'


def _body(request: Request) -> dict[str, Any]:
    """The body as a dict (the shape rules have already refused anything else)."""
    return dict(request.body)


def _required(request: Request) -> str | None:
    """A required field that is missing."""
    if not isinstance(request.body, dict):
        return "The request body must be a JSON object."
    missing = [f for f in ("model", "messages", "max_tokens") if f not in request.body]
    return f"{missing[0]}: Field required" if missing else None


def _max_tokens(request: Request) -> str | None:
    """max_tokens that is not a whole number of 0 or more."""
    value = _body(request).get("max_tokens")
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= MIN_MAX_TOKENS.value
    return None if ok else "max_tokens: Input should be greater than or equal to 0"


def _kit_max_tokens(request: Request) -> str | None:
    """max_tokens of 0: the API accepts it (it only writes the prompt cache); the kit asks for a reply."""
    return "max_tokens must be a whole number of at least 1 here, not 0." if _body(request).get("max_tokens") == 0 else None


def _messages_list(request: Request) -> str | None:
    """messages that is not a list of one message or more, or holds more than the limit."""
    messages = _body(request).get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    if len(messages) > MAX_MESSAGES:
        return f"messages: a request may hold at most {MAX_MESSAGES:,} messages, found {len(messages):,}"
    return None


def _message_shape(request: Request) -> str | None:
    """A message that is not {role, content} with a role the API knows and content as text or blocks with a type."""
    for i, message in enumerate(messages_of(request.body)):
        if not isinstance(message, dict) or "role" not in message or "content" not in message:
            return f"messages.{i}: each message needs a role and content, like {{'role': 'user', 'content': 'Hi'}}"
        extra = sorted(set(message) - {"role", "content"})
        if extra:
            return f"messages.{i}.{extra[0]}: Extra inputs are not permitted"
        if message["role"] not in ("user", "assistant", "system"):
            return f"messages.{i}.role: Input should be 'user', 'assistant' or 'system'"
        content = message["content"]
        if not isinstance(content, str) and not (isinstance(content, list) and all(
                isinstance(b, dict) and isinstance(b.get("type"), str) for b in content)):
            return f"messages.{i}.content: Input should be a valid string or a list of content blocks with a type"
    return None


def _empty(request: Request) -> str | None:
    """Empty content anywhere but an optional final assistant message."""
    messages = messages_of(request.body)
    for i, message in enumerate(messages):
        final_assistant = i == len(messages) - 1 and role(message) == "assistant"
        if message["content"] in ("", []) and not final_assistant:
            return f"messages.{i}: all messages must have non-empty content except for the optional final assistant message"
    return None


def _blank_text(request: Request) -> str | None:
    """A text block whose text is empty or only whitespace."""
    for i, message in enumerate(messages_of(request.body)):
        content = message["content"]
        texts = [content] if isinstance(content, str) and content else \
            [b.get("text") for b in blocks_of(content) if b.get("type") == "text"] if isinstance(content, list) else []
        if any(not (isinstance(t, str) and t.strip()) for t in texts):
            return f"messages.{i}: text content blocks must contain non-whitespace text"
    return None


def _first_user(request: Request) -> str | None:
    """A history whose first turn is not the user's."""
    messages = messages_of(request.body)
    return "The history starts with an assistant turn." if messages and role(messages[0]) == "assistant" else None


def _two_roles(request: Request) -> str | None:
    """A role 'system' message in the history."""
    found = [i for i, m in enumerate(messages_of(request.body)) if role(m) == "system"]
    return f"Message {found[0]} has role 'system'." if found else None


def _consecutive(request: Request) -> str | None:
    """Two user (or two assistant) turns in a row."""
    messages = messages_of(request.body)
    for i in range(1, len(messages)):
        if role(messages[i]) == role(messages[i - 1]) and role(messages[i]) != "system":
            return f"Messages {i - 1} and {i} are both {role(messages[i])!r} turns."
    return None


def _system_model(request: Request) -> str | None:
    """A role 'system' message on a model the facts say rejects them."""
    if capabilities(str(_body(request).get("model"))).system_messages is not False:
        return None
    found = [i for i, m in enumerate(messages_of(request.body)) if role(m) == "system"]
    return f"messages.{found[0]}: {SYSTEM_ROLE_ERROR.value}" if found else None


def _system_place(request: Request) -> str | None:
    """A role 'system' message that does not come right after a user turn."""
    messages = messages_of(request.body)
    for i, message in enumerate(messages):
        if role(message) == "system" and (i == 0 or role(messages[i - 1]) != "user"):
            return f"messages.{i}: a system message must come right after a user turn"
    return None


def _prefill(request: Request) -> str | None:
    """The final assistant message: its content (None when the request ends with a user turn)."""
    messages = messages_of(request.body)
    return messages[-1]["content"] if messages and role(messages[-1]) == "assistant" else None


def _prefill_model(request: Request) -> str | None:
    """Prefill on a model the facts say does not accept it."""
    model = str(_body(request).get("model"))
    return PREFILL_ERROR.value if _prefill(request) is not None and capabilities(model).prefill is False else None


def _prefill_space(request: Request) -> str | None:
    """Prefill whose text ends in whitespace."""
    text = "".join(str(b.get("text", "")) for b in blocks_of(_prefill(request)) if b.get("type") == "text")
    return "final assistant content cannot end with trailing whitespace" if text and text != text.rstrip() else None


def _prefill_thinking(request: Request) -> str | None:
    """Prefill while thinking is on."""
    on = _prefill(request) is not None and thinking_on(request.body)
    return "Prefilling the assistant response is not supported when thinking is enabled." if on else None


TURN_RULES = (
    Rule("shape.required", "model, messages and max_tokens are present", _required, "refused",
         f"{SDK}: resources/messages/messages.py (create: max_tokens, messages, model are required)", "refuse",
         "The kit always sends model, messages and max_tokens; a memory strategy must keep them.",
         {"messages": [HI], "max_tokens": 64}, wording="sdk"),
    Rule("shape.max_tokens", "max_tokens is a whole number, 0 or more", _max_tokens, "refused",
         f"{SDK}: resources/messages/messages.py (max_tokens: 'Set to 0 to populate the prompt cache')", "refuse",
         "max_tokens must be a whole number of tokens, e.g. max_tokens=300.", {**BASE, "max_tokens": -1, "messages": [HI]}),
    Rule("shape.messages", f"messages is a list of 1 to {MAX_MESSAGES:,} messages", _messages_list, "refused", MESSAGES_DOC,
         "refuse", "Send at least one user turn.", {**BASE, "messages": []}),
    Rule("shape.message", "each message is {role, content}; content is text or typed blocks", _message_shape, "refused",
         f"{SDK}: types/message_param.py (MessageParam: role and content required)", "refuse",
         "Each message must be a dict like {'role': 'user', 'content': 'Hi'}, with nothing else in it.", {**BASE, "messages": [{"role": "user"}]},
         scope="history"),
    Rule("kit.max_tokens", "max_tokens is at least 1", _kit_max_tokens, "undocumented",
         f"{SDK}: resources/messages/messages.py (max_tokens: 'Set to 0 to populate the prompt cache without generating')",
         "refuse", "The kit asks for a reply every turn (its own rule; the API also accepts 0, which only writes the "
         "prompt cache).", {**BASE, "max_tokens": 0, "messages": [HI]},
         kit_rule=True),
    Rule("content.empty", "no empty content except an optional final assistant message", _empty, "refused", MESSAGES_DOC,
         "refuse", "A message cannot be empty or only whitespace: type what you want to ask, or remove the empty turn.",
         {**BASE, "messages": [{"role": "user", "content": ""}]}, wording="reported", scope="history"),
    Rule("content.blank_text", "text blocks hold text that is not only whitespace", _blank_text, "refused",
         f"{DOCS}/build-with-claude/working-with-messages", "refuse",
         "A message cannot be empty or only whitespace: type what you want to ask, or remove the blank text block.",
         {**BASE, "messages": [{"role": "user", "content": [{"type": "text", "text": " "}]}]}, wording="reported",
         scope="history"),
    Rule("kit.first_user", "the history starts with a user turn", _first_user, "undocumented", MESSAGES_DOC, "refuse",
         "The kit's history must start with a user turn (its own rule; the SDK's docs show histories that start with "
         "one and do not say what the API does otherwise): add the user turn that came first.",
         {**BASE, "messages": [{"role": "assistant", "content": "Hello!"}, HI]}, scope="history", kit_rule=True),
    Rule("kit.two_roles", "the history holds only user and assistant turns", _two_roles, "undocumented",
         f"{DOCS}/about-claude/models/whats-new-claude-4-8 (mid-conversation system messages)", "refuse",
         "The kit's history holds 'user' and 'assistant' turns (its own rule: some models also accept 'system' "
         "messages, see helpers.api_facts.capabilities): put instructions in the system prompt, Conversation(system=...).",
         {"model": "claude-opus-4-8", "max_tokens": 64, "messages": [HI, {"role": "system", "content": "Be brief."},
                                                                      {"role": "user", "content": "Go on"}]},
         scope="history", kit_rule=True),
    Rule("kit.alternating", "user and assistant turns alternate", _consecutive, "combined",
         f"{CONSECUTIVE_TURNS.source}", "refuse",
         "The kit keeps turns alternating (its own rule; the API would combine them into one turn): merge the two "
         "or add the missing turn.", {**BASE, "messages": [HI, {"role": "user", "content": "Are you there?"}]},
         scope="history", kit_rule=True),
    Rule("system.model", "role 'system' messages only on models that accept them", _system_model, "refused",
         SYSTEM_ROLE_ERROR.source, "refuse", "Put instructions in the system prompt instead.",
         {**BASE, "messages": [HI, {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Go on"}]},
         wording="guess", shown_by="kit.two_roles", per_model="capabilities(model).system_messages"),
    Rule("system.placement", "a role 'system' message comes right after a user turn", _system_place, "refused",
         f"{DOCS}/about-claude/models/whats-new-claude-4-8 (placement rules)", "refuse",
         "Move the system message right after a user turn.",
         {"model": "claude-opus-4-8", "max_tokens": 64, "messages": [{"role": "system", "content": "Be brief."}, HI]},
         shown_by="kit.two_roles", per_model="models that accept system messages"),
    Rule("prefill.model", "prefill (a final assistant turn) only on models that accept it", _prefill_model, "refused",
         PREFILL_ERROR.source, "refuse", "This model does not accept prefill: leave out prefill=..., or use a model "
         "that supports it (helpers.api_facts.capabilities).",
         {"model": "claude-sonnet-4-6", "max_tokens": 64, "messages": [HI, {"role": "assistant", "content": "{"}]},
         wording="documented", per_model="capabilities(model).prefill"),
    Rule("prefill.whitespace", "prefill does not end in whitespace", _prefill_space, "refused", PREFILL_DOC, "refuse",
         "Remove the space or newline at the end of prefill=...: the reply continues right after your text.",
         {**BASE, "messages": [HI, {"role": "assistant", "content": "Here is the list: "}]}, wording="reported"),
    Rule("prefill.thinking", "no prefill while thinking is on", _prefill_thinking, "refused",
         f"{DOCS}/build-with-claude/extended-thinking (feature compatibility: responses cannot be prefilled)", "refuse",
         "Turn thinking off for this turn, or leave out prefill=... .",
         {**BASE, "max_tokens": 2048, "thinking": {"type": "enabled", "budget_tokens": 1024},
          "messages": [HI, {"role": "assistant", "content": "{"}]}),
)
