#!/usr/bin/env python
"""Speed and memory of MogaNet (eager, deploy, channels_last, torch.compile, ONNX
Runtime) against the backbones users would pick instead, measured side by side.

Rows: MogaNet {xt,t,s,b} eager / deploy / deploy+channels_last / deploy+compile
(+channels_last) / ort (the eager model exported to ONNX, run by ONNX Runtime) /
deploy+ort (the deploy-mode model exported) / ov, deploy+ov (the same, run by OpenVINO
at f32) / deploy+ort-int8, deploy+ov-int8 (the deploy-mode export quantized to int8
QDQ, moganet_mm.deploy.quantize, calibrated on 8 seeded random inputs: for speed
only) / deploy+ov-bf16 (OpenVINO at bf16, on CPUs that have it), and mmpretrain's
ConvNeXt-T, VAN-B0, VAN-B2, ResNet-50, Swin-T through the same paths (eager, cl,
compile = channels_last + torch.compile, ort, ov, ort-int8, ov-int8, ov-bf16).
A table puts each model through each deployment path (eager, fastest torch,
ONNX Runtime and OpenVINO at f32 and int8, OpenVINO bf16) as a ratio to ResNet-50
through the same path, and a last one picks each model's fastest reduced-precision
row (int8 or bf16, whichever this CPU runs faster) against its ONNX Runtime f32 row.
``--autocast fp16,bf16`` adds each model's fastest uncompiled row under
``torch.autocast`` (``deploy+cl+bf16``, ``cl+bf16``, ...) with a column for its
largest error against float32.

Columns: the precision each row computes in (f32; int8 convs; bf16; the autocast dtype),
for the exported rows their largest error against the torch model (relative to each
feature map's largest magnitude), params, FLOPs at 224 (backbone, MMEngine counter),
images/s at batch 1 and 16 at 224, latency of the dense backbone at 1280x800 batch 1,
and peak memory of a training step at batch 8 with and without ``with_cp`` (MogaNet
rows; on the CPU the peak RSS growth of a fresh process, on a GPU
``torch.cuda.max_memory_allocated``).

Every timing column is measured in one process with the models interleaved:
each repeat times every model once (for at least ``--min-time`` of forwards), and
the table shows the median over repeats, so ratios between rows compare like with like.

    .venv/bin/python tools/analysis/benchmark.py --json bench.json
    .venv/bin/python tools/analysis/benchmark.py --models moganet_t,convnext_t --repeats 5
    .venv/bin/python tools/analysis/benchmark.py --device cuda --autocast fp16,bf16
    .venv/bin/python tools/analysis/benchmark.py --whole --repeats 3   # whole task models

``--whole`` times whole task models instead (tools/analysis/whole_models.py): Mask
R-CNN 1x at 1280x800, UperNet at 2048x512 and TopDown at 256x192 with MogaNet-S and
with ResNet-50, Swin-T and ConvNeXt-T, each through eager, its fastest torch path,
ONNX Runtime and OpenVINO at f32 and int8 (MogaNet also deploy), interleaved in one
process, as ratios to the ResNet-50 model through the same path.
"""
import argparse
import collections
import gc
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed
from mmengine.analysis import get_model_complexity_info
from mmengine.logging import MMLogger

from moganet_mm import MogaNet
from moganet_mm.deploy import openvino, quantize
from moganet_mm.deploy.cli import open_runtime
from moganet_mm.deploy.exporter import dynamic_axes, export
from moganet_mm.deploy.models import BackboneOnly
from tools.analysis import whole_models
from tools.paths import REPO

SIZES = ['xt', 't', 's', 'b']
VARIANTS = [
    'eager', 'deploy', 'deploy+cl', 'deploy+compile', 'ort', 'deploy+ort', 'ov', 'deploy+ov',
    'deploy+ort-int8', 'deploy+ov-int8', 'deploy+ov-bf16'
]
#: the rows run from an ONNX export (dynamic batch and input size) by ONNX Runtime or
#: OpenVINO (CPU only), and the precision each computes in
ORT_VARIANTS = ('ort', 'deploy+ort', 'ov', 'deploy+ov', 'ort-int8', 'ov-int8', 'deploy+ort-int8',
                'deploy+ov-int8', 'ov-bf16', 'deploy+ov-bf16')
OV_VARIANTS = ('ov', 'deploy+ov', 'ov-int8', 'deploy+ov-int8', 'ov-bf16', 'deploy+ov-bf16')
#: OpenVINO running the float export at bf16: only on CPUs whose OpenVINO lists BF16
#: (AVX-512 BF16, AMX); elsewhere left out of the default rows, with a note
BF16_VARIANTS = ('ov-bf16', 'deploy+ov-bf16')
#: the peers' rows: eager, channels_last, their fastest torch path (channels_last +
#: torch.compile) and the same exports as MogaNet's (no deploy mode to fold)
OTHER_VARIANTS = ['eager', 'cl', 'compile', 'ort', 'ov', 'ort-int8', 'ov-int8', 'ov-bf16']
#: each path a deployment picks, and the row of it for MogaNet and for a peer: the
#: table of ratios to ResNet-50 compares the rows of one path
PATHS = {
    'eager': ('eager', 'eager'),
    'fastest torch': ('deploy+compile', 'compile'),
    'ONNX Runtime f32': ('deploy+ort', 'ort'),
    'ONNX Runtime int8': ('deploy+ort-int8', 'ort-int8'),
    'OpenVINO f32': ('deploy+ov', 'ov'),
    'OpenVINO int8': ('deploy+ov-int8', 'ov-int8'),
    'OpenVINO bf16': ('deploy+ov-bf16', 'ov-bf16'),
}
#: --autocast: the dtypes, and the row each model runs under torch.autocast
AUTOCAST = {'fp16': torch.float16, 'bf16': torch.bfloat16}
AUTOCAST_BASE = {'moganet': 'deploy+cl', 'other': 'cl'}
OTHERS = {
    'convnext_t': dict(type='ConvNeXt', arch='tiny'),
    'van_b0': dict(type='VAN', arch='tiny'),
    'van_b2': dict(type='VAN', arch='base'),
    'resnet50': dict(type='ResNet', depth=50),
    'swin_t': dict(type='SwinTransformer', arch='tiny'),
}


def all_rows(autocast=()):
    """Every row; ``autocast`` (of 'fp16', 'bf16') adds the autocast rows."""
    amp = [f'+{d}' for d in autocast]
    rows = [
        f'moganet_{s}:{v}' for s in SIZES
        for v in VARIANTS + [AUTOCAST_BASE['moganet'] + a for a in amp]
    ]
    return rows + [
        f'{m}:{v}' for m in OTHERS
        for v in OTHER_VARIANTS + [AUTOCAST_BASE['other'] + a for a in amp]
    ]


def split_autocast(variant):
    """('deploy+cl', torch.bfloat16) for 'deploy+cl+bf16'; (variant, None) without."""
    base, _, dtype = variant.rpartition('+')
    return (base, AUTOCAST[dtype]) if dtype in AUTOCAST else (variant, None)


def build(name, with_cp=False):
    """The backbone of ``name`` ('moganet_t', 'convnext_t', ...), eval mode."""
    if name.startswith('moganet_'):
        model = MogaNet(arch=name.split('_')[1], out_indices=(0, 1, 2, 3), with_cp=with_cp)
    else:
        from mmpretrain.registry import MODELS  # the peers are mmpretrain's backbones
        model = MODELS.build(dict(OTHERS[name], out_indices=(0, 1, 2, 3)))
    model.init_weights()
    model.eval()  # some mmpretrain backbones' train() returns None
    return model


def prepare(row, device, threads=2, work_dir=None, keep_float=()):
    """(model, callable running the row's model on an input in the row's format)."""
    name, variant = row.split(':')
    variant, dtype = split_autocast(variant)
    model = build(name).to(device)
    if 'deploy' in variant:
        model.switch_to_deploy()
    if variant in ORT_VARIANTS:
        return model, ort_runner(model, device, threads, work_dir, f'{name}_{variant}',
                                 'openvino' if variant in OV_VARIANTS else 'ort',
                                 variant.endswith('int8'), keep_float,
                                 'bf16' if variant in BF16_VARIANTS else 'f32')
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
        # autocast off for the float32 rows (enabled=False)
        with torch.inference_mode(), torch.autocast(device, dtype=dtype, enabled=bool(dtype)):
            out = fn(x.contiguous(memory_format=fmt))
        if device == 'cuda':
            torch.cuda.synchronize()
        return out

    return model, run


def precision(variant, keep_float=()):
    """What a row computes in: 'f32', the int8 rows' mix, OpenVINO's bf16 or the
    autocast dtype."""
    if variant in BF16_VARIANTS:
        return 'bf16'
    if variant.endswith('int8'):
        return quantize.DESCRIPTION + (f' ({"+".join(keep_float)} f32)' if keep_float else '')
    dtype = split_autocast(variant)[1]
    return {v: k for k, v in AUTOCAST.items()}[dtype] if dtype else 'f32'


def ort_runner(model,
               device,
               threads,
               work_dir,
               stem,
               runtime='ort',
               int8=False,
               keep_float=(),
               ov_precision='f32'):
    """The backbone exported to ONNX (dynamic batch and size, tools/deploy) and run
    by ONNX Runtime with ``threads`` intra-op threads (CUDA provider on a GPU), or by
    OpenVINO with its float layers at ``ov_precision`` (``runtime='openvino'``, CPU);
    ``int8``: the export quantized to int8 QDQ first, calibrated on 8 seeded random
    inputs (speed, not accuracy), with the convs named by a ``keep_float`` pattern
    float."""
    names = [f'feat{i}' for i in range(len(model.out_indices))]
    path = str(Path(work_dir or tempfile.mkdtemp()) / f'{stem}.onnx')
    export(
        BackboneOnly(model.cpu()), torch.randn(1, 3, 224, 224), path, names,
        dynamic_axes(
            names, outputs={
                n: {
                    0: 'batch',
                    2: f'h{i}',
                    3: f'w{i}'
                }
                for i, n in enumerate(names)
            }))
    if int8:
        g = torch.Generator().manual_seed(0)
        path = quantize.quantize(
            path,
            path[:-len('.onnx')] + '.int8.onnx',
            [torch.randn(1, 3, 224, 224, generator=g) for _ in range(8)],
            nodes_to_exclude=quantize.conv_nodes(path, keep_float) if keep_float else ())
    # OpenVINO's precision set, never its default (bf16 where the CPU has it)
    return open_runtime(runtime, path, ov_precision, threads=threads, device=device)[0]


def rel_error_vs_torch(model, run, device):
    """The largest error of an autocast or exported row's feature maps against the same
    torch model in float32, relative to each map's largest magnitude (batch 1,
    224x224)."""
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(0)).to(device)
    with torch.inference_mode():  # the exported rows' model stays on the CPU
        ref = model(
            x.to(next(model.parameters()).device).contiguous(memory_format=torch.channels_last))
    out = run(x)
    return max(
        ((torch.as_tensor(o).float().cpu() - r.cpu()).abs().max() / r.abs().max().cpu()).item()
        for o, r in zip(out, ref))


def count(model, shape):
    with torch.no_grad():
        info = get_model_complexity_info(
            model, inputs=(torch.zeros(shape), ), show_table=False, show_arch=False)
    return info['flops'] / 1e9


def time_once(run, x, iters):
    start = time.perf_counter()
    for _ in range(iters):
        run(x)
    return (time.perf_counter() - start) / iters


def time_rows(runners, x, repeats, min_time, label):
    """{row: median seconds per call}: every repeat times every row once, interleaved,
    each for >= ``min_time`` of calls (after one warm-up call, outside the repeats)."""
    iters = {}
    for r, run in runners.items():  # warm-up (and compile) outside the timed repeats
        run(x)
        # each sample runs the row for >= min_time: the first forwards after another
        # model are slower (cold caches, memory faulted in again), and a short sample
        # would time that switch instead of the model
        iters[r] = max(1, math.ceil(min_time / time_once(run, x, 1)))
    samples = {r: [] for r in runners}
    for rep in range(repeats):
        for r, run in runners.items():
            samples[r].append(time_once(run, x, iters[r]))
        print(f'{label}: repeat {rep + 1}/{repeats}', file=sys.stderr)
    return {r: statistics.median(v) for r, v in samples.items()}


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
    handles = [
        h for m in hooked
        for h in (m.register_forward_pre_hook(start), m.register_forward_hook(stop))
    ]
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
import torch
from tools.analysis.benchmark import build
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
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         cwd=REPO)  # python -c finds tools/ in the working folder
    if out.returncode:
        raise RuntimeError(f'memory probe failed for {name}: {out.stderr[-2000:]}')
    return float(out.stdout.strip().splitlines()[-1])


def print_speedups(results, rows, shapes, base):
    """A table of each of ``rows`` against its model's ``base`` variant row, one column
    per timed shape (images/s and ms both as speed-ups); rows without one are skipped."""
    pairs = [(r, results[f"{r.split(':')[0]}:{base}"]) for r in rows
             if r.split(':')[1] != base and f"{r.split(':')[0]}:{base}" in results]
    if not pairs:
        return
    print('\n| row | ' + ' | '.join(f'{c} vs {base}' for c in shapes) + ' |')
    print('|---|' + '---|' * len(shapes))
    for r, ref in pairs:
        ratios = [
            results[r][c] / ref[c] if c.startswith('img/s') else ref[c] / results[r][c]
            for c in shapes
        ]
        print(f'| {r} | ' + ' | '.join(f'{v:.2f}x' for v in ratios) + ' |')


def print_paths(results, rows, shapes):
    """Each model through each deployment path (:data:`PATHS`), as a speed ratio to
    ResNet-50 through the same path, one column per timed shape."""
    base = {p: results.get(f'resnet50:{v[1]}') for p, v in PATHS.items()}
    lines = []
    for path, (moga, other) in PATHS.items():
        for r in rows:
            name, variant = r.split(':')
            if variant != (moga if name.startswith('moganet_') else other) or not base[path]:
                continue
            ratios = [
                results[r][c] / base[path][c] if c.startswith('img/s') else base[path][c] /
                results[r][c] for c in shapes
            ]
            lines.append(f'| {path} | {r} | ' + ' | '.join(f'{v:.2f}x' for v in ratios) + ' |')
    if lines:
        print('\n| path | row | ' + ' | '.join(f'{c} vs ResNet-50' for c in shapes) + ' |')
        print('|---|---|' + '---|' * len(shapes))
        print('\n'.join(lines))


def bf16_rows_this_cpu_runs(rows, args, parser):
    """``rows`` less the OpenVINO bf16 ones where this CPU's OpenVINO cannot run bf16:
    a note says so when they were selected by default, an error when asked for."""
    bf16 = [r for r in rows if r.split(':')[1] in BF16_VARIANTS]
    if not bf16:
        return rows
    try:
        openvino.check_precision('bf16')
    except RuntimeError as err:
        if args.variants and set(args.variants.split(',')) & set(BF16_VARIANTS):
            parser.error(f'--variants {args.variants}: {err}')
        print(f'note: no OpenVINO bf16 rows: {err}', file=sys.stderr)
        return [r for r in rows if r not in bf16]
    return rows


def best_reduced_precision(results, rows, shapes):
    """For each model with an ONNX Runtime f32 row, its fastest reduced-precision row
    (int8 or bf16, whichever this CPU runs faster; autocast rows too) at the first
    timed shape, as a speed ratio to that ONNX Runtime f32 row; printed and returned
    as {model: dict(row, precision, speed_vs_ort_f32, rel_err_vs_torch)}."""
    col = next(iter(shapes))
    best = {}
    for name in dict.fromkeys(r.split(':')[0] for r in rows):
        ref = results.get(f"{name}:{'deploy+ort' if name.startswith('moganet_') else 'ort'}")
        reduced = [r for r in rows if r.startswith(name + ':') and results[r]['precision'] != 'f32']
        if not ref or not reduced:
            continue
        speed = {
            r: results[r][col] / ref[col] if col.startswith('img/s') else ref[col] / results[r][col]
            for r in reduced
        }
        row = max(reduced, key=speed.get)
        err = results[row].get('rel err vs torch', results[row].get('autocast rel err'))
        best[name] = dict(
            row=row,
            precision=results[row]['precision'],
            speed_vs_ort_f32=speed[row],
            rel_err_vs_torch=err)
    if best:
        print(
            f'\nfastest reduced-precision row per model ({col}), against its ONNX Runtime f32 row')
        print('| model | row | precision | speed vs ONNX Runtime f32 | rel err vs torch |\n'
              '|---|---|---|---|---|')
        for name, b in best.items():
            err = '' if b['rel_err_vs_torch'] is None else f"{b['rel_err_vs_torch']:.2g}"
            print(f"| {name} | {b['row']} | {b['precision']} | {b['speed_vs_ort_f32']:.2f}x | "
                  f'{err} |')
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--threads', type=int, default=2, help='CPU threads (default 2)')
    parser.add_argument(
        '--models',
        help='comma-separated model names to keep '
        '(e.g. moganet_t,convnext_t); default all')
    parser.add_argument(
        '--variants',
        help='comma-separated variants to keep '
        f'(of {VARIANTS} for MogaNet, {OTHER_VARIANTS} for the others, and the '
        '--autocast ones); default all')
    parser.add_argument(
        '--autocast',
        default='',
        help='comma-separated dtypes of '
        f'{list(AUTOCAST)}: add each model\'s fastest uncompiled row under '
        'torch.autocast to that dtype (default: none)')
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument(
        '--min-time',
        type=float,
        default=0.5,
        help='seconds each row runs per repeat (default 0.5): as many '
        'forwards as fit, at least one')
    parser.add_argument('--batch-sizes', default='1,16')
    parser.add_argument('--no-dense', action='store_true', help='skip 1280x800 latency')
    parser.add_argument('--no-memory', action='store_true', help='skip training memory')
    parser.add_argument(
        '--profile',
        action='store_true',
        help='also time each kind of conv / linear of every uncompiled '
        'row at batch 1, 224x224 (forward hooks; totals include their cost)')
    parser.add_argument(
        '--int8-keep-float',
        nargs='+',
        default=[],
        metavar='PATTERN',
        help='the int8 rows keep float the convs whose ONNX node names contain a PATTERN '
        '(e.g. proj_2; docs/deploy.md)')
    parser.add_argument('--json', help='write the table here as JSON')
    parser.add_argument(
        '--whole',
        action='store_true',
        help='time whole task models instead (Mask R-CNN, UperNet, TopDown; '
        f'--models / --variants select among moganet_s, resnet50, swin_t, '
        f'convnext_t and {list(whole_models.VARIANTS)})')
    parser.add_argument(
        '--tasks',
        help='with --whole: comma-separated tasks of '
        'mask_rcnn, upernet, topdown; default all')
    args = parser.parse_args(argv)
    autocast = [d for d in args.autocast.split(',') if d]
    if set(autocast) - set(AUTOCAST):
        parser.error(f'--autocast {args.autocast}: unknown dtype(s) '
                     f'{sorted(set(autocast) - set(AUTOCAST))}; choose from {list(AUTOCAST)}')
    if args.whole:
        return main_whole(args, parser)
    MMLogger.get_instance('benchmark', log_level='ERROR')  # quiet init/FLOP-counter logs
    torch.set_num_threads(args.threads)
    # every compiled row recompiles MogaNet.forward for each input shape: 4 sizes x 3
    # shapes pass dynamo's default limit of 8, after which it silently runs eager
    torch._dynamo.config.recompile_limit = 64
    rows = [
        r for r in all_rows(autocast)
        if (not args.models or r.split(':')[0] in args.models.split(',')) and (
            not args.variants or r.split(':')[1] in args.variants.split(','))
    ]
    if args.device == 'cuda':  # OpenVINO and the int8 QDQ rows run on the CPU only
        rows = [r for r in rows if not r.endswith(OV_VARIANTS + ('int8', ))]
    rows = bf16_rows_this_cpu_runs(rows, args, parser)
    if not rows:
        parser.error(f'no rows selected; rows are {all_rows(autocast)}')
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

    results = {
        r: dict(row=r, precision=precision(r.split(':')[1], args.int8_keep_float))
        for r in rows
    }
    runners, models = {}, {}
    work_dir = tempfile.mkdtemp(prefix='moganet_bench_')  # the ONNX rows' exports
    for r in rows:
        model, run = prepare(r, args.device, args.threads, work_dir, args.int8_keep_float)
        models[r] = model
        name = r.split(':')[0]
        if r.endswith(':eager'):
            results[r]['params_M'] = sum(p.numel() for p in model.parameters()) / 1e6
            results[r]['flops_G'] = count(model.cpu(), (1, 3, 224, 224))
            model.to(args.device)
        runners[r] = run
        if split_autocast(r.split(':')[1])[1]:
            results[r]['autocast rel err'] = rel_error_vs_torch(model, run, args.device)
        if r.split(':')[1] in ORT_VARIANTS:
            results[r]['rel err vs torch'] = rel_error_vs_torch(model, run, args.device)
        print(f'built {r}', file=sys.stderr)

    shapes = {f'img/s bs{b}': (b, 3, 224, 224) for b in batch_sizes}
    if not args.no_dense:
        shapes['ms 1280x800'] = (1, 3, 800, 1280)
    for col, shape in shapes.items():
        x = torch.randn(shape, device=args.device)
        medians = time_rows(runners, x, args.repeats, args.min_time, col)
        for r, t in medians.items():
            results[r][col] = shape[0] / t if col.startswith('img/s') else 1000 * t

    if not args.no_memory:
        for r in rows:
            name, variant = r.split(':')
            if name.startswith('moganet_') and variant == 'eager':
                plain = train_step_memory(name, False, args.device, 8)
                ckpt = train_step_memory(name, True, args.device, 8)
                results[r].update({
                    'train MB bs8': plain,
                    'train MB bs8 with_cp': ckpt,
                    'with_cp ratio': ckpt / plain
                })

    cols = [
        'precision', 'params_M', 'flops_G', *shapes, 'train MB bs8', 'train MB bs8 with_cp',
        'with_cp ratio', 'autocast rel err', 'rel err vs torch'
    ]
    cols = [c for c in cols if any(c in results[r] for r in rows)]  # no empty columns
    print(f'\ndevice: {args.device}' + (f', {args.threads} threads' if args.device ==
                                        'cpu' else f', {torch.cuda.get_device_name()}'))
    print('| row | ' + ' | '.join(cols) + ' |')
    print('|---|' + '---|' * len(cols))
    for r in rows:
        vals = [results[r].get(c) for c in cols]
        print(f'| {r} | ' +
              ' | '.join('' if v is None else f'{v:.3g}' if isinstance(v, float) else str(v)
                         for v in vals) + ' |')
    # speed-ups against each model's own eager row, same run
    print_speedups(results, rows, shapes, 'eager')
    # ONNX Runtime against the fastest torch path (deploy + channels_last + compile)
    print_speedups(results, [r for r in rows if r.split(':')[1] in ORT_VARIANTS], shapes,
                   'deploy+compile')
    print_paths(results, rows, shapes)
    best = best_reduced_precision(results, rows, shapes)
    if args.profile:
        x = torch.randn(1, 3, 224, 224, device=args.device)
        for r in rows:
            if 'compile' in r or r.split(':')[1] in ORT_VARIANTS:
                continue
            total, ops = op_profile(models[r], runners[r], x, args.device)
            results[r]['profile_ms_bs1'] = dict(total=total, **ops)
            print(f'\nprofile {r}, batch 1, 224x224: {total:.1f} ms with hooks')
            print('| op | ms | share |\n|---|---|---|')
            for k, v in ops.items():
                print(f'| {k} | {v:.1f} | {v / total:.0%} |')
    if args.json:
        meta = dict(
            device=args.device, threads=args.threads, repeats=args.repeats, torch=torch.__version__)
        with open(args.json, 'w') as f:
            json.dump(
                dict(meta=meta, rows=list(results.values()), best_reduced_precision=best),
                f,
                indent=2)


def main_whole(args, parser):
    """The whole-model table: for each task and path, its rows interleaved, as ratios to
    the ResNet-50 row of that task and path."""
    torch.set_num_threads(args.threads)
    if args.autocast:
        parser.error('--autocast times backbone rows; it does not apply with --whole')
    torch._dynamo.config.recompile_limit = 64
    rows = [
        r for r in whole_models.all_rows()
        if (not args.tasks or r.split(':')[0] in args.tasks.split(',')) and (
            not args.models or r.split(':')[1] in args.models.split(',')) and (
                not args.variants or r.split(':')[2] in args.variants.split(','))
    ]
    if args.device == 'cuda':  # OpenVINO and the int8 QDQ rows run on the CPU only
        rows = [r for r in rows if r.split(':')[2] not in whole_models.CPU_ONLY]
    if not rows:
        parser.error(f'no rows selected; rows are {whole_models.all_rows()}')
    work_dir = tempfile.mkdtemp(prefix='moganet_whole_')
    where = (f'cpu, {args.threads} threads'
             if args.device == 'cpu' else torch.cuda.get_device_name())
    meta = dict(
        device=args.device,
        where=where,
        threads=args.threads,
        repeats=args.repeats,
        min_time=args.min_time,
        torch=torch.__version__)
    results = {}
    # one path of one task at a time: its rows are the ones compared with each other,
    # and all 27 rows of a task at once (each runtime session holding its own
    # activation memory at 2048x512) do not fit in 24 GB
    groups = collections.defaultdict(list)
    for r in rows:
        groups[(r.split(':')[0], whole_models.peer_variant(r))].append(r)
    for (task, path), group in groups.items():
        runners, info = {}, {}
        for r in group:
            runners[r], info[r] = whole_models.prepare(r, work_dir, args.threads, args.device)
            print(f'built {r}', file=sys.stderr)
        h, w = whole_models.TASKS[task][0]
        # a fixed random batch: speed does not depend on the pixels, and the detectors'
        # biased box classifiers keep 100 detections whatever the image
        x = torch.randn(1, 3, h, w, generator=torch.Generator().manual_seed(0)).to(args.device)
        medians = time_rows(runners, x, args.repeats, args.min_time, f'{task} {path}')
        base = medians.get(f'{task}:resnet50:{path}')  # ResNet-50 through the same path
        for r in group:
            results[r] = dict(
                row=r,
                input=f'{w}x{h}',
                precision=info[r]['precision'],
                params_M=info[r]['params_M'],
                ms=1000 * medians[r],
                vs_resnet50=base / medians[r] if base else None)
        del runners, info  # the sessions and compiled graphs, before the next path
        torch._dynamo.reset()
        gc.collect()
        if args.json:  # after each path: a long run keeps what it measured
            with open(args.json, 'w') as f:
                json.dump(
                    dict(meta=meta, rows=[results[r] for r in rows if r in results]), f, indent=2)
    print(f'\nwhole models, batch 1, device {where}, median of {args.repeats} interleaved '
          'repeats (x: speed relative to the ResNet-50 model through the same path)')
    print_whole_tables([results[r] for r in rows])


def print_whole_tables(results):
    """The whole-model rows (``main_whole``'s JSON rows) as one table, then per task
    a table of each model (rows) through each path (columns): ms (speed vs ResNet-50
    through the same path)."""
    print('| row | input | precision | params (M) | ms | speed vs ResNet-50 |\n'
          '|---|---|---|---|---|---|')
    for res in results:
        ratio = '' if res['vs_resnet50'] is None else f"{res['vs_resnet50']:.2f}x"
        print(f"| {res['row']} | {res['input']} | {res['precision']} | {res['params_M']:.1f} | "
              f"{res['ms']:.0f} | {ratio} |")
    cells = collections.defaultdict(dict)  # (task, model) -> {variant: cell}
    for res in results:
        task, name, variant = res['row'].split(':')
        ratio = '' if res['vs_resnet50'] is None else f" ({res['vs_resnet50']:.2f}x)"
        cells[task, name][variant] = f"{res['ms']:.0f}{ratio}"
    for task in dict.fromkeys(t for t, _ in cells):
        names = [n for t, n in cells if t == task]
        variants = [
            v for v in whole_models.MOGANET_VARIANTS if any(v in cells[task, n] for n in names)
        ]
        print(f'\n{task}: ms (speed vs ResNet-50 through the same path)\n'
              f'| model | {" | ".join(variants)} |\n|---|' + '---|' * len(variants))
        for n in names:
            print(f'| {n} | ' + ' | '.join(cells[task, n].get(v, '') for v in variants) + ' |')


if __name__ == '__main__':
    main()
