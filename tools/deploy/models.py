"""Build a config's model for export and wrap it as a tensors-in, tensors-out module.

A wrapper takes the preprocessed image batch (normalized, padded: what the
codebase's ``data_preprocessor`` produces, as in mmdeploy) and returns plain tensors:

=============  ===============================================  =====================
kind           outputs                                          wrapper
=============  ===============================================  =====================
backbone       ``feat0``.. one map per ``out_indices`` stage    :class:`BackboneOnly`
classifier     ``scores`` (N, classes): softmax, as mmdeploy    :class:`Classifier`
detector       ``dets`` (N, K, 5), ``labels`` (N, K) [``masks``]  :mod:`.detection`
segmentor      ``seg`` (N, 1, H, W) class map, ``seg_logits``   :mod:`.segmentation`
pose           ``heatmaps``, ``keypoints`` (N, K, 2), ``scores``  :mod:`.pose`
=============  ===============================================  =====================
"""
import copy
import importlib
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import torch.nn as nn
import torch.nn.functional as F

from tools.deploy.exporter import ExportError

#: the default scope of a config -> the package whose registry builds its model
SCOPES = {'mmpretrain': 'classifier', 'mmdet': 'detector', 'mmseg': 'segmentor',
          'mmpose': 'pose'}
KINDS = ('backbone', 'classifier', 'detector', 'segmentor', 'pose')


@dataclass
class ExportSpec:
    """A module ready for :func:`tools.deploy.exporter.export`, and how to feed it."""
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
        from tools.deploy.exporter import dynamic_axes
        if not dynamic:
            return ({'input': {}, **self.data_dependent_axes}
                    if self.data_dependent_axes else None)
        batch = self.fixed_batch is None
        outputs = self.dynamic_outputs
        if outputs is None:
            outputs = {n: {0: 'batch'} for n in self.output_names} if batch else {}
        outputs = {**outputs, **(self.data_dependent_axes or {})}
        return dynamic_axes(self.output_names, batch, self.dynamic_hw, outputs)


def load_config(path: str):
    from mmengine.config import Config
    try:
        return Config.fromfile(path)
    except FileNotFoundError as err:
        raise ExportError(f'config {path!r} does not exist') from err


def build_model(cfg, checkpoint: Optional[str]) -> nn.Module:
    """The config's whole model in eval mode, on the CPU, with ``checkpoint``'s weights
    (a whole-model state dict, e.g. from the codebase's training; loaded as plain data,
    every key must fit) or, with ``checkpoint=None``, freshly initialized weights."""
    from mmengine.registry import init_default_scope
    scope = cfg.get('default_scope')
    if scope not in SCOPES:
        raise ExportError(f'the config\'s default_scope is {scope!r}; this tool exports '
                          f'models of {sorted(SCOPES)} configs')
    init_default_scope(scope)
    registry = importlib.import_module(f'{scope}.registry').MODELS
    model_cfg = copy.deepcopy(cfg.model)
    # pretrained backbone weights would be downloaded and then replaced by the checkpoint
    # (mmseg's configs name them in the model's ``pretrained``, the others in init_cfg)
    model_cfg.pop('pretrained', None)
    if 'backbone' in model_cfg:
        model_cfg.backbone.pop('init_cfg', None)
    model = registry.build(model_cfg)
    if checkpoint is None:
        model.init_weights()
    else:
        from moganet_mm.checkpoint import load_checkpoint_file
        try:
            state = load_checkpoint_file(checkpoint)
        except (FileNotFoundError, RuntimeError) as err:
            raise ExportError(str(err)) from err
        state = state.get('state_dict', state)
        missing, unexpected = model.load_state_dict(state, strict=False)
        if missing or unexpected:
            raise ExportError(
                f'{checkpoint} does not fit the config\'s model: {len(missing)} missing '
                f'keys (e.g. {missing[:3]}), {len(unexpected)} unexpected (e.g. '
                f'{unexpected[:3]}); pass a whole-model checkpoint of this config')
    from mmengine.model import revert_sync_batchnorm
    return revert_sync_batchnorm(model).eval()  # SyncBN needs a process group


def switch_to_deploy(model: nn.Module):
    """``switch_to_deploy()`` of the model's MogaNet backbone, with the reason as an
    :class:`ExportError` when it cannot (not a MogaNet, or norms that do not fold)."""
    backbone = getattr(model, 'backbone', model)
    if not hasattr(backbone, 'switch_to_deploy'):
        raise ExportError(f'--deploy folds a MogaNet backbone; this model\'s backbone is '
                          f'{type(backbone).__name__}, which has no deploy mode')
    try:
        backbone.switch_to_deploy()
    except TypeError as err:  # GN / LN norms: nothing to fold into the convs
        raise ExportError(f'--deploy: {err}') from err


class BackboneOnly(nn.Module):
    """The backbone's feature maps as a tuple of tensors."""

    def __init__(self, backbone: nn.Module):
        super().__init__()
        self.backbone = backbone

    def forward(self, x):
        return tuple(self.backbone(x))


class Classifier(nn.Module):
    """Softmax class scores of an mmpretrain ``ImageClassifier`` (sigmoid for a
    multi-label head), as mmdeploy's rewrite of ``BaseClassifier.forward`` returns."""

    def __init__(self, classifier: nn.Module):
        super().__init__()
        from mmpretrain.models.heads import MultiLabelClsHead
        self.classifier = classifier
        self.multi_label = isinstance(classifier.head, MultiLabelClsHead)

    def forward(self, x):
        logits = self.classifier.head(self.classifier.extract_feat(x))
        return logits.sigmoid() if self.multi_label else F.softmax(logits, dim=1)


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


def export_spec(cfg, model: nn.Module, backbone_only: bool = False) -> ExportSpec:
    """The wrapper of ``model`` (built from ``cfg``) for export."""
    scope = cfg.get('default_scope')
    hw = test_size(cfg)
    if backbone_only:
        n = len(getattr(model.backbone, 'out_indices', (0, 1, 2, 3)))
        names = [f'feat{i}' for i in range(n)]
        return ExportSpec(BackboneOnly(model.backbone), 'backbone', names, hw,
                          dynamic_outputs={k: {0: 'batch', 2: f'h{i}', 3: f'w{i}'}
                                           for i, k in enumerate(names)})
    kind = SCOPES[scope]
    if kind == 'classifier':
        if type(model).__name__ != 'ImageClassifier':
            raise ExportError(f'{type(model).__name__}: only mmpretrain ImageClassifier '
                              'models export as classifiers (or pass --backbone-only)')
        return ExportSpec(Classifier(model), kind, ['scores'], hw)
    if kind == 'detector':
        from tools.deploy.detection import detector_spec
        return detector_spec(cfg, model)
    if kind == 'segmentor':
        from tools.deploy.segmentation import segmentor_spec
        return segmentor_spec(cfg, model)
    from tools.deploy.pose import pose_spec
    return pose_spec(cfg, model)
