"""converse-kit helpers. The core: what a learner reads, the conversation, its replies, history checks, friendly errors.

The core modules sit here at the top. What a learner reads: `conversation`, `branches` (every branch of a conversation, as a tree), `reply`, `history`, `blocks` (content
blocks and the rules a history of them keeps), `tools` (tool use across turns), `errors`, `config`, `session`. What
those rely on: `api_facts` (every API fact the kit uses, with its source and date), `sendable` and `answers` (checks
before a request leaves and after an answer arrives), `saved` (the saved format and the transcript), `redact` (keys
kept off screen and disk), `pictures` (the kit's own sample image), `wire` (what a client sent, where each reply came
from), `files` (safe writes) and `serving` (a local server in a background thread). Around it are wings, one folder
a job: `replay`, `standin`, `memory`, `chat`, `classroom`, `gateway`. The rule: the core imports no wing, with one exception,
`session.setup()`, where the kit is assembled (it takes `make_client`/`status_line` from `helpers.replay` and
`key_from_colab`/`setup_warning` from `helpers.classroom`); wings import the core; a wing imports another wing only
through a name that wing's `__init__` lists. `tests/test_layout.py` holds the rule.
"""

from .config import DEFAULT_MODEL, Settings, load_settings
from .conversation import Conversation, ask
from .errors import KitError, ReplayMissError
from .history import MessageDict, check_history
from .reply import Reply, Usage, label_for
from .session import current, model, setup

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
