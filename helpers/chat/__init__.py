"""The chat wing: the chat widget of notebook 05 and its pieces.

`ChatWidget(conversation)` (`widget`) is built from the bubbles of the log (`chatlog`), the settings panel
(`chatsettings`), the panels' actions and error notes (`panel`), the meter and the suggested message (`meter`,
`status`), a streamed turn that Stop can end (`streaming`), branches and reopened chats (`branching`), the SQLite
store that keeps every chat as it goes (`store`), Save and Export into your own folder (`exports`) and the script
that makes the log a followed live region (`access`). It imports the core; of the other wings only names `helpers.memory` lists (strategies, prices, token estimate, context window).
Names other wings may import: `ChatWidget`, `ChatStore`.
"""

from .store import ChatStore
from .widget import ChatWidget

__all__ = ["ChatStore", "ChatWidget"]
