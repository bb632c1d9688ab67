#!/usr/bin/env python
"""The training step of the GPU run: Mask R-CNN MogaNet-XT on the toy COCO set with
mixed precision (MMEngine's ``AmpOptimWrapper``, fp16, dynamic loss scale) for 100
iterations (4 epochs of 100 images at batch 4), then one ``CocoMetric`` evaluation on
60 val images: the ``make demo`` job (tools/demo/det.py) with these flags.

Records, beside the demo's own summary (losses, metrics, times): whether every
training loss is finite and the loss falls (mean of the first iterations against the
last), the steady step time (median of iterations 11 on), and the peak GPU memory of
the training (``torch.cuda.max_memory_allocated``). Exits 1 when a loss is not finite,
the loss does not fall or the metric is missing. The CPU smoke trains 4 iterations in
float32 (AMP needs a GPU) and checks only that the losses are finite.

    python tools/gpu/train_det.py --json train_amp.json --work-dir /tmp/t --data-root /tmp/d
"""
import json
import math
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed
import moganet_mm  # noqa: F401  (before mmpretrain.models: moganet_mm/compat.py)
from tools.demo import det, runner
from tools.gpu import common
from tools.gpu.device import device_of, machine

#: the demo's flags: 4 epochs of 100 train images at batch 4 = 100 iterations (a quarter
#: of the demo's set: a quarter of the time to make it)
TRAIN = ['--train', '100', '--val', '60', '--epochs', '4', '--batch-size', '4']
SMOKE = ['--train', '16', '--val', '4', '--epochs', '1', '--batch-size', '4']
AMP = ['optim_wrapper.type=AmpOptimWrapper', 'optim_wrapper.loss_scale=dynamic']
WORKERS = ['train_dataloader.num_workers=4', 'train_dataloader.persistent_workers=True']


def main(argv=None):
    p = common.parser(__doc__.split('\n\n')[0])
    p.add_argument('--work-dir', required=True)
    p.add_argument('--data-root', required=True, help='the toy set is made here')
    args = p.parse_args(argv)
    device = device_of(args.smoke)
    stamps, peaks, recorders = [], [], []

    class Recorder(runner._RecordLosses):
        """The demo's loss recorder, which also stamps each iteration's end and reads
        the peak GPU memory when training ends (before the evaluation)."""

        def __init__(self):
            super().__init__()
            recorders.append(self)
            losses_hook = self.hook.after_train_iter

            def after_train_iter(runner_, batch_idx, data_batch=None, outputs=None):
                losses_hook(runner_, batch_idx, data_batch, outputs)
                stamps.append(time.perf_counter())

            def after_train(runner_):
                if device == 'cuda':
                    peaks.append(torch.cuda.max_memory_allocated() / 2**20)

            self.hook.after_train_iter = after_train_iter
            self.hook.after_train = after_train

    runner._RecordLosses = Recorder
    flags = [
        '--data-root', args.data_root, '--work-dir', args.work_dir, '--floor', '0',
        *(SMOKE if args.smoke else TRAIN)
    ]
    if device == 'cuda':
        flags += ['--cfg-options', *WORKERS, *AMP]
    t0 = time.time()
    rc = runner.run(det.TASK, flags)
    wall = time.time() - t0
    summary_file = Path(args.work_dir) / 'demo_summary.json'
    demo = json.loads(summary_file.read_text()) if summary_file.is_file() else {}
    losses = recorders[0].losses if recorders else []
    steps = [b - a for a, b in zip(stamps, stamps[1:])]
    steady = steps[10:] if len(steps) > 20 else steps
    finite = bool(losses) and all(math.isfinite(v) for v in losses)
    falling = bool(demo) and demo['loss_last'] < demo['loss_first']
    metrics = demo.get('metrics', {})
    has_metric = {'coco/bbox_mAP', 'coco/segm_mAP'} <= set(metrics)
    out = dict(
        meta=dict(
            machine(device),
            smoke=args.smoke,
            amp='fp16 (AmpOptimWrapper, dynamic loss scale)' if device == 'cuda' else 'off',
            flags=flags),
        demo_rc=rc,
        iters=len(losses),
        losses_finite=finite,
        loss_falls=falling,
        loss_first=demo.get('loss_first'),
        loss_last=demo.get('loss_last'),
        losses=[round(v, 4) for v in losses],
        metrics=metrics,
        step_s_median=round(statistics.median(steady), 4) if steady else None,
        train_s=demo.get('train_s'),
        eval_s=demo.get('eval_s'),
        peak_train_MB=round(peaks[0], 1) if peaks else None,
        peak_MB_with_eval=round(torch.cuda.max_memory_allocated() /
                                2**20, 1) if device == 'cuda' else None,
        wall_s=round(wall, 1),
        demo_summary=demo)
    common.write_json(args.json, out)
    print(f'[train_det] {out["iters"]} iterations on {device}, loss {out["loss_first"]} -> '
          f'{out["loss_last"]} (finite: {finite}, falls: {falling}), step '
          f'{out["step_s_median"]} s, peak {out["peak_train_MB"]} MB, metrics {metrics}')
    ok = finite and has_metric and (falling or args.smoke)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
