"""configs/cls: every config builds, carries the original recipe, and the
model-zoo rows match the paper."""
import csv

import pytest
from mmengine.config import Config

from moganet_mm.releases import SIZE_NAMES
from moganet_mm.sizes import moganet_weights

from conftest import PAPER_TABLES, REPO

CONFIGS = sorted((REPO / 'configs' / 'cls').glob('moganet_*.py'))
TOY = REPO / 'configs' / 'cls' / 'toy' / 'moganet_xt_in1k_toy.py'
WIDTH = {'xtiny': 192, 'tiny': 256, 'small': 512, 'base': 512, 'large': 640, 'xlarge': 960}
ARCH = SIZE_NAMES


def recipe():
    """imagenet_recipe.csv as {size: {setting: value}}."""
    with open(PAPER_TABLES / 'imagenet_recipe.csv', newline='') as f:
        rows = list(csv.reader(f))
    sizes = rows[0][1:]
    return {s: {r[0]: r[1 + i] for r in rows[1:]} for i, s in enumerate(sizes)}


def test_eight_configs():
    names = {p.stem for p in CONFIGS}
    assert names == {f'moganet_{s}_in1k'
                     for s in ARCH} | {'moganet_xt_in1k_256', 'moganet_t_in1k_256'}


@pytest.mark.parametrize('path', CONFIGS + [TOY], ids=lambda p: p.stem)
def test_config_builds(path):
    from mmpretrain.registry import MODELS
    cfg = Config.fromfile(str(path))
    assert cfg.custom_imports == dict(imports=['moganet_mm'], allow_failed_imports=False)
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'ImageClassifier'
    assert model.backbone.out_indices == (3, )
    assert type(model.neck).__name__ == 'GlobalAveragePooling'
    arch = cfg.model.backbone.arch
    assert model.head.fc.in_features == WIDTH[arch]
    if path != TOY:
        assert cfg.model.backbone.init_cfg.checkpoint.startswith(
            f'{moganet_weights}/moganet-in1k-weights/')
    assert model.head.fc.out_features == cfg.model.head.num_classes


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_recipe_matches_paper(path):
    """Per-size settings of imagenet_recipe.csv, as the configs state them."""
    cfg = Config.fromfile(str(path))
    size = path.stem.split('_')[1]
    r = recipe()[size]
    assert cfg.model.backbone.arch == ARCH[size]
    assert cfg.model.backbone.drop_path_rate == float(r['drop_path'])
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.weight_decay) == ('AdamW', float(r['lr']),
                                                    float(r['weight_decay']))
    assert 'custom_keys' not in cfg.optim_wrapper.paramwise_cfg
    assert cfg.optim_wrapper.paramwise_cfg.norm_decay_mult == 0
    mixup, cutmix = cfg.model.train_cfg.augments
    assert (mixup.type, mixup.alpha) == ('Mixup', float(r['mixup_alpha']))
    assert (cutmix.type, cutmix.alpha) == ('CutMix', float(r['cutmix_alpha']))
    assert cfg.model.head.loss.label_smooth_val == float(r['label_smoothing'])
    pipeline = {t.type: t for t in cfg.train_dataloader.dataset.pipeline}
    magnitude, std = r['rand_augment'].split('/')
    assert pipeline['RandAugment'].magnitude_level == int(magnitude)
    assert pipeline['RandAugment'].magnitude_std == float(std)
    assert pipeline['RandomErasing'].erase_prob == float(r['erasing_prob'])
    res = 256 if path.stem.endswith('_256') else int(r['input'])
    assert pipeline['RandomResizedCrop'].scale == res
    test = {t.type: t for t in cfg.test_dataloader.dataset.pipeline}
    assert test['ResizeEdge'].scale == int(res / float(r['test_crop_ratio']))
    assert test['CenterCrop'].crop_size == res
    warmup, cosine = cfg.param_scheduler
    assert warmup.type == 'LinearLR' and warmup.end == int(r['warmup_epochs'])
    assert cosine.type == 'CosineAnnealingLR' and cosine.end == int(r['epochs'])
    has_ema = any(h.type == 'EMAHook' for h in cfg.get('custom_hooks', []))
    assert has_ema == (r['ema'] == 'yes')


def test_weight_decay_is_timms_filter_bias_and_bn():
    """Every tensor's weight decay is what timm's ``create_optimizer_v2`` gave it in
    the original train.py: 0 for 1-D parameters and biases, the recipe's (0.03 for XT)
    for the rest, the (1, C, 1, 1) layer scales and sigmas included."""
    from mmengine.optim import build_optim_wrapper
    from mmpretrain.registry import MODELS
    cfg = Config.fromfile(str(REPO / 'configs' / 'cls' / 'moganet_xt_in1k.py'))
    model = MODELS.build(cfg.model)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    names = {id(p): n for n, p in model.named_parameters()}
    decay = {
        names[id(p)]: g['weight_decay']
        for g in wrapper.optimizer.param_groups
        for p in g['params']
    }
    assert set(decay) == set(names.values())
    wd = cfg.optim_wrapper.optimizer.weight_decay
    assert wd == 0.03
    for name, p in model.named_parameters():
        timm = 0. if p.ndim <= 1 or name.endswith('.bias') else wd
        assert decay[name] == timm, (name, tuple(p.shape), decay[name])
    assert decay['backbone.blocks1.0.layer_scale_1'] == wd
    assert decay['backbone.blocks1.0.attn.sigma.scale'] == wd


@pytest.mark.parametrize('stem', ['moganet_xt_in1k', 'moganet_t_in1k_256'])
def test_model_zoo_rows(stem):
    import model_zoo
    row = model_zoo.count(str(REPO / 'configs' / 'cls' / f'{stem}.py'))
    assert row['ok'], row
    assert abs(row['params_diff']) <= 0.01 and abs(row['flops_diff']) <= 0.02
