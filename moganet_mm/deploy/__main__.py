"""``python -m moganet_mm.deploy``: the export tool's command line."""
import sys

from .cli import main

sys.exit(main())
