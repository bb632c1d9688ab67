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

    Not with :class:`CPUAmpOptimWrapper`: bfloat16 autocast on NHWC tensors gave NaN
    losses within 5-10 iterations of the toy Semantic FPN on the CPU (torch 2.14,
    oneDNN), while each alone trained; the hook refuses that combination. Nor with
    mmcv's ``RoIAlign`` (two-stage detectors): its CPU kernel reads NHWC features as
    if they were NCHW, silently (max error 1.57 on random features against the same
    features in NCHW); the hook refuses models that hold one.

    Add it with ``custom_hooks = [dict(type='ChannelsLastHook')]``.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        if isinstance(getattr(runner, 'optim_wrapper', None), CPUAmpOptimWrapper):
            raise ValueError('ChannelsLastHook with CPUAmpOptimWrapper: bfloat16 autocast on '
                             'channels_last tensors trains to NaN on the CPU; drop one of '
                             'them (custom_hooks or optim_wrapper.type)')
        roi_aligns = [name for name, module in runner.model.named_modules()
                      if type(module).__name__ == 'RoIAlign']
        if roi_aligns:
            raise ValueError(f'ChannelsLastHook: {roi_aligns[0]} is a RoIAlign; mmcv\'s reads '
                             'channels_last features as NCHW (wrong RoI features, no '
                             'error); keep this model NCHW (drop the hook)')
        runner.model.to(memory_format=torch.channels_last)
