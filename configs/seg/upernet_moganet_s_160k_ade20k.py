# UperNet + MogaNet-S (+ auxiliary FCN head on stage 3), ADE20K, 512x512,
# 160k iterations, batch 2 x 8.
# Original: segmentation/configs/upernet/moganet/upernet_moganet_small_512x512_160k_ade20k.py
# Released model (original repository, mmseg 0.x format):
# https://github.com/Westlake-AI/MogaNet/releases/download/moganet-seg-weights/upernet_moganet_small_512x512_160k_ade20k.pth
_base_ = ['./_base_moganet_upernet.py', 'mmseg::_base_/datasets/ade20k.py']

model = dict(
    backbone=dict(
        arch='small',
        drop_path_rate=0.1,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_small_sz224_8xbs128_ep300.pth.tar')),
    decode_head=dict(in_channels=[64, 128, 320, 512]),
    auxiliary_head=dict(in_channels=320))
train_dataloader = dict(batch_size=2)  # x 8 GPUs = 16
