#!/usr/bin/env python
"""``make demo``: Mask R-CNN MogaNet-XT on the toy COCO shapes set, on the CPU.

Trains ``configs/det/toy/mask_rcnn_moganet_xt_1x_toy.py`` (the real
``mask_rcnn_moganet_xt_1x.py`` with toy data, input scale, schedule and sampling
counts; random backbone init) for 2 epochs on 400 images of
``tools/data/make_toy_coco.py`` (plain style), evaluates bbox and segm mAP with
mmdet's ``CocoMetric`` on 60 val images, draws ground truth and predictions with
``DetLocalVisualizer``. Floors: 0.50 bbox and segm mAP. The flags are the demo
runner's (:mod:`tools.demo.runner`), e.g.::

    python tools/demo/det.py --train 80 --epochs 1 --floor 0.05 --work-dir /tmp/d
    python tools/demo/det.py --resume                        # continue a killed run
    torchrun --nproc-per-node 2 tools/demo/det.py --launcher pytorch   # CPU DDP (gloo)
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed

import mmcv
import numpy as np
import torch
from mmengine.dataset import pseudo_collate

from tools.data import make_toy_coco
from tools.demo.runner import DemoTask, run


def point_at_data(cfg, root):
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = root
    for evaluator in ('val_evaluator', 'test_evaluator'):
        cfg[evaluator].ann_file = root + 'annotations/instances_val.json'


def draw(runner, root, out_file, num_images=4, score_thr=0.5):
    """Ground truth (left) and predictions (right) on the first val images."""
    from mmdet.visualization import DetLocalVisualizer
    dataset = runner.val_dataloader.dataset
    model = runner.model.module if hasattr(runner.model, 'module') else runner.model
    model.eval()
    vis = DetLocalVisualizer(name='toy_coco_predictions')
    vis.dataset_meta = dataset.metainfo
    rows = []
    for idx in range(min(num_images, len(dataset))):
        item = dataset[idx]
        with torch.no_grad():
            out = model.test_step(pseudo_collate([item]))[0]
        img = mmcv.imread(item['data_samples'].img_path, channel_order='rgb')
        vis.add_datasample(
            f'val_{idx}',
            img,
            data_sample=out,
            draw_gt=True,
            draw_pred=True,
            show=False,
            pred_score_thr=score_thr)
        rows.append(vis.get_image())
    mmcv.imwrite(np.concatenate(rows, axis=0)[..., ::-1], str(out_file))  # RGB -> BGR
    return str(out_file)


TASK = DemoTask(
    name='det',
    codebase='mmdet',
    config='configs/det/toy/mask_rcnn_moganet_xt_1x_toy.py',
    generator=make_toy_coco,
    data_root='data/toy_coco',
    train=400,
    val=60,
    size=256,
    floors={
        'coco/bbox_mAP': 0.50,
        'coco/segm_mAP': 0.50
    },
    point_at_data=point_at_data,
    draw=draw)

if __name__ == '__main__':
    sys.exit(run(TASK))
