"""Mask R-CNN 1x, MogaNet-B backbone (COCO, 1280x800).

Original config: detection/configs/moganet/mask_rcnn_moganet_base_fpn_1x_coco.py.
Trained by the authors: ``mim download moganet_mm --config mask_rcnn_moganet_b_1x --dest .``
"""
_base_ = ['./_base_moganet_mask_rcnn.py']

size = _base_.moganet_sizes.b
model = dict(backbone=size.backbone, neck=dict(in_channels=size.widths))

# the original B/L 1x configs use lr 1e-4 (XT/T/S: 2e-4)
optim_wrapper = dict(optimizer=dict(lr=1e-4))
