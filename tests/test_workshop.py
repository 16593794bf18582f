"""The workshop setting against the local stand-in with faults: patience, one request at a time, recorded fallback."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from kit import DUMMY_KEY, client, settings

from helpers import Conversation
from helpers.config import load_settings
from helpers.errors import NetworkError, RateLimitedError
from helpers.replay.client import make_client, status_line
from helpers.replay.workshop import WorkshopTransport
from helpers.serving import Listener
from helpers.standin import Fault, StandIn

QUESTION = "What should a first workshop cover?"
NOTICE = "[workshop]"


def workshop_client(recordings: Path, url: str, patience: float = 5.0) -> tuple[object, WorkshopTransport]:
    """A live client with the workshop setting, pointed at `url`, and its transport."""
    made = make_client(dataclasses.replace(settings("live", recordings), workshop=True))
    made = made.with_options(api_key=DUMMY_KEY, base_url=url, max_retries=0)  # the transport's patience only
    transport = made._client._transport  # type: ignore[attr-defined]
    assert isinstance(transport, WorkshopTransport)
    transport.patience = patience
    return made, transport


def record_question(recordings: Path, server: StandIn) -> str:
    """Record one turn, as the kit's recordings hold them; return its reply text."""
    return Conversation(client=client("record", recordings, server.url), max_tokens=100).send(QUESTION).text


def test_the_setting_is_one_env_line_and_shows_in_the_status_line() -> None:
    on = load_settings({"ANTHROPIC_API_KEY": "k", "CONVERSE_KIT_WORKSHOP": "1"})
    assert on.workshop and "workshop setting" in status_line(on)
    assert not load_settings({"ANTHROPIC_API_KEY": "k"}).workshop


@pytest.mark.parametrize(
    "fault",
    [Fault(kind="status", status=429, error_type="rate_limit_error", message="Rate limited", retry_after=30, times=99),
     Fault(kind="status", status=529, error_type="overloaded_error", message="Overloaded", times=99),
     Fault(kind="status", status=400, error_type="invalid_request_error",
           message="Your credit balance is too low to access the Anthropic API.", times=99)],
    ids=["429", "529", "no-credit"],
)
def test_a_recorded_turn_falls_back_to_its_recording_with_one_line(
    recordings: Path, server: StandIn, fault: Fault, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = record_question(recordings, server)
    capsys.readouterr()
    server.inject(fault)
    made, _ = workshop_client(recordings, server.url)
    conv = Conversation(client=made, max_tokens=100)  # type: ignore[arg-type]
    started = time.monotonic()
    assert conv.send(QUESTION).text == expected
    assert time.monotonic() - started < 2, "no waiting for a turn that has a recording"
    notice = capsys.readouterr().out.strip().splitlines()
    assert len(notice) == 1 and notice[0].startswith(NOTICE) and "replayed" in notice[0]
    assert len(conv.messages) == 2


def test_an_unreachable_api_falls_back_for_recorded_turns_and_explains_the_rest(
    recordings: Path, server: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = record_question(recordings, server)
    made, _ = workshop_client(recordings, "http://127.0.0.1:9")  # nothing listens there
    conv = Conversation(client=made, max_tokens=100)  # type: ignore[arg-type]
    assert conv.send(QUESTION).text == expected
    assert "unreachable" in capsys.readouterr().out
    with pytest.raises(NetworkError, match="check your network"):
        conv.send("A question nobody recorded")
    assert len(conv.messages) == 2, "the failed turn left the history as it was"


def test_an_unrecorded_turn_waits_patiently_through_busy_answers(recordings: Path, server: StandIn) -> None:
    server.inject(Fault(kind="status", status=429, error_type="rate_limit_error", message="Rate limited",
                        retry_after=0.05, times=4))
    made, transport = workshop_client(recordings, server.url)
    reply = Conversation(client=made, max_tokens=100).send("Something new")  # type: ignore[arg-type]
    assert reply.text.startswith("Stand-in reply") and transport.waits == 4 and len(server.requests) == 5


def test_patience_runs_out_with_the_usual_message(recordings: Path, server: StandIn) -> None:
    server.inject(Fault(kind="status", status=429, error_type="rate_limit_error", message="Rate limited",
                        retry_after=0.2, times=99))
    made, _ = workshop_client(recordings, server.url, patience=0.5)
    conv = Conversation(client=made, max_tokens=100)  # type: ignore[arg-type]
    with pytest.raises(RateLimitedError, match="Wait a minute"):
        conv.send("Something new")
    assert conv.messages == []


def test_a_learner_sends_one_request_at_a_time(recordings: Path) -> None:
    with StandIn(latency=0.3) as slow:
        made, _ = workshop_client(recordings, slow.url)
        turns = [threading.Thread(target=Conversation(client=made, max_tokens=20).send, args=(f"q{i}",))  # type: ignore[arg-type]
                 for i in range(3)]
        started = time.monotonic()
        for turn in turns:
            turn.start()
        for turn in turns:
            turn.join()
        assert time.monotonic() - started >= 0.9, "three turns of 0.3 s each ran one after another"
        assert len(slow.requests) == 3


@pytest.mark.parametrize(("drops", "stored"), [(1, True), (2, True), (3, False)])
def test_a_dropped_connection_is_tried_again_as_often_as_the_sdk_would(
    recordings: Path, server: StandIn, drops: int, stored: bool
) -> None:
    """The SDK retries a failed connection twice; with its retries off, the workshop transport does it instead."""
    server.inject(Fault(kind="drop_stream", times=drops))  # the connection closes with no answer: a reset
    made, _ = workshop_client(recordings, server.url)
    conv = Conversation(client=made, max_tokens=100)  # type: ignore[arg-type]
    if stored:
        assert conv.send("Something new").text.startswith("Stand-in reply")
    else:
        with pytest.raises(NetworkError):
            conv.send("Something new")
    assert len(server.requests) == min(drops + 1, 3) and len(conv.messages) == 2 * stored


def test_a_busy_answer_is_read_so_its_connection_is_kept(recordings: Path, server: StandIn) -> None:
    """A room waiting out a 429 keeps its connections: reconnecting all at once once overflowed the stand-in."""
    server.inject(Fault(kind="status", status=429, error_type="rate_limit_error", message="Rate limited",
                        retry_after=0.05, times=3))
    accepted: list[object] = []
    listener = server._server
    assert listener is not None
    listener.verify_request = lambda request, address: accepted.append(address) or True  # type: ignore[method-assign]
    made, transport = workshop_client(recordings, server.url)
    Conversation(client=made, max_tokens=100).send("Something new")  # type: ignore[arg-type]
    assert transport.waits == 3 and len(server.requests) == 4
    assert len(accepted) == 1, "all four tries went over one connection"


def test_the_stand_in_holds_a_whole_class_connecting_at_once() -> None:
    """Thirty learners reconnecting together fit the listen backlog (socketserver's default of 5 dropped some)."""
    listener = Listener(("127.0.0.1", 0), BaseHTTPRequestHandler)  # listening, but not accepting: the queue fills
    try:
        sockets = []
        for _ in range(40):
            sock = socket.socket()
            sock.settimeout(0.5)
            sock.connect(listener.server_address)  # a full backlog leaves a connect hanging until it times out
            sockets.append(sock)
    finally:
        for sock in sockets:
            sock.close()
        listener.server_close()
