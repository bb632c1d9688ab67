"""RetinaNet 1x, MogaNet-L backbone (COCO, 1280x800).

Original config: detection/configs/moganet/retinanet_moganet_large_fpn_1x_coco.py.
Trained by the authors: https://github.com/Westlake-AI/MogaNet/releases/download/moganet-det-weights/retinanet_moganet_large_fpn_1x_coco.pth
"""
_base_ = ['./_base_moganet_retinanet.py']

model = dict(
    backbone=dict(
        arch='large',
        drop_path_rate=0.3,
        init_cfg=dict(type='Pretrained', checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_large_sz224_8xbs64_ep300.pth.tar')),
    neck=dict(in_channels=[64, 160, 320, 640]))
