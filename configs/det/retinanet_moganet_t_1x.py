"""RetinaNet 1x, MogaNet-T backbone (COCO, 1280x800).

Original config: detection/configs/moganet/retinanet_moganet_tiny_fpn_1x_coco.py.
Trained by the authors: https://github.com/Westlake-AI/MogaNet/releases/download/moganet-det-weights/retinanet_moganet_tiny_fpn_1x_coco.pth
"""
_base_ = ['./_base_moganet_retinanet.py']

model = dict(
    backbone=dict(
        arch='tiny',
        drop_path_rate=0.1,
        init_cfg=dict(type='Pretrained', checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_tiny_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[32, 64, 128, 256]))
