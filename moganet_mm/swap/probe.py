"""Read a backbone's outputs (stride, width) from a dummy input, and trace which
neck/head modules consume them."""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Set, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

from .errors import SwapError


@dataclass(frozen=True)
class Feature:
    """One output of a backbone (or a pass-through neck): a feature map at
    ``stride``, or, with ``stride`` None, a pooled (N, C) vector (mmpretrain
    backbones with ``gap_before_final_norm``)."""
    stride: Optional[int]
    channels: int

    def __str__(self):
        return f'{self.channels}@/{self.stride}' if self.stride else f'{self.channels} pooled'


def feature_maps(outputs, who: str) -> Tuple[torch.Tensor, ...]:
    """The (N, C, H, W) maps, or pooled (N, C) vectors, of a backbone's output: one
    tensor or a tuple/list of them."""
    if isinstance(outputs, torch.Tensor):
        outputs = (outputs, )
    if not isinstance(outputs, (tuple, list)) or not outputs or not all(
            isinstance(t, torch.Tensor) and t.dim() in (2, 4) for t in outputs):
        kinds = [
            type(t).__name__ if not isinstance(t, torch.Tensor) else f'tensor{tuple(t.shape)}'
            for t in (outputs if isinstance(outputs, (tuple, list)) else [outputs])
        ]
        raise SwapError(f'{who} does not return (N, C, H, W) feature maps (got {kinds}); '
                        'the swap maps feature maps by stride, so it needs a backbone that '
                        'returns them')
    return tuple(outputs)


def describe(maps: Sequence[torch.Tensor], input_size: int) -> List[Feature]:
    """Stride (input size / map size, rounded; None for pooled vectors) and width."""
    return [
        Feature(
            stride=max(1, round(input_size / t.shape[-2])) if t.dim() == 4 else None,
            channels=t.shape[1]) for t in maps
    ]


@torch.no_grad()
def run_backbone(backbone: nn.Module, input_size: int, in_channels: int = 3):
    """Run ``backbone`` in eval mode on a seeded (1, C, S, S) input."""
    backbone.eval()
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(1, in_channels, input_size, input_size, generator=gen)
    return feature_maps(backbone(x), f'the backbone {type(backbone).__name__}')


def _tensors(obj):
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, (tuple, list)):
        for o in obj:
            yield from _tensors(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _tensors(o)


@dataclass
class Trace:
    """What one consumer (``neck``, ``decode_head.1``, ...) did with the features."""
    fed: Set[str]  # module paths (from the model root) that took a feature map
    error: Optional[str]  # why calling it with the features alone failed, if it did
    outputs: object = None  # what it returned, if it ran


#: ops that mix channels: their outputs are new features, not the backbone's
CHANNEL_MIXING = {
    F.conv1d,
    F.conv2d,
    F.conv3d,
    F.conv_transpose1d,
    F.conv_transpose2d,
    F.conv_transpose3d,
    F.linear,
    F.bilinear,
    torch.conv1d,
    torch.conv2d,
    torch.conv3d,
    torch.conv_transpose1d,
    torch.conv_transpose2d,
    torch.conv_transpose3d,
    torch.matmul,
    torch.bmm,
    torch.mm,
    torch.einsum,
    torch.Tensor.matmul,
    torch.Tensor.__matmul__,
    torch.Tensor.bmm,
    torch.Tensor.mm,
}


class _FollowFeatures(TorchFunctionMode):
    """Follows the backbone's feature maps through every op that keeps their
    channels (indexing, pooling, resizing, norms, activations, flattening to (N, C)):
    a head that pools the features before its Linear still reads the backbone's
    width. Ops that mix channels (convs, linears, matmuls) end the trail."""

    def __init__(self, features, widths):
        super().__init__()
        self.keep = list(features)  # holds the tensors so that their ids stay unique
        self.ids = {id(t) for t in features}
        self.widths = set(widths)

    def followed(self, obj) -> bool:
        return any(id(t) in self.ids for t in _tensors(obj))

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if func not in CHANNEL_MIXING and self.followed((args, kwargs)):
            for t in _tensors(out):
                if t.dim() >= 2 and t.shape[1] in self.widths and id(t) not in self.ids:
                    self.keep.append(t)
                    self.ids.add(id(t))
        return out


@torch.no_grad()
def trace_consumer(model: nn.Module, path: str, features: Sequence[torch.Tensor]) -> Trace:
    """Call the submodule at ``path`` with ``features`` and record every module (at
    any depth) whose input is one of these feature maps, or one made from them by
    ops that keep the channels (see :class:`_FollowFeatures`).

    Heads whose forward also needs data samples fail before or after using the
    features; what was recorded until then is kept, with the error.
    """
    module = model.get_submodule(path)
    follow = _FollowFeatures(features, [t.shape[1] for t in features])
    fed: Set[str] = set()
    handles = []

    def hook_for(name):

        def hook(mod, args, kwargs):
            if follow.followed((args, kwargs)):
                fed.add(name)

        return hook

    for name, sub in module.named_modules(prefix=path):
        handles.append(sub.register_forward_pre_hook(hook_for(name), with_kwargs=True))
    module.eval()
    try:
        with follow:
            out = module(tuple(features))
        return Trace(fed, None, out)
    except Exception as e:  # noqa: BLE001 -- any failure just ends the trace
        return Trace(fed, f'{type(e).__name__}: {e}'.splitlines()[0][:200])
    finally:
        for h in handles:
            h.remove()


def consumer_paths(model: nn.Module, names: Sequence[str]) -> List[str]:
    """Module paths to call: each named child, or each element of a ModuleList child
    (a list of heads, e.g. OCRNet's cascade of decode heads)."""
    paths = []
    for name in names:
        child = getattr(model, name, None)
        if child is None:
            continue
        if isinstance(child, nn.ModuleList):
            paths.extend(f'{name}.{i}' for i in range(len(child)))
        else:
            paths.append(name)
    return paths


def resolve_module(model: nn.Module, cfg_path: Sequence) -> Optional[str]:
    """Module path that config path ``cfg_path`` (keys and list indices) built, if
    the model has one under the same names (``*_cfg`` keys name the attribute
    without the suffix, as in mmpose's InterNet head); None when it does not."""
    module, names = model, []
    for key in cfg_path:
        if isinstance(key, int):
            if not isinstance(module, (nn.ModuleList, nn.Sequential)) or key >= len(module):
                return None
            module, name = module[key], str(key)
        else:
            for name in (key, key[:-4] if key.endswith('_cfg') else None):
                if name and isinstance(getattr(module, name, None), nn.Module):
                    module = getattr(module, name)
                    break
            else:
                return None
        names.append(name)
    return '.'.join(names)


def fed_under(fed: Set[str], module_path: str) -> bool:
    """Whether the module at ``module_path`` or one inside it took a feature map."""
    return any(f == module_path or f.startswith(module_path + '.') for f in fed)
