# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""MogaNet for OpenMMLab 2.0.

``import moganet_mm`` (or ``custom_imports=dict(imports=['moganet_mm'])`` in a
config) registers :class:`MogaNet` in MMEngine's root ``MODELS`` registry, which
mmdet, mmseg, mmpose and mmpretrain all search, and lets ``torch.load`` read
MMEngine's own checkpoints as data on torch >= 2.6.

The user features are subpackages with a small API and a command line each:
:mod:`moganet_mm.swap` (MogaNet into any codebase config), :mod:`moganet_mm.deploy`
(ONNX export, ONNX Runtime) and :mod:`moganet_mm.converters` (the authors'
checkpoints). :func:`get_config_path` finds the installed configs.
"""
from .checkpoint import allow_mmengine_checkpoints
from .compat import mmpretrain_without_broken_multimodal
from .datasets import MovingMNIST
from .engine import RNGStateHook
from .evaluation import VideoPredictionMetric
from .mim_files import get_config_path
from .models import MogaNet, SimVP
from .version import __version__

allow_mmengine_checkpoints()
mmpretrain_without_broken_multimodal()  # transformers 5 (compat.py)

__all__ = [
    'MogaNet', 'MovingMNIST', 'RNGStateHook', 'SimVP', 'VideoPredictionMetric', '__version__',
    'get_config_path'
]
