"""Configs written by tools/swap_backbone.py train with ``mim train`` as they are: one
codebase config per codebase, swapped to MogaNet-XT (no weights), pointed at the
project's toy set of the same format by ``--cfg-options`` and shortened to a few
iterations, then validated with the codebase's metric.

Marked ``matrix`` with the compatibility matrix (in ``make test``; ``make test-matrix``
runs only these).
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from moganet_mm.swap import swap_backbone
from tools.data import make_toy_ade20k, make_toy_coco, make_toy_coco_keypoints, make_toy_imagenet
from tools.paths import REPO

pytestmark = [pytest.mark.slow, pytest.mark.matrix]
MIM = str(Path(sys.executable).parent / 'mim')


def loaders(*names):
    return names or ('train_dataloader', 'val_dataloader', 'test_dataloader')


def det_options(root):
    """mmdet's COCO detection data on the toy COCO set at 128x128, 1 epoch."""
    classes = '(' + ','.join(make_toy_coco.CLASSES) + ')'
    opts = [
        'model.bbox_head.num_classes=3', 'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
        'default_hooks.checkpoint.interval=1'
    ]
    for loader, split, resize in (('train_dataloader', 'train', 2), ('val_dataloader', 'val', 1),
                                  ('test_dataloader', 'val', 1)):
        opts += [
            f'{loader}.dataset.data_root={root}/',
            f'{loader}.dataset.ann_file=annotations/instances_{split}.json',
            f'{loader}.dataset.data_prefix.img={split}/',
            f'{loader}.dataset.metainfo.classes={classes}',
            f'{loader}.dataset.pipeline.{resize}.scale=(128,128)', f'{loader}.batch_size=2',
            f'{loader}.num_workers=0', f'{loader}.persistent_workers=False'
        ]
    opts += [
        f'{e}.ann_file={root}/annotations/instances_val.json'
        for e in ('val_evaluator', 'test_evaluator')
    ]
    return opts


def seg_options(root):
    """mmseg's ADE20K data on the toy ADE20K set (its own 4 classes, same layout and
    label convention) at 128x128, 2 iterations."""
    classes = '(' + ','.join(make_toy_ade20k.CLASSES) + ')'
    opts = [
        'model.decode_head.num_classes=4', 'model.data_preprocessor.size=(128,128)',
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2',
        'train_dataloader.dataset.pipeline.2.scale=(256,128)',
        'train_dataloader.dataset.pipeline.3.crop_size=(128,128)'
    ]
    for loader in loaders():
        opts += [
            f'{loader}.dataset.type=BaseSegDataset', f'{loader}.dataset.data_root={root}',
            f'{loader}.dataset.metainfo.classes={classes}', f'{loader}.dataset.img_suffix=.jpg',
            f'{loader}.dataset.seg_map_suffix=.png', f'{loader}.dataset.reduce_zero_label=True',
            f'{loader}.batch_size=2', f'{loader}.num_workers=0',
            f'{loader}.persistent_workers=False'
        ]
    opts += [
        f'{loader}.dataset.pipeline.1.scale=(128,128)'
        for loader in loaders('val_dataloader', 'test_dataloader')
    ]
    return opts


def pose_options(root):
    """mmpose's COCO keypoint data on the toy set, ground-truth boxes, 1 epoch."""
    opts = [
        'train_cfg.max_epochs=1', 'train_cfg.val_interval=1', 'default_hooks.checkpoint.interval=1'
    ]
    for loader, split in (('train_dataloader', 'train'), ('val_dataloader', 'val'),
                          ('test_dataloader', 'val')):
        opts += [
            f'{loader}.dataset.data_root={root}/',
            f'{loader}.dataset.ann_file=annotations/person_keypoints_{split}.json',
            f'{loader}.dataset.data_prefix.img={split}/', f'{loader}.batch_size=4',
            f'{loader}.num_workers=0', f'{loader}.persistent_workers=False'
        ]
    opts += [
        f'{loader}.dataset.bbox_file=None'
        for loader in loaders('val_dataloader', 'test_dataloader')
    ]
    opts += [
        f'{e}.ann_file={root}/annotations/person_keypoints_val.json'
        for e in ('val_evaluator', 'test_evaluator')
    ]
    return opts


def cls_options(root):
    """mmpretrain's ImageNet data on the toy ImageNet (6 classes, 64x64), 1 epoch."""
    classes = '(' + ','.join(make_toy_imagenet.CLASSES) + ')'
    opts = [
        'model.head.num_classes=6', 'data_preprocessor.num_classes=6', 'train_cfg.max_epochs=1',
        'train_cfg.val_interval=1', 'default_hooks.checkpoint.interval=1',
        'val_dataloader.dataset.ann_file=val.txt', 'test_dataloader.dataset.ann_file=val.txt'
    ]
    for loader in loaders():
        opts += [
            f'{loader}.dataset.data_root={root}', f'{loader}.dataset.classes={classes}',
            f'{loader}.batch_size=8', f'{loader}.num_workers=0',
            f'{loader}.persistent_workers=False'
        ]
    return opts


CASES = {
    'mmdet': (
        'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
        lambda root: make_toy_coco.make(root, train=4, val=2, size=128, seed=0),
        # 2 iterations leave RetinaNet's focal-loss prior below the score threshold:
        # no boxes to score, so the check is that CocoMetric's val epoch ran
        det_options,
        r'Epoch\(val\) \[1\]\[1/1\]',
        'epoch_1.pth'),
    'mmseg': ('mmseg::segformer/segformer_mit-b0_8xb2-160k_ade20k-512x512.py',
              lambda root: make_toy_ade20k.make(root, train=4, val=2, size=128, seed=0),
              seg_options, r'mIoU: [0-9.]+', 'iter_2.pth'),
    'mmpose': ('mmpose::body_2d_keypoint/simcc/coco/simcc_res50_8xb64-210e_coco-256x192.py',
               lambda root: make_toy_coco_keypoints.make(root, train=4, val=2, seed=0),
               pose_options, r'coco/AP: [0-9.-]+', 'epoch_1.pth'),
    'mmpretrain': ('mmpretrain::resnet/resnet50_8xb32_in1k.py',
                   lambda root: make_toy_imagenet.make(root, train=24, val=12, size=64, seed=0),
                   cls_options, r'accuracy/top1: [0-9.]+', 'epoch_1.pth'),
}


@pytest.mark.parametrize('codebase', list(CASES))
def test_swapped_config_trains_with_mim(codebase, tmp_path):
    src, make, options, metric, checkpoint = CASES[codebase]
    config = tmp_path / f'{codebase}_moganet_xt.py'
    swap_backbone(src, arch='xt', pretrained='none', out=str(config))
    root = tmp_path / 'data'
    make(str(root))
    work = tmp_path / 'work'
    proc = subprocess.run([
        MIM, 'train', codebase,
        str(config), '--work-dir',
        str(work), '--launcher', 'none', '--cfg-options', *options(root)
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=900,
                          env=dict(os.environ, CUDA_VISIBLE_DEVICES=''))
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert (work / checkpoint).is_file(), sorted(p.name for p in work.iterdir())
    assert re.search(metric, log), log[-3000:]
    assert "'MogaNet'" in (work / config.name).read_text()  # the dumped config trained
