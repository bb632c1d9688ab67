"""Layer-wise lr decay: ``MogaNet.get_layer_depth`` and ``LayerDepthDecayOptimWrapperConstructor``
give every tensor of Cascade Mask R-CNN MogaNet-B the lr and weight decay of the authors'
``LearningRateDecayOptimizerConstructorMogaNet`` (detection/mmcv_custom, num_layers=12,
decay_rate=0.8, lr 1e-4, wd 0.05)."""
import pytest
import torch
from mmengine.config import Config

from moganet_mm import MogaNet
from tools.paths import REPO


def authors_layer_id(name, num_max_layer=12):
    """``get_num_layer_layer_wise`` of the original repository, restated."""
    if name.startswith('backbone.patch_embed'):
        stage = int(name.split('.')[1][len('patch_embed'):])
        return {1: 0, 2: 3, 3: 4, 4: num_max_layer}[stage]
    if name.startswith('backbone.blocks'):
        stage, block = int(name.split('.')[1][len('blocks'):]), int(name.split('.')[2])
        return {1: 2, 2: 3, 3: min(3 + block // 2, 11), 4: num_max_layer}[stage]
    return num_max_layer + 1


def authors_rule(name, param, base_lr=1e-4, base_wd=0.05, rate=0.8, num_layers=14):
    """(lr, weight decay) the authors' constructor gives one parameter."""
    no_decay = len(param.squeeze().shape) == 1 or name.endswith('.bias')
    return base_lr * rate**(num_layers - authors_layer_id(name) - 1), 0. if no_decay else base_wd


def test_get_layer_depth_is_the_authors_rule():
    model = MogaNet(arch='base')
    for name, _ in model.named_parameters():
        layer_id, num_layers = model.get_layer_depth('backbone.' + name, 'backbone.')
        assert (layer_id, num_layers) == (authors_layer_id('backbone.' + name), 14), name
    assert model.get_layer_depth('neck.fpn_convs.0.conv.weight', 'backbone.') == (13, 14)


@pytest.mark.slow
def test_cascade_b_optimizer_matches_the_authors_constructor():
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.model import revert_sync_batchnorm
    from mmengine.optim import build_optim_wrapper
    register_all_modules()
    cfg = Config.fromfile(REPO / 'configs/det/cascade_mask_rcnn_moganet_b_3x.py')
    cfg.model.backbone.init_cfg = None
    model = revert_sync_batchnorm(MODELS.build(cfg.model))
    optim = build_optim_wrapper(model, cfg.optim_wrapper).optimizer
    names = {id(p): n for n, p in model.named_parameters()}
    seen = 0
    for group in optim.param_groups:
        for param in group['params']:
            name = names[id(param)]
            lr, wd = authors_rule(name, param)
            assert group['lr'] == pytest.approx(lr, rel=1e-9), name
            assert group['weight_decay'] == pytest.approx(wd), name
            seen += 1
    assert seen == len(names) > 1000
    # the rule reaches the backbone's 1-D-after-squeeze tensors that flat_decay_mult misses
    decompose = [
        g for g in optim.param_groups if names[id(g['params'][0])].endswith('mlp.decompose.weight')
    ]
    assert decompose and all(g['weight_decay'] == 0 for g in decompose)


def test_constructor_refuses_a_model_without_layer_depths():
    from mmengine.optim import build_optim_wrapper
    with pytest.raises(TypeError, match='needs get_layer_depth'):
        build_optim_wrapper(
            torch.nn.Linear(2, 2),
            dict(
                type='OptimWrapper',
                constructor='LayerDepthDecayOptimWrapperConstructor',
                optimizer=dict(type='AdamW', lr=1e-3),
                paramwise_cfg=dict(layer_decay_rate=0.8)))
    with pytest.raises(ValueError, match='layer_decay_rate'):
        build_optim_wrapper(
            MogaNet(arch='xtiny'),
            dict(
                type='OptimWrapper',
                constructor='LayerDepthDecayOptimWrapperConstructor',
                optimizer=dict(type='AdamW', lr=1e-3),
                paramwise_cfg=dict()))


def test_importing_mmpose_leaves_the_constructor_in_place():
    """mmpose.engine force-registers its ViT-only ``LayerDecayOptimWrapperConstructor``
    in MMEngine's root registry; ours has its own name, so configs keep getting it."""
    import mmpose.engine  # noqa: F401
    from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS

    from moganet_mm.engine import LayerDepthDecayOptimWrapperConstructor
    assert OPTIM_WRAPPER_CONSTRUCTORS.get(
        'LayerDepthDecayOptimWrapperConstructor') is LayerDepthDecayOptimWrapperConstructor
