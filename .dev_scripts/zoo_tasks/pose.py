"""COCO TopDown pose rows: coco_pose_topdown.csv, the whole model at the crop size.

The count covers backbone + HeatmapHead run on one crop (H x W = 256x192 or
384x288), as the original's ``get_flops.py --shape H W`` did. FLOPs are held to
3%: the slides' T row (2.2G) sits 2.8% above the MMEngine count of the original's
own config (see paper_tables/README.md).
"""
import re

import torch

from moganet_mm.codebases import build_model

from paper import paper_row

FLOPS_TOL = 0.03
CSV = 'coco_pose_topdown.csv'


def paper(name):
    m = re.fullmatch(r'topdown_moganet_(xt|t|s|b)_coco_(\d+)x(\d+)', name)
    if m is None:
        raise ValueError(f'{name}: expected topdown_moganet_<xt|t|s|b>_coco_<H>x<W>')
    size, h, w = m.groups()
    row = paper_row(CSV, arch=f'MogaNet-{size.upper()}', input=f'{h}x{w}')
    return dict(csv=CSV, params=row['params_M'], flops=row['flops_G'], input=(int(h), int(w)))


class HeatmapForward(torch.nn.Module):
    """``estimator._forward(crop)``: backbone + head heatmaps, no data samples needed."""

    def __init__(self, estimator):
        super().__init__()
        self.estimator = estimator

    def forward(self, crop):
        return self.estimator._forward(crop)


def build_for_counting(cfg, input_hw):
    """The TopdownPoseEstimator run on one crop of ``input_hw``."""
    model = build_model(cfg.model, 'mmpose').eval()
    return HeatmapForward(model), (torch.zeros(1, 3, *input_hw), )


def counted_module(model):
    return model.estimator
