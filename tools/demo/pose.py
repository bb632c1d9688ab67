#!/usr/bin/env python
"""Train and evaluate TopDown MogaNet-XT pose estimation on a toy COCO-keypoints set, on CPU.

1. generates ``data/toy_coco_kpts`` unless it is there, stamped as current
   (tools/data/make_toy_coco_keypoints.py: 1-3 overlapping figures, truncation,
   distractors);
2. evaluates the untrained model on toy val with mmpose's ``CocoMetric`` (ground-truth
   person boxes, flip test, as the real config);
3. trains configs/pose/toy/topdown_moganet_xt_coco_256x192_toy.py with the MMEngine
   Runner (the real topdown_moganet_xt_coco_256x192.py with data/schedule overrides);
4. evaluates again, prints AP untrained vs trained and the wall time;
5. runs ``inference_topdown`` on one val image and writes the predicted skeletons
   with mmpose's ``PoseLocalVisualizer``;
6. exits 1 if the trained AP is below ``--floor``.

    .venv/bin/python tools/demo/pose.py                    # the full demo (make demo-pose)
    .venv/bin/python tools/demo/pose.py --epochs 1 --train 100 --val 20 --floor 0.1 \
        --data /tmp/toy --work-dir /tmp/wd                 # a shortened run
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / 'tools/data'))
TOY_CONFIG = REPO / 'configs/pose/toy/topdown_moganet_xt_coco_256x192_toy.py'


def ensure_data(root, n_train, n_val, size, seed):
    """Makes the toy set under ``root`` unless it is there, stamped as current."""
    import make_toy_coco_keypoints
    import toy_stamp
    spec = toy_stamp.spec_of(make_toy_coco_keypoints.__file__, train=n_train, val=n_val,
                             size=size, seed=seed)
    toy_stamp.ensure(root, spec, lambda: make_toy_coco_keypoints.main(
        ['--out', str(root), '--train', str(n_train), '--val', str(n_val), '--size', str(size),
         '--seed', str(seed)]), log=lambda m: print(f'[pose demo] {m}'))


def build_cfg(args):
    """The toy config pointed at ``args.data``, ``args.work_dir`` and ``args.epochs``."""
    from mmengine.config import Config
    cfg = Config.fromfile(str(TOY_CONFIG))
    root = str(Path(args.data).resolve()) + '/'
    for loader in (cfg.train_dataloader, cfg.val_dataloader, cfg.test_dataloader):
        loader.dataset.data_root = root
    cfg.val_evaluator.ann_file = cfg.test_evaluator.ann_file = \
        root + 'annotations/person_keypoints_val.json'
    cfg.work_dir = str(Path(args.work_dir).resolve())
    cfg.randomness = dict(seed=args.seed)
    cfg.train_cfg.max_epochs = cfg.train_cfg.val_interval = args.epochs
    cfg.train_cfg.val_begin = args.epochs + 1   # evaluated explicitly after training
    for sched in cfg.param_scheduler:
        if sched.type == 'CosineAnnealingLR':
            sched.end = sched.T_max = args.epochs
    cfg.default_hooks.checkpoint.interval = args.epochs
    if args.lr is not None:
        cfg.optim_wrapper.optimizer.lr = args.lr
    if args.batch_size is not None:
        cfg.train_dataloader.batch_size = args.batch_size
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def draw_prediction(cfg, checkpoint, data_root, out_file):
    """``inference_topdown`` on the first val image with its ground-truth boxes."""
    import numpy as np
    from mmpose.apis import inference_topdown, init_model
    from mmpose.registry import VISUALIZERS
    from mmpose.structures import merge_data_samples
    import mmcv
    ann = json.loads((Path(data_root) / 'annotations/person_keypoints_val.json').read_text())
    image = ann['images'][0]
    boxes = np.array([[a['bbox'][0], a['bbox'][1], a['bbox'][0] + a['bbox'][2],
                       a['bbox'][1] + a['bbox'][3]]
                      for a in ann['annotations'] if a['image_id'] == image['id']], np.float32)
    img_path = str(Path(data_root) / 'val' / image['file_name'])
    model = init_model(cfg, checkpoint, device='cpu')
    result = merge_data_samples(inference_topdown(model, img_path, bboxes=boxes))
    visualizer = VISUALIZERS.build(dict(type='PoseLocalVisualizer', name='pose_demo_prediction',
                                        radius=3, line_width=2))
    visualizer.set_dataset_meta(model.dataset_meta)
    img = mmcv.imread(img_path, channel_order='rgb')
    visualizer.add_datasample('prediction', img, result, draw_gt=False, draw_bbox=True,
                              kpt_thr=0.3, show=False, out_file=str(out_file))
    return out_file, len(boxes)


def main(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--data', default=str(REPO / 'data/toy_coco_kpts'),
                   help='toy data folder (made unless stamped current)')
    p.add_argument('--train', type=int, default=860, help='train images if generating')
    p.add_argument('--val', type=int, default=60, help='val images if generating')
    p.add_argument('--size', type=int, default=256, help='image side if generating')
    p.add_argument('--seed', type=int, default=0, help='data and training seed')
    p.add_argument('--work-dir', default=str(REPO / 'work_dirs/pose_toy'))
    p.add_argument('--epochs', type=int, default=2)
    p.add_argument('--lr', type=float, default=None, help='override the toy config lr')
    p.add_argument('--batch-size', type=int, default=None, help='override the batch size')
    p.add_argument('--floor', type=float, default=0.70, help='exit 1 if trained AP is below')
    p.add_argument('--out-img', default=None,
                   help='prediction picture (default: WORK_DIR/pose_prediction.png)')
    p.add_argument('--summary', default=None, help='also write the numbers as JSON here')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                   metavar='KEY=VALUE', help='further config overrides, as in mim train '
                   '(e.g. randomness.seed=1: another training seed on the same data)')
    args = p.parse_args(argv)
    if args.epochs < 1:
        p.error(f'--epochs must be >= 1, got {args.epochs}')
    if not 0 <= args.floor <= 1:
        p.error(f'--floor is an AP in [0, 1], got {args.floor}')

    t0 = time.time()
    ensure_data(args.data, args.train, args.val, args.size, args.seed)
    import moganet_mm  # noqa: F401
    from mmengine.runner import Runner
    from mmpose.utils import register_all_modules
    register_all_modules()
    cfg = build_cfg(args)
    runner = Runner.from_cfg(cfg)

    t = time.time()
    runner.model.init_weights()   # the weights training starts from
    untrained = runner.val_loop.run()
    t_eval0 = time.time() - t
    t = time.time()
    runner.train()
    t_train = time.time() - t
    t = time.time()
    trained = runner.val_loop.run()
    t_eval1 = time.time() - t

    ckpt = Path(cfg.work_dir) / f'epoch_{args.epochs}.pth'
    out_img = Path(args.out_img or Path(cfg.work_dir) / 'pose_prediction.png')
    out_img, n_boxes = draw_prediction(cfg, str(ckpt), args.data, out_img)
    wall = time.time() - t0

    ap0, ap1 = untrained['coco/AP'], trained['coco/AP']
    summary = dict(ap_untrained=ap0, ap_trained=ap1, ap50=trained['coco/AP .5'],
                   ap75=trained['coco/AP .75'], ar=trained['coco/AR'], epochs=args.epochs,
                   iters=runner.iter, train_s=round(t_train, 1), eval_s=round(t_eval1, 1),
                   wall_s=round(wall, 1), checkpoint=str(ckpt), picture=str(out_img),
                   floor=args.floor)
    print('\n[pose demo] toy COCO-keypoints val, CocoMetric with ground-truth boxes')
    print(f'[pose demo] AP untrained {ap0:.3f} -> trained {ap1:.3f} '
          f'(AP50 {summary["ap50"]:.3f}, AP75 {summary["ap75"]:.3f}, AR {summary["ar"]:.3f})')
    print(f'[pose demo] {args.epochs} epochs, {runner.iter} iterations, train {t_train:.0f}s, '
          f'eval {t_eval0:.0f}s + {t_eval1:.0f}s, wall {wall:.0f}s')
    print(f'[pose demo] predicted skeletons ({n_boxes} persons): {out_img}')
    if args.summary:
        Path(args.summary).write_text(json.dumps(summary, indent=2))
    if ap1 < args.floor:
        print(f'[pose demo] FAIL: AP {ap1:.3f} < floor {args.floor}', file=sys.stderr)
        return 1
    print(f'[pose demo] OK: AP {ap1:.3f} >= floor {args.floor}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
