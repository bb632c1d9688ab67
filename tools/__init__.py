"""moganet_mm's tools, one importable package: ``python tools/X.py`` and
``python -m tools.X`` run the same code, and tests import it as ``tools.X``.

``make install`` installs this package in editable mode beside ``moganet_mm``, so
the scripts find it without any path edits.
"""
