"""Segmentation configs: every one builds with the recipe, widths and no-decay keys it
claims, and the model-zoo counts of a few match the paper's ADE20K rows."""
from pathlib import Path

import pytest
from mmengine.config import Config

from moganet_mm.sizes import moganet_sizes, moganet_weights

import model_zoo
from zoo_tasks import seg as zoo_seg

REPO = Path(__file__).resolve().parents[2]

SEG = REPO / 'configs/seg'
CONFIGS = sorted(p.stem for p in SEG.glob('[!_]*.py'))
WIDTHS = {
    'xt': [32, 64, 96, 192],
    't': [32, 64, 128, 256],
    's': [64, 128, 320, 512],
    'b': [64, 160, 320, 512],
    'l': [64, 160, 320, 640],
    'xl': [96, 192, 480, 960]
}
DROP_PATH = {size: row['drop_path_rate'] for size, row in moganet_sizes.items()}


def test_eleven_configs_one_per_paper_row():
    assert len(CONFIGS) == 11, CONFIGS
    rows = {(zoo_seg.paper(c)['csv'], zoo_seg.paper(c)['params']) for c in CONFIGS}
    assert len(rows) == 11  # every paper row is reproduced by exactly one config


def test_paper_lookup_and_bad_names():
    assert zoo_seg.paper('upernet_moganet_xl_160k_ade20k_640')['input'] == (640, 2560)
    assert zoo_seg.paper('fpn_moganet_s_80k_ade20k') == dict(
        csv='ade20k_semantic_fpn_80k.csv', params='29.1', flops='189.7', input=(512, 2048))
    with pytest.raises(ValueError, match='fpn|upernet'):
        zoo_seg.paper('pspnet_moganet_s_80k_ade20k')


@pytest.mark.parametrize('name', CONFIGS)
def test_config_builds_with_recipe(name):
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules

    import moganet_mm  # noqa: F401
    register_all_modules()
    cfg = Config.fromfile(SEG / f'{name}.py')
    size = name.split('_')[2]
    b = cfg.model.backbone
    assert cfg.custom_imports.imports == ['moganet_mm']
    assert b.type == 'MogaNet' and b.drop_path_rate == DROP_PATH[size]
    assert b.init_cfg.type == 'Pretrained'
    assert b.init_cfg.checkpoint.startswith(f'{moganet_weights}/moganet-in1k-weights/')
    opt = cfg.optim_wrapper.optimizer
    if name.startswith('fpn'):
        assert cfg.model.neck.in_channels == WIDTHS[size]
        assert (opt.type, opt.lr, opt.weight_decay) == ('AdamW', 2e-4, 1e-4)
        assert cfg.train_dataloader.batch_size == 4 and cfg.train_cfg.max_iters == 80000
        assert [s.power for s in cfg.param_scheduler] == [0.9]
    else:
        assert cfg.model.decode_head.in_channels == WIDTHS[size]
        assert cfg.model.auxiliary_head.in_channels == WIDTHS[size][2]  # stage 3
        assert cfg.model.auxiliary_head.in_index == 2
        assert (opt.type, opt.lr, opt.weight_decay) == ('AdamW', 1e-4, 0.01)
        assert cfg.train_dataloader.batch_size == 2 and cfg.train_cfg.max_iters == 160000
        warm, poly = cfg.param_scheduler
        assert (warm.type, warm.end, poly.begin, poly.power) == ('LinearLR', 1500, 1500, 1.0)
    crop = 640 if name.endswith('_640') else 512
    assert cfg.model.data_preprocessor.size == (crop, crop)
    assert cfg.train_dataloader.dataset.pipeline[3].crop_size == (crop, crop)
    # plain BN in the backbone (the original's MogaNet swallowed its SyncBN arguments),
    # SyncBN in the heads
    assert b.norm_cfg == dict(type='BN')
    assert cfg.model.decode_head.norm_cfg.type == 'SyncBN'
    # the original's AlignResize: resize, then stretch up to a multiple of 32
    for loader in (cfg.val_dataloader, cfg.test_dataloader):
        resize, align = loader.dataset.pipeline[1:3]
        assert resize == dict(type='Resize', scale=(4 * crop, crop), keep_ratio=True)
        assert align == dict(type='ResizeToMultiple', size_divisor=32)
    model = MODELS.build(cfg.model)  # no weights are loaded: init_weights is not called
    assert model.backbone.embed_dims == WIDTHS[size]


def test_upernet_no_decay_for_layer_scales_sigmas_norms():
    """The original's custom keys hit layer_scale_*, sigma.scale and norm* parameters."""
    from mmengine.model import revert_sync_batchnorm
    from mmengine.optim import build_optim_wrapper
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules

    import moganet_mm  # noqa: F401
    register_all_modules()
    cfg = Config.fromfile(SEG / 'upernet_moganet_xt_160k_ade20k.py')
    model = revert_sync_batchnorm(MODELS.build(cfg.model))
    optim = build_optim_wrapper(model, cfg.optim_wrapper).optimizer
    decay = {id(p): g['weight_decay'] for g in optim.param_groups for p in g['params']}
    names = dict(model.named_parameters())
    no_decay = [n for n, p in names.items() if decay[id(p)] == 0]
    assert any('layer_scale_1' in n for n in no_decay)
    assert any('sigma.scale' in n for n in no_decay)
    assert 'backbone.norm3.weight' in no_decay and 'backbone.blocks2.0.norm1.bias' in no_decay
    assert decay[id(names['backbone.blocks2.0.attn.proj_1.weight'])] == 0.01
    assert decay[id(names['decode_head.conv_seg.weight'])] == 0.01


@pytest.mark.slow  # counts whole segmentors at 2048x512: 1-2 minutes on 2 cores
@pytest.mark.parametrize('name', ['fpn_moganet_s_80k_ade20k', 'upernet_moganet_xt_160k_ade20k'])
def test_model_zoo_rows_within_tolerance(name):
    row = model_zoo.count(str(SEG / f'{name}.py'))
    assert row['ok'], row  # 1% params / 2% FLOPs, or half the paper's last digit
    assert row['input'] == '512x2048'


def test_test_pipeline_aligns_like_the_original(tmp_path):
    """The test pipeline gives what the original's AlignResize gave: a 300x417 image
    resized to (512, 712) by the keep-ratio scale (2048, 512), then stretched to
    (512, 736), the next multiples of 32; the label map stays at full size."""
    import cv2
    import numpy as np
    from mmengine.dataset import Compose
    from mmseg.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(SEG / 'upernet_moganet_xt_160k_ade20k.py')
    img, seg = tmp_path / 'img.jpg', tmp_path / 'seg.png'
    cv2.imwrite(str(img), np.full((300, 417, 3), 128, np.uint8))
    cv2.imwrite(str(seg), np.ones((300, 417), np.uint8))
    out = Compose(cfg.test_dataloader.dataset.pipeline)(
        dict(img_path=str(img), seg_map_path=str(seg), reduce_zero_label=True, seg_fields=[]))
    sample = out['data_samples']
    assert tuple(out['inputs'].shape) == (3, 512, 736)
    assert sample.img_shape == (512, 736) and sample.ori_shape == (300, 417)
    assert tuple(sample.gt_sem_seg.data.shape) == (1, 300, 417)
