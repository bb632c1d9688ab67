"""ImageNet classification rows: imagenet_archs.csv (224) and imagenet_top1.csv (256)."""
import re

import torch

from moganet_mm.codebases import build_model
from moganet_mm.releases import SIZE_NAMES as ARCHS

from paper import csv_rows, paper_row

FLOPS_TOL = 0.02


def paper(name):
    size, res = re.fullmatch(r'moganet_(\w+?)_in1k(?:_(\d+))?', name).groups()
    res = int(res or 224)
    if res == 224:
        row = paper_row('imagenet_archs.csv', arch=ARCHS[size])
        return dict(
            csv='imagenet_archs.csv',
            params=row['params_M'],
            flops=row['flops_G'],
            input=(res, res))
    # the 256 rows with params/FLOPs (the ablation rows leave them empty)
    rows = [
        r for r in csv_rows('imagenet_top1.csv')
        if r['arch'] == f'MogaNet-{size.upper()}' and r['input'] == str(res) and r['params_M']
    ]
    assert len(rows) == 1, rows
    row = rows[0]
    return dict(
        csv='imagenet_top1.csv', params=row['params_M'], flops=row['flops_G'], input=(res, res))


def build_for_counting(cfg, input_hw):
    model = build_model(cfg.model, 'mmpretrain').eval()
    return model, (torch.zeros(1, 3, *input_hw), )


def counted_module(model):
    return model
