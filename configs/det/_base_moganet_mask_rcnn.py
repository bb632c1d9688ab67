"""Mask R-CNN 1x with a MogaNet backbone: what every ``mask_rcnn_moganet_*.py`` shares.

Model, COCO instance data, 1x schedule (linear warm-up 500 iters, steps at 8/11) and
runtime come from mmdet's own ``mask-rcnn_r50_fpn_1x_coco.py``; the MogaNet part follows
the original repository, ``detection/configs/_base_/models/mask_rcnn_moganet_fpn.py``
and ``detection/configs/moganet/mask_rcnn_moganet_*_fpn_1x_coco.py``.
"""
_base_ = ['mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py']

custom_imports = dict(imports=['moganet_mm'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,
        type='MogaNet',
        arch='tiny',  # set per size
        out_indices=(0, 1, 2, 3),
        norm_cfg=dict(type='BN', requires_grad=True),  # original: plain BN, not SyncBN
        drop_path_rate=0.1),  # set per size; each size config adds init_cfg (its release)
    neck=dict(in_channels=[32, 64, 128, 256]))

# Original: AdamW lr 2e-4 (B/L 1x: 1e-4), wd 0.05, no decay on layer scales,
# scales (sigma) and norms.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(_delete_=True, type='AdamW', lr=2e-4, betas=(0.9, 0.999),
                   weight_decay=0.05),
    paramwise_cfg=dict(custom_keys={
        'layer_scale': dict(decay_mult=0.),
        'scale': dict(decay_mult=0.),
        'norm': dict(decay_mult=0.)}))

# 8 GPUs x 2 images (the original); scale lr with --auto-scale-lr on other setups.
train_dataloader = dict(batch_size=2)
auto_scale_lr = dict(enable=False, base_batch_size=16)
# original: checkpoint every epoch, keep one, keep the best
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=1, save_best='auto'))
