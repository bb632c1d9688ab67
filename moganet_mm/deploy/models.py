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
from typing import Optional

import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import init_default_scope

from ..checkpoint import load_checkpoint_file
from ..codebases import CODEBASES, ConfigError
from ..codebases import build_model as build_in_scope
from ..codebases import load_config as load_codebase_config
from .detection import detector_spec
from .exporter import ExportError
from .pose import pose_spec
from .segmentation import segmentor_spec
from .spec import ExportSpec, test_size


def load_config(path: str):
    """The config at ``path`` (a file, or ``<codebase>::<path>``)."""
    try:
        return load_codebase_config(path)[0]
    except ConfigError as err:
        raise ExportError(str(err)) from None


def build_model(cfg, checkpoint: Optional[str]) -> nn.Module:
    """The config's whole model in eval mode, on the CPU, with ``checkpoint``'s weights
    (a whole-model state dict, e.g. from the codebase's training; loaded as plain data,
    every key must fit) or, with ``checkpoint=None``, freshly initialized weights."""
    scope = cfg.get('default_scope')
    if scope not in CODEBASES:
        raise ExportError(f'the config\'s default_scope is {scope!r}; this tool exports '
                          f'models of {sorted(CODEBASES)} configs')
    init_default_scope(scope)  # the codebase's post-processing looks things up there
    model_cfg = copy.deepcopy(cfg.model)
    # pretrained backbone weights would be downloaded and then replaced by the checkpoint
    # (mmseg's configs name them in the model's ``pretrained``, the others in init_cfg)
    model_cfg.pop('pretrained', None)
    # mmpretrain configs hold the data preprocessor at the top level; the Runner merges it
    if cfg.get('data_preprocessor') and not model_cfg.get('data_preprocessor'):
        model_cfg.data_preprocessor = copy.deepcopy(cfg.data_preprocessor)
    if 'backbone' in model_cfg:
        model_cfg.backbone.pop('init_cfg', None)
    model = build_in_scope(model_cfg, scope)
    if checkpoint is None:
        model.init_weights()
    else:
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


def export_spec(cfg, model: nn.Module, backbone_only: bool = False) -> ExportSpec:
    """The wrapper of ``model`` (built from ``cfg``) for export."""
    scope = cfg.get('default_scope')
    hw = test_size(cfg)
    if backbone_only:
        n = len(getattr(model.backbone, 'out_indices', (0, 1, 2, 3)))
        names = [f'feat{i}' for i in range(n)]
        return ExportSpec(
            BackboneOnly(model.backbone),
            'backbone',
            names,
            hw,
            dynamic_outputs={
                k: {
                    0: 'batch',
                    2: f'h{i}',
                    3: f'w{i}'
                }
                for i, k in enumerate(names)
            })
    kind = CODEBASES[scope]
    if kind == 'classifier':
        if type(model).__name__ != 'ImageClassifier':
            raise ExportError(f'{type(model).__name__}: only mmpretrain ImageClassifier '
                              'models export as classifiers (or pass --backbone-only)')
        return ExportSpec(Classifier(model), kind, ['scores'], hw)
    if kind == 'detector':
        return detector_spec(cfg, model)
    if kind == 'segmentor':
        return segmentor_spec(cfg, model)
    return pose_spec(cfg, model)
