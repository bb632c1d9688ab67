# MogaNet-XL (xlarge), ImageNet-1K 224x224, the original 300-epoch recipe:
# drop path 0.4, weight decay 0.05 (TRAINING.md; imagenet_recipe.csv).
_base_ = ['./_base_moganet.py']

size = _base_.moganet_sizes.xl
model = dict(backbone=size.backbone, head=dict(in_channels=size.widths[-1]))


# TRAINING.md trains XL with 8 GPUs x 64 = 512 images per step at lr 1e-3
# (the released moganet_xlarge_sz224_8xbs64_ep300).
train_dataloader = dict(batch_size=64)
auto_scale_lr = dict(base_batch_size=512)
