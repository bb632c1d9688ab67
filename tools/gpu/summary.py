#!/usr/bin/env python
"""The GPU run's summary: ``summary.json`` in the returned folder (every step's status,
time and budget, the machine, the headline numbers of each step's JSON) and, with
``--print``, one screen of it at the end of the output. run_all.sh calls it after
every step (so that a run stopped by its limit still leaves the summary so far) and
once more at the end with ``--print``.

    python tools/gpu/summary.py --steps STEPS.tsv --env ENV.json --out OUT [--print]
"""
import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed
from tools.gpu import common

#: the files a step writes into the returned folder
RESULTS = {
    'bench_backbones': 'bench_backbones.json',
    'check_cuda': 'check_cuda.json',
    'whole_mask_rcnn': 'whole_mask_rcnn.json',
    'train_amp': 'train_amp.json',
}


def read_json(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def read_steps(path):
    """[{name, status, seconds, budget, note}] from run_all.sh's tab-separated record."""
    steps = []
    if Path(path).is_file():
        for line in Path(path).read_text().splitlines():
            name, status, seconds, budget, note = (line.split('\t') + [''] * 5)[:5]
            steps.append(
                dict(name=name, status=status, seconds=int(seconds), budget=int(budget), note=note))
    return steps


def fmt(v, spec='.3g'):
    return '-' if v is None else format(v, spec)


def headlines(results) -> list:
    """A few lines per step of what it measured."""
    lines = []
    bench = results.get('bench_backbones')
    if bench:
        rows = {r['row']: r for r in bench['rows']}
        mb = bench['meta'].get('memory_batch')
        smoke = ' (CPU smoke)' if bench['meta'].get('smoke') else ''
        lines.append(f'backbones{smoke}, img/s at 224 bs1 / bs64; train MB bs{mb} (with_cp):')
        for name in dict.fromkeys(r.split(':')[0] for r in rows):
            cl = 'deploy+cl' if name.startswith('moganet') else 'cl'
            cells = []
            labels = {
                cl: cl,
                f'{cl}+fp16': 'fp16',
                f'{cl}+bf16': 'bf16',
                'deploy+compile': 'compile'
            }
            for v, label in labels.items():
                r = rows.get(f'{name}:{v}', {})
                if 'img/s bs1' in r or 'img/s bs64' in r:
                    bs1, bs64 = fmt(r.get('img/s bs1')), fmt(r.get('img/s bs64'))
                    cells.append(f'{label} {bs1}/{bs64}')
            eager = rows.get(f'{name}:eager', {})
            if f'train MB bs{mb}' in eager:
                cells.append(f"train {fmt(eager[f'train MB bs{mb}'], '.0f')} "
                             f"({fmt(eager.get(f'train MB bs{mb} with_cp'), '.0f')}) MB")
            lines.append(f'  {name:11s} ' + ' | '.join(cells))
        lines += [f'  skipped: {s}' for s in bench.get('skipped', [])][:4]
        lines += [f'  error: {k}: {v[:100]}' for k, v in bench.get('errors', {}).items()][:4]
    check = results.get('check_cuda')
    if check:
        lines.append('check_cuda: ' + '; '.join(f"{k} {v['status'][:80]}"
                                                for k, v in check['checks'].items()))
    whole = results.get('whole_mask_rcnn')
    if whole:
        lines.append(f"Mask R-CNN {whole['meta']['input']} ms (x vs ResNet-50 same dtype):")
        lines += [
            f"  {r['row'].split(':', 1)[1]:28s} {r['ms']:8.1f} ms  "
            f"{fmt(r['vs_resnet50'], '.2f')}x" for r in whole['rows']
        ][:14]
        lines += [f'  error: {k}: {v[:100]}' for k, v in whole.get('errors', {}).items()][:4]
    train = results.get('train_amp')
    if train:
        m = train['metrics']
        lines.append(f"train Mask R-CNN XT, {train['meta']['amp']}: {train['iters']} iters, loss "
                     f"{fmt(train['loss_first'])} -> {fmt(train['loss_last'])} (finite "
                     f"{train['losses_finite']}, falls {train['loss_falls']}), step "
                     f"{fmt(train['step_s_median'])} s, peak {fmt(train['peak_train_MB'], '.0f')}"
                     f" MB, bbox/segm mAP {fmt(m.get('coco/bbox_mAP'))}/"
                     f"{fmt(m.get('coco/segm_mAP'))}")
    return lines


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--steps', required=True, help="run_all.sh's step record (TSV)")
    p.add_argument('--env', help="env_check.py's JSON")
    p.add_argument('--env-ops', help="env_check.py --ops's JSON (after the mmcv build)")
    p.add_argument('--out', required=True, help='the returned folder')
    p.add_argument('--total', type=int, default=0, help='the whole run budget, seconds')
    p.add_argument('--print', action='store_true', help='print the one-screen summary')
    args = p.parse_args(argv)
    out_dir = Path(args.out)
    steps = read_steps(args.steps)
    env = read_json(args.env) if args.env else None
    results = {k: read_json(out_dir / f) for k, f in RESULTS.items()}
    results = {k: v for k, v in results.items() if v}
    summary = dict(
        steps=steps,
        total_s=sum(s['seconds'] for s in steps),
        budget_s=args.total,
        env=env,
        env_after_mmcv_build=read_json(args.env_ops) if args.env_ops else None,
        headlines=headlines(results),
        files=sorted(p.name for p in out_dir.iterdir() if p.is_file()))
    common.write_json(out_dir / 'summary.json', summary)
    if not args.print:
        return 0
    m = (env or {}).get('machine', {})
    v = (env or {}).get('versions', {})
    print('\n' + '=' * 30 + ' GPU run summary (tools/gpu/run_all.sh) ' + '=' * 30)
    print(f"machine: {m.get('gpu', 'no CUDA device')} (sm {m.get('capability', '-')}, "
          f"{m.get('gpu_memory_GiB', '-')} GiB) | {m.get('cores')} cores | torch "
          f"{m.get('torch')} | numpy {v.get('numpy')} | opencv {v.get('opencv-python-headless')}")
    print(f"{'step':16s} {'status':44s} {'s':>5s} {'budget':>6s}  note")
    for s in steps:
        print(f"{s['name']:16s} {s['status'][:44]:44s} {s['seconds']:5d} {s['budget']:6d}  "
              f"{s['note'][:60]}")
    print(f"total {summary['total_s']} s of a {args.total} s budget")
    for line in summary['headlines']:
        print(line)
    print(f"files in {out_dir}: {', '.join(summary['files'])}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
