"""Cascade Mask R-CNN 3x for MogaNet-B/L (and XL): layer-wise lr decay.

The original B/L configs use ``LearningRateDecayOptimizerConstructorMogaNet``
(``detection/mmcv_custom/layer_decay_optimizer_constructor.py``): AdamW lr 1e-4,
wd 0.05, ``decay_rate=0.8``, ``num_layers=12``, i.e. lr x 0.8 ** (13 - layer_id) with
layer_id 0 for patch_embed1, 2 for blocks1, 3 for blocks2 / patch_embed2, 4 for
patch_embed3, min(3 + k // 2, 11) for blocks3.k, 12 for stage 4 and 13 (lr x 1) for
everything else. The same multipliers are written here as MMEngine ``custom_keys``
(longest matching key wins). One difference: the original also takes weight decay
off every 1-D parameter and bias; with custom keys, the backbone's 1-D parameters
keep weight decay 0.05 (``flat_decay_mult=0`` below still covers neck and heads).
"""
_base_ = ['./_base_moganet_cascade_3x.py']

_rate = 0.8  # decay_rate of the original; lr_mult = _rate ** (13 - layer_id)
optim_wrapper = dict(
    optimizer=dict(lr=1e-4),
    paramwise_cfg=dict(
        _delete_=True,
        flat_decay_mult=0.,
        bias_decay_mult=0.,
        custom_keys={
            'backbone.patch_embed1.': dict(lr_mult=_rate ** 13),
            'backbone.blocks1.': dict(lr_mult=_rate ** 11),
            'backbone.patch_embed2.': dict(lr_mult=_rate ** 10),
            'backbone.blocks2.': dict(lr_mult=_rate ** 10),
            'backbone.patch_embed3.': dict(lr_mult=_rate ** 9),
            # blocks3.k: layer min(3 + k // 2, 11); k >= 16 all get layer 11
            'backbone.blocks3.': dict(lr_mult=_rate ** 2),
            **{f'backbone.blocks3.{k}.': dict(lr_mult=_rate ** (10 - k // 2))
               for k in range(16)},
            'backbone.patch_embed4.': dict(lr_mult=_rate ** 1),
            'backbone.blocks4.': dict(lr_mult=_rate ** 1),
        }))
