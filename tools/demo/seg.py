#!/usr/bin/env python
"""Semantic FPN + MogaNet-XT on a toy ADE20K, for real, on the CPU.

1. makes the toy set (tools/data/make_toy_ade20k.py) under --data unless it is there,
   stamped by the current generator with these settings (tools/data/toy_stamp.py);
2. trains configs/seg/toy/fpn_moganet_xt_80k_ade20k_toy.py (the real
   fpn_moganet_xt_80k_ade20k.py with toy data, schedule and crop size) with the
   MMEngine Runner;
3. evaluates mIoU on the toy val set with mmseg's IoUMetric (the Runner's test loop);
4. segments one val image with ``mmseg.apis.inference_model`` and writes
   input | predicted map | ground truth, drawn by mmseg's SegLocalVisualizer;
5. exits 1 if mIoU < --floor.

    make demo-seg                  # = .venv/bin/python tools/demo/seg.py
    .venv/bin/python tools/demo/seg.py --iters 60 --floor 40 --work-dir /tmp/seg_demo
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = REPO / 'configs/seg/toy/fpn_moganet_xt_80k_ade20k_toy.py'


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--config', default=str(DEFAULT_CONFIG), help='toy config to train')
    p.add_argument('--data', default=str(REPO / 'data/toy_ade20k'),
                   help='toy ADE20K root (made unless stamped current)')
    p.add_argument('--train', type=int, default=300, help='training images, if the set is made')
    p.add_argument('--val', type=int, default=50, help='val images, if the set is made')
    p.add_argument('--work-dir', default=str(REPO / 'work_dirs/seg_demo'))
    p.add_argument('--iters', type=int, default=None,
                   help="training iterations (default: the config's)")
    p.add_argument('--batch-size', type=int, default=None, help="default: the config's, 8")
    p.add_argument('--floor', type=float, default=75.0, help='required val mIoU (%%)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--image', default=None,
                   help='image to segment (default: the first val image)')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                   metavar='KEY=VALUE', help='further config overrides, as in mim train')
    return p.parse_args(argv)


def ensure_data(args):
    """Makes the toy set under ``args.data`` unless it is there, stamped as current."""
    sys.path.insert(0, str(REPO / 'tools/data'))
    import make_toy_ade20k
    import toy_stamp
    size = 128  # the toy configs' crop (configs/seg/toy/_toy_ade20k_data.py)
    spec = toy_stamp.spec_of(make_toy_ade20k.__file__, train=args.train, val=args.val,
                             size=size, seed=args.seed)
    toy_stamp.ensure(args.data, spec, lambda: make_toy_ade20k.main(
        ['--out', str(args.data), '--train', str(args.train), '--val', str(args.val),
         '--size', str(size), '--seed', str(args.seed)]), log=lambda m: print(f'[seg demo] {m}'))


def build_cfg(args):
    from mmengine.config import Config
    cfg = Config.fromfile(args.config)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = str(args.data)
    if args.batch_size:
        cfg.train_dataloader.batch_size = args.batch_size
    if args.iters:
        old = cfg.train_cfg.max_iters
        cfg.train_cfg.max_iters = args.iters
        cfg.default_hooks.checkpoint.interval = args.iters
        for sched in cfg.param_scheduler:  # schedules that ran to the old end run to the new
            if sched.get('end') == old:
                sched.end = args.iters
    # train, then evaluate once with the test loop (the toy test set is the val set)
    cfg.train_cfg.val_interval = cfg.train_cfg.max_iters + 1
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.work_dir = str(args.work_dir)
    cfg.randomness = dict(seed=args.seed)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def draw(cfg, checkpoint, image, out_file):
    """Segment ``image`` with inference_model; write input | prediction | ground truth."""
    import mmcv
    import numpy as np
    import torch
    from mmengine.model import revert_sync_batchnorm
    from mmengine.structures import PixelData
    from mmseg.apis import inference_model, init_model
    from mmseg.visualization import SegLocalVisualizer

    model = revert_sync_batchnorm(init_model(cfg, str(checkpoint), device='cpu'))
    result = inference_model(model, str(image))
    vis = SegLocalVisualizer.get_instance('moganet_seg_demo', alpha=1.0)
    vis.dataset_meta = model.dataset_meta
    rgb = mmcv.imread(str(image), channel_order='rgb')
    panels = [rgb]
    vis.add_datasample('pred', rgb, result, draw_gt=False, with_labels=False)
    panels.append(vis.get_image())
    ann = Path(str(image).replace('/images/', '/annotations/')).with_suffix('.png')
    if ann.is_file():  # ADE20K labels: 0 = other -> 255 (ignored), k -> k - 1
        gt = mmcv.imread(str(ann), flag='unchanged').astype(np.int64) - 1
        gt[gt < 0] = 255
        result.gt_sem_seg = PixelData(data=torch.from_numpy(gt)[None])
        vis.add_datasample('gt', rgb, result, draw_pred=False, with_labels=False)
        panels.append(vis.get_image())
    mmcv.imwrite(mmcv.rgb2bgr(np.concatenate(panels, axis=1)), str(out_file))
    pred = result.pred_sem_seg.data[0].numpy()
    return out_file, {model.dataset_meta['classes'][c]: int((pred == c).sum())
                      for c in np.unique(pred)}


def main(argv=None):
    args = parse_args(argv)
    if not Path(args.config).is_file():
        raise SystemExit(f'--config {args.config}: no such file')
    t_start = time.time()
    ensure_data(args)
    import moganet_mm  # noqa: F401
    from mmengine.runner import Runner
    cfg = build_cfg(args)
    runner = Runner.from_cfg(cfg)
    t0 = time.time()
    runner.train()
    t_train = time.time() - t0
    t0 = time.time()
    metrics = runner.test()  # mmseg IoUMetric: aAcc, mIoU, mAcc (percent)
    t_test = time.time() - t0
    iters = cfg.train_cfg.max_iters
    checkpoint = Path(args.work_dir) / f'iter_{iters}.pth'
    image = args.image or sorted((Path(args.data) / 'images/validation').glob('*.jpg'))[0]
    picture, pixels = draw(cfg, checkpoint, image, Path(args.work_dir) / 'seg_demo_pred.png')
    wall = time.time() - t_start
    summary = dict(metrics={k: round(float(v), 2) for k, v in metrics.items()},
                   iters=iters, batch_size=cfg.train_dataloader.batch_size,
                   train_s=round(t_train, 1), s_per_iter=round(t_train / iters, 2),
                   test_s=round(t_test, 1), wall_s=round(wall, 1), checkpoint=str(checkpoint),
                   picture=str(picture), predicted_pixels=pixels, floor=args.floor)
    print('[seg demo] ' + json.dumps(summary))
    print(f"[seg demo] val mIoU {metrics['mIoU']:.2f} (floor {args.floor}), aAcc "
          f"{metrics['aAcc']:.2f}, mAcc {metrics['mAcc']:.2f}; {iters} iterations in "
          f"{t_train:.0f} s ({t_train / iters:.2f} s/iter), wall {wall:.0f} s")
    print(f'[seg demo] prediction picture (input | prediction | ground truth): {picture}')
    with open(Path(args.work_dir) / 'seg_demo_summary.json', 'w') as f:
        json.dump(summary, f, indent=2)
    if metrics['mIoU'] < args.floor:
        print(f"[seg demo] FAILED: mIoU {metrics['mIoU']:.2f} < floor {args.floor}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
