# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""The one version of moganet_mm, read by setup.py, the package, the model index and
the converters' ``meta``."""
__version__ = '0.1.0'
