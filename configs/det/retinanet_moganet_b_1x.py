"""RetinaNet 1x, MogaNet-B backbone (COCO, 1280x800).

Original config: detection/configs/moganet/retinanet_moganet_base_fpn_1x_coco.py.
Trained by the authors: https://github.com/Westlake-AI/MogaNet/releases/download/moganet-det-weights/retinanet_moganet_base_fpn_1x_coco.pth
"""
_base_ = ['./_base_moganet_retinanet.py']

size = _base_.moganet_sizes.b
model = dict(backbone=size.backbone, neck=dict(in_channels=size.widths))
