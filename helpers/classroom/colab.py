"""Google Colab: detect it, and read the API key from Colab's secrets (the key icon in the left bar)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

from ..config import KEY_VAR


def in_colab(modules: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> bool:
    """Whether this kernel runs on Google Colab."""
    modules = sys.modules if modules is None else modules
    env = os.environ if env is None else env
    return "google.colab" in modules or "COLAB_RELEASE_TAG" in env


def colab_secret(name: str = KEY_VAR, userdata: Any = None) -> str | None:
    """A Colab secret's value, or None when it is missing or this notebook has no access to it."""
    if userdata is None:
        try:
            from google.colab import userdata  # type: ignore[import-not-found, no-redef]
        except ImportError:
            return None
    try:
        value = userdata.get(name)
    except Exception:  # noqa: BLE001 - SecretNotFoundError, NotebookAccessError: both mean "no key from Colab"
        return None
    return str(value) if value else None


def key_from_colab(env: MutableMapping[str, str] | None = None, *, modules: Mapping[str, Any] | None = None,
                   userdata: Any = None) -> bool:
    """On Colab, with no key set, put the key from Colab's secrets into the environment; say whether it did."""
    env = os.environ if env is None else env
    if env.get(KEY_VAR) or not in_colab(modules, env):
        return False
    key = (colab_secret(KEY_VAR, userdata) or "").strip()  # a pasted secret often ends in a newline
    if key:
        env[KEY_VAR] = key
    return bool(key)
