"""A local stand-in of the Anthropic Messages API on 127.0.0.1, for tests, authoring and offline demos.

Behaviours, each with its source (values in helpers/api_facts.py; "guess" marks the kit's own):
- needs model, messages, max_tokens; accepts max_tokens=0 (SDK docstring), answering no content, max_tokens (guess);
- combines consecutive user or assistant turns into one turn (SDK messages docstring);
- refuses empty content except a final assistant message (the wording is a guess);
- role "system" messages only on models that support them, right after a user turn (docs: what's new in Claude
  Opus 4.8; error text a guess); prefill only where supported, else "Prefill not supported" (migration guide, 4.6);
- prompt caching billed by the docs' rules (helpers/memory/caching.py): per-model minimum, top-level and explicit
  breakpoints (at most 4), 5-minute and 1-hour TTLs, all cache fields in usage, JSON and streams (whole messages: guess);
- a prompt over the context window gets a 400 "prompt is too long"; a reply that would overflow it stops with
  model_context_window_exceeded (SDK StopReason docstring); every field the SDK's types declare (wire.py);
- content blocks, stop sequences, tool use and thinking (with signatures) answered and checked as in replies.py;
- structured outputs: JSON valid against its schema; tool_choice and thinking display as in choices.py (an impossible
  sample answered with a loud 500); every answer says it is the stand-in's, so a live-mode reply is labelled a sample.
Token counts are the kit's bill (helpers/api/bill.py): documented formulas for images, tools and thinking, and about
4 characters a token for text (an estimate, not the API's tokenizer); count_tokens and usage use the same bill.
Message threads (beta) are not modelled: the stand-in keeps no thread (helpers.api.bill.thread_turn_tokens bills one offline).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

from ..answers import STANDIN_VIA, VIA_HEADER
from ..api.edits import edited
from ..api.models import context_window, model_info
from ..api_facts import FALLBACK_CONTEXT_WINDOW
from ..history import last_user_text as _shortened
from ..memory import (
    PromptCache,
    TooManyBreakpoints,
    estimate_request_tokens,
    request_blocks,
    usage_fields,
)
from ..serving import BackgroundServer
from .choices import ImpossibleReply
from .context import diagnosis, finish
from .faults import NOT_A_MESSAGE, Fault
from .replies import Raw, answer, default_blocks
from .rules import check, combined
from .structured import authoring_failure, authoring_problem, fitted
from .wire import beta, chunks, cut, message, sse, stream_events, usage

__all__ = ["Fault", "StandIn", "chunks", "cut", "model_info", "sse", "stream_events"]
Reply = Callable[[dict[str, Any]], Raw]  # text, content blocks, or {"content": [...], "stop_reason": ...}
MODELS = ("claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-7", "claude-opus-4-8")
CONTEXT_WINDOW = FALLBACK_CONTEXT_WINDOW.value  # input tokens the stand-in accepts for a model without Models API data
SECRET_HEADERS = ("authorization", "x-api-key")


def last_user_text(body: dict[str, Any]) -> str:
    """The last user message of a request, in full."""
    return _shortened(body, width=1_000_000)


def window_of(model: str) -> int:
    """The input tokens the stand-in accepts for a model: its context window from the Models API data."""
    return context_window(model) or CONTEXT_WINDOW


def counted(body: dict[str, Any]) -> int:
    """count_tokens: the bill of the request as the messages endpoint would see it (consecutive turns combined)."""
    messages = body.get("messages")
    return estimate_request_tokens({**body, "messages": combined(messages) if isinstance(messages, list) else []})


def default_reply(body: dict[str, Any]) -> Raw:
    """A deterministic reply that echoes the start of the last user message (with tools: a call of the first one)."""
    return fitted(body, default_blocks(body, f"Stand-in reply to: {last_user_text(body)[:60]}"))


class StandIn(BackgroundServer):
    """A local stand-in of the Messages API on 127.0.0.1, for tests and offline demos."""

    owner_name, poll_interval = "standin", 0.02

    def __init__(self, reply: Reply | None = None, *, port: int = 0, rate_limit: float | None = None,
                 retry_after: float = 0.2, latency: float = 0.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.reply = reply or default_reply
        self.cache, self.clock = PromptCache(), clock
        super().__init__(port=port)
        self.rate_limit, self.retry_after, self.latency = rate_limit, retry_after, latency
        self.requests: list[dict[str, Any]] = []
        self.answered: dict[str, dict[str, Any]] = {}  # each reply's id and the body it answered (cache diagnostics)
        self.authoring_errors: list[str] = []  # authored replies that do not fit their request (structured.py)
        self._faults: deque[Fault] = deque()
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

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
            return self.json(200, {"input_tokens": counted(body)})
        if not self.path.startswith("/v1/messages"):
            return self.error(404, "not_found_error", f"No such endpoint: {self.path}")
        betas = tuple(b.strip() for b in (self.headers.get("anthropic-beta") or "").split(",") if b.strip())
        problem = check(body, betas)
        if problem:
            return self.error(400, "invalid_request_error", problem[0], details=problem[1])
        if body["model"] not in MODELS:
            return self.error(404, "not_found_error", f"model: {body['model']}")
        body = {**body, "messages": combined(body["messages"])}  # a prompt over the window: the rulebook's context.window
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
        sent, result = body, edited(body)  # what the client sent; what the model reads after context management
        body = result.body
        try:  # the error text is the API's as third-party reports quote it (a guess)
            cache = self.standin.cache.bill(body["model"], request_blocks(body), self.standin.clock())
        except TooManyBreakpoints as error:
            return self.error(400, "invalid_request_error", str(error))
        try:
            content, stops, spoken = answer(self.standin.reply(sent), body, window_of(body["model"]) - estimate_request_tokens(body))
        except ImpossibleReply as error:  # a sample the API could never send: loud, for its author (choices.py)
            return self.error(500, "api_error", f"Stand-in: the reply written for this request is impossible: {error}. Fix the sample.")
        problem = authoring_problem(sent, content, stops["stop_reason"])  # structured outputs: JSON, strict tool inputs
        if problem:
            return authoring_failure(self, problem)
        if fault and fault.kind == "blank":  # a complete reply whose text is only whitespace
            content = [{"type": "text", "text": " \n ", "citations": None}]
        digest = hashlib.sha256(json.dumps(sent, sort_keys=True).encode()).hexdigest()[:20]
        # the same request always gets the same id, so recordings are stable
        stop = stops.pop("stop_reason")
        reply = message(f"msg_standin_{digest}", body["model"], content, stop, usage(usage_fields(cache), spoken), **stops)
        asked = bool(body.get("context_management"))  # applied_edits only answer a request that asked for edits
        reply = finish(beta(reply), result, asked) if self.headers.get("anthropic-beta") else reply  # beta: a BetaMessage
        reply["diagnostics"] = diagnosis(body, self.standin.answered.get(str((body.get("diagnostics") or {}).get("previous_message_id"))))
        self.standin.answered[reply["id"]] = body
        if fault and fault.kind == "empty":  # a complete reply with no content, its output tokens still billed
            reply["content"] = []
        if not body.get("stream"):
            if fault and fault.kind == "drop_stream":
                self.close_connection = True
                return
            return self.send(200, "application/json", json.dumps(reply).encode(), digest)
        self.stream(reply, fault, digest)

    def stream(self, reply: dict[str, Any], fault: Fault | None, number: str) -> None:
        """Send the reply as server-sent events, flushing each so the client sees them arrive."""
        events = stream_events(reply)
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

    def end_headers(self) -> None:
        """Every answer says what answered it (the replies' label reads it: helpers/wire.py)."""
        self.send_header(VIA_HEADER, STANDIN_VIA)
        super().end_headers()

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

    def error(self, status: int, error_type: str, message: str, retry_after: float | None = None,
              details: dict[str, Any] | None = None) -> None:
        """Send an error in the API's format (with what else its error object carries, such as `details`)."""
        number = self.standin.next_id()
        data = {"type": "error", "error": {"type": error_type, "message": message, **(details or {})},
                "request_id": f"req_standin_{number}"}
        self.send(status, "application/json", json.dumps(data).encode(), number, retry_after)


StandIn.handler = _Handler  # the request handler is defined after the server it belongs to
