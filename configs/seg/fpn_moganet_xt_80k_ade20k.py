# Semantic FPN + MogaNet-XT, ADE20K, 512x512, 80k iterations, batch 4 x 8.
# Original: segmentation/configs/sem_fpn/moganet/fpn_moganet_xtiny_80k_ade20k.py
# Released model (original repository, mmseg 0.x format);
# weights: ``mim download moganet_mm --config fpn_moganet_xt_80k_ade20k --dest .``
_base_ = ['./_base_moganet_fpn.py']

size = _base_.moganet_sizes.xt
model = dict(backbone=size.backbone, neck=dict(in_channels=size.widths))
