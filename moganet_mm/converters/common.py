"""What the converters share: reading an original release, the command line, and
writing the result without losing the user's files."""
import argparse
import os
from collections import OrderedDict

import torch

from ..checkpoint import backbone_weights, infer_arch


def original_weights(checkpoint: dict, use_ema: bool = False) -> 'OrderedDict':
    """All weights of an original MogaNet checkpoint, classifier ``head.*`` included.

    ``use_ema`` takes ``state_dict_ema`` (timm-trained files may hold one) instead
    of ``state_dict``. Raises ``ValueError`` when there is no such copy, or when the
    weights are not MogaNet's.
    """
    if not isinstance(checkpoint, dict):
        raise ValueError(f'A checkpoint must be a dict, got {type(checkpoint).__name__}')
    if use_ema:
        if 'state_dict_ema' not in checkpoint:
            raise ValueError('this checkpoint has no state_dict_ema (EMA copy); it holds '
                             f'{sorted(checkpoint)}')
        state = checkpoint['state_dict_ema']
    else:
        state = checkpoint.get('state_dict', checkpoint)
    if isinstance(state.get('model'), dict):  # some training scripts nest the weights
        state = state['model']
    weights, head = backbone_weights(state)
    if infer_arch(weights) is None:
        raise ValueError('Not a MogaNet checkpoint: no patch_embed1..4 / blocks1..4 weights '
                         f'(first keys: {list(weights)[:5]})')
    weights.update((k, v) for k, v in state.items() if k in head)
    return weights


def save_atomic(obj: dict, filename: str, overwrite: bool = False):
    """``torch.save`` through a temporary file, so a crash never leaves half a file,
    and never over an existing file unless ``overwrite``."""
    if os.path.exists(filename) and not overwrite:
        raise FileExistsError(f'{filename!r} exists; pass --overwrite to replace it')
    os.makedirs(os.path.dirname(os.path.abspath(filename)), exist_ok=True)
    tmp = f'{filename}.tmp-{os.getpid()}'
    try:
        torch.save(obj, tmp)
        os.replace(tmp, filename)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def parse_args(description: str, argv=None) -> argparse.Namespace:
    """``src dst [--ema] [--overwrite]``, the command line of every converter."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('src', help='original checkpoint (.pth / .pth.tar) or URL')
    parser.add_argument('dst', help='output path')
    parser.add_argument(
        '--ema', action='store_true', help='convert the state_dict_ema copy instead of state_dict')
    parser.add_argument('--overwrite', action='store_true', help='replace dst if it exists')
    args = parser.parse_args(argv)
    if os.path.abspath(args.src) == os.path.abspath(args.dst):
        parser.error('src and dst are the same file; choose another output path')
    return args
