# UperNet + MogaNet on ADE20K, 512x512 crops, 160k iterations: the recipe shared by
# upernet_moganet_*_160k_ade20k.py (and, through _base_moganet_upernet_640.py, by the
# 640x640 XL config), which add the batch size. From the original repository's
# segmentation/configs/_base_/models/upernet_moganet.py and upernet/moganet/*.py
# (mmseg 0.x), moved onto mmseg 1.x's own base configs. The size configs set the
# backbone arch, drop path, ImageNet init, the UPerHead's in_channels (the stage widths)
# and the auxiliary FCN head's in_channels (the stage-3 width).
_base_ = [
    'mmseg::_base_/models/upernet_r50.py',
    './_base_ade20k.py',  # mmseg's ADE20K, tested with the original's AlignResize
    'mmseg::_base_/default_runtime.py',
    '../_base_/moganet_sizes.py',
    'mmseg::_base_/schedules/schedule_160k.py',
]
custom_imports = dict(imports=['moganet_mm'], allow_failed_imports=False)

model = dict(
    data_preprocessor=dict(size=(512, 512)),  # the crop size
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='MogaNet',
        out_indices=(0, 1, 2, 3),
        # BN, not the heads' SyncBN: the original configs set stem_norm_cfg and
        # conv_norm_cfg to SyncBN, but its MogaNet swallows both in **kwargs, so the
        # released models were trained with per-GPU BN in the backbone
        norm_cfg=dict(type='BN')),  # the size configs add arch, drop path and ImageNet weights
    decode_head=dict(num_classes=150),
    auxiliary_head=dict(num_classes=150))

# AdamW, no weight decay for layer scales (layer_scale_1/2), the gating/FFN sigmas
# (sigma.scale) and norms (norm1/norm2/norm{i}, patch_embed*.norm): the original's keys,
# matched as substrings of the parameter names of moganet_mm's MogaNet.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(custom_keys={
        'layer_scale': dict(decay_mult=0.),
        'scale': dict(decay_mult=0.),
        'norm': dict(decay_mult=0.)
    }))
# linear warm-up over 1500 iterations from 1e-6 x lr, then poly decay (power 1) to 0
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', power=1.0, eta_min=0.0, begin=1500, end=160000, by_epoch=False)
]
# mmseg's 160k schedule: evaluate and checkpoint every 16k iterations; keep the best
default_hooks = dict(checkpoint=dict(save_best='mIoU'))
