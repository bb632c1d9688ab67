"""``python -m moganet_mm.swap``: the swap tool's command line."""
import sys

from .cli import main

sys.exit(main())
