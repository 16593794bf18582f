"""The stand-in wing: a local server on 127.0.0.1 that answers like the Anthropic API, for tests and authoring.

`python -m helpers.standin` runs it. It imports the core (its usage and count_tokens are the bill of `helpers.api.bill`,
its Models API answers `helpers.api.models`); of the other wings only `helpers.memory` (the estimate's names and the
prompt cache).
Names other wings may import: `StandIn`, `Fault`, `chunks`, `stream_events`.
"""

from .server import Fault, StandIn, chunks, stream_events

__all__ = ["Fault", "StandIn", "chunks", "stream_events"]
