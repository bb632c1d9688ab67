#!/usr/bin/env python
"""``make demo-seg``: Semantic FPN + MogaNet-XT on the toy ADE20K, on the CPU.

Trains ``configs/seg/toy/fpn_moganet_xt_80k_ade20k_toy.py`` (the real
``fpn_moganet_xt_80k_ade20k.py`` with toy data, schedule and crop size; random
backbone init) for 700 iterations on 300 scenes of ``tools/data/make_toy_ade20k.py``,
evaluates mIoU (percent) with mmseg's ``IoUMetric`` on 50 val scenes, and segments
one val scene with ``mmseg.apis.inference_model`` (input | prediction | ground
truth, drawn by ``SegLocalVisualizer``). Floor: 75 mIoU. The flags are the demo
runner's (:mod:`tools.demo.runner`), e.g.::

    python tools/demo/seg.py --iters 60 --floor 40 --work-dir /tmp/seg_demo
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed

import mmcv
import numpy as np
import torch
from mmengine.model import revert_sync_batchnorm
from mmengine.structures import PixelData

from tools.data import make_toy_ade20k
from tools.demo.runner import DemoTask, run


def point_at_data(cfg, root):
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = root


def draw(runner, root, out_file):
    """Segment the first val scene: input | predicted map | ground truth."""
    from mmseg.apis import inference_model, init_model
    from mmseg.visualization import SegLocalVisualizer

    checkpoint = (Path(runner.work_dir) / 'last_checkpoint').read_text().strip()
    image = sorted((Path(root) / 'images/validation').glob('*.jpg'))[0]
    model = revert_sync_batchnorm(init_model(runner.cfg, checkpoint, device='cpu'))
    result = inference_model(model, str(image))
    vis = SegLocalVisualizer.get_instance('moganet_seg_demo', alpha=1.0)
    vis.dataset_meta = model.dataset_meta
    rgb = mmcv.imread(str(image), channel_order='rgb')
    panels = [rgb]
    vis.add_datasample('pred', rgb, result, draw_gt=False, with_labels=False)
    panels.append(vis.get_image())
    ann = Path(str(image).replace('/images/', '/annotations/')).with_suffix('.png')
    gt = mmcv.imread(str(ann), flag='unchanged').astype(np.int64) - 1  # ADE20K: 0 = other
    gt[gt < 0] = 255
    result.gt_sem_seg = PixelData(data=torch.from_numpy(gt)[None])
    vis.add_datasample('gt', rgb, result, draw_pred=False, with_labels=False)
    panels.append(vis.get_image())
    mmcv.imwrite(mmcv.rgb2bgr(np.concatenate(panels, axis=1)), str(out_file))
    return str(out_file)


TASK = DemoTask(
    name='seg',
    codebase='mmseg',
    config='configs/seg/toy/fpn_moganet_xt_80k_ade20k_toy.py',
    generator=make_toy_ade20k,
    data_root='data/toy_ade20k',
    train=300,
    val=50,
    size=128,
    floors={'mIoU': 75.0},
    point_at_data=point_at_data,
    draw=draw)

if __name__ == '__main__':
    sys.exit(run(TASK))
