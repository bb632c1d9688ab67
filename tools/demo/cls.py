#!/usr/bin/env python
"""``make demo-cls``: MogaNet-XT classification on a toy ImageNet, on the CPU.

Trains ``configs/cls/toy/moganet_xt_in1k_toy.py`` (the real MogaNet-XT ImageNet
config with toy data, schedule, input size and augmentation; random init) for 30
epochs on 600 images of ``tools/data/make_toy_imagenet.py`` (6 shape / texture
classes, 64x64) and evaluates top-1 (percent) with mmpretrain's ``Accuracy`` on 180
val images, and draws the first val images with their predicted and true
classes. Floor: 90% top-1. The flags are the demo runner's
(:mod:`tools.demo.runner`), e.g.::

    python tools/demo/cls.py --epochs 3 --floor 40 --work-dir /tmp/w
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed

import mmcv
import numpy as np
import torch
from mmengine.dataset import pseudo_collate

from tools.data import make_toy_imagenet
from tools.demo.runner import DemoTask, run


def point_at_data(cfg, root):
    if tuple(cfg.classes) != make_toy_imagenet.CLASSES:
        raise ValueError(f'{cfg.filename} lists classes {cfg.classes}; the toy set has '
                         f'{make_toy_imagenet.CLASSES}')
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = root


def draw(runner, root, out_file, num_images=8, scale=3):
    """The first val images, enlarged, each with its predicted and true class
    (green: right, red: wrong), drawn by mmpretrain's ``UniversalVisualizer``."""
    from mmpretrain.visualization import UniversalVisualizer
    dataset = runner.val_dataloader.dataset
    model = runner.model.module if hasattr(runner.model, 'module') else runner.model
    model.eval()
    vis = UniversalVisualizer()
    tiles = []
    for idx in range(min(num_images, len(dataset))):
        item = dataset[idx]
        with torch.no_grad():
            pred = model.test_step(pseudo_collate([item]))[0]
        img = mmcv.imread(dataset.get_data_info(idx)['img_path'], channel_order='rgb')
        img = mmcv.imrescale(img, scale, interpolation='nearest')
        tiles.append(
            vis.visualize_cls(
                img,
                pred,
                classes=dataset.metainfo['classes'],
                draw_gt=True,
                draw_pred=True,
                show=False,
                rescale_factor=None))
    mmcv.imwrite(np.concatenate(tiles, axis=1)[..., ::-1], str(out_file))
    return str(out_file)


TASK = DemoTask(
    name='cls',
    codebase='mmpretrain',
    config='configs/cls/toy/moganet_xt_in1k_toy.py',
    generator=make_toy_imagenet,
    data_root='data/toy_imagenet',
    train=600,
    val=180,
    size=64,
    floors={'accuracy/top1': 90.0},
    point_at_data=point_at_data,
    draw=draw)

if __name__ == '__main__':
    sys.exit(run(TASK))
