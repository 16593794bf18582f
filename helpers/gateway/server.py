"""The gateway's HTTP server: the Messages API for learners, forwarded to the real API with the one real key."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx2

from ..config import LIVE_TIMEOUT_SECONDS
from ..reply import Usage
from ..serving import BackgroundServer
from .auth import Identify
from .fairshare import FairShare
from .ledger import Ledger

MAX_BODY = 4 * 1024 * 1024  # bytes a learner's request may carry (the kit's choice for a class; see the guide)
BUSY = (429, 529)  # upstream answers the gateway waits through, within its patience
FORWARDED = ("anthropic-version", "anthropic-beta", "content-type", "accept")
RELAYED = ("content-type", "request-id", "retry-after", "anthropic-ratelimit-requests-remaining")


class Gateway(BackgroundServer):
    """A key gateway on 127.0.0.1 (or `host`): one real key behind it, a ledger, a fair share of one rate limit."""

    owner_name = "gateway"

    def __init__(self, ledger: Ledger, upstream: str, real_key: str, *, hub_api_url: str | None = None,
                 rate: float | None = None, patience: float = 90.0, queue: int = 4, max_body: int = MAX_BODY,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        if not real_key:
            raise ValueError("The gateway needs the real API key: set CONVERSE_KIT_GATEWAY_KEY_FILE to a file holding it.")
        self.ledger, self.upstream, self._key = ledger, upstream.rstrip("/"), real_key
        self.identify = Identify(ledger, hub_api_url)
        self.share = FairShare(rate, patience=patience, queue=queue)
        super().__init__(host, port)
        self.patience, self.max_body = patience, max_body
        self.http = httpx2.Client(timeout=httpx2.Timeout(LIVE_TIMEOUT_SECONDS, connect=10.0))
        self.upstream_waits = 0  # busy upstream answers waited through

    def headers_for(self, incoming: Any) -> dict[str, str]:
        """The headers sent upstream: the learner's API version and betas, and the real key instead of theirs."""
        headers = {name: incoming[name] for name in FORWARDED if incoming.get(name)}
        headers["x-api-key"] = self._key  # the API's documented key header (docs.anthropic.com/en/api/overview)
        return headers

    def send_upstream(self, method: str, path: str, body: bytes | None, incoming: Any,
                      learner: str | None = None) -> httpx2.Response:
        """Send to the real API, waiting through busy answers (honouring retry-after) up to the patience.

        A learner's retry takes its turn in the fair share again, so retries never add to the class's rate.
        """
        deadline = time.monotonic() + self.patience
        while True:
            request = self.http.build_request(method, self.upstream + path, content=body, headers=self.headers_for(incoming))
            response = self.http.send(request, stream=True)
            pause = retry_after(response)
            if response.status_code not in BUSY or time.monotonic() + pause > deadline:
                return response
            response.close()
            self.upstream_waits += 1
            time.sleep(pause)
            if learner is not None:
                self.share.acquire(learner, patience=max(0.0, deadline - time.monotonic()))

    def stop(self) -> None:
        """Stop serving, free the port, and close the connection to the API."""
        super().stop()
        self.http.close()


def retry_after(response: httpx2.Response) -> float:
    """Seconds a busy answer asks to wait (at least a quarter second)."""
    try:
        return max(0.25, float(response.headers.get("retry-after", "")))
    except ValueError:
        return 1.0


def api_path(raw: str) -> str:
    """The API path of a request, without any prefix the hub's proxy adds (/services/gateway/v1/... -> /v1/...)."""
    return raw[raw.find("/v1/"):] if "/v1/" in raw else raw


class Tally:
    """What a streamed reply has used so far, read from its server-sent events as they pass."""

    def __init__(self) -> None:
        self.usage, self.text, self.finished, self._buffer = Usage(), "", False, b""

    def feed(self, chunk: bytes) -> None:
        """Read the complete events in a chunk (an event may span chunks)."""
        self._buffer += chunk
        *events, self._buffer = self._buffer.split(b"\n\n")
        for event in events:
            for line in event.split(b"\n"):
                if line.startswith(b"data:"):
                    self.read(json.loads(line[5:]))

    def read(self, data: dict[str, Any]) -> None:
        """Take the usage and text an event carries."""
        kind = data.get("type")
        if kind == "message_start":
            self.usage = Usage(**{k: int(v or 0) for k, v in data["message"]["usage"].items() if k in Usage.__dataclass_fields__})
        elif kind == "message_delta":
            fields = {k: int(v or 0) for k, v in data.get("usage", {}).items() if k in Usage.__dataclass_fields__}
            self.usage = Usage(**{**self.usage.__dict__, **fields})
        elif kind == "content_block_delta":
            self.text += str(data.get("delta", {}).get("text", ""))
        elif kind == "message_stop":
            self.finished = True

    def billed(self) -> Usage:
        """The usage to bill: as reported, or for a cut stream at least the text seen (about 4 characters a token)."""
        if self.finished:
            return self.usage
        return Usage(**{**self.usage.__dict__, "output_tokens": max(self.usage.output_tokens, len(self.text) // 4)})


class _Handler(BaseHTTPRequestHandler):
    """Answers one learner's request: who, how much, when, then forward and bill."""

    gateway: Gateway
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: no request line (and so no content) reaches a log."""

    def do_GET(self) -> None:
        """The models endpoints, for any learner of the class."""
        path = api_path(self.path)
        if self.who() is None:
            return
        if not path.startswith("/v1/models"):
            return self.error(404, "not_found_error", f"The class gateway does not serve {path}.")
        self.call("GET", path, None)

    def do_POST(self) -> None:
        """Messages (streamed or not) and count_tokens, after the size, key, budget and fair-share checks."""
        path, length = api_path(self.path), int(self.headers.get("content-length") or 0)
        if length > self.gateway.max_body:
            self.close_connection = True  # the body is not read: the connection cannot carry another request
            return self.error(413, "request_too_large", f"Request too large: {length:,} bytes; this class's gateway "
                              f"takes at most {self.gateway.max_body:,}. Shorten the conversation (see notebook 04).")
        name = self.who()
        body = self.rfile.read(length)
        if name is None:
            return
        if path.startswith("/v1/messages/count_tokens"):
            self.call("POST", path, body)
            return
        if path.rstrip("/") != "/v1/messages":
            return self.error(404, "not_found_error", f"The class gateway does not serve {path}.")
        learner = self.gateway.ledger.learner(name)
        over = learner and self.gateway.ledger.over_budget(learner)
        if over:
            return self.error(402, "billing_error", f"Class budget used up: you have used your {over} for this "
                              "class, so nothing was sent. Ask your teacher to raise your budget.")
        why = self.gateway.share.acquire(name)
        if why is not None:
            return self.error(429, "rate_limit_error", "Class rate limit: " + (
                "you already have requests waiting; wait for their replies before sending more." if why == "queue" else
                f"the class is busy and your turn did not come within {self.gateway.patience:g} s. Run the cell again."))
        self.forward(name, body)

    def who(self) -> str | None:
        """The learner behind the request, or None after answering the refusal."""
        verdict = self.gateway.identify({k.lower(): v for k, v in self.headers.items()})
        if verdict.learner is None:
            self.error(verdict.status, verdict.error_type, verdict.message)
        return verdict.learner

    def call(self, method: str, path: str, body: bytes | None, *, relay: bool = True,
             learner: str | None = None) -> httpx2.Response | None:
        """Send upstream; relay the answer (or keep it for the caller); answer 502 when the API cannot be reached."""
        try:
            upstream = self.gateway.send_upstream(method, path, body, self.headers, learner)
        except httpx2.TransportError as error:
            self.error(502, "api_error", f"The class gateway could not reach the API ({type(error).__name__}). "
                       "Run the cell again in a minute; tell your teacher if it keeps happening.")
            return None
        if relay:
            self.relay(upstream)
        return upstream

    def forward(self, learner: str, body: bytes) -> None:
        """Send a messages request upstream, bill it once, then let the learner have the end of the reply."""
        try:
            request: dict[str, Any] = json.loads(body)
        except ValueError:
            request = {}
        upstream = self.call("POST", "/v1/messages", body, relay=False, learner=learner)
        if upstream is None:
            return
        if upstream.status_code != 200:
            return self.relay(upstream)
        tally, billed = Tally(), list[str]()

        def bill(status: str) -> None:
            """Write the ledger entry (committed before the learner sees the reply end), at most once."""
            if billed:
                return
            billed.append(status)
            content = json.dumps({"messages": request.get("messages", [])[-1:], "reply": tally.text})
            self.gateway.ledger.record(f"gw_{uuid.uuid4().hex}", learner, str(request.get("model", "?")),
                                       tally.billed(), status, content, upstream.headers.get("request-id"))

        if upstream.headers.get("content-type", "").startswith("text/event-stream"):
            bill(self.relay_stream(upstream, tally, bill))
            return
        payload = upstream.read()
        try:
            reply = json.loads(payload)
            tally.read({"type": "message_start", "message": reply})
            tally.text, tally.finished = "".join(b.get("text", "") for b in reply.get("content", [])), True
            bill("complete")
        except (ValueError, KeyError, TypeError, AttributeError):
            bill("unreadable")
        self.relay(upstream, payload)

    def relay(self, upstream: httpx2.Response, payload: bytes | None = None) -> None:
        """Pass a complete upstream answer to the learner."""
        payload = upstream.read() if payload is None else payload
        upstream.close()
        self.send_response(upstream.status_code)
        for name in RELAYED:
            if upstream.headers.get(name):
                self.send_header(name, upstream.headers[name])
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def relay_stream(self, upstream: httpx2.Response, tally: Tally, bill: Callable[[str], None]) -> str:
        """Pass a stream on as it arrives, billing before the last event; say how it ended."""
        self.send_response(200)
        for name in RELAYED:
            if upstream.headers.get(name):
                self.send_header(name, upstream.headers[name])
        self.send_header("connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for chunk in upstream.iter_raw():
                tally.feed(chunk)
                if tally.finished:
                    bill("complete")
                self.wfile.write(chunk)
                self.wfile.flush()
        except httpx2.HTTPError:
            return "cut upstream"
        except (BrokenPipeError, ConnectionResetError):
            return "left by the learner"
        finally:
            upstream.close()
        return "complete" if tally.finished else "cut upstream"

    def error(self, status: int, error_type: str, message: str) -> None:
        """Answer in the API's error format, telling the SDK not to retry (the message says what to do)."""
        payload = json.dumps({"type": "error", "error": {"type": error_type, "message": message},
                              "request_id": f"gw_{uuid.uuid4().hex[:16]}"}).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.send_header("x-should-retry", "false")
        self.end_headers()
        self.wfile.write(payload)


Gateway.handler = _Handler  # the request handler is defined after the server it belongs to
