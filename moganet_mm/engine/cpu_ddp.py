# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""Data-parallel training on CPUs (gloo), which MMEngine's launchers assume away."""
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
