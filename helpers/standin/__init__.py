"""The stand-in wing: a local server on 127.0.0.1 that answers like the Anthropic API, for tests and authoring.

`python -m helpers.standin` runs it. It imports the core; of the other wings only the offline token estimate
(`helpers.memory.estimate_tokens`, `helpers.memory.estimate_request_tokens`), which sizes its usage counts.
Names other wings may import: `StandIn`, `Fault`, `chunks`, `stream_events`.
"""

from .server import Fault, StandIn, chunks, stream_events

__all__ = ["Fault", "StandIn", "chunks", "stream_events"]
