#!/usr/bin/env python
"""Model-zoo table: build every config, count params and FLOPs, compare with the paper.

For each config under ``configs/<task>/`` this builds the model (no weights are
loaded), counts params and FLOPs with MMEngine's ``get_model_complexity_info`` at
the paper's input size (one multiply-add = one FLOP, the paper's convention; see
``paper_tables/README.md``), and puts the paper's numbers from
``paper_tables/*.csv`` beside them with the relative difference.

A row passes when params are within 1% and FLOPs within the task's tolerance (2%,
pose 3%), or within half the table's last printed digit where the paper rounds.

    .venv/bin/python .dev_scripts/model_zoo.py                       # everything
    .venv/bin/python .dev_scripts/model_zoo.py --task det --json zoo.json
    .venv/bin/python .dev_scripts/model_zoo.py configs/det/mask_rcnn_moganet_s_1x.py

Each task's knowledge (which CSV row a config reproduces, the input size, how to
run the model for counting) lives in ``.dev_scripts/zoo_tasks/<task>.py``, listed in
``zoo_tasks.TASKS``.
"""
import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tools/ is not installed

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config

import moganet_mm  # noqa: F401  (registers MogaNet)
from tools.paths import REPO

from paper import within
from zoo_tasks import TASKS


def count(cfg_path):
    """Count one config; returns a result row (dict)."""
    cfg = Config.fromfile(cfg_path)
    task = Path(cfg_path).parent.name
    if task not in TASKS:
        raise ValueError(f'{cfg_path}: configs/{task}/ is not a task of the zoo table; '
                         f'tasks are {sorted(TASKS)}')
    spec = TASKS[task]
    name = Path(cfg_path).stem
    paper = spec.paper(name)  # dict(csv=..., row=..., params=str, flops=str, input=(h, w))
    model, inputs = spec.build_for_counting(cfg, paper['input'])
    with torch.no_grad():
        info = get_model_complexity_info(model, inputs=inputs, show_table=False, show_arch=False)
    params = sum(p.numel() for p in spec.counted_module(model).parameters()) / 1e6
    flops = info['flops'] / 1e9
    row = dict(
        config=os.path.relpath(cfg_path, REPO),
        task=task,
        input=f"{paper['input'][0]}x{paper['input'][1]}",
        params_M=round(params, 2),
        flops_G=round(flops, 1 if flops > 100 else 2),
        paper_params_M=paper['params'],
        paper_flops_G=paper['flops'],
        paper_table=paper['csv'])
    row['params_diff'] = params / float(paper['params']) - 1 if paper['params'] else None
    row['flops_diff'] = flops / float(paper['flops']) - 1 if paper['flops'] else None
    row['ok'] = ((not paper['params'] or within(params, paper['params'], 0.01))
                 and (not paper['flops'] or within(flops, paper['flops'], spec.FLOPS_TOL)))
    return row


def fmt_diff(d):
    return '' if d is None else f'{100 * d:+.1f}%'


def print_table(rows, file=sys.stdout):
    head = ['config', 'input', 'params (M)', 'paper', 'diff', 'FLOPs (G)', 'paper', 'diff', 'ok']
    lines = [[
        r['config'], r['input'], f"{r['params_M']:.2f}", r['paper_params_M'] or '-',
        fmt_diff(r['params_diff']), f"{r['flops_G']}", r['paper_flops_G'] or '-',
        fmt_diff(r['flops_diff']), 'yes' if r['ok'] else 'NO'
    ] for r in rows]
    print('| ' + ' | '.join(head) + ' |', file=file)
    print('|' + '---|' * len(head), file=file)
    for line in lines:
        print('| ' + ' | '.join(str(x) for x in line) + ' |', file=file)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('configs', nargs='*', help='config files (default: all of --task)')
    parser.add_argument(
        '--task', choices=TASKS, action='append', help='only these tasks (repeatable); default all')
    parser.add_argument('--json', help='also write the rows as JSON here')
    args = parser.parse_args(argv)
    configs = args.configs or sorted(
        str(p) for t in (args.task or TASKS)
        for p in (REPO / 'configs' / t).glob('*.py') if not p.name.startswith('_'))
    if not configs:
        parser.error('no configs found')
    rows = []
    for cfg in configs:
        rows.append(count(cfg))
        print(
            f"{rows[-1]['config']}: {rows[-1]['params_M']}M {rows[-1]['flops_G']}G "
            f"({'ok' if rows[-1]['ok'] else 'OUT OF TOLERANCE'})",
            file=sys.stderr)
    print_table(rows)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(rows, f, indent=2)
    return 0 if all(r['ok'] for r in rows) else 1


if __name__ == '__main__':
    sys.exit(main())
