"""Plain Cascade Mask R-CNN (Shared2FC box heads), multi-scale 3x, MogaNet-S backbone (COCO).

Original config: detection/configs/moganet/cascade_mask_rcnn_moganet_s_fpn_ms_3x_coco.py.
Trained by the authors (their README: 51.4 box AP / 44.9 mask AP; no paper row);
weights: ``mim download moganet_mm --config cascade_mask_rcnn_moganet_s_3x_plain --dest .``
"""
_base_ = ['./_base_moganet_cascade_3x_plain.py']

size = _base_.moganet_sizes.s
model = dict(backbone=size.backbone, neck=dict(in_channels=size.widths))
