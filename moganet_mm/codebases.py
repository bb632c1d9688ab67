"""The OpenMMLab codebases MogaNet serves: load one's config (``mmdet::...`` or a
local file) and build its models in that codebase's registry scope.

The swap tool, the export tool and the maintainers' scripts all build through here.
"""
import contextlib
import importlib
import os.path as osp
from typing import Tuple

from mmengine.config import Config
from mmengine.hub import get_config
from mmengine.registry import DefaultScope

#: config ``default_scope`` -> the kind of model that codebase builds
CODEBASES = {
    'mmdet': 'detector',
    'mmseg': 'segmentor',
    'mmpose': 'pose',
    'mmpretrain': 'classifier'
}


class ConfigError(ValueError):
    """A config that cannot be found or belongs to no codebase of :data:`CODEBASES`."""


def load_config(src, scope: str = None) -> Tuple[Config, str]:
    """``(config, scope)`` of ``src``: ``<codebase>::<path>``, a local file, or a
    :class:`Config` / dict already in memory (its ``default_scope`` or ``scope``
    names the codebase)."""
    if isinstance(src, (Config, dict)):
        cfg = src if isinstance(src, Config) else Config(src)
        scope = scope or cfg.get('default_scope')
        if scope not in CODEBASES:
            raise ConfigError(f'the config\'s codebase is {scope!r}; pass scope= one of '
                              f'{list(CODEBASES)} (or set default_scope)')
        return cfg, scope
    if not isinstance(src, str):
        raise ConfigError(f'src must be a config path or a Config, got {type(src).__name__}')
    if '::' in src:
        scope = src.split('::', 1)[0]
        if scope not in CODEBASES:
            raise ConfigError(f'{src!r}: unknown codebase {scope!r}; the prefix before "::" '
                              f'is one of {list(CODEBASES)}')
    elif not osp.isfile(src):
        raise ConfigError(f'{src!r}: no such config file (give a local .py file or '
                          f"'<codebase>::<path>' with a codebase of {list(CODEBASES)})")
    try:
        if '::' in src:
            cfg = get_config(src)  # resolves the package's .mim/configs
        else:
            cfg = Config.fromfile(src)
    except (FileNotFoundError, OSError) as e:
        raise ConfigError(f'{src!r}: config not found ({e}); the codebases\' own configs '
                          "are named like 'mmdet::dino/dino-4scale_r50_8xb2-12e_coco.py', "
                          'paths under <codebase>/.mim/configs') from None
    scope = cfg.get('default_scope') or (src.split('::', 1)[0] if '::' in src else None)
    if scope not in CODEBASES:
        raise ConfigError(f'{src!r}: default_scope is {scope!r}; moganet_mm handles '
                          f'configs of {list(CODEBASES)} (set default_scope)')
    return cfg, scope


def register(scope: str):
    """Register the codebase's modules (without changing the default scope)."""
    importlib.import_module(f'{scope}.utils').register_all_modules(init_default_scope=False)


@contextlib.contextmanager
def in_scope(scope: str):
    """Build in ``scope`` (its registries first, then MMEngine's root)."""
    register(scope)
    with DefaultScope.overwrite_default_scope(scope):
        yield


def build_model(model_cfg, scope: str):
    """Build a model config in the codebase's ``MODELS`` (no weights are loaded)."""
    registry = importlib.import_module(f'{scope}.registry').MODELS
    with in_scope(scope):
        return registry.build(model_cfg)
