# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""Train and evaluate in ``channels_last`` (NHWC) memory format."""
import functools

import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from .cpu_amp import CPUAmpOptimWrapper


@functools.lru_cache(maxsize=None)
def bf16_dilated_dwconv_grad_is_wrong() -> bool:
    """Whether this CPU's bfloat16 NHWC weight gradient of a dilated depthwise conv
    is wrong: relative error > 0.1 against float32 (bfloat16 rounding gives ~0.01)."""
    return dwconv_weight_grad_error(dilation=3) > 0.1


def dwconv_weight_grad_error(dilation: int) -> float:
    """Relative error of a 7x7 depthwise conv's weight gradient in bfloat16 NHWC
    (CPU autocast) against float32 NCHW, on a fixed random input."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 8, 32, 24, generator=gen)
    conv = torch.nn.Conv2d(8, 8, 7, padding=3 * dilation, dilation=dilation, groups=8)
    with torch.no_grad():
        conv.weight.copy_(torch.randn(conv.weight.shape, generator=gen) * 0.1)
    conv(x).square().mean().backward()
    ref = conv.weight.grad.clone()
    conv.zero_grad()
    conv.to(memory_format=torch.channels_last)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = conv(x.contiguous(memory_format=torch.channels_last))
    out.float().square().mean().backward()
    return ((conv.weight.grad - ref).norm() / ref.norm()).item()


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Convert the model to ``torch.channels_last`` before the run starts.

    oneDNN (CPU) and cuDNN run MogaNet's depthwise and 1x1 convolutions, and the
    heads' convolutions, faster on NHWC tensors: a training step of the toy
    Semantic FPN MogaNet-XT (batch 8, 128x128) takes 0.61 s instead of 0.71-0.76 s
    on 2 CPU cores, of TopDown MogaNet-XT (batch 8, 256x192) 1.09 s instead of
    1.38-1.52 s. The batch stays NCHW: the first convolution, whose weight is NHWC,
    returns NHWC and every later layer keeps it. Parameters keep their identity, so
    the optimizer and checkpoints are unaffected (a saved NHWC tensor loads into an
    NCHW model and back). Numerics are those of the NCHW model up to float rounding.

    Not with bfloat16 autocast (:class:`CPUAmpOptimWrapper`) over a dilated depthwise
    convolution on CPUs where oneDNN computes its NHWC bfloat16 weight gradient
    wrongly: torch 2.14 on AVX-512 CPUs does (relative error 0.997 against float32
    for MogaNet's 7x7 dilation-3 conv; the toy Semantic FPN trained to NaN), while an
    AVX2-only AMD EPYC is right (0.0034). :func:`bf16_dilated_dwconv_grad_is_wrong`
    probes this CPU once, on a tiny conv; where the fault is present the hook
    refuses an autocast region that holds such a conv (MogaNet's backbone does);
    autocasting only a head's convolutions, e.g.
    ``autocast_modules=('head.deconv_layers',)``, is allowed. Nor with mmcv's ``RoIAlign``
    (two-stage detectors): its CPU kernel reads
    NHWC features as if they were NCHW, silently (max error 1.57 on random features
    against the same features in NCHW); the hook refuses models that hold one.

    Add it with ``custom_hooks = [dict(type='ChannelsLastHook')]``.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        optim_wrapper = getattr(runner, 'optim_wrapper', None)
        if isinstance(optim_wrapper, CPUAmpOptimWrapper) and bf16_dilated_dwconv_grad_is_wrong():
            for region, module in optim_wrapper.autocast_regions(runner.model):
                dilated = [
                    name for name, m in module.named_modules() if isinstance(m, torch.nn.Conv2d)
                    and m.groups > 1 and m.groups == m.in_channels and max(m.dilation) > 1
                ]
                if dilated:
                    where = f'{region}.{dilated[0]}' if region else dilated[0]
                    raise ValueError(
                        f'ChannelsLastHook with CPUAmpOptimWrapper: {where} is a dilated '
                        'depthwise conv inside the bfloat16 autocast region, and its '
                        'channels_last weight gradient is wrong on this CPU; set '
                        'optim_wrapper.autocast_modules to modules without one (e.g. a '
                        "head's convs), or drop the hook or the wrapper")
        roi_aligns = [
            name for name, module in runner.model.named_modules()
            if type(module).__name__ == 'RoIAlign'
        ]
        if roi_aligns:
            raise ValueError(f'ChannelsLastHook: {roi_aligns[0]} is a RoIAlign; mmcv\'s reads '
                             'channels_last features as NCHW (wrong RoI features, no '
                             'error); keep this model NCHW (drop the hook)')
        runner.model.to(memory_format=torch.channels_last)
