#!/usr/bin/env python
"""Export a config's model to ONNX and check it with ONNX Runtime: the command line
of :mod:`moganet_mm.deploy` (installed as ``moganet-export``); see ``--help``."""
import sys

from moganet_mm.deploy.cli import main

if __name__ == '__main__':
    sys.exit(main())
