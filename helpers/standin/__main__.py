"""`python -m helpers.standin`: run the local stand-in of the API until Ctrl+C."""

import sys

from .cli import main

sys.exit(main())
