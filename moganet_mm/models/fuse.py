# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""Folding inference-time constants into convolutions (for ``switch_to_deploy``)."""
from typing import Tuple

import torch
import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm


def bn_affine(bn: nn.Module) -> Tuple[torch.Tensor, torch.Tensor]:
    """(scale, shift) of an eval-mode BatchNorm: ``bn(x) = scale * x + shift``."""
    if not isinstance(bn, _BatchNorm) or not bn.track_running_stats:
        raise TypeError(f'Only BatchNorm with running statistics folds into a conv, '
                        f'not {type(bn).__name__}; deploy mode needs norm_cfg BN or SyncBN')
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return scale, bn.bias - bn.running_mean * scale


@torch.no_grad()
def fold_bn_after_conv(conv: nn.Conv2d, bn: nn.Module):
    """``bn(conv(x))`` -> ``conv'(x)``, in place."""
    scale, shift = bn_affine(bn)
    bias = conv.bias if conv.bias is not None else torch.zeros_like(shift)
    conv.weight.mul_(scale.view(-1, 1, 1, 1))
    conv.bias = nn.Parameter(bias * scale + shift)


@torch.no_grad()
def fold_affine_before_pointwise(conv: nn.Conv2d, scale: torch.Tensor, shift: torch.Tensor):
    """``conv(scale * x + shift)`` -> ``conv'(x)`` for a 1x1 conv (no padding, so
    exact everywhere), in place."""
    assert conv.kernel_size == (1, 1) and conv.groups == 1
    weight = conv.weight[:, :, 0, 0]
    conv.bias = nn.Parameter(conv.bias + weight @ shift)
    conv.weight.mul_(scale.view(1, -1, 1, 1))


@torch.no_grad()
def scale_conv_output(conv: nn.Conv2d, scale: torch.Tensor):
    """``scale * conv(x)`` -> ``conv'(x)`` (per output channel), in place."""
    conv.weight.mul_(scale.view(-1, 1, 1, 1))
    conv.bias.mul_(scale)


@torch.no_grad()
def concat_pointwise(*convs: nn.Conv2d) -> nn.Conv2d:
    """One 1x1 conv computing ``torch.cat([conv(x) for conv in convs], dim=1)``."""
    assert all(c.kernel_size == (
        1, 1) and c.groups == 1 and c.bias is not None and c.in_channels == convs[0].in_channels
               for c in convs)
    conv = nn.Conv2d(convs[0].in_channels, sum(c.out_channels for c in convs), 1, device='meta')
    conv.weight = nn.Parameter(torch.cat([c.weight for c in convs]))
    conv.bias = nn.Parameter(torch.cat([c.bias for c in convs]))
    return conv
