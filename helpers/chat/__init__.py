"""The chat wing: the chat widget of notebook 05 and its pieces.

`ChatWidget(conversation)` (`widget`) is built from the bubbles of the log (`chatlog`), the settings panel
(`chatsettings`), the panels' actions and error notes (`panel`), the meter and the suggested message (`meter`,
`status`) and a streamed turn that Stop can end (`streaming`). It imports the core; of the other wings only names `helpers.memory` lists (strategies, prices, token estimate, context window).
Names other wings may import: `ChatWidget`.
"""

from .widget import ChatWidget

__all__ = ["ChatWidget"]
