"""One learner's request on the gateway: exact route, bounded body, who, budget reserved, forwarded, settled."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import httpx2
from tornado.iostream import StreamClosedError
from tornado.web import RequestHandler, stream_request_body

from ..answers import VIA_HEADER
from ..memory import estimate_request_tokens
from ..reply import Usage
from . import routes
from .tally import Tally

if TYPE_CHECKING:
    from .server import Gateway

RELAYED = ("content-type", "request-id", "retry-after", "anthropic-ratelimit-requests-remaining")


@stream_request_body
class Api(RequestHandler):
    """The whole gateway for one request; every refusal is in the API's error format and nothing refused is sent."""

    gateway: Gateway
    route: routes.Route | None = None
    learner: str | None = None

    def initialize(self, gateway: Gateway) -> None:
        """Keep the gateway this handler serves."""
        self.gateway, self.body = gateway, bytearray()

    async def prepare(self) -> None:
        """Check the target, the headers and the declared length before any of the body is read."""
        request = self.request
        self.set_header(VIA_HEADER, self.gateway.via)  # the learner's replies are labelled with it
        self.route = routes.match(request.method or "", request.uri or "", self.gateway.prefix)
        if self.route is None:
            return self.error(404, "not_found_error", f"The class gateway does not serve {request.method} "
                              f"{(request.uri or '')[:200]!r}. It serves POST /v1/messages, POST /v1/messages/"
                              "count_tokens, GET /v1/models and GET /v1/models/{id}.")
        if not all(value.isascii() for _, value in request.headers.get_all()):
            return self.error(400, "invalid_request_error", "A request header holds a character that is not ASCII; "
                              "the class gateway takes ASCII header values only. Check the key in your .env.")
        if request.method == "POST" and not self.length_ok():
            return
        verdict = await self.gateway.identify({k.lower(): v for k, v in request.headers.get_all()}, self.gateway.blocking)
        if verdict.learner is None:
            return self.error(verdict.status, verdict.error_type, verdict.message)
        self.learner = verdict.learner

    def length_ok(self) -> bool:
        """A POST's Content-Length: present, a whole number, within the limit (else answered here)."""
        headers = self.request.headers
        if "Transfer-Encoding" in headers:
            self.error(400, "invalid_request_error", "The class gateway takes request bodies with a Content-Length, "
                       "not chunked ones (the Anthropic SDK sends a Content-Length).")
            return False
        length = headers.get("Content-Length", "")
        if not length.isdigit():
            self.error(400, "invalid_request_error", "The request has no valid Content-Length; send the body with "
                       "its length in bytes (the Anthropic SDK does).")
            return False
        if int(length) > self.gateway.max_body:
            self.error(413, "request_too_large", f"Request too large: {int(length):,} bytes; this class's gateway "
                       f"takes at most {self.gateway.max_body:,}. Shorten the conversation (see notebook 04).")
            return False
        return True

    def data_received(self, chunk: bytes) -> None:
        """Collect the body (Tornado stops reading at the declared length and at max_body_size)."""
        if not self._finished:
            self.body += chunk

    async def get(self, *args: str) -> None:
        """The models endpoints, free for any learner of the class."""
        await self.plain()

    async def post(self, *args: str) -> None:
        """Messages are reserved, forwarded and settled; count_tokens is forwarded free."""
        if self.route is not None and self.route.name == "messages":
            await self.gateway.messages(self, bytes(self.body))
        else:
            await self.plain()

    async def plain(self) -> None:
        """Forward a free request (models, count_tokens) and relay its answer."""
        assert self.route is not None
        upstream = await self.gateway.send("GET" if self.request.method == "GET" else "POST", self.route.upstream,
                                           bytes(self.body) if self.request.method == "POST" else None,
                                           self.request.headers)
        if upstream is None:
            return self.unreachable()
        try:
            payload = await upstream.aread()
        except httpx2.HTTPError:
            return self.unreachable()
        finally:
            await upstream.aclose()
        self.relay(upstream, payload)

    def relay(self, upstream: httpx2.Response, payload: bytes) -> None:
        """Pass a complete upstream answer to the learner."""
        self.set_status(upstream.status_code)
        self.relay_headers(upstream)
        self.finish(payload)

    def relay_headers(self, upstream: httpx2.Response) -> None:
        """Copy the upstream headers a learner's SDK reads."""
        self.clear_header("Content-Type")
        for name in RELAYED:
            if upstream.headers.get(name):
                self.set_header(name, upstream.headers[name])

    async def stream(self, upstream: httpx2.Response, tally: Tally, settle: Any) -> str:
        """Pass a stream on as it arrives, settling before the last event goes out; say how it ended."""
        self.set_status(200)
        self.relay_headers(upstream)
        try:
            async for chunk in upstream.aiter_raw():
                tally.feed(chunk)
                if tally.finished:
                    await settle("complete")
                self.write(chunk)
                await self.flush()
        except httpx2.HTTPError:
            return "cut upstream"
        except StreamClosedError:
            return "left by the learner"
        finally:
            await upstream.aclose()
        return "complete" if tally.finished else "cut upstream"

    def unreachable(self) -> None:
        """The 502 for an API the gateway could not reach."""
        self.error(502, "api_error", "The class gateway could not reach the API. Run the cell again in a minute; "
                   "tell your teacher if it keeps happening.")

    def error(self, status: int, error_type: str, message: str) -> None:
        """Answer in the API's error format, telling the SDK not to retry (the message says what to do)."""
        if self._finished:
            return
        self.set_status(status)
        self.clear_header("Content-Type")
        self.set_header(VIA_HEADER, self.gateway.via)
        self.set_header("content-type", "application/json")
        self.set_header("x-should-retry", "false")
        if status in (400, 413):
            self.set_header("connection", "close")  # the rest of the body is never read (Tornado closes after this answer)
        self.finish(json.dumps({"type": "error", "error": {"type": error_type, "message": message},
                                "request_id": f"gw_{uuid.uuid4().hex[:16]}"}))

    def log_exception(self, *args: Any) -> None:
        """Stay quiet about the request (its content never reaches a log); Tornado answers 500."""

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Tornado's own errors (a body over max_body_size, a crash) in the API's error format."""
        self.error(status_code, "api_error" if status_code >= 500 else "invalid_request_error",
                   f"The class gateway could not handle this request ({status_code}). Tell your teacher if it keeps "
                   "happening.")


def worst_case(request: dict[str, Any]) -> Usage:
    """A request's worst case to reserve: the kit's input estimate, plus all of max_tokens as output."""
    return Usage(input_tokens=estimate_request_tokens(request), output_tokens=int(request["max_tokens"]))


def request_json(body: bytes) -> dict[str, Any] | str:
    """A messages request body as JSON, or why the gateway cannot reserve it."""
    try:
        request = json.loads(body)
    except ValueError:
        return "The request body is not JSON."
    if not isinstance(request, dict):
        return "The request body is not a JSON object."
    tokens = request.get("max_tokens")
    if not isinstance(tokens, int) or isinstance(tokens, bool) or tokens < 1:
        return "max_tokens must be a whole number above 0 (the class gateway reserves it against your budget)."
    return request
