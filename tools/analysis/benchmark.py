#!/usr/bin/env python
"""Speed and memory of MogaNet (eager, deploy, channels_last, torch.compile)
against the backbones users would pick instead, measured side by side.

Rows: MogaNet {xt,t,s,b} eager / deploy / deploy+channels_last / deploy+compile
(+channels_last), and mmpretrain's ConvNeXt-T, VAN-B0, VAN-B2, ResNet-50 (eager,
channels_last). Columns: params, FLOPs at 224 (backbone, MMEngine counter),
images/s at batch 1 and 16 at 224, latency of the dense backbone at 1280x800
batch 1, and peak memory of a training step at batch 8 with and without
``with_cp`` (MogaNet rows; on the CPU the peak RSS growth of a fresh process,
on a GPU ``torch.cuda.max_memory_allocated``).

Every timing column is measured in one process with the models interleaved:
each repeat times every model once (for at least ``--min-time`` of forwards), and
the table shows the median over repeats, so ratios between rows compare like with like.

    .venv/bin/python tools/analysis/benchmark.py --json bench.json
    .venv/bin/python tools/analysis/benchmark.py --models moganet_t,convnext_t --repeats 5
    .venv/bin/python tools/analysis/benchmark.py --device cuda
"""
import argparse
import collections
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

SIZES = ['xt', 't', 's', 'b']
VARIANTS = ['eager', 'deploy', 'deploy+cl', 'deploy+compile']
OTHERS = {
    'convnext_t': dict(type='ConvNeXt', arch='tiny'),
    'van_b0': dict(type='VAN', arch='tiny'),
    'van_b2': dict(type='VAN', arch='base'),
    'resnet50': dict(type='ResNet', depth=50),
}


def all_rows():
    rows = [f'moganet_{s}:{v}' for s in SIZES for v in VARIANTS]
    return rows + [f'{m}:{v}' for m in OTHERS for v in ('eager', 'cl')]


def build(name, with_cp=False):
    """The backbone of ``name`` ('moganet_t', 'convnext_t', ...), eval mode."""
    if name.startswith('moganet_'):
        import moganet_mm  # noqa: F401  (registers MogaNet in MMEngine's root MODELS)
        from mmengine.registry import MODELS
        cfg = dict(type='MogaNet', arch=name.split('_')[1], out_indices=(0, 1, 2, 3),
                   with_cp=with_cp)
    else:
        from mmpretrain.registry import MODELS
        cfg = dict(OTHERS[name], out_indices=(0, 1, 2, 3))
    model = MODELS.build(cfg)
    model.init_weights()
    model.eval()  # some mmpretrain backbones' train() returns None
    return model


def prepare(row, device):
    """A callable running the row's model on an input (in the row's format)."""
    name, variant = row.split(':')
    model = build(name).to(device)
    if 'deploy' in variant:
        model.switch_to_deploy()
    channels_last = variant.endswith('cl') or 'compile' in variant
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    # inductor's freezing folds the (now constant) weights into the graph and prepacks
    # them for oneDNN: on the CPU, about 1.4x over plain torch.compile for MogaNet
    # dynamic=False: one static graph per input shape, as a deployed model runs
    fn = torch.compile(model, dynamic=False, options=dict(freezing=device == 'cpu')) \
        if 'compile' in variant else model
    fmt = torch.channels_last if channels_last else torch.contiguous_format

    def run(x):
        with torch.inference_mode():
            out = fn(x.contiguous(memory_format=fmt))
        if device == 'cuda':
            torch.cuda.synchronize()
        return out
    return model, run


def count(model, shape):
    from mmengine.analysis import get_model_complexity_info
    with torch.no_grad():
        info = get_model_complexity_info(model, inputs=(torch.zeros(shape),),
                                         show_table=False, show_arch=False)
    return info['flops'] / 1e9


def time_once(run, x, iters):
    start = time.perf_counter()
    for _ in range(iters):
        run(x)
    return (time.perf_counter() - start) / iters


def op_kind(module):
    """'conv 1x1', 'dw 7x7 d3', 'linear', ... for the modules the profile times."""
    if isinstance(module, torch.nn.Conv2d):
        k, d = module.kernel_size[0], module.dilation[0]
        dw = module.groups == module.in_channels > 1
        return f'{"dw" if dw else "conv"} {k}x{k}' + (f' d{d}' if d > 1 else '')
    if isinstance(module, torch.nn.Linear):
        return 'linear'
    return None


def op_profile(model, run, x, device, iters=10):
    """(total ms, {op kind: ms}) of one forward, each conv / linear module timed by
    forward hooks (not for compiled rows: a compiled graph has no module calls)."""
    times, started = collections.defaultdict(float), {}

    def sync():
        if device == 'cuda':
            torch.cuda.synchronize()

    def start(m, args):
        sync()
        started[m] = time.perf_counter()

    def stop(m, args, out):
        sync()
        times[op_kind(m)] += time.perf_counter() - started[m]

    hooked = [m for m in model.modules() if op_kind(m)]
    handles = [h for m in hooked for h in (m.register_forward_pre_hook(start),
                                           m.register_forward_hook(stop))]
    run(x)
    times.clear()
    total = time_once(run, x, iters)
    for h in handles:
        h.remove()
    ops = {k: 1000 * v / iters for k, v in sorted(times.items(), key=lambda kv: -kv[1])}
    ops['rest (activations, elementwise, copies)'] = 1000 * total - sum(ops.values())
    return 1000 * total, ops


def train_step_memory(name, with_cp, device, batch):
    """Peak memory (MB) of one forward+backward, measured in a fresh process."""
    code = f'''
import torch, sys
sys.path.insert(0, {repr(str(Path(__file__).resolve().parent))})
from benchmark import build
model = build({name!r}, with_cp={with_cp}).to({device!r}).train()
x = torch.randn({batch}, 3, 224, 224, device={device!r})
def rss(): return int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20
def peak_rss():  # VmHWM: this process's own peak (ru_maxrss keeps the parent's across exec)
    line = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]
    return int(line.split()[1]) / 1024
if {device!r} == 'cuda':
    torch.cuda.reset_peak_memory_stats(); base = torch.cuda.memory_allocated() / 2**20
else:
    base = rss()
sum(o.float().mean() for o in model(x)).backward()
if {device!r} == 'cuda':
    print(torch.cuda.max_memory_allocated() / 2**20 - base)
else:
    print(peak_rss() - base)
'''
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f'memory probe failed for {name}: {out.stderr[-2000:]}')
    return float(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--threads', type=int, default=2, help='CPU threads (default 2)')
    parser.add_argument('--models', help='comma-separated model names to keep '
                        '(e.g. moganet_t,convnext_t); default all')
    parser.add_argument('--variants', help='comma-separated variants to keep '
                        f'(of {VARIANTS + ["cl"]}); default all')
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--min-time', type=float, default=0.5,
                        help='seconds each row runs per repeat (default 0.5): as many '
                        'forwards as fit, at least one')
    parser.add_argument('--batch-sizes', default='1,16')
    parser.add_argument('--no-dense', action='store_true', help='skip 1280x800 latency')
    parser.add_argument('--no-memory', action='store_true', help='skip training memory')
    parser.add_argument('--profile', action='store_true',
                        help='also time each kind of conv / linear of every uncompiled '
                        'row at batch 1, 224x224 (forward hooks; totals include their cost)')
    parser.add_argument('--json', help='write the table here as JSON')
    args = parser.parse_args(argv)
    from mmengine.logging import MMLogger
    MMLogger.get_instance('benchmark', log_level='ERROR')  # quiet init/FLOP-counter logs
    torch.set_num_threads(args.threads)
    # every compiled row recompiles MogaNet.forward for each input shape: 4 sizes x 3
    # shapes pass dynamo's default limit of 8, after which it silently runs eager
    torch._dynamo.config.recompile_limit = 64
    rows = [r for r in all_rows()
            if (not args.models or r.split(':')[0] in args.models.split(','))
            and (not args.variants or r.split(':')[1] in args.variants.split(','))]
    if not rows:
        parser.error(f'no rows selected; rows are {all_rows()}')
    others = sorted({r.split(':')[0] for r in rows} & set(OTHERS))
    if others:
        try:
            import mmpretrain.models  # noqa: F401  (the other backbones' registry)
        except Exception as e:  # an environment mmpretrain cannot run in, not bad rows
            parser.error(f'{", ".join(others)} need mmpretrain, which fails to import here '
                         f'({type(e).__name__}: {e}); fix the environment (mmpretrain 1.2 '
                         'fails so with transformers 5), or time MogaNet alone with '
                         f'--models {",".join("moganet_" + s for s in SIZES)}')
    batch_sizes = [int(b) for b in args.batch_sizes.split(',')]

    results = {r: dict(row=r) for r in rows}
    runners, models = {}, {}
    for r in rows:
        model, run = prepare(r, args.device)
        models[r] = model
        name = r.split(':')[0]
        if r.endswith(':eager'):
            results[r]['params_M'] = sum(p.numel() for p in model.parameters()) / 1e6
            results[r]['flops_G'] = count(model.cpu(), (1, 3, 224, 224))
            model.to(args.device)
        runners[r] = run
        print(f'built {r}', file=sys.stderr)

    shapes = {f'img/s bs{b}': (b, 3, 224, 224) for b in batch_sizes}
    if not args.no_dense:
        shapes['ms 1280x800'] = (1, 3, 800, 1280)
    for col, shape in shapes.items():
        x = torch.randn(shape, device=args.device)
        iters = {}
        for r in rows:  # warm-up (and compile) outside the timed repeats
            runners[r](x)
            # each sample runs the row for >= --min-time: the first forwards after
            # another model are slower (cold caches, memory faulted in again), and a
            # short sample would time that switch instead of the model
            iters[r] = max(1, math.ceil(args.min_time / time_once(runners[r], x, 1)))
        samples = {r: [] for r in rows}
        for rep in range(args.repeats):
            for r in rows:
                samples[r].append(time_once(runners[r], x, iters[r]))
            print(f'{col}: repeat {rep + 1}/{args.repeats}', file=sys.stderr)
        for r in rows:
            t = statistics.median(samples[r])
            results[r][col] = shape[0] / t if col.startswith('img/s') else 1000 * t

    if not args.no_memory:
        for r in rows:
            name, variant = r.split(':')
            if name.startswith('moganet_') and variant == 'eager':
                plain = train_step_memory(name, False, args.device, 8)
                ckpt = train_step_memory(name, True, args.device, 8)
                results[r].update({'train MB bs8': plain, 'train MB bs8 with_cp': ckpt,
                                   'with_cp ratio': ckpt / plain})

    cols = ['params_M', 'flops_G', *shapes, 'train MB bs8', 'train MB bs8 with_cp',
            'with_cp ratio']
    print(f'\ndevice: {args.device}' + (f', {args.threads} threads' if args.device == 'cpu'
                                        else f', {torch.cuda.get_device_name()}'))
    print('| row | ' + ' | '.join(cols) + ' |')
    print('|---|' + '---|' * len(cols))
    for r in rows:
        vals = [results[r].get(c) for c in cols]
        print(f'| {r} | ' + ' | '.join('' if v is None else f'{v:.3g}' if isinstance(v, float)
                                        else str(v) for v in vals) + ' |')
    # speed-ups against each model's own eager row, same run
    print('\n| row | ' + ' | '.join(f'{c} vs eager' for c in shapes) + ' |')
    print('|---|' + '---|' * len(shapes))
    for r in rows:
        base = results.get(r.split(':')[0] + ':eager')
        if base and not r.endswith(':eager'):
            ratios = [results[r][c] / base[c] if c.startswith('img/s') else base[c] / results[r][c]
                      for c in shapes]
            print(f'| {r} | ' + ' | '.join(f'{v:.2f}x' for v in ratios) + ' |')
    if args.profile:
        x = torch.randn(1, 3, 224, 224, device=args.device)
        for r in rows:
            if 'compile' in r:
                continue
            total, ops = op_profile(models[r], runners[r], x, args.device)
            results[r]['profile_ms_bs1'] = dict(total=total, **ops)
            print(f'\nprofile {r}, batch 1, 224x224: {total:.1f} ms with hooks')
            print('| op | ms | share |\n|---|---|---|')
            for k, v in ops.items():
                print(f'| {k} | {v:.1f} | {v / total:.0%} |')
    if args.json:
        meta = dict(device=args.device, threads=args.threads, repeats=args.repeats,
                    torch=torch.__version__)
        with open(args.json, 'w') as f:
            json.dump(dict(meta=meta, rows=list(results.values())), f, indent=2)


if __name__ == '__main__':
    main()
