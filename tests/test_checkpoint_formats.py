"""Every format the authors released loads whole, the way ``mim test`` loads it.

``mim test <codebase> CONFIG --checkpoint FILE`` runs the codebase's
``tools/test.py``: ``cfg.load_from = FILE``, ``Runner.from_cfg(cfg)``, and
``runner.test()`` calls ``runner.load_or_resume()`` before its loop. These tests
do exactly that (no dataset needed for the load) on files built in the layouts
of ``release_layouts.py`` and check that

- the file is read with ``torch.load(weights_only=True)``;
- every tensor of the file lands in the model, and every tensor of the model
  comes from the file (no missing, no unexpected key), with its value.

The whole detectors, segmentors and pose models load with no conversion step; the
timm ImageNet classifier needs one command (``moganet_to_mmpretrain.py``) because
mmpretrain's ``ImageClassifier`` keys the same tensors ``backbone.*`` and ``head.fc.*``.
"""
import subprocess
import sys
from collections import OrderedDict

import pytest
import torch
from mmengine.config import Config

from tools.paths import REPO

from release_layouts import mmcv1_meta, timm_release, whole_model_release

# whole models built and loaded through the Runner: 5-25 s each on 2 cores
pytestmark = pytest.mark.slow

COCO_CLASSES = ('person', 'bicycle', 'car')  # the meta's CLASSES are only carried along


def runner_for(config, load_from, work_dir):
    """The Runner ``mim test`` builds for ``config --checkpoint load_from``."""
    from mmengine.runner import Runner
    cfg = Config.fromfile(REPO / config)
    cfg.load_from = str(load_from)
    cfg.work_dir = str(work_dir)
    cfg.launcher = 'none'
    cfg.model.backbone.init_cfg = None  # test time: weights come from load_from only
    return Runner.from_cfg(cfg)


@pytest.fixture
def load_calls(monkeypatch):
    """Records the ``weights_only`` argument of every ``torch.load``."""
    calls = []
    real_load = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs.get('weights_only'))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, 'load', spy)
    return calls


def load_like_mim_test(config, ckpt, tmp_path):
    runner = runner_for(config, ckpt, tmp_path / 'work')
    runner.load_or_resume()
    return runner.model


def assert_loaded_whole(model, expected):
    """``model`` holds exactly the tensors of ``expected`` (key -> tensor)."""
    state = model.state_dict()
    missing = sorted(set(state) - set(expected))
    unexpected = sorted(set(expected) - set(state))
    assert not missing and not unexpected, (missing[:5], unexpected[:5])
    for k, v in expected.items():
        assert torch.equal(state[k].to(v.dtype), v), k


def save(obj, path):
    torch.save(obj, path)
    return path


def model_state(config, codebase):
    """The 1.x/2.x model's state dict (to take the head keys and shapes from)."""
    import importlib
    importlib.import_module(f'{codebase}.utils').register_all_modules()
    registry = importlib.import_module(f'{codebase}.registry').MODELS
    cfg = Config.fromfile(REPO / config)
    cfg.model.backbone.init_cfg = None
    return registry.build(cfg.model).state_dict()


# ------------------------------------------------------------------ timm ImageNet
def test_timm_release_reads_as_data_and_converts_in_one_command(tmp_path, load_calls):
    """``moganet_xtiny_sz224_8xbs128_ep300.pth.tar`` -> moganet_to_mmpretrain.py ->
    ``mim test mmpretrain configs/cls/moganet_xt_in1k.py --checkpoint <out>``."""
    from moganet_mm.checkpoint import load_checkpoint_file
    release = timm_release('xtiny')
    src = save(release, tmp_path / 'moganet_xtiny_sz224_8xbs128_ep300.pth.tar')
    loaded = load_checkpoint_file(str(src))  # args Namespace, amp_scaler, EMA: all plain data
    assert loaded['args'].model == 'moganet_xtiny' and load_calls == [True]
    dst = tmp_path / 'moganet_xt_in1k_mmpretrain.pth'
    out = subprocess.run(
        [sys.executable, 'tools/model_converters/moganet_to_mmpretrain.py',
         str(src),
         str(dst)],
        cwd=REPO,
        capture_output=True,
        text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    model = load_like_mim_test('configs/cls/moganet_xt_in1k.py', dst, tmp_path)
    expected = OrderedDict(({
        'head.weight': 'head.fc.weight',
        'head.bias': 'head.fc.bias'
    }.get(k, f'backbone.{k}'), v) for k, v in release['state_dict'].items())
    assert_loaded_whole(model, expected)


def test_timm_release_backbone_init_needs_no_conversion(tmp_path):
    """Downstream configs take the .pth.tar itself as the backbone's init_cfg."""
    from mmengine.registry import MODELS
    release = timm_release('xtiny', seed=3)
    src = save(release, tmp_path / 'moganet_xtiny_sz224_8xbs128_ep300.pth.tar')
    backbone = MODELS.build(
        dict(type='MogaNet', arch='xtiny', init_cfg=dict(type='Pretrained', checkpoint=str(src))))
    backbone.init_weights()
    expected = {k: v for k, v in release['state_dict'].items() if not k.startswith('head.')}
    assert_loaded_whole(backbone, expected)


# ------------------------------------------------------------------ whole task models
DET = [('configs/det/retinanet_moganet_xt_1x.py', 'xtiny', 'retinanet_moganet_xtiny_fpn_1x_coco'),
       ('configs/det/mask_rcnn_moganet_xt_1x.py', 'xtiny', 'mask_rcnn_moganet_xtiny_fpn_1x_coco'),
       ('configs/det/cascade_mask_rcnn_moganet_s_3x.py', 'small',
        'cascade_mask_rcnn_moganet_s_fpn_giou_4conv1f_ms_3x_coco')]
SEG = [('configs/seg/fpn_moganet_xt_80k_ade20k.py', 'xtiny', 'fpn_moganet_xtiny_80k_ade20k'),
       ('configs/seg/upernet_moganet_xt_160k_ade20k.py', 'xtiny',
        'upernet_moganet_xtiny_512x512_160k_ade20k')]


@pytest.mark.parametrize('config,arch,original', DET, ids=[d[2] for d in DET])
def test_mmdet2_detector_loads_whole(config, arch, original, tmp_path, load_calls):
    meta = mmcv1_meta(
        'mmdet',
        '2.26.0+5b6ab5e',
        f'# {original}.py\nmodel = dict(...)',
        COCO_CLASSES,
        epoch=12,
        iters=87948,
        best=0.407)
    release = whole_model_release(model_state(config, 'mmdet'), arch, meta)
    ckpt = save(release, tmp_path / f'{original}.pth')
    model = load_like_mim_test(config, ckpt, tmp_path)
    assert load_calls and all(w is True for w in load_calls)
    assert_loaded_whole(model, release['state_dict'])


@pytest.mark.parametrize('config,arch,original', SEG, ids=[s[2] for s in SEG])
def test_mmseg0_segmentor_loads_whole(config, arch, original, tmp_path, load_calls):
    meta = mmcv1_meta(
        'mmseg',
        '0.29.1+3b1e8e4',
        f'# {original}.py\nmodel = dict(...)', [f'class{i}' for i in range(150)],
        epoch=None,
        iters=80000,
        palette=[[120, 120, 120]] * 150,
        best=0.403)
    release = whole_model_release(model_state(config, 'mmseg'), arch, meta)
    ckpt = save(release, tmp_path / f'{original}.pth')
    model = load_like_mim_test(config, ckpt, tmp_path)
    assert load_calls and all(w is True for w in load_calls)
    assert_loaded_whole(model, release['state_dict'])


def test_mmpose0_topdown_loads_whole(tmp_path, load_calls):
    """mmpose 0.x keys its head ``keypoint_head.*`` and writes no version metadata;
    mmpose 1.x's ``BasePoseEstimator`` load hook renames it to ``head.*``."""
    config = 'configs/pose/topdown_moganet_xt_coco_256x192.py'
    meta = mmcv1_meta(
        'mmpose',
        None,
        '# moganet_xt_coco_256x192.py\nmodel = dict(...)',
        None,
        epoch=210,
        iters=0,
        best=0.721)
    release = whole_model_release(
        model_state(config, 'mmpose'), 'xtiny', meta, rename={'head.': 'keypoint_head.'})
    assert any(k.startswith('keypoint_head.final_layer.') for k in release['state_dict'])
    assert not hasattr(release['state_dict'], '_metadata')
    ckpt = save(release, tmp_path / 'moganet_xt_coco_256x192.pth')
    model = load_like_mim_test(config, ckpt, tmp_path)
    assert load_calls and all(w is True for w in load_calls)
    expected = OrderedDict(
        (('head.' + k[len('keypoint_head.'):]) if k.startswith('keypoint_head.') else k, v)
        for k, v in release['state_dict'].items())
    assert_loaded_whole(model, expected)
