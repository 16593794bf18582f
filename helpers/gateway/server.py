"""The gateway's server: Tornado (the server Jupyter and JupyterHub run on), forwarding to the real API with the one key.

Tornado bounds what a client may hold: header size, body size, and how long a connection may sit idle or take to send
its headers and body, so slow clients time out without holding up anyone else (each waits on the event loop, not on a
thread). Blocking work (the SQLite ledger, the fair share's wait) runs on a thread pool of its own.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Self

import httpx2
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets
from tornado.web import Application

from ..config import LIVE_TIMEOUT_SECONDS
from .auth import Identify
from .fairshare import FairShare
from .handler import Api, request_json, worst_case
from .ledger import Ledger
from .tally import Tally

MAX_BODY = 4 * 1024 * 1024  # bytes a learner's request may carry (the kit's choice for a class; see the guide)
MAX_HEADERS = 64 * 1024  # bytes of request line and headers (the SDK sends about 1 KB)
IDLE_SECONDS = 60.0  # a connection may wait this long for its next request, or to send its headers
BODY_SECONDS = 60.0  # and this long to send its body
IN_FLIGHT = 4  # requests one learner may have on their way at once (the kit's choice)
BUSY = (429, 529)  # upstream answers the gateway waits through, within its patience
FORWARDED = ("anthropic-version", "anthropic-beta", "content-type", "accept")


class Gateway:
    """A key gateway on 127.0.0.1 (or `host`): one real key behind it, a ledger, a fair share of one rate limit."""

    def __init__(self, ledger: Ledger, upstream: str, real_key: str, *, hub_api_url: str | None = None,
                 hub_token: str = "", rate: float | None = None, patience: float = 90.0, queue: int = 4,
                 in_flight: int = IN_FLIGHT, max_body: int = MAX_BODY, host: str = "127.0.0.1", port: int = 0,
                 prefix: str = "", idle_seconds: float = IDLE_SECONDS, body_seconds: float = BODY_SECONDS) -> None:
        if not real_key:
            raise ValueError("The gateway needs the real API key: set CONVERSE_KIT_GATEWAY_KEY_FILE to a file holding it.")
        self.ledger, self.upstream, self._key = ledger, upstream.rstrip("/"), real_key
        self.identify = Identify(ledger, hub_api_url, hub_token)
        self.share = FairShare(rate, patience=patience, queue=queue)
        self.patience, self.max_body, self.in_flight, self.prefix = patience, max_body, in_flight, prefix.rstrip("/")
        self.host, self.port, self.url = host, port, ""
        self.timeouts = (idle_seconds, body_seconds)
        real = httpx2.URL(self.upstream).host == "api.anthropic.com"
        self.via = "the class gateway" + ("" if real else f", from {self.upstream} (a rehearsal: not the Anthropic API)")
        self.flying: dict[str, int] = {}  # requests on their way, per learner (touched only on the event loop)
        self.upstream_waits = 0  # busy upstream answers waited through
        self._pool = ThreadPoolExecutor(max_workers=128, thread_name_prefix="gateway")
        self._loop: IOLoop | None = None
        self._thread: threading.Thread | None = None
        self.http: httpx2.AsyncClient | None = None

    def start(self) -> Self:
        """Start serving from a background thread with its own event loop; `url` then says where.

        Raises what stopped it from starting (a port in use, say) instead of waiting for it forever.
        """
        ready, failed = threading.Event(), list[Exception]()
        self._thread = threading.Thread(target=self._serve, args=(ready, failed), daemon=True, name="gateway-loop")
        self._thread.start()
        if not ready.wait(timeout=30):
            failed.append(RuntimeError("The gateway did not start within 30 s."))
        if failed:
            self._thread = None
            raise failed[0]
        return self

    def _serve(self, ready: threading.Event, failed: list[Exception]) -> None:
        """The event loop's thread: bind, serve until stopped, then close every connection."""
        asyncio.set_event_loop(asyncio.new_event_loop())
        self._loop = loop = IOLoop.current()
        try:
            server = self._listen()
        except Exception as error:  # handed to start(), which raises it
            failed.append(error)
            self._loop = None
            loop.close(all_fds=True)
            return
        finally:
            ready.set()
        loop.start()
        server.stop()
        loop.run_sync(self._close, timeout=5)
        loop.close(all_fds=True)

    def _listen(self) -> HTTPServer:
        """Bind the server to the host and port; `url` then says where."""
        self.http = httpx2.AsyncClient(timeout=httpx2.Timeout(LIVE_TIMEOUT_SECONDS, connect=10.0))
        app = Application([(r".*", Api, {"gateway": self})], compress_response=False, log_function=quiet)
        idle, body = self.timeouts
        server = HTTPServer(app, max_body_size=self.max_body, max_header_size=MAX_HEADERS, max_buffer_size=self.max_body + MAX_HEADERS,
                            idle_connection_timeout=idle, body_timeout=body)
        sockets = bind_sockets(self.port, self.host)
        server.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])
        self.url = f"http://{self.host}:{self.port}"
        return server

    async def _close(self) -> None:
        """Close the connection to the API."""
        if self.http is not None:
            await self.http.aclose()

    def stop(self) -> None:
        """Stop serving, free the port, and close the connection to the API."""
        if self._loop is not None and self._thread is not None:
            self._loop.add_callback(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop, self._thread = None, None
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> Self:
        """Start on entering a with block."""
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        """Stop on leaving a with block."""
        self.stop()

    async def blocking(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run a blocking call (a ledger write, a wait for the fair share) off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    def headers_for(self, incoming: Mapping[str, str]) -> dict[str, str]:
        """The headers sent upstream: the learner's API version and betas, and the real key instead of theirs."""
        lower = {k.lower(): v for k, v in incoming.items()}
        headers = {name: lower[name] for name in FORWARDED if lower.get(name)}
        headers["x-api-key"] = self._key  # the API's documented key header (docs.anthropic.com/en/api/overview)
        return headers

    async def send(self, method: str, path: str, body: bytes | None, incoming: Mapping[str, str],
                   learner: str | None = None) -> httpx2.Response | None:
        """Send to the real API (streamed), waiting through busy answers up to the patience; None if unreachable.

        A learner's retry takes its turn in the fair share again, so retries never add to the class's rate: a retry
        whose turn does not come within the patience is not sent, and the learner gets the busy answer itself.
        """
        assert self.http is not None
        deadline = time.monotonic() + self.patience
        while True:
            request = self.http.build_request(method, self.upstream + path, content=body, headers=self.headers_for(incoming))
            try:
                response = await self.http.send(request, stream=True)
                pause = retry_after(response)
                if response.status_code not in BUSY or time.monotonic() + pause > deadline:
                    return response
                await response.aread()  # read (which closes it), to relay if the retry's turn does not come
            except httpx2.HTTPError:
                return None
            self.upstream_waits += 1
            await asyncio.sleep(pause)
            if learner is not None and await self.blocking(self.share.acquire, learner,
                                                           max(0.0, deadline - time.monotonic())) is not None:
                return response

    async def messages(self, handler: Api, body: bytes) -> None:
        """A messages request: at most `in_flight` per learner, its worst case reserved, then sent and settled."""
        learner = handler.learner
        assert learner is not None
        request = request_json(body)
        if isinstance(request, str):
            return handler.error(400, "invalid_request_error", f"{request} Nothing was sent.")
        if self.flying.get(learner, 0) >= self.in_flight:
            return handler.error(429, "rate_limit_error", f"Class rate limit: you already have {self.in_flight} "
                                 "requests on their way; wait for their replies before sending more.")
        self.flying[learner] = self.flying.get(learner, 0) + 1
        try:
            await self._messages(handler, learner, body, request)
        finally:
            self.flying[learner] -= 1
            if not self.flying[learner]:
                del self.flying[learner]

    async def _messages(self, handler: Api, learner: str, body: bytes, request: dict[str, Any]) -> None:
        """Reserve, wait for the fair share, forward, relay, settle (or release what was never answered)."""
        request_id, model, worst = f"gw_{uuid.uuid4().hex}", str(request.get("model", "?")), worst_case(request)
        refusal = await self.blocking(self.ledger.reserve, request_id, learner, model, worst)
        if refusal is not None:
            return handler.error(402, "billing_error", refusal)
        tally, settled, upstream_id = Tally(worst.input_tokens), list[str](), [""]

        async def settle(status: str) -> None:
            """Write what the request used in place of its reservation (before the learner sees the end), once."""
            if settled:
                return
            settled.append(status)
            content = json.dumps({"messages": request.get("messages", [])[-1:], "reply": tally.text})
            await self.blocking(self.ledger.settle, request_id, tally.billed(), status, content, upstream_id[0] or None)

        async def release() -> None:
            """Drop the reservation of a request that was never answered (before the learner hears why), once."""
            if not settled:
                settled.append("released")
                await self.blocking(self.ledger.release, request_id)

        try:
            why = await self.blocking(self.share.acquire, learner)
            if why is not None:
                await release()
                return handler.error(429, "rate_limit_error", "Class rate limit: " + (
                    "you already have requests waiting; wait for their replies before sending more." if why == "queue"
                    else f"the class is busy and your turn did not come within {self.patience:g} s. Run the cell again."))
            assert handler.route is not None
            upstream = await self.send("POST", handler.route.upstream, body, handler.request.headers, learner)
            if upstream is None:
                await release()
                return handler.unreachable()
            upstream_id[0] = upstream.headers.get("request-id", "")
            if upstream.status_code != 200:
                payload = await upstream.aread()
                await upstream.aclose()
                await release()
                return handler.relay(upstream, payload)
            if upstream.headers.get("content-type", "").startswith("text/event-stream"):
                ended = await handler.stream(upstream, tally, settle)
                await settle(ended)
                if ended != "left by the learner":
                    handler.finish()  # a cut stream ends without message_stop: the learner's kit reports the cut
                return
            try:
                payload = await upstream.aread()
            except httpx2.HTTPError:
                await settle("cut upstream")
                return handler.unreachable()
            finally:
                await upstream.aclose()
            try:
                tally.whole(json.loads(payload))
                await settle("complete")
            except (ValueError, TypeError, AttributeError):
                await settle("unreadable")
            handler.relay(upstream, payload)
        finally:
            await release()  # an exception (or the learner leaving) before an answer


def quiet(handler: Any) -> None:
    """Log no request line: nothing a learner sends reaches a log."""


def retry_after(response: httpx2.Response) -> float:
    """Seconds a busy answer asks to wait (at least a quarter second)."""
    try:
        return max(0.25, float(response.headers.get("retry-after", "")))
    except ValueError:
        return 1.0
