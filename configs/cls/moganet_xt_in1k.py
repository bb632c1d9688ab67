# MogaNet-XT (xtiny), ImageNet-1K 224x224, the original 300-epoch recipe:
# drop path 0.05, weight decay 0.03 (TRAINING.md; imagenet_recipe.csv).
_base_ = ['./_base_moganet_light.py']

size = _base_.moganet_sizes.xt
model = dict(backbone=size.backbone, head=dict(in_channels=size.widths[-1]))

optim_wrapper = dict(optimizer=dict(weight_decay=0.03))
