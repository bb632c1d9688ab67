#!/usr/bin/env python
"""Put MogaNet into any config of mmdet, mmseg, mmpose or mmpretrain: the command
line of :mod:`moganet_mm.swap` (installed as ``moganet-swap``); see ``--help``."""
import sys

from moganet_mm.swap.cli import main

if __name__ == '__main__':
    sys.exit(main())
