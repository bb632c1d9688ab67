#!/usr/bin/env python
"""The backbone step of the GPU run: the six MogaNet sizes beside ResNet-50, ConvNeXt-T
and Swin-T from mmpretrain, in one process, built and timed by the speed benchmark's
own functions (tools/analysis/benchmark.py: ``prepare``, ``time_rows``,
``rel_error_vs_torch``).

Phases, each written to ``--json`` when done (a step stopped at its budget keeps the
earlier ones); a phase that would start past ``--deadline`` is listed as skipped:

1. build every row: MogaNet eager, deploy, deploy+cl (channels_last), deploy+cl under
   fp16 and bf16 autocast; the peers eager, cl, cl+fp16, cl+bf16; the autocast rows'
   largest error against float32;
2. images/s at batch 1, then at batch 64, 224x224, the rows interleaved (medians);
3. peak memory of a training step (forward + backward, batch 64) with and without
   ``with_cp``, each MogaNet size (``torch.cuda.max_memory_allocated``);
4. deploy+compile (``torch.compile``) per size, MogaNet-S first, then smallest first,
   while time is left, timed alone at each batch size.

    python tools/gpu/bench_backbones.py --json bench_backbones.json      # on a GPU
    python tools/gpu/bench_backbones.py --smoke --json /tmp/bench.json   # CPU smoke
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed
from mmengine.logging import MMLogger

import moganet_mm  # noqa: F401  (before mmpretrain.models: moganet_mm/compat.py)
from tools.analysis import benchmark
from tools.gpu import common
from tools.gpu.device import device_of, machine

SIZES = ['xt', 't', 's', 'b', 'l', 'xl']
PEERS = ['resnet50', 'convnext_t', 'swin_t']
#: the peer benchmark.py does not list (it times VAN instead)
SWIN_T = dict(type='SwinTransformer', arch='tiny')
DTYPES = ['fp16', 'bf16']


def plan(smoke: bool) -> dict:
    """Rows, batch sizes and timing settings of the run (tiny for the CPU smoke)."""
    sizes, peers, dtypes = (['xt'], ['resnet50', 'swin_t'], ['bf16']) if smoke else \
        (SIZES, PEERS, DTYPES)
    rows = [
        f'moganet_{s}:{v}' for s in sizes
        for v in ['eager', 'deploy', 'deploy+cl'] + [f'deploy+cl+{d}' for d in dtypes]
    ]
    rows += [f'{p}:{v}' for p in peers for v in ['eager', 'cl'] + [f'cl+{d}' for d in dtypes]]
    return dict(
        sizes=sizes,
        rows=rows,
        batch_sizes=[1] if smoke else [1, 64],
        memory_batch=2 if smoke else 64,
        repeats=1 if smoke else 3,
        min_time=0.01 if smoke else 0.1,
        compile=not smoke)


def train_memory_mb(name: str, with_cp: bool, device: str, batch: int) -> float:
    """Peak memory (MB) of one forward + backward of the backbone at ``batch`` x 224x224:
    on CUDA in this process (the allocator's peak above what was allocated before), on
    the CPU the benchmark's fresh-process probe (peak RSS growth)."""
    if device != 'cuda':
        return benchmark.train_step_memory(name, with_cp, device, batch)
    model = benchmark.build(name, with_cp=with_cp).to(device).train()
    torch.cuda.synchronize()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    x = torch.randn(batch, 3, 224, 224, device=device)
    sum(o.float().mean() for o in model(x)).backward()
    torch.cuda.synchronize()
    peak = (torch.cuda.max_memory_allocated() - base) / 2**20
    del model, x
    torch.cuda.empty_cache()
    return peak


def main(argv=None):
    args = common.parser(__doc__.split('\n\n')[0]).parse_args(argv)
    clock = common.Clock(args.deadline)
    device = device_of(args.smoke)
    MMLogger.get_instance('benchmark', log_level='ERROR')  # as benchmark.py: no init logs
    benchmark.OTHERS.setdefault('swin_t', SWIN_T)
    torch._dynamo.config.recompile_limit = 64  # as benchmark.py: a graph per shape and size
    threads = 2 if args.smoke else torch.get_num_threads()
    torch.set_num_threads(threads)
    p = plan(args.smoke)
    rows = {r: dict(row=r) for r in p['rows']}
    out = dict(
        meta=dict(
            machine(device),
            threads=threads,
            repeats=p['repeats'],
            min_time=p['min_time'],
            smoke=args.smoke,
            input='224x224',
            memory_batch=p['memory_batch']),
        rows=list(rows.values()),
        phases={},
        skipped=[],
        errors={})

    def save():
        common.write_json(args.json, out)

    def phase_done(name, t0):
        out['phases'][name] = round(clock.elapsed() - t0, 1)
        save()
        print(f'[bench_backbones] {name}: {out["phases"][name]} s', flush=True)

    # 1. build
    t0 = clock.elapsed()
    runners, models = {}, {}
    for r in p['rows']:
        if clock.left() < 20:
            out['skipped'].append(f'{r}: not built (deadline)')
            continue
        try:
            model, run = benchmark.prepare(r, device, threads)
            if r.endswith(':eager'):
                rows[r]['params_M'] = sum(q.numel() for q in model.parameters()) / 1e6
            if benchmark.split_autocast(r.split(':')[1])[1]:
                rows[r]['autocast rel err'] = benchmark.rel_error_vs_torch(model, run, device)
            runners[r], models[r] = run, model
        except Exception as err:  # a row that fails is a result, not the end of the step
            out['errors'][r] = f'{type(err).__name__}: {err}'[:500]
    phase_done('build', t0)

    # 2. images/s, the rows interleaved
    for b in p['batch_sizes']:
        col = f'img/s bs{b}'
        if clock.left() < 15 + 2 * len(runners) * p['min_time'] * (p['repeats'] + 1):
            out['skipped'].append(f'{col} (deadline)')
            continue
        t0 = clock.elapsed()
        x = torch.randn(b, 3, 224, 224, device=device)
        try:
            medians = benchmark.time_rows(runners, x, p['repeats'], p['min_time'], col)
            for r, t in medians.items():
                rows[r][col] = b / t
        except Exception as err:
            out['errors'][col] = f'{type(err).__name__}: {err}'[:500]
        phase_done(col, t0)
    runners.clear()
    models.clear()
    if device == 'cuda':
        torch.cuda.empty_cache()

    # 3. training-step memory with and without with_cp
    t0 = clock.elapsed()
    batch = p['memory_batch']
    for s in p['sizes']:
        r = f'moganet_{s}:eager'
        for with_cp in (False, True):
            col = f'train MB bs{batch}' + (' with_cp' if with_cp else '')
            if clock.left() < 20:
                out['skipped'].append(f'{r} {col} (deadline)')
                continue
            try:
                rows[r][col] = train_memory_mb(f'moganet_{s}', with_cp, device, batch)
            except Exception as err:
                out['errors'][f'{r} {col}'] = f'{type(err).__name__}: {err}'[:500]
        plain, ckpt = rows[r].get(f'train MB bs{batch}'), rows[r].get(f'train MB bs{batch} with_cp')
        if plain and ckpt:
            rows[r]['with_cp ratio'] = ckpt / plain
    phase_done('memory', t0)

    # 4. torch.compile per size, smallest first, while the deadline allows
    if not p['compile']:
        out['skipped'].append('deploy+compile rows (smoke: compiling takes minutes on a CPU)')
    last = None
    # MogaNet-S first: the size of the whole-detector rows
    for s in sorted(p['sizes'], key=lambda s: (s != 's', SIZES.index(s))) if p['compile'] else []:
        r = f'moganet_{s}:deploy+compile'
        need = 40 if last is None else 1.5 * last
        if clock.left() < need:
            out['skipped'].append(f'{r} (deadline: {clock.left():.0f} s left, needs ~{need:.0f})')
            continue
        t0 = clock.elapsed()
        rows[r] = dict(row=r)
        out['rows'] = list(rows.values())
        try:
            _, run = benchmark.prepare(r, device, threads)
            for b in p['batch_sizes']:
                x = torch.randn(b, 3, 224, 224, device=device)
                t = benchmark.time_rows({r: run}, x, p['repeats'], p['min_time'], f'{r} bs{b}')
                rows[r][f'img/s bs{b}'] = b / t[r]
            del run
        except Exception as err:
            out['errors'][r] = f'{type(err).__name__}: {err}'[:500]
        last = clock.elapsed() - t0
        rows[r]['build_and_time_s'] = round(last, 1)
        phase_done(f'compile {s}', t0)
        if device == 'cuda':
            torch.cuda.empty_cache()
    save()

    cols = [
        'params_M', *[f'img/s bs{b}' for b in p['batch_sizes']], 'autocast rel err',
        f'train MB bs{batch}', f'train MB bs{batch} with_cp', 'with_cp ratio'
    ]
    print(f'\n{device} ({out["meta"].get("gpu", "")}), median of {p["repeats"]} interleaved '
          'repeats')
    print('| row | ' + ' | '.join(cols) + ' |\n|---|' + '---|' * len(cols))
    for r in rows.values():
        print(f'| {r["row"]} | ' + ' | '.join(f'{r[c]:.3g}' if c in r else '' for c in cols) + ' |')
    for what in out['skipped']:
        print(f'[bench_backbones] skipped: {what}')
    for what, err in out['errors'].items():
        print(f'[bench_backbones] error: {what}: {err}')
    return 1 if not any('img/s bs1' in r for r in rows.values()) else 0


if __name__ == '__main__':
    sys.exit(main())
