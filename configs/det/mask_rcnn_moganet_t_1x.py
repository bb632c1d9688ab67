"""Mask R-CNN 1x, MogaNet-T backbone (COCO, 1280x800).

Original config: detection/configs/moganet/mask_rcnn_moganet_tiny_fpn_1x_coco.py.
Trained by the authors: ``mim download moganet_mm --config mask_rcnn_moganet_t_1x --dest .``
"""
_base_ = ['./_base_moganet_mask_rcnn.py']

size = _base_.moganet_sizes.t
model = dict(backbone=size.backbone, neck=dict(in_channels=size.widths))
