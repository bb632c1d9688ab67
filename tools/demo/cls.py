#!/usr/bin/env python
"""Train and evaluate MogaNet-XT classification on a toy ImageNet, on the CPU.

Generates the toy set (``tools/data/make_toy_imagenet.py``) unless it is there and current,
trains ``configs/cls/toy/moganet_xt_in1k_toy.py`` (the real MogaNet-XT ImageNet
config with toy data / schedule / input size / augmentation) from random init
with the MMEngine Runner, evaluates top-1 on the toy val split with mmpretrain's
``Accuracy``, prints the metrics and the wall time, and exits non-zero when
top-1 is below ``--floor``.

    .venv/bin/python tools/demo/cls.py                 # make demo-cls
    .venv/bin/python tools/demo/cls.py --epochs 3 --floor 40 --work-dir /tmp/w
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'data'))

import make_toy_imagenet  # noqa: E402
import toy_stamp  # noqa: E402
from make_toy_imagenet import CLASSES, generate  # noqa: E402

CONFIG = osp.join(REPO, 'configs', 'cls', 'toy', 'moganet_xt_in1k_toy.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--config', default=CONFIG)
    parser.add_argument('--data-root', default=osp.join(REPO, 'data', 'toy_imagenet'),
                        help='toy set; (re)made here unless it is stamped current '
                        '(tools/data/toy_stamp.py)')
    parser.add_argument('--work-dir', default=osp.join(REPO, 'work_dirs', 'demo_cls'))
    parser.add_argument('--epochs', type=int, help="training epochs (default: the config's)")
    parser.add_argument('--floor', type=float, default=90.0,
                        help='minimum top-1 accuracy in percent (default 90)')
    parser.add_argument('--train-per-class', type=int, default=100,
                        help='images per class when generating the toy set')
    parser.add_argument('--val-per-class', type=int, default=30)
    parser.add_argument('--size', type=int, default=64)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    if args.epochs is not None and args.epochs < 1:
        parser.error(f'--epochs must be >= 1, got {args.epochs}')
    if not 0 <= args.floor <= 100:
        parser.error(f'--floor is a percentage in 0..100, got {args.floor}')
    return args


def set_epochs(cfg, epochs: int):
    """Shorten/lengthen the toy schedule: cosine ends, validation and the
    checkpoint happen at the last epoch."""
    cfg.train_cfg.max_epochs = epochs
    cfg.train_cfg.val_interval = epochs
    warmup = min(cfg.param_scheduler[0]['end'], max(epochs - 1, 0))
    cfg.param_scheduler[0]['end'] = warmup
    cfg.param_scheduler[1]['begin'] = warmup
    cfg.param_scheduler[1]['end'] = epochs
    if warmup == 0:
        cfg.param_scheduler = cfg.param_scheduler[1:]
    cfg.default_hooks.checkpoint.interval = epochs


def main(argv=None) -> int:
    args = parse_args(argv)
    start = time.time()
    spec = toy_stamp.spec_of(make_toy_imagenet.__file__, train_per_class=args.train_per_class,
                             val_per_class=args.val_per_class, size=args.size, seed=args.seed)
    toy_stamp.ensure(args.data_root, spec, lambda: print('generated', generate(
        args.data_root, args.train_per_class, args.val_per_class, args.size, args.seed)))

    import moganet_mm  # noqa: F401
    from mmengine.config import Config
    from mmengine.runner import Runner

    cfg = Config.fromfile(args.config)
    if tuple(cfg.classes) != CLASSES:
        raise ValueError(f'{args.config} lists classes {cfg.classes}; the toy set '
                         f'has {CLASSES}')
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = args.data_root
    if args.epochs is not None:
        set_epochs(cfg, args.epochs)
    cfg.work_dir = args.work_dir
    cfg.launcher = 'none'

    runner = Runner.from_cfg(cfg)
    runner.train()
    train_time = time.time() - start
    metrics = runner.test()
    wall = time.time() - start
    top1 = metrics['accuracy/top1']
    result = dict(top1=round(top1, 2), epochs=cfg.train_cfg.max_epochs,
                  train_images=len(runner.train_dataloader.dataset),
                  val_images=len(runner.test_dataloader.dataset),
                  train_s=round(train_time, 1), wall_s=round(wall, 1),
                  floor=args.floor)
    print('cls demo: ' + json.dumps(result))
    os.makedirs(args.work_dir, exist_ok=True)
    with open(osp.join(args.work_dir, 'demo_metrics.json'), 'w') as f:
        json.dump(result, f, indent=2)
    if top1 < args.floor:
        print(f'cls demo: FAILED, top-1 {top1:.2f}% < floor {args.floor}%', file=sys.stderr)
        return 1
    print(f'cls demo: OK, top-1 {top1:.2f}% >= {args.floor}% in {wall:.0f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
