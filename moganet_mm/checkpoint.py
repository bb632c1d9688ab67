# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""Checkpoint IO for MogaNet: safe loading and original-format weights.

Checkpoints are data: every load goes through ``torch.load(weights_only=True)``.
``allow_mmengine_checkpoints`` (run on ``import moganet_mm``) allow-lists the few
plain types that MMEngine's own training checkpoints hold besides tensors, so that
``--resume``, ``load_from`` and ``mim test`` work on torch >= 2.6 without turning
safety off.

Original MogaNet checkpoints (Westlake-AI/MogaNet releases) are dicts holding the
weights under ``state_dict`` (or ``model``) with the same parameter names as
:class:`moganet_mm.MogaNet`, plus a classifier ``head.*`` that a backbone drops.
"""
import argparse
import os
import pickle
import re
from collections import OrderedDict
from typing import Dict, Optional, Tuple

import numpy as np
import torch
from mmengine.logging import MMLogger, print_log

__all__ = ['allow_mmengine_checkpoints', 'load_checkpoint_file', 'extract_state_dict',
           'original_weights', 'convert_original', 'save_checkpoint_atomic', 'converter_args',
           'infer_arch', 'arch_name', 'load_pretrained']


def _history_buffer_getattr(obj, name):
    """Stands in for ``builtins.getattr`` while unpickling: a HistoryBuffer pickles
    its statistics methods as ``getattr(HistoryBuffer, 'mean')``; nothing else may
    be looked up."""
    from mmengine.logging import HistoryBuffer
    if obj is HistoryBuffer and name in {'min', 'max', 'current', 'mean',
                                         *HistoryBuffer._statistics_methods}:
        return getattr(obj, name)
    raise pickle.UnpicklingError(f'Refusing getattr({obj!r}, {name!r}) in a checkpoint')


def _safe_globals() -> list:
    """Types that MMEngine checkpoints hold in ``meta`` and ``message_hub``."""
    from mmengine.logging import HistoryBuffer
    types = [HistoryBuffer, argparse.Namespace, np.ndarray, np.dtype,
             np.core.multiarray._reconstruct, np.core.multiarray.scalar]
    # numpy >= 1.25 pickles dtypes by their class (numpy.dtypes.Float64DType...)
    types += [type(np.dtype(t)) for t in np.sctypeDict.values()
              if type(np.dtype(t)) is not np.dtype]
    return list(dict.fromkeys(types)) + [(_history_buffer_getattr, 'builtins.getattr')]


def allow_mmengine_checkpoints():
    """Let ``torch.load(weights_only=True)`` read MMEngine training checkpoints."""
    torch.serialization.add_safe_globals(_safe_globals())


def load_checkpoint_file(filename: str, map_location='cpu') -> dict:
    """Load a checkpoint as data (``weights_only=True``) from a path or URL.

    Raises:
        FileNotFoundError: a local path that does not exist.
        RuntimeError: a file that holds more than plain data; the message names
            the type and how to trust it explicitly.
    """
    if '://' not in filename:
        if not os.path.isfile(filename):
            raise FileNotFoundError(f'Checkpoint file {filename!r} does not exist')
        try:
            return torch.load(filename, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as err:
            raise RuntimeError(
                f'Refusing to load {filename!r} as plain data: {err}\n'
                'If you trust this file, allow-list the named types with '
                '`torch.serialization.add_safe_globals([...])` before loading it.'
            ) from err
        except (RuntimeError, EOFError, OSError, ValueError) as err:
            raise RuntimeError(
                f'Checkpoint file {filename!r} ({os.path.getsize(filename)} bytes) is not '
                f'a readable torch checkpoint; is it truncated or corrupt? ({err})'
            ) from err
    # URLs and other backends: MMEngine's loader (torch.load defaults to
    # weights_only=True on torch >= 2.6, with the allow-list above).
    from mmengine.runner.checkpoint import CheckpointLoader
    return CheckpointLoader.load_checkpoint(filename, map_location=map_location)


def extract_state_dict(checkpoint: dict, prefix: Optional[str] = None) -> 'OrderedDict':
    """The backbone weights of a checkpoint, keyed as in :class:`MogaNet`.

    Takes ``state_dict``, else ``model``, else the dict itself (as the original
    loader); strips a DDP ``module.`` prefix; then keeps the keys under ``prefix``
    (stripped), or, when none is given, under ``backbone.`` if the checkpoint is a
    whole task model (mmdet / mmseg / mmpose / mmpretrain). An EMA copy
    (``state_dict_ema``) is never read implicitly.
    """
    if not isinstance(checkpoint, dict):
        raise TypeError(f'A checkpoint must be a dict, got {type(checkpoint).__name__}')
    state = checkpoint.get('state_dict', checkpoint.get('model', checkpoint))
    state = OrderedDict((k[len('module.'):] if k.startswith('module.') else k, v)
                        for k, v in state.items() if isinstance(v, torch.Tensor))
    if prefix is None and not any(k.startswith('patch_embed1.') for k in state) \
            and any(k.startswith('backbone.') for k in state):
        prefix = 'backbone.'
    if prefix:
        prefix = prefix if prefix.endswith('.') else prefix + '.'
        state = OrderedDict((k[len(prefix):], v) for k, v in state.items()
                            if k.startswith(prefix))
    return state


def infer_arch(state_dict: Dict[str, torch.Tensor]) -> Optional[dict]:
    """``embed_dims``, ``depths`` and ``ffn_ratios`` of MogaNet weights, if readable."""
    try:
        dims = [state_dict['patch_embed1.projection.3.weight'].shape[0]]
        dims += [state_dict[f'patch_embed{i}.projection.weight'].shape[0] for i in (2, 3, 4)]
        depths = []
        for i in range(1, 5):
            ids = {int(m.group(1)) for k in state_dict
                   for m in [re.match(rf'blocks{i}\.(\d+)\.', k)] if m}
            depths.append(len(ids))
        ratios = [state_dict[f'blocks{i}.0.mlp.fc1.weight'].shape[0] // d
                  for i, d in zip(range(1, 5), dims)]
    except KeyError:
        return None
    return dict(embed_dims=dims, depths=depths, ffn_ratios=ratios)


def arch_name(arch: Optional[dict]) -> str:
    """"arch 'small'" for a zoo arch, else a description of the dict."""
    from .models.backbones.moganet import MogaNet
    if arch is None:
        return 'not a MogaNet state dict'
    names = [k for k, v in MogaNet.arch_zoo.items() if v == arch and '-' not in k]
    return f"arch '{max(names, key=len)}'" if names else f'custom arch {arch}'


def load_pretrained(model: torch.nn.Module, filename: str, prefix: Optional[str] = None,
                    map_location='cpu') -> Tuple[list, list]:
    """Load MogaNet weights into ``model``, reporting every key that did not load.

    Classifier keys (``head.*``) are dropped with a note. Keys whose shapes do not
    fit raise a ``ValueError`` that names the first offenders and the arch the
    checkpoint holds; a checkpoint that matches no key at all raises too.

    Returns:
        (missing_keys, unexpected_keys)
    """
    logger = MMLogger.get_current_instance()
    state = extract_state_dict(load_checkpoint_file(filename, map_location), prefix)
    head = [k for k in state if k.startswith('head.')]
    for k in head:
        del state[k]
    own = model.state_dict()
    mismatched = [(k, tuple(v.shape), tuple(own[k].shape)) for k, v in state.items()
                  if k in own and v.shape != own[k].shape]
    model_arch = getattr(model, 'arch_settings', None)
    if mismatched:
        shown = '; '.join(f'{k}: checkpoint {a} vs model {b}' for k, a, b in mismatched[:3])
        raise ValueError(
            f'Checkpoint {filename!r} does not fit this {type(model).__name__}: '
            f'{len(mismatched)} tensors have other shapes ({shown}). The checkpoint '
            f'holds {arch_name(infer_arch(state))}; the model is '
            f'{arch_name(model_arch)}.')
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    if len(missing) == len(own):
        raise ValueError(
            f'Checkpoint {filename!r} has no weights for this {type(model).__name__} '
            f'(first keys: {list(state)[:3]}); pass init_cfg prefix=... if its '
            'backbone keys sit under another prefix.')
    model.load_state_dict(state, strict=False)
    print_log(f'Loaded {len(state) - len(unexpected)}/{len(own)} tensors of '
              f'{type(model).__name__} from {filename}'
              + (f'; dropped classifier keys {head}' if head else ''), logger=logger)
    if missing:
        print_log(f'Missing keys (left as initialised): {missing}', logger=logger,
                  level=30)
    if unexpected:
        print_log(f'Unexpected keys (ignored): {unexpected}', logger=logger, level=30)
    return missing, unexpected


def original_weights(checkpoint: dict, use_ema: bool = False) -> 'OrderedDict':
    """All weights of an original MogaNet checkpoint (classifier ``head.*`` included).

    ``use_ema`` takes ``state_dict_ema`` (timm-trained files may hold one) instead
    of ``state_dict``; it must then exist. Raises ``ValueError`` when it does not, or
    when the weights are not MogaNet's.
    """
    if use_ema:
        if 'state_dict_ema' not in checkpoint:
            raise ValueError('--ema: this checkpoint has no state_dict_ema; it holds '
                             f'{sorted(checkpoint)}')
        checkpoint = {'state_dict': checkpoint['state_dict_ema']}
    state = extract_state_dict(checkpoint)
    if infer_arch(state) is None:
        raise ValueError('Not a MogaNet checkpoint: no patch_embed1..4 / blocks1..4 weights '
                         f'(first keys: {list(state)[:5]})')
    return state


def convert_original(checkpoint: dict, use_ema: bool = False) -> 'OrderedDict':
    """Backbone weights of an original MogaNet checkpoint, classifier dropped
    (see :func:`original_weights`)."""
    state = original_weights(checkpoint, use_ema)
    return OrderedDict((k, v) for k, v in state.items() if not k.startswith('head.'))


def save_checkpoint_atomic(obj: dict, filename: str, overwrite: bool = False):
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


def converter_args(description: str, argv=None) -> argparse.Namespace:
    """The command line that every ``tools/model_converters`` script shares:
    ``src dst [--ema] [--overwrite]``; src and dst must differ."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('src', help='original checkpoint (.pth / .pth.tar) or URL')
    parser.add_argument('dst', help='output path')
    parser.add_argument('--ema', action='store_true',
                        help='convert the state_dict_ema copy instead of state_dict')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace dst if it exists')
    args = parser.parse_args(argv)
    if os.path.abspath(args.src) == os.path.abspath(args.dst):
        parser.error('src and dst are the same file; choose another output path')
    return args
