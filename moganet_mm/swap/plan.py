"""Work out what a config must change to take MogaNet as its backbone.

1. Build the original model; run a dummy input through its backbone and through
   MogaNet to read each output's stride and width.
2. Map the original outputs to MogaNet stages by stride (4/8/16/32 are stages
   0..3). Dilated backbones (repeated strides, e.g. PSPNet's ResNetV1c at 4/8/8/8)
   map output by output to MogaNet's stages in order: MogaNet has no dilated
   stages, so the strides change and a warning says so.
3. Find the modules that consume the backbone's outputs: the neck, or (without a
   neck, or after a neck that has no channel fields such as GlobalAveragePooling)
   the heads. Call each with the original features and record which of its
   modules take a feature map.
4. Rewrite every ``in_channels`` / ``*_in_channels`` field of those consumers that
   held an old width and sits on a module that took a feature map, to the width
   MogaNet gives at the same place (through ``in_index`` where the head has one).
"""
import copy
import os.path as osp
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.config import Config

from ..codebases import ConfigError, build_model, load_config
from ..models import MogaNet
from ..sizes import moganet_sizes
from .errors import SwapError
from .probe import (Feature, consumer_paths, describe, fed_under, resolve_module, run_backbone,
                    trace_consumer)

MOGANET_STRIDES = (4, 8, 16, 32)
#: MogaNet's ImageNet normalisation (RGB, 0-255 scale)
IMAGENET_MEAN, IMAGENET_STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]
#: layer-decay constructors that pick the layer id by backbone class name
CLASS_NAME_LAYER_DECAY = ('LearningRateDecayOptimizerConstructor', )
MOGANET_LAYER_DECAY = 'LayerDepthDecayOptimWrapperConstructor'  # moganet_mm.engine
NOT_HEADS = ('backbone', 'data_preprocessor', 'train_cfg', 'test_cfg', 'init_cfg')
#: dummy input sides to try, smallest first (a ViT with a fixed size may need 224 or 512)
PROBE_SIZES = (128, 224, 512)


def size_of(arch: str) -> dict:
    """The size-table row of ``arch`` (``'s'``, ``'small'``, ...); a clear error for
    anything that is not a MogaNet arch."""
    if not isinstance(arch, str) or arch.lower() not in MogaNet.arch_zoo:
        raise SwapError(f'--arch {arch!r} is not a MogaNet arch; choose one of '
                        f'{sorted(MogaNet.arch_zoo)}')
    settings = MogaNet.arch_zoo[arch.lower()]
    return next(row for key, row in moganet_sizes.items() if MogaNet.arch_zoo[key] is settings)


def canonical_arch(arch: str) -> str:
    """``'s'`` -> ``'small'``."""
    return size_of(arch)['arch']


def is_width_key(key) -> bool:
    return isinstance(key, str) and (key == 'in_channels' or key.endswith('_in_channels'))


def is_width_value(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return (isinstance(value, (list, tuple)) and len(value) > 0
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value))


def width_fields(node, path=()):
    """``(path, value)`` of every channel field below a config node."""
    if isinstance(node, dict):
        for key, value in node.items():
            if is_width_key(key) and is_width_value(value):
                yield path + (key, ), value
            elif isinstance(value, (dict, list, tuple)):
                yield from width_fields(value, path + (key, ))
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            if isinstance(value, (dict, list, tuple)):
                yield from width_fields(value, path + (i, ))


def get_path(node, path):
    for key in path:
        node = node[key]
    return node


def dotted(path) -> str:
    return '.'.join(f'[{k}]' if isinstance(k, int) else k for k in path).replace('.[', '[')


@dataclass
class FieldEdit:
    path: Tuple  # from model, e.g. ('neck', 'in_channels') or ('decode_head', 1, 'in_channels')
    old: Any
    new: Any

    def __str__(self):
        return f'model.{dotted(self.path)}: {self.old} -> {self.new}'


@dataclass
class SwapPlan:
    """Everything the swapped config changes, and why; ``text`` is the written
    config once :func:`moganet_mm.swap.swap_backbone` rendered it."""
    src: str
    scope: str
    arch: str
    old_backbone: str
    probe_size: int
    old_features: List[Feature]
    moganet_features: List[Feature]  # all four stages
    out_indices: Tuple[int, ...]
    backbone: Dict[str, Any]
    edits: List[FieldEdit] = field(default_factory=list)
    model_overrides: Dict[str, Any] = field(default_factory=dict)
    top_overrides: Dict[str, Any] = field(default_factory=dict)
    warnings: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    text: str = ''

    def apply(self, cfg):
        """A copy of ``cfg`` (the source config) with the swap merged in."""
        new = Config(copy.deepcopy(cfg.to_dict() if isinstance(cfg, Config) else cfg))
        new.merge_from_dict(copy.deepcopy(dict(model=self.model_overrides, **self.top_overrides)))
        return new

    @property
    def new_features(self) -> List[Feature]:
        return [self.moganet_features[i] for i in self.out_indices]


def map_outputs(old: Sequence[Feature], warnings: List[str]) -> Tuple[int, ...]:
    """MogaNet stage for each original output: same stride, or (dilated
    backbones) the same place in order."""
    strides = [f.stride for f in old]
    if None in strides:
        if len(strides) != 1:
            raise SwapError(f'model.backbone returns {len(strides)} outputs, some pooled to '
                            'vectors; the swap handles one pooled output (a classifier\'s)')
        return (len(MOGANET_STRIDES) - 1, )  # the last stage, pooled by a neck
    if len(set(strides)) == len(strides) and all(s in MOGANET_STRIDES for s in strides):
        return tuple(MOGANET_STRIDES.index(s) for s in strides)
    missing = [s for s in strides if s not in MOGANET_STRIDES]
    dilated = (
        len(strides) <= len(MOGANET_STRIDES) and strides == sorted(strides)
        and len(set(strides)) < len(strides) and not missing)
    if not dilated:
        raise SwapError(
            f'model.backbone.out_indices: the original backbone returns strides {strides}; '
            f'MogaNet makes only {list(MOGANET_STRIDES)} (stages 0..3), so the neck/head '
            f'that reads stride {missing or strides} cannot get it')
    first = len(MOGANET_STRIDES) - len(strides)
    indices = tuple(range(first, len(MOGANET_STRIDES)))
    new = [MOGANET_STRIDES[i] for i in indices]
    warnings.append(f'model.backbone: the original is dilated (output strides {strides}); '
                    f'MogaNet has no dilated stages, so its outputs come at strides {new}. '
                    'Heads that resize to the input (PSP, ASPP, FCN, ...) take them; the '
                    'feature maps are coarser than the original\'s')
    return indices


def _pretrained_cfg(pretrained: Optional[str], arch: str):
    if pretrained in (None, 'none'):
        return None
    if pretrained == 'released':
        return copy.deepcopy(size_of(arch)['backbone']['init_cfg'])
    if '://' not in pretrained and not osp.isfile(pretrained):
        raise SwapError(f'--pretrained {pretrained!r}: no such file; give released, none, '
                        'a checkpoint file or a URL')
    return dict(type='Pretrained', checkpoint=pretrained)


def set_path(tree: dict, path: Sequence, value, src_model) -> None:
    """Put ``value`` at ``path`` in the override tree. mmengine replaces lists
    wholesale, so a path through a list copies that list from the source once and
    edits the copy."""
    node, src = tree, src_model
    for i, key in enumerate(path[:-1]):
        src = src[key]
        if isinstance(src, (list, tuple)):
            if key not in node:
                node[key] = copy.deepcopy(list(src))
            node = node[key]
            for k in path[i + 1:-1]:
                node = node[k]
            node[path[-1]] = value
            return
        node = node.setdefault(key, {})
    node[path[-1]] = value


def plan_swap(src,
              arch: str = 's',
              pretrained: Optional[str] = 'released',
              probe_sizes: Sequence[int] = PROBE_SIZES,
              scope: Optional[str] = None,
              **backbone_kwargs) -> SwapPlan:
    """Work out the swap of ``src``'s backbone for MogaNet-``arch``; see the module doc.

    ``src`` is a config path (``mmdet::...`` or a file) or a Config/dict in memory
    (then ``scope`` or its ``default_scope`` names the codebase).
    """
    arch = canonical_arch(arch)
    try:
        cfg, scope = load_config(src, scope)
    except ConfigError as err:
        raise SwapError(str(err)) from None
    if not isinstance(src, str):
        src = cfg.filename or '<config in memory>'
    model_cfg = cfg.get('model')
    if not isinstance(model_cfg, dict) or not isinstance(model_cfg.get('backbone'), dict):
        nested = [dotted(p[:-1]) for p, _ in _find_backbones(model_cfg or {})]
        where = f' (there is one at model.{nested[0]}: swap that model\'s own config)' \
            if nested else ''
        raise SwapError(f'{src}: the config has no model.backbone{where}; nothing to swap')
    old_bb_cfg = model_cfg['backbone']
    warnings, notes = [], []

    # 1. the original model and its backbone's outputs
    src_model_cfg = copy.deepcopy(model_cfg)
    if src_model_cfg.get('pretrained') is not None:  # mmseg: would load into the backbone
        src_model_cfg['pretrained'] = None
    try:
        model = build_model(src_model_cfg, scope)
    except Exception as e:
        raise SwapError(f'{src}: the original model does not build in {scope} '
                        f'({type(e).__name__}: {e})') from e
    in_channels = old_bb_cfg.get('in_channels', 3)
    if not isinstance(in_channels, int):
        in_channels = 3
    old_maps, probe_size, errors = None, None, []
    for probe_size in probe_sizes:
        try:
            old_maps = run_backbone(model.backbone, probe_size, in_channels)
            break
        except SwapError:
            raise
        except Exception as e:  # noqa: BLE001 -- try the next input size
            errors.append(f'{probe_size}: {type(e).__name__}: {e}'.splitlines()[0])
    if old_maps is None:
        raise SwapError(f'model.backbone ({old_bb_cfg.get("type")}) does not run on a dummy '
                        f'input of any of the sizes tried ({"; ".join(errors)})')
    old = describe(old_maps, probe_size)
    moga_all = describe(
        run_backbone(MogaNet(arch=arch, in_channels=in_channels), probe_size, in_channels),
        probe_size)
    out_indices = map_outputs(old, warnings)

    # 2. the new backbone
    init_cfg = _pretrained_cfg(pretrained, arch)
    backbone = dict(
        _delete_=True,
        type='MogaNet',
        arch=arch,
        out_indices=out_indices,
        drop_path_rate=size_of(arch)['drop_path_rate'])
    if in_channels != 3:
        backbone['in_channels'] = in_channels
    norm = old_bb_cfg.get('norm_cfg')
    if isinstance(norm, dict) and norm.get('type') == 'SyncBN':
        backbone['norm_cfg'] = dict(type='SyncBN', requires_grad=True)
    if init_cfg is not None:  # random weights are never frozen
        if old_bb_cfg.get('norm_eval'):
            backbone['norm_eval'] = True
            notes.append('model.backbone.norm_eval=True kept from the original')
        frozen = old_bb_cfg.get('frozen_stages', -1)
        # MogaNet counts frozen stages as mmdet's ResNets do (0: stem, k: stem + 1..k);
        # other backbones count otherwise (mmpretrain's ConvNeXt: 0 freezes nothing)
        if frozen not in (-1, None):
            if 'ResNe' in str(old_bb_cfg.get('type')):
                backbone['frozen_stages'] = frozen
                notes.append(f'model.backbone.frozen_stages={frozen} kept from the original '
                             '(MogaNet counts stages as ResNet does)')
            else:
                warnings.append(f'model.backbone.frozen_stages={frozen} of the original '
                                f'{old_bb_cfg.get("type")} was not carried over (its '
                                'convention may differ from MogaNet\'s); set it if you want '
                                'frozen stages')
    backbone.update(backbone_kwargs)
    backbone['init_cfg'] = init_cfg
    moga = MogaNet(**{
        k: v
        for k, v in backbone.items() if k not in ('_delete_', 'type', 'init_cfg')
    })
    new_maps = run_backbone(moga, probe_size, in_channels)

    plan = SwapPlan(
        src=src,
        scope=scope,
        arch=arch,
        old_backbone=str(old_bb_cfg.get('type')),
        probe_size=probe_size,
        old_features=old,
        moganet_features=moga_all,
        out_indices=out_indices,
        backbone=backbone,
        warnings=warnings,
        notes=notes)
    plan.model_overrides['backbone'] = backbone

    # a backbone that pooled its output itself (mmpretrain's gap_before_final_norm): MogaNet
    # returns maps, so a model without a neck gets the codebase's GlobalAveragePooling
    if old[0].stride is None:
        if model_cfg.get('neck') or scope not in ('mmpretrain', 'mmpose'):
            raise SwapError(f'model.backbone ({old_bb_cfg.get("type")}) returns pooled '
                            'vectors; MogaNet returns feature maps and this model has no '
                            'place for a GlobalAveragePooling neck')
        plan.model_overrides['neck'] = dict(type='GlobalAveragePooling')
        notes.append(f'model.neck = GlobalAveragePooling: the original {old_bb_cfg.get("type")} '
                     'pooled its output itself, MogaNet returns a feature map')
        new_maps = tuple(t.mean((2, 3)) for t in new_maps)

    # 3. who consumes the features
    heads = [
        k for k, v in model_cfg.items()
        if k not in NOT_HEADS and k != 'neck' and isinstance(v, (dict, list)) and (
            (isinstance(v, dict) and 'type' in v) or
            (isinstance(v, list) and v and all(isinstance(h, dict) for h in v)))
    ]
    stages = []  # (component names, old features, new features)
    if isinstance(model_cfg.get('neck'), (dict, list)):
        neck_cfg = model_cfg['neck']
        first_neck = neck_cfg[0] if isinstance(neck_cfg, list) else neck_cfg
        if any(True for _ in width_fields(first_neck)):
            stages.append((['neck'], old_maps, new_maps))
        else:  # pass-through neck (GAP, FeatureMapProcessor): heads see its outputs
            with torch.no_grad():
                neck = model.neck.eval()
                old_out = neck(old_maps)
                new_out = neck(new_maps)
            old_out = old_out if isinstance(old_out, (tuple, list)) else (old_out, )
            new_out = new_out if isinstance(new_out, (tuple, list)) else (new_out, )
            notes.append(f'model.neck ({first_neck.get("type")}) has no channel fields; '
                         'the heads read its outputs')
            stages.append((heads, tuple(old_out), tuple(new_out)))
    else:
        stages.append((heads, old_maps, new_maps))

    # 4. the channel fields that held old widths
    for names, old_feats, new_feats in stages:
        old_w = [t.shape[1] for t in old_feats]
        new_w = [t.shape[1] for t in new_feats]
        for path in consumer_paths(model, names):
            trace = trace_consumer(model, path, old_feats)
            cfg_root = tuple(int(p) if p.isdigit() else p for p in path.split('.'))
            for sub, value in width_fields(get_path(model_cfg, cfg_root)):
                fpath = cfg_root + sub
                edit = _edit_for(fpath, value, get_path(model_cfg, fpath[:-1]), old_w, new_w)
                if edit is None:
                    continue
                if len(sub) > 1:  # a field of a module inside the consumer
                    module = resolve_module(model, fpath[:-1])
                    if module is None:  # built under another name: look inside its parent
                        module = _fed_module_with(model, trace.fed, fpath[:-1], fpath[-1], value)
                    fed = module is not None and fed_under(trace.fed, module)
                    if not fed and trace.error is None:
                        continue  # e.g. KNet's kernel update heads: fed by the head
                    if not fed:
                        warnings.append(
                            f'model.{dotted(fpath)}={value} was left as it is: model.{path} '
                            f'does not run on features alone ({trace.error}), so whether '
                            'this module reads the backbone is unknown')
                        continue
                plan.edits.append(edit)
                set_path(plan.model_overrides, fpath, edit.new, model_cfg)

    _check_pretrained_paths(cfg, plan)
    _check_preprocessor(cfg, plan, init_cfg)
    _check_optimizer(cfg, plan, moga)
    imports = cfg.get('custom_imports', {}).get('imports', [])
    imports = [imports] if isinstance(imports, str) else list(imports)
    if 'moganet_mm' not in imports:
        imports.append('moganet_mm')
    plan.top_overrides['custom_imports'] = dict(imports=imports, allow_failed_imports=False)
    return plan


def _fed_module_with(model, fed, cfg_path, key, value) -> Optional[str]:
    """A module that took the features, sits inside the deepest module that
    ``cfg_path`` resolves to, and holds ``key == value`` as an attribute. mmpose's
    InterNet builds ``head.keypoint_head_cfg`` twice, as ``head.left_hand_head`` and
    ``head.right_hand_head``, each with ``self.in_channels``."""
    parent = None
    for n in range(len(cfg_path) - 1, 0, -1):
        parent = resolve_module(model, cfg_path[:n])
        if parent is not None:
            break
    if parent is None:
        return None
    for name in sorted(fed):
        if (name == parent or name.startswith(parent + '.')) and \
                getattr(model.get_submodule(name), key, None) == value:
            return name
    return None


def _edit_for(path, value, parent: dict, old_w, new_w) -> Optional[FieldEdit]:
    """The new value of a channel field, or None if it holds no old width."""
    in_index = parent.get('in_index') if path[-1] == 'in_channels' else None
    if in_index is not None:
        idx = [in_index] if isinstance(in_index, int) else list(in_index)
        olds = [value] if isinstance(value, int) else list(value)
        try:
            if len(idx) == len(olds) and all(old_w[i] == v for i, v in zip(idx, olds)):
                news = [new_w[i] for i in idx]
                return FieldEdit(path, value, news[0] if isinstance(value, int) else news)
        except IndexError:
            pass
        return None
    if isinstance(value, int):
        hits = {new_w[k] for k, w in enumerate(old_w) if w == value}
        return FieldEdit(path, value, hits.pop()) if len(hits) == 1 else None
    value = list(value)
    if value == old_w:
        return FieldEdit(path, value, list(new_w))
    news = []
    for v in value:
        hits = {new_w[k] for k, w in enumerate(old_w) if w == v}
        if len(hits) != 1:
            return None
        news.append(hits.pop())
    return FieldEdit(path, value, news)


def _find_backbones(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == 'backbone' and isinstance(v, dict):
                yield path + (k, ), v
            elif isinstance(v, (dict, list)):
                yield from _find_backbones(v, path + (k, ))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _find_backbones(v, path + (i, ))


def _check_pretrained_paths(cfg, plan: SwapPlan):
    """Weights that only fit the original model are dropped, with a warning each."""
    model_cfg = cfg.model
    if model_cfg.get('pretrained') is not None:
        plan.model_overrides['pretrained'] = None
        plan.warnings.append(f'model.pretrained={model_cfg["pretrained"]!r} set to None: it '
                             'holds the original backbone\'s weights (MogaNet\'s come from '
                             'model.backbone.init_cfg)')
    init = model_cfg.get('init_cfg')
    if isinstance(init, dict) and init.get('type') == 'Pretrained':
        plan.model_overrides['init_cfg'] = None
        plan.warnings.append(f'model.init_cfg (Pretrained {init.get("checkpoint")!r}) set to '
                             'None: a whole-model checkpoint of the original backbone')
    if cfg.get('load_from'):
        plan.top_overrides['load_from'] = None
        plan.warnings.append(f'load_from={cfg.load_from!r} set to None: that checkpoint holds '
                             'the original backbone (and neck/head widths that no longer fit)')


def _check_preprocessor(cfg, plan: SwapPlan, init_cfg):
    """Pretrained MogaNet expects RGB input normalised with ImageNet's mean/std."""
    pre = cfg.model.get('data_preprocessor')
    if init_cfg is None or not isinstance(pre, dict) or 'mean' not in pre:
        return
    rgb_key = 'to_rgb' if 'to_rgb' in pre else 'bgr_to_rgb'
    want = {'mean': IMAGENET_MEAN, 'std': IMAGENET_STD, rgb_key: True}
    changed = {
        k: v
        for k, v in want.items()
        if pre.get(k) is not None and (list(pre[k]) if isinstance(pre[k], (list,
                                                                           tuple)) else pre[k]) != v
    }
    if changed:
        plan.model_overrides['data_preprocessor'] = changed
        plan.notes.append(
            'model.data_preprocessor: ' + ', '.join(f'{k} {pre[k]} -> {v}'
                                                    for k, v in changed.items()) +
            ' (the original normalised for its own weights; MogaNet\'s released weights '
            'take RGB with ImageNet mean/std)')


def _check_optimizer(cfg, plan: SwapPlan, moga):
    """mmdet/mmseg's ConvNeXt-style layer decay picks layer ids by backbone class name
    (ConvNeXt, BEiT, MAE) and raises NotImplementedError for any other backbone:
    swap it for moganet_mm's LayerDepthDecayOptimWrapperConstructor, which asks
    ``MogaNet.get_layer_depth``. mmpretrain's constructor asks the model's
    ``get_layer_depth`` already and needs nothing."""
    ow = cfg.get('optim_wrapper')
    if not isinstance(ow, dict):
        return
    ctor = ow.get('constructor')
    paramwise = dict(ow.get('paramwise_cfg') or {})
    if isinstance(ctor, str) and ctor.split('.')[-1] in CLASS_NAME_LAYER_DECAY:
        rate = paramwise.get('decay_rate')
        if rate is None:
            raise SwapError(f'optim_wrapper.paramwise_cfg has no decay_rate for {ctor}')
        # the original takes weight decay off every 1-D parameter and bias
        new_paramwise = dict(
            _delete_=True, layer_decay_rate=rate, flat_decay_mult=0., bias_decay_mult=0.)
        plan.top_overrides['optim_wrapper'] = dict(
            constructor=MOGANET_LAYER_DECAY, paramwise_cfg=new_paramwise)
        dropped = {k: v for k, v in paramwise.items() if k not in ('decay_rate', )}
        plan.notes.append(
            f'optim_wrapper.constructor {ctor} -> {MOGANET_LAYER_DECAY} (layer_decay_rate='
            f'{rate}): the original picks layer ids by backbone class name (ConvNeXt/BEiT/'
            'MAE) and raises for any other backbone; this one asks MogaNet.get_layer_depth' +
            (f'; dropped {dropped}, which counted the original\'s layers/stages' if dropped else '')
        )
    keys = paramwise.get('custom_keys', {}) or {}
    names = ['backbone.' + n for n, _ in moga.named_parameters()]
    for key in keys:
        if key.startswith('backbone.') and not any(key in n for n in names):
            plan.warnings.append(f'optim_wrapper.paramwise_cfg.custom_keys[{key!r}] matches no '
                                 'MogaNet parameter (it named a part of the original backbone)')
