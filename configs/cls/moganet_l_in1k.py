# MogaNet-L (large), ImageNet-1K 224x224, the original 300-epoch recipe:
# drop path 0.3, weight decay 0.05 (TRAINING.md; imagenet_recipe.csv).
_base_ = ['./_base_moganet.py']

size = _base_.moganet_sizes.l
model = dict(backbone=size.backbone, head=dict(in_channels=size.widths[-1]))

# TRAINING.md trains L with 8 x 128 at lr 1e-3; the released file was
# trained with 8 x 64 (moganet_large_sz224_8xbs64_ep300).
