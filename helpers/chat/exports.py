"""Save and Export for the chat: JSON that `Conversation.load` reads, a Markdown transcript, a standalone HTML page.

The kit's rule: files go only into your exports folder (next to the chat store, outside the kit's folder), and a
file is overwritten only if the chat wrote it and nobody changed it since; anything else is refused with what to do.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..conversation import Conversation
from ..files import write_atomic
from ..redact import env_secrets, header_secrets, scrub
from ..saved import page
from .store import ChatStore

KINDS = {"json": ".json", "markdown": ".md", "html": ".html"}


def exports_folder(store: ChatStore) -> Path:
    """Your folder for saved and exported chats: `exports/` beside the store file."""
    return store.path.parent / "exports"


def target(store: ChatStore, name: str | Path) -> Path:
    """Where a file name lands in your exports folder; an error for a path that leads out of it."""
    folder = exports_folder(store).resolve()
    text = str(name).strip()
    if not text:
        raise ValueError("Type a file name, such as chat.json.")
    path = (folder / Path(text).expanduser()).resolve()
    if path.parent != folder and folder not in path.parents:
        raise ValueError(f"{text!r} leads outside your exports folder ({folder}): type a plain name such as chat.json.")
    return path


def sha256(text: str) -> str:
    """The hex digest of some text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_owned(store: ChatStore, path: Path, text: str) -> Path:
    """Write a file the chat may write: a new one, or one it wrote itself and that is unchanged since."""
    if path.exists() or path.is_symlink():
        try:
            now = sha256(path.read_text(encoding="utf-8")) if path.is_file() and not path.is_symlink() else None
        except (OSError, UnicodeDecodeError):
            now = None
        if now is None or now != store.wrote(path):
            raise FileExistsError(f"{path.name} is already in {path.parent} and the chat did not write it (or it changed "
                                  "since): type another name, or move that file away first.")
    write_atomic(path, text)
    store.remember(path, sha256(text))
    return path


def render(conversation: Conversation, kind: str) -> str:
    """The current branch as JSON, Markdown or HTML, with any API key in it replaced."""
    if kind == "json":
        text = json.dumps(conversation.to_dict(), indent=1, ensure_ascii=False) + "\n"  # what Conversation.save writes
    elif kind == "markdown":
        text = conversation.to_markdown() + "\n"
    elif kind == "html":
        first = next((m["content"] for m in conversation.messages if isinstance(m["content"], str)), "A chat")
        text = page(conversation.system, conversation.messages, conversation.replies, f"Chat: {str(first)[:60]}",
                    f"{len(conversation.messages)} messages | model {conversation.model} | tokens: {conversation.usage}")
    else:
        raise ValueError(f"Export as one of {', '.join(KINDS)}, not {kind!r}.")
    key = str(getattr(conversation._client, "api_key", None) or "")
    return str(scrub(text, env_secrets() + header_secrets({"x-api-key": key})))


def export(store: ChatStore, conversation: Conversation, name: str | Path, kind: str) -> Path:
    """Write the current branch into your exports folder under `name` (the kind's suffix added if missing)."""
    path = target(store, name)
    if path.suffix != KINDS.get(kind, path.suffix):
        path = path.with_name(path.name + KINDS[kind]) if path.suffix == "" else path.with_suffix(KINDS[kind])
    return write_owned(store, path, render(conversation, kind))
