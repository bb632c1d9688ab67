"""Detection configs: every one builds, carries the original recipe, and the toy
configs keep the real architecture."""
import re
from pathlib import Path

import pytest
from mmengine.config import Config

from moganet_mm.sizes import moganet_weights

REPO = Path(__file__).resolve().parents[2]
DET = REPO / 'configs' / 'det'
CONFIGS = sorted(p for p in DET.glob('*.py') if not p.name.startswith('_'))
RELEASE = f'{moganet_weights}/moganet-in1k-weights/'

EXPECTED_NAMES = ([f'retinanet_moganet_{s}_1x' for s in ('xt', 't', 's', 'b', 'l')] +
                  [f'mask_rcnn_moganet_{s}_1x' for s in ('xt', 't', 's', 'b', 'l')] +
                  [f'mask_rcnn_moganet_{s}_3x' for s in ('t', 's', 'b', 'l')] +
                  [f'cascade_mask_rcnn_moganet_{s}_3x'
                   for s in ('s', 'b', 'l', 'xl')] + ['cascade_mask_rcnn_moganet_s_3x_plain'])

# (arch, drop_path_rate, lr, epochs, neck widths): the original repository's configs
RECIPE = {
    'retinanet_moganet_xt_1x': ('xtiny', 0.05, 1e-4, 12),
    'retinanet_moganet_t_1x': ('tiny', 0.1, 1e-4, 12),
    'retinanet_moganet_s_1x': ('small', 0.1, 1e-4, 12),
    'retinanet_moganet_b_1x': ('base', 0.2, 1e-4, 12),
    'retinanet_moganet_l_1x': ('large', 0.3, 1e-4, 12),
    'mask_rcnn_moganet_xt_1x': ('xtiny', 0.05, 2e-4, 12),
    'mask_rcnn_moganet_t_1x': ('tiny', 0.1, 2e-4, 12),
    'mask_rcnn_moganet_s_1x': ('small', 0.1, 2e-4, 12),
    'mask_rcnn_moganet_b_1x': ('base', 0.2, 1e-4, 12),
    'mask_rcnn_moganet_l_1x': ('large', 0.3, 1e-4, 12),
    'mask_rcnn_moganet_t_3x': ('tiny', 0.1, 2e-4, 36),
    'mask_rcnn_moganet_s_3x': ('small', 0.1, 2e-4, 36),
    'mask_rcnn_moganet_b_3x': ('base', 0.3, 2e-4, 36),
    'mask_rcnn_moganet_l_3x': ('large', 0.3, 2e-4, 36),
    'cascade_mask_rcnn_moganet_s_3x': ('small', 0.1, 2e-4, 36),
    'cascade_mask_rcnn_moganet_s_3x_plain': ('small', 0.1, 2e-4, 36),
    'cascade_mask_rcnn_moganet_b_3x': ('base', 0.2, 1e-4, 36),
    'cascade_mask_rcnn_moganet_l_3x': ('large', 0.3, 1e-4, 36),
    'cascade_mask_rcnn_moganet_xl_3x': ('xlarge', 0.3, 1e-4, 36),
}
WIDTHS = {
    'xtiny': [32, 64, 96, 192],
    'tiny': [32, 64, 128, 256],
    'small': [64, 128, 320, 512],
    'base': [64, 160, 320, 512],
    'large': [64, 160, 320, 640],
    'xlarge': [96, 192, 480, 960]
}


def test_exactly_the_issue_configs():
    assert sorted(p.stem for p in CONFIGS) == sorted(EXPECTED_NAMES)


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_recipe(path):
    cfg = Config.fromfile(path)
    arch, dpr, lr, epochs = RECIPE[path.stem]
    assert cfg.custom_imports == dict(imports=['moganet_mm'], allow_failed_imports=False)
    bb = cfg.model.backbone
    assert (bb.type, bb.arch, bb.drop_path_rate) == ('MogaNet', arch, dpr)
    assert bb.init_cfg.type == 'Pretrained' and bb.init_cfg.checkpoint.startswith(RELEASE)
    assert cfg.model.neck.in_channels == WIDTHS[arch]
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.weight_decay) == ('AdamW', lr, 0.05)
    assert cfg.optim_wrapper.type == 'OptimWrapper'  # fp32, as the original
    assert cfg.train_cfg.max_epochs == epochs
    milestones = [s for s in cfg.param_scheduler if s.type == 'MultiStepLR'][0].milestones
    assert milestones == ([8, 11] if epochs == 12 else [27, 33])
    warmup = [s for s in cfg.param_scheduler if s.type == 'LinearLR'][0]
    # the GIoU cascades warm up over 1000 iterations, the rest (plain cascade included)
    # over mmdet 2's 500
    giou = path.stem.startswith('cascade') and not path.stem.endswith('plain')
    assert warmup.end == (1000 if giou else 500)
    assert cfg.train_dataloader.batch_size == 2
    assert cfg.auto_scale_lr == dict(enable=False, base_batch_size=16)
    if path.stem.startswith('retinanet'):
        assert (cfg.model.neck.start_level, cfg.model.neck.add_extra_convs) == (1, 'on_input')
    if '_3x' in path.stem:  # multi-scale training up to 800 short side
        text = str(cfg.train_dataloader.dataset.pipeline)
        assert 'RandomChoiceResize' in text and '(800, 1333)' in text


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_builds(path):
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    assert type(model.backbone).__name__ == 'MogaNet'
    assert model.backbone.embed_dims == WIDTHS[cfg.model.backbone.arch]
    if path.stem.endswith('plain'):  # mmdet's standard cascade heads, as the original
        heads = model.roi_head.bbox_head
        assert [type(h).__name__ for h in heads] == ['Shared2FCBBoxHead'] * 3
        assert all(type(h.loss_bbox).__name__ == 'SmoothL1Loss' for h in heads)
        assert [tuple(h.bbox_coder.stds) for h in heads] == [(0.1, 0.1, 0.2, 0.2),
                                                             (0.05, 0.05, 0.1, 0.1),
                                                             (0.033, 0.033, 0.067, 0.067)]
    elif 'cascade' in path.stem:
        heads = model.roi_head.bbox_head
        assert len(heads) == 3 and all(h.num_shared_convs == 4 and h.num_shared_fcs == 1
                                       for h in heads)
        assert all(type(h.loss_bbox).__name__ == 'GIoULoss' for h in heads)


def _param_groups(cfg_path, overrides=None):
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.optim import build_optim_wrapper
    register_all_modules()
    cfg = Config.fromfile(cfg_path)
    model = MODELS.build(cfg.model)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    names = {id(p): n for n, p in model.named_parameters()}
    return {names[id(p)]: g for g in wrapper.optimizer.param_groups for p in g['params']}


def test_no_decay_on_layer_scales_sigmas_norms():
    groups = _param_groups(DET / 'mask_rcnn_moganet_s_1x.py')
    for name in ('backbone.blocks1.0.layer_scale_1', 'backbone.blocks3.4.mlp.sigma.scale',
                 'backbone.blocks2.1.norm1.weight', 'backbone.norm4.bias'):
        assert groups[name]['weight_decay'] == 0, name
    assert groups['backbone.blocks2.1.attn.proj_1.weight']['weight_decay'] == 0.05
    assert groups['neck.fpn_convs.0.conv.weight']['weight_decay'] == 0.05


def test_cascade_layerwise_lr_decay_matches_original():
    """The original's LearningRateDecayOptimizerConstructorMogaNet, decay 0.8, 12 layers."""
    groups = _param_groups(DET / 'cascade_mask_rcnn_moganet_b_3x.py')

    def layer_id(name):  # get_num_layer_layer_wise of the original repository
        m = re.match(r'backbone\.(patch_embed|blocks)(\d)(?:\.(\d+))?', name)
        if not m:
            return 13
        kind, stage, block = m.group(1), int(m.group(2)), int(m.group(3) or 0)
        if kind == 'patch_embed':
            return {1: 0, 2: 3, 3: 4, 4: 12}[stage]
        return {1: 2, 2: 3, 3: min(3 + block // 2, 11), 4: 12}[stage]

    for name, group in groups.items():
        assert group['lr'] == pytest.approx(1e-4 * 0.8**(13 - layer_id(name))), name


TOY = {
    'mask_rcnn_moganet_xt_1x_toy': 'mask_rcnn_moganet_xt_1x',
    'retinanet_moganet_xt_1x_toy': 'retinanet_moganet_xt_1x',
    'cascade_mask_rcnn_moganet_s_3x_toy': 'cascade_mask_rcnn_moganet_s_3x'
}


@pytest.mark.parametrize('toy', sorted(TOY))
def test_toy_keeps_the_architecture(toy):
    """Same modules and parameter shapes as the real config, but for the 3 classes."""
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    register_all_modules()
    toy_cfg = Config.fromfile(DET / 'toy' / f'{toy}.py')
    real_cfg = Config.fromfile(DET / f'{TOY[toy]}.py')
    assert toy_cfg.model.backbone.init_cfg is None
    assert toy_cfg.optim_wrapper.paramwise_cfg == real_cfg.optim_wrapper.paramwise_cfg
    toy_sd = MODELS.build(toy_cfg.model).state_dict()
    real_sd = MODELS.build(real_cfg.model).state_dict()
    assert toy_sd.keys() == real_sd.keys()
    classifier = re.compile(r'(fc_cls|fc_reg|conv_logits|retina_cls)\.')
    for key, value in real_sd.items():
        if not classifier.search(key):
            assert toy_sd[key].shape == value.shape, key
    if 'retinanet' in toy:
        assert toy_sd['bbox_head.retina_cls.weight'].shape[0] == 9 * 3  # 9 anchors x 3
    else:
        logits = [v for k, v in toy_sd.items() if k.endswith('conv_logits.weight')]
        assert logits and all(v.shape[0] == 3 for v in logits)
