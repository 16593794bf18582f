"""Faults the stand-in can inject: an error status, a dropped stream, an error event, a slow or malformed answer,
a blank or empty reply, and a 200 answer that is not a Message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


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
