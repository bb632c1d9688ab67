"""Convert an original MogaNet checkpoint (Westlake-AI/MogaNet release) into a
moganet_mm backbone checkpoint.

The output is an MMEngine-style dict ``{'meta': ..., 'state_dict': ...}`` holding
the backbone weights under the original parameter names (the classifier ``head.*``
dropped). Load it with ``init_cfg=dict(type='Pretrained', checkpoint=OUT)``.

    python -m moganet_mm.converters.moganet_to_mm \
        moganet_small_sz224_8xbs128_ep300.pth.tar moganet_small_mm.pth
"""
import os.path as osp
import sys
from collections import OrderedDict

from ..checkpoint import infer_arch, load_checkpoint_file
from ..models import MogaNet
from ..version import __version__
from .common import original_weights, parse_args, save_atomic


def main(argv=None):
    args = parse_args(__doc__.split('\n\n')[0], argv)
    try:
        state = original_weights(load_checkpoint_file(args.src), use_ema=args.ema)
    except (ValueError, FileNotFoundError, RuntimeError) as err:
        sys.exit(f'{args.src}: {err}')
    state = OrderedDict((k, v) for k, v in state.items() if not k.startswith('head.'))
    arch = infer_arch(state)
    meta = dict(
        arch=arch,
        source=osp.basename(args.src),
        ema=args.ema,
        converter=f'moganet_mm {__version__}')
    try:
        save_atomic(dict(meta=meta, state_dict=state), args.dst, args.overwrite)
    except FileExistsError as err:
        sys.exit(str(err))
    print(f'{args.src} -> {args.dst}: {len(state)} tensors, {MogaNet.arch_description(arch)}')


if __name__ == '__main__':
    main()
