"""The configs read one table of sizes and share their blocks, and what a user trains
with is what it was before they did: every config's resolved dict equals the snapshot
taken before the rewrite (``tests/data/resolved_configs.json.gz``, made by
``.dev_scripts/resolved_configs.py`` from commit 1b63ab0's configs), except the
changes listed in ``INTENDED``."""
import ast
import fnmatch
import re

import pytest

from moganet_mm import MogaNet
from tools.paths import REPO

from resolved_configs import all_configs, diff, load, resolve

SNAPSHOT = load(REPO / 'tests/data/resolved_configs.json.gz')
# top-level names the configs now read (the table, the shared blocks): not settings
HELPERS = {
    'moganet_sizes', 'moganet_weights', 'size', 'moganet_det_backbone', 'moganet_det_optimizer',
    'moganet_det_paramwise_cfg', 'input_384x288', 'at_256', 'in1k'
}
# config pattern -> resolved paths that were meant to change, and why
INTENDED = {
    # the authors' layer-decay rule, whole: MogaNet.get_layer_depth instead of
    # unrolled lr keys, and no weight decay on the backbone's 1-D tensors either
    'configs/det/cascade_mask_rcnn_moganet_[blx]*_3x.py':
    ['_rate', 'optim_wrapper.constructor', 'optim_wrapper.paramwise_cfg*'],
    # timm's weight-decay filter, as the original train.py: layer scales and sigmas
    # (4-D tensors) are decayed
    'configs/cls/*.py': ['optim_wrapper.paramwise_cfg.custom_keys*'],
    # the original's backbones had plain BN (its MogaNet swallowed stem_norm_cfg /
    # conv_norm_cfg=SyncBN in **kwargs); the heads keep their SyncBN
    'configs/seg/*.py': ['model.backbone.norm_cfg*'],
    'configs/pose/*.py': ['model.backbone.norm_cfg*'],
    # the original's AlignResize at test time: Resize, then ResizeToMultiple(32)
    'configs/seg/[fu]*.py':
    ['test_pipeline*', 'val_dataloader.dataset.pipeline*', 'test_dataloader.dataset.pipeline*'],
    # the original trained pose S 384x288 with fp16, dynamic loss scale
    'configs/pose/topdown_moganet_s_coco_384x288.py':
    ['optim_wrapper.type', 'optim_wrapper.loss_scale'],
    # the top-level val_pipeline variable of the 384x288 configs (not what the loaders
    # run, which is unchanged) lost mmpose's scope marker; so did the XL 640
    # train_pipeline variable, now written in _base_moganet_upernet_640.py
    'configs/pose/*_384x288.py': ['val_pipeline[[]*[]]._scope_'],
    'configs/seg/upernet_moganet_xl_160k_ade20k_640.py': ['train_pipeline[[]*[]]._scope_'],
}


def intended(config, path):
    if path.split('.')[0].split('[')[0] in HELPERS:
        return True
    return any(
        fnmatch.fnmatch(config, pattern) and any(fnmatch.fnmatch(path, p) for p in paths)
        for pattern, paths in INTENDED.items())


def test_every_snapshot_config_still_exists():
    assert set(SNAPSHOT) <= set(all_configs())


@pytest.mark.parametrize('config', sorted(SNAPSHOT))
def test_resolved_config_unchanged(config):
    changed = [p for p in diff(SNAPSHOT[config], resolve(config)) if not intended(config, p)]
    assert not changed, f'{config}: {changed}'


def test_size_table_matches_the_model():
    from mmengine.config import Config
    sizes = Config.fromfile(REPO / 'configs/_base_/moganet_sizes.py').moganet_sizes
    assert set(sizes) == {'xt', 't', 's', 'b', 'l', 'xl'}
    for key, row in sizes.items():
        assert row.widths == MogaNet.arch_zoo[key]['embed_dims'], key
        assert MogaNet.arch_zoo[row.backbone.arch] == MogaNet.arch_zoo[key], key


def code_lines(path):
    """Lines of a config that are code: no docstring, comment or blank line."""
    tree = ast.parse(path.read_text())
    doc = tree.body[0] if tree.body and isinstance(tree.body[0], ast.Expr) else None
    skip = set(range(doc.lineno, doc.end_lineno + 1)) if doc else set()
    return [
        line for i, line in enumerate(path.read_text().splitlines(), 1)
        if i not in skip and line.strip() and not line.strip().startswith('#')
    ]


SIZE_CONFIG = re.compile(r'configs/(det|seg|pose|cls)/\w*moganet_(xt|t|s|b|l|xl)_\w+\.py')


@pytest.mark.parametrize('config', [c for c in all_configs() if SIZE_CONFIG.fullmatch(c)])
def test_size_configs_state_only_what_differs(config):
    """A size config is a few lines: its base, its size and what differs from both."""
    lines = code_lines(REPO / config)
    assert len(lines) <= 10, '\n'.join(lines)
    assert not any('https://' in line and 'in1k-weights' in line and 'sz224' in line
                   for line in lines), 'the ImageNet release comes from the size table'
