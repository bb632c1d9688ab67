"""Mask R-CNN, multi-scale 3x, MogaNet-T backbone (COCO).

Original config: detection/configs/moganet/mask_rcnn_moganet_t_fpn_mstrain_480-800_3x_coco.py.
Trained by the authors: ``mim download moganet_mm --config mask_rcnn_moganet_t_3x --dest .``
"""
_base_ = ['./_base_moganet_mask_rcnn_3x.py']

size = _base_.moganet_sizes.t
model = dict(backbone=size.backbone, neck=dict(in_channels=size.widths))
