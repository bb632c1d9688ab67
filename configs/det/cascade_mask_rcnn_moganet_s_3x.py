"""Cascade Mask R-CNN (GIoU, 4conv1fc), multi-scale 3x, MogaNet-S backbone (COCO).

Original config: detection/configs/moganet/cascade_mask_rcnn_moganet_s_fpn_giou_4conv1f_ms_3x_coco.py.
Trained by the authors: ``mim download moganet_mm --config cascade_mask_rcnn_moganet_s_3x --dest .``
"""
_base_ = ['./_base_moganet_cascade_3x.py']

size = _base_.moganet_sizes.s
model = dict(backbone=size.backbone, neck=dict(in_channels=size.widths))
