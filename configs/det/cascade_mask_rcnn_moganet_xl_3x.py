"""Cascade Mask R-CNN (GIoU, 4conv1fc), multi-scale 3x, MogaNet-XL backbone: the IN-21K row.

The original repository has no XL detection config and releases no IN-21K weights; this
config is derived from the L one (cascade_mask_rcnn_moganet_l_fpn_giou_4conv1f_ms_3x_coco.py:
AdamW lr 1e-4, layer-wise lr decay 0.8, drop path 0.3) with the XL widths. The paper's row
(56.2 box AP) used IN-21K pre-training; point init_cfg.checkpoint at such a file if you have
one. The default below is the released IN-1K XL backbone.
"""
_base_ = ['./_base_moganet_cascade_3x_lrdecay.py']

size = _base_.moganet_sizes.xl
model = dict(backbone=dict(size.backbone, drop_path_rate=0.3), neck=dict(in_channels=size.widths))
