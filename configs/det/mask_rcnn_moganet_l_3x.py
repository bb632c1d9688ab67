"""Mask R-CNN, multi-scale 3x, MogaNet-L backbone (COCO).

Original config: detection/configs/moganet/mask_rcnn_moganet_l_fpn_mstrain_480-800_3x_coco.py.
Trained by the authors: https://github.com/Westlake-AI/MogaNet/releases/download/moganet-det-weights/mask_rcnn_moganet_l_fpn_mstrain_480-800_3x_coco.pth
"""
_base_ = ['./_base_moganet_mask_rcnn_3x.py']

size = _base_.moganet_sizes.l
model = dict(backbone=size.backbone, neck=dict(in_channels=size.widths))
