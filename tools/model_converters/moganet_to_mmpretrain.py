#!/usr/bin/env python
"""Convert an original MogaNet ImageNet classifier into an mmpretrain checkpoint.

The command line of :mod:`moganet_mm.converters.moganet_to_mmpretrain`; see ``--help``."""
import sys

from moganet_mm.converters.moganet_to_mmpretrain import main

if __name__ == '__main__':
    sys.exit(main())
