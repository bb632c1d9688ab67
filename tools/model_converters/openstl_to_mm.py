#!/usr/bin/env python
"""Convert an OpenSTL SimVP-MogaNet checkpoint (``model_type='moga'``) into a
moganet_mm :class:`~moganet_mm.models.SimVP` checkpoint.

The command line of :mod:`moganet_mm.converters.openstl_to_mm`; see ``--help``."""
import sys

from moganet_mm.converters.openstl_to_mm import main

if __name__ == '__main__':
    sys.exit(main())
