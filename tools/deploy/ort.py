"""ONNX Runtime sessions for exported models, on the CPU or the CUDA provider."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

PROVIDERS = {'cpu': ['CPUExecutionProvider'],
             'cuda': ['CUDAExecutionProvider', 'CPUExecutionProvider']}


def session(path: str, device: str = 'cpu', threads: Optional[int] = None):
    """An ``onnxruntime.InferenceSession`` for ``path`` with all graph optimizations.

    ``threads`` sets the intra-op thread count (default: ONNX Runtime's own choice, one
    per physical core); inter-op parallelism stays off, as in torch's default. On
    ``device='cuda'`` the CUDA provider must be available: ONNX Runtime would otherwise
    fall back to the CPU silently, and a CPU number would be reported as a GPU one.
    """
    import onnxruntime as ort
    if device not in PROVIDERS:
        raise ValueError(f'device must be one of {sorted(PROVIDERS)}, got {device!r}')
    available = ort.get_available_providers()
    if PROVIDERS[device][0] not in available:
        raise RuntimeError(f'ONNX Runtime {ort.__version__} here has no '
                           f'{PROVIDERS[device][0]} (available: {available}); install '
                           'onnxruntime-gpu matching the CUDA version for device cuda')
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), sess_options=opts, providers=PROVIDERS[device])


def run(sess, *inputs: torch.Tensor) -> List[np.ndarray]:
    """Run ``sess`` on torch tensors (fed in the order of the graph's inputs)."""
    names = [i.name for i in sess.get_inputs()]
    if len(names) != len(inputs):
        raise ValueError(f'the model takes {len(names)} inputs {names}, got {len(inputs)}')
    feed: Dict[str, np.ndarray] = {n: t.detach().cpu().contiguous().numpy()
                                   for n, t in zip(names, inputs)}
    return sess.run(None, feed)


def output_names(sess) -> Sequence[str]:
    return [o.name for o in sess.get_outputs()]
