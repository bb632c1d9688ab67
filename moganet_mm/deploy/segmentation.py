"""An mmseg ``EncoderDecoder`` as one exportable graph: the class map mmdeploy exports.

Output ``seg`` (N, 1, H, W), int64: the argmax over classes of the decode head's
logits resized (bilinear) to the input, what ``EncoderDecoder.predict`` computes in
``mode='whole'`` for an unpadded image.

The pyramid pooling module of UPerNet / PSPNet averages over ``o x o`` bins with
``nn.AdaptiveAvgPool2d(o)``. ONNX has no adaptive pooling, and torch's exporter
refuses one whose input size is not a multiple of ``o`` or not known at export time.
:class:`AdaptiveAvgPool2dAsMatmul` computes the same bins (PyTorch's rule:
``[floor(i n / o), ceil((i + 1) n / o))``) as two matrix products whose averaging
matrices are built from the input's size in the graph, so any input size exports.
"""
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from .exporter import ExportError
from .spec import ExportSpec


def bin_matrix(n: Tensor, o: int, dtype: torch.dtype, device: torch.device) -> Tensor:
    """(o, n) matrix whose row ``i`` averages PyTorch's adaptive-pooling bin ``i`` of a
    length-``n`` axis (``n`` a 0-dim int64 tensor, dynamic in the trace)."""
    i = torch.arange(o, dtype=torch.int64, device=device)
    start = torch.div(i * n, o, rounding_mode='floor')
    end = torch.div((i + 1) * n + o - 1, o, rounding_mode='floor')
    j = torch.arange(n, dtype=torch.int64, device=device)  # traced: its length follows n
    inside = (j[None] >= start[:, None]) & (j[None] < end[:, None])
    return inside.to(dtype) / (end - start)[:, None].to(dtype)


class AdaptiveAvgPool2dAsMatmul(nn.Module):
    """``nn.AdaptiveAvgPool2d(output_size)`` as ``P_h @ x @ P_w^T``: the same bins."""

    def __init__(self, output_size):
        super().__init__()
        size = output_size if isinstance(output_size, (tuple, list)) else (output_size, ) * 2
        if None in size:
            raise ExportError(f'AdaptiveAvgPool2d({output_size}) with a free axis does not export')
        self.output_size = tuple(size)

    def forward(self, x: Tensor) -> Tensor:
        shape = torch._shape_as_tensor(x)
        p_h = bin_matrix(shape[2], self.output_size[0], x.dtype, x.device)
        p_w = bin_matrix(shape[3], self.output_size[1], x.dtype, x.device)
        return torch.matmul(torch.matmul(p_h, x), p_w.t())


def replace_adaptive_pools(module: nn.Module) -> int:
    """Swap every ``nn.AdaptiveAvgPool2d`` with an output larger than 1x1 for
    :class:`AdaptiveAvgPool2dAsMatmul`, in place; returns how many."""
    count = 0
    for name, child in module.named_children():
        if isinstance(child, nn.AdaptiveAvgPool2d) and child.output_size not in (1, (1, 1)):
            setattr(module, name, AdaptiveAvgPool2dAsMatmul(child.output_size))
            count += 1
        else:
            count += replace_adaptive_pools(child)
    return count


class Segmentor(nn.Module):
    """Class map of an mmseg ``EncoderDecoder`` in ``whole`` inference mode."""

    def __init__(self, segmentor: nn.Module):
        super().__init__()
        if type(segmentor).__name__ != 'EncoderDecoder':
            raise ExportError(f'{type(segmentor).__name__}: only mmseg EncoderDecoder '
                              'segmentors export')
        mode = segmentor.test_cfg.get('mode', 'whole') if segmentor.test_cfg else 'whole'
        if mode != 'whole':
            raise ExportError(f"test_cfg.mode={mode!r}: only 'whole' inference exports "
                              '(a sliding window is a loop over crops outside the model)')
        self.segmentor = copy.copy(segmentor)  # the pooling swap must not touch the caller's
        self.segmentor.decode_head = copy.deepcopy(segmentor.decode_head)
        replace_adaptive_pools(self.segmentor.decode_head)

    def logits(self, x: Tensor) -> Tensor:
        seg = self.segmentor
        logits = seg.decode_head.forward(seg.extract_feat(x))
        return F.interpolate(
            logits, size=x.shape[2:], mode='bilinear', align_corners=seg.align_corners)

    def forward(self, x: Tensor) -> Tensor:
        logits = self.logits(x)
        if logits.shape[1] == 1:  # a binary head: sigmoid > threshold
            return (logits.sigmoid() > self.segmentor.decode_head.threshold).long()
        return logits.argmax(dim=1, keepdim=True)


def segmentor_spec(cfg, model: nn.Module):
    return ExportSpec(
        Segmentor(model),
        'segmentor', ['seg'], (512, 512),
        dynamic_outputs={'seg': {
            0: 'batch',
            2: 'height',
            3: 'width'
        }})
