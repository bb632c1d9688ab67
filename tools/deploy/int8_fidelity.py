#!/usr/bin/env python
"""The int8 fidelity table of docs/deploy.md: each demo's trained model (``make demo*``
work dirs) evaluated by its codebase's own metric on its toy val split, in PyTorch and
exported to ONNX Runtime and OpenVINO at f32 and int8, and with ``--bf16`` OpenVINO at
bf16 (:func:`moganet_mm.deploy.evaluate.evaluate`; int8 calibrated on the first
``--calib-count`` training images).

    .venv/bin/python tools/deploy/int8_fidelity.py --json fidelity.json
    .venv/bin/python tools/deploy/int8_fidelity.py --demos cls,seg --work-dirs work_dirs
    .venv/bin/python tools/deploy/int8_fidelity.py --demos cls --bf16   # AVX-512 BF16 / AMX
"""
import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed

from moganet_mm.deploy.evaluate import CALIB_COUNT, evaluate
from moganet_mm.deploy.openvino import check_precision
from moganet_mm.deploy.quantize import MOGANET_KEEP_FLOAT

#: demo -> the metrics its row shows (the demo's floors, and MSE for video)
DEMOS = {
    'cls': ['accuracy/top1'],
    'pose': ['coco/AP'],
    'det': ['coco/bbox_mAP', 'coco/segm_mAP'],
    'seg': ['mIoU'],
    'video': ['video/mse', 'video/mse_gain'],
}


def demo_run(work_dir: Path):
    """(config, checkpoint) the demo in ``work_dir`` trained: the config as the runner
    saved it (data paths set) and the last checkpoint."""
    summary = work_dir / 'demo_summary.json'
    last = work_dir / 'last_checkpoint'
    if not summary.is_file() or not last.is_file():
        raise FileNotFoundError(f'{work_dir} holds no finished demo (demo_summary.json and '
                                'last_checkpoint); run its make demo target first')
    config = work_dir / Path(json.loads(summary.read_text())['config']).name
    return str(config), last.read_text().strip()


def summary_table(results) -> str:
    """One Markdown row per demo metric, one column per variant of the evaluation."""
    variants = [r['variant'] for r in next(iter(results.values()))['rows']]
    lines = [
        '| demo | metric | ' + ' | '.join(variants) + ' |', '|---|---|' + '---|' * len(variants)
    ]
    for demo, result in results.items():
        rows = {r['variant']: r for r in result['rows']}
        for metric in DEMOS[demo]:
            cells = []
            for v in variants:
                value = rows[v]['metrics'][metric]
                f32 = rows.get(f"{rows[v]['runtime']} f32")
                reduced = rows[v]['precision'] != 'f32'
                delta = value - f32['metrics'][metric] if reduced and f32 else None
                cells.append(f'{value:.4g}' + ('' if delta is None else f' ({delta:+.4f})'))
            lines.append(f'| {demo} | {metric} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--demos', default=','.join(DEMOS), help=f'of {list(DEMOS)}')
    parser.add_argument(
        '--work-dirs', default='work_dirs', help='the folder of the demo_<task> work dirs')
    parser.add_argument('--calib-count', type=int, default=CALIB_COUNT)
    parser.add_argument(
        '--keep-float',
        nargs='+',
        default=list(MOGANET_KEEP_FLOAT),
        metavar='PATTERN',
        help='also int8 with these convs kept float (default: '
        f'{" ".join(MOGANET_KEEP_FLOAT)}, the 1x1 projections closing each block\'s two '
        'halves; docs/deploy.md); none: int8 of every conv only')
    parser.add_argument(
        '--bf16', action='store_true', help='also OpenVINO at bf16 (CPUs with AVX-512 BF16 or AMX)')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--json', help='write every row as JSON here')
    args = parser.parse_args(argv)
    demos = args.demos.split(',')
    unknown = [d for d in demos if d not in DEMOS]
    if unknown:
        parser.error(f'unknown demo(s) {unknown}; choose from {list(DEMOS)}')
    if args.bf16:
        try:
            check_precision('bf16', label='--bf16')
        except RuntimeError as err:
            parser.error(str(err))
    results = {}
    for demo in demos:
        try:
            config, checkpoint = demo_run(Path(args.work_dirs) / f'demo_{demo}')
        except FileNotFoundError as err:
            parser.error(str(err))
        print(f'== {demo}: {config}, {checkpoint}', file=sys.stderr)
        results[demo] = evaluate(
            config,
            checkpoint,
            calib_count=args.calib_count,
            keep_float=[p for p in args.keep_float if p != 'none'],
            bf16=args.bf16,
            threads=args.threads,
            log=lambda line: print(f'  {line}', file=sys.stderr))
        if args.json:  # after each demo: a long run keeps what it measured
            with open(args.json, 'w') as f:
                json.dump(results, f, indent=2)
    print(f'\nint8 fidelity, toy val splits, int8 calibrated on {args.calib_count} training '
          'images (int8 and bf16 cells: the change from the same runtime at f32)')
    print(summary_table(results))


if __name__ == '__main__':
    main()
