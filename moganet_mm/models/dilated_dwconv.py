# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""A dilated depthwise conv computed as an undilated one on its sub-grids (deploy mode).

A conv with dilation ``d`` only ever combines pixels whose coordinates are equal
modulo ``d``. So it splits into ``d * d`` independent undilated convs, one per
sub-grid ``x[..., i::d, j::d]``, with the padding divided by ``d``. The sums are
the same; only the order of the additions can differ.

Why: on the CPU, oneDNN runs MogaNet's 7x7 dilation-3 depthwise conv (``DW_conv2``)
2-4x slower than this split. Measured on 2 cores at batch 1, MogaNet-S's shapes:
160 channels at 14x14, 0.40 ms dilated vs 0.18 ms split; 32 channels at 56x56,
0.98 ms vs 0.27 ms.

Exported to ONNX, the module is the plain dilated conv again: ONNX Runtime's own
conv kernels take the dilation in their stride, and the split's gather and scatter
become Transpose ops that cost more than they save there (64 channels at 56x56 on 2
threads: 1.4 ms plain, 7.2 ms split).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def is_exporting() -> bool:
    """True while torch.onnx (TorchScript tracer) or torch.export records the model."""
    return torch.onnx.is_in_onnx_export() or torch.compiler.is_exporting()


class SubgridDilatedDWConv(nn.Conv2d):
    """A stride-1, 'same'-padded, dilated depthwise conv that runs on the CPU as one
    undilated conv over its ``d * d`` sub-grids stacked on the batch axis (elsewhere,
    and in an ONNX export, as a plain conv). Same parameters and state-dict keys as
    the conv it replaces."""

    #: export the split instead of the plain conv (it exports correctly, with dynamic
    #: sizes, but runs slower in ONNX Runtime; for runtimes where the opposite holds)
    export_subgrid = False

    @classmethod
    def from_conv(cls, conv: nn.Conv2d) -> 'SubgridDilatedDWConv':
        (k, kw), (d, dw) = conv.kernel_size, conv.dilation
        if not (conv.groups == conv.in_channels == conv.out_channels and k == kw and d == dw
                and k % 2 == 1 and conv.stride == (1, 1)
                and conv.padding == (d * (k - 1) // 2, ) * 2 and conv.padding_mode == 'zeros'):
            raise ValueError(f'{conv} is not a square, stride-1, same-padded depthwise conv')
        new = cls(
            conv.in_channels,
            conv.out_channels,
            k,
            padding=conv.padding,
            dilation=d,
            groups=conv.groups,
            bias=conv.bias is not None)
        new.weight, new.bias = conv.weight, conv.bias
        return new

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.device.type != 'cpu' or (is_exporting() and not self.export_subgrid):
            return super().forward(x)  # measured faster on the CPU in eager torch only
        d, k = self.dilation[0], self.kernel_size[0]
        n, c, h, w = x.shape
        # sub-grid size; zero-pad the image to d*hp x d*wp. Written with non-negative
        # operands: an ONNX export records // as Div, which truncates towards zero, so
        # the usual -(-h // d) would come out one too small
        hp, wp = (h + d - 1) // d, (w + d - 1) // d
        pad_h, pad_w = d * hp - h, d * wp - w
        # gather the sub-grids from an (N, H, W, C) view when x is channels_last, so
        # that the only copies are this gather and the scatter below
        channels_last = x.stride(1) == 1 and c > 1
        if channels_last:
            t = F.pad(x.permute(0, 2, 3, 1), (0, 0, 0, pad_w, 0, pad_h))
            t = t.reshape(n, hp, d, wp, d, c).permute(0, 2, 4, 1, 3, 5)  # (N, d, d, hp, wp, C)
            t = t.reshape(n * d * d, hp, wp, c).permute(0, 3, 1, 2)
        else:
            t = F.pad(x, (0, pad_w, 0, pad_h)).reshape(n, c, hp, d, wp, d)
            t = t.permute(0, 3, 5, 1, 2, 4).reshape(n * d * d, c, hp, wp)  # (N d d, C, hp, wp)
        y = F.conv2d(t, self.weight, self.bias, padding=k // 2, groups=c)
        if channels_last:
            y = y.permute(0, 2, 3, 1).reshape(n, d, d, hp, wp, c).permute(0, 3, 1, 4, 2, 5)
            return y.reshape(n, d * hp, d * wp, c)[:, :h, :w].permute(0, 3, 1, 2)
        y = y.reshape(n, d, d, c, hp, wp).permute(0, 3, 4, 1, 5, 2)
        return y.reshape(n, c, d * hp, d * wp)[:, :, :h, :w]
