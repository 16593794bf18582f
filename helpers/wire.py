"""The wire log of one client: the request bodies it sent and where each of its replies came from.

Every kit client carries its own log (`client.wire`), so two clients or two sessions in one process never see
each other's replies or requests.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

LIVE_LABEL = "live reply from the API"
SENT_KEPT = 20


@dataclass
class WireLog:
    """What one client sent (newest last, the last 20) and a label for each reply id it received."""

    sent: deque[Any] = field(default_factory=lambda: deque(maxlen=SENT_KEPT))
    labels: dict[str, str] = field(default_factory=dict)
    via: str = ""  # what a server in between says it is (the class gateway's VIA_HEADER), once it answered

    def label(self, reply_id: str | None) -> str:
        """How a reply was obtained: replayed authored sample, replayed recording, live, or live through a gateway."""
        return self.labels.get(reply_id or "") or (f"live reply through {self.via}" if self.via else LIVE_LABEL)


def log_of(client: object) -> WireLog | None:
    """The wire log a kit client carries, or None for a plain SDK client."""
    log = getattr(client, "wire", None)
    return log if isinstance(log, WireLog) else None
