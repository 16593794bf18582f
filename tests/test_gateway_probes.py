"""The gateway against hostile requests: path tricks, lengths, headers, slow clients, overspending, cut streams.

Every probe is sent as raw bytes on a socket (an HTTP client library would tidy the path first), with a valid class
key, against a gateway whose upstream records what reaches it: a refused probe must never be forwarded.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import anthropic
import httpx2
import pytest
from kit import client

from helpers import Conversation
from helpers.gateway import routes
from helpers.gateway.ledger import Ledger
from helpers.gateway.server import Gateway
from helpers.standin import StandIn

REAL_KEY = "sk-ant-real-" + "5" * 30
BODY = json.dumps({"model": "claude-haiku-4-5", "max_tokens": 20, "messages": [{"role": "user", "content": "Hi"}]}).encode()


def raw(url: str, data: bytes, *, wait: float = 5.0) -> bytes:
    """Send raw bytes to the server and read its answer until it closes or goes quiet."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(data)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and answer.split(b"\r\n\r\n", 1)[1].rstrip().endswith(b"}"):
                    break
        except TimeoutError:
            pass
    return answer


def request(method: str, target: str, key: str, body: bytes = b"", extra: str = "", length: str | None = None) -> bytes:
    """One raw HTTP/1.1 request with a class key."""
    size = str(len(body)) if length is None else length
    head = f"{method} {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nanthropic-version: 2023-06-01\r\n"
    head += "content-type: application/json\r\n" + (f"Content-Length: {size}\r\n" if size else "") + extra
    return head.encode() + b"\r\n" + body


def status(answer: bytes) -> int:
    """The status code of a raw answer."""
    return int(answer.split(b" ", 2)[1])


def error_of(answer: bytes) -> dict[str, str]:
    """The API-format error in a raw answer's body."""
    data = json.loads(answer.split(b"\r\n\r\n", 1)[1].decode().strip())
    assert data["type"] == "error"
    return dict(data["error"])


@pytest.fixture
def gateway(ledger: Ledger, upstream: StandIn) -> Iterator[Gateway]:
    with Gateway(ledger, upstream.url, REAL_KEY, max_body=2_000, idle_seconds=1.0, body_seconds=1.0) as running:
        yield running


TRICKS = [
    ("POST", "/v1/messages/count_tokens/../../messages"),  # a free token count that reached /v1/messages before
    ("GET", "/v1/models/../messages/batches"),
    ("POST", "/v1/messages/count_tokens/%2e%2e/%2e%2e/messages"),
    ("POST", "/v1/%2E%2E/v1/messages"),
    ("POST", "/v1/messages%2Fcount_tokens"),
    ("POST", "//v1/messages"),
    ("POST", "/v1//messages"),
    ("POST", "/v1/messages/"),
    ("POST", "/v1/./messages"),
    ("POST", "/x/v1/messages"),
    ("POST", "/v1/messages/batches"),
    ("POST", "/v1/complete"),
    ("GET", "/v1/files"),
    ("GET", "/v1/models/.."),
    ("GET", "/v1/models/claude-haiku-4-5/../../messages/batches"),
    ("GET", "/v1/models/a\\..\\b"),
    ("POST", "/v1/messages?beta=true&beta=true"),
    ("POST", "/v1/messages?path=/v1/messages/batches"),
    ("POST", "/v1/messages/count_tokens?x=../../messages"),
    ("GET", "/v1/models?after_id=../messages"),
    ("GET", "/v1/messages"),
    ("DELETE", "/v1/models/claude-haiku-4-5"),
]


@pytest.mark.parametrize(("method", "target"), TRICKS)
def test_path_tricks_get_a_404_in_the_api_format_and_are_never_forwarded(
        gateway: Gateway, ledger: Ledger, upstream: StandIn, method: str, target: str) -> None:
    key = ledger.issue("ana", budget_tokens=0)
    answer = raw(gateway.url, request(method, target, key, BODY if method == "POST" else b""))
    assert status(answer) == 404, answer[:300]
    assert error_of(answer)["type"] == "not_found_error"
    assert upstream.requests == [] and ledger.entries() == 0


def test_the_four_routes_match_exactly_and_are_rebuilt_from_the_routes_own_text() -> None:
    assert routes.match("POST", "/v1/messages") == routes.Route("messages", "/v1/messages")
    assert routes.match("POST", "/v1/messages?beta=true") == routes.Route("messages", "/v1/messages?beta=true")
    assert routes.match("POST", "/v1/messages/count_tokens") == routes.Route("count_tokens", "/v1/messages/count_tokens")
    assert routes.match("GET", "/v1/models?limit=20") == routes.Route("models", "/v1/models?limit=20")
    assert routes.match("GET", "/v1/models/claude-haiku-4-5") == routes.Route("model", "/v1/models/claude-haiku-4-5")
    assert routes.match("POST", "/services/gateway/v1/messages", "/services/gateway") == routes.Route("messages", "/v1/messages")
    assert routes.match("POST", "/services/other/v1/messages", "/services/gateway") is None
    assert all(routes.match(method, target) is None for method, target in TRICKS)


@pytest.mark.parametrize(("length", "extra", "expected"), [
    ("-1", "", 400),  # passed a 2 KB limit before, and the body was read until the client closed
    ("abc", "", 400),
    ("0x10", "", 400),
    ("99999999999999999999", "", 413),
    ("", "", 400),  # no Content-Length at all
    ("", "Transfer-Encoding: chunked\r\n", 400),
])
def test_bad_and_absurd_lengths_are_refused_without_reading_past_the_limit(
        gateway: Gateway, ledger: Ledger, upstream: StandIn, length: str, extra: str, expected: int) -> None:
    key = ledger.issue("ben")
    body = b"8\r\n" + b"x" * 8 + b"\r\n" if extra else b"x" * 100
    started = time.monotonic()
    answer = raw(gateway.url, request("POST", "/v1/messages", key, body, extra, length))  # the client never closes
    assert status(answer) == expected, answer[:300]
    assert time.monotonic() - started < 3, "answered at once, not after reading until the client gave up"
    assert upstream.requests == [] and ledger.entries() == 0
    assert status(raw(gateway.url, request("POST", "/v1/messages", key, BODY))) == 200, "and the gateway goes on"


def test_a_body_over_the_limit_gets_a_413_in_the_api_format(gateway: Gateway, ledger: Ledger, upstream: StandIn) -> None:
    answer = raw(gateway.url, request("POST", "/v1/messages", ledger.issue("cy"), b"x" * 5_000))
    assert status(answer) == 413 and "Request too large: 5,000 bytes" in error_of(answer)["message"]
    assert upstream.requests == []


def test_a_non_ascii_header_value_gets_a_400_not_a_dropped_connection(
        gateway: Gateway, ledger: Ledger, upstream: StandIn) -> None:
    key = ledger.issue("dee")
    probe = request("POST", "/v1/messages", key, BODY).replace(b"2023-06-01", "2023-06-01\u00e9".encode())
    answer = raw(gateway.url, probe)
    assert status(answer) == 400 and "not ASCII" in error_of(answer)["message"]
    with_key = request("POST", "/v1/messages", key + "\u00e9", BODY)
    assert status(raw(gateway.url, with_key)) == 400
    assert upstream.requests == []


def test_slow_clients_time_out_and_a_normal_learner_still_gets_answers(
        gateway: Gateway, ledger: Ledger, recordings: Path) -> None:
    key = ledger.issue("eve")
    slow = []
    for n in range(50):  # half stall in their headers, half in their body
        sock = socket.create_connection(gateway.url.removeprefix("http://").split(":"))  # type: ignore[arg-type]
        part = request("POST", "/v1/messages", key, BODY)
        sock.sendall(part[:30] if n % 2 else part[:-10])
        slow.append(sock)
    try:
        conversation = Conversation(client=client("live", recordings, gateway.url, key=key), max_tokens=20)
        started = time.monotonic()
        for turn in range(3):
            conversation.send(f"Still here? {turn}")
        assert time.monotonic() - started < 2.0
        time.sleep(2.5)  # past the gateway's idle and body timeouts (1 s here; 60 s by default)
        for sock in slow:
            sock.settimeout(2.0)
            try:
                while sock.recv(1000):  # whatever the server says (a 408 or nothing), it then closes the connection
                    pass
            except ConnectionResetError:
                pass
    finally:
        for sock in slow:
            sock.close()


def test_parallel_requests_never_take_a_learner_above_the_budget(ledger: Ledger) -> None:
    with StandIn(latency=0.2) as upstream, Gateway(ledger, upstream.url, REAL_KEY, in_flight=40) as gateway:
        key = ledger.issue("fay", budget_tokens=300)
        outcomes: list[int] = []

        def one() -> None:
            sdk = anthropic.Anthropic(api_key=key, base_url=gateway.url, max_retries=0)
            try:
                sdk.messages.create(model="claude-haiku-4-5", max_tokens=40, messages=[{"role": "user", "content": "Hi"}])
                outcomes.append(200)
            except anthropic.APIStatusError as error:
                outcomes.append(error.status_code)

        threads = [threading.Thread(target=one) for _ in range(24)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(set(outcomes)) == [200, 402], outcomes
    assert ledger.spent("fay")[1] <= 300, "all 24 at once: the worst cases reserved never pass the budget"
    assert ledger.entries() == outcomes.count(200)


def test_a_learner_has_at_most_a_few_requests_in_flight(ledger: Ledger) -> None:
    with StandIn(latency=0.3) as upstream, Gateway(ledger, upstream.url, REAL_KEY, in_flight=2) as gateway:
        key, outcomes = ledger.issue("gil"), list[int]()

        def one() -> None:
            sdk = anthropic.Anthropic(api_key=key, base_url=gateway.url, max_retries=0)
            try:
                sdk.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "Hi"}])
                outcomes.append(200)
            except anthropic.RateLimitError as error:
                assert "requests on their way" in str(error)
                outcomes.append(429)

        threads = [threading.Thread(target=one) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes.count(200) == 2 and outcomes.count(429) == 4, outcomes
        assert len([r for r in upstream.requests if r["path"] == "/v1/messages"]) == 2


class CutStream(BaseHTTPRequestHandler):
    """An upstream that streams thinking and tool-input JSON, then drops the connection without message_stop."""

    usage_delta: int | None = None  # output tokens a message_delta reports before the cut, if any

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""

    def do_POST(self) -> None:
        """About 2,000 tokens of thinking and 250 of tool input, then the cut."""
        self.rfile.read(int(self.headers["content-length"]))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("connection", "close")
        self.end_headers()
        start = {"type": "message_start", "message": {"id": "msg_cut", "type": "message", "role": "assistant",
                 "content": [], "model": "claude-haiku-4-5", "usage": {"input_tokens": 12, "output_tokens": 1}}}
        events = [start] + [{"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta",
                            "thinking": "Let me think about this step by step. " * 5}} for _ in range(40)]
        events += [{"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta",
                   "partial_json": '{"query": "' + "x" * 96}} for _ in range(10)]
        if self.usage_delta is not None:
            events.append({"type": "message_delta", "delta": {"stop_reason": None}, "usage": {"output_tokens": self.usage_delta}})
        for event in events:
            self.wfile.write(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode())
        self.wfile.flush()


@pytest.mark.parametrize("usage_delta", [None, 5000])
def test_a_cut_stream_bills_the_thinking_and_tool_input_it_carried(ledger: Ledger, usage_delta: int | None) -> None:
    handler = type("Cut", (CutStream,), {"usage_delta": usage_delta})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with Gateway(ledger, f"http://127.0.0.1:{server.server_port}", REAL_KEY) as gateway:
            body = {"model": "claude-haiku-4-5", "max_tokens": 8000, "stream": True, "messages": [{"role": "user", "content": "Think"}]}
            with httpx2.stream("POST", gateway.url + "/v1/messages", json=body, timeout=10,
                               headers={"x-api-key": ledger.issue("hal"), "anthropic-version": "2023-06-01"}) as answer:
                relayed = b"".join(answer.iter_raw())  # the learner reads to the cut
            assert relayed.count(b"thinking_delta") == 40 and b"message_stop" not in relayed
            deadline = time.monotonic() + 10
            while ledger.entries() != 1 or ledger.report()[0]["output_tokens"] == 8000:  # still the reservation
                assert time.monotonic() < deadline, "the cut stream was settled"
                time.sleep(0.02)
    finally:
        server.shutdown()
        server.server_close()
    import sqlite3

    with sqlite3.connect(ledger.path) as db:
        (state, tokens_in, tokens_out), = db.execute("SELECT status, input_tokens, output_tokens FROM usage").fetchall()
    assert state == "cut upstream" and tokens_in == 12
    seen = (40 * len("Let me think about this step by step. " * 5) + 10 * 107) // 4
    assert tokens_out >= (usage_delta or seen * 0.9), "billed for every thinking and tool-input delta received"
