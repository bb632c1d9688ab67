# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""Compatibility with newer packages than the stack was released with.

mmpretrain 1.2 imports its multimodal models (BLIP, BLIP-2, OFA, ...) whenever
``transformers>=4.28`` and pycocotools are installed. With transformers 5 (the GPU
machine's image has 5.17) that import fails (``TypeError: NoneType takes no arguments``
in ``blip/language_model.py``: the transformers classes it subclasses moved), and it
takes ``mmpretrain.models`` with it, so no mmpretrain backbone, ConvNeXt or ResNet,
builds. Where transformers >= 5 is installed, ``import moganet_mm`` turns mmpretrain's
switch off before its models are imported: mmpretrain then registers those models as
placeholders that ask for a working transformers, as it does without transformers.
It cannot help once ``mmpretrain.models`` was imported: import moganet_mm first.
"""
import importlib.metadata
import sys


def _major(package: str):
    try:
        return int(importlib.metadata.version(package).split('.')[0])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None


def mmpretrain_without_broken_multimodal() -> bool:
    """Keep ``mmpretrain.models`` importable with transformers >= 5 (see the module's
    docstring); returns whether mmpretrain's multimodal switch was turned off."""
    if (_major('transformers') or 0) < 5 or _major('mmpretrain') != 1 \
            or 'mmpretrain.models' in sys.modules:
        return False
    from mmpretrain.utils import dependency
    dependency.WITH_MULTIMODAL = False
    return True
