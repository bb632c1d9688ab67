"""COCO detection rows: coco_retinanet_1x.csv, coco_mask_rcnn_1x.csv,
coco_cascade_mask_rcnn_3x_ms.csv, all counted at 1280x800 (w x h).

Two-stage detectors are counted as mmdet 2.x's ``forward_dummy`` did, the
convention of the paper's tables (``paper_tables/README.md``): backbone + neck +
RPN head, every box head on the 1000 test-time RPN proposals, and the mask heads on
the first 100 RoIs only. mmdet 3.x's ``CascadeRoIHead.forward`` runs each stage's
mask head on every proposal instead, which would count Cascade-S at ~2180G.
"""
import re

import torch
from mmengine.model import revert_sync_batchnorm
from torch import nn

from moganet_mm.codebases import build_model

from paper import paper_row

FLOPS_TOL = 0.02
INPUT_HW = (800, 1280)
CSVS = {
    'retinanet': 'coco_retinanet_1x.csv',
    'mask_rcnn': 'coco_mask_rcnn_1x.csv',  # the 3x rows are the same models
    'cascade_mask_rcnn': 'coco_cascade_mask_rcnn_3x_ms.csv'
}
NAME_RE = re.compile(r'(retinanet|mask_rcnn|cascade_mask_rcnn)_moganet_(xt|t|s|b|l|xl)_(1x|3x)')


def paper(name):
    match = NAME_RE.fullmatch(name)
    if match is None:
        raise ValueError(f'{name}: not a detection config name; expected '
                         "'<retinanet|mask_rcnn|cascade_mask_rcnn>_moganet_<size>_<1x|3x>'")
    family, size, _ = match.groups()
    row = paper_row(CSVS[family], arch=f'MogaNet-{size.upper()}')
    return dict(csv=CSVS[family], params=row['params_M'], flops=row['flops_G'], input=INPUT_HW)


class TwoStageDummy(nn.Module):
    """mmdet 2.x ``TwoStageDetector.forward_dummy`` for an mmdet 3.x detector.

    Computes the RPN head on the FPN features, each stage's box head on
    ``num_proposals`` RoIs and each stage's mask head on the first ``num_mask_rois``
    of them. The RoIs are fixed boxes inside the image (FLOPs do not depend on
    where they are; 2.x drew them with ``torch.randn``).
    """

    def __init__(self, detector, input_hw, num_proposals=1000, num_mask_rois=100):
        super().__init__()
        from mmdet.structures.bbox import bbox2roi
        self.detector = detector
        self.num_mask_rois = num_mask_rois
        gen = torch.Generator().manual_seed(0)
        h, w = input_hw
        xy = torch.rand(num_proposals, 2, generator=gen) * torch.tensor([w * 0.8, h * 0.8])
        wh = torch.rand(num_proposals, 2, generator=gen) * torch.tensor([w * 0.2, h * 0.2]) + 8
        self.register_buffer('rois', bbox2roi([torch.cat([xy, xy + wh], dim=1)]), persistent=False)

    def forward(self, inputs):
        det = self.detector
        feats = det.extract_feat(inputs)
        outs = [det.rpn_head(feats)]
        roi_head = det.roi_head
        rois, mask_rois = self.rois, self.rois[:self.num_mask_rois]
        stages = list(range(roi_head.num_stages)) if hasattr(roi_head, 'num_stages') else [None]
        args = (lambda i: (i, )) if stages != [None] else (lambda i: ())
        for i in stages:
            res = roi_head._bbox_forward(*args(i), feats, rois)
            outs += [res['cls_score'], res['bbox_pred']]
        if roi_head.with_mask:
            for i in stages:
                outs.append(roi_head._mask_forward(*args(i), feats, mask_rois)['mask_preds'])
        return outs


class SingleStageDummy(nn.Module):
    """Backbone + neck + dense head (``SingleStageDetector._forward``)."""

    def __init__(self, detector):
        super().__init__()
        self.detector = detector

    def forward(self, inputs):
        return self.detector._forward(inputs)


def build_for_counting(cfg, input_hw):
    detector = revert_sync_batchnorm(build_model(cfg.model, 'mmdet')).eval()
    if hasattr(detector, 'roi_head'):
        module = TwoStageDummy(detector, input_hw)
    else:
        module = SingleStageDummy(detector)
    return module, (torch.zeros(1, 3, *input_hw), )


def counted_module(module):
    return module.detector
