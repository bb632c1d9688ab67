# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""MogaNet for OpenMMLab 2.0.

``import moganet_mm`` (or ``custom_imports=dict(imports=['moganet_mm'])`` in a
config) registers :class:`MogaNet` in MMEngine's root ``MODELS`` registry, which
mmdet, mmseg, mmpose and mmpretrain all search, and lets ``torch.load`` read
MMEngine's own checkpoints as data on torch >= 2.6.
"""
from .checkpoint import allow_mmengine_checkpoints
from .datasets import MovingMNIST
from .engine import RNGStateHook
from .evaluation import VideoPredictionMetric
from .models import MogaNet, SimVP

allow_mmengine_checkpoints()

__version__ = '0.1.0'
__all__ = ['MogaNet', 'MovingMNIST', 'RNGStateHook', 'SimVP', 'VideoPredictionMetric',
           '__version__']
