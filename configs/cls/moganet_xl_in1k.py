# MogaNet-XL (xlarge), ImageNet-1K 224x224, the original 300-epoch recipe:
# drop path 0.4, weight decay 0.05 (TRAINING.md; imagenet_recipe.csv).
_base_ = ['./_base_moganet.py']

model = dict(
    backbone=dict(
        arch='xlarge',
        drop_path_rate=0.4,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/'
            'moganet-in1k-weights/moganet_xlarge_sz224_8xbs64_ep300.pth.tar')),
    head=dict(in_channels=960))
optim_wrapper = dict(optimizer=dict(weight_decay=0.05))

# TRAINING.md trains XL with 8 GPUs x 64 = 512 images per step at lr 1e-3
# (the released moganet_xlarge_sz224_8xbs64_ep300).
train_dataloader = dict(batch_size=64)
auto_scale_lr = dict(base_batch_size=512)
