# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""Train and evaluate in ``channels_last`` (NHWC) memory format."""
import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from .cpu_amp import CPUAmpOptimWrapper


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
    convolution: on the CPU (torch 2.14, oneDNN) its NHWC weight gradient in bfloat16
    is wrong (relative error 0.997 against float32 for MogaNet's 7x7 dilation-3 and
    5x5 dilation-2 convs at 64x48; undilated depthwise and dense convs are right to
    bfloat16 rounding), and the toy Semantic FPN trained to NaN. The hook refuses an
    autocast region that holds one (MogaNet's backbone does); autocasting only a
    head's convolutions, e.g. ``autocast_modules=('head.deconv_layers',)``, is
    allowed. Nor with mmcv's ``RoIAlign`` (two-stage detectors): its CPU kernel reads
    NHWC features as if they were NCHW, silently (max error 1.57 on random features
    against the same features in NCHW); the hook refuses models that hold one.

    Add it with ``custom_hooks = [dict(type='ChannelsLastHook')]``.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        optim_wrapper = getattr(runner, 'optim_wrapper', None)
        if isinstance(optim_wrapper, CPUAmpOptimWrapper):
            for region, module in optim_wrapper.autocast_regions(runner.model):
                dilated = [name for name, m in module.named_modules()
                           if isinstance(m, torch.nn.Conv2d) and m.groups > 1
                           and m.groups == m.in_channels and max(m.dilation) > 1]
                if dilated:
                    where = f'{region}.{dilated[0]}' if region else dilated[0]
                    raise ValueError(
                        f'ChannelsLastHook with CPUAmpOptimWrapper: {where} is a dilated '
                        'depthwise conv inside the bfloat16 autocast region, and its '
                        'channels_last weight gradient is wrong on the CPU; set '
                        'optim_wrapper.autocast_modules to modules without one (e.g. a '
                        "head's convs), or drop the hook or the wrapper")
        roi_aligns = [name for name, module in runner.model.named_modules()
                      if type(module).__name__ == 'RoIAlign']
        if roi_aligns:
            raise ValueError(f'ChannelsLastHook: {roi_aligns[0]} is a RoIAlign; mmcv\'s reads '
                             'channels_last features as NCHW (wrong RoI features, no '
                             'error); keep this model NCHW (drop the hook)')
        runner.model.to(memory_format=torch.channels_last)
