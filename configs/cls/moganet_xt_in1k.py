# MogaNet-XT (xtiny), ImageNet-1K 224x224, the original 300-epoch recipe:
# drop path 0.05, weight decay 0.03 (TRAINING.md; imagenet_recipe.csv).
_base_ = ['./_base_moganet_light.py']

model = dict(
    backbone=dict(
        arch='xtiny',
        drop_path_rate=0.05,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/'
            'moganet-in1k-weights/moganet_xtiny_sz224_8xbs128_ep300.pth.tar')),
    head=dict(in_channels=192))
optim_wrapper = dict(optimizer=dict(weight_decay=0.03))
