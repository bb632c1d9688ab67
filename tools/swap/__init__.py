"""Put MogaNet into any config of mmdet, mmseg, mmpose or mmpretrain.

:func:`swap_backbone` (``tools/swap_backbone.py`` on the command line) writes a short
config that inherits the source config and changes only what the swap needs. The
edits are worked out from the models: :mod:`tools.swap.probe` runs a dummy input
through the original backbone and MogaNet to read each output's stride and width,
and traces which neck/head modules consume the backbone's outputs;
:mod:`tools.swap.plan` maps outputs by stride and rewrites every channel field that
depended on the old widths. :mod:`tools.swap.matrix` runs the compatibility matrix
(``tools/analysis/swap_matrix.py``) on the codebases' own configs.
"""
from .errors import SwapError
from .plan import SwapPlan, plan_swap
from .writer import swap_backbone

__all__ = ['SwapError', 'SwapPlan', 'plan_swap', 'swap_backbone']
