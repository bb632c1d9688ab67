"""``mim train`` runs configs written by tools/swap_backbone.py as they are: one
codebase config per codebase, swapped to MogaNet-XT (no weights), trained for a
few iterations on the project's toy data through ``--cfg-options`` and validated."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools.data import make_toy_ade20k, make_toy_coco, make_toy_coco_keypoints
from tools.data import make_toy_imagenet
from tools.paths import REPO
from tools.swap import swap_backbone

pytestmark = pytest.mark.slow
VENV_BIN = Path(sys.executable).parent


def loader_opts(loader, **fields):
    return [f'{loader}.{k}={v}' for k, v in fields.items()]


def det(root):
    make_toy_coco.make(str(root), train=4, val=2, size=128, seed=0)
    classes = '(' + ','.join(f"'{c}'" for c in make_toy_coco.CLASSES) + ')'
    opts = ['model.bbox_head.num_classes=3', 'train_cfg.max_epochs=1',
            'train_cfg.val_interval=1']
    for loader, split, resize in (('train_dataloader', 'train', 2), ('val_dataloader', 'val', 1),
                                  ('test_dataloader', 'val', 1)):
        opts += loader_opts(loader, batch_size=2, num_workers=0, persistent_workers=False)
        opts += loader_opts(f'{loader}.dataset', data_root=f'{root}/',
                            ann_file=f'annotations/instances_{split}.json',
                            **{'data_prefix.img': f'{split}/', 'metainfo.classes': classes,
                               f'pipeline.{resize}.scale': '(128,128)'})
    for evaluator in ('val_evaluator', 'test_evaluator'):
        opts.append(f'{evaluator}.ann_file={root}/annotations/instances_val.json')
    return 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py', opts, 'coco/bbox_mAP'


def seg(root):
    make_toy_ade20k.make(str(root), train=4, val=2, size=128, seed=0)
    opts = ['model.decode_head.num_classes=4', 'model.data_preprocessor.size=(128,128)',
            'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
            'default_hooks.checkpoint.interval=2',
            'train_dataloader.dataset.pipeline.2.scale=(128,128)',
            'train_dataloader.dataset.pipeline.3.crop_size=(128,128)',
            'val_dataloader.dataset.pipeline.1.scale=(128,128)']
    for loader, split in (('train_dataloader', 'training'), ('val_dataloader', 'validation'),
                          ('test_dataloader', 'validation')):
        opts += loader_opts(loader, batch_size=2, num_workers=0, persistent_workers=False)
        opts += loader_opts(f'{loader}.dataset', type='BaseSegDataset', data_root=str(root),
                            img_suffix='.jpg', seg_map_suffix='.png', reduce_zero_label=True,
                            **{'metainfo.classes': '(background,disc,ring,cross)',
                               'data_prefix.img_path': f'images/{split}',
                               'data_prefix.seg_map_path': f'annotations/{split}'})
    return 'mmseg::segformer/segformer_mit-b0_8xb2-160k_ade20k-512x512.py', opts, 'mIoU'


def pose(root):
    make_toy_coco_keypoints.make(str(root), train=4, val=2, size=128, seed=0)
    opts = ['train_cfg.max_epochs=1', 'train_cfg.val_interval=1']
    for loader, split in (('train_dataloader', 'train'), ('val_dataloader', 'val'),
                          ('test_dataloader', 'val')):
        opts += loader_opts(loader, batch_size=2, num_workers=0, persistent_workers=False)
        opts += loader_opts(f'{loader}.dataset', data_root=f'{root}/',
                            ann_file=f'annotations/person_keypoints_{split}.json',
                            **{'data_prefix.img': f'{split}/'})
    opts += ['val_dataloader.dataset.bbox_file=None', 'test_dataloader.dataset.bbox_file=None']
    for evaluator in ('val_evaluator', 'test_evaluator'):
        opts.append(f'{evaluator}.ann_file={root}/annotations/person_keypoints_val.json')
    return ('mmpose::body_2d_keypoint/simcc/coco/simcc_res50_8xb64-210e_coco-256x192.py', opts,
            'coco/AP')


def cls(root):
    make_toy_imagenet.make(str(root), train=6, val=6, size=64, seed=0)
    classes = '(' + ','.join(make_toy_imagenet.CLASSES) + ')'
    opts = ['train_cfg.max_epochs=1', 'train_cfg.val_interval=1']
    for loader, split, ann in (('train_dataloader', 'train', "''"),
                               ('val_dataloader', 'val', 'val.txt'),
                               ('test_dataloader', 'val', 'val.txt')):
        opts += loader_opts(loader, batch_size=2, num_workers=0, persistent_workers=False)
        opts += loader_opts(f'{loader}.dataset', type='CustomDataset', data_root=str(root),
                            data_prefix=split, ann_file=ann, classes=classes)
    return 'mmpretrain::resnet/resnet50_8xb32_in1k.py', opts, 'accuracy/top1'


def mim(*args):
    env = dict(os.environ, PATH=f'{VENV_BIN}{os.pathsep}{os.environ.get("PATH", "")}',
               CUDA_VISIBLE_DEVICES='')
    return subprocess.run([str(VENV_BIN / 'mim'), *args], cwd=REPO, env=env,
                          capture_output=True, text=True)


@pytest.mark.parametrize('codebase, setup', [('mmdet', det), ('mmseg', seg), ('mmpose', pose),
                                             ('mmpretrain', cls)])
def test_mim_train_runs_the_swapped_config(tmp_path, codebase, setup):
    src, opts, metric = setup(tmp_path / 'data')
    config = tmp_path / f'{codebase}_moganet_xt.py'
    swap_backbone(src, arch='xt', pretrained='none', out=str(config))
    work = tmp_path / 'work'
    out = mim('train', codebase, str(config), '--gpus', '0', '--launcher', 'none',
              '--cfg-options', f'work_dir={work}', *opts)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-4000:]
    assert 'MogaNet' in log  # the model printed at start-up
    assert metric in log, log[-2000:]  # training ran and then validation
    assert list(work.glob('*.pth')), sorted(p.name for p in work.iterdir())
