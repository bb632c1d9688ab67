"""What every MogaNet detector takes from the original repository
(``detection/configs/_base_/models/*_moganet_fpn.py`` and ``detection/configs/moganet/``):
the backbone block and the optimizer. The ``_base_moganet_<detector>.py`` files read
these under their own names, since MMEngine forbids a key in two bases.
"""
_base_ = ['../_base_/moganet_sizes.py']

# four stages for the FPN; the original: plain BN in the backbone, not SyncBN.
# Each size config adds its size's arch, drop path and ImageNet release.
moganet_det_backbone = dict(
    _delete_=True,
    type='MogaNet',
    out_indices=(0, 1, 2, 3),
    norm_cfg=dict(type='BN', requires_grad=True))

# AdamW, wd 0.05, no decay on layer scales, scales (sigma) and norms; lr per detector
moganet_det_optimizer = dict(type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0.05)
moganet_det_paramwise_cfg = dict(custom_keys={
    'layer_scale': dict(decay_mult=0.),
    'scale': dict(decay_mult=0.),
    'norm': dict(decay_mult=0.)})
