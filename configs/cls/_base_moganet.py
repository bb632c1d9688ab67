# MogaNet ImageNet-1K classification, the original 300-epoch recipe
# (Westlake-AI/MogaNet TRAINING.md + train.py defaults, timm-based), here in
# mmpretrain 1.x. This base holds the MogaNet-S/B/L/XL settings; XT/T differ in
# `_base_moganet_light.py`; each config sets arch, drop path and weight decay.
#
# The original classifier is head(norm4(stage4).mean((2, 3))): MogaNet's last
# stage output already ends in its stage norm, so MogaNet(out_indices=(3,)) +
# GlobalAveragePooling + LinearClsHead computes exactly that (no extra norm).
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py',
    'mmpretrain::_base_/schedules/imagenet_bs1024_adamw_swin.py',
    'mmpretrain::_base_/default_runtime.py',
    '../_base_/moganet_sizes.py',
]
custom_imports = dict(imports=['moganet_mm'], allow_failed_imports=False)

model = dict(
    type='ImageClassifier',
    # The size configs add the arch, drop path and the released classifier's backbone
    # (init_cfg; its head is dropped). To train the recipe from scratch set
    # model.backbone.init_cfg=None; to evaluate a release with its head, convert it
    # with tools/model_converters/moganet_to_mmpretrain.py and pass --checkpoint.
    backbone=dict(type='MogaNet', out_indices=(3, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        # the original's init: Linear trunc_normal(std=0.02), bias 0
        init_cfg=dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
        loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        cal_acc=False),
    # timm Mixup(mixup_alpha, cutmix_alpha=1.0, prob=1.0, switch_prob=0.5):
    # every batch gets one of the two, chosen with equal probability.
    train_cfg=dict(augments=[
        dict(type='Mixup', alpha=0.8),
        dict(type='CutMix', alpha=1.0),
    ]),
)

# ---------------------------------------------------------------- data
# timm create_transform: RandomResizedCrop(0.08-1) (train interpolation 'random',
# bicubic here), hflip 0.5, RandAugment rand-m9-mstd0.5-inc1, RandomErasing
# 0.25 in 'pixel' mode (= mmpretrain 'rand'). timm applies color_jitter only when
# no auto-augment is set, so the recipe's 0.4 has no effect and is not added.
# Test: crop_pct 0.9 -> resize the short edge to int(224 / 0.9) = 248, bicubic,
# centre crop 224. Mean/std: timm's ImageNet defaults (= mmpretrain's).
bgr_mean = [103.53, 116.28, 123.675]
bgr_std = [57.375, 57.12, 58.395]
img_size = 224
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=img_size, backend='pillow',
         interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandAugment', policies='timm_increasing', num_policies=2,
         total_level=10, magnitude_level=9, magnitude_std=0.5,
         hparams=dict(pad_val=[104, 116, 124], interpolation='bicubic')),
    dict(type='RandomErasing', erase_prob=0.25, mode='rand', min_area_ratio=0.02,
         max_area_ratio=1 / 3, fill_color=bgr_mean, fill_std=bgr_std),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=248, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='PackInputs'),
]
# 8 GPUs x 128 = 1024 images per step (the original's 8 x 128)
train_dataloader = dict(batch_size=128, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=128, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

# ---------------------------------------------------------------- schedule
# AdamW(0.9, 0.999), lr 1e-3 at batch 1024. Weight decay as timm's create_optimizer_v2
# gave it in the original train.py (filter_bias_and_bn; MogaNet.no_weight_decay() is
# empty): none on 1-D parameters (norms) and biases, 0.05 on everything else, the
# (1, C, 1, 1) layer scales and `sigma.scale`s included.
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05, eps=1e-8,
                   betas=(0.9, 0.999)),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        flat_decay_mult=0.0,
        _delete_=True),
)
# timm cosine: 5 warm-up epochs from warmup_lr 1e-5, cosine to min_lr over 300
# epochs, then cooldown_epochs=10 at min_lr (so the original ran 310 epochs).
# min_lr: 1e-5 for S/B/L/XL (--min_lr 1e-5), timm's default 1e-6 for XT/T.
warmup_epochs = 5
cosine_epochs = 300
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=True, begin=0,
         end=warmup_epochs, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True,
         begin=warmup_epochs, end=cosine_epochs, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=cosine_epochs + 10, val_interval=1)
auto_scale_lr = dict(base_batch_size=1024)

# EMA of the weights, decay 0.9999 per step (--model_ema, S/B/L/XL only)
custom_hooks = [dict(type='EMAHook', momentum=1e-4, priority='ABOVE_NORMAL')]
