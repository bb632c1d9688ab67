"""Put MogaNet into any config of mmdet, mmseg, mmpose or mmpretrain.

    moganet-swap mmdet::dino/dino-4scale_r50_8xb2-12e_coco.py \
        --arch s --out configs/swapped/dino-4scale_moganet-s.py

writes a short config that inherits the source and changes only what the swap
needs: ``custom_imports``, the backbone (``_delete_=True``), the ``out_indices``
that give the strides the original backbone fed to the neck/head, every neck/head
channel field that held the original's widths, and fields that named the
original's weights. The edits are worked out by running both backbones on a dummy
input (see moganet_mm/swap/plan.py); the file's docstring lists them. Without ``--out``
the config is printed. docs/drop_in.md has worked examples.
"""
import argparse
import sys

from .errors import SwapError
from .writer import swap_backbone


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        'src',
        help="source config: 'mmdet::path', 'mmseg::path', "
        "'mmpose::path', 'mmpretrain::path' or a local file")
    parser.add_argument(
        '--arch', default='s', help='MogaNet arch: xt|t|s|b|l|xl (or the long '
        'names); default s')
    parser.add_argument(
        '--pretrained',
        default='released',
        help="backbone weights: "
        "'released' (the ImageNet-1k release of --arch), 'none', or a "
        'checkpoint file / URL')
    parser.add_argument('--out', help='write the config here (default: print it)')
    parser.add_argument('--force', action='store_true', help='overwrite an existing --out')
    parser.add_argument(
        '--drop-path-rate',
        type=float,
        help="MogaNet's stochastic depth (default: the paper's per arch)")
    parser.add_argument(
        '--no-check', action='store_true', help='do not build the written config to check it')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    extra = {} if args.drop_path_rate is None else dict(drop_path_rate=args.drop_path_rate)
    try:
        plan = swap_backbone(
            args.src,
            arch=args.arch,
            pretrained=args.pretrained,
            out=args.out,
            force=args.force,
            check=not args.no_check,
            **extra)
    except SwapError as e:
        print(f'swap_backbone: error: {e}', file=sys.stderr)
        return 2
    for w in plan.warnings:
        print(f'swap_backbone: warning: {w}', file=sys.stderr)
    if args.out:
        print(f'wrote {args.out}: MogaNet-{plan.arch}, out_indices {plan.out_indices}, '
              f'{len(plan.edits)} channel field(s) changed')
        for e in plan.edits:
            print(f'  {e}')
    else:
        print(plan.text, end='')
    return 0


if __name__ == '__main__':
    sys.exit(main())
