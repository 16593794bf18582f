"""converse-kit helpers: the client and its mode, Conversation, record/replay, friendly errors."""

from .config import DEFAULT_MODEL, Settings, load_settings
from .conversation import Conversation, ask
from .errors import KitError, ReplayMissError
from .history import MessageDict, check_history
from .reply import Reply, Usage
from .session import current, model, setup
from .transport import label_for

__all__ = [
    "DEFAULT_MODEL",
    "Conversation",
    "ask",
    "KitError",
    "MessageDict",
    "Reply",
    "ReplayMissError",
    "Settings",
    "Usage",
    "check_history",
    "current",
    "label_for",
    "load_settings",
    "model",
    "setup",
]
