# Semantic FPN + MogaNet-B, ADE20K, 512x512, 80k iterations, batch 4 x 8.
# Original: segmentation/configs/sem_fpn/moganet/fpn_moganet_base_80k_ade20k.py
# Released model (original repository, mmseg 0.x format):
# https://github.com/Westlake-AI/MogaNet/releases/download/moganet-seg-weights/fpn_moganet_base_80k_ade20k.pth
_base_ = ['./_base_moganet_fpn.py']

model = dict(
    backbone=dict(
        arch='base',
        drop_path_rate=0.2,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_base_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[64, 160, 320, 512]))
