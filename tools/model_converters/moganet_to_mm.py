#!/usr/bin/env python
"""Convert an original MogaNet checkpoint (Westlake-AI/MogaNet release) into a
moganet_mm backbone checkpoint.

The output is an MMEngine-style dict ``{'meta': ..., 'state_dict': ...}`` holding
the backbone weights under the original parameter names (the classifier ``head.*``
dropped). Load it with ``init_cfg=dict(type='Pretrained', checkpoint=OUT)``.

    python tools/model_converters/moganet_to_mm.py \
        moganet_small_sz224_8xbs128_ep300.pth.tar moganet_small_mm.pth
"""
import argparse
import os.path as osp
import sys

from moganet_mm import __version__
from moganet_mm.checkpoint import (arch_name, convert_original, infer_arch,
                                   load_checkpoint_file, save_checkpoint_atomic)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help='original checkpoint (.pth / .pth.tar)')
    parser.add_argument('dst', help='output path')
    parser.add_argument('--ema', action='store_true',
                        help='convert the state_dict_ema copy instead of state_dict')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace dst if it exists')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if osp.abspath(args.src) == osp.abspath(args.dst):
        sys.exit('src and dst are the same file; choose another output path')
    state = convert_original(load_checkpoint_file(args.src), use_ema=args.ema)
    arch = infer_arch(state)
    meta = dict(arch=arch, source=osp.basename(args.src), ema=args.ema,
                converter=f'moganet_mm {__version__}')
    try:
        save_checkpoint_atomic(dict(meta=meta, state_dict=state), args.dst, args.overwrite)
    except FileExistsError as err:
        sys.exit(str(err))
    print(f'{args.src} -> {args.dst}: {len(state)} tensors, {arch_name(arch)}')


if __name__ == '__main__':
    main()
