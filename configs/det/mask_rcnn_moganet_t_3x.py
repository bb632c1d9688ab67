"""Mask R-CNN, multi-scale 3x, MogaNet-T backbone (COCO).

Original config: detection/configs/moganet/mask_rcnn_moganet_t_fpn_mstrain_480-800_3x_coco.py.
Trained by the authors: https://github.com/Westlake-AI/MogaNet/releases/download/moganet-det-weights/mask_rcnn_moganet_t_fpn_mstrain_480-800_3x_coco.pth
"""
_base_ = ['./_base_moganet_mask_rcnn_3x.py']

model = dict(
    backbone=dict(
        arch='tiny',
        drop_path_rate=0.1,
        init_cfg=dict(type='Pretrained', checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_tiny_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[32, 64, 128, 256]))
