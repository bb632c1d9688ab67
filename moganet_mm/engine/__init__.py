from .cpu_amp import CPUAmpOptimWrapper
from .cpu_ddp import CPUDistributedDataParallel
from .rng_state_hook import RNGStateHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = ['CPUAmpOptimWrapper', 'CPUDistributedDataParallel', 'RNGStateHook',
           'SafeCheckpointHook']
