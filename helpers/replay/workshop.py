"""The workshop setting (CONVERSE_KIT_WORKSHOP=1): live calls that a room full of learners can share.

A shared key meets its rate limit when thirty people press Run at once. With this setting each learner's
client sends one request at a time, waits patiently through 429/529 and 5xx answers (honouring `retry-after`, up to
PATIENCE seconds in all: the client's own SDK retries are off, so this is the only retry loop), tries a failed
connection again as often as the SDK would (twice), and when the API is unreachable, busy or out of credit, answers a
turn that has a recording from that recording, with a one-line notice, instead of raising an error.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable

import httpx2

from ..api_facts import MAX_RETRIES
from ..errors import ReplayMissError
from .transport import ReplayTransport

PATIENCE = 90.0  # seconds a learner's turn may wait through busy answers before it gives up
BUSY = (429, 529)  # answers worth waiting through: the shared key's rate limit, an overloaded API
EXHAUSTED = "credit balance"  # the 400 a key with no credit left gets
CONNECTION_RETRIES = MAX_RETRIES.value  # tries again after a failed connection, as many as the SDK's own retries


def _say(line: str) -> None:
    """Print the workshop's one-line notice."""
    print(line, flush=True)


def release(response: httpx2.Response) -> None:
    """Read a short answer to its end before closing it, so its connection is kept for the next try (not reset)."""
    with contextlib.suppress(httpx2.HTTPError):
        response.read()
    response.close()


def wait_for(response: httpx2.Response, attempt: int) -> float:
    """Seconds to wait before the next try: the server's retry-after, or jittered backoff (at most 8 s)."""
    try:
        asked = float(response.headers.get("retry-after", ""))
    except ValueError:
        asked = 0.0
    backoff = min(0.5 * 2**attempt, 8.0) * random.uniform(0.75, 1.0)
    return asked * random.uniform(1.0, 1.5) if asked > 0 else backoff  # spread out a room's retries


class WorkshopTransport(httpx2.BaseTransport):
    """One request at a time per learner, patient through busy answers, recordings when the API fails."""

    def __init__(self, upstream: httpx2.BaseTransport, replay: ReplayTransport, *, patience: float = PATIENCE,
                 notice: Callable[[str], None] = _say) -> None:
        self.upstream, self.replay, self.patience, self.notice = upstream, replay, patience, notice
        self.slot = threading.Lock()
        self.waits = 0  # busy answers waited through, for the load benchmark

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send the request when this learner's slot is free; wait out busy answers; fall back to a recording."""
        with self.slot:
            return self._send(request)

    def _send(self, request: httpx2.Request) -> httpx2.Response:
        """Try until the API answers, the patience runs out, or a recording can answer instead."""
        deadline, attempt, dropped = time.monotonic() + self.patience, 0, 0
        while True:
            try:
                response = self.upstream.handle_request(request)
            except httpx2.TransportError as error:
                replayed = self.recorded(request, f"the API is unreachable ({type(error).__name__})")
                if replayed is not None:
                    return replayed
                pause = min(0.5 * 2**dropped, 8.0) * random.uniform(0.75, 1.0)
                if dropped >= CONNECTION_RETRIES or time.monotonic() + pause > deadline:
                    raise
                dropped += 1  # a reset or refused connection: tried again, as the SDK's own retries would
                time.sleep(pause)
                continue
            reason = self.unavailable(response)
            if reason is None:
                return response
            replayed = self.recorded(request, reason)
            if replayed is not None:
                release(response)
                return replayed
            pause = wait_for(response, attempt)
            if not (response.status_code in BUSY or response.status_code >= 500) or time.monotonic() + pause > deadline:
                return response  # the SDK turns it into the usual error, with the fix
            release(response)
            self.waits, attempt = self.waits + 1, attempt + 1
            time.sleep(pause)

    @staticmethod
    def unavailable(response: httpx2.Response) -> str | None:
        """Why this answer means the shared API cannot serve the turn now, or None."""
        if response.status_code in BUSY:
            return f"the API is busy ({response.status_code})"
        if response.status_code >= 500:
            return f"the API failed ({response.status_code})"
        if response.status_code in (400, 403) and EXHAUSTED in response.read().decode("utf-8", "replace").lower():
            return "the shared key is out of credit"
        return None

    def recorded(self, request: httpx2.Request, reason: str) -> httpx2.Response | None:
        """The recording for this request, with the notice, or None when it was never recorded."""
        try:
            response = self.replay.handle_request(request)
        except ReplayMissError:
            return None
        self.notice(f"[workshop] {reason}: this reply is replayed from the kit's recordings.")
        return response
