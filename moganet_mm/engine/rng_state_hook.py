# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""Resume a training bit for bit: keep the random number generators in checkpoints."""
import random

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.registry import HOOKS


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Save the Python, NumPy and torch RNG states with every checkpoint and
    restore them on ``--resume``.

    MMEngine re-seeds the generators when a run starts, so a resumed run would
    otherwise draw other augmentations, drop paths and RoI samples than the run it
    continues. With this hook, a seeded CPU training that is killed and resumed
    ends with the same weights as one that was never interrupted (data loading in
    the main process, ``num_workers=0``: worker processes draw from their own
    generators, seeded per epoch by MMEngine).

    Add it with ``custom_hooks = [dict(type='RNGStateHook')]``.
    """

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['rng_state'] = dict(
            python=random.getstate(), numpy=np.random.get_state(), torch=torch.get_rng_state())

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not getattr(runner, '_resume', False):
            return  # load_from: fine-tuning starts from the run's own seed
        state = checkpoint.get('rng_state')
        if state is None:
            print_log(
                'RNGStateHook: the checkpoint holds no RNG state; the resumed '
                'run will draw other random numbers than the original run.',
                logger='current',
                level=30)
            return
        random.setstate(state['python'])
        np.random.set_state(state['numpy'])
        torch.set_rng_state(state['torch'])
