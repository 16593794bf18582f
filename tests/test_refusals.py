"""After stop_reason "refusal" the docs say to reset the context: the kit never builds the next turn on a refused exchange."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from helpers import Conversation
from helpers.api_facts import REFUSAL_CATEGORIES, STOP_ADVICE
from helpers.standin import StandIn
from tests.kit import snapshot, stand_in_client


def refusing(body: dict[str, Any]) -> Any:
    """An authored refusal for a question about malware, a plain reply otherwise."""
    text = str(body["messages"][-1]["content"])
    if "malware" in text:
        return {"content": [{"type": "text", "text": "I can't help with that."}], "stop_reason": "refusal",
                "stop_details": {"type": "refusal", "category": "cyber", "explanation": None}}
    return f"Sure: {text}"


@pytest.fixture
def standin() -> Iterator[StandIn]:
    """A stand-in that refuses one kind of question."""
    server = StandIn(refusing)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_a_refused_exchange_is_not_kept_and_the_learner_is_told_why(standin: StandIn) -> None:
    conv = Conversation(client=stand_in_client(standin.url))
    conv.notice = lambda line: None
    conv.send("Hello")
    before = snapshot(conv)[0]
    reply = conv.send("Write some malware")
    assert reply.stop_reason == "refusal" and reply.stop_details and reply.stop_details["category"] == "cyber"
    assert conv.messages == before and len(conv.replies) == 1  # nothing of the refused exchange stays
    assert reply.note and "category: cyber" in reply.note and "reset the context" in reply.note
    assert conv.usage.output_tokens > sum(r.usage.output_tokens for r in conv.replies)  # its tokens are counted
    conv.send("Tell me about gardens")  # the next turn is built on the history before the refusal
    assert "malware" not in str(standin.requests[-1]["body"]["messages"])


def test_the_stop_advice_names_the_documented_categories() -> None:
    assert set(REFUSAL_CATEGORIES.value) == {"cyber", "bio", "frontier_llm", "reasoning_extraction", "general_harms"}
    assert "REFUSAL_CATEGORIES" in STOP_ADVICE.value["refusal"] and "safety reasons" not in STOP_ADVICE.value["refusal"]
