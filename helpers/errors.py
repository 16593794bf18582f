"""Friendly errors: a short message with the fix, instead of a traceback wall."""

from __future__ import annotations

import json
import re

import anthropic

from .api_facts import MAX_RETRIES, longest_wait_seconds
from .config import LIVE_TIMEOUT_SECONDS
from .redact import clip, mask

KEY_HELP = (
    "Put your key in a file named .env at the top of the kit (copy .env.example): ANTHROPIC_API_KEY=sk-ant-...\n"
    "Or stay offline with the recorded replies: CONVERSE_KIT_MODE=replay"
)


class KitError(anthropic.AnthropicError):
    """An error the learner can fix; Jupyter shows only its message (no traceback)."""

    def _render_traceback_(self) -> list[str]:
        """Show `Type: message` in Jupyter instead of the full traceback."""
        return [f"{type(self).__name__}: {line}" if i == 0 else line for i, line in enumerate(str(self).splitlines())]


class ReplayMissError(KitError):
    """Replay mode has no recording for this request."""


class RecordingError(KitError):
    """A recording file is corrupt, incomplete or was edited by hand."""


class NoKeyError(KitError):
    """Live or record mode without an API key."""


class KeyRejectedError(KitError):
    """The API rejected the key (401)."""


class ModelNotFoundError(KitError):
    """The model id is unknown or retired (404)."""


class RateLimitedError(KitError):
    """Rate limited or overloaded, even after the SDK's retries."""


class PromptTooLongError(KitError):
    """The request is larger than the model's context window (the API answers HTTP 400)."""


class NetworkError(KitError):
    """The API could not be reached, or did not answer in time."""


class ApiError(KitError):
    """Any other error the API returned."""


class OverBudgetError(KitError):
    """The class gateway refused the turn: this learner's budget is used up (402)."""


class KeyRevokedError(KitError):
    """The class gateway refused the key: unknown, or switched off by the teacher (401)."""


class ThrottledError(KitError):
    """The class gateway's shared rate limit did not reach this learner's turn in time (429)."""


# The class gateway (helpers/gateway) starts each refusal with one of these; the message itself says what to do.
CLASS_GATEWAY = {"Class budget": OverBudgetError, "Class key revoked": KeyRevokedError,
                 "This key is not one of this class's keys": KeyRevokedError, "Class rate limit": ThrottledError,
                 "Request too large": ApiError}


def _from_class_gateway(error: BaseException) -> KitError | None:
    """The class gateway's refusal as one clear line, or None for anything else."""
    message = str(getattr(error, "api_message", "") or "")
    for start, kind in CLASS_GATEWAY.items():
        if isinstance(error, anthropic.APIStatusError) and message.startswith(start):
            return kind(message)
    return None


class NotAMessageError(ApiError):
    """A 200 answer whose body is not a Message (a captive portal, a proxy, a damaged recording)."""


class HistoryChangedError(KitError):
    """The history changed between sending a request and storing its reply."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or (
            "The history changed while this reply was on its way (another cell, or the chat, sent, undid or reset a turn), "
            "so the reply was not stored after turns it never saw. Send your message again."))


def _error_type(error: anthropic.APIStatusError) -> str:
    """The API's error type (e.g. overloaded_error) from an error's body, or ''."""
    body = error.body if isinstance(error.body, dict) else {}
    detail = body.get("error", body)
    return str(detail.get("type", "")) if isinstance(detail, dict) else ""


def _too_long(message: str) -> PromptTooLongError:
    """Explain a 'prompt is too long' error with how far over the limit it is."""
    found = re.search(r"(\d+) tokens > (\d+)", message)
    detail = ""
    if found:
        sent, limit = int(found[1]), int(found[2])
        detail = f" It is {sent:,} tokens, {sent - limit:,} over the limit of {limit:,}."
    return PromptTooLongError(
        f"The conversation is too long for the model's context window (the API refused it: HTTP 400).{detail}\n"
        "Drop or summarize older turns (conv.undo(), or start a new Conversation from a summary; see notebook 04)."
    )


def friendly(error: BaseException, *, model: str = "") -> BaseException:
    """Translate an SDK error into a KitError with the fix; return anything else unchanged."""
    if isinstance(error, KitError):
        return error
    refused = _from_class_gateway(error)
    if refused is not None:
        return refused
    if isinstance(error, TypeError) and "authentication method" in str(error):
        return NoKeyError(f"No API key was found, so live mode cannot call the API.\n{KEY_HELP}")
    if isinstance(error, anthropic.AuthenticationError):
        return KeyRejectedError(
            "The API rejected your key (401). Check ANTHROPIC_API_KEY in .env, or make a new key at "
            "https://console.anthropic.com/settings/keys.\nTo work offline meanwhile: CONVERSE_KIT_MODE=replay"
        )
    if isinstance(error, anthropic.NotFoundError):
        return ModelNotFoundError(
            f"The API does not know the model {model!r} (404): it may be misspelled or retired.\n"
            "Set CONVERSE_KIT_MODEL in .env to a current model, e.g. CONVERSE_KIT_MODEL=claude-haiku-4-5"
        )
    if isinstance(error, anthropic.APIStatusError) and error.status_code == 200:  # an `error` event mid-stream
        return RateLimitedError(
            f"The API stopped the reply midway ({_error_type(error) or 'error event'}), so nothing was stored.\n"
            "Run the cell again; if it keeps happening, wait a minute."
        )
    if isinstance(error, anthropic.RateLimitError | anthropic.OverloadedError):
        return RateLimitedError(
            f"The API is busy ({error.status_code}) and the SDK's retries did not get through.\n"
            "Wait a minute and run the cell again; in a workshop, space out requests or use replay mode."
        )
    if isinstance(error, anthropic.BadRequestError) and "too long" in str(error):
        return _too_long(str(error))
    if isinstance(error, anthropic.APITimeoutError):
        return NetworkError(
            f"The API did not answer in time {LIVE_TIMEOUT_SECONDS:.0f} s per attempt, up to {MAX_RETRIES.value + 1} attempts: "
            f"about {longest_wait_seconds(LIVE_TIMEOUT_SECONDS):.0f} s in all; see LIVE_TIMEOUT_SECONDS).\n"
            "Run the cell again, or ask for a shorter reply with a smaller max_tokens."
        )
    if isinstance(error, anthropic.APIConnectionError):
        return NetworkError(
            "Could not reach the API: check your network connection.\n"
            "To keep going offline with the recorded replies: CONVERSE_KIT_MODE=replay"
        )
    if isinstance(error, anthropic.InternalServerError):
        return ApiError(
            f"The API failed on its side ({error.status_code}) and the SDK's retries did not get through.\n"
            "Run the cell again in a minute; nothing was added to the conversation."
        )
    if isinstance(error, json.JSONDecodeError):
        return ApiError("The API's answer could not be read (it was cut off or malformed). Run the cell again.")
    if isinstance(error, anthropic.APIStatusError):
        return ApiError(f"The API returned an error ({error.status_code}): {server_message(error)}")
    return error


def server_message(error: anthropic.APIStatusError) -> str:
    """The server's message, on one line, capped, with anything key-like masked, and the request id."""
    message = clip(mask(getattr(error, "api_message", None) or str(error)))
    request_id = getattr(error, "request_id", None)
    return f"{message} (request id {mask(str(request_id))})" if request_id else message


class SavedConversationError(KitError):
    """A saved conversation file that cannot be loaded."""
