"""What an export needs to know of a wrapped model: :class:`ExportSpec`, and the
config's test input size."""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import torch.nn as nn

from .exporter import dynamic_axes


@dataclass
class ExportSpec:
    """A module ready for :func:`moganet_mm.deploy.exporter.export`, and how to feed it."""
    module: nn.Module
    kind: str
    output_names: List[str]
    #: an example input's (H, W): the config's test size
    input_hw: Tuple[int, int]
    #: True: height and width may change after export; False: export at ``input_hw``
    dynamic_hw: bool = True
    #: the free axes of each output when exporting with dynamic shapes
    dynamic_outputs: Optional[Dict[str, Dict[int, str]]] = None
    #: the batch sizes the exported graph supports: None any, else this one
    fixed_batch: Optional[int] = None
    #: output axes whose size depends on the data (detections): free in every export
    data_dependent_axes: Optional[Dict[str, Dict[int, str]]] = None
    notes: List[str] = field(default_factory=list)

    def dynamic_axes(self, dynamic: bool) -> Optional[Dict[str, Dict[int, str]]]:
        """The ``dynamic_axes`` of an export: with ``dynamic`` the batch (unless
        fixed) and the input size (if the model allows) are free."""
        if not dynamic:
            return ({'input': {}, **self.data_dependent_axes} if self.data_dependent_axes else None)
        batch = self.fixed_batch is None
        outputs = self.dynamic_outputs
        if outputs is None:
            outputs = {n: {0: 'batch'} for n in self.output_names} if batch else {}
        outputs = {**outputs, **(self.data_dependent_axes or {})}
        return dynamic_axes(self.output_names, batch, self.dynamic_hw, outputs)


def test_size(cfg, default=(224, 224)) -> Tuple[int, int]:
    """(H, W) of the config's test pipeline (Resize/CenterCrop scale, pose input
    size), or ``default``."""
    codec = cfg.get('codec')
    if codec and 'input_size' in codec:
        w, h = codec['input_size']
        return h, w
    pipeline = cfg.get('test_dataloader', {}).get('dataset', {}).get('pipeline', [])
    size = None
    for t in pipeline:
        if t.get('type') == 'CenterCrop':
            s = t['crop_size']
            size = (s, s) if isinstance(s, int) else (s[1], s[0])
        elif t.get('type') == 'Resize' and 'scale' in t and size is None:
            s = t['scale']
            size = (s, s) if isinstance(s, int) else (min(s), max(s))  # (w, h) scales
    return size or default
