"""Who a request comes from: a class key the teacher issued, or a learner's JupyterHub API token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tornado.web import HTTPError

from .ledger import KEY_PREFIX, Ledger

Blocking = Callable[..., Awaitable[Any]]  # runs a blocking call (a ledger read) off the server's loop
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
    """Tell learners apart: class keys by the ledger, hub tokens by the hub through JupyterHub's own HubAuth."""

    def __init__(self, ledger: Ledger, hub_api_url: str | None = None, hub_token: str = "") -> None:
        self.ledger, self.hub_api_url = ledger, (hub_api_url or "").rstrip("/")
        self.hub: Any = None
        if self.hub_api_url:  # JupyterHub's own token check, with its cache (imported only for a hub: see its requirements)
            from jupyterhub.services.auth import HubAuth  # type: ignore[import-untyped]

            self.hub = HubAuth(api_url=self.hub_api_url, api_token=hub_token or "unused", cache_max_age=int(HUB_CACHE_SECONDS))

    async def __call__(self, headers: Mapping[str, str], blocking: Blocking) -> Verdict:
        """The learner behind a request's credential, or the refusal to send back (ledger reads run via `blocking`)."""
        secret = credential(headers)
        if not secret:
            return refused("No class key was sent. Your teacher gives you one; put it in .env as ANTHROPIC_API_KEY.")
        if secret.startswith(KEY_PREFIX):
            name = await blocking(self.class_key, secret)
        else:
            try:
                name = await self.hub_user(secret)
            except HTTPError:
                return Verdict(None, 502, "api_error", "The class gateway could not check your hub token with the hub. "
                               "Run the cell again in a minute; tell your teacher if it keeps happening.")
            if name is not None:
                await blocking(self.ledger.ensure, name)
        if name is None:
            return refused("This key is not one of this class's keys (made up, mistyped, or from another hub). "
                           "Ask your teacher for your class key.")
        learner = await blocking(self.ledger.learner, name)
        if learner is not None and learner.revoked:
            return Verdict(None, 401, "authentication_error",
                           "Class key revoked: your teacher switched off your access. Ask your teacher.")
        return Verdict(name)

    def class_key(self, key: str) -> str | None:
        """The learner a class key was issued to, revoked or not."""
        learner = self.ledger.learner_for_key(key)
        return None if learner is None else learner.name

    async def hub_user(self, token: str) -> str | None:
        """The hub user a JupyterHub API token belongs to, asking this hub (another hub's token is unknown here)."""
        if self.hub is None:
            return None
        model = await self.hub.user_for_token(token, sync=False)  # HTTPError when the hub cannot be asked
        name = model.get("name") if isinstance(model, dict) and model.get("kind", "user") == "user" else None
        return str(name) if name else None


def refused(message: str) -> Verdict:
    """A 401 in the API's format."""
    return Verdict(None, 401, "authentication_error", message)
