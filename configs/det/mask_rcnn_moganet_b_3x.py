"""Mask R-CNN, multi-scale 3x, MogaNet-B backbone (COCO).

Original config: detection/configs/moganet/mask_rcnn_moganet_b_fpn_mstrain_480-800_3x_coco.py.
Trained by the authors: https://github.com/Westlake-AI/MogaNet/releases/download/moganet-det-weights/mask_rcnn_moganet_b_fpn_mstrain_480-800_3x_coco.pth
"""
_base_ = ['./_base_moganet_mask_rcnn_3x.py']

model = dict(
    backbone=dict(
        arch='base',
        drop_path_rate=0.3,
        init_cfg=dict(type='Pretrained', checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_base_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[64, 160, 320, 512]))
