"""Put MogaNet into any config of mmdet, mmseg, mmpose or mmpretrain.

:func:`swap_backbone` (``moganet-swap`` or ``python -m moganet_mm.swap`` on the
command line; ``tools/swap_backbone.py`` in a checkout) writes a short
config that inherits the source config and changes only what the swap needs. The
edits are worked out from the models: :mod:`moganet_mm.swap.probe` runs a dummy input
through the original backbone and MogaNet to read each output's stride and width,
and traces which neck/head modules consume the backbone's outputs;
:mod:`moganet_mm.swap.plan` maps outputs by stride and rewrites every channel field that
depended on the old widths. The maintainers' compatibility matrix
(``.dev_scripts/swap_matrix.py``) runs it on the codebases' own configs.
"""
from .errors import SwapError
from .plan import SwapPlan, plan_swap
from .writer import swap_backbone

__all__ = ['SwapError', 'SwapPlan', 'plan_swap', 'swap_backbone']
