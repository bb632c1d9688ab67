"""Layer-wise learning-rate decay for any model whose backbone knows its layers."""
from typing import List

import torch.nn as nn
from mmengine.logging import print_log
from mmengine.optim import DefaultOptimWrapperConstructor
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS


# Not "LayerDecayOptimWrapperConstructor": mmpose registers a ViT-only constructor of
# that name in MMEngine's root registry with force=True, replacing any other as soon as
# mmpose.engine is imported.
@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class LayerDepthDecayOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """MMEngine's default constructor, then each parameter's lr times
    ``layer_decay_rate ** (num_layers - layer_id - 1)``.

    ``(layer_id, num_layers)`` come from ``model.get_layer_depth(name)`` or, for
    detectors, segmentors and pose models, ``model.backbone.get_layer_depth(name,
    'backbone.')`` (as mmpretrain's ConvNeXt and :class:`moganet_mm.MogaNet`
    define it), so the decay follows the backbone, not a list of keys. Weight
    decay, ``custom_keys`` (``lr_mult`` included) and the ``*_decay_mult``
    options work as in the default constructor.

    ``paramwise_cfg=dict(layer_decay_rate=0.8, ...)``; ``layer_decay_rate`` is
    required.
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: dict = None):
        paramwise_cfg = dict(paramwise_cfg or {})
        if 'layer_decay_rate' not in paramwise_cfg:
            raise ValueError('LayerDepthDecayOptimWrapperConstructor needs '
                             'paramwise_cfg.layer_decay_rate (e.g. 0.8)')
        # stays in paramwise_cfg: an empty one would make the default skip add_params
        self.layer_decay_rate = float(paramwise_cfg['layer_decay_rate'])
        super().__init__(optim_wrapper_cfg, paramwise_cfg)

    def add_params(self, params: List[dict], module: nn.Module, prefix: str = '', **kwargs):
        if prefix:  # the default constructor recurses; decay is applied once, at the top
            return super().add_params(params, module, prefix, **kwargs)
        layer_depth = self._layer_depth_of(module)
        names = {id(p): n for n, p in module.named_parameters()}
        start = len(params)
        super().add_params(params, module, prefix, **kwargs)
        for group in params[start:]:
            layer_id, num_layers = layer_depth(names[id(group['params'][0])])
            scale = self.layer_decay_rate**(num_layers - layer_id - 1)
            group['lr'] = group.get('lr', self.base_lr) * scale
        print_log(
            f'layer-wise lr decay {self.layer_decay_rate} over '
            f'{len(params) - start} parameters',
            logger='current')

    @staticmethod
    def _layer_depth_of(model: nn.Module):
        if hasattr(model, 'get_layer_depth'):
            return model.get_layer_depth
        backbone = getattr(model, 'backbone', None)
        if backbone is not None and hasattr(backbone, 'get_layer_depth'):
            return lambda name: backbone.get_layer_depth(name, 'backbone.')
        raise TypeError(f'Layer-wise lr decay needs get_layer_depth on the model or its '
                        f'backbone; {type(model).__name__} (backbone '
                        f'{type(backbone).__name__}) has none')
