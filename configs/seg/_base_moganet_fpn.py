# Semantic FPN + MogaNet on ADE20K, 512x512 crops, 80k iterations: the recipe shared by
# fpn_moganet_*_80k_ade20k.py. From the original repository's
# segmentation/configs/_base_/models/fpn_moganet.py and sem_fpn/moganet/*.py (mmseg 0.x),
# moved onto mmseg 1.x's own base configs. The size configs set the backbone arch, drop
# path, ImageNet init and the FPN's in_channels (= the backbone's stage widths).
_base_ = [
    'mmseg::_base_/models/fpn_r50.py',
    './_base_ade20k.py',  # mmseg's ADE20K, tested with the original's AlignResize
    'mmseg::_base_/default_runtime.py',
    '../_base_/moganet_sizes.py',
    'mmseg::_base_/schedules/schedule_80k.py',
]
custom_imports = dict(imports=['moganet_mm'], allow_failed_imports=False)

crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='MogaNet',
        out_indices=(0, 1, 2, 3),
        # BN, not the heads' SyncBN: the original configs set stem_norm_cfg and
        # conv_norm_cfg to SyncBN, but its MogaNet swallows both in **kwargs, so the
        # released models were trained with per-GPU BN in the backbone
        norm_cfg=dict(type='BN')),  # the size configs add arch, drop path and ImageNet weights
    decode_head=dict(num_classes=150))

# batch 4 x 8 GPUs = 32 (mmseg's default 4 per GPU). The original doubles the GPUs of
# mmseg's 4-GPU Semantic FPN recipe: lr 1e-4 * 2, 160k // 2 = 80k iterations.
train_dataloader = dict(batch_size=4)
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=1e-4))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0, end=80000, by_epoch=False)
]
# checkpoint and evaluate every 8000 // 2 iterations, keep one checkpoint and the best
train_cfg = dict(max_iters=80000, val_interval=4000)
default_hooks = dict(
    checkpoint=dict(by_epoch=False, interval=4000, max_keep_ckpts=1, save_best='mIoU'))
