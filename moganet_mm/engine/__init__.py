from .channels_last_hook import ChannelsLastHook
from .cpu_amp import CPUAmpOptimWrapper
from .cpu_ddp import CPUDistributedDataParallel, join_cpu_process_group
from .layer_decay import LayerDepthDecayOptimWrapperConstructor
from .one_cycle_momentum import OneCycleMomentum
from .rng_state_hook import RNGStateHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = [
    'ChannelsLastHook', 'CPUAmpOptimWrapper', 'CPUDistributedDataParallel',
    'LayerDepthDecayOptimWrapperConstructor', 'OneCycleMomentum', 'RNGStateHook',
    'SafeCheckpointHook', 'join_cpu_process_group'
]
