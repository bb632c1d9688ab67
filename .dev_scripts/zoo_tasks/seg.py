"""ADE20K rows: ade20k_semantic_fpn_80k.csv and ade20k_upernet_160k.csv.

The whole segmentor (backbone, neck, decode head and, for UperNet, the auxiliary
FCN head) is counted at 2048x512 (the 640-crop rows at 2560x640), as the
paper's README counts with mmseg's get_flops: the decode head's ``forward``
(logits at 1/4 resolution, no upsampling) plus the auxiliary head's.
"""
import re

import torch
from mmengine.model import revert_sync_batchnorm
from torch import nn

from moganet_mm.codebases import build_model

from paper import paper_row

FLOPS_TOL = 0.02
CSVS = {
    'fpn': ('ade20k_semantic_fpn_80k.csv', '80k'),
    'upernet': ('ade20k_upernet_160k.csv', '160k')
}


def paper(name):
    m = re.fullmatch(r'(fpn|upernet)_moganet_(xt|t|s|b|l|xl)_(80k|160k)_ade20k(?:_(\d+))?', name)
    if m is None:
        raise ValueError(f'{name}: not a seg config name '
                         '({fpn|upernet}_moganet_<xt|t|s|b|l|xl>_<80k|160k>_ade20k[_640])')
    head, size, iters, crop = m.groups()
    csv_name, csv_iters = CSVS[head]
    if iters != csv_iters:
        raise ValueError(f'{name}: {head} rows are {csv_iters}, not {iters}')
    crop = int(crop or 512)
    match = dict(arch=f'MogaNet-{size.upper()}')
    if head == 'upernet':
        match['crop'] = str(crop)
    row = paper_row(csv_name, **match)
    # the paper counts at 2048x512 (crop 512) or 2560x640 (crop 640): (h, w)
    return dict(csv=csv_name, params=row['params_M'], flops=row['flops_G'], input=(crop, 4 * crop))


class _DenseForward(nn.Module):
    """``segmentor(x)`` = decode head (+ auxiliary head) logits on the backbone/neck features."""

    def __init__(self, segmentor):
        super().__init__()
        self.segmentor = segmentor

    def forward(self, x):
        feats = self.segmentor.extract_feat(x)
        outs = [self.segmentor.decode_head(feats)]
        if self.segmentor.with_auxiliary_head:
            outs.append(self.segmentor.auxiliary_head(feats))
        return outs


def build_for_counting(cfg, input_hw):
    model = revert_sync_batchnorm(build_model(
        cfg.model, 'mmseg')).eval()  # SyncBN needs a process group; BN counts the same
    return _DenseForward(model), (torch.zeros(1, 3, *input_hw), )


def counted_module(module):
    return module.segmentor
