#!/usr/bin/env python
"""Train and evaluate Mask R-CNN MogaNet-XT on the toy COCO shapes set, on the CPU.

``make demo`` runs this with its defaults: generate ``data/toy_coco`` unless it is
there, stamped as current (tools/data/make_toy_coco.py: 400 train / 100 val images of
256x256; tools/data/toy_stamp.py), train
``configs/det/toy/mask_rcnn_moganet_xt_1x_toy.py`` (the real
``mask_rcnn_moganet_xt_1x.py`` with toy data, input scale, schedule and sampling
counts; random backbone init) for 2 epochs with the MMEngine Runner, evaluate with
mmdet's ``CocoMetric`` (bbox + segm), draw predictions on val images with mmdet's
``DetLocalVisualizer``, and print the metrics, the wall time and the picture path.
Exits with status 1 when bbox or segm mAP is below its floor (0.50 each).

Shortened runs use the same job with fewer images/epochs, e.g.::

    python tools/demo/det.py --work-dir /tmp/d --train-images 80 --epochs 1 \
        --floor-bbox 0.05 --floor-segm 0.05
    python tools/demo/det.py --work-dir /tmp/d --resume       # continue a killed run
    torchrun --nproc-per-node 2 tools/demo/det.py --launcher pytorch   # DDP on CPU (gloo)
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'data'))

DEFAULT_CONFIG = 'configs/det/toy/mask_rcnn_moganet_xt_1x_toy.py'


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--config', default=DEFAULT_CONFIG, help='toy config to train')
    p.add_argument('--work-dir', default='work_dirs/demo_det')
    p.add_argument('--data-root', default=None,
                   help='toy data folder (default data/toy_coco, or data/toy_coco_<train>_<val>_'
                        '<size>_<seed> when the sizes differ from the defaults)')
    p.add_argument('--train-images', type=int, default=400)
    p.add_argument('--val-images', type=int, default=100)
    p.add_argument('--image-size', type=int, default=256)
    p.add_argument('--data-seed', type=int, default=0)
    p.add_argument('--epochs', type=int, default=2)
    p.add_argument('--batch-size', type=int, default=None, help='default: the config (4)')
    p.add_argument('--warmup-iters', type=int, default=None,
                   help='linear warm-up length (default: the config, 50)')
    p.add_argument('--checkpoint-iters', type=int, default=0,
                   help='save a checkpoint every N iterations (0: every epoch)')
    p.add_argument('--seed', type=int, default=0, help='training seed')
    p.add_argument('--resume', action='store_true',
                   help='resume from the latest checkpoint in --work-dir')
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    p.add_argument('--floor-bbox', type=float, default=0.50)
    p.add_argument('--floor-segm', type=float, default=0.50)
    p.add_argument('--num-vis', type=int, default=4, help='val images in the picture')
    p.add_argument('--score-thr', type=float, default=0.5, help='drawn prediction threshold')
    args = p.parse_args(argv)
    for name in ('train_images', 'val_images', 'epochs', 'num_vis'):
        if getattr(args, name) < 1:
            p.error(f'--{name.replace("_", "-")} must be >= 1, got {getattr(args, name)}')
    if not osp.isfile(osp.join(REPO, args.config)) and not osp.isfile(args.config):
        p.error(f'--config {args.config}: no such file')
    return args


def data_root_of(args):
    """``--data-root``, or a folder under data/ named by the generator settings."""
    if args.data_root is not None:
        return args.data_root
    settings = (args.train_images, args.val_images, args.image_size, args.data_seed)
    name = 'toy_coco' if settings == (400, 100, 256, 0) else 'toy_coco_{}_{}_{}_{}'.format(
        *settings)
    return osp.join(REPO, 'data', name)


def ensure_data(args, root):
    """Makes the toy set under ``root`` unless it is there, stamped as current
    (tools/data/toy_stamp.py: generator source hash and settings)."""
    import make_toy_coco
    import toy_stamp
    spec = toy_stamp.spec_of(make_toy_coco.__file__, train=args.train_images,
                             val=args.val_images, size=args.image_size, seed=args.data_seed)
    toy_stamp.ensure(root, spec, lambda: make_toy_coco.make_dataset(
        root, args.train_images, args.val_images, args.image_size, args.data_seed))


def build_cfg(args, data_root):
    """The toy config with this run's data, schedule and runtime settings."""
    from mmengine.config import Config
    config = args.config if osp.isfile(args.config) else osp.join(REPO, args.config)
    cfg = Config.fromfile(config)
    root = data_root.rstrip('/') + '/'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = root
        if args.batch_size:
            cfg[loader].batch_size = args.batch_size
    for evaluator in ('val_evaluator', 'test_evaluator'):
        cfg[evaluator].ann_file = root + 'annotations/instances_val.json'
    cfg.train_cfg.max_epochs = args.epochs
    cfg.train_cfg.val_interval = args.epochs
    for sched in cfg.param_scheduler:
        if sched.type == 'LinearLR' and args.warmup_iters is not None:
            sched.end = args.warmup_iters
        if sched.get('by_epoch', True):  # the cosine part spans the whole run
            sched.end = args.epochs
            if 'T_max' in sched:
                sched.T_max = args.epochs
    if args.checkpoint_iters:
        cfg.default_hooks.checkpoint.update(by_epoch=False, interval=args.checkpoint_iters)
    cfg.work_dir = args.work_dir
    cfg.resume = args.resume
    cfg.launcher = args.launcher
    if args.launcher != 'none':
        import torch
        if not torch.cuda.is_available():  # slurm / mpi on CPUs; GPUs keep the base's nccl
            cfg.env_cfg.dist_cfg = dict(backend='gloo')
    cfg.randomness = dict(seed=args.seed)
    return cfg


def draw_predictions(runner, cfg, args, out_file):
    """Predictions (right) beside ground truth (left) on the first val images."""
    import mmcv
    import numpy as np
    import torch
    from mmdet.visualization import DetLocalVisualizer
    from mmengine.dataset import pseudo_collate
    dataset = runner.val_dataloader.dataset
    model = runner.model.module if hasattr(runner.model, 'module') else runner.model
    model.eval()
    vis = DetLocalVisualizer(name='toy_coco_predictions')
    vis.dataset_meta = dataset.metainfo
    rows = []
    for idx in range(min(args.num_vis, len(dataset))):
        item = dataset[idx]
        with torch.no_grad():
            out = model.test_step(pseudo_collate([item]))[0]
        img = mmcv.imread(item['data_samples'].img_path, channel_order='rgb')
        vis.add_datasample(f'val_{idx}', img, data_sample=out, draw_gt=True, draw_pred=True,
                           show=False, pred_score_thr=args.score_thr)
        rows.append(vis.get_image())
    mmcv.imwrite(np.concatenate(rows, axis=0)[..., ::-1], out_file)  # RGB -> BGR file
    return out_file


def main(argv=None):
    args = parse_args(argv)
    os.chdir(REPO)  # config paths (data/..., work_dirs/...) are relative to the repo
    start = time.time()
    data_root = data_root_of(args)

    import moganet_mm  # noqa: F401  (registers MogaNet, safe checkpoint loading)
    from moganet_mm.engine import join_cpu_process_group
    from mmdet.utils import register_all_modules
    from mmengine.dist import barrier, get_rank
    from mmengine.hooks import Hook
    from mmengine.runner import Runner
    register_all_modules()

    class RecordMetrics(Hook):
        """Keeps the training losses and the last validation metrics (``coco/*``)."""
        priority = 'VERY_LOW'
        metrics = {}
        losses = []

        def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
            RecordMetrics.losses.append(float(outputs['loss']))

        def after_val_epoch(self, runner, metrics=None):
            RecordMetrics.metrics = dict(metrics or {})

    cfg = build_cfg(args, data_root)
    if args.launcher != 'none' and join_cpu_process_group():  # no GPU: as tools/train.py
        cfg.model_wrapper_cfg = dict(type='CPUDistributedDataParallel')
    runner = Runner.from_cfg(cfg)  # reads no data yet
    rank = get_rank()
    if rank == 0:
        ensure_data(args, data_root)
    barrier()  # the other ranks wait for rank 0's set
    runner.register_hook(RecordMetrics())
    train_start = time.time()
    runner.train()
    metrics = RecordMetrics.metrics
    if not metrics:  # e.g. resumed after the final evaluation had already run
        metrics = runner.val_loop.run()
    train_time = time.time() - train_start
    if rank != 0:
        return 0

    picture = draw_predictions(runner, cfg, args,
                               osp.join(osp.abspath(args.work_dir), 'val_predictions.png'))
    wall = time.time() - start
    bbox, segm = metrics.get('coco/bbox_mAP'), metrics.get('coco/segm_mAP')
    losses = RecordMetrics.losses  # this process's iterations (after a resume: the rest)
    k = max(1, min(5, len(losses) // 4))
    summary = dict(config=args.config, epochs=args.epochs, iters=runner.iter,
                   train_images=args.train_images, val_images=args.val_images,
                   bbox_mAP=bbox, segm_mAP=segm,
                   metrics={name: float(v) for name, v in metrics.items()},
                   loss_first=sum(losses[:k]) / k if losses else None,
                   loss_last=sum(losses[-k:]) / k if losses else None,
                   train_and_eval_s=round(train_time, 1), wall_s=round(wall, 1),
                   picture=picture)
    with open(osp.join(args.work_dir, 'demo_metrics.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    print(f'\ntoy COCO val ({args.val_images} images): bbox mAP {bbox:.3f} '
          f'(floor {args.floor_bbox}), segm mAP {segm:.3f} (floor {args.floor_segm})')
    if losses:
        print(f'training loss {summary["loss_first"]:.3f} (first {k} iterations) -> '
              f'{summary["loss_last"]:.3f} (last {k})')
    print(f'wall time {wall / 60:.1f} min ({runner.iter} iterations, '
          f'train + eval {train_time / 60:.1f} min)')
    print(f'predictions on val images: {picture}')
    print(f'metrics: {osp.join(osp.abspath(args.work_dir), "demo_metrics.json")}')
    missed = [f'{name} mAP {value:.3f} < {floor}' for name, value, floor in
              (('bbox', bbox, args.floor_bbox), ('segm', segm, args.floor_segm))
              if value is None or value < floor]
    if missed:
        print('FLOOR MISSED: ' + '; '.join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
