"""OpenVINO on the CPU for exported models, at an explicitly chosen precision.

OpenVINO's CPU plugin runs float models in bf16 by default on CPUs that have it
(AVX-512 BF16, AMX), and in f16 on some others: an error of ~5e-3 on MogaNet-T where
f32 gives ~1e-6. Here the precision is never left to that default: :func:`compile`
sets ``INFERENCE_PRECISION_HINT`` to the precision asked for, and refuses one the
CPU cannot run. A QDQ model (:mod:`.quantize`) runs its quantized layers in int8
whatever the hint; the hint sets the precision of the layers left float.
"""
import functools
from typing import List, Optional

import numpy as np
import torch

#: precision name -> the OPTIMIZATION_CAPABILITIES entry the CPU must list for it
PRECISIONS = {'f32': 'FP32', 'bf16': 'BF16', 'f16': 'FP16'}


@functools.lru_cache(maxsize=None)
def core():
    """The process's one ``openvino.Core``, made on first use and kept.

    OpenVINO's CPU plugin gives the thread that creates it an alternate signal stack
    and, when it is destroyed, puts back the one it found. Cores made and dropped in
    turn can so leave a thread on a freed signal stack, and the next signal handled
    there (a DataLoader worker's exit: SIGCHLD) kills the process with SIGSEGV: seen
    with OpenVINO 2026.4 in :mod:`.evaluate` (ONNX Runtime's int8 test loop after the
    OpenVINO rows, a Core each). One Core keeps its plugin, and that stack, alive."""
    import openvino as ov  # optional: only running an exported model needs it
    return ov.Core()


def capabilities() -> List[str]:
    """The CPU plugin's OPTIMIZATION_CAPABILITIES (e.g. ['FP32', 'INT8', 'BIN'] on an
    AVX2-only CPU; 'BF16' with AVX-512 BF16 or AMX)."""
    return list(core().get_property('CPU', 'OPTIMIZATION_CAPABILITIES'))


def check_precision(precision: str, label: Optional[str] = None) -> None:
    """Raise ``RuntimeError`` if this CPU cannot run OpenVINO's float layers at
    ``precision`` (one of :data:`PRECISIONS`), naming what the CPU lists; ``label`` is
    how the message names the precision (e.g. the command-line option)."""
    caps = capabilities()
    if PRECISIONS[precision] not in caps:
        name = core().get_property('CPU', 'FULL_DEVICE_NAME')
        raise RuntimeError(f'this CPU ({name}) cannot run OpenVINO at {label or precision}: '
                           f'its capabilities are {caps} ({precision} needs '
                           f'{PRECISIONS[precision]}; f32 runs everywhere)')


def compile(path: str, precision: str = 'f32', threads: Optional[int] = None):
    """An ``openvino.CompiledModel`` of the ONNX file ``path`` on the CPU.

    ``precision`` ('f32', 'bf16' or 'f16') is the inference precision of the float
    layers, set explicitly; a precision the CPU does not list in its capabilities
    raises ``RuntimeError`` naming what it supports. ``threads`` sets
    ``INFERENCE_NUM_THREADS`` (default: OpenVINO's choice, one per physical core);
    the performance hint is LATENCY (one stream, as a batch-1 deployment runs).
    """
    import openvino as ov  # optional: only running an exported model needs it
    if precision not in PRECISIONS:
        raise ValueError(f'precision must be one of {list(PRECISIONS)}, got {precision!r}')
    check_precision(precision)
    config = {'INFERENCE_PRECISION_HINT': precision, 'PERFORMANCE_HINT': 'LATENCY'}
    if threads:
        config['INFERENCE_NUM_THREADS'] = int(threads)
    compiled = core().compile_model(core().read_model(str(path)), 'CPU', config)
    got = precision_of(compiled)
    if got != precision:
        raise RuntimeError(f'OpenVINO {ov.__version__} compiled {path} at {got}, '
                           f'not the {precision} asked for')
    return compiled


def precision_of(compiled) -> str:
    """The inference precision ``compiled`` runs its float layers at ('f32', ...)."""
    return compiled.get_property('INFERENCE_PRECISION_HINT').get_type_name()


def run(compiled, *inputs: torch.Tensor) -> List[np.ndarray]:
    """Run ``compiled`` on torch tensors (fed in the order of the graph's inputs); its
    outputs in the graph's output order."""
    names = [i.get_any_name() for i in compiled.inputs]
    if len(names) != len(inputs):
        raise ValueError(f'the model takes {len(names)} inputs {names}, got {len(inputs)}')
    result = compiled([t.detach().cpu().contiguous().numpy() for t in inputs])
    return [np.asarray(result[o]) for o in compiled.outputs]


def output_names(compiled) -> List[str]:
    return [o.get_any_name() for o in compiled.outputs]
