"""The one demo job: make the toy data, train, evaluate, draw, check the floor.

Every ``make demo*`` target runs this job with a small task description,
:class:`DemoTask` (``tools/demo/<task>.py``): which toy config to train, which
generator makes its data, how the config finds the data, the floors and how to
draw a picture of the predictions. The job, for every task alike:

1. makes the toy set under ``--data-root`` with the task's generator,
   ``make(root, train, val, size, seed)``, unless the set there is stamped as made
   by the current generator with these settings (:mod:`tools.data.toy_stamp`);
2. builds the toy config with MMEngine's ``Runner``, pointed at the set, with the
   schedule of ``--epochs`` / ``--iters``, the training ``--seed`` and
   ``--cfg-options``; optionally evaluates the untrained model;
3. trains (``--resume`` continues a killed run from its last checkpoint), then
   evaluates once on the toy val split with the codebase's own metric;
4. draws predictions on val images, writes ``<work-dir>/demo_summary.json`` (the
   schema of :func:`summary`) and prints the metrics against the floors;
5. exits 1 when a metric is below its floor. Floors are in the metric's own unit
   (COCO mAP / AP as fractions, mIoU and top-1 in percent, video MSE per frame).

Shared flags: ``--train N --val N --size N --data-root DIR --data-seed N``
(the set), ``--epochs N | --iters N`` (the schedule: each task trains by one),
``--seed N`` (training), ``--floor VALUE | --floor METRIC=VALUE ...``,
``--work-dir DIR``, ``--resume``, ``--eval-untrained``, ``--batch-size N``,
``--launcher {none,pytorch}``, ``--cfg-options KEY=VALUE ...``.
"""
import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable, Dict, Optional

from mmengine.config import Config, DictAction
from mmengine.dist import barrier, get_rank
from mmengine.hooks import Hook
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import moganet_mm  # noqa: F401  (registers MogaNet)
from moganet_mm.engine import join_cpu_process_group
from tools.data import toy_stamp
from tools.paths import REPO


@dataclass
class DemoTask:
    """What differs between the demos; the job is :func:`run`.

    Args:
        name: the task, as in ``make demo-<name>`` and ``configs/<name>/``.
        codebase: whose modules the config uses (``mmdet``, ``mmseg``, ...).
        config: the toy config, relative to the repo.
        generator: the toy set's module in ``tools.data``; its
            ``make(root, train, val, size, seed)`` writes the set.
        data_root: the default set folder, relative to the repo.
        train, val, size: the generator's default settings.
        floors: metric name (as the evaluator reports it) -> floor.
        point_at_data: ``(cfg, root)``: sets the config's data and annotation paths.
        draw: ``(runner, root, out_file) -> description``, a picture of predictions
            on val images; None for none.
        report: ``(runner, root, metrics) -> dict`` of further numbers for the
            summary (e.g. trivial baselines); None for none.
        eval_untrained: evaluate the model before training by default.
    """
    name: str
    codebase: str
    config: str
    generator: ModuleType
    data_root: str
    train: int
    val: int
    size: int
    floors: Dict[str, float]
    point_at_data: Callable
    draw: Optional[Callable] = None
    report: Optional[Callable] = None
    eval_untrained: bool = False


def parse_args(task: DemoTask, argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog=f'tools/demo/{task.name}.py',
        description=f'Train and evaluate {task.config} on its toy set, on the CPU '
        f'(make {"demo" if task.name == "det" else "demo-" + task.name}); the flags are '
        'those of every demo.')
    p.add_argument('--config', default=task.config, help='toy config to train')
    p.add_argument(
        '--data-root',
        default=task.data_root,
        help='toy set folder, made there unless stamped current')
    p.add_argument('--train', type=int, default=task.train, help='training images, if made')
    p.add_argument('--val', type=int, default=task.val, help='val images, if made')
    p.add_argument('--size', type=int, default=task.size, help='image side, if made')
    p.add_argument('--data-seed', type=int, default=0, help='seed of the toy set')
    length = p.add_mutually_exclusive_group()
    length.add_argument('--epochs', type=int, help="training epochs (default: the config's)")
    length.add_argument('--iters', type=int, help="training iterations (default: the config's)")
    p.add_argument('--seed', type=int, default=0, help='training seed')
    p.add_argument(
        '--floor',
        nargs='+',
        default=[],
        metavar='[METRIC=]VALUE',
        help=f'floors in the metrics\' units; a bare value sets every floor '
        f'(default {task.floors})')
    p.add_argument('--work-dir', default=f'work_dirs/demo_{task.name}')
    p.add_argument(
        '--resume', action='store_true', help='continue from the last checkpoint in --work-dir')
    p.add_argument(
        '--eval-untrained',
        action=argparse.BooleanOptionalAction,
        default=task.eval_untrained,
        help='also evaluate before training')
    p.add_argument('--batch-size', type=int, help="training batch size (default: the config's)")
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    p.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        default={},
        metavar='KEY=VALUE',
        help='further config overrides, as in mim train')
    args = p.parse_args(argv)
    for name in ('train', 'val', 'size', 'epochs', 'iters', 'batch_size'):
        value = getattr(args, name)
        if value is not None and value < 1:
            p.error(f'--{name.replace("_", "-")} must be >= 1, got {value}')
    config = Path(args.config)
    args.config = str(config if config.is_absolute() else REPO / config)
    if not Path(args.config).is_file():
        p.error(f'--config {config}: no such file')
    data_root = Path(args.data_root)
    args.data_root = str(data_root if data_root.is_absolute() else REPO / data_root)
    work_dir = Path(args.work_dir)
    args.work_dir = str(work_dir if work_dir.is_absolute() else REPO / work_dir)
    try:
        args.floors = parse_floors(args.floor, task.floors)
    except ValueError as err:
        p.error(str(err))
    return args


def parse_floors(values, defaults: Dict[str, float]) -> Dict[str, float]:
    """``['0.4']`` sets every floor; ``['coco/segm_mAP=0.4']`` one of them."""
    floors = dict(defaults)
    for value in values:
        name, _, number = value.rpartition('=')
        if name and name not in floors:
            raise ValueError(f'--floor {value}: unknown metric {name!r}; the floored '
                             f'metrics are {sorted(floors)}')
        try:
            number = float(number)
        except ValueError:
            raise ValueError(f'--floor {value}: {number!r} is not a number') from None
        floors.update({name: number} if name else dict.fromkeys(floors, number))
    return floors


def ensure_data(task: DemoTask, args):
    """The toy set under ``args.data_root``, made unless stamped current."""
    settings = dict(train=args.train, val=args.val, size=args.size, seed=args.data_seed)
    spec = toy_stamp.spec_of(task.generator.__file__, **settings)
    toy_stamp.ensure(
        args.data_root,
        spec,
        lambda: task.generator.make(args.data_root, **settings),
        log=lambda m: print(f'[demo {task.name}] {m}'))


def set_schedule(cfg, epochs: Optional[int] = None, iters: Optional[int] = None):
    """Lengthen or shorten the training loop to ``epochs`` or ``iters``.

    Schedulers in the loop's unit that ran to the old end run to the new one
    (cosine ``T_max`` with them); a warm-up longer than the new run ends one unit
    before it, and what began after it begins there. Iteration warm-ups in an
    epoch loop keep their length. Validation and the checkpoint come at the end.
    """
    loop = cfg.train_cfg
    by_epoch = 'max_epochs' in loop
    if (epochs if by_epoch else iters) is None:
        if epochs or iters:
            unit = 'epochs' if by_epoch else 'iterations'
            raise ValueError(f'{Path(cfg.filename).name} trains by {unit}; use '
                             f'--{"epochs" if by_epoch else "iters"}')
        return
    key = 'max_epochs' if by_epoch else 'max_iters'
    old, new = loop[key], epochs if by_epoch else iters
    loop[key] = new
    for sched in cfg.get('param_scheduler') or []:
        if sched.get('by_epoch', True) != by_epoch:
            continue
        begin = sched.get('begin', 0)
        if sched.get('T_max') == old - begin:
            sched.T_max = new - begin
        if sched.get('end', math.inf) >= old:
            sched.end = new
        elif sched.end >= new:  # a warm-up that would outlast the run
            sched.end = max(new - 1, 1)
        if begin >= new:
            sched.begin = max(new - 1, 0)
    cfg.param_scheduler = [
        s for s in cfg.get('param_scheduler') or [] if s.get('end', math.inf) > s.get('begin', 0)
    ]
    hook = cfg.default_hooks.checkpoint
    hook.interval, hook.by_epoch = new, by_epoch


def build_cfg(task: DemoTask, args):
    """The toy config with this run's data, schedule, seed and work dir."""
    cfg = Config.fromfile(args.config)
    task.point_at_data(cfg, args.data_root.rstrip('/') + '/')
    set_schedule(cfg, args.epochs, args.iters)
    # evaluate once, after training (and before, with --eval-untrained): MMEngine's
    # train loops also validate at their last epoch / iteration unless val_begin is past it
    loop = cfg.train_cfg
    loop.val_begin = loop.val_interval = (loop.get('max_epochs') or loop.get('max_iters')) + 1
    if args.batch_size:
        cfg.train_dataloader.batch_size = args.batch_size
    cfg.work_dir = args.work_dir
    cfg.resume = args.resume
    cfg.launcher = args.launcher
    cfg.randomness = dict(seed=args.seed)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


class _RecordLosses:
    """The training losses of this process, for the summary."""

    def __init__(self):

        record = self.losses = []

        class Recorder(Hook):
            priority = 'VERY_LOW'

            def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
                record.append(outputs['loss'].item())

        self.hook = Recorder()

    def first_last(self, k_max=5):
        k = max(1, min(k_max, len(self.losses) // 4))
        if not self.losses:
            return None, None
        return sum(self.losses[:k]) / k, sum(self.losses[-k:]) / k


def summary(task, args, runner, metrics, untrained, times, losses, picture, extra) -> dict:
    """The one summary schema of every demo (``demo_summary.json``)."""
    floors = args.floors
    missed = {
        m: metrics.get(m)
        for m, f in floors.items() if metrics.get(m) is None or not metrics[m] >= f
    }
    loss_first, loss_last = losses.first_last()
    loop = runner.cfg.train_cfg
    return dict(
        task=task.name,
        config=str(Path(args.config).relative_to(REPO))
        if Path(args.config).is_relative_to(REPO) else args.config,
        data_root=args.data_root,
        data_seed=args.data_seed,
        seed=args.seed,
        train_images=len(runner.train_dataloader.dataset),
        val_images=len(runner.val_dataloader.dataset),
        schedule={'epochs': loop.max_epochs} if 'max_epochs' in loop else {'iters': loop.max_iters},
        iters=runner.iter,
        batch_size=runner.cfg.train_dataloader.batch_size,
        metrics={
            k: float(v)
            for k, v in metrics.items()
        },
        untrained_metrics={
            k: float(v)
            for k, v in untrained.items()
        } if untrained else None,
        floors=floors,
        missed=missed,
        passed=not missed,
        loss_first=loss_first,
        loss_last=loss_last,
        train_s=round(times['train'], 1),
        s_per_iter=round(times['train'] / max(len(losses.losses), 1), 2),
        eval_s=round(times['eval'], 1),
        wall_s=round(times['wall'], 1),
        picture=picture,
        extra=extra)


def run(task: DemoTask, argv=None) -> int:
    """The demo job of ``task``; returns the exit status (1: a floor missed)."""
    args = parse_args(task, argv)
    start = time.time()

    init_default_scope(task.codebase)
    try:
        cfg = build_cfg(task, args)
    except ValueError as err:
        print(f'tools/demo/{task.name}.py: error: {err}', file=sys.stderr)
        return 2
    if args.launcher != 'none' and join_cpu_process_group():  # CPU DDP, as tools/train.py
        cfg.model_wrapper_cfg = dict(type='CPUDistributedDataParallel')
        cfg.env_cfg.dist_cfg = dict(backend='gloo')
    runner = Runner.from_cfg(cfg)  # reads no data yet
    if get_rank() == 0:
        ensure_data(task, args)
    barrier()  # the other ranks wait for rank 0's set
    losses = _RecordLosses()
    runner.register_hook(losses.hook)

    untrained = None
    t = time.time()
    if args.eval_untrained and not args.resume:
        runner.model.init_weights()
        untrained = runner.val_loop.run()
    eval_untrained_s = time.time() - t
    t = time.time()
    runner.train()
    train_s = time.time() - t
    t = time.time()
    metrics = runner.val_loop.run()
    eval_s = time.time() - t
    if get_rank() != 0:
        return 0

    work_dir = Path(args.work_dir)
    picture = task.draw(runner, args.data_root, work_dir / f'{task.name}_predictions.png') \
        if task.draw else None
    extra = task.report(runner, args.data_root, metrics) if task.report else {}
    times = dict(train=train_s, eval=eval_s + eval_untrained_s, wall=time.time() - start)
    result = summary(task, args, runner, metrics, untrained, times, losses, picture, extra)
    (work_dir / 'demo_summary.json').write_text(json.dumps(result, indent=2))
    print_result(task, result, work_dir)
    return 0 if result['passed'] else 1


def print_result(task, result, work_dir):
    tag = f'[demo {task.name}]'
    print(f"\n{tag} {result['config']}: {result['train_images']} train / "
          f"{result['val_images']} val images, {result['iters']} iterations of batch "
          f"{result['batch_size']} in {result['train_s']:.0f} s ({result['s_per_iter']} s/iter), "
          f"wall {result['wall_s']:.0f} s")
    if result['loss_first'] is not None:
        print(f"{tag} training loss {result['loss_first']:.3f} -> {result['loss_last']:.3f}")
    for name, value in result['metrics'].items():
        before = (result['untrained_metrics'] or {}).get(name)
        floor = result['floors'].get(name)
        print(f'{tag} {name} {value:.4g}' +
              (f' (untrained {before:.4g})' if before is not None else '') +
              (f', floor {floor}' if floor else ''))
    for name, value in (result['extra'] or {}).items():
        print(f'{tag} {name}: {value}')
    if result['picture']:
        print(f"{tag} predictions: {result['picture']}")
    print(f"{tag} summary: {work_dir / 'demo_summary.json'}")
    if result['missed']:
        missed = '; '.join(f'{m} {v} < {result["floors"][m]}' for m, v in result['missed'].items())
        print(f'{tag} FLOOR MISSED: {missed}', file=sys.stderr)
    else:
        print(f'{tag} OK: every floor met')
