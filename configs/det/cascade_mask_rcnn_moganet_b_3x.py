"""Cascade Mask R-CNN (GIoU, 4conv1fc), multi-scale 3x, MogaNet-B backbone (COCO).

AdamW lr 1e-4 with layer-wise lr decay 0.8 (see _base_moganet_cascade_3x_lrdecay.py).

Original config: detection/configs/moganet/cascade_mask_rcnn_moganet_b_fpn_giou_4conv1f_ms_3x_coco.py.
Trained by the authors: ``mim download moganet_mm --config cascade_mask_rcnn_moganet_b_3x --dest .``
"""
_base_ = ['./_base_moganet_cascade_3x_lrdecay.py']

size = _base_.moganet_sizes.b
model = dict(backbone=size.backbone, neck=dict(in_channels=size.widths))
