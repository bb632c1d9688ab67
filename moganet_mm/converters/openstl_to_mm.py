"""Convert an OpenSTL SimVP-MogaNet checkpoint (``model_type='moga'``) into a
moganet_mm :class:`~moganet_mm.models.SimVP` checkpoint.

OpenSTL keeps the MogaNet scales as bare parameters (``...attn.sigma``,
``...mlp.sigma``); here they are ``...sigma.scale``. Every other key is OpenSTL's
(``model.`` / ``module.`` prefixes of Lightning / DDP files are stripped). The
output, ``{'meta': ..., 'state_dict': ...}``, loads with ``load_from=OUT`` in a
``configs/video`` config of the same sizes, or ``SimVP.load_openstl(OUT)``; the
sizes read from the weights are printed and kept in ``meta``.

    python -m moganet_mm.converters.openstl_to_mm mmnist_simvp_moga.pth simvp_moga_mm.pth
"""
import argparse
import os.path as osp
import sys

from ..models.simvp import convert_openstl_state_dict, infer_openstl_sizes, openstl_state_dict
from ..version import __version__
from .common import save_atomic


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help='OpenSTL checkpoint (.pth / .ckpt)')
    parser.add_argument('dst', help='output path')
    parser.add_argument('--overwrite', action='store_true', help='replace dst if it exists')
    args = parser.parse_args(argv)
    if osp.abspath(args.src) == osp.abspath(args.dst):
        parser.error('src and dst are the same file; choose another output path')
    try:
        state = convert_openstl_state_dict(openstl_state_dict(args.src))
        sizes = infer_openstl_sizes(state)
    except (ValueError, TypeError, FileNotFoundError, RuntimeError) as err:
        print(f'{args.src}: {err}', file=sys.stderr)
        return 1
    meta = dict(
        source=osp.basename(args.src),
        openstl_sizes=sizes,
        converter=f'moganet_mm {__version__} (tools/model_converters/openstl_to_mm.py)')
    try:
        save_atomic(dict(meta=meta, state_dict=state), args.dst, args.overwrite)
    except FileExistsError as err:
        print(str(err), file=sys.stderr)
        return 1
    frames = sizes['T_times_hid_S'] // sizes['hid_S']
    print(f'{args.src} -> {args.dst}: {len(state)} tensors; SimVP hid_S={sizes["hid_S"]} '
          f'hid_T={sizes["hid_T"]} N_S={sizes["N_S"]} N_T={sizes["N_T"]} '
          f'mlp_ratio={sizes["mlp_ratio"]:g}, in_shape=({frames}, {sizes["C"]}, H, W)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
