"""Settings: which mode the kit runs in, which model it uses, where recordings live."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dotenv import find_dotenv, load_dotenv

Mode = Literal["replay", "live", "record"]
MODES: tuple[Mode, ...] = ("replay", "live", "record")

DEFAULT_MODEL = "claude-haiku-4-5"  # the one place the kit's model is set; override with CONVERSE_KIT_MODEL
MODE_VAR = "CONVERSE_KIT_MODE"
MODEL_VAR = "CONVERSE_KIT_MODEL"
RECORDINGS_VAR = "CONVERSE_KIT_RECORDINGS"
CASSETTE_VAR = "CONVERSE_KIT_CASSETTE"
AUTHORED_VAR = "CONVERSE_KIT_AUTHORED"
HITS_LOG_VAR = "CONVERSE_KIT_HITS_LOG"
WORKSHOP_VAR = "CONVERSE_KIT_WORKSHOP"
KEY_VAR = "ANTHROPIC_API_KEY"
TOKEN_VAR = "ANTHROPIC_AUTH_TOKEN"  # the SDK sends it as `Authorization: Bearer`; it works as a key here too
RECORD_ERRORS_VAR = "CONVERSE_KIT_RECORD_ERRORS"  # e.g. "404": error answers a notebook teaches on purpose

LIVE_TIMEOUT_SECONDS = 120.0  # how long a live request may wait for the API (the SDK's own default is 600 s)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RECORDINGS = REPO_ROOT / "data" / "recordings"


@dataclass(frozen=True)
class Settings:
    """The kit's settings for one session; `reason` says why this mode was chosen."""

    mode: Mode
    model: str
    reason: str
    recordings: Path
    cassette: str
    has_key: bool
    workshop: bool = False
    record_errors: tuple[int, ...] = ()  # error statuses record mode keeps (never 401 or 403)


def load_env_files() -> None:
    """Read `.env` (repo root, then the nearest one above the working folder); never overwrite set variables."""
    load_dotenv(REPO_ROOT / ".env", override=False)
    load_dotenv(find_dotenv(usecwd=True), override=False)


def choose_mode(env: Mapping[str, str]) -> tuple[Mode, str]:
    """Pick the mode: an explicit CONVERSE_KIT_MODE wins, else live with a key, else replay."""
    wanted = env.get(MODE_VAR, "").strip().lower()
    if wanted:
        if wanted not in MODES:
            raise ValueError(f"{MODE_VAR}={wanted!r} is not a mode. Use one of: {', '.join(MODES)}.")
        return wanted, f"set by {MODE_VAR}"  # type: ignore[return-value]
    for name in (KEY_VAR, TOKEN_VAR):
        if env.get(name):
            return "live", f"{name} found"
    return "replay", "no API key found"


def load_settings(env: Mapping[str, str] | None = None, *, cassette: str | None = None) -> Settings:
    """Build the settings from the environment (reading `.env` first when `env` is not given)."""
    if env is None:
        load_env_files()
        env = os.environ
    keys = {name: env.get(name, "") for name in (KEY_VAR, TOKEN_VAR)}  # a paste or a quoted .env value may add spaces
    mode, reason = choose_mode({**env, **{name: value.strip() for name, value in keys.items()}})
    if any(value.strip() and value != value.strip() for value in keys.values()):
        reason += " (the spaces or newline around it are ignored)"
    return Settings(
        mode=mode,
        model=env.get(MODEL_VAR, "").strip() or DEFAULT_MODEL,
        reason=reason,
        recordings=Path(env.get(RECORDINGS_VAR) or DEFAULT_RECORDINGS),
        cassette=cassette or env.get(CASSETTE_VAR, "").strip() or "scratch",
        has_key=bool(env.get(KEY_VAR, "").strip() or env.get(TOKEN_VAR, "").strip()),
        workshop=env.get(WORKSHOP_VAR, "").strip().lower() in ("1", "true", "yes", "on"),
        record_errors=tuple(int(code) for code in env.get(RECORD_ERRORS_VAR, "").replace(",", " ").split()
                            if code.isdigit() and int(code) not in (401, 403)),
    )


def masked_key(env: Mapping[str, str] | None = None) -> str:
    """The API key as it may be shown: at most its start and last four characters."""
    key = (os.environ if env is None else env).get(KEY_VAR, "")
    if not key:
        return "no key found"
    return f"{key[:7]}...{key[-4:]}" if len(key) > 16 else "set (too short to be a real key)"
