"""Post-training static int8 of an exported ONNX model (ONNX Runtime's quantizer, QDQ).

The result is a QDQ model: QuantizeLinear / DequantizeLinear pairs around the
quantized operators, int8 per-channel weights. ONNX Runtime runs it (fusing the pairs
into integer kernels where it has them), and so does OpenVINO, which runs the
quantized layers in int8 (:mod:`.openvino`).

What is quantized, by measurement (MogaNet-T backbone, deploy mode, fresh weights,
batch 1, 224x224, 2 threads, median of 7 interleaved rounds, on a 2-core AMD EPYC with
AVX2 only, no VNNI; the alternatives were compared in runs that shared the machine with
other work, so only their ratios to each other count):

- ``op_types=('Conv',)``: every conv int8, the rest (GELU, SiLU gates, the gating
  products, residual adds, norms folded into convs) float. Unloaded, ONNX Runtime runs
  it at 0.85x its fp32 and OpenVINO at 0.99x ONNX Runtime fp32 (docs/deploy.md): on
  this CPU int8 buys no speed (the published int8 speed-ups are on VNNI CPUs). Pointwise convs only
  (``skip_depthwise``) ran slower in both (0.69x, 1.10x: the QDQ pairs around each
  float depthwise conv cost more than its int8 saves); quantizing Mul and Add as
  well ran slower in OpenVINO (0.87x).
- activations uint8 (``quint8``): int8 activations halved ONNX Runtime's speed
  (0.49x its fp32); OpenVINO ran both at about the same speed (1.29x, 1.31x).
- ``reduce_range=True`` (7-bit weights): without VNNI, x86 int8 kernels multiply
  uint8 by int8 in pairs summed into int16 (``vpmaddubsw``), which saturates with
  full-range weights; the stem conv alone quantized put a 0.17 max relative error
  on the first feature map in ONNX Runtime (0.094 in OpenVINO); with 7-bit weights
  and every conv quantized that map's error was 0.029, at the same speed. On VNNI
  CPUs full range is safe (``reduce_range=False``).

On trained models (the five demos, docs/deploy.md) every conv int8 costs accuracy:
up to 34 mIoU on the toy ADE20K, 0.04 box mAP, 1.1 top-1. Two 1x1 convs per block
cause it: ``fc2`` and ``proj_2``, the projections that close the channel-aggregation
FFN and the gated aggregation, whose inputs (the aggregated, gated products) have the
heaviest tails; kept float (``nodes_to_exclude=conv_nodes(path, MOGANET_KEEP_FLOAT)``)
every demo's metric stays within 1 point of f32. Any other layer is kept float by its
ONNX node name (e.g. ``/backbone/patch_embed1/projection/projection.0/Conv``, the stem
conv) or a name pattern (:func:`conv_nodes`).
"""
import os
import tempfile
from typing import Iterable, List, Sequence, Union

import numpy as np
import torch

#: the operators quantized by default (see the module docstring for the measurement)
OP_TYPES = ('Conv', )
#: what a model quantized with the defaults computes in, as the tools print it
DESCRIPTION = 'int8 convs, f32 rest'
#: the name patterns of the convs a trained MogaNet keeps float to stay within 1 point
#: of its f32 metrics (the module docstring; ``moganet-export --keep-float``)
MOGANET_KEEP_FLOAT = ('fc2', 'proj_2')
ACTIVATIONS = ('quint8', 'qint8')
#: how the calibration sets each activation's range: its min / max over the calibration
#: batches, the ``percentile`` of its absolute values, or the entropy-optimal threshold
CALIBRATION = ('minmax', 'percentile', 'entropy')


def depthwise_convs(path: str) -> List[str]:
    """The names of the depthwise Conv nodes (group == input channels > 1) in ``path``."""
    import onnx  # optional: only quantizing an exported graph needs it
    graph = onnx.load(str(path)).graph
    weights = {i.name: list(i.dims) for i in graph.initializer}
    names = []
    for node in graph.node:
        group = next((a.i for a in node.attribute if a.name == 'group'), 1)
        w = weights.get(node.input[1]) if node.op_type == 'Conv' else None
        if w and group > 1 and w[1] == 1 and w[0] == group:
            names.append(node.name)
    return names


def node_names(path: str) -> List[str]:
    import onnx  # optional: only quantizing an exported graph needs it
    return [n.name for n in onnx.load(str(path)).graph.node]


def conv_nodes(path: str, patterns: Sequence[str] = ('', )) -> List[str]:
    """The names of the Conv nodes of ``path`` that contain one of ``patterns`` (e.g.
    ``['patch_embed1']``: the stem's convs); every pattern must match one."""
    import onnx  # optional: only quantizing an exported graph needs it
    convs = [n.name for n in onnx.load(str(path)).graph.node if n.op_type == 'Conv']
    unmatched = [p for p in patterns if not any(p in c for c in convs)]
    if unmatched:
        raise ValueError(f'no Conv node of {path} contains {unmatched}; they are named like '
                         f'{convs[:2]} ... {convs[-1:]}')
    return [c for c in convs if any(p in c for p in patterns)]


class TensorReader:
    """An ``onnxruntime.quantization.CalibrationDataReader`` over input tensors: each
    item of ``tensors`` (a torch tensor or numpy array, N x 3 x H x W) is one batch of
    the graph's single input ``input_name``."""

    def __init__(self, tensors: Iterable[Union[torch.Tensor, np.ndarray]], input_name: str):
        self.tensors = iter(tensors)
        self.input_name = input_name
        self.count = 0

    def get_next(self):
        x = next(self.tensors, None)
        if x is None:
            return None
        self.count += 1
        if isinstance(x, torch.Tensor):
            x = x.detach().cpu().contiguous().numpy()
        return {self.input_name: np.ascontiguousarray(x, dtype=np.float32)}

    def rewind(self):  # the MinMax calibrator reads once
        pass


def quantize(path: str,
             out: str,
             calibration: Iterable[Union[torch.Tensor, np.ndarray]],
             op_types: Sequence[str] = OP_TYPES,
             nodes_to_exclude: Sequence[str] = (),
             skip_depthwise: bool = False,
             activations: str = 'quint8',
             reduce_range: bool = True,
             calibration_method: str = 'minmax',
             percentile: float = 99.999,
             preprocess: bool = True) -> str:
    """Write the int8 QDQ model of the float ONNX model ``path`` to ``out``; returns
    ``out``.

    ``calibration``: the input batches whose activation ranges (min / max) set the
    activation scales: a few dozen of the deployment's own images, preprocessed as
    the model's input. ``op_types``: the ONNX operators to quantize (default
    :data:`OP_TYPES`); ``nodes_to_exclude``: node names kept float (e.g. the first conv
    or a head); ``skip_depthwise``: keep every depthwise conv float too.
    ``activations``: 'quint8' or 'qint8'; weights are int8, per output channel,
    7-bit with ``reduce_range`` (safe without VNNI, see the module docstring).
    ``preprocess`` runs ONNX Runtime's ``quant_pre_process`` first (shape inference and
    graph optimization, as its docs advise).
    """
    import onnxruntime as ort  # optional: only quantizing an exported graph needs them
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process
    if activations not in ACTIVATIONS:
        raise ValueError(f'activations must be one of {list(ACTIVATIONS)}, got {activations!r}')
    if calibration_method not in CALIBRATION:
        raise ValueError(f'calibration_method must be one of {list(CALIBRATION)}, got '
                         f'{calibration_method!r}')
    sess = ort.InferenceSession(str(path), providers=['CPUExecutionProvider'])
    inputs = [i.name for i in sess.get_inputs()]
    if len(inputs) != 1:
        raise ValueError(f'quantize takes a model with one input, {path} has {inputs}')
    del sess
    with tempfile.TemporaryDirectory() as tmp:
        src = str(path)
        if preprocess:
            src = os.path.join(tmp, 'pre.onnx')
            quant_pre_process(str(path), src, skip_symbolic_shape=True)
        excluded = list(nodes_to_exclude) + (depthwise_convs(src) if skip_depthwise else [])
        unknown = sorted(set(excluded) - set(node_names(src)))
        if unknown:  # a misspelt name would leave the layer quantized without a word
            raise ValueError(f'nodes_to_exclude: no node named {unknown[:3]} in {path}; '
                             f'its convs are named like {conv_nodes(src)[:2]}')
        reader = TensorReader(calibration, inputs[0])
        quantize_static(
            src,
            str(out),
            reader,
            quant_format=QuantFormat.QDQ,
            op_types_to_quantize=list(op_types),
            per_channel=True,
            activation_type=QuantType.QUInt8 if activations == 'quint8' else QuantType.QInt8,
            weight_type=QuantType.QInt8,
            reduce_range=reduce_range,
            nodes_to_exclude=excluded,
            calibrate_method={
                'minmax': CalibrationMethod.MinMax,
                'percentile': CalibrationMethod.Percentile,
                'entropy': CalibrationMethod.Entropy
            }[calibration_method],
            extra_options=dict(CalibPercentile=percentile))
        if not reader.count:
            raise ValueError('quantize needs at least one calibration batch, got none')
    return str(out)
