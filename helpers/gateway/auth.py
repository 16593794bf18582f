"""Who a request comes from: a class key the teacher issued, or a learner's JupyterHub API token."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx2

from .ledger import KEY_PREFIX, Ledger

HUB_CACHE_SECONDS = 60.0  # how long a hub's answer about a token is trusted before asking again


@dataclass(frozen=True)
class Verdict:
    """Who sent a request, or why it is refused (status and message in the API's error format)."""

    learner: str | None
    status: int = 200
    error_type: str = ""
    message: str = ""


def credential(headers: Mapping[str, str]) -> str:
    """The credential a request carries: `Authorization: Bearer ...` (the SDK's way), `token ...`, or `x-api-key`."""
    value = headers.get("authorization", "")
    for scheme in ("bearer ", "token "):
        if value.lower().startswith(scheme):
            return value[len(scheme):].strip()
    return headers.get("x-api-key", "").strip()


class Identify:
    """Tell learners apart: class keys by the ledger, hub tokens by asking the hub (answers cached a minute)."""

    def __init__(self, ledger: Ledger, hub_api_url: str | None = None) -> None:
        self.ledger, self.hub_api_url = ledger, (hub_api_url or "").rstrip("/")
        self._cache: dict[str, tuple[str | None, float]] = {}
        self._lock = threading.Lock()

    def __call__(self, headers: Mapping[str, str]) -> Verdict:
        """The learner behind a request's credential, or the refusal to send back."""
        secret = credential(headers)
        if not secret:
            return refused("No class key was sent. Your teacher gives you one; put it in .env as ANTHROPIC_API_KEY.")
        name = self.class_key(secret) if secret.startswith(KEY_PREFIX) else self.hub_user(secret)
        if name is None:
            return refused("This key is not one of this class's keys (made up, mistyped, or from another hub). "
                           "Ask your teacher for your class key.")
        learner = self.ledger.learner(name)
        if learner is not None and learner.revoked:
            return Verdict(None, 401, "authentication_error",
                           "Class key revoked: your teacher switched off your access. Ask your teacher.")
        return Verdict(name)

    def class_key(self, key: str) -> str | None:
        """The learner a class key was issued to, revoked or not."""
        learner = self.ledger.learner_for_key(key)
        return None if learner is None else learner.name

    def hub_user(self, token: str) -> str | None:
        """The hub user a JupyterHub API token belongs to, asking this hub (another hub's token is unknown here)."""
        if not self.hub_api_url:
            return None
        digest = hashlib.sha256(token.encode()).hexdigest()
        with self._lock:
            known = self._cache.get(digest)
        if known is not None and known[1] > time.monotonic():
            return known[0]
        try:
            answer = httpx2.get(f"{self.hub_api_url}/user", headers={"Authorization": f"token {token}"}, timeout=10.0)
        except httpx2.HTTPError:
            return None
        name = answer.json().get("name") if answer.status_code == 200 else None
        name = str(name) if name else None
        if name is not None:
            self.ledger.ensure(name)
        with self._lock:
            self._cache[digest] = (name, time.monotonic() + HUB_CACHE_SECONDS)
        return name


def refused(message: str) -> Verdict:
    """A 401 in the API's format."""
    return Verdict(None, 401, "authentication_error", message)
