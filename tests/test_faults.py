"""Every fault the API can throw at a learner, injected by the local stand-in, for `send` and `stream`.

| fault                                | the kit's answer                                      | error, message names      |
|--------------------------------------|-------------------------------------------------------|---------------------------|
| 401 invalid key                      | short message with the fix                            | KeyRejectedError: .env    |
| 404 unknown model                    | short message with the fix                            | ModelNotFoundError        |
| 400 prompt too long                  | how far over the limit, and what to drop              | PromptTooLongError        |
| 429 with a short retry-after, once   | recovers (the SDK retries)                            |                           |
| 429 that does not clear              | short message with the fix                            | RateLimitedError          |
| 529 overloaded, once / persisting    | recovers / short message                              | RateLimitedError          |
| 500, once / persisting               | recovers / short message                              | ApiError                  |
| connection dropped mid-SSE stream    | recovers for send (SDK retry); stream: nothing stored | NetworkError              |
| `error` event inside a 200 stream    | nothing stored, short message                         | RateLimitedError          |
| slower than the timeout, once / all  | recovers / short message                              | NetworkError              |
| malformed body                       | short message                                         | ApiError                  |
| 200 that is an HTML page (a portal)  | what came back and from where                         | NotAMessageError          |
| 200 that is a proxy's JSON           | what came back and from where                         | NotAMessageError          |
| blank or empty reply (test_reliability) | returned with a note, counted, not stored           |                           |
| a long or key-echoing error message  | capped at 300 characters, key-like text masked        | ApiError (test_reliability) |

For every row: the history after a failure is exactly what it was before (a half-streamed reply is never
stored), the message is at most three lines, and the same turn succeeds once the fault clears.
The chat widget shows the same faults as a note with Retry (streamed turns), and the example scripts print the
same short messages; the workshop setting is in test_workshop.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from kit import live_environment, snapshot, stand_in_client

from helpers import Conversation
from helpers.chat.widget import ChatWidget
from helpers.errors import (
    ApiError,
    KeyRejectedError,
    KitError,
    ModelNotFoundError,
    NetworkError,
    NotAMessageError,
    PromptTooLongError,
    RateLimitedError,
)
from helpers.replay import notebooks
from helpers.standin import Fault, StandIn

TURN = "Plan a two-week schedule, with a topic for each day, in a few sentences please"
HUGE = "word " * 900_000  # about 1.1 million tokens, far beyond any context window


def status(code: int, kind: str, message: str, times: int = 99, retry_after: float | None = None) -> Fault:
    """An HTTP error answer from the stand-in."""
    return Fault(kind="status", status=code, error_type=kind, message=message, times=times, retry_after=retry_after)


@dataclass
class Case:
    """One row of the table: a fault, and what the kit must do with it."""

    fault: Fault | None
    error: type[KitError] | None  # None: the SDK's retries recover
    fix: str = ""
    model: str = "claude-haiku-4-5"
    text: str = TURN
    modes: tuple[str, ...] = ("send", "stream")
    extra: dict[str, Any] = field(default_factory=dict)


CASES = {
    "401": Case(status(401, "authentication_error", "invalid x-api-key"), KeyRejectedError, ".env"),
    "404-model": Case(None, ModelNotFoundError, "CONVERSE_KIT_MODEL", model="claude-nope-9"),
    "400-too-long": Case(None, PromptTooLongError, "over the limit", text=HUGE),
    "429-once": Case(status(429, "rate_limit_error", "Rate limited", times=1, retry_after=0.1), None),
    "429-stays": Case(status(429, "rate_limit_error", "Rate limited", retry_after=0.1), RateLimitedError, "Wait a minute"),
    "529-once": Case(status(529, "overloaded_error", "Overloaded", times=1), None),
    "529-stays": Case(status(529, "overloaded_error", "Overloaded"), RateLimitedError, "Wait a minute"),
    "500-once": Case(status(500, "api_error", "Internal server error", times=1), None),
    "500-stays": Case(status(500, "api_error", "Internal server error"), ApiError, "Run the cell again"),
    "drop-send": Case(Fault(kind="drop_stream", times=1), None, modes=("send",)),
    "drop-mid-stream": Case(Fault(kind="drop_stream"), NetworkError, "nothing was stored", modes=("stream",)),
    "error-event": Case(Fault(kind="error_event"), RateLimitedError, "nothing was stored", modes=("stream",)),
    "slow-once": Case(Fault(kind="slow", delay=1.0, times=1), None),
    "slow-stays": Case(Fault(kind="slow", delay=1.0, times=99), NetworkError, "did not answer in time"),
    "malformed": Case(Fault(kind="malformed"), ApiError, "could not be read", modes=("send",)),
    "html": Case(Fault(kind="html"), NotAMessageError, "not a Claude message"),
    "proxy-json": Case(Fault(kind="proxy_json"), NotAMessageError, "not a Claude message"),
}
PARAMS = [pytest.param(name, mode, id=f"{name}-{mode}") for name, case in CASES.items() for mode in case.modes]


def take_turn(conversation: Conversation, mode: str, text: str) -> str:
    """One turn, by send or by stream; the reply's text."""
    return conversation.send(text).text if mode == "send" else "".join(conversation.stream(text))


@pytest.mark.parametrize(("name", "mode"), PARAMS)
def test_each_fault_recovers_or_explains_and_leaves_the_history_intact(server: StandIn, name: str, mode: str) -> None:
    case = CASES[name]
    client = stand_in_client(server.url, retries=2, timeout=0.5)
    conversation = Conversation("Be brief.", client=client, model="claude-haiku-4-5", max_tokens=100)
    conversation.send("Hello")  # one earlier exchange that must survive
    conversation.model = case.model
    before = snapshot(conversation)
    if case.fault:
        server.inject(case.fault)
    if case.error is None:
        assert take_turn(conversation, mode, case.text).startswith("Stand-in reply")
        assert len(conversation.messages) == 4 and conversation.messages[2]["content"] == case.text
        return
    with pytest.raises(case.error, match=case.fix) as caught:
        take_turn(conversation, mode, case.text)
    assert len(str(caught.value).splitlines()) <= 3
    assert snapshot(conversation) == before
    server.clear_faults()  # the fault clears; the learner fixes the model or the message and tries again
    conversation.model = "claude-haiku-4-5"
    retry = TURN if case.text is HUGE else case.text
    assert take_turn(conversation, mode, retry).startswith("Stand-in reply")
    assert [m["role"] for m in conversation.messages] == ["user", "assistant"] * 2


@pytest.mark.parametrize("name", [name for name, case in CASES.items() if "stream" in case.modes])
def test_each_fault_in_the_chat_widget_is_a_note_with_retry(server: StandIn, name: str) -> None:
    case = CASES[name]
    client = stand_in_client(server.url, retries=2, timeout=0.5)
    conversation = Conversation("Be brief.", client=client, model="claude-haiku-4-5", max_tokens=100)
    chat = ChatWidget(conversation, background=False)
    chat.send("Hello")
    conversation.model = case.model
    before = snapshot(conversation)
    if case.fault:
        server.inject(case.fault)
    reply = chat.send(case.text)
    if case.error is None:
        assert reply is not None and reply.text.startswith("Stand-in reply")
        return
    assert reply is None and chat.note.value and chat.retry_button.layout.display != "none"
    assert "Traceback" not in chat.note.value
    assert snapshot(conversation) == before
    assert chat.chat.texts() == [m["content"] for m in conversation.messages], "the bubbles show the history"
    server.clear_faults()
    conversation.model = "claude-haiku-4-5"
    reply = chat.send(TURN) if case.text is HUGE else chat.retry()  # an oversized message is shortened, not retried
    assert reply is not None and reply.text.startswith("Stand-in reply") and len(conversation.messages) == 4


@pytest.mark.parametrize(("fault", "expect_code", "expect"), [
    (status(401, "authentication_error", "invalid x-api-key"), 1, "rejected your key"),
    (status(429, "rate_limit_error", "Rate limited", times=1, retry_after=0.1), 0, "live reply"),
], ids=["401", "429-once"])
def test_the_scripts_show_the_same_short_messages(server: StandIn, fault: Fault, expect_code: int, expect: str) -> None:
    server.inject(fault)
    done = notebooks.run_script(notebooks.kit_scripts()[0], live_environment(server.url))
    assert done.returncode == expect_code
    assert expect in done.stdout + done.stderr and "Traceback" not in done.stderr
