#!/usr/bin/env python
"""``make demo-pose``: TopDown MogaNet-XT 256x192 on a toy COCO-keypoints set, on the CPU.

Trains ``configs/pose/toy/topdown_moganet_xt_coco_256x192_toy.py`` (the real
``topdown_moganet_xt_coco_256x192.py`` with toy data and schedule; random backbone
init) for 2 epochs on 860 images of ``tools/data/make_toy_coco_keypoints.py`` (1-3
overlapping figures, truncation, distractors), evaluates keypoint AP with mmpose's
``CocoMetric`` (ground-truth person boxes, flip test) on 60 val images before and
after training, and draws the predicted skeletons of one val image with
``inference_topdown`` and ``PoseLocalVisualizer``. Floor: AP 0.70. The flags are
the demo runner's (:mod:`tools.demo.runner`), e.g.::

    python tools/demo/pose.py --epochs 1 --train 100 --val 20 --floor 0.1 --work-dir /tmp/wd
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed

import mmcv
import numpy as np

from tools.data import make_toy_coco_keypoints
from tools.demo.runner import DemoTask, run


def point_at_data(cfg, root):
    for loader in (cfg.train_dataloader, cfg.val_dataloader, cfg.test_dataloader):
        loader.dataset.data_root = root
    cfg.val_evaluator.ann_file = cfg.test_evaluator.ann_file = \
        root + 'annotations/person_keypoints_val.json'


def draw(runner, root, out_file):
    """``inference_topdown`` on the first val image with its ground-truth boxes."""
    from mmpose.apis import inference_topdown, init_model
    from mmpose.registry import VISUALIZERS
    from mmpose.structures import merge_data_samples
    ann = json.loads((Path(root) / 'annotations/person_keypoints_val.json').read_text())
    image = ann['images'][0]
    boxes = np.array(
        [[a['bbox'][0], a['bbox'][1], a['bbox'][0] + a['bbox'][2], a['bbox'][1] + a['bbox'][3]]
         for a in ann['annotations'] if a['image_id'] == image['id']], np.float32)
    img_path = str(Path(root) / 'val' / image['file_name'])
    checkpoint = (Path(runner.work_dir) / 'last_checkpoint').read_text().strip()
    model = init_model(runner.cfg, checkpoint, device='cpu')
    result = merge_data_samples(inference_topdown(model, img_path, bboxes=boxes))
    visualizer = VISUALIZERS.build(
        dict(type='PoseLocalVisualizer', name='pose_demo_prediction', radius=3, line_width=2))
    visualizer.set_dataset_meta(model.dataset_meta)
    img = mmcv.imread(img_path, channel_order='rgb')
    visualizer.add_datasample(
        'prediction',
        img,
        result,
        draw_gt=False,
        draw_bbox=True,
        kpt_thr=0.3,
        show=False,
        out_file=str(out_file))
    return str(out_file)


TASK = DemoTask(
    name='pose',
    codebase='mmpose',
    config='configs/pose/toy/topdown_moganet_xt_coco_256x192_toy.py',
    generator=make_toy_coco_keypoints,
    data_root='data/toy_coco_kpts',
    train=860,
    val=60,
    size=256,
    floors={'coco/AP': 0.70},
    point_at_data=point_at_data,
    draw=draw,
    eval_untrained=True)

if __name__ == '__main__':
    sys.exit(run(TASK))
