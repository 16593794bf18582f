"""The replay wing: how a request reaches the API or a recording.

It holds the client factory (`client`), the httpx2 transports that replay, record and (in a workshop) wait
patiently (`transport`, `workshop`), an AsyncAnthropic that sends through the same transport (`aio`), the recording files (`recordings`), and the record command with the notebook
runner it uses (`record`, `notebooks`). It imports the core; of the other wings only `helpers.standin.StandIn`,
which the record command uses to turn authored replies into wire format.
Names other parts of the kit may import: `KitClient`, `make_client`, `status_line`, `notebooks`.
"""

from . import notebooks
from .client import KitClient, make_client, status_line

__all__ = ["KitClient", "make_client", "notebooks", "status_line"]
