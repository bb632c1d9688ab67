"""Convert an original MogaNet ImageNet classifier into an mmpretrain checkpoint.

The original classifier computes ``head(norm4(stage4).mean((2, 3)))``; in
mmpretrain that is ``ImageClassifier`` = ``MogaNet(out_indices=(3,))`` +
``GlobalAveragePooling`` + ``LinearClsHead`` (``configs/cls/``). So the keys map as

    <original backbone key>  ->  backbone.<original backbone key>
    head.weight / head.bias  ->  head.fc.weight / head.fc.bias

and nothing else changes. The output is ``{'meta': ..., 'state_dict': ...}``, which
``mmpretrain.apis.init_model(CONFIG, OUT)``, ``mim test mmpretrain CONFIG
--checkpoint OUT`` and ``ImageClassificationInferencer`` load without missing or
unexpected keys.

    python -m moganet_mm.converters.moganet_to_mmpretrain \\
        moganet_xtiny_sz224_8xbs128_ep300.pth.tar moganet_xt_in1k_mmpretrain.pth
"""
import os.path as osp
import sys
from collections import OrderedDict

import torch

from ..checkpoint import infer_arch, load_checkpoint_file
from ..models import MogaNet
from ..version import __version__
from .common import original_weights, parse_args, save_atomic

HEAD_KEYS = {'head.weight': 'head.fc.weight', 'head.bias': 'head.fc.bias'}


def convert(checkpoint: dict, use_ema: bool = False) -> 'OrderedDict[str, torch.Tensor]':
    """mmpretrain ``ImageClassifier`` weights of an original MogaNet classifier.

    Args:
        checkpoint: the loaded original file: a dict with ``state_dict`` (or
            ``model``, or the raw weights), original key names, ``head.*`` included.
        use_ema: convert ``state_dict_ema`` (timm's EMA copy) instead.

    Raises:
        ValueError: ``use_ema`` without an EMA copy in the file; not MogaNet
            weights; or no classifier head (a backbone-only or dense-task
            checkpoint, which a backbone ``init_cfg`` loads instead).
    """
    state = original_weights(checkpoint, use_ema)
    missing_head = [k for k in HEAD_KEYS if k not in state]
    if missing_head:
        raise ValueError(f'The checkpoint has no classifier {missing_head}: it is a backbone-only '
                         'or dense-task file. Load it with the backbone init_cfg=dict('
                         "type='Pretrained', checkpoint=...) instead of converting it.")
    converted = OrderedDict()
    for key, value in state.items():
        if key.startswith('head.') and key not in HEAD_KEYS:
            raise ValueError(f'Unknown classifier key {key!r}; expected only {sorted(HEAD_KEYS)}')
        converted[HEAD_KEYS.get(key, 'backbone.' + key)] = value.contiguous()
    return converted


def main(argv=None):
    args = parse_args(__doc__.split('\n\n')[0], argv)
    try:
        state = convert(load_checkpoint_file(args.src), use_ema=args.ema)
    except (ValueError, FileNotFoundError, RuntimeError) as err:
        sys.exit(f'{args.src}: {err}')
    backbone = OrderedDict(
        (k[len('backbone.'):], v) for k, v in state.items() if k.startswith('backbone.'))
    arch = infer_arch(backbone)
    num_classes = state['head.fc.weight'].shape[0]
    meta = dict(
        arch=arch,
        num_classes=num_classes,
        source=osp.basename(args.src),
        ema=args.ema,
        converter=f'moganet_mm {__version__}')
    if num_classes == 1000:
        from mmpretrain.datasets.categories import IMAGENET_CATEGORIES
        meta['dataset_meta'] = dict(classes=list(IMAGENET_CATEGORIES))
    try:
        save_atomic(dict(meta=meta, state_dict=state), args.dst, args.overwrite)
    except FileExistsError as err:
        sys.exit(str(err))
    print(f'{args.src} -> {args.dst}: {len(state)} tensors, {MogaNet.arch_description(arch)}, '
          f'{num_classes} classes')


if __name__ == '__main__':
    main()
