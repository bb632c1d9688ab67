#!/usr/bin/env python
"""Run the backbone-swap compatibility matrix and write docs/drop_in.md's table + JSON.

For each config of ``swap_rows.ROWS`` (the codebases' own configs): swap in
MogaNet (``tools/swap_backbone.py``), build, one training step on a small synthetic
batch in the codebase's data format (finite losses, non-zero backbone gradients),
one predict (the codebase's data samples), params and FLOPs at the small input.

    .venv/bin/python .dev_scripts/swap_matrix.py                    # all rows, MogaNet-XT
    .venv/bin/python .dev_scripts/swap_matrix.py --only mmseg --no-doc
    .venv/bin/python .dev_scripts/swap_matrix.py --json swap_matrix.json

The table replaces the part of docs/drop_in.md between the ``swap-matrix`` markers.
"""
import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tools/ is not installed

from tools.paths import REPO

from swap_rows import ROWS, run_row

DOC = REPO / 'docs' / 'drop_in.md'
BEGIN, END = '<!-- swap-matrix:begin -->', '<!-- swap-matrix:end -->'


def table(results, arch, when) -> str:
    works = [r for r in results if r['status'] == 'works']
    limited = [r for r in results if r['status'] == 'predict only']
    fails = [r for r in results if r['status'] == 'fails']
    per = {}
    for r in results:
        per.setdefault(r['codebase'], [0, 0])[r['status'] == 'works'] += 1
    slow = sorted(results, key=lambda r: -r['seconds'])[:3]
    lines = [
        f'Measured {when} with `.venv/bin/python .dev_scripts/swap_matrix.py` '
        f'(MogaNet-{arch.upper()}, random init, 2 CPU cores): **{len(works)} of {len(results)} '
        'configs work** (' + ', '.join(f'{cb} {n[1]}/{n[0] + n[1]}' for cb, n in per.items()) +
        f'), {len(limited)} predict only (the codebase cannot train that config with any '
        f'backbone), {len(fails)} fail' +
        (' (reasons below the table)' if fails or limited else '') + '. Slowest rows: ' +
        ', '.join(f"{r['family']} {r['seconds']} s"
                  for r in slow) + f"; all rows {sum(r['seconds'] for r in results):.0f} s.",
        '',
        'Each row: the swapped config builds; one training step on 2 synthetic images in '
        "the codebase's data format gives finite losses and non-zero gradients in the "
        'backbone; one predict returns the codebase\'s data samples; params (whole model) '
        "and FLOPs (MMEngine's `get_model_complexity_info`, one multiply-add = one FLOP, "
        'one image) at the input given.',
        '',
        '| codebase | config | model | status | MogaNet out_indices | params (M) | FLOPs (G) '
        '| input | seconds |',
        '|---|---|---|---|---|---|---|---|---|',
    ]
    for r in results:
        flops = r['flops_G'] if r.get('flops_G') is not None else 'n/a'
        lines.append(
            f"| {r['codebase']} | `{r['config']}` | {r['family']} | {r['status']} | "
            f"{tuple(r.get('out_indices') or ()) or '-'} | {r['params_M'] or '-'} | {flops} | "
            f"{r.get('input') or '-'} | {r['seconds']} |")
    if fails or limited:
        lines += ['', 'Rows that do not do everything, and why:', '']
        lines += [
            f"- {r['codebase']} {r['family']} (`{r['config']}`), {r['status']}" +
            (f" at {r['stage']}" if r['stage'] else '') + f": {r['reason']}"
            for r in limited + fails
        ]
    no_flops = [r for r in works if r.get('flops_G') is None]
    if no_flops:
        lines += ['', 'FLOPs not counted (the model does not trace in tensor mode):', '']
        lines += [f"- {r['family']}: {r.get('flops_note')}" for r in no_flops]
    return '\n'.join(lines)


def write_doc(text: str, doc: Path = DOC):
    """Replace the marked table in ``doc`` (the rest of the page is prose)."""
    page = (
        doc.read_text()
        if doc.is_file() else f'# MogaNet in any OpenMMLab model\n\n{BEGIN}\n{END}\n')
    if BEGIN not in page or END not in page:
        raise SystemExit(f'{doc} has no {BEGIN} ... {END} markers; add them where the table goes')
    head, rest = page.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    doc.write_text(f'{head}{BEGIN}\n{text}\n{END}{tail}')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--arch', default='xt', help='MogaNet arch (default xt)')
    parser.add_argument(
        '--only',
        nargs='+',
        help='run the rows whose codebase, config or '
        'model contains one of these texts')
    parser.add_argument('--json', help='write the rows here as JSON')
    parser.add_argument('--no-doc', action='store_true', help='do not update docs/drop_in.md')
    args = parser.parse_args(argv)
    rows = [
        r for r in ROWS if not args.only or any(text.lower() in s.lower() for text in args.only
                                                for s in (r.codebase, r.config, r.family))
    ]
    if not rows:
        parser.error(f'--only {args.only!r} matches no row')
    results = []
    for row in rows:
        r = run_row(row, arch=args.arch)
        results.append(r)
        print(
            f"{r['status']:5s} {r['seconds']:6.1f}s {r['codebase']:10s} {r['family']}" +
            (f"  [{r['stage']}] {r['reason']}" if r['status'] != 'works' else ''),
            flush=True)
    when = time.strftime('%Y-%m-%d', time.gmtime())
    text = table(results, args.arch, when)
    if args.json:
        Path(args.json).write_text(
            json.dumps([{
                k: v
                for k, v in r.items() if k != 'traceback'
            } for r in results],
                       indent=1))
    if not args.no_doc and len(rows) == len(ROWS):
        write_doc(text)
    elif not args.no_doc:
        print('(a subset of rows: docs/drop_in.md left as it is)')
    print(text)
    return 0 if all(r['status'] != 'fails' for r in results) else 1


if __name__ == '__main__':
    sys.exit(main())
