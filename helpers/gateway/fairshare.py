"""A class-wide rate limit shared fairly: waiting requests are served round-robin, one learner at a time.

A learner who floods only queues behind their own requests: each turn of the ring serves every waiting learner
once, so the others wait for at most one request per waiting learner. A request waits at most `patience` seconds
(the workshop setting's patience, now on the server), and a learner may have at most `queue` requests waiting.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass
class Ticket:
    """One waiting request."""

    granted: bool = False


class FairShare:
    """A token bucket of `rate` requests a second for the class, handed out round-robin among waiting learners."""

    def __init__(self, rate: float | None, *, patience: float = 90.0, queue: int = 4) -> None:
        if rate is not None and rate <= 0:
            raise ValueError("The class rate limit is a number of requests a second, above 0 (or none).")
        self.rate, self.patience, self.queue = rate, patience, queue
        self._cond = threading.Condition()
        self._waiting: dict[str, deque[Ticket]] = {}
        self._ring: deque[str] = deque()
        self._tokens = 1.0
        self._stamp = time.monotonic()

    def acquire(self, learner: str, patience: float | None = None) -> str | None:
        """Wait for this learner's turn; None when it came, else why not ('queue' or 'patience')."""
        if self.rate is None:
            return None
        with self._cond:
            mine = self._waiting.setdefault(learner, deque())
            if len(mine) >= self.queue:
                return "queue"
            ticket = Ticket()
            mine.append(ticket)
            if learner not in self._ring:
                self._ring.append(learner)
            deadline = time.monotonic() + (self.patience if patience is None else patience)
            while True:
                self._hand_out()
                if ticket.granted:
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    self._withdraw(learner, ticket)
                    return "patience"
                self._cond.wait(min(left, max(0.001, (1.0 - self._tokens) / self.rate)))

    def _hand_out(self) -> None:
        """Refill the bucket and grant one waiting request per learner in ring order while tokens last."""
        assert self.rate is not None
        now = time.monotonic()
        self._tokens = min(max(1.0, self.rate), self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        granted = False
        while self._tokens >= 1.0 and self._ring:
            learner = self._ring.popleft()
            queue = self._waiting[learner]
            queue.popleft().granted, granted = True, True
            self._tokens -= 1.0
            if queue:
                self._ring.append(learner)  # to the back: everyone else waiting goes first
            else:
                del self._waiting[learner]
        if granted:
            self._cond.notify_all()

    def _withdraw(self, learner: str, ticket: Ticket) -> None:
        """Take a request that ran out of patience out of the queue."""
        queue = self._waiting.get(learner)
        if queue is None:
            return
        queue.remove(ticket)
        if not queue:
            del self._waiting[learner]
            self._ring.remove(learner)
