# Semantic FPN + MogaNet-L, ADE20K, 512x512, 80k iterations, batch 4 x 8.
# Original: segmentation/configs/sem_fpn/moganet/fpn_moganet_large_80k_ade20k.py
# Released model (original repository, mmseg 0.x format):
# https://github.com/Westlake-AI/MogaNet/releases/download/moganet-seg-weights/fpn_moganet_large_80k_ade20k.pth
_base_ = ['./_base_moganet_fpn.py']

model = dict(
    backbone=dict(
        arch='large',
        drop_path_rate=0.3,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_large_sz224_8xbs64_ep300.pth.tar')),
    neck=dict(in_channels=[64, 160, 320, 640]))
