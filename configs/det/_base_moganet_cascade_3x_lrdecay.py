"""Cascade Mask R-CNN 3x for MogaNet-B/L (and XL): layer-wise lr decay.

The original B/L configs use ``LearningRateDecayOptimizerConstructorMogaNet``
(``detection/mmcv_custom/layer_decay_optimizer_constructor.py``): AdamW lr 1e-4,
wd 0.05, ``decay_rate=0.8``, ``num_layers=12``: lr x 0.8 ** (13 - layer_id), the layer
ids of ``MogaNet.get_layer_depth`` (stem 0, stage 1-2 layers 2-3, stage-3 blocks
3..11, stage 4 12, the rest 13), and no weight decay on any tensor that is 1-D after
``squeeze()`` (norms, layer scales, sigmas, the FFN's one-channel ``decompose``) nor
on any bias, in the whole detector. ``LayerDepthDecayOptimWrapperConstructor``
(moganet_mm.engine) asks the backbone for the layer ids;
tests/test_layer_decay.py compares every tensor's lr and weight decay with the
authors' rule.
"""
_base_ = ['./_base_moganet_cascade_3x.py']

optim_wrapper = dict(
    constructor='LayerDepthDecayOptimWrapperConstructor',
    optimizer=dict(lr=1e-4),
    paramwise_cfg=dict(
        _delete_=True,
        layer_decay_rate=0.8,
        bias_decay_mult=0.,
        flat_decay_mult=0.,
        # (1, C, 1, 1) tensors: 1-D after squeeze() for the authors' rule
        custom_keys={
            'layer_scale': dict(decay_mult=0.),
            'sigma.scale': dict(decay_mult=0.),
            'decompose.weight': dict(decay_mult=0.)}))
