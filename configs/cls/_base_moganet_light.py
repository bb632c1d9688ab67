# MogaNet-XT/T recipe: as `_base_moganet.py` (S/B/L/XL) but RandAugment
# rand-m7-mstd0.5-inc1, mixup alpha 0.1, min_lr at timm's default 1e-6, no EMA
# (TRAINING.md's XT/T commands).
_base_ = ['./_base_moganet.py']

train_pipeline = [dict(t, magnitude_level=7) if t['type'] == 'RandAugment' else t
                  for t in _base_.train_pipeline]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

model = dict(train_cfg=dict(augments=[
    dict(type='Mixup', alpha=0.1),
    dict(type='CutMix', alpha=1.0),
]))
# cosine to timm's default min_lr 1e-6 (S/B/L/XL: 1e-5)
param_scheduler = [_base_.param_scheduler[0], dict(_base_.param_scheduler[1], eta_min=1e-6)]
custom_hooks = []
