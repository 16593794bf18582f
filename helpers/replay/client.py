"""The client: one `anthropic.Anthropic` per session, set up for the kit's mode."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import anthropic
import httpx2

from ..answers import VIA_HEADER, check_answer
from ..config import KEY_VAR, LIVE_TIMEOUT_SECONDS, REPO_ROOT, TOKEN_VAR, Settings
from ..errors import KEY_HELP, NoKeyError
from ..wire import WireLog
from .recordings import RecordingStore
from .transport import RecordTransport, ReplayTransport, wire_view
from .workshop import WorkshopTransport

LIVE_TIMEOUT = httpx2.Timeout(LIVE_TIMEOUT_SECONDS, connect=10.0)  # a notebook should not sit in silence for 600 s
REPLAY_KEY = "replay-mode-no-key"  # never leaves the process: the replay transport has no network


def record_command(cassette: str) -> str:
    """The exact command that records a cassette (a notebook or a script of the kit)."""
    for target in (f"notebooks/{cassette}.ipynb", f"scripts/{cassette}.py"):
        if (REPO_ROOT / target).exists():
            return f"python -m helpers.replay.record {target}"
    return "CONVERSE_KIT_MODE=record, then run your code again"


class KitClient(anthropic.Anthropic):
    """The SDK's client with the kit's wire log (`.wire`), kept by every copy `with_options()` makes."""

    wire: WireLog

    def copy(self, *args: Any, **kwargs: Any) -> KitClient:
        """A copy with other options that shares this client's wire log."""
        twin = super().copy(*args, **kwargs)
        twin.wire = self.wire
        return twin  # type: ignore[return-value]

    with_options = copy


def _kit_client(log: WireLog, **options: Any) -> KitClient:
    """A KitClient that writes to `log`."""
    client = KitClient(**options)
    client.wire = log
    return client


def hooks(log: WireLog) -> dict[str, list[Any]]:
    """The hooks every kit client has: each body sent kept in its log (notebook 04 shows it); answers checked."""
    return {**wire_view(log), "response": [check_answer, lambda response: noted_via(log, response)]}


def noted_via(log: WireLog, response: httpx2.Response) -> None:
    """Remember what a server in between (the class gateway) says it is, for the replies' labels."""
    via = response.headers.get(VIA_HEADER, "")
    if via:
        log.via = via[:200]


def key_options(env: Mapping[str, str]) -> dict[str, str]:
    """The key (and token) as the SDK should send them: without the spaces or newline a paste or a quoted .env value
    leaves around them (a header cannot carry a newline: the request would fail as if the network were down)."""
    options = {}
    for var, option in ((KEY_VAR, "api_key"), (TOKEN_VAR, "auth_token")):
        raw = env.get(var, "")
        key = raw.strip()
        if key and not (key.isascii() and key.isprintable() and " " not in key):
            raise NoKeyError(f"{var} has a space or a character that is not plain ASCII inside it (a pasted quote "
                             "mark or a line break?). Copy the key again from the Console into .env, on one line.")
        if key and key != raw:
            options[option] = key
    return options


def make_client(settings: Settings) -> KitClient:
    """An Anthropic client for the mode: replay (no network), live, or record (live, and saved)."""
    store, log = RecordingStore(settings.recordings), WireLog()
    if settings.mode == "replay":
        transport = ReplayTransport(store, record_command(settings.cassette), log, settings.cassette)
        http = httpx2.Client(transport=transport, event_hooks=hooks(log))
        return _kit_client(log, api_key=REPLAY_KEY, max_retries=0, http_client=http)
    if not settings.has_key:
        raise NoKeyError(f"{settings.mode.capitalize()} mode needs an API key, and none was found.\n{KEY_HELP}")
    keys = key_options(os.environ)
    if settings.mode == "record":
        store.check_writable(settings.cassette)  # before the first billed call, not after it
        recorder = RecordTransport(store, settings.cassette, log, keep_errors=settings.record_errors)
        http = anthropic.DefaultHttpxClient(transport=recorder, timeout=LIVE_TIMEOUT, event_hooks=hooks(log))
        return _kit_client(log, http_client=http, **keys)
    options: dict[str, Any] = {"timeout": LIVE_TIMEOUT, "event_hooks": hooks(log)}
    if settings.workshop:  # one request at a time, patient retries, recordings when the API fails
        replay = ReplayTransport(store, record_command(settings.cassette), log, settings.cassette)
        options["transport"] = WorkshopTransport(httpx2.HTTPTransport(), replay)
        # The transport's patience is the only retry loop: the SDK's 2 retries under it would multiply the wait.
        return _kit_client(log, http_client=anthropic.DefaultHttpxClient(**options), max_retries=0, **keys)
    return _kit_client(log, http_client=anthropic.DefaultHttpxClient(**options), **keys)


def status_line(settings: Settings) -> str:
    """One line: the mode and why, the model, the SDK version."""
    workshop = " | workshop setting" if settings.workshop and settings.mode == "live" else ""
    base = os.environ.get("ANTHROPIC_BASE_URL", "").strip().rstrip("/")
    if base and settings.mode != "replay" and base != "https://api.anthropic.com":
        workshop += f" | through {base} (not api.anthropic.com directly)"
    return (f"Mode: {settings.mode} ({settings.reason}){workshop} | model: {settings.model} "
            f"| anthropic {anthropic.__version__}")
