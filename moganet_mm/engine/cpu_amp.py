# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""bfloat16 mixed precision on the CPU, which MMEngine's AmpOptimWrapper refuses."""
from contextlib import contextmanager
from typing import Optional, Sequence

import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class CPUAmpOptimWrapper(OptimWrapper):
    """Train under ``torch.autocast('cpu', dtype=torch.bfloat16)``.

    MMEngine's ``AmpOptimWrapper`` asserts a GPU. bfloat16 keeps float32's
    exponent range, so no loss scaling is needed: this is ``OptimWrapper`` with the
    forward pass under CPU autocast.

    mmcv's CPU kernels (NMS, RoIAlign) take float32 only, so detectors autocast just
    their convolutional trunk: ``autocast_modules=('backbone', 'neck')`` runs those
    submodules in bfloat16 and hands their outputs on in float32. ``None`` (the
    default) autocasts the whole forward. MogaNet's ``attn_force_fp32=True`` keeps
    its gating in float32 as the original allows.

    Example: ``optim_wrapper = dict(type='CPUAmpOptimWrapper',
    autocast_modules=('backbone', 'neck'), optimizer=...)``.
    """

    def __init__(self,
                 dtype: str = 'bfloat16',
                 autocast_modules: Optional[Sequence[str]] = None,
                 **kwargs):
        if dtype not in ('bfloat16', torch.bfloat16):
            raise ValueError(f'CPUAmpOptimWrapper runs bfloat16 only (float16 autocast on '
                             f'the CPU needs loss scaling); got dtype={dtype!r}')
        super().__init__(**kwargs)
        self.cast_dtype = torch.bfloat16
        self.autocast_modules = tuple(autocast_modules) if autocast_modules else None

    def autocast_regions(self, model: torch.nn.Module):
        """``[(name, module)]`` that run in bfloat16: the whole model (``''``) when
        ``autocast_modules`` is None, else those submodules."""
        model = getattr(model, 'module', model)  # DDP
        if self.autocast_modules is None:
            return [('', model)]
        regions = []
        for name in self.autocast_modules:
            try:
                regions.append((name, model.get_submodule(name)))
            except AttributeError as err:
                children = [n for n, _ in model.named_children()]
                raise ValueError(f'autocast_modules: the model has no submodule {name!r}; '
                                 f'its children are {children}') from err
        return regions

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        with super().optim_context(model):
            if self.autocast_modules is None:
                with torch.autocast('cpu', dtype=self.cast_dtype):
                    yield
                return
            handles = []
            for _, sub in self.autocast_regions(model):
                handles += self._autocast(sub)
            try:
                yield
            finally:
                for handle in handles:
                    handle.remove()

    def _autocast(self, module: torch.nn.Module):
        """Hooks that run ``module`` under autocast and return float32 outputs."""
        contexts = []

        def enter(mod, args):
            contexts.append(torch.autocast('cpu', dtype=self.cast_dtype))
            contexts[-1].__enter__()

        def leave(mod, args, output):
            contexts.pop().__exit__(None, None, None)
            return _to_float(output)

        return [module.register_forward_pre_hook(enter), module.register_forward_hook(leave)]


def _to_float(x):
    if isinstance(x, torch.Tensor):
        return x.float() if x.dtype == torch.bfloat16 else x
    if isinstance(x, (tuple, list)):
        return type(x)(_to_float(v) for v in x)
    if isinstance(x, dict):
        return {k: _to_float(v) for k, v in x.items()}
    return x
