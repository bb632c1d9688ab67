#!/usr/bin/env python
"""The whole-detector step of the GPU run: Mask R-CNN 1x with MogaNet-S at 1280x800,
float32 and fp16 autocast, beside the same detector with ResNet-50, Swin-T and ConvNeXt-T
(mmdet's own configs), built by the benchmark's whole-model rows
(tools/analysis/whole_models.py) and timed interleaved in one process
(tools/analysis/benchmark.py's ``time_rows``).

Rows: ``mask_rcnn:<model>:<variant>:<dtype>`` for MogaNet-S eager and deploy and the
peers eager, each in fp32 and fp16; then, while ``--deadline`` allows, MogaNet-S
``fastest`` (deploy + channels_last + ``torch.compile``), fp32 and fp16, timed with the
ResNet-50 row again. Each row's ms is the median over the repeats; ``vs_resnet50`` is
the speed relative to the ResNet-50 row of the same dtype.

    python tools/gpu/bench_whole.py --json whole_mask_rcnn.json       # on a GPU
    python tools/gpu/bench_whole.py --smoke --json /tmp/whole.json    # CPU smoke
"""
import sys
import tempfile
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed
from mmengine.logging import MMLogger

import moganet_mm  # noqa: F401  (before mmpretrain.models: moganet_mm/compat.py)
from tools.analysis import benchmark, whole_models
from tools.gpu import common
from tools.gpu.device import device_of, machine

MODELS = ['moganet_s', 'resnet50', 'swin_t', 'convnext_t']
DTYPES = {'fp32': None, 'fp16': torch.float16}


def with_autocast(forward, device, dtype):
    """``forward`` under ``torch.autocast`` to ``dtype`` (unchanged for float32)."""
    if dtype is None:
        return forward

    def run(x):
        with torch.autocast(device, dtype=dtype):
            return forward(x)

    return run


def main(argv=None):
    args = common.parser(__doc__.split('\n\n')[0]).parse_args(argv)
    clock = common.Clock(args.deadline)
    device = device_of(args.smoke)
    MMLogger.get_instance('bench_whole', log_level='ERROR')  # no per-parameter init logs
    torch._dynamo.config.recompile_limit = 64
    threads = 2 if args.smoke else torch.get_num_threads()
    torch.set_num_threads(threads)
    # the CPU smoke: two rows, float32 (mmcv's CPU RoIAlign has no half kernels), a
    # small input; the GPU run: the paper's 1280x800
    (h, w), _ = whole_models.TASKS['mask_rcnn']
    if args.smoke:
        h, w = 320, 512
    models = ['moganet_s', 'resnet50'] if args.smoke else MODELS
    dtypes = ['fp32'] if args.smoke else list(DTYPES)
    repeats, min_time = (1, 0.01) if args.smoke else (3, 0.3)
    base_rows = [
        f'mask_rcnn:{m}:{v}' for m in models
        for v in (['eager', 'deploy'] if m == 'moganet_s' else ['eager'])
    ]
    out = dict(
        meta=dict(
            machine(device),
            threads=threads,
            input=f'{w}x{h}',
            batch=1,
            repeats=repeats,
            min_time=min_time,
            smoke=args.smoke),
        rows=[],
        phases={},
        skipped=[],
        errors={})
    work_dir = tempfile.mkdtemp(prefix='gpu_whole_')
    x = torch.randn(1, 3, h, w, generator=torch.Generator().manual_seed(0)).to(device)

    def build(rows):
        runners, info = {}, {}
        for r in rows:
            if clock.left() < 15:
                out['skipped'].append(f'{r} (deadline)')
                continue
            try:
                fwd, info[r] = whole_models.prepare(r, work_dir, threads, device)
                for d in dtypes:
                    runners[f'{r}:{d}'] = with_autocast(fwd, device, DTYPES[d])
            except Exception as err:
                out['errors'][r] = f'{type(err).__name__}: {err}'[:500]
        return runners, info

    def timed(runners, info, label, record=lambda r: True):
        """Time ``runners`` interleaved and keep the rows ``record`` names; rows that fail
        alone are dropped and noted."""
        for r in list(runners):  # one call each first: a row failing (e.g. a dtype an op
            try:  # has no kernel for) must not take the others' timings with it
                runners[r](x)
            except Exception as err:
                out['errors'][r] = f'{type(err).__name__}: {err}'[:500]
                del runners[r]
        medians = benchmark.time_rows(runners, x, repeats, min_time, label)
        for r, t in filter(lambda kv: record(kv[0]), medians.items()):
            base = medians.get(f'mask_rcnn:resnet50:eager:{r.rsplit(":", 1)[1]}')
            out['rows'].append(
                dict(
                    row=r,
                    params_M=info[r.rsplit(':', 1)[0]]['params_M'],
                    ms=1000 * t,
                    vs_resnet50=base / t if base else None))
        common.write_json(args.json, out)

    t0 = clock.elapsed()
    runners, info = build(base_rows)
    out['phases']['build'] = round(clock.elapsed() - t0, 1)
    t0 = clock.elapsed()
    timed(runners, info, 'mask_rcnn')
    out['phases']['time'] = round(clock.elapsed() - t0, 1)
    del runners
    if device == 'cuda':
        torch.cuda.empty_cache()

    # torch.compile of the backbone (the 'fastest' row): compiling takes a while, so it
    # comes last, with the ResNet-50 rows again for the ratio
    if args.smoke:
        out['skipped'].append('mask_rcnn:moganet_s:fastest (smoke: compiling takes minutes '
                              'on a CPU)')
    elif clock.left() < 50:
        out['skipped'].append(f'mask_rcnn:moganet_s:fastest (deadline: {clock.left():.0f} s '
                              'left, needs ~50)')
    else:
        t0 = clock.elapsed()
        runners, info2 = build(['mask_rcnn:moganet_s:fastest', 'mask_rcnn:resnet50:eager'])
        info.update(info2)
        timed(runners, info, 'mask_rcnn fastest', record=lambda r: 'fastest' in r)
        out['phases']['fastest'] = round(clock.elapsed() - t0, 1)
    common.write_json(args.json, out)

    print(f'\nMask R-CNN 1x, batch 1, {w}x{h}, {device} {out["meta"].get("gpu", "")}, median of '
          f'{repeats} interleaved repeats')
    print('| row | params (M) | ms | speed vs ResNet-50 (same dtype) |\n|---|---|---|---|')
    for r in out['rows']:
        ratio = '' if r['vs_resnet50'] is None else f"{r['vs_resnet50']:.2f}x"
        print(f"| {r['row']} | {r['params_M']:.1f} | {r['ms']:.1f} | {ratio} |")
    for what in out['skipped']:
        print(f'[bench_whole] skipped: {what}')
    for what, err in out['errors'].items():
        print(f'[bench_whole] error: {what}: {err}')
    return 0 if out['rows'] else 1


if __name__ == '__main__':
    sys.exit(main())
