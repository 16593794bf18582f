"""Faults the stand-in can inject: an error status, a dropped stream, an error event, a slow or malformed answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass
class Fault:
    """One injected failure, applied to the next request(s)."""

    kind: Literal["status", "drop_stream", "error_event", "slow", "malformed"]
    status: int = 500
    error_type: str = "api_error"
    message: str = "Internal server error"
    retry_after: float | None = None
    delay: float = 0.0
    times: int = 1
