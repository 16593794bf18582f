"""An `anthropic.AsyncAnthropic` that goes wherever the session's client goes: recordings, the stand-in, or the API.

The async client's transport hands each request to the sync kit client's own httpx2 client in a worker thread, so
replay, record, live and the workshop setting, the wire log, the reply labels and the answer checks are the sync
client's, unchanged; requests sent together run at the same time. It reads each response whole: no streaming.
"""

from __future__ import annotations

import asyncio

import anthropic
import httpx2

DROPPED_HEADERS = ("content-encoding", "content-length", "transfer-encoding")  # the body is handed on decoded and whole


class ThreadedTransport(httpx2.AsyncBaseTransport):
    """An async transport that sends through a sync httpx2 client, one worker thread per request."""

    def __init__(self, http: httpx2.Client) -> None:
        self.http = http

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send the request through the sync client and return its response, read whole."""
        content = await request.aread()
        twin = httpx2.Request(request.method, request.url, headers=request.headers, content=content)
        status, headers, body = await asyncio.to_thread(self._send, twin)
        return httpx2.Response(status, headers=headers, content=body, request=request)

    def _send(self, request: httpx2.Request) -> tuple[int, list[tuple[str, str]], bytes]:
        """The sync round trip: status, headers (without the encoding ones) and the decoded body."""
        response = self.http.send(request)
        try:
            body = response.read()
        finally:
            response.close()
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in DROPPED_HEADERS]
        return response.status_code, headers, body


def async_client(client: anthropic.Anthropic) -> anthropic.AsyncAnthropic:
    """An AsyncAnthropic with the same key, address and retries as `client`, sending through its transport."""
    http = getattr(client, "_client", None)  # the SDK keeps the httpx2 client it sends with here
    if not isinstance(http, httpx2.Client):
        raise TypeError("async_client needs a client made by helpers.setup() (its http client is an httpx2.Client).")
    return anthropic.AsyncAnthropic(api_key=client.api_key, auth_token=client.auth_token, base_url=client.base_url,
                                    max_retries=client.max_retries, http_client=httpx2.AsyncClient(transport=ThreadedTransport(http)))
