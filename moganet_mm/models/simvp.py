# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""SimVP with MogaNet blocks: video prediction as OpenSTL builds it (``model_type='moga'``).

Gao et al., SimVP (CVPR 2022) and Tan et al., OpenSTL (NeurIPS 2023 D&B); the
MogaNet paper's video-prediction table replaces SimVP's translator with MogaNet
blocks. For a clip ``x`` of shape (B, T, C, H, W):

1. encoder: every frame goes through ``N_S`` :class:`ConvSC` layers (conv -
   GroupNorm(2) - SiLU), stride 2 on every second layer, to ``hid_S`` channels at
   ``H / 2**(N_S/2)``; the first layer's output is kept as a skip;
2. translator: the T frame embeddings are folded into ``T * hid_S`` channels and
   pass ``N_T`` MogaNet blocks (:class:`~moganet_mm.models.backbones.moganet.MogaBlock`,
   this project's one implementation of the gated aggregation and the
   channel-aggregation FFN), the first at ``T * hid_S`` channels followed by a
   1x1 reduction to ``hid_T``, the last at ``hid_T`` followed by a 1x1 expansion
   back to ``T * hid_S``;
3. decoder: ``N_S`` :class:`ConvSC` layers, upsampling by PixelShuffle(2) on
   every other one, the last one fed ``hidden + skip``, then a 1x1 readout to C
   channels per frame. The output has the input's shape: the next T frames.

Module and parameter names follow OpenSTL's ``SimVP_Model`` so that its files load
with one rename (its MogaNet scales are bare parameters ``...attn.sigma`` /
``...mlp.sigma`` where :class:`ElementScale` holds ``...sigma.scale``); see
:func:`moganet_mm.models.simvp.convert_openstl_state_dict` and
:meth:`SimVP.load_openstl`.
"""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.model.weight_init import trunc_normal_
from mmengine.registry import MODELS

from ..checkpoint import load_checkpoint_file
from .backbones.moganet import MogaBlock, init_like_original, refuse_unknown_arguments

__all__ = [
    'SimVP', 'ConvSC', 'SimVPEncoder', 'SimVPDecoder', 'MogaTranslator', 'openstl_drop_path_rates',
    'convert_openstl_state_dict'
]


class BasicConv2d(nn.Module):
    """``SiLU(GroupNorm(2)(conv(x)))``; ``conv`` is a (stride 1 or 2) conv, or a conv
    to 4x the channels followed by PixelShuffle(2) when upsampling."""

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int,
                 stride: int = 1,
                 padding: int = 0,
                 upsampling: bool = False):
        super().__init__()
        if upsampling:
            self.conv = nn.Sequential(
                nn.Conv2d(in_channels, out_channels * 4, kernel_size, padding=padding),
                nn.PixelShuffle(2))
        else:
            self.conv = nn.Conv2d(
                in_channels, out_channels, kernel_size, stride=stride, padding=padding)
        self.norm = nn.GroupNorm(2, out_channels)
        self.act = nn.SiLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.norm(self.conv(x)))


class ConvSC(nn.Module):
    """One spatial layer of SimVP's encoder/decoder: a :class:`BasicConv2d` that
    keeps, halves (``downsampling``) or doubles (``upsampling``) the resolution.
    ``padding = (k - stride + 1) // 2``, OpenSTL's rule, so a stride-2 3x3 conv
    maps 64 -> 32."""

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int = 3,
                 downsampling: bool = False,
                 upsampling: bool = False):
        super().__init__()
        if downsampling and upsampling:
            raise ValueError('A ConvSC layer either downsamples or upsamples, not both')
        stride = 2 if downsampling else 1
        self.conv = BasicConv2d(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=(kernel_size - stride + 1) // 2,
            upsampling=upsampling)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


def resampling_pattern(num_layers: int, reverse: bool = False) -> List[bool]:
    """Which of ``num_layers`` ConvSC layers resample: every second one
    (``[False, True, False, True]`` for 4; reversed in the decoder)."""
    pattern = [False, True] * (num_layers // 2)
    return list(reversed(pattern[:num_layers])) if reverse else pattern[:num_layers]


class SimVPEncoder(nn.Module):
    """``N_S`` ConvSC layers from C to ``hid_S`` channels; returns the latent and the
    first layer's output (the decoder's skip)."""

    def __init__(self, in_channels: int, hid_channels: int, num_layers: int, kernel_size: int):
        super().__init__()
        down = resampling_pattern(num_layers)
        self.enc = nn.Sequential(*[
            ConvSC(
                in_channels if i == 0 else hid_channels, hid_channels, kernel_size, downsampling=d)
            for i, d in enumerate(down)
        ])

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        skip = self.enc[0](x)
        latent = skip
        for layer in self.enc[1:]:
            latent = layer(latent)
        return latent, skip


class SimVPDecoder(nn.Module):
    """``N_S`` ConvSC layers back to full resolution, the last one on ``hidden +
    skip``, then a 1x1 ``readout`` to the frame's channels."""

    def __init__(self, hid_channels: int, out_channels: int, num_layers: int, kernel_size: int):
        super().__init__()
        up = resampling_pattern(num_layers, reverse=True)
        self.dec = nn.Sequential(
            *[ConvSC(hid_channels, hid_channels, kernel_size, upsampling=u) for u in up])
        self.readout = nn.Conv2d(hid_channels, out_channels, 1)

    def forward(self, hidden: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        for layer in self.dec[:-1]:
            hidden = layer(hidden)
        return self.readout(self.dec[-1](hidden + skip))


class TranslatorLayer(nn.Module):
    """A MogaNet block at ``in_channels``, then a 1x1 ``reduction`` to
    ``out_channels`` if they differ (OpenSTL's ``MetaBlock``)."""

    def __init__(self, in_channels: int, out_channels: int, mlp_ratio: float, drop_rate: float,
                 drop_path_rate: float):
        super().__init__()
        # OpenSTL's MogaSubBlock is MogaNet's block with its defaults: BN, GELU FFN,
        # SiLU gating, dilations (1, 2, 3), split 1:3:4, layer scales 1e-5
        self.block = MogaBlock(
            in_channels,
            ffn_ratio=mlp_ratio,
            drop_rate=drop_rate,
            drop_path_rate=drop_path_rate,
            norm_cfg=dict(type='BN'))
        self.reduction = (
            nn.Conv2d(in_channels, out_channels, 1) if in_channels != out_channels else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.block(x)
        return x if self.reduction is None else self.reduction(x)


DROP_PATH_SCHEDULES = ('openstl', 'linear')


def openstl_drop_path_rates(drop_path: float,
                            num_layers: int,
                            schedule: str = 'openstl') -> List[float]:
    """Stochastic-depth rate of each translator layer.

    ``'openstl'`` is what OpenSTL's ``MidMetaNet`` computes and its released
    numbers were trained with: ``linspace(1e-2, drop_path, N)`` for the first N-1
    layers and ``drop_path`` for the last, so even ``drop_path=0`` gives the first
    N-1 layers small non-zero rates (0.01 falling towards 0). ``'linear'`` is
    MogaNet's rule, ``linspace(0, drop_path, N)``.
    """
    if schedule not in DROP_PATH_SCHEDULES:
        raise ValueError(f'drop_path_schedule {schedule!r} is not one of {DROP_PATH_SCHEDULES}')
    if schedule == 'linear':
        return torch.linspace(0, drop_path, num_layers).tolist()
    rates = torch.linspace(1e-2, drop_path, num_layers).tolist()
    return rates[:-1] + [float(drop_path)]


class MogaTranslator(nn.Module):
    """``N_T`` translator layers over time-folded channels: ``T*hid_S -> hid_T``
    (block, then 1x1 reduction), ``hid_T`` x (N_T - 2), ``hid_T -> T*hid_S``
    (block, then 1x1 expansion)."""

    def __init__(self,
                 channels: int,
                 hid_channels: int,
                 num_layers: int,
                 mlp_ratio: float = 8.,
                 drop_rate: float = 0.,
                 drop_path: float = 0.,
                 drop_path_schedule: str = 'openstl'):
        super().__init__()
        if num_layers < 2:
            raise ValueError(f'The translator needs N_T >= 2 layers (in and out), got {num_layers}')
        dpr = openstl_drop_path_rates(drop_path, num_layers, drop_path_schedule)
        widths = [channels] + [hid_channels] * (num_layers - 1) + [channels]
        self.enc = nn.Sequential(*[
            TranslatorLayer(widths[i], widths[i + 1], mlp_ratio, drop_rate, dpr[i])
            for i in range(num_layers)
        ])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, C, H, W) -> the same shape, through T*C folded channels."""
        b, t, c, h, w = x.shape
        return self.enc(x.reshape(b, t * c, h, w)).reshape(b, t, c, h, w)


@MODELS.register_module()
class SimVP(BaseModel):
    """SimVP video predictor with a MogaNet translator, trained with an MSE loss.

    Args:
        in_shape (Sequence[int]): ``(T, C, H, W)`` of an input clip; the model
            predicts the next T frames. H and W must be divisible by
            ``2 ** (N_S // 2)``.
        hid_S (int): Channels of the per-frame encoder/decoder. Defaults to 16.
        hid_T (int): Channels of the translator's middle layers. Defaults to 256.
        N_S (int): ConvSC layers in the encoder and in the decoder (even: every
            second one resamples). Defaults to 4.
        N_T (int): Translator layers (MogaNet blocks), >= 2. Defaults to 4.
        model_type (str): Translator block type. Only ``'moga'`` (or
            ``'moganet'``) is built here; OpenSTL's other types are not.
        mlp_ratio (float): FFN expansion of the MogaNet blocks. Defaults to 8.
        drop (float): Dropout in the FFNs. Defaults to 0.
        drop_path (float): Stochastic depth of the translator. Defaults to 0.
        drop_path_schedule (str): ``'openstl'`` (default; what OpenSTL's released
            numbers were trained with, non-zero even at ``drop_path=0``, see
            :func:`openstl_drop_path_rates`) or ``'linear'`` (0 -> drop_path).
        spatio_kernel_enc (int): Kernel of the encoder convs. Defaults to 3.
        spatio_kernel_dec (int): Kernel of the decoder convs. Defaults to 3.
        data_preprocessor (dict, optional): MMEngine data preprocessor; the
            default only moves the batch to the model's device.
        init_cfg (dict, optional): MMEngine init config. Without one, weights are
            initialised as OpenSTL does (encoder/decoder convs trunc-normal 0.02,
            MogaNet blocks with MogaNet's fan-out init, the 1x1 reductions and
            the readout with PyTorch's defaults).

    ``forward(inputs, data_samples, mode)``: ``inputs`` (B, T, C, H, W) past frames
    in [0, 1]; ``data_samples`` (B, T, C, H, W) future frames. ``mode='loss'``
    returns ``{'loss': MSE}``; ``'predict'`` a list of ``dict(pred=..., gt=...)``
    per clip (what :class:`~moganet_mm.evaluation.VideoPredictionMetric` reads);
    ``'tensor'`` the predicted frames.
    """

    MODEL_TYPES = ('moga', 'moganet')

    @refuse_unknown_arguments
    def __init__(self,
                 in_shape: Sequence[int],
                 hid_S: int = 16,
                 hid_T: int = 256,
                 N_S: int = 4,
                 N_T: int = 4,
                 model_type: str = 'moga',
                 mlp_ratio: float = 8.,
                 drop: float = 0.,
                 drop_path: float = 0.,
                 drop_path_schedule: str = 'openstl',
                 spatio_kernel_enc: int = 3,
                 spatio_kernel_dec: int = 3,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if str(model_type).lower() not in self.MODEL_TYPES:
            raise ValueError(f'SimVP here builds the MogaNet translator only: model_type must '
                             f'be one of {self.MODEL_TYPES}, got {model_type!r}')
        if len(in_shape) != 4:
            raise ValueError(f'in_shape is (T, C, H, W), got {tuple(in_shape)}')
        if N_S < 2 or N_S % 2:
            raise ValueError(f'N_S must be an even number >= 2 (every second ConvSC '
                             f'layer resamples), got {N_S}')
        self.in_shape = tuple(int(v) for v in in_shape)
        t, c, h, w = self.in_shape
        stride = 2**(N_S // 2)
        if h % stride or w % stride:
            raise ValueError(f'Frames of {h}x{w} do not divide by the encoder stride '
                             f'{stride} (N_S={N_S}); the decoder could not restore them')
        self.hid_S, self.hid_T, self.N_S, self.N_T = hid_S, hid_T, N_S, N_T
        self.enc = SimVPEncoder(c, hid_S, N_S, spatio_kernel_enc)
        self.hid = MogaTranslator(t * hid_S, hid_T, N_T, mlp_ratio, drop, drop_path,
                                  drop_path_schedule)
        self.dec = SimVPDecoder(hid_S, c, N_S, spatio_kernel_dec)

    def init_weights(self):
        """OpenSTL's init, unless ``init_cfg`` says otherwise."""
        if self.init_cfg is not None:
            return super().init_weights()
        for coder in (self.enc, self.dec):
            for layer in coder.modules():
                if isinstance(layer, BasicConv2d):
                    for m in layer.modules():
                        if isinstance(m, nn.Conv2d):
                            trunc_normal_(m.weight, std=.02)
                            nn.init.zeros_(m.bias)
        for layer in self.hid.enc:
            layer.block.apply(init_like_original)
        self._is_init = True

    def predict_frames(self, x: torch.Tensor) -> torch.Tensor:
        """The next T frames of ``x`` (B, T, C, H, W), same shape."""
        if x.dim() != 5 or tuple(x.shape[1:]) != self.in_shape:
            raise ValueError(
                f'SimVP was built for clips of shape (B, {", ".join(map(str, self.in_shape))}) '
                f'(in_shape = (T, C, H, W)), got {tuple(x.shape)}')
        b, t, c, h, w = x.shape
        latent, skip = self.enc(x.reshape(b * t, c, h, w))
        _, c_, h_, w_ = latent.shape
        hidden = self.hid(latent.view(b, t, c_, h_, w_))
        y = self.dec(hidden.reshape(b * t, c_, h_, w_), skip)
        return y.reshape(b, t, c, h, w)

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[torch.Tensor] = None,
                mode: str = 'tensor'):
        # MMEngine's default pseudo_collate hands over lists of clips
        if isinstance(inputs, (list, tuple)):
            inputs = torch.stack(inputs)
        pred = self.predict_frames(inputs)
        if mode == 'tensor':
            return pred
        if data_samples is None:
            raise ValueError(f"mode={mode!r} needs the future frames as data_samples")
        target = torch.stack(data_samples) if isinstance(data_samples, (list, tuple)) \
            else data_samples
        if target.shape != pred.shape:
            raise ValueError(f'Target frames {tuple(target.shape)} do not match the predicted '
                             f'{tuple(pred.shape)}; SimVP predicts as many frames as it sees')
        if mode == 'loss':
            return dict(loss=F.mse_loss(pred, target))
        if mode == 'predict':
            pred, target = pred.detach().cpu(), target.detach().cpu()
            return [dict(pred=p, gt=g) for p, g in zip(pred, target)]
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got {mode!r}")

    @classmethod
    def from_openstl(cls, checkpoint: Union[str, dict], in_shape: Sequence[int],
                     **kwargs) -> 'SimVP':
        """Build a SimVP whose sizes are read from an OpenSTL file and load it.

        ``hid_S``, ``hid_T``, ``N_S``, ``N_T``, ``mlp_ratio`` and the kernels are
        read from the weights; ``in_shape`` (T, C, H, W) must be given (the
        weights hold only T * hid_S and C), and is checked against them;
        ``kwargs`` set the rest (e.g. ``drop_path``).
        """
        state = openstl_state_dict(checkpoint)
        sizes = infer_openstl_sizes(state)
        t, c = in_shape[0], in_shape[1]
        if sizes['T_times_hid_S'] != t * sizes['hid_S'] or sizes['C'] != c:
            raise ValueError(
                f"in_shape {tuple(in_shape)} does not fit the weights: they were trained "
                f"on {sizes['C']}-channel frames and T*hid_S = {sizes['T_times_hid_S']} "
                f"(hid_S {sizes['hid_S']}, so T = {sizes['T_times_hid_S'] // sizes['hid_S']})")
        sizes = {k: v for k, v in sizes.items() if k not in ('C', 'T_times_hid_S')}
        model = cls(in_shape=in_shape, **{**sizes, **kwargs})
        model.load_openstl(state)
        return model

    def load_openstl(self, checkpoint: Union[str, dict], strict: bool = True):
        """Load OpenSTL weights (a file path, a checkpoint dict or a state dict).

        Accepts OpenSTL's plain ``SimVP_Model`` state dicts and its
        Lightning/method checkpoints (``state_dict`` with ``model.`` keys); renames
        the MogaNet scales (:func:`convert_openstl_state_dict`). With ``strict``
        every tensor must find its place, and a shape mismatch raises an error
        naming the key and both shapes.
        """
        state = convert_openstl_state_dict(openstl_state_dict(checkpoint))
        own = self.state_dict()
        bad_shapes = [
            f'{k}: file {tuple(v.shape)} vs model {tuple(own[k].shape)}' for k, v in state.items()
            if k in own and own[k].shape != v.shape
        ]
        if bad_shapes:
            raise ValueError('OpenSTL weights do not fit this SimVP (build it with the '
                             "file's hid_S/hid_T/N_S/N_T/in_shape, or use "
                             'SimVP.from_openstl):\n  ' + '\n  '.join(bad_shapes))
        missing, unexpected = self.load_state_dict(state, strict=False)
        if strict and (missing or unexpected):
            raise KeyError(f'OpenSTL weights do not match SimVP: missing {missing}, '
                           f'unexpected {unexpected}')
        return missing, unexpected


def openstl_state_dict(checkpoint: Union[str, dict]) -> 'OrderedDict[str, torch.Tensor]':
    """The ``SimVP_Model`` weights of an OpenSTL file, path or loaded dict.

    Takes ``state_dict`` (Lightning checkpoints), else ``model``, else the dict
    itself; strips the ``module.`` (DDP) and ``model.`` (OpenSTL's method wrapper)
    prefixes. Files are read with ``torch.load(weights_only=True)``.
    """
    if isinstance(checkpoint, str):
        checkpoint = load_checkpoint_file(checkpoint)
    if not isinstance(checkpoint, dict):
        raise TypeError(f'An OpenSTL checkpoint is a dict, got {type(checkpoint).__name__}')
    state = checkpoint.get('state_dict', checkpoint.get('model', checkpoint))
    if not isinstance(state, dict) or not any(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError('No weights found in this OpenSTL checkpoint (looked under '
                         f"'state_dict', 'model' and the top level; keys: {list(checkpoint)[:10]})")
    out = OrderedDict()
    for key, value in state.items():
        if not isinstance(value, torch.Tensor):
            continue
        for prefix in ('module.', 'model.'):
            if key.startswith(prefix):
                key = key[len(prefix):]
        out[key] = value
    if not any(k.startswith('hid.enc.0.block.') for k in out):
        raise ValueError('This is not an OpenSTL SimVP with a MetaFormer translator '
                         "(no 'hid.enc.0.block.*' keys); keys start with "
                         f'{sorted({k.split(".")[0] for k in out})}')
    return out


def convert_openstl_state_dict(state: Dict[str, torch.Tensor]) -> 'OrderedDict[str, torch.Tensor]':
    """OpenSTL SimVP-MogaNet keys -> this project's: ``...attn.sigma`` and
    ``...mlp.sigma`` (bare parameters in OpenSTL) become ``...sigma.scale``
    (:class:`~moganet_mm.models.backbones.moganet.ElementScale`); every other key
    is the same. Already converted keys pass unchanged."""
    out = OrderedDict()
    for key, value in state.items():
        if key.endswith(('.attn.sigma', '.mlp.sigma')):
            key = key + '.scale'
        out[key] = value
    return out


def infer_openstl_sizes(state: Dict[str, torch.Tensor]) -> dict:
    """``hid_S``, ``hid_T``, ``N_S``, ``N_T``, ``mlp_ratio``, the kernels, C and
    T*hid_S of (OpenSTL or converted) SimVP-MogaNet weights."""
    try:
        first = state['enc.enc.0.conv.conv.weight']
        n_s = len({k.split('.')[2] for k in state if k.startswith('enc.enc.')})
        n_t = len({k.split('.')[2] for k in state if k.startswith('hid.enc.')})
        fc1 = state['hid.enc.1.block.mlp.fc1.weight']
        hid_t = fc1.shape[1]
        dec_last = state[f'dec.dec.{n_s - 1}.conv.conv.weight']
        return dict(
            hid_S=first.shape[0],
            hid_T=hid_t,
            N_S=n_s,
            N_T=n_t,
            mlp_ratio=fc1.shape[0] / fc1.shape[1],
            spatio_kernel_enc=first.shape[-1],
            spatio_kernel_dec=dec_last.shape[-1],
            C=first.shape[1],
            T_times_hid_S=state['hid.enc.0.block.norm1.weight'].shape[0])
    except KeyError as err:
        raise ValueError(f'Cannot read SimVP sizes from these weights: no key {err}') from err
