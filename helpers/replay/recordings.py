"""Recording files: one readable JSON file per request, keyed on the normalized request."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RecordingError
from ..files import write_atomic
from ..history import last_user_text

FORMAT = "converse-kit/recording"
VERSION = 1
VOLATILE_FIELDS = ("metadata",)  # fields that may differ between runs without changing the reply
AUTHORED_NOTE = ("Authored sample: written by hand, served by the local stand-in in the API's wire format with every field "
                 "the SDK's types declare (null where it has no value). It is not real model output.")


def normalize_path(path: str) -> str:
    """Keep the API path from its last `/v1/` on, so a base URL with a prefix (even one holding /v1/) records the same key."""
    at = path.rfind("/v1/")
    return path[at:] if at >= 0 else path


def request_key(method: str, path: str, beta: str | None, body: Any) -> str:
    """The match key: a hash of method, path, beta header and JSON body (volatile fields removed)."""
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in VOLATILE_FIELDS}
    canonical = json.dumps(
        {"method": method.upper(), "path": normalize_path(path), "beta": beta or None, "body": body},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]




@dataclass
class Recording:
    """One request and the response it got, with where that response came from."""

    method: str
    path: str
    beta: str | None
    body: Any
    status: int
    headers: dict[str, str]
    response: str
    provenance: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """This recording's match key."""
        return request_key(self.method, self.path, self.beta, self.body)

    @property
    def label(self) -> str:
        """A one-line label saying honestly where this reply came from."""
        source = self.provenance.get("source", "unknown")
        if source == "authored":
            return "replayed: authored sample (hand-written, not model output)"
        if source == "recorded":
            return f"replayed: recorded from the live API on {self.provenance.get('date', '?')}"
        return f"replayed: captured from {self.provenance.get('server', 'a non-Anthropic server')} (not the live API)"

    def to_json(self) -> dict[str, Any]:
        """The file's JSON: the body kept as lines so the file stays readable and byte-exact."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "key": self.key,
            "provenance": self.provenance,
            "request": {"method": self.method, "path": self.path, "anthropic_beta": self.beta, "body": self.body},
            "response": {"status": self.status, "headers": self.headers, "body_lines": self.response.split("\n")},
        }

    @classmethod
    def from_json(cls, data: Any, source: Path) -> Recording:
        """Read a recording file's JSON, with a clear error when fields are missing or it was edited."""
        fix = f"Restore it with `git checkout -- {source}` or delete it and record again (python -m helpers.replay.record)."
        try:
            request, response = data["request"], data["response"]
            recording = cls(
                method=request["method"],
                path=request["path"],
                beta=request.get("anthropic_beta"),
                body=request["body"],
                status=int(response["status"]),
                headers=dict(response["headers"]),
                response="\n".join(response["body_lines"]),
                provenance=dict(data["provenance"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise RecordingError(f"Recording {source.name} is missing a field ({error}).\n{fix}") from None
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise RecordingError(f"{source.name} is not a converse-kit recording of version {VERSION}.\n{fix}")
        if data.get("key") != recording.key:
            raise RecordingError(f"Recording {source.name} was changed after it was recorded (its key no longer matches).\n{fix}")
        return recording


def slug(text: str) -> str:
    """A short file-name-safe slug of a text."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "request"




class RecordingStore:
    """All recordings under one folder (any depth, hidden folders left out), indexed by key; new ones go to
    `<root>/<cassette>/`. A request is answered from its own cassette first; a key that only other cassettes hold
    must have the same reply in each, else replay stops with an error (which one would be a guess)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._index: dict[str, dict[str, Recording]] | None = None

    def files(self) -> list[Path]:
        """Every recording file, sorted (a hidden folder, such as record mode's staging, is not read)."""
        if not self.root.exists():
            return []
        return sorted(p for p in self.root.rglob("*.json") if not any(part.startswith(".") for part in p.relative_to(self.root).parts))

    def load(self, path: Path) -> Recording:
        """Read one recording file, with a clear error when it is not valid JSON."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise RecordingError(
                f"Recording {path} is not readable JSON ({error}).\n"
                f"Restore it with `git checkout -- {path}` or delete it and record again."
            ) from None
        return Recording.from_json(data, path)

    def index(self, refresh: bool = False) -> dict[str, dict[str, Recording]]:
        """Map every key to its recordings by cassette (the folder under the root), reading the folder once."""
        if self._index is None or refresh:
            self._index = {}
            for path in self.files():
                recording = self.load(path)
                cassette = path.relative_to(self.root).parts[0] if len(path.relative_to(self.root).parts) > 1 else ""
                self._index.setdefault(recording.key, {})[cassette] = recording
        return self._index

    def find(self, key: str, cassette: str = "") -> Recording | None:
        """The recording for a key: the cassette's own, else the one other cassettes agree on (looking again before
        giving up); RecordingError when other cassettes hold different replies for it."""
        found = self.index().get(key) or self.index(refresh=True).get(key)
        if not found:
            return None
        if cassette in found:
            return found[cassette]
        replies = {recording.response for recording in found.values()}
        if len(replies) > 1:
            raise RecordingError(f"The request {key} is recorded in {len(found)} cassettes with different replies "
                                 f"({', '.join(sorted(found))}), so replay cannot tell which one you meant.\n"
                                 "Record them again together: python -m helpers.replay.record --authored <each notebook>")
        return next(iter(found.values()))

    def conflicts(self, cassette: str) -> list[str]:
        """The other cassettes that hold one of this cassette's keys with a different reply."""
        clashes = set()
        for found in self.index(refresh=True).values():
            own = found.get(cassette)
            if own is not None:
                clashes |= {name for name, other in found.items() if name != cassette and other.response != own.response}
        return sorted(clashes)

    def check_writable(self, cassette: str) -> None:
        """Raise a clear error unless new recordings can be written to `<root>/<cassette>/`."""
        folder = self.root / cassette
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as error:
            raise RecordingError(
                f"Record mode cannot write recordings to {folder} ({error.strerror}), so nothing was sent.\n"
                "Make that folder writable, or set CONVERSE_KIT_RECORDINGS to a folder you can write."
            ) from None

    def save(self, recording: Recording, cassette: str) -> Path:
        """Write a recording atomically to `<root>/<cassette>/<slug>-<key>.json`."""
        name = f"{slug(last_user_text(recording.body) or recording.path)}-{recording.key}.json"
        path = self.root / cassette / name
        write_atomic(path, json.dumps(recording.to_json(), indent=1, ensure_ascii=False) + "\n")
        self.index().setdefault(recording.key, {})[cassette] = recording
        return path
