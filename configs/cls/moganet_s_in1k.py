# MogaNet-S (small), ImageNet-1K 224x224, the original 300-epoch recipe:
# drop path 0.1, weight decay 0.05 (TRAINING.md; imagenet_recipe.csv).
_base_ = ['./_base_moganet.py']

model = dict(
    backbone=dict(
        arch='small',
        drop_path_rate=0.1,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/'
            'moganet-in1k-weights/moganet_small_sz224_8xbs128_ep300.pth.tar')),
    head=dict(in_channels=512))
optim_wrapper = dict(optimizer=dict(weight_decay=0.05))
