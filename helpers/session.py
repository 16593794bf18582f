"""The session: the client and settings that a notebook sets up once and every helper shares."""

from __future__ import annotations

from dataclasses import dataclass

import anthropic

from .classroom import key_from_colab, setup_warning
from .config import Settings, load_settings
from .replay import make_client, status_line


@dataclass
class Session:
    """The active settings and client."""

    settings: Settings
    client: anthropic.Anthropic


_active: Session | None = None


def setup(cassette: str | None = None, *, quiet: bool = False) -> anthropic.Anthropic:
    """Read `.env`, choose the mode, make the client, print one status line, and return the client."""
    global _active
    key_from_colab()  # on Colab, the key may be in Colab's secrets
    settings = load_settings(cassette=cassette)
    _active = Session(settings, make_client(settings))
    if not quiet:
        print(status_line(settings))
        warning = setup_warning(settings.model)
        if warning:
            print(warning)
    return _active.client


def current() -> Session:
    """The active session, set up with the defaults if no notebook called setup() yet."""
    if _active is None:
        setup(quiet=True)
    assert _active is not None
    return _active


def model() -> str:
    """The model this session uses (CONVERSE_KIT_MODEL, or the kit's default)."""
    return current().settings.model
