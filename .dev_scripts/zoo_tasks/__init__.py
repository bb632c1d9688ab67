"""Per-task knowledge for .dev_scripts/model_zoo.py.

Each module ``zoo/<task>.py`` (task = configs/<task>/) defines:

- ``FLOPS_TOL``: relative FLOPs tolerance of the task's rows;
- ``paper(config_name) -> dict(csv, params, flops, input)``: the paper row a config
  reproduces (``params``/``flops`` as the CSV prints them, '' if absent) and the
  input (h, w) it is counted at;
- ``build_for_counting(cfg, input_hw) -> (module, inputs)``: the module whose call
  ``module(*inputs)`` is counted;
- ``counted_module(module) -> nn.Module``: whose parameters are counted.
"""
from . import cls, det, pose, seg, video

#: configs/<task>/ -> the module that knows its paper rows
TASKS = {'cls': cls, 'det': det, 'seg': seg, 'pose': pose, 'video': video}
