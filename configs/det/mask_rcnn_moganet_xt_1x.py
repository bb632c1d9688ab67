"""Mask R-CNN 1x, MogaNet-XT backbone (COCO, 1280x800).

Original config: detection/configs/moganet/mask_rcnn_moganet_xtiny_fpn_1x_coco.py.
Trained by the authors: ``mim download moganet_mm --config mask_rcnn_moganet_xt_1x --dest .``
"""
_base_ = ['./_base_moganet_mask_rcnn.py']

size = _base_.moganet_sizes.xt
model = dict(backbone=size.backbone, neck=dict(in_channels=size.widths))
