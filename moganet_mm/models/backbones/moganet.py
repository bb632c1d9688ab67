# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""MogaNet: Efficient Multi-order Gated Aggregation Network.

Li et al., ICLR 2024, https://arxiv.org/abs/2211.03295.

A pure-convolution hierarchical backbone. Each stage is a strided conv embedding,
a stack of :class:`MogaBlock` and a norm. A block is two pre-norm residual
branches, each scaled by a learnable layer scale:

- spatial: :class:`MultiOrderGatedAggregation` (feature decomposition, then a
  SiLU gate times a multi-order dilated depthwise-conv context);
- channel: :class:`ChannelAggregationFFN` (1x1 - DW 3x3 - GELU, channel
  aggregation, 1x1).

Module and parameter names follow the original implementation
(Westlake-AI/MogaNet) so that its released checkpoints load unchanged.
"""
import difflib
import functools
import inspect
import math
import re
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.checkpoint as cp
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmcv.cnn.bricks import DropPath
from mmengine.logging import print_log
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from mmengine.registry import MODELS
from torch.nn.modules.batchnorm import _BatchNorm

from ...checkpoint import backbone_weights, infer_arch
from ...sizes import moganet_sizes
from ..dilated_dwconv import SubgridDilatedDWConv
from ..fuse import (bn_affine, concat_pointwise, fold_affine_before_pointwise, fold_bn_after_conv,
                    scale_conv_output)


def build_norm(norm_cfg: dict, num_channels: int) -> nn.Module:
    """Build a norm layer with mmcv; GN without ``num_groups`` gets one group
    per channel, as the original's 'GN' option does."""
    norm_cfg = dict(norm_cfg)
    if norm_cfg.get('type') == 'GN':
        norm_cfg.setdefault('num_groups', num_channels)
    return build_norm_layer(norm_cfg, num_channels)[1]


class ElementScale(nn.Module):
    """Learnable per-channel scale ``x * scale``, ``scale`` of shape (1, C, 1, 1)."""

    def __init__(self, num_channels: int, init_value: float = 0.):
        super().__init__()
        self.scale = nn.Parameter(torch.full((1, num_channels, 1, 1), float(init_value)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale


class MultiOrderDWConv(nn.Module):
    """Multi-order context: depthwise convs of growing reach on channel splits.

    ``z0 = DW5x5(x)`` (dilation d0) sees low-order context. Of its channels,
    split by ``channel_split`` (default 1:3:4), the first part is kept, the second
    goes through a DW 5x5 with dilation d1 (middle order), the third through a DW
    7x7 with dilation d2 (high order); a 1x1 conv mixes the concatenation.

    Args:
        embed_dims (int): Channels; must be divisible by ``sum(channel_split)``.
        dw_dilation (Sequence[int]): Dilations (d0, d1, d2), each in 1..3.
        channel_split (Sequence[int]): Relative sizes of the three splits.
    """

    def __init__(self,
                 embed_dims: int,
                 dw_dilation: Sequence[int] = (1, 2, 3),
                 channel_split: Sequence[int] = (1, 3, 4)):
        super().__init__()
        if len(dw_dilation) != 3 or len(channel_split) != 3:
            raise ValueError('attn_dw_dilation and attn_channel_split need 3 values '
                             f'each, got {list(dw_dilation)} and {list(channel_split)}')
        if not all(1 <= d <= 3 for d in dw_dilation):
            raise ValueError(f'attn_dw_dilation values must be in 1..3, got {list(dw_dilation)}')
        if embed_dims % sum(channel_split):
            raise ValueError(f'embed_dims {embed_dims} must be divisible by '
                             f'sum(attn_channel_split) = {sum(channel_split)}')
        total = sum(channel_split)
        self.embed_dims = embed_dims
        self.embed_dims_1 = int(channel_split[1] / total * embed_dims)
        self.embed_dims_2 = int(channel_split[2] / total * embed_dims)
        self.embed_dims_0 = embed_dims - self.embed_dims_1 - self.embed_dims_2

        def dw_conv(channels, kernel_size, dilation):
            return nn.Conv2d(
                channels,
                channels,
                kernel_size,
                groups=channels,
                dilation=dilation,
                padding=(kernel_size - 1) * dilation // 2)

        self.DW_conv0 = dw_conv(embed_dims, 5, dw_dilation[0])
        self.DW_conv1 = dw_conv(self.embed_dims_1, 5, dw_dilation[1])
        self.DW_conv2 = dw_conv(self.embed_dims_2, 7, dw_dilation[2])
        self.PW_conv = nn.Conv2d(embed_dims, embed_dims, 1)

    def switch_to_deploy(self):
        """Run the dilated 7x7 conv as an undilated one on its sub-grids on the CPU
        (same result, 2-4x faster there; :mod:`moganet_mm.models.dilated_dwconv`)."""
        if self.DW_conv2.dilation[0] > 1:
            self.DW_conv2 = SubgridDilatedDWConv.from_conv(self.DW_conv2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x_0 = self.DW_conv0(x)
        c0, c1 = self.embed_dims_0, self.embed_dims_1
        x_1 = self.DW_conv1(x_0[:, c0:c0 + c1])
        x_2 = self.DW_conv2(x_0[:, self.embed_dims - self.embed_dims_2:])
        return self.PW_conv(torch.cat([x_0[:, :c0], x_1, x_2], dim=1))


class MultiOrderGatedAggregation(nn.Module):
    """Spatial aggregation: ``proj_2(act(gate(y)) * act(value(y))) + x``.

    ``y = act(z + sigma * (z - GAP(z)))`` with ``z = proj_1(x)``: the feature
    decomposition pushes ``z`` away from its global average, keeping the
    middle-order interactions that plain convs lose.

    Args:
        embed_dims (int): Channels.
        dw_dilation, channel_split: See :class:`MultiOrderDWConv`.
        act_cfg (dict): Activation of the value and gate branches (SiLU).
        force_fp32 (bool): Compute the gating product and ``proj_2`` in float32
            under autocast (same math; the original applied the activation twice
            in this mode).
    """

    def __init__(self,
                 embed_dims: int,
                 dw_dilation: Sequence[int] = (1, 2, 3),
                 channel_split: Sequence[int] = (1, 3, 4),
                 act_cfg: dict = dict(type='SiLU'),
                 force_fp32: bool = False):
        super().__init__()
        self.force_fp32 = force_fp32
        self.proj_1 = nn.Conv2d(embed_dims, embed_dims, 1)
        self.gate = nn.Conv2d(embed_dims, embed_dims, 1)
        self.value = MultiOrderDWConv(embed_dims, dw_dilation, channel_split)
        self.proj_2 = nn.Conv2d(embed_dims, embed_dims, 1)
        self.act_value = build_activation_layer(act_cfg)
        self.act_gate = build_activation_layer(act_cfg)
        self.sigma = ElementScale(embed_dims, init_value=1e-5)

    def feat_decompose(self, x: torch.Tensor) -> torch.Tensor:
        x = self.proj_1(x)
        x = x + self.sigma(x - x.mean(dim=(2, 3), keepdim=True))
        return self.act_value(x)

    def forward_gating(self, g: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """``proj_2(act(g) * act(v))``, in float32 under autocast if ``force_fp32``."""
        if self.force_fp32 and torch.is_autocast_enabled(g.device.type):
            with torch.autocast(device_type=g.device.type, enabled=False):
                g, v = g.float(), v.float()
                return self.proj_2(self.act_gate(g) * self.act_gate(v))
        return self.proj_2(self.act_gate(g) * self.act_gate(v))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x
        x = self.feat_decompose(x)
        return self.forward_gating(self.gate(x), self.value(x)) + shortcut


class ChannelAggregationFFN(nn.Module):
    """FFN with channel aggregation.

    ``h = act(dwconv(fc1(x)))`` (hidden width ``feedforward_channels``), then
    ``h = h + sigma * (h - act(decompose(h)))`` where ``decompose`` is a 1x1 conv
    to a single channel, broadcast back over all channels; ``fc2(h)``.
    """

    def __init__(self,
                 embed_dims: int,
                 feedforward_channels: int,
                 act_cfg: dict = dict(type='GELU'),
                 ffn_drop: float = 0.):
        super().__init__()
        self.fc1 = nn.Conv2d(embed_dims, feedforward_channels, 1)
        self.dwconv = nn.Conv2d(
            feedforward_channels, feedforward_channels, 3, padding=1, groups=feedforward_channels)
        self.act = build_activation_layer(act_cfg)
        self.fc2 = nn.Conv2d(feedforward_channels, embed_dims, 1)
        self.drop = nn.Dropout(ffn_drop)
        self.decompose = nn.Conv2d(feedforward_channels, 1, 1)
        self.sigma = ElementScale(feedforward_channels, init_value=1e-5)
        self.decompose_act = build_activation_layer(act_cfg)

    def feat_decompose(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.sigma(x - self.decompose_act(self.decompose(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.drop(self.act(self.dwconv(self.fc1(x))))
        x = self.feat_decompose(x)
        return self.drop(self.fc2(x))


class MogaBlock(nn.Module):
    """``x + ls1 * attn(norm1(x))``, then ``x + ls2 * mlp(norm2(x))``, with drop path.

    Args:
        embed_dims (int): Channels.
        ffn_ratio (float): Hidden width of the FFN relative to ``embed_dims``.
        drop_rate (float): Dropout in the FFN.
        drop_path_rate (float): Stochastic depth of both branches.
        norm_cfg (dict): Norm before each branch.
        act_cfg (dict): Activation of the FFN.
        layer_scale_init_value (float): Initial layer scales.
        attn_dw_dilation, attn_channel_split, attn_act_cfg, attn_force_fp32:
            See :class:`MultiOrderGatedAggregation`.
    """

    def __init__(self,
                 embed_dims: int,
                 ffn_ratio: float = 4.,
                 drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='GELU'),
                 layer_scale_init_value: float = 1e-5,
                 attn_dw_dilation: Sequence[int] = (1, 2, 3),
                 attn_channel_split: Sequence[int] = (1, 3, 4),
                 attn_act_cfg: dict = dict(type='SiLU'),
                 attn_force_fp32: bool = False):
        super().__init__()
        self.norm1 = build_norm(norm_cfg, embed_dims)
        self.attn = MultiOrderGatedAggregation(embed_dims, attn_dw_dilation, attn_channel_split,
                                               attn_act_cfg, attn_force_fp32)
        self.drop_path = DropPath(drop_path_rate) if drop_path_rate > 0. else nn.Identity()
        self.norm2 = build_norm(norm_cfg, embed_dims)
        self.mlp = ChannelAggregationFFN(embed_dims, int(embed_dims * ffn_ratio), act_cfg,
                                         drop_rate)
        self.layer_scale_1 = nn.Parameter(
            torch.full((1, embed_dims, 1, 1), float(layer_scale_init_value)))
        self.layer_scale_2 = nn.Parameter(
            torch.full((1, embed_dims, 1, 1), float(layer_scale_init_value)))
        self.deploy = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.deploy:
            return self.forward_deploy(x)
        x = x + self.drop_path(self.layer_scale_1 * self.attn(self.norm1(x)))
        x = x + self.drop_path(self.layer_scale_2 * self.mlp(self.norm2(x)))
        return x

    @torch.no_grad()
    def switch_to_deploy(self):
        """Fold the norms, layer scales and both decomposition scales into convs.

        With ``u = a*x + b`` (norm1, eval BN), norm1 folds into ``proj_1`` (a 1x1
        conv, so exactly, borders included) and the spatial branch
        ``x + ls1 * (proj_2(gating) + u)`` becomes
        ``proj_2'(gating) + (1 + ls1*a) * x`` with ``proj_2' = ls1 * proj_2 + ls1*b``.
        The FFN's ``fc2(h + sigma*(h - d))``, ``d`` one channel broadcast over all,
        becomes ``fc2'(h) - w_d * d`` with ``fc2' = ls2 * fc2 * (1 + sigma)`` and
        ``w_d = ls2 * (W_2 @ sigma)``; ``d``'s 1x1 conv becomes one more output
        channel of ``fc2'``; norm2 folds into fc1. The attention's feature
        decomposition ``z + s * (z - GAP(z))``, ``z = W x + b``, is linear in ``x``:
        it becomes ``(1 + s) W x + b - (s W) GAP(x)``, one conv and a per-sample
        offset from the pooled input.
        """
        if self.deploy:
            return
        attn, mlp = self.attn, self.mlp
        ls1, ls2 = self.layer_scale_1.flatten(), self.layer_scale_2.flatten()
        # spatial branch
        a1, b1 = bn_affine(self.norm1)
        fold_affine_before_pointwise(attn.proj_1, a1, b1)
        s = attn.sigma.scale.flatten()
        # offset = s W GAP(x) = s / (1 + s) * (W' GAP(x)): reuse proj_1's folded weight
        self.fold_decompose = bool((1 + s).abs().min() > 1e-3)
        if self.fold_decompose:
            attn.proj_1.weight.mul_((1 + s).view(-1, 1, 1, 1))
            self.register_buffer('decompose_gain', s / (1 + s))
            del attn.sigma
        scale_conv_output(attn.proj_2, ls1)
        attn.proj_2.bias.add_(ls1 * b1)
        attn.value.switch_to_deploy()
        self.register_buffer('res_scale', (1 + ls1 * a1).view(1, -1, 1, 1))
        # channel branch
        fold_affine_before_pointwise(mlp.fc1, *bn_affine(self.norm2))
        sigma = mlp.sigma.scale.flatten()
        self.register_buffer('decompose_scale',
                             (ls2 * (mlp.fc2.weight[:, :, 0, 0] @ sigma)).view(1, -1, 1, 1))
        mlp.fc2.weight.mul_((1 + sigma).view(1, -1, 1, 1))
        scale_conv_output(mlp.fc2, ls2)
        # decompose (a 1x1 conv to one channel) is slow as a conv of its own (2.8 GMAC/s
        # against fc2's 74 on the CPU): it becomes fc2's last output channel
        mlp.fc2 = concat_pointwise(mlp.fc2, mlp.decompose)
        del self.norm1, self.norm2, self.layer_scale_1, self.layer_scale_2, mlp.sigma, \
            mlp.decompose
        self.deploy = True

    def forward_deploy(self, x: torch.Tensor) -> torch.Tensor:
        attn, mlp = self.attn, self.mlp
        if self.fold_decompose:
            pooled = F.linear(x.mean(dim=(2, 3)), attn.proj_1.weight.flatten(1))
            y = attn.act_value(attn.proj_1(x) - (self.decompose_gain * pooled)[:, :, None, None])
        else:  # a sigma of -1 cannot be divided out: decompose as the eager model
            y = attn.feat_decompose(x)
        x = torch.addcmul(attn.forward_gating(attn.gate(y), attn.value(y)), self.res_scale, x)
        out = mlp.fc2(mlp.act(mlp.dwconv(mlp.fc1(x))))
        channels = x.shape[1]
        d = mlp.decompose_act(out[:, channels:])
        return torch.addcmul(out[:, :channels] + x, self.decompose_scale, d, value=-1)


class ConvPatchEmbed(nn.Module):
    """Downsampling between stages: conv 3x3 stride 2 (pad 1), then a norm."""

    def __init__(self, in_channels: int, embed_dims: int, norm_cfg: dict):
        super().__init__()
        self.projection = nn.Conv2d(in_channels, embed_dims, 3, stride=2, padding=1)
        self.norm = build_norm(norm_cfg, embed_dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.projection(x))

    def switch_to_deploy(self):
        fold_bn_after_conv(self.projection, self.norm)
        self.norm = nn.Identity()


class StackConvPatchEmbed(nn.Module):
    """Stem, stride 4: conv3x3/2 - norm - act - conv3x3/2 - norm."""

    def __init__(self, in_channels: int, embed_dims: int, norm_cfg: dict, act_cfg: dict):
        super().__init__()
        self.projection = nn.Sequential(
            nn.Conv2d(in_channels, embed_dims // 2, 3, stride=2, padding=1),
            build_norm(norm_cfg, embed_dims // 2),
            build_activation_layer(act_cfg),
            nn.Conv2d(embed_dims // 2, embed_dims, 3, stride=2, padding=1),
            build_norm(norm_cfg, embed_dims),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.projection(x)

    def switch_to_deploy(self):
        for conv, norm in ((0, 1), (3, 4)):
            fold_bn_after_conv(self.projection[conv], self.projection[norm])
            self.projection[norm] = nn.Identity()


def refuse_unknown_arguments(init):
    """Make a misspelt config key an error that names it, the closest valid
    argument and all valid ones (Python's own TypeError lists neither)."""
    valid = [p for p in inspect.signature(init).parameters if p != 'self']

    @functools.wraps(init)
    def checked_init(self, *args, **kwargs):
        unknown = [k for k in kwargs if k not in valid]
        if unknown:
            hints = [
                f'{k!r} (did you mean {m[0]!r}?)' if m else repr(k) for k in unknown
                for m in [difflib.get_close_matches(k, valid, n=1)]
            ]
            raise TypeError(f'{type(self).__name__} got unknown argument(s) '
                            f'{", ".join(hints)}; valid arguments are {valid}')
        init(self, *args, **kwargs)

    return checked_init


def _arch_zoo() -> Dict[str, dict]:
    """Arch name -> stage settings, from the size table: each size answers to its
    short and long name, and to ``x-tiny`` / ``x-large`` as in the original."""
    zoo = {}
    for short, row in moganet_sizes.items():
        settings = dict(
            embed_dims=row['widths'], depths=row['depths'], ffn_ratios=row['ffn_ratios'])
        for name in (short, row['arch'], row['arch'].replace('x', 'x-', 1)):
            zoo[name] = settings
    return zoo


@MODELS.register_module()
class MogaNet(BaseModule):
    """MogaNet backbone, for classification and dense prediction.

    Stage ``i`` (1..4) is ``patch_embed{i}`` -> ``blocks{i}`` -> ``norm{i}``; the
    stage norm's output feeds the next stage (and is the stage's output), so every
    stage keeps its norm whatever ``out_indices`` says.

    Args:
        arch (str | dict): One of ``MogaNet.arch_zoo`` (``xtiny``, ``tiny``,
            ``small``, ``base``, ``large``, ``xlarge`` or the aliases ``xt``, ``t``,
            ``s``, ``b``, ``l``, ``xl``, ``x-tiny``, ``x-large``), or a dict with
            exactly ``embed_dims``, ``depths`` and ``ffn_ratios`` (4 values each).
        in_channels (int): Input channels. Defaults to 3.
        out_indices (Sequence[int] | int): Stages (0..3, negative counts from the
            end) whose outputs, at strides 4/8/16/32, are returned in stage
            order. Defaults to ``(0, 1, 2, 3)``.
        frozen_stages (int): -1 freezes nothing, 0 the stem (``patch_embed1``),
            ``k`` in 1..4 the stem and stages 1..k (their parameters stop
            receiving gradients and their norms stay in eval mode).
        norm_eval (bool): Keep every BN in eval mode while training.
        norm_cfg (dict): Norm of the whole network. Defaults to BN
            (``SyncBN`` and ``GN`` work; GN without ``num_groups`` uses one group
            per channel, as the original).
        act_cfg (dict): Activation of the stem and FFNs. Defaults to exact GELU.
        drop_rate (float): Dropout in the FFNs. Defaults to 0.
        drop_path_rate (float): Stochastic depth, rising linearly from 0 at the
            first block to this value at the last. Defaults to 0.
        layer_scale_init_value (float): Initial layer scales. Defaults to 1e-5.
        attn_dw_dilation (Sequence[int]): Dilations of the three depthwise convs
            of the multi-order context. Defaults to ``(1, 2, 3)``.
        attn_channel_split (Sequence[int]): Relative channel split between them.
            Defaults to ``(1, 3, 4)``.
        attn_act_cfg (dict): Activation of the gate and value. Defaults to SiLU.
        attn_final_dilation (bool): If False, the last stage uses the dilations
            ``(1, 2, 1)`` instead of ``attn_dw_dilation`` (the original's option).
        attn_force_fp32 (bool): Run the gating in float32 under autocast.
        with_cp (bool): Activation checkpointing per block while training.
        init_cfg (dict, optional): MMEngine's ``dict(type='Pretrained',
            checkpoint=PATH_OR_URL, prefix=None)`` loads original releases, this
            project's files and whole task checkpoints (see
            :meth:`_load_original_layout`); other init configs apply as usual.
            Without one, the original's classification init is used.
    """
    arch_zoo = _arch_zoo()
    num_stages = 4

    @refuse_unknown_arguments
    def __init__(self,
                 arch: Union[str, Dict[str, List]] = 'tiny',
                 in_channels: int = 3,
                 out_indices: Union[int, Sequence[int]] = (0, 1, 2, 3),
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='GELU'),
                 drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 layer_scale_init_value: float = 1e-5,
                 attn_dw_dilation: Sequence[int] = (1, 2, 3),
                 attn_channel_split: Sequence[int] = (1, 3, 4),
                 attn_act_cfg: dict = dict(type='SiLU'),
                 attn_final_dilation: bool = True,
                 attn_force_fp32: bool = False,
                 with_cp: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.arch_settings = self.parse_arch(arch)
        self.embed_dims = self.arch_settings['embed_dims']
        self.depths = self.arch_settings['depths']
        self.in_channels = in_channels
        self.out_indices = self.parse_out_indices(out_indices)
        if not (isinstance(frozen_stages, int) and -1 <= frozen_stages <= self.num_stages):
            raise ValueError(f'frozen_stages must be an int in -1..{self.num_stages} '
                             '(-1: none, 0: stem, k: stem and stages 1..k), '
                             f'got {frozen_stages!r}')
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.with_cp = with_cp
        self.deploy = False

        # stochastic depth decay rule
        dpr = torch.linspace(0, drop_path_rate, sum(self.depths)).tolist()
        block_idx = 0
        for i, (depth, dims, ffn_ratio) in enumerate(
                zip(self.depths, self.embed_dims, self.arch_settings['ffn_ratios'])):
            if i == 0:
                patch_embed = StackConvPatchEmbed(in_channels, dims, norm_cfg, act_cfg)
            else:
                patch_embed = ConvPatchEmbed(self.embed_dims[i - 1], dims, norm_cfg)
            dilation = attn_dw_dilation
            if i == self.num_stages - 1 and not attn_final_dilation:
                dilation = (1, 2, 1)
            blocks = nn.ModuleList([
                MogaBlock(dims, ffn_ratio, drop_rate, dpr[block_idx + j], norm_cfg, act_cfg,
                          layer_scale_init_value, dilation, attn_channel_split, attn_act_cfg,
                          attn_force_fp32) for j in range(depth)
            ])
            block_idx += depth
            self.add_module(f'patch_embed{i + 1}', patch_embed)
            self.add_module(f'blocks{i + 1}', blocks)
            self.add_module(f'norm{i + 1}', build_norm(norm_cfg, dims))

        self._freeze_stages()
        self.register_load_state_dict_pre_hook(self._load_original_layout)

    @classmethod
    def parse_arch(cls, arch: Union[str, dict]) -> Dict[str, List]:
        """Resolve ``arch`` to a dict of ``embed_dims``, ``depths``, ``ffn_ratios``."""
        if isinstance(arch, str):
            if arch.lower() not in cls.arch_zoo:
                raise ValueError(f'Unknown MogaNet arch {arch!r}; choose one of '
                                 f'{sorted(cls.arch_zoo)} or pass a dict with '
                                 "'embed_dims', 'depths' and 'ffn_ratios'")
            return {k: list(v) for k, v in cls.arch_zoo[arch.lower()].items()}
        if not isinstance(arch, dict):
            raise TypeError(f'arch must be a str or a dict, got {type(arch).__name__}')
        required = ('embed_dims', 'depths', 'ffn_ratios')
        missing = [k for k in required if k not in arch]
        unknown = sorted(set(arch) - set(required))
        if missing or unknown:
            raise ValueError(f'A custom MogaNet arch dict needs exactly the keys '
                             f'{list(required)}; missing {missing}, unknown {unknown}')
        for key in required:
            if len(arch[key]) != cls.num_stages:
                raise ValueError(f'arch[{key!r}] needs {cls.num_stages} values (one per '
                                 f'stage), got {list(arch[key])}')
        return {k: list(arch[k]) for k in required}

    @classmethod
    def parse_out_indices(cls, out_indices: Union[int, Sequence[int]]) -> Tuple[int, ...]:
        if isinstance(out_indices, int):
            out_indices = [out_indices]
        indices = []
        for index in out_indices:
            if not (isinstance(index, int) and -cls.num_stages <= index < cls.num_stages):
                raise ValueError(f'out_indices {list(out_indices)}: {index!r} is not a '
                                 f'stage index; valid are 0..{cls.num_stages - 1} '
                                 f'(or -{cls.num_stages}..-1)')
            indices.append(index % cls.num_stages)
        if len(set(indices)) != len(indices):
            raise ValueError(f'out_indices {list(out_indices)} repeats a stage')
        return tuple(sorted(indices))

    def stage(self, i: int) -> Tuple[nn.Module, nn.ModuleList, nn.Module]:
        """``(patch_embed, blocks, norm)`` of stage ``i`` (0-based)."""
        return (getattr(self, f'patch_embed{i + 1}'), getattr(self, f'blocks{i + 1}'),
                getattr(self, f'norm{i + 1}'))

    #: Inputs smaller than the output stride would leave stage 4 nothing but padding.
    min_input_size = 32

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f'MogaNet expects a (N, {self.in_channels}, H, W) batch '
                             f'(in_channels={self.in_channels}), got shape '
                             f'{tuple(x.shape)}')
        if min(x.shape[2:]) < self.min_input_size:
            raise ValueError(f'MogaNet needs inputs of at least {self.min_input_size}x'
                             f'{self.min_input_size} pixels (its output stride; stage 4 is H/32 x '
                             f'W/32), got {x.shape[2]}x{x.shape[3]}')
        outs = []
        for i in range(self.num_stages):
            patch_embed, blocks, norm = self.stage(i)
            x = patch_embed(x)
            for block in blocks:
                if self.with_cp and self.training and torch.is_grad_enabled():
                    x = cp.checkpoint(block, x, use_reentrant=False)
                else:
                    x = block(x)
            x = norm(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def _freeze_stages(self):
        # Stage k is patch_embed{k}, blocks{k}, norm{k}; the stem is patch_embed1.
        modules = [self.patch_embed1] if self.frozen_stages >= 0 else []
        for i in range(self.frozen_stages):
            modules.extend(self.stage(i))
        for module in modules:
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    @torch.no_grad()
    def switch_to_deploy(self):
        """Fold every inference-time constant into its neighbouring conv, in place.

        BN after the embedding convs, each block's norms, layer scales and the
        FFN's decomposition scale disappear (see :meth:`MogaBlock.switch_to_deploy`);
        the stage norms stay (they feed padded 3x3 convs, where folding would be
        wrong at the border). On the CPU the dilated 7x7 depthwise conv then runs
        as an undilated conv on its sub-grids (:class:`MultiOrderDWConv`). Outputs
        equal the eager model's up to float rounding. Idempotent; the model is left
        in eval mode and cannot train.
        """
        if self.deploy:
            return
        self.eval()
        for i in range(self.num_stages):
            patch_embed, blocks, _ = self.stage(i)
            patch_embed.switch_to_deploy()
            for block in blocks:
                block.switch_to_deploy()
        self.deploy = True

    def train(self, mode: bool = True):
        if mode and self.deploy:
            raise RuntimeError('This MogaNet was switched to deploy mode (norms and scales folded '
                               'into the convs) and can only run inference; build a new model and '
                               'load the original weights to train.')
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self

    def init_weights(self):
        """MMEngine's init (``PretrainedInit`` for a checkpoint), or, without an
        ``init_cfg``, the original's classification init."""
        if isinstance(self.init_cfg, dict) and self.init_cfg.get('type') == 'Pretrained':
            try:
                super().init_weights()
            except ValueError as err:  # name the file: the load hook cannot see it
                raise ValueError(f"Checkpoint {self.init_cfg.get('checkpoint')!r}: {err}") \
                    from err
        elif self.init_cfg is not None:
            super().init_weights()
        else:
            self.apply(init_like_original)
            self._is_init = True

    @staticmethod
    def _load_original_layout(module, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        """``load_state_dict`` pre-hook: read the layouts users bring, check shapes.

        When MogaNet itself is loaded (``PretrainedInit``, ``load_state_dict``;
        not as part of a whole model, where the keys are that model's), the state
        dict is reduced to the backbone's weights by
        :func:`moganet_mm.checkpoint.backbone_weights` (original releases with
        their classifier, ``model`` / ``module.`` layouts, whole task models), and
        weights of another arch raise a ``ValueError`` that names both archs,
        where PyTorch would only warn through MMEngine.
        """
        if prefix:
            return
        weights, dropped = backbone_weights(state_dict)
        own = module.state_dict()
        if not any(k in own for k in weights):
            raise ValueError(
                f'The checkpoint has no weights for this MogaNet (first keys: '
                f'{list(weights or state_dict)[:3]}); pass init_cfg prefix=... if its backbone '
                'keys sit under another prefix.')
        mismatched = [(k, tuple(v.shape), tuple(own[k].shape)) for k, v in weights.items()
                      if k in own and v.shape != own[k].shape]
        if mismatched:
            shown = '; '.join(f'{k}: checkpoint {a} vs model {b}' for k, a, b in mismatched[:3])
            raise ValueError(
                f'The checkpoint does not fit this MogaNet: {len(mismatched)} tensors have '
                f'other shapes ({shown}). The checkpoint holds '
                f'{module.arch_description(infer_arch(weights))}; the model is '
                f'{module.arch_description(module.arch_settings)}.')
        if dropped:
            print_log(f'MogaNet: dropped the classifier keys {dropped}', logger='current')
        state_dict.clear()
        state_dict.update(weights)

    @classmethod
    def arch_description(cls, arch: Optional[dict]) -> str:
        """"arch 'small'" for an arch of the zoo, else the dict."""
        if arch is None:
            return 'no MogaNet arch'
        names = [k for k, v in cls.arch_zoo.items() if v == arch and '-' not in k]
        return f"arch '{max(names, key=len)}'" if names else f'custom arch {arch}'

    #: layer-wise lr decay: the original's ``num_layers`` (detection/mmcv_custom)
    num_decay_layers = 12

    def get_layer_depth(self, param_name: str, prefix: str = '') -> Tuple[int, int]:
        """Layer id and number of layers of a parameter for layer-wise lr decay, the
        interface of mmpretrain's ConvNeXt (lr scale ``rate ** (num - id - 1)``).

        The original's rule (``get_num_layer_layer_wise`` with ``num_layers=12``):
        the stem is layer 0, stages 1-2 layers 2-3 (``patch_embed{2,3}`` 3 and 4),
        block ``k`` of stage 3 layer ``min(3 + k // 2, 11)``, stage 4 layer 12, and
        everything else, the stage norms and whatever follows the backbone, layer
        13 (lr scale 1).
        """
        last = self.num_decay_layers
        num_layers = last + 2
        if not param_name.startswith(prefix):
            return last + 1, num_layers
        name = param_name[len(prefix):]
        match = re.match(r'(patch_embed|blocks)(\d)\.(\d+)?', name)
        if match is None:
            return last + 1, num_layers
        kind, stage = match.group(1), int(match.group(2))
        if stage == 4:
            return last, num_layers
        if kind == 'patch_embed':
            return (0 if stage == 1 else stage + 1), num_layers
        if stage in (1, 2):
            return stage + 1, num_layers
        return min(3 + int(match.group(3)) // 2, last - 1), num_layers


def init_like_original(m: nn.Module):
    """The original's init (MogaNet's and OpenSTL's MogaSubBlock's): the conv fan-out
    divides by groups, so depthwise convs start at the scale of their own fan-out;
    linears truncated normal; norms 1 / 0; layer scales keep their init value."""
    if isinstance(m, nn.Linear):
        trunc_normal_(m.weight, std=.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.Conv2d):
        fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels // m.groups
        nn.init.normal_(m.weight, 0, math.sqrt(2.0 / fan_out))
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, (_BatchNorm, nn.GroupNorm, nn.LayerNorm)):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)
