"""The rulebook: each documented request rule once, and the two readers of it (the kit's pre-send check, the stand-in).

One entry is one rule: what it checks, what the API does (refuses with a 400, combines, or leaves undocumented),
the API's error text and how sure that wording is, its source and the date checked, and the kit's stance (refuse
before sending, with advice, or let the API answer). `check_request` (the core, before a request leaves) and
`api_answer` (the stand-in, as the API would answer) both walk `rules()`; no rule is written anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..api_facts import CHECKED
from .content import blocks_of

Outcome = Literal["refused", "combined", "undocumented"]  # what the API does with a request that breaks the rule
Stance = Literal["refuse", "api"]  # the kit refuses before sending, or lets the API answer
Scope = Literal["history", "request"]  # a history on its own, or a whole request body
Wording = Literal["documented", "reported", "sdk", "guess"]  # where the error text comes from


class UnsendableHistoryError(ValueError):
    """A request the API would refuse (or the kit's own rule refuses); nothing was sent and the history is unchanged."""


@dataclass(frozen=True)
class Request:
    """What a rule reads: the body, whether a thinking block is as it came back, and the request's beta names."""

    body: Mapping[str, Any]
    unmodified: Callable[[Mapping[str, Any]], bool] = lambda block: True
    betas: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One request rule: its check, what the API answers, its source, and the kit's stance."""

    name: str
    checks: str
    find: Callable[[Request], str | None]  # the API's error text (or where the kit's rule is broken), None if kept
    api: Outcome
    source: str
    stance: Stance
    advice: str
    bad: dict[str, Any]
    wording: Wording = "guess"
    scope: Scope = "request"
    kit_rule: bool = False  # a rule of the kit's own: the API itself accepts, combines, or does not say
    shown_by: str = ""  # the rule whose refusal the kit shows for `bad` (an earlier kit rule), if not this one
    per_model: str = ""
    checked: str = CHECKED
    extra: Mapping[str, Any] = field(default_factory=dict)  # what the API's error object carries besides type and message

    def refusal(self, found: str) -> str:
        """The kit's message for this rule broken at `found`: what to do, and what the API itself does."""
        if self.kit_rule:
            return f"{found} {self.advice}"
        return f"{self.advice} (The API answers 400: {found!r}. Nothing was sent.)"


def rules() -> tuple[Rule, ...]:
    """Every rule, in the order they are checked (shape first, so later rules can trust the shape)."""
    from .rules_blocks import BLOCK_RULES
    from .rules_context import CONTEXT_RULES
    from .rules_media import MEDIA_RULES
    from .rules_models import MODEL_RULES
    from .rules_structured import STRUCTURED_RULES
    from .rules_turns import TURN_RULES

    return (*TURN_RULES, *BLOCK_RULES, *MEDIA_RULES, *MODEL_RULES, *CONTEXT_RULES, *STRUCTURED_RULES)


def broken(request: Request, scope: Scope = "request") -> Iterator[tuple[Rule, str]]:
    """Each rule this request breaks, with what it found (history scope: only the rules a history alone can break)."""
    for rule in rules():
        if scope == "history" and rule.scope != "history":
            continue
        found = rule.find(request)
        if found is not None:
            yield rule, found
            if rule.name.startswith("shape."):
                return  # a shape rule broken: the later rules assume the shape


def check_request(body: Mapping[str, Any], unmodified: Callable[[Mapping[str, Any]], bool] = lambda block: True,
                  scope: Scope = "request") -> None:
    """The kit's pre-send check: raise UnsendableHistoryError for the first rule the kit refuses; nothing is sent."""
    for rule, found in broken(Request(body, unmodified), scope):
        if rule.stance == "refuse":
            raise UnsendableHistoryError(rule.refusal(found))


def api_answer(body: Mapping[str, Any], unmodified: Callable[[Mapping[str, Any]], bool],
               betas: tuple[str, ...] = ()) -> tuple[Rule, str] | None:
    """The stand-in's reading: the first rule the API refuses this body by, with its error text, or None."""
    return next(((rule, found) for rule, found in broken(Request(body, unmodified, betas)) if rule.api == "refused"), None)


def by_name(name: str) -> Rule:
    """One rule by its name, or a KeyError listing the names."""
    table = {rule.name: rule for rule in rules()}
    if name not in table:
        raise KeyError(f"No rule {name!r}; the rulebook has: {', '.join(table)}")
    return table[name]


def combined(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive user (or assistant) turns merged into one turn, as the API does (the rule kit.alternating's source)."""
    merged: list[dict[str, Any]] = []
    for message in messages:
        if merged and merged[-1]["role"] == message["role"] and message["role"] != "system":
            merged[-1] = {"role": message["role"], "content": blocks_of(merged[-1]["content"]) + blocks_of(message["content"])}
        else:
            merged.append(dict(message))
    return merged
