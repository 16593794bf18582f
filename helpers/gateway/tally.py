"""What a reply has used: read from a streamed reply's server-sent events as they pass, or from a whole reply."""

from __future__ import annotations

import json
from typing import Any

from ..memory import estimate_tokens
from ..reply import Usage

DELTA_FIELDS = {"text_delta": "text", "thinking_delta": "thinking", "input_json_delta": "partial_json"}


def usage_of(fields: Any) -> dict[str, int]:
    """The Usage fields of an API usage object (missing or null ones left out)."""
    if not isinstance(fields, dict):
        return {}
    return {k: int(v) for k, v in fields.items() if k in Usage.__dataclass_fields__ and isinstance(v, int)}


class Tally:
    """Usage so far, and every generated piece seen (text, thinking, tool-input JSON), for billing a cut reply."""

    def __init__(self, input_estimate: int = 0) -> None:
        self.usage, self.finished, self.started = Usage(), False, False
        self.input_estimate, self.pieces, self._buffer = input_estimate, list[str](), b""

    @property
    def text(self) -> str:
        """Everything generated so far, joined."""
        return "".join(self.pieces)

    def feed(self, chunk: bytes) -> None:
        """Read the complete events in a chunk (an event may span chunks)."""
        self._buffer += chunk.replace(b"\r\n", b"\n")
        *events, self._buffer = self._buffer.split(b"\n\n")
        for event in events:
            for line in event.split(b"\n"):
                if line.startswith(b"data:"):
                    try:
                        data = json.loads(line[5:])
                    except ValueError:
                        continue
                    if isinstance(data, dict):
                        self.read(data)

    def read(self, data: dict[str, Any]) -> None:
        """Take the usage and generated pieces an event carries."""
        kind = data.get("type")
        if kind == "message_start" and isinstance(data.get("message"), dict):
            self.started = True
            self.usage = Usage(**usage_of(data["message"].get("usage")))
        elif kind == "message_delta":
            self.usage = Usage(**{**self.usage.__dict__, **usage_of(data.get("usage"))})
        elif kind == "content_block_delta" and isinstance(data.get("delta"), dict):
            field = DELTA_FIELDS.get(str(data["delta"].get("type")))
            if field:
                self.pieces.append(str(data["delta"].get(field, "")))
        elif kind == "message_stop":
            self.finished = True

    def whole(self, reply: dict[str, Any]) -> None:
        """Take a complete (non-streamed) reply."""
        self.read({"type": "message_start", "message": reply})
        for block in reply.get("content") or []:
            if isinstance(block, dict):
                self.pieces.append(str(block.get("text") or block.get("thinking") or json.dumps(block.get("input", ""))))
        self.finished = True

    def billed(self) -> Usage:
        """The usage to bill: as reported for a finished reply; for a cut one, at least what was seen arriving."""
        if self.finished:
            return self.usage
        seen = estimate_tokens(self.text)
        return Usage(**{**self.usage.__dict__, "input_tokens": self.usage.input_tokens or self.input_estimate,
                        "output_tokens": max(self.usage.output_tokens, seen)})
