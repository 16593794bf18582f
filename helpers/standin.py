"""A local stand-in of the Anthropic Messages API on 127.0.0.1, for tests, authoring and offline demos."""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from .recordings import last_user_text as _shortened
from .tokens import estimate_request_tokens, estimate_tokens

Reply = Callable[[dict[str, Any]], str]
MODELS = ("claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-7")
CONTEXT_WINDOW = 200_000  # input tokens the stand-in accepts, like the API's models
SECRET_HEADERS = ("authorization", "x-api-key")


@dataclass
class Fault:
    """One injected failure, applied to the next request(s)."""

    kind: Literal["status", "drop_stream", "error_event", "slow", "malformed", "blank", "empty", "html", "proxy_json"]
    status: int = 500
    error_type: str = "api_error"
    message: str = "Internal server error"
    retry_after: float | None = None
    delay: float = 0.0
    times: int = 1


NOT_A_MESSAGE = {  # 200 answers that are not a Message, as a captive portal or a proxy sends them
    "html": ("text/html", b"<html><head><title>Sign in to Cafe Wi-Fi</title></head><body>Accept the terms</body></html>"),
    "proxy_json": ("application/json", b'{"status": "ok", "proxy": "corporate-gateway"}'),
}


def last_user_text(body: dict[str, Any]) -> str:
    """The last user message of a request, in full."""
    return _shortened(body, width=1_000_000)


def default_reply(body: dict[str, Any]) -> str:
    """A deterministic reply that echoes the start of the last user message."""
    return f"Stand-in reply to: {last_user_text(body)[:60]}"


def cut(text: str, max_tokens: int) -> tuple[str, str]:
    """The text cut to max_tokens (at a word boundary), and the stop reason."""
    if estimate_tokens(text) <= max_tokens:
        return text, "end_turn"
    head = text[: max_tokens * 4]
    return (head.rsplit(" ", 1)[0] if " " in head else head), "max_tokens"


def chunks(text: str, words: int = 3) -> list[str]:
    """Split a text into pieces of a few words that join back to the exact text."""
    parts = text.split(" ")
    return [" ".join(parts[i : i + words]) + (" " if i + words < len(parts) else "") for i in range(0, len(parts), words)]


def sse(event: str, data: dict[str, Any]) -> bytes:
    """One server-sent event with its `event:` line and the blank line after it."""
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


class StandIn:
    """A local stand-in of the Messages API on 127.0.0.1, for tests and offline demos."""

    def __init__(self, reply: Reply | None = None, *, port: int = 0, rate_limit: float | None = None,
                 retry_after: float = 0.2, latency: float = 0.0) -> None:
        self.reply = reply or default_reply
        self.port, self.rate_limit, self.retry_after, self.latency = port, rate_limit, retry_after, latency
        self.requests: list[dict[str, Any]] = []
        self.url = ""
        self._faults: deque[Fault] = deque()
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    def inject(self, fault: Fault) -> None:
        """Queue a fault for the next request(s)."""
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        """Forget every queued fault: the API is healthy again."""
        with self._lock:
            self._faults.clear()

    def next_id(self) -> int:
        """A new number for message and request ids."""
        with self._lock:
            return next(self._ids)

    def take_fault(self) -> Fault | None:
        """The fault to apply to this request, if any (each applies `times` times)."""
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            fault.times -= 1
            if fault.times <= 0:
                self._faults.popleft()
            return fault

    def over_rate(self) -> bool:
        """Whether this request goes over the shared per-second rate limit."""
        if self.rate_limit is None:
            return False
        now = time.monotonic()
        with self._lock:
            while self._recent and now - self._recent[0] > 1.0:
                self._recent.popleft()
            if len(self._recent) >= self.rate_limit:
                return True
            self._recent.append(now)
            return False

    def start(self) -> StandIn:
        """Start serving in a background thread."""
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> StandIn:
        """Start on entering a with block."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop on leaving a with block."""
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    """Answers one request like the Messages API would."""

    standin: StandIn
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def do_GET(self) -> None:
        """Answer the models endpoints (status and slow faults apply here too)."""
        self.note(None)
        if self.apply_fault()[1]:
            return
        if self.path.split("?")[0].rstrip("/") == "/v1/models":
            data = [model_info(m) for m in MODELS]
            self.json(200, {"data": data, "has_more": False, "first_id": MODELS[0], "last_id": MODELS[-1]})
        elif self.path.startswith("/v1/models/"):
            model = self.path.split("?")[0].split("/")[-1]
            if model not in MODELS:
                return self.error(404, "not_found_error", f"model: {model}")
            self.json(200, model_info(model))
        else:
            self.error(404, "not_found_error", f"No such endpoint: {self.path}")

    def do_POST(self) -> None:
        """Answer messages and count_tokens, applying any queued fault."""
        length = int(self.headers.get("content-length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self.error(400, "invalid_request_error", "The request body is not valid JSON.")
        self.note(body)
        if self.standin.over_rate():
            return self.error(429, "rate_limit_error", "Rate limit exceeded.", self.standin.retry_after)
        fault, answered = self.apply_fault()
        if answered:
            return
        if self.path.startswith("/v1/messages/count_tokens"):
            return self.json(200, {"input_tokens": estimate_request_tokens(body)})
        if not self.path.startswith("/v1/messages"):
            return self.error(404, "not_found_error", f"No such endpoint: {self.path}")
        problem = invalid(body)
        if problem:
            return self.error(400, "invalid_request_error", problem)
        if body["model"] not in MODELS:
            return self.error(404, "not_found_error", f"model: {body['model']}")
        size = estimate_request_tokens(body)
        if size > CONTEXT_WINDOW:
            return self.error(400, "invalid_request_error", f"prompt is too long: {size} tokens > {CONTEXT_WINDOW} maximum")
        time.sleep(self.standin.latency)
        self.answer(body, fault)

    def apply_fault(self) -> tuple[Fault | None, bool]:
        """Take the next fault: sleep for a slow one, answer a status one; say whether it answered."""
        fault = self.standin.take_fault()
        if fault and fault.kind == "slow":
            time.sleep(fault.delay)
        elif fault and fault.kind == "status":
            self.error(fault.status, fault.error_type, fault.message, fault.retry_after)
            return fault, True
        return fault, False

    def note(self, body: Any) -> None:
        """Remember the request, with secret header values redacted."""
        headers = {k.lower(): ("<redacted>" if k.lower() in SECRET_HEADERS else v) for k, v in self.headers.items()}
        self.standin.requests.append({"method": self.command, "path": self.path, "headers": headers, "body": body})

    def answer(self, body: dict[str, Any], fault: Fault | None) -> None:
        """Answer a valid messages request as JSON or as an SSE stream."""
        if fault and fault.kind == "malformed":
            return self.send(200, "application/json", b'{"id": "msg_broken", "type": "mess')
        if fault and fault.kind in NOT_A_MESSAGE:  # a captive portal's page, a proxy's JSON
            return self.send(200, *NOT_A_MESSAGE[fault.kind])
        text, stop = cut(self.standin.reply(body), int(body["max_tokens"]))
        text = " \n " if fault and fault.kind == "blank" else text  # a complete reply whose text is only whitespace
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:20]
        message = {
            "id": f"msg_standin_{digest}",  # the same request always gets the same id, so recordings are stable
            "type": "message", "role": "assistant", "model": body["model"],
            "content": [] if fault and fault.kind == "empty" else [{"type": "text", "text": text}], "stop_reason": stop, "stop_sequence": None,
            "usage": {"input_tokens": estimate_request_tokens(body), "output_tokens": estimate_tokens(text),
                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
        }
        if not body.get("stream"):
            if fault and fault.kind == "drop_stream":
                self.close_connection = True
                return
            return self.send(200, "application/json", json.dumps(message).encode(), digest)
        self.stream(message, fault, digest)

    def stream(self, message: dict[str, Any], fault: Fault | None, number: str) -> None:
        """Send the reply as server-sent events, flushing each so the client sees them arrive."""
        events = stream_events(message)
        if fault and fault.kind == "error_event":
            events = events[:1] + [sse("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})]
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("request-id", f"req_standin_{number}")
        self.send_header("connection", "close")
        self.end_headers()
        self.close_connection = True
        if fault and fault.kind == "drop_stream":
            events = events[: len(events) // 2]
        try:
            for event in events:
                self.wfile.write(event)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the client stopped reading (a learner pressed Stop): nothing more to send
        if fault and fault.kind == "drop_stream":
            self.connection.shutdown(2)  # end abruptly, as a dropped connection would

    def send(self, status: int, content_type: str, payload: bytes, number: int | str | None = None,
             retry_after: float | None = None) -> None:
        """Send a complete response with its length and a request id."""
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        self.send_header("request-id", f"req_standin_{number or self.standin.next_id()}")
        if retry_after is not None:
            self.send_header("retry-after", str(retry_after))
        self.end_headers()
        self.wfile.write(payload)

    def json(self, status: int, data: Any) -> None:
        """Send a JSON response."""
        self.send(status, "application/json", json.dumps(data).encode())

    def error(self, status: int, error_type: str, message: str, retry_after: float | None = None) -> None:
        """Send an error in the API's format."""
        number = self.standin.next_id()
        data = {"type": "error", "error": {"type": error_type, "message": message}, "request_id": f"req_standin_{number}"}
        self.send(status, "application/json", json.dumps(data).encode(), number, retry_after)


def invalid(body: Any) -> str | None:
    """Why a messages request is invalid, as the API would say, or None."""
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    for field in ("model", "messages", "max_tokens"):
        if field not in body:
            return f"{field}: Field required"
    if not isinstance(body["max_tokens"], int) or body["max_tokens"] < 1:
        return "max_tokens: must be greater than or equal to 1"
    return None


def stream_events(message: dict[str, Any]) -> list[bytes]:
    """The SSE events of a message, in the order the API sends them."""
    start = {**message, "content": [], "stop_reason": None, "usage": {**message["usage"], "output_tokens": 1}}
    text = message["content"][0]["text"] if message["content"] else ""
    deltas = [sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                         "delta": {"type": "text_delta", "text": piece}}) for piece in chunks(text)]
    block = [
        sse("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        sse("ping", {"type": "ping"}),
        *deltas,
        sse("content_block_stop", {"type": "content_block_stop", "index": 0}),
    ] if message["content"] else []  # empty content: no block at all
    return [
        sse("message_start", {"type": "message_start", "message": start}),
        *block,
        sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                              "usage": {"output_tokens": message["usage"]["output_tokens"]}}),
        sse("message_stop", {"type": "message_stop"}),
    ]


def model_info(model: str) -> dict[str, Any]:
    """A ModelInfo-shaped description of a model."""
    return {"type": "model", "id": model, "display_name": model.replace("-", " ").title(),
            "created_at": "2025-10-01T00:00:00Z", "max_input_tokens": CONTEXT_WINDOW, "max_tokens": 64_000}


def main(argv: list[str] | None = None) -> int:
    """Run the stand-in in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m helpers.standin", description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--rate-limit", type=float, default=None, help="requests per second before answering 429")
    args = parser.parse_args(argv)
    with StandIn(port=args.port, rate_limit=args.rate_limit) as server:
        print(f"Stand-in API at {server.url}. In another shell:\n"
              f"  export ANTHROPIC_BASE_URL={server.url} ANTHROPIC_API_KEY=any-dummy-value CONVERSE_KIT_MODE=live")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
