"""The local stand-in of the API speaks the wire format the real SDK expects."""

from __future__ import annotations

import anthropic
import pytest
from kit import stand_in_client

from helpers.standin import Fault, StandIn, chunks


def test_create_and_stream_give_the_same_text(server: StandIn) -> None:
    client = stand_in_client(server.url)
    args = {"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "Hello there"}]}
    message = client.messages.create(**args)  # type: ignore[call-overload]
    with client.messages.stream(**args) as stream:  # type: ignore[arg-type]
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert message.content[0].text == "".join(pieces) == final.content[0].text == "Stand-in reply to: Hello there"
    assert message.stop_reason == final.stop_reason == "end_turn" and final.usage.output_tokens > 0


def test_max_tokens_cuts_the_reply(server: StandIn) -> None:
    long = StandIn(reply=lambda body: "word " * 200)
    with long:
        message = stand_in_client(long.url).messages.create(
            model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "x"}])
    assert message.stop_reason == "max_tokens" and len(message.content[0].text) <= 40


def test_count_tokens_and_models(server: StandIn) -> None:
    client = stand_in_client(server.url)
    count = client.messages.count_tokens(model="claude-haiku-4-5", messages=[{"role": "user", "content": "hi " * 40}])
    assert count.input_tokens > 20
    assert client.models.retrieve("claude-haiku-4-5").max_input_tokens == 200_000


def test_a_fault_applies_its_number_of_times_then_clears(server: StandIn) -> None:
    server.inject(Fault(kind="status", status=500, times=1))
    message = stand_in_client(server.url, retries=2).messages.create(
        model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "x"}])
    assert message.content[0].text.startswith("Stand-in reply") and len(server.requests) == 2


def test_the_rate_limit_answers_429_with_retry_after() -> None:
    with StandIn(rate_limit=2, retry_after=0.05) as server:
        client = stand_in_client(server.url)
        codes = []
        for _ in range(4):
            try:
                client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": "x"}])
                codes.append(200)
            except anthropic.RateLimitError as error:
                codes.append(error.status_code)
                assert error.response.headers["retry-after"] == "0.05"
    assert codes == [200, 200, 429, 429]


def test_an_invalid_request_is_refused_like_the_api() -> None:
    with StandIn() as server, pytest.raises(anthropic.BadRequestError, match="max_tokens"):
        stand_in_client(server.url).messages.create(model="m", max_tokens=0, messages=[{"role": "user", "content": "x"}])


def test_chunks_join_back_to_the_text() -> None:
    text = "one two three four five six seven"
    assert "".join(chunks(text)) == text and len(chunks(text)) == 3
