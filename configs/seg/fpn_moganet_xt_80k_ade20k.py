# Semantic FPN + MogaNet-XT, ADE20K, 512x512, 80k iterations, batch 4 x 8.
# Original: segmentation/configs/sem_fpn/moganet/fpn_moganet_xtiny_80k_ade20k.py
# Released model (original repository, mmseg 0.x format):
# https://github.com/Westlake-AI/MogaNet/releases/download/moganet-seg-weights/fpn_moganet_xtiny_80k_ade20k.pth
_base_ = ['./_base_moganet_fpn.py']

model = dict(
    backbone=dict(
        arch='xtiny',
        drop_path_rate=0.05,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_xtiny_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[32, 64, 96, 192]))
