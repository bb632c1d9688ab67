"""ONNX Runtime sessions for exported models, on the CPU or the CUDA provider."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

PROVIDERS = {
    'cpu': ['CPUExecutionProvider'],
    'cuda': ['CUDAExecutionProvider', 'CPUExecutionProvider']
}


def session(path: str, device: str = 'cpu', threads: Optional[int] = None):
    """An ``onnxruntime.InferenceSession`` for ``path`` with all graph optimizations.

    ``threads`` sets the intra-op thread count (default: ONNX Runtime's own choice, one
    per physical core); inter-op parallelism stays off, as in torch's default. On
    ``device='cuda'`` the session must get the CUDA provider: ONNX Runtime would
    otherwise fall back to the CPU with only a log line (onnxruntime-gpu lists the CUDA
    provider as available even where its libraries or the driver fail to load), and
    a CPU number would be reported as a GPU one.
    """
    import onnxruntime as ort  # optional: only running an exported model needs it
    if device not in PROVIDERS:
        raise ValueError(f'device must be one of {sorted(PROVIDERS)}, got {device!r}')
    wanted = PROVIDERS[device][0]
    available = ort.get_available_providers()
    if wanted not in available:
        raise RuntimeError(f'ONNX Runtime {ort.__version__} here has no {wanted} (available: '
                           f'{available}); install onnxruntime-gpu matching the CUDA version '
                           'for device cuda (make install does on a GPU machine)')
    if device == 'cuda' and hasattr(ort, 'preload_dlls'):
        ort.preload_dlls()  # the CUDA / cuDNN libraries of the nvidia-* wheels torch uses
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(path), sess_options=opts, providers=PROVIDERS[device])
    if sess.get_providers()[0] != wanted:
        raise RuntimeError(f'ONNX Runtime {ort.__version__} could not start its {wanted} '
                           f'(the session got {sess.get_providers()}); its log above says '
                           'which library failed to load (CUDA 13 and cuDNN 9 for '
                           'onnxruntime-gpu 1.31)')
    return sess


def run(sess, *inputs: torch.Tensor) -> List[np.ndarray]:
    """Run ``sess`` on torch tensors (fed in the order of the graph's inputs)."""
    names = [i.name for i in sess.get_inputs()]
    if len(names) != len(inputs):
        raise ValueError(f'the model takes {len(names)} inputs {names}, got {len(inputs)}')
    feed: Dict[str, np.ndarray] = {
        n: t.detach().cpu().contiguous().numpy()
        for n, t in zip(names, inputs)
    }
    return sess.run(None, feed)


def output_names(sess) -> Sequence[str]:
    return [o.name for o in sess.get_outputs()]
