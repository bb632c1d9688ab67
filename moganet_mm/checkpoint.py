# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""Checkpoint IO for MogaNet: safe loading and the original key layout.

Checkpoints are data: every load goes through ``torch.load(weights_only=True)``.
:func:`allow_mmengine_checkpoints` (run on ``import moganet_mm``) allow-lists the
few plain types that MMEngine's own training checkpoints hold besides tensors, so
that ``--resume``, ``load_from`` and ``mim test`` work on torch >= 2.6 without
turning safety off, and makes MMEngine's loader for local files say which file is
missing, truncated or not plain data.

Original MogaNet checkpoints (Westlake-AI/MogaNet releases) hold the weights under
``state_dict`` (or ``model``) with the same parameter names as
:class:`moganet_mm.MogaNet`, plus a classifier ``head.*`` that a backbone drops;
:func:`backbone_weights` turns any of the layouts users bring into backbone keys.
"""
import argparse
import os
import pickle
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

__all__ = ['allow_mmengine_checkpoints', 'load_checkpoint_file', 'backbone_weights', 'infer_arch']


def _history_buffer_getattr(obj, name):
    """Stands in for ``builtins.getattr`` while unpickling: a HistoryBuffer pickles
    its statistics methods as ``getattr(HistoryBuffer, 'mean')``; nothing else may
    be looked up."""
    if obj is HistoryBuffer and name in {
            'min', 'max', 'current', 'mean', *HistoryBuffer._statistics_methods
    }:
        return getattr(obj, name)
    raise pickle.UnpicklingError(f'Refusing getattr({obj!r}, {name!r}) in a checkpoint')


def _safe_globals() -> list:
    """Types that MMEngine checkpoints hold in ``meta`` and ``message_hub``."""
    types = [
        HistoryBuffer, argparse.Namespace, np.ndarray, np.dtype, np.core.multiarray._reconstruct,
        np.core.multiarray.scalar
    ]
    # numpy >= 1.25 pickles dtypes by their class (numpy.dtypes.Float64DType...)
    types += [
        type(np.dtype(t)) for t in np.sctypeDict.values() if type(np.dtype(t)) is not np.dtype
    ]
    return list(dict.fromkeys(types)) + [(_history_buffer_getattr, 'builtins.getattr')]


def allow_mmengine_checkpoints():
    """Let ``torch.load(weights_only=True)`` read MMEngine training checkpoints, and
    route MMEngine's local-file loader (``PretrainedInit``, ``load_from``,
    ``--resume``) through :func:`load_checkpoint_file` for its clear errors."""
    torch.serialization.add_safe_globals(_safe_globals())
    CheckpointLoader.register_scheme(prefixes='', force=True)(load_from_local)


def load_from_local(filename: str, map_location=None) -> dict:
    """MMEngine's scheme for local paths, under the name of the one it replaces (its log
    line reads the name), with errors that name the file."""
    return load_checkpoint_file(os.path.expanduser(filename), map_location)


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
                '`torch.serialization.add_safe_globals([...])` before loading it.') from err
        except (RuntimeError, EOFError, OSError, ValueError) as err:
            raise RuntimeError(
                f'Checkpoint file {filename!r} ({os.path.getsize(filename)} bytes) is not '
                f'a readable torch checkpoint; is it truncated or corrupt? ({err})') from err
    # URLs and other backends: MMEngine's loader (torch.load defaults to
    # weights_only=True on torch >= 2.6, with the allow-list above).
    return CheckpointLoader.load_checkpoint(filename, map_location=map_location)


def backbone_weights(state: Dict[str, torch.Tensor]) -> Tuple['OrderedDict', List[str]]:
    """The MogaNet weights in a loaded state dict, keyed as :class:`MogaNet` keys them.

    Reads every layout the original code and the OpenMMLab codebases write: the
    weights themselves or nested under ``model`` (some training scripts); keys with
    a DDP ``module.`` prefix; a whole task model (mmdet / mmseg / mmpose /
    mmpretrain, 2.0 or 1.x) whose backbone sits under ``backbone.``. The original
    classifier ``head.*`` is dropped. An EMA copy (``state_dict_ema``) is never
    read implicitly.

    Returns:
        (weights, dropped classifier keys)
    """
    if isinstance(state.get('model'), dict):
        state = state['model']
    state = OrderedDict((k[len('module.'):] if k.startswith('module.') else k, v)
                        for k, v in state.items() if isinstance(v, torch.Tensor))
    if not any(k.startswith('patch_embed1.') for k in state) \
            and any(k.startswith('backbone.') for k in state):
        state = OrderedDict(
            (k[len('backbone.'):], v) for k, v in state.items() if k.startswith('backbone.'))
    dropped = [k for k in state if k.startswith('head.')]
    for k in dropped:
        del state[k]
    return state, dropped


def infer_arch(state_dict: Dict[str, torch.Tensor]) -> Optional[dict]:
    """``embed_dims``, ``depths`` and ``ffn_ratios`` of MogaNet weights, if readable."""
    try:
        dims = [state_dict['patch_embed1.projection.3.weight'].shape[0]]
        dims += [state_dict[f'patch_embed{i}.projection.weight'].shape[0] for i in (2, 3, 4)]
        depths = []
        for i in range(1, 5):
            ids = {
                int(m.group(1))
                for k in state_dict
                for m in [re.match(rf'blocks{i}\.(\d+)\.', k)] if m
            }
            depths.append(len(ids))
        ratios = [
            state_dict[f'blocks{i}.0.mlp.fc1.weight'].shape[0] // d
            for i, d in zip(range(1, 5), dims)
        ]
    except KeyError:
        return None
    return dict(embed_dims=dims, depths=depths, ffn_ratios=ratios)
