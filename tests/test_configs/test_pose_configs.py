"""The pose configs: they build, follow the original recipe, and count like the paper."""

import pytest
import torch
from mmengine.config import Config

from moganet_mm.sizes import moganet_weights

import model_zoo
from conftest import REPO

CONFIGS = sorted(p for p in (REPO / 'configs/pose').glob('topdown_moganet_*.py'))
TOY = REPO / 'configs/pose/toy/topdown_moganet_xt_coco_256x192_toy.py'
# the original moganet_<size>_coco_<res>.py: arch, head in_channels, drop_path_rate
ORIGINAL = {
    'xt': ('xtiny', 192, {
        '256x192': 0.1,
        '384x288': 0.1
    }),
    't': ('tiny', 256, {
        '256x192': 0.15,
        '384x288': 0.15
    }),
    's': ('small', 512, {
        '256x192': 0.2,
        '384x288': 0.2
    }),
    'b': ('base', 512, {
        '256x192': 0.3,
        '384x288': 0.4
    }),
}
RELEASE = f'{moganet_weights}/moganet-in1k-weights/'


def test_all_eight_configs_exist():
    assert [p.stem for p in CONFIGS] == sorted(f'topdown_moganet_{s}_coco_{r}' for s in ORIGINAL
                                               for r in ('256x192', '384x288'))


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_config_follows_original_recipe(path):
    cfg = Config.fromfile(str(path))
    size, res = path.stem.split('_')[2], path.stem.split('_')[-1]
    arch, in_ch, dprs = ORIGINAL[size]
    dpr = dprs[res]
    h, w = map(int, res.split('x'))
    bb, head = cfg.model.backbone, cfg.model.head
    assert cfg.custom_imports.imports == ['moganet_mm']
    assert (cfg.model.type, bb.type, head.type) == ('TopdownPoseEstimator', 'MogaNet',
                                                    'HeatmapHead')
    assert bb.arch == arch and bb.out_indices == (3, ) and bb.drop_path_rate == dpr
    # plain BN: the original's MogaNet swallowed stem_norm_cfg / conv_norm_cfg=SyncBN
    assert bb.norm_cfg == dict(type='BN')
    assert bb.init_cfg == dict(
        type='Pretrained', checkpoint=f'{RELEASE}moganet_{arch}'
        '_sz224_8xbs128_ep300.pth.tar')
    assert head.in_channels == in_ch and head.out_channels == 17
    assert head.decoder == dict(
        type='MSRAHeatmap', input_size=(w, h), heatmap_size=(w // 4, h // 4), sigma=2)
    encoders = [
        t.encoder for t in cfg.train_dataloader.dataset.pipeline if t.type == 'GenerateTarget'
    ]
    assert encoders == [head.decoder]
    assert cfg.model.test_cfg.flip_test is True
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr) == ('Adam', 1e-3) and 'weight_decay' not in opt
    # fp16 with a dynamic loss scale for S 384x288 only, as the original
    fp16 = (size, res) == ('s', '384x288')
    assert cfg.optim_wrapper.get('type',
                                 'OptimWrapper') == ('AmpOptimWrapper' if fp16 else 'OptimWrapper')
    assert cfg.optim_wrapper.get('loss_scale') == ('dynamic' if fp16 else None)
    assert cfg.train_dataloader.batch_size == 32 and cfg.auto_scale_lr.base_batch_size == 256
    assert cfg.train_cfg.max_epochs == 210
    warmup, steps = cfg.param_scheduler
    assert (warmup.type, warmup.end, warmup.start_factor) == ('LinearLR', 500, 0.001)
    assert steps.type == 'MultiStepLR' and steps.milestones == [170, 200]
    assert cfg.val_evaluator.type == 'CocoMetric'


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_config_builds_and_predicts_heatmaps(path):
    from mmpose.registry import MODELS
    from mmpose.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(str(path))
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        heatmaps = model(torch.zeros(1, 3, 128, 96), None)  # 'tensor' mode
    assert heatmaps.shape == (1, 17, 32, 24)  # 1/4 of the crop


def test_toy_config_keeps_the_architecture():
    real = Config.fromfile(str(REPO / 'configs/pose/topdown_moganet_xt_coco_256x192.py'))
    toy = Config.fromfile(str(TOY))
    assert toy.model.backbone.init_cfg is None
    real.model.backbone.init_cfg = None
    assert toy.model.to_dict() == real.model.to_dict()
    assert toy.val_dataloader.dataset.bbox_file is None  # ground-truth boxes


@pytest.mark.parametrize('stem',
                         ['topdown_moganet_xt_coco_256x192', 'topdown_moganet_t_coco_256x192'])
def test_model_zoo_row_within_tolerance(stem):
    row = model_zoo.count(str(REPO / 'configs/pose' / f'{stem}.py'))
    assert row['ok'], row
    assert abs(
        row['params_diff']) <= 0.01 or abs(row['params_M'] - float(row['paper_params_M'])) <= 0.5
    assert row['paper_table'] == 'coco_pose_topdown.csv'


def test_zoo_rejects_unknown_config_name():
    from zoo_tasks import pose
    with pytest.raises(ValueError, match='topdown_moganet_<xt|t|s|b>'):
        pose.paper('topdown_moganet_xl_coco_256x192')
