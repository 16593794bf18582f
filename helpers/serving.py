"""A local HTTP server run from a background thread: the stand-in (a local test double) serves this way.

The class gateway, which faces learners, runs on Tornado instead (helpers/gateway/server.py) and shares nothing here.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class Listener(ThreadingHTTPServer):
    """A threading HTTP server whose listen backlog holds a whole class connecting at once."""

    request_queue_size = 128  # socketserver's default is 5: a room of 30 reconnecting together overflowed it


class BackgroundServer:
    """Serves `handler` (given this object as `server_owner`) on host:port from a thread; `with` starts and stops it."""

    handler: type[BaseHTTPRequestHandler]
    owner_name = "server_owner"  # the attribute under which each request handler finds this object
    poll_interval = 0.05

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port, self.url = host, port, ""
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> Self:
        """Start serving in a background thread; `url` then says where."""
        handler = type("Handler", (self.handler,), {self.owner_name: self})
        self._server = Listener((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.url = f"http://{self.host}:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": self.poll_interval}, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        """Start on entering a with block."""
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        """Stop on leaving a with block."""
        self.stop()
