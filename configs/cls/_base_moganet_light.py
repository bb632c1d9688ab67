# MogaNet-XT/T recipe: as `_base_moganet.py` (S/B/L/XL) but RandAugment
# rand-m7-mstd0.5-inc1, mixup alpha 0.1, min_lr at timm's default 1e-6, no EMA
# (TRAINING.md's XT/T commands).
_base_ = ['./_base_moganet.py']

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale={{_base_.img_size}}, backend='pillow',
         interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandAugment', policies='timm_increasing', num_policies=2,
         total_level=10, magnitude_level=7, magnitude_std=0.5,
         hparams=dict(pad_val=[104, 116, 124], interpolation='bicubic')),
    dict(type='RandomErasing', erase_prob=0.25, mode='rand', min_area_ratio=0.02,
         max_area_ratio=1 / 3, fill_color={{_base_.bgr_mean}},
         fill_std={{_base_.bgr_std}}),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

model = dict(train_cfg=dict(augments=[
    dict(type='Mixup', alpha=0.1),
    dict(type='CutMix', alpha=1.0),
]))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=True, begin=0,
         end={{_base_.warmup_epochs}}, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-6, by_epoch=True,
         begin={{_base_.warmup_epochs}}, end={{_base_.cosine_epochs}},
         convert_to_iter_based=True),
]
custom_hooks = []
