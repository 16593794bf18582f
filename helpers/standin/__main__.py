"""`python -m helpers.standin`: run the local stand-in of the API until Ctrl+C."""

import sys

from .server import main

sys.exit(main())
