"""Offline token estimates: the bill's (helpers.api.bill), re-exported here because many modules import them from here."""

from __future__ import annotations

from ..api.bill import estimate_request_tokens, estimate_tokens, media_tokens

__all__ = ["estimate_request_tokens", "estimate_tokens", "media_tokens"]
