# MogaNet-XT classification on the toy ImageNet of tools/data/make_toy_imagenet.py
# (6 shape / texture classes, 64x64). Inherits the real ImageNet config and
# overrides only data, schedule, input size and augmentation strength; the
# architecture is unchanged, randomly initialised.
#
#   python tools/data/make_toy_imagenet.py --out data/toy_imagenet
#   mim train mmpretrain configs/cls/toy/moganet_xt_in1k_toy.py --launcher none
_base_ = ['../moganet_xt_in1k.py']

data_root = 'data/toy_imagenet'
classes = ('checker', 'circle', 'cross', 'square', 'stripes', 'triangle')
img_size = 64

model = dict(
    backbone=dict(init_cfg=None),
    head=dict(num_classes=len(classes)),
    # no Mixup / CutMix on 600 images: they slow the toy run down too much
    train_cfg=None)
data_preprocessor = dict(num_classes=len(classes))

# augmentation strength: crops keep most of the shape, flips, no RandAugment /
# RandomErasing
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=img_size, crop_ratio_range=(0.6, 1.0),
         backend='pillow', interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=img_size, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(type='CustomDataset', data_root=data_root, data_prefix='train',
                 ann_file='', classes=classes, pipeline=train_pipeline,
                 _delete_=True))
val_dataloader = dict(
    batch_size=60,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(type='CustomDataset', data_root=data_root, data_prefix='val',
                 ann_file='val.txt', classes=classes, pipeline=test_pipeline,
                 _delete_=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator

# schedule: the recipe's AdamW + warm-up + cosine, shortened
max_epochs = 30
optim_wrapper = dict(optimizer=dict(lr=2e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=1,
         end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=5)
auto_scale_lr = dict(base_batch_size=32)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=5),
    checkpoint=dict(type='CheckpointHook', interval=max_epochs, max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
