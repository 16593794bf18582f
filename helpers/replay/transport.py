"""Record and replay at the HTTP level: httpx2 transports that the real SDK sends through.

Why a transport of our own (not vcrpy, not the SDK's middleware): the SDK parses every replayed
byte exactly as it parses the network's, a miss raises one clear error that the SDK does not retry,
a stream reaches the learner live while it is being recorded, and since request headers are never
stored, the key (sent as `Authorization: Bearer`) cannot end up in a recording.
See shared/reference/notebook-testing.md for the measurements behind this choice.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Collection, Iterator
from datetime import datetime, timezone
from typing import Any

import anthropic
import httpx2

from ..answers import SOURCE_HEADER
from ..config import AUTHORED_VAR, HITS_LOG_VAR
from ..errors import ReplayMissError
from ..history import last_user_text
from ..redact import REMOVED, env_secrets, header_secrets, scrub
from ..wire import WireLog
from .recordings import AUTHORED_NOTE, Recording, RecordingStore, normalize_path, request_key

KEPT_RESPONSE_HEADERS = ("content-type", "request-id")  # no retry-after: a replayed 429 must not sleep
LIVE_API_HOST = "api.anthropic.com"
PACE_VAR = "CONVERSE_KIT_REPLAY_PACE"  # seconds between a replayed stream's events, so Stop can be tried by hand offline


def _body_of(request: httpx2.Request) -> Any:
    """The request's JSON body (None when it has none)."""
    content = request.read()
    return json.loads(content) if content else None


def wire_view(log: WireLog) -> dict[str, list[Callable[[httpx2.Request], None]]]:
    """The request hook every kit client has: it keeps each body sent in the client's log (notebook 04 shows it)."""
    return {"request": [lambda request: log.sent.append(_body_of(request))]}


def _key_of(request: httpx2.Request) -> tuple[str, Any]:
    """The request's match key and its parsed body."""
    body = _body_of(request)
    path = request.url.raw_path.decode()
    return request_key(request.method, path, request.headers.get("anthropic-beta"), body), body


def _reply_id(recording: Recording) -> str | None:
    """The message id inside a recorded response (JSON or the SSE message_start event)."""
    for line in recording.response.split("\n"):
        text = line[len("data: ") :] if line.startswith("data: ") else line
        if '"msg_' not in text:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        message = data.get("message", data)
        if isinstance(message, dict) and isinstance(message.get("id"), str):
            return str(message["id"])
    return None


def _log_hit(key: str) -> None:
    """Append a used key to the hits log (set by the tests to find orphaned recordings)."""
    log = os.environ.get(HITS_LOG_VAR)
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(key + "\n")


def _remember(log: WireLog, recording: Recording, label: str) -> None:
    """Remember in the client's log how the reply in this recording was obtained, by its message id."""
    reply_id = _reply_id(recording)
    if reply_id:
        log.labels[reply_id] = label


def replay_pace() -> float:
    """Seconds between a replayed stream's events (CONVERSE_KIT_REPLAY_PACE; 0, the default, sends them at once)."""
    try:
        return min(5.0, max(0.0, float(os.environ.get(PACE_VAR, "0") or 0)))
    except ValueError:
        return 0.0


class _PacedStream(httpx2.SyncByteStream):
    """A recorded event stream served one event at a time, `pace` seconds apart (the kit's setting, not a recorded timing)."""

    def __init__(self, body: str, pace: float) -> None:
        self.events, self.pace = [event + "\n\n" for event in body.split("\n\n") if event.strip()], pace

    def __iter__(self) -> Iterator[bytes]:
        """Each event, after a pause."""
        for event in self.events:
            time.sleep(self.pace)
            yield event.encode()


class ReplayTransport(httpx2.BaseTransport):
    """Answers every request from recordings; never touches the network."""

    def __init__(self, store: RecordingStore, record_hint: str, log: WireLog, cassette: str = "") -> None:
        self.store, self.record_hint, self.log, self.cassette = store, record_hint, log, cassette

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Serve the recording for this request (the notebook's own cassette first), or raise ReplayMissError."""
        key, body = _key_of(request)
        recording = self.store.find(key, self.cassette)
        if recording is None:
            raise self.miss(request, body, key)
        _log_hit(key)
        _remember(self.log, recording, recording.label)
        headers = {**recording.headers, SOURCE_HEADER: f"the recording {key} in {self.store.root} (replay mode)"}
        pace = replay_pace()
        if pace and "text/event-stream" in headers.get("content-type", ""):
            return httpx2.Response(recording.status, headers=headers, stream=_PacedStream(recording.response, pace), request=request)
        return httpx2.Response(recording.status, headers=headers, content=recording.response.encode(), request=request)

    def miss(self, request: httpx2.Request, body: Any, key: str) -> ReplayMissError:
        """The one clear error for a request that has no recording."""
        model = body.get("model", "?") if isinstance(body, dict) else "?"
        said = last_user_text(body)
        what = f'last user message "{said}"' if said else "no user message"
        return ReplayMissError(
            f"Replay mode has no recording for this request: {request.method} {normalize_path(request.url.path)}, "
            f"model {model}, {what} (key {key}).\n"
            "Replay can only answer requests that were recorded; a changed message, model or max_tokens is a new request.\n"
            f"To record it, put ANTHROPIC_API_KEY in .env and run: {self.record_hint}\n"
            "Or call the API directly: CONVERSE_KIT_MODE=live"
        )


class _TeeStream(httpx2.SyncByteStream):
    """Passes a response body through chunk by chunk, and hands the whole body on once it is complete."""

    def __init__(self, inner: httpx2.SyncByteStream, done: Callable[[bytes], None]) -> None:
        self.inner, self.done = inner, done

    def __iter__(self) -> Iterator[bytes]:
        """Yield each chunk as it arrives; only a body read to its end is handed on."""
        chunks = []
        for chunk in self.inner:
            chunks.append(chunk)
            yield chunk
        self.done(b"".join(chunks))

    def close(self) -> None:
        """Close the upstream body."""
        self.inner.close()


def _say(line: str) -> None:
    """Print record mode's one-line notice."""
    print(line, flush=True)


STREAMED_FIELDS = {"text_delta": "text", "thinking_delta": "thinking", "input_json_delta": "partial_json",
                   "signature_delta": "signature", "citations_delta": "citation"}


def streamed_pieces(content: str) -> list[str]:
    """Every streamed block's deltas joined, per block and per kind, and all of them joined: a key could be split
    across text, thinking or tool-input pieces, and is then whole only in the reassembled content."""
    blocks: dict[tuple[object, str], list[str]] = {}
    for line in content.split("\n"):
        if not line.startswith("data: ") or '"content_block_delta"' not in line:
            continue
        try:
            event = json.loads(line[len("data: ") :])
            delta = event["delta"]
            field = STREAMED_FIELDS.get(str(delta.get("type")), "")
            piece = delta.get(field, "") if field else ""
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        blocks.setdefault((event.get("index"), field), []).append(piece if isinstance(piece, str) else json.dumps(piece))
    joined = ["".join(pieces) for pieces in blocks.values()]
    return [*joined, "".join(joined)]


class RecordTransport(httpx2.BaseTransport):
    """Forwards to the real API and saves each complete response; request headers and the key are never saved.

    The key's exact value (and ANTHROPIC_AUTH_TOKEN's) is replaced wherever it appears in what is written.
    Error answers are saved only for the statuses in `keep_errors` (a notebook that teaches that error).
    """

    def __init__(self, store: RecordingStore, cassette: str, log: WireLog, upstream: httpx2.BaseTransport | None = None,
                 *, keep_errors: Collection[int] = (), notice: Callable[[str], None] = _say) -> None:
        self.store, self.cassette, self.notice, self.log = store, cassette, notice, log
        self.keep_errors = frozenset(keep_errors) - {401, 403}  # these involve a key: never replay them
        self.upstream = upstream or httpx2.HTTPTransport()
        self.told_key = False

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send the request on, stream the answer back live, and save it when it is complete."""
        _, body = _key_of(request)
        secrets = header_secrets(request.headers) + env_secrets()
        request.headers["accept-encoding"] = "identity"  # store the body as the SDK reads it
        response = self.upstream.handle_request(request)
        if response.status_code == 429 or response.status_code >= 500:
            return response  # transient: the SDK retries, and a recording of it would only mislead
        if response.status_code >= 400 and response.status_code not in self.keep_errors:
            return response  # replayed later, it would blame a key or a request that is not involved

        def save(content: bytes) -> None:
            try:
                self.save(request, body, response, content.decode("utf-8"), secrets)
            except OSError as error:
                self.notice(f"[record] This reply was paid for but could not be saved as a recording "
                            f"({error.strerror}: {error.filename}); fix that folder and record again.")

        assert isinstance(response.stream, httpx2.SyncByteStream)
        return httpx2.Response(
            response.status_code,
            headers=response.headers,
            stream=_TeeStream(response.stream, save),
            request=request,
            extensions=response.extensions,
        )

    def save(self, request: httpx2.Request, body: Any, response: httpx2.Response, content: str, secrets: list[str]) -> None:
        """Write one recording, with every secret value replaced (or not at all if one is split across a stream)."""
        clean_body, clean_content = scrub(body, secrets), scrub(content, secrets)
        pieces = streamed_pieces(clean_content)
        if any(secret in piece for secret in secrets if secret for piece in pieces):
            self.notice("[record] This reply spells out your key across streamed pieces (text, thinking or tool "
                        "input), so it was not saved as a recording.")
            return
        if (clean_body, clean_content) != (body, content) and not self.told_key:
            self.told_key = True
            self.notice(f"[record] Your key appeared in a request or reply; recordings have {REMOVED} in its place "
                        "(such a request will not replay as typed).")
        recording = Recording(
            method=request.method,
            path=normalize_path(request.url.raw_path.decode()),
            beta=request.headers.get("anthropic-beta"),
            body=clean_body,
            status=response.status_code,
            headers={k: v for k, v in response.headers.items() if k.lower() in KEPT_RESPONSE_HEADERS},
            response=clean_content,
            provenance=self.provenance(request, body),
        )
        self.store.save(recording, self.cassette)
        _remember(self.log, recording, "live reply (recorded)")

    def provenance(self, request: httpx2.Request, body: Any) -> dict[str, str]:
        """Where this response comes from: only the live API's host is labelled `recorded`."""
        host = request.url.host
        authored = os.environ.get(AUTHORED_VAR) == "1"
        source = "authored" if authored else "recorded" if host == LIVE_API_HOST else "local-server"
        facts = {
            "source": source,
            "model": body.get("model", "") if isinstance(body, dict) else "",
            "date": datetime.now(timezone.utc).date().isoformat(),
            "sdk_version": anthropic.__version__,
            "server": host,
        }
        if source == "authored":
            facts["note"] = AUTHORED_NOTE
        return facts

    def close(self) -> None:
        """Close the upstream transport."""
        self.upstream.close()

