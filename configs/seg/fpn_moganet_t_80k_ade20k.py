# Semantic FPN + MogaNet-T, ADE20K, 512x512, 80k iterations, batch 4 x 8.
# Original: segmentation/configs/sem_fpn/moganet/fpn_moganet_tiny_80k_ade20k.py
# Released model (original repository, mmseg 0.x format):
# https://github.com/Westlake-AI/MogaNet/releases/download/moganet-seg-weights/fpn_moganet_tiny_80k_ade20k.pth
_base_ = ['./_base_moganet_fpn.py']

model = dict(
    backbone=dict(
        arch='tiny',
        drop_path_rate=0.1,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_tiny_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[32, 64, 128, 256]))
