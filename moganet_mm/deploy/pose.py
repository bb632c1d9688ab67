"""An mmpose ``TopdownPoseEstimator`` with a heatmap head as one exportable graph.

Outputs for a batch of person crops (the codec's input size):

- ``heatmaps`` (N, K, h, w): the head's output (what mmdeploy exports);
- ``keypoints`` (N, K, 2): ``x, y`` in the crop's pixels, decoded in the graph as the
  ``MSRAHeatmap`` codec (``unbiased=False``) decodes: the heatmap's argmax, moved a
  quarter pixel towards the larger neighbour, times ``input_size / heatmap_size``;
  ``-1`` (times the scale) where the maximum is not positive;
- ``scores`` (N, K): the heatmap maxima.

Flip test is not part of the graph (as in mmdeploy); mapping the crop's keypoints
back to the image (``keypoints / input_size * bbox_scale + bbox_center -
bbox_scale / 2``) is left to the caller.
"""
from typing import Tuple

import torch
import torch.nn as nn
from torch import Tensor

from .exporter import ExportError
from .spec import ExportSpec, test_size


def decode_msra_heatmaps(heatmaps: Tensor, scale: Tuple[float, float]) -> Tuple[Tensor, Tensor]:
    """mmpose's ``get_heatmap_maximum`` + ``refine_keypoints`` + rescale, in torch."""
    n, k, h, w = heatmaps.shape
    flat = heatmaps.flatten(2)
    vals, idx = flat.max(dim=-1)
    x, y = idx % w, torch.div(idx, w, rounding_mode='floor')

    def at(yy, xx):  # heatmap values at integer (yy, xx), clamped inside
        return flat.gather(-1, (yy * w + xx).clamp(0, h * w - 1)[..., None])[..., 0]

    zero = torch.zeros_like(vals)
    dx = torch.where((x > 1) & (x < w - 1) & (y > 0) & (y < h), at(y, x + 1) - at(y, x - 1), zero)
    dy = torch.where((y > 1) & (y < h - 1) & (x > 0) & (x < w), at(y + 1, x) - at(y - 1, x), zero)
    kx = x.to(heatmaps.dtype) + 0.25 * torch.sign(dx)
    ky = y.to(heatmaps.dtype) + 0.25 * torch.sign(dy)
    keypoints = torch.stack([kx, ky], dim=-1)
    keypoints = torch.where((vals > 0)[..., None], keypoints, -torch.ones_like(keypoints))
    return keypoints * keypoints.new_tensor(scale), vals


class TopDown(nn.Module):
    """Heatmaps, decoded keypoints and scores of a top-down pose estimator."""

    def __init__(self, estimator: nn.Module):
        super().__init__()
        head = getattr(estimator, 'head', None)
        codec = getattr(head, 'decoder', None)
        if type(estimator).__name__ != 'TopdownPoseEstimator' or \
                type(codec).__name__ != 'MSRAHeatmap' or codec.unbiased:
            raise ExportError(
                f'{type(estimator).__name__} with a {type(codec).__name__} codec: this '
                'export decodes MSRAHeatmap (unbiased=False) heatmaps of a '
                'TopdownPoseEstimator')
        self.estimator = estimator
        self.scale = tuple(float(s) for s in codec.scale_factor)

    def forward(self, x: Tensor):
        heatmaps = self.estimator.head.forward(self.estimator.extract_feat(x))
        keypoints, scores = decode_msra_heatmaps(heatmaps, self.scale)
        return heatmaps, keypoints, scores


def pose_spec(cfg, model: nn.Module):
    return ExportSpec(
        TopDown(model),
        'pose', ['heatmaps', 'keypoints', 'scores'],
        test_size(cfg, (256, 192)),
        dynamic_hw=False)
