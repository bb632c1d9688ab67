# MogaNet-S (small), ImageNet-1K 224x224, the original 300-epoch recipe:
# drop path 0.1, weight decay 0.05 (TRAINING.md; imagenet_recipe.csv).
_base_ = ['./_base_moganet.py']

size = _base_.moganet_sizes.s
model = dict(backbone=size.backbone, head=dict(in_channels=size.widths[-1]))
