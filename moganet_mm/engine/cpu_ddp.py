# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""Data-parallel training on CPUs (gloo), which MMEngine's launchers assume away."""
import os

import torch
from mmengine.model import MMDistributedDataParallel, revert_sync_batchnorm
from mmengine.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` for a model on the CPU.

    MMEngine passes ``device_ids=[LOCAL_RANK]``, which DDP accepts only for GPU
    modules, so they are dropped. SyncBN runs only on GPU backends: its layers
    are reverted to BN (as MMEngine does for non-distributed runs) and rank 0's BN
    statistics are broadcast at every forward, so all ranks keep identical
    weights and buffers. Select it with
    ``model_wrapper_cfg = dict(type='CPUDistributedDataParallel')``;
    ``tools/train.py`` does so when it runs under torchrun without a GPU.
    """

    def __init__(self, module, device_ids=None, **kwargs):
        # device_ids: what MMEngine passes for GPUs; a CPU module takes none.
        kwargs.setdefault('broadcast_buffers', True)
        super().__init__(module=revert_sync_batchnorm(module), device_ids=None, **kwargs)


def join_cpu_process_group() -> bool:
    """Under torchrun on a machine without a GPU, join the gloo process group.

    MMEngine's ``pytorch`` launcher calls ``torch.cuda.set_device`` and fails there;
    with the group joined first the Runner skips its own ``init_dist``. Returns True
    when it joined, and the caller then selects ``CPUDistributedDataParallel``.
    """
    if ('WORLD_SIZE' not in os.environ or torch.cuda.is_available()
            or torch.distributed.is_initialized()):
        return False
    torch.distributed.init_process_group('gloo')  # rank, world size, address from torchrun
    return True
