#!/usr/bin/env python
"""Convert an original MogaNet checkpoint (Westlake-AI/MogaNet release) into a
moganet_mm backbone checkpoint.

The command line of :mod:`moganet_mm.converters.moganet_to_mm`; see ``--help``."""
import sys

from moganet_mm.converters.moganet_to_mm import main

if __name__ == '__main__':
    sys.exit(main())
