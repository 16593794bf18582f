"""`python -m helpers.standin`: run the local stand-in in the foreground, or its caching demo."""

from __future__ import annotations

import argparse
import time

from ..memory import caching_demo
from .server import StandIn

DESCRIPTION = "A local stand-in of the Anthropic Messages API on 127.0.0.1, for tests, authoring and offline demos."


def main(argv: list[str] | None = None) -> int:
    """Run the stand-in in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m helpers.standin", description=DESCRIPTION)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--rate-limit", type=float, default=None, help="requests per second before answering 429")
    parser.add_argument("--demo", action="store_true", help="send a long prefix twice, then a short one; print the usage")
    args = parser.parse_args(argv)
    with StandIn(port=args.port, rate_limit=args.rate_limit) as server:
        if args.demo:
            return caching_demo(server.url)
        print(f"Stand-in API at {server.url}. In another shell:\n"
              f"  export ANTHROPIC_BASE_URL={server.url} ANTHROPIC_API_KEY=any-dummy-value CONVERSE_KIT_MODE=live")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
