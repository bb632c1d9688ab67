#!/usr/bin/env python
"""Video-prediction throughput, measured the way OpenSTL measures its FPS column.

OpenSTL (``openstl/utils/main_utils.py: measure_throughput``) runs the model without
gradients on random clips of batch 100 (frames up to 64x64) 100 times and reports
clips per second. This does the same on the device at hand (``--device``; CUDA
is timed with events and synchronised, the CPU with a wall clock), with
``--repetitions`` timed calls after ``--warmup`` untimed ones, and puts the paper's
FPS (a GPU figure) beside it. It prints a table and writes JSON.

    .venv/bin/python .dev_scripts/video_fps.py                       # both configs/video rows
    .venv/bin/python .dev_scripts/video_fps.py configs/video/simvp_moganet_mmnist.py \\
        --batch 100 --repetitions 100 --device cuda --json fps.json
"""
import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tools/ is not installed

import torch
from mmengine.config import Config
from mmengine.registry import MODELS

import moganet_mm  # noqa: F401  (registers MogaNet)
from tools.paths import REPO

from paper import paper_row
from zoo_tasks import video as zoo_video


def measure_throughput(model, clip_shape, batch: int, repetitions: int, warmup: int,
                       device: str) -> float:
    """Clips per second of ``model`` on random (batch, *clip_shape) inputs."""
    clips = torch.rand(batch, *clip_shape, device=device)
    with torch.no_grad():
        for _ in range(warmup):
            model(clips)
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        total = 0.
        for _ in range(repetitions):
            if device.startswith('cuda'):
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(
                    enable_timing=True)
                start.record()
                model(clips)
                end.record()
                torch.cuda.synchronize()
                total += start.elapsed_time(end) / 1000
            else:
                tic = time.perf_counter()
                model(clips)
                total += time.perf_counter() - tic
    return repetitions * batch / total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('configs', nargs='*', help='video configs (default: configs/video/*.py)')
    parser.add_argument('--batch', type=int, default=100, help="clips per call (OpenSTL's 100)")
    parser.add_argument(
        '--repetitions',
        type=int,
        default=None,
        help="timed calls (OpenSTL's 100; default 100 on CUDA, 3 on the CPU)")
    parser.add_argument('--warmup', type=int, default=1, help='untimed calls first')
    parser.add_argument('--device', default=None, help='cuda or cpu (default: cuda if available)')
    parser.add_argument('--json', help='also write the rows here')
    args = parser.parse_args(argv)
    if args.batch < 1 or (args.repetitions is not None and args.repetitions < 1) or args.warmup < 0:
        parser.error('--batch and --repetitions must be >= 1, --warmup >= 0')

    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if device.startswith('cuda') and not torch.cuda.is_available():
        parser.error('--device cuda, but torch sees no CUDA device')
    repetitions = args.repetitions or (100 if device.startswith('cuda') else 3)
    configs = args.configs or sorted(
        str(p) for p in (REPO / 'configs' / 'video').glob('*.py') if not p.name.startswith('_'))
    rows = []
    for cfg_path in configs:
        name = Path(cfg_path).stem
        model = MODELS.build(Config.fromfile(cfg_path).model).to(device).eval()
        fps = measure_throughput(model, model.in_shape, args.batch, repetitions, args.warmup,
                                 device)
        paper_fps = ''
        if name in zoo_video.DATASETS:
            match = dict(dataset=zoo_video.DATASETS[name], arch='MogaNet')
            if name == 'simvp_moganet_mmnist':
                match['epochs'] = '200'
            paper_fps = paper_row('video_mmnist.csv', **match)['fps']
        rows.append(
            dict(
                config=os.path.relpath(cfg_path, REPO),
                input='x'.join(map(str, model.in_shape)),
                batch=args.batch,
                repetitions=repetitions,
                device=(torch.cuda.get_device_name(device) if device.startswith('cuda') else
                        f'cpu ({platform.processor() or platform.machine()}, '
                        f'{torch.get_num_threads()} threads)'),
                fps=round(fps, 2),
                paper_fps=paper_fps))
        print(f"{rows[-1]['config']}: {fps:.2f} clips/s", file=sys.stderr)
    head = ['config', 'clip', 'batch', 'reps', 'device', 'FPS', 'paper FPS (GPU)']
    print('| ' + ' | '.join(head) + ' |')
    print('|' + '---|' * len(head))
    for r in rows:
        print(f"| {r['config']} | {r['input']} | {r['batch']} | {r['repetitions']} | "
              f"{r['device']} | {r['fps']} | {r['paper_fps'] or '-'} |")
    if args.json:
        if os.path.exists(args.json):
            print(f'video_fps: {args.json} exists; not overwriting it', file=sys.stderr)
            return 1
        with open(args.json, 'w') as f:
            json.dump(rows, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
