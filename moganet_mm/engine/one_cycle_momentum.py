# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""The momentum half of torch's ``OneCycleLR``, which MMEngine's ``OneCycleLR`` lacks.

``torch.optim.lr_scheduler.OneCycleLR(cycle_momentum=True)`` (what OpenSTL trains
SimVP with) moves the momentum, Adam's beta1, opposite to the learning rate: from
``max_momentum`` down to ``base_momentum`` while the lr rises (the first
``pct_start`` of the steps), then back up while it falls, on cosine curves. Used
beside MMEngine's ``OneCycleLR`` with the same ``begin``/``end``, the pair steps
as torch's scheduler does.
"""
import math

from mmengine.optim.scheduler.momentum_scheduler import MomentumSchedulerMixin
from mmengine.optim.scheduler.param_scheduler import INF, _ParamScheduler
from mmengine.registry import PARAM_SCHEDULERS

__all__ = ['OneCycleMomentum']


class OneCycleParamCurve(_ParamScheduler):
    """A parameter going ``max_value -> base_value`` (cosine) over the first
    ``pct_start`` of ``end - begin`` steps, then back to ``max_value``; starts at
    ``max_value`` as torch's OneCycleLR sets it."""

    def __init__(self,
                 optimizer,
                 param_name: str,
                 base_value: float,
                 max_value: float,
                 pct_start: float = 0.3,
                 begin: int = 0,
                 end: int = INF,
                 last_step: int = -1,
                 by_epoch: bool = True,
                 verbose: bool = False):
        if end == INF:
            raise ValueError('A one-cycle schedule needs a finite end (its total steps)')
        if not 0 < pct_start < 1:
            raise ValueError(f'pct_start must be in (0, 1), got {pct_start}')
        self.base_value, self.max_value = base_value, max_value
        self.total_steps = end - begin
        self.peak_step = float(pct_start * self.total_steps) - 1
        if last_step == -1:
            for group in optimizer.param_groups:
                group[param_name] = max_value
                group[f'initial_{param_name}'] = max_value
        super().__init__(
            optimizer,
            param_name,
            begin=begin,
            end=end,
            last_step=last_step,
            by_epoch=by_epoch,
            verbose=verbose)

    @staticmethod
    def _cosine(start: float, end: float, pct: float) -> float:
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)

    def _get_value(self):
        step = self.last_step - self.begin
        if step <= self.peak_step:
            value = self._cosine(self.max_value, self.base_value,
                                 step / self.peak_step if self.peak_step > 0 else 1.)
        else:
            span = (self.total_steps - 1) - self.peak_step
            value = self._cosine(self.base_value, self.max_value,
                                 (step - self.peak_step) / span if span > 0 else 1.)
        return [value for _ in self.optimizer.param_groups]


@PARAM_SCHEDULERS.register_module()
class OneCycleMomentum(MomentumSchedulerMixin, OneCycleParamCurve):
    """torch's one-cycle momentum (SGD ``momentum`` or Adam's beta1).

    Args:
        optimizer: Wrapped optimizer.
        base_momentum (float): The low point, reached at ``pct_start``. Defaults
            to 0.85 (torch's).
        max_momentum (float): Start and end value. Defaults to 0.95 (torch's).
        pct_start (float): Share of the steps spent going down. Defaults to 0.3.
        begin, end, last_step, by_epoch, verbose: As for every MMEngine
            scheduler; ``end - begin`` is the cycle's length, so give the same
            ``begin``/``end`` as the ``OneCycleLR`` beside it.
    """

    def __init__(self,
                 optimizer,
                 base_momentum: float = 0.85,
                 max_momentum: float = 0.95,
                 pct_start: float = 0.3,
                 begin: int = 0,
                 end: int = INF,
                 last_step: int = -1,
                 by_epoch: bool = True,
                 verbose: bool = False):
        super().__init__(
            optimizer,
            base_value=base_momentum,
            max_value=max_momentum,
            pct_start=pct_start,
            begin=begin,
            end=end,
            last_step=last_step,
            by_epoch=by_epoch,
            verbose=verbose)
