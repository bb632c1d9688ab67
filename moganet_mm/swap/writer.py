"""Write a swapped config: ``_base_`` = the source, plus the plan's overrides."""
import os
import os.path as osp
import tempfile
from typing import Optional

import torch
from mmengine.config import Config

from ..codebases import build_model
from .errors import SwapError
from .plan import SwapPlan, plan_swap

WIDTH = 88


def py_literal(value, col: int = 0, level: int = 0) -> str:
    """Python source for a config value that starts at column ``col`` of a line
    indented by ``level``: ``dict(k=v)`` for dicts with identifier keys, one item a
    line (indented by ``level + 4``) when the one-line form does not fit."""
    one = _one_line(value)
    if col + len(one) <= WIDTH or not isinstance(value, (dict, list, tuple)) or not value:
        return one
    inner = level + 4
    if isinstance(value, dict):
        ident = all(isinstance(k, str) and k.isidentifier() for k in value)
        keys = [f'{k}=' if ident else f'{k!r}: ' for k in value]
        items = [
            key + py_literal(v, inner + len(key), inner) for key, v in zip(keys, value.values())
        ]
        open_, close = ('dict(', ')') if ident else ('{', '}')
    else:
        items = [py_literal(v, inner, inner) for v in value]
        open_, close = ('[', ']') if isinstance(value, list) else ('(', ')')
    return (open_ + '\n' + ''.join(f'{" " * inner}{it},\n' for it in items) + ' ' * level + close)


def _one_line(value) -> str:
    if isinstance(value, dict):
        if all(isinstance(k, str) and k.isidentifier() for k in value):
            return 'dict(' + ', '.join(f'{k}={_one_line(v)}' for k, v in value.items()) + ')'
        return '{' + ', '.join(f'{k!r}: {_one_line(v)}' for k, v in value.items()) + '}'
    if isinstance(value, list):
        return '[' + ', '.join(_one_line(v) for v in value) + ']'
    if isinstance(value, tuple):
        inner = ', '.join(_one_line(v) for v in value)
        return f'({inner},)' if len(value) == 1 else f'({inner})'
    return repr(value)


def base_reference(src: str, out: Optional[str]) -> str:
    """``_base_`` for the output file: ``codebase::path`` as given, a local file
    relative to the output's folder."""
    if '::' in src:
        return src
    src = osp.abspath(src)
    if out is None:
        return src
    return osp.relpath(src, osp.dirname(osp.abspath(out)))


def render(plan: SwapPlan, out: Optional[str] = None) -> str:
    """The swapped config's source text."""
    old_s = [f.stride for f in plan.old_features]
    lines = [
        f'"""{plan.src} with MogaNet-{plan.arch} as its backbone.',
        '',
        'Written by moganet_mm.swap from the models: both backbones ran on a '
        f'{plan.probe_size}x{plan.probe_size} input.',
        f'  original {plan.old_backbone}: strides {old_s}, widths '
        f'{[f.channels for f in plan.old_features]}',
        f'  MogaNet-{plan.arch} out_indices {plan.out_indices}: strides '
        f'{[f.stride for f in plan.new_features]}, widths '
        f'{[f.channels for f in plan.new_features]}',
    ]
    if plan.edits:
        lines += ['Channel fields that held the original widths:']
        lines += [f'  {e}' for e in plan.edits]
    for title, items in (('Also:', plan.notes), ('Warnings:', plan.warnings)):
        if items:
            lines += [title] + [f'  - {w}' for w in items]
    lines += ['"""', f'_base_ = {base_reference(plan.src, out)!r}', '']
    for key in ('custom_imports', ):
        lines.append(f'{key} = {py_literal(plan.top_overrides[key], len(key) + 3)}')
    lines.append(f'model = {py_literal(plan.model_overrides, 8)}')
    for key, value in plan.top_overrides.items():
        if key != 'custom_imports':
            lines.append(f'{key} = {py_literal(value, len(key) + 3)}')
    return '\n'.join(lines) + '\n'


def swap_backbone(src,
                  arch: str = 's',
                  pretrained: Optional[str] = 'released',
                  out: Optional[str] = None,
                  force: bool = False,
                  check: bool = True,
                  scope: Optional[str] = None,
                  **backbone_kwargs) -> SwapPlan:
    """Put MogaNet-``arch`` into the config ``src``: ``mmdet::...``, ``mmseg::...``,
    ``mmpose::...``, ``mmpretrain::...``, a local file, or a Config in memory.

    Returns the :class:`SwapPlan`: the edits, warnings and ``text``, a config that
    inherits ``src`` and changes only the backbone, the out_indices that give the
    original's strides, every neck/head channel field that held the original
    widths, and the fields that named the original's weights (see
    :func:`moganet_mm.swap.plan.plan_swap`). ``plan.apply(cfg)`` merges the swap into a
    Config in memory. With ``out`` the text is written there; an existing file is
    refused unless ``force``. With ``check`` the swapped config is loaded and its
    model built (and its backbone and neck run) before anything is written.
    ``backbone_kwargs`` go into the MogaNet config (e.g. ``drop_path_rate=0.2``).
    """
    if out is not None and osp.exists(out):
        if isinstance(src, str) and osp.isfile(src) and osp.samefile(out, src):
            raise SwapError(f'--out {out} is the source config itself; choose another file')
        if not force:
            raise SwapError(f'--out {out} exists; pass --force to overwrite it')
    plan = plan_swap(src, arch=arch, pretrained=pretrained, scope=scope, **backbone_kwargs)
    in_file = isinstance(src, str)
    plan.text = render(plan, out) if in_file else ''
    if check:
        check_plan(plan, src if not in_file else None, out)
    if out is not None:
        if not in_file:
            raise SwapError('a Config in memory has no file to inherit; use plan.apply(cfg) '
                            'or save the config first')
        os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
        tmp = f'{out}.tmp{os.getpid()}'
        with open(tmp, 'w') as f:
            f.write(plan.text)
        os.replace(tmp, out)
    return plan


def check_plan(plan: SwapPlan, cfg=None, out: Optional[str] = None) -> None:
    """Load the swapped config (or merge the plan into ``cfg``), build its model and
    run its backbone and neck on a dummy input."""
    if cfg is not None:
        swapped = plan.apply(cfg)
    else:
        text = plan.text  # _base_ is relative to out's folder, or absolute without out
        folder = osp.dirname(osp.abspath(out)) if out else None
        with tempfile.NamedTemporaryFile('w', suffix='.py', dir=folder, delete=False) as f:
            f.write(text)
        try:
            swapped = Config.fromfile(f.name)
        finally:
            os.unlink(f.name)
    model_cfg = swapped.model
    model_cfg.backbone.init_cfg = None  # the check needs no weights
    try:
        model = build_model(model_cfg, plan.scope)
        with torch.no_grad():
            feats = model.backbone.eval()(torch.randn(1, 3, plan.probe_size, plan.probe_size))
            if getattr(model, 'neck', None) is not None:
                model.neck.eval()(feats)
    except Exception as e:
        raise SwapError(f'the swapped config of {plan.src} does not build or run '
                        f'({type(e).__name__}: {e})') from e
