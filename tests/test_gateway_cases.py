"""The gateway's server, case by case, against a scripted upstream: each answer, ledger row and header written out by hand.

The upstream here answers what each test scripts (a reply, an error, a busy answer, a cut body or stream) and notes every
request it gets, with the ledger's rows at that moment (so a reservation is seen to be written before the request left).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2
import pytest

from helpers.api.bill import estimate_request_tokens
from helpers.config import LIVE_TIMEOUT_SECONDS
from helpers.gateway.ledger import Ledger
from helpers.gateway.server import Gateway, quiet, retry_after

REAL_KEY = "sk-ant-real-" + "3" * 30
CLASS_KEY = "ck-class-x"  # a learner's key as the gateway receives it (held in a name: the secret scan reads literals)
REQUEST = {"model": "claude-haiku-4-5", "max_tokens": 50,
           "messages": [{"role": "user", "content": "First"}, {"role": "assistant", "content": "Ok"},
                        {"role": "user", "content": "Second"}]}
ESTIMATE = estimate_request_tokens(REQUEST)  # the kit's input estimate (helpers/api/bill.py), reserved with max_tokens
REPLY = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
         "content": [{"type": "text", "text": "Hi there"}], "stop_reason": "end_turn",
         "usage": {"input_tokens": 11, "output_tokens": 7, "cache_creation_input_tokens": 3, "cache_read_input_tokens": 2}}
VIA = "the class gateway, from {} (a rehearsal: not the Anthropic API)"


@dataclass
class Answer:
    """One scripted upstream answer; `cut` closes the connection after half the body of a declared full length."""

    status: int = 200
    body: bytes = json.dumps(REPLY).encode()
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json", "request-id": "req_up_1"})
    cut: bool = False


def events(*items: dict[str, Any]) -> bytes:
    """Server-sent events as the API streams them."""
    return b"".join(f"event: {item['type']}\ndata: {json.dumps(item)}\n\n".encode() for item in items)


START = {"type": "message_start", "message": {**REPLY, "content": [], "usage": {"input_tokens": 9, "output_tokens": 1}}}
DELTA = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "x" * 400}}
STREAMED = {"content-type": "text/event-stream", "request-id": "req_up_s"}


class Upstream:
    """A scripted API on 127.0.0.1: answers from `answers` in turn (then the plain reply), noting what it was sent."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []
        self.seen: list[dict[str, Any]] = []
        self.ledger: Ledger | None = None
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                """Stay quiet."""

            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                size = int(self.headers.get("content-length") or 0)
                upstream.seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                                      "body": self.rfile.read(size),
                                      "rows": rows(upstream.ledger) if upstream.ledger else []})
                answer = upstream.answers.pop(0) if upstream.answers else Answer()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.headers.get("content-type") != "text/event-stream":
                    self.send_header("content-length", str(len(answer.body)))
                self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(answer.body[:len(answer.body) // 2] if answer.cut else answer.body)
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted(ledger: Ledger) -> Iterator[Upstream]:
    upstream = Upstream()
    upstream.ledger = ledger
    yield upstream
    upstream.close()


@pytest.fixture
def gateway(ledger: Ledger, scripted: Upstream) -> Iterator[Gateway]:
    with Gateway(ledger, scripted.url, REAL_KEY, patience=0.6) as running:
        yield running


Row = tuple[str, str, str, int, int, int, int, str | None, str | None]


def rows(ledger: Ledger) -> list[Row]:
    """Every ledger entry: learner, model, status, the four token counts, content, upstream id."""
    with sqlite3.connect(ledger.path) as db:
        return db.execute("SELECT learner, model, status, input_tokens, output_tokens, cache_creation_input_tokens, "
                          "cache_read_input_tokens, content, upstream_id FROM usage ORDER BY at").fetchall()


def ids(ledger: Ledger) -> list[str]:
    """The gateway's request ids in the ledger."""
    with sqlite3.connect(ledger.path) as db:
        return [row[0] for row in db.execute("SELECT request_id FROM usage")]


def settled(ledger: Ledger) -> list[Row]:
    """The rows once no reservation is open, or after 3 s (the ledger is written off the event loop)."""
    deadline = time.monotonic() + 3
    while any(row[2] == "reserved" for row in rows(ledger)) and time.monotonic() < deadline:
        time.sleep(0.01)
    return rows(ledger)


def flying(gateway: Gateway, expected: dict[str, int]) -> dict[str, int]:
    """The requests on their way, once they are as expected or 3 s have passed (counted down after the answer)."""
    deadline = time.monotonic() + 3
    while gateway.flying != expected and time.monotonic() < deadline:
        time.sleep(0.01)
    return dict(gateway.flying)


def ask(gateway: Gateway, key: str, body: Any = REQUEST, target: str = "/v1/messages", **headers: str) -> httpx2.Response:
    """One learner request (raw bytes for a body that is not a dict)."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = {"authorization": f"Bearer {key}", "anthropic-version": "2023-06-01", "content-type": "application/json", **headers}
    return httpx2.post(gateway.url + target, content=content, headers=sent, timeout=10)


def error(answer: httpx2.Response) -> tuple[int, str, str]:
    """Status, error type and message of a gateway refusal, which the SDK is told not to retry."""
    assert answer.headers["x-should-retry"] == "false" and answer.headers["content-type"] == "application/json"
    data = answer.json()
    assert data["type"] == "error" and data["request_id"].startswith("gw_")
    return answer.status_code, data["error"]["type"], data["error"]["message"]


class Share:
    """A fair share that answers as scripted and notes each call (learner, patience)."""

    def __init__(self, *answers: str | None) -> None:
        self.answers, self.calls = list(answers), list[tuple[str, float | None]]()

    def acquire(self, learner: str, patience: float | None = None) -> str | None:
        self.calls.append((learner, patience))
        return self.answers.pop(0) if self.answers else None


def test_a_gateway_is_built_with_the_kits_defaults_and_needs_the_real_key(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="^The gateway needs the real API key: set CONVERSE_KIT_GATEWAY_KEY_FILE"):
        Gateway(ledger, "https://api.anthropic.com", "")
    real = Gateway(ledger, "https://api.anthropic.com/", REAL_KEY)
    assert (real.upstream, real.via, real.prefix, real.host, real.port, real.url) == (
        "https://api.anthropic.com", "the class gateway", "", "127.0.0.1", 0, "")
    assert (real.patience, real.max_body, real.in_flight, real.timeouts) == (90.0, 4 * 1024 * 1024, 4, (60.0, 60.0))
    assert (real.share.rate, real.share.patience, real.share.queue) == (None, 90.0, 4)
    assert (real.identify.ledger, real.identify.hub_api_url, real.identify.hub) == (ledger, "", None)
    assert (real.flying, real.upstream_waits, real.http, real._loop, real._thread) == ({}, 0, None, None, None)
    assert real._pool._max_workers == 128
    real.stop()
    rehearsal = Gateway(ledger, "http://127.0.0.1:9/", REAL_KEY, hub_api_url="http://127.0.0.1:9/hub/api/",
                        hub_token="svc", rate=2.5, patience=3.0, queue=2, in_flight=3, max_body=99, host="127.0.0.2",
                        port=7, prefix="/services/gateway/", idle_seconds=1.5, body_seconds=2.5)
    assert (rehearsal.upstream, rehearsal.via, rehearsal.prefix, rehearsal.host, rehearsal.port) == (
        "http://127.0.0.1:9", VIA.format("http://127.0.0.1:9"), "/services/gateway", "127.0.0.2", 7)
    assert (rehearsal.patience, rehearsal.max_body, rehearsal.in_flight, rehearsal.timeouts) == (3.0, 99, 3, (1.5, 2.5))
    assert (rehearsal.share.rate, rehearsal.share.patience, rehearsal.share.queue) == (2.5, 3.0, 2)
    assert rehearsal.identify.hub_api_url == "http://127.0.0.1:9/hub/api" and rehearsal.identify.hub.api_token == "svc"
    rehearsal.stop()


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_running_gateway_listens_where_asked_and_closes_everything_when_stopped(
        ledger: Ledger, scripted: Upstream) -> None:
    port = free_port()
    with Gateway(ledger, scripted.url, REAL_KEY, port=port) as running:
        assert running.port == port and running.url == f"http://127.0.0.1:{port}"
        assert running.http is not None and not running.http.is_closed
        assert (running.http.timeout.read, running.http.timeout.connect) == (LIVE_TIMEOUT_SECONDS, 10.0)
        loop = running._thread
        assert loop is not None and loop.name == "gateway-loop" and loop.daemon and loop.is_alive()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.2", port), timeout=2).close()  # 127.0.0.1 only, not every address
        kept = socket.create_connection(("127.0.0.1", port), timeout=5)
        kept.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ledger.issue("ana").encode() + b"\r\n\r\n")
        assert kept.recv(65536).startswith(b"HTTP/1.1 200"), "answered, and the connection kept open for the next"
        assert any(thread.name.startswith("gateway_") for thread in threading.enumerate()), "the ledger's own pool"
        http = running.http
    assert http.is_closed and not loop.is_alive() and (running._loop, running._thread) == (None, None)
    assert kept.recv(65536) == b"", "an open connection is closed on stop"
    kept.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()  # no longer listening
    with pytest.raises(RuntimeError, match="after shutdown"):
        asyncio.run(running.blocking(print))
    running.stop()  # a second stop does nothing


def test_a_gateway_that_cannot_bind_its_port_says_so_instead_of_waiting_forever(ledger: Ledger) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        gateway = Gateway(ledger, "http://127.0.0.1:9", REAL_KEY, port=taken.getsockname()[1])
        with pytest.raises(OSError, match="Address already in use"):
            gateway.start()
    assert (gateway._thread, gateway._loop, gateway.url) == (None, None, "")
    gateway.stop()


def test_only_the_version_betas_and_body_type_go_upstream_with_the_real_key(gateway: Gateway) -> None:
    incoming = {"Anthropic-Version": "2023-06-01", "ANTHROPIC-BETA": "files-api-2025-04-14", "Content-Type": "application/json",
                "Accept": "application/json", "Authorization": f"Bearer {CLASS_KEY}", "X-Api-Key": CLASS_KEY,
                "Cookie": "a=b", "Accept-Encoding": "gzip", "X-Stainless-Retry-Count": "0"}
    assert gateway.headers_for(incoming) == {
        "anthropic-version": "2023-06-01", "anthropic-beta": "files-api-2025-04-14", "content-type": "application/json",
        "accept": "application/json", "x-api-key": REAL_KEY}
    assert gateway.headers_for({"anthropic-beta": "", "x-api-key": CLASS_KEY}) == {"x-api-key": REAL_KEY}


@pytest.mark.parametrize(("header", "seconds"), [(None, 1.0), ("", 1.0), ("soon", 1.0), ("0", 0.25), ("0.1", 0.25),
                                                  ("2.5", 2.5), ("30", 30.0)])
def test_a_busy_answer_is_waited_through_for_its_retry_after_and_at_least_a_quarter_second(
        header: str | None, seconds: float) -> None:
    assert retry_after(httpx2.Response(429, headers={} if header is None else {"retry-after": header})) == seconds
    assert quiet(None) is None


def test_a_reply_is_reserved_before_it_is_sent_then_billed_as_the_api_reports_it(
        gateway: Gateway, ledger: Ledger, scripted: Upstream) -> None:
    key = ledger.issue("ana")
    scripted.answers = [Answer(headers={"content-type": "application/json", "request-id": "req_up_1", "x-secret": "s",
                                        "anthropic-ratelimit-requests-remaining": "9", "retry-after": "3"})]
    answer = ask(gateway, key, target="/v1/messages?beta=true", **{"anthropic-beta": "b1", "cookie": "c"})
    assert answer.status_code == 200 and answer.json() == REPLY
    assert (answer.headers["content-type"], answer.headers["request-id"], answer.headers["retry-after"]) == (
        "application/json", "req_up_1", "3")
    assert answer.headers["anthropic-ratelimit-requests-remaining"] == "9" and "x-secret" not in answer.headers
    assert answer.headers["x-converse-kit-via"] == VIA.format(scripted.url)
    (sent,) = scripted.seen
    assert (sent["method"], sent["path"], json.loads(sent["body"])) == ("POST", "/v1/messages?beta=true", REQUEST)
    own = ("host", "content-length", "accept", "accept-encoding", "connection", "user-agent")  # httpx2's own
    assert {k.lower(): v for k, v in sent["headers"].items() if k.lower() not in own} == {
        "anthropic-version": "2023-06-01", "anthropic-beta": "b1", "content-type": "application/json", "x-api-key": REAL_KEY}
    assert sent["rows"] == [("ana", "claude-haiku-4-5", "reserved", ESTIMATE, 50, 0, 0, None, None)], "written ahead"
    assert rows(ledger) == [("ana", "claude-haiku-4-5", "complete", 11, 7, 3, 2, None, "req_up_1")]
    (request_id,) = ids(ledger)
    assert request_id.startswith("gw_") and len(request_id) == 35 and request_id[3:].isalnum()
    assert flying(gateway, {}) == {} and gateway.upstream_waits == 0
    ask(gateway, key)
    assert len(set(ids(ledger))) == 2, "each request its own id"


def test_the_content_kept_is_the_last_message_and_the_reply_when_the_teacher_turns_it_on(
        gateway: Gateway, ledger: Ledger, scripted: Upstream) -> None:
    ledger.set_setting("log_content", "on")
    key = ledger.issue("ben")
    scripted.answers = [Answer(headers={"content-type": "application/json"}), Answer(headers={})]  # no request-id
    assert ask(gateway, key).status_code == 200
    assert ask(gateway, key, {"max_tokens": 5}).status_code == 200  # no model, no messages: the API would say so
    first, second = rows(ledger)
    assert first[7] == '{"messages": [{"role": "user", "content": "Second"}], "reply": "Hi there"}' and first[8] is None
    assert second[1:3] == ("?", "complete") and second[7] == '{"messages": [], "reply": "Hi there"}'
    assert second[8] is None, "an answer without a content-type is read as a whole reply"


@pytest.mark.parametrize("status", [400, 404, 500])
def test_an_upstream_error_is_relayed_and_its_reservation_released(
        gateway: Gateway, ledger: Ledger, scripted: Upstream, status: int) -> None:
    body = json.dumps({"type": "error", "error": {"type": "invalid_request_error", "message": "no"}}).encode()
    scripted.answers = [Answer(status, body, {"content-type": "application/json", "request-id": "req_err"})]
    answer = ask(gateway, ledger.issue("cy"))
    assert (answer.status_code, answer.content, answer.headers["request-id"]) == (status, body, "req_err")
    assert "x-should-retry" not in answer.headers, "the API's own answer, as it gave it"
    assert scripted.seen[0]["rows"][0][2] == "reserved" and settled(ledger) == [] and flying(gateway, {}) == {}


@pytest.mark.parametrize("payload", [b"not json", b"[1]", b'{"content": 5}'])
def test_a_reply_the_gateway_cannot_read_is_relayed_and_billed_at_the_input_estimate(
        gateway: Gateway, ledger: Ledger, scripted: Upstream, payload: bytes) -> None:
    scripted.answers = [Answer(body=payload)]
    answer = ask(gateway, ledger.issue("dee"))
    assert (answer.status_code, answer.content) == (200, payload)
    assert rows(ledger) == [("dee", "claude-haiku-4-5", "unreadable", ESTIMATE, 0, 0, 0, None, "req_up_1")]


def test_a_reply_cut_before_its_end_is_a_502_billed_at_the_input_estimate(
        gateway: Gateway, ledger: Ledger, scripted: Upstream) -> None:
    scripted.answers = [Answer(cut=True)]
    assert error(ask(gateway, ledger.issue("eve")))[:2] == (502, "api_error")
    assert rows(ledger) == [("eve", "claude-haiku-4-5", "cut upstream", ESTIMATE, 0, 0, 0, None, "req_up_1")]


def test_a_stream_is_relayed_whole_and_billed_as_its_events_report(
        gateway: Gateway, ledger: Ledger, scripted: Upstream) -> None:
    stream = events(START, DELTA, {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 4}},
                    {"type": "message_stop"})
    scripted.answers = [Answer(body=stream, headers=STREAMED)]
    answer = ask(gateway, ledger.issue("fay"), {**REQUEST, "stream": True})
    assert (answer.status_code, answer.content, answer.headers["request-id"]) == (200, stream, "req_up_s")
    assert rows(ledger) == [("fay", "claude-haiku-4-5", "complete", 9, 4, 0, 0, None, "req_up_s")]


def test_a_stream_cut_upstream_ends_without_message_stop_and_is_billed_at_what_arrived(
        gateway: Gateway, ledger: Ledger, scripted: Upstream) -> None:
    scripted.answers = [Answer(body=events(START, DELTA), headers=STREAMED)]
    answer = ask(gateway, ledger.issue("gil"), {**REQUEST, "stream": True})
    assert (answer.status_code, answer.content) == (200, events(START, DELTA))
    assert rows(ledger) == [("gil", "claude-haiku-4-5", "cut upstream", 9, 100, 0, 0, None, "req_up_s")], "400 chars: 100"


def test_a_body_that_is_not_json_is_refused_and_nothing_is_sent(
        gateway: Gateway, ledger: Ledger, scripted: Upstream) -> None:
    assert error(ask(gateway, ledger.issue("hal"), b"{oops")) == (
        400, "invalid_request_error", "The request body is not JSON. Nothing was sent.")
    assert scripted.seen == [] and rows(ledger) == [] and flying(gateway, {}) == {}


def test_a_worst_case_over_the_budget_is_a_402_and_nothing_is_sent(
        gateway: Gateway, ledger: Ledger, scripted: Upstream) -> None:
    key = ledger.issue("ida", budget_tokens=ESTIMATE + 49)
    status, kind, message = error(ask(gateway, key))
    assert (status, kind) == (402, "billing_error") and message.startswith("Class budget too small for this request")
    assert f"{ESTIMATE + 50:,} tokens" in message
    assert scripted.seen == [] and rows(ledger) == [] and flying(gateway, {}) == {}
    ledger.set_budget("ida", usd=None, tokens=ESTIMATE + 50)  # exactly the worst case: it fits
    assert ask(gateway, key).status_code == 200 and ledger.spent("ida")[1] == 11 + 7 + 3 + 2


def test_a_learner_at_the_in_flight_limit_gets_a_429_and_the_count_goes_back_after_each_request(
        ledger: Ledger, scripted: Upstream) -> None:
    with Gateway(ledger, scripted.url, REAL_KEY, in_flight=1) as gateway:
        key = ledger.issue("jo")
        assert ask(gateway, key).status_code == 200 and flying(gateway, {}) == {}, "one at a time: the first goes"
        gateway.flying["jo"] = 1
        assert error(ask(gateway, key)) == (429, "rate_limit_error", "Class rate limit: you already have 1 requests on "
                                            "their way; wait for their replies before sending more.")
        assert gateway.flying == {"jo": 1} and len(scripted.seen) == 1 and len(rows(ledger)) == 1
        gateway.in_flight = 2  # one on its way: one more may go, and the count goes back to one
        assert ask(gateway, key).status_code == 200 and flying(gateway, {"jo": 1}) == {"jo": 1}
        gateway.flying.clear()


@pytest.mark.parametrize(("why", "message"), [
    ("queue", "Class rate limit: you already have requests waiting; wait for their replies before sending more."),
    ("patience", "Class rate limit: the class is busy and your turn did not come within 0.6 s. Run the cell again.")])
def test_a_learner_the_fair_share_turns_away_gets_a_429_and_the_reservation_is_released(
        gateway: Gateway, ledger: Ledger, scripted: Upstream, why: str, message: str) -> None:
    gateway.share = Share(why)  # type: ignore[assignment]
    assert error(ask(gateway, ledger.issue("kim"))) == (429, "rate_limit_error", message)
    assert gateway.share.calls == [("kim", None)] and scripted.seen == [] and settled(ledger) == []


def test_a_busy_upstream_is_waited_through_and_each_retry_takes_its_turn_again(
        ledger: Ledger, scripted: Upstream) -> None:
    with Gateway(ledger, scripted.url, REAL_KEY, patience=1.5) as gateway:
        share = gateway.share = Share()  # type: ignore[assignment]
        scripted.answers = [Answer(429, b"{}", {"retry-after": "0"}), Answer(529, b"{}", {}), Answer()]
        started = time.monotonic()
        assert ask(gateway, ledger.issue("lee")).status_code == 200
        took = time.monotonic() - started
    assert 0.25 + 1.0 <= took < 1.5 + 0.5, "a quarter second's wait, then the second one's 1 s (no retry-after)"
    assert gateway.upstream_waits == 2 and len(scripted.seen) == 3
    assert [call[0] for call in share.calls] == ["lee"] * 3 and share.calls[0][1] is None
    first, second = share.calls[1][1], share.calls[2][1]
    assert first is not None and second is not None and 0.0 <= second < first < 1.5 - 0.25 and second < 0.25, (
        "each retry waits at most what is left of the patience")
    assert rows(ledger)[0][2:5] == ("complete", 11, 7)


def test_a_retry_whose_turn_does_not_come_gets_the_busy_answer_and_is_not_sent(
        gateway: Gateway, ledger: Ledger, scripted: Upstream) -> None:
    gateway.share = Share(None, "patience")  # type: ignore[assignment]
    scripted.answers = [Answer(429, b'{"busy": 1}', {"retry-after": "0", "content-type": "application/json"})]
    answer = ask(gateway, ledger.issue("lou"))
    assert (answer.status_code, answer.content, answer.headers["retry-after"]) == (429, b'{"busy": 1}', "0")
    assert len(scripted.seen) == 1 and gateway.upstream_waits == 1 and settled(ledger) == []


def test_a_busy_answer_asking_longer_than_the_patience_is_relayed_at_once(
        gateway: Gateway, ledger: Ledger, scripted: Upstream) -> None:
    scripted.answers = [Answer(429, b'{"busy": true}', {"retry-after": "5", "content-type": "application/json"})]
    started = time.monotonic()
    answer = ask(gateway, ledger.issue("max"))
    assert (answer.status_code, answer.content, answer.headers["retry-after"]) == (429, b'{"busy": true}', "5")
    assert time.monotonic() - started < 0.5 and gateway.upstream_waits == 0 and settled(ledger) == []


def test_a_free_request_waits_through_a_busy_upstream_without_the_fair_share(
        gateway: Gateway, ledger: Ledger, scripted: Upstream) -> None:
    share = gateway.share = Share()  # type: ignore[assignment]
    scripted.answers = [Answer(529, b"{}", {"retry-after": "0"}), Answer(body=b'{"input_tokens": 12}')]
    answer = ask(gateway, ledger.issue("ned"), target="/v1/messages/count_tokens")
    assert (answer.status_code, answer.json()) == (200, {"input_tokens": 12})
    assert share.calls == [] and gateway.upstream_waits == 1 and rows(ledger) == []
    assert [sent["path"] for sent in scripted.seen] == ["/v1/messages/count_tokens"] * 2


def test_an_unreachable_api_is_a_502_and_releases_the_reservation(ledger: Ledger) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with Gateway(ledger, closed, REAL_KEY) as gateway:
        status, kind, message = error(ask(gateway, ledger.issue("oz")))
        assert (status, kind) == (502, "api_error") and message.startswith("The class gateway could not reach the API.")
        assert settled(ledger) == [] and flying(gateway, {}) == {}


def test_answers_are_neither_compressed_nor_logged(
        gateway: Gateway, ledger: Ledger, scripted: Upstream, caplog: pytest.LogCaptureFixture) -> None:
    big = json.dumps({**REPLY, "content": [{"type": "text", "text": "word " * 1000}]}).encode()
    scripted.answers = [Answer(body=big)]
    with caplog.at_level(logging.DEBUG):
        answer = ask(gateway, ledger.issue("pat"), **{"accept-encoding": "gzip"})
    assert answer.status_code == 200 and "content-encoding" not in answer.headers and answer.content == big
    assert [record for record in caplog.records if record.name.startswith("tornado")] == []


@pytest.mark.parametrize("how", ["throttled", "upstream error", "unreachable"])
def test_a_reservation_never_answered_is_dropped_before_the_learner_hears_why(
        ledger: Ledger, scripted: Upstream, gateway: Gateway, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """A slow release (a busy disk) must not leave the reservation open after the answer: a gateway stopped just then
    (the end of class) would bill the learner's worst case for a request that was never sent."""
    key = ledger.issue("ana")
    release = ledger.release

    def slow_release(request_id: str) -> None:
        time.sleep(0.3)
        release(request_id)

    monkeypatch.setattr(ledger, "release", slow_release)
    if how == "throttled":
        gateway.share = Share("patience")  # type: ignore[assignment]
    elif how == "upstream error":
        scripted.answers.append(Answer(500, b'{"type": "error", "error": {"type": "api_error", "message": "x"}}'))
    else:
        gateway.upstream = "http://127.0.0.1:9"
    answer = ask(gateway, key)
    assert answer.status_code == {"throttled": 429, "upstream error": 500, "unreachable": 502}[how]
    assert rows(ledger) == [], "read at once, with no wait for a release"
