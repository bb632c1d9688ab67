"""``mim train`` / ``mim test`` of a real detection config from the repo root, and an
original-format detection checkpoint converted by tools/model_converters/.

``mim test`` loading the checkpoint that ``mim train`` wrote proves that mmengine's
own checkpoints load under torch's ``weights_only`` default, through the configs'
``custom_imports`` of ``moganet_mm`` (no environment variable).
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from tools.data.make_toy_coco import CLASSES, make

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow
VENV_BIN = Path(sys.executable).parent


def toy_overrides(root, work_dir):
    """--cfg-options that point mask_rcnn_moganet_s_1x.py at the toy set, 256x256."""
    classes = '(' + ','.join(f"'{c}'" for c in CLASSES) + ')'
    opts = [
        'model.backbone.init_cfg=None',
        'model.roi_head.bbox_head.num_classes=3',
        'model.roi_head.mask_head.num_classes=3',
        'model.train_cfg.rcnn.sampler.num=64',
        'train_cfg.max_epochs=1',
        'train_cfg.val_interval=1',
        f'work_dir={work_dir}',
        'default_hooks.checkpoint.save_best=None',
    ]
    for loader, split, resize_idx in (('train_dataloader', 'train', 2),
                                      ('val_dataloader', 'val', 1), ('test_dataloader', 'val', 1)):
        opts += [
            f'{loader}.dataset.data_root={root}/',
            f'{loader}.dataset.ann_file=annotations/instances_{split}.json',
            f'{loader}.dataset.data_prefix.img={split}/',
            f'{loader}.dataset.metainfo.classes={classes}',
            f'{loader}.dataset.pipeline.{resize_idx}.scale=(256,256)', f'{loader}.num_workers=0',
            f'{loader}.persistent_workers=False'
        ]
    for evaluator in ('val_evaluator', 'test_evaluator'):
        opts.append(f'{evaluator}.ann_file={root}/annotations/instances_val.json')
    return opts


def mim(*args):
    env = dict(
        os.environ,
        PATH=f'{VENV_BIN}{os.pathsep}{os.environ.get("PATH", "")}',
        CUDA_VISIBLE_DEVICES='')
    env.pop('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', None)
    env.pop('TORCH_FORCE_WEIGHTS_ONLY_LOAD', None)
    return subprocess.run([str(VENV_BIN / 'mim'), *args],
                          cwd=REPO,
                          env=env,
                          capture_output=True,
                          text=True)


def test_mim_train_then_mim_test(tmp_path):
    root = tmp_path / 'data'
    make(str(root), train=4, val=4, size=256, seed=2)
    work = tmp_path / 'work'
    config = 'configs/det/mask_rcnn_moganet_s_1x.py'
    out = mim('train', 'mmdet', config, '--gpus', '0', '--launcher', 'none', '--cfg-options',
              *toy_overrides(root, work))
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    ckpt = work / 'epoch_1.pth'
    assert ckpt.is_file(), sorted(p.name for p in work.iterdir())
    out = mim('test', 'mmdet', config, '--checkpoint', str(ckpt), '--gpus', '0', '--launcher',
              'none', '--cfg-options', *toy_overrides(root, tmp_path / 'test'))
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-3000:]
    assert 'coco/bbox_mAP' in log and 'coco/segm_mAP' in log
    assert 'Weights only load failed' not in log


def test_original_detection_checkpoint_converts_and_loads(tmp_path):
    """A whole original Mask R-CNN checkpoint (backbone keys in the original names,
    wrapped as the original's mmcv runner saved it) -> converter -> backbone init."""
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(REPO / 'configs/det/mask_rcnn_moganet_xt_1x.py')
    cfg.model.backbone.init_cfg = None
    torch.manual_seed(0)
    original = MODELS.build(cfg.model).state_dict()
    original = {
        k: v + torch.randn_like(v) if v.is_floating_point() else v
        for k, v in original.items()
    }
    for i, wrapped in enumerate([{
            'meta': {
                'epoch': 12
            },
            'state_dict': original
    }, {
            'model': {
                f'module.{k}': v
                for k, v in original.items()
            }
    }]):
        src, dst = tmp_path / f'orig{i}.pth', tmp_path / f'converted{i}.pth'
        torch.save(wrapped, src)
        out = subprocess.run([
            sys.executable,
            str(REPO / 'tools/model_converters/moganet_to_mm.py'),
            str(src),
            str(dst)
        ],
                             cwd=REPO,
                             capture_output=True,
                             text=True)
        assert out.returncode == 0, out.stderr[-2000:]
        cfg.model.backbone.init_cfg = dict(type='Pretrained', checkpoint=str(dst))
        model = MODELS.build(cfg.model)
        model.init_weights()
        backbone = model.backbone.state_dict()
        expected = {
            k[len('backbone.'):]: v
            for k, v in original.items() if k.startswith('backbone.')
        }
        assert backbone.keys() == expected.keys()  # no missing, no unexpected keys
        for k, v in expected.items():
            assert torch.equal(backbone[k], v), k
