"""Mask R-CNN, multi-scale 3x, MogaNet-B backbone (COCO).

Original config: detection/configs/moganet/mask_rcnn_moganet_b_fpn_mstrain_480-800_3x_coco.py.
Trained by the authors: ``mim download moganet_mm --config mask_rcnn_moganet_b_3x --dest .``
"""
_base_ = ['./_base_moganet_mask_rcnn_3x.py']

size = _base_.moganet_sizes.b
model = dict(backbone=dict(size.backbone, drop_path_rate=0.3), neck=dict(in_channels=size.widths))
